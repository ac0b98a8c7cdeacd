//! The transition table, checked from the outside: for every status and
//! every command, the hub accepts exactly the legal ones (leading to the
//! right status) and refuses the others with FAILED_PRECONDITION naming the
//! command and the current status, changing nothing.
//!
//! The expectations are written here independently of the hub's own table,
//! from DOMAIN.md §1–2.

use crate::common::{self, command, command_named, status::*, Client, TestHub, ONE_STOP};
use std::collections::HashMap;
use tonic::Code;

/// How to bring a fresh dossier into each status.
fn paths() -> Vec<(&'static str, i32, Vec<&'static str>)> {
    vec![
        ("submitted", SUBMITTED, vec![]),
        ("received", RECEIVED, vec!["receive"]),
        ("refused", REFUSED, vec!["refuse"]),
        (
            "processing",
            PROCESSING,
            vec!["receive", "start_processing"],
        ),
        (
            "supplement_requested_at_reception",
            SUPPLEMENT_REQUESTED,
            vec!["request_supplement"],
        ),
        (
            "supplement_requested_in_processing",
            SUPPLEMENT_REQUESTED,
            vec!["receive", "start_processing", "request_supplement"],
        ),
        (
            "financial_obligation",
            FINANCIAL_OBLIGATION,
            vec![
                "receive",
                "start_processing",
                "request_financial_obligation",
            ],
        ),
        ("withdrawn", WITHDRAWN, vec!["withdraw"]),
        (
            "stopped",
            STOPPED,
            vec!["receive", "start_processing", "stop"],
        ),
        (
            "finished",
            FINISHED,
            vec!["receive", "start_processing", "finish"],
        ),
        (
            "result_returned",
            RESULT_RETURNED,
            vec!["receive", "start_processing", "finish", "return_result"],
        ),
    ]
}

/// The legal commands per path and the status each leads to.
fn legal() -> HashMap<&'static str, Vec<(&'static str, i32)>> {
    HashMap::from([
        (
            "submitted",
            vec![
                ("receive", RECEIVED),
                ("refuse", REFUSED),
                ("request_supplement", SUPPLEMENT_REQUESTED),
                ("request_financial_obligation", FINANCIAL_OBLIGATION),
                ("withdraw", WITHDRAWN),
            ],
        ),
        (
            "received",
            vec![
                ("start_processing", PROCESSING),
                ("request_financial_obligation", FINANCIAL_OBLIGATION),
                ("stop", STOPPED),
                ("withdraw", WITHDRAWN),
                ("reschedule", RECEIVED),
                ("forward", RECEIVED),
            ],
        ),
        ("refused", vec![]),
        (
            "processing",
            vec![
                ("request_supplement", SUPPLEMENT_REQUESTED),
                ("request_financial_obligation", FINANCIAL_OBLIGATION),
                ("stop", STOPPED),
                ("withdraw", WITHDRAWN),
                ("finish", FINISHED),
                ("reschedule", PROCESSING),
                ("forward", PROCESSING),
            ],
        ),
        // A supplement requested at reception returns the dossier to reception.
        (
            "supplement_requested_at_reception",
            vec![
                ("submit_supplement", SUBMITTED),
                ("stop", STOPPED),
                ("withdraw", WITHDRAWN),
            ],
        ),
        (
            "supplement_requested_in_processing",
            vec![
                ("submit_supplement", PROCESSING),
                ("stop", STOPPED),
                ("withdraw", WITHDRAWN),
                ("reschedule", SUPPLEMENT_REQUESTED),
            ],
        ),
        (
            "financial_obligation",
            vec![
                ("record_payment", PROCESSING),
                ("stop", STOPPED),
                ("withdraw", WITHDRAWN),
                ("reschedule", FINANCIAL_OBLIGATION),
            ],
        ),
        ("withdrawn", vec![]),
        (
            "stopped",
            vec![("resume", PROCESSING), ("withdraw", WITHDRAWN)],
        ),
        ("finished", vec![("return_result", RESULT_RETURNED)]),
        ("result_returned", vec![]),
    ])
}

