//! The README's gRPC examples, run as written with a stock client.
//!
//! The README shows how to talk to the hub with `grpcurl` commands. grpcurl
//! cannot be installed on the build machines, so these tests read the
//! commands out of the README's `sh` block and run each one through
//! `tests/tools/grpc_call.py` — Python's stock grpcio with its reflection
//! client, taking grpcurl's arguments — against a hub on the embedded
//! development configuration. A documented call that stops working, or a
//! README edit that breaks one, fails here; so does a hub that stops
//! serving the v1alpha reflection protocol those clients speak.

use crate::common::TestHub;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

/// The interpreter of tests/tools.sh's environment (tests/run.sh sources it).
pub fn python() -> PathBuf {
    let path = std::env::var_os("LT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/python-tools/bin/python3"));
    assert!(
        path.exists(),
        "{} is missing: run the suite through tests/run.sh (tests/tools.sh installs the Python tools)",
        path.display()
    );
    path
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One shell command line of the README, split into words as sh would:
/// quotes, `$VAR` in double quotes, backslash-newline continuations,
/// `#` comments. Only what the README uses; anything else is a panic.
fn shell_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let (mut words, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut chars = script.chars().peekable();
    let end_word = |words: &mut Vec<String>, word: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '$' => {
                            let mut name = String::new();
                            while chars
                                .peek()
                                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                            {
                                name.push(chars.next().unwrap());
                            }
                            word.push_str(vars.get(&name).unwrap_or_else(|| {
                                panic!("README uses ${name} before setting it")
                            }));
                        }
                        c => word.push(c),
                    }
                }
            }
            ' ' | '\t' => end_word(&mut words, &mut word, &mut in_word),
            '\n' => {
                end_word(&mut words, &mut word, &mut in_word);
                if let [only] = words.as_slice() {
                    if let Some((name, value)) = only.split_once('=') {
                        vars.insert(name.to_string(), value.to_string());
                        words.clear();
                        continue;
                    }
                }
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            '$' | '`' | '|' | ';' | '&' | '>' | '<' => {
                panic!("README example uses `{c}` outside quotes: extend shell_commands")
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut words, &mut word, &mut in_word);
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

/// The `sh` block of the README's "Talk to it" section.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Talk to it")
        .nth(1)
        .expect("README has a `## Talk to it` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .expect("the section has an ```sh block");
    block.split("\n```").next().unwrap().to_string()
}

struct Answer {
    method: String,
    stdout: String,
}

/// Runs one grpcurl command line through grpc_call.py against `hub`.
fn run(hub: &TestHub, words: &[String]) -> Answer {
    assert_eq!(
        words[0], "grpcurl",
        "README block runs only grpcurl: {words:?}"
    );
    let args: Vec<String> = words[1..]
        .iter()
        .map(|w| {
            if w == "127.0.0.1:50051" {
                hub.addr.to_string()
            } else {
                w.clone()
            }
        })
        .collect();
    let method = args.last().unwrap().clone();
    let output = Command::new(python())
        .arg(root().join("tests/tools/grpc_call.py"))
        .args(&args)
        // A subscription follows the outbox until stopped, as with grpcurl:
        // the three events the README's calls have made are enough.
        .env("GRPC_CALL_MAX_MESSAGES", "3")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "README example failed: {}\nstdout: {stdout}\nstderr: {}",
        words.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    Answer { method, stdout }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grpcurl_example_of_the_readme_works_as_written() {
    let mut hub = TestHub::start().await;
    let commands = shell_commands(&readme_block());
    let answers: Vec<Answer> = commands.iter().map(|words| run(&hub, words)).collect();
    let methods: Vec<&str> = answers.iter().map(|a| a.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "lienthong.v1.DossierService/Execute",
            "lienthong.v1.DossierService/Execute",
            "lienthong.v1.DossierService/Execute",
            "lienthong.v1.DossierService/GetDossier",
            "lienthong.v1.DossierService/ListDossiers",
            "lienthong.v1.EventService/Subscribe",
            "lienthong.v1.EventService/Ack",
            "lienthong.v1.DossierService/ExecuteStream",
        ],
        "the README's examples changed: keep this list in step"
    );
    let text = |i: usize| answers[i].stdout.as_str();
    assert!(
        text(0).contains("\"maHoSo\": \"000.00.01.H22-"),
        "{}",
        text(0)
    );
    assert!(text(1).contains("DOSSIER_STATUS_RECEIVED"), "{}", text(1));
    // The partner's event: a line, the status unchanged.
    assert!(
        text(2).contains("\"kind\": \"postal.picked_up\"")
            && text(2).contains("DOSSIER_STATUS_RECEIVED"),
        "{}",
        text(2)
    );
    assert!(
        text(3).contains("Trần Thị Bình")
            && text(3).contains("DOSSIER_STATUS_RECEIVED")
            && text(3).contains("Bưu chính: đã thu gom hồ sơ: mã PU-0001"),
        "{}",
        text(3)
    );
    assert!(text(4).contains("Cấp giấy phép xây dựng"), "{}", text(4));
    assert!(
        text(5).contains("EVENT_TYPE_DOSSIER_SUBMITTED")
            && text(5).contains("EVENT_TYPE_DOSSIER_RECEIVED")
            && text(5).contains("EVENT_TYPE_PARTNER_EVENT_RECORDED"),
        "{}",
        text(5)
    );
    // One answer per command, in order: the new dossier, the replay, the
    // new dossier received.
    let stream = text(7);
    let at = |needle: &str| {
        stream
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in {stream}"))
    };
    assert!(at("Lê Văn Cường") < at("\"replayed\": true"), "{stream}");
    assert!(
        at("\"replayed\": true") < at("\"index\": \"2\""),
        "{stream}"
    );
    assert_eq!(
        stream
            .matches("\"status\": \"DOSSIER_STATUS_RECEIVED\"")
            .count(),
        2,
        "{stream}"
    );
    assert!(!stream.contains("\"error\""), "{stream}");
    hub.stop().await;
}

/// Python's grpcio-reflection client speaks only `grpc.reflection.v1alpha`;
/// grpcurl prefers v1 (next test). The hub serves both, with the
/// same services (each reflection service lists itself, not the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1alpha_reflection_client_lists_every_service() {
    let mut hub = TestHub::start().await;
    let output = Command::new(python())
        .arg(root().join("tests/tools/grpc_call.py"))
        .args(["-plaintext", &hub.addr.to_string(), "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{listed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for service in [
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "lienthong.v1.AdminService",
        "lienthong.v1.AuditService",
        "lienthong.v1.CatalogService",
        "lienthong.v1.DossierService",
        "lienthong.v1.EventService",
    ] {
        assert!(
            listed.lines().any(|l| l == service),
            "{service} not listed:\n{listed}"
        );
    }
    hub.stop().await;
}

/// grpcurl, Postman and current Go and Java clients ask `grpc.reflection.v1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_reflection_client_lists_every_service() {
    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };
    let mut hub = TestHub::start().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", hub.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let answer = answers.message().await.unwrap().expect("one answer");
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("not a service list: {answer:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for service in [
        "grpc.reflection.v1.ServerReflection",
        "lienthong.v1.DossierService",
    ] {
        assert!(
            names.iter().any(|n| n == service),
            "{service} not in {names:?}"
        );
    }
    hub.stop().await;
}

#[test]
fn the_shell_reader_splits_as_sh_does() {
    let commands =
        shell_commands("X='a b'\n# comment\ncmd -H \"$X\" -d '{\n \"k\": 1}' \\\n  last\n");
    assert_eq!(
        commands,
        vec![vec!["cmd", "-H", "a b", "-d", "{\n \"k\": 1}", "last"]]
    );
}
