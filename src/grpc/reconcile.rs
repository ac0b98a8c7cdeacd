//! `AdminService.Reconcile`: the treasury adapter's matching, over gRPC.
//! Only translation lives here; the matching is `lienthong-reconcile`'s, the
//! same crate the treasury adapter runs every day.

use super::pb;
use lienthong_reconcile::{reconcile, Credited, Report, Settled};

pub fn run(request: pb::ReconcileRequest) -> pb::ReconcileReply {
    let gateway: Vec<Settled> = request.gateway.into_iter().map(settled).collect();
    let treasury: Vec<Credited> = request.treasury.into_iter().map(credited).collect();
    reply(&reconcile(&gateway, &treasury))
}

fn settled(s: pb::SettledTransaction) -> Settled {
    Settled {
        reference: s.reference,
        transaction_id: s.transaction_id,
        ma_ho_so: s.ma_ho_so,
        amount_vnd: s.amount_vnd,
        bank: s.bank,
        paid_at: s.paid_at,
    }
}

fn credited(c: pb::CreditedRecord) -> Credited {
    Credited {
        document_number: c.document_number,
        reference: c.reference,
        transaction_id: c.transaction_id,
        ma_ho_so: c.ma_ho_so,
        amount_vnd: c.amount_vnd,
        revenue_account: c.revenue_account,
        treasury_code: c.treasury_code,
        paid_at: c.paid_at,
        credited_at: c.credited_at,
    }
}

fn reply(report: &Report) -> pb::ReconcileReply {
    let s = &report.summary;
    let n = |v: usize| v as u32;
    pb::ReconcileReply {
        summary: Some(pb::ReconcileSummary {
            gateway_records: n(s.gateway_records),
            treasury_records: n(s.treasury_records),
            gateway_total_vnd: s.gateway_total_vnd,
            treasury_total_vnd: s.treasury_total_vnd,
            matched: n(s.matched),
            amount_mismatch: n(s.amount_mismatch),
            field_mismatch: n(s.field_mismatch),
            missing_in_treasury: n(s.missing_in_treasury),
            missing_in_gateway: n(s.missing_in_gateway),
            duplicate_in_gateway: n(s.duplicate_in_gateway),
            duplicate_in_treasury: n(s.duplicate_in_treasury),
        }),
        lines: report
            .lines
            .iter()
            .map(|line| pb::ReconcileLine {
                outcome: line.outcome.as_str().to_string(),
                gateway: line.gateway.as_ref().map(|g| pb::SettledTransaction {
                    reference: g.reference.clone(),
                    transaction_id: g.transaction_id.clone(),
                    ma_ho_so: g.ma_ho_so.clone(),
                    amount_vnd: g.amount_vnd,
                    bank: g.bank.clone(),
                    paid_at: g.paid_at.clone(),
                }),
                treasury: line.treasury.as_ref().map(|t| pb::CreditedRecord {
                    document_number: t.document_number.clone(),
                    reference: t.reference.clone(),
                    transaction_id: t.transaction_id.clone(),
                    ma_ho_so: t.ma_ho_so.clone(),
                    amount_vnd: t.amount_vnd,
                    revenue_account: t.revenue_account.clone(),
                    treasury_code: t.treasury_code.clone(),
                    paid_at: t.paid_at.clone(),
                    credited_at: t.credited_at.clone(),
                }),
                differing_fields: line
                    .differences
                    .iter()
                    .map(|f| f.name().to_string())
                    .collect(),
            })
            .collect(),
    }
}
