//! End to end: the real hub, the generic legacy adapter (`legacy_rest`)
//! configured for the simulated ministry system, and that system. The hub's
//! events reach it in its own field names and codes (through its faults);
//! its status updates, in its own codes, become hub commands.

use super::{inbound_url, partner, settled, start_hub};
use crate::common::{self, command, status, submission, submit_request, TestHub};
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb;
use lienthong_adapter_legacy::dates::DateFormat;
use lienthong_adapter_legacy::simulator::{LegacyUpdate, SimConfig, Simulator};

const PARTNER: &str = "legacy-sim";
const TOKEN: &str = "legacy-sim-token-0001";
const EVENTS: &[&str] = &[
    "dossier_submitted",
    "dossier_received",
    "supplement_submitted",
    "dossier_withdrawn",
    "processing_finished",
];

async fn hub_with_legacy() -> (TestHub, Simulator) {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator");
    let mut settings = sim.adapter_settings(EVENTS);
    settings.insert("kind".into(), "legacy_rest".into());
    // This partner may not send supplements or payments.
    let mut commands = common::dossier_command_names();
    commands.retain(|c| !matches!(*c, "submit_supplement" | "record_payment"));
    let hub = start_hub(vec![partner(
        PARTNER,
        TOKEN,
        &commands,
        Some(SubscriptionSection::default()),
        settings,
    )])
    .await;
    sim.set_hub_url(Some(format!("{}/updates", inbound_url(&hub, PARTNER))));
    (hub, sim)
}

async fn submit(hub: &TestHub, key: &str) -> pb::Dossier {
    let mut s = submission();
    s.result_delivery = pb::ResultDelivery::AtCounter as i32;
    hub.client(common::ONE_STOP)
        .await
        .exec(submit_request(key, s))
        .await
        .expect("submitted")
        .dossier
        .expect("dossier")
}

fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    DateFormat::Compact.format(now + days * 86_400)
}

fn update(ma_ho_so: &str, code: &str) -> LegacyUpdate {
    LegacyUpdate {
        ma_ho_so: ma_ho_so.into(),
        status: code.into(),
        officer: "Phạm Thị Dung".into(),
        unit: "Vụ Pháp chế".into(),
        ..Default::default()
    }
}

