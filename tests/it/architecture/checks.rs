//! The kinds of rule the tidy test knows, and how each one reads the tree.
//!
//! A rule is data (which files, which exceptions, what to look for, the
//! sentence of ARCHITECTURE.md it enforces); this file turns it into
//! violations that name the file, the line and that sentence.

use super::tokens::{module_path, tokens, use_paths, Kind, Token};
use std::fmt;
use std::path::Path;

/// What a rule looks for in the files it covers.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// None of these paths may be named in code: `sled`, `crate::store`,
    /// `Status::new`, `mod demo`, `lienthong_adapter_*` (a name prefix).
    /// Comments and string literals do not count; `use` trees are
    /// flattened, so `use crate::{store}` names `crate::store`.
    Names(&'static [&'static str]),
    /// The file starts with a `//!` paragraph.
    ModuleDoc,
    /// No string literal holding a gRPC code name (`"ALREADY_EXISTS"`) is
    /// compared (`==`, `!=`) or matched on (`"NOT_FOUND" =>`, `"A" | "B"`).
    CodeNameCompared,
    /// A Cargo manifest depends on none of these packages (in any
    /// dependency table, renames included).
    Depends(&'static [&'static str]),
    /// An HTML template runs no inline script: every `<script` loads a file
    /// of this origin (`src="/…"`) and holds nothing, and no element has an
    /// event-handler attribute (` onclick=`…) or a `javascript:` address.
    NoInlineScript,
}

pub struct Rule {
    /// Checked by the suite. Off = written down, true only once a refactor
    /// lands; `LIENTHONG_TIDY_ALL=1` checks it anyway.
    pub on: bool,
    /// The invariant, as ARCHITECTURE.md states it.
    pub text: &'static str,
    /// Globs (`*` within a directory, `**` across them) of the files covered.
    pub files: &'static [&'static str],
    /// Globs of covered files the rule does not apply to.
    pub except: &'static [&'static str],
    pub check: Check,
}

/// One file of the tree, read once and lexed once.
pub struct SourceFile {
    /// Relative to the workspace root, with `/` separators.
    pub path: String,
    pub text: String,
    tokens: Vec<Token>,
    uses: Vec<(Vec<String>, usize)>,
}

impl SourceFile {
    /// A file of the crate whose manifest is in `crate_dir` (`""`: the root).
    pub fn in_crate(path: &str, text: &str, crate_dir: &str) -> Self {
        let (tokens, uses) = if path.ends_with(".rs") {
            let tokens = tokens(text);
            let uses = use_paths(&tokens, &module_path(path, crate_dir));
            (tokens, uses)
        } else {
            (Vec::new(), Vec::new())
        };
        SourceFile {
            path: path.to_string(),
            text: text.to_string(),
            tokens,
            uses,
        }
    }

    /// A file at `path`, its crate guessed from the layout
    /// (`adapters/<name>/…` or the root).
    pub fn new(path: &str, text: &str) -> Self {
        let crate_dir = match path
            .strip_prefix("adapters/")
            .and_then(|p| p.split_once('/'))
        {
            Some((name, _)) => format!("adapters/{name}"),
            None => String::new(),
        };
        SourceFile::in_crate(path, text, &crate_dir)
    }
}

/// Every `.rs` file and `Cargo.toml` under `src/` and `adapters/`, each
/// placed in the crate of its nearest manifest.
pub fn read_tree(root: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    for top in ["src", "adapters", "simulators", "fuzz"] {
        collect(root, &root.join(top), &mut files);
    }
    files.sort();
    lex(files)
}

