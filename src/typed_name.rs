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

/// Characters that show as nothing and join or split no script's letters, wherever
/// they are: the zero-width space, the word joiner and the invisible operators, the
/// byte-order mark, the soft hyphen, the Mongolian vowel separator, the combining
/// grapheme joiner, the Hangul fillers (U+3164 alone is a well-known way to a name that
/// reads as blank), the deprecated format characters, the interlinear annotation marks
/// and the musical formatting controls. ("Sun\u{2061}day" had been a second "Sunday".)
/// (The zero-width joiner and non-joiner stay between characters: emoji sequences and
/// Persian words need them.)
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
    )
}

/// Characters that show nothing and act on the characters beside them: the joiners
/// (zero-width joiner and non-joiner), the direction marks and the Arabic letter mark
/// (right-to-left names may need them inside). They mean nothing at a name's ends or
/// beside a space.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{061C}') || is_place_mark(c)
}

/// Tag characters: they spell a subdivision's flag after a black flag (🏴 then "gbwls"
/// is Wales), and show nothing alone.
fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Variation selectors: they choose how the character before them is drawn (an emoji
/// or a text heart), and change nothing after a letter or a digit.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180D}')
}

/// Whether `c` alone shows anything: not a joiner, a variation selector, a mark that
/// combines with the character before it, or a tag character.
fn shows_alone(c: char) -> bool {
    !(is_joiner(c)
        || is_variation_selector(c)
        || is_tag(c)
        || unicode_normalization::char::is_combining_mark(c))
}

/// Whether `text` shows nothing at all: white space, place marks, invisible characters
/// and characters that show nothing alone (`shows_alone`). Stops at the first visible
/// character, so a name costs one or two characters' tests.
pub fn shows_nothing(text: &str) -> bool {
    !text.chars().any(|c| {
        !(c.is_whitespace() || c == '\u{2800}' || is_place_mark(c) || is_invisible(c))
            && shows_alone(c)
    })
}

/// `raw` as a name is kept: composed, without direction controls and invisible
/// characters, every run of white space (a no-break or ideographic space too) one
/// space, trimmed, and without joiners at its ends or beside a space or variation
/// selectors after a letter or digit. Empty when nothing visible was typed: a name of
/// joiners, marks or selectors alone made a blank row with working buttons, and
/// "Sunday" with a joiner or a selector after it a second "Sunday".
pub fn tidy(raw: &str) -> String {
    let typed: Vec<char> = raw.nfc().collect();
    let mut kept: Vec<char> = Vec::with_capacity(typed.len());
    let mut space = false;
    for (at, &c) in typed.iter().enumerate() {
        if is_direction_control(c) || is_invisible(c) {
            continue;
        }
        // The blank Braille pattern reads as a space.
        if c.is_whitespace() || c == '\u{2800}' {
            space = true;
            continue;
        }
        // After a letter or digit a selector changes nothing, except before the
        // keycap's enclosing mark ("1️⃣" is a digit, a selector and U+20E3).
        if is_variation_selector(c)
            && kept.last().is_none_or(|p| p.is_alphanumeric())
            && typed.get(at + 1) != Some(&'\u{20E3}')
        {
            continue;
        }
        // A tag character only after a black flag or another tag (a flag's spelling).
        if is_tag(c) && !kept.last().is_some_and(|&p| p == '\u{1F3F4}' || is_tag(p)) {
            continue;
        }
        if space && !kept.is_empty() {
            // No joiner before a space.
            while kept.last().copied().is_some_and(is_joiner) {
                kept.pop();
            }
            kept.push(' ');
        }
        space = false;
        // No joiner after a space or at the start.
        if is_joiner(c) && kept.last().is_none_or(|p| *p == ' ') {
            continue;
        }
        kept.push(c);
    }
    while kept.last().copied().is_some_and(is_joiner) {
        kept.pop();
    }
    if !kept.iter().copied().any(shows_alone) {
        return String::new();
    }
    kept.into_iter().collect::<String>().trim().to_string()
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
        assert_eq!(tidy("I \u{2764}\u{FE0F}"), "I \u{2764}\u{FE0F}");
        // Flags spelled with tags, and keycaps, stay whole.
        let wales = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}";
        assert_eq!(
            tidy(&format!("Welsh rock {wales}")),
            format!("Welsh rock {wales}")
        );
        assert_eq!(tidy(&format!("{wales} Cymru")), format!("{wales} Cymru"));
        assert_eq!(tidy("1\u{FE0F}\u{20E3} first"), "1\u{FE0F}\u{20E3} first");
        assert_eq!(tidy("Sunday\u{2800}morning"), "Sunday morning");
    }

    #[test]
    fn a_name_of_joiners_marks_fillers_or_selectors_alone_is_no_name() {
        for blank in [
            "\u{200C}\u{200D}",
            "\u{034F}",
            "\u{FE0F}",
            "\u{3164}",
            "\u{115F}",
            "\u{0301}\u{0302}",
            " \u{200D} \u{FE0F} ",
            "\u{E0041}",
        ] {
            assert_eq!(tidy(blank), "", "{blank:?}");
        }
    }

    #[test]
    fn shows_nothing_is_tidy_coming_out_empty() {
        for text in [
            "",
            " ",
            "\u{200B}",
            "\u{FEFF}",
            "\u{AD}\u{3164}",
            "\u{200D}\u{FE0F}",
            "\u{200E}",
            "\u{2061}\u{2064}",
            "\u{061C}",
            "\u{206A}",
            "\u{FFF9}",
            "\u{1D173}",
            "\u{2800}",
            "\u{E0041}",
        ] {
            assert!(shows_nothing(text), "{text:?}");
            assert_eq!(tidy(text), "");
        }
        for text in ["a", "\u{200B}x", "\u{2764}\u{FE0F}", "ـ"] {
            assert!(!shows_nothing(text), "{text:?}");
        }
    }

    #[test]
    fn what_shows_nothing_after_a_name_does_not_make_another_name() {
        for same in [
            "Sunday\u{200D}",
            "Sunday\u{034F}",
            "Sunday\u{FE0F}",
            "\u{200C}Sunday",
            "Sunday\u{3164}",
            "Sunday\u{200E}",
            "Sunday\u{2061}",
            "Sunday\u{2800}",
            "Sunday\u{E0041}",
            "Sun\u{2061}day",
            "Sun\u{206A}day",
            "Sun\u{FFF9}day",
            "Sun\u{1D173}day",
        ] {
            assert_eq!(tidy(same), "Sunday", "{same:?}");
        }
        assert_eq!(tidy("Sunday\u{200D} morning"), "Sunday morning");
    }
}
