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

/// `text` whole, or its head and "…".
pub fn quoted(text: &str) -> String {
    match head(text) {
        (head, true) => format!("{head}…"),
        (whole, false) => whole.to_string(),
    }
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
}
