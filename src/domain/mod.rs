//! The core model of an administrative dossier (hồ sơ), free of any wire or
//! storage type.
//!
//! Everything here is plain data plus pure functions: the status vocabulary of
//! the national portal, the commands a partner may send, the transition table
//! that decides which command is legal in which status, the planner that
//! reads a partner's "now in status N" off that table, the validation of
//! every field a partner can fill, the Vietnam calendar, and the working-time
//! engine that computes due dates from the holiday table. The gRPC layer, the
//! AMQP layer and the storage layer all translate to and from these types,
//! which is why none of them may be imported here. It is a crate of its own
//! (`lienthong-domain`) so that adapters share the table and the calendar
//! without depending on the hub.

pub mod applicant;
pub mod attachment;
mod canonical;
pub mod catalog;
pub mod codes;
pub mod command;
pub mod dossier;
pub mod error;
pub mod event;
pub mod feedback;
#[cfg(test)]
mod fixtures;
pub mod legal;
pub mod machine;
pub mod officer;
pub mod partner_event;
pub mod planner;
pub mod postal_address;
pub mod procedure;
pub mod quote;
pub mod site;
pub mod size;
pub mod status;
pub mod time;
pub mod validate;
pub mod working_time;
pub mod workspace;

pub use command::{Action, Command, CommandEnvelope, CommandName, DossierRef, NewDossier};
pub use dossier::{
    Document, Dossier, Fee, HistoryEntry, Payment, Reschedule, ResultDocument, Supplement,
};
pub use error::DomainError;
pub use event::{CatalogPublished, Event, EventPayload, EventType};
pub use partner_event::{PartnerEvent, PartnerEventKind};
pub use postal_address::PostalAddress;
pub use quote::quoted;
pub use status::{ApplicantType, Channel, ResultDelivery, Status};
pub use time::UnixMillis;
