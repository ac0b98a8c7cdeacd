//! The site rules without a hub: holds after hand-overs, what goes to
//! which peer, the message format, and how a receiver judges a transfer.

use super::*;
use crate::fixtures::new_dossier;
use crate::machine::{create, Actor};
use crate::{Event, EventPayload, EventType, UnixMillis};

fn map(code: &str, peers: &[(&str, &[&str])]) -> SiteMap {
    SiteMap {
        code: code.into(),
        peers: peers
            .iter()
            .map(|(c, a)| PeerSite {
                code: (*c).into(),
                agencies: a.iter().map(|s| (*s).into()).collect(),
                national: false,
            })
            .collect(),
        national: false,
    }
}

fn dossier(hold: Option<SiteHold>, version: u64) -> Dossier {
    let who = Actor {
        partner_id: "so-a",
        actor: "",
        unit: "",
        now: UnixMillis(1_700_000_000_000),
    };
    let mut d = create(&new_dossier(), 7, "000.00.01.H22-250101-00001".into(), &who).dossier;
    d.site = hold;
    d.version = version;
    d
}

fn event(d: &Dossier, kind: EventType, partner: &str) -> Event {
    let entry = create(
        &new_dossier(),
        7,
        d.ma_ho_so.clone(),
        &Actor {
            partner_id: partner,
            actor: "",
            unit: "",
            now: UnixMillis(1),
        },
    )
    .entry;
    Event {
        event_id: "e1".into(),
        seq: 9,
        event_type: kind,
        occurred_at: UnixMillis(1),
        partner_id: partner.into(),
        dossier_id: d.id,
        ma_ho_so: d.ma_ho_so.clone(),
        dossier_version: d.version,
        agency_code: d.agency_code.clone(),
        from_agency_code: String::new(),
        procedure_code: d.procedure_code.clone(),
        from_status: None,
        to_status: None,
        payload: EventPayload::DossierChanged {
            dossier: Box::new(d.clone()),
            entry,
        },
    }
}

#[test]
fn a_hand_over_moves_the_authority_and_leaves_copies_behind() {
    let first = SiteHold::handed_over(None, "H22", "BXD");
    assert_eq!(first.authority, "BXD");
    assert_eq!(first.origin, "H22");
    assert_eq!(first.copies, vec!["H22".to_string()]);
    // Onwards from the ministry to another province, then back home.
    let second = SiteHold::handed_over(Some(&first), "BXD", "H29");
    assert_eq!(second.copies, vec!["H22".to_string(), "BXD".to_string()]);
    let home = SiteHold::handed_over(Some(&second), "H29", "H22");
    assert_eq!(home.authority, "H22");
    assert_eq!(home.origin, "H22");
    assert_eq!(home.copies, vec!["BXD".to_string(), "H29".to_string()]);
}

#[test]
fn agencies_belong_to_the_peer_that_lists_them() {
    let sites = map("H22", &[("BXD", &["000.00.00.G12"])]);
    assert_eq!(sites.site_of_agency("000.00.00.G12"), Some("BXD"));
    assert_eq!(sites.site_of_agency("000.00.01.H22"), None);
    assert!(sites.decides(&dossier(None, 1)));
    assert!(!sites.decides(&dossier(Some(SiteHold::handed_over(None, "H22", "BXD")), 3)));
}

#[test]
fn a_forward_to_a_peer_is_a_handover_and_later_changes_go_to_the_copies() {
    let handed = dossier(Some(SiteHold::handed_over(None, "H22", "BXD")), 4);
    let forward = event(&handed, EventType::DossierForwarded, "so-a");
    assert_eq!(
        outgoing(&forward, "H22", "BXD", false),
        Some(Outgoing::Handover)
    );
    assert_eq!(outgoing(&forward, "H22", "H29", false), None);
    // At the ministry, its own changes go back to the province...
    let change = event(&handed, EventType::ProcessingStarted, "bo-xd");
    assert_eq!(
        outgoing(&change, "BXD", "H22", false),
        Some(Outgoing::Change)
    );
    // ...but what the province itself sent is not echoed to it.
    let arrived = event(&handed, EventType::DossierForwarded, "site.H22");
    assert_eq!(outgoing(&arrived, "BXD", "H22", false), None);
    // A dossier that never left its hub goes nowhere.
    let local = event(&dossier(None, 2), EventType::DossierReceived, "so-a");
    assert_eq!(outgoing(&local, "H22", "BXD", false), None);
}

