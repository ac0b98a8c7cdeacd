//! deploy/rabbitmq/definitions.json imports into a real broker.
//!
//! Operators load the file with `rabbitmqctl import_definitions` (or the
//! management UI). Here it is imported into a scratch virtual host of the
//! test broker — every `"vhost": "/"` rewritten, nothing else — and what it
//! declares is read back, then the vhost is deleted.

use super::{rabbitmqctl, rabbitmqctl_output};

#[test]
fn the_rabbitmq_definitions_import_into_a_scratch_vhost() {
    let vhost = format!("lienthong-definitions-{}", std::process::id());
    let text = std::fs::read_to_string(
        crate::readme_examples::root().join("deploy/rabbitmq/definitions.json"),
    )
    .unwrap();
    let mut definitions: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut rewritten = 0;
    rewrite_vhosts(&mut definitions, &vhost, &mut rewritten);
    assert!(rewritten >= 8, "only {rewritten} vhost fields in the file");
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("definitions.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&definitions).unwrap()).unwrap();

    rabbitmqctl(&["import_definitions", file.to_str().unwrap()]);
    let queues = rabbitmqctl_output(&["list_queues", "-q", "-p", &vhost, "name", "type", "policy"]);
    let exchanges = rabbitmqctl_output(&["list_exchanges", "-q", "-p", &vhost, "name", "type"]);
    let policies = rabbitmqctl_output(&["list_policies", "-q", "-p", &vhost]);
    rabbitmqctl(&["delete_vhost", &vhost]);

    let has = |text: &str, words: &[&str]| {
        text.lines().any(|line| {
            words
                .iter()
                .all(|w| line.split_whitespace().any(|x| x == *w))
        })
    };
    assert!(
        has(
            &queues,
            &["lienthong.commands", "quorum", "lienthong-commands"]
        ),
        "{queues}"
    );
    assert!(has(&queues, &["lienthong.parked"]), "{queues}");
    for (name, kind) in [
        ("lienthong.events", "topic"),
        ("lienthong.commands", "direct"),
        ("lienthong.dlx", "fanout"),
    ] {
        assert!(
            has(&exchanges, &[name, kind]),
            "{name} {kind}:\n{exchanges}"
        );
    }
    assert!(policies.contains("lienthong-partner-queues"), "{policies}");
}

fn rewrite_vhosts(value: &mut serde_json::Value, vhost: &str, count: &mut usize) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if (key == "vhost" || key == "name") && v == "/" {
                    *v = serde_json::Value::String(vhost.to_string());
                    *count += 1;
                } else {
                    rewrite_vhosts(v, vhost, count);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                rewrite_vhosts(item, vhost, count);
            }
        }
        _ => {}
    }
}
