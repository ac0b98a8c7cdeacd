//! Every name the hub uses in RabbitMQ, and how events are routed.
//!
//! Administrative codes contain dots (`1.000948.H38`), and a dot separates the
//! words of a topic routing key. So each code is one word with its dots turned
//! into underscores (codes never contain `_`, so this cannot collide), and an
//! absent code is the word `-`. An event's routing key is
//! `<event type>.<agency>.<procedure>`; the same values also travel as headers.

use crate::domain::{Event, EventType};
use crate::partners::SubscriptionFilter;

pub const COMMAND_ROUTING_KEY: &str = "command";
/// RabbitMQ's direct reply-to pseudo-queue; the broker turns it into
/// `amq.rabbitmq.reply-to.<opaque>`, which reaches only the sending channel.
pub const DIRECT_REPLY_TO: &str = "amq.rabbitmq.reply-to";

#[derive(Clone, Debug)]
pub struct Names {
    pub prefix: String,
    /// Topic exchange every event is published to.
    pub events: String,
    /// Direct exchange partners publish commands to.
    pub commands_exchange: String,
    /// Quorum queue the hub consumes commands from.
    pub commands_queue: String,
    /// Fanout exchange every dead letter goes to (by policy, or by the hub).
    pub dead_letters: String,
    /// Classic queue holding parked messages until an operator re-drives them.
    pub parked: String,
    /// Classic queue holding the ledger of the bindings the hub made.
    pub bindings_ledger: String,
}

impl Names {
    pub fn new(prefix: &str) -> Names {
        Names {
            prefix: prefix.to_string(),
            events: format!("{prefix}.events"),
            commands_exchange: format!("{prefix}.commands"),
            commands_queue: format!("{prefix}.commands"),
            dead_letters: format!("{prefix}.dlx"),
            parked: format!("{prefix}.parked"),
            bindings_ledger: format!("{prefix}.bindings"),
        }
    }

    /// The durable quorum queue of a partner that receives events over AMQP.
    pub fn partner_queue(&self, partner_id: &str) -> String {
        format!("{}.partner.{partner_id}", self.prefix)
    }

    /// The reply queue a partner names in `reply_to`: `<prefix>.reply.<id>`,
    /// or that name and one more word (`.<word>`, letters, digits, `-`, `_`).
    pub fn reply_queue(&self, partner_id: &str) -> String {
        format!("{}.reply.{partner_id}", self.prefix)
    }

    /// Whether the hub may answer `partner_id` on `reply_to`: its own reply
    /// queues, or the direct reply-to of the channel that sent the command.
    /// Partner ids hold no dot, so one partner's names never cover
    /// another's, and none of the hub's own queues has this form.
    pub fn may_reply_to(&self, partner_id: &str, reply_to: &str) -> bool {
        if let Some(channel) = reply_to.strip_prefix(DIRECT_REPLY_TO) {
            return channel.len() > 1 && channel.starts_with('.');
        }
        let own = self.reply_queue(partner_id);
        match reply_to.strip_prefix(own.as_str()) {
            Some("") => true,
            Some(rest) => rest.strip_prefix('.').is_some_and(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }),
            None => false,
        }
    }
}

/// One routing-key word for an administrative code.
pub fn word(code: &str) -> String {
    if code.is_empty() {
        "-".to_string()
    } else {
        code.replace('.', "_")
    }
}

/// The first word of the routing key of the portal's feedback events
/// (`EventType::is_citizen_feedback`): their keys have four words, so the
/// three-word bindings of partners that want every other event (`*.*.*`,
/// `*.<agency>.*`) never match them — only a partner that asks for them
/// binds `portal.<type>.<agency>.<procedure>`.
pub const CITIZEN_FEEDBACK_WORD: &str = "portal";

pub fn routing_key(event: &Event) -> String {
    let key = format!(
        "{}.{}.{}",
        event.event_type.as_str(),
        word(&event.agency_code),
        word(&event.procedure_code)
    );
    if event.event_type.is_citizen_feedback() {
        format!("{CITIZEN_FEEDBACK_WORD}.{key}")
    } else {
        key
    }
}

