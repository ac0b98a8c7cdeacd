//! What the hub remembers of an accepted request (format 1): the request's
//! fingerprint, when, and the first answer to replay.

use super::dossier::{line, line_v1, HistoryLineV1};
use super::Record;
use crate::domain::{HistoryEntry, UnixMillis};
use serde::Deserialize;

/// What the hub remembers of an accepted request, keyed by partner and
/// idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// SHA-256 of the request's canonical form, in hex.
    pub fingerprint: String,
    pub created_at: UnixMillis,
    /// The answer given the first time, replayed as is.
    pub reply: StoredAnswer,
}

/// The first answer, as much of it as cannot be read elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredAnswer {
    /// A command on a dossier: the dossier itself is stored anyway.
    Command {
        dossier_id: u64,
        dossier_version: u64,
        entry: HistoryEntry,
        event_seq: u64,
        event_id: String,
    },
    /// A catalogue publication.
    Publication {
        kind: String,
        version: u64,
        added: u32,
        changed: u32,
        removed: u32,
        event_seq: u64,
    },
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct IdempotencyV1 {
    /// The fingerprint's 32 bytes (it is always SHA-256 in hex)…
    #[prost(bytes = "vec", tag = "1")]
    pub fingerprint: Vec<u8>,
    /// …or, were it ever not hex, its text.
    #[prost(string, tag = "2")]
    pub fingerprint_text: String,
    #[prost(int64, tag = "3")]
    pub created_at: i64,
    #[prost(oneof = "AnswerV1", tags = "4, 5")]
    pub answer: Option<AnswerV1>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum AnswerV1 {
    #[prost(message, tag = "4")]
    Command(CommandAnswerV1),
    #[prost(message, tag = "5")]
    Publication(PublicationAnswerV1),
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct CommandAnswerV1 {
    #[prost(uint64, tag = "1")]
    pub dossier_id: u64,
    #[prost(uint64, tag = "2")]
    pub dossier_version: u64,
    #[prost(message, optional, tag = "3")]
    pub entry: Option<HistoryLineV1>,
    #[prost(uint64, tag = "4")]
    pub event_seq: u64,
    #[prost(string, tag = "5")]
    pub event_id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PublicationAnswerV1 {
    #[prost(string, tag = "1")]
    pub kind: String,
    #[prost(uint64, tag = "2")]
    pub version: u64,
    #[prost(uint32, tag = "3")]
    pub added: u32,
    #[prost(uint32, tag = "4")]
    pub changed: u32,
    #[prost(uint32, tag = "5")]
    pub removed: u32,
    #[prost(uint64, tag = "6")]
    pub event_seq: u64,
}

/// Format 0: `{"fingerprint", "created_at", "reply"}`, the reply being the
/// engine's answer as JSON (a command's or a publication's). Frozen here:
/// these are the names that were on disk.
#[derive(Deserialize)]
pub struct IdempotencyJson {
    fingerprint: String,
    created_at: UnixMillis,
    reply: ReplyJson,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ReplyJson {
    Command {
        dossier_id: u64,
        dossier_version: u64,
        entry: HistoryEntry,
        event_seq: u64,
        event_id: String,
    },
    Publication {
        kind: String,
        version: u64,
        added: u32,
        changed: u32,
        removed: u32,
        event_seq: u64,
    },
}

impl Record for IdempotencyRecord {
    type V1 = IdempotencyV1;
    type Json = IdempotencyJson;

    fn to_v1(&self) -> IdempotencyV1 {
        let (fingerprint, fingerprint_text) = match hex::decode(&self.fingerprint) {
            Ok(bytes) if hex::encode(&bytes) == self.fingerprint => (bytes, String::new()),
            _ => (Vec::new(), self.fingerprint.clone()),
        };
        let answer = match &self.reply {
            StoredAnswer::Command {
                dossier_id,
                dossier_version,
                entry,
                event_seq,
                event_id,
            } => AnswerV1::Command(CommandAnswerV1 {
                dossier_id: *dossier_id,
                dossier_version: *dossier_version,
                entry: Some(line_v1(entry, true)),
                event_seq: *event_seq,
                event_id: event_id.clone(),
            }),
            StoredAnswer::Publication {
                kind,
                version,
                added,
                changed,
                removed,
                event_seq,
            } => AnswerV1::Publication(PublicationAnswerV1 {
                kind: kind.clone(),
                version: *version,
                added: *added,
                changed: *changed,
                removed: *removed,
                event_seq: *event_seq,
            }),
        };
        IdempotencyV1 {
            fingerprint,
            fingerprint_text,
            created_at: self.created_at.0,
            answer: Some(answer),
        }
    }

    fn from_v1(_key: &[u8], v1: IdempotencyV1) -> Result<IdempotencyRecord, String> {
        let fingerprint = if v1.fingerprint.is_empty() {
            v1.fingerprint_text
        } else {
            hex::encode(&v1.fingerprint)
        };
        let reply = match v1
            .answer
            .ok_or("an idempotency record carries its answer")?
        {
            AnswerV1::Command(c) => {
                let entry = c
                    .entry
                    .ok_or("a command's answer carries its history line")?;
                StoredAnswer::Command {
                    dossier_id: c.dossier_id,
                    dossier_version: c.dossier_version,
                    entry: line(entry.version, entry)?,
                    event_seq: c.event_seq,
                    event_id: c.event_id,
                }
            }
            AnswerV1::Publication(p) => StoredAnswer::Publication {
                kind: p.kind,
                version: p.version,
                added: p.added,
                changed: p.changed,
                removed: p.removed,
                event_seq: p.event_seq,
            },
        };
        Ok(IdempotencyRecord {
            fingerprint,
            created_at: UnixMillis(v1.created_at),
            reply,
        })
    }

    fn from_json(json: IdempotencyJson) -> IdempotencyRecord {
        let reply = match json.reply {
            ReplyJson::Command {
                dossier_id,
                dossier_version,
                entry,
                event_seq,
                event_id,
            } => StoredAnswer::Command {
                dossier_id,
                dossier_version,
                entry,
                event_seq,
                event_id,
            },
            ReplyJson::Publication {
                kind,
                version,
                added,
                changed,
                removed,
                event_seq,
            } => StoredAnswer::Publication {
                kind,
                version,
                added,
                changed,
                removed,
                event_seq,
            },
        };
        IdempotencyRecord {
            fingerprint: json.fingerprint,
            created_at: json.created_at,
            reply,
        }
    }
}
