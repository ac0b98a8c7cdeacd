//! From "the one-stop system says the dossier is now at canonical status N"
//! to the one canonical command that gets it there.
//!
//! Which command that is, is the hub's transition table's to say: the
//! planner (`domain::planner`) reads it off the table — to 4 (processing)
//! from 2 a transfer (`start_processing`), from 8 a `resume`, from 5 the
//! applicant's supplement (`submit_supplement`), from 6 the payment
//! (`record_payment`); the same status again changes nothing, unless the
//! report brings a new appointment date while the dossier is active (an
//! apology with a new date, `reschedule`). This module only fills the
//! chosen command with what the report carries. Whether the command is legal
//! is the hub's decision: an illegal one comes back as FAILED_PRECONDITION.

use crate::protocol::{Document, Fee, StatusReport};
use lienthong_adapter::domain::planner::{self, Plan};
use lienthong_adapter::domain::{CommandName, Status};
use lienthong_adapter::pb;
use lienthong_adapter::vietnam_time;
use pb::command_request::Command;

/// What a report amounts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Derived {
    /// Send this command (its name, for answers and logs).
    Command(&'static str, Box<Command>),
    /// The dossier is already there; nothing to send.
    Unchanged,
    /// No command can lead there (only submission makes status 1).
    Unreachable(String),
}

/// A report field that cannot be read, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    pub field: &'static str,
    pub problem: String,
}

/// The commands the one-stop system's reports can become: every dossier
/// command but submission (dossiers reach the system; it does not file
/// them), nor `forward`, which changes the agency, not the status, nor
/// `record_partner_event`, which changes neither, so no status report plans
/// them. Its partner entry needs them all (`commands = […]`).
pub fn granted() -> Vec<&'static str> {
    CommandName::ALL
        .into_iter()
        .filter(|c| {
            !matches!(
                c,
                CommandName::Submit
                    | CommandName::Forward
                    | CommandName::RecordPartnerEvent
                    | CommandName::PublishCatalog
                    | CommandName::ManageParked
            )
        })
        .map(CommandName::as_str)
        .collect()
}

/// The command for reaching canonical `target` from the dossier's state.
pub fn derive(target: u8, dossier: &pb::Dossier, r: &StatusReport) -> Result<Derived, BadField> {
    let due_at = date("due_at", &r.due_at)?;
    let Some(target) = Status::from_code(target) else {
        return Err(BadField {
            field: "status",
            problem: format!("maps to `{target}`, not a canonical status code 1–10"),
        });
    };
    let current = u8::try_from(dossier.status)
        .ok()
        .and_then(Status::from_code);
    let current_due = dossier.due_at.as_ref().map(|t| t.seconds);
    let new_due_date = due_at
        .as_ref()
        .is_some_and(|d| Some(d.seconds) != current_due);
    let plan = match current {
        Some(current) => planner::plan(current, target, new_due_date),
        None => planner::usual(target).map_or(Plan::Unreachable, Plan::Send),
    };
    let name = match plan {
        Plan::AlreadyThere => return Ok(Derived::Unchanged),
        Plan::Unreachable => {
            return Ok(Derived::Unreachable(format!(
                "no command leads back to status {} ({}); dossier {} is at status {}",
                target.code(),
                target.name(),
                dossier.ma_ho_so,
                dossier.status
            )))
        }
        Plan::Send(name) => name,
    };
    let command = match name {
        CommandName::Receive => Command::Receive(pb::ReceiveDossier { due_at }),
        CommandName::Refuse => Command::Refuse(pb::RefuseDossier {
            reason: r.note.clone(),
        }),
        CommandName::Resume => Command::Resume(pb::ResumeProcessing {
            note: r.note.clone(),
        }),
        CommandName::SubmitSupplement => Command::SubmitSupplement(pb::SubmitSupplement {
            documents: r.documents.iter().map(document).collect(),
            new_due_at: due_at,
        }),
        CommandName::RecordPayment => {
            let p = r.payment.clone().unwrap_or_default();
            Command::RecordPayment(pb::RecordPayment {
                transaction_id: p.transaction_id,
                reference: p.reference,
                amount_vnd: p.amount_vnd,
                paid_at: date("payment.paid_at", &p.paid_at)?,
            })
        }
        CommandName::StartProcessing => Command::StartProcessing(pb::StartProcessing {
            processing_unit: or(&r.processing_unit, &r.unit),
        }),
        CommandName::RequestSupplement => Command::RequestSupplement(pb::RequestSupplement {
            reason: r.note.clone(),
            items: r.items.clone(),
        }),
        CommandName::RequestFinancialObligation => {
            Command::RequestFinancialObligation(pb::RequestFinancialObligation {
                fees: r.fees.iter().map(fee).collect(),
                note: r.note.clone(),
            })
        }
        CommandName::Withdraw => Command::Withdraw(pb::WithdrawDossier {
            reason: r.note.clone(),
        }),
        CommandName::Stop => Command::Stop(pb::StopProcessing {
            reason: r.note.clone(),
        }),
        CommandName::Finish => Command::Finish(pb::FinishProcessing {
            results: r
                .results
                .iter()
                .map(|d| pb::ResultDocument {
                    code: d.ma.clone(),
                    name: d.ten.clone(),
                    url: d.url.clone(),
                })
                .collect(),
        }),
        CommandName::ReturnResult => Command::ReturnResult(pb::ReturnResult {
            delivery: delivery(&r.delivery)? as i32,
        }),
        CommandName::Reschedule => Command::Reschedule(pb::RescheduleDossier {
            apology: or(&r.note, "Xin lỗi và hẹn lại ngày trả kết quả"),
            new_due_at: due_at,
        }),
        CommandName::Submit
        | CommandName::Forward
        | CommandName::RecordPartnerEvent
        | CommandName::PublishCatalog
        | CommandName::ManageParked => {
            return Ok(Derived::Unreachable(format!(
                "`{}` is not a status change",
                name.as_str()
            )))
        }
    };
    Ok(Derived::Command(name.as_str(), Box::new(command)))
}

