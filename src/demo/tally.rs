//! The proof: per partner, the committed events its subscription matches
//! (counted independently, from an auditor's own gRPC subscription to every
//! event), what the hub's relay says the partner accepted, parked, retried
//! and re-drove, and what the partner's simulator itself holds. Plus the
//! treasury reconciliation (đối soát) of the gateway's settlements against
//! the treasury's credits.

use super::scenario::{Department, Lived};
use super::world::{World, LEGACY, ONE_STOP, PARTNERS, PAYMENT, PORTAL, POSTAL, TREASURY};
use super::DemoError;
use lienthong::config::SubscriptionSection;
use lienthong::grpc::pb;
use lienthong_adapter_national_portal::mapping as portal_mapping;
use lienthong_adapter_postal::simulator::ServiceType;
use std::collections::HashSet;

/// One partner's line of the tally.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub partner: String,
    /// Committed events its subscription matches.
    pub subscribed: u64,
    pub accepted: u64,
    pub parked: u64,
    pub retried: u64,
    pub redriven: u64,
    /// Every committed event is accepted or parked (relay cursor).
    pub caught_up: bool,
    /// What the partner's own simulator holds.
    pub partner_side: String,
    /// A problem the partner's side shows, if any.
    pub partner_problem: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub committed: u64,
    pub rows: Vec<Row>,
}

impl Tally {
    /// What was lost, if anything.
    pub fn lost(&self) -> Option<String> {
        let mut problems = Vec::new();
        for r in &self.rows {
            if r.accepted != r.subscribed || r.parked > 0 || !r.caught_up {
                problems.push(format!(
                    "{}: {} of {} subscribed events accepted, {} parked",
                    r.partner, r.accepted, r.subscribed, r.parked
                ));
            }
            if let Some(problem) = &r.partner_problem {
                problems.push(format!("{}: {problem}", r.partner));
            }
        }
        (!problems.is_empty()).then(|| problems.join("; "))
    }

    pub fn print(&self) {
        println!(
            "\ntally per partner ({} events committed by the hub in all):",
            self.committed
        );
        println!(
            "  {:<11} {:>10} {:>10} {:>7} {:>8} {:>10}  partner's own record",
            "partner", "subscribed", "delivered", "parked", "retried", "re-driven"
        );
        for r in &self.rows {
            let mark = if r.accepted == r.subscribed && r.parked == 0 && r.caught_up {
                "✓"
            } else {
                "✗"
            };
            println!(
                "  {:<11} {:>10} {:>10} {:>7} {:>8} {:>10}  {mark} {}",
                r.partner,
                r.subscribed,
                r.accepted,
                r.parked,
                r.retried,
                r.redriven,
                r.partner_side
            );
        }
        println!(
            "  subscribed = committed events the partner's subscription matches (read back from the outbox);\n  \
             delivered = accepted by the partner itself; parked = waiting for an operator now."
        );
    }
}

