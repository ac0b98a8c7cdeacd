//! What citizens say back to the administration, kept by the hosted portal
//! beside the dossiers: a satisfaction rating of a dossier after its result
//! was returned (Decree 61/2018 step 9; Circular 32/2017 Art. 12 publishes
//! it), and feedback and petitions (phản ánh, kiến nghị) with an officer's
//! answer.
//!
//! Plain data, so the store can keep it and the portal room
//! (`src/portal/`) can decide on it. Neither is derived from the event
//! stream: each is the citizen's own statement, so it is kept durably and
//! never rebuilt.

use super::UnixMillis;
use serde::{Deserialize, Serialize};

/// The satisfaction levels of the national portal's rating form (Rất hài
/// lòng / Hài lòng / Không hài lòng). *(Provisional: the levels public
/// portals show; neither DOMAIN.md nor the seeds fix the wording.)*
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Satisfaction {
    VerySatisfied = 1,
    Satisfied = 2,
    Unsatisfied = 3,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Unsatisfied,
    ];

    /// The code sent to the national portal and posted by the form.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Satisfaction> {
        Satisfaction::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn vietnamese(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "Rất hài lòng",
            Satisfaction::Satisfied => "Hài lòng",
            Satisfaction::Unsatisfied => "Không hài lòng",
        }
    }

    /// Counted as satisfied in the published ratio.
    pub fn is_satisfied(self) -> bool {
        self != Satisfaction::Unsatisfied
    }
}

/// One dossier's rating; at most one per dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub ma_ho_so: String,
    pub agency_code: String,
    pub procedure_code: String,
    pub level: Satisfaction,
    /// What the applicant added in words (may be empty).
    pub comment: String,
    pub rated_at: UnixMillis,
}

/// Where a feedback stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedbackState {
    /// Sent, not answered yet.
    Received,
    /// Answered by an officer.
    Answered,
}

impl FeedbackState {
    pub fn vietnamese(self) -> &'static str {
        match self {
            FeedbackState::Received => "Đã tiếp nhận, đang xử lý",
            FeedbackState::Answered => "Đã trả lời",
        }
    }
}

/// An officer's answer to a feedback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackAnswer {
    pub text: String,
    pub officer: String,
    pub unit: String,
    pub answered_at: UnixMillis,
    /// Published on the portal's list of answers.
    pub public: bool,
}

/// A feedback's answer as it is published (event `answer_published`, and
/// the portal's list of answers): the question without who sent it — the
/// sender's name and contact stay in the portal's own records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedAnswer {
    /// The feedback's tracking code.
    pub code: String,
    pub subject: String,
    /// The question as sent.
    pub question: String,
    /// The dossier it is about, as the sender typed it (may be empty; not
    /// checked against the dossiers).
    pub ma_ho_so: String,
    /// The agency that answers: the one it was addressed to, or the
    /// answering officer's when it was addressed to none.
    pub agency_code: String,
    /// That agency's name as the agencies catalogue gives it (may be empty).
    pub agency_name: String,
    pub answer: FeedbackAnswer,
}

/// One feedback or petition (phản ánh, kiến nghị).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// The tracking code given to the sender (`PAKN-yyMMdd-XXXXXX`).
    pub code: String,
    pub name: String,
    /// An e-mail address or a phone number.
    pub contact: String,
    pub subject: String,
    pub content: String,
    /// The dossier it is about, if any.
    pub ma_ho_so: String,
    /// The agency it is addressed to (the catalogue's code; may be empty:
    /// every agency's officers see it).
    pub agency_code: String,
    pub sent_at: UnixMillis,
    pub answer: Option<FeedbackAnswer>,
}

impl Feedback {
    pub fn state(&self) -> FeedbackState {
        if self.answer.is_some() {
            FeedbackState::Answered
        } else {
            FeedbackState::Received
        }
    }

    /// Answered and marked public.
    pub fn is_published(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.public)
    }

    /// What is published of it with `answer`, given by an officer of
    /// `agency` (code, name).
    pub fn published(&self, answer: FeedbackAnswer, agency: (&str, &str)) -> PublishedAnswer {
        PublishedAnswer {
            code: self.code.clone(),
            subject: self.subject.clone(),
            question: self.content.clone(),
            ma_ho_so: self.ma_ho_so.clone(),
            agency_code: agency.0.to_string(),
            agency_name: agency.1.to_string(),
            answer,
        }
    }
}
