//! `MaXacThuc`: the signature the payment platform (and, provisionally, the
//! treasury) put on every message.
//!
//! It is the lowercase hex SHA-256 of the message's fields joined with `|`,
//! followed by `|` and the shared secret:
//! `sha256_hex(f1 + "|" + f2 + … + "|" + fn + "|" + secret)`. Each message's
//! field order is written once, next to its type in the adapter's
//! `protocol.rs`, as a [`signed!`](crate::signed) list that makes it a
//! [`Signed`] message. Free text (descriptions, names) is never signed, so a
//! `|` inside it cannot shift one field into the next.

use crate::http::CallError;
use crate::AdapterConfigError;
use sha2::{Digest, Sha256};

/// Checks a setting that goes into signed fields: required, and free of the
/// `|` that separates them.
pub fn check_signed_setting(key: &str, value: &str) -> Result<(), AdapterConfigError> {
    if value.trim().is_empty() {
        return Err(AdapterConfigError::new(key, "is required"));
    }
    if value.contains('|') {
        return Err(AdapterConfigError::new(
            key,
            "must not contain `|` (it separates signed fields)",
        ));
    }
    Ok(())
}

/// The signature of `fields` under `secret`.
pub fn sign(fields: &[&str], secret: &str) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.as_bytes());
        hasher.update(b"|");
    }
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// Whether `given` is the signature of `fields` (case-insensitive hex), in
/// time that does not depend on where the first difference is.
pub fn verify(fields: &[&str], secret: &str, given: &str) -> bool {
    let expected = sign(fields, secret);
    let given = given.trim().to_ascii_lowercase();
    crate::auth::same_secret(given.as_bytes(), expected.as_bytes())
}

/// A partner code (`MaDoiTac`) and the secret its messages are signed
/// with: all a simulator of a signing partner (the gateway, the treasury)
/// knows of the one partner it serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedSecret {
    pub partner_code: String,
    pub secret: String,
}

impl SharedSecret {
    pub fn new(partner_code: &str, secret: &str) -> SharedSecret {
        SharedSecret {
            partner_code: partner_code.to_string(),
            secret: secret.to_string(),
        }
    }
}

/// A message that carries a `MaXacThuc` (in a field `signature`) over some
/// of its fields. Implemented with [`signed!`](crate::signed), which lists
/// the fields in the partner's order.
pub trait Signed {
    /// The signed fields, in the message's fixed order, as text (numbers in
    /// plain digits).
    fn signed_fields(&self) -> Vec<String>;
    fn signature(&self) -> &str;
    fn signature_mut(&mut self) -> &mut String;

    /// Sets `MaXacThuc` from the fields and the secret.
    fn sign_with(&mut self, secret: &str) {
        let fields = self.signed_fields();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        *self.signature_mut() = sign(&refs, secret);
    }

    /// Builder form of [`Signed::sign_with`].
    fn signed(mut self, secret: &str) -> Self
    where
        Self: Sized,
    {
        self.sign_with(secret);
        self
    }

    /// Whether `MaXacThuc` matches the fields under the secret.
    fn verify_with(&self, secret: &str) -> bool {
        let fields = self.signed_fields();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        verify(&refs, secret, self.signature())
    }
}

/// Sends the call `operation` ([`send`](crate::http::send)) and reads its
/// answer as the signed JSON reply `A`, verified with `secret`: one that
/// does not parse is [`CallError::BadReply`], one not signed with `secret`
/// [`CallError::BadSignature`].
pub async fn send_signed<A: serde::de::DeserializeOwned + Signed>(
    operation: &'static str,
    request: reqwest::RequestBuilder,
    secret: &str,
) -> Result<A, CallError> {
    let body = crate::http::send(operation, request).await?;
    let reply: A = serde_json::from_str(&body).map_err(|e| CallError::BadReply {
        operation,
        problem: e.to_string(),
    })?;
    if !reply.verify_with(secret) {
        return Err(CallError::BadSignature { operation });
    }
    Ok(reply)
}

