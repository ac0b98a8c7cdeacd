//! The data directory under stress: a disk that fills up and empties again
//! (a real tmpfs of a few MiB, mounted for the test), and the directory's
//! permissions whatever the umask.

use crate::common::{self, submission, submit_request, TestHub};
use lienthong::grpc::pb;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

/// A tmpfs mounted on a fresh directory, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mebibytes: u64) -> SmallDisk {
        let dir = tempfile::tempdir().expect("mount point");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mebibytes}m,mode=0700")])
            .arg("tmpfs")
            .arg(dir.path())
            .output()
            .expect("mount(8) runs");
        assert!(
            out.status.success(),
            "this test mounts a tmpfs and must run as root (it does in tests/run.sh and CI): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Writes a file until the disk refuses more; returns its path.
fn fill(disk: &Path) -> PathBuf {
    let path = disk.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0x5a_u8; 64 << 10];
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
                break;
            }
        }
    }
    let _ = file.sync_all();
    path
}

async fn health(addr: std::net::SocketAddr) -> ServingStatus {
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .expect("health connects");
    let mut client = HealthClient::new(channel);
    let service = "lienthong.v1.DossierService".to_string();
    let answer = client
        .check(HealthCheckRequest { service })
        .await
        .expect("health answers")
        .into_inner();
    ServingStatus::try_from(answer.status).expect("a known status")
}

async fn wait_health(addr: std::net::SocketAddr, wanted: ServingStatus) {
    for _ in 0..600 {
        if health(addr).await == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("health never became {wanted:?}");
}

// issue 10 defect 5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_keeps_reads_and_writes_resume_once_space_is_back() {
    let disk = SmallDisk::mount(48);
    let data = disk.path().join("data");
    let mut hub = TestHub::start_with(|config| config.hub.data_dir = data.clone()).await;
    let mut client = hub.client(common::ONE_STOP).await;
    assert_eq!(health(hub.addr).await, ServingStatus::Serving);
    assert!(
        data.join(lienthong::app::DISK_RESERVE_FILE).exists(),
        "the store keeps a disk reserve"
    );

    let mut acknowledged = Vec::new();
    for i in 0..3 {
        acknowledged.push(client.submit(&format!("before-{i}")).await.dossier.unwrap());
    }

    let filler = fill(disk.path());
    let mut refusal = None;
    for i in 0..2000 {
        match client
            .exec(submit_request(&format!("full-{i}"), submission()))
            .await
        {
            Ok(reply) => acknowledged.push(reply.dossier.unwrap()),
            Err(status) => {
                refusal = Some(status);
                break;
            }
        }
    }
    let refusal = refusal.expect("a full disk refuses a write");
    assert_eq!(refusal.code(), tonic::Code::Unavailable, "{refusal:?}");

    wait_health(hub.addr, ServingStatus::NotServing).await;
    // The admin listener's readiness says the same (issue 11).
    let admin = hub.admin_addr.expect("the dev configuration has [admin]");
    assert_eq!(crate::metrics::get(admin, "/readyz").await.0, 503);
    assert_eq!(crate::metrics::get(admin, "/healthz").await.0, 200);
    // Refused cleanly while it lasts, naming why; nothing is written.
    let before = client.dossier_count().await;
    let refused = client
        .exec(submit_request("while-full", submission()))
        .await
        .expect_err("no write while the disk is full");
    assert_eq!(refused.code(), tonic::Code::Unavailable);
    assert!(
        refused.message().contains("No space left on device"),
        "{}",
        refused.message()
    );
    assert_eq!(client.dossier_count().await, before);
    assert_eq!(
        before,
        acknowledged.len(),
        "exactly the acknowledged dossiers are there"
    );
    // Every acknowledged dossier reads as it was acknowledged.
    for dossier in &acknowledged {
        let read = client.get(dossier.id).await.expect("readable while full");
        let read = read.dossier.unwrap();
        assert_eq!(read.ma_ho_so, dossier.ma_ho_so);
        assert_eq!(read.version, dossier.version);
    }
    assert_eq!(health(hub.addr).await, ServingStatus::NotServing);

    std::fs::remove_file(&filler).unwrap();
    wait_health(hub.addr, ServingStatus::Serving).await;
    assert_eq!(crate::metrics::get(admin, "/readyz").await.0, 200);
    let after = client.submit("after-space-is-back").await;
    acknowledged.push(after.dossier.unwrap());
    let received = client
        .exec(common::command(
            "receive-after",
            acknowledged[0].id,
            pb::command_request::Command::Receive(pb::ReceiveDossier {
                due_at: Some(common::in_days(10)),
            }),
        ))
        .await
        .expect("commands on earlier dossiers are accepted again");
    assert_eq!(received.dossier.unwrap().version, 2);
    for dossier in &acknowledged {
        client.get(dossier.id).await.expect("readable after");
    }
    assert_eq!(client.dossier_count().await, acknowledged.len());
    hub.stop().await;
}

