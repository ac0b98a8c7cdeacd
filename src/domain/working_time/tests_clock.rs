//! Counting rules, each named, with exact dates: a row of `RULES` where a
//! due date shows the rule, a test of its own where it takes more. Default
//! rules: sessions 07:30–11:30 and 13:00–17:00 (8 hours a day), cut-off
//! 15:00, near due in the last 2 working days; the embedded Vietnamese
//! calendar.

use super::*;
use time::macros::datetime;
use time::OffsetDateTime;

fn due(received: OffsetDateTime, limit: TimeLimit) -> OffsetDateTime {
    due_under(&WorkingRules::default(), received, limit)
}

fn due_under(rules: &WorkingRules, received: OffsetDateTime, limit: TimeLimit) -> OffsetDateTime {
    due_date(received, limit, &HolidayCalendar::embedded_vn(), rules).unwrap()
}

fn clock(received: OffsetDateTime, events: &[ClockEvent], limit: TimeLimit) -> ClockReading {
    read_clock(
        received,
        events,
        limit,
        &HolidayCalendar::embedded_vn(),
        &WorkingRules::default(),
    )
    .unwrap()
}

/// The due date of a clock that must be running.
fn running_due(
    received: OffsetDateTime,
    events: &[ClockEvent],
    limit: TimeLimit,
) -> OffsetDateTime {
    match clock(received, events, limit) {
        ClockReading::Running { due } => due,
        other => panic!("expected a running clock, got {other:?}"),
    }
}

fn status(reading: &ClockReading, now: OffsetDateTime) -> DeadlineStatus {
    deadline_status(
        reading,
        now,
        &HolidayCalendar::embedded_vn(),
        &WorkingRules::default(),
    )
    .unwrap()
}

const DAY: i64 = 8 * 3600;

/// A counting rule and one example of it: `limit` counted from `received`
/// falls due at `due`.
struct Rule {
    name: &'static str,
    received: OffsetDateTime,
    limit: TimeLimit,
    due: OffsetDateTime,
}

const RULES: &[Rule] = &[
    Rule {
        name: "a working-day limit lands at the same time the next working day",
        received: datetime!(2026-03-09 09:00 +7), // Monday
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-10 09:00 +7),
    },
    Rule {
        name: "the weekend is skipped (Friday + 1 working day: Monday)",
        received: datetime!(2026-03-06 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-09 09:00 +7),
    },
    Rule {
        name: "Tết is skipped (Friday 13/02/2026 + 2; Tết runs 16–20/02)",
        received: datetime!(2026-02-13 10:00 +7),
        limit: TimeLimit::WorkingDays(2),
        due: datetime!(2026-02-24 10:00 +7),
    },
    Rule {
        name: "fixed holidays are skipped (29/04/2026 + 1: 30/04, 01/05, weekend)",
        received: datetime!(2026-04-29 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-05-04 09:00 +7),
    },
    Rule {
        name: "a compensatory day is skipped (Hùng Kings on Sunday, off Monday 27/04)",
        received: datetime!(2026-04-24 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-04-28 09:00 +7),
    },
    Rule {
        name: "a swapped day is skipped (31/12/2025 + 1: 01/01 off, 02/01 swapped)",
        received: datetime!(2025-12-31 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-01-05 09:00 +7),
    },
    Rule {
        name: "an announced working Saturday counts (10/01/2026 pays back 02/01)",
        received: datetime!(2026-01-09 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-01-10 09:00 +7),
    },
    Rule {
        name: "an announced working Saturday counts (26/04/2025 likewise)",
        received: datetime!(2025-04-25 09:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2025-04-26 09:00 +7),
    },
    Rule {
        name: "at the 15:00 cut-off itself counting starts now (2 h today, 6 h tomorrow)",
        received: datetime!(2026-03-09 15:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-10 15:00 +7),
    },
    Rule {
        name: "after the afternoon cut-off counting starts the next working day",
        received: datetime!(2026-03-09 15:00:01 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-10 17:00 +7),
    },
    Rule {
        name: "a reception on a Saturday (filed online) counts from Monday morning",
        received: datetime!(2026-03-07 10:00 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-09 17:00 +7),
    },
    Rule {
        name: "a limit in hours skips lunch (11:00 + 2 h: 30 min before, 90 min after)",
        received: datetime!(2026-03-09 11:00 +7),
        limit: TimeLimit::WorkingHours(2),
        due: datetime!(2026-03-09 14:30 +7),
    },
    Rule {
        name: "a limit in hours skips nights (Monday 10:00 + 20 h: 5.5 + 8 + 6.5 h)",
        received: datetime!(2026-03-09 10:00 +7),
        limit: TimeLimit::WorkingHours(20),
        due: datetime!(2026-03-11 15:30 +7),
    },
    Rule {
        name: "hours run out at the end of a session, not the start of the next",
        received: datetime!(2026-03-09 07:30 +7),
        limit: TimeLimit::WorkingHours(4),
        due: datetime!(2026-03-09 11:30 +7),
    },
    Rule {
        name: "a day runs out at the end of a session, not the start of the next",
        received: datetime!(2026-03-09 07:30 +7),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-09 17:00 +7),
    },
    Rule {
        name: "an instant in another offset is counted in Vietnam time (02:00 UTC)",
        received: datetime!(2026-03-09 02:00 UTC),
        limit: TimeLimit::WorkingDays(1),
        due: datetime!(2026-03-10 09:00 +7),
    },
];