fn lex(files: Vec<(String, String)>) -> Vec<SourceFile> {
    let crate_dirs: Vec<&str> = files
        .iter()
        .filter_map(|(path, _)| path.strip_suffix("/Cargo.toml"))
        .collect();
    files
        .iter()
        .map(|(path, text)| {
            let crate_dir = crate_dirs
                .iter()
                .filter(|dir| path.starts_with(&format!("{dir}/")))
                .max_by_key(|dir| dir.len())
                .copied()
                .unwrap_or("");
            SourceFile::in_crate(path, text, crate_dir)
        })
        .collect()
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                collect(root, &path, files);
            }
        } else if name.ends_with(".rs") || name == "Cargo.toml" || name.ends_with(".html") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let relative = path.strip_prefix(root).expect("under the root");
            let relative: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
            files.push((relative.join("/"), text));
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub line: usize,
    pub found: String,
    pub rule: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} — breaks: {}",
            self.path, self.line, self.found, self.rule
        )
    }
}

/// `*` matches within one path segment, `**` across segments (`src/**`
/// covers every file below `src/`, `**/` may match no directory at all).
pub fn glob(pattern: &str, path: &str) -> bool {
    if let Some(rest) = pattern.strip_prefix("**/") {
        return glob(rest, path)
            || path
                .match_indices('/')
                .any(|(at, _)| glob(rest, &path[at + 1..]));
    }
    if let Some(rest) = pattern.strip_prefix("**") {
        return (0..=path.len()).any(|at| path.is_char_boundary(at) && glob(rest, &path[at..]));
    }
    if let Some(rest) = pattern.strip_prefix('*') {
        let segment_end = path.find('/').unwrap_or(path.len());
        return (0..=segment_end).any(|at| path.is_char_boundary(at) && glob(rest, &path[at..]));
    }
    match (pattern.chars().next(), path.chars().next()) {
        (None, None) => true,
        (Some(p), Some(c)) if p == c => glob(&pattern[p.len_utf8()..], &path[c.len_utf8()..]),
        _ => false,
    }
}

pub fn covers(rule: &Rule, path: &str) -> bool {
    rule.files.iter().any(|g| glob(g, path)) && !rule.except.iter().any(|g| glob(g, path))
}

pub fn check(rule: &Rule, files: &[SourceFile]) -> Vec<Violation> {
    let mut found = Vec::new();
    for file in files.iter().filter(|f| covers(rule, &f.path)) {
        let hits = match rule.check {
            Check::Names(names) if file.path.ends_with(".rs") => names_in(file, names),
            Check::ModuleDoc if file.path.ends_with(".rs") => module_doc(file),
            Check::CodeNameCompared if file.path.ends_with(".rs") => code_names_compared(file),
            Check::Depends(packages) if file.path.ends_with("Cargo.toml") => {
                dependencies_on(file, packages)
            }
            Check::NoInlineScript if file.path.ends_with(".html") => inline_scripts(file),
            _ => Vec::new(),
        };
        found.extend(hits.into_iter().map(|(line, what)| Violation {
            path: file.path.clone(),
            line,
            found: what,
            rule: rule.text,
        }));
    }
    found.sort_by(|a, b| (&a.path, a.line, &a.found).cmp(&(&b.path, b.line, &b.found)));
    found.dedup();
    found
}

/// One token of a `Names` pattern.
enum Part {
    Exact(String),
    /// `lienthong_adapter_*`: any identifier starting so.
    Prefix(String),
}

impl Part {
    fn matches(&self, token: &str) -> bool {
        match self {
            Part::Exact(text) => token == text,
            Part::Prefix(prefix) => token.starts_with(prefix.as_str()),
        }
    }
}

fn pattern(name: &str) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for token in tokens(name) {
        match (parts.last(), token.text.as_str()) {
            (Some(Part::Exact(ident)), "*") if ident.ends_with('_') => {
                let ident = ident.clone();
                parts.pop();
                parts.push(Part::Prefix(ident));
            }
            _ => parts.push(Part::Exact(token.text)),
        }
    }
    parts
}

fn matches_at(parts: &[Part], tokens: &[&str]) -> bool {
    parts.len() <= tokens.len() && parts.iter().zip(tokens).all(|(p, t)| p.matches(t))
}

