//! What the hub keeps for the hosted portal's citizens: ratings of
//! dossiers and feedback with its answers. The portal and the workspace
//! reach them only through [`FeedbackRecords`]; storage stays in
//! `store/feedback.rs`, where every write is flushed before it returns.

use super::HubError;
use crate::domain::feedback::{Feedback, Rating};
use crate::store::Store;

/// `Hub::feedback_records`.
#[derive(Clone)]
pub struct FeedbackRecords {
    store: Store,
}

impl FeedbackRecords {
    pub(crate) fn new(store: Store) -> FeedbackRecords {
        FeedbackRecords { store }
    }

    pub fn rating(&self, ma_ho_so: &str) -> Result<Option<Rating>, HubError> {
        Ok(self.store.rating(ma_ho_so)?)
    }

    pub fn ratings(&self) -> Result<Vec<Rating>, HubError> {
        Ok(self.store.ratings()?)
    }

    /// Stores the dossier's first rating durably; false (nothing written)
    /// when it was rated already.
    pub fn insert_rating(&self, rating: &Rating) -> Result<bool, HubError> {
        Ok(self.store.insert_rating(rating)?)
    }

    pub fn feedback(&self, code: &str) -> Result<Option<Feedback>, HubError> {
        Ok(self.store.feedback(code)?)
    }

    pub fn all_feedback(&self) -> Result<Vec<Feedback>, HubError> {
        Ok(self.store.all_feedback()?)
    }

    /// Stores `feedback` over `expected` durably; false (nothing written)
    /// when the stored one changed in between.
    pub fn replace_feedback(
        &self,
        expected: Option<&Feedback>,
        feedback: &Feedback,
    ) -> Result<bool, HubError> {
        Ok(self.store.replace_feedback(expected, feedback)?)
    }
}