fn or(value: &str, fallback: &str) -> String {
    if value.trim().is_empty() {
        fallback.to_string()
    } else {
        value.to_string()
    }
}

fn date(
    field: &'static str,
    text: &str,
) -> Result<Option<lienthong_adapter::prost_types::Timestamp>, BadField> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    vietnam_time::parse_ts(text)
        .map(Some)
        .ok_or_else(|| BadField {
            field,
            problem: format!("`{text}` is not a date-time yyyyMMddHHmmss"),
        })
}

fn delivery(text: &str) -> Result<pb::ResultDelivery, BadField> {
    match text.trim() {
        "" => Ok(pb::ResultDelivery::Unspecified),
        "counter" | "tai_quay" => Ok(pb::ResultDelivery::AtCounter),
        "post" | "buu_chinh" => Ok(pb::ResultDelivery::ByPost),
        "electronic" | "dien_tu" => Ok(pb::ResultDelivery::Electronic),
        other => Err(BadField {
            field: "delivery",
            problem: format!("`{other}` is not counter, post or electronic"),
        }),
    }
}

pub fn document(d: &Document) -> pb::Document {
    pb::Document {
        component_code: d.ma.clone(),
        name: d.ten.clone(),
        url: d.url.clone(),
    }
}

pub fn fee(f: &Fee) -> pb::Fee {
    pb::Fee {
        code: f.ma.clone(),
        name: f.ten.clone(),
        amount_vnd: f.so_tien,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::DossierStatus as S;

    fn at(status: S) -> pb::Dossier {
        pb::Dossier {
            ma_ho_so: "000.00.09.H22-251122-00001".into(),
            status: status as i32,
            due_at: Some(lienthong_adapter::prost_types::Timestamp {
                seconds: 1_764_000_000,
                nanos: 0,
            }),
            ..Default::default()
        }
    }

    fn name(d: Derived) -> &'static str {
        match d {
            Derived::Command(name, _) => name,
            Derived::Unchanged => "unchanged",
            Derived::Unreachable(_) => "unreachable",
        }
    }

    #[test]
    fn every_command_a_report_becomes_is_granted() {
        let granted = granted();
        assert_eq!(granted.len(), 13, "{granted:?}");
        let r = StatusReport {
            due_at: "20251201080000".into(),
            ..Default::default()
        };
        for from in 1..=10 {
            let mut dossier = at(S::Submitted);
            dossier.status = from;
            for target in 1..=10 {
                if let Ok(Derived::Command(name, _)) = derive(target, &dossier, &r) {
                    assert!(granted.contains(&name), "{from} → {target}: {name}");
                }
            }
        }
    }

    #[test]
    fn four_depends_on_where_the_dossier_is() {
        let r = StatusReport::default();
        for (from, expected) in [
            (S::Received, "start_processing"),
            (S::Stopped, "resume"),
            (S::SupplementRequested, "submit_supplement"),
            (S::FinancialObligation, "record_payment"),
            (S::Submitted, "start_processing"),
            (S::Processing, "unchanged"),
        ] {
            assert_eq!(
                name(derive(4, &at(from), &r).unwrap()),
                expected,
                "{from:?}"
            );
        }
    }

    #[test]
    fn each_target_has_its_command() {
        let r = StatusReport {
            delivery: "post".into(),
            ..Default::default()
        };
        let d = at(S::Processing);
        for (target, expected) in [
            (2, "receive"),
            (3, "refuse"),
            (5, "request_supplement"),
            (6, "request_financial_obligation"),
            (7, "withdraw"),
            (8, "stop"),
            (9, "finish"),
            (10, "return_result"),
            (1, "unreachable"),
        ] {
            assert_eq!(name(derive(target, &d, &r).unwrap()), expected, "{target}");
        }
    }

    #[test]
    fn a_new_date_in_the_same_status_is_an_apology() {
        let mut r = StatusReport {
            due_at: "20251201170000".into(),
            ..Default::default()
        };
        let Derived::Command(command_name, command) = derive(4, &at(S::Processing), &r).unwrap()
        else {
            panic!("expected a command");
        };
        assert_eq!(command_name, "reschedule");
        match *command {
            Command::Reschedule(c) => {
                assert!(!c.apology.is_empty());
                assert_eq!(
                    c.new_due_at.unwrap().seconds,
                    vietnam_time::parse("20251201170000").unwrap()
                );
            }
            other => panic!("{other:?}"),
        }
        r.due_at = vietnam_time::format(1_764_000_000);
        assert_eq!(
            derive(4, &at(S::Processing), &r).unwrap(),
            Derived::Unchanged
        );
        assert_eq!(
            name(derive(10, &at(S::ResultReturned), &StatusReport::default()).unwrap()),
            "unchanged"
        );
    }

    #[test]
    fn unreadable_fields_are_named() {
        let r = StatusReport {
            due_at: "mai".into(),
            ..Default::default()
        };
        assert_eq!(
            derive(2, &at(S::Submitted), &r).unwrap_err().field,
            "due_at"
        );
        let r = StatusReport {
            delivery: "drone".into(),
            ..Default::default()
        };
        assert_eq!(
            derive(10, &at(S::Finished), &r).unwrap_err().field,
            "delivery"
        );
    }
}
