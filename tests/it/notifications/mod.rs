//! Notifications to applicants end to end: the real hub with its e-mail
//! channel talking SMTP to a sink started by the test, and its SMS channel
//! talking to the SMS-gateway simulator, both over loopback.

mod config;
pub mod email;
mod sms;
pub mod smtp_sink;

use crate::common::{command, submission, submit_request, Client, TestHub};
use lienthong::domain::DossierRef;
use lienthong::grpc::pb::{self, command_request::Command as C};
use lienthong::hub::{DossierNotification, Hub, NotificationState};

/// 15/03/2027 10:00 in Vietnam (03:00 UTC): an appointment date whose
/// rendering the tests know.
pub const DUE_AT_SECONDS: i64 = 1_805_079_600;
pub const DUE_AT_TEXT: &str = "15/03/2027";

pub fn notifications_table(channels: &str) -> toml::Table {
    format!(
        "initial_backoff_milliseconds = 20\nmax_backoff_seconds = 1\nmax_attempts = 1000\n{channels}"
    )
    .parse()
    .expect("notifications TOML")
}

/// The embedded development configuration with a `[notifications]` table
/// (quick retries, many attempts: only refusals park).
pub async fn start_hub(channels: &str) -> TestHub {
    let table = notifications_table(channels);
    TestHub::start_with(move |config| config.notifications = Some(table)).await
}

/// The same, on the data of a hub that was stopped. The stopped hub's last
/// tasks may hold its store open a moment longer (sled locks its files), so
/// opening is tried again for a bounded while.
pub async fn restart_hub(channels: &str, data_dir: std::path::PathBuf) -> TestHub {
    let mut config = TestHub::config(data_dir);
    config.notifications = Some(notifications_table(channels));
    let loaded = TestHub::checked(config);
    let mut last = String::new();
    for _ in 0..100 {
        match lienthong::app::start(&loaded).await {
            Ok(running) => return TestHub::around(running, tempfile::tempdir().expect("temp dir")),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the hub does not start again: {last}");
}

/// Submits two dossiers as `client`: `<tag>-a` with the applicant's contact,
/// `<tag>-b` without it (`forget` clears it).
pub async fn with_and_without_contact(
    client: &mut Client,
    tag: &str,
    forget: fn(&mut pb::SubmitDossier),
) -> (pb::Dossier, pb::Dossier) {
    let with = client.submit(&format!("{tag}-a")).await.dossier.unwrap();
    let mut without = submission();
    forget(&mut without);
    let without = client
        .exec(submit_request(&format!("{tag}-b"), without))
        .await
        .unwrap()
        .dossier
        .unwrap();
    (with, without)
}

/// Dossier `id` has one notification record: not sent, for `reason`.
pub fn only_not_sent(hub: &TestHub, id: u64, reason: &str) {
    let shown = notifications_of(hub, id);
    assert_eq!(shown.len(), 1, "{shown:?}");
    let reason = reason.to_string();
    assert_eq!(shown[0].state, NotificationState::NotSent { reason });
}

pub fn receive(key: &str, id: u64) -> pb::CommandRequest {
    command(
        key,
        id,
        C::Receive(pb::ReceiveDossier {
            due_at: Some(prost_types::Timestamp {
                seconds: DUE_AT_SECONDS,
                nanos: 0,
            }),
        }),
    )
}

pub fn hub_of(hub: &TestHub) -> &Hub {
    &hub.running.as_ref().expect("running").hub
}

/// What the dossier page would show of a dossier's notifications.
pub fn notifications_of(hub: &TestHub, id: u64) -> Vec<DossierNotification> {
    let hub = hub_of(hub);
    let one_stop = hub
        .partners()
        .get("one-stop")
        .expect("one-stop partner")
        .clone();
    hub.notifications(&one_stop, &DossierRef::Id(id))
        .expect("notifications")
}

/// Polls (bounded) until `ready` holds.
pub async fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..400 {
        if ready() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("never happened: {what}");
}
