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
    fn control_characters_are_written_as_escapes() {
        assert_eq!(quoted("\u{1b}[2J0.5"), "\\u{1b}[2J0.5");
        assert_eq!(quoted("a\0b\nc"), "a\\0b\\nc");
        assert_eq!(quoted("tab\there"), "tab\\there");
    }
}
