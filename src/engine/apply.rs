//! One command against the state in a `Txn`: idempotency, identity, agency
//! rights, expected version, the transition table, then the writes — dossier,
//! history line, outbox event and idempotency record — all staged together.

use super::{CommandOutcome, EngineError, PublicationOutcome};
use crate::domain::catalog::{self, Publication};
use crate::domain::codes::{format_ma_ho_so, MAX_DAILY_SEQUENCE};
use crate::domain::machine::{self, Actor, Applied};
use crate::domain::postal_address::AdminUnits;
use crate::domain::procedure::ProcedureTerms;
use crate::domain::site::SiteHold;
use crate::domain::size;
use crate::domain::{
    quoted, Action, CatalogPublished, Command, CommandEnvelope, DomainError, Dossier, Event,
    EventPayload, EventType, HistoryEntry, NewDossier, PostalAddress, UnixMillis,
};
use crate::partners::Partner;
use crate::store::{IdempotencyRecord, StoredAnswer, Txn};

/// The first answer for this key, if the request is a replay.
pub(super) fn replay(
    txn: &Txn,
    partner: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<StoredAnswer>, EngineError> {
    match txn.idempotency(partner, key)? {
        None => Ok(None),
        Some(record) if record.fingerprint == fingerprint => Ok(Some(record.reply)),
        Some(_) => Err(EngineError::IdempotencyKeyReused {
            key: key.to_string(),
        }),
    }
}

/// A stored answer of the other kind of request under this key: the key
/// was used for something else.
fn other_request(key: &str) -> EngineError {
    EngineError::IdempotencyKeyReused {
        key: key.to_string(),
    }
}

/// The event of the change `entry` made to `dossier` (as it is after the
/// change), numbered next in the stream: what it says of the dossier is
/// read off the dossier, so a command's change and a copy taken from
/// another site (`sites.rs`) are told alike to every subscriber. Takes the
/// dossier and the line by value: the event carries them, and a caller
/// that needs them after the event is written takes them back out of its
/// payload (`into_change`) instead of cloning a whole dossier per command.
pub(super) fn change_event(
    txn: &mut Txn,
    event_type: EventType,
    occurred_at: UnixMillis,
    partner_id: String,
    from_agency_code: String,
    dossier: Dossier,
    entry: HistoryEntry,
) -> Result<Event, EngineError> {
    Ok(Event {
        event_id: uuid::Uuid::new_v4().to_string(),
        seq: txn.next_seq()?,
        event_type,
        occurred_at,
        partner_id,
        dossier_id: dossier.id,
        ma_ho_so: dossier.ma_ho_so.clone(),
        dossier_version: dossier.version,
        agency_code: dossier.agency_code.clone(),
        from_agency_code,
        procedure_code: dossier.procedure_code.clone(),
        from_status: entry.from_status,
        to_status: Some(entry.to_status),
        payload: EventPayload::DossierChanged {
            dossier: Box::new(dossier),
            entry,
        },
    })
}

/// The dossier and history line a `change_event` carries, back from it.
fn into_change(payload: EventPayload) -> (Dossier, HistoryEntry) {
    match payload {
        EventPayload::DossierChanged { dossier, entry } => (*dossier, entry),
        // `change_event` builds nothing else.
        _ => unreachable!("a change event carries a dossier change"),
    }
}

pub(super) fn remember(
    txn: &mut Txn,
    partner: &str,
    key: &str,
    fingerprint: String,
    now: UnixMillis,
    reply: StoredAnswer,
) {
    txn.put_idempotency(
        partner,
        key,
        &IdempotencyRecord {
            fingerprint,
            created_at: now,
            reply,
        },
    );
}

/// The first answer again: the dossier as it was at that version when it can
/// still be found (current dossier, or the outbox event), else as it is now.
/// (What is remembered of an accepted command is everything of its answer
/// but the dossier, which is stored anyway.)
fn rebuild(txn: &Txn, key: &str, stored: StoredAnswer) -> Result<CommandOutcome, EngineError> {
    let StoredAnswer::Command {
        dossier_id,
        dossier_version,
        entry,
        event_seq,
        event_id,
    } = stored
    else {
        return Err(other_request(key));
    };
    let current = txn
        .dossier(&crate::domain::DossierRef::Id(dossier_id))?
        .ok_or_else(|| EngineError::DossierNotFound {
            reference: format!("id {dossier_id}"),
        })?;
    let dossier = if current.version == dossier_version {
        current
    } else {
        match txn.event(event_seq)?.map(|e| e.payload) {
            Some(EventPayload::DossierChanged { dossier, .. })
                if dossier.version == dossier_version =>
            {
                *dossier
            }
            _ => current,
        }
    };
    Ok(CommandOutcome {
        dossier,
        entry,
        event_seq,
        event_id,
        replayed: true,
    })
}

/// Moves each of `ids` that is terminal and unchanged since before `before`
/// into the archive; returns how many moved.
pub fn archive(txn: &mut Txn, ids: &[u64], before: UnixMillis) -> Result<usize, EngineError> {
    let mut moved = 0;
    for &id in ids {
        if txn.archive(id, |d| d.status.is_terminal() && d.updated_at < before)? {
            moved += 1;
        }
    }
    Ok(moved)
}

/// `fingerprint` is `env.fingerprint()`, hashed before the command was
/// queued (`Engine::queue`).
pub fn command(
    txn: &mut Txn,
    partner: &Partner,
    env: &CommandEnvelope,
    fingerprint: String,
    now: UnixMillis,
    settings: &super::EngineSettings,
) -> Result<CommandOutcome, EngineError> {
    let max_dossier_bytes = settings.max_dossier_bytes;
    let sites = settings.sites.as_deref();
    if let Some(first) = replay(txn, &partner.id, &env.idempotency_key, &fingerprint)? {
        return rebuild(txn, &env.idempotency_key, first);
    }
    let who = Actor {
        partner_id: &partner.id,
        actor: &env.actor,
        unit: &env.unit,
        now,
    };
    // The agency a forwarded dossier left, for the event's subscribers.
    let mut forwarded_from = String::new();
    // What the dossier takes now as the hub sends it (0: a submission).
    let mut size_before = 0;
    let applied = match &env.action {
        Action::Submit(new) => {
            let mut applied = submit(txn, partner, new, &who)?;
            // Filed here: this site decides, and says so.
            if let Some(sites) = sites {
                applied.dossier.site = Some(SiteHold::filed_at(&sites.code));
            }
            applied
        }
        Action::OnDossier {
            dossier: reference,
            command,
        } => {
            // Another agency's dossier is answered as one that does not
            // exist (as `Hub` reads answer), so commands cannot probe ids.
            let current = txn
                .dossier_cow(reference)?
                .filter(|d| partner.check_agency(&d.agency_code).is_ok())
                .ok_or_else(|| EngineError::DossierNotFound {
                    reference: reference.to_string(),
                })?;
            // A dossier handed over to another site is changed there only.
            if let Some(sites) = sites {
                if !sites.decides(&current) {
                    let site = current.site.as_ref().map(|h| h.authority.clone());
                    return Err(EngineError::NotAuthoritative {
                        ma_ho_so: current.ma_ho_so.clone(),
                        site: site.unwrap_or_default(),
                    });
                }
            }
            if let Some(expected) = env.expected_version {
                if expected != current.version {
                    return Err(EngineError::VersionConflict {
                        what: format!("dossier {}", current.ma_ho_so),
                        expected,
                        actual: current.version,
                    });
                }
            }
            size_before = size::total_bytes(&current);
            let mut applied = machine::apply(&current, command, &who)?;
            if let Command::Forward { to_agency_code, .. } = command {
                forward_in_sequence(txn, &current, to_agency_code)?;
                // An agency of another site: the dossier is handed over to
                // that site's hub (the site edge carries it there).
                if let Some(sites) = sites {
                    if let Some(peer) = sites.site_of_agency(to_agency_code) {
                        applied.dossier.site = Some(SiteHold::handed_over(
                            current.site.as_ref(),
                            &sites.code,
                            peer,
                        ));
                    }
                }
                forwarded_from = current.agency_code.clone();
            }
            applied
        }
    };
    // Every answer, event and read about the dossier must stay sendable:
    // refuse the growth that would break that, before anything is written.
    size::check(
        &env.action,
        size_before,
        &applied.dossier,
        max_dossier_bytes,
    )?;
    let Applied {
        dossier,
        entry,
        event,
    } = applied;
    txn.put_dossier(&dossier)?;
    txn.put_history(dossier.id, &entry);
    let event = change_event(
        txn,
        event,
        now,
        partner.id.clone(),
        forwarded_from,
        dossier,
        entry,
    )?;
    txn.put_event(&event);
    let (event_seq, event_id) = (event.seq, event.event_id);
    let (dossier, entry) = into_change(event.payload);
    let outcome = CommandOutcome {
        dossier,
        entry,
        event_seq,
        event_id,
        replayed: false,
    };
    let stored = StoredAnswer::Command {
        dossier_id: outcome.dossier.id,
        dossier_version: outcome.dossier.version,
        entry: outcome.entry.clone(),
        event_seq: outcome.event_seq,
        event_id: outcome.event_id.clone(),
    };
    remember(
        txn,
        &partner.id,
        &env.idempotency_key,
        fingerprint,
        now,
        stored,
    );
    Ok(outcome)
}

fn submit(
    txn: &mut Txn,
    partner: &Partner,
    new: &NewDossier,
    who: &Actor,
) -> Result<Applied, EngineError> {
    partner.check_agency(&new.agency_code)?;
    known_in_catalog(txn, "agencies", "submit.agency_code", &new.agency_code)?;
    known_in_catalog(
        txn,
        "procedures",
        "submit.procedure_code",
        &new.procedure_code,
    )?;
    if let Some(address) = &new.applicant_address {
        known_address(txn, "submit.applicant_address", address)?;
    }
    let ma_ho_so = if new.ma_ho_so.is_empty() {
        assign_ma_ho_so(txn, &new.agency_code, who.now)?
    } else if txn.ma_ho_so_taken(&new.ma_ho_so)? {
        return Err(EngineError::AlreadyExists {
            what: format!("dossier {}", new.ma_ho_so),
        });
    } else {
        new.ma_ho_so.clone()
    };
    let id = txn.next_dossier_id()?;
    Ok(machine::create(new, id, ma_ho_so, who))
}

/// A forward goes to the agency after the current one in the inter-agency
/// sequence of the dossier's procedure (the procedures catalogue), and to an
/// agency the agencies catalogue knows once it is published.
fn forward_in_sequence(txn: &Txn, current: &Dossier, to: &str) -> Result<(), EngineError> {
    let entry = txn.catalog_entry("procedures", &current.procedure_code)?;
    let terms = match entry {
        Some(entry) => {
            ProcedureTerms::from_entry(&format!("procedures[{}]", current.procedure_code), &entry)?
        }
        // No entry: no sequence, and `check_forward` says so.
        None => ProcedureTerms {
            code: current.procedure_code.clone(),
            ..ProcedureTerms::default()
        },
    };
    terms.check_forward(&current.agency_code, to)?;
    known_in_catalog(txn, "agencies", "forward.to_agency_code", to)
}

/// Once the `admin_units` catalogue is published, an address's codes must
/// be in it (`PostalAddress::check_in_admin_units` says how).
fn known_address(txn: &Txn, field: &str, address: &PostalAddress) -> Result<(), EngineError> {
    let version = txn.catalog_version("admin_units")?;
    if version == 0 {
        return Ok(());
    }
    let entry = |code: &str| -> Result<_, EngineError> {
        Ok(if code.is_empty() {
            None
        } else {
            txn.catalog_entry("admin_units", code)?
        })
    };
    let (province, commune, district) = (
        entry(&address.province_code)?,
        entry(&address.commune_code)?,
        entry(&address.district_code)?,
    );
    let units = AdminUnits {
        version,
        province: province.as_ref(),
        commune: commune.as_ref(),
        district: district.as_ref(),
    };
    Ok(address.check_in_admin_units(field, &units)?)
}

/// When a catalogue has been published, codes must be in it.
fn known_in_catalog(txn: &Txn, kind: &str, field: &str, code: &str) -> Result<(), EngineError> {
    let version = txn.catalog_version(kind)?;
    if version > 0 && !txn.catalog_has(kind, code)? {
        return Err(DomainError::invalid(
            field,
            format!(
                "{} is not in the {kind} catalogue (version {version})",
                quoted(code)
            ),
        )
        .into());
    }
    Ok(())
}

/// The next free `<agency>-<yyMMdd>-<NNNNN>`. Numbers taken by dossiers that
/// arrived with their own MaHoSo are skipped, never reused.
fn assign_ma_ho_so(txn: &mut Txn, agency: &str, now: UnixMillis) -> Result<String, EngineError> {
    let day = now.yymmdd();
    loop {
        let sequence = txn.next_daily_sequence(agency, &day)?;
        if sequence > u64::from(MAX_DAILY_SEQUENCE) {
            return Err(EngineError::Exhausted {
                what: format!("MaHoSo numbering for agency {agency} on {day}"),
                detail: format!("at most {MAX_DAILY_SEQUENCE} dossiers per agency per day"),
            });
        }
        let code = format_ma_ho_so(agency, &day, sequence as u32);
        if !txn.ma_ho_so_taken(&code)? {
            return Ok(code);
        }
    }
}

pub fn publication(
    txn: &mut Txn,
    partner: &Partner,
    p: &Publication,
    now: UnixMillis,
) -> Result<PublicationOutcome, EngineError> {
    let fingerprint = p.fingerprint();
    match replay(txn, &partner.id, &p.idempotency_key, &fingerprint)? {
        None => {}
        Some(StoredAnswer::Publication {
            kind,
            version,
            added,
            changed,
            removed,
            event_seq,
        }) => {
            return Ok(PublicationOutcome {
                kind,
                version,
                added,
                changed,
                removed,
                event_seq,
                replayed: true,
            })
        }
        Some(StoredAnswer::Command { .. }) => return Err(other_request(&p.idempotency_key)),
    }
    let current_version = txn.catalog_version(&p.kind)?;
    if let Some(expected) = p.expected_version {
        if expected != current_version {
            return Err(EngineError::VersionConflict {
                what: format!("catalogue {}", p.kind),
                expected,
                actual: current_version,
            });
        }
    }
    let current = txn.catalog_committed(&p.kind)?;
    let version = current_version + 1;
    let changes = catalog::diff(&current, &p.entries, version);
    let count = |kind| changes.iter().filter(|c| c.kind == kind).count() as u32;
    let mut outcome = PublicationOutcome {
        kind: p.kind.clone(),
        version: current_version,
        added: count(catalog::ChangeKind::Added),
        changed: count(catalog::ChangeKind::Changed),
        removed: count(catalog::ChangeKind::Removed),
        event_seq: 0,
        replayed: false,
    };
    if !changes.is_empty() {
        outcome.version = version;
        txn.put_catalog_version(&p.kind, version, &changes);
        outcome.event_seq = txn.next_seq()?;
        let event = Event {
            event_id: uuid::Uuid::new_v4().to_string(),
            seq: outcome.event_seq,
            event_type: EventType::CatalogPublished,
            occurred_at: now,
            partner_id: partner.id.clone(),
            dossier_id: 0,
            ma_ho_so: String::new(),
            dossier_version: 0,
            agency_code: String::new(),
            from_agency_code: String::new(),
            procedure_code: String::new(),
            from_status: None,
            to_status: None,
            payload: EventPayload::CatalogPublished(CatalogPublished {
                kind: p.kind.clone(),
                version,
                added: outcome.added,
                changed: outcome.changed,
                removed: outcome.removed,
            }),
        };
        txn.put_event(&event);
    }
    let stored = StoredAnswer::Publication {
        kind: outcome.kind.clone(),
        version: outcome.version,
        added: outcome.added,
        changed: outcome.changed,
        removed: outcome.removed,
        event_seq: outcome.event_seq,
    };
    remember(
        txn,
        &partner.id,
        &p.idempotency_key,
        fingerprint,
        now,
        stored,
    );
    Ok(outcome)
}
