//! One reconciliation run for one day: fetch the two files, pick the
//! records of that day, reconcile, write the report CSV to `report_dir`
//! (`doisoat-<yyyyMMdd>.csv`, replaced by a later run of the same day) and
//! answer the summary.
//!
//! Which records belong to day D: the gateway's settlement file of D (it
//! lists payments by payment time); the treasury's credit files of D and
//! D+1, keeping the credits whose payment time (`ThoiGianThanhToan`) falls
//! on D — a payment at 23:59 credited after midnight still belongs to D —
//! or, when a credit carries no payment time, those credited on D.

use crate::client::Client;
use crate::error::TreasuryError;
use crate::reconcile::files::{parse_credited, parse_settled, write_report};
use crate::reconcile::{reconcile, Credited, Report};
use lienthong_adapter::vietnam_time;
use std::path::PathBuf;
use std::sync::Arc;

/// The outcome of one run.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub date: String,
    pub report_file: PathBuf,
    pub report: Report,
}

impl RunResult {
    /// The JSON answer of `POST reconcile`: the summary and every line that
    /// needs an operator.
    pub fn to_json(&self) -> serde_json::Value {
        let discrepancies: Vec<serde_json::Value> = self
            .report
            .discrepancies()
            .map(|line| {
                serde_json::json!({
                    "outcome": line.outcome,
                    "reference": line.reference(),
                    "transaction_id": line.transaction_id(),
                    "ma_ho_so": line.ma_ho_so(),
                    "gateway_amount_vnd": line.gateway_amount_vnd(),
                    "treasury_amount_vnd": line.treasury_amount_vnd(),
                    "document_number": line.treasury.as_ref().map(|t| t.document_number.clone()),
                    "differences": line.differences,
                    "note": line.note(),
                })
            })
            .collect();
        serde_json::json!({
            "date": self.date,
            "report_file": self.report_file.display().to_string(),
            "clean": self.report.summary.is_clean(),
            "summary": self.report.summary,
            "discrepancies": discrepancies,
        })
    }
}

pub struct Reconciler {
    pub partner_id: String,
    pub client: Arc<Client>,
    pub report_dir: PathBuf,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Reconciler {
    pub fn new(partner_id: &str, client: Arc<Client>, report_dir: PathBuf) -> Reconciler {
        Reconciler {
            partner_id: partner_id.to_string(),
            client,
            report_dir,
            one_at_a_time: tokio::sync::Mutex::new(()),
        }
    }

    /// Reconciles `date` (`yyyyMMdd`, Vietnam).
    pub async fn run(&self, date: &str) -> Result<RunResult, TreasuryError> {
        if !vietnam_time::is_date(date) {
            return Err(TreasuryError::Date(date.to_string()));
        }
        let next = vietnam_time::shift_date(date, 1)
            .ok_or_else(|| TreasuryError::Date(date.to_string()))?;
        let _one = self.one_at_a_time.lock().await;
        let gateway = parse_settled(&self.client.settlement_file(date).await?)?;
        let mut credits = parse_credited(&self.client.credit_file(date).await?)?;
        credits.extend(parse_credited(&self.client.credit_file(&next).await?)?);
        let treasury = of_day(credits, date);
        let report = reconcile(&gateway, &treasury);
        let report_file = self.write(date, &report).await?;
        let s = &report.summary;
        if s.is_clean() {
            tracing::info!(partner = %self.partner_id, date, matched = s.matched, "reconciliation clean");
        } else {
            tracing::warn!(
                partner = %self.partner_id,
                date,
                matched = s.matched,
                amount_mismatch = s.amount_mismatch,
                field_mismatch = s.field_mismatch,
                missing_in_treasury = s.missing_in_treasury,
                missing_in_gateway = s.missing_in_gateway,
                duplicate_in_gateway = s.duplicate_in_gateway,
                duplicate_in_treasury = s.duplicate_in_treasury,
                report = %report_file.display(),
                "reconciliation found discrepancies"
            );
        }
        Ok(RunResult {
            date: date.to_string(),
            report_file,
            report,
        })
    }

    async fn write(&self, date: &str, report: &Report) -> Result<PathBuf, TreasuryError> {
        let path = self.report_dir.join(format!("doisoat-{date}.csv"));
        let fail = |e: std::io::Error| TreasuryError::Report {
            path: path.display().to_string(),
            problem: e.to_string(),
        };
        tokio::fs::create_dir_all(&self.report_dir)
            .await
            .map_err(fail)?;
        let tmp = path.with_extension("csv.tmp");
        tokio::fs::write(&tmp, write_report(report))
            .await
            .map_err(fail)?;
        tokio::fs::rename(&tmp, &path).await.map_err(fail)?;
        Ok(path)
    }
}

/// The credits of payments made on `date` (see the module comment).
pub fn of_day(credits: Vec<Credited>, date: &str) -> Vec<Credited> {
    credits
        .into_iter()
        .filter(|c| {
            if c.paid_at.is_empty() {
                c.credited_at.starts_with(date)
            } else {
                c.paid_at.starts_with(date)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_credit_belongs_to_the_payment_day() {
        let credit = |paid: &str, credited: &str| Credited {
            paid_at: paid.into(),
            credited_at: credited.into(),
            ..Default::default()
        };
        let credits = vec![
            credit("20251122235950", "20251123000010"),
            credit("20251121235950", "20251122000010"),
            credit("20251122100000", "20251122100005"),
            credit("", "20251122110000"),
            credit("", "20251123110000"),
        ];
        let day = of_day(credits, "20251122");
        let kept: Vec<_> = day.iter().map(|c| c.credited_at.as_str()).collect();
        assert_eq!(
            kept,
            vec!["20251123000010", "20251122100005", "20251122110000"]
        );
    }
}
