//! Catalogue pulls: the portal's shared catalogues (Decision 31/2021/QĐ-TTg)
//! become hub catalogues.
//!
//! Every `catalog_poll_interval_seconds` (and once at start) each catalogue
//! the profile offers is read and published whole with
//! `HubApi::publish_catalog`; the hub computes what changed and versions
//! it. [`CATALOGUES`] says which operation feeds which hub catalogue and
//! which fields become the entry's code, name, parent and attributes:
//! procedures (`LayDanhSachTTHC`, optionally each in full with `LayThuTuc`),
//! agencies, sectors, administrative units (provinces and communes — two
//! levels since 1 July 2025 — and, where the profile still offers them, the
//! abolished districts, so older three-level codes stay readable), fees,
//! online services, result types, treasury accounts, revenue items and
//! banks. Records are read through the profile: one missing a required
//! field is left out with the field named (`CatalogStatus::problems`);
//! records the hub would refuse (a code that is not letters/digits/dots, no
//! name) are left out and counted, so one bad record cannot block the rest;
//! an answer with nothing usable is never published (it would remove the
//! whole catalogue) and its error names what was wrong. A pull is published
//! only when its content differs from the last one this adapter published;
//! its idempotency key is the content's hash and the pull's time, so a pull
//! never replays an older one (a catalogue can change back).

use crate::client::Client;
use crate::error::PortalError;
use crate::profile::{Op, Record};
use crate::protocol::{CachThuc, ThuTuc};
use crate::settings::is_code;
use crate::sync_state::SyncState;
use lienthong_adapter::vietnam_time;
use lienthong_adapter::{every, pb, HubApi, Stop};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The hub's limits on a catalogue entry.
const MAX_NAME_BYTES: usize = 300;
const MAX_ATTRIBUTE_BYTES: usize = 4000;

pub struct CatalogPuller {
    pub(crate) client: Arc<Client>,
    pub(crate) hub: Arc<dyn HubApi>,
    pub(crate) state: Arc<SyncState>,
    pub(crate) procedure_details: bool,
    /// Fingerprint of the last content published, per kind.
    pub(crate) published: Mutex<HashMap<&'static str, String>>,
}

/// The outcome of one kind's pull.
#[derive(Debug, Clone, PartialEq)]
pub enum Pulled {
    Published(pb::PublishCatalogReply),
    Unchanged,
}

/// How one operation's records become entries of a hub catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Feed {
    pub op: Op,
    pub record: Record,
    /// Canonical fields of the entry's code, name and parent.
    pub code: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
    /// (attribute, canonical field) pairs.
    pub attributes: &'static [(&'static str, &'static str)],
    /// Attributes every entry of this feed carries.
    pub fixed: &'static [(&'static str, &'static str)],
    /// Left out when the profile does not offer it.
    pub optional: bool,
}

/// A hub catalogue and the feeds it is made of.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    pub kind: &'static str,
    pub feeds: &'static [Feed],
}

const fn feed(
    op: Op,
    record: Record,
    code: &'static str,
    name: &'static str,
    attributes: &'static [(&'static str, &'static str)],
) -> Feed {
    Feed {
        op,
        record,
        code,
        name,
        parent: None,
        attributes,
        fixed: &[],
        optional: false,
    }
}

/// The day the district level ended (the Law on Organisation of Local
/// Government 2025, Resolution 202/2025/QH15): districts stay in
/// `admin_units` only so that older three-level codes remain readable.
pub const DISTRICTS_ABOLISHED_ON: &str = "2025-07-01";

