//! Fuzz targets for every decoder an outsider can reach — protobuf commands
//! (gRPC and AMQP bodies), AMQP message properties and headers, each
//! adapter's webhook, callback and answer parsers, the settlement files and
//! the configuration loader — driven by a small deterministic mutation
//! engine of its own, because cargo-fuzz needs a nightly toolchain this
//! project does not use. Each target feeds raw bytes to the same functions
//! the hub and its adapters call on them and requires that nothing panics:
//! anything unacceptable must come back as an error. The test suite runs a
//! short round per target (`tests/short_run.rs`); `README.md` shows the long
//! run.

pub mod engine;
mod mutate;
mod rng;
pub mod targets;

use std::path::{Path, PathBuf};

/// One decoder under test.
pub struct Target {
    pub name: &'static str,
    /// Inputs are never longer: no decoder may hang on a bounded input.
    pub max_len: usize,
    /// Feeds the input to the decoder; the label says how far it got
    /// (`ok:…`) or why it was refused (`refused:…`), never with the input.
    pub run: fn(&[u8]) -> String,
    /// Valid inputs, written to `corpus/<name>/` by `--write-corpus`.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator inserts whole.
    pub dictionary: &'static [&'static [u8]],
}

/// Every target, in the order the long run goes through them.
pub fn targets() -> Vec<Target> {
    targets::all()
}

pub fn find(name: &str) -> Option<Target> {
    targets().into_iter().find(|t| t.name == name)
}

/// Where a target's seed corpus is checked in.
pub fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target)
}

/// The checked-in corpus of `target`, in file-name order.
pub fn load_corpus(target: &str) -> std::io::Result<Vec<Vec<u8>>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    files.iter().map(std::fs::read).collect()
}

/// Writes `target`'s seeds as `corpus/<name>/seed-NN`, replacing what was there.
pub fn write_corpus(target: &Target) -> std::io::Result<usize> {
    let dir = corpus_dir(target.name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let seeds = (target.seeds)();
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}")), seed)?;
    }
    Ok(seeds.len())
}

/// An error's label: the name of its variant and its first string field
/// (most errors name the field or key first), digits masked and cut short,
/// so that outcomes count kinds of refusal, not inputs.
pub fn refused(error: &impl std::fmt::Debug) -> String {
    let text = format!("{error:?}");
    let name: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match text.split('"').nth(1) {
        Some(first) if text.contains(": \"") || text.contains("(\"") => {
            format!("refused:{name}:{}", shape(first))
        }
        _ => format!("refused:{name}"),
    }
}

/// At most 40 characters of `text`, every digit shown as `#`.
pub fn shape(text: &str) -> String {
    text.chars()
        .take(40)
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}
