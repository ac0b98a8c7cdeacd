//! The dossier record and its history line, as the core keeps them.
//!
//! The store keeps them in a format of its own (`store/records`), converted
//! field by field, so a field here can be renamed without touching the disk.
//! The serde derives are the JSON shape of the hub's JSON surfaces and of
//! format-0 records (before the store's own format), which are still read.

use super::{
    ApplicantType, Channel, PartnerEvent, PostalAddress, ResultDelivery, Status, UnixMillis,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub component_code: String,
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub code: String,
    pub name: String,
    pub amount_vnd: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplement {
    pub requested_at: UnixMillis,
    pub reason: String,
    pub items: Vec<String>,
    pub old_due_at: Option<UnixMillis>,
    pub submitted_at: Option<UnixMillis>,
    #[serde(default)]
    pub documents: Vec<Document>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDocument {
    pub code: String,
    pub name: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub transaction_id: String,
    pub reference: String,
    pub amount_vnd: i64,
    pub paid_at: UnixMillis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reschedule {
    pub at: UnixMillis,
    pub apology: String,
    pub old_due_at: Option<UnixMillis>,
    pub new_due_at: UnixMillis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub id: u64,
    pub ma_ho_so: String,
    pub version: u64,
    pub agency_code: String,
    pub procedure_code: String,
    #[serde(default)]
    pub procedure_name: String,
    #[serde(default)]
    pub sector_code: String,
    pub channel: Channel,
    pub owner_name: String,
    pub applicant_type: ApplicantType,
    #[serde(default)]
    pub owner_id_number: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub summary: String,
    pub submitted_at: UnixMillis,
    pub received_at: Option<UnixMillis>,
    pub due_at: Option<UnixMillis>,
    pub returned_at: Option<UnixMillis>,
    /// When processing finished (status 9), for on-time statistics; absent
    /// in records written before it was kept.
    /// Not written while absent, so an unfinished dossier's record keeps
    /// the bytes it had before the field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<UnixMillis>,
    pub status: Status,
    /// Where a paused dossier (5 or 6) goes back to once the pause is lifted.
    #[serde(default)]
    pub paused_from: Option<Status>,
    pub result_delivery: Option<ResultDelivery>,
    /// The applicant's address for a result delivered by post
    /// (DiaChiNhanKetQua); not written while empty, so records of dossiers
    /// without one keep their bytes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub result_address: String,
    /// The applicant's structured postal address; not written while absent,
    /// so records of dossiers without one keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_address: Option<PostalAddress>,
    #[serde(default)]
    pub processing_unit: String,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub supplements: Vec<Supplement>,
    #[serde(default)]
    pub results: Vec<ResultDocument>,
    #[serde(default)]
    pub payments: Vec<Payment>,
    #[serde(default)]
    pub reschedules: Vec<Reschedule>,
    #[serde(default)]
    pub status_reason: String,
    pub updated_at: UnixMillis,
    pub submitted_by: String,
    /// The size of the dossier's history as the hub sends it
    /// (`size::entry_bytes` of every line), kept with the dossier so the
    /// size rule needs no history read. Not on the wire; 0 in records
    /// written before it was kept.
    #[serde(default)]
    pub history_bytes: u64,
    /// Which site (hub) decides about the dossier, where it was filed and
    /// which sites keep a copy (`domain::site`). Absent: the dossier never
    /// left a hub without `[site]`, which decides alone. Not written while
    /// absent, so records of such dossiers keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<super::site::SiteHold>,
}

/// One line of the process-control slip (Mẫu 05).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub version: u64,
    pub at: UnixMillis,
    pub partner_id: String,
    pub actor: String,
    pub unit: String,
    pub command: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    #[serde(default)]
    pub note: String,
    /// `record_partner_event` lines only: what the partner reported. Not
    /// written while absent, so every other line keeps its bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_event: Option<PartnerEvent>,
}
