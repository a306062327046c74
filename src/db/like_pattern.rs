//! Text as SQL `LIKE` patterns, with a backslash as the escape character (every query
//! that uses them says `ESCAPE '\'`), so that a `%` or `_` typed is looked for as itself.
//! A module of its own: the title folding (`folded_text`) and the catalog's queries
//! (`api_catalog`, `track_search`) both build patterns, and the first two had each
//! taken something from the other.

/// `q` as a `LIKE` pattern for text that contains it.
pub(super) fn contains_pattern(q: &str) -> String {
    format!("%{}%", like_literal(q))
}

/// `q` as a `LIKE` pattern (with `\\` escapes) that matches `q` itself and nothing else
/// (case aside).
pub(super) fn like_literal(q: &str) -> String {
    q.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_the_escape_are_escaped() {
        assert_eq!(like_literal(r"50%_off\"), r"50\%\_off\\");
        assert_eq!(contains_pattern("a_b"), r"%a\_b%");
    }
}
