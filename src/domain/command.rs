//! The commands a partner can send about a dossier, in one envelope.
//!
//! The envelope carries what every command shares (idempotency key, expected
//! version, who acts) and an [`Action`]: either a submission, which creates a
//! dossier, or a [`Command`] on a dossier the partner names. Only these two
//! shapes exist, so "a submission naming a dossier" or "a receive naming
//! none" cannot be built: the edge that builds an envelope (`wire::from_proto`)
//! is the one place that refuses them. A request's fingerprint, used to
//! recognise a replay, is a hash of exactly what the partner asked for, in
//! the JSON shape it has always had, written out in `canonical.rs` so that
//! no field name here can change it (`fingerprint`).

use super::{
    ApplicantType, Channel, Document, Fee, PostalAddress, ResultDelivery, ResultDocument,
    UnixMillis,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierRef {
    Id(u64),
    MaHoSo(String),
}

impl std::fmt::Display for DossierRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DossierRef::Id(id) => write!(f, "id {id}"),
            // Quoted: a reference may be anything a partner sent.
            DossierRef::MaHoSo(code) => write!(f, "MaHoSo {}", super::quoted(code)),
        }
    }
}

/// What a submission carries (step 2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDossier {
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub sector_code: String,
    pub channel: Option<Channel>,
    pub owner_name: String,
    pub applicant_type: Option<ApplicantType>,
    pub owner_id_number: String,
    pub email: String,
    pub phone: String,
    pub summary: String,
    pub result_delivery: Option<ResultDelivery>,
    pub documents: Vec<Document>,
    pub fees: Vec<Fee>,
    /// A MaHoSo assigned elsewhere (national portal); empty = hub assigns.
    pub ma_ho_so: String,
    /// Where the result is delivered by post (DiaChiNhanKetQua). Last and
    /// left out while empty, so a submission without it hashes to the
    /// fingerprint it always had.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result_address: String,
    /// The applicant's structured postal address (province, commune,
    /// street, phone). Last and left out while absent, like
    /// `result_address`: fingerprints of submissions without it stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_address: Option<PostalAddress>,
}

/// A command on a dossier that exists: every command but `submit`.
/// Serialised with its name in `command`, as fingerprints have always had it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Receive {
        due_at: Option<UnixMillis>,
    },
    Refuse {
        reason: String,
    },
    RequestSupplement {
        reason: String,
        items: Vec<String>,
    },
    SubmitSupplement {
        documents: Vec<Document>,
        new_due_at: Option<UnixMillis>,
    },
    StartProcessing {
        processing_unit: String,
    },
    RequestFinancialObligation {
        fees: Vec<Fee>,
        note: String,
    },
    RecordPayment {
        transaction_id: String,
        reference: String,
        amount_vnd: i64,
        paid_at: Option<UnixMillis>,
    },
    Stop {
        reason: String,
    },
    Resume {
        note: String,
    },
    Withdraw {
        reason: String,
    },
    Finish {
        results: Vec<ResultDocument>,
    },
    ReturnResult {
        delivery: Option<ResultDelivery>,
    },
    Reschedule {
        apology: String,
        new_due_at: Option<UnixMillis>,
    },
    /// Inter-agency processing (liên thông): the dossier goes to the next
    /// agency of its procedure's sequence.
    Forward {
        to_agency_code: String,
        note: String,
    },
    /// A partner's event (a postal pickup, a failed delivery…): a history
    /// line, status unchanged. `kind` stays text here so that validation,
    /// not decoding, refuses an unknown one by its field name.
    RecordPartnerEvent {
        kind: String,
        occurred_at: Option<UnixMillis>,
        reference: String,
        note: String,
    },
}

/// The name of a command, as used in configuration (`commands = [...]`),
/// history lines and error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandName {
    Submit,
    Receive,
    Refuse,
    RequestSupplement,
    SubmitSupplement,
    StartProcessing,
    RequestFinancialObligation,
    RecordPayment,
    Stop,
    Resume,
    Withdraw,
    Finish,
    ReturnResult,
    Reschedule,
    Forward,
    RecordPartnerEvent,
    /// Not a dossier command: publishing a shared catalogue.
    PublishCatalog,
    /// Not a dossier command: listing and re-driving parked messages.
    ManageParked,
}

