//! The canonical form of a request, the text its idempotency fingerprint
//! hashes: JSON with its names and order written out here, field by field.
//!
//! It is the shape fingerprints have always hashed (the serialisation of the
//! request structs as they were), frozen: the names below are literals, not
//! derived from the domain's field names, so a renamed or reordered field in
//! `Command` or `NewDossier` cannot change a fingerprint — and a stored
//! idempotency record keeps recognising its replay. A new optional field is
//! written only when set (as `result_address` is), so requests without it
//! keep the fingerprint they had. The pinned fingerprints in
//! `command_tests.rs` fail on any change here.

use super::catalog::{CatalogEntry, Publication};
use super::{
    Action, ApplicantType, Channel, Command, CommandEnvelope, Document, DossierRef, Fee,
    NewDossier, PostalAddress, ResultDelivery, ResultDocument, UnixMillis,
};

/// A JSON object being written: `{`, then fields in the order given.
struct Object<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, empty: true }
    }

    /// Starts field `name`; its value is written next.
    fn key(&mut self, name: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        text(self.out, name);
        self.out.push(':');
        self.out
    }

    fn text(&mut self, name: &str, value: &str) -> &mut Self {
        text(self.key(name), value);
        self
    }

    fn number(&mut self, name: &str, value: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        // Writing into a String cannot fail.
        let _ = write!(self.key(name), "{value}");
        self
    }

    fn millis(&mut self, name: &str, value: Option<UnixMillis>) -> &mut Self {
        match value {
            Some(at) => self.number(name, at.0),
            None => self.null(name),
        }
    }

    fn null(&mut self, name: &str) -> &mut Self {
        self.key(name).push_str("null");
        self
    }

    fn name_or_null(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(name, v),
            None => self.null(name),
        }
    }

    fn list<T>(&mut self, name: &str, items: &[T], item: impl Fn(&mut String, &T)) -> &mut Self {
        let out = self.key(name);
        out.push('[');
        for (i, value) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item(out, value);
        }
        out.push(']');
        self
    }

    fn close(&mut self) {
        self.out.push('}');
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn text(out: &mut String, value: &str) {
    // serde_json escapes only `"`, `\` and the control characters below
    // 0x20: a value without any (nearly every one) is written as it is,
    // without serde_json's String per field — the writer thread computes
    // a fingerprint for every command (issue 12).
    if !value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push('"');
        out.push_str(value);
        out.push('"');
        return;
    }
    // A &str always serialises.
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
}

fn document(out: &mut String, d: &Document) {
    Object::open(out)
        .text("component_code", &d.component_code)
        .text("name", &d.name)
        .text("url", &d.url)
        .close();
}

fn fee(out: &mut String, f: &Fee) {
    Object::open(out)
        .text("code", &f.code)
        .text("name", &f.name)
        .number("amount_vnd", f.amount_vnd)
        .close();
}

fn result(out: &mut String, r: &ResultDocument) {
    Object::open(out)
        .text("code", &r.code)
        .text("name", &r.name)
        .text("url", &r.url)
        .close();
}

fn address(out: &mut String, a: &PostalAddress) {
    let mut o = Object::open(out);
    o.text("province_code", &a.province_code)
        .text("commune_code", &a.commune_code)
        .text("street", &a.street)
        .text("phone", &a.phone);
    if !a.district_code.is_empty() {
        o.text("district_code", &a.district_code);
    }
    o.close();
}

fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Counter => "counter",
        Channel::Online => "online",
        Channel::Postal => "postal",
    }
}

fn applicant_type(t: ApplicantType) -> &'static str {
    match t {
        ApplicantType::Citizen => "citizen",
        ApplicantType::Enterprise => "enterprise",
        ApplicantType::StateAgency => "state_agency",
        ApplicantType::Other => "other",
    }
}

fn delivery(d: ResultDelivery) -> &'static str {
    match d {
        ResultDelivery::AtCounter => "at_counter",
        ResultDelivery::ByPost => "by_post",
        ResultDelivery::Electronic => "electronic",
    }
}

fn submission(out: &mut String, n: &NewDossier) {
    let mut o = Object::open(out);
    o.text("command", "submit")
        .text("agency_code", &n.agency_code)
        .text("procedure_code", &n.procedure_code)
        .text("procedure_name", &n.procedure_name)
        .text("sector_code", &n.sector_code)
        .name_or_null("channel", n.channel.map(channel))
        .text("owner_name", &n.owner_name)
        .name_or_null("applicant_type", n.applicant_type.map(applicant_type))
        .text("owner_id_number", &n.owner_id_number)
        .text("email", &n.email)
        .text("phone", &n.phone)
        .text("summary", &n.summary)
        .name_or_null("result_delivery", n.result_delivery.map(delivery))
        .list("documents", &n.documents, document)
        .list("fees", &n.fees, fee)
        .text("ma_ho_so", &n.ma_ho_so);
    if !n.result_address.is_empty() {
        o.text("result_address", &n.result_address);
    }
    if let Some(a) = &n.applicant_address {
        address(o.key("applicant_address"), a);
    }
    o.close();
}

