//! Just enough of a Rust lexer for the tidy rules: code tokens with their
//! line, comments dropped and string literals kept apart, so that a `//!`
//! paragraph saying "no sled here" or a string naming a crate never counts as
//! naming it. `use` trees are also flattened into whole paths (with `self`
//! and `super` resolved), so `use crate::{domain, store::Store}` is seen to
//! name `crate::store`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Punct,
    /// The content of a string literal (any kind: plain, byte, raw, C).
    Str,
    /// Numbers, char literals, lifetimes: nothing a rule looks for.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    pub line: usize,
}

/// The tokens of `source`, without comments.
pub fn tokens(source: &str) -> Vec<Token> {
    Lexer {
        chars: source.chars().collect(),
        at: 0,
        line: 1,
        out: Vec::new(),
    }
    .run()
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: usize,
    out: Vec<Token>,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    /// Moves one char on, counting lines.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn push(&mut self, kind: Kind, text: String, line: usize) {
        self.out.push(Token { kind, text, line });
    }

    fn run(mut self) -> Vec<Token> {
        while let Some(c) = self.peek(0) {
            let line = self.line;
            match (c, self.peek(1)) {
                (c, _) if c.is_whitespace() => {
                    self.bump();
                }
                ('/', Some('/')) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                ('/', Some('*')) => self.block_comment(),
                ('"', _) => {
                    self.bump();
                    let text = self.quoted();
                    self.push(Kind::Str, text, line);
                }
                ('\'', _) => self.char_or_lifetime(),
                (c, _) if c.is_ascii_digit() => {
                    let text = self.word();
                    self.push(Kind::Other, text, line);
                }
                (c, _) if c == '_' || c.is_alphabetic() => self.word_or_prefixed_literal(),
                _ => self.punct(),
            }
        }
        self.out
    }

    fn block_comment(&mut self) {
        let mut depth = 0;
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some('/'), Some('*')) => {
                    depth += 1;
                    self.at += 2;
                }
                (Some('*'), Some('/')) => {
                    depth -= 1;
                    self.at += 2;
                    if depth == 0 {
                        return;
                    }
                }
                (Some(_), _) => {
                    self.bump();
                }
                (None, _) => return,
            }
        }
    }

    fn word(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek(0).filter(|&c| c == '_' || c.is_alphanumeric()) {
            text.push(c);
            self.at += 1;
        }
        text
    }

    /// The rest of a `"..."` literal whose opening quote was consumed.
    fn quoted(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => break,
                '\\' => {
                    text.push(c);
                    text.extend(self.bump());
                }
                c => text.push(c),
            }
        }
        text
    }

    /// An identifier, or the prefix of `b"…"`, `r#"…"#`, `b'x'`, `r#ident`.
    fn word_or_prefixed_literal(&mut self) {
        let line = self.line;
        let word = self.word();
        let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
        match self.peek(0) {
            Some('"') if matches!(word.as_str(), "b" | "c") || raw_prefix => {
                self.bump();
                let text = if raw_prefix {
                    self.raw_string(0)
                } else {
                    self.quoted()
                };
                self.push(Kind::Str, text, line);
            }
            Some('#') if raw_prefix => {
                let mut hashes = 0;
                while self.peek(hashes) == Some('#') {
                    hashes += 1;
                }
                if self.peek(hashes) == Some('"') {
                    self.at += hashes + 1;
                    let text = self.raw_string(hashes);
                    self.push(Kind::Str, text, line);
                } else {
                    // `r#match`: a raw identifier.
                    self.at += 1;
                    let ident = self.word();
                    self.push(Kind::Ident, ident, line);
                }
            }
            Some('\'') if word == "b" => self.char_or_lifetime(),
            _ => self.push(Kind::Ident, word, line),
        }
    }

    /// The rest of a raw string closed by `"` and `hashes` hashes.
    fn raw_string(&mut self, hashes: usize) -> String {
        let mut text = String::new();
        while let Some(c) = self.bump() {
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                self.at += hashes;
                break;
            }
            text.push(c);
        }
        text
    }

    /// `'x'`, `'\n'`, `'\u{1F600}'` or a lifetime `'a`.
    fn char_or_lifetime(&mut self) {
        let line = self.line;
        self.bump();
        if self.peek(0) == Some('\\') {
            let mut text = String::from('\'');
            while let Some(c) = self.bump() {
                text.push(c);
                if c == '\\' {
                    text.extend(self.bump());
                } else if c == '\'' {
                    break;
                }
            }
            self.push(Kind::Other, text, line);
        } else if self.peek(1) == Some('\'') {
            let text: String = ['\'', self.peek(0).unwrap_or(' '), '\'']
                .into_iter()
                .collect();
            self.at += 2;
            self.push(Kind::Other, text, line);
        } else {
            let text = format!("'{}", self.word());
            self.push(Kind::Other, text, line);
        }
    }

    fn punct(&mut self) {
        let line = self.line;
        let pair: String = [self.peek(0), self.peek(1)].into_iter().flatten().collect();
        let text = if matches!(pair.as_str(), "::" | "==" | "!=" | "=>") {
            self.at += 2;
            pair
        } else {
            self.bump().map(String::from).unwrap_or_default()
        };
        self.push(Kind::Punct, text, line);
    }
}