/// Every catalogue the adapter pulls, in pull order (procedures are read
/// by `CatalogPuller::procedures`, not through a feed).
pub const CATALOGUES: &[Catalogue] = &[
    Catalogue {
        kind: "procedures",
        feeds: &[],
    },
    Catalogue {
        kind: "agencies",
        feeds: &[Feed {
            parent: Some("MaCoQuanCha"),
            ..feed(
                Op::Agencies,
                Record::Agency,
                "MaCoQuan",
                "TenCoQuan",
                &[("level", "CapCoQuan")],
            )
        }],
    },
    Catalogue {
        kind: "sectors",
        feeds: &[feed(
            Op::Sectors,
            Record::Sector,
            "MaLinhVuc",
            "TenLinhVuc",
            &[("branch_code", "MaNganh")],
        )],
    },
    Catalogue {
        kind: "admin_units",
        feeds: &[
            Feed {
                fixed: &[("level", "province")],
                ..feed(
                    Op::Provinces,
                    Record::Province,
                    "MaTinh",
                    "TenTinh",
                    &[("type", "CapTinh")],
                )
            },
            Feed {
                parent: Some("MaTinh"),
                fixed: &[("level", "commune")],
                ..feed(
                    Op::Communes,
                    Record::Commune,
                    "MaXa",
                    "TenXa",
                    &[("type", "CapXa"), ("former_district_code", "MaHuyen")],
                )
            },
            Feed {
                parent: Some("MaTinh"),
                fixed: &[
                    ("level", "district"),
                    ("abolished_on", DISTRICTS_ABOLISHED_ON),
                ],
                optional: true,
                ..feed(Op::Districts, Record::District, "MaHuyen", "TenHuyen", &[])
            },
        ],
    },
    Catalogue {
        kind: "fees",
        feeds: &[feed(
            Op::Fees,
            Record::Fee,
            "MaPhiLePhi",
            "TenPhiLePhi",
            &[
                ("fee_type", "LoaiPhiLePhi"),
                ("amount", "MucThu"),
                ("legal_basis", "CanCuPhapLy"),
            ],
        )],
    },
    Catalogue {
        kind: "services",
        feeds: &[feed(
            Op::OnlineServices,
            Record::OnlineService,
            "MaDichVu",
            "TenDichVu",
            &[("procedure_code", "MaTTHC"), ("online_level", "MucDo")],
        )],
    },
    Catalogue {
        kind: "result_types",
        feeds: &[feed(
            Op::ResultTypes,
            Record::ResultType,
            "MaKetQua",
            "TenKetQua",
            &[("procedure_code", "MaTTHC")],
        )],
    },
    Catalogue {
        kind: "treasury_accounts",
        feeds: &[feed(
            Op::TreasuryAccounts,
            Record::TreasuryAccount,
            "SoTaiKhoan",
            "TenTaiKhoan",
            &[("treasury_code", "MaKhoBac"), ("agency_code", "MaCoQuan")],
        )],
    },
    Catalogue {
        kind: "revenue_items",
        feeds: &[feed(
            Op::RevenueItems,
            Record::RevenueItem,
            "MaNoiDungKinhTe",
            "TenNoiDungKinhTe",
            &[("section_code", "MaMuc")],
        )],
    },
    Catalogue {
        kind: "banks",
        feeds: &[feed(
            Op::Banks,
            Record::Bank,
            "MaNganHang",
            "TenNganHang",
            &[("bin", "MaBIN")],
        )],
    },
];

/// Records read from one answer, and what was wrong with those left out.
struct Read {
    items: Vec<Value>,
    problems: Vec<String>,
}

impl CatalogPuller {
    pub async fn run(self, interval: Duration, stop: Stop) {
        let this = &self;
        every(interval, stop, || this.pull_all()).await
    }

