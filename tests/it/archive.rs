//! The compact archive of terminal dossiers (`store/archive.rs`): a
//! dossier no command may move any more leaves the live records for one
//! archive record once `[retention] archive_after_days` passed; GetDossier
//! still answers it by id and by MaHoSo exactly as before, the statistics
//! still count it, listings no longer show it, and a late command (a postal
//! event on a closed dossier) brings it back.

use crate::common::{
    self, command, command_named, in_process_hub, receive_envelope, submit_envelope, Client,
    TestHub, AGENCY, ONE_STOP, POSTAL,
};
use lienthong::domain::{CommandEnvelope, DossierRef};
use lienthong::hub::RetentionSettings;
use lienthong::wire::{from_proto, pb};
use std::time::{Duration, Instant};

/// Every dossier id the full listing shows.
async fn listed(client: &mut Client) -> Vec<u64> {
    let mut query = pb::ListDossiersRequest {
        page_size: 1000,
        ..Default::default()
    };
    let mut ids = Vec::new();
    loop {
        let reply = client.list(query.clone()).await.expect("listing");
        ids.extend(reply.dossiers.iter().map(|d| d.id));
        if reply.next_page_token.is_empty() {
            return ids;
        }
        query.page_token = reply.next_page_token;
    }
}

async fn by_ma_ho_so(client: &mut Client, code: &str) -> pb::GetDossierReply {
    let request = client.req(pb::GetDossierRequest {
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(code.into())),
        }),
    });
    client
        .dossiers
        .get_dossier(request)
        .await
        .expect("read by MaHoSo")
        .into_inner()
}

