//! Reconciliation (đối soát, DOMAIN.md §6, provisional): matches the
//! gateway's settled transactions against the treasury's credited records
//! and reports what matched, what is missing on either side, what differs
//! in amount or in identity, and what was counted twice. Pure: no I/O, no
//! clock; the same input always gives the same report.
//!
//! How records pair, in two passes:
//! 1. by transaction id (`MaGiaoDich`): the gateway's own unique id;
//! 2. what is left, by reference (`MaThamChieu`): a credit booked with a
//!    wrong or missing transaction id still finds its payment.
//!
//! A pair is `matched` when reference, transaction id, dossier (`MaHoSo`)
//! and amount all agree; `amount_mismatch` when only the amount differs;
//! `field_mismatch` when the reference, transaction id or dossier differ
//! (the line lists which). An unpaired record is a `duplicate_in_…` when
//! another record on its own side has the same transaction id (counted
//! twice), otherwise `missing_in_treasury` (paid, never credited) or
//! `missing_in_gateway` (credited, never paid).
//!
//! Its own crate because two sides run it: the treasury adapter on its daily
//! files, and the hub's `AdminService.Reconcile` on records an operator
//! sends. Neither should reach into the other for it. The CSV forms of those
//! files ([`files`]) live here too, beside the records they carry: the
//! gateway simulator writes the settlement file the treasury adapter reads.

pub mod files;

use serde::Serialize;

/// A transaction the gateway settled (its settlement file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settled {
    pub reference: String,
    pub transaction_id: String,
    pub ma_ho_so: String,
    pub amount_vnd: i64,
    pub bank: String,
    /// `yyyyMMddHHmmss`, Vietnam time.
    pub paid_at: String,
}

/// A record the treasury credited (its credit file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Credited {
    /// `SoChungTu`, the treasury's document number.
    pub document_number: String,
    pub reference: String,
    pub transaction_id: String,
    pub ma_ho_so: String,
    pub amount_vnd: i64,
    pub revenue_account: String,
    pub treasury_code: String,
    /// The payment time the credit notice carried, `yyyyMMddHHmmss`.
    pub paid_at: String,
    /// When the treasury credited it, `yyyyMMddHHmmss`.
    pub credited_at: String,
}

/// The verdict on one line of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Matched,
    AmountMismatch,
    FieldMismatch,
    MissingInTreasury,
    MissingInGateway,
    DuplicateInGateway,
    DuplicateInTreasury,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Matched,
        Outcome::AmountMismatch,
        Outcome::FieldMismatch,
        Outcome::MissingInTreasury,
        Outcome::MissingInGateway,
        Outcome::DuplicateInGateway,
        Outcome::DuplicateInTreasury,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Matched => "matched",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::FieldMismatch => "field_mismatch",
            Outcome::MissingInTreasury => "missing_in_treasury",
            Outcome::MissingInGateway => "missing_in_gateway",
            Outcome::DuplicateInGateway => "duplicate_in_gateway",
            Outcome::DuplicateInTreasury => "duplicate_in_treasury",
        }
    }
}

/// A field that differs between a paired gateway and treasury record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Field {
    #[serde(rename = "MaThamChieu")]
    Reference,
    #[serde(rename = "MaGiaoDich")]
    TransactionId,
    #[serde(rename = "MaHoSo")]
    MaHoSo,
    #[serde(rename = "SoTien")]
    Amount,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Reference => "MaThamChieu",
            Field::TransactionId => "MaGiaoDich",
            Field::MaHoSo => "MaHoSo",
            Field::Amount => "SoTien",
        }
    }
}

/// One line of the report: a pair, or one unpaired record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub outcome: Outcome,
    pub gateway: Option<Settled>,
    pub treasury: Option<Credited>,
    /// For a pair: the fields that differ (empty when matched).
    pub differences: Vec<Field>,
}

impl Line {
    /// The line's reference: the gateway's, else the treasury's.
    pub fn reference(&self) -> &str {
        self.either(|g| &g.reference, |t| &t.reference)
    }

    /// The line's transaction id: the gateway's, else the treasury's.
    pub fn transaction_id(&self) -> &str {
        self.either(|g| &g.transaction_id, |t| &t.transaction_id)
    }

    /// The line's dossier: the gateway's, else the treasury's.
    pub fn ma_ho_so(&self) -> &str {
        self.either(|g| &g.ma_ho_so, |t| &t.ma_ho_so)
    }

