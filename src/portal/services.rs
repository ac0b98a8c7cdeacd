//! The procedures the portal offers, read from the hub's versioned
//! catalogues (`procedures`, `agencies`, `sectors`, as the national-portal
//! adapter's pull publishes them), and how a person searches them.
//!
//! Only what the catalogue holds is shown: a procedure entry's name and
//! code, and its attributes — `agency_code`, `sector_code`, `level`,
//! `online_level`, `time_limit.<channel>` (read through the hub's own
//! `ProcedureTerms`, the limits reception counts with), and the lists the
//! portal sends as JSON arrays (`channels`, `fees`, `components`,
//! `results`, `legal_basis`). A list item is shown field by field, the
//! known fields under a Vietnamese label, any other under its own name,
//! nothing invented; a field holding an `http(s)` address becomes a link
//! (a form to download).
//!
//! Search folds Vietnamese both ways (`workspace::fold`: no diacritics,
//! `đ` as `d`, any case): every word typed must appear in the folded name
//! or code.

use crate::domain::catalog::CatalogEntry;
use crate::domain::procedure::ProcedureTerms;
use crate::domain::working_time::TimeLimit;
use crate::domain::Channel;
use crate::workspace::fold;
use serde_json::Value;
use std::collections::BTreeMap;

/// The most results one search page lists.
pub const MAX_RESULTS: usize = 100;

/// One field of a list item, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub text: String,
    /// An `http(s)` address the text links to.
    pub href: Option<String>,
}

/// One item of a list attribute (a component, a fee, a legal document).
pub type Item = Vec<Field>;

/// A procedure as the portal shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Procedure {
    pub code: String,
    pub name: String,
    pub agency_code: String,
    pub agency_name: String,
    pub sector_code: String,
    pub sector_name: String,
    /// CapThucHien, as the catalogue writes it.
    pub level: String,
    /// MucDo: 2 information, 3 partial online, 4 full online.
    pub online_level: Option<u8>,
    pub channels: Vec<Channel>,
    /// The time limit per channel the hub counts with (channels without
    /// one are left out).
    pub time_limits: Vec<(Channel, TimeLimit)>,
    pub fees: Vec<Item>,
    pub components: Vec<Item>,
    pub results: Vec<Item>,
    pub legal_basis: Vec<Item>,
    /// The components an online filing asks a file for (`filing`).
    pub filing_components: Vec<super::filing::Component>,
    /// The fees as a dossier carries them (those with code and amount).
    pub filing_fees: Vec<crate::domain::Fee>,
    /// The name and code folded, for search.
    folded: String,
}

/// What a search asks for; empty fields ask nothing.
#[derive(Clone, Debug, Default)]
pub struct ServiceQuery {
    pub text: String,
    pub agency: String,
    pub sector: String,
    pub online_level: Option<u8>,
}

/// The three catalogues as the portal reads them.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub version: u64,
    pub procedures: Vec<Procedure>,
    /// Code → name, of agencies that have at least one procedure.
    pub agencies: BTreeMap<String, String>,
    pub sectors: BTreeMap<String, String>,
}

impl Catalogue {
    /// Built from the published entries (any of them may be empty: nothing
    /// published yet).
    pub fn from_entries(
        version: u64,
        procedures: &[CatalogEntry],
        agencies: &[CatalogEntry],
        sectors: &[CatalogEntry],
    ) -> Catalogue {
        let names = |entries: &[CatalogEntry]| -> BTreeMap<String, String> {
            entries
                .iter()
                .map(|e| (e.code.clone(), e.name.clone()))
                .collect()
        };
        let (agency_names, sector_names) = (names(agencies), names(sectors));
        let procedures: Vec<Procedure> = procedures
            .iter()
            .map(|e| procedure(e, &agency_names, &sector_names))
            .collect();
        let used = |pick: fn(&Procedure) -> (&String, &String)| {
            procedures
                .iter()
                .map(pick)
                .filter(|(code, _)| !code.is_empty())
                .map(|(code, name)| (code.clone(), name.clone()))
                .collect()
        };
        Catalogue {
            version,
            agencies: used(|p| (&p.agency_code, &p.agency_name)),
            sectors: used(|p| (&p.sector_code, &p.sector_name)),
            procedures,
        }
    }

