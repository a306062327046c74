//! How artist names are folded into keys: the catalog's rules for when two names are the
//! same artist (`artist_name_key`) and what a search matches against
//! (`artist_search_key`). The import computes them and hands them to the database writer
//! as data (`TrackKeys`); the search index folds queries with the same rules.

use unicode_normalization::UnicodeNormalization;

/// Unicode lower case of the name in its composed form (NFC): the key that makes artist
/// names unique regardless of case, and of how an accent was written. Files saved on a
/// Mac often spell "é" as "e" and a combining accent, and "Beyoncé" became two artists
/// that look the same.
pub fn artist_name_key(name: &str) -> String {
    let name = name.trim();
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    name.nfc().collect::<String>().to_lowercase()
}

/// The characters read as the ASCII apostrophe in a search key. Files spell "Cam’ron"
/// and "Don’t" with U+2019 (and now and then U+2018, U+201B or the modifier letter
/// U+02BC), keyboards type `'`, and a phone's smart punctuation types `’` again: each
/// spelling finds the others.
pub const APOSTROPHES: [char; 4] = ['\u{2018}', '\u{2019}', '\u{201B}', '\u{02BC}'];

/// Lower case with Latin accents folded ("Beyoncé" -> "beyonce", "Mø" -> "mø" -> "mo"),
/// and apostrophes written one way (`APOSTROPHES`), so a search typed without accents
/// finds the name. Non-Latin scripts are kept as they are: transliterating them would
/// make a search in the original script miss.
pub fn artist_search_key(name: &str) -> String {
    search_key_from_name_key(&artist_name_key(name))
}

/// `artist_search_key` of a name whose `artist_name_key` is given: saves lower-casing the
/// name twice.
pub fn search_key_from_name_key(name_key: &str) -> String {
    // ASCII has nothing to fold (the Latin ranges below start at U+00C0).
    if name_key.is_ascii() {
        return name_key.to_string();
    }
    // Compatibility forms read as what they stand for: full-width "Ｆｕｌｌ" is "full",
    // "ﬁ" is "fi" (NFKC; the name key is composed already, so this changes only those).
    let mut key = String::with_capacity(name_key.len());
    for ch in name_key.nfkc().flat_map(char::to_lowercase) {
        let code = ch as u32;
        let latin = (0x00C0..0x0250).contains(&code) || (0x1E00..0x1F00).contains(&code);
        if APOSTROPHES.contains(&ch) {
            key.push('\'');
        } else if latin {
            key.push_str(&deunicode::deunicode_char(ch).unwrap_or("").to_lowercase());
        } else {
            key.push(ch);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_folds_case_and_accents() {
        assert_eq!(artist_search_key("Beyoncé"), "beyonce");
        assert_eq!(artist_search_key("  MØ "), "mo");
        assert_eq!(artist_search_key("周杰倫"), "周杰倫");
        assert_eq!(artist_name_key("Beyoncé"), "beyoncé");
    }

    /// The same name written with a composed or a combining accent is one artist, and
    /// a search finds it either way; full-width letters are searched as letters.
    #[test]
    fn accents_written_either_way_are_one_name() {
        let composed = "Beyonc\u{e9}";
        let combining = "Beyonce\u{301}";
        assert_eq!(artist_name_key(composed), artist_name_key(combining));
        assert_eq!(artist_search_key(combining), "beyonce");
        assert_eq!(
            artist_search_key("\u{ff26}\u{ff55}\u{ff4c}\u{ff4c}"),
            "full"
        );
        assert_eq!(artist_name_key("  ABBA "), "abba");
    }

    /// "Cam’ron" as the file spells it is found by `cam'ron` as a keyboard types it,
    /// and the other way round; the name itself keeps its spelling.
    #[test]
    fn apostrophes_are_searched_alike() {
        assert_eq!(artist_search_key("Cam\u{2019}ron"), "cam'ron");
        assert_eq!(artist_search_key("Cam'ron"), "cam'ron");
        for apostrophe in APOSTROPHES {
            assert_eq!(artist_search_key(&format!("Don{apostrophe}t")), "don't");
        }
        assert_eq!(artist_search_key("Guns N\u{2019} Rosés"), "guns n' roses");
        assert_eq!(artist_name_key("Cam\u{2019}ron"), "cam\u{2019}ron");
    }
}
