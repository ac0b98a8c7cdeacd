//! The hosted one-stop workspace's own trees: its read model (one row per
//! dossier, derived from events) and its assignments (its own decisions).
//!
//! Each lives in a sled tree of its own, apart from the hub's one tree, for
//! two reasons. They are written outside the group commit (the engine never
//! touches them), and the read model can be thrown away whole and rebuilt
//! from the event stream without touching anything the hub owns. Both get
//! the dossiers' promise: every write is flushed before the call returns.
//!
//! | tree                     | key                  | value                  |
//! |--------------------------|----------------------|------------------------|
//! | `workspace_rows`         | `r` agency 0 MaHoSo  | DossierRow (JSON)      |
//! | `workspace_rows`         | `t`                  | seq applied through    |
//! | `workspace_rows`         | `a` MaHoSo           | the row's agency       |
//! | `workspace_assignments`  | agency 0 MaHoSo      | Assignment (JSON)      |
//!
//! The "applied through" seq is written in the same batch as the rows it
//! covers, so the rows and the position can never disagree; the
//! workspace's cursor in the hub's tree (`CursorId::Workspace`) follows
//! after the flush and only holds retention back.

use super::{encode, keys, CursorId, Store, StoreError};
use crate::domain::workspace::{Assignment, DossierRow};

const ROWS_TREE: &str = "workspace_rows";
const ASSIGNMENTS_TREE: &str = "workspace_assignments";
const THROUGH: &[u8] = b"t";
const ROW: u8 = b'r';
const AGENCY_OF: u8 = b'a';

fn agency_key(ma_ho_so: &str) -> Vec<u8> {
    let mut key = vec![AGENCY_OF];
    key.extend_from_slice(ma_ho_so.as_bytes());
    key
}

fn row_prefix(agency: &str) -> Vec<u8> {
    let mut key = vec![ROW];
    key.extend_from_slice(agency.as_bytes());
    key.push(0);
    key
}

fn row_key(agency: &str, ma_ho_so: &str) -> Vec<u8> {
    let mut key = row_prefix(agency);
    key.extend_from_slice(ma_ho_so.as_bytes());
    key
}

fn assignment_prefix(agency: &str) -> Vec<u8> {
    let mut key = agency.as_bytes().to_vec();
    key.push(0);
    key
}

fn assignment_key(agency: &str, ma_ho_so: &str) -> Vec<u8> {
    let mut key = assignment_prefix(agency);
    key.extend_from_slice(ma_ho_so.as_bytes());
    key
}

const READING_ROWS: &str = "reading the workspace's rows";
const READING_ASSIGNMENTS: &str = "reading assignments";

impl Store {
    fn workspace_tree(&self, name: &str) -> Result<super::handle::TreeLease, StoreError> {
        self.tree(name, "opening the workspace's tree")
    }

    /// The seq the read model has applied every event through (0: empty).
    pub fn workspace_through(&self) -> Result<u64, StoreError> {
        let tree = self.workspace_tree(ROWS_TREE)?;
        match tree
            .get(THROUGH)
            .map_err(|e| self.failed("reading the workspace's position", e))?
        {
            None => Ok(0),
            Some(bytes) => keys::read_u64(THROUGH, &bytes),
        }
    }

    pub fn workspace_row(
        &self,
        agency: &str,
        ma_ho_so: &str,
    ) -> Result<Option<DossierRow>, StoreError> {
        let tree = self.workspace_tree(ROWS_TREE)?;
        self.read_one(&tree, &row_key(agency, ma_ho_so), READING_ROWS)
    }

    /// Every row of one agency, in MaHoSo order.
    pub fn workspace_rows(&self, agency: &str) -> Result<Vec<DossierRow>, StoreError> {
        let tree = self.workspace_tree(ROWS_TREE)?;
        self.read_all(&tree, row_prefix(agency), READING_ROWS)
    }

