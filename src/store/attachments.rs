//! Files attached to dossiers filed on the portal, kept by the SHA-256 of
//! their bytes, and which dossiers carry each.
//!
//! A sled tree of its own, outside the group commit: the bytes are the
//! portal's records, not dossier state (the dossier holds only the link).
//! sled keeps large values in blob files of its own and `flush` syncs them,
//! so a stored file is durable before `put_attachment` returns — before the
//! dossier that links to it is submitted. The same content is stored once:
//! a digest already present is not written again. Carriers are recorded
//! after the dossier is committed; a crash in between leaves a file no page
//! serves (a replay of the same form records it then).
//!
//! | key                          | value                    |
//! |------------------------------|--------------------------|
//! | `b` digest                   | the file's bytes         |
//! | `m` digest                   | AttachmentMeta (JSON)    |
//! | `d` digest 0 MaHoSo          | (empty) dossier carrying |

use super::{encode, Store, StoreError};
use crate::domain::attachment::AttachmentMeta;

const TREE: &str = "portal_attachments";
const READING: &str = "reading attachments";

fn key(prefix: u8, digest: &str) -> Vec<u8> {
    let mut key = vec![prefix];
    key.extend_from_slice(digest.as_bytes());
    key
}

fn carriers_prefix(digest: &str) -> Vec<u8> {
    let mut prefix = key(b'd', digest);
    prefix.push(0);
    prefix
}

impl Store {
    fn attachments(&self) -> Result<super::handle::TreeLease, StoreError> {
        self.tree(TREE, "opening the attachments' tree")
    }

    /// Stores files durably (one batch, one flush), each unless its digest
    /// is there already; returns how many were new.
    pub fn put_attachments(
        &self,
        files: &[(String, AttachmentMeta, &[u8])],
    ) -> Result<usize, StoreError> {
        self.write_db()?;
        let tree = self.attachments()?;
        let mut batch = sled::Batch::default();
        let mut new = 0;
        let mut seen = std::collections::HashSet::new();
        for (digest, meta, bytes) in files {
            let known = tree
                .contains_key(key(b'm', digest))
                .map_err(|e| self.failed(READING, e))?;
            if known || !seen.insert(digest.clone()) {
                continue;
            }
            batch.insert(key(b'b', digest), *bytes);
            batch.insert(key(b'm', digest), encode(meta));
            new += 1;
        }
        if new > 0 {
            tree.apply_batch(batch)
                .map_err(|e| self.failed("storing attachments", e))?;
            self.flush()?;
        }
        Ok(new)
    }

    pub fn attachment_meta(&self, digest: &str) -> Result<Option<AttachmentMeta>, StoreError> {
        self.read_one(&*self.attachments()?, &key(b'm', digest), READING)
    }

    /// A stored file's bytes.
    pub fn attachment_bytes(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .attachments()?
            .get(key(b'b', digest))
            .map_err(|e| self.failed(READING, e))?
            .map(|bytes| bytes.to_vec()))
    }

    /// Records that dossier `ma_ho_so` carries each of `digests`.
    pub fn add_attachment_carrier(
        &self,
        digests: &[String],
        ma_ho_so: &str,
    ) -> Result<(), StoreError> {
        if digests.is_empty() {
            return Ok(());
        }
        self.write_db()?;
        let mut batch = sled::Batch::default();
        for digest in digests {
            let mut key = carriers_prefix(digest);
            key.extend_from_slice(ma_ho_so.as_bytes());
            batch.insert(key, &[] as &[u8]);
        }
        self.attachments()?
            .apply_batch(batch)
            .map_err(|e| self.failed("recording attachments' dossiers", e))?;
        self.flush()
    }

    /// The MaHoSo of every dossier recorded as carrying `digest`.
    pub fn attachment_carriers(&self, digest: &str) -> Result<Vec<String>, StoreError> {
        self.key_suffixes(&*self.attachments()?, &carriers_prefix(digest), READING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::attachment::{digest, MediaType};
    use crate::domain::UnixMillis;
    use crate::store::test_store as store;

    fn meta(bytes: &[u8]) -> AttachmentMeta {
        AttachmentMeta {
            media_type: MediaType::Pdf,
            bytes: bytes.len() as u64,
            stored_at: UnixMillis(1),
        }
    }

    #[test]
    fn the_same_content_is_stored_once_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = b"%PDF-1.7 to khai".as_slice();
        let other = b"%PDF-1.7 ban sao".as_slice();
        let (a, b) = (digest(pdf), digest(other));
        {
            let store = Store::open(dir.path(), 1 << 20).unwrap();
            let files = [
                (a.clone(), meta(pdf), pdf),
                (b.clone(), meta(other), other),
                (a.clone(), meta(pdf), pdf),
            ];
            assert_eq!(store.put_attachments(&files).unwrap(), 2, "a twice: once");
            assert_eq!(
                store.put_attachments(&files[..1]).unwrap(),
                0,
                "stored already"
            );
            store
                .add_attachment_carrier(std::slice::from_ref(&a), "X-2")
                .unwrap();
            store
                .add_attachment_carrier(&[a.clone(), b.clone()], "X-1")
                .unwrap();
        }
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(store.attachment_bytes(&a).unwrap().as_deref(), Some(pdf));
        assert_eq!(store.attachment_meta(&b).unwrap(), Some(meta(other)));
        assert_eq!(store.attachment_carriers(&a).unwrap(), ["X-1", "X-2"]);
        assert_eq!(store.attachment_carriers(&b).unwrap(), ["X-1"]);
        assert_eq!(store.attachment_bytes(&digest(b"none")).unwrap(), None);
    }

    #[test]
    fn nothing_is_written_for_no_files() {
        let (_dir, store) = store();
        assert_eq!(store.put_attachments(&[]).unwrap(), 0);
        store.add_attachment_carrier(&[], "X-1").unwrap();
    }
}
