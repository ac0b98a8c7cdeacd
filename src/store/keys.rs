//! The key layout of the one sled tree. Numbers are big-endian so that sled's
//! byte order is numeric order; strings are followed by a 0 byte where another
//! part follows, so that a prefix scan never runs into a longer name.
//!
//! | prefix | key                               | value                      |
//! |--------|-----------------------------------|----------------------------|
//! | `d`    | dossier id                        | Dossier (JSON)             |
//! | `x`    | MaHoSo                            | dossier id                 |
//! | `a`    | agency 0 dossier id               | (empty) listing index      |
//! | `h`    | dossier id, version               | HistoryEntry (JSON)        |
//! | `e`    | seq                               | Event (JSON): the outbox   |
//! | `i`    | partner 0 idempotency key         | IdempotencyRecord (JSON)   |
//! | `c`    | `CursorId::name` (cursors.rs)     | acknowledged seq           |
//! | `k`    | kind 0 `v`                        | catalogue version          |
//! | `k`    | kind 0 `e` code                   | CatalogEntry (JSON)        |
//! | `k`    | kind 0 `c` version, index         | CatalogChange (JSON)       |
//! | `m`    | counter name                      | u64 / u32                  |
//! | `p`,`q`,`s` | see `deliveries.rs`          | adapter deliveries         |
//! | `o`    | `a` login                         | OfficerAccount (JSON)      |
//! | `o`    | `s` SHA-256 of session token      | OfficerSession (JSON)      |
//! | `o`    | `f` login                         | LoginFailures (JSON)       |
//! | `n`    | see `notifications.rs`            | notifications sent         |

use super::StoreError;

pub const DOSSIER: u8 = b'd';
pub const MA_HO_SO: u8 = b'x';
pub const BY_AGENCY: u8 = b'a';
pub const HISTORY: u8 = b'h';
pub const EVENT: u8 = b'e';
pub const IDEMPOTENCY: u8 = b'i';
pub const CURSOR: u8 = b'c';
pub const CATALOG: u8 = b'k';
pub const OFFICERS: u8 = b'o';

pub const NEXT_SEQ: &[u8] = b"m/next_seq";
pub const NEXT_DOSSIER_ID: &[u8] = b"m/next_dossier_id";

pub fn dossier(id: u64) -> Vec<u8> {
    let mut key = vec![DOSSIER];
    key.extend_from_slice(&id.to_be_bytes());
    key
}

pub fn ma_ho_so(code: &str) -> Vec<u8> {
    let mut key = vec![MA_HO_SO];
    key.extend_from_slice(code.as_bytes());
    key
}

pub fn by_agency_prefix(agency: &str) -> Vec<u8> {
    let mut key = vec![BY_AGENCY];
    key.extend_from_slice(agency.as_bytes());
    key.push(0);
    key
}

pub fn by_agency(agency: &str, id: u64) -> Vec<u8> {
    let mut key = by_agency_prefix(agency);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

pub fn history_prefix(id: u64) -> Vec<u8> {
    let mut key = vec![HISTORY];
    key.extend_from_slice(&id.to_be_bytes());
    key
}

pub fn history(id: u64, version: u64) -> Vec<u8> {
    let mut key = history_prefix(id);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

pub fn event(seq: u64) -> Vec<u8> {
    let mut key = vec![EVENT];
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub fn idempotency(partner: &str, idempotency_key: &str) -> Vec<u8> {
    let mut key = vec![IDEMPOTENCY];
    key.extend_from_slice(partner.as_bytes());
    key.push(0);
    key.extend_from_slice(idempotency_key.as_bytes());
    key
}

fn catalog_part(kind: &str, part: u8) -> Vec<u8> {
    let mut key = vec![CATALOG];
    key.extend_from_slice(kind.as_bytes());
    key.push(0);
    key.push(part);
    key
}

pub fn catalog_version(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'v')
}

pub fn catalog_entry_prefix(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'e')
}

pub fn catalog_entry(kind: &str, code: &str) -> Vec<u8> {
    let mut key = catalog_entry_prefix(kind);
    key.extend_from_slice(code.as_bytes());
    key
}

pub fn catalog_change_prefix(kind: &str) -> Vec<u8> {
    catalog_part(kind, b'c')
}

pub fn catalog_change(kind: &str, version: u64, index: u32) -> Vec<u8> {
    let mut key = catalog_change_prefix(kind);
    key.extend_from_slice(&version.to_be_bytes());
    key.extend_from_slice(&index.to_be_bytes());
    key
}

fn officer_part(part: u8) -> Vec<u8> {
    vec![OFFICERS, part]
}

pub fn officer_account_prefix() -> Vec<u8> {
    officer_part(b'a')
}

pub fn officer_account(login: &str) -> Vec<u8> {
    let mut key = officer_account_prefix();
    key.extend_from_slice(login.as_bytes());
    key
}

pub fn officer_session_prefix() -> Vec<u8> {
    officer_part(b's')
}

pub fn officer_session(token_sha256: &[u8; 32]) -> Vec<u8> {
    let mut key = officer_session_prefix();
    key.extend_from_slice(token_sha256);
    key
}

pub fn login_failures_prefix() -> Vec<u8> {
    officer_part(b'f')
}

pub fn login_failures(login: &str) -> Vec<u8> {
    let mut key = login_failures_prefix();
    key.extend_from_slice(login.as_bytes());
    key
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