/// Every path a `use` item names, flattened and resolved against `module`
/// (the file's own module path, e.g. `["crate", "domain", "machine"]`), with
/// the line of its last segment.
pub fn use_paths(tokens: &[Token], module: &[String]) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Ident && token.text == "use" {
            let mut next = at + 1;
            use_tree(tokens, &mut next, &[], token.line, &mut out);
        }
    }
    out.into_iter()
        .map(|(path, line)| (resolve(path, module), line))
        .collect()
}

fn use_tree(
    tokens: &[Token],
    at: &mut usize,
    prefix: &[String],
    mut line: usize,
    out: &mut Vec<(Vec<String>, usize)>,
) {
    let mut path = prefix.to_vec();
    while let Some(token) = tokens.get(*at) {
        match (token.kind, token.text.as_str()) {
            (Kind::Punct, "::") => *at += 1,
            (Kind::Ident, "as") => {
                *at += 2;
                break;
            }
            (Kind::Ident, segment) => {
                if segment != "self" || path.is_empty() {
                    path.push(segment.to_string());
                }
                line = token.line;
                *at += 1;
            }
            (Kind::Punct, "*") => {
                path.push("*".into());
                *at += 1;
            }
            (Kind::Punct, "{") => {
                *at += 1;
                loop {
                    use_tree(tokens, at, &path, line, out);
                    match tokens.get(*at).map(|t| t.text.as_str()) {
                        Some(",") => *at += 1,
                        Some("}") => {
                            *at += 1;
                            break;
                        }
                        _ => break,
                    }
                    if tokens.get(*at).is_some_and(|t| t.text == "}") {
                        *at += 1;
                        break;
                    }
                }
                return;
            }
            _ => break,
        }
    }
    if !path.is_empty() {
        out.push((path, line));
    }
}

/// `self::x` and `super::x` as paths from the crate root.
fn resolve(path: Vec<String>, module: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("self") => module
            .iter()
            .cloned()
            .chain(path.into_iter().skip(1))
            .collect(),
        Some("super") => {
            let supers = path.iter().take_while(|s| *s == "super").count();
            let kept = module.len().saturating_sub(supers).max(1);
            module[..kept.min(module.len())]
                .iter()
                .cloned()
                .chain(path.into_iter().skip(supers))
                .collect()
        }
        _ => path,
    }
}

