//! Appointment dates: a procedure's time limit (from the procedures
//! catalogue, per channel) counted in working time with the unit's calendar
//! (`[calendar]`, loaded once at start).
//!
//! Why in the hub: the hosted module prints the date on the receipt (Mẫu 01)
//! and sends it in `receive`, and the same rules must give the same date to
//! whoever asks (a queue's overdue flag, a statistic of on-time results).
//! The hub's `receive` still takes whatever date an external one-stop system
//! sends: those systems count with their own rules.

use super::{Hub, HubError};
use crate::domain::procedure::{channel_key, ProcedureTerms};
use crate::domain::working_time::{TimeLimit, WorkingTime};
use crate::domain::{Channel, Dossier, UnixMillis};

/// A computed appointment date and what it was computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appointment {
    /// The appointment date (ngày hẹn trả), to send as `receive.due_at`.
    pub due_at: UnixMillis,
    /// The limit the catalogue gives for the dossier's channel.
    pub time_limit: TimeLimit,
    /// When counting started (after the cut-off: the next working morning).
    pub counting_from: UnixMillis,
}

impl Hub {
    /// The calendar and working-time rules the hub counts with.
    pub fn working_time(&self) -> &WorkingTime {
        &self.working_time
    }

    /// What the procedures catalogue says about a procedure (time limits,
    /// inter-agency sequence); not found when the catalogue lacks it.
    pub fn procedure_terms(&self, procedure_code: &str) -> Result<ProcedureTerms, HubError> {
        let entry = self
            .catalog_entry("procedures", procedure_code)?
            .ok_or_else(|| HubError::NotFound {
                what: format!("procedure `{procedure_code}` in the procedures catalogue"),
            })?;
        Ok(ProcedureTerms::from_entry(
            &format!("procedures[{procedure_code}]"),
            &entry,
        )?)
    }

    /// The appointment date of a dossier of `procedure_code` filed through
    /// `channel` and received at `received_at` (usually now): the channel's
    /// time limit counted in working time, the afternoon cut-off applied.
    pub fn appointment(
        &self,
        procedure_code: &str,
        channel: Channel,
        received_at: UnixMillis,
    ) -> Result<Appointment, HubError> {
        let terms = self.procedure_terms(procedure_code)?;
        let time_limit = terms
            .time_limit_for(channel)
            .ok_or_else(|| HubError::NoTimeLimit {
                procedure: procedure_code.to_string(),
                channel: channel_key(channel),
            })?;
        Ok(Appointment {
            due_at: self.working_time.appointment(received_at, time_limit)?,
            time_limit,
            counting_from: self.working_time.counting_starts(received_at)?,
        })
    }

    /// The due date to send with `submit_supplement.new_due_at` when the
    /// supplement reaches the dossier at `resumed_at`: the working time left
    /// when the supplement was requested, counted again from `resumed_at`.
    /// `None` when there is nothing to restart: the dossier has no open
    /// supplement request, or had no appointment date when it was asked
    /// (a supplement requested before reception).
    pub fn due_after_supplement(
        &self,
        dossier: &Dossier,
        resumed_at: UnixMillis,
    ) -> Result<Option<UnixMillis>, HubError> {
        let open = dossier
            .supplements
            .iter()
            .rev()
            .find(|s| s.submitted_at.is_none());
        let (Some(open), Some(received_at)) = (open, dossier.received_at) else {
            return Ok(None);
        };
        let Some(due_at_pause) = open.old_due_at else {
            return Ok(None);
        };
        Ok(Some(self.working_time.due_after_resumption(
            received_at,
            open.requested_at,
            due_at_pause,
            resumed_at,
        )?))
    }
}
