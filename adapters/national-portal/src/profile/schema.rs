//! The records the adapter exchanges with the portal, field by field, in
//! their canonical names.
//!
//! A canonical name is the name of the field in this crate's structs
//! (`protocol.rs`); a profile says what each is called on the wire. The
//! schema says what each field holds (text, a whole number, a list of
//! nested records, or a value kept as it came) and which fields an answer
//! must carry: a record missing one of those is refused with the field
//! named, never read as an empty record.

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole number, sent as text or as a JSON number (`[encodings]
    /// numbers`), read as either.
    Int,
    /// A list of nested records.
    Records(Record),
    /// Kept as the portal sent it (lists the hub shows but does not read).
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// An answer without it is refused, naming it.
    pub required: bool,
}

const fn text(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Text,
        required: false,
    }
}
const fn needed(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Text,
        required: true,
    }
}
const fn int(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Int,
        required: false,
    }
}
const fn needed_int(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Int,
        required: true,
    }
}
const fn list(name: &'static str, of: Record) -> Field {
    Field {
        name,
        kind: Kind::Records(of),
        required: false,
    }
}
const fn raw(name: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Raw,
        required: false,
    }
}

/// Every record a profile can rename fields of (`[records.<key>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Record {
    Dossier,
    Document,
    DossierFee,
    Supplement,
    ResultDocument,
    OtherFile,
    Progress,
    /// `TraCuuHoSo`'s answer: a dossier with its progress (its dossier
    /// fields are named as `dossier`'s).
    Lookup,
    Procedure,
    ProcedureSector,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureTime,
    ProcedureFee,
    Agency,
    Sector,
    Province,
    Commune,
    District,
    Fee,
    OnlineService,
    ResultType,
    TreasuryAccount,
    RevenueItem,
    Bank,
    Rating,
    QuestionAnswer,
}

pub const RECORDS: &[Record] = &[
    Record::Dossier,
    Record::Document,
    Record::DossierFee,
    Record::Supplement,
    Record::ResultDocument,
    Record::OtherFile,
    Record::Progress,
    Record::Lookup,
    Record::Procedure,
    Record::ProcedureSector,
    Record::ProcedureAgency,
    Record::ProcedureChannel,
    Record::ProcedureTime,
    Record::ProcedureFee,
    Record::Agency,
    Record::Sector,
    Record::Province,
    Record::Commune,
    Record::District,
    Record::Fee,
    Record::OnlineService,
    Record::ResultType,
    Record::TreasuryAccount,
    Record::RevenueItem,
    Record::Bank,
    Record::Rating,
    Record::QuestionAnswer,
];

const DOSSIER: &[Field] = &[
    needed("MaHoSo"),
    needed("MaTTHC"),
    text("TenTTHC"),
    text("MaLinhVuc"),
    text("TenLinhVuc"),
    text("SoBienNhan"),
    int("KenhThucHien"),
    needed("ChuHoSo"),
    needed_int("LoaiDoiTuong"),
    text("SoGiayToChuHoSo"),
    text("Email"),
    text("SoDienThoai"),
    text("TrichYeuHoSo"),
    text("NgayNopHoSo"),
    text("NgayTiepNhan"),
    text("NgayHenTra"),
    text("NgayTra"),
    text("NgayKetThucXuLy"),
    needed_int("TrangThaiHoSo"),
    int("HinhThuc"),
    text("DonViXuLy"),
    text("GhiChu"),
    list("TaiLieuNop", Record::Document),
    list("DanhSachLePhi", Record::DossierFee),
    list("DanhSachTepDinhKemKhac", Record::OtherFile),
    list("DanhSachHoSoBoSung", Record::Supplement),
    list("DanhSachGiayToKetQua", Record::ResultDocument),
];

const DOCUMENT: &[Field] = &[
    text("TepDinhKemId"),
    text("MaThanhPhanHoSo"),
    text("TenTepDinhKem"),
    text("DuongDanTaiTepTin"),
    int("IsDeleted"),
];

const DOSSIER_FEE: &[Field] = &[
    text("MaPhiLePhi"),
    text("TenPhiLePhi"),
    needed_int("Gia"),
    int("HinhThucThu"),
    int("LoaiPhiLePhi"),
];

