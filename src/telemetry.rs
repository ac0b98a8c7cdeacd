//! Logging through `tracing`: human-readable by default, JSON lines when the
//! configuration or `--log-format json` asks for it. `RUST_LOG` overrides the
//! configured level.
//!
//! Values in log lines come from partners (a MaHoSo, an AMQP message type, a
//! provider's event id, error texts that quote them), so the text format
//! escapes every field and message here, in the one field formatter, rather
//! than at each call site: a newline or a terminal escape sequence in a value
//! can neither forge a log line nor drive an operator's terminal. JSON lines
//! need no more: JSON itself escapes control characters. What a call site
//! must still do itself is leave personal data out (names, ID numbers,
//! phones, e-mail, addresses, free-text notes): see ARCHITECTURE.md.

use crate::config::LogFormat;
use std::borrow::Cow;
use std::fmt::Write as _;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    init_with(format, filter, std::io::stderr);
}

/// Installs the hub's log format writing to `writer`, filtered by `filter`
/// (tests capture the log this way). A second init keeps the first.
pub fn init_with<W>(format: LogFormat, filter: EnvFilter, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(false)
            .fmt_fields(tracing_subscriber::fmt::format::debug_fn(escaped_field).delimited(" "))
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// One field of a text line, `name=value` (the message alone), escaped.
fn escaped_field(
    writer: &mut Writer<'_>,
    field: &tracing::field::Field,
    value: &dyn std::fmt::Debug,
) -> std::fmt::Result {
    let text = format!("{value:?}");
    if field.name() == "message" {
        write!(writer, "{}", escape(&text))
    } else {
        write!(writer, "{}={}", field.name(), escape(&text))
    }
}

/// `text` with every character that could break a log line or act on a
/// terminal written as a visible escape: control characters (newlines,
/// ESC, DEL, C1), line and paragraph separators, and bidirectional
/// overrides (which reorder what an operator reads).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::escape;

    // issue 10 defect 12
    #[test]
    fn escaping_leaves_no_raw_control_character_and_keeps_vietnamese_text() {
        let hostile = "000.00.01.H22-261201-00001\n2026-12-01T00:00:00Z  INFO lienthong: forged\r\x1b[31m\u{7f}\u{85}\u{2028}\u{202e}";
        let escaped = escape(hostile);
        assert!(
            !escaped
                .chars()
                .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{202e}'),
            "{escaped:?}"
        );
        assert!(escaped.contains("\\n2026-12-01"), "{escaped}");
        assert!(escaped.contains("\\u{1b}[31m"), "{escaped}");
        assert_eq!(escape("Trần Thị Bình — hồ sơ"), "Trần Thị Bình — hồ sơ");
    }
}
