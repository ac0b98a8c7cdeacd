//! `MaXacThuc`: the signature every payment-platform message carries. The algorithm is shared by every adapter that signs this way:
//! see `lienthong_adapter::ma_xac_thuc`.

pub use lienthong_adapter::ma_xac_thuc::{sign, verify};

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
