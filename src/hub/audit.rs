//! What the hub records in the audit log beyond the writer's own decisions,
//! and what it makes of the log: checkpoints and receipts.
//!
//! The writer records every command it decides inside the group's batch
//! (`engine/writer.rs`); bookkeeping changes (acknowledgements, accepted
//! deliveries, re-drives) record themselves in their own batch
//! (`store/audit.rs`). What is left are refusals that change nothing:
//! they go through a bounded queue to one thread (`lienthong-audit`) that
//! writes them in batches, so a caller never waits for storage to be told
//! no. A flood cannot fill the disk: unauthenticated refusals and partners
//! over their limits are never itemised but counted per (partner, code) and
//! written as one `refusals` entry per second at most per pair; a full
//! queue is counted the same way. The same thread signs a checkpoint every
//! `[audit] checkpoint_interval_seconds` when a signing key is configured.

use super::HubError;
use crate::audit::{self, Checkpoint, Kind, Receipt, Record, Signed, SigningKey};
use crate::domain::{quoted, UnixMillis};
use crate::store::{AuditItem, Store};
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Refusals waiting for the audit thread before they are only counted.
const QUEUE_CAPACITY: usize = 4096;
/// How often counted refusals are written, at most.
const WINDOW: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct AuditSettings {
    /// Signs checkpoints; without it the chain is written but never signed
    /// and receipts are refused (FAILED_PRECONDITION).
    pub signing_key: Option<Arc<SigningKey>>,
    pub checkpoint_interval: Duration,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            signing_key: None,
            checkpoint_interval: Duration::from_secs(300),
        }
    }
}

/// Shared by the hub's handles and the audit thread.
struct Shared {
    store: Store,
    key: Option<Arc<SigningKey>>,
    /// Refusals counted, not itemised: (actor, code name) → how many.
    counted: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// One checkpoint at a time.
    checkpointing: Mutex<()>,
}

/// The hub's side of the audit log; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    shared: Arc<Shared>,
    queue: SyncSender<Record>,
}

/// Joins the audit thread once every `AuditLog` handle is dropped.
pub struct AuditThread(std::thread::JoinHandle<()>);

impl AuditThread {
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the audit thread panicked");
        }
    }
}

impl AuditLog {
    pub(super) fn start(
        store: Store,
        settings: AuditSettings,
    ) -> Result<(AuditLog, AuditThread), HubError> {
        let shared = Arc::new(Shared {
            store,
            key: settings.signing_key,
            counted: Mutex::new(BTreeMap::new()),
            checkpointing: Mutex::new(()),
        });
        let (queue, refusals) = sync_channel(QUEUE_CAPACITY);
        let for_thread = shared.clone();
        let interval = settings.checkpoint_interval.max(Duration::from_secs(1));
        let thread = std::thread::Builder::new()
            .name("lienthong-audit".into())
            .spawn(move || run(for_thread, refusals, interval))
            .map_err(|e| HubError::TaskFailed {
                what: "starting the audit thread".into(),
                reason: e.to_string(),
            })?;
        Ok((AuditLog { shared, queue }, AuditThread(thread)))
    }

    /// A request refused before the writer saw it (nothing changed).
    pub(super) fn refused(&self, record: Record) {
        if let Err(TrySendError::Full(record) | TrySendError::Disconnected(record)) =
            self.queue.try_send(record)
        {
            self.count(record.actor, outcome_name(&record.outcome));
        }
    }

    /// A refusal counted rather than itemised (unauthenticated, over a limit).
    pub(super) fn count(&self, actor: String, code: &'static str) {
        let mut counted = self
            .shared
            .counted
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *counted.entry((actor, code)).or_insert(0) += 1;
    }

    /// An operator's action that changed nothing in the store (the
    /// broker's parked messages); written before the operator is answered.
    pub(super) fn operator_action(&self, record: Record) -> Result<(), HubError> {
        Ok(self
            .shared
            .store
            .append_audit(vec![AuditItem::plain(record)])?)
    }

