//! The key layout of the one sled tree. Numbers are big-endian so that sled's
//! byte order is numeric order; strings are followed by a 0 byte where another
//! part follows, so that a prefix scan never runs into a longer name.
//!
//! | prefix | key                               | value                      |
//! |--------|-----------------------------------|----------------------------|
//! | `d`    | dossier id                        | Dossier (`records`)        |
//! | `x`    | MaHoSo                            | dossier id                 |
//! | `a`    | agency 0 dossier id               | (empty) listing index      |
//! | `t`    | status code (1 byte), dossier id  | (empty) listing index      |
//! | `b`    | procedure 0 dossier id            | (empty) listing index      |
//! | `h`    | dossier id, version               | HistoryEntry (`records`)   |
//! | `z`    | dossier id                        | archived dossier with its history (`archive.rs`) |
//! | `e`    | seq                               | Event (`records`): outbox  |
//! | `i`    | partner 0 idempotency key         | IdempotencyRecord (`records`) |
//! | `w`    | created_at, first `i` key listed  | the `i` keys a group wrote (`expiry.rs`) |
//! | `c`    | `CursorId::name` (cursors.rs)     | acknowledged seq           |
//! | `k`    | kind 0 `v`                        | catalogue version          |
//! | `k`    | kind 0 `e` code                   | CatalogEntry (JSON)        |
//! | `k`    | kind 0 `c` version, index         | CatalogChange (JSON)       |
//! | `m`    | counter name                      | u64 / u32                  |
//! | `m`    | `records_format`                  | 1 once `records::migrate` ran |
//! | `m`    | `list_indexes`                    | 1 once `indexes::build` ran |
//! | `m`    | `idempotency_unindexed_before`    | time before which `i` may be unlisted; 0: none (`expiry.rs`) |
//! | `m`    | `receipt_lookups_unchecked`       | 1 and the last `uk` checked, 0 when done (`receipt_lookups.rs`) |
//! | `p`,`q`,`s`,`g` | see `deliveries.rs`      | adapter deliveries, ledger |
//! | `o`    | `a` login                         | OfficerAccount (JSON)      |
//! | `o`    | `s` SHA-256 of session token      | OfficerSession (JSON)      |
//! | `o`    | `f` login                         | LoginFailures (JSON)       |
//! | `n`    | see `notifications.rs`            | notifications sent         |
//! | `r`    | MaHoSo                            | Rating (JSON), see `feedback.rs` |
//! | `f`    | feedback tracking code            | FeedbackAnswer (JSON)      |
//! | `u`    | see `audit.rs`                    | the audit chain            |
//! | `j`    | partner 0 key, see `adapter_state.rs` | an adapter's durable state |
//!
//! The hosted workspace's read model and assignments live in trees of their
//! own (`workspace.rs`).

use super::StoreError;

pub const DOSSIER: u8 = b'd';
pub const MA_HO_SO: u8 = b'x';
pub const BY_AGENCY: u8 = b'a';
pub const BY_STATUS: u8 = b't';
pub const BY_PROCEDURE: u8 = b'b';
pub const HISTORY: u8 = b'h';
/// A terminal dossier moved out of `d`, `h` and the listing indexes into
/// one record (`store/archive.rs`).
pub const ARCHIVE: u8 = b'z';
pub const EVENT: u8 = b'e';
pub const IDEMPOTENCY: u8 = b'i';
pub const CURSOR: u8 = b'c';
pub const CATALOG: u8 = b'k';
pub const OFFICERS: u8 = b'o';
/// The portal's ratings and feedback answers, written by the engine with
/// their events (`store/feedback.rs`).
pub const RATING: u8 = b'r';
pub const ANSWER: u8 = b'f';
/// Adapters' durable state, per partner (`store/adapter_state.rs`).
pub const ADAPTER_STATE: u8 = b'j';

pub const NEXT_SEQ: &[u8] = b"m/next_seq";
pub const NEXT_DOSSIER_ID: &[u8] = b"m/next_dossier_id";

/// `key` followed by `part`: every key below is a prefix and the parts
/// that narrow it.
fn then(mut key: Vec<u8>, part: &[u8]) -> Vec<u8> {
    key.extend_from_slice(part);
    key
}

/// `prefix`, then a name and the 0 byte that ends it.
fn named(prefix: u8, name: &str) -> Vec<u8> {
    // Room for what most keys add after the name (an id, a code), so the
    // writer does not grow each key twice (issue 12).
    let mut key = Vec::with_capacity(name.len() + 2 + 32);
    key.push(prefix);
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    key
}

pub fn dossier(id: u64) -> Vec<u8> {
    then(vec![DOSSIER], &id.to_be_bytes())
}

pub fn ma_ho_so(code: &str) -> Vec<u8> {
    then(vec![MA_HO_SO], code.as_bytes())
}

pub fn by_agency_prefix(agency: &str) -> Vec<u8> {
    named(BY_AGENCY, agency)
}

