//! One module per decoder family; `all` lists them.

mod amqp_message;
mod config;
mod grpc_command;
mod legacy_update;
mod national_portal;
mod one_stop_status;
mod payment_callback;
mod postal_webhook;
mod reconcile_files;
mod sms_reply;

use crate::Target;

/// JSON that decoders most often mishandle.
pub(crate) const JSON_TOKENS: &[&[u8]] = &[
    b"null",
    b"true",
    b"false",
    b"{}",
    b"[]",
    b"\"\"",
    b"-1",
    b"0",
    b"1e999",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"\"\xe1\xbb\x87\"",
    b"\"99991231235959\"",
    b"\"20251122100405\"",
    b"\"\\n\\r\\t\"",
];

pub fn all() -> Vec<Target> {
    vec![
        grpc_command::target(),
        amqp_message::target(),
        config::target(),
        postal_webhook::target(),
        payment_callback::target(),
        reconcile_files::target(),
        one_stop_status::target(),
        legacy_update::target(),
        national_portal::target(),
        sms_reply::target(),
    ]
}