/// Fails naming every case `wrong` finds broken (it says how), not only
/// the first.
pub(super) fn all_hold<C>(cases: &[C], wrong: impl Fn(&C) -> Option<String>) {
    let broken: Vec<String> = cases.iter().filter_map(wrong).collect();
    assert!(broken.is_empty(), "broken rules:\n{}", broken.join("\n"));
}

#[test]
fn every_counting_rule_gives_its_due_date() {
    all_hold(RULES, |rule| {
        let got = due(rule.received, rule.limit);
        (got != rule.due).then(|| format!("{}: due {got}, expected {}", rule.name, rule.due))
    });
}

#[test]
fn a_reception_outside_working_hours_counts_from_the_next_working_time() {
    let calendar = HolidayCalendar::embedded_vn();
    let rules = WorkingRules::default();
    for (when, received, starts) in [
        (
            "before opening: this morning's session",
            datetime!(2026-03-09 06:00 +7),
            datetime!(2026-03-09 07:30 +7),
        ),
        (
            "in the lunch break: the afternoon session",
            datetime!(2026-03-09 12:00 +7),
            datetime!(2026-03-09 13:00 +7),
        ),
        (
            "in the evening: the next working day",
            datetime!(2026-03-09 19:00 +7),
            datetime!(2026-03-10 07:30 +7),
        ),
    ] {
        assert_eq!(
            counting_starts_at(received, &calendar, &rules).unwrap(),
            starts,
            "{when}"
        );
    }
}

#[test]
fn a_supplement_request_stops_the_clock_and_resubmission_restarts_it_with_the_days_left() {
    let received = datetime!(2026-03-02 09:00 +7); // Monday, 5 working days
    let paused = datetime!(2026-03-04 09:00 +7); // Wednesday: 2 days used
    let resumed = datetime!(2026-03-16 10:00 +7); // Monday, two weeks later
    let reading = clock(
        received,
        &[ClockEvent::Paused(paused)],
        TimeLimit::WorkingDays(5),
    );
    assert_eq!(
        reading,
        ClockReading::Paused {
            since: paused,
            remaining: WorkingDuration::from_seconds(3 * DAY),
            overdue_since: None,
        }
    );
    let events = [ClockEvent::Paused(paused), ClockEvent::Resumed(resumed)];
    assert_eq!(
        running_due(received, &events, TimeLimit::WorkingDays(5)),
        datetime!(2026-03-19 10:00 +7)
    );
}

#[test]
fn a_resubmission_after_the_cutoff_restarts_the_next_working_day() {
    let events = [
        ClockEvent::Paused(datetime!(2026-03-04 09:00 +7)),
        ClockEvent::Resumed(datetime!(2026-03-16 16:00 +7)),
    ];
    // 3 days from Tuesday 07:30: to the end of Thursday.
    assert_eq!(
        running_due(
            datetime!(2026-03-02 09:00 +7),
            &events,
            TimeLimit::WorkingDays(5)
        ),
        datetime!(2026-03-19 17:00 +7)
    );
}

#[test]
fn a_pause_spanning_holidays_keeps_the_time_left_and_a_second_pause_adds_up() {
    // Tuesday 28/04/2026, 3 days; paused Wednesday 09:00 (1 day used) over
    // 30/04–01/05 and the weekend; resumed Monday 04/05 09:00.
    let received = datetime!(2026-04-28 09:00 +7);
    let events = [
        ClockEvent::Paused(datetime!(2026-04-29 09:00 +7)),
        ClockEvent::Resumed(datetime!(2026-05-04 09:00 +7)),
    ];
    assert_eq!(
        running_due(received, &events, TimeLimit::WorkingDays(3)),
        datetime!(2026-05-06 09:00 +7)
    );
    // A second pause on Tuesday 09:00 (1 more day used) leaves 1 day.
    let mut more = events.to_vec();
    more.push(ClockEvent::Paused(datetime!(2026-05-05 09:00 +7)));
    assert!(matches!(
        clock(received, &more, TimeLimit::WorkingDays(3)),
        ClockReading::Paused { remaining, .. } if remaining.seconds() == DAY
    ));
}

