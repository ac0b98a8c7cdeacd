//! What an online filing must hold before it becomes a submission, and
//! what a supplement answer must hold before it becomes `SubmitSupplement`.
//!
//! A signed-in applicant files a procedure of online level 3 or 4: who they
//! are (filled from the account and their last dossier, Circular 32's
//! auto-fill), a summary, how the result comes back (at the counter, by
//! post to an address they give, or electronically) and one file per
//! component the procedures catalogue lists (`components`; a component is
//! required unless the catalogue says `"BatBuoc": false`). Every rule is
//! checked, each failure named in Vietnamese against its field, and only
//! a form with none becomes a [`Filing`]: a submission plus the files to
//! store first. Files are judged by their bytes (`domain::attachment`) and
//! held to `[web] max_attachment_bytes` each and
//! `max_dossier_attachments_bytes` together.

use super::address_choices::AddressChoices;
use crate::domain::attachment::{self, AttachmentLimits, AttachmentMeta};
use crate::domain::postal_address::PostalAddress;
use crate::domain::{ApplicantType, Channel, Document, NewDossier, ResultDelivery, UnixMillis};
use serde_json::Value;
use std::collections::BTreeMap;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_SUMMARY_CHARS: usize = 500;
pub const MIN_ADDRESS_CHARS: usize = 10;
pub const MAX_ADDRESS_CHARS: usize = 300;
/// The street line of a structured address: a house number and a street
/// name at the least ("Số 5 ngõ 3").
pub const MIN_STREET_CHARS: usize = 5;
/// Short enough that the line with the unit names stays within the
/// dossier's address limit (1000 bytes) whatever the letters.
pub const MAX_STREET_CHARS: usize = 200;
/// A file's name as shown (the rest is cut).
const MAX_FILE_NAME_CHARS: usize = 80;

/// One component of a procedure's dossier, as the filing form asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// The catalogue's code (`Ma`, `MaThanhPhan`, `MaGiayTo`), else `TPn`.
    pub code: String,
    pub name: String,
    pub required: bool,
    /// The form field's name: `tp-<n>`, n from 1.
    pub field: String,
}

impl Component {
    /// The `index`th item of the catalogue's `components` list.
    pub fn from_catalogue(index: usize, item: &serde_json::Map<String, Value>) -> Component {
        let text = |keys: &[&str]| {
            keys.iter()
                .filter_map(|k| item.get(*k))
                .find_map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
        };
        let number = index + 1;
        let required = match item.get("BatBuoc") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64() != Some(0),
            Some(Value::String(s)) => !matches!(s.trim(), "0" | "false" | "Không"),
            _ => true,
        };
        Component {
            // Mixed case as lienthong's first reading wrote them, upper
            // case as the portal's LayThuTuc sends THANHPHANHOSO items.
            code: text(&["Ma", "MaThanhPhan", "MaGiayTo", "MAGIAYTO"])
                .unwrap_or_else(|| format!("TP{number}")),
            name: text(&["Ten", "TenThanhPhan", "TenGiayTo", "TENGIAYTO"])
                .unwrap_or_else(|| format!("Thành phần {number}")),
            required,
            field: format!("tp-{number}"),
        }
    }
}

/// The fees of a catalogue's `fees` list that name a code and an amount.
pub fn fees_of(items: &[serde_json::Map<String, Value>]) -> Vec<crate::domain::Fee> {
    items
        .iter()
        .filter_map(|item| {
            let text = |keys: &[&str]| {
                keys.iter().find_map(|k| match item.get(*k) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    _ => None,
                })
            };
            let amount = ["MucPhi", "SoTien"]
                .iter()
                .find_map(|k| match item.get(*k) {
                    Some(Value::Number(n)) => n.as_i64(),
                    Some(Value::String(s)) => s.trim().replace('.', "").parse().ok(),
                    _ => None,
                })?;
            Some(crate::domain::Fee {
                code: text(&["MaPhiLePhi", "Ma"])?,
                name: text(&["TenPhiLePhi", "LoaiPhiLePhi", "Ten"]).unwrap_or_default(),
                amount_vnd: amount.max(0),
            })
        })
        .collect()
}