    /// The catalogues this profile offers, in pull order.
    pub fn kinds(&self) -> Vec<&'static str> {
        let profile = self.client.profile();
        CATALOGUES
            .iter()
            .filter(|c| {
                c.kind == "procedures"
                    || c.feeds.iter().any(|f| !f.optional && profile.offers(f.op))
            })
            .map(|c| c.kind)
            .collect()
    }

    pub async fn pull_all(&self) {
        for kind in self.kinds() {
            if let Err(e) = self.pull(kind).await {
                tracing::warn!(kind, error = %e, "catalogue pull from the national portal failed");
                self.state.catalog_failed(kind, &e.to_string());
            }
        }
    }

    pub async fn pull(&self, kind: &'static str) -> Result<Pulled, PortalError> {
        let profile = self.client.profile();
        let catalogue =
            CATALOGUES
                .iter()
                .find(|c| c.kind == kind)
                .ok_or_else(|| PortalError::NotOffered {
                    op: kind.to_string(),
                    profile: profile.label(),
                })?;
        let (entries, mut problems) = if kind == "procedures" {
            self.procedures().await?
        } else {
            let mut entries = Vec::new();
            let mut problems = Vec::new();
            for f in catalogue.feeds {
                if f.optional && !profile.offers(f.op) {
                    continue;
                }
                let read = self.records(f.op, f.record, Map::new()).await?;
                problems.extend(read.problems);
                entries.extend(read.items.iter().map(|v| feed_entry(f, v)));
            }
            (entries, problems)
        };
        let (entries, unusable) = clean(entries);
        let skipped = unusable + problems.len();
        if entries.is_empty() {
            problems.truncate(5);
            let why = if problems.is_empty() {
                String::new()
            } else {
                format!(": {}", problems.join("; "))
            };
            return Err(PortalError::Malformed {
                op: kind.to_string(),
                reason: format!(
                    "the portal returned no usable {kind} ({skipped} left out){why}; the hub's catalogue is kept"
                ),
            });
        }
        let fingerprint = fingerprint(&entries);
        let unchanged = self
            .published
            .lock()
            .map(|m| m.get(kind) == Some(&fingerprint))
            .unwrap_or(false);
        if unchanged {
            return Ok(Pulled::Unchanged);
        }
        let count = entries.len();
        let request = pb::PublishCatalogRequest {
            idempotency_key: format!(
                "dvcqg:catalog:{kind}:{}:{}",
                &fingerprint[..16],
                vietnam_time::now_millis() / 1000
            ),
            kind: kind.to_string(),
            entries,
            expected_version: None,
        };
        let reply = self.hub.publish_catalog(request).await?;
        problems.truncate(20);
        self.state
            .catalog_published(kind, reply.version, count, skipped, problems);
        if let Ok(mut m) = self.published.lock() {
            m.insert(kind, fingerprint);
        }
        tracing::info!(
            kind,
            version = reply.version,
            added = reply.added,
            changed = reply.changed,
            removed = reply.removed,
            skipped,
            "catalogue published from the national portal"
        );
        Ok(Pulled::Published(reply))
    }

    /// One operation's records in canonical names, read through the profile.
    async fn records(
        &self,
        op: Op,
        record: Record,
        params: Map<String, Value>,
    ) -> Result<Read, PortalError> {
        let profile = self.client.profile();
        let service = profile.operation(op).service.clone();
        let items = self.client.call(op, params, None).await?;
        let mut read = Read {
            items: Vec::new(),
            problems: Vec::new(),
        };
        let mut unknown = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match profile.decode(record, item, &format!("result[{i}]")) {
                Ok(decoded) => {
                    unknown.extend(decoded.unknown);
                    read.items.push(decoded.value);
                }
                Err(problems) => {
                    tracing::warn!(op = %service, problems = %problems, "portal catalogue record left out");
                    read.problems.push(format!("{service} {problems}"));
                }
            }
        }
        self.state.unknown_fields(&service, &unknown);
        Ok(read)
    }

    async fn procedures(&self) -> Result<(Vec<pb::CatalogEntry>, Vec<String>), PortalError> {
        let profile = self.client.profile();
        let read = self
            .records(Op::Procedures, Record::Procedure, Map::new())
            .await?;
        let mut problems = read.problems;
        let mut list: Vec<ThuTuc> = Vec::new();
        for value in read.items {
            match serde_json::from_value::<ThuTuc>(value) {
                Ok(t) => list.push(t),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if self.procedure_details && profile.offers(Op::Procedure) {
            let param = profile.parameters.procedure_code.clone();
            for t in &mut list {
                if !is_code(&t.MaTTHC) {
                    continue;
                }
                let mut params = Map::new();
                params.insert(param.clone(), Value::from(t.MaTTHC.as_str()));
                let detail = self
                    .records(Op::Procedure, Record::Procedure, params)
                    .await?;
                problems.extend(detail.problems);
                if let Some(item) = detail.items.into_iter().next() {
                    *t = serde_json::from_value(item).map_err(|e| PortalError::Malformed {
                        op: profile.operation(Op::Procedure).service.clone(),
                        reason: format!("{}: {e}", t.MaTTHC),
                    })?;
                }
            }
        }
        Ok((list.into_iter().map(procedure).collect(), problems))
    }
}

/// A canonical field as text: strings as they are, numbers printed.
fn text_of(record: &Value, field: &str) -> String {
    match record.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn feed_entry(f: &Feed, record: &Value) -> pb::CatalogEntry {
    let mut attributes: Vec<(&'static str, String)> = f
        .attributes
        .iter()
        .map(|(attr, field)| (*attr, text_of(record, field)))
        .collect();
    attributes.extend(f.fixed.iter().map(|(k, v)| (*k, v.to_string())));
    entry(
        text_of(record, f.code),
        text_of(record, f.name),
        f.parent.map(|p| text_of(record, p)).unwrap_or_default(),
        attributes,
    )
}

/// A procedure as the hub's catalogue entry: the attributes the hub reads
/// (`sector_code`, `agency_code`, `level`, `online_level`,
/// `time_limit.<channel>`) and the lists it shows, in the hub's own shape
/// whatever the profile called them (`channels` as `{"Kenh"}` items, `fees`
/// as `{"MaPhiLePhi"?, "SoTien", "MoTa", "DonVi"}`), the rest as sent.
fn procedure(t: ThuTuc) -> pb::CatalogEntry {
    let first_sector = t.LinhVucThucHien.first().map(|l| l.MaLinhVuc.clone());
    let first_agency = t.CoQuanThucHien.first().map(|c| c.MaDonVi.clone());
    let mut attributes = vec![
        ("sector_code", first_sector.unwrap_or_default()),
        ("agency_code", first_agency.unwrap_or_default()),
        ("level", t.CapThucHien.clone()),
    ];
    if let Some(level) = t.MucDo.filter(|l| *l > 0) {
        attributes.push(("online_level", level.to_string()));
    }
    attributes.extend(time_limits(&t.CachThucThucHien));
    let channels: Vec<Value> = t
        .CachThucThucHien
        .iter()
        .map(|c| json!({ "Kenh": c.Kenh }))
        .collect();
    let fees: Vec<Value> = t
        .CachThucThucHien
        .iter()
        .flat_map(|c| c.ThoiGian.iter())
        .flat_map(|g| g.PhiLePhi.iter())
        .map(|p| {
            let amount = p
                .SoTien
                .trim()
                .replace('.', "")
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(p.SoTien.as_str()));
            let mut item = json!({ "SoTien": amount, "MoTa": p.MoTa, "DonVi": p.DonVi });
            if !p.MaPhiLePhi.is_empty() {
                item["MaPhiLePhi"] = Value::from(p.MaPhiLePhi.as_str());
            }
            item
        })
        .collect();
    let ways = serde_json::to_value(&t.CachThucThucHien)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    for (key, list) in [
        ("channels", channels),
        ("time_limits", ways),
        ("fees", fees),
        ("components", t.ThanhPhanHoSo),
        ("results", t.KetQuaThucHien),
        ("legal_basis", t.CanCuPhapLy),
    ] {
        if !list.is_empty() {
            attributes.push((key, Value::Array(list).to_string()));
        }
    }
    entry(t.MaTTHC, t.TenTTHC, String::new(), attributes)
}

/// The time limit per channel as the hub reads it (`time_limit.counter`,
/// `.online`, `.postal`: "10 working_days" / "8 working_hours"), so
/// reception can compute the appointment date from the catalogue: a
/// channel's first limit in whole working days or hours (`DonViTinh`
/// "Ngày làm việc" / "Giờ làm việc"; no unit counts as working days). A
/// limit in calendar days, not whole, or out of range is left out; the
/// channels are kept whole as `time_limits` beside.
fn time_limits(ways: &[CachThuc]) -> Vec<(&'static str, String)> {
    ways.iter()
        .filter_map(|way| {
            let key = match way.Kenh {
                1 => "time_limit.counter",
                2 => "time_limit.online",
                3 => "time_limit.postal",
                _ => return None,
            };
            way.ThoiGian.iter().find_map(|t| {
                let unit = t.DonViTinh.trim().to_lowercase();
                let unit = if unit.is_empty() || unit == "ngày làm việc" {
                    "working_days"
                } else if unit == "giờ làm việc" {
                    "working_hours"
                } else {
                    return None;
                };
                let n = t.ThoiGianGiaiQuyet.trim().parse::<u64>().ok()?;
                (1..=3650)
                    .contains(&n)
                    .then(|| (key, format!("{n} {unit}")))
            })
        })
        .collect()
}

/// A catalogue entry with those of its attributes the hub would accept.
fn entry(
    code: String,
    name: String,
    parent_code: String,
    attributes: impl IntoIterator<Item = (&'static str, String)>,
) -> pb::CatalogEntry {
    let mut kept = BTreeMap::new();
    for (key, value) in attributes {
        if !value.trim().is_empty() && value.len() <= MAX_ATTRIBUTE_BYTES && is_clean_text(&value) {
            kept.insert(key.to_string(), value);
        }
    }
    pb::CatalogEntry {
        code,
        name,
        parent_code,
        attributes: kept.into_iter().collect(),
    }
}

fn is_clean_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Leaves out what the hub would refuse; returns the rest and how many were
/// left out. An unusable parent code is dropped, not the agency.
fn clean(entries: Vec<pb::CatalogEntry>) -> (Vec<pb::CatalogEntry>, usize) {
    let total = entries.len();
    let mut seen = HashSet::new();
    let kept: Vec<pb::CatalogEntry> = entries
        .into_iter()
        .filter_map(|mut e| {
            e.code = e.code.trim().to_string();
            e.name = e.name.trim().to_string();
            let usable = is_code(&e.code)
                && !e.name.is_empty()
                && e.name.len() <= MAX_NAME_BYTES
                && is_clean_text(&e.name);
            if !usable {
                tracing::warn!(code = %e.code, "portal catalogue record left out: bad code or name");
                return None;
            }
            if !e.parent_code.is_empty() && !is_code(&e.parent_code) {
                e.parent_code.clear();
            }
            seen.insert(e.code.clone()).then_some(e)
        })
        .collect();
    let skipped = total - kept.len();
    (kept, skipped)
}

fn fingerprint(entries: &[pb::CatalogEntry]) -> String {
    let mut hasher = Sha256::new();
    for e in entries {
        hasher.update(e.code.as_bytes());
        hasher.update([0]);
        hasher.update(e.name.as_bytes());
        hasher.update([0]);
        hasher.update(e.parent_code.as_bytes());
        let mut attrs: Vec<_> = e.attributes.iter().collect();
        attrs.sort();
        for (k, v) in attrs {
            hasher.update([1]);
            hasher.update(k.as_bytes());
            hasher.update([2]);
            hasher.update(v.as_bytes());
        }
        hasher.update([3]);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::protocol::ThoiGian;

    fn way(kenh: i64, n: &str, unit: &str) -> CachThuc {
        CachThuc {
            Kenh: kenh,
            ThoiGian: vec![ThoiGian {
                ThoiGianGiaiQuyet: n.into(),
                DonViTinh: unit.into(),
                ..ThoiGian::default()
            }],
        }
    }

    #[test]
    fn time_limits_become_the_per_channel_limits_the_hub_reads() {
        let limits = time_limits(&[
            way(1, "10", "Ngày làm việc"),
            way(2, "8", "Giờ làm việc"),
            way(3, "0", "Ngày làm việc"),
            way(3, "30", "Ngày"),
            way(9, "5", ""),
            way(1, "2.5", ""),
        ]);
        assert_eq!(
            limits,
            vec![
                ("time_limit.counter", "10 working_days".to_string()),
                ("time_limit.online", "8 working_hours".to_string()),
            ]
        );
    }

    fn entry(code: &str, name: &str) -> pb::CatalogEntry {
        pb::CatalogEntry {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_codes_missing_names_and_duplicates_are_left_out() {
        let mut with_bad_parent = entry("000.00.01.H22", "Sở Tư pháp");
        with_bad_parent.parent_code = "H 22".into();
        let (kept, skipped) = clean(vec![
            with_bad_parent,
            entry("1.000948.H38", "Cấp phiếu lý lịch tư pháp"),
            entry("1..2", "bad"),
            entry("G01", ""),
            entry("1.000948.H38", "again"),
            entry("X-1", "dash"),
        ]);
        let codes: Vec<_> = kept.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["000.00.01.H22", "1.000948.H38"]);
        assert_eq!(kept[0].parent_code, "");
        assert_eq!(skipped, 4);
    }

    #[test]
    fn fingerprint_follows_content() {
        let a = vec![entry("A", "x")];
        let b = vec![entry("A", "y")];
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
    }
}
