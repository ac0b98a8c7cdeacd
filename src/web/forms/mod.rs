//! The actions an officer takes on one dossier, as forms: which role may
//! take which action (the status rule is the hub's own transition table,
//! never a second copy), and how a posted form becomes one hub command or a
//! list of errors in Vietnamese, each naming its field.
//!
//! Why here and pure: the dossier page shows only the forms the officer may
//! send, the handler refuses any other before anything is written, and both
//! ask the same function, which tests can name without a web server.

mod build;
mod fields;

pub use build::{build, Context};
pub use fields::{error_for, FieldError, Fields};

use crate::domain::machine::transition;
use crate::domain::officer::OfficerRole;
use crate::domain::{CommandName, Status};

/// One thing an officer can do to a dossier from its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DossierAction {
    /// Complete at reception: receipt Mẫu 01 with the computed date.
    Receive,
    /// Refused at reception with a reason: Mẫu 03.
    Refuse,
    /// Incomplete: one request listing every missing component, Mẫu 02.
    RequestSupplement,
    /// The applicant brought the missing components to the counter.
    RecordSupplement,
    /// A specialist takes the received dossier up in their department.
    StartProcessing,
    /// Fees or taxes to pay before going on.
    RequestFee,
    /// Paid at the counter (the gateway records online payments itself).
    RecordPayment,
    /// Processing finished, result ready (the leader's approval).
    Finish,
    Stop,
    Resume,
    /// On the applicant's written request.
    Withdraw,
    ReturnResult,
    /// Overdue apology with a new date: Mẫu 04.
    Reschedule,
    /// Inter-agency processing (liên thông): to the next agency of the
    /// procedure's sequence.
    Forward,
}

impl DossierAction {
    pub const ALL: [DossierAction; 14] = [
        DossierAction::Receive,
        DossierAction::RequestSupplement,
        DossierAction::Refuse,
        DossierAction::RecordSupplement,
        DossierAction::StartProcessing,
        DossierAction::Forward,
        DossierAction::RequestFee,
        DossierAction::RecordPayment,
        DossierAction::Finish,
        DossierAction::Stop,
        DossierAction::Resume,
        DossierAction::Reschedule,
        DossierAction::Withdraw,
        DossierAction::ReturnResult,
    ];

