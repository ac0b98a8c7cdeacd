//! The readable part: a few dossiers' histories as the hub recorded them —
//! MaHoSo, time (Vietnam), status in Vietnamese and English, who acted and
//! for which unit — with how far the national portal's copy is synced.

use super::scenario::Lived;
use super::world::{World, PORTAL};
use super::DemoError;
use lienthong::domain::Status;
use lienthong::grpc::pb;

/// The dossiers worth showing first: pending payment found by re-query,
/// refused, overdue, postal pickup with supplement and postal return.
/// #2 first: worked in the hosted workspace (reception, specialist and
/// leader each take a step), paid at the gateway, returned by post.
const PREFERRED: [usize; 10] = [2, 4, 3, 7, 5, 6, 1, 8, 9, 10];

pub async fn print(world: &World, lived: &[Lived], count: usize) -> Result<(), DemoError> {
    if count == 0 {
        return Ok(());
    }
    println!("\ntimelines (time in Asia/Ho_Chi_Minh):");
    let chosen = PREFERRED
        .iter()
        .filter_map(|n| lived.iter().find(|l| l.plan.number == *n))
        .chain(lived.iter().filter(|l| !PREFERRED.contains(&l.plan.number)))
        .take(count);
    for one in chosen {
        let reference = pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(one.ma_ho_so.clone())),
        };
        let Some(reply) = world.officer.dossier(reference.clone()).await? else {
            return Err(DemoError::Lost(format!(
                "{} is not in the hub any more",
                one.ma_ho_so
            )));
        };
        println!(
            "\n  #{} {} — {}",
            one.plan.number,
            one.ma_ho_so,
            one.plan.describe()
        );
        if let Some(d) = &reply.dossier {
            println!(
                "     {} · {} · {}",
                d.procedure_name, d.owner_name, d.agency_code
            );
        }
        for h in &reply.history {
            let at = h.at.as_ref().map(vietnam_time).unwrap_or_default();
            let status = status_words(h.to_status);
            let who = who(h);
            let note = if h.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", h.note.chars().take(60).collect::<String>())
            };
            println!("     {at}  {status:<62} {who}  [{}]{note}", h.command);
        }
        let sync = world.operator.dossier_sync(PORTAL, reference).await?;
        if let Some(s) = sync {
            println!(
                "     national portal copy: version {} of {}{}, lag {} ms",
                s.synced_version,
                s.dossier_version,
                if s.up_to_date {
                    " (up to date)"
                } else {
                    " (BEHIND)"
                },
                s.lag_milliseconds
            );
        }
    }
    Ok(())
}

/// `HH:MM:SS.mmm` in Vietnam time (UTC+7, no daylight saving).
pub(super) fn vietnam_time(t: &prost_types::Timestamp) -> String {
    let local = t.seconds + 7 * 3600;
    let secs = local.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        t.nanos.max(0) / 1_000_000
    )
}

pub(super) fn status_words(code: i32) -> String {
    match u8::try_from(code).ok().and_then(Status::from_code) {
        Some(s) => format!(
            "{:>2} {} · {}",
            s.code(),
            s.vietnamese(),
            s.name().replace('_', " ")
        ),
        None => format!("{code} (unknown status)"),
    }
}

fn who(h: &pb::HistoryEntry) -> String {
    let person = match (h.actor.is_empty(), h.unit.is_empty()) {
        (false, false) => format!("{}, {}", h.actor, h.unit),
        (false, true) => h.actor.clone(),
        (true, false) => h.unit.clone(),
        (true, true) => String::new(),
    };
    if person.is_empty() {
        format!("({})", h.partner_id)
    } else {
        format!("{person} ({})", h.partner_id)
    }
}
