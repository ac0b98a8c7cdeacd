//! The background task that re-QUERYs pending payments every
//! `query_interval_seconds` until they are final — the safety net for lost
//! or refused callbacks: status 1 records the payment (as a callback
//! would), 4 marks it failed, 3 waits. A payment still pending after
//! `give_up_after_hours` is marked expired and no longer queried. The same
//! round fetches the electronic receipt (GET_BILL) of paid payments.

use crate::core::{Core, Success};
use crate::ledger::{PaymentRecord, PaymentState};
use crate::protocol::{STATUS_FAILED, STATUS_PENDING, STATUS_SUCCESS};
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter::Stop;
use std::sync::Arc;

/// GET_BILL is tried this many times per payment, then left alone.
const MAX_BILL_ATTEMPTS: u32 = 5;

/// Runs rounds until `stop` resolves.
pub async fn run(core: Arc<Core>, stop: Stop) {
    let mut stop = stop;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(core.settings.query_interval()) => {}
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = round(&core) => {}
        }
    }
    tracing::debug!(partner = %core.partner_id, "payment re-query task stopped");
}

/// One pass over the pending payments and the receipts still missing.
pub async fn round(core: &Core) {
    if let Err(e) = core.ledger.load().await {
        tracing::warn!(partner = %core.partner_id, error = %e, "payment ledger not read back yet; next round");
        return;
    }
    let give_up_after = core.settings.give_up_after_hours as i64 * 3600;
    for record in core.ledger.select(|r| r.state == PaymentState::Pending) {
        if now_unix() - record.created_at_unix >= give_up_after {
            core.ledger
                .update(&record.reference, now_unix(), |r| {
                    if r.state == PaymentState::Pending {
                        r.state = PaymentState::Expired;
                    }
                })
                .await;
            tracing::warn!(partner = %core.partner_id, reference = %record.reference, "payment still pending after give_up_after_hours: expired");
            continue;
        }
        query(core, &record).await;
    }
    let missing_receipts = core.ledger.select(|r| {
        r.state == PaymentState::Paid && r.receipt.is_none() && r.bill_attempts < MAX_BILL_ATTEMPTS
    });
    for record in missing_receipts {
        bill(core, &record).await;
    }
}

async fn query(core: &Core, record: &PaymentRecord) {
    let reference = record.reference.as_str();
    let reply = match core.client.query(reference).await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::warn!(partner = %core.partner_id, reference, error = %e, "QUERY failed");
            core.ledger
                .update(reference, now_unix(), |r| {
                    r.queries += 1;
                    r.last_error = e.to_string();
                })
                .await;
            return;
        }
    };
    core.ledger
        .update(reference, now_unix(), |r| r.queries += 1)
        .await;
    let problem = |text: String| async move {
        tracing::error!(partner = %core.partner_id, reference, problem = %text, "QUERY answer not usable");
        core.ledger
            .update(reference, now_unix(), |r| r.last_error = text.clone())
            .await;
    };
    if reply.reference != reference {
        return problem(format!(
            "QUERY for {reference} answered MaThamChieu `{}`",
            reply.reference
        ))
        .await;
    }
    match reply.status {
        STATUS_SUCCESS => {
            if reply.amount_vnd != record.amount_vnd {
                tracing::error!(
                    partner = %core.partner_id,
                    reference,
                    requested = record.amount_vnd,
                    reported = reply.amount_vnd,
                    "gateway reports a payment of a different amount: not recorded"
                );
                core.ledger
                    .update(reference, now_unix(), |r| {
                        r.state = PaymentState::AmountMismatch;
                        r.transaction_id = reply.transaction_id.clone();
                        r.last_error = format!(
                            "QUERY: paid {} VND, requested {} VND",
                            reply.amount_vnd, record.amount_vnd
                        );
                    })
                    .await;
                return;
            }
            if reply.transaction_id.trim().is_empty()
                || vietnam_time::parse(&reply.paid_at).is_none()
            {
                return problem(format!(
                    "QUERY success without a MaGiaoDich or a valid ThoiGianThanhToan (`{}`)",
                    reply.paid_at
                ))
                .await;
            }
            let success = Success {
                reference: reference.to_string(),
                transaction_id: reply.transaction_id,
                amount_vnd: reply.amount_vnd,
                bank: reply.bank,
                paid_at: reply.paid_at,
            };
            // Outcomes are logged and kept in the ledger by `settle`; an
            // unavailable hub leaves the payment pending for the next round.
            let _ = core.settle(&success).await;
        }
        STATUS_PENDING => {}
        STATUS_FAILED => core.fail(reference, "TrangThai 4").await,
        other => {
            problem(format!(
                "unmapped TrangThai {other} (known: 1 success, 3 pending, 4 failed)"
            ))
            .await
        }
    }
}

async fn bill(core: &Core, record: &PaymentRecord) {
    let reference = record.reference.as_str();
    let outcome = core.client.bill(reference, &record.transaction_id).await;
    core.ledger
        .update(reference, now_unix(), |r| match &outcome {
            Ok(reply)
                if reply.reference == r.reference
                    && reply.transaction_id == r.transaction_id
                    && reply.amount_vnd == r.amount_vnd =>
            {
                r.receipt = Some(reply.bill.clone());
            }
            Ok(reply) => {
                r.bill_attempts += 1;
                r.last_error = format!(
                    "GET_BILL answered another payment: {} / {} / {} VND",
                    reply.reference, reply.transaction_id, reply.amount_vnd
                );
            }
            Err(e) => {
                r.bill_attempts += 1;
                r.last_error = format!("GET_BILL: {e}");
            }
        })
        .await;
    if let Err(e) = outcome {
        tracing::warn!(partner = %core.partner_id, reference, error = %e, "receipt not fetched yet");
    }
}
