//! What the dossier page shows, built from the hub's records: the facts
//! (the applicant's personal data masked for a role that does not handle
//! dossiers), documents, fees and payments, supplements, results, new
//! dates, the notifications sent to the applicant, and the process-control
//! sheet (Mẫu 05) — one line per hand-over, from the history and the
//! workspace's hand-overs inside the agency.

use super::format::{self, date_time};
use crate::domain::officer::OfficerRole;
use crate::domain::workspace::HandOver;
use crate::domain::{
    ApplicantType, CommandName, Dossier, EventType, HistoryEntry, ResultDelivery, Status,
    UnixMillis,
};
use crate::hub::{DossierNotification, NotificationState, NotifyChannel};
use crate::partners::PartnerKind;

/// Whether the role sees the applicant's personal data in full: the
/// officers who handle dossiers do; the administrator, who only runs the
/// system, sees it masked (Decree 13/2023/NĐ-CP: no more than the task
/// needs).
pub fn sees_personal_data(role: OfficerRole) -> bool {
    !matches!(role, OfficerRole::Administrator)
}

/// All but the last `keep` characters replaced by `•`.
pub fn mask_tail(text: &str, keep: usize) -> String {
    let count = text.chars().count();
    if count == 0 {
        return "—".into();
    }
    text.chars()
        .enumerate()
        .map(|(i, c)| if i + keep < count { '•' } else { c })
        .collect()
}

/// `b•••@example.vn`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((user, host)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}•••@{host}")
        }
        None if email.is_empty() => "—".into(),
        None => mask_tail(email, 0),
    }
}

pub fn applicant_type(t: ApplicantType) -> &'static str {
    match t {
        ApplicantType::Citizen => "Công dân",
        ApplicantType::Enterprise => "Doanh nghiệp",
        ApplicantType::StateAgency => "Cơ quan nhà nước",
        ApplicantType::Other => "Tổ chức khác",
    }
}

pub fn delivery(d: ResultDelivery) -> &'static str {
    match d {
        ResultDelivery::AtCounter => "Tại Bộ phận Một cửa",
        ResultDelivery::ByPost => "Qua dịch vụ bưu chính công ích",
        ResultDelivery::Electronic => "Bản điện tử",
    }
}

/// What a history line's command did, as the control sheet says it.
pub fn command_text(command: &str) -> String {
    let said = match CommandName::parse(command) {
        Some(CommandName::Submit) => "Nộp hồ sơ",
        Some(CommandName::Receive) => "Tiếp nhận hồ sơ, hẹn trả kết quả",
        Some(CommandName::Refuse) => "Từ chối tiếp nhận",
        Some(CommandName::RequestSupplement) => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        Some(CommandName::SubmitSupplement) => "Nhận hồ sơ bổ sung",
        Some(CommandName::StartProcessing) => "Chuyển xử lý",
        Some(CommandName::RequestFinancialObligation) => "Yêu cầu thực hiện nghĩa vụ tài chính",
        Some(CommandName::RecordPayment) => "Ghi nhận nộp phí, lệ phí",
        Some(CommandName::Stop) => "Dừng xử lý",
        Some(CommandName::Resume) => "Tiếp tục xử lý",
        Some(CommandName::Withdraw) => "Rút hồ sơ theo đề nghị",
        Some(CommandName::Finish) => "Hoàn thành xử lý",
        Some(CommandName::ReturnResult) => "Trả kết quả",
        Some(CommandName::Reschedule) => "Xin lỗi, hẹn lại ngày trả kết quả",
        Some(CommandName::Forward) => "Chuyển liên thông",
        Some(CommandName::RecordPartnerEvent) => "Sự kiện của đối tác",
        _ => "",
    };
    if said.is_empty() {
        command.replace('_', " ")
    } else {
        said.to_string()
    }
}

pub fn event_text(event: EventType) -> &'static str {
    match event {
        EventType::DossierSubmitted => "Nộp hồ sơ",
        EventType::DossierReceived => "Tiếp nhận hồ sơ",
        EventType::DossierRefused => "Từ chối tiếp nhận",
        EventType::SupplementRequested => "Yêu cầu bổ sung hồ sơ",
        EventType::SupplementSubmitted => "Nhận hồ sơ bổ sung",
        EventType::ProcessingStarted => "Chuyển xử lý",
        EventType::FinancialObligationRequested => "Yêu cầu nộp phí, lệ phí",
        EventType::PaymentRecorded => "Đã nộp phí, lệ phí",
        EventType::ProcessingStopped => "Dừng xử lý",
        EventType::ProcessingResumed => "Tiếp tục xử lý",
        EventType::DossierWithdrawn => "Rút hồ sơ",
        EventType::ProcessingFinished => "Có kết quả",
        EventType::ResultReturned => "Trả kết quả",
        EventType::DossierRescheduled => "Xin lỗi, hẹn lại ngày trả",
        EventType::DossierForwarded => "Chuyển liên thông",
        EventType::DossierRated => "Người nộp đánh giá",
        EventType::PartnerEventRecorded => "Sự kiện của đối tác",
        #[allow(unreachable_patterns)]
        _ => "Thông báo",
    }
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct DocumentRow {
    pub name: String,
    pub code: String,
    pub url: String,
}

