//! URL query strings (`a=1&b=2`, percent-encoded) for the simulators'
//! HTTP routes: small enough not to pull in a URL crate, needed by several.

use std::collections::HashMap;

/// `a=1&b=2` into a map, percent-decoded (`+` is a space).
pub fn query_params(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs_and_escapes() {
        let q = query_params("ngay=20251122&ten=Nguy%E1%BB%85n+An&x");
        assert_eq!(q["ngay"], "20251122");
        assert_eq!(q["ten"], "Nguyễn An");
        assert_eq!(q["x"], "");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn malformed_escapes_stay_as_they_are() {
        let p = query_params("MaDoiTac=L%C3%8A+T&bad=%zz&end=%4&v=%C3%%A");
        assert_eq!(p["MaDoiTac"], "LÊ T");
        assert_eq!(p["bad"], "%zz");
        assert_eq!(p["end"], "%4");
        assert_eq!(p["v"], "\u{fffd}%%A");
    }
}
