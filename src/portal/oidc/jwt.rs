//! The ID token's checks (OpenID Connect Core §3.1.3.7): a compact JWS
//! signed RS256 with a key of the provider's JWKS, whose `iss` is the
//! configured issuer, whose `aud` names our client (and `azp` too when it
//! names others), that has not expired, was not issued in the future, and
//! carries the nonce this browser's sign-in was started with.
//!
//! Pure: the keys and the time are given, so every refusal is tested
//! without a provider. Signatures are verified by ring
//! (`RSA_PKCS1_2048_8192_SHA256`: keys under 2048 bits are refused).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

/// Seconds of clock difference tolerated with the provider.
pub const LEEWAY_SECONDS: i64 = 60;
/// A token larger than this is not read.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why an ID token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    #[error("the ID token is not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("the ID token is signed with `{0}`, not RS256")]
    Algorithm(String),
    #[error("no key of the provider's JWKS has kid `{0}`")]
    UnknownKey(String),
    #[error("the ID token's signature does not verify")]
    Signature,
    #[error("the ID token's issuer `{0}` is not the configured issuer")]
    Issuer(String),
    #[error("the ID token's audience does not name this client")]
    Audience,
    #[error("the ID token expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
    #[error("the ID token was issued in the future ({iat}, now {now})")]
    IssuedInFuture { iat: i64, now: i64 },
    #[error("the ID token's nonce is not the one this sign-in sent")]
    Nonce,
    #[error("the ID token has no usable subject")]
    Subject,
}

/// One RSA signing key of the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    pub kid: Option<String>,
    /// Big-endian, without leading zeros.
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<RawJwk>,
}

#[derive(Deserialize)]
struct RawJwk {
    #[serde(default)]
    kty: String,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: String,
    #[serde(default)]
    e: String,
}

fn strip_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}

/// The RS256 signing keys of a JWKS document; other keys (EC, encryption,
/// other algorithms) are left out.
pub fn parse_jwks(body: &[u8]) -> Result<Vec<Jwk>, String> {
    let raw: RawJwks =
        serde_json::from_slice(body).map_err(|e| format!("the JWKS is not JSON with keys: {e}"))?;
    let mut keys = Vec::new();
    for key in raw.keys {
        let signing = key.usage.as_deref().is_none_or(|u| u == "sig");
        let rs256 = key.alg.as_deref().is_none_or(|a| a == "RS256");
        if key.kty != "RSA" || !signing || !rs256 {
            continue;
        }
        let (Ok(n), Ok(e)) = (
            URL_SAFE_NO_PAD.decode(&key.n),
            URL_SAFE_NO_PAD.decode(&key.e),
        ) else {
            return Err(format!(
                "key {:?}: n or e is not base64url",
                key.kid.unwrap_or_default()
            ));
        };
        keys.push(Jwk {
            kid: key.kid,
            n: strip_zeros(n),
            e: strip_zeros(e),
        });
    }
    Ok(keys)
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// An ID token split, its signature not checked yet.
pub struct Unverified {
    alg: String,
    pub kid: Option<String>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

pub fn split(token: &str) -> Result<Unverified, TokenProblem> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenProblem::Malformed("larger than 16 KiB"));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenProblem::Malformed("not three parts"));
    };
    let decode = |part: &str, what| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenProblem::Malformed(what))
    };
    let header_json = decode(header, "the header is not base64url")?;
    let signing_input = token.as_bytes()[..header.len() + 1 + payload.len()].to_vec();
    let header: Header = serde_json::from_slice(&header_json)
        .map_err(|_| TokenProblem::Malformed("the header is not JSON"))?;
    Ok(Unverified {
        alg: header.alg,
        kid: header.kid,
        signing_input,
        signature: decode(signature, "the signature is not base64url")?,
        payload: decode(payload, "the payload is not base64url")?,
    })
}

