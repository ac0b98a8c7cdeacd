//! How a caller proves it is the partner (or the operator) a route is for:
//! a bearer token or a shared secret in a header, compared with `subtle` in
//! constant time, so how long a refusal takes says nothing about how much
//! of the secret was right.
//!
//! Adapters answer a missing and a wrong credential in their partner's own
//! way (401 or 403, their own JSON), so the check only says which it was.

use axum::http::{header, HeaderMap};
use subtle::ConstantTimeEq;

/// What a caller presented, against what the route expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Nothing of the expected kind was presented.
    Missing,
    /// Something was presented, and it is not the secret.
    Wrong,
    Valid,
}

impl Credential {
    pub fn is_valid(self) -> bool {
        self == Credential::Valid
    }
}

/// Whether `presented` is `expected`, in time that does not depend on where
/// they first differ (a different length is told at once: lengths are not
/// the secret).
pub fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    presented.ct_eq(expected).into()
}

/// The token of an `Authorization: Bearer <token>` header; `None` when the
/// header is absent, not text, or of another scheme.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Checks `Authorization: Bearer <expected>`.
pub fn check_bearer(headers: &HeaderMap, expected: &str) -> Credential {
    match bearer_token(headers) {
        None => Credential::Missing,
        Some(token) if same_secret(token.as_bytes(), expected.as_bytes()) => Credential::Valid,
        Some(_) => Credential::Wrong,
    }
}

/// Checks a shared secret sent as the value of the header `name`.
pub fn check_header_secret(headers: &HeaderMap, name: &str, expected: &str) -> Credential {
    match headers.get(name) {
        None => Credential::Missing,
        Some(value) if same_secret(value.as_bytes(), expected.as_bytes()) => Credential::Valid,
        Some(_) => Credential::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn bearer_tokens_are_missing_wrong_or_valid() {
        let expected = "s3cret-token";
        assert_eq!(check_bearer(&headers(&[]), expected), Credential::Missing);
        assert_eq!(
            check_bearer(&headers(&[("authorization", "Basic czNjcmV0")]), expected),
            Credential::Missing
        );
        assert_eq!(
            check_bearer(
                &headers(&[("authorization", "Bearer s3cret-tokeN")]),
                expected
            ),
            Credential::Wrong
        );
        assert_eq!(
            check_bearer(&headers(&[("authorization", "Bearer s3cret")]), expected),
            Credential::Wrong
        );
        assert!(check_bearer(
            &headers(&[("authorization", "Bearer s3cret-token")]),
            expected
        )
        .is_valid());
    }

    #[test]
    fn header_secrets_are_compared_whole() {
        let h = headers(&[("x-secret", "0123456789abcdef")]);
        assert!(check_header_secret(&h, "x-secret", "0123456789abcdef").is_valid());
        assert_eq!(
            check_header_secret(&h, "x-secret", "0123456789abcdeF"),
            Credential::Wrong
        );
        assert_eq!(
            check_header_secret(&h, "x-other", "0123456789abcdef"),
            Credential::Missing
        );
        assert!(!same_secret(b"", b"x"));
        assert!(same_secret(b"", b""));
    }
}
