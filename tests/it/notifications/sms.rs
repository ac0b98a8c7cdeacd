//! The SMS channel against the gateway simulator: each SMS reaches the
//! gateway once through 500s and a lost answer; a gateway that refuses parks
//! the notification with its reason, the dossier page shows it, and a
//! re-drive delivers it once the gateway accepts again.

use super::{
    notifications_of, only_not_sent, receive, start_hub, with_and_without_contact, DUE_AT_TEXT,
};
use crate::adapters::{redrive_all, settled};
use crate::common::{command, ONE_STOP};
use lienthong::domain::EventType;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong::hub::{NotificationState, NotifyChannel};
use lienthong_adapter_sms::simulator::{SimConfig, Simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_sms_reaches_the_gateway_once_and_a_refused_one_is_parked_then_redriven() {
    let sim = Simulator::start(SimConfig {
        account: "ubnd-tinh".into(),
        secret: "gateway-secret".into(),
        brand_name: "UBND TINH".into(),
    })
    .await
    .unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let secret_file = secrets.path().join("sms.secret");
    std::fs::write(&secret_file, "gateway-secret\n").unwrap();
    let hub = start_hub(&format!(
        "[sms]\nendpoint = \"{}\"\naccount = \"ubnd-tinh\"\nsecret_file = \"{}\"\nbrand_name = \"UBND TINH\"\ntimeout_seconds = 5\n",
        sim.url(),
        secret_file.display()
    ))
    .await;
    let channel = NotifyChannel::Sms.delivery_name();
    let mut one_stop = hub.client(ONE_STOP).await;
    let (a, b) = with_and_without_contact(&mut one_stop, "sms", |s| s.phone.clear()).await;

    // A 500, then an answer lost after the gateway took the message: the
    // retry is answered "duplicate", and the applicant gets one SMS.
    sim.fail_next(1);
    sim.lose_answer_next(1);
    one_stop.exec(receive("sms-a-receive", a.id)).await.unwrap();
    one_stop.exec(receive("sms-b-receive", b.id)).await.unwrap();
    settled(&hub, channel).await;
    let received = sim.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(sim.requests(), 3);
    assert_eq!(received[0].phone, "84987654321");
    assert_eq!(
        received[0].message,
        format!(
            "Hồ sơ {} đã được tiếp nhận. Ngày hẹn trả kết quả: {DUE_AT_TEXT}.",
            a.ma_ho_so
        )
    );
    assert!(received[0].unicode);

    // The gateway refuses for good: parked with the reason, shown on the page.
    sim.refuse_with(Some("11"));
    one_stop
        .exec(command(
            "sms-a-fee",
            a.id,
            C::RequestFinancialObligation(pb::RequestFinancialObligation {
                fees: vec![pb::Fee {
                    code: "LP1".into(),
                    name: "Lệ phí cấp giấy phép xây dựng".into(),
                    amount_vnd: 1_500_000,
                }],
                note: String::new(),
            }),
        ))
        .await
        .unwrap();
    let status = settled(&hub, channel).await;
    assert_eq!(status.parked, 1, "{status:?}");
    let shown = notifications_of(&hub, a.id);
    let parked = shown
        .iter()
        .find(|n| n.event_type == EventType::FinancialObligationRequested)
        .expect("the fee notification is listed");
    assert!(
        matches!(&parked.state, NotificationState::Parked { reason, .. } if reason.contains("code 11")),
        "{parked:?}"
    );

    // The gateway accepts again; the operator re-drives; it is sent once.
    sim.refuse_with(None);
    assert_eq!(redrive_all(&hub, channel).await, 1);
    // The gateway takes the SMS before the hub records it as sent: wait for
    // the record, which is what the dossier page shows.
    super::eventually(
        "the re-driven SMS reaches the gateway and is recorded as sent",
        || {
            // Both records, each sent: while the re-driven one is on its
            // way, the dossier may list the first alone.
            let records = notifications_of(&hub, a.id);
            sim.received().len() == 2
                && records.len() == 2
                && records
                    .iter()
                    .all(|n| matches!(n.state, NotificationState::Sent { .. }))
        },
    )
    .await;
    let status = settled(&hub, channel).await;
    assert_eq!(status.parked, 0, "{status:?}");
    let fee = &sim.received()[1];
    assert_eq!(
        fee.message,
        format!(
            "Hồ sơ {}: đề nghị nộp phí, lệ phí 1.500.000 đ để tiếp tục giải quyết.",
            a.ma_ho_so
        )
    );
    let states: Vec<_> = notifications_of(&hub, a.id)
        .into_iter()
        .map(|n| {
            (
                n.event_type,
                matches!(n.state, NotificationState::Sent { .. }),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (EventType::DossierReceived, true),
            (EventType::FinancialObligationRequested, true)
        ]
    );

    // A dossier without a phone number: nothing sent, and the record says why.
    only_not_sent(&hub, b.id, "the dossier has no phone number");
    assert_eq!(sim.received().len(), 2);
}
