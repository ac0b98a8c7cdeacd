//! The postal provider's webhook (`POST …/webhook`): the signature headers
//! checked against the body, the body read as a tracking event, its fields
//! checked as `intake` does, its code and time read, and the event recorded
//! in the order's tracking.

use crate::{refused, Target};
use lienthong_adapter::testing::FakeHub;
use lienthong_adapter::{vietnam_time, Durable};
use lienthong_adapter_postal::intake;
use lienthong_adapter_postal::protocol::TrackingEvent;
use lienthong_adapter_postal::signature;
use lienthong_adapter_postal::tracking::Tracking;
use lienthong_adapter_postal::vocabulary::TrackingState;

const SECRET: &str = "postal-webhook-secret-0123456789";
const NOW: i64 = 1_763_780_645;

pub fn target() -> Target {
    Target {
        name: "postal_webhook",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let timestamp = NOW.to_string();
    let good = signature::sign(SECRET, &timestamp, body);
    if let Err(e) = signature::verify(SECRET, Some(&timestamp), Some(&good), body, NOW, 300) {
        panic!("a body signed with the secret is refused: {e}");
    }
    // Headers as a hostile sender may set them: carved from the body.
    let carved = String::from_utf8_lossy(&body[..body.len().min(80)]);
    let ts: String = carved.chars().take(12).collect();
    let sig: String = carved.chars().skip(12).collect();
    let forged = signature::verify(SECRET, Some(&ts), Some(&sig), body, NOW, 300).is_ok();
    let event: TrackingEvent = match serde_json::from_slice(body) {
        Ok(event) => event,
        Err(_) => return format!("forged:{forged} refused:json"),
    };
    if let Err(e) = intake::check(&event) {
        return format!("forged:{forged} {}", refused(&e));
    }
    let time = vietnam_time::parse(&event.time).is_some();
    let Some(state) = TrackingState::parse(&event.code) else {
        return format!("forged:{forged} time:{time} refused:code");
    };
    let tracking = Tracking::new(Durable::new(std::sync::Arc::new(FakeHub::default())));
    let (first, again) = runtime().block_on(async {
        let first = tracking.record(&event, state).await;
        let again = tracking.record(&event, state).await;
        let _ = tracking.get(&event.order_number).await;
        (first, again)
    });
    // `check` took the event, so its order number is a key the state takes.
    let (first, again) = match (first, again) {
        (Ok(first), Ok(again)) => (first, again),
        (first, again) => panic!("a checked event not recorded: {first:?} {again:?}"),
    };
    if !again.duplicate {
        panic!("the same event recorded twice is not a duplicate");
    }
    format!(
        "forged:{forged} time:{time} ok:{state} advanced:{}",
        first.advanced
    )
}

/// One runtime for every input (the tracking's calls are async).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    })
}

fn seeds() -> Vec<Vec<u8>> {
    let event = |id: &str, service: &str, code: &str, time: &str| {
        format!(
            r#"{{"EventId":"{id}","Seq":7,"OrderId":"VNP123","OrderNumber":"000.00.01.H22-251122-00001","ServiceType":"{service}","Code":"{code}","Time":"{time}","Location":"Bưu cục Ba Đình","Note":"đã giao"}}"#
        )
        .into_bytes()
    };
    let mut seeds = Vec::new();
    for (i, state) in [
        "picked_up",
        "handed_over_to_agency",
        "delivered",
        "delivery_failed",
    ]
    .iter()
    .enumerate()
    {
        let service = if i < 2 { "PICKUP" } else { "DELIVERY" };
        seeds.push(event(&format!("e-{i}"), service, state, "20251122100405"));
    }
    seeds
}
