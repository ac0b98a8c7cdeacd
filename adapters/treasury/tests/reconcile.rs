//! Reconciliation end to end over HTTP: the treasury simulator's credit
//! file, a gateway settlement file, `POST reconcile`, the report on disk.

mod common;

use common::*;
use lienthong_adapter::ma_xac_thuc::DailyFileRequest;
use lienthong_adapter::vietnam_time::{self, now_unix};
use lienthong_adapter_treasury::reconcile::files::{parse_credited, REPORT_HEADER};
use lienthong_adapter_treasury::Credited;

#[tokio::test]
async fn a_day_with_every_kind_of_discrepancy() {
    let h = start(Options::default()).await;
    let today = vietnam_time::format_date(now_unix());
    // 1 and 2 credited correctly; 3 credited with a wrong amount; 4 credited
    // twice; 5 never credited; 9 credited but never settled.
    h.sink.deliver(&payment_event(1, 150_000)).await.expect("1");
    h.sink.deliver(&payment_event(2, 75_000)).await.expect("2");
    h.sim.switches().wrong_amount_next(1);
    h.sink.deliver(&payment_event(3, 50_000)).await.expect("3");
    h.sim.switches().duplicate_next(1);
    h.sink.deliver(&payment_event(4, 20_000)).await.expect("4");
    h.sink.deliver(&payment_event(9, 10_000)).await.expect("9");
    h.set_settlements(
        &today,
        &[
            settled(1, 150_000),
            settled(2, 75_000),
            settled(3, 50_000),
            settled(4, 20_000),
            settled(5, 30_000),
        ],
    );

    let (status, body) = h
        .reconcile(Some(serde_json::json!({ "date": today })), Some(TOKEN))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["date"], today.as_str());
    assert_eq!(body["clean"], false);
    let s = &body["summary"];
    assert_eq!(s["gateway_records"], 5);
    assert_eq!(s["treasury_records"], 6);
    assert_eq!(s["matched"], 3, "{s}");
    assert_eq!(s["amount_mismatch"], 1);
    assert_eq!(s["duplicate_in_treasury"], 1);
    assert_eq!(s["missing_in_treasury"], 1);
    assert_eq!(s["missing_in_gateway"], 1);
    assert_eq!(s["gateway_total_vnd"], 325_000);
    assert_eq!(
        s["treasury_total_vnd"],
        150_000 + 75_000 + 51_000 + 40_000 + 10_000
    );
    let discrepancies = body["discrepancies"].as_array().expect("list");
    assert_eq!(discrepancies.len(), 4);
    let mismatch = discrepancies
        .iter()
        .find(|d| d["outcome"] == "amount_mismatch")
        .expect("amount mismatch listed");
    assert_eq!(mismatch["ma_ho_so"], ma_ho_so(3).as_str());
    assert_eq!(mismatch["gateway_amount_vnd"], 50_000);
    assert_eq!(mismatch["treasury_amount_vnd"], 51_000);

    // The report on disk.
    let path = body["report_file"].as_str().expect("path");
    assert!(path.ends_with(&format!("doisoat-{today}.csv")), "{path}");
    let text = std::fs::read_to_string(path).expect("report written");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, REPORT_HEADER.map(String::from).to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 7);
    let outcomes: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap_or_default()).collect();
    assert_eq!(
        outcomes,
        vec![
            "matched",
            "matched",
            "amount_mismatch",
            "matched",
            "duplicate_in_treasury",
            "missing_in_treasury",
            "missing_in_gateway",
        ]
    );
    let _ = std::fs::remove_dir_all(&h.report_dir);
}

