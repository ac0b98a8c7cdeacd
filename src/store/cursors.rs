//! Durable cursors: how far each event consumer has got in the outbox.
//!
//! A cursor is named by a [`CursorId`], never by a string built at the call
//! site, so the three kinds of consumer (a partner acknowledging its gRPC
//! feed, an adapter's relay, the AMQP publisher) cannot drift into three
//! spellings. `CursorId::name` is the one place that spells the stored key;
//! the spellings are on disk in existing data directories and never change.
//!
//! Cursors are written outside the group commit: the writer thread never
//! touches them, and a cursor that lags only means events are offered again.

use super::{keys, AuditItem, Store, StoreError};
use crate::audit::Record;
use std::fmt;

/// Which consumer a cursor belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CursorId {
    /// A partner's gRPC subscription, moved by its acknowledgements.
    Partner(String),
    /// The delivery relay feeding a partner's adapter.
    Adapter(String),
    /// The AMQP publisher feeding the events exchange.
    AmqpEvents,
    /// The hosted one-stop workspace's read model, of the module partner
    /// it acts as.
    Workspace(String),
    /// The relay to another site's hub (`[site]`), moved by that hub's
    /// acknowledgements.
    Site(String),
}

impl CursorId {
    /// The name stored under the cursor prefix: the partner id itself,
    /// `adapter:<partner id>`, `amqp:events` or `workspace:<partner id>`.
    /// Partner ids cannot contain `:`, so they never collide.
    pub fn name(&self) -> String {
        match self {
            CursorId::Partner(partner) => partner.clone(),
            CursorId::Adapter(partner) => format!("adapter:{partner}"),
            CursorId::AmqpEvents => "amqp:events".to_string(),
            CursorId::Workspace(partner) => format!("workspace:{partner}"),
            CursorId::Site(code) => format!("site:{code}"),
        }
    }

    fn key(&self) -> Vec<u8> {
        let mut key = vec![keys::CURSOR];
        key.extend_from_slice(self.name().as_bytes());
        key
    }
}

impl fmt::Display for CursorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Store {
    /// The seq a consumer has got to (0 when it never stored one).
    pub fn cursor(&self, id: &CursorId) -> Result<u64, StoreError> {
        Ok(self.get_u64(&id.key())?.unwrap_or(0))
    }

    /// Moves a consumer's cursor forward to `seq` (never backwards) and makes
    /// it durable. Returns the cursor now stored.
    pub fn advance_cursor(&self, id: &CursorId, seq: u64) -> Result<u64, StoreError> {
        let key = id.key();
        let updated = self
            .write_db()?
            .update_and_fetch(&key, |old| {
                let current = old.and_then(|b| keys::read_u64(&key, b).ok()).unwrap_or(0);
                Some(current.max(seq).to_be_bytes().to_vec())
            })
            .map_err(|e| self.failed("storing a cursor", e))?;
        self.flush()?;
        match updated {
            Some(bytes) => keys::read_u64(&key, &bytes),
            None => Ok(0),
        }
    }
}

impl Store {
    /// `advance_cursor` for a partner's own acknowledgement, recorded in
    /// the audit log in the same batch as the cursor it moves.
    pub fn acknowledge(&self, id: &CursorId, seq: u64, record: Record) -> Result<u64, StoreError> {
        let key = id.key();
        let mut stored = 0;
        self.apply_audited(
            "storing a cursor",
            None,
            vec![AuditItem::plain(record)],
            |db, batch| {
                let current = match db
                    .get(&key)
                    .map_err(|e| self.failed("reading a cursor", e))?
                {
                    Some(bytes) => keys::read_u64(&key, &bytes)?,
                    None => 0,
                };
                stored = current.max(seq);
                batch.insert(key.clone(), stored.to_be_bytes().to_vec());
                Ok((1, (key.len() + 8) as u64))
            },
        )?;
        self.flush()?;
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::CursorId;

    /// These names are keys in existing data directories: they must not change.
    #[test]
    fn stored_names_are_the_ones_on_disk() {
        assert_eq!(CursorId::Partner("postal".into()).name(), "postal");
        assert_eq!(CursorId::Adapter("postal".into()).name(), "adapter:postal");
        assert_eq!(CursorId::AmqpEvents.name(), "amqp:events");
        assert_eq!(
            CursorId::Workspace("mot-cua".into()).name(),
            "workspace:mot-cua"
        );
        assert_eq!(CursorId::Adapter("p".into()).key(), b"cadapter:p".to_vec());
    }
}