fn names_in(file: &SourceFile, names: &[&str]) -> Vec<(usize, String)> {
    // String literals stay in the stream (as non-matching tokens) so that
    // a pattern never spans one.
    let code: Vec<&str> = file
        .tokens
        .iter()
        .map(|t| match t.kind {
            Kind::Str => "\"…\"",
            _ => t.text.as_str(),
        })
        .collect();
    let mut hits = Vec::new();
    for name in names {
        let parts = pattern(name);
        for at in 0..code.len() {
            if matches_at(&parts, &code[at..]) {
                hits.push((file.tokens[at].line, format!("names `{name}`")));
            }
        }
        for (path, line) in &file.uses {
            let mut rendered = Vec::new();
            for (i, segment) in path.iter().enumerate() {
                if i > 0 {
                    rendered.push("::");
                }
                rendered.push(segment.as_str());
            }
            if (0..rendered.len()).any(|at| matches_at(&parts, &rendered[at..])) {
                hits.push((*line, format!("names `{name}`")));
            }
        }
    }
    hits
}

fn module_doc(file: &SourceFile) -> Vec<(usize, String)> {
    let first = file
        .text
        .lines()
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty());
    match first {
        Some((_, line)) if line.starts_with("//!") && !line[3..].trim().is_empty() => Vec::new(),
        Some((at, _)) => vec![(at + 1, "does not start with a `//!` paragraph".into())],
        None => vec![(1, "is empty: no `//!` paragraph".into())],
    }
}

/// The canonical gRPC code names, as tonic's and the proto's enums spell them.
const GRPC_CODE_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

fn code_names_compared(file: &SourceFile) -> Vec<(usize, String)> {
    let tokens = &file.tokens;
    let punct = |at: Option<usize>, options: &[&str]| {
        at.and_then(|at| tokens.get(at))
            .is_some_and(|t| t.kind == Kind::Punct && options.contains(&t.text.as_str()))
    };
    let mut hits = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if token.kind != Kind::Str || !GRPC_CODE_NAMES.contains(&token.text.as_str()) {
            continue;
        }
        let compared = punct(at.checked_sub(1), &["==", "!=", "|"])
            || punct(Some(at + 1), &["==", "!=", "=>", "|"]);
        if compared {
            hits.push((
                token.line,
                format!("compares the gRPC code name \"{}\" as a string", token.text),
            ));
        }
    }
    hits
}

fn dependencies_on(file: &SourceFile, packages: &[&str]) -> Vec<(usize, String)> {
    let manifest: toml::Table = match file.text.parse() {
        Ok(manifest) => manifest,
        Err(e) => return vec![(1, format!("is not valid TOML: {e}"))],
    };
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables: Vec<&toml::Table> = KINDS
        .iter()
        .filter_map(|kind| manifest.get(*kind)?.as_table())
        .collect();
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            tables.extend(
                KINDS
                    .iter()
                    .filter_map(|kind| target.get(*kind)?.as_table()),
            );
        }
    }
    let mut hits = Vec::new();
    for (key, spec) in tables.into_iter().flatten() {
        let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
        if packages.contains(&package) {
            hits.push((
                line_of_key(&file.text, key),
                format!("depends on `{package}`"),
            ));
        }
    }
    hits
}

/// The line declaring dependency `key` (`key = …` or `[….key]`).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with([' ', '=', '.']))
                || line.contains(&format!(".{key}]"))
        })
        .map_or(1, |at| at + 1)
}

