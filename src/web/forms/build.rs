//! A posted form becomes one hub command, or every error it has, in
//! Vietnamese, each naming its field, the rule, and where it matters the
//! dossier's current state. Nothing here writes: the handler sends the
//! command only when this returns it.
//!
//! The appointment date of a reception and the new due date of a
//! resubmission are computed by the caller (working time, from the
//! procedures catalogue) and handed in through [`Context`]: no form has a
//! field for them, so an officer can never type them.

use super::{DossierAction, FieldError, Fields};
use crate::domain::time::parse_date;
use crate::domain::validate::{MAX_NAME_LEN, MAX_TEXT_LEN};
use crate::domain::{Command, Document, Dossier, Fee, ResultDelivery, ResultDocument, UnixMillis};

/// What the form cannot say but the command needs.
pub struct Context<'a> {
    pub dossier: &'a Dossier,
    /// The officer's unit (the department that takes the dossier up).
    pub officer_unit: &'a str,
    pub now: UnixMillis,
    /// The appointment date for a reception now, or why there is none.
    pub appointment: Result<UnixMillis, String>,
    /// The due date once the clock restarts now (resubmission), when the
    /// dossier has one.
    pub restarted_due: Option<UnixMillis>,
    /// Seconds after local midnight when a working day ends: a new date
    /// typed on the apology letter means the end of that day.
    pub day_end_seconds: i64,
    /// The next agency of the procedure's inter-agency sequence (its code),
    /// or why there is none.
    pub next_agency: Result<String, String>,
    /// The oldest version the officer may have seen and still act on: the
    /// versions after it only added partners' event lines (the post's
    /// tracking, `record_partner_event`), which change nothing a form
    /// decides on. The dossier's own version when its last line is not one.
    pub current_since: u64,
}

/// A command ready for the hub, with what every form carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub command: Command,
    pub expected_version: u64,
    pub idempotency_key: String,
}

/// The field names every form carries besides its own.
pub const VERSION: &str = "version";
pub const KEY: &str = "key";

pub fn build(
    action: DossierAction,
    fields: &Fields,
    context: &Context,
) -> Result<Built, Vec<FieldError>> {
    let mut errors = Vec::new();
    let expected_version = version(fields, context.dossier, context.current_since, &mut errors);
    let idempotency_key = key(fields, &mut errors);
    let command = command(action, fields, context, &mut errors);
    match (errors.is_empty(), command, expected_version) {
        (true, Some(command), Some(expected_version)) => Ok(Built {
            command,
            expected_version,
            idempotency_key,
        }),
        _ => Err(errors),
    }
}

fn version(
    fields: &Fields,
    dossier: &Dossier,
    current_since: u64,
    errors: &mut Vec<FieldError>,
) -> Option<u64> {
    let sent = fields.one(VERSION);
    let Ok(seen) = sent.parse::<u64>() else {
        errors.push(FieldError::new(
            VERSION,
            "Biểu mẫu thiếu phiên bản hồ sơ: vui lòng mở lại trang hồ sơ và thực hiện lại.",
        ));
        return None;
    };
    // A page opened before the post reported a tracking event is still
    // current: the form acts on the dossier as it is now.
    if (current_since..=dossier.version).contains(&seen) {
        return Some(dossier.version);
    }
    if seen != dossier.version {
        errors.push(FieldError::new(
            VERSION,
            format!(
                "Hồ sơ đã thay đổi sau khi bạn mở trang (bạn xem phiên bản {seen}, hiện là phiên bản {}, trạng thái “{}”). Vui lòng xem lại hồ sơ rồi thực hiện lại.",
                dossier.version,
                dossier.status.vietnamese()
            ),
        ));
        return None;
    }
    Some(seen)
}

fn key(fields: &Fields, errors: &mut Vec<FieldError>) -> String {
    let key = fields.one(KEY);
    let well_formed = (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        errors.push(FieldError::new(
            KEY,
            "Biểu mẫu thiếu mã gửi: vui lòng mở lại trang hồ sơ và thực hiện lại.",
        ));
    }
    format!("mot-cua-{key}")
}

