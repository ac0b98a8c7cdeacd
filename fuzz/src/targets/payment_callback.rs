//! The payment gateway's callback (`POST …/callback`): the body read as a
//! callback, its `MaXacThuc` checked, a success's fields checked as the
//! route does, and the `record_payment` command the adapter would send
//! taken through the hub's own decoding (`wire::from_proto`) and rules.

use crate::{refused, Target};
use lienthong::domain::validate;
use lienthong::wire::from_proto;
use lienthong_adapter::ma_xac_thuc::Signed;
use lienthong_adapter_payment::core::{record_payment, Success};
use lienthong_adapter_payment::protocol::Callback;
use lienthong_adapter_payment::routes::success_fields;

const SECRET: &str = "payment-secret-0123456789abcdef";
const PARTNER_CODE: &str = "DVCQG";

pub fn target() -> Target {
    Target {
        name: "payment_callback",
        max_len: 16 * 1024,
        run,
        seeds,
        dictionary: super::JSON_TOKENS,
    }
}

fn run(body: &[u8]) -> String {
    let cb: Callback = match serde_json::from_slice(body) {
        Ok(cb) => cb,
        Err(_) => return "refused:json".into(),
    };
    // Checked, and then gone on with whatever it says: the decoders after
    // it must hold on unsigned input too.
    let signed = cb.verify_with(SECRET);
    if let Err(problem) = success_fields(&cb) {
        return format!(
            "signed:{signed} refused:fields:{}",
            problem.split(' ').nth(1).unwrap_or("")
        );
    }
    let success = Success {
        reference: cb.reference.clone(),
        transaction_id: cb.transaction_id.clone(),
        amount_vnd: cb.amount_vnd,
        bank: cb.bank.clone(),
        paid_at: cb.paid_at.clone(),
    };
    let request = record_payment("000.00.01.H22-251122-00001", &success, PARTNER_CODE);
    let envelope = match from_proto::command_request(request) {
        Ok(envelope) => envelope,
        Err(e) => return format!("signed:{signed} hub:{}", refused(&e)),
    };
    match validate::envelope(&envelope) {
        Ok(()) => format!("signed:{signed} ok"),
        Err(e) => format!("signed:{signed} hub:{}", refused(&e)),
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let callback = |reference: &str, result: &str, amount: i64| {
        let cb = Callback {
            partner_code: PARTNER_CODE.into(),
            reference: reference.into(),
            transaction_id: format!("GD{reference}"),
            amount_vnd: amount,
            result_code: result.into(),
            result_message: "Giao dịch thành công".into(),
            bank: "VCB".into(),
            paid_at: "20251122100405".into(),
            signature: String::new(),
        }
        .signed(SECRET);
        serde_json::to_vec(&cb).expect("a callback serialises")
    };
    vec![
        callback("TT-000948-1", "00", 150_000),
        callback("TT-000948-2", "00", 1),
        callback("TT-000948-3", "24", 150_000),
    ]
}
