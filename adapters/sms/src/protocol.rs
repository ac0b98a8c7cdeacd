//! The wire shape of the brandname SMS gateway — PROVISIONAL.
//!
//! Modelled on the JSON "SMS Brandname" HTTP APIs that Vietnamese carriers
//! (Viettel, VNPT VinaPhone, MobiFone) and the aggregators reselling them
//! publish for customer-care messages: one `POST` per message with the
//! account and its secret, the registered brand name, the subscriber number
//! in international form without `+` (`84912345678`), the text, and a
//! request id chosen by the client so that a repeated request is not sent
//! twice; the answer is JSON with a result code, `"00"` meaning accepted.
//! Field names and the code table below are ours, written from that common
//! shape, not copied from one carrier's contract: when a province signs with
//! a gateway, this file (and only this file) is adjusted to its document.
//!
//! ```text
//! POST {endpoint}/sms/send            Content-Type: application/json
//! {"account":"…","secret":"…","brandname":"UBND-TINH","phone":"84912345678",
//!  "message":"…","unicode":true,"request_id":"…"}
//! 200 {"code":"00","description":"accepted","sms_id":"…"}
//! ```

use serde::{Deserialize, Serialize};

/// Path of the send operation under the gateway's endpoint.
pub const SEND_PATH: &str = "/sms/send";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub account: String,
    pub secret: String,
    pub brandname: String,
    /// `84` followed by the subscriber number without its leading 0.
    pub phone: String,
    pub message: String,
    /// The text has Vietnamese diacritics (sent as UCS-2, 70 characters a part).
    pub unicode: bool,
    /// The client's reference: the gateway sends one message per request id.
    pub request_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    pub code: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sms_id: String,
}

/// The gateway's result codes.
pub mod codes {
    /// Accepted for sending.
    pub const ACCEPTED: &str = "00";
    /// This request id was accepted before; the message is not sent again.
    pub const DUPLICATE_REQUEST: &str = "01";
    /// Account or secret wrong.
    pub const AUTH_FAILED: &str = "10";
    /// The brand name is not registered for this account.
    pub const BRAND_NOT_REGISTERED: &str = "11";
    /// The phone number is not a Vietnamese mobile number.
    pub const INVALID_PHONE: &str = "12";
    /// The message is empty or longer than the gateway allows.
    pub const INVALID_MESSAGE: &str = "13";
    /// The gateway is busy; try again later.
    pub const BUSY: &str = "99";

    /// Whether a code means the message is (or already was) accepted.
    pub fn accepted(code: &str) -> bool {
        code == ACCEPTED || code == DUPLICATE_REQUEST
    }

    /// Whether trying the same request again can help.
    pub fn retryable(code: &str) -> bool {
        code == BUSY
    }
}