pub struct MoneyRow {
    pub what: String,
    pub code: String,
    pub amount: String,
    /// For payments: when and how it arrived.
    pub detail: String,
}

pub struct SupplementRow {
    pub requested: String,
    pub reason: String,
    pub items: Vec<String>,
    pub received: String,
    pub documents: Vec<DocumentRow>,
}

pub struct RescheduleRow {
    pub at: String,
    pub apology: String,
    pub old_due: String,
    pub new_due: String,
}

pub struct NotificationRow {
    pub at: String,
    pub event: &'static str,
    pub channel: &'static str,
    /// `sent`, `not-sent` or `parked`: the badge's class.
    pub tone: &'static str,
    pub state: String,
}

/// One line of the process-control sheet (Mẫu 05).
pub struct SheetRow {
    pub step: usize,
    pub at: String,
    pub who: String,
    pub unit: String,
    pub what: String,
    pub status: &'static str,
    pub note: String,
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

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".into()
    } else {
        text.to_string()
    }
}

fn optional_time(at: Option<UnixMillis>) -> String {
    at.map(date_time).unwrap_or_else(|| "—".into())
}

pub fn procedure(d: &Dossier) -> String {
    if d.procedure_name.is_empty() {
        d.procedure_code.clone()
    } else {
        format!("{} ({})", d.procedure_name, d.procedure_code)
    }
}

/// The applicant's name, ID number, phone and e-mail, masked unless the
/// role handles dossiers.
pub struct Applicant {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
}

pub fn applicant(d: &Dossier, role: OfficerRole) -> Applicant {
    if sees_personal_data(role) {
        Applicant {
            name: d.owner_name.clone(),
            id_number: or_dash(&d.owner_id_number),
            phone: or_dash(&d.phone),
            email: or_dash(&d.email),
        }
    } else {
        Applicant {
            name: format::mask_name(&d.owner_name),
            id_number: mask_tail(&d.owner_id_number, 3),
            phone: mask_tail(&d.phone, 3),
            email: mask_email(&d.email),
        }
    }
}

