//! What can go wrong while serving a page, and how each failure is answered:
//! a refused form is 403, everything else the officer cannot fix is 500 with
//! the cause in the log, never on the page.

use crate::hub::HubError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("rendering page `{page}` failed: {reason}")]
    Render { page: &'static str, reason: String },
    #[error("a blocking task was lost: {0}")]
    Task(String),
    #[error("no partner `{0}` is configured for the one-stop module (`web.one_stop_partner`)")]
    UnknownModulePartner(String),
    #[error(
        "partner `{0}` is not of kind `module`: the one-stop module acts only as a module partner"
    )]
    NotAModule(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the OpenID Connect client cannot be built: {0}")]
    Oidc(String),
    #[error("the form was refused: {0}")]
    Forbidden(&'static str),
    #[error("officer `{login}` may not act on a dossier of agency `{agency}`")]
    OtherAgency { login: String, agency: String },
}

impl WebError {
    /// A refusal the client caused (403) rather than a failure of ours.
    pub fn is_refusal(&self) -> bool {
        matches!(self, WebError::Forbidden(_) | WebError::OtherAgency { .. })
    }
}
