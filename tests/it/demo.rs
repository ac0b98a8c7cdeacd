//! `lienthong demo`'s scenario, smaller, as a test: the real binary runs the
//! real hub, every partner adapter and every partner simulator, with faults
//! injected and parked deliveries re-driven. It exits non-zero when an
//! acknowledged change did not reach a partner subscribed to it; its tally
//! (read back from what it printed) must show every partner heard, every
//! subscribed event accepted, nothing parked, and the faults at work; and
//! the construction department's steps taken in the hosted workspace.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

/// One partner's line of the printed tally.
#[derive(Debug)]
struct Row {
    partner: String,
    subscribed: u64,
    delivered: u64,
    parked: u64,
    retried: u64,
    redriven: u64,
    /// `✓`: delivered = subscribed, nothing parked, the relay caught up.
    settled: bool,
}

#[derive(Debug)]
struct Tally {
    committed: u64,
    rows: Vec<Row>,
}

fn demo(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("demo")
        .args(args)
        .output()
        .expect("run lienthong demo")
}

fn number(text: &str, what: &str, line: &str) -> u64 {
    text.parse()
        .unwrap_or_else(|_| panic!("{what} is not a number in tally line {line:?}"))
}

/// Reads the tally `lienthong demo` prints: a heading with the committed
/// count, a column header, one line per partner, then the legend.
fn tally(stdout: &str) -> Tally {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with("tally per partner ("));
    let heading = lines.next().expect("the demo printed a tally");
    let committed = heading
        .trim_start_matches("tally per partner (")
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let committed = number(committed, "committed", heading);
    let header = lines.next().unwrap_or_default();
    assert!(header.contains("subscribed"), "column header: {header:?}");
    let rows = lines
        .take_while(|l| !l.trim_start().starts_with("subscribed ="))
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert!(cells.len() >= 7, "tally line {line:?}");
            Row {
                partner: cells[0].to_string(),
                subscribed: number(cells[1], "subscribed", line),
                delivered: number(cells[2], "delivered", line),
                parked: number(cells[3], "parked", line),
                retried: number(cells[4], "retried", line),
                redriven: number(cells[5], "re-driven", line),
                settled: cells[6] == "✓",
            }
        })
        .collect();
    Tally { committed, rows }
}

#[test]
fn the_demo_day_with_faults_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 temp dir");
    let out = demo(&[
        "--dossiers",
        "20",
        "--timelines",
        "1",
        "--concurrency",
        "8",
        "--dir",
        dir_arg,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the demo day loses nothing: {}\n{stdout}\n{stderr}",
        out.status
    );
    // The first timeline is #2, worked by the construction department in
    // the hosted workspace: its officers' steps are the module's (mot-cua).
    let timeline: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("#2 "))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    for (step, officer) in [
        ("[receive]", "Nguyễn Thị Lan, Bộ phận Một cửa (mot-cua)"),
        ("[start_processing]", "Trần Văn Minh"),
        ("[finish]", "Lê Thị Hồng Nhung, Ban Giám đốc (mot-cua)"),
    ] {
        assert!(
            timeline
                .iter()
                .any(|l| l.contains(step) && l.contains(officer)),
            "{step} taken by {officer} in the workspace:\n{}",
            timeline.join("\n")
        );
    }
    // #6 and #16 were filed by their applicants on the hosted portal's
    // pages (the demo fails when the portal refuses the form or the
    // applicant's page does not show the dossier), and lived their day.
    let online = stdout
        .lines()
        .find(|l| l.contains("filed by their applicants on the portal's pages"))
        .unwrap_or_else(|| panic!("no online filing reported:\n{stdout}"));
    assert!(
        online.contains("#6 000.00.05.H22-") && online.contains(", #16 000.00.05.H22-"),
        "{online}"
    );
    // A returned dossier rated on the hosted portal and a feedback answered
    // in public, each synced to the national portal by its relay.
    assert!(
        stdout.contains("the national portal received the rating of")
            && stdout.contains("(DongBoDanhGia: MucDoHaiLong 1,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the national portal received the answer to PAKN-")
            && stdout.contains("(DongBoHoiDap: MADONVI"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 of 1 ratings, 1 of 1 published answers"),
        "{stdout}"
    );
    let tally = tally(&stdout);

    assert_eq!(tally.rows.len(), 6, "every adapter partner is in the tally");
    assert!(tally.committed > 20 * 3, "{tally:?}");
    for row in &tally.rows {
        assert!(
            row.subscribed > 0,
            "{} heard nothing: {tally:?}",
            row.partner
        );
        assert_eq!(
            row.delivered, row.subscribed,
            "{}: every subscribed event accepted by the partner",
            row.partner
        );
        assert_eq!(row.parked, 0, "{}: nothing left parked", row.partner);
        assert!(row.settled, "{}: relay caught up: {row:?}", row.partner);
    }
    let retried: u64 = tally.rows.iter().map(|r| r.retried).sum();
    let redriven: u64 = tally.rows.iter().map(|r| r.redriven).sum();
    assert!(retried > 0, "faults made the hub retry: {tally:?}");
    assert!(redriven > 0, "parked deliveries were re-driven: {tally:?}");
    assert!(
        stdout.contains("every acknowledged change reached every partner subscribed to it"),
        "{stdout}"
    );
}