#[test]
fn near_due_in_the_last_working_days_and_overdue_once_past() {
    // Monday 02/03/2026 09:00 + 5 days: due Monday 09/03 09:00.
    let reading = clock(
        datetime!(2026-03-02 09:00 +7),
        &[],
        TimeLimit::WorkingDays(5),
    );
    let due = datetime!(2026-03-09 09:00 +7);
    assert_eq!(reading, ClockReading::Running { due });
    let left = WorkingDuration::from_seconds;
    for (when, now, expected) in [
        (
            "3 days left: on time",
            datetime!(2026-03-04 09:00 +7),
            DeadlineStatus::OnTime {
                due,
                remaining: left(3 * DAY),
            },
        ),
        (
            "2 days left: near due",
            datetime!(2026-03-05 09:00 +7),
            DeadlineStatus::NearDue {
                due,
                remaining: left(2 * DAY),
            },
        ),
        (
            "Saturday: only Monday 07:30–09:00 is left",
            datetime!(2026-03-07 12:00 +7),
            DeadlineStatus::NearDue {
                due,
                remaining: left(90 * 60),
            },
        ),
        (
            "at the due instant it is not late yet",
            due,
            DeadlineStatus::NearDue {
                due,
                remaining: WorkingDuration::ZERO,
            },
        ),
        (
            "one second after, it is",
            datetime!(2026-03-09 09:00:01 +7),
            DeadlineStatus::Overdue { due },
        ),
    ] {
        assert_eq!(status(&reading, now), expected, "{when}");
    }
}

#[test]
fn a_paused_dossier_is_neither_near_due_nor_overdue_unless_it_was_late_before_the_pause() {
    let on_time = clock(
        datetime!(2026-03-02 09:00 +7),
        &[ClockEvent::Paused(datetime!(2026-03-04 09:00 +7))],
        TimeLimit::WorkingDays(5),
    );
    assert_eq!(
        status(&on_time, datetime!(2026-04-01 09:00 +7)),
        DeadlineStatus::Paused {
            remaining: WorkingDuration::from_seconds(3 * DAY)
        }
    );
    // Due Tuesday 03/03 09:00, paused Tuesday evening: late from 09:00, and
    // resuming does not give it a new date.
    let late_due = datetime!(2026-03-03 09:00 +7);
    let events = [
        ClockEvent::Paused(datetime!(2026-03-03 18:00 +7)),
        ClockEvent::Resumed(datetime!(2026-03-10 09:00 +7)),
    ];
    let late = clock(
        datetime!(2026-03-02 09:00 +7),
        &events[..1],
        TimeLimit::WorkingDays(1),
    );
    assert_eq!(
        status(&late, datetime!(2026-03-04 09:00 +7)),
        DeadlineStatus::Overdue { due: late_due }
    );
    assert_eq!(
        running_due(
            datetime!(2026-03-02 09:00 +7),
            &events,
            TimeLimit::WorkingDays(1)
        ),
        late_due
    );
}

#[test]
fn a_clock_history_out_of_order_is_refused_naming_the_event() {
    let calendar = HolidayCalendar::embedded_vn();
    let rules = WorkingRules::default();
    let read = |events: &[ClockEvent]| {
        read_clock(
            datetime!(2026-03-02 09:00 +7),
            events,
            TimeLimit::WorkingDays(5),
            &calendar,
            &rules,
        )
    };
    assert!(matches!(
        read(&[ClockEvent::Resumed(datetime!(2026-03-03 09:00 +7))]),
        Err(WorkingTimeError::History { key, .. }) if key == "events[0]"
    ));
    assert!(matches!(
        read(&[
            ClockEvent::Paused(datetime!(2026-03-03 09:00 +7)),
            ClockEvent::Paused(datetime!(2026-03-04 09:00 +7)),
        ]),
        Err(WorkingTimeError::History { key, .. }) if key == "events[1]"
    ));
    assert!(matches!(
        read(&[ClockEvent::Paused(datetime!(2026-03-01 09:00 +7))]),
        Err(WorkingTimeError::History { key, rule }) if key == "events[0]" && rule.contains("before")
    ));
}

#[test]
fn counting_into_a_year_the_calendar_does_not_cover_is_an_error() {
    let result = due_date(
        datetime!(2027-12-30 09:00 +7),
        TimeLimit::WorkingDays(5),
        &HolidayCalendar::embedded_vn(),
        &WorkingRules::default(),
    );
    assert!(matches!(
        result,
        Err(WorkingTimeError::YearNotCovered { year: 2028, .. })
    ));
}

#[test]
fn working_hours_come_from_the_rules() {
    // A unit open 08:00–12:00 and 13:30–17:30 with a 16:00 cut-off.
    use time::macros::time;
    let rules = WorkingRules::new(
        vec![
            Session {
                start: time!(08:00),
                end: time!(12:00),
            },
            Session {
                start: time!(13:30),
                end: time!(17:30),
            },
        ],
        time!(16:00),
        1,
    )
    .unwrap();
    let hours = TimeLimit::WorkingHours(2);
    assert_eq!(
        due_under(&rules, datetime!(2026-03-09 11:00 +7), hours),
        datetime!(2026-03-09 14:30 +7)
    );
    // 15:30 is before this unit's cut-off: counting starts now.
    let day = TimeLimit::WorkingDays(1);
    assert_eq!(
        due_under(&rules, datetime!(2026-03-09 15:30 +7), day),
        datetime!(2026-03-10 15:30 +7)
    );
    assert!(matches!(
        WorkingRules::new(vec![], time!(15:00), 1),
        Err(WorkingTimeError::Rules { key, .. }) if key == "sessions"
    ));
}
