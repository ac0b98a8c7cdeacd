//! The configuration loader: TOML text to a checked configuration, as
//! `lienthong serve --config` and `lienthong check` read an operator's file
//! (every adapter kind's table included).

use crate::{shape, Target};
use lienthong::config::{ConfigError, HubConfig, EMBEDDED_DEFAULT};

pub fn target() -> Target {
    Target {
        name: "config",
        max_len: 32 * 1024,
        run,
        seeds,
        dictionary: &[
            b"\n[hub]\n",
            b"\n[[partners]]\n",
            b"\n[partners.adapter]\n",
            b" = \"\"\n",
            b" = 0\n",
            b" = -1\n",
            b" = 18446744073709551615\n",
            b" = 1e400\n",
            b" = []\n",
            b" = {}\n",
            b"_bytes",
            b"_seconds",
            b"_ms",
            b"'''",
            b"\"\"\"",
        ],
    }
}

fn run(input: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(input) else {
        return "refused:not-utf8".into();
    };
    let kinds = lienthong::adapters::kinds();
    match HubConfig::parse("fuzz.toml", text, &kinds) {
        Ok(_) => "ok".into(),
        Err(ConfigError::Invalid { key, .. }) => format!("refused:Invalid:{}", shape(&key)),
        // toml's message is on its last line; its head names the kind.
        Err(ConfigError::Syntax { reason, .. }) => {
            let last = reason
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let kind = last.split(['`', ',', '\'', '"']).next().unwrap_or("");
            format!("refused:Syntax:{}", shape(kind.trim()))
        }
        Err(ConfigError::Read { .. }) => "refused:Read".into(),
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![EMBEDDED_DEFAULT.as_bytes().to_vec()];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("lienthong.") && name.ends_with(".toml") {
            if let Ok(text) = std::fs::read(&file) {
                if text != seeds[0] {
                    seeds.push(text);
                }
            }
        }
    }
    seeds
}
