//! One audit entry and its canonical bytes: a fixed, versioned, binary
//! layout (never serde of a domain struct), so that the bytes a hash and a
//! signature cover cannot change with a library or a field order. The layout
//! is documented in README ("Audit log") for partners who check receipts
//! with their own code.
//!
//! ```text
//! u8       format version (1)
//! u64 BE   index (0 for the first entry)
//! [32]     SHA-256 of the previous entry's bytes (32 zero bytes for entry 0)
//! i64 BE   time, Unix milliseconds
//! u8       kind (see `Kind`)
//! 7 × str  actor, action, subject, request, outcome, event_id, detail
//!          (each u32 BE length, then UTF-8)
//! u64 BE   seq
//! u64 BE   count
//! ```
//!
//! The entry's hash is SHA-256 of exactly these bytes; the next entry
//! carries it. The store keeps the hash after the bytes too, so a changed
//! byte is found at the entry that holds it.

use super::AuditError;
use sha2::{Digest, Sha256};

pub const FORMAT_VERSION: u8 = 1;
/// Longest text field kept (bytes, cut at a character boundary): a
/// refused request may carry any length; the log keeps a prefix.
pub const MAX_FIELD_BYTES: usize = 256;

pub type Hash = [u8; 32];

/// What kind of thing an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A dossier command the writer decided (accepted or refused).
    Command = 1,
    /// A catalogue publication the writer decided.
    Publication = 2,
    /// A request refused before it reached the writer (authentication,
    /// rights, fields, limits): nothing was changed.
    Refusal = 3,
    /// Many refusals counted in one entry (unauthenticated floods, or a
    /// full refusal queue): `count` says how many, `detail` the window.
    Refusals = 4,
    /// A partner acknowledged its subscription feed up to `seq`.
    Acknowledgement = 5,
    /// A partner's adapter accepted the delivery of event `seq`.
    Delivery = 6,
    /// An operator's action (re-drive, checkpoint on demand).
    Operator = 7,
}

impl Kind {
    pub fn from_byte(byte: u8) -> Option<Kind> {
        Some(match byte {
            1 => Kind::Command,
            2 => Kind::Publication,
            3 => Kind::Refusal,
            4 => Kind::Refusals,
            5 => Kind::Acknowledgement,
            6 => Kind::Delivery,
            7 => Kind::Operator,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Command => "command",
            Kind::Publication => "publication",
            Kind::Refusal => "refusal",
            Kind::Refusals => "refusals",
            Kind::Acknowledgement => "acknowledgement",
            Kind::Delivery => "delivery",
            Kind::Operator => "operator",
        }
    }
}

/// The outcome text of an accepted request; a refused one carries the
/// canonical error code name (`FAILED_PRECONDITION`, …).
pub const OK: &str = "OK";

/// The `detail` of an accepted entry that replayed an earlier answer (a
/// command), or its end (a publication: `version …, replayed`). Such an
/// entry has no receipt of its own; the first answer's entry has.
pub const REPLAYED: &str = "replayed";

/// What is recorded, before it takes its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub at_millis: i64,
    pub kind: Kind,
    /// The partner (or operator's partner id); empty when unauthenticated.
    pub actor: String,
    /// The command name or operation (`submit`, `ack`, `redrive_parked`).
    pub action: String,
    /// What it acted on: a MaHoSo, a dossier id, a partner, a catalogue kind.
    pub subject: String,
    /// The request's idempotency key, when it has one.
    pub request: String,
    /// `OK` or the error code name.
    pub outcome: String,
    pub event_id: String,
    /// Anything else worth keeping (a dossier version, `replayed`, a reason).
    pub detail: String,
    pub seq: u64,
    pub count: u64,
}