#[test]
fn messages_round_trip_and_refuse_another_format() {
    let message = SiteMessage::Ack(SiteAck {
        from_site: "BXD".into(),
        seq: 12,
        event_id: "e".into(),
        refused: None,
    });
    assert_eq!(SiteMessage::decode(&message.encode()).unwrap(), message);
    let refusal = SiteMessage::Ack(SiteAck {
        refused: Some("site H01 is not a peer".into()),
        ..match message.clone() {
            SiteMessage::Ack(ack) => ack,
            _ => unreachable!(),
        }
    });
    assert_eq!(SiteMessage::decode(&refusal.encode()).unwrap(), refusal);
    // An acknowledgement as hubs wrote it before refusals were answered.
    let older = br#"{"format":1,"kind":"ack","from_site":"BXD","seq":12,"event_id":"e"}"#;
    assert_eq!(SiteMessage::decode(older).unwrap(), message);
    let other = br#"{"format":2,"kind":"ack","from_site":"BXD","seq":1,"event_id":"e"}"#;
    let error = SiteMessage::decode(other).unwrap_err();
    assert!(error.contains("format 2"), "{error}");
    assert!(SiteMessage::decode(b"{}").is_err());
}

fn transfer(from: &str, d: Dossier) -> Transfer {
    Transfer {
        from_site: from.into(),
        event_id: "e".into(),
        seq: 3,
        event_type: EventType::DossierForwarded,
        from_agency_code: String::new(),
        history: vec![event(&d, EventType::DossierForwarded, "x").payload_entry()],
        dossier: d,
    }
}

impl Event {
    fn payload_entry(&self) -> HistoryEntry {
        match &self.payload {
            EventPayload::DossierChanged { entry, .. } => entry.clone(),
            _ => unreachable!(),
        }
    }
}

#[test]
fn a_receiver_takes_what_is_newer_and_drops_what_it_holds() {
    let ministry = map("BXD", &[("H22", &[])]);
    let handed = dossier(Some(SiteHold::handed_over(None, "H22", "BXD")), 4);
    let t = transfer("H22", handed.clone());
    assert_eq!(
        judge(&ministry, true, &t, None),
        Ok(Judgement::Take { after_version: 0 })
    );
    assert_eq!(
        judge(&ministry, true, &t, Some(&handed)),
        Ok(Judgement::Duplicate)
    );
    // From a site that is no peer, or meant for another site: refused.
    let stranger = transfer("H01", handed.clone());
    assert!(matches!(
        judge(&ministry, true, &stranger, None),
        Err(SiteRefusal::UnknownPeer { .. })
    ));
    let province = map("H29", &[("H22", &[])]);
    let error = judge(&province, true, &t, None).unwrap_err();
    assert!(error.to_string().contains("site BXD"), "{error}");

    // Back at the province: the ministry's change of version 5 is taken
    // after the 4 the province holds, once.
    let h22 = map("H22", &[("BXD", &[])]);
    let mut changed = handed.clone();
    changed.version = 5;
    let change = transfer("BXD", changed.clone());
    assert_eq!(
        judge(&h22, false, &change, Some(&handed)),
        Ok(Judgement::Take { after_version: 4 })
    );
    assert_eq!(
        judge(&h22, false, &change, Some(&changed)),
        Ok(Judgement::Duplicate)
    );
    assert!(matches!(
        judge(&h22, false, &change, None),
        Err(SiteRefusal::NoCopy { .. })
    ));
}