    pub fn procedure(&self, code: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.code == code)
    }
}

/// The procedures matching `query`, in name order (folded), at most
/// `MAX_RESULTS`; and how many matched in all.
pub fn search<'a>(catalogue: &'a Catalogue, query: &ServiceQuery) -> (Vec<&'a Procedure>, usize) {
    let words: Vec<String> = fold(&query.text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut found: Vec<&Procedure> = catalogue
        .procedures
        .iter()
        .filter(|p| words.iter().all(|w| p.folded.contains(w.as_str())))
        .filter(|p| query.agency.is_empty() || p.agency_code == query.agency)
        .filter(|p| query.sector.is_empty() || p.sector_code == query.sector)
        .filter(|p| query.online_level.is_none() || p.online_level == query.online_level)
        .collect();
    found.sort_by(|a, b| fold(&a.name).cmp(&fold(&b.name)).then(a.code.cmp(&b.code)));
    let total = found.len();
    found.truncate(MAX_RESULTS);
    (found, total)
}

fn procedure(
    entry: &CatalogEntry,
    agencies: &BTreeMap<String, String>,
    sectors: &BTreeMap<String, String>,
) -> Procedure {
    let attribute = |name: &str| entry.attributes.get(name).cloned().unwrap_or_default();
    let agency_code = attribute("agency_code");
    let sector_code = attribute("sector_code");
    let named = |names: &BTreeMap<String, String>, code: &String| {
        names.get(code).cloned().unwrap_or_else(|| code.clone())
    };
    // A published entry passed the hub's checks, so its terms read; an
    // entry that somehow does not shows no limit rather than a wrong one.
    let terms = ProcedureTerms::from_entry("procedure", entry).unwrap_or_default();
    let channels_listed = list(entry, "channels")
        .iter()
        .filter_map(|item| channel_of(item.get("Kenh")?))
        .collect::<Vec<_>>();
    let all = [Channel::Counter, Channel::Online, Channel::Postal];
    let time_limits = all
        .iter()
        .filter_map(|c| Some((*c, terms.time_limit_for(*c)?)))
        .collect();
    Procedure {
        code: entry.code.clone(),
        name: entry.name.clone(),
        agency_name: named(agencies, &agency_code),
        sector_name: named(sectors, &sector_code),
        agency_code,
        sector_code,
        level: attribute("level"),
        online_level: attribute("online_level").trim().parse().ok(),
        channels: channels_listed,
        time_limits,
        fees: items(entry, "fees"),
        components: items(entry, "components"),
        results: items(entry, "results"),
        legal_basis: items(entry, "legal_basis"),
        filing_components: list(entry, "components")
            .iter()
            .enumerate()
            .map(|(i, map)| super::filing::Component::from_catalogue(i, map))
            .collect(),
        filing_fees: super::filing::fees_of(&list(entry, "fees")),
        folded: format!("{} {}", fold(&entry.name), fold(&entry.code)),
    }
}

/// A list attribute's items (JSON objects); an attribute that is not a
/// JSON array of objects gives none.
fn list(entry: &CatalogEntry, name: &str) -> Vec<serde_json::Map<String, Value>> {
    entry
        .attributes
        .get(name)
        .and_then(|text| serde_json::from_str::<Vec<Value>>(text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .collect()
}

fn items(entry: &CatalogEntry, name: &str) -> Vec<Item> {
    list(entry, name)
        .iter()
        .map(|map| {
            map.iter()
                .filter_map(|(key, value)| field(key, value))
                .collect::<Item>()
        })
        .filter(|item| !item.is_empty())
        .collect()
}

/// The Vietnamese label of a field the national portal's lists use.
fn label(key: &str) -> String {
    let known = match key {
        "Ma" | "MaThanhPhan" | "MaGiayTo" | "MaKetQua" | "MAGIAYTO" | "MAKETQUA" => "Mã",
        "Ten" | "TenThanhPhan" | "TenGiayTo" | "TenKetQua" | "TENGIAYTO" | "TENKETQUA" => "Tên",
        "MaPhiLePhi" => "Mã phí, lệ phí",
        "TenPhiLePhi" | "LoaiPhiLePhi" => "Phí, lệ phí",
        "MucPhi" | "SoTien" => "Mức thu",
        "MoTa" | "GhiChu" => "Ghi chú",
        "SoKyHieu" | "SOVANBAN" => "Số ký hiệu",
        "TrichYeu" | "TENVANBAN" => "Trích yếu",
        "DonVi" => "Đơn vị",
        "NgayBanHanh" => "Ngày ban hành",
        "CoQuanBanHanh" => "Cơ quan ban hành",
        "SoLuong" => "Số lượng",
        "BanChinh" => "Bản chính",
        "BanSao" => "Bản sao",
        "TenMauDon" | "MauDon" | "TENMAUDON" => "Mẫu đơn, tờ khai",
        "DuongDanMauDon" | "Url" | "DuongDan" | "TepMau" | "URL" => "Tải mẫu",
        "Kenh" => "Kênh",
        "BatBuoc" => "Bắt buộc",
        "SoNgay" => "Số ngày",
        other => other,
    };
    known.to_string()
}

fn field(key: &str, value: &Value) -> Option<Field> {
    let text = match value {
        Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
        Value::Number(n) if matches!(key, "MucPhi" | "SoTien") => match n.as_i64() {
            Some(amount) => money(amount),
            None => n.to_string(),
        },
        Value::Number(n) if key == "Kenh" => match channel_of(value) {
            Some(c) => channel_name(c).to_string(),
            None => n.to_string(),
        },
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "Có" } else { "Không" }.to_string(),
        _ => return None,
    };
    let href = (text.starts_with("https://") || text.starts_with("http://")).then(|| text.clone());
    Some(Field {
        label: label(key),
        text,
        href,
    })
}

/// KenhThucHien 1, 2, 3.
fn channel_of(value: &Value) -> Option<Channel> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    match n {
        1 => Some(Channel::Counter),
        2 => Some(Channel::Online),
        3 => Some(Channel::Postal),
        _ => None,
    }
}

/// How the portal names a channel (the same words as the workspace).
pub fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => "Trực tiếp",
        Channel::Online => "Trực tuyến",
        Channel::Postal => "Bưu chính công ích",
    }
}