impl Record {
    /// A record with only its kind, actor, action and outcome; the rest
    /// empty and `count` 1.
    pub fn new(at_millis: i64, kind: Kind, actor: &str, action: &str, outcome: &str) -> Record {
        Record {
            at_millis,
            kind,
            actor: actor.to_string(),
            action: action.to_string(),
            subject: String::new(),
            request: String::new(),
            outcome: outcome.to_string(),
            event_id: String::new(),
            detail: String::new(),
            seq: 0,
            count: 1,
        }
    }

    /// Whether this accepted entry replayed an earlier answer (`REPLAYED`).
    pub fn is_replay(&self) -> bool {
        self.detail
            .strip_suffix(REPLAYED)
            .is_some_and(|before| before.is_empty() || before.ends_with(", "))
    }

    fn texts(&self) -> [&str; 7] {
        [
            &self.actor,
            &self.action,
            &self.subject,
            &self.request,
            &self.outcome,
            &self.event_id,
            &self.detail,
        ]
    }
}

/// A record in its place: its index and the previous entry's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub index: u64,
    pub previous: Hash,
    pub record: Record,
}

impl Entry {
    /// The canonical bytes (module doc). Text fields longer than
    /// `MAX_FIELD_BYTES` are cut first, so what is hashed is what is kept.
    pub fn encode(&self) -> Vec<u8> {
        let r = &self.record;
        let mut out = Vec::with_capacity(128);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.index.to_be_bytes());
        out.extend_from_slice(&self.previous);
        out.extend_from_slice(&r.at_millis.to_be_bytes());
        out.push(r.kind as u8);
        for text in r.texts() {
            let text = cut(text);
            out.extend_from_slice(&(text.len() as u32).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&r.seq.to_be_bytes());
        out.extend_from_slice(&r.count.to_be_bytes());
        out
    }

    /// Reads canonical bytes back; names what is wrong with them.
    pub fn decode(bytes: &[u8]) -> Result<Entry, AuditError> {
        let mut reader = Reader { bytes, at: 0 };
        let version = reader.u8("format version")?;
        if version != FORMAT_VERSION {
            return Err(AuditError::malformed(format!(
                "format version {version} (this hub reads {FORMAT_VERSION})"
            )));
        }
        let index = reader.u64("index")?;
        let previous = reader.hash("previous hash")?;
        let at_millis = reader.u64("time")? as i64;
        let kind_byte = reader.u8("kind")?;
        let kind = Kind::from_byte(kind_byte)
            .ok_or_else(|| AuditError::malformed(format!("unknown kind {kind_byte}")))?;
        let mut texts: Vec<String> = Vec::with_capacity(7);
        for name in [
            "actor", "action", "subject", "request", "outcome", "event_id", "detail",
        ] {
            texts.push(reader.text(name)?);
        }
        let seq = reader.u64("seq")?;
        let count = reader.u64("count")?;
        if reader.at != bytes.len() {
            return Err(AuditError::malformed(format!(
                "{} bytes after the last field",
                bytes.len() - reader.at
            )));
        }
        let mut texts = texts.into_iter();
        let mut next = || texts.next().unwrap_or_default();
        Ok(Entry {
            index,
            previous,
            record: Record {
                at_millis,
                kind,
                actor: next(),
                action: next(),
                subject: next(),
                request: next(),
                outcome: next(),
                event_id: next(),
                detail: next(),
                seq,
                count,
            },
        })
    }
}

