//! What citizens say on the hosted portal: ratings of dossiers, feedback
//! and petitions, and the officers' answers.
//!
//! A rating and an answer are decisions the national portal must hear of,
//! so the engine writes them (`Txn::put_rating`, `Txn::put_feedback_answer`)
//! in the same atomic batch as their outbox event and audit entry: a rating
//! is written only where none is, an answer only where none is — the one
//! writer checks, so a dossier keeps its first rating and a feedback its
//! first answer whatever races. They live in the hub's one tree (`r` and `f`
//! keys, `keys.rs`), never removed by retention, and are read here.
//!
//! The feedback as sent — with who sent it and how to reach them, which no
//! event carries — stays in a tree of the portal's own, written once (a
//! compare-and-swap on a new tracking code) and flushed before the sender
//! is told "recorded".
//!
//! | tree / prefix      | key            | value                  |
//! |--------------------|----------------|------------------------|
//! | main `r`           | MaHoSo         | Rating (JSON)          |
//! | main `f`           | tracking code  | FeedbackAnswer (JSON)  |
//! | `portal_feedback`  | tracking code  | Feedback as sent (JSON)|

use super::{encode, keys, Store, StoreError};
use crate::domain::feedback::{Feedback, FeedbackAnswer, Rating};

const FEEDBACK_TREE: &str = "portal_feedback";
const READING_RATINGS: &str = "reading ratings";
const READING_FEEDBACK: &str = "reading feedback";

impl Store {
    fn feedback_tree(&self) -> Result<super::handle::TreeLease, StoreError> {
        self.tree(FEEDBACK_TREE, "opening the portal's tree")
    }

    pub fn rating(&self, ma_ho_so: &str) -> Result<Option<Rating>, StoreError> {
        let db = self.db()?;
        self.read_one(&db, &keys::rating(ma_ho_so), READING_RATINGS)
    }

    /// Every rating, in MaHoSo order.
    pub fn ratings(&self) -> Result<Vec<Rating>, StoreError> {
        let db = self.db()?;
        self.read_all(&db, vec![keys::RATING], READING_RATINGS)
    }

    /// The feedback `code` with its answer, if any.
    pub fn feedback(&self, code: &str) -> Result<Option<Feedback>, StoreError> {
        let tree = self.feedback_tree()?;
        let Some(mut sent) = self.read_one::<Feedback>(&tree, code.as_bytes(), READING_FEEDBACK)?
        else {
            return Ok(None);
        };
        let db = self.db()?;
        sent.answer = self.read_one(&db, &keys::answer(code), READING_FEEDBACK)?;
        Ok(Some(sent))
    }

    /// Every feedback with its answer, in tracking-code order.
    pub fn all_feedback(&self) -> Result<Vec<Feedback>, StoreError> {
        let tree = self.feedback_tree()?;
        let mut all: Vec<Feedback> = self.read_all(&tree, Vec::new(), READING_FEEDBACK)?;
        let db = self.db()?;
        for sent in &mut all {
            sent.answer =
                self.read_one::<FeedbackAnswer>(&db, &keys::answer(&sent.code), READING_FEEDBACK)?;
        }
        Ok(all)
    }

    /// Stores a new feedback under its tracking code, and flushes. Returns
    /// false, writing nothing, when the code is taken already. Its answer
    /// is the engine's to write, never this.
    pub fn insert_feedback(&self, feedback: &Feedback) -> Result<bool, StoreError> {
        self.write_db()?;
        let sent = Feedback {
            answer: None,
            ..feedback.clone()
        };
        let swapped = self
            .feedback_tree()?
            .compare_and_swap(
                feedback.code.as_bytes(),
                None as Option<Vec<u8>>,
                Some(encode(&sent)),
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
    use crate::domain::feedback::Feedback;
    use crate::domain::UnixMillis;
    use crate::store::test_store as store;

    #[test]
    fn a_tracking_code_is_given_once_and_no_answer_is_stored_with_the_feedback() {
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
        assert!(store.insert_feedback(&sent).unwrap());
        assert!(
            !store.insert_feedback(&sent).unwrap(),
            "a tracking code is given once"
        );
        assert_eq!(store.feedback(&sent.code).unwrap(), Some(sent.clone()));
        assert_eq!(store.all_feedback().unwrap(), vec![sent]);
        assert!(store.ratings().unwrap().is_empty());
    }
}
