//! The simulated portal's data and rules, without HTTP.
//!
//! Sessions, the dossiers it holds with their progress, the catalogues it
//! publishes, the dossiers filed on it waiting to be pushed down, and a log
//! of every call. Each operation is one function answering the portal's
//! reply; the HTTP layer (`server`) only adds delays and faults.

use crate::protocol::{
    codes, from_item, ops, CoQuan, DanhGia, HoSo, HoSoTraCuu, HoiDap, LinhVuc, Reply, ThuTuc,
    TienDo,
};
use lienthong_adapter::vietnam_time;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Credentials and behaviour of the simulated portal.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub username: String,
    pub password: String,
    pub dstcode: String,
    pub session_ttl: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            username: "lienthong".into(),
            password: "mat-khau-thu-nghiem".into(),
            dstcode: "H22".into(),
            session_ttl: Duration::from_secs(1800),
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
    pub fail_next_of: HashMap<String, u32>,
    /// Per operation: apply the next N, then answer 500 (the reply is lost).
    pub lose_reply_of: HashMap<String, u32>,
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
    /// Dossiers filed on the portal: (the unit they are for, the dossier).
    pub filed: Vec<(String, HoSo)>,
    pub faults: Faults,
    pub log: Vec<CallRecord>,
    /// Progress entries that arrived with a SoThuTu not above the last one.
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

    /// One `/service` call. Returns the reply and what to log about it.
    pub fn service(&mut self, body: &Value) -> (Reply, CallRecord) {
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let service = text("service");
        let madonvi = text("madonvi");
        let is_updating = body.get("isUpdating").and_then(flex_bool);
        let data: Vec<Value> = body
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let ma_ho_so = data
            .iter()
            .filter_map(|d| d.get("MaHoSo").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        let mut record = CallRecord {
            service: service.clone(),
            madonvi: madonvi.clone(),
            is_updating,
            ma_ho_so,
            error_code: String::new(),
            http_status: 200,
        };
        let session = text("session");
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
            Reply::error(codes::INVALID, "Thiếu madonvi")
        } else {
            match service.as_str() {
                ops::SYNC_DOSSIERS => self.sync_dossiers(is_updating.unwrap_or(false), &data),
                ops::PROGRESS => self.progress(&data),
                ops::PROCEDURES => ok_long(to_values(
                    &self.procedures.iter().map(summary_of).collect::<Vec<_>>(),
                )),
                ops::PROCEDURE => self.procedure(&text("MaTTHC")),
                ops::AGENCIES => ok_long(to_values(&self.agencies)),
                ops::SECTORS => ok_long(to_values(&self.sectors)),
                ops::LOOKUP => self.look_up(&text("MaHoSo")),
                ops::NEW_DOSSIERS => self.new_dossiers(&madonvi, &text("TuNgay")),
                ops::RATING => self.rating(&data),
                ops::QUESTION_ANSWER => self.question_answer(&data),
                other => Reply::error(codes::INVALID, format!("Không hỗ trợ service `{other}`")),
            }
        };
        record.error_code = reply.code();
        (reply, record)
    }

    fn sync_dossiers(&mut self, updating: bool, data: &[Value]) -> Reply {
        let list: Vec<HoSo> = match items(data) {
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
        let list: Vec<TienDo> = match items(data) {
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
            let last = stored.progress.iter().map(|t| t.SoThuTu).max().unwrap_or(0);
            if entry.SoThuTu != 0 && entry.SoThuTu <= last {
                self.order_violations.push(format!(
                    "{}: SoThuTu {} after {}",
                    entry.MaHoSo, entry.SoThuTu, last
                ));
            }
            stored.progress.push(entry);
        }
        Reply::ok(vec![serde_json::json!({ "SoBanGhi": count })])
    }

    fn procedure(&self, code: &str) -> Reply {
        match self.procedures.iter().find(|p| p.MaTTHC == code) {
            Some(p) => ok_long(to_values(std::slice::from_ref(p))),
            None => Reply::error(codes::NOT_FOUND, format!("Không tìm thấy thủ tục {code}")),
        }
    }

    fn look_up(&self, ma: &str) -> Reply {
        match self.dossiers.get(ma) {
            Some(stored) => Reply::ok(to_values(&[HoSoTraCuu {
                HoSo: stored.ho_so.clone(),
                QuaTrinhXuLy: stored.progress.clone(),
            }])),
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
        Reply::ok(to_values(&list))
    }
}

fn flex_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true") || s == "1"),
        Value::Number(n) => Some(n.as_i64() == Some(1)),
        _ => None,
    }
}

/// Catalogue reads answer `00`, writes `0`: both are success.
fn ok_long(result: Vec<Value>) -> Reply {
    let mut reply = Reply::ok(result);
    reply.error_code = Value::from(codes::OK_LONG);
    reply
}

/// The `data` list of a write, every item read as `T`: an empty list or an
/// unreadable item is the portal's "invalid".
pub(super) fn items<T: serde::de::DeserializeOwned>(data: &[Value]) -> Result<Vec<T>, Reply> {
    if data.is_empty() {
        return Err(Reply::error(codes::INVALID, "Thiếu data"));
    }
    data.iter()
        .map(|item| {
            from_item(item)
                .map_err(|e| Reply::error(codes::INVALID, format!("Dữ liệu không hợp lệ: {e}")))
        })
        .collect()
}

fn to_values<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect()
}

/// The list form of a procedure (no detail fields).
fn summary_of(t: &ThuTuc) -> ThuTuc {
    ThuTuc {
        MaTTHC: t.MaTTHC.clone(),
        TenTTHC: t.TenTTHC.clone(),
        MaLinhVuc: t.MaLinhVuc.clone(),
        MaCoQuanThucHien: t.MaCoQuanThucHien.clone(),
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
    use crate::protocol::{CoQuan, LinhVuc, ThuTuc};
    use serde_json::json;

    pub fn procedures() -> Vec<ThuTuc> {
        let p = |code: &str, name: &str, sector: &str, agency: &str, level: i64| ThuTuc {
            MaTTHC: code.into(),
            TenTTHC: name.into(),
            MaLinhVuc: sector.into(),
            MaCoQuanThucHien: agency.into(),
            CapThucHien: "Cấp Tỉnh".into(),
            MucDo: level,
            KenhThucHien: vec![json!({"Kenh": 1}), json!({"Kenh": 2}), json!({"Kenh": 3})],
            ThoiHanGiaiQuyet: vec![
                json!({"Kenh": 1, "SoNgay": 10}),
                json!({"Kenh": 2, "SoNgay": 10}),
                json!({"Kenh": 3, "SoNgay": 12}),
            ],
            PhiLePhi: vec![json!({"MaPhiLePhi": "LP01", "MucPhi": 200000})],
            ThanhPhanHoSo: vec![json!({"Ma": "TP01", "Ten": "Tờ khai"})],
            KetQua: vec![json!({"Ma": "KQ01", "Ten": "Giấy phép"})],
            CanCuPhapLy: vec![json!({"SoKyHieu": "61/2018/NĐ-CP"})],
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
}