/// The further routing keys of an event (RabbitMQ's sender-selected
/// distribution, the `CC` header): a forward is routed under the agency it
/// left too, so the sender's queues bound by agency receive it. A queue that
/// matches both keys still gets one copy.
pub fn cc_routing_keys(event: &Event) -> Vec<String> {
    if event.from_agency_code.is_empty() || event.from_agency_code == event.agency_code {
        return Vec::new();
    }
    vec![format!(
        "{}.{}.{}",
        event.event_type.as_str(),
        word(&event.from_agency_code),
        word(&event.procedure_code)
    )]
}

/// The binding keys that deliver exactly what `filter` matches.
pub fn binding_keys(filter: &SubscriptionFilter) -> Vec<String> {
    let any = || vec!["*".to_string()];
    let named: Vec<EventType> = filter
        .event_types
        .iter()
        .copied()
        .filter(|t| !t.is_citizen_feedback())
        .collect();
    let types = if filter.event_types.is_empty() {
        any()
    } else {
        named.iter().map(|t| t.as_str().to_string()).collect()
    };
    let agencies = if filter.agencies.is_empty() {
        any()
    } else {
        filter.agencies.iter().map(|a| word(a)).collect()
    };
    let procedures = if filter.procedures.is_empty() {
        any()
    } else {
        filter.procedures.iter().map(|p| word(p)).collect()
    };
    let mut keys = Vec::new();
    for t in &types {
        for a in &agencies {
            for p in &procedures {
                keys.push(format!("{t}.{a}.{p}"));
            }
        }
    }
    // Catalogue events belong to no agency or procedure; the filter lets them
    // through whenever their type is wanted (see SubscriptionFilter::matches).
    let wants_catalogues =
        filter.event_types.is_empty() || filter.event_types.contains(&EventType::CatalogPublished);
    let narrowed = !filter.agencies.is_empty() || !filter.procedures.is_empty();
    if wants_catalogues && narrowed {
        keys.push(format!("{}.-.-", EventType::CatalogPublished.as_str()));
    }
    // The portal's feedback events, under their own first word. A
    // published answer has no procedure and may have no agency, which
    // the filter lets through (`SubscriptionFilter::matches`).
    for t in [EventType::DossierRated, EventType::AnswerPublished] {
        if !filter.wants_type(t) {
            continue;
        }
        let feedback = |a: &str, p: &str| format!("{CITIZEN_FEEDBACK_WORD}.{}.{a}.{p}", t.as_str());
        if t == EventType::AnswerPublished {
            for a in &agencies {
                keys.push(feedback(a, "-"));
            }
            if !filter.agencies.is_empty() {
                keys.push(feedback("-", "-"));
            }
        } else {
            for a in &agencies {
                for p in &procedures {
                    keys.push(feedback(a, p));
                }
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_codes_become_single_words() {
        assert_eq!(word("1.000948.H38"), "1_000948_H38");
        assert_eq!(word(""), "-");
        let filter = SubscriptionFilter {
            event_types: vec![EventType::DossierSubmitted],
            agencies: vec!["000.00.01.H22".into()],
            procedures: vec![],
            citizen_feedback: false,
        };
        assert_eq!(
            binding_keys(&filter),
            vec!["dossier_submitted.000_00_01_H22.*"]
        );
    }

    #[test]
    fn the_portals_feedback_is_routed_apart_and_bound_only_when_asked_for() {
        let mut event = crate::domain::Event {
            event_id: "e".into(),
            seq: 1,
            event_type: EventType::DossierRated,
            occurred_at: crate::domain::UnixMillis(0),
            partner_id: "module".into(),
            dossier_id: 1,
            ma_ho_so: "A-1".into(),
            dossier_version: 5,
            agency_code: "000.00.01.H22".into(),
            from_agency_code: String::new(),
            procedure_code: "1.000948.H38".into(),
            from_status: None,
            to_status: None,
            payload: crate::domain::EventPayload::CatalogPublished(
                crate::domain::CatalogPublished {
                    kind: "k".into(),
                    version: 1,
                    added: 0,
                    changed: 0,
                    removed: 0,
                },
            ),
        };
        // Four words: `*.*.*` (three) never matches it.
        assert_eq!(
            routing_key(&event),
            "portal.dossier_rated.000_00_01_H22.1_000948_H38"
        );
        event.event_type = EventType::DossierReceived;
        assert_eq!(
            routing_key(&event),
            "dossier_received.000_00_01_H22.1_000948_H38"
        );
        let everything = SubscriptionFilter::default();
        assert_eq!(binding_keys(&everything), vec!["*.*.*"]);
        let with_feedback = SubscriptionFilter {
            citizen_feedback: true,
            ..SubscriptionFilter::default()
        };
        assert_eq!(
            binding_keys(&with_feedback),
            vec![
                "*.*.*",
                "portal.dossier_rated.*.*",
                "portal.answer_published.*.-"
            ]
        );
        let one_agency = SubscriptionFilter {
            event_types: vec![EventType::AnswerPublished],
            agencies: vec!["000.00.01.H22".into()],
            procedures: vec![],
            citizen_feedback: false,
        };
        assert_eq!(
            binding_keys(&one_agency),
            vec![
                "portal.answer_published.000_00_01_H22.-",
                "portal.answer_published.-.-"
            ]
        );
    }

    #[test]
    fn partners_may_be_answered_only_on_their_own_reply_queues() {
        let names = Names::new("lt");
        for ok in [
            "lt.reply.buu-dien",
            "lt.reply.buu-dien.a1_b-2",
            "amq.rabbitmq.reply-to.g2dkAA",
        ] {
            assert!(names.may_reply_to("buu-dien", ok), "{ok}");
        }
        for refused in [
            "lt.partner.buu-dien",
            "lt.commands",
            "lt.parked",
            "lt.reply.buu-dien-2",
            "lt.reply.buu-dien.",
            "lt.reply.buu-dien.a.b",
            "lt.reply.mot-cua",
            "amq.gen-abc",
            "amq.rabbitmq.reply-to",
            "amq.rabbitmq.reply-to.",
            "",
        ] {
            assert!(!names.may_reply_to("buu-dien", refused), "{refused}");
        }
    }

    #[test]
    fn narrowed_filters_still_bind_catalogue_events() {
        let filter = SubscriptionFilter {
            event_types: vec![],
            agencies: vec!["000.00.01.H22".into()],
            procedures: vec![],
            citizen_feedback: false,
        };
        assert_eq!(
            binding_keys(&filter),
            vec!["*.000_00_01_H22.*", "catalog_published.-.-"]
        );
        assert_eq!(binding_keys(&SubscriptionFilter::default()), vec!["*.*.*"]);
    }

    #[test]
    fn a_forward_is_also_routed_under_the_agency_it_left() {
        let mut event = crate::domain::Event {
            event_id: "e".into(),
            seq: 1,
            event_type: EventType::DossierForwarded,
            occurred_at: crate::domain::UnixMillis(0),
            partner_id: "p".into(),
            dossier_id: 1,
            ma_ho_so: "000.00.01.H22-251122-00001".into(),
            dossier_version: 4,
            agency_code: "000.00.02.H22".into(),
            from_agency_code: "000.00.01.H22".into(),
            procedure_code: "1.000948.H38".into(),
            from_status: None,
            to_status: None,
            payload: crate::domain::EventPayload::CatalogPublished(
                crate::domain::CatalogPublished {
                    kind: String::new(),
                    version: 0,
                    added: 0,
                    changed: 0,
                    removed: 0,
                },
            ),
        };
        assert_eq!(
            routing_key(&event),
            "dossier_forwarded.000_00_02_H22.1_000948_H38"
        );
        assert_eq!(
            cc_routing_keys(&event),
            vec!["dossier_forwarded.000_00_01_H22.1_000948_H38"]
        );
        event.from_agency_code.clear();
        assert!(cc_routing_keys(&event).is_empty());
    }
}
