//! The simulated portal's data and rules, without HTTP.
//!
//! Sessions, the dossiers it holds with their progress, the catalogues it
//! publishes, the dossiers filed on it waiting to be pushed down, and a log
//! of every call. Each operation is one function answering the portal's
//! reply; the HTTP layer (`server`) only adds delays and faults.

use crate::profile::{Op, Profile, Record};
use crate::protocol::{
    codes, CoQuan, DanhGia, HoSo, HoSoTraCuu, HoiDap, LinhVuc, Reply, ThuTuc, TienDo,
};
use lienthong_adapter::vietnam_time;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Credentials and behaviour of the simulated portal.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub username: String,
    pub password: String,
    pub dstcode: String,
    pub session_ttl: Duration,
    /// The protocol it speaks (the built-in default unless a test gives
    /// another).
    pub profile: Arc<Profile>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            username: "lienthong".into(),
            password: "mat-khau-thu-nghiem".into(),
            dstcode: "H22".into(),
            session_ttl: Duration::from_secs(1800),
            profile: Arc::new(Profile::default_profile()),
        }
    }
}

/// A dossier as the portal holds it.
#[derive(Debug, Clone, Default)]
pub struct StoredDossier {
    pub ho_so: HoSo,
    pub progress: Vec<TienDo>,
    pub creates: u32,
    pub updates: u32,
}

/// One call the portal answered (faults included).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// The operation, when the request named one the profile has.
    pub op: Option<Op>,
    /// The service name as sent.
    pub service: String,
    pub madonvi: String,
    pub is_updating: Option<bool>,
    pub ma_ho_so: Vec<String>,
    pub error_code: String,
    /// The HTTP status sent (500 for injected faults).
    pub http_status: u16,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub delay: Duration,
    /// Answer HTTP 500 to the next N calls (login included), doing nothing.
    pub fail_next: u32,
    /// Per operation: answer 500 to the next N, doing nothing.
    pub fail_next_of: HashMap<Op, u32>,
    /// Per operation: apply the next N, then answer 500 (the reply is lost).
    pub lose_reply_of: HashMap<Op, u32>,
    /// `LayDanhSachHoSoMoi` lists every dossier twice.
    pub duplicates: bool,
}

#[derive(Debug)]
pub struct SimState {
    pub config: SimConfig,
    sessions: HashMap<String, Instant>,
    next_session: u64,
    pub logins: u64,
    pub dossiers: BTreeMap<String, StoredDossier>,
    pub procedures: Vec<ThuTuc>,
    pub agencies: Vec<CoQuan>,
    pub sectors: Vec<LinhVuc>,
    /// The other catalogues, records in canonical names, by operation.
    pub catalogs: BTreeMap<Op, Vec<Value>>,
    /// Answers sent as they are (wire names), instead of the records above:
    /// how a test shows the adapter a deployment that differs from its
    /// profile.
    pub raw_answers: BTreeMap<Op, Vec<Value>>,
    /// Dossiers filed on the portal: (the unit they are for, the dossier).
    pub filed: Vec<(String, HoSo)>,
    pub faults: Faults,
    pub log: Vec<CallRecord>,
    /// Progress entries that arrived twice, or dated before the last one.
    pub order_violations: Vec<String>,
    /// Ratings accepted (`DongBoDanhGia`), by MaHoSo (`feedback.rs`).
    pub ratings: BTreeMap<String, DanhGia>,
    /// Questions with their answers accepted (`DongBoHoiDap`), by HOIDAPID.
    pub answers: BTreeMap<String, HoiDap>,
}

impl SimState {
    pub fn new(config: SimConfig) -> SimState {
        SimState {
            config,
            sessions: HashMap::new(),
            next_session: 0,
            logins: 0,
            dossiers: BTreeMap::new(),
            procedures: seed::procedures(),
            agencies: seed::agencies(),
            sectors: seed::sectors(),
            catalogs: seed::catalogs(),
            raw_answers: BTreeMap::new(),
            filed: Vec::new(),
            faults: Faults::default(),
            log: Vec::new(),
            order_violations: Vec::new(),
            ratings: BTreeMap::new(),
            answers: BTreeMap::new(),
        }
    }