    /// Signs a checkpoint of the chain head now (blocking: it flushes).
    /// Returns the newest checkpoint; none when the chain is empty.
    pub fn checkpoint(&self) -> Result<Option<Signed>, HubError> {
        checkpoint(&self.shared)
    }

    /// A receipt for a partner's own accepted command (blocking); a
    /// checkpoint is made on demand when none covers it yet. Without
    /// `accepted_at`, found by its key while the key's idempotency record
    /// is kept (`store/receipt_lookups.rs`); with it, the accepted entry of
    /// that key closest to that time, within `RECEIPT_WINDOW` of it, from
    /// the chain itself (`store/audit_search.rs`), however old.
    pub fn receipt(
        &self,
        partner: &str,
        idempotency_key: &str,
        accepted_at: Option<UnixMillis>,
    ) -> Result<Receipt, HubError> {
        crate::domain::validate::idempotency_key(idempotency_key)?;
        let store = &self.shared.store;
        let index = match accepted_at {
            None => store.receipt_index(partner, idempotency_key)?,
            Some(at) => accepted_near(store, partner, idempotency_key, at)?,
        };
        let index = index.ok_or_else(|| HubError::NotFound {
            what: match accepted_at {
                None => format!(
                    "accepted command with idempotency_key {} (a key finds its receipt while \
                     its idempotency record is kept, retention.idempotency_retention_seconds; \
                     for an older one give accepted_at, when it was accepted)",
                    quoted(idempotency_key)
                ),
                Some(at) => format!(
                    "accepted command with idempotency_key {} within a day of accepted_at {} ms",
                    quoted(idempotency_key),
                    at.0
                ),
            },
        })?;
        let signed = match store.checkpoint_covering(index)? {
            Some(signed) => signed,
            None => {
                self.checkpoint()?;
                store.checkpoint_covering(index)?.ok_or_else(|| {
                    HubError::Storage(crate::store::StoreError::Corrupt {
                        key: format!("audit entry {index}"),
                        reason: "no checkpoint covers it after one was made".into(),
                    })
                })?
            }
        };
        let c = &signed.checkpoint;
        let hashes = store.audit_hashes(c.first, c.size)?;
        let entry = store.audit_entry(index)?.ok_or_else(|| {
            HubError::Storage(crate::store::StoreError::Corrupt {
                key: format!("audit entry {index}"),
                reason: "its receipt index names it but it is not stored".into(),
            })
        })?;
        Ok(Receipt {
            entry,
            merkle_path: audit::merkle_path(&hashes, (index - c.first) as usize),
            checkpoint: signed,
        })
    }

    /// The hub's public key, when it signs.
    pub fn public_key(&self) -> Option<audit::PublicKey> {
        self.shared.key.as_ref().map(|k| k.public_key())
    }
}

/// How far from the `accepted_at` a partner gives its accepted command is
/// looked for: its clock and ours may differ, and it may know the day only.
const RECEIPT_WINDOW: Duration = Duration::from_secs(86_400);

/// The entry of `partner`'s command or publication `key`, accepted (not
/// refused, not a replay) closest to `at` within `RECEIPT_WINDOW`.
fn accepted_near(
    store: &Store,
    partner: &str,
    key: &str,
    at: UnixMillis,
) -> Result<Option<u64>, HubError> {
    let window = RECEIPT_WINDOW.as_millis() as i64;
    let mut best: Option<(i64, u64)> = None;
    store.audit_entries_between(
        at.0.saturating_sub(window),
        at.0.saturating_add(window),
        |e| {
            let r = &e.record;
            let accepted = matches!(r.kind, Kind::Command | Kind::Publication)
                && r.outcome == audit::OK
                && r.actor == partner
                && r.request == key
                && !r.is_replay();
            let distance = (r.at_millis - at.0).abs();
            if accepted && best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, e.index));
            }
            true
        },
    )?;
    Ok(best.map(|(_, index)| index))
}