const SUPPLEMENT: &[Field] = &[
    text("HoSoBoSungId"),
    text("NguoiYeuCauBoSung"),
    text("NoiDungBoSung"),
    text("NgayYeuCauBoSung"),
    text("NgayBoSung"),
    text("NguoiTiepNhanBoSung"),
    text("ThongTinTiepNhan"),
    text("NgayTiepNhanBoSung"),
    int("TrangThaiBoSung"),
    raw("DanhSachGiayToBoSung"),
    list("DanhSachLePhiBoSung", Record::DossierFee),
    text("NgayHenTraTruoc"),
    text("NgayHenTraMoi"),
    list("TaiLieuBoSung", Record::Document),
];

const RESULT_DOCUMENT: &[Field] = &[
    text("GiayToId"),
    text("MaThanhPhanHoSo"),
    text("TenGiayTo"),
    text("DuongDanTepTinKetQua"),
];

const OTHER_FILE: &[Field] = &[text("TenGiayTo"), int("SoLuong"), text("LoaiGiayTo")];

const PROGRESS: &[Field] = &[
    needed("MaHoSo"),
    int("SoThuTu"),
    text("NguoiXuLy"),
    text("ChucDanh"),
    needed("ThoiDiemXuLy"),
    text("PhongBanXuLy"),
    text("NoiDungXuLy"),
    needed_int("TrangThai"),
    text("NgayBatDau"),
    text("NgayKetThucTheoQuyDinh"),
];

/// What a lookup adds to the dossier's fields.
pub const LOOKUP_PROGRESS: &str = "QuaTrinhXuLy";

const PROCEDURE: &[Field] = &[
    needed("MaTTHC"),
    needed("TenTTHC"),
    list("LinhVucThucHien", Record::ProcedureSector),
    list("CoQuanThucHien", Record::ProcedureAgency),
    text("CapThucHien"),
    int("MucDo"),
    list("CachThucThucHien", Record::ProcedureChannel),
    raw("ThanhPhanHoSo"),
    raw("KetQuaThucHien"),
    raw("CanCuPhapLy"),
    raw("TrinhTuThucHien"),
];

const PROCEDURE_SECTOR: &[Field] = &[needed("MaLinhVuc"), text("TenLinhVuc")];
const PROCEDURE_AGENCY: &[Field] = &[needed("MaDonVi"), text("TenDonVi")];
const PROCEDURE_CHANNEL: &[Field] = &[needed_int("Kenh"), list("ThoiGian", Record::ProcedureTime)];
const PROCEDURE_TIME: &[Field] = &[
    text("ThoiGianGiaiQuyet"),
    text("DonViTinh"),
    text("MoTa"),
    list("PhiLePhi", Record::ProcedureFee),
];
const PROCEDURE_FEE: &[Field] = &[
    text("MaPhiLePhi"),
    text("SoTien"),
    text("DonVi"),
    text("MoTa"),
];

const AGENCY: &[Field] = &[
    needed("MaCoQuan"),
    needed("TenCoQuan"),
    text("MaCoQuanCha"),
    text("CapCoQuan"),
];
const SECTOR: &[Field] = &[needed("MaLinhVuc"), needed("TenLinhVuc"), text("MaNganh")];
const PROVINCE: &[Field] = &[needed("MaTinh"), needed("TenTinh"), text("CapTinh")];
const COMMUNE: &[Field] = &[
    needed("MaXa"),
    needed("TenXa"),
    needed("MaTinh"),
    text("MaHuyen"),
    text("CapXa"),
];
const DISTRICT: &[Field] = &[needed("MaHuyen"), needed("TenHuyen"), needed("MaTinh")];
const FEE: &[Field] = &[
    needed("MaPhiLePhi"),
    needed("TenPhiLePhi"),
    int("LoaiPhiLePhi"),
    text("MucThu"),
    text("CanCuPhapLy"),
];
const ONLINE_SERVICE: &[Field] = &[
    needed("MaDichVu"),
    needed("TenDichVu"),
    text("MaTTHC"),
    int("MucDo"),
];
const RESULT_TYPE: &[Field] = &[needed("MaKetQua"), needed("TenKetQua"), text("MaTTHC")];
const TREASURY_ACCOUNT: &[Field] = &[
    needed("SoTaiKhoan"),
    needed("TenTaiKhoan"),
    text("MaKhoBac"),
    text("MaCoQuan"),
];
const REVENUE_ITEM: &[Field] = &[
    needed("MaNoiDungKinhTe"),
    needed("TenNoiDungKinhTe"),
    text("MaMuc"),
];
const BANK: &[Field] = &[needed("MaNganHang"), needed("TenNganHang"), text("MaBIN")];