pub fn by_agency(agency: &str, id: u64) -> Vec<u8> {
    then(by_agency_prefix(agency), &id.to_be_bytes())
}

pub fn by_status_prefix(status_code: u8) -> Vec<u8> {
    vec![BY_STATUS, status_code]
}

pub fn by_status(status_code: u8, id: u64) -> Vec<u8> {
    then(by_status_prefix(status_code), &id.to_be_bytes())
}

pub fn by_procedure_prefix(procedure: &str) -> Vec<u8> {
    named(BY_PROCEDURE, procedure)
}

pub fn by_procedure(procedure: &str, id: u64) -> Vec<u8> {
    then(by_procedure_prefix(procedure), &id.to_be_bytes())
}

pub fn archived(id: u64) -> Vec<u8> {
    then(vec![ARCHIVE], &id.to_be_bytes())
}

pub fn history_prefix(id: u64) -> Vec<u8> {
    then(vec![HISTORY], &id.to_be_bytes())
}

pub fn history(id: u64, version: u64) -> Vec<u8> {
    then(history_prefix(id), &version.to_be_bytes())
}

pub fn event(seq: u64) -> Vec<u8> {
    then(vec![EVENT], &seq.to_be_bytes())
}

pub fn idempotency(partner: &str, idempotency_key: &str) -> Vec<u8> {
    then(named(IDEMPOTENCY, partner), idempotency_key.as_bytes())
}

fn catalog_part(kind: &str, part: u8) -> Vec<u8> {
    then(named(CATALOG, kind), &[part])
}

pub fn catalog_version(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'v')
}

pub fn catalog_entry_prefix(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'e')
}

pub fn catalog_entry(kind: &str, code: &str) -> Vec<u8> {
    then(catalog_entry_prefix(kind), code.as_bytes())
}

pub fn catalog_change_prefix(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'c')
}

pub fn catalog_change(kind: &str, version: u64, index: u32) -> Vec<u8> {
    let key = then(catalog_change_prefix(kind), &version.to_be_bytes());
    then(key, &index.to_be_bytes())
}

pub fn rating(ma_ho_so: &str) -> Vec<u8> {
    then(vec![RATING], ma_ho_so.as_bytes())
}

pub fn answer(code: &str) -> Vec<u8> {
    then(vec![ANSWER], code.as_bytes())
}

fn officer_part(part: u8) -> Vec<u8> {
    vec![OFFICERS, part]
}

pub fn officer_account_prefix() -> Vec<u8> {
    officer_part(b'a')
}

pub fn officer_account(login: &str) -> Vec<u8> {
    then(officer_account_prefix(), login.as_bytes())
}

pub fn officer_session_prefix() -> Vec<u8> {
    officer_part(b's')
}

pub fn officer_session(token_sha256: &[u8; 32]) -> Vec<u8> {
    then(officer_session_prefix(), token_sha256)
}

pub fn login_failures_prefix() -> Vec<u8> {
    officer_part(b'f')
}

pub fn login_failures(login: &str) -> Vec<u8> {
    then(login_failures_prefix(), login.as_bytes())
}

pub fn daily_sequence(agency: &str, yymmdd: &str) -> Vec<u8> {
    format!("m/mhs/{agency}/{yymmdd}").into_bytes()
}

pub fn read_u64(key: &[u8], bytes: &[u8]) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        key: printable(key),
        reason: format!("expected 8 bytes, found {}", bytes.len()),
    })?;
    Ok(u64::from_be_bytes(array))
}

/// The u64 that ends a key (dossier id, seq).
pub fn trailing_u64(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// A key as text for error messages.
pub fn printable(key: &[u8]) -> String {
    key.iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout is on disk: these bytes must never change.
    #[test]
    fn keys_keep_their_bytes() {
        assert_eq!(dossier(1), b"d\0\0\0\0\0\0\0\x01");
        assert_eq!(ma_ho_so("H1"), b"xH1");
        assert_eq!(by_agency("so", 2), b"aso\0\0\0\0\0\0\0\0\x02");
        assert_eq!(by_status(10, 2), b"t\x0a\0\0\0\0\0\0\0\x02");
        assert_eq!(by_procedure("1.1", 2), b"b1.1\0\0\0\0\0\0\0\0\x02");
        assert_eq!(history(1, 3), b"h\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x03");
        assert_eq!(event(4), b"e\0\0\0\0\0\0\0\x04");
        assert_eq!(archived(5), b"z\0\0\0\0\0\0\0\x05");
        assert_eq!(idempotency("p", "k"), b"ip\0k");
        assert_eq!(catalog_version("t"), b"kt\0v");
        assert_eq!(
            catalog_change("t", 1, 2),
            b"kt\0c\0\0\0\0\0\0\0\x01\0\0\0\x02"
        );
        assert_eq!(catalog_entry("t", "c"), b"kt\0ec");
        assert_eq!(officer_account("an"), b"oaan");
        assert_eq!(officer_session(&[7; 32])[..3], [b'o', b's', 7]);
        assert_eq!(login_failures("an"), b"ofan");
    }
}
