//! The workspace's rules, one test each: how an event moves a row, when a
//! dossier is near due or overdue (exact dates on the embedded Vietnamese
//! calendar, default working hours 07:30–11:30 and 13:00–17:00, near due in
//! the last 2 working days), which queue holds what, which statistics
//! bucket a dossier falls in, and who may hand a dossier to whom.

use super::*;
use crate::domain::working_time::WorkingTime;

fn working_time() -> WorkingTime {
    WorkingTime::default()
}
use crate::domain::officer::{OfficerAccount, OfficerRole};
use crate::domain::workspace::{Assignment, DossierRow, HandOverKind, OfficerRef};
use crate::domain::{Channel, Dossier, HistoryEntry, Status, UnixMillis};
use std::collections::HashMap;

/// A local Vietnam date-time as UnixMillis.
fn vn(y: i32, m: u8, d: u8, h: u8, min: u8) -> UnixMillis {
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
    let at = date
        .with_hms(h, min, 0)
        .unwrap()
        .assume_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap());
    UnixMillis(at.unix_timestamp() * 1000)
}

/// A dossier as the hub stores it, read from its JSON form (so that a
/// field the core adds later, optional by the storage rule, needs no change
/// here).
fn dossier(status: Status, version: u64) -> Dossier {
    serde_json::from_value(serde_json::json!({
        "id": 7,
        "ma_ho_so": "000.00.01.H22-261201-00001",
        "version": version,
        "agency_code": "000.00.01.H22",
        "procedure_code": "1.000948.H38",
        "procedure_name": "Cấp giấy phép xây dựng",
        "channel": "counter",
        "owner_name": "Nguyễn Văn A",
        "applicant_type": "citizen",
        "owner_id_number": "001099012345",
        "submitted_at": vn(2026, 3, 2, 8, 0).0,
        "received_at": vn(2026, 3, 2, 9, 0).0,
        "due_at": vn(2026, 3, 12, 9, 0).0,
        "returned_at": null,
        "status": status.code(),
        "result_delivery": null,
        "updated_at": vn(2026, 3, 2, 9, 0).0,
        "submitted_by": "portal",
    }))
    .expect("a stored dossier")
}

fn entry(from: Option<Status>, to: Status, version: u64, at: UnixMillis) -> HistoryEntry {
    HistoryEntry {
        version,
        at,
        partner_id: "mot-cua".into(),
        actor: "Nguyễn Thị Lan".into(),
        unit: "Bộ phận Một cửa".into(),
        command: String::new(),
        from_status: from,
        to_status: to,
        note: String::new(),
        partner_event: None,
    }
}

/// What the event moving the dossier from `from` to `to` (its `version`,
/// at `at`) makes of `row`.
fn moved(
    row: Option<&DossierRow>,
    from: Option<Status>,
    to: Status,
    version: u64,
    at: UnixMillis,
) -> Option<DossierRow> {
    apply(row, &dossier(to, version), &entry(from, to, version, at))
}

fn row_in(status: Status) -> DossierRow {
    moved(
        None,
        Some(Status::Received),
        status,
        3,
        vn(2026, 3, 2, 10, 0),
    )
    .unwrap()
}

fn standing(row: &DossierRow, now: UnixMillis) -> Deadline {
    let settings = working_time();
    deadline(row, now, settings.calendar(), settings.rules())
}

#[test]
fn an_older_event_never_overwrites_a_newer_row() {
    let newer = row_in(Status::Processing);
    let replayed = moved(
        Some(&newer),
        Some(Status::Submitted),
        Status::Received,
        2,
        vn(2026, 3, 2, 9, 0),
    );
    assert_eq!(replayed, None);
}

#[test]
fn finishing_records_the_events_time_and_later_events_keep_it() {
    let processing = row_in(Status::Processing);
    let finished_at = vn(2026, 3, 10, 14, 0);
    let finished = moved(
        Some(&processing),
        Some(Status::Processing),
        Status::Finished,
        4,
        finished_at,
    )
    .unwrap();
    assert_eq!(finished.finished_at, Some(finished_at));
    let returned = moved(
        Some(&finished),
        Some(Status::Finished),
        Status::ResultReturned,
        5,
        vn(2026, 3, 11, 8, 0),
    )
    .unwrap();
    assert_eq!(returned.finished_at, Some(finished_at));
}