/// SHA-256 of canonical bytes: an entry's hash.
pub fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// `text`, cut to at most `MAX_FIELD_BYTES` at a character boundary.
fn cut(text: &str) -> &str {
    if text.len() <= MAX_FIELD_BYTES {
        return text;
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], AuditError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(AuditError::malformed(format!(
                "ends inside `{what}` (byte {} of {})",
                self.at,
                self.bytes.len()
            )));
        };
        let part = &self.bytes[self.at..end];
        self.at = end;
        Ok(part)
    }

    fn u8(&mut self, what: &str) -> Result<u8, AuditError> {
        Ok(self.take(1, what)?[0])
    }

    fn u64(&mut self, what: &str) -> Result<u64, AuditError> {
        let bytes: [u8; 8] = self.take(8, what)?.try_into().unwrap_or([0; 8]);
        Ok(u64::from_be_bytes(bytes))
    }

    fn hash(&mut self, what: &str) -> Result<Hash, AuditError> {
        Ok(self.take(32, what)?.try_into().unwrap_or([0; 32]))
    }

    fn text(&mut self, what: &str) -> Result<String, AuditError> {
        let len: [u8; 4] = self.take(4, what)?.try_into().unwrap_or([0; 4]);
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_FIELD_BYTES {
            return Err(AuditError::malformed(format!(
                "`{what}` is {len} bytes long (at most {MAX_FIELD_BYTES})"
            )));
        }
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| AuditError::malformed(format!("`{what}` is not UTF-8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_is_told_by_its_detail_as_the_writer_writes_it() {
        let with = |detail: &str| {
            let mut r = Record::new(0, Kind::Command, "p", "submit", OK);
            r.detail = detail.into();
            r.is_replay()
        };
        assert!(with(REPLAYED));
        assert!(with("version 2: 1 added, 0 changed, 0 removed, replayed"));
        assert!(!with("version 3"));
        assert!(!with("version 2: 1 added, 0 changed, 0 removed"));
        assert!(!with("notreplayed"));
    }

    fn entry() -> Entry {
        let mut record = Record::new(1_700_000_000_000, Kind::Command, "so-xd", "submit", OK);
        record.subject = "000.00.01.H01-261201-00001".into();
        record.request = "k-1".into();
        record.event_id = "ev".into();
        record.seq = 7;
        Entry {
            index: 3,
            previous: [9; 32],
            record,
        }
    }

    #[test]
    fn bytes_read_back_to_the_same_entry() {
        let e = entry();
        assert_eq!(Entry::decode(&e.encode()).unwrap(), e);
    }

    /// The layout is what partners verify: these bytes must never change.
    #[test]
    fn the_layout_keeps_its_bytes() {
        let bytes = entry().encode();
        assert_eq!(bytes[0], 1);
        assert_eq!(&bytes[1..9], &3u64.to_be_bytes());
        assert_eq!(&bytes[9..41], &[9; 32]);
        assert_eq!(&bytes[41..49], &1_700_000_000_000i64.to_be_bytes());
        assert_eq!(bytes[49], 1);
        assert_eq!(&bytes[50..54], &5u32.to_be_bytes());
        assert_eq!(&bytes[54..59], b"so-xd");
        assert_eq!(&bytes[59..63], &6u32.to_be_bytes());
        assert_eq!(&bytes[63..69], b"submit");
        assert_eq!(
            &bytes[bytes.len() - 16..bytes.len() - 8],
            &7u64.to_be_bytes()
        );
        assert_eq!(&bytes[bytes.len() - 8..], &1u64.to_be_bytes());
        assert_eq!(hash(&bytes), <[u8; 32]>::from(Sha256::digest(&bytes)));
    }

    #[test]
    fn a_long_field_is_cut_at_a_character_boundary() {
        let mut e = entry();
        e.record.detail = "ệ".repeat(200);
        let back = Entry::decode(&e.encode()).unwrap();
        assert!(back.record.detail.len() <= MAX_FIELD_BYTES);
        assert!(back.record.detail.starts_with("ệệ"));
    }

    #[test]
    fn bad_bytes_are_named() {
        let mut bytes = entry().encode();
        bytes.push(0);
        let e = Entry::decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("1 bytes after the last field"), "{e}");
        let e = Entry::decode(&bytes[..20]).unwrap_err().to_string();
        assert!(e.contains("previous hash"), "{e}");
        bytes[0] = 2;
        let e = Entry::decode(&bytes).unwrap_err().to_string();
        assert!(e.contains("format version 2"), "{e}");
    }
}