/// How the applicant wants the result, as the form's radio says it.
pub fn delivery_of(value: &str) -> Option<ResultDelivery> {
    match value {
        "quay" => Some(ResultDelivery::AtCounter),
        "buu-dien" => Some(ResultDelivery::ByPost),
        "dien-tu" => Some(ResultDelivery::Electronic),
        _ => None,
    }
}

pub fn delivery_value(delivery: ResultDelivery) -> &'static str {
    match delivery {
        ResultDelivery::AtCounter => "quay",
        ResultDelivery::ByPost => "buu-dien",
        ResultDelivery::Electronic => "dien-tu",
    }
}

pub fn delivery_name(delivery: ResultDelivery) -> &'static str {
    match delivery {
        ResultDelivery::AtCounter => "Nhận trực tiếp tại Bộ phận Một cửa",
        ResultDelivery::ByPost => "Nhận qua dịch vụ bưu chính công ích",
        ResultDelivery::Electronic => "Nhận bản điện tử trên Cổng dịch vụ công",
    }
}

/// One file as the form posted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The form field (`tp-<n>`).
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The filing form as posted (text fields trimmed by the caller or not).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilingForm {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub summary: String,
    pub delivery: String,
    /// With address choices: the street line (house, street, hamlet);
    /// without: the whole address as one line.
    pub address: String,
    /// The chosen province and commune (`tinh`, `xa`), with address choices.
    pub province_code: String,
    pub commune_code: String,
    pub uploads: Vec<Upload>,
}

/// Errors by form field (`ho-ten`, `so-giay-to`, `tp-1`, `tep`…), in
/// Vietnamese.
pub type FieldErrors = BTreeMap<String, String>;

/// A file that passed every rule, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedFile {
    pub digest: String,
    pub meta: AttachmentMeta,
    pub bytes: Vec<u8>,
    pub document: Document,
}

/// A filing with no error: the files to store first, then the submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub files: Vec<CheckedFile>,
    pub submission: NewDossier,
}

/// What the procedure and the portal add to the form.
pub struct Procedure<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub agency_code: &'a str,
    pub sector_code: &'a str,
    pub components: &'a [Component],
    /// The fees the catalogue lists (DanhSachLePhi), carried on the dossier.
    pub fees: &'a [crate::domain::Fee],
}

/// Whether a procedure takes online filings (MucDo 3 or 4).
pub fn files_online(online_level: Option<u8>) -> bool {
    matches!(online_level, Some(3) | Some(4))
}

/// The ID number as kept: digits only; CCCD has 12, the old CMND 9.
pub fn id_number(typed: &str) -> Result<String, &'static str> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    if digits.is_empty() {
        return Err("Nhập số căn cước công dân (12 chữ số) hoặc chứng minh nhân dân (9 chữ số).");
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 9 | 12) {
        return Err("Số giấy tờ gồm 12 chữ số (căn cước công dân) hoặc 9 chữ số (chứng minh nhân dân), không có chữ.");
    }
    Ok(digits)
}

/// The phone as kept: `0` and nine digits (`+84` written as `0`).
pub fn phone(typed: &str) -> Result<String, &'static str> {
    let compact: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if compact.is_empty() {
        return Err("Nhập số điện thoại di động để nhận thông báo về hồ sơ.");
    }
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    if national.len() != 10
        || !national.starts_with('0')
        || !national.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).");
    }
    Ok(national)
}

/// A file's name as the page shows it: its last path part, cut short.
pub fn shown_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let mut shown: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    if last.chars().count() > MAX_FILE_NAME_CHARS {
        shown.push('…');
    }
    if shown.is_empty() {
        "(không tên)".into()
    } else {
        shown
    }
}

