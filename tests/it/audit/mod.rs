//! The tamper-evident audit log, end to end: what the hub records (accepted
//! and refused commands, refusals counted under a flood, acknowledgements),
//! `lienthong audit verify` on the real binary, one changed byte on disk
//! found at its entry, forged checkpoints, and receipts verified offline.

mod chain;
mod receipts;
mod sealed;
mod tamper;

use lienthong::audit::Entry;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the real binary with `args`.
pub fn lienthong(args: &[&std::ffi::OsStr]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(args)
        .output()
        .expect("run lienthong")
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A signing key made by `lienthong audit keygen`, and its public key file
/// written from `lienthong audit public-key`.
pub struct Keys {
    pub signing: PathBuf,
    pub public: PathBuf,
}

pub fn keygen(dir: &Path) -> Keys {
    let signing = dir.join("audit.key");
    let made = lienthong(&[
        "audit".as_ref(),
        "keygen".as_ref(),
        "--out".as_ref(),
        signing.as_os_str(),
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let printed = lienthong(&[
        "audit".as_ref(),
        "public-key".as_ref(),
        "--key".as_ref(),
        signing.as_os_str(),
    ]);
    assert!(printed.status.success(), "{}", text(&printed));
    assert_eq!(
        String::from_utf8_lossy(&made.stdout),
        String::from_utf8_lossy(&printed.stdout),
        "keygen prints the same public key as public-key"
    );
    let public = dir.join("audit.pub");
    std::fs::write(&public, &printed.stdout).unwrap();
    Keys { signing, public }
}

/// A hub signing with a key `keygen` made in `dir`, checkpoints on demand
/// only (the interval is an hour), `adjust` applied after; and the keys.
pub async fn signing_hub(
    dir: &Path,
    adjust: impl FnOnce(&mut lienthong::config::HubConfig),
) -> (Keys, crate::common::TestHub) {
    let keys = keygen(dir);
    let signing = keys.signing.clone();
    let hub = crate::common::TestHub::start_with(move |c| {
        c.audit.signing_key_file = Some(signing);
        c.audit.checkpoint_interval_seconds = 3600;
        adjust(c);
    })
    .await;
    (keys, hub)
}

/// `lienthong audit verify` on a stopped hub's data directory.
pub fn verify(data: &Path, public_key: Option<&Path>) -> Output {
    let mut args = vec![
        "audit".as_ref(),
        "verify".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ];
    if let Some(key) = public_key {
        args.extend(["--public-key".as_ref(), key.as_os_str()]);
    }
    lienthong(&args)
}

/// Every entry of a stopped hub's log, decoded.
pub fn entries(data: &Path) -> Vec<Entry> {
    let reader = lienthong::store::AuditReader::open(data).expect("open the data directory");
    reader
        .entries()
        .map(|stored| {
            let (_, value) = stored.expect("read an entry");
            Entry::decode(&value[..value.len() - 32]).expect("a well-formed entry")
        })
        .collect()
}
