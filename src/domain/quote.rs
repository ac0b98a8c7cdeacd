//! How an error message shows a value a partner sent: quoted, and cut to a
//! short prefix when it is long.
//!
//! An error that echoed its input whole (a 100 KB MaHoSo, agency code or
//! catalogue kind) would not reach a stock gRPC client at all: the message
//! travels in a header, and the client fails on the header's size instead of
//! showing the error. Every validation message quotes through [`quoted`], so
//! no answer grows with what was sent.

/// At most this many characters of a value are shown.
pub const MAX_QUOTED_CHARS: usize = 64;

/// The value between backticks, or its first 64 characters followed by
/// `…(N bytes)` when it is longer. Control characters are shown escaped, so
/// a value can never break the line it is quoted on.
pub fn quoted(value: &str) -> String {
    let mut shown = String::from("`");
    for (count, c) in value.chars().enumerate() {
        if count == MAX_QUOTED_CHARS {
            shown.push_str(&format!("`…({} bytes)", value.len()));
            return shown;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown.push('`');
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(quoted("000.00.01.H22"), "`000.00.01.H22`");
        assert_eq!(quoted(""), "``");
    }

    #[test]
    fn long_values_show_a_prefix_and_their_size() {
        let long = "9".repeat(100_000);
        let shown = quoted(&long);
        assert_eq!(shown, format!("`{}`…(100000 bytes)", "9".repeat(64)));
        // Cut on characters, never inside one.
        let vietnamese = "ệ".repeat(65);
        assert!(quoted(&vietnamese).starts_with(&format!("`{}`", "ệ".repeat(64))));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(quoted("a\nb\0"), "`a\\nb\\u{0}`");
    }
}