const RATING: &[Field] = &[
    needed("MaHoSo"),
    needed("MaTTHC"),
    needed("MaCoQuan"),
    needed_int("MucDoHaiLong"),
    text("NoiDungDanhGia"),
    needed("NgayDanhGia"),
];

const QUESTION_ANSWER: &[Field] = &[
    needed("HOIDAPID"),
    text("TIEUDE"),
    needed("NOIDUNG"),
    text("MaLinhVuc"),
    needed("MADONVI"),
    text("TENDONVI"),
    text("MaHoSo"),
    text("TRALOIID"),
    needed("NOIDUNGTRALOI"),
    text("NGUOITRALOI"),
    text("CHUCVUNGUOITRALOI"),
    needed("NGAYTRALOI"),
];

impl Record {
    /// Its table's name in a profile's `[records]`.
    pub fn key(self) -> &'static str {
        match self {
            Record::Dossier => "dossier",
            Record::Document => "document",
            Record::DossierFee => "dossier_fee",
            Record::Supplement => "supplement",
            Record::ResultDocument => "result_document",
            Record::OtherFile => "other_file",
            Record::Progress => "progress",
            Record::Lookup => "lookup",
            Record::Procedure => "procedure",
            Record::ProcedureSector => "procedure_sector",
            Record::ProcedureAgency => "procedure_agency",
            Record::ProcedureChannel => "procedure_channel",
            Record::ProcedureTime => "procedure_time",
            Record::ProcedureFee => "procedure_fee",
            Record::Agency => "agency",
            Record::Sector => "sector",
            Record::Province => "province",
            Record::Commune => "commune",
            Record::District => "district",
            Record::Fee => "fee",
            Record::OnlineService => "online_service",
            Record::ResultType => "result_type",
            Record::TreasuryAccount => "treasury_account",
            Record::RevenueItem => "revenue_item",
            Record::Bank => "bank",
            Record::Rating => "rating",
            Record::QuestionAnswer => "question_answer",
        }
    }

    pub fn parse(key: &str) -> Option<Record> {
        RECORDS.iter().copied().find(|r| r.key() == key)
    }

    /// Its fields, in their canonical names.
    pub fn fields(self) -> Vec<Field> {
        let fields: &[Field] = match self {
            Record::Dossier => DOSSIER,
            Record::Lookup => {
                let mut all = DOSSIER.to_vec();
                all.push(list(LOOKUP_PROGRESS, Record::Progress));
                return all;
            }
            Record::Document => DOCUMENT,
            Record::DossierFee => DOSSIER_FEE,
            Record::Supplement => SUPPLEMENT,
            Record::ResultDocument => RESULT_DOCUMENT,
            Record::OtherFile => OTHER_FILE,
            Record::Progress => PROGRESS,
            Record::Procedure => PROCEDURE,
            Record::ProcedureSector => PROCEDURE_SECTOR,
            Record::ProcedureAgency => PROCEDURE_AGENCY,
            Record::ProcedureChannel => PROCEDURE_CHANNEL,
            Record::ProcedureTime => PROCEDURE_TIME,
            Record::ProcedureFee => PROCEDURE_FEE,
            Record::Agency => AGENCY,
            Record::Sector => SECTOR,
            Record::Province => PROVINCE,
            Record::Commune => COMMUNE,
            Record::District => DISTRICT,
            Record::Fee => FEE,
            Record::OnlineService => ONLINE_SERVICE,
            Record::ResultType => RESULT_TYPE,
            Record::TreasuryAccount => TREASURY_ACCOUNT,
            Record::RevenueItem => REVENUE_ITEM,
            Record::Bank => BANK,
            Record::Rating => RATING,
            Record::QuestionAnswer => QUESTION_ANSWER,
        };
        fields.to_vec()
    }

    /// The record whose names a field falls back to: a lookup's dossier
    /// fields are named as the dossier's.
    pub fn names_from(self) -> Option<Record> {
        match self {
            Record::Lookup => Some(Record::Dossier),
            _ => None,
        }
    }
}
