//! A name a person typed (a taste profile's, an API token's), as it is kept and
//! compared: in Unicode's composed form, with no characters that change how the text
//! around it reads or that show as nothing, and with each run of spaces one space.
//!
//! A name is shown inside the app's own sentences ("Saved “…”", "Your new token …"):
//! a right-to-left override typed into one turned those sentences backwards, a
//! zero-width space alone made a blank row with working buttons, and "Sunday  morning"
//! (two spaces, which HTML shows as one) or with a no-break space sat beside "Sunday
//! morning" as another profile that read the same.

use unicode_normalization::UnicodeNormalization;

/// The characters that set the direction of the text after them until they are
/// closed (embeddings, overrides and isolates, U+202A–U+202E and U+2066–U+2069).
/// Names never need them: right-to-left scripts carry their own direction.
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Format characters that only mark a place (a byte-order mark, a zero-width space, a
/// soft hyphen, word joiners, direction marks and controls), never part of a word a
/// search is for. They come along with text copied from web pages: at either end of a
/// search they are dropped (`trim_place_marks`). (The zero-width joiner and non-joiner
/// are not among them: emoji sequences and words of several scripts need them.)
pub fn is_place_mark(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    ) || is_direction_control(c)
}

/// `text` without white space or place marks (`is_place_mark`) at either end: the
/// search `Queen` followed by a zero-width space said no artist "Queen" existed.
pub fn trim_place_marks(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || is_place_mark(c))
}

/// Characters that show as nothing and join or split no script's letters: the
/// zero-width space, the word joiner, the byte-order mark, the soft hyphen, the
/// Mongolian vowel separator. (The zero-width joiner and non-joiner stay: emoji
/// sequences and Persian words need them.)
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// `raw` as a name is kept: composed, without direction controls and invisible
/// characters, every run of white space (a no-break or ideographic space too) one
/// space, trimmed. Empty when nothing visible was typed.
pub fn tidy(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.nfc() {
        if is_direction_control(c) || is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !name.is_empty() {
            name.push(' ');
        }
        space = false;
        name.push(c);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_reads_the_same_is_kept_the_same() {
        assert_eq!(tidy("  Sunday  morning "), "Sunday morning");
        assert_eq!(tidy("Sunday\u{A0}morning"), "Sunday morning");
        assert_eq!(tidy("Sunday\u{3000}morning\t"), "Sunday morning");
        assert_eq!(tidy("Caf\u{65}\u{301}"), "Caf\u{e9}");
    }

    #[test]
    fn nothing_that_turns_or_hides_text_is_kept() {
        assert_eq!(tidy("\u{202E}My script"), "My script");
        assert_eq!(tidy("\u{2067}evil\u{2069}"), "evil");
        for invisible in ["\u{200B}", "\u{FEFF}", "\u{AD}", " \u{2060} "] {
            assert_eq!(tidy(invisible), "", "{invisible:?}");
        }
        // What scripts need stays: a joined emoji, a Persian half-space, Arabic.
        assert_eq!(tidy("👩\u{200D}💻"), "👩\u{200D}💻");
        assert_eq!(tidy("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(tidy("موسيقى هادئة"), "موسيقى هادئة");
    }
}