    pub fn login(&mut self, dstcode: Option<&str>, body: &Value) -> Reply {
        if dstcode != Some(self.config.dstcode.as_str()) {
            return Reply::error(codes::LOGIN, "dstcode không hợp lệ");
        }
        let user = body.get("username").and_then(Value::as_str);
        let pass = body.get("password").and_then(Value::as_str);
        if user != Some(self.config.username.as_str())
            || pass != Some(self.config.password.as_str())
        {
            return Reply::error(codes::LOGIN, "Sai tên đăng nhập hoặc mật khẩu");
        }
        self.logins += 1;
        self.next_session += 1;
        let session = format!("sim-session-{:06}", self.next_session);
        self.sessions
            .insert(session.clone(), Instant::now() + self.config.session_ttl);
        Reply {
            error_code: Value::from(codes::OK),
            message: Some("Đăng nhập thành công".into()),
            session: Some(session),
            result: None,
        }
    }

    /// Every current session becomes unknown.
    pub fn expire_sessions(&mut self) {
        self.sessions.clear();
    }

    /// One operation's call, its envelope as the server read it. Returns
    /// the reply and what to log about it.
    pub fn service(
        &mut self,
        op: Option<Op>,
        envelope: &Map<String, Value>,
    ) -> (Reply, CallRecord) {
        let profile = self.config.profile.clone();
        let names = &profile.parameters;
        let text = |key: &str| {
            envelope
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let service = text(&names.service);
        let madonvi = text(&names.unit);
        let is_updating_raw = envelope.get(&names.is_updating);
        let is_updating = is_updating_raw.and_then(|v| profile.read_is_updating(v));
        let data: Vec<Value> = envelope
            .get(&names.data)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let ma_field = profile.wire(Record::Dossier, "MaHoSo");
        let ma_ho_so = data
            .iter()
            .filter_map(|d| lienthong_adapter::jsonpath::get(d, ma_field).and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        let mut record = CallRecord {
            op,
            service: service.clone(),
            madonvi: madonvi.clone(),
            is_updating,
            ma_ho_so,
            error_code: String::new(),
            http_status: 200,
        };
        let session = text(&names.session);
        let live = self
            .sessions
            .get(&session)
            .is_some_and(|expires| *expires > Instant::now());
        let reply = if !live {
            Reply::error(
                codes::SESSION,
                "Phiên làm việc không hợp lệ hoặc đã hết hạn",
            )
        } else if madonvi.is_empty() {
            Reply::error(codes::INVALID, format!("Thiếu {}", names.unit))
        } else if let Some(raw) = op.and_then(|op| self.raw_answers.get(&op)) {
            ok_long(raw.clone())
        } else {
            match op {
                Some(Op::SyncDossiers) => match is_updating {
                    Some(updating) => self.sync_dossiers(updating, &data),
                    None => Reply::error(
                        codes::INVALID,
                        format!(
                            "{} `{}` không đúng: hồ sơ {} viết {}",
                            names.is_updating,
                            is_updating_raw.map(Value::to_string).unwrap_or_default(),
                            profile.name,
                            profile.is_updating(true)
                        ),
                    ),
                },
                Some(Op::Progress) => self.progress(&data),
                Some(Op::Procedures) => ok_long(
                    self.procedures
                        .iter()
                        .map(|p| profile.write(Record::Procedure, &summary_of(p)))
                        .collect(),
                ),
                Some(Op::Procedure) => self.procedure(&text(&names.procedure_code)),
                Some(Op::Agencies) => ok_long(
                    self.agencies
                        .iter()
                        .map(|a| profile.write(Record::Agency, a))
                        .collect(),
                ),
                Some(Op::Sectors) => ok_long(
                    self.sectors
                        .iter()
                        .map(|l| profile.write(Record::Sector, l))
                        .collect(),
                ),
                Some(Op::Lookup) => self.look_up(&text(&names.dossier_code)),
                Some(Op::NewDossiers) => self.new_dossiers(&madonvi, &text(&names.since)),
                Some(Op::Rating) => self.rating(&data),
                Some(Op::QuestionAnswer) => self.question_answer(&data),
                Some(catalogue) => {
                    match (seed::record_of(catalogue), self.catalogs.get(&catalogue)) {
                        (Some(kind), Some(list)) => {
                            ok_long(list.iter().map(|r| profile.encode(kind, r)).collect())
                        }
                        _ => Reply::ok(Vec::new()),
                    }
                }
                None => Reply::error(
                    codes::INVALID,
                    format!("Không hỗ trợ service `{service}` (hồ sơ {})", profile.name),
                ),
            }
        };
        record.error_code = reply.code();
        (reply, record)
    }

    fn sync_dossiers(&mut self, updating: bool, data: &[Value]) -> Reply {
        let list: Vec<HoSo> = match self.items(Record::Dossier, data) {
            Ok(list) => list,
            Err(reply) => return reply,
        };
        let mut records = Vec::new();
        for ho_so in list {
            if let Err(field) = check_ho_so(&ho_so) {
                return Reply::error(
                    codes::INVALID,
                    format!("Dữ liệu không hợp lệ: {field} ({})", ho_so.MaHoSo),
                );
            }
            let exists = self.dossiers.contains_key(&ho_so.MaHoSo);
            if !updating && exists {
                return Reply::error(
                    codes::ALREADY_EXISTS,
                    format!("Hồ sơ {} đã tồn tại", ho_so.MaHoSo),
                );
            }
            if updating && !exists {
                return Reply::error(
                    codes::NOT_FOUND,
                    format!("Không tìm thấy hồ sơ {}", ho_so.MaHoSo),
                );
            }
            records.push(ho_so);
        }
        let mut result = Vec::new();
        for ho_so in records {
            let stored = self.dossiers.entry(ho_so.MaHoSo.clone()).or_default();
            if updating {
                stored.updates += 1;
            } else {
                stored.creates += 1;
            }
            result.push(serde_json::json!({ "MaHoSo": ho_so.MaHoSo }));
            stored.ho_so = ho_so;
        }
        Reply::ok(result)
    }

    fn progress(&mut self, data: &[Value]) -> Reply {
        let list: Vec<TienDo> = match self.items(Record::Progress, data) {
            Ok(list) => list,
            Err(reply) => return reply,
        };
        let mut entries = Vec::new();
        for entry in list {
            if !self.dossiers.contains_key(&entry.MaHoSo) {
                return Reply::error(
                    codes::NOT_FOUND,
                    format!(
                        "Không tìm thấy hồ sơ {}: đồng bộ hồ sơ trước khi cập nhật tiến độ",
                        entry.MaHoSo
                    ),
                );
            }
            if !(1..=10).contains(&entry.TrangThai)
                || vietnam_time::parse(&entry.ThoiDiemXuLy).is_none()
            {
                return Reply::error(
                    codes::INVALID,
                    format!(
                        "Dữ liệu không hợp lệ: TrangThai/ThoiDiemXuLy ({})",
                        entry.MaHoSo
                    ),
                );
            }
            entries.push(entry);
        }
        let count = entries.len();
        for entry in entries {
            let Some(stored) = self.dossiers.get_mut(&entry.MaHoSo) else {
                continue;
            };
            // Twice the same step, or a step dated before the last one:
            // what a lost or reordered write would leave on the portal.
            if stored.progress.iter().any(|t| t.same_step(&entry)) {
                self.order_violations.push(format!(
                    "{}: step at {} ({}) twice",
                    entry.MaHoSo, entry.ThoiDiemXuLy, entry.TrangThai
                ));
            } else if let Some(last) = stored.progress.last() {
                let numbered = entry.SoThuTu.zip(last.SoThuTu);
                let behind = match numbered {
                    Some((now, before)) => now <= before,
                    None => entry.ThoiDiemXuLy < last.ThoiDiemXuLy,
                };
                if behind {
                    self.order_violations.push(format!(
                        "{}: step at {} after {}",
                        entry.MaHoSo, entry.ThoiDiemXuLy, last.ThoiDiemXuLy
                    ));
                }
            }
            stored.progress.push(entry);
        }
        Reply::ok(vec![serde_json::json!({ "SoBanGhi": count })])
    }

    fn procedure(&self, code: &str) -> Reply {
        match self.procedures.iter().find(|p| p.MaTTHC == code) {
            Some(p) => ok_long(vec![self.config.profile.write(Record::Procedure, p)]),
            None => Reply::error(codes::NOT_FOUND, format!("Không tìm thấy thủ tục {code}")),
        }
    }

    fn look_up(&self, ma: &str) -> Reply {
        match self.dossiers.get(ma) {
            Some(stored) => Reply::ok(vec![self.config.profile.write(
                Record::Lookup,
                &HoSoTraCuu {
                    HoSo: stored.ho_so.clone(),
                    QuaTrinhXuLy: stored.progress.clone(),
                },
            )]),
            None => Reply::ok(Vec::new()),
        }
    }

    fn new_dossiers(&self, madonvi: &str, since: &str) -> Reply {
        if !since.is_empty() && vietnam_time::parse(since).is_none() {
            return Reply::error(
                codes::INVALID,
                format!("TuNgay `{since}` không đúng định dạng yyyyMMddHHmmss"),
            );
        }
        let mut list = Vec::new();
        for (unit, ho_so) in &self.filed {
            if unit == madonvi && ho_so.NgayNopHoSo.as_str() >= since {
                list.push(ho_so.clone());
                if self.faults.duplicates {
                    list.push(ho_so.clone());
                }
            }
        }
        let profile = &self.config.profile;
        Reply::ok(
            list.iter()
                .map(|h| profile.write(Record::Dossier, h))
                .collect(),
        )
    }

    /// The `data` list of a write, every item read as `T` through the
    /// profile, strictly: an empty list, a record missing a required field
    /// or carrying one the profile does not name is the portal's "invalid",
    /// naming the fields.
    pub(super) fn items<T: serde::de::DeserializeOwned>(
        &self,
        record: Record,
        data: &[Value],
    ) -> Result<Vec<T>, Reply> {
        if data.is_empty() {
            return Err(Reply::error(codes::INVALID, "Thiếu data"));
        }
        let profile = &self.config.profile;
        data.iter()
            .enumerate()
            .map(|(i, item)| {
                let invalid = |why: String| {
                    Reply::error(codes::INVALID, format!("Dữ liệu không hợp lệ: {why}"))
                };
                let read = profile
                    .read::<T>(record, item, &format!("data[{i}]"))
                    .map_err(|p| invalid(p.to_string()))?;
                if read.unknown.is_empty() {
                    Ok(read.value)
                } else {
                    Err(invalid(format!(
                        "unknown field {} (hồ sơ {})",
                        read.unknown.join(", "),
                        profile.name
                    )))
                }
            })
            .collect()
    }
}

/// Catalogue reads answer `00`, writes `0`: both are success.
fn ok_long(result: Vec<Value>) -> Reply {
    let mut reply = Reply::ok(result);
    reply.error_code = Value::from(codes::OK_LONG);
    reply
}

/// The list form of a procedure (no detail fields).
fn summary_of(t: &ThuTuc) -> ThuTuc {
    ThuTuc {
        MaTTHC: t.MaTTHC.clone(),
        TenTTHC: t.TenTTHC.clone(),
        LinhVucThucHien: t.LinhVucThucHien.clone(),
        CoQuanThucHien: t.CoQuanThucHien.clone(),
        CapThucHien: t.CapThucHien.clone(),
        MucDo: t.MucDo,
        ..ThuTuc::default()
    }
}

/// The portal's own checks on a dossier record; names the first bad field.
fn check_ho_so(h: &HoSo) -> Result<(), &'static str> {
    let date_ok = |s: &str| s.is_empty() || vietnam_time::parse(s).is_some();
    if h.MaHoSo.is_empty() {
        return Err("MaHoSo");
    }
    if h.MaTTHC.is_empty() {
        return Err("MaTTHC");
    }
    if h.ChuHoSo.is_empty() {
        return Err("ChuHoSo");
    }
    if !(1..=10).contains(&h.TrangThaiHoSo) {
        return Err("TrangThaiHoSo");
    }
    if !(1..=3).contains(&h.KenhThucHien) {
        return Err("KenhThucHien");
    }
    if !(1..=4).contains(&h.LoaiDoiTuong) {
        return Err("LoaiDoiTuong");
    }
    if h.NgayNopHoSo.is_empty() || !date_ok(&h.NgayNopHoSo) {
        return Err("NgayNopHoSo");
    }
    for (field, value) in [
        ("NgayTiepNhan", &h.NgayTiepNhan),
        ("NgayHenTra", &h.NgayHenTra),
        ("NgayTra", &h.NgayTra),
    ] {
        if !date_ok(value) {
            return Err(field);
        }
    }
    if h.HinhThuc.is_some_and(|v| !(0..=2).contains(&v)) {
        return Err("HinhThuc");
    }
    Ok(())
}

/// Parameters as a JSON object (helper for tests and the demo).
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The catalogues the simulated portal starts with.
pub mod seed {
    use crate::profile::{Op, Record};
    use crate::protocol::{
        CachThuc, CoQuan, CoQuanTTHC, LinhVuc, LinhVucTTHC, PhiTTHC, ThoiGian, ThuTuc,
    };
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    pub fn procedures() -> Vec<ThuTuc> {
        let way = |kenh: i64, days: &str| CachThuc {
            Kenh: kenh,
            ThoiGian: vec![ThoiGian {
                ThoiGianGiaiQuyet: days.into(),
                DonViTinh: "Ngày làm việc".into(),
                MoTa: String::new(),
                PhiLePhi: vec![PhiTTHC {
                    MaPhiLePhi: "LP01".into(),
                    SoTien: "200000".into(),
                    DonVi: "Đồng".into(),
                    MoTa: "Lệ phí".into(),
                }],
            }],
        };
        let p = |code: &str, name: &str, sector: &str, agency: &str, level: i64| ThuTuc {
            MaTTHC: code.into(),
            TenTTHC: name.into(),
            LinhVucThucHien: vec![LinhVucTTHC {
                MaLinhVuc: sector.into(),
                TenLinhVuc: String::new(),
            }],
            CoQuanThucHien: vec![CoQuanTTHC {
                MaDonVi: agency.into(),
                TenDonVi: String::new(),
            }],
            CapThucHien: "Cấp Tỉnh".into(),
            MucDo: Some(level),
            CachThucThucHien: vec![way(1, "10"), way(2, "10"), way(3, "12")],
            ThanhPhanHoSo: vec![json!({"MAGIAYTO": "TP01", "TENGIAYTO": "Tờ khai"})],
            KetQuaThucHien: vec![json!({"MAKETQUA": "KQ01", "TENKETQUA": "Giấy phép"})],
            CanCuPhapLy: vec![json!({"SOVANBAN": "61/2018/NĐ-CP"})],
            TrinhTuThucHien: Vec::new(),
        };
        vec![
            p(
                "1.000894.000.00.00.H22",
                "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                "G09",
                "000.00.09.H22",
                4,
            ),
            p(
                "2.000889.000.00.00.H22",
                "Đăng ký khai sinh",
                "G11",
                "000.00.09.H22",
                4,
            ),
            p(
                "1.001612.000.00.00.H22",
                "Cấp giấy phép xây dựng",
                "G05",
                "000.00.05.H22",
                3,
            ),
        ]
    }