    /// A field of the gateway's record, else of the treasury's.
    fn either(&self, gateway: fn(&Settled) -> &String, treasury: fn(&Credited) -> &String) -> &str {
        self.gateway
            .as_ref()
            .map(gateway)
            .or(self.treasury.as_ref().map(treasury))
            .map_or("", String::as_str)
    }

    pub fn gateway_amount_vnd(&self) -> Option<i64> {
        self.gateway.as_ref().map(|g| g.amount_vnd)
    }

    pub fn treasury_amount_vnd(&self) -> Option<i64> {
        self.treasury.as_ref().map(|t| t.amount_vnd)
    }

    /// Treasury minus gateway, for a pair.
    pub fn difference_vnd(&self) -> Option<i64> {
        Some(self.treasury_amount_vnd()? - self.gateway_amount_vnd()?)
    }

    /// A human sentence for an operator (Vietnamese field names).
    pub fn note(&self) -> String {
        let (Some(g), Some(t)) = (&self.gateway, &self.treasury) else {
            return match self.outcome {
                Outcome::MissingInTreasury => "đã thanh toán, kho bạc chưa ghi có".into(),
                Outcome::MissingInGateway => {
                    "kho bạc ghi có, cổng thanh toán không có giao dịch".into()
                }
                Outcome::DuplicateInGateway => "giao dịch lặp trong tệp của cổng thanh toán".into(),
                Outcome::DuplicateInTreasury => "kho bạc ghi có hai lần".into(),
                _ => String::new(),
            };
        };
        self.differences
            .iter()
            .map(|field| {
                let (a, b) = match field {
                    Field::Reference => (g.reference.clone(), t.reference.clone()),
                    Field::TransactionId => (g.transaction_id.clone(), t.transaction_id.clone()),
                    Field::MaHoSo => (g.ma_ho_so.clone(), t.ma_ho_so.clone()),
                    Field::Amount => (g.amount_vnd.to_string(), t.amount_vnd.to_string()),
                };
                format!("{}: cổng {a}, kho bạc {b}", field.name())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Counts and totals of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub gateway_records: usize,
    pub treasury_records: usize,
    pub gateway_total_vnd: i64,
    pub treasury_total_vnd: i64,
    pub matched: usize,
    pub amount_mismatch: usize,
    pub field_mismatch: usize,
    pub missing_in_treasury: usize,
    pub missing_in_gateway: usize,
    pub duplicate_in_gateway: usize,
    pub duplicate_in_treasury: usize,
}

impl Summary {
    /// Whether every record matched.
    pub fn is_clean(&self) -> bool {
        self.matched == self.gateway_records && self.matched == self.treasury_records
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Matched => self.matched,
            Outcome::AmountMismatch => self.amount_mismatch,
            Outcome::FieldMismatch => self.field_mismatch,
            Outcome::MissingInTreasury => self.missing_in_treasury,
            Outcome::MissingInGateway => self.missing_in_gateway,
            Outcome::DuplicateInGateway => self.duplicate_in_gateway,
            Outcome::DuplicateInTreasury => self.duplicate_in_treasury,
        }
    }

    fn add(&mut self, outcome: Outcome) {
        let slot = match outcome {
            Outcome::Matched => &mut self.matched,
            Outcome::AmountMismatch => &mut self.amount_mismatch,
            Outcome::FieldMismatch => &mut self.field_mismatch,
            Outcome::MissingInTreasury => &mut self.missing_in_treasury,
            Outcome::MissingInGateway => &mut self.missing_in_gateway,
            Outcome::DuplicateInGateway => &mut self.duplicate_in_gateway,
            Outcome::DuplicateInTreasury => &mut self.duplicate_in_treasury,
        };
        *slot += 1;
    }
}

/// The reconciliation of one set of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Sorted by reference, transaction id, then outcome.
    pub lines: Vec<Line>,
    pub summary: Summary,
}

impl Report {
    /// The lines that need an operator (everything but `matched`).
    pub fn discrepancies(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.outcome != Outcome::Matched)
    }
}

