//! The provider's signing key: an RSA key made at start (2048 bits, e =
//! 65537) and RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017
//! §8.2), written out on `num-bigint` because ring, which the hub verifies
//! with, cannot make RSA keys. A test provider only: no blinding, no
//! constant time; the hub never signs with this.

use num_bigint::BigUint;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

const BITS: u64 = 2048;
/// DigestInfo of SHA-256, before the hash (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// An RSA private key (modulus, public and private exponents).
pub struct RsaKey {
    n: BigUint,
    e: BigUint,
    d: BigUint,
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source");
    bytes
}

/// Small primes for trial division before Miller-Rabin.
fn small_primes() -> Vec<u32> {
    let mut primes: Vec<u32> = Vec::new();
    for n in 3u32..2000 {
        if primes
            .iter()
            .take_while(|p| *p * *p <= n)
            .all(|p| n % p != 0)
        {
            primes.push(n);
        }
    }
    primes
}

/// Miller-Rabin with `rounds` random bases.
fn probably_prime(n: &BigUint, rounds: usize) -> bool {
    let one = BigUint::from(1u32);
    let two = BigUint::from(2u32);
    let n_minus_one = n - &one;
    let s = n_minus_one.trailing_zeros().unwrap_or(0);
    let d = &n_minus_one >> s;
    let width = n.to_bytes_be().len();
    'bases: for _ in 0..rounds {
        let a = BigUint::from_bytes_be(&random_bytes(width)) % (n - 3u32) + &two;
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_one {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n_minus_one {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// A random prime of exactly `bits` bits (top two bits set, so that the
/// product of two has exactly twice as many).
fn prime(bits: u64, sieve: &[u32]) -> BigUint {
    loop {
        let mut bytes = random_bytes((bits / 8) as usize);
        bytes[0] |= 0xC0;
        let last = bytes.len() - 1;
        bytes[last] |= 1;
        let mut candidate = BigUint::from_bytes_be(&bytes);
        // Walk odd numbers from the random start for a while.
        for _ in 0..2000 {
            let divisible = sieve
                .iter()
                .any(|p| (&candidate % *p) == BigUint::from(0u32));
            if !divisible && probably_prime(&candidate, 24) {
                return candidate;
            }
            candidate += 2u32;
        }
    }
}

impl RsaKey {
    /// A new 2048-bit key.
    pub fn generate() -> RsaKey {
        let sieve = small_primes();
        let e = BigUint::from(65_537u32);
        let one = BigUint::from(1u32);
        loop {
            let p = prime(BITS / 2, &sieve);
            let q = prime(BITS / 2, &sieve);
            if p == q {
                continue;
            }
            let n = &p * &q;
            if n.bits() != BITS {
                continue;
            }
            let phi = (&p - &one) * (&q - &one);
            if let Some(d) = e.modinv(&phi) {
                return RsaKey { n, e, d };
            }
        }
    }

    /// The modulus, big-endian without leading zeros (JWK `n`).
    pub fn modulus(&self) -> Vec<u8> {
        self.n.to_bytes_be()
    }

    /// The public exponent, big-endian (JWK `e`).
    pub fn exponent(&self) -> Vec<u8> {
        self.e.to_bytes_be()
    }

    /// The RS256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let k = (BITS / 8) as usize;
        let hash = Sha256::digest(message);
        let t_len = SHA256_DIGEST_INFO.len() + hash.len();
        let mut em = vec![0xffu8; k];
        em[0] = 0x00;
        em[1] = 0x01;
        em[k - t_len - 1] = 0x00;
        em[k - t_len..k - hash.len()].copy_from_slice(&SHA256_DIGEST_INFO);
        em[k - hash.len()..].copy_from_slice(&hash);
        let signature = BigUint::from_bytes_be(&em).modpow(&self.d, &self.n);
        let bytes = signature.to_bytes_be();
        let mut out = vec![0u8; k - bytes.len()];
        out.extend_from_slice(&bytes);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_verifies_what_the_key_signs() {
        let key = RsaKey::generate();
        let signature = key.sign(b"header.payload");
        let public = ring::signature::RsaPublicKeyComponents {
            n: key.modulus(),
            e: key.exponent(),
        };
        public
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                b"header.payload",
                &signature,
            )
            .expect("a valid RS256 signature");
        assert!(public
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                b"header.payloaD",
                &signature
            )
            .is_err());
    }
}
