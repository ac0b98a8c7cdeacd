//! The adapter's memory of the payments it created: one record per
//! reference (`MaThamChieu`), from INIT to a final state. The sink writes
//! it, the callback route and the re-query task move it on, and
//! `GET payments/{reference}` shows it.
//!
//! With `state_file` set, every change rewrites the file (write to a
//! temporary file, then rename), so pending payments are still re-queried
//! after a restart; without it the ledger lives in memory only.

use crate::error::PaymentError;
use crate::protocol::Bill;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

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
    file: Option<PathBuf>,
}

impl Ledger {
    /// An empty ledger, or the one saved in `file`.
    pub fn open(file: Option<PathBuf>) -> Result<Ledger, PaymentError> {
        let mut records = BTreeMap::new();
        if let Some(path) = &file {
            match std::fs::read(path) {
                Ok(bytes) => {
                    let list: Vec<PaymentRecord> =
                        serde_json::from_slice(&bytes).map_err(|e| PaymentError::State {
                            path: path.display().to_string(),
                            problem: format!("unreadable: {e}"),
                        })?;
                    for record in list {
                        records.insert(record.reference.clone(), record);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(PaymentError::State {
                        path: path.display().to_string(),
                        problem: e.to_string(),
                    })
                }
            }
        }
        Ok(Ledger {
            records: Mutex::new(records),
            file,
        })
    }

    pub fn get(&self, reference: &str) -> Option<PaymentRecord> {
        self.lock().get(reference).cloned()
    }

    /// Adds `record` unless its reference is known; answers the stored one.
    pub fn insert_if_absent(&self, record: PaymentRecord) -> Result<PaymentRecord, PaymentError> {
        let mut records = self.lock();
        if let Some(existing) = records.get(&record.reference) {
            return Ok(existing.clone());
        }
        records.insert(record.reference.clone(), record.clone());
        self.save(&records)?;
        Ok(record)
    }

    /// Changes the record of `reference`, if known; a failure to save is
    /// logged (the change stands in memory, and the next one saves again).
    pub fn update(
        &self,
        reference: &str,
        now: i64,
        change: impl FnOnce(&mut PaymentRecord),
    ) -> Option<PaymentRecord> {
        let mut records = self.lock();
        let record = records.get_mut(reference)?;
        change(record);
        record.updated_at_unix = now;
        let result = record.clone();
        if let Err(e) = self.save(&records) {
            tracing::error!(error = %e, reference, "payment ledger not saved");
        }
        Some(result)
    }

    /// Every record matching `filter`, by reference.
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

    fn save(&self, records: &BTreeMap<String, PaymentRecord>) -> Result<(), PaymentError> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let fail = |problem: String| PaymentError::State {
            path: path.display().to_string(),
            problem,
        };
        let list: Vec<&PaymentRecord> = records.values().collect();
        let bytes = serde_json::to_vec_pretty(&list).map_err(|e| fail(e.to_string()))?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes).map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "lienthong-payment-ledger-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("ledger.json");
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn insert_keeps_the_first_record() {
        let ledger = Ledger::open(None).expect("memory");
        let first = PaymentRecord::new("R-1", "HS", "e1", 100, "http://pay/1", 1);
        ledger.insert_if_absent(first.clone()).expect("insert");
        let again = PaymentRecord::new("R-1", "HS", "e2", 999, "http://pay/2", 2);
        assert_eq!(ledger.insert_if_absent(again).expect("insert"), first);
    }

    #[test]
    fn survives_a_restart_through_the_state_file() {
        let path = temp_file("restart");
        {
            let ledger = Ledger::open(Some(path.clone())).expect("open");
            ledger
                .insert_if_absent(PaymentRecord::new("R-1", "HS", "e1", 100, "u", 1))
                .expect("insert");
            ledger.update("R-1", 5, |r| r.queries = 3);
        }
        let reopened = Ledger::open(Some(path.clone())).expect("reopen");
        let record = reopened.get("R-1").expect("kept");
        assert_eq!((record.queries, record.updated_at_unix), (3, 5));
        std::fs::write(&path, b"not json").expect("write");
        assert!(Ledger::open(Some(path)).is_err());
    }

    #[test]
    fn select_filters() {
        let ledger = Ledger::open(None).expect("memory");
        for (i, state) in [PaymentState::Pending, PaymentState::Paid]
            .iter()
            .enumerate()
        {
            let mut r = PaymentRecord::new(&format!("R-{i}"), "HS", "e", 1, "u", 0);
            r.state = *state;
            ledger.insert_if_absent(r).expect("insert");
        }
        let pending = ledger.select(|r| r.state == PaymentState::Pending);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].reference, "R-0");
    }
}
