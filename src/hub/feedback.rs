//! What the hub keeps for the hosted portal's citizens: ratings of
//! dossiers and feedback with its answers. The portal and the workspace
//! reach them only through [`FeedbackRecords`].
//!
//! A rating and an answer go through the writer (`engine/citizen.rs`), in
//! one batch with their outbox event and audit entry, so the national
//! portal's relay delivers them; the feedback as sent (with its sender's
//! contact, in no event) is written by `store/feedback.rs`. Every write is
//! on disk before it returns.

use super::HubError;
use crate::domain::feedback::{Feedback, FeedbackAnswer, PublishedAnswer, Rating};
use crate::engine::{CitizenSay, Engine, EngineError};
use crate::partners::Partner;
use crate::store::{EmbeddedAnswer, Store};
use std::sync::Arc;

/// What [`FeedbackRecords::move_first_layout`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FirstLayoutMoved {
    /// Ratings now recorded by the writer (with their `dossier_rated`).
    pub ratings: usize,
    /// Answers now recorded by the writer (with their `answer_published`
    /// when public and their agency is known).
    pub answers: usize,
    /// What could not be moved, each with why; left where it was.
    pub kept: Vec<String>,
}

/// `Hub::feedback_records`.
#[derive(Clone)]
pub struct FeedbackRecords {
    store: Store,
    engine: Engine,
}

impl FeedbackRecords {
    pub(crate) fn new(store: Store, engine: Engine) -> FeedbackRecords {
        FeedbackRecords { store, engine }
    }

    pub fn rating(&self, ma_ho_so: &str) -> Result<Option<Rating>, HubError> {
        Ok(self.store.rating(ma_ho_so)?)
    }

    pub fn ratings(&self) -> Result<Vec<Rating>, HubError> {
        Ok(self.store.ratings()?)
    }

    /// Records the dossier's first rating and its `dossier_rated` event, as
    /// `partner` (the hosted module). Refused, writing nothing but the
    /// audit entry, when the dossier was rated already
    /// (`AlreadyExists`) or its result is not returned (`NotRatable`).
    /// Returns the event's seq.
    pub async fn rate(&self, partner: &Arc<Partner>, rating: Rating) -> Result<u64, HubError> {
        let outcome = self
            .engine
            .record_citizen_say(partner.clone(), CitizenSay::Rate(rating))
            .await?;
        Ok(outcome.event_seq)
    }

    /// Records the first answer to feedback `code`; when `published` is
    /// given, with its `answer_published` event. Refused (`AlreadyExists`)
    /// when the feedback was answered already. Returns the event's seq, 0
    /// for an answer not published.
    pub async fn answer(
        &self,
        partner: &Arc<Partner>,
        code: &str,
        answer: FeedbackAnswer,
        published: Option<PublishedAnswer>,
    ) -> Result<u64, HubError> {
        let say = CitizenSay::Answer {
            code: code.to_string(),
            answer,
            published: published.map(Box::new),
        };
        let outcome = self.engine.record_citizen_say(partner.clone(), say).await?;
        Ok(outcome.event_seq)
    }

    pub fn feedback(&self, code: &str) -> Result<Option<Feedback>, HubError> {
        Ok(self.store.feedback(code)?)
    }

    pub fn all_feedback(&self) -> Result<Vec<Feedback>, HubError> {
        Ok(self.store.all_feedback()?)
    }

    /// Moves what the portal's first release stored in its own trees
    /// (`store/first_layout.rs`) to where the writer keeps it, each rating
    /// and answer through the writer as `partner` like a new one — so each
    /// gets its event and audit entry and the national portal hears of it,
    /// which the first release never told it. A dossier or feedback that
    /// already has one in the new place keeps it (the first recorded wins,
    /// as always) and the old one is forgotten. `answering_agency` names
    /// the agency (code, name) that gave an answer the first release kept
    /// without it; a public answer whose agency is unknown is recorded
    /// without an event. Run at start, before the pages serve; resumable.
    pub async fn move_first_layout(
        &self,
        partner: &Arc<Partner>,
        answering_agency: impl Fn(&EmbeddedAnswer) -> Option<(String, String)>,
    ) -> Result<FirstLayoutMoved, HubError> {
        let mut moved = FirstLayoutMoved::default();
        for rating in self.store.first_layout_ratings()? {
            let ma_ho_so = rating.ma_ho_so.clone();
            match self.rate(partner, rating).await {
                Ok(_) => moved.ratings += 1,
                Err(HubError::Engine(EngineError::AlreadyExists { .. })) => {
                    tracing::info!(%ma_ho_so, "the dossier was rated again since; its first-layout rating is forgotten");
                }
                Err(HubError::Engine(e)) => {
                    moved.kept.push(format!("the rating of {ma_ho_so}: {e}"));
                    continue;
                }
                Err(e) => return Err(e),
            }
            self.store.forget_first_layout_rating(&ma_ho_so)?;
        }
        for found in self.store.first_layout_answers()? {
            let code = found.feedback.code.clone();
            let published = match (found.answer.public, answering_agency(&found)) {
                (true, Some(agency)) => Some(
                    found
                        .feedback
                        .published(found.answer.clone(), (&agency.0, &agency.1)),
                ),
                (true, None) => {
                    tracing::warn!(%code, "a public first-layout answer with no known agency is recorded without an answer_published event");
                    None
                }
                (false, _) => None,
            };
            match self
                .answer(partner, &code, found.answer.clone(), published)
                .await
            {
                Ok(_) => moved.answers += 1,
                Err(HubError::Engine(EngineError::AlreadyExists { .. })) => {
                    tracing::info!(%code, "the feedback was answered again since; its first-layout answer is forgotten");
                }
                Err(HubError::Engine(e)) => {
                    moved.kept.push(format!("the answer to {code}: {e}"));
                    continue;
                }
                Err(e) => return Err(e),
            }
            self.store.forget_first_layout_answer(&found)?;
        }
        Ok(moved)
    }

    /// Stores a new feedback durably; false (nothing written) when its
    /// tracking code is taken.
    pub fn insert_feedback(&self, feedback: &Feedback) -> Result<bool, HubError> {
        Ok(self.store.insert_feedback(feedback)?)
    }
}
