//! The hosted portal's ratings and published answers reach the national
//! portal (its adapter and simulator) through the hub's delivery relay,
//! like any event: a rating becomes `DongBoDanhGia` with its fields, after
//! two failed calls retried; an answer marked public becomes `DongBoHoiDap`
//! — parked when the portal keeps failing, delivered once re-driven; an
//! answer not marked public is never sent. A partner subscribed to
//! "everything" without asking for the portal's feedback never receives
//! these events, and the audit log records each rating and answer with its
//! event, and each delivery.

use super::http;
use super::rating::{act, file_online, hidden, look_up, post_rating};
use super::{web_hub_with, DEV_OFFICERS};
use crate::adapters::{national_portal_adapter, partner, redrive_all, settled};
use crate::common::{self, submission, submit_request, PORTAL};
use lienthong::audit::Kind;
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
use lienthong_adapter_national_portal::protocol::ops;
use lienthong_adapter_national_portal::simulator::{SimConfig, Simulator};
use std::time::Duration;

const DVCQG: &str = "dvcqg";
const DVCQG_TOKEN: &str = "dvcqg-sim-token-0002";

/// Sends a feedback on `/phan-anh`; returns its tracking code.
pub(super) async fn send_feedback(web: std::net::SocketAddr, subject: &str) -> String {
    let page = http::get(web, "/phan-anh").await;
    let cookie = page
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("the form's cookie")
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    let body = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("ho-ten", "Trần Thị Bình"),
        ("lien-he", "binh@example.vn"),
        ("tieu-de", subject),
        ("chi-tiet", "Xin hỏi lệ phí của thủ tục này là bao nhiêu?"),
    ])
    .unwrap();
    let sent = http::post(web, "/phan-anh", Some(&cookie), &body).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    sent.header("location")
        .and_then(|l| l.strip_prefix("/phan-anh/"))
        .and_then(|l| l.split('?').next())
        .expect("the feedback's page")
        .to_string()
}

/// The officer answers `code` on its workspace page.
async fn answer(web: std::net::SocketAddr, session: &(String, String), code: &str, public: bool) {
    let mut fields = vec![
        ("csrf", session.1.as_str()),
        ("tra-loi", "Lệ phí là 75.000 đồng, nộp tại Bộ phận Một cửa."),
    ];
    if public {
        fields.push(("cong-khai", "1"));
    }
    let body = serde_urlencoded::to_string(fields).unwrap();
    let path = format!("/mot-cua/phan-anh/{code}");
    let answered = http::post(web, &path, Some(&session.0), &body).await;
    assert_eq!(answered.status, 303, "{}", answered.body);
}

async fn admin(hub: &common::TestHub) -> AdminServiceClient<tonic::transport::Channel> {
    AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap()
}