fn type_name(event: &pb::Event) -> String {
    pb::EventType::try_from(event.r#type)
        .map(|t| {
            t.as_str_name()
                .trim_start_matches("EVENT_TYPE_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// The hub's subscription rule, applied by the auditor on its own.
fn matches(filter: &SubscriptionSection, event: &pb::Event) -> bool {
    let kind = type_name(event);
    let feedback = matches!(
        pb::EventType::try_from(event.r#type),
        Ok(pb::EventType::DossierRated | pb::EventType::AnswerPublished)
    );
    let type_ok = filter.event_types.contains(&kind)
        || if feedback {
            filter.citizen_feedback
        } else {
            filter.event_types.is_empty()
        };
    type_ok
        && (filter.agencies.is_empty()
            || event.agency_code.is_empty()
            || filter.agencies.contains(&event.agency_code))
        && (filter.procedures.is_empty()
            || event.procedure_code.is_empty()
            || filter.procedures.contains(&event.procedure_code))
}

pub async fn count(world: &World, lived: &[Lived]) -> Result<Tally, DemoError> {
    let committed = world.operator.delivery_status(PORTAL).await?.committed;
    let events = world.auditor.events_up_to(committed).await?;
    let mut tally = Tally {
        committed,
        rows: Vec::new(),
    };
    for partner in PARTNERS {
        let status = world.operator.delivery_status(partner).await?;
        let subscribed = world
            .subscriptions
            .iter()
            .find(|(id, _)| *id == partner)
            .map(|(_, filter)| events.iter().filter(|e| matches(filter, e)).count() as u64)
            .unwrap_or_default();
        let (partner_side, partner_problem) =
            partner_record(world, partner, lived, &events).await?;
        tally.rows.push(Row {
            partner: partner.to_string(),
            subscribed,
            accepted: status.accepted,
            parked: status.parked,
            retried: status.retried,
            redriven: status.redriven,
            caught_up: status.cursor >= status.committed,
            partner_side,
            partner_problem,
        });
    }
    Ok(tally)
}

/// What the partner's simulator holds, checked against the hub.
async fn partner_record(
    world: &World,
    partner: &str,
    lived: &[Lived],
    events: &[pb::Event],
) -> Result<(String, Option<String>), DemoError> {
    let of_type = |name: &str| events.iter().filter(|e| type_name(e) == name).count();
    Ok(match partner {
        PORTAL => {
            let mut behind = Vec::new();
            for one in lived {
                let reference = pb::DossierRef {
                    r#ref: Some(pb::dossier_ref::Ref::MaHoSo(one.ma_ho_so.clone())),
                };
                // The hub's status and last history line, as the adapter
                // would send that line (the default profile carries no step
                // number: a step is told by its time, status and content).
                let hub = world.officer.dossier(reference).await?.and_then(|r| {
                    let last = r.history.iter().max_by_key(|h| h.version)?;
                    let step = portal_mapping::tien_do(&one.ma_ho_so, last);
                    Some((r.dossier?.status, step))
                });
                let copy = world
                    .portal
                    .dossier(&one.ma_ho_so)
                    .map(|d| (d.ho_so.TrangThaiHoSo, d.progress.last().cloned()));
                let same = match (hub, copy) {
                    (Some((status, step)), Some((trang_thai, Some(last)))) => {
                        i64::from(status) == trang_thai && last.same_step(&step)
                    }
                    _ => false,
                };
                if !same {
                    behind.push(one.ma_ho_so.clone());
                }
            }
            let violations = world.portal.order_violations().len();
            let (rated, answered) = (of_type("dossier_rated"), of_type("answer_published"));
            let (ratings, answers) = (world.portal.ratings().len(), world.portal.answers().len());
            let side = format!(
                "{} dossiers on the portal, {} at the hub's status and last progress entry; {violations} order violations; {ratings} of {rated} ratings, {answers} of {answered} published answers",
                world.portal.dossier_count(),
                lived.len() - behind.len()
            );
            let problem = if !behind.is_empty() || violations > 0 {
                Some(format!(
                    "the portal's copy differs for {} ({violations} order violations)",
                    behind.join(", ")
                ))
            } else if ratings != rated || answers != answered {
                Some(format!(
                    "the portal holds {ratings} ratings and {answers} answers of {rated} and {answered} the hub committed"
                ))
            } else {
                None
            };
            (side, problem)
        }
        ONE_STOP => {
            let justice: Vec<_> = lived
                .iter()
                .filter(|l| l.plan.department == Department::Justice)
                .collect();
            let missing: Vec<_> = justice
                .iter()
                .filter(|l| world.one_stop.held(&l.ma_ho_so).is_none())
                .map(|l| l.ma_ho_so.clone())
                .collect();
            let violations = world.one_stop.order_violations().len();
            let side = format!(
                "holds {} of {} justice dossiers; {violations} order violations",
                justice.len() - missing.len(),
                justice.len()
            );
            let problem = (!missing.is_empty() || violations > 0)
                .then(|| format!("the one-stop system lacks {}", missing.join(", ")));
            (side, problem)
        }
        POSTAL => {
            let orders = world.postal.orders();
            let pickups = orders
                .iter()
                .filter(|o| o.request.service_type == ServiceType::Pickup)
                .count();
            (
                format!(
                    "{pickups} pickup and {} delivery orders",
                    orders.len() - pickups
                ),
                None,
            )
        }
        PAYMENT => {
            let payments = world.gateway.payments().len();
            let obligations = of_type("financial_obligation_requested");
            let side = format!(
                "{payments} payments created for {obligations} fee requests; {} settled",
                world.gateway.settled().len()
            );
            let problem = (payments != obligations)
                .then(|| format!("{payments} payments for {obligations} fee requests"));
            (side, problem)
        }
        TREASURY => {
            let credits = world.treasury.credits();
            let unique: HashSet<_> = credits.iter().map(|c| c.reference.clone()).collect();
            let recorded = of_type("payment_recorded");
            let side = format!(
                "{} credit notices for {recorded} recorded payments",
                unique.len()
            );
            let problem = (unique.len() != recorded)
                .then(|| format!("{} credited for {recorded} payments", unique.len()));
            (side, problem)
        }
        LEGACY => {
            let accepted = world.legacy.accepted().len();
            (
                format!("{accepted} messages in its own format (it hears 4 event types)"),
                None,
            )
        }
        _ => (String::new(), None),
    })
}

/// The day's reconciliation: the gateway's settlement records against the
/// treasury's credit records, matched by the hub (`AdminService.Reconcile`).
/// A settled payment missing in the treasury is a loss.
pub async fn reconcile(world: &World) -> Result<(), DemoError> {
    let gateway = world
        .gateway
        .settled()
        .into_iter()
        .map(|s| pb::SettledTransaction {
            reference: s.reference,
            transaction_id: s.transaction_id,
            ma_ho_so: s.ma_ho_so,
            amount_vnd: s.amount_vnd,
            bank: s.bank,
            paid_at: s.paid_at,
        })
        .collect();
    let treasury = world
        .treasury
        .credits()
        .into_iter()
        .map(|c| pb::CreditedRecord {
            document_number: c.document_number,
            reference: c.reference,
            transaction_id: c.transaction_id,
            ma_ho_so: c.ma_ho_so,
            amount_vnd: c.amount_vnd,
            revenue_account: c.revenue_account,
            treasury_code: c.treasury_code,
            paid_at: c.paid_at,
            credited_at: c.credited_at,
        })
        .collect();
    let reply = world
        .operator
        .reconcile(pb::ReconcileRequest { gateway, treasury })
        .await?;
    let s = reply.summary.unwrap_or_default();
    println!(
        "\nreconciliation (đối soát) of the gateway's settlements against the treasury's credits:"
    );
    println!(
        "  gateway {} records, {} VND · treasury {} records, {} VND",
        s.gateway_records, s.gateway_total_vnd, s.treasury_records, s.treasury_total_vnd
    );
    println!(
        "  matched {} · amount mismatch {} · other field mismatch {} · missing in treasury {} · missing at gateway {} · duplicates {}/{}",
        s.matched,
        s.amount_mismatch,
        s.field_mismatch,
        s.missing_in_treasury,
        s.missing_in_gateway,
        s.duplicate_in_gateway,
        s.duplicate_in_treasury
    );
    for line in reply.lines.iter().filter(|l| l.outcome != "matched") {
        let ma = line
            .gateway
            .as_ref()
            .map(|g| g.ma_ho_so.clone())
            .or_else(|| line.treasury.as_ref().map(|t| t.ma_ho_so.clone()))
            .unwrap_or_default();
        let amounts = format!(
            "gateway {} VND, treasury {} VND",
            line.gateway
                .as_ref()
                .map(|g| g.amount_vnd)
                .unwrap_or_default(),
            line.treasury
                .as_ref()
                .map(|t| t.amount_vnd)
                .unwrap_or_default()
        );
        println!("  {:<20} {ma}  {amounts}", line.outcome);
    }
    if s.amount_mismatch > 0 {
        println!("  (the amount mismatch is the treasury fault injected above: a credit booked 1 000 VND too high)");
    }
    if s.missing_in_treasury > 0 {
        return Err(DemoError::Lost(format!(
            "{} settled payments never reached the treasury",
            s.missing_in_treasury
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subscribed: u64, accepted: u64, parked: u64) -> Row {
        Row {
            partner: "p".into(),
            subscribed,
            accepted,
            parked,
            caught_up: true,
            ..Default::default()
        }
    }

    #[test]
    fn anything_not_accepted_or_still_parked_is_lost() {
        let whole = Tally {
            committed: 10,
            rows: vec![row(10, 10, 0)],
        };
        assert_eq!(whole.lost(), None);
        for broken in [row(10, 9, 0), row(10, 9, 1), row(10, 10, 1)] {
            let tally = Tally {
                committed: 10,
                rows: vec![broken],
            };
            assert!(tally.lost().is_some(), "{tally:?}");
        }
        let behind = Tally {
            committed: 10,
            rows: vec![Row {
                caught_up: false,
                ..row(10, 10, 0)
            }],
        };
        assert!(behind.lost().is_some());
        let partner_side = Tally {
            committed: 10,
            rows: vec![Row {
                partner_problem: Some("the portal's copy differs".into()),
                ..row(10, 10, 0)
            }],
        };
        assert!(partner_side.lost().is_some());
    }

    #[test]
    fn the_auditor_applies_the_hubs_subscription_rule() {
        let event = pb::Event {
            r#type: pb::EventType::PaymentRecorded as i32,
            agency_code: "000.00.09.H22".into(),
            procedure_code: "1.000894.000.00.00.H22".into(),
            ..Default::default()
        };
        let types = |t: &[&str]| SubscriptionSection {
            event_types: t.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert!(matches(&SubscriptionSection::default(), &event));
        assert!(matches(&types(&["payment_recorded"]), &event));
        assert!(!matches(&types(&["dossier_submitted"]), &event));
        let other_agency = SubscriptionSection {
            agencies: vec!["000.00.05.H22".into()],
            ..Default::default()
        };
        assert!(!matches(&other_agency, &event));
        let catalog = pb::Event {
            r#type: pb::EventType::CatalogPublished as i32,
            ..Default::default()
        };
        assert!(
            matches(&other_agency, &catalog),
            "catalogues belong to no agency"
        );
    }
}