#[test]
fn a_pause_records_its_start_and_whether_the_date_had_passed() {
    let processing = row_in(Status::Processing);
    let in_time = moved(
        Some(&processing),
        Some(Status::Processing),
        Status::SupplementRequested,
        4,
        vn(2026, 3, 5, 9, 0),
    )
    .unwrap();
    assert_eq!(in_time.paused_since, Some(vn(2026, 3, 5, 9, 0)));
    assert!(!in_time.overdue_when_paused);
    let late = moved(
        Some(&processing),
        Some(Status::Processing),
        Status::Stopped,
        4,
        vn(2026, 3, 13, 9, 0),
    )
    .unwrap();
    assert!(late.overdue_when_paused, "due 12/03 09:00, stopped 13/03");
    let resumed = moved(
        Some(&late),
        Some(Status::Stopped),
        Status::Processing,
        5,
        vn(2026, 3, 16, 9, 0),
    )
    .unwrap();
    assert_eq!(resumed.paused_since, None);
}

#[test]
fn overdue_once_the_due_instant_has_passed_not_at_it() {
    // Due Thursday 12/03/2026 09:00.
    let row = row_in(Status::Processing);
    assert_eq!(standing(&row, vn(2026, 3, 12, 9, 0)), Deadline::NearDue);
    assert_eq!(
        standing(&row, UnixMillis(vn(2026, 3, 12, 9, 0).0 + 1)),
        Deadline::Overdue
    );
}

#[test]
fn near_due_in_the_last_two_working_days_counted_over_the_weekend() {
    // Due Thursday 12/03 09:00. Two working days before is Tuesday 10/03
    // 09:00; the Friday before has more than two working days left
    // (Fri 09:00 → Thu 09:00 is four working days: the weekend is skipped).
    let row = row_in(Status::Processing);
    assert_eq!(standing(&row, vn(2026, 3, 6, 9, 0)), Deadline::OnTime);
    assert_eq!(standing(&row, vn(2026, 3, 10, 8, 59)), Deadline::OnTime);
    assert_eq!(standing(&row, vn(2026, 3, 10, 9, 0)), Deadline::NearDue);
}

#[test]
fn a_paused_dossier_is_flagged_only_if_it_was_late_before_the_pause() {
    let mut paused = row_in(Status::SupplementRequested);
    paused.paused_since = Some(vn(2026, 3, 5, 9, 0));
    assert_eq!(standing(&paused, vn(2026, 4, 1, 9, 0)), Deadline::None);
    paused.overdue_when_paused = true;
    assert_eq!(standing(&paused, vn(2026, 4, 1, 9, 0)), Deadline::Overdue);
}

#[test]
fn finished_and_closed_dossiers_are_never_flagged() {
    for status in [Status::Finished, Status::ResultReturned, Status::Withdrawn] {
        assert_eq!(
            standing(&row_in(status), vn(2026, 6, 1, 9, 0)),
            Deadline::None
        );
    }
}

fn listing(
    rows: Vec<DossierRow>,
    assignments: Vec<Assignment>,
    queue: Queue,
    filter: &QueueFilter,
    now: UnixMillis,
) -> Listing {
    let settings = working_time();
    let assignments: HashMap<_, _> = assignments
        .into_iter()
        .map(|a| (a.ma_ho_so.clone(), a))
        .collect();
    list(
        rows,
        assignments,
        &QueueRequest {
            queue,
            filter,
            officer: "chuyenvien",
            now,
            today_starts: vn(2026, 3, 11, 0, 0),
            page: 1,
        },
        settings.calendar(),
        settings.rules(),
    )
}

fn numbered(n: usize, status: Status) -> DossierRow {
    let mut row = row_in(status);
    row.ma_ho_so = format!("000.00.01.H22-260302-{n:05}");
    row
}

