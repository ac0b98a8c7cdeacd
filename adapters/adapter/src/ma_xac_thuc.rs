//! `MaXacThuc`: the signature the payment platform (and, provisionally, the
//! treasury) put on every message.
//!
//! It is the lowercase hex SHA-256 of the message's fields joined with `|`,
//! followed by `|` and the shared secret:
//! `sha256_hex(f1 + "|" + f2 + … + "|" + fn + "|" + secret)`. Each message's
//! field order is written next to its type in the adapter's `protocol.rs`.
//! Free text (descriptions, names) is never signed, so a `|` inside it cannot
//! shift one field into the next.

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
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

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
}
