//! `MaXacThuc`: the signature on every treasury message and file download.
//! The algorithm is shared by every adapter that signs this way:
//! see `lienthong_adapter::ma_xac_thuc`.

pub use lienthong_adapter::ma_xac_thuc::{sign, verify};