/// Waits (bounded) until `done` holds; the archive runs in the background.
async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut done: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archived_dossier_reads_as_before_is_counted_not_listed_and_a_late_command_brings_it_back(
) {
    let mut hub = TestHub::start_with(|config| {
        config.retention.archive_after_days = 0;
        config.retention.sweep_interval_seconds = 1;
    })
    .await;
    let mut one_stop = hub.client(ONE_STOP).await;
    // Live: received, in processing.
    let live = one_stop.submit("live").await.dossier.unwrap().id;
    one_stop
        .exec(command("live-receive", live, command_named("receive")))
        .await
        .unwrap();
    // Closed: its result returned (terminal).
    let closed = one_stop.submit("closed").await.dossier.unwrap().id;
    for step in ["receive", "start_processing", "finish", "return_result"] {
        one_stop
            .exec(command(
                &format!("closed-{step}"),
                closed,
                command_named(step),
            ))
            .await
            .unwrap_or_else(|e| panic!("{step}: {e:?}"));
    }
    // Withdrawn before it was received (terminal).
    let withdrawn = one_stop.submit("withdrawn").await.dossier.unwrap().id;
    one_stop
        .exec(command("withdrawn-w", withdrawn, command_named("withdraw")))
        .await
        .unwrap();
    let before = one_stop.get(closed).await.unwrap();
    let before_withdrawn = one_stop.get(withdrawn).await.unwrap();
    assert_eq!(before.history.len(), 5);

    // The sweep archives both terminal dossiers; the live one stays listed.
    eventually("the terminal dossiers leave the listing", || {
        let mut client = one_stop.clone();
        async move {
            let ids = listed(&mut client).await;
            !ids.contains(&closed) && !ids.contains(&withdrawn)
        }
    })
    .await;
    assert_eq!(listed(&mut one_stop).await, vec![live]);
    let returned = one_stop
        .list(pb::ListDossiersRequest {
            status: common::status::RESULT_RETURNED,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        returned.dossiers.is_empty(),
        "archived: not listed by status"
    );

    // Read as before, by id and by MaHoSo, dossier and history.
    assert_eq!(one_stop.get(closed).await.unwrap(), before);
    assert_eq!(one_stop.get(withdrawn).await.unwrap(), before_withdrawn);
    let ma_ho_so = before.dossier.as_ref().unwrap().ma_ho_so.clone();
    assert_eq!(by_ma_ho_so(&mut one_stop, &ma_ho_so).await, before);

    // The statistics (the workspace's read model) still count it: two
    // received, the closed one resolved ahead of its date, one in time.
    let web = hub.web_addr.expect("the dev configuration has [web]");
    eventually("the statistics count the archived dossier", || async move {
        let csv = crate::web::http::get(web, "/thong-ke/co-quan.csv").await;
        csv.body.contains(",Trực tuyến,2,1,0,0,1,0\r\n")
    })
    .await;

    // A late command: the post reports on the closed dossier. It is
    // accepted on the archived dossier, whose history goes on from there.
    let mut postal = hub.client(POSTAL).await;
    let late = postal
        .exec(command(
            "late-1",
            closed,
            command_named("record_partner_event"),
        ))
        .await
        .expect("a late postal event on an archived dossier");
    assert_eq!(late.dossier.as_ref().unwrap().version, 6);
    let after = one_stop.get(closed).await.unwrap();
    assert_eq!(after.history.len(), 6);
    assert_eq!(after.history[..5], before.history[..]);
    // Again (archived again meanwhile or not): still one history, in order.
    let later = postal
        .exec(command(
            "late-2",
            closed,
            command_named("record_partner_event"),
        ))
        .await
        .expect("a second late event");
    assert_eq!(later.dossier.as_ref().unwrap().version, 7);
    let versions: Vec<u64> = one_stop
        .get(closed)
        .await
        .unwrap()
        .history
        .iter()
        .map(|h| h.version)
        .collect();
    assert_eq!(versions, (1..=7).collect::<Vec<_>>());
    hub.stop().await;
}

fn envelope(key: &str, id: u64, name: &str) -> CommandEnvelope {
    from_proto::command_request(command(key, id, command_named(name))).expect("a valid command")
}

#[tokio::test]
async fn archiving_moves_only_terminal_dossiers_past_the_age_and_a_command_restores_every_record() {
    let (_dir, store, hub, runtime) = in_process_hub(RetentionSettings {
        delivered_event_retention: Duration::from_secs(3600),
        idempotency_retention: Duration::from_secs(3600),
        sweep_interval: Duration::from_secs(3600),
        archive_after: None,
    });
    let partners = hub.partners();
    let one_stop = partners.get("one-stop").unwrap().clone();
    let postal = partners.get("postal").unwrap().clone();
    let submit = |key: &str| submit_envelope(key, AGENCY);
    let open = hub
        .execute(&one_stop, submit("open"))
        .await
        .unwrap()
        .dossier
        .id;
    hub.execute(&one_stop, receive_envelope("open-r", open))
        .await
        .unwrap();
    let closed = hub
        .execute(&one_stop, submit("closed"))
        .await
        .unwrap()
        .dossier
        .id;
    hub.execute(&one_stop, envelope("closed-w", closed, "withdraw"))
        .await
        .unwrap();

    // Not old enough yet: nothing moves.
    assert_eq!(
        hub.archive_terminal(Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    assert!(!store.is_archived(closed).unwrap());
    let read_before = store.dossier(&DossierRef::Id(closed)).unwrap().unwrap();
    let history_before = store.history(closed).unwrap();

    // Old enough: only the terminal one moves, once.
    std::thread::sleep(Duration::from_millis(5));
    assert_eq!(hub.archive_terminal(Duration::ZERO).await.unwrap(), 1);
    assert_eq!(hub.archive_terminal(Duration::ZERO).await.unwrap(), 0);
    assert!(store.is_archived(closed).unwrap());
    assert!(!store.is_archived(open).unwrap());
    assert_eq!(
        store.dossier(&DossierRef::Id(closed)).unwrap().unwrap(),
        read_before
    );
    assert_eq!(
        store
            .dossier(&DossierRef::MaHoSo(read_before.ma_ho_so.clone()))
            .unwrap()
            .unwrap(),
        read_before
    );
    assert_eq!(store.history(closed).unwrap(), history_before);
    let filter = lienthong::store::ListFilter {
        status: Some(lienthong::domain::Status::Withdrawn),
        ..Default::default()
    };
    assert!(store.list_dossiers(&filter, 0, 10).unwrap().0.is_empty());

    // A command on it: back among the live records, indexes and all.
    let late = hub
        .execute(&postal, envelope("late", closed, "record_partner_event"))
        .await
        .expect("a late event on an archived dossier");
    assert_eq!(late.dossier.version, read_before.version + 1);
    assert!(!store.is_archived(closed).unwrap());
    let history = store.history(closed).unwrap();
    assert_eq!(history[..history_before.len()], history_before[..]);
    assert_eq!(history.len(), history_before.len() + 1);
    let (listed, _) = store.list_dossiers(&filter, 0, 10).unwrap();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![closed]
    );
    drop(hub);
    runtime.stop().await;
}
