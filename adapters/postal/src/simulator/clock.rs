//! Wall-clock time as the provider writes it: `yyyyMMddHHmmss` in
//! Asia/Ho_Chi_Minh (UTC+7, no daylight saving), DOMAIN.md §3. The calendar
//! is shared by every adapter: `lienthong_adapter::vietnam_time`.

pub use lienthong_adapter::vietnam_time::{format as vietnam_compact, now_unix};

#[cfg(test)]
mod tests {
    #[test]
    fn formats_in_vietnam_time() {
        // 2025-11-22T07:30:00Z is 14:30 in Hanoi.
        assert_eq!(super::vietnam_compact(1_763_796_600), "20251122143000");
        // 17:00Z on 31 Dec is already the new year in Hanoi.
        assert_eq!(super::vietnam_compact(1_767_200_400), "20260101000000");
    }
}
