//! The SMS gateway's answer to a send (the adapter has no inbound route:
//! the gateway's reply is all it reads from outside) and the subscriber
//! numbers it normalises, which come from dossiers partners filed.

use crate::{refused, Target};
use lienthong_adapter_sms::phone::to_international;
use lienthong_adapter_sms::protocol::{codes, SendResponse};

pub fn target() -> Target {
    Target {
        name: "sms_reply",
        max_len: 4 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let phone = match to_international(&text) {
        Ok(number) if number.len() == 11 && number.starts_with("84") => "phone:ok".to_string(),
        Ok(number) => panic!("normalised to {number:?}, not 84 and nine digits"),
        Err(e) => format!("phone:{}", refused(&e)),
    };
    let reply = match serde_json::from_slice::<SendResponse>(body) {
        Ok(r) => format!(
            "reply:accepted:{} retry:{}",
            codes::accepted(&r.code),
            codes::retryable(&r.code)
        ),
        Err(_) => "reply:not-json".into(),
    };
    format!("{phone} {reply}")
}

fn seeds() -> Vec<Vec<u8>> {
    [
        r#"{"code":"00","description":"Success","sms_id":"SMS-1"}"#,
        r#"{"code":"99","description":"Busy"}"#,
        "0912 345 678",
        "+84 (912) 345-678",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