#[tokio::test]
async fn ratings_and_public_answers_reach_the_national_portal_through_faults() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let adapter = national_portal_adapter(&sim);
    let subscription = SubscriptionSection {
        citizen_feedback: true,
        ..Default::default()
    };
    let mut hub = web_hub_with(5, |config| {
        config.delivery.initial_backoff_milliseconds = 20;
        config.delivery.max_backoff_seconds = 1;
        config.delivery.max_attempts = 3;
        config.partners.push(partner(
            DVCQG,
            DVCQG_TOKEN,
            &["*"],
            Some(subscription),
            adapter,
        ));
    })
    .await;
    let web = hub.web_addr.unwrap();
    let (id, ma) = file_online(&hub, "sync-1").await;
    act(
        &hub,
        "sync-1",
        id,
        &["receive", "start_processing", "finish", "return_result"],
    )
    .await;
    settled(&hub, DVCQG).await;
    assert!(sim.dossier(&ma).is_some(), "the dossier is on the portal");

    // A rating, with the portal failing twice: retried, then delivered.
    sim.fail_next_of(ops::RATING, 2);
    let (cookie, token, page) = look_up(web, &ma).await;
    let proof = hidden(&page, "bang-chung").expect("the rating form");
    let rated = post_rating(web, &cookie, &token, &ma, &proof, "2").await;
    assert_eq!(rated.status, 200, "{}", rated.body);
    let status = settled(&hub, DVCQG).await;
    assert!(status.retried >= 2, "{status:?}");
    assert_eq!(status.parked, 0, "{status:?}");
    let ratings = sim.ratings();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    let r = &ratings[0];
    let dossier = hub
        .client(PORTAL)
        .await
        .get(id)
        .await
        .unwrap()
        .dossier
        .unwrap();
    assert_eq!(r.MaHoSo, ma);
    assert_eq!(r.MucDoHaiLong, 2, "Hài lòng");
    assert_eq!(r.MaTTHC, dossier.procedure_code);
    assert_eq!(r.MaCoQuan, dossier.agency_code);
    assert_eq!(r.NgayDanhGia.len(), 14, "yyyyMMddHHmmss: {}", r.NgayDanhGia);
    assert_eq!(
        sim.calls_of(ops::RATING).len(),
        3,
        "two failures, one success, nothing doubled"
    );

    // A public answer while the portal keeps failing: parked after the
    // attempts, nothing on the portal; re-driven once it is back.
    let officer = http::sign_in(web, DEV_OFFICERS[0].0, DEV_OFFICERS[0].1).await;
    let public = send_feedback(web, "Lệ phí cấp giấy phép").await;
    sim.fail_next_of(ops::QUESTION_ANSWER, 100);
    answer(web, &officer, &public, true).await;
    let status = settled(&hub, DVCQG).await;
    assert_eq!(status.parked, 1, "{status:?}");
    assert!(sim.answers().is_empty());
    let portal = hub.client(PORTAL).await;
    let parked = admin(&hub)
        .await
        .list_parked_deliveries(portal.req(pb::ListParkedDeliveriesRequest {
            partner_id: DVCQG.into(),
            limit: 0,
        }))
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].event_type, "answer_published");
    assert!(
        parked[0].reason.contains("gave up after 3 attempts"),
        "{}",
        parked[0].reason
    );

    // An answer not marked public: stored, never sent.
    let private = send_feedback(web, "Thời gian giải quyết").await;
    answer(web, &officer, &private, false).await;

    sim.fail_next_of(ops::QUESTION_ANSWER, 0);
    assert_eq!(redrive_all(&hub, DVCQG).await, 1);
    let mut answers = Vec::new();
    for _ in 0..200 {
        answers = sim.answers();
        if !answers.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answers.len(), 1, "only the public answer: {answers:?}");
    let a = &answers[0];
    assert_eq!(a.HOIDAPID, public);
    assert_eq!(a.TIEUDE, "Lệ phí cấp giấy phép");
    assert_eq!(a.NOIDUNG, "Xin hỏi lệ phí của thủ tục này là bao nhiêu?");
    assert_eq!(
        a.NOIDUNGTRALOI,
        "Lệ phí là 75.000 đồng, nộp tại Bộ phận Một cửa."
    );
    assert_eq!(
        a.MADONVI,
        common::AGENCY,
        "addressed to no agency: the officer's"
    );
    assert_eq!(a.NGAYTRALOI.len(), 14);
    assert!(!a.NGUOITRALOI.is_empty());
    let status = settled(&hub, DVCQG).await;
    assert_eq!((status.parked, status.redriven), (0, 1), "{status:?}");
    assert!(
        !sim.answers().iter().any(|a| a.HOIDAPID == private),
        "an answer not marked public is never sent"
    );

    // The dev configuration's national-portal partner subscribes to every
    // event without asking for the portal's feedback: it never gets them.
    let last = hub
        .client(PORTAL)
        .await
        .exec(submit_request("sync-last", submission()))
        .await
        .unwrap()
        .event_seq;
    let mut reader = hub.client(PORTAL).await;
    let mut stream = reader
        .events
        .subscribe(reader.req(pb::SubscribeRequest { after_seq: None }))
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), stream.message())
            .await
            .expect("an event arrives")
            .unwrap()
            .unwrap();
        seen.push(event.r#type());
        if event.seq >= last {
            break;
        }
    }
    assert!(seen.contains(&pb::EventType::ResultReturned));
    assert!(
        !seen.contains(&pb::EventType::DossierRated)
            && !seen.contains(&pb::EventType::AnswerPublished),
        "{seen:?}"
    );
    drop(stream);
    hub.stop().await;

    // The audit log: each rating and answer with its event, and each
    // delivery the portal accepted.
    let log = crate::audit::entries(&hub.dir.path().join("data"));
    let decided: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Command && e.record.action != "submit")
        .filter(|e| ["rate_dossier", "answer_feedback"].contains(&e.record.action.as_str()))
        .map(|e| {
            (
                e.record.action.clone(),
                e.record.subject.clone(),
                e.record.detail.clone(),
                e.record.seq > 0,
            )
        })
        .collect();
    assert_eq!(
        decided,
        [
            (
                "rate_dossier".to_string(),
                ma.clone(),
                "level 2".to_string(),
                true
            ),
            (
                "answer_feedback".into(),
                public.clone(),
                "published".into(),
                true
            ),
            (
                "answer_feedback".into(),
                private.clone(),
                "not published".into(),
                false
            ),
        ]
    );
    let delivered: Vec<_> = log
        .iter()
        .filter(|e| e.record.kind == Kind::Delivery && e.record.actor == DVCQG)
        .map(|e| e.record.subject.clone())
        .collect();
    assert!(delivered.contains(&ma), "{delivered:?}");
}
