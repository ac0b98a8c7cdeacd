//! The adapter's memory of the payments it created: one record per
//! reference (`MaThamChieu`), from INIT to a final state. The sink writes
//! it, the callback route and the re-query task move it on, and
//! `GET payments/{reference}` shows it.
//!
//! Every record is kept in the adapter's state in the hub's store
//! (`payment/<MaThamChieu>`, `lienthong_adapter::state`), written before the
//! change is acted on or answered, and all are read back once after a start
//! ([`Ledger::load`], awaited by every entry point before it reads the
//! ledger): a payment pending across a restart is re-queried and settled
//! after it. The records are also held in memory, for the re-query task's
//! passes.
//!
//! The former `state_file` (a JSON file the adapter rewrote on every
//! change) is still read, once, for deployments that had one: its records
//! are imported into the store at the first start (records the store
//! already has win), a marker (`import/state_file`) keeps that from
//! happening twice, and the file is never written again.

use crate::error::PaymentError;
use crate::protocol::Bill;
use lienthong_adapter::{state, Durable, StateError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

const PREFIX: &str = "payment/";
/// Set once a `state_file` was imported (its path as the value).
const IMPORTED: &str = "import/state_file";

fn key(reference: &str) -> String {
    format!("{PREFIX}{reference}")
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// INIT accepted; not paid yet (or paid but not yet recorded in the hub).
    Pending,
    /// Paid at the gateway and recorded in the hub.
    Paid,
    /// Paid at the gateway, but the hub refused the payment for good (the
    /// dossier moved on, was withdrawn…): an operator must act (refund).
    PaidNotRecorded,
    /// The gateway says the payment failed (QUERY status 4 or a callback
    /// with a result code other than `00`).
    Failed,
    /// QUERY reported a success for a different amount than requested.
    AmountMismatch,
    /// Still pending after `give_up_after_hours`: no longer re-queried.
    Expired,
}

impl PaymentState {
    /// Whether a success reported later may still settle the payment.
    pub fn may_still_settle(self) -> bool {
        matches!(
            self,
            PaymentState::Pending | PaymentState::Failed | PaymentState::Expired
        )
    }
}

/// One payment the adapter created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    pub reference: String,
    pub ma_ho_so: String,
    pub event_id: String,
    pub amount_vnd: i64,
    pub payment_url: String,
    pub state: PaymentState,
    pub created_at_unix: i64,
    pub updated_at_unix: i64,
    /// `MaGiaoDich`, `NganHang`, `ThoiGianThanhToan` once paid.
    #[serde(default)]
    pub transaction_id: String,
    #[serde(default)]
    pub bank: String,
    #[serde(default)]
    pub paid_at: String,
    /// The gateway's result code of a failed payment.
    #[serde(default)]
    pub gateway_result: String,
    #[serde(default)]
    pub queries: u32,
    #[serde(default)]
    pub last_error: String,
    /// The electronic receipt (GET_BILL), once fetched.
    #[serde(default)]
    pub receipt: Option<Bill>,
    #[serde(default)]
    pub bill_attempts: u32,
    /// Further successful transactions for an already paid reference (a
    /// double payment to refund).
    #[serde(default)]
    pub extra_transactions: Vec<String>,
}

impl PaymentRecord {
    pub fn new(
        reference: &str,
        ma_ho_so: &str,
        event_id: &str,
        amount_vnd: i64,
        payment_url: &str,
        now: i64,
    ) -> PaymentRecord {
        PaymentRecord {
            reference: reference.to_string(),
            ma_ho_so: ma_ho_so.to_string(),
            event_id: event_id.to_string(),
            amount_vnd,
            payment_url: payment_url.to_string(),
            state: PaymentState::Pending,
            created_at_unix: now,
            updated_at_unix: now,
            transaction_id: String::new(),
            bank: String::new(),
            paid_at: String::new(),
            gateway_result: String::new(),
            queries: 0,
            last_error: String::new(),
            receipt: None,
            bill_attempts: 0,
            extra_transactions: Vec::new(),
        }
    }
}