#[test]
fn search_folds_diacritics_and_finds_by_code_or_id_number() {
    let mut other = numbered(2, Status::Processing);
    other.owner_name = "Trần Thị Bình".into();
    other.owner_id_number = "079188000777".into();
    let rows = vec![numbered(1, Status::Processing), other];
    let found = |text: &str| -> Vec<String> {
        let filter = QueueFilter {
            search: fold(text),
            ..Default::default()
        };
        listing(
            rows.clone(),
            vec![],
            Queue::All,
            &filter,
            vn(2026, 3, 3, 9, 0),
        )
        .items
        .into_iter()
        .map(|i| i.row.ma_ho_so)
        .collect()
    };
    assert_eq!(found("nguyen van a"), ["000.00.01.H22-260302-00001"]);
    assert_eq!(found("TRAN thi"), ["000.00.01.H22-260302-00002"]);
    assert_eq!(found("079188"), ["000.00.01.H22-260302-00002"]);
    assert_eq!(found("260302-00001"), ["000.00.01.H22-260302-00001"]);
    assert!(found("le van c").is_empty());
}

#[test]
fn mine_holds_what_is_assigned_to_the_officer_and_departments_filter() {
    let rows = vec![
        numbered(1, Status::Processing),
        numbered(2, Status::Processing),
    ];
    let assigned = Assignment {
        ma_ho_so: rows[0].ma_ho_so.clone(),
        agency_code: rows[0].agency_code.clone(),
        department: Some("Phòng Quản lý đô thị".into()),
        specialist: Some(OfficerRef {
            login: "chuyenvien".into(),
            name: "Trần Văn Minh".into(),
        }),
        note: String::new(),
        lines: vec![],
    };
    let now = vn(2026, 3, 3, 9, 0);
    let mine = listing(
        rows.clone(),
        vec![assigned.clone()],
        Queue::Mine,
        &QueueFilter::default(),
        now,
    );
    assert_eq!(mine.total, 1);
    assert_eq!(mine.items[0].row.ma_ho_so, rows[0].ma_ho_so);
    let department = QueueFilter {
        department: Some("Phòng Quản lý đô thị".into()),
        ..Default::default()
    };
    let in_department = listing(rows, vec![assigned], Queue::InProcessing, &department, now);
    assert_eq!(in_department.total, 1);
    let counts: HashMap<Queue, usize> = in_department.counts.into_iter().collect();
    assert_eq!(counts[&Queue::InProcessing], 2, "counts ignore the filters");
}

