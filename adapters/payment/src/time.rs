//! Date-times as the payment platform writes them: `yyyyMMddHHmmss` in
//! Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving), and dates
//! `yyyyMMdd` for daily settlement files. The calendar itself is shared by
//! every adapter: `lienthong_adapter::vietnam_time`.

pub use lienthong_adapter::vietnam_time::{
    format as format_vietnam, format_date as format_vietnam_date, now_unix, parse as parse_vietnam,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_vietnam_time() {
        // 2025-11-22T02:30:00Z is 09:30 in Hanoi.
        assert_eq!(format_vietnam(1_763_778_600), "20251122093000");
        // 17:00Z is already the next day in Vietnam.
        assert_eq!(format_vietnam(1_763_830_800), "20251123000000");
        assert_eq!(format_vietnam_date(1_763_830_800), "20251123");
    }

    #[test]
    fn parse_inverts_format() {
        for t in [
            0,
            1_763_778_600,
            1_763_830_799,
            1_709_164_800,
            4_102_444_799,
        ] {
            assert_eq!(parse_vietnam(&format_vietnam(t)), Some(t));
        }
    }

    #[test]
    fn parse_refuses_what_is_not_a_date() {
        for bad in [
            "",
            "2025112209300",
            "202511220930000",
            "2025-11-22 09:3",
            "20251322093000",
            "20250230093000",
            "20251122243000",
            "20251122096000",
            "2025112209300x",
        ] {
            assert_eq!(parse_vietnam(bad), None, "{bad}");
        }
        assert!(parse_vietnam("20240229120000").is_some());
        assert!(parse_vietnam("20250229120000").is_none());
    }
}
