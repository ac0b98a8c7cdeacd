//! The portal's own trees: citizens' ratings of dossiers and their
//! feedback and petitions with the officers' answers.
//!
//! Trees of their own, apart from the hub's one tree, like the workspace's
//! (`store/workspace.rs`): the engine never writes them and nothing in them
//! is derived from events. Every write is a compare-and-swap (a rating is
//! written only where none is, an answer only over the feedback the officer
//! saw), then flushed before the call returns — a citizen is told "recorded"
//! only once it is on disk.
//!
//! | tree               | key            | value             |
//! |--------------------|----------------|-------------------|
//! | `portal_ratings`   | MaHoSo         | Rating (JSON)     |
//! | `portal_feedback`  | tracking code  | Feedback (JSON)   |

use super::{encode, Store, StoreError};
use crate::domain::feedback::{Feedback, Rating};

const RATINGS_TREE: &str = "portal_ratings";
const FEEDBACK_TREE: &str = "portal_feedback";
const READING_RATINGS: &str = "reading ratings";
const READING_FEEDBACK: &str = "reading feedback";

impl Store {
    fn feedback_tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.db()?
            .open_tree(name)
            .map_err(|e| self.failed("opening the portal's tree", e))
    }

    pub fn rating(&self, ma_ho_so: &str) -> Result<Option<Rating>, StoreError> {
        let tree = self.feedback_tree(RATINGS_TREE)?;
        self.read_one(&tree, ma_ho_so.as_bytes(), READING_RATINGS)
    }

    /// Every rating, in MaHoSo order.
    pub fn ratings(&self) -> Result<Vec<Rating>, StoreError> {
        let tree = self.feedback_tree(RATINGS_TREE)?;
        self.read_all(&tree, Vec::new(), READING_RATINGS)
    }

    /// Stores `rating` if its dossier has none yet, and flushes. Returns
    /// false, writing nothing, when the dossier was already rated.
    pub fn insert_rating(&self, rating: &Rating) -> Result<bool, StoreError> {
        self.write_db()?;
        let swapped = self
            .feedback_tree(RATINGS_TREE)?
            .compare_and_swap(
                rating.ma_ho_so.as_bytes(),
                None as Option<Vec<u8>>,
                Some(encode(rating)),
            )
            .map_err(|e| self.failed("storing a rating", e))?;
        if swapped.is_err() {
            return Ok(false);
        }
        self.flush()?;
        Ok(true)
    }

    pub fn feedback(&self, code: &str) -> Result<Option<Feedback>, StoreError> {
        let tree = self.feedback_tree(FEEDBACK_TREE)?;
        self.read_one(&tree, code.as_bytes(), READING_FEEDBACK)
    }

    /// Every feedback, in tracking-code order.
    pub fn all_feedback(&self) -> Result<Vec<Feedback>, StoreError> {
        let tree = self.feedback_tree(FEEDBACK_TREE)?;
        self.read_all(&tree, Vec::new(), READING_FEEDBACK)
    }

    /// Stores `feedback` over `expected` (`None`: a new tracking code), and
    /// flushes. Returns false, writing nothing, when the stored one is not
    /// `expected` (a code already taken, or an answer given in between).
    pub fn replace_feedback(
        &self,
        expected: Option<&Feedback>,
        feedback: &Feedback,
    ) -> Result<bool, StoreError> {
        self.write_db()?;
        let swapped = self
            .feedback_tree(FEEDBACK_TREE)?
            .compare_and_swap(
                feedback.code.as_bytes(),
                expected.map(encode),
                Some(encode(feedback)),
            )
            .map_err(|e| self.failed("storing a feedback", e))?;
        if swapped.is_err() {
            return Ok(false);
        }
        self.flush()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::feedback::{Feedback, FeedbackAnswer, Rating, Satisfaction};
    use crate::domain::UnixMillis;
    use crate::store::test_store as store;

    fn rating(ma: &str, level: Satisfaction) -> Rating {
        Rating {
            ma_ho_so: ma.into(),
            agency_code: "A".into(),
            procedure_code: "1.000948.H38".into(),
            level,
            comment: String::new(),
            rated_at: UnixMillis(5),
        }
    }

    #[test]
    fn a_dossier_is_rated_once_and_the_first_rating_stays() {
        let (_dir, store) = store();
        assert!(store
            .insert_rating(&rating("A-1", Satisfaction::Satisfied))
            .unwrap());
        assert!(!store
            .insert_rating(&rating("A-1", Satisfaction::Unsatisfied))
            .unwrap());
        assert_eq!(
            store.rating("A-1").unwrap().map(|r| r.level),
            Some(Satisfaction::Satisfied)
        );
        assert_eq!(store.ratings().unwrap().len(), 1);
    }

    #[test]
    fn an_answer_is_stored_only_over_the_feedback_the_officer_saw() {
        let (_dir, store) = store();
        let sent = Feedback {
            code: "PAKN-261202-ABCDEF".into(),
            name: "Trần Thị Bình".into(),
            contact: "0912345678".into(),
            subject: "Hỏi về lệ phí".into(),
            content: "Lệ phí bao nhiêu?".into(),
            ma_ho_so: String::new(),
            agency_code: "A".into(),
            sent_at: UnixMillis(1),
            answer: None,
        };
        assert!(store.replace_feedback(None, &sent).unwrap());
        assert!(
            !store.replace_feedback(None, &sent).unwrap(),
            "a tracking code is given once"
        );
        let mut answered = sent.clone();
        answered.answer = Some(FeedbackAnswer {
            text: "Miễn phí.".into(),
            officer: "Lan".into(),
            unit: "Một cửa".into(),
            answered_at: UnixMillis(2),
            public: true,
        });
        assert!(store.replace_feedback(Some(&sent), &answered).unwrap());
        let mut other = answered.clone();
        other.answer.as_mut().unwrap().text = "Khác".into();
        assert!(
            !store.replace_feedback(Some(&sent), &other).unwrap(),
            "answered in between"
        );
        assert_eq!(store.feedback(&sent.code).unwrap(), Some(answered));
    }
}
