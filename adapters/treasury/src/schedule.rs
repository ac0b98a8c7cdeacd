//! The daily reconciliation task: at `reconcile_at` (Asia/Ho_Chi_Minh) it
//! reconciles the previous day. A run that fails for a reason worth
//! retrying (a partner down, the report not written) is tried again every
//! ten minutes, at most six times; a malformed file is logged and waits for
//! an operator (`POST reconcile`) — retrying cannot fix it. `reconcile_at`
//! is `HH:MM`, Vietnam time.

use crate::run::Reconciler;
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter::Stop;
use std::sync::Arc;
use std::time::Duration;

const RETRY_EVERY: Duration = Duration::from_secs(600);
const RETRIES: u32 = 6;

pub async fn run(reconciler: Arc<Reconciler>, minute_of_day: u32, stop: Stop) {
    let mut stop = stop;
    loop {
        let wait = (next_daily_run(now_unix(), minute_of_day) - now_unix()).max(1) as u64;
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
        }
        let today = vietnam_time::format_date(now_unix());
        let Some(yesterday) = vietnam_time::shift_date(&today, -1) else {
            continue;
        };
        let mut attempt = 0;
        loop {
            let outcome = tokio::select! {
                _ = &mut stop => return,
                outcome = reconciler.run(&yesterday) => outcome,
            };
            match outcome {
                Ok(_) => break,
                Err(e) if e.is_retryable() && attempt < RETRIES => {
                    attempt += 1;
                    tracing::warn!(partner = %reconciler.partner_id, date = %yesterday, error = %e, attempt, "daily reconciliation failed; retrying in 10 minutes");
                    tokio::select! {
                        _ = &mut stop => return,
                        _ = tokio::time::sleep(RETRY_EVERY) => {}
                    }
                }
                Err(e) => {
                    tracing::error!(partner = %reconciler.partner_id, date = %yesterday, error = %e, "daily reconciliation failed");
                    break;
                }
            }
        }
    }
    tracing::debug!(partner = %reconciler.partner_id, "daily reconciliation task stopped");
}

/// Parses `HH:MM` (24-hour) into minutes after midnight.
pub fn parse_hh_mm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The first Unix time strictly after `now` that is `minute_of_day` in Vietnam.
pub fn next_daily_run(now: i64, minute_of_day: u32) -> i64 {
    let local = now + vietnam_time::OFFSET_SECONDS;
    let midnight = local - local.rem_euclid(86_400);
    let mut at = midnight + i64::from(minute_of_day) * 60;
    if at <= local {
        at += 86_400;
    }
    at - vietnam_time::OFFSET_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter::vietnam_time;
    #[test]
    fn hh_mm() {
        assert_eq!(parse_hh_mm("00:00"), Some(0));
        assert_eq!(parse_hh_mm("01:30"), Some(90));
        assert_eq!(parse_hh_mm("23:59"), Some(1439));
        for bad in ["24:00", "1:30", "01:60", "0130", "ab:cd", "", "01:30:00"] {
            assert_eq!(parse_hh_mm(bad), None, "{bad}");
        }
    }

    #[test]
    fn next_run_is_the_next_vietnam_hh_mm() {
        // 2025-11-22 09:30 in Hanoi.
        let now = 1_763_778_600;
        // 01:30 has passed today: tomorrow 01:30 Hanoi = 2025-11-22T18:30Z.
        assert_eq!(
            vietnam_time::format(next_daily_run(now, 90)),
            "20251123013000"
        );
        // 10:00 is still to come today.
        assert_eq!(
            vietnam_time::format(next_daily_run(now, 600)),
            "20251122100000"
        );
        // Exactly now: the next day.
        assert_eq!(
            vietnam_time::format(next_daily_run(now, 570)),
            "20251123093000"
        );
    }
}
