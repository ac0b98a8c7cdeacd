//! The daily reconciliation task: at `reconcile_at` (Asia/Ho_Chi_Minh) it
//! reconciles the previous day. A run that fails for a reason worth
//! retrying (a partner down, the report not written) is tried again every
//! ten minutes, at most six times; a malformed file is logged and waits for
//! an operator (`POST reconcile`) — retrying cannot fix it.

use crate::run::Reconciler;
use crate::time::{format_vietnam_date, next_daily_run, now_unix, shift_date};
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
        let today = format_vietnam_date(now_unix());
        let Some(yesterday) = shift_date(&today, -1) else {
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
