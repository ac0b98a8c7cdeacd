//! The compiled templates of the dossier page and its print views, and the
//! view of one action form (its fields, what was sent, its errors).

use super::clock::ClockView;
use super::dossier_view::{
    DocumentRow, Fact, MoneyRow, NotificationRow, RescheduleRow, SheetRow, SupplementRow,
};
use super::forms::{FieldError, Fields};
use super::pages::OfficerBar;
use askama::Template;

/// One action form on the dossier page.
pub struct FormView {
    pub slug: &'static str,
    pub title: &'static str,
    pub action: String,
    pub csrf: String,
    pub version: u64,
    /// A fresh idempotency key per page: sending the same form twice
    /// (a double click, a reload) acts once.
    pub key: String,
    pub open: bool,
    pub errors: Vec<FieldError>,
    pub sent: Fields,
    /// Receive: the computed appointment date, or why there is none.
    pub appointment: Result<String, String>,
    /// Supplement request: the dossier's components to tick; record
    /// supplement: what the open request asked for.
    pub choices: Vec<String>,
    /// Return result: the delivery the applicant chose.
    pub delivery: &'static str,
    /// Forward: the next agency (code, name).
    pub next_agency: Option<(String, String)>,
}

impl FormView {
    pub fn error(&self, field: &str) -> Option<&str> {
        super::forms::error_for(&self.errors, field)
    }

    /// Errors not tied to a field the form shows (version, key, date).
    pub fn form_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| matches!(e.field, "version" | "key" | "appointment" | "status"))
            .map(|e| e.message.as_str())
            .collect()
    }

    /// What was sent in `field`, to show it again after a refusal.
    pub fn value(&self, field: &str) -> &str {
        self.sent.one(field)
    }

    /// `aria-invalid` and `aria-describedby` of a field (its hint, its
    /// error), as attribute text: ids made of the form's slug and the
    /// field's name, both fixed in code.
    pub fn aria(&self, field: &str, has_hint: bool) -> String {
        let hint = format!("{}-{field}-goi-y", self.slug);
        let error = format!("{}-{field}-loi", self.slug);
        match (self.error(field).is_some(), has_hint) {
            (true, true) => format!(" aria-invalid=\"true\" aria-describedby=\"{hint} {error}\""),
            (true, false) => format!(" aria-invalid=\"true\" aria-describedby=\"{error}\""),
            (false, true) => format!(" aria-describedby=\"{hint}\""),
            (false, false) => String::new(),
        }
    }

    pub fn ticked(&self, field: &str, value: &str) -> bool {
        self.sent.has(field, value)
    }

    pub fn delivery_checked(&self, value: &str) -> bool {
        let sent = self.sent.one("delivery");
        if sent.is_empty() {
            self.delivery == value
        } else {
            sent == value
        }
    }
}

#[derive(Template)]
#[template(path = "dossier.html", config = "src/web/askama.toml")]
pub struct DossierPage {
    pub officer: OfficerBar,
    pub ma_ho_so: String,
    pub status: &'static str,
    pub status_code: u8,
    pub procedure: String,
    pub facts: Vec<Fact>,
    pub status_reason: String,
    pub clock: ClockView,
    pub documents: Vec<DocumentRow>,
    pub fees: Vec<MoneyRow>,
    pub payments: Vec<MoneyRow>,
    pub supplements: Vec<SupplementRow>,
    pub results: Vec<DocumentRow>,
    pub reschedules: Vec<RescheduleRow>,
    pub notifications: Vec<NotificationRow>,
    pub sheet: Vec<SheetRow>,
    pub forms: Vec<FormView>,
    pub prints: Vec<(&'static str, &'static str)>,
    /// After an accepted action: what was done.
    pub done: Option<&'static str>,
    /// After a refused action: the form to look at.
    pub refused: Option<(&'static str, &'static str)>,
}

/// After a forward: where the dossier went.
#[derive(Template)]
#[template(path = "forwarded.html", config = "src/web/askama.toml")]
pub struct ForwardedPage {
    pub officer: OfficerBar,
    pub ma_ho_so: String,
    pub agency: String,
    pub agency_code: String,
}

/// What every printed form (Mẫu 01–05) shows in its heading and
/// signature.
pub struct SheetHead {
    pub agency: String,
    pub unit: String,
    pub ma_ho_so: String,
    /// `ngày dd tháng mm năm yyyy` of the form's date.
    pub dated: String,
    pub officer: String,
    pub applicant: String,
    pub procedure: String,
    pub back: String,
}

#[derive(Template)]
#[template(path = "mau_01.html", config = "src/web/askama.toml")]
pub struct Receipt {
    pub head: SheetHead,
    pub phone: String,
    pub email: String,
    pub documents: Vec<DocumentRow>,
    pub time_limit: String,
    pub received: String,
    pub due: String,
    pub delivery: String,
}

#[derive(Template)]
#[template(path = "mau_02.html", config = "src/web/askama.toml")]
pub struct SupplementRequest {
    pub head: SheetHead,
    pub items: Vec<String>,
    pub reason: String,
    pub requested: String,
}

#[derive(Template)]
#[template(path = "mau_03.html", config = "src/web/askama.toml")]
pub struct Refusal {
    pub head: SheetHead,
    pub reason: String,
    pub documents: Vec<DocumentRow>,
}

#[derive(Template)]
#[template(path = "mau_04.html", config = "src/web/askama.toml")]
pub struct Apology {
    pub head: SheetHead,
    pub received: String,
    pub old_due: String,
    pub apology: String,
    pub new_due: String,
}

#[derive(Template)]
#[template(path = "mau_05.html", config = "src/web/askama.toml")]
pub struct ControlSheet {
    pub head: SheetHead,
    pub received: String,
    pub due: String,
    pub sheet: Vec<SheetRow>,
}

/// `ngày 05 tháng 03 năm 2026` from `dd/mm/yyyy`.
pub fn dated(date: &str) -> String {
    let mut parts = date.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(m), Some(y)) => format!("ngày {d} tháng {m} năm {y}"),
        _ => "ngày … tháng … năm …".into(),
    }
}
