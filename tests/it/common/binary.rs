//! The real `lienthong` binary in a child process, for the tests that kill
//! it (crash safety, a hub killed while it publishes).

use std::ffi::OsStr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `lienthong serve` on a free loopback port with `args` and the data
/// directory `data`; returns the child (killed when dropped) and the address
/// it printed.
pub async fn serve_binary(
    args: impl IntoIterator<Item = impl AsRef<OsStr>>,
    data: &Path,
) -> (Child, std::net::SocketAddr) {
    let (child, addr, _) = serve_binary_with_admin(args, data).await;
    (child, addr)
}

/// `serve_binary`, and the admin listener's address it printed.
pub async fn serve_binary_with_admin(
    args: impl IntoIterator<Item = impl AsRef<OsStr>>,
    data: &Path,
) -> (Child, std::net::SocketAddr, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-listen",
            "127.0.0.1:0",
        ])
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start lienthong");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("hub prints its address")
        .unwrap()
        .expect("a line");
    let addr = line
        .strip_prefix("lienthong listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .parse()
        .unwrap();
    // The admin line follows at once (the web line may come before it).
    let admin = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("hub prints its admin address")
            .unwrap()
            .expect("a line");
        if let Some(rest) = line.strip_prefix("admin (metrics, probes) on http://") {
            break rest.trim().parse().unwrap();
        }
    };
    // Keep draining stdout so the hub never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr, admin)
}
