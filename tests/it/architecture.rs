//! The invariants of ARCHITECTURE.md that can be checked by reading the
//! source tree, checked (like rust-analyzer's tidy tests): forbidden names per
//! module, forbidden dependencies per crate, a `//!` paragraph per file. A
//! change that breaks one fails here with the file, the line and the rule.
//!
//! Nothing is compiled: the files are read and lexed, comments and string
//! literals are not code, so a paragraph saying "no sled here" is fine.
//!
//! To add a rule, add one line to `RULES`. A rule that will only hold once a
//! refactor lands stays `on: OFF`; `LIENTHONG_TIDY_ALL=1` checks those too,
//! and the test prints what they would report today in any case.

mod checks;
mod tokens;

use checks::{check, covers, glob, read_tree, Check::*, Rule, SourceFile};
use std::path::Path;

const ON: bool = true;
/// A rule that will only hold once pending work lands (none today: every
/// rule of issue 7 is on). Kept so the next pending rule is one word away.
#[allow(dead_code)]
const OFF: bool = false;

/// Binary-only modules and clients of the hub by nature: they may use what
/// a client uses (tonic channels, prost messages, lapin, anyhow).
const TOOLS: [&str; 2] = ["src/bench/**", "src/demo/**"];

#[rustfmt::skip]
const RULES: &[Rule] = &[
    Rule { on: ON, text: "`domain` imports no wire, transport or storage crate: it is plain data and pure functions", files: &["src/domain/**"], except: &[], check: Names(&["prost", "prost_types", "tonic", "lapin", "sled", "axum", "tokio", "lienthong_proto", "crate::wire", "crate::store", "crate::grpc", "crate::amqp"]) },
    Rule { on: ON, text: "the domain crate depends on no wire, transport or storage crate", files: &["src/domain/Cargo.toml"], except: &[], check: Depends(&["prost", "prost-types", "tonic", "lapin", "sled", "axum", "tokio", "lienthong", "lienthong-proto"]) },
    Rule { on: ON, text: "no module outside `store` names a sled type (the benchmark measures raw sled as its baseline)", files: &["src/**", "adapters/*/src/**"], except: &["src/store/**", TOOLS[0]], check: Names(&["sled"]) },
    Rule { on: ON, text: "only `amqp` knows lapin (the benchmark is a client)", files: &["src/**", "adapters/*/src/**"], except: &["src/amqp/**", TOOLS[0]], check: Names(&["lapin"]) },
    Rule { on: ON, text: "only `metrics` names the Prometheus client crate; the core reports through its plain methods", files: &["src/**", "adapters/*/src/**"], except: &["src/metrics/**"], check: Names(&["prometheus_client"]) },
    Rule { on: ON, text: "only `grpc` knows tonic (bench and demo are clients)", files: &["src/**", "adapters/*/src/**"], except: &["src/grpc/**", TOOLS[0], TOOLS[1]], check: Names(&["tonic", "tonic_health", "tonic_reflection"]) },
    Rule { on: ON, text: "`anyhow` only in main.rs and binary-only modules; libraries have one thiserror enum per module", files: &["src/**", "adapters/*/src/**"], except: &["src/main.rs", TOOLS[0], TOOLS[1]], check: Names(&["anyhow"]) },
    Rule { on: ON, text: "adapters keep what must survive a restart in the hub's store (the adapter state calls of `HubApi`), never in a file of their own: no adapter writes a file (the treasury's reconciliation reports are output for operators; simulators are the partners)", files: &["adapters/*/src/**"], except: &["adapters/*/src/simulator/**", "adapters/treasury/src/run.rs"], check: Names(&["fs::write", "fs::rename", "fs::copy", "File::create", "OpenOptions"]) },
    Rule { on: ON, text: "adapters depend on the contract only, never on the hub's internals, lapin or sled", files: &["adapters/*/Cargo.toml"], except: &[], check: Depends(&["lienthong", "lapin", "sled"]) },
    Rule { on: ON, text: "every module starts with a `//!` paragraph saying why it exists", files: &["src/**/*.rs", "adapters/*/src/**/*.rs", "simulators/*/src/**/*.rs", "fuzz/**/*.rs"], except: &[], check: ModuleDoc },
    Rule { on: ON, text: "nothing the hub or an adapter is built from names the fuzz crate: it only calls in", files: &["src/**", "adapters/*/src/**"], except: &[], check: Names(&["lienthong_fuzz"]) },
    Rule { on: ON, text: "no crate of the hub or its adapters depends on the fuzz crate", files: &["src/domain/Cargo.toml", "adapters/*/Cargo.toml"], except: &[], check: Depends(&["lienthong-fuzz"]) },
    Rule { on: ON, text: "a rating or a published answer is recorded only with its outbox event, in the writer's batch (`engine/citizen.rs`)", files: &["src/**"], except: &["src/engine/citizen.rs", "src/store/**"], check: Names(&["put_rating", "put_feedback_answer"]) },
    Rule { on: ON, text: "`store::Txn` is the write side, used only by the engine (the only writer)", files: &["src/**"], except: &["src/engine/**", "src/store/**"], check: Names(&["Txn", "DossierCache", "store::txn"]) },
    Rule { on: ON, text: "only `hub`, `engine` and `app` (which opens it) name `store`; the edges reach state through `Hub` methods", files: &["src/**"], except: &["src/store/**", "src/hub/**", "src/engine/**", "src/app.rs"], check: Names(&["crate::store", "lienthong::store", ".store()"]) },
    Rule { on: ON, text: "no consumer reads the outbox but through a `Follower`", files: &["src/**"], except: &["src/store/**", "src/hub/follower.rs"], check: Names(&["events_after"]) },
    Rule { on: ON, text: "only the edges `wire`, `grpc`, `amqp` and `adapters` (whose interface with adapter crates is the contract) and the clients bench and demo know prost types", files: &["src/**"], except: &["src/wire/**", "src/grpc/**", "src/amqp/**", "src/adapters/**", "src/store/records/**", TOOLS[0], TOOLS[1]], check: Names(&["prost", "prost_types", "lienthong_proto::v1", "crate::wire", "pb::"]) },
    Rule { on: ON, text: "`store/records` derives its own storage messages with prost; it never uses the contract's (`lienthong_proto`): renaming a contract field must not touch the disk", files: &["src/store/records/**"], except: &[], check: Names(&["lienthong_proto", "crate::wire", "pb::", "prost_types"]) },
    Rule { on: ON, text: "`grpc/status.rs` is the only place where an error becomes a gRPC status", files: &["src/**"], except: &["src/grpc/status.rs", "src/bench/minimal.rs"], check: Names(&TONIC_STATUS_CONSTRUCTORS) },
    Rule { on: ON, text: "other modules do not import `grpc`: error codes are transport-neutral, mapped to gRPC only in `grpc`", files: &["src/**"], except: &["src/grpc/**", "src/app.rs", TOOLS[0], TOOLS[1]], check: Names(&["crate::grpc"]) },
    Rule { on: ON, text: "the library exposes the hub and nothing else: demo and bench are parts of the binary", files: &["src/lib.rs"], except: &[], check: Names(&["mod demo", "mod bench"]) },
    Rule { on: ON, text: "the library names no adapter simulator: they sit behind each adapter crate's `simulator` feature, for the demo and tests", files: &["src/**"], except: &[TOOLS[1]], check: Names(&["simulator"]) },
    Rule { on: ON, text: "the library names no OpenID Connect provider simulator: it is a crate of its own, for the demo and tests", files: &["src/**"], except: &[TOOLS[1]], check: Names(&["lienthong_oidc_simulator"]) },
    Rule { on: ON, text: "the OpenID Connect provider simulator depends on nothing of lienthong: it speaks only the protocol", files: &["simulators/oidc/Cargo.toml"], except: &[], check: Depends(&["lienthong", "lienthong-domain", "lienthong-proto", "lienthong-adapter"]) },
    Rule { on: ON, text: "only `portal::oidc` verifies ID tokens and talks to the OpenID Connect provider; the pages take its verdict", files: &["src/**"], except: &["src/portal/oidc/**"], check: Names(&["RsaPublicKeyComponents", "RSA_PKCS1_2048_8192_SHA256", "code_verifier"]) },
    Rule { on: ON, text: "the portal learns where a payer goes only through `Hub::payment_link`, never from delivery bookkeeping or an adapter (the operator console, `web/console_*`, is the operators' view of that bookkeeping)", files: &["src/web/**", "src/portal/**"], except: &["src/web/console_*.rs"], check: Names(&["delivery_records", "DeliveryRecords", "DeliveryState", "AdapterDeliveries", "lienthong_adapter_payment"]) },
    Rule { on: ON, text: "error codes cross transports as one `ErrorCode`, never as strings compared with gRPC code names", files: &["src/**", "adapters/*/src/**"], except: &[], check: CodeNameCompared },
    Rule { on: ON, text: "`adapters/kinds.rs` is the only place the hub names adapter crates (the demo runs their simulators)", files: &["src/**"], except: &["src/adapters/kinds.rs", TOOLS[1]], check: Names(&["lienthong_adapter_*"]) },
    Rule { on: ON, text: "`limits` knows no wire, transport or storage crate and takes no lock: partners are admitted on atomics of their own", files: &["src/limits.rs"], except: &[], check: Names(&["prost", "tonic", "lapin", "sled", "axum", "tokio", "Mutex", "RwLock", "crate::wire", "crate::store"]) },
    Rule { on: ON, text: "configuration never calls into the adapter edge: it is given the adapter kinds to check tables with", files: &["src/config/**"], except: &[], check: Names(&["crate::adapters", "lienthong_adapter_*"]) },
    Rule { on: ON, text: "pages run no inline script: a template loads scripts only as files of this origin and has no event-handler attribute or `javascript:` address (the CSP says `script-src 'self'`)", files: &["src/web/templates/**"], except: &[], check: NoInlineScript },
    Rule { on: ON, text: "the core never knows about shovels: only `amqp::sites` declares and checks the links between sites (on its own broker's management API); the binary's `demo --sites` and `bench --sites` act on them as an operator would", files: &["src/**"], except: &["src/amqp/sites/**", "src/demo/sites/**", "src/bench/sites/**"], check: Names(&["shovel", "ShovelError"]) },
    Rule { on: ON, text: "only `tls` knows rustls (and `amqp`, which hands lapin its client identity): the core sees a client certificate as `partners::ClientCertificate`", files: &["src/**", "adapters/*/src/**"], except: &["src/tls/**", "src/amqp/**"], check: Names(&["rustls", "tokio_rustls", "rustls_pemfile", "x509_parser", "p12_keystore"]) },
];