    /// Every row of every agency, agency by agency (the portal's public
    /// statistics count them all).
    pub fn workspace_all_rows(&self) -> Result<Vec<DossierRow>, StoreError> {
        let tree = self.workspace_tree(ROWS_TREE)?;
        self.read_all(&tree, vec![ROW], READING_ROWS)
    }

    /// Writes `rows` and the new position in one atomic batch, and flushes.
    /// A dossier forwarded to another agency (liên thông) leaves its old
    /// agency's rows: the row there is removed in the same batch.
    pub fn put_workspace_rows(&self, rows: &[DossierRow], through: u64) -> Result<(), StoreError> {
        // Refused at once while the store recovers from a failed write.
        self.write_db()?;
        let tree = self.workspace_tree(ROWS_TREE)?;
        let mut batch = sled::Batch::default();
        for row in rows {
            let index = agency_key(&row.ma_ho_so);
            let before = tree.get(&index).map_err(|e| self.failed(READING_ROWS, e))?;
            if let Some(old) = before.filter(|old| **old != *row.agency_code.as_bytes()) {
                let old = String::from_utf8_lossy(&old).into_owned();
                batch.remove(row_key(&old, &row.ma_ho_so));
            }
            batch.insert(index, row.agency_code.as_bytes());
            batch.insert(row_key(&row.agency_code, &row.ma_ho_so), encode(row));
        }
        batch.insert(THROUGH, through.to_be_bytes().to_vec());
        tree.apply_batch(batch)
            .map_err(|e| self.failed("storing the workspace's rows", e))?;
        self.flush()
    }

    /// Throws the read model away with its cursor, so that the next start
    /// rebuilds it from the event stream. Assignments are kept: they are
    /// the module's own data, in no event.
    pub fn drop_workspace_read_model(&self, partner: &str) -> Result<(), StoreError> {
        // A compaction copying now would not hear of the drop: it gives up.
        let db = self.write_db()?;
        self.compactions
            .drop_tree(&db, ROWS_TREE.as_bytes())
            .map_err(|e| self.failed("dropping the workspace's rows", e))?;
        let mut cursor = vec![keys::CURSOR];
        cursor.extend_from_slice(CursorId::Workspace(partner.to_string()).name().as_bytes());
        db.remove(cursor)
            .map_err(|e| self.failed("removing the workspace's cursor", e))?;
        drop(db);
        self.flush()
    }

    pub fn workspace_assignment(
        &self,
        agency: &str,
        ma_ho_so: &str,
    ) -> Result<Option<Assignment>, StoreError> {
        let tree = self.workspace_tree(ASSIGNMENTS_TREE)?;
        self.read_one(
            &tree,
            &assignment_key(agency, ma_ho_so),
            READING_ASSIGNMENTS,
        )
    }

    /// Every assignment of one agency, in MaHoSo order.
    pub fn workspace_assignments(&self, agency: &str) -> Result<Vec<Assignment>, StoreError> {
        let tree = self.workspace_tree(ASSIGNMENTS_TREE)?;
        self.read_all(&tree, assignment_prefix(agency), READING_ASSIGNMENTS)
    }

