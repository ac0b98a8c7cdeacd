//! From a `payment_recorded` event to the credit notice (báo có) the
//! treasury needs: the payment just recorded is the dossier's last one
//! (the hub appends each recorded payment), credited to the configured
//! treasury and state-budget revenue account.

use crate::error::TreasuryError;
use crate::protocol::{CreditNotice, Signed};
use crate::settings::Settings;
use lienthong_adapter::pb;
use lienthong_adapter::vietnam_time;

pub fn from_event(event: &pb::Event, settings: &Settings) -> Result<CreditNotice, TreasuryError> {
    let dossier = lienthong_adapter::event::dossier(event)
        .map_err(|e| TreasuryError::Event(format!("{}: no payment to credit", e.reason())))?;
    let payment = dossier.payments.last().ok_or_else(|| {
        TreasuryError::Event(format!(
            "event {}: dossier {} has no recorded payment",
            event.event_id, dossier.ma_ho_so
        ))
    })?;
    let ma_ho_so = if dossier.ma_ho_so.is_empty() {
        event.ma_ho_so.clone()
    } else {
        dossier.ma_ho_so.clone()
    };
    for (field, value) in [
        ("MaHoSo", &ma_ho_so),
        ("MaGiaoDich", &payment.transaction_id),
        ("MaThamChieu", &payment.reference),
    ] {
        if value.trim().is_empty() {
            return Err(TreasuryError::Event(format!(
                "event {}: the recorded payment has no {field}",
                event.event_id
            )));
        }
    }
    if payment.amount_vnd <= 0 {
        return Err(TreasuryError::Event(format!(
            "event {}: payment {} has amount {} VND",
            event.event_id, payment.transaction_id, payment.amount_vnd
        )));
    }
    let paid_at = payment
        .paid_at
        .as_ref()
        .map(|t| vietnam_time::format(t.seconds))
        .unwrap_or_default();
    let procedure = if dossier.procedure_name.is_empty() {
        &dossier.procedure_code
    } else {
        &dossier.procedure_name
    };
    let mut notice = CreditNotice {
        partner_code: settings.partner_code.clone(),
        reference: payment.reference.clone(),
        transaction_id: payment.transaction_id.clone(),
        ma_ho_so: ma_ho_so.clone(),
        amount_vnd: payment.amount_vnd,
        revenue_account: settings.revenue_account.clone(),
        treasury_code: settings.treasury_code.clone(),
        paid_at,
        description: format!("Thu phí, lệ phí hồ sơ {ma_ho_so}: {procedure}"),
        signature: String::new(),
    };
    notice.sign_with(&settings.secret);
    Ok(notice)
}
