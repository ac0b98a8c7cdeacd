//! The public portal's room: the rules behind the citizens' pages at the
//! root of `[web] listen` — who may see a dossier (`lookup`), how often an
//! address may try (`throttle`), what the procedures catalogue offers and
//! how it is searched (`services`), the published statistics
//! (`statistics`), and what an online filing must hold (`filing`: the
//! form's fields, one file per component, sizes and kinds of files).
//!
//! Why a room of its own, apart from `web`: these are rules a province
//! must be able to read and test without a web server — that a wrong pair
//! of MaHoSo and second fact is answered exactly as an unknown one, that a
//! search without diacritics finds the procedure, that the portal's figures
//! are counted with the one-stop module's own rules (`workspace::statistics`,
//! reused, never restated). The pages (`web/portal_pages.rs`,
//! `lookup_pages.rs`, `service_pages.rs`, `public_statistics_pages.rs`)
//! only render what this room decides. The portal reads dossiers and
//! catalogues through the hub's facade as the hosted module partner, like
//! the workspace; what it writes is the citizens' own — ratings and
//! feedback (`feedback`), through `hub::FeedbackRecords`. Applicants may
//! sign in through an OpenID Connect provider (`oidc`).

pub mod address_choices;
pub mod feedback;
pub mod filing;
pub mod lookup;
pub mod oidc;
pub mod services;
pub mod statistics;
pub mod throttle;

pub use lookup::{fact_matches, normalise_fact, FactCheck};
pub use services::{search, Catalogue, Procedure, ServiceQuery};
pub use statistics::{
    public_statistics, with_satisfaction, AgencyLine, PublicStatistics, ServiceLine,
};
pub use throttle::{Throttle, ThrottleSettings};