pub fn facts(d: &Dossier, role: OfficerRole, agency: &str) -> Vec<Fact> {
    let who = applicant(d, role);
    let fact = |label, value: String| Fact { label, value };
    let mut facts = vec![
        fact("Thủ tục", procedure(d)),
        fact("Cơ quan giải quyết", agency.to_string()),
        fact("Kênh nộp", format::channel(d.channel).to_string()),
        fact("Người nộp", who.name),
        fact("Đối tượng", applicant_type(d.applicant_type).to_string()),
        fact("Số giấy tờ tùy thân", who.id_number),
        fact("Điện thoại", who.phone),
        fact("Thư điện tử", who.email),
        fact("Trích yếu", or_dash(&d.summary)),
        fact("Ngày nộp", date_time(d.submitted_at)),
        fact("Ngày tiếp nhận", optional_time(d.received_at)),
        fact("Ngày hẹn trả", optional_time(d.due_at)),
        fact("Đơn vị xử lý", or_dash(&d.processing_unit)),
        fact(
            "Hình thức nhận kết quả",
            d.result_delivery
                .map(|r| delivery(r).to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        fact("Ngày có kết quả", optional_time(d.finished_at)),
        fact("Ngày trả kết quả", optional_time(d.returned_at)),
    ];
    // Where a result by post goes: the applicant's address, personal data.
    if !d.result_address.is_empty() {
        let address = if sees_personal_data(role) {
            d.result_address.clone()
        } else {
            "••• (đã che)".to_string()
        };
        facts.insert(14, fact("Địa chỉ nhận kết quả", address));
    }
    facts
}

/// A document's row; a file attached on the portal links to its path on
/// this origin (`/tep/<sha256>`), served to the officers of its agency.
fn document_row(doc: &crate::domain::Document) -> DocumentRow {
    use crate::domain::attachment::{digest_of_url, URL_PREFIX};
    DocumentRow {
        name: doc.name.clone(),
        code: doc.component_code.clone(),
        url: match digest_of_url(&doc.url) {
            Some(digest) => format!("{URL_PREFIX}{digest}"),
            None => doc.url.clone(),
        },
    }
}

pub fn documents(d: &Dossier) -> Vec<DocumentRow> {
    d.documents.iter().map(document_row).collect()
}

pub fn fees(d: &Dossier) -> Vec<MoneyRow> {
    d.fees
        .iter()
        .map(|f| MoneyRow {
            what: or_dash(&f.name),
            code: f.code.clone(),
            amount: money(f.amount_vnd),
            detail: String::new(),
        })
        .collect()
}

/// Payments, each with who recorded it: the payment gateway (a partner) or
/// an officer at the counter (the module).
pub fn payments(d: &Dossier, history: &[HistoryEntry], module_partner: &str) -> Vec<MoneyRow> {
    d.payments
        .iter()
        .map(|p| {
            let recorded = history.iter().find(|e| {
                e.command == CommandName::RecordPayment.as_str()
                    && e.note
                        .starts_with(&format!("payment {}:", p.transaction_id))
            });
            let source = match recorded {
                Some(e) if e.partner_id == module_partner => {
                    format!("Nộp tại quầy, {} ghi nhận", or_dash(&e.actor))
                }
                Some(e) => format!("Qua cổng thanh toán ({})", e.partner_id),
                None => "Qua cổng thanh toán".into(),
            };
            MoneyRow {
                what: format!("Giao dịch {}", p.transaction_id),
                code: p.reference.clone(),
                amount: money(p.amount_vnd),
                detail: format!("{source}, lúc {}", date_time(p.paid_at)),
            }
        })
        .collect()
}

pub fn supplements(d: &Dossier) -> Vec<SupplementRow> {
    d.supplements
        .iter()
        .map(|s| SupplementRow {
            requested: date_time(s.requested_at),
            reason: s.reason.clone(),
            items: s.items.clone(),
            received: optional_time(s.submitted_at),
            documents: s.documents.iter().map(document_row).collect(),
        })
        .collect()
}

pub fn results(d: &Dossier) -> Vec<DocumentRow> {
    d.results
        .iter()
        .map(|r| DocumentRow {
            name: r.name.clone(),
            code: r.code.clone(),
            url: r.url.clone(),
        })
        .collect()
}

pub fn reschedules(d: &Dossier) -> Vec<RescheduleRow> {
    d.reschedules
        .iter()
        .map(|r| RescheduleRow {
            at: date_time(r.at),
            apology: r.apology.clone(),
            old_due: optional_time(r.old_due_at),
            new_due: date_time(r.new_due_at),
        })
        .collect()
}

pub fn notifications(list: &[DossierNotification]) -> Vec<NotificationRow> {
    list.iter()
        .map(|n| {
            let (tone, state) = match &n.state {
                NotificationState::Sent { reference } => {
                    ("sent", format!("Đã gửi (mã {reference})"))
                }
                NotificationState::NotSent { reason } => {
                    ("not-sent", format!("Không gửi: {reason}"))
                }
                NotificationState::Parked { reason, attempts } => (
                    "parked",
                    format!("Tạm ngừng gửi sau {attempts} lần thử: {reason}"),
                ),
            };
            NotificationRow {
                at: date_time(n.at),
                event: event_text(n.event_type),
                channel: match n.channel {
                    NotifyChannel::Email => "Thư điện tử",
                    NotifyChannel::Sms => "Tin nhắn SMS",
                },
                tone,
                state,
            }
        })
        .collect()
}

/// The process-control sheet: every line of the history, in order, with
/// who acted, in which unit, and the status it left the dossier in. A line
/// written by a partner system rather than the workspace names the system.
/// The workspace's own hand-overs inside the agency (transfer to a
/// department, assignment to a specialist, return to the one-stop unit),
/// which are in no history line, are merged in by time, with the status the
/// dossier was in then.
pub fn sheet(
    history: &[HistoryEntry],
    module_partner: &str,
    kind_of: impl Fn(&str) -> Option<PartnerKind>,
    hand_overs: &[HandOver],
) -> Vec<SheetRow> {
    let mut lines: Vec<(UnixMillis, SheetRow)> = history
        .iter()
        .map(|e| {
            let system = || system_name(kind_of(&e.partner_id), &e.partner_id);
            let who = match (e.actor.trim().is_empty(), e.partner_id == module_partner) {
                (true, _) => system(),
                (false, true) => e.actor.clone(),
                (false, false) => format!("{} (qua {})", e.actor, system()),
            };
            let row = SheetRow {
                step: 0,
                at: date_time(e.at),
                who,
                unit: or_dash(&e.unit),
                // A partner's event says itself what happened.
                what: e
                    .partner_event
                    .as_ref()
                    .map_or_else(|| command_text(&e.command), |p| p.kind.label().to_string()),
                status: e.to_status.vietnamese(),
                note: sheet_note(e),
            };
            (e.at, row)
        })
        .collect();
    for h in hand_overs {
        let status = history
            .iter()
            .rev()
            .find(|e| e.at <= h.at)
            .or(history.first())
            .map_or("—", |e| e.to_status.vietnamese());
        let to = match &h.to_officer {
            Some(officer) => format!("{officer} ({})", h.to_unit),
            None => h.to_unit.clone(),
        };
        let row = SheetRow {
            step: 0,
            at: date_time(h.at),
            who: h.from_officer.clone(),
            unit: or_dash(&h.from_unit),
            what: format!("{}: {to}", h.kind.vietnamese()),
            status,
            note: h.note.clone(),
        };
        lines.push((h.at, row));
    }
    // Stable: at the same instant the history line comes first.
    lines.sort_by_key(|(at, _)| *at);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (_, row))| SheetRow { step: i + 1, ..row })
        .collect()
}

