//! What the portal's first release left on disk, read once so it can be
//! moved where the hub keeps it now.
//!
//! The first release of ratings and feedback (commit `b0d7b57`, shipped at
//! stop `6552829`) kept them in trees of the portal's own: a rating in
//! `portal_ratings` (MaHoSo → Rating JSON), a feedback in `portal_feedback`
//! with its officer's answer inside it (tracking code → Feedback JSON, its
//! `answer` set). Since `8ed9c5f` the writer records ratings and answers in
//! the hub's one tree with their events (`store/feedback.rs`), so what the
//! first release wrote was no longer read: those ratings were missing from
//! `/thong-ke` and the lookup offered to rate those dossiers again, and
//! those answers were dropped when the feedback was read.
//!
//! Moving them is the hub's job (`hub::FeedbackRecords::move_first_layout`):
//! each one goes through the writer like a new one, so it is recorded with
//! its event and audit entry and reaches the national portal. This module
//! only reads what is left and forgets each piece once the writer holds it,
//! so an interrupted move resumes where it stopped and a finished one leaves
//! nothing behind (the emptied `portal_ratings` tree is dropped).
//! Architecture Invariant: nothing writes the first layout any more.

use super::{encode, Store, StoreError};
use crate::domain::feedback::{Feedback, FeedbackAnswer, Rating};

const RATINGS_TREE: &str = "portal_ratings";
const FEEDBACK_TREE: &str = "portal_feedback";
const READING: &str = "reading the portal's first layout";

/// A feedback whose answer the first release stored inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedAnswer {
    /// The feedback as sent, without the answer.
    pub feedback: Feedback,
    pub answer: FeedbackAnswer,
}

impl Store {
    /// The tree `name` if it exists (reading never creates it).
    fn existing_tree(&self, name: &str) -> Result<Option<super::handle::TreeLease>, StoreError> {
        let db = self.db()?;
        if !db
            .tree_names()
            .iter()
            .any(|t| t.as_ref() == name.as_bytes())
        {
            return Ok(None);
        }
        super::handle::TreeLease::open(db, name)
            .map(Some)
            .map_err(|e| self.failed("opening the portal's first-layout tree", e))
    }

    /// The ratings the first release stored, in MaHoSo order.
    pub fn first_layout_ratings(&self) -> Result<Vec<Rating>, StoreError> {
        match self.existing_tree(RATINGS_TREE)? {
            Some(tree) => self.read_all(&tree, Vec::new(), READING),
            None => Ok(Vec::new()),
        }
    }

    /// Forgets the first-layout rating of `ma_ho_so` (the writer holds it
    /// now), dropping the tree once it is empty; flushed.
    pub fn forget_first_layout_rating(&self, ma_ho_so: &str) -> Result<(), StoreError> {
        let Some(tree) = self.existing_tree(RATINGS_TREE)? else {
            return Ok(());
        };
        tree.remove(ma_ho_so.as_bytes())
            .map_err(|e| self.failed("forgetting a first-layout rating", e))?;
        if tree.is_empty() {
            drop(tree);
            let db = self.write_db()?;
            self.compactions
                .drop_tree(&db, RATINGS_TREE.as_bytes())
                .map_err(|e| self.failed("dropping the first-layout ratings", e))?;
        }
        self.flush()
    }

    /// The feedback records that still carry their answer inside them, in
    /// tracking-code order.
    pub fn first_layout_answers(&self) -> Result<Vec<EmbeddedAnswer>, StoreError> {
        let Some(tree) = self.existing_tree(FEEDBACK_TREE)? else {
            return Ok(Vec::new());
        };
        let all: Vec<Feedback> = self.read_all(&tree, Vec::new(), READING)?;
        Ok(all
            .into_iter()
            .filter_map(|mut feedback| {
                let answer = feedback.answer.take()?;
                Some(EmbeddedAnswer { feedback, answer })
            })
            .collect())
    }

