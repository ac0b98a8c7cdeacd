//! The records the hosted one-stop workspace keeps for itself, beside the
//! dossiers: one row per dossier of its read model (what the queues and the
//! statistics read), and the assignments of dossiers to departments and
//! specialists with their hand-over lines.
//!
//! Plain data, so that the store can keep them and the workspace room
//! (`src/workspace/`) can compute on them. The two differ in where they come
//! from: a row is derived from the event stream and can always be rebuilt
//! from it; an assignment is the module's own decision, in no event, so it
//! is kept durably and never rebuilt.

use super::{Channel, Status, UnixMillis};
use serde::{Deserialize, Serialize};

/// One dossier as the workspace's queues and statistics see it, derived
/// from the dossier's events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierRow {
    pub ma_ho_so: String,
    pub dossier_id: u64,
    /// The dossier version of the last event applied: an older event (a
    /// replay) never overwrites a newer row.
    pub version: u64,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub channel: Channel,
    pub owner_name: String,
    pub owner_id_number: String,
    pub status: Status,
    pub submitted_at: UnixMillis,
    pub received_at: Option<UnixMillis>,
    /// The current appointment date (after any reschedule).
    pub due_at: Option<UnixMillis>,
    /// When processing finished (status 9): the event's time.
    pub finished_at: Option<UnixMillis>,
    pub returned_at: Option<UnixMillis>,
    /// When the dossier was refused (3) or withdrawn (7).
    pub closed_at: Option<UnixMillis>,
    /// When the current pause (5, 6 or 8) began; `None` while not paused.
    pub paused_since: Option<UnixMillis>,
    /// The due date had already passed when the current pause began, so the
    /// dossier stays overdue while paused.
    #[serde(default)]
    pub overdue_when_paused: bool,
    /// An apology with a new date was issued (Mẫu 04): the dossier missed
    /// the appointment it was given at reception, whatever the new date.
    #[serde(default)]
    pub rescheduled: bool,
    /// The unit named by `start_processing`.
    pub processing_unit: String,
    pub updated_at: UnixMillis,
}

/// An officer named in an assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerRef {
    pub login: String,
    pub name: String,
}

/// What a hand-over did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandOverKind {
    /// The one-stop unit transferred the dossier to a processing department.
    Transfer,
    /// A leader (or the department) assigned it to a specialist.
    Assign,
    /// The specialist sent it back to the one-stop unit.
    ReturnToReception,
}

impl HandOverKind {
    /// What the process-control sheet (Mẫu 05) says.
    pub fn vietnamese(self) -> &'static str {
        match self {
            HandOverKind::Transfer => "Chuyển phòng chuyên môn xử lý",
            HandOverKind::Assign => "Phân công chuyên viên xử lý",
            HandOverKind::ReturnToReception => "Trả về Bộ phận Một cửa",
        }
    }
}

/// One hand-over of a dossier inside the agency: who gave it, when, from
/// which unit, to which unit (and officer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandOver {
    pub at: UnixMillis,
    pub kind: HandOverKind,
    pub from_officer: String,
    pub from_unit: String,
    pub to_unit: String,
    pub to_officer: Option<String>,
    pub note: String,
}

/// Where a dossier is inside its agency, and how it got there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub ma_ho_so: String,
    pub agency_code: String,
    /// The processing department holding the dossier; `None` while it is at
    /// the one-stop unit.
    pub department: Option<String>,
    pub specialist: Option<OfficerRef>,
    /// The last note given with a hand-over.
    pub note: String,
    /// Every hand-over, oldest first.
    pub lines: Vec<HandOver>,
}
