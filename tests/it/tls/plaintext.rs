//! Plaintext is what the configuration asks for by name, and `serve` says
//! so loudly: on the terminal and as a WARN log line per listener.

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

// issue 10 (TLS on every listener): the embedded development configuration
// names its listeners in `tls.plaintext_listeners`; `serve` warns about
// each one that is open.
#[tokio::test]
async fn serve_warns_about_every_plaintext_listener() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args([
            "--admin-listen",
            "127.0.0.1:0",
            "--web-listen",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start lienthong");
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    let warning = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = out.next_line().await.unwrap() {
            if line.starts_with("WARNING: PLAINTEXT") {
                return line;
            }
        }
        panic!("serve ended without a plaintext warning");
    })
    .await
    .expect("serve prints its warning");
    // The embedded default opens gRPC and the web pages (no HTTP callbacks).
    assert!(warning.contains("grpc, web"), "{warning}");
    let mut logged = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = err.next_line().await.unwrap() {
            if line.contains("PLAINTEXT LISTENER") {
                logged.push(line);
                if logged.len() == 2 {
                    return;
                }
            }
        }
    })
    .await;
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(
        logged
            .iter()
            .any(|l| l.contains("WARN") && l.contains("grpc")),
        "{logged:?}"
    );
    assert!(logged.iter().any(|l| l.contains("web")), "{logged:?}");
    child.kill().await.unwrap();
}