#[test]
fn filters_by_channel_procedure_and_received_day_and_pages() {
    let mut rows: Vec<DossierRow> = (1..=45).map(|n| numbered(n, Status::Received)).collect();
    rows[0].channel = Channel::Postal;
    rows[1].procedure_code = "2.000001".into();
    rows[2].received_at = Some(vn(2026, 3, 20, 10, 0));
    let now = vn(2026, 3, 3, 9, 0);
    let by =
        |filter: QueueFilter| listing(rows.clone(), vec![], Queue::Received, &filter, now).total;
    assert_eq!(by(QueueFilter::default()), 45);
    assert_eq!(
        by(QueueFilter {
            channel: Some(Channel::Postal),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        by(QueueFilter {
            procedure: Some("2.000001".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        by(QueueFilter {
            from: Some(vn(2026, 3, 20, 0, 0)),
            until: Some(vn(2026, 3, 21, 0, 0)),
            ..Default::default()
        }),
        1
    );
    let all = listing(
        rows.clone(),
        vec![],
        Queue::Received,
        &QueueFilter::default(),
        now,
    );
    assert_eq!((all.pages, all.items.len()), (3, PAGE_SIZE));
}

#[test]
fn returned_today_holds_only_todays_returns() {
    let mut today = numbered(1, Status::ResultReturned);
    today.returned_at = Some(vn(2026, 3, 11, 8, 0));
    let mut yesterday = numbered(2, Status::ResultReturned);
    yesterday.returned_at = Some(vn(2026, 3, 10, 16, 0));
    let shown = listing(
        vec![today, yesterday],
        vec![],
        Queue::ReturnedToday,
        &QueueFilter::default(),
        vn(2026, 3, 11, 9, 0),
    );
    assert_eq!(shown.total, 1);
    assert_eq!(shown.items[0].row.ma_ho_so, "000.00.01.H22-260302-00001");
}

fn in_period(from: UnixMillis, until: UnixMillis) -> Period {
    Period { from, until }
}

/// March 2026 (Vietnam days).
fn march() -> Period {
    in_period(vn(2026, 3, 1, 0, 0), vn(2026, 4, 1, 0, 0))
}

fn finished_at(at: UnixMillis) -> DossierRow {
    let mut row = row_in(Status::Finished);
    row.finished_at = Some(at);
    row
}

#[test]
fn resolved_early_on_time_and_late_against_the_appointment() {
    // Due Thursday 12/03/2026 09:00.
    let now = vn(2026, 5, 1, 9, 0);
    let early = buckets(&finished_at(vn(2026, 3, 11, 16, 0)), march(), now);
    assert_eq!(
        (early.early, early.on_time, early.late),
        (1, 0, 0),
        "the day before"
    );
    let on_time = buckets(&finished_at(vn(2026, 3, 12, 8, 30)), march(), now);
    assert_eq!(
        (on_time.early, on_time.on_time, on_time.late),
        (0, 1, 0),
        "on the day, before the hour"
    );
    let at_due = buckets(&finished_at(vn(2026, 3, 12, 9, 0)), march(), now);
    assert_eq!(at_due.on_time, 1, "at the due instant itself");
    let late = buckets(&finished_at(vn(2026, 3, 12, 9, 1)), march(), now);
    assert_eq!(
        (late.early, late.on_time, late.late),
        (0, 0, 1),
        "a minute after"
    );
    let outside = buckets(&finished_at(vn(2026, 4, 2, 9, 0)), march(), now);
    assert_eq!(outside.resolved(), 0, "finished after the period");
    assert_eq!(outside.received, 1, "but received in it");
}

#[test]
fn a_dossier_rescheduled_with_an_apology_counts_late_even_before_its_new_date() {
    let received = row_in(Status::Processing);
    let mut apology = entry(
        Some(Status::Processing),
        Status::Processing,
        4,
        vn(2026, 3, 13, 9, 0),
    );
    apology.command = "reschedule".into();
    let mut later = dossier(Status::Processing, 4);
    later.due_at = Some(vn(2026, 3, 20, 17, 0));
    let rescheduled = apply(Some(&received), &later, &apology).unwrap();
    assert!(rescheduled.rescheduled);
    let finished = moved(
        Some(&rescheduled),
        Some(Status::Processing),
        Status::Finished,
        5,
        vn(2026, 3, 16, 10, 0),
    )
    .unwrap();
    assert!(finished.rescheduled, "the apology is remembered");
    let counts = buckets(&finished, march(), vn(2026, 5, 1, 9, 0));
    assert_eq!(
        (counts.early, counts.on_time, counts.late),
        (0, 0, 1),
        "finished before the new date, after the apology: late"
    );
}

#[test]
fn in_processing_is_looked_at_the_period_end_within_time_or_overdue() {
    let row = row_in(Status::Processing);
    let now = vn(2026, 5, 1, 9, 0);
    // Period ending 11/03 (before the due date): within time.
    let early_period = in_period(vn(2026, 3, 1, 0, 0), vn(2026, 3, 11, 0, 0));
    assert_eq!(buckets(&row, early_period, now).in_time, 1);
    // March as a whole ends after the due date: overdue.
    let whole = buckets(&row, march(), now);
    assert_eq!((whole.in_time, whole.overdue), (0, 1));
    // A period before reception counts nothing.
    let before = in_period(vn(2026, 2, 1, 0, 0), vn(2026, 3, 1, 0, 0));
    assert_eq!(buckets(&row, before, now), Counts::default());
    // A period not over yet is looked at now.
    let running = in_period(vn(2026, 3, 1, 0, 0), vn(2026, 12, 31, 0, 0));
    assert_eq!(buckets(&row, running, vn(2026, 3, 10, 9, 0)).in_time, 1);
}

#[test]
fn paused_refused_withdrawn_and_returned_fall_in_their_own_buckets() {
    let now = vn(2026, 5, 1, 9, 0);
    let mut paused = row_in(Status::SupplementRequested);
    paused.paused_since = Some(vn(2026, 3, 5, 9, 0));
    let counts = buckets(&paused, march(), now);
    assert_eq!((counts.paused, counts.in_time, counts.overdue), (1, 0, 0));
    let mut refused = row_in(Status::Refused);
    refused.received_at = None;
    refused.closed_at = Some(vn(2026, 3, 3, 9, 0));
    assert_eq!(buckets(&refused, march(), now).refused, 1);
    let mut withdrawn = row_in(Status::Withdrawn);
    withdrawn.closed_at = Some(vn(2026, 3, 4, 9, 0));
    let counts = buckets(&withdrawn, march(), now);
    assert_eq!(
        (counts.withdrawn, counts.in_time),
        (1, 0),
        "closed: not in processing"
    );
    let mut returned = finished_at(vn(2026, 3, 10, 9, 0));
    returned.status = Status::ResultReturned;
    returned.returned_at = Some(vn(2026, 3, 11, 9, 0));
    let counts = buckets(&returned, march(), now);
    assert_eq!((counts.returned, counts.early, counts.received), (1, 1, 1));
}

#[test]
fn statistics_group_by_procedure_and_channel_and_total() {
    let now = vn(2026, 5, 1, 9, 0);
    let mut online = finished_at(vn(2026, 3, 12, 10, 0));
    online.channel = Channel::Online;
    let mut other = row_in(Status::Processing);
    other.procedure_code = "2.000001".into();
    let rows = vec![finished_at(vn(2026, 3, 11, 9, 0)), online, other];
    let (lines, total) = statistics(&rows, march(), &StatFilter::default(), now);
    let keys: Vec<(String, Channel)> = lines
        .iter()
        .map(|l| (l.procedure_code.clone(), l.channel))
        .collect();
    assert_eq!(
        keys,
        [
            ("1.000948.H38".to_string(), Channel::Counter),
            ("1.000948.H38".to_string(), Channel::Online),
            ("2.000001".to_string(), Channel::Counter),
        ]
    );
    assert_eq!(
        (total.received, total.early, total.late, total.overdue),
        (3, 1, 1, 1)
    );
    assert_eq!(total.on_time_percent(), 50);
    let online_only = StatFilter {
        channel: Some(Channel::Online),
        ..Default::default()
    };
    assert_eq!(statistics(&rows, march(), &online_only, now).1.late, 1);
}

fn officer(login: &str, role: OfficerRole, unit: &str) -> OfficerAccount {
    OfficerAccount {
        login: login.into(),
        name: format!("Cán bộ {login}"),
        role,
        agency_code: "000.00.01.H22".into(),
        unit: unit.into(),
        password_hash: String::new(),
    }
}

const URBAN: &str = "Phòng Quản lý đô thị";

#[test]
fn reception_transfers_a_received_dossier_which_starts_processing() {
    let reception = officer("tiepnhan", OfficerRole::Reception, ONE_STOP_UNIT);
    let received = row_in(Status::Received);
    let request = HandOverRequest::Transfer {
        department: URBAN.into(),
    };
    let decision = decide(
        &reception,
        &received,
        None,
        &request,
        "gấp",
        &[URBAN.into()],
        &[],
        vn(2026, 3, 2, 10, 0),
    )
    .unwrap();
    assert!(decision.start_processing);
    assert_eq!(decision.assignment.department.as_deref(), Some(URBAN));
    let line = &decision.assignment.lines[0];
    assert_eq!(
        (line.kind, line.from_unit.as_str(), line.to_unit.as_str()),
        (HandOverKind::Transfer, ONE_STOP_UNIT, URBAN)
    );
    let unknown = HandOverRequest::Transfer {
        department: "Phòng Không Có".into(),
    };
    assert!(matches!(
        decide(
            &reception,
            &received,
            None,
            &unknown,
            "",
            &[URBAN.into()],
            &[],
            vn(2026, 3, 2, 10, 0)
        ),
        Err(Refusal::State(_))
    ));
    let specialist = officer("chuyenvien", OfficerRole::Specialist, URBAN);
    assert!(matches!(
        decide(
            &specialist,
            &received,
            None,
            &request,
            "",
            &[URBAN.into()],
            &[],
            vn(2026, 3, 2, 10, 0)
        ),
        Err(Refusal::Role(_))
    ));
    let waiting = row_in(Status::Submitted);
    let refused = decide(
        &reception,
        &waiting,
        None,
        &request,
        "",
        &[URBAN.into()],
        &[],
        vn(2026, 3, 2, 10, 0),
    );
    match refused {
        Err(Refusal::State(message)) => assert!(
            message.contains("Mới đăng ký"),
            "names the current status: {message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_leader_assigns_a_specialist_of_the_department_who_can_return_it() {
    let reception = officer("tiepnhan", OfficerRole::Reception, ONE_STOP_UNIT);
    let leader = officer("lanhdao", OfficerRole::Leader, "Ban Giám đốc");
    let specialist = officer("chuyenvien", OfficerRole::Specialist, URBAN);
    let minh = OfficerRef {
        login: "chuyenvien".into(),
        name: "Trần Văn Minh".into(),
    };
    let at = vn(2026, 3, 2, 10, 0);
    let transferred = decide(
        &reception,
        &row_in(Status::Received),
        None,
        &HandOverRequest::Transfer {
            department: URBAN.into(),
        },
        "",
        &[URBAN.into()],
        &[],
        at,
    )
    .unwrap()
    .assignment;
    let processing = row_in(Status::Processing);
    let assign = HandOverRequest::Assign {
        specialist: minh.clone(),
    };
    let assigned = decide(
        &leader,
        &processing,
        Some(&transferred),
        &assign,
        "",
        &[URBAN.into()],
        std::slice::from_ref(&minh),
        at,
    )
    .unwrap();
    assert!(!assigned.start_processing);
    assert_eq!(assigned.assignment.specialist, Some(minh.clone()));
    assert_eq!(assigned.assignment.lines.len(), 2);
    let stranger = HandOverRequest::Assign {
        specialist: OfficerRef {
            login: "ai-do".into(),
            name: String::new(),
        },
    };
    assert!(matches!(
        decide(
            &leader,
            &processing,
            Some(&transferred),
            &stranger,
            "",
            &[URBAN.into()],
            std::slice::from_ref(&minh),
            at
        ),
        Err(Refusal::State(_))
    ));
    assert!(matches!(
        decide(
            &reception,
            &processing,
            Some(&transferred),
            &assign,
            "",
            &[URBAN.into()],
            std::slice::from_ref(&minh),
            at
        ),
        Err(Refusal::Role(_))
    ));
    let returned = decide(
        &specialist,
        &processing,
        Some(&assigned.assignment),
        &HandOverRequest::ReturnToReception,
        "thiếu hồ sơ",
        &[URBAN.into()],
        &[],
        at,
    )
    .unwrap();
    assert_eq!(returned.assignment.department, None);
    assert_eq!(returned.assignment.specialist, None);
    let last = returned.assignment.lines.last().unwrap();
    assert_eq!(
        (last.kind, last.to_unit.as_str(), last.note.as_str()),
        (
            HandOverKind::ReturnToReception,
            ONE_STOP_UNIT,
            "thiếu hồ sơ"
        )
    );
    // Back at the one-stop unit, reception may transfer it again, without
    // starting processing twice.
    let again = decide(
        &reception,
        &processing,
        Some(&returned.assignment),
        &HandOverRequest::Transfer {
            department: URBAN.into(),
        },
        "",
        &[URBAN.into()],
        &[],
        at,
    )
    .unwrap();
    assert!(!again.start_processing);
}
