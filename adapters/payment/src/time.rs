//! Date-times as the payment platform writes them: `yyyyMMddHHmmss` in
//! Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving), and dates
//! `yyyyMMdd` for daily settlement files. The calendar itself is shared by
//! every adapter: `lienthong_adapter::vietnam_time`.

pub use lienthong_adapter::vietnam_time::{
    format as format_vietnam, format_date as format_vietnam_date, now_unix, parse as parse_vietnam,
};
