//! What can go wrong in the workspace room.

use crate::hub::HubError;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("no partner `{0}` is configured for the one-stop workspace (`web.one_stop_partner`)")]
    UnknownPartner(String),
    #[error("a blocking task of the workspace was lost: {0}")]
    Task(String),
}