/// Matches `gateway` against `treasury`; every input record appears in
/// exactly one line.
pub fn reconcile(gateway: &[Settled], treasury: &[Credited]) -> Report {
    let mut partner_of_gateway: Vec<Option<usize>> = vec![None; gateway.len()];
    let mut taken = vec![false; treasury.len()];
    let passes: [fn(&Settled, &Credited) -> bool; 2] = [
        |g, t| !g.transaction_id.is_empty() && g.transaction_id == t.transaction_id,
        |g, t| !g.reference.is_empty() && g.reference == t.reference,
    ];
    for same in passes {
        for (gi, g) in gateway.iter().enumerate() {
            if partner_of_gateway[gi].is_some() {
                continue;
            }
            let found = treasury
                .iter()
                .enumerate()
                .position(|(ti, t)| !taken[ti] && same(g, t));
            if let Some(ti) = found {
                taken[ti] = true;
                partner_of_gateway[gi] = Some(ti);
            }
        }
    }

    let mut lines = Vec::with_capacity(gateway.len().max(treasury.len()));
    for (gi, g) in gateway.iter().enumerate() {
        let line = match partner_of_gateway[gi] {
            Some(ti) => pair(g, &treasury[ti]),
            None => {
                let twice = gateway.iter().enumerate().any(|(other, o)| {
                    other != gi
                        && !g.transaction_id.is_empty()
                        && o.transaction_id == g.transaction_id
                        && (other < gi || partner_of_gateway[other].is_some())
                });
                Line {
                    outcome: if twice {
                        Outcome::DuplicateInGateway
                    } else {
                        Outcome::MissingInTreasury
                    },
                    gateway: Some(g.clone()),
                    treasury: None,
                    differences: Vec::new(),
                }
            }
        };
        lines.push(line);
    }
    for (ti, t) in treasury.iter().enumerate() {
        if taken[ti] {
            continue;
        }
        let twice = treasury.iter().enumerate().any(|(other, o)| {
            other != ti
                && !t.transaction_id.is_empty()
                && o.transaction_id == t.transaction_id
                && (other < ti || taken[other])
        });
        lines.push(Line {
            outcome: if twice {
                Outcome::DuplicateInTreasury
            } else {
                Outcome::MissingInGateway
            },
            gateway: None,
            treasury: Some(t.clone()),
            differences: Vec::new(),
        });
    }
    lines.sort_by(|a, b| {
        (a.reference(), a.transaction_id(), a.outcome).cmp(&(
            b.reference(),
            b.transaction_id(),
            b.outcome,
        ))
    });

    let mut summary = Summary {
        gateway_records: gateway.len(),
        treasury_records: treasury.len(),
        gateway_total_vnd: gateway.iter().map(|g| g.amount_vnd).sum(),
        treasury_total_vnd: treasury.iter().map(|t| t.amount_vnd).sum(),
        ..Default::default()
    };
    for line in &lines {
        summary.add(line.outcome);
    }
    Report { lines, summary }
}

