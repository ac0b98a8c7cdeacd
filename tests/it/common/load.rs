//! Load the tests drive through the hub, and the order its events must come
//! out in, shared by the subscription, AMQP and crash tests so that each
//! checks the same promise the same way.

use super::{command, command_named, submission, submit_request, Client};
use lienthong::grpc::pb;
use std::collections::HashMap;

/// Drives `dossiers` dossiers of `agency` through four commands from four
/// clients; returns the acknowledged event ids.
pub async fn drive(client: &Client, tag: &str, agency: &str, dossiers: usize) -> Vec<String> {
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let mut client = client.clone();
        let (tag, agency) = (tag.to_string(), agency.to_string());
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in (worker..dossiers).step_by(4) {
                let mut s = submission();
                s.agency_code = agency.clone();
                let reply = client
                    .exec(submit_request(&format!("{tag}-{n}"), s))
                    .await
                    .unwrap();
                ids.push(reply.event_id);
                let id = reply.dossier.unwrap().id;
                for step in ["receive", "start_processing", "finish"] {
                    ids.push(
                        client
                            .exec(command(
                                &format!("{tag}-{n}-{step}"),
                                id,
                                command_named(step),
                            ))
                            .await
                            .unwrap()
                            .event_id,
                    );
                }
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// Each dossier's events in version order: every event of a dossier is its
/// next version (a replayed duplicate must be dropped before `check`).
#[derive(Default)]
pub struct VersionOrder(HashMap<u64, u64>);

impl VersionOrder {
    pub fn check(&mut self, event: &pb::Event) {
        let last = self
            .0
            .insert(event.dossier_id, event.dossier_version)
            .unwrap_or(0);
        assert_eq!(
            event.dossier_version,
            last + 1,
            "dossier {} in version order",
            event.dossier_id
        );
    }
}