    /// The last segment of the form's address
    /// (`/mot-cua/ho-so/<MaHoSo>/<slug>`), also the form's HTML id.
    pub fn slug(self) -> &'static str {
        match self {
            DossierAction::Receive => "tiep-nhan",
            DossierAction::Refuse => "tu-choi",
            DossierAction::RequestSupplement => "yeu-cau-bo-sung",
            DossierAction::RecordSupplement => "nhan-bo-sung",
            DossierAction::StartProcessing => "nhan-xu-ly",
            DossierAction::RequestFee => "yeu-cau-nop-phi",
            DossierAction::RecordPayment => "thu-phi",
            DossierAction::Finish => "hoan-thanh",
            DossierAction::Stop => "dung-xu-ly",
            DossierAction::Resume => "tiep-tuc-xu-ly",
            DossierAction::Withdraw => "rut-ho-so",
            DossierAction::ReturnResult => "tra-ket-qua",
            DossierAction::Reschedule => "hen-lai",
            DossierAction::Forward => "chuyen-lien-thong",
        }
    }

    pub fn from_slug(slug: &str) -> Option<DossierAction> {
        DossierAction::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// The form's heading and button.
    pub fn title(self) -> &'static str {
        match self {
            DossierAction::Receive => "Tiếp nhận hồ sơ (đủ thành phần)",
            DossierAction::Refuse => "Từ chối tiếp nhận",
            DossierAction::RequestSupplement => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
            DossierAction::RecordSupplement => "Nhận hồ sơ bổ sung",
            DossierAction::StartProcessing => "Nhận xử lý hồ sơ",
            DossierAction::RequestFee => "Yêu cầu nộp phí, lệ phí",
            DossierAction::RecordPayment => "Ghi nhận nộp phí tại quầy",
            DossierAction::Finish => "Phê duyệt, hoàn thành xử lý",
            DossierAction::Stop => "Dừng xử lý",
            DossierAction::Resume => "Tiếp tục xử lý",
            DossierAction::Withdraw => "Rút hồ sơ theo đề nghị của người nộp",
            DossierAction::ReturnResult => "Trả kết quả",
            DossierAction::Reschedule => "Xin lỗi và hẹn lại ngày trả kết quả",
            DossierAction::Forward => "Chuyển liên thông đến cơ quan tiếp theo",
        }
    }

    /// The hub command the action sends.
    pub fn command(self) -> CommandName {
        match self {
            DossierAction::Receive => CommandName::Receive,
            DossierAction::Refuse => CommandName::Refuse,
            DossierAction::RequestSupplement => CommandName::RequestSupplement,
            DossierAction::RecordSupplement => CommandName::SubmitSupplement,
            DossierAction::StartProcessing => CommandName::StartProcessing,
            DossierAction::RequestFee => CommandName::RequestFinancialObligation,
            DossierAction::RecordPayment => CommandName::RecordPayment,
            DossierAction::Finish => CommandName::Finish,
            DossierAction::Stop => CommandName::Stop,
            DossierAction::Resume => CommandName::Resume,
            DossierAction::Withdraw => CommandName::Withdraw,
            DossierAction::ReturnResult => CommandName::ReturnResult,
            DossierAction::Reschedule => CommandName::Reschedule,
            DossierAction::Forward => CommandName::Forward,
        }
    }

    /// The roles that take this action (Decree 61/2018 Art. 17–20): the
    /// one-stop unit receives, refuses, asks for and takes in supplements,
    /// collects at the counter, takes withdrawals and hands results back;
    /// the department processes, asks for fees, stops and resumes; the
    /// leader approves and signs the apology with a new date (Mẫu 04 is
    /// signed by the head of the agency). A dossier goes on to the next
    /// agency from the one-stop unit once received,
    /// from the department while processing. The administrator runs the
    /// system and acts on no dossier.
    pub fn roles(self) -> &'static [OfficerRole] {
        use OfficerRole::{Leader, Reception, Specialist};
        match self {
            DossierAction::Receive
            | DossierAction::Refuse
            | DossierAction::RecordSupplement
            | DossierAction::RecordPayment
            | DossierAction::Withdraw
            | DossierAction::ReturnResult => &[Reception],
            DossierAction::RequestSupplement => &[Reception, Specialist],
            DossierAction::StartProcessing
            | DossierAction::RequestFee
            | DossierAction::Stop
            | DossierAction::Resume => &[Specialist, Leader],
            DossierAction::Finish => &[Specialist, Leader],
            DossierAction::Reschedule => &[Leader],
            DossierAction::Forward => &[Reception, Specialist, Leader],
        }
    }
}

/// Why an action cannot be taken now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAllowed {
    /// The officer's role does not take it.
    Role,
    /// The dossier's status does not allow it (the hub's transition table).
    Status(Status),
}

/// Whether `role` may take `action` on a dossier in `status`. A dossier
/// not yet received (status 1) is the one-stop unit's alone; reception asks
/// for a supplement only then, the department only while processing
/// (status 4).
pub fn check(action: DossierAction, role: OfficerRole, status: Status) -> Result<(), NotAllowed> {
    if !action.roles().contains(&role) {
        return Err(NotAllowed::Role);
    }
    if transition(action.command(), status).is_err() {
        return Err(NotAllowed::Status(status));
    }
    if status == Status::Submitted && role != OfficerRole::Reception {
        return Err(NotAllowed::Status(status));
    }
    if action == DossierAction::Forward {
        let at_reception = status == Status::Received;
        if at_reception != (role == OfficerRole::Reception) {
            return Err(NotAllowed::Status(status));
        }
    }
    if action == DossierAction::RequestSupplement {
        let at_reception = status == Status::Submitted;
        if at_reception != (role == OfficerRole::Reception) {
            return Err(NotAllowed::Status(status));
        }
    }
    Ok(())
}

/// The actions `role` may take on a dossier in `status`, in page order.
pub fn available(role: OfficerRole, status: Status) -> Vec<DossierAction> {
    DossierAction::ALL
        .into_iter()
        .filter(|a| check(*a, role, status).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