/// MucDo in words (Decree 42/2022 classes; 2 is information only).
pub fn online_level_name(level: u8) -> &'static str {
    match level {
        4 => "Dịch vụ công trực tuyến toàn trình",
        3 => "Dịch vụ công trực tuyến một phần",
        _ => "Cung cấp thông tin",
    }
}

/// `1.500.000 đ`.
pub fn money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{out} đ")
}

/// A time limit in words: "10 ngày làm việc", "8 giờ làm việc".
pub fn time_limit_text(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} ngày làm việc"),
        TimeLimit::WorkingHours(n) => format!("{n} giờ làm việc"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, name: &str, attributes: &[(&str, &str)]) -> CatalogEntry {
        CatalogEntry {
            code: code.into(),
            name: name.into(),
            parent_code: String::new(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn catalogue() -> Catalogue {
        Catalogue::from_entries(
            3,
            &[
                entry(
                    "1.001612.000.00.00.H22",
                    "Cấp giấy phép xây dựng",
                    &[
                        ("agency_code", "000.00.05.H22"),
                        ("sector_code", "G05"),
                        ("online_level", "3"),
                        ("time_limit.counter", "15 working_days"),
                        ("time_limit.online", "12 working_days"),
                        ("fees", r#"[{"MaPhiLePhi":"LP01","MucPhi":150000}]"#),
                        (
                            "components",
                            r#"[{"Ten":"Đơn đề nghị","DuongDanMauDon":"https://dvc.example.vn/mau-01.docx"}]"#,
                        ),
                        ("channels", r#"[{"Kenh":1},{"Kenh":2}]"#),
                    ],
                ),
                entry(
                    "2.000889.000.00.00.H22",
                    "Đăng ký khai sinh",
                    &[("agency_code", "000.00.09.H22"), ("online_level", "4")],
                ),
                entry("3.000001.H22", "Cấp đổi giấy phép lái xe", &[]),
            ],
            &[entry("000.00.05.H22", "Sở Xây dựng", &[])],
            &[entry("G05", "Xây dựng", &[])],
        )
    }

    fn codes(found: &[&Procedure]) -> Vec<String> {
        found.iter().map(|p| p.code.clone()).collect()
    }

    #[test]
    fn text_without_diacritics_finds_the_vietnamese_name() {
        let c = catalogue();
        let query = |text: &str| ServiceQuery {
            text: text.into(),
            ..ServiceQuery::default()
        };
        let (found, total) = search(&c, &query("cap giay phep xay dung"));
        assert_eq!(
            (codes(&found), total),
            (vec!["1.001612.000.00.00.H22".into()], 1)
        );
        let (found, _) = search(&c, &query("dang ky khai sinh"));
        assert_eq!(codes(&found), vec!["2.000889.000.00.00.H22".to_string()]);
        let (found, _) = search(&c, &query("ĐĂNG KÝ"));
        assert_eq!(codes(&found), vec!["2.000889.000.00.00.H22".to_string()]);
        let (found, _) = search(&c, &query("giay phep"));
        assert_eq!(found.len(), 2, "every word, in any place");
        let (found, _) = search(&c, &query("1.001612"));
        assert_eq!(found.len(), 1, "by code too");
        let (found, _) = search(&c, &query("xay dung khai sinh"));
        assert!(found.is_empty(), "every word must match");
    }

    #[test]
    fn agency_sector_and_online_level_narrow_the_search() {
        let c = catalogue();
        let (found, _) = search(
            &c,
            &ServiceQuery {
                online_level: Some(4),
                ..ServiceQuery::default()
            },
        );
        assert_eq!(codes(&found), vec!["2.000889.000.00.00.H22".to_string()]);
        let (found, _) = search(
            &c,
            &ServiceQuery {
                agency: "000.00.05.H22".into(),
                sector: "G05".into(),
                ..ServiceQuery::default()
            },
        );
        assert_eq!(codes(&found), vec!["1.001612.000.00.00.H22".to_string()]);
        assert_eq!(c.agencies.get("000.00.05.H22").unwrap(), "Sở Xây dựng");
        assert_eq!(
            c.agencies.get("000.00.09.H22").unwrap(),
            "000.00.09.H22",
            "an agency missing from its catalogue is named by its code"
        );
    }

    #[test]
    fn a_procedure_shows_what_its_entry_holds_and_nothing_more() {
        let c = catalogue();
        let p = c.procedure("1.001612.000.00.00.H22").unwrap();
        assert_eq!(p.online_level, Some(3));
        assert_eq!(p.channels, vec![Channel::Counter, Channel::Online]);
        assert_eq!(
            p.time_limits,
            vec![
                (Channel::Counter, TimeLimit::WorkingDays(15)),
                (Channel::Online, TimeLimit::WorkingDays(12)),
            ],
            "postal has no limit in the entry"
        );
        assert_eq!(p.fees[0][1].text, "150.000 đ");
        assert_eq!(p.fees[0][1].label, "Mức thu");
        let form = &p.components[0];
        assert_eq!(form[0].label, "Tải mẫu");
        assert_eq!(
            form[0].href.as_deref(),
            Some("https://dvc.example.vn/mau-01.docx")
        );
        assert!(p.legal_basis.is_empty() && p.results.is_empty());
        let bare = c.procedure("3.000001.H22").unwrap();
        assert!(bare.fees.is_empty() && bare.time_limits.is_empty());
        assert_eq!(bare.online_level, None);
    }

    #[test]
    fn a_list_that_is_not_json_shows_nothing() {
        let c = Catalogue::from_entries(
            1,
            &[entry(
                "1.1",
                "X",
                &[("fees", "not json"), ("components", "[1, \"a\"]")],
            )],
            &[],
            &[],
        );
        let p = c.procedure("1.1").unwrap();
        assert!(p.fees.is_empty() && p.components.is_empty());
    }
}
