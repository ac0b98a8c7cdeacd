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
use crate::engine::{CitizenSay, Engine};
use crate::partners::Partner;
use crate::store::Store;
use std::sync::Arc;

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

    /// Stores a new feedback durably; false (nothing written) when its
    /// tracking code is taken.
    pub fn insert_feedback(&self, feedback: &Feedback) -> Result<bool, HubError> {
        Ok(self.store.insert_feedback(feedback)?)
    }
}