    pub fn agencies() -> Vec<CoQuan> {
        let c = |code: &str, name: &str, parent: &str| CoQuan {
            MaCoQuan: code.into(),
            TenCoQuan: name.into(),
            MaCoQuanCha: parent.into(),
            CapCoQuan: "2".into(),
        };
        vec![
            c("000.00.00.H22", "Ủy ban nhân dân tỉnh Quảng Ninh", ""),
            c("000.00.09.H22", "Sở Tư pháp", "000.00.00.H22"),
            c("000.00.05.H22", "Sở Xây dựng", "000.00.00.H22"),
            c(
                "000.00.01.H22",
                "Trung tâm Phục vụ hành chính công",
                "000.00.00.H22",
            ),
        ]
    }

    pub fn sectors() -> Vec<LinhVuc> {
        let l = |code: &str, name: &str| LinhVuc {
            MaLinhVuc: code.into(),
            TenLinhVuc: name.into(),
            MaNganh: "TP".into(),
        };
        vec![
            l("G09", "Lý lịch tư pháp"),
            l("G11", "Hộ tịch"),
            l("G05", "Xây dựng"),
        ]
    }

    /// The 34 provinces and centrally-run cities of the two-level local
    /// government in force since 1 July 2025 (Resolution 202/2025/QH15),
    /// with the codes of the statistical list of administrative units as
    /// the simulator uses them (a real portal's list is the authority).
    pub const PROVINCES: &[(&str, &str)] = &[
        ("01", "Thành phố Hà Nội"),
        ("04", "Tỉnh Cao Bằng"),
        ("08", "Tỉnh Tuyên Quang"),
        ("11", "Tỉnh Điện Biên"),
        ("12", "Tỉnh Lai Châu"),
        ("14", "Tỉnh Sơn La"),
        ("15", "Tỉnh Lào Cai"),
        ("19", "Tỉnh Thái Nguyên"),
        ("20", "Tỉnh Lạng Sơn"),
        ("22", "Tỉnh Quảng Ninh"),
        ("24", "Tỉnh Bắc Ninh"),
        ("25", "Tỉnh Phú Thọ"),
        ("31", "Thành phố Hải Phòng"),
        ("33", "Tỉnh Hưng Yên"),
        ("37", "Tỉnh Ninh Bình"),
        ("38", "Tỉnh Thanh Hóa"),
        ("40", "Tỉnh Nghệ An"),
        ("42", "Tỉnh Hà Tĩnh"),
        ("44", "Tỉnh Quảng Trị"),
        ("46", "Thành phố Huế"),
        ("48", "Thành phố Đà Nẵng"),
        ("51", "Tỉnh Quảng Ngãi"),
        ("52", "Tỉnh Gia Lai"),
        ("56", "Tỉnh Khánh Hòa"),
        ("66", "Tỉnh Đắk Lắk"),
        ("68", "Tỉnh Lâm Đồng"),
        ("75", "Tỉnh Đồng Nai"),
        ("79", "Thành phố Hồ Chí Minh"),
        ("80", "Tỉnh Tây Ninh"),
        ("82", "Tỉnh Đồng Tháp"),
        ("86", "Tỉnh Vĩnh Long"),
        ("91", "Tỉnh An Giang"),
        ("92", "Thành phố Cần Thơ"),
        ("96", "Tỉnh Cà Mau"),
    ];

