//! Why the core refused a command. Each variant names what a partner needs to
//! fix it: the field and the rule, or the command and the current status.

use super::{CommandName, Status};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field is missing, malformed or out of bounds.
    #[error("invalid field `{field}`: {rule}")]
    InvalidField { field: String, rule: String },

    /// The transition table has no entry for this command in this status.
    #[error("command `{command}` is not allowed while the dossier is in status {status_code} ({status})", command = command.as_str(), status_code = status.code(), status = status.name())]
    IllegalTransition {
        command: CommandName,
        status: Status,
    },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        DomainError::InvalidField {
            field: field.into(),
            rule: rule.into(),
        }
    }
}