#[test]
fn a_day_too_small_for_every_path_is_refused_naming_the_option() {
    let out = demo(&["--dossiers", "5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a refused run exits non-zero");
    assert!(stderr.contains("--dossiers"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("the day begins"),
        "nothing ran"
    );
}

/// A plain HTTP/1.1 GET on loopback: the status line and the body.
fn get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("the web listener answers");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_string();
    (status, answer)
}

#[test]
fn with_keep_running_the_demo_serves_the_hosted_workspace_until_sigterm() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(BIN)
        .args(["demo", "--dossiers", "10", "--no-faults", "--keep-running"])
        .args(["--dir", dir.path().to_str().expect("utf-8 temp dir")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run lienthong demo");
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    // Read until the demo says it keeps running and has listed the logins.
    let mut workspace = None;
    for line in lines.by_ref() {
        let line = line.expect("stdout readable");
        if let Some(url) = line.strip_prefix("open the hosted one-stop workspace at http://") {
            workspace = Some(url.trim_end_matches("/mot-cua/").to_string());
        }
        let done = workspace.is_some() && line.trim_start().starts_with("quantri ");
        printed.push(line);
        if done {
            break;
        }
    }
    let text = printed.join("\n");
    let addr = workspace.unwrap_or_else(|| panic!("no workspace address printed:\n{text}"));
    for login in ["tiepnhan", "chuyenvien", "lanhdao", "quantri"] {
        assert!(text.contains(login), "{login} listed:\n{text}");
    }
    assert!(text.contains("dev-tiepnhan-matkhau"), "{text}");
    assert!(
        text.contains("every acknowledged change reached") || text.contains("tally per partner"),
        "the day ran first:\n{text}"
    );
    assert!(
        text.contains(&format!("open the public portal at http://{addr}/")),
        "the portal's address printed:\n{text}"
    );
    assert!(
        text.contains("a citizen looked #2") && text.contains("up on the portal"),
        "a demo dossier was looked up through /tra-cuu:\n{text}"
    );
    assert!(
        text.contains("a citizen rated") || text.contains("nothing to rate on the portal"),
        "a returned demo dossier was rated through the lookup page:\n{text}"
    );
    assert!(
        text.contains("cong.dan6@example.vn (dossier #6), password mat-khau-cong-dan-demo"),
        "the sign-in of an applicant who filed online is printed:\n{text}"
    );
    let (status, page) = get(&addr, "/");
    assert!(status.contains(" 200 "), "{status}\n{page}");
    assert!(page.contains("Tra cứu hồ sơ"), "{page}");
    let (status, page) = get(&addr, "/mot-cua/dang-nhap");
    assert!(status.contains(" 200 "), "{status}\n{page}");
    assert!(page.contains("Đăng nhập"), "{page}");

    let stop = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(stop.success());
    let exit = child.wait().expect("the demo exits");
    assert!(exit.success(), "stopped cleanly on SIGTERM: {exit}");
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "the web listener is closed"
    );
}
