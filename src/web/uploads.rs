//! Reading a form that carries files (`multipart/form-data`): the filing
//! and the supplement answer.
//!
//! The whole body is bounded before it is read (`body_limit`: the files of
//! one dossier together, plus room for the text fields), so no post can
//! make the server hold more than that; what is inside is judged by the
//! rules of `portal::filing` once read. Text fields are kept by name, files
//! by their field as `portal::filing::Upload`. A body that is not a form, or
//! goes over the bound, is answered by the caller with a page that says so.

use crate::portal::filing::Upload;
use axum::extract::Multipart;

/// Room for the text fields and the multipart framing, over the files.
const FIELDS_BYTES: u64 = 1 << 20;
/// The most text one field may hold.
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// The most parts one form may have.
const MAX_PARTS: usize = 300;

/// The largest body a form with files may send.
pub fn body_limit(max_dossier_bytes: u64) -> usize {
    usize::try_from(max_dossier_bytes.saturating_add(FIELDS_BYTES)).unwrap_or(usize::MAX)
}

/// A posted form with files.
#[derive(Default)]
pub struct Posted {
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
}

impl Posted {
    /// The first value of text field `name`, or "".
    pub fn one(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Why a posted form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Over `body_limit` (413).
    TooLarge,
    /// Not a multipart form, or a broken one (400).
    Malformed,
}

/// Reads every part; a file part (one with a file name) becomes an upload,
/// an empty file input (no name, no bytes) is left out.
pub async fn read(mut multipart: Multipart) -> Result<Posted, Unreadable> {
    let mut posted = Posted::default();
    let mut parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(posted),
            Err(e) => return Err(unreadable(e.status())),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(Unreadable::Malformed);
        }
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| unreadable(e.status()))?;
        match file_name {
            Some(file_name) => {
                if !(file_name.is_empty() && bytes.is_empty()) {
                    posted.uploads.push(Upload {
                        field: name,
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                if bytes.len() > MAX_TEXT_FIELD_BYTES {
                    return Err(Unreadable::Malformed);
                }
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| Unreadable::Malformed)?;
                posted.fields.push((name, text));
            }
        }
    }
}

fn unreadable(status: axum::http::StatusCode) -> Unreadable {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        Unreadable::TooLarge
    } else {
        Unreadable::Malformed
    }
}
