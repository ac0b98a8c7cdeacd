//! The e-mail channel against a real SMTP conversation: each notification
//! arrives exactly once, through a deferred delivery (retried) and a hub
//! restarted while one is being retried; a dossier without an address gets
//! nothing on that channel, and its record says why.

use super::smtp_sink::SmtpSink;
use super::{
    eventually, notifications_of, only_not_sent, receive, restart_hub, start_hub,
    with_and_without_contact, DUE_AT_TEXT,
};
use crate::adapters::settled;
use crate::common::{command, ONE_STOP};
use lienthong::domain::EventType;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong::hub::{NotificationState, NotifyChannel};

pub fn email_channel(sink: &SmtpSink) -> String {
    format!(
        "[email]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\nfrom = \"Bộ phận một cửa <motcua@ubnd.example.vn>\"\ntimeout_seconds = 5\n",
        sink.port
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_notification_email_arrives_exactly_once_through_a_deferral_and_a_restart() {
    let sink = SmtpSink::start().await;
    let mut hub = start_hub(&email_channel(&sink)).await;
    let mut one_stop = hub.client(ONE_STOP).await;
    let (a, b) = with_and_without_contact(&mut one_stop, "mail", |s| s.email.clear()).await;

    // The server defers the first message once: it is retried, and arrives once.
    sink.defer_next(1);
    one_stop
        .exec(receive("mail-a-receive", a.id))
        .await
        .unwrap();
    one_stop
        .exec(receive("mail-b-receive", b.id))
        .await
        .unwrap();
    settled(&hub, NotifyChannel::Email.delivery_name()).await;
    let mails = sink.mails();
    assert_eq!(sink.deferred(), 1);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let receipt = &mails[0];
    assert!(
        receipt.to.contains("binh.tran@example.vn"),
        "{}",
        receipt.to
    );
    assert_eq!(
        receipt.subject,
        format!("Hồ sơ {} đã được tiếp nhận", a.ma_ho_so)
    );
    assert!(
        receipt.body.contains("Kính gửi ông/bà Trần Thị Bình"),
        "{}",
        receipt.body
    );
    assert!(
        receipt.body.contains("\"Cấp giấy phép xây dựng\""),
        "{}",
        receipt.body
    );
    assert!(
        receipt
            .body
            .contains(&format!("Ngày hẹn trả kết quả: {DUE_AT_TEXT}.")),
        "{}",
        receipt.body
    );

    // The server defers everything while the hub tries the supplement
    // request; the hub stops mid-way and comes back on the same data.
    one_stop
        .exec(command(
            "mail-a-process",
            a.id,
            C::StartProcessing(pb::StartProcessing {
                processing_unit: "Phòng Quản lý đô thị".into(),
            }),
        ))
        .await
        .unwrap();
    sink.defer_next(u32::MAX);
    one_stop
        .exec(command(
            "mail-a-supplement",
            a.id,
            C::RequestSupplement(pb::RequestSupplement {
                reason: "Thiếu bản vẽ thiết kế".into(),
                items: vec![
                    "Bản vẽ thiết kế".into(),
                    "Bản sao giấy chứng nhận quyền sử dụng đất".into(),
                ],
            }),
        ))
        .await
        .unwrap();
    eventually("the hub retries the deferred supplement request", || {
        sink.deferred() >= 3
    })
    .await;
    hub.stop().await;
    sink.defer_next(0);
    let data_dir = hub.dir.path().join("data");
    let hub = restart_hub(&email_channel(&sink), data_dir).await;
    settled(&hub, NotifyChannel::Email.delivery_name()).await;

    let mails = sink.mails();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_ne!(mails[0].message_id, mails[1].message_id);
    let supplement = &mails[1];
    assert_eq!(
        supplement.subject,
        format!("Hồ sơ {} cần bổ sung, hoàn thiện", a.ma_ho_so)
    );
    assert!(
        supplement
            .body
            .contains("- Bản vẽ thiết kế\n- Bản sao giấy chứng nhận quyền sử dụng đất"),
        "{}",
        supplement.body
    );
    assert!(supplement.body.contains("Lý do: Thiếu bản vẽ thiết kế"));

    // What the dossier page shows.
    let shown = notifications_of(&hub, a.id);
    let kinds: Vec<_> = shown.iter().map(|n| (n.event_type, n.channel)).collect();
    assert_eq!(
        kinds,
        [
            (EventType::DossierReceived, NotifyChannel::Email),
            (EventType::SupplementRequested, NotifyChannel::Email)
        ]
    );
    assert!(shown
        .iter()
        .all(|n| matches!(&n.state, NotificationState::Sent { reference } if reference.starts_with("250"))));
    assert!(mails[0].message_id.contains(&shown[0].event_id));
    only_not_sent(&hub, b.id, "the dossier has no e-mail address");
}
