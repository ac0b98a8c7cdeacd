//! The workspace's rules, one test each: how an event moves a row, when a
//! dossier is near due or overdue (exact dates on the embedded Vietnamese
//! calendar, default working hours 07:30–11:30 and 13:00–17:00, near due in
//! the last 2 working days), and which queue holds what.

use super::*;
use crate::domain::working_time::WorkingTime;

fn working_time() -> WorkingTime {
    WorkingTime::default()
}
use crate::domain::workspace::{Assignment, DossierRow, OfficerRef};
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

fn dossier(status: Status, version: u64) -> Dossier {
    Dossier {
        id: 7,
        ma_ho_so: "000.00.01.H22-261201-00001".into(),
        version,
        agency_code: "000.00.01.H22".into(),
        procedure_code: "1.000948.H38".into(),
        procedure_name: "Cấp giấy phép xây dựng".into(),
        sector_code: String::new(),
        channel: Channel::Counter,
        owner_name: "Nguyễn Văn A".into(),
        applicant_type: crate::domain::ApplicantType::Citizen,
        owner_id_number: "001099012345".into(),
        email: String::new(),
        phone: String::new(),
        summary: String::new(),
        submitted_at: vn(2026, 3, 2, 8, 0),
        received_at: Some(vn(2026, 3, 2, 9, 0)),
        due_at: Some(vn(2026, 3, 12, 9, 0)),
        returned_at: None,
        status,
        paused_from: None,
        result_delivery: None,
        processing_unit: String::new(),
        documents: vec![],
        fees: vec![],
        supplements: vec![],
        results: vec![],
        payments: vec![],
        reschedules: vec![],
        status_reason: String::new(),
        updated_at: vn(2026, 3, 2, 9, 0),
        submitted_by: "portal".into(),
    }
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
    }
}

fn row_in(status: Status) -> DossierRow {
    apply(
        None,
        &dossier(status, 3),
        &entry(Some(Status::Received), status, 3, vn(2026, 3, 2, 10, 0)),
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
    let replayed = dossier(Status::Received, 2);
    assert_eq!(
        apply(
            Some(&newer),
            &replayed,
            &entry(
                Some(Status::Submitted),
                Status::Received,
                2,
                vn(2026, 3, 2, 9, 0)
            )
        ),
        None
    );
}

#[test]
fn finishing_records_the_events_time_and_later_events_keep_it() {
    let processing = row_in(Status::Processing);
    let finished_at = vn(2026, 3, 10, 14, 0);
    let finished = apply(
        Some(&processing),
        &dossier(Status::Finished, 4),
        &entry(Some(Status::Processing), Status::Finished, 4, finished_at),
    )
    .unwrap();
    assert_eq!(finished.finished_at, Some(finished_at));
    let returned = apply(
        Some(&finished),
        &dossier(Status::ResultReturned, 5),
        &entry(
            Some(Status::Finished),
            Status::ResultReturned,
            5,
            vn(2026, 3, 11, 8, 0),
        ),
    )
    .unwrap();
    assert_eq!(returned.finished_at, Some(finished_at));
}

#[test]
fn a_pause_records_its_start_and_whether_the_date_had_passed() {
    let processing = row_in(Status::Processing);
    let in_time = apply(
        Some(&processing),
        &dossier(Status::SupplementRequested, 4),
        &entry(
            Some(Status::Processing),
            Status::SupplementRequested,
            4,
            vn(2026, 3, 5, 9, 0),
        ),
    )
    .unwrap();
    assert_eq!(in_time.paused_since, Some(vn(2026, 3, 5, 9, 0)));
    assert!(!in_time.overdue_when_paused);
    let late = apply(
        Some(&processing),
        &dossier(Status::Stopped, 4),
        &entry(
            Some(Status::Processing),
            Status::Stopped,
            4,
            vn(2026, 3, 13, 9, 0),
        ),
    )
    .unwrap();
    assert!(late.overdue_when_paused, "due 12/03 09:00, stopped 13/03");
    let resumed = apply(
        Some(&late),
        &dossier(Status::Processing, 5),
        &entry(
            Some(Status::Stopped),
            Status::Processing,
            5,
            vn(2026, 3, 16, 9, 0),
        ),
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