/// The names ticked in the `ticked` boxes and written one a line in the
/// `written` field: at least one (else `none` is the error, next to the
/// boxes), each line at most `MAX_NAME_LEN` bytes (else the error, next to
/// the written field, quotes the line as `what “…”`).
fn ticked_or_written(
    f: &Fields,
    (ticked, written): (&'static str, &'static str),
    none: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut names = f.all(ticked);
    names.extend(f.lines(written));
    if names.is_empty() {
        errors.push(FieldError::new(ticked, none.to_string()));
    }
    for name in names.iter().filter(|name| name.len() > MAX_NAME_LEN) {
        errors.push(FieldError::new(
            written,
            format!(
                "{what} “{}…”: mỗi dòng tối đa {MAX_NAME_LEN} byte.",
                short(name)
            ),
        ));
    }
    names
}

fn command(
    action: DossierAction,
    f: &Fields,
    c: &Context,
    errors: &mut Vec<FieldError>,
) -> Option<Command> {
    let before = errors.len();
    let command = match action {
        DossierAction::Receive => match &c.appointment {
            Ok(due) => Command::Receive { due_at: Some(*due) },
            Err(why) => {
                errors.push(FieldError::new(
                    "appointment",
                    format!("Chưa tính được ngày hẹn trả: {why}"),
                ));
                return None;
            }
        },
        DossierAction::Refuse => Command::Refuse {
            reason: required(f, "reason", "Lý do từ chối", MAX_TEXT_LEN, errors),
        },
        DossierAction::RequestSupplement => {
            let items = ticked_or_written(
                f,
                ("items", "other_items"),
                "Thành phần cần bổ sung: chọn hoặc ghi ít nhất một thành phần (một phiếu yêu cầu liệt kê đầy đủ mọi thành phần còn thiếu).",
                "Thành phần",
                errors,
            );
            Command::RequestSupplement {
                reason: required(
                    f,
                    "reason",
                    "Lý do, hướng dẫn bổ sung",
                    MAX_TEXT_LEN,
                    errors,
                ),
                items,
            }
        }
        DossierAction::RecordSupplement => {
            let names = ticked_or_written(
                f,
                ("documents", "other_documents"),
                "Giấy tờ đã nhận: chọn hoặc ghi ít nhất một giấy tờ người nộp đã bổ sung.",
                "Giấy tờ",
                errors,
            );
            Command::SubmitSupplement {
                documents: names
                    .into_iter()
                    .map(|name| Document {
                        component_code: String::new(),
                        name,
                        url: String::new(),
                    })
                    .collect(),
                new_due_at: c.restarted_due,
            }
        }
        DossierAction::StartProcessing => Command::StartProcessing {
            processing_unit: c.officer_unit.to_string(),
        },
        DossierAction::RequestFee => {
            let code = required(f, "fee_code", "Mã khoản thu", MAX_NAME_LEN, errors);
            let name = required(f, "fee_name", "Tên khoản phí, lệ phí", MAX_NAME_LEN, errors);
            let amount = money(f, "fee_amount", "Số tiền", errors);
            Command::RequestFinancialObligation {
                fees: vec![Fee {
                    code,
                    name,
                    amount_vnd: amount,
                }],
                note: optional(f, "note", "Ghi chú", MAX_TEXT_LEN, errors),
            }
        }
        DossierAction::RecordPayment => Command::RecordPayment {
            transaction_id: required(f, "receipt", "Số biên lai", MAX_NAME_LEN, errors),
            reference: "Nộp tại quầy".into(),
            amount_vnd: money(f, "amount", "Số tiền đã thu", errors),
            paid_at: Some(c.now),
        },
        DossierAction::Finish => {
            let name = required(
                f,
                "result_name",
                "Tên giấy tờ kết quả",
                MAX_NAME_LEN,
                errors,
            );
            let code = optional(f, "result_code", "Số, ký hiệu", MAX_NAME_LEN, errors);
            let url = f.one("result_url").to_string();
            if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
                errors.push(FieldError::new(
                    "result_url",
                    "Đường dẫn bản điện tử: phải bắt đầu bằng https:// hoặc http://, hoặc để trống.",
                ));
            }
            Command::Finish {
                results: vec![ResultDocument { code, name, url }],
            }
        }
        DossierAction::Stop => Command::Stop {
            reason: required(f, "reason", "Lý do dừng xử lý", MAX_TEXT_LEN, errors),
        },
        DossierAction::Resume => Command::Resume {
            note: optional(f, "note", "Ghi chú", MAX_TEXT_LEN, errors),
        },
        DossierAction::Withdraw => Command::Withdraw {
            reason: required(f, "reason", "Lý do rút hồ sơ", MAX_TEXT_LEN, errors),
        },
        DossierAction::ReturnResult => {
            let delivery = match f.one("delivery") {
                "at_counter" => Some(ResultDelivery::AtCounter),
                "by_post" => Some(ResultDelivery::ByPost),
                "electronic" => Some(ResultDelivery::Electronic),
                _ => {
                    errors.push(FieldError::new(
                        "delivery",
                        "Hình thức trả kết quả: chọn một (tại quầy, qua bưu chính hoặc bản điện tử).",
                    ));
                    None
                }
            };
            Command::ReturnResult { delivery }
        }
        DossierAction::Forward => match &c.next_agency {
            Ok(to) => Command::Forward {
                to_agency_code: to.clone(),
                note: optional(f, "note", "Ghi chú", MAX_TEXT_LEN, errors),
            },
            Err(why) => {
                errors.push(FieldError::new(
                    "status",
                    format!("Không chuyển liên thông được: {why}"),
                ));
                return None;
            }
        },
        DossierAction::Reschedule => {
            let apology = required(f, "apology", "Lý do chậm trả kết quả", MAX_TEXT_LEN, errors);
            let new_due_at = new_date(f, c, errors);
            Command::Reschedule {
                apology,
                new_due_at,
            }
        }
    };
    (errors.len() == before).then_some(command)
}

