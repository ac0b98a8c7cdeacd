//! A hub started in this process with no transport at all, for the tests
//! that call `Hub` directly (retention, the one-stop module), and the
//! core-type requests they hand it.

use super::{command, in_days, submission, submit_request};
use lienthong::config::HubConfig;
use lienthong::domain::CommandEnvelope;
use lienthong::engine::EngineSettings;
use lienthong::hub::{Hub, HubRuntime, RetentionSettings};
use lienthong::store::Store;
use lienthong::wire::{from_proto, pb, pb::command_request::Command as C};

/// The embedded configuration's partners on a fresh store in a temporary
/// directory (kept alive by the returned `TempDir`).
pub fn in_process_hub(retention: RetentionSettings) -> (tempfile::TempDir, Store, Hub, HubRuntime) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), 8 << 20).unwrap();
    let partners = HubConfig::embedded_default()
        .check("embedded", &lienthong::adapters::kinds())
        .unwrap()
        .partners;
    let engine = EngineSettings {
        sites: None,
        max_group_commands: 64,
        queue_capacity: 64,
        max_dossier_bytes: 1024 * 1024,
        cache_dossiers: 1024,
        reopen_after_written_bytes: 0,
        compact_after_written_bytes: 0,
    };
    let (hub, runtime) = Hub::start(
        store.clone(),
        partners,
        vec![],
        engine,
        retention,
        Default::default(),
    )
    .unwrap();
    (dir, store, hub, runtime)
}

/// The valid submission the gRPC tests send (`submission`), of a dossier
/// of `agency`, as the hub's edge decodes it.
pub fn submit_envelope(key: &str, agency: &str) -> CommandEnvelope {
    let mut submitted = submission();
    submitted.agency_code = agency.into();
    from_proto::command_request(submit_request(key, submitted)).expect("a valid submission")
}

/// Receiving dossier `id`, due in a day, as the hub's edge decodes it; the
/// actor is whoever the request named (the one-stop module must put its
/// officer there instead).
pub fn receive_envelope(key: &str, id: u64) -> CommandEnvelope {
    let receive = C::Receive(pb::ReceiveDossier {
        due_at: Some(in_days(1)),
    });
    from_proto::command_request(command(key, id, receive)).expect("a valid command")
}
