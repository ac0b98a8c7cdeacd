//! Who may hand a dossier to whom inside the agency, and what that does to
//! its assignment: the one-stop unit transfers a received dossier to a
//! processing department, a leader (or the department's own specialist)
//! assigns it to a specialist of that department, and the specialist
//! returns it to the one-stop unit.
//!
//! A pure decision: given the officer, the dossier's row and its current
//! assignment, either the new assignment (with its hand-over line) and
//! whether the hub must start processing, or a refusal that names the rule
//! and the dossier's current state. Nothing is written here.

use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::domain::workspace::{Assignment, DossierRow, HandOver, HandOverKind, OfficerRef};
use crate::domain::{Status, UnixMillis};

/// The one-stop unit, as hand-over lines name it when a dossier returns.
pub const ONE_STOP_UNIT: &str = "Bộ phận Một cửa";

/// What an officer asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandOverRequest {
    Transfer { department: String },
    Assign { specialist: OfficerRef },
    ReturnToReception,
}

/// The decision on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub assignment: Assignment,
    /// The dossier is received (2): the hub's `start_processing` with the
    /// department as processing unit comes first.
    pub start_processing: bool,
}

/// Why a request is refused, in words for the officer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The officer's role may not do this at all (403).
    #[error("{0}")]
    Role(String),
    /// Not in the dossier's current state, or a bad choice (409).
    #[error("{0}")]
    State(String),
}

/// What the officer may do with this dossier now (which forms to show).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    pub transfer: bool,
    pub assign: bool,
    pub return_to_reception: bool,
}

pub fn allowed(
    officer: &OfficerAccount,
    row: &DossierRow,
    current: Option<&Assignment>,
) -> Allowed {
    let department = current.and_then(|a| a.department.as_deref());
    let at_reception = department.is_none();
    let specialist = current.and_then(|a| a.specialist.as_ref());
    Allowed {
        transfer: officer.role == OfficerRole::Reception
            && (row.status == Status::Received
                || (row.status == Status::Processing && at_reception)),
        assign: is_active(row.status)
            && row.status != Status::Received
            && department.is_some()
            && (officer.role == OfficerRole::Leader
                || (officer.role == OfficerRole::Specialist
                    && department == Some(officer.unit.as_str()))),
        return_to_reception: officer.role == OfficerRole::Specialist
            && row.status == Status::Processing
            && department.is_some()
            && (specialist.is_some_and(|s| s.login == officer.login)
                || (specialist.is_none() && department == Some(officer.unit.as_str()))),
    }
}

/// Received and still being worked on: the statuses a dossier is assigned
/// in, and so in someone's own queue (`Queue::Mine`).
pub(super) fn is_active(status: Status) -> bool {
    matches!(
        status,
        Status::Received
            | Status::Processing
            | Status::SupplementRequested
            | Status::FinancialObligation
            | Status::Stopped
    )
}

/// Decides `request`; `departments` are the agency's processing
/// departments, `specialists` the specialists of the dossier's department.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    officer: &OfficerAccount,
    row: &DossierRow,
    current: Option<&Assignment>,
    request: &HandOverRequest,
    note: &str,
    departments: &[String],
    specialists: &[OfficerRef],
    now: UnixMillis,
) -> Result<Decision, Refusal> {
    let may = allowed(officer, row, current);
    let state = format!(
        "Hồ sơ {} đang ở trạng thái “{}”{}.",
        row.ma_ho_so,
        row.status.vietnamese(),
        match current.and_then(|a| a.department.as_deref()) {
            Some(d) => format!(", tại {d}"),
            None => format!(", tại {ONE_STOP_UNIT}"),
        }
    );
    let mut next = current.cloned().unwrap_or_else(|| Assignment {
        ma_ho_so: row.ma_ho_so.clone(),
        agency_code: row.agency_code.clone(),
        department: None,
        specialist: None,
        note: String::new(),
        lines: Vec::new(),
    });
    let line = |kind, to_unit: String, to_officer: Option<String>| HandOver {
        at: now,
        kind,
        from_officer: officer.name.clone(),
        from_unit: officer.unit.clone(),
        to_unit,
        to_officer,
        note: note.to_string(),
    };
    let start_processing = match request {
        HandOverRequest::Transfer { department } => {
            if officer.role != OfficerRole::Reception {
                return Err(Refusal::Role(
                    "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa được chuyển hồ sơ cho phòng chuyên môn."
                        .into(),
                ));
            }
            if !may.transfer {
                return Err(Refusal::State(format!(
                    "{state} Chỉ chuyển được hồ sơ đã tiếp nhận hoặc đã trả về Bộ phận Một cửa."
                )));
            }
            if !departments.contains(department) {
                return Err(Refusal::State(format!(
                    "Phòng xử lý “{department}” không có trong danh sách các phòng chuyên môn của cơ quan."
                )));
            }
            next.department = Some(department.clone());
            next.specialist = None;
            next.lines
                .push(line(HandOverKind::Transfer, department.clone(), None));
            row.status == Status::Received
        }
        HandOverRequest::Assign { specialist } => {
            if !matches!(officer.role, OfficerRole::Leader | OfficerRole::Specialist) {
                return Err(Refusal::Role(
                    "Chỉ lãnh đạo hoặc chuyên viên của phòng xử lý được phân công hồ sơ.".into(),
                ));
            }
            if !may.assign {
                return Err(Refusal::State(format!(
                    "{state} Chỉ phân công được hồ sơ đang được phòng chuyên môn xử lý{}.",
                    if officer.role == OfficerRole::Specialist {
                        " của chính phòng mình"
                    } else {
                        ""
                    }
                )));
            }
            let Some(chosen) = specialists.iter().find(|s| s.login == specialist.login) else {
                return Err(Refusal::State(format!(
                    "Chuyên viên đã chọn không thuộc {}.",
                    next.department.as_deref().unwrap_or(ONE_STOP_UNIT)
                )));
            };
            next.specialist = Some(chosen.clone());
            let unit = next.department.clone().unwrap_or_default();
            next.lines
                .push(line(HandOverKind::Assign, unit, Some(chosen.name.clone())));
            false
        }
        HandOverRequest::ReturnToReception => {
            if officer.role != OfficerRole::Specialist {
                return Err(Refusal::Role(
                    "Chỉ chuyên viên xử lý được trả hồ sơ về Bộ phận Một cửa.".into(),
                ));
            }
            if !may.return_to_reception {
                return Err(Refusal::State(format!(
                    "{state} Chỉ chuyên viên đang giữ hồ sơ (hoặc của phòng đang giữ hồ sơ chưa phân công) được trả về."
                )));
            }
            next.department = None;
            next.specialist = None;
            next.lines.push(line(
                HandOverKind::ReturnToReception,
                ONE_STOP_UNIT.to_string(),
                None,
            ));
            false
        }
    };
    next.note = note.to_string();
    Ok(Decision {
        assignment: next,
        start_processing,
    })
}