fn command(out: &mut String, c: &Command) {
    let mut o = Object::open(out);
    o.text("command", c.name().as_str());
    match c {
        Command::Receive { due_at } => o.millis("due_at", *due_at),
        Command::Refuse { reason } => o.text("reason", reason),
        Command::RequestSupplement { reason, items } => {
            o.text("reason", reason)
                .list("items", items, |out, item| text(out, item))
        }
        Command::SubmitSupplement {
            documents,
            new_due_at,
        } => o
            .list("documents", documents, document)
            .millis("new_due_at", *new_due_at),
        Command::StartProcessing { processing_unit } => o.text("processing_unit", processing_unit),
        Command::RequestFinancialObligation { fees, note } => {
            o.list("fees", fees, fee).text("note", note)
        }
        Command::RecordPayment {
            transaction_id,
            reference,
            amount_vnd,
            paid_at,
        } => o
            .text("transaction_id", transaction_id)
            .text("reference", reference)
            .number("amount_vnd", amount_vnd)
            .millis("paid_at", *paid_at),
        Command::Stop { reason } => o.text("reason", reason),
        Command::Resume { note } => o.text("note", note),
        Command::Withdraw { reason } => o.text("reason", reason),
        Command::Finish { results } => o.list("results", results, result),
        Command::ReturnResult { delivery: d } => o.name_or_null("delivery", d.map(delivery)),
        Command::Reschedule {
            apology,
            new_due_at,
        } => o.text("apology", apology).millis("new_due_at", *new_due_at),
        Command::Forward {
            to_agency_code,
            note,
        } => o.text("to_agency_code", to_agency_code).text("note", note),
        Command::RecordPartnerEvent {
            kind,
            occurred_at,
            reference,
            note,
        } => o
            .text("kind", kind)
            .millis("occurred_at", *occurred_at)
            .text("reference", reference)
            .text("note", note),
    };
    o.close();
}

/// The envelope: its fields in their old order, `dossier` null for a
/// submission, the command tagged with its name.
pub fn envelope(env: &CommandEnvelope) -> String {
    let mut out = String::with_capacity(512);
    let mut o = Object::open(&mut out);
    o.text("idempotency_key", &env.idempotency_key);
    match env.expected_version {
        Some(v) => o.number("expected_version", v),
        None => o.null("expected_version"),
    };
    match &env.action {
        Action::Submit(_) => {
            o.null("dossier");
        }
        Action::OnDossier { dossier, .. } => {
            let mut r = Object::open(o.key("dossier"));
            match dossier {
                DossierRef::Id(id) => r.number("id", id),
                DossierRef::MaHoSo(code) => r.text("ma_ho_so", code),
            };
            r.close();
        }
    }
    o.text("actor", &env.actor).text("unit", &env.unit);
    match &env.action {
        Action::Submit(new) => submission(o.key("command"), new),
        Action::OnDossier { command: c, .. } => command(o.key("command"), c),
    }
    o.close();
    out
}

fn entry(out: &mut String, e: &CatalogEntry) {
    let mut o = Object::open(out);
    o.text("code", &e.code)
        .text("name", &e.name)
        .text("parent_code", &e.parent_code);
    let mut a = Object::open(o.key("attributes"));
    // A BTreeMap: in name order, as it always was.
    for (name, value) in &e.attributes {
        a.text(name, value);
    }
    a.close();
    o.close();
}

/// A catalogue publication, as its struct serialised whole.
pub fn publication(p: &Publication) -> String {
    let mut out = String::with_capacity(256 + 128 * p.entries.len());
    let mut o = Object::open(&mut out);
    o.text("idempotency_key", &p.idempotency_key)
        .text("kind", &p.kind)
        .list("entries", &p.entries, entry);
    match p.expected_version {
        Some(v) => o.number("expected_version", v),
        None => o.null("expected_version"),
    };
    o.close();
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    /// The fast path writes what serde_json writes, for every character
    /// that could need escaping and for text that needs none.
    #[test]
    fn a_string_is_written_as_serde_json_writes_it() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        samples.extend(
            [
                "",
                "Nguyễn Văn An",
                "000.00.01.H22",
                "say \"hi\"",
                "back\\slash",
                "tab\tnew\nline",
                "\u{7f}\u{2028}\u{1F600}",
            ]
            .map(String::from),
        );
        for sample in samples {
            let mut out = String::new();
            text(&mut out, &sample);
            assert_eq!(out, serde_json::to_string(&sample).unwrap(), "{sample:?}");
        }
    }
}