/// A history line's note as the sheet shows it: a payment in Vietnamese
/// (the hub writes `payment <id>: <amount> VND`), nothing that only repeats
/// the unit.
/// A partner system as the sheet names it: what it is, in Vietnamese, and
/// the partner's id in configuration (which tells two of a kind apart).
pub fn system_name(kind: Option<PartnerKind>, id: &str) -> String {
    let what = match kind {
        Some(PartnerKind::NationalPortal) => "Cổng Dịch vụ công quốc gia",
        Some(PartnerKind::OneStop) => "Hệ thống một cửa điện tử",
        Some(PartnerKind::Postal) => "Hệ thống bưu chính",
        Some(PartnerKind::Payment) => "Nền tảng thanh toán",
        Some(PartnerKind::Treasury) => "Hệ thống Kho bạc Nhà nước",
        Some(PartnerKind::Legacy) => "Hệ thống chuyên ngành",
        Some(PartnerKind::Module) | None => "Hệ thống",
    };
    format!("{what} “{id}”")
}

fn sheet_note(e: &HistoryEntry) -> String {
    // `<label>: <detail>`: the label is already the line's "what".
    if let Some(p) = &e.partner_event {
        let label = format!("{}: ", p.kind.label());
        return e.note.strip_prefix(&label).unwrap_or(&e.note).to_string();
    }
    if e.command == CommandName::RecordPayment.as_str() {
        let paid = e
            .note
            .strip_prefix("payment ")
            .and_then(|rest| rest.strip_suffix(" VND"))
            .and_then(|rest| rest.rsplit_once(": "))
            .and_then(|(id, amount)| Some((id, amount.parse::<i64>().ok()?)));
        if let Some((id, amount)) = paid {
            return format!("Giao dịch {id}: {}", money(amount));
        }
    }
    if e.note.trim() == e.unit.trim() {
        return String::new();
    }
    e.note.clone()
}