#[tokio::test]
async fn a_clean_day_and_a_late_credit() {
    let h = start(Options::default()).await;
    let today = vietnam_time::format_date(now_unix());
    h.sink.deliver(&payment_event(1, 150_000)).await.expect("1");
    // A payment of yesterday at 23:59 credited today belongs to yesterday.
    h.sim.add_credit(Credited {
        document_number: "BC-LATE".into(),
        reference: "R-YESTERDAY".into(),
        transaction_id: "PG-YESTERDAY".into(),
        ma_ho_so: ma_ho_so(99),
        amount_vnd: 1_000,
        paid_at: "20000101235959".into(),
        credited_at: lienthong_adapter::vietnam_time::format(now_unix()),
        ..Default::default()
    });
    h.set_settlements(&today, &[settled(1, 150_000)]);
    // No body: today.
    let (status, body) = h.reconcile(None, Some(TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clean"], true, "{body}");
    assert_eq!(body["summary"]["matched"], 1);
    assert_eq!(body["discrepancies"].as_array().map(Vec::len), Some(0));
    let downloads = h.gateway.downloads.lock().unwrap().clone();
    assert_eq!(downloads, vec![today.clone()]);
    let _ = std::fs::remove_dir_all(&h.report_dir);
}

#[tokio::test]
async fn the_treasury_credit_file_is_csv_with_vietnamese_text() {
    let h = start(Options::default()).await;
    h.sim.add_credit(Credited {
        document_number: "BC1".into(),
        reference: "R,1".into(),
        transaction_id: "PG1".into(),
        ma_ho_so: "Hồ sơ \"đặc biệt\", số 1".into(),
        amount_vnd: 1_000,
        credited_at: "20251122100000".into(),
        ..Default::default()
    });
    let response = h
        .http
        .get(format!("{}/api/v1/credits.csv", h.sim.base_url()))
        .query(&DailyFileRequest::new(PARTNER_CODE, "20251122", SECRET))
        .send()
        .await
        .expect("download");
    assert_eq!(response.status().as_u16(), 200);
    let credits = parse_credited(&response.text().await.expect("text")).expect("parses");
    assert_eq!(credits.len(), 1);
    assert_eq!(credits[0].reference, "R,1");
    assert_eq!(credits[0].ma_ho_so, "Hồ sơ \"đặc biệt\", số 1");

    let response = h
        .http
        .get(format!("{}/api/v1/credits.csv", h.sim.base_url()))
        .query(&[
            ("MaDoiTac", PARTNER_CODE),
            ("Ngay", "20251122"),
            ("MaXacThuc", "bad"),
        ])
        .send()
        .await
        .expect("download");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn the_trigger_is_guarded() {
    let h = start(Options::default()).await;
    let date = |date: serde_json::Value| Some(serde_json::json!({ "date": date }));
    // (body, token, status, what the error names)
    let cases = [
        (None, None, 401, None),
        (None, Some("wrong-token-wrong-token"), 401, None),
        (
            date("2025-11-22".into()),
            Some(TOKEN),
            400,
            Some("2025-11-22"),
        ),
        (date(20251122.into()), Some(TOKEN), 400, None),
    ];
    for (body, token, wanted, names) in cases {
        let (status, answer) = h.reconcile(body, token).await;
        assert_eq!(status, wanted, "{answer}");
        if let Some(names) = names {
            assert!(error(&answer).contains(names), "{answer}");
        }
    }

    let disabled = start(Options {
        token: None,
        ..Default::default()
    })
    .await;
    let (status, body) = disabled.reconcile(None, Some(TOKEN)).await;
    assert_eq!(status, 403);
    assert!(error(&body).contains("trigger_token"), "{body}");
}

#[tokio::test]
async fn partner_failures_are_502_naming_the_file() {
    let h = start(Options::default()).await;
    let today = vietnam_time::format_date(now_unix());
    h.gateway.files.lock().unwrap().insert(
        today.clone(),
        "MaThamChieu,MaGiaoDich,MaHoSo,SoTien\r\nR,T,HS,150.000\r\n".into(),
    );
    let (status, body) = h.reconcile(None, Some(TOKEN)).await;
    assert_eq!(status, 502, "{body}");
    let named = error(&body);
    assert!(
        named.contains("gateway settlement file") && named.contains("line 2"),
        "{named}"
    );

    h.set_settlements(&today, &[]);
    h.sim.switches().fail_next(1);
    let (status, body) = h.reconcile(None, Some(TOKEN)).await;
    assert_eq!(status, 502, "{body}");
    assert!(error(&body).contains("treasury credit file"), "{body}");

    let (status, _) = h.reconcile(None, Some(TOKEN)).await;
    assert_eq!(status, 200, "works again");
    let _ = std::fs::remove_dir_all(&h.report_dir);
}