/// Checks the posted files against the components: kind by the bytes,
/// size per file and together; required components present. Errors go
/// under each component's field, the total under `tep`.
pub fn check_files(
    components: &[Component],
    uploads: &[Upload],
    limits: AttachmentLimits,
    public_base: &str,
    now: UnixMillis,
    errors: &mut FieldErrors,
) -> Vec<CheckedFile> {
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for component in components {
        let upload = uploads.iter().find(|u| {
            u.field == component.field && !(u.bytes.is_empty() && u.file_name.is_empty())
        });
        let Some(upload) = upload else {
            if component.required {
                errors.insert(
                    component.field.clone(),
                    "Thành phần bắt buộc: chọn tệp PDF, JPEG hoặc PNG.".into(),
                );
            }
            continue;
        };
        let shown = shown_file_name(&upload.file_name);
        let size = upload.bytes.len() as u64;
        total = total.saturating_add(size);
        if size > limits.max_file_bytes {
            errors.insert(
                component.field.clone(),
                format!(
                    "Tệp «{shown}» nặng {}, quá giới hạn {} cho mỗi tệp.",
                    attachment::size_text(size),
                    attachment::size_text(limits.max_file_bytes)
                ),
            );
            continue;
        }
        let media_type = match attachment::sniff(&upload.bytes) {
            Ok(t) => t,
            Err(refused) => {
                errors.insert(
                    component.field.clone(),
                    format!("Tệp «{shown}» {}", refused.vietnamese()),
                );
                continue;
            }
        };
        let digest = attachment::digest(&upload.bytes);
        files.push(CheckedFile {
            document: Document {
                component_code: component.code.clone(),
                name: format!("{} ({shown})", component.name),
                url: attachment::url(public_base, &digest),
            },
            digest,
            meta: AttachmentMeta {
                media_type,
                bytes: size,
                stored_at: now,
            },
            bytes: upload.bytes.clone(),
        });
    }
    if total > limits.max_dossier_bytes {
        errors.insert(
            "tep".into(),
            format!(
                "Các tệp nặng {} cộng lại, quá giới hạn {} cho một lần nộp.",
                attachment::size_text(total),
                attachment::size_text(limits.max_dossier_bytes)
            ),
        );
    }
    files
}