fn short(text: &str) -> String {
    text.chars().take(30).collect()
}

fn optional(
    f: &Fields,
    name: &'static str,
    label: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = f.one(name);
    if value.len() > max {
        errors.push(FieldError::new(
            name,
            format!("{label}: tối đa {max} byte (đang có {}).", value.len()),
        ));
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::new(
            name,
            format!("{label}: có ký tự điều khiển không hợp lệ."),
        ));
    }
    value.to_string()
}

fn required(
    f: &Fields,
    name: &'static str,
    label: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    if f.one(name).is_empty() {
        errors.push(FieldError::new(name, format!("{label}: bắt buộc nhập.")));
        return String::new();
    }
    optional(f, name, label, max, errors)
}

/// An amount in đồng: digits, with dots or spaces between thousands
/// ("1.500.000"), more than zero.
fn money(f: &Fields, name: &'static str, label: &str, errors: &mut Vec<FieldError>) -> i64 {
    let text = f.one(name);
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    let parsed = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<i64>().ok())
        .flatten();
    match parsed {
        Some(amount) if amount > 0 => amount,
        _ => {
            let rule = if text.is_empty() {
                "bắt buộc nhập".to_string()
            } else {
                format!(
                    "“{}” không phải số tiền hợp lệ; ghi số đồng lớn hơn 0, ví dụ 1.500.000",
                    short(text)
                )
            };
            errors.push(FieldError::new(name, format!("{label}: {rule}.")));
            0
        }
    }
}

/// The apology's new date: `yyyy-mm-dd` (a date field) or `dd/mm/yyyy`,
/// meaning the end of that working day; later than the current appointment
/// date and than now.
fn new_date(f: &Fields, c: &Context, errors: &mut Vec<FieldError>) -> Option<UnixMillis> {
    let text = f.one("new_date");
    let compact = match (
        text.split('-').collect::<Vec<_>>().as_slice(),
        text.split('/').collect::<Vec<_>>().as_slice(),
    ) {
        ([y, m, d], _) => format!("{y}{m}{d}"),
        (_, [d, m, y]) => format!("{y}{m}{d}"),
        _ => String::new(),
    };
    let Some(midnight) = parse_date(&compact) else {
        let rule = if text.is_empty() {
            "bắt buộc chọn".to_string()
        } else {
            format!("“{}” không phải ngày hợp lệ (dd/mm/yyyy)", short(text))
        };
        errors.push(FieldError::new(
            "new_date",
            format!("Ngày hẹn trả mới: {rule}."),
        ));
        return None;
    };
    let at = UnixMillis((midnight + c.day_end_seconds) * 1000);
    let current = c.dossier.due_at;
    let shown = super::super::format::date;
    if let Some(old) = current {
        if at <= old {
            errors.push(FieldError::new(
                "new_date",
                format!(
                    "Ngày hẹn trả mới: phải sau ngày hẹn hiện tại ({}).",
                    shown(old)
                ),
            ));
            return None;
        }
    }
    if at <= c.now {
        errors.push(FieldError::new(
            "new_date",
            format!("Ngày hẹn trả mới: phải sau hôm nay ({}).", shown(c.now)),
        ));
        return None;
    }
    Some(at)
}