/// The module path of a source file of the crate whose manifest is in
/// `crate_dir` (`""` for the workspace root): `src/domain/machine.rs` →
/// `crate::domain::machine`; `adapters/postal/src/lib.rs` → `crate`.
pub fn module_path(file: &str, crate_dir: &str) -> Vec<String> {
    let inside = if crate_dir.is_empty() {
        file
    } else {
        file.strip_prefix(crate_dir)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(file)
    };
    let inside = inside.strip_prefix("src/").unwrap_or(inside);
    let mut path = vec!["crate".to_string()];
    let mut parts: Vec<&str> = inside.split('/').collect();
    if let Some(last) = parts.pop() {
        path.extend(parts.iter().map(|p| p.to_string()));
        let stem = last.strip_suffix(".rs").unwrap_or(last);
        if !matches!(stem, "mod" | "lib" | "main") {
            path.push(stem.to_string());
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<(String, usize)> {
        tokens(source)
            .into_iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| (t.text, t.line))
            .collect()
    }

    #[test]
    fn comments_and_literals_are_not_code() {
        let source = r####"//! sled is not used here
/// nor here: sled::Db
/* sled /* nested sled */ still a comment: sled */
let a = "sled::Db";
let b = r#"sled "quoted" sled"#;
let c = br##"sled"##;
let d = b"sled";
let e = 's';
let f = '\'';
fn g<'sled>(x: &'sled str) {}
let h = "escaped \" sled";
use sled::Db;
"####;
        let found: Vec<usize> = idents(source)
            .into_iter()
            .filter(|(text, _)| text == "sled")
            .map(|(_, line)| line)
            .collect();
        assert_eq!(found, vec![12]);
        let strings: Vec<String> = tokens(source)
            .into_iter()
            .filter(|t| t.kind == Kind::Str)
            .map(|t| t.text)
            .collect();
        assert_eq!(
            strings,
            vec![
                "sled::Db",
                "sled \"quoted\" sled",
                "sled",
                "sled",
                "escaped \\\" sled"
            ]
        );
    }

    #[test]
    fn lines_are_counted_through_multi_line_comments_and_strings() {
        let source = "/*\n\n*/ a\n\"x\ny\" b\nr#\"\n\"# c\n";
        assert_eq!(
            idents(source),
            vec![("a".into(), 3), ("b".into(), 5), ("c".into(), 7)]
        );
    }

    #[test]
    fn raw_identifiers_and_double_punctuation() {
        let texts: Vec<String> = tokens("r#match == x::y => z != w")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["match", "==", "x", "::", "y", "=>", "z", "!=", "w"]);
    }

    #[test]
    fn use_trees_are_flattened_and_resolved() {
        let module = module_path("src/domain/machine.rs", "");
        assert_eq!(module, ["crate", "domain", "machine"]);
        let source = "use crate::{domain::{self, Status}, store::Store as S};\n\
                      pub(crate) use super::super::wire::*;\nuse self::inner::X;\nuse sled;";
        let paths: Vec<(String, usize)> = use_paths(&tokens(source), &module)
            .into_iter()
            .map(|(path, line)| (path.join("::"), line))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("crate::domain".into(), 1),
                ("crate::domain::Status".into(), 1),
                ("crate::store::Store".into(), 1),
                ("crate::wire::*".into(), 2),
                ("crate::domain::machine::inner::X".into(), 3),
                ("sled".into(), 4),
            ]
        );
    }

    #[test]
    fn module_paths_follow_the_file_layout() {
        assert_eq!(module_path("src/lib.rs", ""), ["crate"]);
        assert_eq!(module_path("src/hub/mod.rs", ""), ["crate", "hub"]);
        assert_eq!(
            module_path("adapters/postal/src/simulator/api.rs", "adapters/postal"),
            ["crate", "simulator", "api"]
        );
        // A crate whose manifest sits beside its sources.
        assert_eq!(
            module_path("src/domain/machine.rs", "src/domain"),
            ["crate", "machine"]
        );
    }
}