/// Inline script in an HTML template: a `<script` without a same-origin
/// `src` or with content, an `on…=` attribute, a `javascript:` address.
fn inline_scripts(file: &SourceFile) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in file.text.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(at) = rest.find("<script") {
            let tag = &rest[at..];
            let plain = tag.starts_with("<script src=\"/")
                && tag
                    .split_once('>')
                    .is_some_and(|(_, after)| after.starts_with("</script>"));
            if !plain {
                found.push((
                    n + 1,
                    "<script> without a same-origin src, or with content".into(),
                ));
            }
            rest = &tag[1..];
        }
        if lower.contains("javascript:") {
            found.push((n + 1, "javascript: address".into()));
        }
        let handler = lower.match_indices(" on").any(|(at, _)| {
            let name: String = lower[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            !name.is_empty() && lower[at + 3 + name.len()..].starts_with('=')
        });
        if handler {
            found.push((n + 1, "event-handler attribute".into()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(files: &'static [&'static str], check: Check) -> Rule {
        Rule {
            on: true,
            text: "the rule",
            files,
            except: &[],
            check,
        }
    }

    fn lines(rule: &Rule, files: &[SourceFile]) -> Vec<(String, usize)> {
        check(rule, files)
            .into_iter()
            .map(|v| (v.path, v.line))
            .collect()
    }

    #[test]
    fn templates_load_scripts_only_as_files() {
        let page = SourceFile::new(
            "src/web/templates/x.html",
            "<script src=\"/tai-nguyen/tai-len.js\" defer></script>\n<script>alert(1)</script>\n<a href=\"javascript:x()\">x</a>\n<img src=x onerror=alert(1)>\n<p>Đọc thông tin</p>",
        );
        let found: Vec<usize> = inline_scripts(&page)
            .into_iter()
            .map(|(line, _)| line)
            .collect();
        assert_eq!(found, [2, 3, 4]);
    }

    #[test]
    fn globs_stay_within_their_directories() {
        assert!(glob("src/**", "src/lib.rs"));
        assert!(glob("src/**", "src/domain/machine.rs"));
        assert!(glob("src/**/*.rs", "src/lib.rs"));
        assert!(glob("src/domain/**", "src/domain/status.rs"));
        assert!(!glob("src/domain/**", "src/domainish.rs"));
        assert!(glob("adapters/*/src/**", "adapters/postal/src/lib.rs"));
        assert!(!glob(
            "adapters/*/src/**",
            "adapters/postal/tests/common/mod.rs"
        ));
        assert!(glob(
            "adapters/*/Cargo.toml",
            "adapters/one-stop/Cargo.toml"
        ));
        assert!(!glob("adapters/*/Cargo.toml", "adapters/a/b/Cargo.toml"));
        assert!(glob("src/grpc/status.rs", "src/grpc/status.rs"));
        assert!(!glob("src/grpc/status.rs", "src/grpc/status.rs.orig"));
    }

    #[test]
    fn names_count_in_code_only_and_report_their_line() {
        let file = SourceFile::new(
            "src/domain/x.rs",
            "//! Plain data: no sled, no crate::store here.\n\
             /// Not `sled::Db` either.\n\
             const NOTE: &str = \"sled::Db and crate::store\";\n\
             use crate::{domain, store::Store};\n\
             fn f() -> sled::Result<()> { Ok(()) }\n\
             use super::super::store::Txn;\n\
             use crate::storefront;\n",
        );
        let names = rule(&["src/domain/**"], Check::Names(&["sled", "crate::store"]));
        assert_eq!(
            lines(&names, &[file]),
            [
                ("src/domain/x.rs".into(), 4),
                ("src/domain/x.rs".into(), 5),
                ("src/domain/x.rs".into(), 6)
            ]
        );
    }

    #[test]
    fn exceptions_and_prefix_patterns() {
        let files = [
            SourceFile::new(
                "src/adapters.rs",
                "//! x\nuse lienthong_adapter_postal::P;\n",
            ),
            SourceFile::new(
                "src/grpc/reconcile.rs",
                "//! x\nuse lienthong_adapter_treasury::reconcile;\nuse lienthong_adapter::Sink;\n",
            ),
        ];
        let only_registry = Rule {
            except: &["src/adapters.rs"],
            ..rule(&["src/**"], Check::Names(&["lienthong_adapter_*"]))
        };
        assert_eq!(
            lines(&only_registry, &files),
            [("src/grpc/reconcile.rs".into(), 2)]
        );
    }

    #[test]
    fn tonic_status_constructors_are_found_through_any_path() {
        let file = SourceFile::new(
            "src/grpc/admin_service.rs",
            "//! x\nfn a() { Err(Status::invalid_argument(\"x\")) }\n\
             fn b() { tonic::Status::new(Code::Internal, \"x\") }\n\
             fn c() { domain::Status::from_code(1) }\n",
        );
        let status = rule(
            &["src/**"],
            Check::Names(&["Status::new", "Status::invalid_argument"]),
        );
        assert_eq!(
            lines(&status, &[file]),
            [
                ("src/grpc/admin_service.rs".into(), 2),
                ("src/grpc/admin_service.rs".into(), 3)
            ]
        );
    }

    #[test]
    fn module_doc_must_open_the_file() {
        let files = [
            SourceFile::new("src/a.rs", "\n//! Why a exists.\nuse x;\n"),
            SourceFile::new("src/b.rs", "use x;\n//! Too late.\n"),
            SourceFile::new("src/c.rs", "//!\n//! Blank first line.\n"),
            SourceFile::new(
                "src/d.rs",
                "/// An item doc is not a module doc.\nfn d() {}\n",
            ),
            SourceFile::new("src/e.rs", ""),
        ];
        assert_eq!(
            lines(&rule(&["src/**"], Check::ModuleDoc), &files),
            [
                ("src/b.rs".into(), 1),
                ("src/c.rs".into(), 1),
                ("src/d.rs".into(), 1),
                ("src/e.rs".into(), 1)
            ]
        );
    }

    #[test]
    fn code_names_compared_as_strings_but_not_merely_sent() {
        let file = SourceFile::new(
            "adapters/p/src/core.rs",
            "//! Never write `e.code == \"ALREADY_EXISTS\"`.\n\
             fn a(e: E) -> bool { e.code == \"ALREADY_EXISTS\" }\n\
             fn b(c: &str) -> u16 { match c {\n\
             \"INVALID_ARGUMENT\" | \"OUT_OF_RANGE\" => 400,\n\
             \"NOT_FOUND\" => 404, _ => 500 } }\n\
             fn c() -> Reply { error_reply(\"INVALID_ARGUMENT\", \"bad\") }\n\
             fn d(e: E) -> bool { \"UNAVAILABLE\" != e.code }\n\
             fn e(e: E) -> bool { e.code == \"NOT_A_CODE\" }\n",
        );
        assert_eq!(
            lines(
                &rule(&["adapters/*/src/**"], Check::CodeNameCompared),
                &[file]
            ),
            [
                ("adapters/p/src/core.rs".into(), 2),
                ("adapters/p/src/core.rs".into(), 4),
                ("adapters/p/src/core.rs".into(), 4),
                ("adapters/p/src/core.rs".into(), 5),
                ("adapters/p/src/core.rs".into(), 7)
            ]
        );
    }

    #[test]
    fn manifests_name_forbidden_packages_in_any_dependency_table() {
        let manifest = SourceFile::new(
            "adapters/p/Cargo.toml",
            "[package]\nname = \"p\"\n\n[dependencies]\nlienthong-adapter = { path = \"../adapter\" }\n\
             queue = { package = \"lapin\", version = \"2\" }\n\n\
             [dev-dependencies]\nlienthong = { path = \"../..\" }\n\n\
             [target.'cfg(unix)'.dependencies.sled]\nversion = \"0.34\"\n",
        );
        let depends = rule(
            &["adapters/*/Cargo.toml"],
            Check::Depends(&["lienthong", "lapin", "sled"]),
        );
        let found: Vec<(usize, String)> = check(&depends, &[manifest])
            .into_iter()
            .map(|v| (v.line, v.found))
            .collect();
        assert_eq!(
            found,
            [
                (6, "depends on `lapin`".to_string()),
                (9, "depends on `lienthong`".to_string()),
                (11, "depends on `sled`".to_string())
            ]
        );
    }
}