/// Makes each message type [`Signed`] over the fields listed, in that order
/// (`receipt.ma_ho_so` is a field of a field); the signature is its field
/// `signature`. The list is the protocol's signing table, written once:
///
/// ```ignore
/// signed! {
///     CallbackReply => [code, reference];
///     QueryRequest => [partner_code, reference, time];
/// }
/// ```
#[macro_export]
macro_rules! signed {
    ($($message:ty => [$($($field:ident).+),* $(,)?]);* $(;)?) => {$(
        impl $crate::ma_xac_thuc::Signed for $message {
            fn signed_fields(&self) -> Vec<String> {
                vec![$(self.$($field).+.to_string()),*]
            }
            fn signature(&self) -> &str {
                &self.signature
            }
            fn signature_mut(&mut self) -> &mut String {
                &mut self.signature
            }
        }
    )*};
}

/// The query of a daily file download (the gateway's settlement file, the
/// treasury's credit file): `?MaDoiTac=…&Ngay=yyyyMMdd&MaXacThuc=…`, signed
/// over `MaDoiTac|Ngay`. A missing parameter reads as empty (and so fails
/// the signature).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DailyFileRequest {
    #[serde(rename = "MaDoiTac", default)]
    pub partner_code: String,
    #[serde(rename = "Ngay", default)]
    pub date: String,
    #[serde(rename = "MaXacThuc", default)]
    pub signature: String,
}

impl DailyFileRequest {
    /// The signed request of `partner_code` for the file of `date`.
    pub fn new(partner_code: &str, date: &str, secret: &str) -> DailyFileRequest {
        DailyFileRequest {
            partner_code: partner_code.to_string(),
            date: date.to_string(),
            signature: String::new(),
        }
        .signed(secret)
    }

    /// Whether it comes from `partner_code` and is signed with `secret`.
    pub fn is_from(&self, partner_code: &str, secret: &str) -> bool {
        self.partner_code == partner_code && self.verify_with(secret)
    }

    /// The day asked for, once the request is `partner_code`'s, signed with
    /// `secret`, for a real `yyyyMMdd` day; else the HTTP answer a file
    /// server gives (401 unsigned, 400 not a day).
    pub fn day(&self, partner_code: &str, secret: &str) -> Result<&str, (u16, &'static str)> {
        if !self.is_from(partner_code, secret) {
            return Err((401, "sai mã xác thực"));
        }
        if !crate::vietnam_time::is_date(&self.date) {
            return Err((400, "Ngay must be yyyyMMdd"));
        }
        Ok(&self.date)
    }
}

crate::signed!(DailyFileRequest => [partner_code, date]);

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn sign_is_sha256_of_pipe_joined_fields_and_secret() {
        // echo -n 'A|B|s3cret' | sha256sum
        let expected = hex::encode(Sha256::digest(b"A|B|s3cret"));
        assert_eq!(sign(&["A", "B"], "s3cret"), expected);
    }

    #[test]
    fn verify_accepts_uppercase_and_refuses_changes() {
        let sig = sign(&["LT", "REF-1", "150000"], "secret");
        assert!(verify(&["LT", "REF-1", "150000"], "secret", &sig));
        assert!(verify(
            &["LT", "REF-1", "150000"],
            "secret",
            &sig.to_uppercase()
        ));
        assert!(!verify(&["LT", "REF-1", "150001"], "secret", &sig));
        assert!(!verify(&["LT", "REF-1", "150000"], "other", &sig));
        assert!(!verify(&["LT", "REF-1", "150000"], "secret", ""));
        assert!(!verify(&["LT", "REF-1", "150000"], "secret", "zz"));
    }

    #[test]
    fn a_daily_file_request_is_signed_over_partner_and_date() {
        let request = DailyFileRequest::new("LT", "20251122", "secret");
        assert_eq!(request.signature, sign(&["LT", "20251122"], "secret"));
        assert!(request.is_from("LT", "secret"));
        assert!(!request.is_from("OTHER", "secret"));
        assert!(!request.is_from("LT", "wrong"));
        let altered = DailyFileRequest {
            date: "20251123".into(),
            ..request
        };
        assert!(!altered.is_from("LT", "secret"));
        assert!(!DailyFileRequest::default().is_from("", "secret"));
        assert_eq!(
            DailyFileRequest::new("LT", "20251122", "secret").day("LT", "secret"),
            Ok("20251122")
        );
        assert_eq!(
            DailyFileRequest::new("LT", "20251122", "secret").day("LT", "wrong"),
            Err((401, "sai mã xác thực"))
        );
        assert_eq!(
            DailyFileRequest::new("LT", "20250230", "secret").day("LT", "secret"),
            Err((400, "Ngay must be yyyyMMdd"))
        );
    }
}