    /// The record kind of a catalogue operation the seed serves.
    pub fn record_of(op: Op) -> Option<Record> {
        Some(match op {
            Op::Provinces => Record::Province,
            Op::Communes => Record::Commune,
            Op::Districts => Record::District,
            Op::Fees => Record::Fee,
            Op::OnlineServices => Record::OnlineService,
            Op::ResultTypes => Record::ResultType,
            Op::TreasuryAccounts => Record::TreasuryAccount,
            Op::RevenueItems => Record::RevenueItem,
            Op::Banks => Record::Bank,
            _ => return None,
        })
    }

    /// The other catalogues, in canonical names: a few communes of Quảng
    /// Ninh (the new wards and communes, and one abolished district for old
    /// three-level codes), fees, services, results, a treasury account,
    /// revenue items and banks.
    pub fn catalogs() -> BTreeMap<Op, Vec<Value>> {
        let mut all = BTreeMap::new();
        all.insert(
            Op::Provinces,
            PROVINCES
                .iter()
                .map(|(code, name)| {
                    let kind = if name.starts_with("Thành phố") {
                        "Thành phố trực thuộc trung ương"
                    } else {
                        "Tỉnh"
                    };
                    json!({"MaTinh": code, "TenTinh": name, "CapTinh": kind})
                })
                .collect(),
        );
        all.insert(
            Op::Communes,
            vec![
                json!({"MaXa": "06658", "TenXa": "Phường Hạ Long", "MaTinh": "22", "CapXa": "Phường"}),
                json!({"MaXa": "06700", "TenXa": "Phường Bãi Cháy", "MaTinh": "22", "CapXa": "Phường"}),
                json!({"MaXa": "07192", "TenXa": "Đặc khu Vân Đồn", "MaTinh": "22", "CapXa": "Đặc khu"}),
                json!({"MaXa": "07210", "TenXa": "Đặc khu Cô Tô", "MaTinh": "22", "CapXa": "Đặc khu"}),
                json!({"MaXa": "00004", "TenXa": "Phường Ba Đình", "MaTinh": "01", "CapXa": "Phường"}),
            ],
        );
        all.insert(
            Op::Districts,
            vec![json!({"MaHuyen": "193", "TenHuyen": "Thành phố Hạ Long", "MaTinh": "22"})],
        );
        all.insert(
            Op::Fees,
            vec![
                json!({"MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí cấp Phiếu lý lịch tư pháp", "LoaiPhiLePhi": 2, "MucThu": "200000", "CanCuPhapLy": "Thông tư 244/2016/TT-BTC"}),
                json!({"MaPhiLePhi": "LP02", "TenPhiLePhi": "Lệ phí cấp giấy phép xây dựng", "LoaiPhiLePhi": 2, "MucThu": "150000"}),
            ],
        );
        all.insert(
            Op::OnlineServices,
            vec![json!({"MaDichVu": "DVC.1.000894", "TenDichVu": "Cấp Phiếu lý lịch tư pháp trực tuyến", "MaTTHC": "1.000894.000.00.00.H22", "MucDo": 4})],
        );
        all.insert(
            Op::ResultTypes,
            vec![json!({"MaKetQua": "KQ01", "TenKetQua": "Phiếu lý lịch tư pháp", "MaTTHC": "1.000894.000.00.00.H22"})],
        );
        all.insert(
            Op::TreasuryAccounts,
            vec![json!({"SoTaiKhoan": "3511", "TenTaiKhoan": "Thu ngân sách nhà nước", "MaKhoBac": "0111", "MaCoQuan": "000.00.09.H22"})],
        );
        all.insert(
            Op::RevenueItems,
            vec![
                json!({"MaNoiDungKinhTe": "2652", "TenNoiDungKinhTe": "Lệ phí cấp giấy phép xây dựng", "MaMuc": "2650"}),
                json!({"MaNoiDungKinhTe": "2662", "TenNoiDungKinhTe": "Lệ phí cấp phiếu lý lịch tư pháp", "MaMuc": "2650"}),
            ],
        );
        all.insert(
            Op::Banks,
            vec![
                json!({"MaNganHang": "VCB", "TenNganHang": "Ngân hàng TMCP Ngoại thương Việt Nam", "MaBIN": "970436"}),
                json!({"MaNganHang": "BIDV", "TenNganHang": "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", "MaBIN": "970418"}),
            ],
        );
        all
    }
}
