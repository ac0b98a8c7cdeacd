//! Catalogue pulls: the portal's shared catalogues become hub catalogues.
//!
//! Every `catalog_poll_interval_seconds` (and once at start) the procedures
//! (`LayDanhSachTTHC`, optionally each in full with `LayThuTuc`), agencies
//! (`LayDanhMucCoQuan`) and sectors (`LayDanhMucLinhVuc`) are read and
//! published whole with `HubApi::publish_catalog`; the hub computes what
//! changed and versions it. Records the hub would refuse (a code that is
//! not letters/digits/dots, no name) are left out and counted, so one bad
//! record cannot block the rest; an empty answer is never published (it
//! would remove the whole catalogue). A pull is published only when its
//! content differs from the last one this adapter published; its
//! idempotency key is the content's hash and the pull's time, so a pull
//! never replays an older one (a catalogue can change back).

use crate::client::Client;
use crate::error::PortalError;
use crate::protocol::{from_item, ops, CoQuan, LinhVuc, ThuTuc};
use crate::settings::is_code;
use crate::sink::params;
use crate::sync_state::SyncState;
use lienthong_adapter::vietnam_time;
use lienthong_adapter::{every, pb, HubApi, Stop};
use serde_json::{json, Value};
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

impl CatalogPuller {
    pub async fn run(self, interval: Duration, stop: Stop) {
        let this = &self;
        every(interval, stop, || this.pull_all()).await
    }

    pub async fn pull_all(&self) {
        for kind in ["procedures", "agencies", "sectors"] {
            if let Err(e) = self.pull(kind).await {
                tracing::warn!(kind, error = %e, "catalogue pull from the national portal failed");
                self.state.catalog_failed(kind, &e.to_string());
            }
        }
    }

    pub async fn pull(&self, kind: &'static str) -> Result<Pulled, PortalError> {
        let (entries, skipped) = match kind {
            "procedures" => self.procedures().await?,
            "agencies" => {
                let items = self.client.call(ops::AGENCIES, params(json!({}))).await?;
                clean(read(ops::AGENCIES, &items, agency)?)
            }
            _ => {
                let items = self.client.call(ops::SECTORS, params(json!({}))).await?;
                clean(read(ops::SECTORS, &items, sector)?)
            }
        };
        if entries.is_empty() {
            return Err(PortalError::Malformed {
                op: kind.to_string(),
                reason: format!(
                    "the portal returned no usable {kind} ({skipped} left out); the hub's catalogue is kept"
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
        self.state
            .catalog_published(kind, reply.version, count, skipped);
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

    async fn procedures(&self) -> Result<(Vec<pb::CatalogEntry>, usize), PortalError> {
        let items = self.client.call(ops::PROCEDURES, params(json!({}))).await?;
        let mut list: Vec<ThuTuc> = read(ops::PROCEDURES, &items, |t: ThuTuc| t)?;
        if self.procedure_details {
            for t in &mut list {
                if !is_code(&t.MaTTHC) {
                    continue;
                }
                let detail = self
                    .client
                    .call(ops::PROCEDURE, params(json!({ "MaTTHC": t.MaTTHC })))
                    .await?;
                if let Some(item) = detail.first() {
                    *t = from_item(item).map_err(|e| PortalError::Malformed {
                        op: ops::PROCEDURE.into(),
                        reason: format!("{}: {e}", t.MaTTHC),
                    })?;
                }
            }
        }
        Ok(clean(list.into_iter().map(procedure).collect()))
    }
}

fn read<T: serde::de::DeserializeOwned, U>(
    op: &str,
    items: &[Value],
    convert: impl Fn(T) -> U,
) -> Result<Vec<U>, PortalError> {
    items
        .iter()
        .map(|item| {
            from_item::<T>(item)
                .map(&convert)
                .map_err(|e| PortalError::Malformed {
                    op: op.to_string(),
                    reason: e.to_string(),
                })
        })
        .collect()
}

fn procedure(t: ThuTuc) -> pb::CatalogEntry {
    let mut attributes = vec![
        ("sector_code", t.MaLinhVuc),
        ("agency_code", t.MaCoQuanThucHien),
        ("level", t.CapThucHien),
    ];
    if t.MucDo > 0 {
        attributes.push(("online_level", t.MucDo.to_string()));
    }
    attributes.extend(time_limits(&t.ThoiHanGiaiQuyet));
    for (key, list) in [
        ("channels", t.KenhThucHien),
        ("time_limits", t.ThoiHanGiaiQuyet),
        ("fees", t.PhiLePhi),
        ("components", t.ThanhPhanHoSo),
        ("results", t.KetQua),
        ("legal_basis", t.CanCuPhapLy),
    ] {
        if !list.is_empty() {
            attributes.push((key, Value::Array(list).to_string()));
        }
    }
    entry(t.MaTTHC, t.TenTTHC, String::new(), attributes)
}

/// The time limit per channel as the hub reads it (`time_limit.counter`,
/// `.online`, `.postal`: "10 working_days"), so reception can compute the
/// appointment date from the catalogue. An item whose channel (`Kenh` 1, 2
/// or 3) or day count (`SoNgay`, a positive whole number) is unusable is
/// left out; the raw list is kept as `time_limits` beside.
fn time_limits(list: &[Value]) -> Vec<(&'static str, String)> {
    let number = |item: &Value, key: &str| match &item[key] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    list.iter()
        .filter_map(|item| {
            let key = match number(item, "Kenh")? {
                1 => "time_limit.counter",
                2 => "time_limit.online",
                3 => "time_limit.postal",
                _ => return None,
            };
            let days = number(item, "SoNgay").filter(|d| (1..=3650).contains(d))?;
            Some((key, format!("{days} working_days")))
        })
        .collect()
}

fn agency(c: CoQuan) -> pb::CatalogEntry {
    entry(
        c.MaCoQuan,
        c.TenCoQuan,
        c.MaCoQuanCha,
        [("level", c.CapCoQuan)],
    )
}

fn sector(l: LinhVuc) -> pb::CatalogEntry {
    entry(
        l.MaLinhVuc,
        l.TenLinhVuc,
        String::new(),
        [("branch_code", l.MaNganh)],
    )
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

    #[test]
    fn time_limits_become_the_per_channel_limits_the_hub_reads() {
        let limits = time_limits(&[
            json!({"Kenh": 1, "SoNgay": 10}),
            json!({"Kenh": "2", "SoNgay": "7"}),
            json!({"Kenh": 3, "SoNgay": 0}),
            json!({"Kenh": 9, "SoNgay": 5}),
            json!({"SoNgay": 5}),
        ]);
        assert_eq!(
            limits,
            vec![
                ("time_limit.counter", "10 working_days".to_string()),
                ("time_limit.online", "7 working_days".to_string()),
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