    /// Rewrites feedback `found.feedback.code` without its embedded answer
    /// (the writer holds it now), if it is still as found; flushed.
    pub fn forget_first_layout_answer(&self, found: &EmbeddedAnswer) -> Result<(), StoreError> {
        self.write_db()?;
        let Some(tree) = self.existing_tree(FEEDBACK_TREE)? else {
            return Ok(());
        };
        let key = found.feedback.code.as_bytes();
        let Some(raw) = tree
            .get(key)
            .map_err(|e| self.failed("reading a first-layout answer", e))?
        else {
            return Ok(());
        };
        let now: Feedback = serde_json::from_slice(&raw).map_err(|e| StoreError::Corrupt {
            key: format!("{FEEDBACK_TREE}/{}", found.feedback.code),
            reason: e.to_string(),
        })?;
        let as_found = Feedback {
            answer: Some(found.answer.clone()),
            ..found.feedback.clone()
        };
        if now != as_found {
            // Changed since it was read: left for the next start.
            return Ok(());
        }
        let swapped = tree
            .compare_and_swap(key, Some(raw), Some(encode(&found.feedback)))
            .map_err(|e| self.failed("forgetting a first-layout answer", e))?;
        if swapped.is_ok() {
            self.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::feedback::Satisfaction;
    use crate::domain::UnixMillis;
    use crate::store::test_store as store;

    /// Writes what the first release wrote, the way it wrote it.
    fn first_release_writes(store: &Store, rating: &Rating, feedback: &Feedback) {
        let db = store.write_db().unwrap();
        db.open_tree(RATINGS_TREE)
            .unwrap()
            .insert(rating.ma_ho_so.as_bytes(), encode(rating))
            .unwrap();
        db.open_tree(FEEDBACK_TREE)
            .unwrap()
            .insert(feedback.code.as_bytes(), encode(feedback))
            .unwrap();
    }

    fn answered() -> Feedback {
        Feedback {
            code: "PAKN-261201-ABCDEFGH".into(),
            name: "Trần Thị Bình".into(),
            contact: "0912345678".into(),
            subject: "Hỏi về lệ phí".into(),
            content: "Lệ phí bao nhiêu?".into(),
            ma_ho_so: String::new(),
            agency_code: "A".into(),
            sent_at: UnixMillis(1),
            answer: Some(FeedbackAnswer {
                text: "200.000 đ".into(),
                officer: "Nguyễn Thị Lan".into(),
                unit: "Bộ phận Một cửa".into(),
                answered_at: UnixMillis(2),
                public: true,
            }),
        }
    }

    #[test]
    fn a_store_without_the_first_layout_reads_nothing_and_creates_no_tree() {
        let (_dir, store) = store();
        assert!(store.first_layout_ratings().unwrap().is_empty());
        assert!(store.first_layout_answers().unwrap().is_empty());
        store.forget_first_layout_rating("X").unwrap();
        let names = store.db().unwrap().tree_names();
        assert!(!names.iter().any(|n| n.as_ref() == RATINGS_TREE.as_bytes()));
    }

    #[test]
    fn what_the_first_release_wrote_is_read_then_forgotten_piece_by_piece() {
        let (_dir, store) = store();
        let rating = Rating {
            ma_ho_so: "A-1".into(),
            agency_code: "A".into(),
            procedure_code: "1.000948.H38".into(),
            level: Satisfaction::VerySatisfied,
            comment: "Nhanh".into(),
            rated_at: UnixMillis(5),
        };
        let feedback = answered();
        first_release_writes(&store, &rating, &feedback);

        assert_eq!(store.first_layout_ratings().unwrap(), vec![rating]);
        let found = store.first_layout_answers().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(Some(&found[0].answer), feedback.answer.as_ref());
        assert_eq!(found[0].feedback.answer, None);

        store.forget_first_layout_rating("A-1").unwrap();
        store.forget_first_layout_answer(&found[0]).unwrap();
        assert!(store.first_layout_ratings().unwrap().is_empty());
        assert!(store.first_layout_answers().unwrap().is_empty());
        let names = store.db().unwrap().tree_names();
        assert!(!names.iter().any(|n| n.as_ref() == RATINGS_TREE.as_bytes()));
        // The feedback as sent stays, as the current layout keeps it.
        assert_eq!(
            store.feedback(&feedback.code).unwrap().map(|f| f.subject),
            Some(feedback.subject)
        );
    }
}
