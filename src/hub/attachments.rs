//! What the hub keeps for the portal's attached files: their bytes by
//! SHA-256, what they are, and which dossiers carry each. The web edge
//! reaches them only through [`AttachmentRecords`]; storage stays in
//! `store/attachments.rs`, where every write is flushed before it returns.

use super::HubError;
use crate::domain::attachment::AttachmentMeta;
use crate::store::Store;

/// `Hub::attachment_records`.
#[derive(Clone)]
pub struct AttachmentRecords {
    store: Store,
}

impl AttachmentRecords {
    pub(crate) fn new(store: Store) -> AttachmentRecords {
        AttachmentRecords { store }
    }

    /// Stores the files durably, each content once; how many were new.
    pub fn put(&self, files: &[(String, AttachmentMeta, &[u8])]) -> Result<usize, HubError> {
        Ok(self.store.put_attachments(files)?)
    }

    pub fn meta(&self, digest: &str) -> Result<Option<AttachmentMeta>, HubError> {
        Ok(self.store.attachment_meta(digest)?)
    }

    pub fn bytes(&self, digest: &str) -> Result<Option<Vec<u8>>, HubError> {
        Ok(self.store.attachment_bytes(digest)?)
    }

    /// Records that dossier `ma_ho_so` carries each of `digests`.
    pub fn add_carrier(&self, digests: &[String], ma_ho_so: &str) -> Result<(), HubError> {
        Ok(self.store.add_attachment_carrier(digests, ma_ho_so)?)
    }

    /// The dossiers recorded as carrying `digest`.
    pub fn carriers(&self, digest: &str) -> Result<Vec<String>, HubError> {
        Ok(self.store.attachment_carriers(digest)?)
    }
}
