//! A value as a message quotes it: at most 40 characters, then "…", so that a message
//! about a huge value (a CSV cell, a query parameter) stays small.

/// How many characters of a value a message quotes.
pub const QUOTED_CHARS: usize = 40;

/// The first `QUOTED_CHARS` characters of `text`, and whether it goes on past them.
pub fn head(text: &str) -> (&str, bool) {
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => (&text[..end], true),
        None => (text, false),
    }
}

/// `text` whole, or its head and "…"; control characters escaped (`escaped`).
pub fn quoted(text: &str) -> String {
    match head(text) {
        (head, true) => format!("{}…", escaped(head)),
        (whole, false) => escaped(whole).into_owned(),
    }
}

/// `text` as a log line's field: in double quotes, its head only (`head`), with quotes,
/// backslashes, control and invisible formatting characters (a right-to-left override,
/// a zero-width space) escaped. A name tried at log-in is the attacker's to choose:
/// written bare, `admin client=203.0.113.9` put a second, false client on the line a
/// fail2ban filter reads, and a right-to-left override turned the rest of it around.
pub fn for_log(text: &str) -> String {
    let (head, cut) = head(text);
    // Rust's own string escape: it writes `"`, `\`, controls and the characters it
    // does not print (format characters such as U+202E and U+200B) as escapes.
    let mut out = format!("{head:?}");
    if cut {
        out.push('…');
    }
    out
}

/// `text` with each control character written as an escape (`\u{1b}`, `\t`, `\0`):
/// shown raw, a CSV cell or a zip member's name holding a terminal escape sequence
/// would act on the terminal the import runs in, and a NUL or ESC typed into a field
/// came back inside the page's message unseen.
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_after_forty_characters() {
        assert_eq!(quoted("abc"), "abc");
        assert_eq!(quoted(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(quoted(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
        assert_eq!(head(&"a".repeat(50)), ("a".repeat(40).as_str(), true));
    }

    #[test]
    fn a_log_field_is_quoted_with_its_invisible_characters_escaped() {
        assert_eq!(for_log("ada"), "\"ada\"");
        assert_eq!(
            for_log("admin client=203.0.113.9"),
            "\"admin client=203.0.113.9\""
        );
        assert_eq!(for_log("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        for invisible in ['\u{202e}', '\u{200b}', '\u{ad}', '\u{2066}', '\u{feff}'] {
            let said = for_log(&format!("bob{invisible}"));
            assert!(!said.contains(invisible), "{said}");
            assert!(said.contains("\\u{"), "{said}");
        }
        assert_eq!(for_log("Beyoncé 日本"), "\"Beyoncé 日本\"");
        assert!(for_log(&"a".repeat(50)).ends_with("\"…"));
    }

    #[test]
    fn control_characters_are_written_as_escapes() {
        assert_eq!(quoted("\u{1b}[2J0.5"), "\\u{1b}[2J0.5");
        assert_eq!(quoted("a\0b\nc"), "a\\0b\\nc");
        assert_eq!(quoted("tab\there"), "tab\\there");
    }
}
