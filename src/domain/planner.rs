//! From "the partner says the dossier is now in status N" to the one command
//! that takes it there — read off the transition table, never re-encoded.
//!
//! Partners that keep their own copy of a dossier (a one-stop system, a
//! ministry's legacy system) report where the dossier went, not which
//! command moved it. Their adapters ask this planner: it looks in
//! [`TRANSITIONS`] for the command that is legal in the current status and
//! leads to the reported one. A pause (5, 6) is lifted by the command whose
//! entry says `Resume` (the supplement, the payment); the contract does not
//! show which status a pause interrupted, so, like [`super::machine::apply`]
//! when it has no record, the planner takes it to be processing (4).
//!
//! When nothing legal leads there, the planner still names the table's usual
//! command for that status, so that the hub refuses it and its refusal names
//! the current status, as for any illegal command: legality stays the
//! table's, judged in one place.

use super::machine::{Target, TRANSITIONS};
use super::{CommandName, Status};

/// What a status report amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The dossier already is in the reported status, with nothing to change.
    AlreadyThere,
    /// Send this command (the hub still judges it).
    Send(CommandName),
    /// No command of the table leads to the reported status (only a
    /// submission makes a dossier "submitted").
    Unreachable,
}

/// The command that takes a dossier from `current` to `target`.
/// `new_due_date` says the report brings an appointment date other than the
/// dossier's: in the same status that is an apology with a new date
/// (`reschedule`), where the table allows one.
pub fn plan(current: Status, target: Status, new_due_date: bool) -> Plan {
    if current == target {
        return if new_due_date && allowed(CommandName::Reschedule, current) {
            Plan::Send(CommandName::Reschedule)
        } else {
            Plan::AlreadyThere
        };
    }
    let legal = TRANSITIONS
        .iter()
        .find(|t| t.from.contains(&current) && lands_on(t.to) == Some(target));
    match legal {
        Some(t) => Plan::Send(t.command),
        None => usual(target).map_or(Plan::Unreachable, Plan::Send),
    }
}

/// The table's usual command into `target`, wherever the dossier is: its
/// first entry that leads there (for 4, `start_processing`). `None` for
/// "submitted", which only a submission makes.
pub fn usual(target: Status) -> Option<CommandName> {
    TRANSITIONS
        .iter()
        .find(|t| matches!(t.to, Target::To(s) | Target::Pause(s) if s == target))
        .map(|t| t.command)
}

/// Whether the table has `command` in `status`.
pub fn allowed(command: CommandName, status: Status) -> bool {
    TRANSITIONS
        .iter()
        .any(|t| t.command == command && t.from.contains(&status))
}

/// Where an entry leads; `None` when the status stays.
fn lands_on(to: Target) -> Option<Status> {
    match to {
        Target::To(status) | Target::Pause(status) => Some(status),
        Target::Resume => Some(Status::Processing),
        Target::Unchanged => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine;
    use CommandName as C;
    use Status::*;

    #[test]
    fn each_status_has_its_command_from_processing() {
        for (target, expected) in [
            (Received, Plan::Send(C::Receive)),
            (Refused, Plan::Send(C::Refuse)),
            (SupplementRequested, Plan::Send(C::RequestSupplement)),
            (
                FinancialObligation,
                Plan::Send(C::RequestFinancialObligation),
            ),
            (Withdrawn, Plan::Send(C::Withdraw)),
            (Stopped, Plan::Send(C::Stop)),
            (Finished, Plan::Send(C::Finish)),
            (ResultReturned, Plan::Send(C::ReturnResult)),
            (Submitted, Plan::Unreachable),
        ] {
            assert_eq!(plan(Processing, target, false), expected, "{target:?}");
        }
    }

    #[test]
    fn processing_depends_on_where_the_dossier_is() {
        for (from, expected) in [
            (Received, C::StartProcessing),
            (Stopped, C::Resume),
            (SupplementRequested, C::SubmitSupplement),
            (FinancialObligation, C::RecordPayment),
            // Illegal: the table's usual command, for the hub to refuse.
            (Submitted, C::StartProcessing),
            (Finished, C::StartProcessing),
        ] {
            assert_eq!(
                plan(from, Processing, false),
                Plan::Send(expected),
                "{from:?}"
            );
        }
    }

    #[test]
    fn every_move_the_table_allows_is_planned_as_that_move() {
        for rule in TRANSITIONS {
            for &from in rule.from {
                let Some(to) = lands_on(rule.to).filter(|&to| to != from) else {
                    continue;
                };
                let Plan::Send(command) = plan(from, to, false) else {
                    panic!("{from:?} → {to:?} has {:?} in the table", rule.command);
                };
                let planned = machine::transition(command, from).expect("legal");
                assert_eq!(lands_on(planned.to), Some(to), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn the_same_status_with_a_new_date_is_a_reschedule_where_allowed() {
        assert_eq!(plan(Processing, Processing, false), Plan::AlreadyThere);
        assert_eq!(
            plan(Processing, Processing, true),
            Plan::Send(C::Reschedule)
        );
        assert_eq!(
            plan(SupplementRequested, SupplementRequested, true),
            Plan::Send(C::Reschedule)
        );
        assert_eq!(plan(Finished, Finished, true), Plan::AlreadyThere);
        assert_eq!(plan(Submitted, Submitted, true), Plan::AlreadyThere);
    }
}
