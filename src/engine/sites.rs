//! A transfer from another site's hub, taken by the writer like a command:
//! a dossier handed over to this site, or a change of a dossier another
//! site decides about and this hub keeps a copy of.
//!
//! The dossier, the history lines it brings, its outbox event, the
//! idempotency record (the sending event's id, under the partner id
//! `site.<code>`) and the audit entry are one batch, so this hub's
//! partners, modules and relays see the dossier arrive or change like any
//! other event. Exactly once in effect: a transfer whose event id was seen,
//! or whose dossier version this hub already holds (`site::judge`), writes
//! nothing and is acknowledged all the same. In order: a change whose lines
//! start after a gap writes nothing either and is not acknowledged — an
//! earlier transfer was lost on the way, and the sender sends again from it.

use super::apply::{change_event, remember, replay};
use super::{EngineError, EngineSettings, SiteOutcome};
use crate::domain::site::{self, Judgement, SiteRefusal, Transfer};
use crate::domain::{DossierRef, UnixMillis};
use crate::store::{StoredAnswer, Txn};
use sha2::{Digest, Sha256};

pub fn receive(
    txn: &mut Txn,
    settings: &EngineSettings,
    handover: bool,
    transfer: &Transfer,
    now: UnixMillis,
) -> Result<SiteOutcome, EngineError> {
    let Some(sites) = settings.sites.as_deref() else {
        return Err(SiteRefusal::UnknownPeer {
            from: transfer.from_site.clone(),
        }
        .into());
    };
    let partner = site::site_partner(&transfer.from_site);
    let fingerprint = hex::encode(Sha256::digest(format!(
        "{}|{}|{}|{}",
        if handover { "handover" } else { "change" },
        transfer.dossier.ma_ho_so,
        transfer.dossier.version,
        transfer.seq
    )));
    if replay(txn, &partner, &transfer.event_id, &fingerprint)?.is_some() {
        return Ok(SiteOutcome::Duplicate);
    }
    let reference = DossierRef::MaHoSo(transfer.dossier.ma_ho_so.clone());
    let local = txn.dossier(&reference)?;
    let after_version = match site::judge(sites, handover, transfer, local.as_ref())? {
        Judgement::Duplicate => return Ok(SiteOutcome::Duplicate),
        Judgement::Gap { held, first } => return Ok(SiteOutcome::Gap { held, first }),
        Judgement::Take { after_version } => after_version,
    };
    let id = match &local {
        Some(d) => d.id,
        None => txn.next_dossier_id()?,
    };
    let mut dossier = transfer.dossier.clone();
    dossier.id = id;
    let lines: Vec<_> = transfer
        .history
        .iter()
        .filter(|line| line.version > after_version)
        .cloned()
        .collect();
    let Some(entry) = lines.last().cloned() else {
        return Err(SiteRefusal::NoHistory {
            ma_ho_so: dossier.ma_ho_so.clone(),
        }
        .into());
    };
    if lines
        .first()
        .is_some_and(|first| first.version > after_version + 1)
    {
        // A whole history that lacks lines (`site::judge` waits for the
        // missing transfers otherwise): the copy takes the newest state,
        // and says what it lacks.
        tracing::warn!(
            ma_ho_so = %dossier.ma_ho_so,
            from_site = %transfer.from_site,
            held = after_version,
            version = dossier.version,
            "a change from another site skips versions; the copy lacks their history lines"
        );
    }
    txn.put_arrived_dossier(&dossier)?;
    for line in &lines {
        txn.put_history(id, line);
    }
    let event = change_event(
        txn,
        transfer.event_type,
        now,
        partner.clone(),
        transfer.from_agency_code.clone(),
        dossier.clone(),
        entry.clone(),
    )?;
    txn.put_event(&event);
    remember(
        txn,
        &partner,
        &transfer.event_id,
        fingerprint,
        now,
        StoredAnswer::Command {
            dossier_id: id,
            dossier_version: dossier.version,
            entry,
            event_seq: event.seq,
            event_id: event.event_id.clone(),
        },
    );
    Ok(SiteOutcome::Taken {
        event_seq: event.seq,
    })
}