impl CommandName {
    pub const ALL: [CommandName; 18] = [
        CommandName::Submit,
        CommandName::Receive,
        CommandName::Refuse,
        CommandName::RequestSupplement,
        CommandName::SubmitSupplement,
        CommandName::StartProcessing,
        CommandName::RequestFinancialObligation,
        CommandName::RecordPayment,
        CommandName::Stop,
        CommandName::Resume,
        CommandName::Withdraw,
        CommandName::Finish,
        CommandName::ReturnResult,
        CommandName::Reschedule,
        CommandName::Forward,
        CommandName::RecordPartnerEvent,
        CommandName::PublishCatalog,
        CommandName::ManageParked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandName::Submit => "submit",
            CommandName::Receive => "receive",
            CommandName::Refuse => "refuse",
            CommandName::RequestSupplement => "request_supplement",
            CommandName::SubmitSupplement => "submit_supplement",
            CommandName::StartProcessing => "start_processing",
            CommandName::RequestFinancialObligation => "request_financial_obligation",
            CommandName::RecordPayment => "record_payment",
            CommandName::Stop => "stop",
            CommandName::Resume => "resume",
            CommandName::Withdraw => "withdraw",
            CommandName::Finish => "finish",
            CommandName::ReturnResult => "return_result",
            CommandName::Reschedule => "reschedule",
            CommandName::Forward => "forward",
            CommandName::RecordPartnerEvent => "record_partner_event",
            CommandName::PublishCatalog => "publish_catalog",
            CommandName::ManageParked => "manage_parked",
        }
    }

    pub fn parse(text: &str) -> Option<CommandName> {
        CommandName::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl Command {
    pub fn name(&self) -> CommandName {
        match self {
            Command::Receive { .. } => CommandName::Receive,
            Command::Refuse { .. } => CommandName::Refuse,
            Command::RequestSupplement { .. } => CommandName::RequestSupplement,
            Command::SubmitSupplement { .. } => CommandName::SubmitSupplement,
            Command::StartProcessing { .. } => CommandName::StartProcessing,
            Command::RequestFinancialObligation { .. } => CommandName::RequestFinancialObligation,
            Command::RecordPayment { .. } => CommandName::RecordPayment,
            Command::Stop { .. } => CommandName::Stop,
            Command::Resume { .. } => CommandName::Resume,
            Command::Withdraw { .. } => CommandName::Withdraw,
            Command::Finish { .. } => CommandName::Finish,
            Command::ReturnResult { .. } => CommandName::ReturnResult,
            Command::Reschedule { .. } => CommandName::Reschedule,
            Command::Forward { .. } => CommandName::Forward,
            Command::RecordPartnerEvent { .. } => CommandName::RecordPartnerEvent,
        }
    }
}

/// What the partner asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Step 2: a new dossier; the hub assigns its identity.
    Submit(Box<NewDossier>),
    /// Any other command, on the dossier it names.
    OnDossier {
        dossier: DossierRef,
        command: Command,
    },
}

impl Action {
    pub fn name(&self) -> CommandName {
        match self {
            Action::Submit(_) => CommandName::Submit,
            Action::OnDossier { command, .. } => command.name(),
        }
    }

    /// The dossier it names; none for a submission.
    pub fn dossier(&self) -> Option<&DossierRef> {
        match self {
            Action::Submit(_) => None,
            Action::OnDossier { dossier, .. } => Some(dossier),
        }
    }
}

/// A command with everything every command shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandEnvelope {
    pub idempotency_key: String,
    /// Checked against the dossier's version by a command on a dossier; a
    /// submission has no dossier yet and ignores it (it still counts in the
    /// fingerprint, as part of what was asked).
    pub expected_version: Option<u64>,
    pub actor: String,
    pub unit: String,
    pub action: Action,
}

impl CommandEnvelope {
    pub fn name(&self) -> CommandName {
        self.action.name()
    }

    /// SHA-256 over the canonical form of the request (`canonical.rs`):
    /// equal requests, equal fingerprints. Used to tell a replay from a
    /// reused key, against fingerprints stored by earlier versions too.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.as_asked()))
    }

    /// The request in the form fingerprints have always hashed.
    fn as_asked(&self) -> Vec<u8> {
        super::canonical::envelope(self).into_bytes()
    }
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