/// Which printable forms exist for this dossier, as (form number, title).
pub fn printable(d: &Dossier) -> Vec<(&'static str, &'static str)> {
    let mut forms = Vec::new();
    if d.received_at.is_some() {
        forms.push(("mau-01", "Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
    }
    if !d.supplements.is_empty() {
        forms.push(("mau-02", "Mẫu 02 · Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"));
    }
    if d.status == Status::Refused {
        forms.push((
            "mau-03",
            "Mẫu 03 · Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        ));
    }
    if !d.reschedules.is_empty() {
        forms.push((
            "mau-04",
            "Mẫu 04 · Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        ));
    }
    forms.push((
        "mau-05",
        "Mẫu 05 · Phiếu kiểm soát quá trình giải quyết hồ sơ",
    ));
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_dots_between_thousands() {
        assert_eq!(money(1_500_000), "1.500.000 đ");
        assert_eq!(money(500), "500 đ");
        assert_eq!(money(0), "0 đ");
    }

    #[test]
    fn personal_data_is_masked_for_the_administrator_only() {
        assert!(sees_personal_data(OfficerRole::Reception));
        assert!(sees_personal_data(OfficerRole::Specialist));
        assert!(sees_personal_data(OfficerRole::Leader));
        assert!(!sees_personal_data(OfficerRole::Administrator));
        assert_eq!(mask_tail("0987654321", 3), "•••••••321");
        assert_eq!(mask_email("binh.tran@example.vn"), "b•••@example.vn");
    }

    #[test]
    fn the_sheet_names_partner_systems_and_says_payments_in_vietnamese() {
        let entry = |partner: &str, command: &str, note: &str| HistoryEntry {
            version: 2,
            at: UnixMillis(1_772_386_200_000),
            partner_id: partner.into(),
            actor: "Nguyễn Văn Cường".into(),
            unit: "Phòng Quản lý đô thị".into(),
            command: command.into(),
            from_status: Some(Status::FinancialObligation),
            to_status: Status::Processing,
            note: note.into(),
            partner_event: None,
        };
        let mut unnamed = entry("dvcqg", "submit", "");
        unnamed.actor = String::new();
        let rows = sheet(
            &[
                entry("payment", "record_payment", "payment PG-1: 1500000 VND"),
                entry("mot-cua", "start_processing", "Phòng Quản lý đô thị"),
                unnamed,
            ],
            "mot-cua",
            |id| match id {
                "payment" => Some(PartnerKind::Payment),
                "dvcqg" => Some(PartnerKind::NationalPortal),
                _ => None,
            },
            &[],
        );
        assert_eq!(
            rows[0].who,
            "Nguyễn Văn Cường (qua Nền tảng thanh toán “payment”)"
        );
        assert_eq!(rows[0].note, "Giao dịch PG-1: 1.500.000 đ");
        assert_eq!(rows[0].what, "Ghi nhận nộp phí, lệ phí");
        assert_eq!(rows[0].status, "Đang xử lý");
        assert_eq!(rows[1].who, "Nguyễn Văn Cường");
        assert_eq!(rows[1].note, "", "the unit is not repeated");
        assert_eq!(rows[2].who, "Cổng Dịch vụ công quốc gia “dvcqg”");
    }

    #[test]
    fn a_partner_event_line_says_what_the_partner_reported_and_when() {
        use crate::domain::{PartnerEvent, PartnerEventKind};
        let reported = PartnerEvent {
            kind: PartnerEventKind::PostalPickedUp,
            occurred_at: UnixMillis(1_763_780_700_000),
            reference: "PU-7".into(),
        };
        let line = HistoryEntry {
            version: 2,
            at: UnixMillis(1_763_781_000_000),
            partner_id: "buu-dien".into(),
            actor: "VNPost".into(),
            unit: "Bưu cục Hoàn Kiếm".into(),
            command: "record_partner_event".into(),
            from_status: Some(Status::Submitted),
            to_status: Status::Submitted,
            note: reported.note(""),
            partner_event: Some(reported),
        };
        let rows = sheet(&[line], "mot-cua", |_| None, &[]);
        assert_eq!(rows[0].what, "Bưu chính: đã thu gom hồ sơ");
        assert_eq!(rows[0].note, "mã PU-7, lúc 10:05 22/11/2025");
        assert_eq!(rows[0].unit, "Bưu cục Hoàn Kiếm");
    }

    #[test]
    fn hand_overs_are_merged_into_the_sheet_by_time_with_the_status_then() {
        use crate::domain::workspace::HandOverKind;
        let entry = |at: i64, to: Status| HistoryEntry {
            version: 1,
            at: UnixMillis(at),
            partner_id: "mot-cua".into(),
            actor: "Nguyễn Thị Lan".into(),
            unit: "Bộ phận Một cửa".into(),
            command: "receive".into(),
            from_status: None,
            to_status: to,
            note: String::new(),
            partner_event: None,
        };
        let hand_over = HandOver {
            at: UnixMillis(2_000),
            kind: HandOverKind::Assign,
            from_officer: "Lê Thị Hồng Nhung".into(),
            from_unit: "Ban Giám đốc".into(),
            to_unit: "Phòng Quản lý đô thị".into(),
            to_officer: Some("Trần Văn Minh".into()),
            note: "Xử lý trong tuần".into(),
        };
        let rows = sheet(
            &[
                entry(1_000, Status::Processing),
                entry(3_000, Status::Finished),
            ],
            "mot-cua",
            |_| None,
            &[hand_over],
        );
        let steps: Vec<(usize, &str)> = rows.iter().map(|r| (r.step, r.status)).collect();
        assert_eq!(
            steps,
            [(1, "Đang xử lý"), (2, "Đang xử lý"), (3, "Đã xử lý xong")]
        );
        assert_eq!(rows[1].who, "Lê Thị Hồng Nhung");
        assert_eq!(
            rows[1].what,
            "Phân công chuyên viên xử lý: Trần Văn Minh (Phòng Quản lý đô thị)"
        );
        assert_eq!(rows[1].note, "Xử lý trong tuần");
    }
}
