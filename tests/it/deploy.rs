//! The deploy files, checked the way the tools that read them would.
//!
//! Container images cannot be pulled here and there is no cluster, so each
//! file is checked by the nearest real tool: the Containerfile against the
//! workspace it must build (every member copied into the build stage), the
//! Kubernetes manifests against the API schemas with kubernetes-validate
//! and against the configuration they carry (every listener has a port and
//! a Service port; tests/tools/check_kubernetes.py), that configuration
//! through the hub's own check, the systemd unit with `systemd-analyze
//! verify`. (The RabbitMQ definitions are imported into the test broker by
//! `amqp::definitions`, which needs the broker to itself.)

use crate::readme_examples::{python, root};
use lienthong::config::HubConfig;
use std::process::Command;

/// Workspace members whose directory no `COPY` of the build stage brings.
fn members_not_copied(containerfile: &str, cargo_toml: &str) -> Vec<String> {
    let manifest: toml::Table = toml::from_str(cargo_toml).unwrap();
    let members = manifest["workspace"]["members"].as_array().unwrap();
    let build_stage = containerfile
        .split("\nFROM ")
        .nth(1)
        .expect("a build stage after the first FROM");
    let copied: Vec<&str> = build_stage
        .lines()
        .filter_map(|line| line.strip_prefix("COPY "))
        .filter(|args| !args.starts_with("--from"))
        .flat_map(|args| {
            let words: Vec<&str> = args.split_whitespace().collect();
            words[..words.len() - 1].to_vec()
        })
        .map(|source| source.trim_end_matches('/'))
        .collect();
    members
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .filter(|member| {
            let needs: Vec<String> = if member == "." {
                vec!["Cargo.toml".into(), "Cargo.lock".into(), "src".into()]
            } else {
                vec![member.clone()]
            };
            !needs.iter().all(|need| {
                copied
                    .iter()
                    .any(|c| *c == need || need.starts_with(&format!("{c}/")))
            })
        })
        .collect()
}

#[test]
fn the_container_build_stage_copies_every_workspace_member() {
    let containerfile =
        std::fs::read_to_string(root().join("deploy/container/Containerfile")).unwrap();
    let cargo_toml = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert_eq!(
        members_not_copied(&containerfile, &cargo_toml),
        Vec::<String>::new(),
        "deploy/container/Containerfile must COPY every workspace member of Cargo.toml"
    );
    // The check finds what the file used to miss.
    let without_adapters = containerfile.replace("COPY adapters adapters\n", "");
    let missing = members_not_copied(&without_adapters, &cargo_toml);
    assert!(
        missing.contains(&"adapters/payment".to_string()),
        "{missing:?}"
    );
}

fn check_kubernetes(dir: &std::path::Path, config_out: &std::path::Path) -> (bool, String) {
    let output = Command::new(python())
        .arg(root().join("tests/tools/check_kubernetes.py"))
        .arg(dir)
        .arg("--config-out")
        .arg(config_out)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_kubernetes_manifests_are_valid_and_carry_a_configuration_the_hub_accepts() {
    let scratch = tempfile::tempdir().unwrap();
    let config_path = scratch.path().join("lienthong.toml");
    let (ok, report) = check_kubernetes(&root().join("deploy/kubernetes"), &config_path);
    assert!(ok, "{report}");
    // The ConfigMap's file through the hub's own check, with the TLS files
    // it names made here (the Secret's mount point moved to the temp dir).
    crate::tls::TlsDir::write(
        scratch.path(),
        &crate::tls::Ca::new("hub CA").server(),
        &crate::tls::Ca::new("partners CA"),
    );
    let text = std::fs::read_to_string(&config_path).unwrap().replace(
        "/etc/lienthong/tls/",
        &format!("{}/", scratch.path().display()),
    );
    let loaded = HubConfig::parse("configmap.yaml", &text, &lienthong::adapters::kinds())
        .unwrap_or_else(|e| panic!("{e}"));
    let config = &loaded.sections;
    assert!(
        config.hub.http_listen.is_some(),
        "the ConfigMap sets http_listen"
    );
    assert!(config.web.is_some(), "the ConfigMap sets [web]");
    assert!(
        config.partners.iter().any(|p| p.adapter.is_some()),
        "the ConfigMap shows a partner with [partners.adapter]"
    );
}

#[test]
fn a_listener_without_a_container_port_is_caught() {
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("kubernetes");
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(root().join("deploy/kubernetes")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace(
            "            - name: web\n              containerPort: 8080\n              protocol: TCP\n",
            "",
        );
        std::fs::write(copy.join(path.file_name().unwrap()), text).unwrap();
    }
    let (ok, report) = check_kubernetes(&copy, &scratch.path().join("out.toml"));
    assert!(!ok, "{report}");
    assert!(
        report.contains("no containerPort 8080 for the ConfigMap's [web] listen"),
        "{report}"
    );
}

#[test]
fn the_example_configuration_shows_an_adapter_partner_and_http_listen() {
    let text = std::fs::read_to_string(root().join("config/lienthong.example.toml")).unwrap();
    let config = HubConfig::from_toml("example", &text).unwrap();
    assert!(config.hub.http_listen.is_some());
    assert!(config.partners.iter().any(|p| p.adapter.is_some()));
}

/// `systemd-analyze verify` of the unit in a scratch root: the host's unit
/// library, the unit, and a stand-in for the binary at ExecStart's path (it
/// checks that the path is executable). A warning fails as an error does.
fn verify_unit(unit: &str) -> (bool, String) {
    let scratch = tempfile::tempdir().unwrap();
    let root_dir = scratch.path();
    std::fs::create_dir_all(root_dir.join("usr/local/bin")).unwrap();
    std::fs::create_dir_all(root_dir.join("etc/systemd/system")).unwrap();
    std::fs::create_dir_all(root_dir.join("usr/lib/systemd")).unwrap();
    let copied = Command::new("cp")
        .args(["-a", "/usr/lib/systemd/system"])
        .arg(root_dir.join("usr/lib/systemd/"))
        .status()
        .unwrap();
    assert!(copied.success(), "copy /usr/lib/systemd/system");
    let binary = root_dir.join("usr/local/bin/lienthong");
    std::fs::write(&binary, "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(root_dir.join("etc/systemd/system/lienthong.service"), unit).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", root_dir.display()))
        .arg("lienthong.service")
        .output()
        .expect("systemd-analyze (Debian's systemd package; tests/tools.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success() && text.trim().is_empty(), text)
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    let unit = std::fs::read_to_string(root().join("deploy/systemd/lienthong.service")).unwrap();
    let (ok, report) = verify_unit(&unit);
    assert!(ok, "systemd-analyze verify: {report}");
    // And the check is not blind: a misspelt directive is reported.
    let (ok, report) = verify_unit(&unit.replace("\nUser=", "\nUsr="));
    assert!(!ok && report.contains("Usr"), "{report}");
}