fn modes_under(dir: &Path, found: &mut Vec<(PathBuf, u32)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        found.push((entry.path(), meta.permissions().mode() & 0o7777));
        if meta.is_dir() {
            modes_under(&entry.path(), found);
        }
    }
}

// issue 10 defect 13
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private_whatever_the_umask() {
    // SAFETY: umask(2) only sets this process's creation mask.
    unsafe {
        libc::umask(0o022);
    }
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    let mut hub = TestHub::start_with(|config| config.hub.data_dir = data.clone()).await;
    hub.client(common::ONE_STOP).await.submit("private").await;
    hub.stop().await;
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700, "data directory mode {mode:o}");
    let mut found = Vec::new();
    modes_under(&data, &mut found);
    assert!(found.len() >= 3, "sled's files are there: {found:?}");
    for (path, mode) in found {
        let wanted = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, wanted, "{} has mode {mode:o}", path.display());
    }
}

// issue 10 defect 13
#[tokio::test]
async fn a_data_directory_others_may_write_to_is_refused_naming_path_and_mode() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut config = TestHub::config(data.clone());
    config.web = None;
    let error = match lienthong::app::start(&TestHub::checked(config)).await {
        Ok(_) => panic!("a world-writable data directory must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains(&data.display().to_string()), "{error}");
    assert!(error.contains("0777"), "{error}");
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "nothing written into it"
    );
}

// issue 12: sled's files keep their high-water mark; `lienthong compact`
// copies a stopped hub's directory into a new one that a hub serves as is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compacted_copy_serves_every_dossier_and_its_audit_log_verifies() {
    let mut hub = TestHub::start().await;
    let mut client = hub.client(common::ONE_STOP).await;
    let mut read = Vec::new();
    for i in 0..5 {
        let id = client
            .submit(&format!("compact-{i}"))
            .await
            .dossier
            .unwrap()
            .id;
        read.push(client.get(id).await.unwrap());
    }
    hub.stop().await;
    let data = hub.dir.path().join("data");
    let copy = hub.dir.path().join("compacted");
    // Into a directory that exists: refused, naming it.
    let taken = lienthong::app::compact(&data, &data)
        .unwrap_err()
        .to_string();
    assert!(taken.contains("already exists"), "{taken}");
    let copied = lienthong::app::compact(&data, &copy).expect("compacts");
    assert!(copied.records > 5, "{copied:?}");
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700);
    let report = lienthong::app::verify_audit(&copy, None)
        .unwrap()
        .unwrap_or_else(|broken| panic!("{broken}"));
    assert!(report.entries >= 5);

    let mut config = TestHub::config(copy);
    config.retention.sweep_interval_seconds = 3600;
    let running = lienthong::app::start(&TestHub::checked(config))
        .await
        .expect("a hub starts on the copy");
    let mut hub = TestHub::around(running, tempfile::tempdir().unwrap());
    let mut client = hub.client(common::ONE_STOP).await;
    for before in &read {
        let id = before.dossier.as_ref().unwrap().id;
        assert_eq!(&client.get(id).await.unwrap(), before);
    }
    let next = client.submit("compact-after").await.dossier.unwrap();
    assert!(next.id > read.len() as u64);
    hub.stop().await;
}
