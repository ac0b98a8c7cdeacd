//! The dossier and its history line as stored (format 1).
//!
//! Codes of the domain's enums are the storage's own numbers, written out in
//! the `*_code` functions below: renumbering a domain enum cannot change
//! them. 0 means "none" wherever the domain has an `Option`.

use super::{at, known, millis, Record};
use crate::domain::site::SiteHold;
use crate::domain::{
    ApplicantType, Channel, Document, Dossier, Fee, HistoryEntry, PartnerEvent, PartnerEventKind,
    Payment, PostalAddress, Reschedule, ResultDelivery, ResultDocument, Status, Supplement,
    UnixMillis,
};

#[derive(Clone, PartialEq, prost::Message)]
pub struct DossierV1 {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(string, tag = "2")]
    pub ma_ho_so: String,
    #[prost(uint64, tag = "3")]
    pub version: u64,
    #[prost(string, tag = "4")]
    pub agency_code: String,
    #[prost(string, tag = "5")]
    pub procedure_code: String,
    #[prost(string, tag = "6")]
    pub procedure_name: String,
    #[prost(string, tag = "7")]
    pub sector_code: String,
    #[prost(uint32, tag = "8")]
    pub channel: u32,
    #[prost(string, tag = "9")]
    pub owner_name: String,
    #[prost(uint32, tag = "10")]
    pub applicant_type: u32,
    #[prost(string, tag = "11")]
    pub owner_id_number: String,
    #[prost(string, tag = "12")]
    pub email: String,
    #[prost(string, tag = "13")]
    pub phone: String,
    #[prost(string, tag = "14")]
    pub summary: String,
    #[prost(int64, tag = "15")]
    pub submitted_at: i64,
    #[prost(int64, optional, tag = "16")]
    pub received_at: Option<i64>,
    #[prost(int64, optional, tag = "17")]
    pub due_at: Option<i64>,
    #[prost(int64, optional, tag = "18")]
    pub returned_at: Option<i64>,
    #[prost(int64, optional, tag = "19")]
    pub finished_at: Option<i64>,
    #[prost(uint32, tag = "20")]
    pub status: u32,
    #[prost(uint32, tag = "21")]
    pub paused_from: u32,
    #[prost(uint32, tag = "22")]
    pub result_delivery: u32,
    #[prost(string, tag = "23")]
    pub result_address: String,
    #[prost(message, optional, tag = "24")]
    pub applicant_address: Option<AddressV1>,
    #[prost(string, tag = "25")]
    pub processing_unit: String,
    #[prost(message, repeated, tag = "26")]
    pub documents: Vec<DocumentV1>,
    #[prost(message, repeated, tag = "27")]
    pub fees: Vec<FeeV1>,
    #[prost(message, repeated, tag = "28")]
    pub supplements: Vec<SupplementV1>,
    #[prost(message, repeated, tag = "29")]
    pub results: Vec<DocumentV1>,
    #[prost(message, repeated, tag = "30")]
    pub payments: Vec<PaymentV1>,
    #[prost(message, repeated, tag = "31")]
    pub reschedules: Vec<RescheduleV1>,
    #[prost(string, tag = "32")]
    pub status_reason: String,
    #[prost(int64, tag = "33")]
    pub updated_at: i64,
    #[prost(string, tag = "34")]
    pub submitted_by: String,
    #[prost(uint64, tag = "35")]
    pub history_bytes: u64,
    /// Absent for a dossier that never left a hub without `[site]`.
    #[prost(message, optional, tag = "36")]
    pub site: Option<SiteHoldV1>,
}

/// Which site decides about a dossier, where it was filed, who keeps a copy.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SiteHoldV1 {
    #[prost(string, tag = "1")]
    pub authority: String,
    #[prost(string, tag = "2")]
    pub origin: String,
    #[prost(string, repeated, tag = "3")]
    pub copies: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AddressV1 {
    #[prost(string, tag = "1")]
    pub province_code: String,
    #[prost(string, tag = "2")]
    pub commune_code: String,
    #[prost(string, tag = "3")]
    pub street: String,
    #[prost(string, tag = "4")]
    pub phone: String,
    #[prost(string, tag = "5")]
    pub district_code: String,
}