fn pair(g: &Settled, t: &Credited) -> Line {
    let mut differences = Vec::new();
    if g.reference != t.reference {
        differences.push(Field::Reference);
    }
    if g.transaction_id != t.transaction_id {
        differences.push(Field::TransactionId);
    }
    if g.ma_ho_so != t.ma_ho_so {
        differences.push(Field::MaHoSo);
    }
    if g.amount_vnd != t.amount_vnd {
        differences.push(Field::Amount);
    }
    let outcome = match differences.as_slice() {
        [] => Outcome::Matched,
        [Field::Amount] => Outcome::AmountMismatch,
        _ => Outcome::FieldMismatch,
    };
    Line {
        outcome,
        gateway: Some(g.clone()),
        treasury: Some(t.clone()),
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(reference: &str, txn: &str, amount: i64) -> Settled {
        Settled {
            reference: reference.into(),
            transaction_id: txn.into(),
            ma_ho_so: format!("HS-{reference}"),
            amount_vnd: amount,
            bank: "VCB".into(),
            paid_at: "20251122093000".into(),
        }
    }

    fn t(reference: &str, txn: &str, amount: i64) -> Credited {
        Credited {
            document_number: format!("BC-{txn}"),
            reference: reference.into(),
            transaction_id: txn.into(),
            ma_ho_so: format!("HS-{reference}"),
            amount_vnd: amount,
            revenue_account: "7111".into(),
            treasury_code: "0011".into(),
            paid_at: "20251122093000".into(),
            credited_at: "20251122093005".into(),
        }
    }

    fn outcomes(report: &Report) -> Vec<(String, Outcome)> {
        report
            .lines
            .iter()
            .map(|l| (l.reference().to_string(), l.outcome))
            .collect()
    }

    /// Every input record appears in exactly one line.
    fn assert_complete(gateway: &[Settled], treasury: &[Credited], report: &Report) {
        let gw: usize = report.lines.iter().filter(|l| l.gateway.is_some()).count();
        let tr: usize = report.lines.iter().filter(|l| l.treasury.is_some()).count();
        assert_eq!(gw, gateway.len());
        assert_eq!(tr, treasury.len());
        let counted: usize = Outcome::ALL.iter().map(|o| report.summary.count(*o)).sum();
        assert_eq!(counted, report.lines.len());
    }

    /// Reconciles; checks every record is in one line and the lines'
    /// (reference, outcome) are `expected`.
    fn reconciled(
        gateway: &[Settled],
        treasury: &[Credited],
        expected: &[(&str, Outcome)],
    ) -> Report {
        let report = reconcile(gateway, treasury);
        assert_complete(gateway, treasury, &report);
        let expected: Vec<(String, Outcome)> =
            expected.iter().map(|(r, o)| (r.to_string(), *o)).collect();
        assert_eq!(outcomes(&report), expected);
        report
    }

    #[test]
    fn empty_is_clean() {
        let report = reconcile(&[], &[]);
        assert!(report.lines.is_empty());
        assert!(report.summary.is_clean());
    }

    #[test]
    fn identical_records_match() {
        let gateway = [g("R1", "T1", 100), g("R2", "T2", 200)];
        let treasury = [t("R2", "T2", 200), t("R1", "T1", 100)];
        let report = reconcile(&gateway, &treasury);
        assert_eq!(report.summary.matched, 2);
        assert!(report.summary.is_clean());
        assert_eq!(report.summary.gateway_total_vnd, 300);
        assert_eq!(report.summary.treasury_total_vnd, 300);
        assert_eq!(report.discrepancies().count(), 0);
        assert_complete(&gateway, &treasury, &report);
    }

    #[test]
    fn missing_on_either_side() {
        let gateway = [g("R1", "T1", 100), g("R2", "T2", 200)];
        let treasury = [t("R2", "T2", 200), t("R3", "T3", 300)];
        let report = reconciled(
            &gateway,
            &treasury,
            &[
                ("R1", Outcome::MissingInTreasury),
                ("R2", Outcome::Matched),
                ("R3", Outcome::MissingInGateway),
            ],
        );
        assert!(!report.summary.is_clean());
        assert_eq!(report.lines[0].note(), "đã thanh toán, kho bạc chưa ghi có");
    }

    #[test]
    fn amount_mismatch_shows_the_difference() {
        let report = reconcile(&[g("R1", "T1", 150_000)], &[t("R1", "T1", 151_000)]);
        let line = &report.lines[0];
        assert_eq!(line.outcome, Outcome::AmountMismatch);
        assert_eq!(line.differences, vec![Field::Amount]);
        assert_eq!(line.difference_vnd(), Some(1_000));
        assert_eq!(line.note(), "SoTien: cổng 150000, kho bạc 151000");
    }

    #[test]
    fn wrong_dossier_or_transaction_id_is_a_field_mismatch() {
        let mut other_dossier = t("R1", "T1", 100);
        other_dossier.ma_ho_so = "HS-OTHER".into();
        let report = reconcile(&[g("R1", "T1", 100)], &[other_dossier]);
        assert_eq!(report.lines[0].outcome, Outcome::FieldMismatch);
        assert_eq!(report.lines[0].differences, vec![Field::MaHoSo]);

        // A credit booked with a wrong transaction id pairs by reference.
        let report = reconcile(&[g("R1", "T1", 100)], &[t("R1", "T9", 100)]);
        assert_eq!(report.lines.len(), 1);
        assert_eq!(report.lines[0].outcome, Outcome::FieldMismatch);
        assert_eq!(report.lines[0].differences, vec![Field::TransactionId]);
        assert!(report.lines[0]
            .note()
            .contains("MaGiaoDich: cổng T1, kho bạc T9"));

        // A wrong reference and a wrong amount: both listed.
        let report = reconcile(&[g("R1", "T1", 100)], &[t("R7", "T1", 90)]);
        assert_eq!(
            report.lines[0].differences,
            vec![Field::Reference, Field::MaHoSo, Field::Amount]
        );
        assert_eq!(report.lines[0].outcome, Outcome::FieldMismatch);
    }

    #[test]
    fn transaction_id_pairs_before_reference() {
        // Two transactions for one reference (a double payment), one credit.
        let gateway = [g("R1", "T1", 100), g("R1", "T2", 100)];
        let treasury = [t("R1", "T2", 100)];
        let report = reconcile(&gateway, &treasury);
        let by_txn: Vec<_> = report
            .lines
            .iter()
            .map(|l| (l.transaction_id().to_string(), l.outcome))
            .collect();
        assert_eq!(
            by_txn,
            vec![
                ("T1".to_string(), Outcome::MissingInTreasury),
                ("T2".to_string(), Outcome::Matched),
            ]
        );
        assert_complete(&gateway, &treasury, &report);
    }

    #[test]
    fn credited_twice_is_a_treasury_duplicate() {
        let gateway = [g("R1", "T1", 100)];
        let treasury = [t("R1", "T1", 100), t("R1", "T1", 100)];
        let report = reconciled(
            &gateway,
            &treasury,
            &[
                ("R1", Outcome::Matched),
                ("R1", Outcome::DuplicateInTreasury),
            ],
        );
        assert_eq!(report.summary.treasury_total_vnd, 200);

        // Twice credited, never paid: one missing, one duplicate.
        let treasury = [t("R5", "T5", 100), t("R5", "T5", 100)];
        reconciled(
            &[],
            &treasury,
            &[
                ("R5", Outcome::MissingInGateway),
                ("R5", Outcome::DuplicateInTreasury),
            ],
        );
    }

    #[test]
    fn settled_twice_is_a_gateway_duplicate() {
        let gateway = [g("R1", "T1", 100), g("R1", "T1", 100)];
        let treasury = [t("R1", "T1", 100)];
        reconciled(
            &gateway,
            &treasury,
            &[
                ("R1", Outcome::Matched),
                ("R1", Outcome::DuplicateInGateway),
            ],
        );
    }

    #[test]
    fn vietnamese_text_and_commas_are_just_data() {
        let mut gw = g("000.00.01.H22-251122-00017-5", "PG1", 150_000);
        gw.bank = "Ngân hàng TMCP Ngoại thương, chi nhánh Hà Nội".into();
        let mut tr = t("000.00.01.H22-251122-00017-5", "PG1", 150_000);
        tr.ma_ho_so = gw.ma_ho_so.clone();
        let report = reconcile(&[gw], &[tr]);
        assert!(report.summary.is_clean());
    }

    #[test]
    fn report_does_not_depend_on_input_order() {
        let gateway = vec![
            g("R1", "T1", 100),
            g("R2", "T2", 200),
            g("R3", "T3", 300),
            g("R4", "T4", 400),
        ];
        let treasury = vec![
            t("R4", "T4", 400),
            t("R2", "T2", 250),
            t("R5", "T5", 500),
            t("R1", "T1", 100),
        ];
        let first = reconciled(
            &gateway,
            &treasury,
            &[
                ("R1", Outcome::Matched),
                ("R2", Outcome::AmountMismatch),
                ("R3", Outcome::MissingInTreasury),
                ("R4", Outcome::Matched),
                ("R5", Outcome::MissingInGateway),
            ],
        );
        let mut g2 = gateway.clone();
        g2.reverse();
        let mut t2 = treasury.clone();
        t2.rotate_left(2);
        let second = reconcile(&g2, &t2);
        assert_eq!(first, second);
    }

    #[test]
    fn a_larger_mixed_day_accounts_for_every_record() {
        // 300 payments; every 7th never credited, every 11th credited with
        // +1 000 VND, every 13th credited twice, plus 5 stray credits.
        let mut gateway = Vec::new();
        let mut treasury = Vec::new();
        for i in 0..300 {
            let (r, x) = (format!("R{i:03}"), format!("T{i:03}"));
            gateway.push(g(&r, &x, 10_000 + i));
            if i % 7 == 0 {
                continue;
            }
            let amount = if i % 11 == 0 { 11_000 + i } else { 10_000 + i };
            treasury.push(t(&r, &x, amount));
            if i % 13 == 0 {
                treasury.push(t(&r, &x, amount));
            }
        }
        for i in 0..5 {
            treasury.push(t(&format!("S{i}"), &format!("X{i}"), 1));
        }
        let report = reconcile(&gateway, &treasury);
        assert_complete(&gateway, &treasury, &report);
        let s = &report.summary;
        let never = (0..300).filter(|i| i % 7 == 0).count();
        let plus = (0..300).filter(|i| i % 7 != 0 && i % 11 == 0).count();
        let twice = (0..300).filter(|i| i % 7 != 0 && i % 13 == 0).count();
        assert_eq!(s.missing_in_treasury, never);
        assert_eq!(s.amount_mismatch, plus);
        assert_eq!(s.duplicate_in_treasury, twice);
        assert_eq!(s.missing_in_gateway, 5);
        assert_eq!(s.matched, 300 - never - plus);
    }
}
