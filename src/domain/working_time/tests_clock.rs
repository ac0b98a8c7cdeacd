//! Counting rules, one test each, with exact dates. Default rules: sessions
//! 07:30–11:30 and 13:00–17:00 (8 hours a day), cut-off 15:00, near due in
//! the last 2 working days; the embedded Vietnamese calendar.

use super::*;
use time::macros::datetime;
use time::OffsetDateTime;

fn due(received: OffsetDateTime, limit: TimeLimit) -> OffsetDateTime {
    due_date(
        received,
        limit,
        &HolidayCalendar::embedded_vn(),
        &WorkingRules::default(),
    )
    .unwrap()
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

#[test]
fn a_working_day_limit_lands_at_the_same_time_the_next_working_day() {
    // Monday 09:00 + 1 working day.
    assert_eq!(
        due(datetime!(2026-03-09 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-10 09:00 +7)
    );
}

#[test]
fn the_weekend_is_skipped() {
    // Friday 09:00 + 1 working day: Monday.
    assert_eq!(
        due(datetime!(2026-03-06 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-09 09:00 +7)
    );
}

#[test]
fn tet_is_skipped() {
    // Friday 13/02/2026 10:00 + 2 working days: Tết runs 16–20/02.
    assert_eq!(
        due(datetime!(2026-02-13 10:00 +7), TimeLimit::WorkingDays(2)),
        datetime!(2026-02-24 10:00 +7)
    );
}

#[test]
fn fixed_holidays_are_skipped() {
    // Wednesday 29/04/2026 + 1: 30/04 and 01/05 off, then the weekend.
    assert_eq!(
        due(datetime!(2026-04-29 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-05-04 09:00 +7)
    );
}

#[test]
fn a_compensatory_day_is_skipped() {
    // Friday 24/04/2026 + 1: Hùng Kings on Sunday, compensated Monday 27/04.
    assert_eq!(
        due(datetime!(2026-04-24 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-04-28 09:00 +7)
    );
}

#[test]
fn a_swapped_day_is_skipped() {
    // Wednesday 31/12/2025 + 1: 01/01 off, 02/01 swapped off, weekend.
    assert_eq!(
        due(datetime!(2025-12-31 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-01-05 09:00 +7)
    );
}

#[test]
fn an_announced_working_saturday_counts() {
    // Friday 09/01/2026 + 1: Saturday 10/01 is worked to pay back 02/01.
    assert_eq!(
        due(datetime!(2026-01-09 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-01-10 09:00 +7)
    );
    // Friday 25/04/2025 + 1: Saturday 26/04/2025 likewise.
    assert_eq!(
        due(datetime!(2025-04-25 09:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2025-04-26 09:00 +7)
    );
}

#[test]
fn after_the_afternoon_cutoff_counting_starts_the_next_working_day() {
    // 15:00 itself still counts from now: 2 h today, 6 h tomorrow.
    assert_eq!(
        due(datetime!(2026-03-09 15:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-10 15:00 +7)
    );
    // 15:00:01 counts from Tuesday 07:30, so one day ends Tuesday 17:00.
    assert_eq!(
        due(datetime!(2026-03-09 15:00:01 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-10 17:00 +7)
    );
}

#[test]
fn a_reception_outside_working_hours_counts_from_the_next_working_time() {
    let calendar = HolidayCalendar::embedded_vn();
    let rules = WorkingRules::default();
    let start = |t| counting_starts_at(t, &calendar, &rules).unwrap();
    // Before opening: this morning's session.
    assert_eq!(
        start(datetime!(2026-03-09 06:00 +7)),
        datetime!(2026-03-09 07:30 +7)
    );
    // In the lunch break: the afternoon session.
    assert_eq!(
        start(datetime!(2026-03-09 12:00 +7)),
        datetime!(2026-03-09 13:00 +7)
    );
    // In the evening: the next working day.
    assert_eq!(
        start(datetime!(2026-03-09 19:00 +7)),
        datetime!(2026-03-10 07:30 +7)
    );
    // On a Saturday (filed online): Monday morning.
    assert_eq!(
        due(datetime!(2026-03-07 10:00 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-09 17:00 +7)
    );
}

#[test]
fn a_limit_in_hours_skips_lunch_and_nights() {
    // 11:00 + 2 h: 30 min before lunch, 90 min after.
    assert_eq!(
        due(datetime!(2026-03-09 11:00 +7), TimeLimit::WorkingHours(2)),
        datetime!(2026-03-09 14:30 +7)
    );
    // Monday 10:00 + 20 h: 5.5 h Monday, 8 h Tuesday, 6.5 h Wednesday.
    assert_eq!(
        due(datetime!(2026-03-09 10:00 +7), TimeLimit::WorkingHours(20)),
        datetime!(2026-03-11 15:30 +7)
    );
}

#[test]
fn time_runs_out_at_the_end_of_a_session_not_the_start_of_the_next() {
    assert_eq!(
        due(datetime!(2026-03-09 07:30 +7), TimeLimit::WorkingHours(4)),
        datetime!(2026-03-09 11:30 +7)
    );
    assert_eq!(
        due(datetime!(2026-03-09 07:30 +7), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-09 17:00 +7)
    );
}

#[test]
fn an_instant_given_in_another_offset_is_counted_in_vietnam_time() {
    // 02:00 UTC is 09:00 in Hanoi.
    assert_eq!(
        due(datetime!(2026-03-09 02:00 UTC), TimeLimit::WorkingDays(1)),
        datetime!(2026-03-10 09:00 +7)
    );
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
    let reading = clock(
        received,
        &[ClockEvent::Paused(paused), ClockEvent::Resumed(resumed)],
        TimeLimit::WorkingDays(5),
    );
    assert_eq!(
        reading,
        ClockReading::Running {
            due: datetime!(2026-03-19 10:00 +7)
        }
    );
}

#[test]
fn a_resubmission_after_the_cutoff_restarts_the_next_working_day() {
    let reading = clock(
        datetime!(2026-03-02 09:00 +7),
        &[
            ClockEvent::Paused(datetime!(2026-03-04 09:00 +7)),
            ClockEvent::Resumed(datetime!(2026-03-16 16:00 +7)),
        ],
        TimeLimit::WorkingDays(5),
    );
    // 3 days from Tuesday 07:30: to the end of Thursday.
    assert_eq!(
        reading,
        ClockReading::Running {
            due: datetime!(2026-03-19 17:00 +7)
        }
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
        clock(received, &events, TimeLimit::WorkingDays(3)),
        ClockReading::Running {
            due: datetime!(2026-05-06 09:00 +7)
        }
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
    assert_eq!(
        status(&reading, datetime!(2026-03-04 09:00 +7)),
        DeadlineStatus::OnTime {
            due,
            remaining: WorkingDuration::from_seconds(3 * DAY)
        }
    );
    assert_eq!(
        status(&reading, datetime!(2026-03-05 09:00 +7)),
        DeadlineStatus::NearDue {
            due,
            remaining: WorkingDuration::from_seconds(2 * DAY)
        }
    );
    // Saturday: only Monday 07:30–09:00 is left.
    assert_eq!(
        status(&reading, datetime!(2026-03-07 12:00 +7)),
        DeadlineStatus::NearDue {
            due,
            remaining: WorkingDuration::from_seconds(90 * 60)
        }
    );
    // At the due instant it is not late yet; one second after, it is.
    assert_eq!(
        status(&reading, due),
        DeadlineStatus::NearDue {
            due,
            remaining: WorkingDuration::ZERO
        }
    );
    assert_eq!(
        status(&reading, datetime!(2026-03-09 09:00:01 +7)),
        DeadlineStatus::Overdue { due }
    );
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
        clock(
            datetime!(2026-03-02 09:00 +7),
            &events,
            TimeLimit::WorkingDays(1)
        ),
        ClockReading::Running { due: late_due }
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
    let calendar = HolidayCalendar::embedded_vn();
    assert_eq!(
        due_date(
            datetime!(2026-03-09 11:00 +7),
            TimeLimit::WorkingHours(2),
            &calendar,
            &rules
        )
        .unwrap(),
        datetime!(2026-03-09 14:30 +7)
    );
    assert_eq!(
        due_date(
            datetime!(2026-03-09 15:30 +7),
            TimeLimit::WorkingDays(1),
            &calendar,
            &rules
        )
        .unwrap(),
        datetime!(2026-03-10 15:30 +7)
    );
    assert!(matches!(
        WorkingRules::new(vec![], time!(15:00), 1),
        Err(WorkingTimeError::Rules { key, .. }) if key == "sessions"
    ));
}
