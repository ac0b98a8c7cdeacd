//! Ratings and answers the portal's first release stored in its own trees
//! (`portal_ratings`; an answer inside its `portal_feedback` record) are
//! moved at start to where the writer keeps them: the lookup no longer
//! offers to rate that dossier again, the public answer shows, both reach
//! the national portal (which the first release never told), the first
//! layout is left empty, and a second start moves nothing twice.
//!
//! The first layout is written into a stopped hub's data directory with
//! sled, exactly as the first release wrote it (its `Rating` and
//! `Feedback` structs, serialised as JSON, are unchanged since).

use super::citizen_sync::send_feedback;
use super::http;
use super::rating::{act, file_online, hidden, look_up};
use super::web_hub_with;
use crate::adapters::{national_portal_adapter, partner, settled};
use crate::common::TestHub;
use lienthong::config::{HubConfig, SubscriptionSection};
use lienthong::domain::feedback::{Feedback, FeedbackAnswer, Rating, Satisfaction};
use lienthong::domain::UnixMillis;
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};

const DVCQG: &str = "dvcqg";
const DVCQG_TOKEN: &str = "dvcqg-sim-token-0003";
const ANSWER: &str = "Lệ phí là 75.000 đồng, niêm yết tại Bộ phận Một cửa.";

/// The national portal as a partner subscribed to the citizens' feedback.
fn with_national_portal(sim: &Simulator) -> impl Fn(&mut HubConfig) + Clone {
    let adapter = national_portal_adapter(sim);
    move |config: &mut HubConfig| {
        let subscription = SubscriptionSection {
            citizen_feedback: true,
            ..Default::default()
        };
        config.partners.push(partner(
            DVCQG,
            DVCQG_TOKEN,
            &["*"],
            Some(subscription),
            adapter.clone(),
        ));
    }
}

/// Writes, into the stopped hub's data, what the first release wrote: a
/// rating of `ma` in `portal_ratings`, and the public answer of the dev
/// reception officer inside feedback `code`'s record.
fn first_release_writes(data: &std::path::Path, ma: &str, code: &str) {
    let db = open_stopped(data);
    let rating = Rating {
        ma_ho_so: ma.into(),
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        level: Satisfaction::VerySatisfied,
        comment: "Trả kết quả đúng hẹn.".into(),
        rated_at: UnixMillis(1_764_000_000_000),
    };
    db.open_tree("portal_ratings")
        .unwrap()
        .insert(ma.as_bytes(), serde_json::to_vec(&rating).unwrap())
        .unwrap();
    let feedback = db.open_tree("portal_feedback").unwrap();
    let stored = feedback
        .get(code.as_bytes())
        .unwrap()
        .expect("the feedback as sent");
    let mut sent: Feedback = serde_json::from_slice(&stored).unwrap();
    assert!(sent.agency_code.is_empty(), "addressed to no agency");
    sent.answer = Some(FeedbackAnswer {
        text: ANSWER.into(),
        officer: "Nguyễn Thị Lan".into(),
        unit: "Bộ phận Một cửa".into(),
        answered_at: UnixMillis(1_764_000_100_000),
        public: true,
    });
    feedback
        .insert(code.as_bytes(), serde_json::to_vec(&sent).unwrap())
        .unwrap();
    db.flush().unwrap();
}

/// Opens a stopped hub's data with sled; its last tasks may hold the
/// files a moment longer (sled locks them), so it is tried again a while.
fn open_stopped(data: &std::path::Path) -> sled::Db {
    let mut last = String::new();
    for _ in 0..100 {
        match sled::open(data) {
            Ok(db) => return db,
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the stopped hub's data does not open: {last}");
}

/// Starts a hub again on `data` with the same configuration; the stopped
/// one may hold its files a moment longer.
async fn start_again(data: std::path::PathBuf, adjust: impl Fn(&mut HubConfig)) -> TestHub {
    let mut config = TestHub::config(data);
    adjust(&mut config);
    let loaded = TestHub::checked(config);
    let mut last = String::new();
    for _ in 0..100 {
        match lienthong::app::start(&loaded).await {
            Ok(running) => return TestHub::around(running, tempfile::tempdir().unwrap()),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the hub does not start again: {last}");
}

#[tokio::test]
async fn the_first_releases_ratings_and_answers_are_moved_and_synced_once() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let national = with_national_portal(&sim);
    let mut hub = web_hub_with(5, national.clone()).await;
    let web = hub.web_addr.unwrap();
    let (id, ma) = file_online(&hub, "first-layout").await;
    act(
        &hub,
        "first-layout",
        id,
        &["receive", "start_processing", "finish", "return_result"],
    )
    .await;
    let code = send_feedback(web, "Lệ phí cấp giấy phép").await;
    settled(&hub, DVCQG).await;
    let (_, _, before) = look_up(web, &ma).await;
    assert!(hidden(&before, "bang-chung").is_some(), "not rated yet");
    let data = hub.dir.path().join("data");
    hub.stop().await;
    first_release_writes(&data, &ma, &code);

    let mut again = start_again(data.clone(), &national).await;
    let web = again.web_addr.unwrap();
    settled(&again, DVCQG).await;
    // The portal shows both as recorded.
    let (_, _, after) = look_up(web, &ma).await;
    assert!(
        hidden(&after, "bang-chung").is_none(),
        "a dossier rated in the first release is not offered a second rating: {after}"
    );
    let shown = http::get(web, &format!("/phan-anh/{code}")).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains(ANSWER), "{}", shown.body);
    // And the national portal heard of both, once.
    let ratings = sim.ratings();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(
        (ratings[0].MaHoSo.as_str(), ratings[0].MucDoHaiLong),
        (ma.as_str(), 1)
    );
    let answers = sim.answers();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].HOIDAPID, code);
    assert_eq!(
        answers[0].MADONVI, "000.00.01.H22",
        "the agency of the officer who answered"
    );

    // A second start moves nothing twice, and the first layout is empty.
    again.stop().await;
    let mut third = start_again(data.clone(), &national).await;
    settled(&third, DVCQG).await;
    third.stop().await;
    assert_eq!(sim.calls_of(ops::RATING).len(), 1);
    assert_eq!(sim.calls_of(ops::QUESTION_ANSWER).len(), 1);
    let db = open_stopped(&data);
    assert!(
        !db.tree_names()
            .iter()
            .any(|t| t.as_ref() == b"portal_ratings"),
        "the emptied ratings tree is dropped"
    );
    let sent: Feedback = serde_json::from_slice(
        &db.open_tree("portal_feedback")
            .unwrap()
            .get(code.as_bytes())
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sent.answer, None, "the answer lives with the writer now");
}