pub struct Ledger {
    records: Mutex<BTreeMap<String, PaymentRecord>>,
    durable: Durable,
    /// Records of a former `state_file` to import at the first start, with
    /// the file's path.
    import: Option<(String, Vec<PaymentRecord>)>,
    loaded: tokio::sync::OnceCell<()>,
    /// One write at a time, so the store receives a record's changes in
    /// the order they were made.
    writing: tokio::sync::Mutex<()>,
}

/// The records of a former `state_file` (none when it does not exist).
pub fn read_state_file(path: &Path) -> Result<Vec<PaymentRecord>, PaymentError> {
    let fail = |problem: String| PaymentError::State {
        path: path.display().to_string(),
        problem,
    };
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| fail(format!("unreadable: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(fail(e.to_string())),
    }
}

impl Ledger {
    /// A ledger kept in `durable`; `import` is a former state file's path
    /// and records.
    pub fn new(durable: Durable, import: Option<(String, Vec<PaymentRecord>)>) -> Ledger {
        Ledger {
            records: Mutex::default(),
            durable,
            import,
            loaded: tokio::sync::OnceCell::new(),
            writing: tokio::sync::Mutex::new(()),
        }
    }

    /// Reads the stored records back (and imports a former state file),
    /// once; a failure is tried again at the next call.
    pub async fn load(&self) -> Result<(), StateError> {
        self.loaded
            .get_or_try_init(|| async {
                self.import_state_file().await?;
                let kept = self.durable.scan::<PaymentRecord>(PREFIX).await?;
                let mut records = self.lock();
                for (_, record) in kept {
                    records.entry(record.reference.clone()).or_insert(record);
                }
                tracing::info!(records = records.len(), "payment ledger read back");
                Ok(())
            })
            .await
            .map(|_| ())
    }

    async fn import_state_file(&self) -> Result<(), StateError> {
        let Some((path, records)) = &self.import else {
            return Ok(());
        };
        if self.durable.get::<String>(IMPORTED).await?.is_some() {
            tracing::warn!(path = %path, "`state_file` is no longer used (its records are in the hub's store): remove the key and the file");
            return Ok(());
        }
        let mut imported = 0;
        for record in records {
            let key = key(&record.reference);
            if let Err(e) = state::check_key(&key) {
                tracing::error!(path = %path, error = %e, "payment of the state file not imported");
                continue;
            }
            if self.durable.get::<PaymentRecord>(&key).await?.is_none() {
                self.durable.put(&key, record).await?;
                imported += 1;
            }
        }
        self.durable.put(IMPORTED, path).await?;
        tracing::warn!(path = %path, imported, "payments of `state_file` imported into the hub's store; the file is no longer written: remove the key and the file");
        Ok(())
    }

    /// The record of `reference` (after [`Ledger::load`]).
    pub fn get(&self, reference: &str) -> Option<PaymentRecord> {
        self.lock().get(reference).cloned()
    }

    /// Adds `record` unless its reference is known; answers the stored one.
    /// Stored before it answers: the caller then hands out its URL.
    pub async fn insert_if_absent(
        &self,
        record: PaymentRecord,
    ) -> Result<PaymentRecord, PaymentError> {
        self.load().await?;
        let _one = self.writing.lock().await;
        if let Some(existing) = self.get(&record.reference) {
            return Ok(existing);
        }
        self.durable.put(&key(&record.reference), &record).await?;
        self.lock().insert(record.reference.clone(), record.clone());
        Ok(record)
    }

    /// Changes the record of `reference`, if known, and stores it. A
    /// failure to store is logged: the change stands in memory and the
    /// record's next change stores it; if the hub stops first, the step is
    /// done again after the restart (a QUERY, a settle under the same
    /// idempotency key), never lost.
    pub async fn update(
        &self,
        reference: &str,
        now: i64,
        change: impl FnOnce(&mut PaymentRecord),
    ) -> Option<PaymentRecord> {
        let _one = self.writing.lock().await;
        let result = {
            let mut records = self.lock();
            let record = records.get_mut(reference)?;
            change(record);
            record.updated_at_unix = now;
            record.clone()
        };
        if let Err(e) = self.durable.put(&key(reference), &result).await {
            tracing::error!(error = %e, reference, "payment record not stored");
        }
        Some(result)
    }

    /// Every record matching `filter`, by reference (after
    /// [`Ledger::load`]).
    pub fn select(&self, filter: impl Fn(&PaymentRecord) -> bool) -> Vec<PaymentRecord> {
        self.lock()
            .values()
            .filter(|r| filter(r))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, PaymentRecord>> {
        lienthong_adapter::sync::lock(&self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::testing::FakeHub;
    use std::sync::Arc;

    fn ledger(hub: &Arc<FakeHub>) -> Ledger {
        Ledger::new(Durable::new(hub.clone()), None)
    }

    #[tokio::test]
    async fn insert_keeps_the_first_record() {
        let hub = Arc::new(FakeHub::default());
        let ledger = ledger(&hub);
        let first = PaymentRecord::new("R-1", "HS", "e1", 100, "http://pay/1", 1);
        ledger
            .insert_if_absent(first.clone())
            .await
            .expect("insert");
        let again = PaymentRecord::new("R-1", "HS", "e2", 999, "http://pay/2", 2);
        assert_eq!(ledger.insert_if_absent(again).await.expect("insert"), first);
    }

    #[tokio::test]
    async fn survives_a_restart_through_the_hub_store() {
        let hub = Arc::new(FakeHub::default());
        {
            let ledger = ledger(&hub);
            ledger
                .insert_if_absent(PaymentRecord::new("R-1", "HS", "e1", 100, "u", 1))
                .await
                .expect("insert");
            ledger.update("R-1", 5, |r| r.queries = 3).await;
        }
        let reopened = ledger(&hub);
        assert!(reopened.get("R-1").is_none(), "not read back before load");
        reopened.load().await.expect("load");
        let record = reopened.get("R-1").expect("kept");
        assert_eq!((record.queries, record.updated_at_unix), (3, 5));
        let keys: Vec<String> = hub.kept().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["payment/R-1"]);
    }

    #[tokio::test]
    async fn a_state_file_is_imported_once_and_the_store_wins() {
        let hub = Arc::new(FakeHub::default());
        let stored = PaymentRecord::new("R-1", "HS", "e1", 100, "stored", 1);
        ledger(&hub).insert_if_absent(stored.clone()).await.unwrap();
        let file = vec![
            PaymentRecord::new("R-1", "HS", "e1", 100, "from-file", 1),
            PaymentRecord::new("R-2", "HS", "e2", 200, "from-file", 1),
        ];
        let import = || Some(("/var/lib/p.json".to_string(), file.clone()));
        let first = Ledger::new(Durable::new(hub.clone()), import());
        first.load().await.unwrap();
        assert_eq!(first.get("R-1").unwrap().payment_url, "stored");
        assert_eq!(first.get("R-2").unwrap().payment_url, "from-file");
        first
            .update("R-2", 9, |r| r.state = PaymentState::Paid)
            .await;
        // The next start imports nothing again: R-2 stays paid.
        let second = Ledger::new(Durable::new(hub.clone()), import());
        second.load().await.unwrap();
        assert_eq!(second.get("R-2").unwrap().state, PaymentState::Paid);
    }

    #[test]
    fn an_absent_state_file_has_nothing_and_an_unreadable_one_is_named() {
        let absent = std::env::temp_dir().join("lienthong-no-such-ledger.json");
        assert!(read_state_file(&absent).unwrap().is_empty());
        // A file that is not JSON (this source file).
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ledger.rs");
        let e = read_state_file(&path).unwrap_err();
        assert!(e.to_string().contains("ledger.rs: unreadable"), "{e}");
    }

    #[tokio::test]
    async fn select_filters() {
        let hub = Arc::new(FakeHub::default());
        let ledger = ledger(&hub);
        for (i, state) in [PaymentState::Pending, PaymentState::Paid]
            .iter()
            .enumerate()
        {
            let mut r = PaymentRecord::new(&format!("R-{i}"), "HS", "e", 1, "u", 0);
            r.state = *state;
            ledger.insert_if_absent(r).await.expect("insert");
        }
        let pending = ledger.select(|r| r.state == PaymentState::Pending);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].reference, "R-0");
    }
}