/// What the ID token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// What a verified ID token says about the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdClaims {
    pub issuer: String,
    pub subject: String,
    pub name: Option<String>,
    /// Only when the provider says it verified the address.
    pub email: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    sub: String,
    aud: Option<Audience>,
    #[serde(default)]
    azp: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Verifies the signature with the key the header names (every key when
/// it names none), then the claims, at `now` (seconds since the epoch).
pub fn verify(
    token: &Unverified,
    keys: &[Jwk],
    expected: &Expected,
    now: i64,
) -> Result<IdClaims, TokenProblem> {
    if token.alg != "RS256" {
        return Err(TokenProblem::Algorithm(token.alg.clone()));
    }
    let candidates: Vec<&Jwk> = match &token.kid {
        Some(kid) => keys
            .iter()
            .filter(|k| k.kid.as_ref() == Some(kid))
            .collect(),
        None => keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(TokenProblem::UnknownKey(
            token.kid.clone().unwrap_or_default(),
        ));
    }
    let verified = candidates.iter().any(|key| {
        ring::signature::RsaPublicKeyComponents {
            n: &key.n,
            e: &key.e,
        }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &token.signing_input,
            &token.signature,
        )
        .is_ok()
    });
    if !verified {
        return Err(TokenProblem::Signature);
    }
    let claims: Claims = serde_json::from_slice(&token.payload)
        .map_err(|_| TokenProblem::Malformed("the claims are not JSON"))?;
    if claims.iss != expected.issuer {
        return Err(TokenProblem::Issuer(claims.iss));
    }
    let audiences = match claims.aud {
        Some(Audience::One(one)) => vec![one],
        Some(Audience::Many(many)) => many,
        None => Vec::new(),
    };
    let ours = audiences.iter().any(|a| a == expected.client_id);
    let azp_ok = audiences.len() <= 1 || claims.azp.as_deref() == Some(expected.client_id);
    if !ours || !azp_ok {
        return Err(TokenProblem::Audience);
    }
    let exp = claims.exp.ok_or(TokenProblem::Malformed("no exp"))?;
    if now >= exp + LEEWAY_SECONDS {
        return Err(TokenProblem::Expired { exp, now });
    }
    let iat = claims.iat.ok_or(TokenProblem::Malformed("no iat"))?;
    if iat > now + LEEWAY_SECONDS {
        return Err(TokenProblem::IssuedInFuture { iat, now });
    }
    if !claims
        .nonce
        .as_deref()
        .is_some_and(|n| same(n, expected.nonce))
    {
        return Err(TokenProblem::Nonce);
    }
    if claims.sub.is_empty() || claims.sub.len() > 255 {
        return Err(TokenProblem::Subject);
    }
    Ok(IdClaims {
        issuer: claims.iss,
        subject: claims.sub,
        name: claims.name.filter(|n| !n.trim().is_empty()),
        email: claims.email.filter(|_| claims.email_verified == Some(true)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode([1u8; 256])
        )
    }

    #[test]
    fn malformed_tokens_are_named() {
        assert_eq!(
            split("a.b").err(),
            Some(TokenProblem::Malformed("not three parts"))
        );
        assert_eq!(
            split("a.b.c.d").err(),
            Some(TokenProblem::Malformed("not three parts"))
        );
        assert_eq!(
            split("!!.b.c").err(),
            Some(TokenProblem::Malformed("the header is not base64url"))
        );
    }

    #[test]
    fn only_rs256_with_a_known_key_is_verified() {
        let expected = Expected {
            issuer: "https://sso.example.vn",
            client_id: "portal",
            nonce: "n",
        };
        let none = split(&token(r#"{"alg":"none"}"#, "{}")).unwrap();
        assert_eq!(
            verify(&none, &[], &expected, 0).err(),
            Some(TokenProblem::Algorithm("none".into()))
        );
        let hs = split(&token(r#"{"alg":"HS256"}"#, "{}")).unwrap();
        assert!(matches!(
            verify(&hs, &[], &expected, 0),
            Err(TokenProblem::Algorithm(_))
        ));
        let unknown = split(&token(r#"{"alg":"RS256","kid":"k9"}"#, "{}")).unwrap();
        let key = Jwk {
            kid: Some("k1".into()),
            n: vec![0xC5; 256],
            e: vec![1, 0, 1],
        };
        assert_eq!(
            verify(&unknown, std::slice::from_ref(&key), &expected, 0).err(),
            Some(TokenProblem::UnknownKey("k9".into()))
        );
        let known = split(&token(r#"{"alg":"RS256","kid":"k1"}"#, "{}")).unwrap();
        assert_eq!(
            verify(&known, &[key], &expected, 0).err(),
            Some(TokenProblem::Signature)
        );
    }

    #[test]
    fn jwks_keeps_rsa_signing_keys_only() {
        let body = br#"{"keys":[
            {"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},
            {"kty":"RSA","use":"enc","kid":"enc","n":"AQAB","e":"AQAB"},
            {"kty":"RSA","use":"sig","alg":"RS256","kid":"good","n":"AAEC","e":"AQAB"}]}"#;
        let keys = parse_jwks(body).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid.as_deref(), Some("good"));
        assert_eq!(keys[0].n, [1, 2], "leading zeros stripped");
    }
}