/// Every way tonic builds a `Status`.
const TONIC_STATUS_CONSTRUCTORS: [&str; 21] = [
    "Status::new",
    "Status::with_details",
    "Status::with_metadata",
    "Status::with_details_and_metadata",
    "Status::from_error",
    "Status::cancelled",
    "Status::unknown",
    "Status::invalid_argument",
    "Status::deadline_exceeded",
    "Status::not_found",
    "Status::already_exists",
    "Status::permission_denied",
    "Status::resource_exhausted",
    "Status::failed_precondition",
    "Status::aborted",
    "Status::out_of_range",
    "Status::unimplemented",
    "Status::internal",
    "Status::unavailable",
    "Status::data_loss",
    "Status::unauthenticated",
];

fn tree() -> Vec<SourceFile> {
    read_tree(Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn architecture_invariants_hold() {
    let files = tree();
    let everything = std::env::var_os("LIENTHONG_TIDY_ALL").is_some();
    let mut broken = Vec::new();
    for rule in RULES {
        let violations = check(rule, &files);
        if rule.on || everything {
            broken.extend(violations);
        } else if !violations.is_empty() {
            eprintln!("pending rule (off): {}", rule.text);
            for v in &violations {
                eprintln!("    {}:{}: {}", v.path, v.line, v.found);
            }
        }
    }
    let report: Vec<String> = broken.iter().map(ToString::to_string).collect();
    assert!(
        broken.is_empty(),
        "{} architecture violation(s) (see ARCHITECTURE.md):\n{}",
        broken.len(),
        report.join("\n")
    );
}

#[test]
fn every_enabled_rule_covers_files_that_exist() {
    // A directory renamed under a rule would otherwise make it hold vacuously.
    let files = tree();
    assert!(files.iter().any(|f| f.path == "src/lib.rs"));
    assert!(files
        .iter()
        .any(|f| f.path == "adapters/adapter/Cargo.toml"));
    for rule in RULES.iter().filter(|r| r.on) {
        for pattern in rule.files.iter().chain(rule.except) {
            assert!(
                files.iter().any(|f| glob(pattern, &f.path)),
                "rule `{}`: `{pattern}` matches no file",
                rule.text
            );
        }
        assert!(
            files.iter().any(|f| covers(rule, &f.path)),
            "rule `{}` covers no file",
            rule.text
        );
    }
}

fn domain_rule() -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.files == ["src/domain/**"])
        .expect("the domain rule")
}