/// The code names the log uses, as static text for the counters.
fn outcome_name(outcome: &str) -> &'static str {
    lienthong_proto::ErrorCode::from_name(outcome)
        .map(|c| c.name())
        .unwrap_or("UNKNOWN")
}

fn checkpoint(shared: &Shared) -> Result<Option<Signed>, HubError> {
    let key = shared.key.as_ref().ok_or_else(|| HubError::NotSigning)?;
    let _one = shared
        .checkpointing
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let store = &shared.store;
    let (size, head) = store.audit_head()?;
    let last = store.last_checkpoint()?;
    let (number, first, previous) = match &last {
        None => (1, 0, [0u8; 32]),
        Some(s) => (
            s.checkpoint.number + 1,
            s.checkpoint.size,
            s.checkpoint.hash(),
        ),
    };
    if size <= first {
        return Ok(last);
    }
    // Everything it covers is on disk before it is signed.
    store.flush()?;
    let hashes = store.audit_hashes(first, size)?;
    let merkle_root = audit::merkle_root(&hashes)
        .filter(|_| hashes.len() as u64 == size - first && hashes.last() == Some(&head))
        .ok_or_else(|| {
            HubError::Storage(crate::store::StoreError::Corrupt {
                key: format!("audit entries {first} to {}", size - 1),
                reason: format!(
                    "{} of {} stored, or the head differs",
                    hashes.len(),
                    size - first
                ),
            })
        })?;
    let signed = key.sign(Checkpoint {
        number,
        first,
        size,
        head,
        merkle_root,
        previous,
        at_millis: UnixMillis::now().0,
    });
    store.put_checkpoint(&signed)?;
    Ok(Some(signed))
}

fn run(shared: Arc<Shared>, refusals: Receiver<Record>, interval: Duration) {
    let mut window_start = UnixMillis::now();
    let mut last_window = Instant::now();
    let mut last_checkpoint = Instant::now();
    loop {
        let closed = match refusals.recv_timeout(WINDOW) {
            Ok(first) => {
                let mut items = vec![AuditItem::plain(first)];
                items.extend(refusals.try_iter().take(1023).map(AuditItem::plain));
                write(&shared, items);
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if closed || last_window.elapsed() >= WINDOW {
            let now = UnixMillis::now();
            write_counted(&shared, window_start, now);
            window_start = now;
            last_window = Instant::now();
        }
        if shared.key.is_some() && (closed || last_checkpoint.elapsed() >= interval) {
            last_checkpoint = Instant::now();
            match checkpoint(&shared) {
                Ok(Some(signed)) => tracing::debug!(
                    number = signed.checkpoint.number,
                    entries = signed.checkpoint.size,
                    "audit checkpoint signed"
                ),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "could not sign an audit checkpoint; trying again at the next interval")
                }
            }
        }
        if closed {
            // What was counted last is on disk before the hub says it stopped.
            if let Err(e) = shared.store.flush() {
                tracing::warn!(error = %e, "could not flush the audit log's last entries");
            }
            return;
        }
    }
}

fn write_counted(shared: &Shared, from: UnixMillis, to: UnixMillis) {
    let counted = std::mem::take(&mut *shared.counted.lock().unwrap_or_else(|p| p.into_inner()));
    let items = counted
        .into_iter()
        .map(|((actor, code), count)| {
            let mut record = Record::new(to.0, Kind::Refusals, &actor, "requests", code);
            record.count = count;
            record.detail = format!(
                "refused from {} to {} (Unix ms), counted, not itemised",
                from.0, to.0
            );
            AuditItem::plain(record)
        })
        .collect::<Vec<_>>();
    if !items.is_empty() {
        write(shared, items);
    }
}

fn write(shared: &Shared, items: Vec<AuditItem>) {
    let records = items.len();
    if let Err(e) = shared.store.append_audit(items) {
        if e.is_unavailable() {
            tracing::debug!(error = %e, records, "refusals not logged: storage refuses writes");
        } else {
            tracing::warn!(error = %e, records, "could not append refusals to the audit log");
        }
    }
}