async fn dossier_in(client: &mut Client, tag: &str, path: &[&str]) -> (u64, u64) {
    let created = client.submit(&format!("{tag}-submit")).await;
    let id = created.dossier.unwrap().id;
    let mut version = 1;
    for (i, step) in path.iter().enumerate() {
        let reply = client
            .exec(command(
                &format!("{tag}-{i}-{step}"),
                id,
                command_named(step),
            ))
            .await
            .unwrap_or_else(|e| panic!("{tag}: path step {step}: {e}"));
        version = reply.dossier.unwrap().version;
    }
    (id, version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_in_every_status_is_accepted_exactly_when_legal() {
    let mut hub = TestHub::start().await;
    common::publish_sequence(&hub).await;
    let legal = legal();
    let mut tasks = Vec::new();
    for (name, status, path) in paths() {
        let mut client = hub.client(ONE_STOP).await;
        // A partner's event is legal in every status and keeps it.
        let mut allowed = legal[name].clone();
        allowed.push(("record_partner_event", status));
        tasks.push(tokio::spawn(async move {
            let mut checked = 0;
            for (command_name, _) in common::every_command() {
                let tag = format!("{name}-{command_name}");
                let (id, version) = dossier_in(&mut client, &tag, &path).await;
                let before = client.get(id).await.unwrap().dossier.unwrap();
                assert_eq!(before.status, status, "{tag}: path leads to the status");
                let result = client
                    .exec(command(
                        &format!("{tag}-try"),
                        id,
                        command_named(command_name),
                    ))
                    .await;
                match allowed.iter().find(|(c, _)| *c == command_name) {
                    Some((_, to)) => {
                        let reply =
                            result.unwrap_or_else(|e| panic!("{tag}: legal command refused: {e}"));
                        let after = reply.dossier.unwrap();
                        assert_eq!(after.status, *to, "{tag}: lands in the right status");
                        assert_eq!(after.version, version + 1, "{tag}: version advances by one");
                        let entry = reply.entry.unwrap();
                        assert_eq!(
                            (entry.from_status, entry.to_status, entry.command.as_str()),
                            (status, *to, command_name),
                            "{tag}: history line"
                        );
                    }
                    None => {
                        let err = result.expect_err(&format!("{tag}: illegal command accepted"));
                        if tag == "supplement_requested_at_reception-reschedule" {
                            // Legal in this status, but a dossier never received has no date to move.
                            assert_eq!(err.code(), Code::InvalidArgument, "{tag}: {err}");
                            assert!(
                                err.message().contains("no appointment date"),
                                "{tag}: {}",
                                err.message()
                            );
                        } else {
                            assert_eq!(err.code(), Code::FailedPrecondition, "{tag}: {err}");
                            assert!(
                                err.message().contains(command_name),
                                "{tag}: names the command: {}",
                                err.message()
                            );
                            assert!(
                                err.message().contains(&format!("status {status} ")),
                                "{tag}: names the status: {}",
                                err.message()
                            );
                        }
                        let after = client.get(id).await.unwrap();
                        assert_eq!(
                            after.dossier.unwrap(),
                            before,
                            "{tag}: a refused command changes nothing"
                        );
                        assert_eq!(
                            after.history.len() as u64,
                            version,
                            "{tag}: no history line added"
                        );
                    }
                }
                checked += 1;
            }
            checked
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("status task");
    }
    assert_eq!(total, 11 * 15);
    hub.stop().await;
}

#[tokio::test]
async fn a_full_life_keeps_every_step_in_the_history() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let path = [
        "receive",
        "start_processing",
        "request_supplement",
        "submit_supplement",
        "request_financial_obligation",
        "record_payment",
        "reschedule",
        "finish",
        "return_result",
    ];
    let (id, version) = dossier_in(&mut client, "life", &path).await;
    assert_eq!(version, 10);
    let reply = client.get(id).await.unwrap();
    let dossier = reply.dossier.unwrap();
    assert_eq!(dossier.status, RESULT_RETURNED);
    assert!(
        dossier.ma_ho_so.starts_with("000.00.01.H22-"),
        "{}",
        dossier.ma_ho_so
    );
    assert_eq!(dossier.supplements.len(), 1);
    assert!(dossier.supplements[0].submitted_at.is_some());
    assert_eq!(dossier.payments.len(), 1);
    assert_eq!(dossier.reschedules.len(), 1);
    assert_eq!(dossier.due_at, dossier.reschedules[0].new_due_at);
    assert!(dossier.returned_at.is_some());
    let finished_at = dossier
        .finished_at
        .expect("finish stores when processing finished");
    let finish_line = reply
        .history
        .iter()
        .find(|h| h.command == "finish")
        .unwrap();
    assert_eq!(Some(finished_at), finish_line.at);
    assert!(dossier.returned_at.unwrap().seconds >= finished_at.seconds);
    let commands: Vec<_> = reply.history.iter().map(|h| h.command.as_str()).collect();
    let mut expected = vec!["submit"];
    expected.extend(path);
    assert_eq!(commands, expected);
    let versions: Vec<_> = reply.history.iter().map(|h| h.version).collect();
    assert_eq!(versions, (1..=10).collect::<Vec<_>>());
    assert!(reply
        .history
        .iter()
        .all(|h| h.partner_id == "one-stop" && !h.actor.is_empty()));
    hub.stop().await;
}

#[tokio::test]
async fn ma_ho_so_numbers_are_sequential_per_agency_and_day_and_can_be_read_back() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(ONE_STOP).await;
    let first = client.submit("mhs-1").await.dossier.unwrap();
    let second = client.submit("mhs-2").await.dossier.unwrap();
    let (prefix, n1) = first.ma_ho_so.rsplit_once('-').unwrap();
    let (prefix2, n2) = second.ma_ho_so.rsplit_once('-').unwrap();
    assert_eq!(prefix, prefix2);
    assert_eq!((n1, n2), ("00001", "00002"));
    let request = client.req(lienthong::grpc::pb::GetDossierRequest {
        dossier: Some(lienthong::grpc::pb::DossierRef {
            r#ref: Some(lienthong::grpc::pb::dossier_ref::Ref::MaHoSo(
                second.ma_ho_so.clone(),
            )),
        }),
    });
    let by_code = client
        .dossiers
        .get_dossier(request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_code.dossier.unwrap().id, second.id);
    hub.stop().await;
}
