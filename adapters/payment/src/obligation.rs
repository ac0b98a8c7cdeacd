//! From a `financial_obligation_requested` event to what must be collected:
//! the payment's reference, its fee items and amount, and the receipt
//! information the treasury needs.
//!
//! - **Reference** (`MaThamChieu`) = `<MaHoSo>-<dossier version>`. The event
//!   is the dossier's change to that version, so a redelivery of the same
//!   event gives the same reference (and the gateway refuses a second
//!   payment for it), while a later obligation gets a new one.
//! - **What is due**: the dossier's fee items (`DanhSachLePhi`) not yet
//!   covered by its recorded payments, counted in order — payments cover
//!   the first fees first. A partly covered item is billed for its
//!   remainder.

use crate::error::PaymentError;
use crate::protocol::{FeeItem, Payer, ReceiptInfo};
use crate::settings::Settings;
use lienthong_adapter::pb;

/// What one obligation event asks the gateway to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub reference: String,
    pub ma_ho_so: String,
    pub amount_vnd: i64,
    pub description: String,
    pub receipt: ReceiptInfo,
}

/// The reference of the payment for `ma_ho_so` at `version`.
pub fn reference(ma_ho_so: &str, version: u64) -> String {
    format!("{ma_ho_so}-{version}")
}

/// The fee items still due: fees in order, minus what payments covered.
pub fn outstanding(fees: &[pb::Fee], payments: &[pb::Payment]) -> Vec<FeeItem> {
    let mut covered: i64 = payments.iter().map(|p| p.amount_vnd.max(0)).sum();
    let mut due = Vec::new();
    for fee in fees {
        let amount = fee.amount_vnd.max(0);
        let taken = covered.min(amount);
        covered -= taken;
        if amount - taken > 0 {
            due.push(FeeItem {
                code: fee.code.clone(),
                name: fee.name.clone(),
                amount_vnd: amount - taken,
            });
        }
    }
    due
}

/// The obligation an event asks for; an error when the event cannot be
/// collected (it never will be: the hub should park it).
pub fn from_event(event: &pb::Event, settings: &Settings) -> Result<Obligation, PaymentError> {
    let dossier = lienthong_adapter::event::dossier(event)
        .map_err(|e| PaymentError::Event(format!("{}: cannot tell what to collect", e.reason())))?;
    let ma_ho_so = if dossier.ma_ho_so.is_empty() {
        event.ma_ho_so.clone()
    } else {
        dossier.ma_ho_so.clone()
    };
    if ma_ho_so.is_empty() {
        return Err(PaymentError::Event(format!(
            "event {} names no MaHoSo",
            event.event_id
        )));
    }
    let version = if event.dossier_version > 0 {
        event.dossier_version
    } else {
        dossier.version
    };
    let items = outstanding(&dossier.fees, &dossier.payments);
    let amount_vnd: i64 = items.iter().map(|i| i.amount_vnd).sum();
    if amount_vnd <= 0 {
        return Err(PaymentError::Event(format!(
            "dossier {ma_ho_so}: nothing to collect (fees {} VND, already paid {} VND)",
            dossier.fees.iter().map(|f| f.amount_vnd).sum::<i64>(),
            dossier.payments.iter().map(|p| p.amount_vnd).sum::<i64>()
        )));
    }
    let procedure = if dossier.procedure_name.is_empty() {
        &dossier.procedure_code
    } else {
        &dossier.procedure_name
    };
    Ok(Obligation {
        reference: reference(&ma_ho_so, version),
        description: format!("Nộp phí, lệ phí hồ sơ {ma_ho_so}: {procedure}"),
        amount_vnd,
        receipt: ReceiptInfo {
            ma_ho_so: ma_ho_so.clone(),
            agency_code: dossier.agency_code.clone(),
            beneficiary_account: settings.beneficiary_account.clone(),
            beneficiary_bank: settings.beneficiary_bank.clone(),
            treasury_code: settings.treasury_code.clone(),
            treasury_name: settings.treasury_name.clone(),
            revenue_account: settings.revenue_account.clone(),
            items,
            payer: Payer {
                name: dossier.owner_name.clone(),
                id_number: dossier.owner_id_number.clone(),
                phone: dossier.phone.clone(),
                email: dossier.email.clone(),
            },
        },
        ma_ho_so,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(code: &str, amount: i64) -> pb::Fee {
        pb::Fee {
            code: code.into(),
            name: format!("Phí {code}"),
            amount_vnd: amount,
        }
    }

    fn paid(amount: i64) -> pb::Payment {
        pb::Payment {
            amount_vnd: amount,
            ..Default::default()
        }
    }

    #[test]
    fn outstanding_counts_payments_against_fees_in_order() {
        let fees = [fee("A", 50_000), fee("B", 100_000), fee("C", 0)];
        assert_eq!(outstanding(&fees, &[]).len(), 2, "a zero fee is not billed");
        let due = outstanding(&fees, &[paid(50_000)]);
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].code.as_str(), due[0].amount_vnd), ("B", 100_000));
        let due = outstanding(&fees, &[paid(70_000)]);
        assert_eq!((due[0].code.as_str(), due[0].amount_vnd), ("B", 80_000));
        assert!(outstanding(&fees, &[paid(150_000)]).is_empty());
        assert!(outstanding(&fees, &[paid(900_000)]).is_empty());
    }

    #[test]
    fn reference_is_dossier_and_version() {
        assert_eq!(
            reference("000.00.01.H22-251122-00017", 5),
            "000.00.01.H22-251122-00017-5"
        );
    }
}