/// Checks the whole filing form; a filing only when no field has an error.
pub fn check(
    procedure: &Procedure,
    form: &FilingForm,
    choices: Option<&AddressChoices>,
    limits: AttachmentLimits,
    public_base: &str,
    now: UnixMillis,
) -> Result<Filing, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, message: &str| {
        errors.insert(field.to_string(), message.to_string());
    };
    let name = form.name.trim();
    if name.is_empty() {
        fail("ho-ten", "Nhập họ và tên người nộp.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        fail("ho-ten", "Họ và tên dài quá 100 ký tự.");
    }
    let id_number = id_number(&form.id_number).unwrap_or_else(|e| {
        fail("so-giay-to", e);
        String::new()
    });
    let phone = phone(&form.phone).unwrap_or_else(|e| {
        fail("dien-thoai", e);
        String::new()
    });
    let email = match crate::domain::applicant::normalise_email(&form.email) {
        Ok(email) => email,
        Err(problem) => {
            fail("email", problem.vietnamese());
            String::new()
        }
    };
    let summary = form.summary.trim();
    if summary.is_empty() {
        fail("trich-yeu", "Nêu ngắn gọn nội dung đề nghị (trích yếu).");
    } else if summary.chars().count() > MAX_SUMMARY_CHARS {
        fail("trich-yeu", "Trích yếu dài quá 500 ký tự.");
    }
    let delivery = delivery_of(&form.delivery);
    if delivery.is_none() {
        fail("nhan-ket-qua", "Chọn một cách nhận kết quả.");
    }
    let address = form.address.trim();
    let by_post = delivery == Some(ResultDelivery::ByPost);
    let mut structured = None;
    match choices {
        Some(choices) if by_post => {
            structured = postal_address(choices, form, address, &phone, &mut fail);
        }
        None if by_post => {
            let chars = address.chars().count();
            if chars < MIN_ADDRESS_CHARS {
                fail(
                    "dia-chi",
                    "Nhận qua bưu chính cần địa chỉ đầy đủ: số nhà, đường, xã/phường/đặc khu, tỉnh/thành phố.",
                );
            } else if chars > MAX_ADDRESS_CHARS {
                fail("dia-chi", "Địa chỉ dài quá 300 ký tự.");
            }
        }
        _ => {}
    }
    for (field, text) in [
        ("ho-ten", name),
        ("trich-yeu", summary),
        ("dia-chi", address),
    ] {
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            errors.insert(field.into(), "Có ký tự điều khiển không được phép.".into());
        }
    }
    let files = check_files(
        procedure.components,
        &form.uploads,
        limits,
        public_base,
        now,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let documents = files.iter().map(|f| f.document.clone()).collect();
    Ok(Filing {
        files,
        submission: NewDossier {
            agency_code: procedure.agency_code.to_string(),
            procedure_code: procedure.code.to_string(),
            procedure_name: procedure.name.to_string(),
            sector_code: procedure.sector_code.to_string(),
            channel: Some(Channel::Online),
            owner_name: name.to_string(),
            applicant_type: Some(ApplicantType::Citizen),
            owner_id_number: id_number,
            email,
            phone,
            summary: summary.to_string(),
            result_delivery: delivery,
            documents,
            fees: procedure.fees.to_vec(),
            ma_ho_so: String::new(),
            // Only a result by post goes to an address: the one line
            // written, or the chosen units' names after the street.
            result_address: match &structured {
                Some((_, line)) => line.clone(),
                None if by_post => address.to_string(),
                None => String::new(),
            },
            applicant_address: structured.map(|(address, _)| address),
        },
    })
}

/// The structured address of a result by post, from the chosen province
/// and commune and the street line, with the line the slip prints; `None`
/// after reporting what is missing or does not fit.
fn postal_address(
    choices: &AddressChoices,
    form: &FilingForm,
    street: &str,
    phone: &str,
    fail: &mut impl FnMut(&str, &str),
) -> Option<(PostalAddress, String)> {
    let province = choices.province(form.province_code.trim());
    if province.is_none() {
        fail("tinh", "Chọn tỉnh/thành phố nhận kết quả.");
    }
    let commune = province.and_then(|p| p.commune(form.commune_code.trim()));
    if province.is_some() && commune.is_none() {
        let message = if form.commune_code.trim().is_empty() {
            "Chọn xã/phường/đặc khu nhận kết quả."
        } else {
            "Xã/phường/đặc khu đã chọn không thuộc tỉnh/thành phố đã chọn: chọn lại."
        };
        fail("xa", message);
    }
    let chars = street.chars().count();
    if chars < MIN_STREET_CHARS {
        fail("dia-chi", "Nhập số nhà, đường hoặc thôn/tổ dân phố.");
    } else if chars > MAX_STREET_CHARS {
        fail("dia-chi", "Số nhà, đường dài quá 200 ký tự.");
    }
    let (province, commune) = (province?, commune?);
    if !(MIN_STREET_CHARS..=MAX_STREET_CHARS).contains(&chars) || phone.is_empty() {
        return None;
    }
    let line = format!("{street}, {}, {}", commune.name, province.name);
    let address = PostalAddress {
        province_code: province.code.clone(),
        commune_code: commune.code.clone(),
        street: street.to_string(),
        phone: phone.to_string(),
        district_code: String::new(),
    };
    Some((address, line))
}

#[cfg(test)]
#[path = "filing_tests.rs"]
mod tests;