/// A document, a result document (same three texts) or a fee (amount set).
#[derive(Clone, PartialEq, prost::Message)]
pub struct DocumentV1 {
    #[prost(string, tag = "1")]
    pub code: String,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub url: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct FeeV1 {
    #[prost(string, tag = "1")]
    pub code: String,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(int64, tag = "3")]
    pub amount_vnd: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct SupplementV1 {
    #[prost(int64, tag = "1")]
    pub requested_at: i64,
    #[prost(string, tag = "2")]
    pub reason: String,
    #[prost(string, repeated, tag = "3")]
    pub items: Vec<String>,
    #[prost(int64, optional, tag = "4")]
    pub old_due_at: Option<i64>,
    #[prost(int64, optional, tag = "5")]
    pub submitted_at: Option<i64>,
    #[prost(message, repeated, tag = "6")]
    pub documents: Vec<DocumentV1>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PaymentV1 {
    #[prost(string, tag = "1")]
    pub transaction_id: String,
    #[prost(string, tag = "2")]
    pub reference: String,
    #[prost(int64, tag = "3")]
    pub amount_vnd: i64,
    #[prost(int64, tag = "4")]
    pub paid_at: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct RescheduleV1 {
    #[prost(int64, tag = "1")]
    pub at: i64,
    #[prost(string, tag = "2")]
    pub apology: String,
    #[prost(int64, optional, tag = "3")]
    pub old_due_at: Option<i64>,
    #[prost(int64, tag = "4")]
    pub new_due_at: i64,
}

/// A history line. Its dossier and version are the key's; `command` is the
/// command's name as text (a line outlives any renumbering).
#[derive(Clone, PartialEq, prost::Message)]
pub struct HistoryLineV1 {
    #[prost(int64, tag = "1")]
    pub at: i64,
    #[prost(string, tag = "2")]
    pub partner_id: String,
    #[prost(string, tag = "3")]
    pub actor: String,
    #[prost(string, tag = "4")]
    pub unit: String,
    #[prost(string, tag = "5")]
    pub command: String,
    #[prost(uint32, tag = "6")]
    pub from_status: u32,
    #[prost(uint32, tag = "7")]
    pub to_status: u32,
    #[prost(string, tag = "8")]
    pub note: String,
    #[prost(message, optional, tag = "9")]
    pub partner_event: Option<PartnerEventV1>,
    /// Only where the key does not carry it (a line inside another record).
    #[prost(uint64, tag = "10")]
    pub version: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct PartnerEventV1 {
    /// The kind's name (`postal.picked_up`), as the contract spells it.
    #[prost(string, tag = "1")]
    pub kind: String,
    #[prost(int64, tag = "2")]
    pub occurred_at: i64,
    #[prost(string, tag = "3")]
    pub reference: String,
}

pub fn status_code(status: Status) -> u32 {
    match status {
        Status::Submitted => 1,
        Status::Received => 2,
        Status::Refused => 3,
        Status::Processing => 4,
        Status::SupplementRequested => 5,
        Status::FinancialObligation => 6,
        Status::Withdrawn => 7,
        Status::Stopped => 8,
        Status::Finished => 9,
        Status::ResultReturned => 10,
    }
}

pub fn status(code: u32) -> Result<Status, String> {
    let found = match code {
        1 => Some(Status::Submitted),
        2 => Some(Status::Received),
        3 => Some(Status::Refused),
        4 => Some(Status::Processing),
        5 => Some(Status::SupplementRequested),
        6 => Some(Status::FinancialObligation),
        7 => Some(Status::Withdrawn),
        8 => Some(Status::Stopped),
        9 => Some(Status::Finished),
        10 => Some(Status::ResultReturned),
        _ => None,
    };
    known("status", code, found)
}

/// An optional status: 0 is none.
pub fn some_status(code: u32) -> Result<Option<Status>, String> {
    (code != 0).then(|| status(code)).transpose()
}

fn channel_code(channel: Channel) -> u32 {
    match channel {
        Channel::Counter => 1,
        Channel::Online => 2,
        Channel::Postal => 3,
    }
}

fn channel(code: u32) -> Result<Channel, String> {
    let found = match code {
        1 => Some(Channel::Counter),
        2 => Some(Channel::Online),
        3 => Some(Channel::Postal),
        _ => None,
    };
    known("channel", code, found)
}

fn applicant_type_code(kind: ApplicantType) -> u32 {
    match kind {
        ApplicantType::Citizen => 1,
        ApplicantType::Enterprise => 2,
        ApplicantType::StateAgency => 3,
        ApplicantType::Other => 4,
    }
}

fn applicant_type(code: u32) -> Result<ApplicantType, String> {
    let found = match code {
        1 => Some(ApplicantType::Citizen),
        2 => Some(ApplicantType::Enterprise),
        3 => Some(ApplicantType::StateAgency),
        4 => Some(ApplicantType::Other),
        _ => None,
    };
    known("applicant type", code, found)
}

fn delivery_code(delivery: Option<ResultDelivery>) -> u32 {
    match delivery {
        None => 0,
        Some(ResultDelivery::AtCounter) => 1,
        Some(ResultDelivery::ByPost) => 2,
        Some(ResultDelivery::Electronic) => 3,
    }
}

fn delivery(code: u32) -> Result<Option<ResultDelivery>, String> {
    let found = match code {
        0 => Some(None),
        1 => Some(Some(ResultDelivery::AtCounter)),
        2 => Some(Some(ResultDelivery::ByPost)),
        3 => Some(Some(ResultDelivery::Electronic)),
        _ => None,
    };
    known("result delivery", code, found)
}

fn document_v1(d: &Document) -> DocumentV1 {
    DocumentV1 {
        code: d.component_code.clone(),
        name: d.name.clone(),
        url: d.url.clone(),
    }
}

fn document(d: DocumentV1) -> Document {
    Document {
        component_code: d.code,
        name: d.name,
        url: d.url,
    }
}

fn address_v1(a: &PostalAddress) -> AddressV1 {
    AddressV1 {
        province_code: a.province_code.clone(),
        commune_code: a.commune_code.clone(),
        street: a.street.clone(),
        phone: a.phone.clone(),
        district_code: a.district_code.clone(),
    }
}

fn address(a: AddressV1) -> PostalAddress {
    PostalAddress {
        province_code: a.province_code,
        commune_code: a.commune_code,
        street: a.street,
        phone: a.phone,
        district_code: a.district_code,
    }
}

pub fn dossier_v1(d: &Dossier) -> DossierV1 {
    DossierV1 {
        id: d.id,
        ma_ho_so: d.ma_ho_so.clone(),
        version: d.version,
        agency_code: d.agency_code.clone(),
        procedure_code: d.procedure_code.clone(),
        procedure_name: d.procedure_name.clone(),
        sector_code: d.sector_code.clone(),
        channel: channel_code(d.channel),
        owner_name: d.owner_name.clone(),
        applicant_type: applicant_type_code(d.applicant_type),
        owner_id_number: d.owner_id_number.clone(),
        email: d.email.clone(),
        phone: d.phone.clone(),
        summary: d.summary.clone(),
        submitted_at: d.submitted_at.0,
        received_at: millis(d.received_at),
        due_at: millis(d.due_at),
        returned_at: millis(d.returned_at),
        finished_at: millis(d.finished_at),
        status: status_code(d.status),
        paused_from: d.paused_from.map_or(0, status_code),
        result_delivery: delivery_code(d.result_delivery),
        result_address: d.result_address.clone(),
        applicant_address: d.applicant_address.as_ref().map(address_v1),
        processing_unit: d.processing_unit.clone(),
        documents: d.documents.iter().map(document_v1).collect(),
        fees: d
            .fees
            .iter()
            .map(|f| FeeV1 {
                code: f.code.clone(),
                name: f.name.clone(),
                amount_vnd: f.amount_vnd,
            })
            .collect(),
        supplements: d
            .supplements
            .iter()
            .map(|s| SupplementV1 {
                requested_at: s.requested_at.0,
                reason: s.reason.clone(),
                items: s.items.clone(),
                old_due_at: millis(s.old_due_at),
                submitted_at: millis(s.submitted_at),
                documents: s.documents.iter().map(document_v1).collect(),
            })
            .collect(),
        results: d
            .results
            .iter()
            .map(|r| DocumentV1 {
                code: r.code.clone(),
                name: r.name.clone(),
                url: r.url.clone(),
            })
            .collect(),
        payments: d
            .payments
            .iter()
            .map(|p| PaymentV1 {
                transaction_id: p.transaction_id.clone(),
                reference: p.reference.clone(),
                amount_vnd: p.amount_vnd,
                paid_at: p.paid_at.0,
            })
            .collect(),
        reschedules: d
            .reschedules
            .iter()
            .map(|r| RescheduleV1 {
                at: r.at.0,
                apology: r.apology.clone(),
                old_due_at: millis(r.old_due_at),
                new_due_at: r.new_due_at.0,
            })
            .collect(),
        status_reason: d.status_reason.clone(),
        updated_at: d.updated_at.0,
        submitted_by: d.submitted_by.clone(),
        history_bytes: d.history_bytes,
        site: d.site.as_ref().map(|h| SiteHoldV1 {
            authority: h.authority.clone(),
            origin: h.origin.clone(),
            copies: h.copies.clone(),
        }),
    }
}

pub fn dossier(d: DossierV1) -> Result<Dossier, String> {
    Ok(Dossier {
        id: d.id,
        ma_ho_so: d.ma_ho_so,
        version: d.version,
        agency_code: d.agency_code,
        procedure_code: d.procedure_code,
        procedure_name: d.procedure_name,
        sector_code: d.sector_code,
        channel: channel(d.channel)?,
        owner_name: d.owner_name,
        applicant_type: applicant_type(d.applicant_type)?,
        owner_id_number: d.owner_id_number,
        email: d.email,
        phone: d.phone,
        summary: d.summary,
        submitted_at: UnixMillis(d.submitted_at),
        received_at: at(d.received_at),
        due_at: at(d.due_at),
        returned_at: at(d.returned_at),
        finished_at: at(d.finished_at),
        status: status(d.status)?,
        paused_from: some_status(d.paused_from)?,
        result_delivery: delivery(d.result_delivery)?,
        result_address: d.result_address,
        applicant_address: d.applicant_address.map(address),
        processing_unit: d.processing_unit,
        documents: d.documents.into_iter().map(document).collect(),
        fees: d
            .fees
            .into_iter()
            .map(|f| Fee {
                code: f.code,
                name: f.name,
                amount_vnd: f.amount_vnd,
            })
            .collect(),
        supplements: d
            .supplements
            .into_iter()
            .map(|s| Supplement {
                requested_at: UnixMillis(s.requested_at),
                reason: s.reason,
                items: s.items,
                old_due_at: at(s.old_due_at),
                submitted_at: at(s.submitted_at),
                documents: s.documents.into_iter().map(document).collect(),
            })
            .collect(),
        results: d
            .results
            .into_iter()
            .map(|r| ResultDocument {
                code: r.code,
                name: r.name,
                url: r.url,
            })
            .collect(),
        payments: d
            .payments
            .into_iter()
            .map(|p| Payment {
                transaction_id: p.transaction_id,
                reference: p.reference,
                amount_vnd: p.amount_vnd,
                paid_at: UnixMillis(p.paid_at),
            })
            .collect(),
        reschedules: d
            .reschedules
            .into_iter()
            .map(|r| Reschedule {
                at: UnixMillis(r.at),
                apology: r.apology,
                old_due_at: at(r.old_due_at),
                new_due_at: UnixMillis(r.new_due_at),
            })
            .collect(),
        status_reason: d.status_reason,
        updated_at: UnixMillis(d.updated_at),
        submitted_by: d.submitted_by,
        history_bytes: d.history_bytes,
        site: d.site.map(|h| SiteHold {
            authority: h.authority,
            origin: h.origin,
            copies: h.copies,
        }),
    })
}

/// A line; `with_version` for a line outside a history key.
pub fn line_v1(e: &HistoryEntry, with_version: bool) -> HistoryLineV1 {
    HistoryLineV1 {
        at: e.at.0,
        partner_id: e.partner_id.clone(),
        actor: e.actor.clone(),
        unit: e.unit.clone(),
        command: e.command.clone(),
        from_status: e.from_status.map_or(0, status_code),
        to_status: status_code(e.to_status),
        note: e.note.clone(),
        partner_event: e.partner_event.as_ref().map(|p| PartnerEventV1 {
            kind: p.kind.as_str().to_string(),
            occurred_at: p.occurred_at.0,
            reference: p.reference.clone(),
        }),
        version: if with_version { e.version } else { 0 },
    }
}

pub fn line(version: u64, l: HistoryLineV1) -> Result<HistoryEntry, String> {
    let partner_event = match l.partner_event {
        None => None,
        Some(p) => Some(PartnerEvent {
            kind: PartnerEventKind::parse(&p.kind)
                .ok_or_else(|| format!("unknown partner event kind {:?}", p.kind))?,
            occurred_at: UnixMillis(p.occurred_at),
            reference: p.reference,
        }),
    };
    Ok(HistoryEntry {
        version,
        at: UnixMillis(l.at),
        partner_id: l.partner_id,
        actor: l.actor,
        unit: l.unit,
        command: l.command,
        from_status: some_status(l.from_status)?,
        to_status: status(l.to_status)?,
        note: l.note,
        partner_event,
    })
}

impl Record for Dossier {
    type V1 = DossierV1;
    type Json = Dossier;

    fn to_v1(&self) -> DossierV1 {
        dossier_v1(self)
    }

    fn from_v1(_key: &[u8], v1: DossierV1) -> Result<Dossier, String> {
        dossier(v1)
    }

    fn from_json(json: Dossier) -> Dossier {
        json
    }
}

impl Record for HistoryEntry {
    type V1 = HistoryLineV1;
    type Json = HistoryEntry;

    fn to_v1(&self) -> HistoryLineV1 {
        line_v1(self, false)
    }

    /// The version is the key's last eight bytes (`keys::history`).
    fn from_v1(key: &[u8], v1: HistoryLineV1) -> Result<HistoryEntry, String> {
        let version =
            crate::store::keys::trailing_u64(key).ok_or("a history key ends with its version")?;
        line(version, v1)
    }

    fn from_json(json: HistoryEntry) -> HistoryEntry {
        json
    }
}
