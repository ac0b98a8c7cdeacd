//! Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.
//!
//! The provider sends `X-Timestamp: <unix seconds>` and `X-Signature:
//! sha256=<hex>` where the MAC is computed with the shared secret over
//! `<timestamp>.<raw body>`. Putting the timestamp under the MAC and
//! refusing timestamps outside a tolerance stops a captured webhook from
//! being replayed later; the body is verified byte for byte, before parsing.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-signature";
pub const TIMESTAMP_HEADER: &str = "x-timestamp";
const PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Signature` value for a body sent at `timestamp`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(tag))
}

/// Why a webhook was not accepted as the provider's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("header `{0}` is missing")]
    Missing(&'static str),
    #[error("header `X-Timestamp` is not a number of seconds: {0:?}")]
    BadTimestamp(String),
    #[error("header `X-Timestamp` is {skew_seconds} s away from now (tolerance {tolerance_seconds} s): refused as a possible replay")]
    Stale {
        skew_seconds: i64,
        tolerance_seconds: u64,
    },
    #[error("header `X-Signature` must be `sha256=<hex>`")]
    Malformed,
    #[error("header `X-Signature` does not match the body: wrong secret or altered body")]
    Mismatch,
}

/// Checks a webhook: fresh timestamp and a matching MAC (constant time).
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: i64,
    tolerance_seconds: u64,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::Missing("X-Timestamp"))?;
    let signature = signature.ok_or(SignatureError::Missing("X-Signature"))?;
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp(timestamp.chars().take(40).collect()))?;
    let skew = now_unix.saturating_sub(sent);
    if skew.unsigned_abs() > tolerance_seconds {
        return Err(SignatureError::Stale {
            skew_seconds: skew,
            tolerance_seconds,
        });
    }
    let tag = signature
        .trim()
        .strip_prefix(PREFIX)
        .and_then(|hex_tag| hex::decode(hex_tag).ok())
        .ok_or(SignatureError::Malformed)?;
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies() {
        let sig = sign("s3cret", "1700000000", b"{\"a\":1}");
        assert!(sig.starts_with("sha256="));
        assert_eq!(
            verify(
                "s3cret",
                Some("1700000000"),
                Some(&sig),
                b"{\"a\":1}",
                1_700_000_010,
                300
            ),
            Ok(())
        );
    }

    #[test]
    fn altered_body_wrong_secret_and_old_timestamps_are_refused() {
        let sig = sign("s3cret", "1700000000", b"{\"a\":1}");
        let check = |secret: &str, ts: &str, body: &[u8], now: i64| {
            verify(secret, Some(ts), Some(&sig), body, now, 300)
        };
        assert_eq!(
            check("s3cret", "1700000000", b"{\"a\":2}", 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check("other", "1700000000", b"{\"a\":1}", 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is under the MAC: changing it breaks the signature.
        assert_eq!(
            check("s3cret", "1700000001", b"{\"a\":1}", 1_700_000_000),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            check("s3cret", "1700000000", b"{\"a\":1}", 1_700_001_000),
            Err(SignatureError::Stale { .. })
        ));
        assert_eq!(
            verify("s3cret", None, Some(&sig), b"", 0, 300),
            Err(SignatureError::Missing("X-Timestamp"))
        );
        assert_eq!(
            verify("s3cret", Some("1"), Some("md5=00"), b"", 1, 300),
            Err(SignatureError::Malformed)
        );
    }
}