#[test]
fn a_violation_names_the_file_the_line_and_the_rule() {
    let file = SourceFile::new(
        "src/domain/leak.rs",
        "//! A domain file that leaks storage.\n\nuse sled::Db;\n",
    );
    let rule = domain_rule();
    let shown: Vec<String> = check(rule, &[file])
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        [format!(
            "src/domain/leak.rs:3: names `sled` — breaks: {}",
            rule.text
        )]
    );
}

#[test]
fn the_tidy_test_does_not_trip_itself() {
    // Its comments and strings name every forbidden thing; placed where the
    // strictest rules apply, its code still names none of them.
    let own = [
        include_str!("architecture.rs"),
        include_str!("architecture/checks.rs"),
        include_str!("architecture/tokens.rs"),
    ];
    let files: Vec<SourceFile> = own
        .iter()
        .enumerate()
        .map(|(i, text)| SourceFile::new(&format!("src/domain/tidy{i}.rs"), text))
        .collect();
    let code_names = RULES
        .iter()
        .find(|r| matches!(r.check, CodeNameCompared))
        .expect("the code-name rule");
    let strict = Rule {
        on: ON,
        files: &["src/domain/**"],
        except: &[],
        ..*code_names
    };
    for rule in [domain_rule(), &strict] {
        let found: Vec<String> = check(rule, &files)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(found.is_empty(), "{found:#?}");
    }
}
