//! `WorkingTime` in stored milliseconds: the appointment date and the due
//! date after a supplement, one rule per test, with exact dates (default
//! rules: 07:30–11:30, 13:00–17:00, cut-off 15:00; embedded calendar).

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

#[test]
fn the_appointment_skips_the_compensatory_day_30_4_and_1_5() {
    // Fri 24/04/2026 10:00, 3 working days: Mon 27/04 is the day off for
    // the Hùng Kings' anniversary (a Sunday), Thu 30/04 and Fri 01/05 are
    // holidays: due Mon 04/05 at 10:00.
    let due = wt()
        .appointment(
            at(datetime!(2026-04-24 10:00 +7)),
            TimeLimit::WorkingDays(3),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-05-04 10:00 +7)));
}

#[test]
fn the_appointment_of_a_dossier_received_after_the_cutoff_counts_from_the_next_working_day() {
    let due = wt()
        .appointment(
            at(datetime!(2026-04-23 15:30 +7)),
            TimeLimit::WorkingDays(1),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-04-24 17:00 +7)));
    // At the cut-off itself it still counts from the same day.
    let due = wt()
        .appointment(
            at(datetime!(2026-04-23 15:00 +7)),
            TimeLimit::WorkingDays(1),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-04-24 15:00 +7)));
}

#[test]
fn the_appointment_in_working_hours_skips_lunch() {
    let due = wt()
        .appointment(
            at(datetime!(2026-03-02 10:00 +7)),
            TimeLimit::WorkingHours(4),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-03-02 15:30 +7)));
}

#[test]
fn a_resumption_restarts_the_clock_with_the_days_left() {
    // Received Mon 02/03/2026 08:00 with 5 working days: due Mon 09/03 08:00.
    // Paused Wed 04/03 08:00 (2 days used), resumed Tue 10/03 09:00: the 3
    // days left run to Fri 13/03 09:00.
    let due = wt()
        .due_after_resumption(
            at(datetime!(2026-03-02 08:00 +7)),
            at(datetime!(2026-03-04 08:00 +7)),
            at(datetime!(2026-03-09 08:00 +7)),
            at(datetime!(2026-03-10 09:00 +7)),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-03-13 09:00 +7)));
}

#[test]
fn a_resumption_after_the_cutoff_restarts_the_next_working_day() {
    let due = wt()
        .due_after_resumption(
            at(datetime!(2026-03-02 08:00 +7)),
            at(datetime!(2026-03-04 08:00 +7)),
            at(datetime!(2026-03-09 08:00 +7)),
            at(datetime!(2026-03-10 16:00 +7)),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-03-13 17:00 +7)));
}

#[test]
fn a_dossier_late_before_the_pause_keeps_its_original_due_date() {
    let due = wt()
        .due_after_resumption(
            at(datetime!(2026-03-02 08:00 +7)),
            at(datetime!(2026-03-04 08:00 +7)),
            at(datetime!(2026-03-03 08:00 +7)),
            at(datetime!(2026-03-05 08:00 +7)),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-03-03 08:00 +7)));
}

#[test]
fn a_pause_before_counting_started_keeps_the_whole_limit() {
    // Received Mon 02/03 16:00 (after the cut-off): counting starts Tue
    // 07:30, due Tue 17:00. A supplement requested at 16:30 the same evening
    // used none of it: resumed Wed 04/03 08:00, the whole day is left.
    let due = wt()
        .due_after_resumption(
            at(datetime!(2026-03-02 16:00 +7)),
            at(datetime!(2026-03-02 16:30 +7)),
            at(datetime!(2026-03-03 17:00 +7)),
            at(datetime!(2026-03-04 08:00 +7)),
        )
        .unwrap();
    assert_eq!(due, at(datetime!(2026-03-05 08:00 +7)));
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
