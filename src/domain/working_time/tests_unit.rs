//! `WorkingTime` in stored milliseconds: the appointment date and the due
//! date after a supplement, each rule named with exact dates in a table
//! (default rules: 07:30–11:30, 13:00–17:00, cut-off 15:00; embedded
//! calendar).

use super::tests_clock::all_hold;
use super::*;
use crate::UnixMillis;
use time::macros::datetime;
use time::OffsetDateTime;

fn at(t: OffsetDateTime) -> UnixMillis {
    millis(t)
}

fn wt() -> WorkingTime {
    WorkingTime::default()
}

/// An appointment rule and one example: received at `received` with
/// `limit`, the appointment is `due`.
struct Appointment {
    rule: &'static str,
    received: OffsetDateTime,
    limit: TimeLimit,
    due: OffsetDateTime,
}

/// Mon 27/04/2026 is the day off for the Hùng Kings' anniversary (a
/// Sunday); Thu 30/04 and Fri 01/05 are holidays.
const APPOINTMENTS: &[Appointment] = &[
    Appointment {
        rule: "the appointment skips the compensatory day, 30/4 and 1/5",
        received: datetime!(2026-04-24 10:00 +7),
        limit: TimeLimit::WorkingDays(3),
        due: datetime!(2026-05-04 10:00 +7),
    },
    Appointment {
        rule: "received after the cut-off, counting starts the next working day",
        received: datetime!(2026-04-23 15:30 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-04-24 17:00 +7),
    },
    Appointment {
        rule: "received at the cut-off itself, counting starts the same day",
        received: datetime!(2026-04-23 15:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-04-24 15:00 +7),
    },
    Appointment {
        rule: "an appointment in working hours skips lunch",
        received: datetime!(2026-03-02 10:00 +7),
        limit: TimeLimit::WorkingHours(4),
        due: datetime!(2026-03-02 15:30 +7),
    },
];

#[test]
fn every_appointment_rule_gives_its_date() {
    all_hold(APPOINTMENTS, |case| {
        let got = wt().appointment(at(case.received), case.limit).unwrap();
        (got != at(case.due)).then(|| format!("{}: {got:?}, expected {}", case.rule, case.due))
    });
}

/// A resumption rule and one example: received at `received`, paused at
/// `paused` while due at `due_at_pause`, resumed at `resumed`: due `due`.
struct Resumption {
    rule: &'static str,
    received: OffsetDateTime,
    paused: OffsetDateTime,
    due_at_pause: OffsetDateTime,
    resumed: OffsetDateTime,
    due: OffsetDateTime,
}

/// The first three: received Mon 02/03/2026 08:00 with 5 working days, due
/// Mon 09/03 08:00, paused Wed 04/03 08:00 (2 days used). The last:
/// received Mon 02/03 16:00 (after the cut-off), so counting starts Tue
/// 07:30 and the pause at 16:30 the same evening used none of it.
const RESUMPTIONS: &[Resumption] = &[
    Resumption {
        rule: "a resumption restarts the clock with the days left (3, to Fri 09:00)",
        received: datetime!(2026-03-02 08:00 +7),
        paused: datetime!(2026-03-04 08:00 +7),
        due_at_pause: datetime!(2026-03-09 08:00 +7),
        resumed: datetime!(2026-03-10 09:00 +7),
        due: datetime!(2026-03-13 09:00 +7),
    },
    Resumption {
        rule: "a resumption after the cut-off restarts the next working day",
        received: datetime!(2026-03-02 08:00 +7),
        paused: datetime!(2026-03-04 08:00 +7),
        due_at_pause: datetime!(2026-03-09 08:00 +7),
        resumed: datetime!(2026-03-10 16:00 +7),
        due: datetime!(2026-03-13 17:00 +7),
    },
    Resumption {
        rule: "a dossier late before the pause keeps its original due date",
        received: datetime!(2026-03-02 08:00 +7),
        paused: datetime!(2026-03-04 08:00 +7),
        due_at_pause: datetime!(2026-03-03 08:00 +7),
        resumed: datetime!(2026-03-05 08:00 +7),
        due: datetime!(2026-03-03 08:00 +7),
    },
    Resumption {
        rule: "a pause before counting started keeps the whole limit",
        received: datetime!(2026-03-02 16:00 +7),
        paused: datetime!(2026-03-02 16:30 +7),
        due_at_pause: datetime!(2026-03-03 17:00 +7),
        resumed: datetime!(2026-03-04 08:00 +7),
        due: datetime!(2026-03-05 08:00 +7),
    },
];

#[test]
fn every_resumption_rule_gives_its_due_date() {
    all_hold(RESUMPTIONS, |case| {
        let (received, paused) = (at(case.received), at(case.paused));
        let got = wt()
            .due_after_resumption(received, paused, at(case.due_at_pause), at(case.resumed))
            .unwrap();
        (got != at(case.due)).then(|| format!("{}: {got:?}, expected {}", case.rule, case.due))
    });
}

#[test]
fn an_instant_outside_the_calendar_is_an_error_not_a_guess() {
    let err = wt()
        .appointment(
            at(datetime!(2031-03-02 08:00 +7)),
            TimeLimit::WorkingDays(1),
        )
        .unwrap_err();
    assert!(
        matches!(err, WorkingTimeError::YearNotCovered { year: 2031, .. }),
        "{err}"
    );
}
