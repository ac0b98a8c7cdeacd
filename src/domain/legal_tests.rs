//! The registry's own rules: every reference names a text it holds, every
//! step of the table has grounds, replacements chain to an end, and a table
//! that follows a replaced text says what replaced it.

use super::*;
use crate::machine::TRANSITIONS;

fn named(number: &str) -> bool {
    number == PROTOCOL || text(number).is_some()
}

fn every_basis() -> impl Iterator<Item = (&'static str, &'static Basis)> {
    let tables = TABLES
        .iter()
        .flat_map(|t| t.bases.iter().map(move |b| (t.name, b)));
    let commands = CommandName::ALL
        .iter()
        .flat_map(|c| command_basis(*c).iter().map(|b| (c.as_str(), b)));
    tables.chain(commands)
}

#[test]
fn every_reference_names_a_text_of_the_registry() {
    for (whose, b) in every_basis() {
        assert!(
            named(b.text),
            "{whose} cites {}, which TEXTS does not hold",
            b.text
        );
        assert!(
            !b.provision.is_empty(),
            "{whose} cites {} without a provision",
            b.text
        );
    }
    for t in TEXTS {
        for other in t.replaces.iter().chain(t.amends) {
            assert!(
                text(other).is_some(),
                "{} names {other}, which TEXTS does not hold",
                t.number
            );
        }
        assert!(
            !t.source.is_empty(),
            "{} does not say where it is known from",
            t.number
        );
    }
}

#[test]
fn every_step_of_the_table_and_submission_is_grounded() {
    let mut commands: Vec<CommandName> = TRANSITIONS.iter().map(|t| t.command).collect();
    commands.push(CommandName::Submit);
    for c in commands {
        assert!(
            !command_basis(c).is_empty(),
            "{} has no legal basis",
            c.as_str()
        );
    }
}

#[test]
fn the_registry_knows_what_replaced_what() {
    assert!(!in_force("61/2018/NĐ-CP"));
    assert!(
        !in_force("107/2021/NĐ-CP"),
        "an amendment of a replaced decree goes with it"
    );
    assert_eq!(
        current_for("61/2018/NĐ-CP").unwrap().number,
        "118/2025/NĐ-CP"
    );
    assert_eq!(
        current_for("107/2021/NĐ-CP").unwrap().number,
        "118/2025/NĐ-CP"
    );
    assert_eq!(
        current_for("22/2019/TT-BTTTT").unwrap().number,
        "21/2023/TT-BTTTT"
    );
    assert!(in_force("21/2023/TT-BTTTT"));
    assert!(in_force("11/2025/TT-BKHCN"));
    assert_eq!(
        amended_by("21/2023/TT-BTTTT")
            .map(|t| t.number)
            .collect::<Vec<_>>(),
        ["11/2025/TT-BKHCN"]
    );
    assert!(current_for("no such text").is_none());
}

#[test]
fn replacement_chains_end() {
    for t in TEXTS {
        let mut at = t.number;
        for _ in 0..=TEXTS.len() {
            match replaced_by(at) {
                Some(next) => at = next.number,
                None => break,
            }
        }
        assert!(
            replaced_by(at).is_none(),
            "{} is in a replacement cycle",
            t.number
        );
    }
}

/// A table may follow a text that was replaced (the article numbers of the
/// new one were not at hand), but it must then say what replaced it.
#[test]
fn a_table_grounded_in_a_replaced_text_names_its_successor() {
    for table in TABLES {
        for b in table.bases.iter().filter(|b| b.text != PROTOCOL) {
            let now = current_for(b.text).unwrap();
            if now.number == b.text {
                continue;
            }
            assert!(
                table.current.contains(
                    now.number
                        .split('/')
                        .take(2)
                        .collect::<Vec<_>>()
                        .join("/")
                        .as_str()
                ),
                "{} follows {} but its note on the texts in force does not name {}",
                table.name,
                b.text,
                now.number
            );
        }
    }
}

#[test]
fn what_was_read_is_said_apart_from_what_was_not() {
    assert_eq!(text("22/2019/TT-BTTTT").unwrap().checked, Checked::Read);
    assert_eq!(text("118/2025/NĐ-CP").unwrap().checked, Checked::Cited);
    assert_eq!(Checked::NotAtHand.describe(), "text not at hand");
}