#[test]
fn the_national_level_hears_every_change_and_keeps_a_view() {
    // A province reports every change of the dossiers it decides to the
    // national peer, copy or not.
    let local = dossier(Some(SiteHold::filed_at("H22")), 2);
    let received = event(&local, EventType::DossierReceived, "so-a");
    assert_eq!(
        outgoing(&received, "H22", "QG", true),
        Some(Outgoing::Change)
    );
    assert_eq!(outgoing(&received, "H22", "QG", false), None);
    // The national hub takes it without a copy; another hub does not.
    let mut national = map("QG", &[("H22", &[])]);
    national.national = true;
    let report = transfer("H22", local.clone());
    assert_eq!(
        judge(&national, false, &report, None),
        Ok(Judgement::Take { after_version: 0 })
    );
    assert_eq!(
        judge(&national, false, &report, Some(&local)),
        Ok(Judgement::Duplicate)
    );
    let province = map("H29", &[("H22", &[])]);
    assert!(matches!(
        judge(&province, false, &report, None),
        Err(SiteRefusal::NoCopy { .. })
    ));
}

/// A transfer of `d` whose history lines are of these versions.
fn transfer_with_lines(from: &str, d: Dossier, versions: &[u64]) -> Transfer {
    let mut t = transfer(from, d);
    let line = t.history[0].clone();
    t.history = versions
        .iter()
        .map(|v| HistoryEntry {
            version: *v,
            ..line.clone()
        })
        .collect();
    t
}

#[test]
fn a_change_after_a_gap_waits_for_the_missing_ones_unless_it_is_whole() {
    // The province holds version 2 of a dossier the ministry decides.
    let h22 = map("H22", &[("BXD", &[])]);
    let hold = SiteHold::handed_over(None, "H22", "BXD");
    let held = dossier(Some(hold.clone()), 2);
    // Version 4 alone: version 3 never arrived. Nothing is taken.
    let skipping = transfer_with_lines("BXD", dossier(Some(hold.clone()), 4), &[4]);
    assert_eq!(
        judge(&h22, false, &skipping, Some(&held)),
        Ok(Judgement::Gap { held: 2, first: 4 })
    );
    // The next one in line is taken.
    let next = transfer_with_lines("BXD", dossier(Some(hold.clone()), 3), &[3]);
    assert_eq!(
        judge(&h22, false, &next, Some(&held)),
        Ok(Judgement::Take { after_version: 2 })
    );
    // Sent again whole (from version 1), the skipping one fills the gap.
    let whole = transfer_with_lines("BXD", dossier(Some(hold.clone()), 4), &[1, 2, 3, 4]);
    assert_eq!(
        judge(&h22, false, &whole, Some(&held)),
        Ok(Judgement::Take { after_version: 2 })
    );
    // A whole history that itself lacks a line is taken as it is: nothing
    // better will come.
    let holed = transfer_with_lines("BXD", dossier(Some(hold), 4), &[1, 2, 4]);
    assert_eq!(
        judge(&h22, false, &holed, Some(&held)),
        Ok(Judgement::Take { after_version: 2 })
    );

    // The national level hears first of a dossier at its version 2: the
    // report of version 1 was lost on the way, so it waits for it too.
    let mut national = map("QG", &[("H22", &[])]);
    national.national = true;
    let own = dossier(Some(SiteHold::filed_at("H22")), 2);
    let late = transfer_with_lines("H22", own.clone(), &[2]);
    assert_eq!(
        judge(&national, false, &late, None),
        Ok(Judgement::Gap { held: 0, first: 2 })
    );
    let again = transfer_with_lines("H22", own, &[1, 2]);
    assert_eq!(
        judge(&national, false, &again, None),
        Ok(Judgement::Take { after_version: 0 })
    );
}