async fn send(sim: &Simulator, u: LegacyUpdate) -> serde_json::Value {
    let answers = sim.send_update(&u).await;
    let first = answers.first().expect("an answer");
    assert_eq!(
        first.status,
        Some(200),
        "{} → {:?}",
        u.status,
        first.response
    );
    first.response.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_legacy_system_works_a_dossier_in_its_own_terms() {
    let (mut hub, sim) = hub_with_legacy().await;
    // The hub's event reaches it through two 500s and one lost answer.
    sim.switches(|s| {
        s.fail_next = 2;
        s.lose_reply_next = 1;
    });
    let d = submit(&hub, "legacy-e2e-1").await;
    let delivery = settled(&hub, PARTNER).await;
    assert!(delivery.retried >= 3, "{delivery:?}");
    let got = sim.accepted();
    assert_eq!(got.len(), 1, "recorded once: {got:?}");
    assert_eq!(got[0]["soHoSo"], d.ma_ho_so.as_str());
    assert_eq!(got[0]["loaiSuKien"], "NOP_MOI");
    assert_eq!(got[0]["maTrangThai"], "MOI");
    assert_eq!(got[0]["chuHoSo"]["hoTen"], "Trần Thị Bình");

    // Its updates, in its codes, move the dossier.
    let answer = send(
        &sim,
        LegacyUpdate {
            due_date: Some(in_days(10)),
            ..update(&d.ma_ho_so, "DA_TIEP_NHAN")
        },
    )
    .await;
    assert_eq!(answer["command"], "receive");
    assert_eq!(
        send(&sim, update(&d.ma_ho_so, "DANG_XU_LY")).await["command"],
        "start_processing"
    );
    sim.switches(|s| s.duplicate_updates = true);
    let answers = sim
        .send_update(&LegacyUpdate {
            note: "Thiếu bản sao giấy chứng nhận".into(),
            items: vec!["Bản sao giấy chứng nhận".into()],
            ..update(&d.ma_ho_so, "CHO_BO_SUNG")
        })
        .await;
    assert!(answers.iter().all(|a| a.status == Some(200)), "{answers:?}");
    sim.switches(|s| s.duplicate_updates = false);

    // The applicant's supplement comes through the one-stop system and is
    // sent to the legacy system; its own changes were not echoed.
    hub.client(common::ONE_STOP)
        .await
        .exec(command(
            "legacy-e2e-1-sup",
            d.id,
            common::command_named("submit_supplement"),
        ))
        .await
        .expect("supplement");
    settled(&hub, PARTNER).await;
    let got = sim.accepted();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1]["loaiSuKien"], "supplement_submitted");
    assert_eq!(got[1]["maTrangThai"], "DANG_XU_LY");

    send(
        &sim,
        LegacyUpdate {
            result_name: Some("Giấy phép hoạt động".into()),
            ..update(&d.ma_ho_so, "DA_XU_LY")
        },
    )
    .await;
    let last = send(&sim, update(&d.ma_ho_so, "DA_TRA_KQ")).await;
    assert_eq!(last["status"], "DA_TRA_KQ");

    let reply = hub.client(common::ONE_STOP).await.get(d.id).await.unwrap();
    let dossier = reply.dossier.unwrap();
    assert_eq!(dossier.status, status::RESULT_RETURNED);
    assert_eq!(
        dossier.result_delivery,
        pb::ResultDelivery::AtCounter as i32
    );
    assert_eq!(dossier.processing_unit, "Vụ Pháp chế");
    assert_eq!(dossier.results[0].name, "Giấy phép hoạt động");
    let commands: Vec<&str> = reply.history.iter().map(|h| h.command.as_str()).collect();
    assert_eq!(
        commands,
        vec![
            "submit",
            "receive",
            "start_processing",
            "request_supplement",
            "submit_supplement",
            "finish",
            "return_result"
        ],
        "the duplicate supplement request changed nothing"
    );
    let by_legacy = reply
        .history
        .iter()
        .filter(|h| h.partner_id == PARTNER)
        .count();
    assert_eq!(by_legacy, 5);
    assert!(reply
        .history
        .iter()
        .filter(|h| h.partner_id == PARTNER)
        .all(|h| h.actor == "Phạm Thị Dung"));
    let s = settled(&hub, PARTNER).await;
    assert_eq!(s.parked, 0, "{s:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refusals_are_clear_and_a_legacy_refusal_parks_the_event() {
    let (mut hub, sim) = hub_with_legacy().await;
    let d = submit(&hub, "legacy-e2e-2").await;
    settled(&hub, PARTNER).await;

    sim.switches(|s| s.wrong_secret = true);
    let a = &sim.send_update(&update(&d.ma_ho_so, "DANG_XU_LY")).await[0];
    assert_eq!(a.status, Some(403));
    sim.switches(|s| s.wrong_secret = false);

    let a = &sim.send_update(&update(&d.ma_ho_so, "KHONG_RO")).await[0];
    assert_eq!(a.status, Some(400));
    let error = a.response["error"].as_str().unwrap();
    assert!(
        error.contains("maTrangThai") && error.contains("KHONG_RO"),
        "{error}"
    );

    let a = &sim
        .send_update(&update("000.00.01.H22-251122-99999", "DANG_XU_LY"))
        .await[0];
    assert_eq!(a.status, Some(404), "{:?}", a.response);

    // The hub's transition table decides: processing needs a received dossier.
    let a = &sim.send_update(&update(&d.ma_ho_so, "DANG_XU_LY")).await[0];
    assert_eq!(a.status, Some(409), "{:?}", a.response);
    assert_eq!(
        hub.client(common::ONE_STOP)
            .await
            .get(d.id)
            .await
            .unwrap()
            .dossier
            .unwrap()
            .status,
        status::SUBMITTED
    );

    // The legacy system refuses an event for good (maLoi 01): parked.
    sim.switches(|s| s.reject_next = 1);
    submit(&hub, "legacy-e2e-3").await;
    let s = settled(&hub, PARTNER).await;
    assert_eq!(s.parked, 1, "{s:?}");
    hub.stop().await;
}
