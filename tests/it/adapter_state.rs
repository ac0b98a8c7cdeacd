//! The adapter state API as the hub serves it to an adapter (the
//! in-process `HubApi`, on a real sled store): each partner reaches its own
//! keys alone, keys and values are held to their rules with errors that
//! name them, nothing refused is written, and scans page in key order.

use crate::common::in_process_hub;
use lienthong_adapter::state::{MAX_KEY_BYTES, MAX_SCAN_ENTRIES, MAX_VALUE_BYTES};
use lienthong_adapter::{Durable, StateError};
use std::time::Duration;

/// Retention out of the way: these tests keep no events.
fn retention() -> lienthong::hub::RetentionSettings {
    lienthong::hub::RetentionSettings {
        delivered_event_retention: Duration::from_secs(3600),
        idempotency_retention: Duration::from_secs(3600),
        sweep_interval: Duration::from_secs(3600),
        archive_after: None,
    }
}

#[tokio::test]
async fn each_partner_reaches_its_own_keys_alone() {
    let (_dir, _store, hub, runtime) = in_process_hub(retention());
    let postal = lienthong::adapters::adapter_api(&hub, "postal").unwrap();
    let payment = lienthong::adapters::adapter_api(&hub, "payment").unwrap();
    postal
        .state_put("tracking/HS-1", b"postal's".to_vec())
        .await
        .unwrap();
    payment
        .state_put("payment/HS-1-3", b"payment's".to_vec())
        .await
        .unwrap();
    assert_eq!(payment.state_get("tracking/HS-1").await.unwrap(), None);
    let everything = |entries: Vec<(String, Vec<u8>)>| -> Vec<String> {
        entries.into_iter().map(|(k, _)| k).collect()
    };
    assert_eq!(
        everything(postal.state_scan("", "", 10).await.unwrap()),
        ["tracking/HS-1"]
    );
    assert_eq!(
        everything(payment.state_scan("", "", 10).await.unwrap()),
        ["payment/HS-1-3"]
    );
    // A delete reaches its own space only.
    payment.state_delete("tracking/HS-1").await.unwrap();
    assert_eq!(
        postal.state_get("tracking/HS-1").await.unwrap().as_deref(),
        Some(&b"postal's"[..])
    );
    postal.state_delete("tracking/HS-1").await.unwrap();
    assert_eq!(postal.state_get("tracking/HS-1").await.unwrap(), None);
    drop((postal, payment, hub));
    runtime.stop().await;
}

#[tokio::test]
async fn bad_keys_and_large_values_are_refused_naming_the_rule_and_nothing_is_written() {
    let (_dir, _store, hub, runtime) = in_process_hub(retention());
    let api = lienthong::adapters::adapter_api(&hub, "postal").unwrap();
    let long = "k".repeat(MAX_KEY_BYTES + 1);
    for (key, words) in [
        ("", "is empty"),
        ("tracking/a b", "no spaces"),
        ("tracking/mã", "visible ASCII"),
        (long.as_str(), "at most 256"),
    ] {
        match api.state_put(key, b"v".to_vec()).await {
            Err(StateError::BadKey { problem, .. }) => {
                assert!(problem.contains(words), "{key:?}: {problem}")
            }
            other => panic!("{key:?}: {other:?}"),
        }
        assert!(matches!(
            api.state_get(key).await,
            Err(StateError::BadKey { .. })
        ));
    }
    assert!(matches!(
        api.state_scan("a b", "", 10).await,
        Err(StateError::BadKey { .. })
    ));
    let e = api
        .state_put("big", vec![b'x'; MAX_VALUE_BYTES + 1])
        .await
        .unwrap_err();
    assert_eq!(
        e,
        StateError::TooLarge {
            key: "big".into(),
            bytes: MAX_VALUE_BYTES + 1,
            max: MAX_VALUE_BYTES
        }
    );
    assert!(!e.is_retryable());
    assert_eq!(api.state_get("big").await.unwrap(), None, "nothing written");
    api.state_put("big", vec![b'x'; MAX_VALUE_BYTES])
        .await
        .unwrap();
    assert!(api.state_scan("", "", 10).await.unwrap().len() == 1);
    drop((api, hub));
    runtime.stop().await;
}

#[tokio::test]
async fn scans_page_in_key_order_and_records_read_back_typed() {
    let (_dir, _store, hub, runtime) = in_process_hub(retention());
    let api = lienthong::adapters::adapter_api(&hub, "payment").unwrap();
    let count = MAX_SCAN_ENTRIES + 3;
    for i in 0..count {
        api.state_put(&format!("p/{i:04}"), i.to_string().into_bytes())
            .await
            .unwrap();
    }
    api.state_put("q/other", b"1".to_vec()).await.unwrap();
    let first = api.state_scan("p/", "", usize::MAX).await.unwrap();
    assert_eq!(first.len(), MAX_SCAN_ENTRIES, "a page is bounded");
    assert_eq!(first[0].0, "p/0000");
    let rest = api
        .state_scan("p/", &first.last().unwrap().0, usize::MAX)
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);
    let typed = Durable::new(api.clone());
    let all = typed.scan::<usize>("p/").await.unwrap();
    assert_eq!(all.len(), count);
    assert!(all.iter().enumerate().all(|(i, (_, v))| *v == i));
    api.state_put("p/bad", b"not json".to_vec()).await.unwrap();
    match typed.get::<usize>("p/bad").await {
        Err(StateError::Corrupt { key, .. }) => assert_eq!(key, "p/bad"),
        other => panic!("{other:?}"),
    }
    drop((typed, api, hub));
    runtime.stop().await;
}