    /// Stores `assignment` if the stored one is still `expected` (`None`:
    /// none stored yet), and flushes. Returns false, writing nothing, when
    /// another officer changed it in between.
    pub fn replace_workspace_assignment(
        &self,
        expected: Option<&Assignment>,
        assignment: &Assignment,
    ) -> Result<bool, StoreError> {
        let key = assignment_key(&assignment.agency_code, &assignment.ma_ho_so);
        self.write_db()?;
        let swapped = self
            .workspace_tree(ASSIGNMENTS_TREE)?
            .compare_and_swap(&key, expected.map(encode), Some(encode(assignment)))
            .map_err(|e| self.failed("storing an assignment", e))?;
        if swapped.is_err() {
            return Ok(false);
        }
        self.flush()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workspace::{HandOver, HandOverKind};
    use crate::domain::{Channel, Status, UnixMillis};
    use crate::store::test_store as store;

    fn row(agency: &str, ma: &str, version: u64) -> DossierRow {
        DossierRow {
            ma_ho_so: ma.into(),
            dossier_id: 1,
            version,
            agency_code: agency.into(),
            procedure_code: "1.000948.H38".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            channel: Channel::Online,
            owner_name: "Nguyễn Văn A".into(),
            owner_id_number: "001099000001".into(),
            status: Status::Submitted,
            submitted_at: UnixMillis(1),
            received_at: None,
            due_at: None,
            finished_at: None,
            returned_at: None,
            closed_at: None,
            paused_since: None,
            overdue_when_paused: false,
            rescheduled: false,
            processing_unit: String::new(),
            updated_at: UnixMillis(1),
        }
    }

    #[test]
    fn rows_are_kept_per_agency_with_their_position_and_dropped_whole() {
        let (_dir, store) = store();
        store
            .put_workspace_rows(&[row("A", "A-1", 1), row("B", "B-1", 1)], 7)
            .unwrap();
        store
            .advance_cursor(&CursorId::Workspace("m".into()), 7)
            .unwrap();
        assert_eq!(store.workspace_through().unwrap(), 7);
        assert_eq!(store.workspace_rows("A").unwrap(), [row("A", "A-1", 1)]);
        assert_eq!(
            store.workspace_row("B", "B-1").unwrap(),
            Some(row("B", "B-1", 1))
        );
        let assignment = Assignment {
            ma_ho_so: "A-1".into(),
            agency_code: "A".into(),
            department: None,
            specialist: None,
            note: String::new(),
            lines: vec![],
        };
        assert!(store
            .replace_workspace_assignment(None, &assignment)
            .unwrap());
        store.drop_workspace_read_model("m").unwrap();
        assert_eq!(store.workspace_through().unwrap(), 0);
        assert!(store.workspace_rows("A").unwrap().is_empty());
        assert_eq!(store.cursor(&CursorId::Workspace("m".into())).unwrap(), 0);
        assert_eq!(
            store.workspace_assignments("A").unwrap(),
            [assignment],
            "assignments survive: they are not derived from events"
        );
    }

    #[test]
    fn a_dossier_forwarded_to_another_agency_leaves_the_old_agencys_rows() {
        let (_dir, store) = store();
        store.put_workspace_rows(&[row("A", "X-1", 1)], 1).unwrap();
        store.put_workspace_rows(&[row("B", "X-1", 2)], 2).unwrap();
        assert!(store.workspace_rows("A").unwrap().is_empty());
        assert_eq!(store.workspace_rows("B").unwrap(), [row("B", "X-1", 2)]);
    }

    #[test]
    fn an_assignment_changed_in_between_is_not_overwritten() {
        let (_dir, store) = store();
        let first = Assignment {
            ma_ho_so: "A-1".into(),
            agency_code: "A".into(),
            department: Some("Phòng Quản lý đô thị".into()),
            specialist: None,
            note: String::new(),
            lines: vec![HandOver {
                at: UnixMillis(5),
                kind: HandOverKind::Transfer,
                from_officer: "Nguyễn Thị Lan".into(),
                from_unit: "Bộ phận Một cửa".into(),
                to_unit: "Phòng Quản lý đô thị".into(),
                to_officer: None,
                note: String::new(),
            }],
        };
        assert!(store.replace_workspace_assignment(None, &first).unwrap());
        let mut second = first.clone();
        second.note = "khác".into();
        assert!(
            !store.replace_workspace_assignment(None, &second).unwrap(),
            "expected none, found the first"
        );
        assert!(store
            .replace_workspace_assignment(Some(&first), &second)
            .unwrap());
        assert_eq!(
            store.workspace_assignment("A", "A-1").unwrap(),
            Some(second)
        );
    }
}
