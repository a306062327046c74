//! Spotify's search syntax (`q` of `/search`): free words and quoted phrases, plus the
//! field filters `track:`, `artist:`, `album:`, `genre:` and `year:`, in any order and
//! any combination. Only the reading of the text lives here; what each part matches
//! is the search's business.
//!
//! - A word is a run of characters up to the next space; `"two words"` is one phrase.
//!   Punctuation that separates words in writing is not part of a word: `lights,`
//!   is `lights` and a lone `-` is nothing (`Ed Sheeran - Shape of You`, the way
//!   file names and exports write a song, found only a remix whose title holds " - ").
//!   A query of nothing but such words (`!!!`, a band) is searched as typed.
//! - `field:value` (field name in any case) filters; the value is the next word, or a
//!   quoted phrase (`artist:"Daft Punk"`). Given twice, both must hold.
//! - `year:2010` or `year:1990-1999` (both ends included); anything else after
//!   `year:` is refused, as a script that sends it has a bug it should hear about.
//! - A `field:` that is not one of those (`isrc:`, `tag:new`, a title such as
//!   "Re:Stacks") and a filter with no value (`artist:`) are plain text, as Spotify
//!   reads them.
//! - Spotify's operators, written in capitals: `NOT` before a word or a phrase leaves
//!   out what holds it (`roadhouse NOT blues`); `*` stands for any characters, and
//!   since every word is found anywhere in a name already (`beyon` finds Beyoncé), a
//!   word is searched without its `*`s; `OR` is refused (a union of searches is not
//!   what this search does), as is `NOT` before a filter. They had been read as the
//!   words "NOT" and "OR", and `drake NOT remix` found only Drake's remixes. In small
//!   letters they are plain words, as Spotify reads them.

use crate::model::artist_names::APOSTROPHES;

/// A search query, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Free words and phrases, in order.
    pub text: Vec<String>,
    pub track: Vec<String>,
    pub artist: Vec<String>,
    pub album: Vec<String>,
    pub genre: Vec<String>,
    /// Year ranges, both ends included; a track must be in every one.
    pub years: Vec<(i32, i32)>,
    /// Words and phrases after `NOT`: what holds one of them is left out.
    pub excluded: Vec<String>,
    /// The free words as typed, separating punctuation kept (`-`, `(feat.`), and
    /// phrases, in order: titles are written with it ("Bohemian Rhapsody - 2011
    /// Remaster"), so the title typed whole is a run of these (`titles_as_typed`).
    typed: Vec<String>,
}

/// Past this many words typed, titles are looked for among the runs of the searched
/// words alone (`titles_as_typed`): each run is a title to compare, and their number
/// grows with the square of the words'.
const MOST_TYPED_WORDS: usize = 30;

/// A query that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchQueryError {
    #[error("year:{0} is not a year: write year:2010, or a range such as year:1990-1999.")]
    NotAYear(String),
    #[error("year:{0} runs backwards: write the earlier year first.")]
    YearsBackwards(String),
    #[error("q uses OR, which this search does not read: search for each alternative on its own, or put a title that holds “OR” in quotes.")]
    Or,
    #[error("NOT {0} is not read: NOT leaves out a word or a \"phrase\" (roadhouse NOT blues), not a filter.")]
    NotBeforeFilter(String),
    #[error(
        "NOT {0} is not read: after NOT, write the word whole (a * inside it is not read there)."
    )]
    WildcardAfterNot(String),
}

/// The filters, by the name written before the colon (lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Track,
    Artist,
    Album,
    Genre,
    Year,
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        Some(match name.to_ascii_lowercase().as_str() {
            "track" => Field::Track,
            "artist" => Field::Artist,
            "album" => Field::Album,
            "genre" => Field::Genre,
            "year" => Field::Year,
            _ => return None,
        })
    }
}

impl SearchQuery {
    /// Reads `q`. Only a `year:` that is not a year or a range is an error.
    pub fn parse(q: &str) -> Result<SearchQuery, SearchQueryError> {
        let chars: Vec<char> = q.chars().collect();
        let mut query = SearchQuery::default();
        // Words of separating punctuation alone, kept for a query of nothing else.
        let mut punctuation = Vec::new();
        // The previous term was `NOT`: this one is left out.
        let mut negated = false;
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            if chars[i] == '"' {
                let (phrase, next) = quoted(&chars, i + 1);
                if !negated {
                    push_term(&mut query.typed, phrase.clone());
                }
                push_term(query.terms(std::mem::take(&mut negated)), phrase);
                i = next;
                continue;
            }
            if let Some((field, value, next)) = filter_at(&chars, i) {
                if negated {
                    let written: String = chars[i..next].iter().collect();
                    return Err(SearchQueryError::NotBeforeFilter(written));
                }
                query.add(field, value)?;
                i = next;
                continue;
            }
            let (word, next) = word(&chars, i);
            // An operator stands between terms; at either end it is a plain word.
            let more = chars[next..].iter().any(|c| !c.is_whitespace());
            let first = query.term_count() == 0 && punctuation.is_empty();
            // But `NOT artist:drake` or `OR artist:drake` first is no title's first word:
            // read as one, it found Drake's tracks holding "not" (or "or").
            if first && (word == "NOT" || word == "OR") {
                let after = (next..chars.len())
                    .find(|&j| !chars[j].is_whitespace())
                    .and_then(|j| filter_at(&chars, j).map(|(_, _, end)| (j, end)));
                if let Some((from, to)) = after {
                    if word == "OR" {
                        return Err(SearchQueryError::Or);
                    }
                    let written: String = chars[from..to].iter().collect();
                    return Err(SearchQueryError::NotBeforeFilter(written));
                }
            }
            if more && !negated {
                match word.as_str() {
                    "NOT" if !first => {
                        negated = true;
                        i = next;
                        continue;
                    }
                    "OR" if !first => return Err(SearchQueryError::Or),
                    _ => {}
                }
            }
            let left_out = std::mem::take(&mut negated);
            if !left_out {
                query.typed.push(word.clone());
            } else if word.trim_matches('*').contains('*') {
                // Read as its pieces, `NOT re*mix` would leave out all that holds "re"
                // or "mix": nearly everything.
                return Err(SearchQueryError::WildcardAfterNot(word));
            }
            let mut searched = false;
            for piece in word.split('*') {
                let bare = without_separators(piece);
                if !bare.is_empty() {
                    push_term(query.terms(left_out), bare.to_string());
                    searched = true;
                }
            }
            if !searched {
                punctuation.push(word);
            }
            i = next;
        }
        if query.is_empty() {
            query.text = punctuation;
        }
        for terms in [
            &mut query.text,
            &mut query.track,
            &mut query.artist,
            &mut query.album,
        ] {
            drop_implied(terms);
        }
        // A genre is matched by its whole name, so one name inside another implies
        // nothing: `genre:pop genre:"hip pop"` had dropped `pop` and found every hip
        // pop track, pop or not. Only the same name twice is one filter.
        let mut seen = std::collections::HashSet::new();
        query
            .genre
            .retain(|name| seen.insert(crate::catalog::genre_key(name)));
        Ok(query)
    }

    /// How many words, phrases and filters the query holds (each costs the search a
    /// pass over what the others leave).
    pub fn term_count(&self) -> usize {
        self.text.len()
            + self.excluded.len()
            + self.track.len()
            + self.artist.len()
            + self.album.len()
            + self.genre.len()
            + self.years.len()
    }

    /// The name the query gives, as typed: its `artist:` values, then its free words
    /// and phrases with their punctuation, joined by spaces. In an artist search the
    /// artists named exactly so come first: `Dr. Dre` is the words "dr" and "dre",
    /// which DrefQuila holds too.
    pub fn name_as_typed(&self) -> String {
        self.artist
            .iter()
            .chain(&self.typed)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Titles the free words could be typed as: every run of consecutive words and
    /// phrases, in the order typed, lower case, with and without the punctuation typed
    /// between them, then each `track:` filter's text, which names a title too. `Thriller Michael Jackson` holds `thriller`; `Ed Sheeran Shape
    /// of You` holds `shape of you`. A title holding an apostrophe is also given with each
    /// of the two ways titles write one (`'` and `’`): the search finds either spelling,
    /// and "Hollywood’s Bleeding" typed on a phone had put the exact title "Hollywood's
    /// Bleeding" after others.
    pub fn titles_as_typed(&self) -> Vec<String> {
        let lower: Vec<String> = self.text.iter().map(|w| w.to_lowercase()).collect();
        let mut runs = Vec::new();
        // Runs grow with the square of the words and their text with the cube: no title
        // is longer than this, and 850 words had taken 1.9 GB (callers cap the words
        // too; this keeps the rule where the cost is).
        if lower.len() <= MOST_TYPED_WORDS {
            for start in 0..lower.len() {
                for end in start + 1..=lower.len() {
                    runs.push(lower[start..end].join(" "));
                }
            }
        }
        // The same runs with the punctuation typed between and around the words: a
        // title holding " - " or "(feat. …)" is never a run of the bare words. A run
        // neither starts nor ends with punctuation alone (" - 2011").
        if self.typed.len() <= MOST_TYPED_WORDS {
            let typed: Vec<String> = self.typed.iter().map(|w| w.to_lowercase()).collect();
            let bare = |w: &String| without_separators(w).is_empty();
            for start in (0..typed.len()).filter(|&s| !bare(&typed[s])) {
                for end in (start + 1..=typed.len()).filter(|&e| !bare(&typed[e - 1])) {
                    runs.push(typed[start..end].join(" "));
                }
            }
        }
        runs.extend(self.track.iter().map(|t| t.to_lowercase()));
        let mut titles: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut add = |title: String| {
            if seen.insert(title.clone()) {
                titles.push(title);
            }
        };
        let is_apostrophe = |c: char| c == '\'' || APOSTROPHES.contains(&c);
        for title in runs {
            if title.contains(is_apostrophe) {
                for apostrophe in ['\'', '\u{2019}'] {
                    add(title
                        .chars()
                        .map(|c| if is_apostrophe(c) { apostrophe } else { c })
                        .collect());
                }
            }
            add(title);
        }
        titles
    }

    /// True when nothing at all was asked for (only spaces or empty quotes).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
            && self.track.is_empty()
            && self.artist.is_empty()
            && self.album.is_empty()
            && self.genre.is_empty()
            && self.years.is_empty()
    }

    /// True when a filter on tracks' own fields (title, album, genre, year) is given.
    pub fn has_track_filters(&self) -> bool {
        !(self.track.is_empty()
            && self.album.is_empty()
            && self.genre.is_empty()
            && self.years.is_empty())
    }

    /// Where a free word or phrase goes: left out after `NOT`, searched for otherwise.
    fn terms(&mut self, negated: bool) -> &mut Vec<String> {
        if negated {
            &mut self.excluded
        } else {
            &mut self.text
        }
    }

    fn add(&mut self, field: Field, value: String) -> Result<(), SearchQueryError> {
        let list = match field {
            Field::Year => {
                self.years.push(years(&value)?);
                return Ok(());
            }
            Field::Track => &mut self.track,
            Field::Artist => &mut self.artist,
            Field::Album => &mut self.album,
            Field::Genre => &mut self.genre,
        };
        // A wildcard, as in a free word: every value is found anywhere in its field, so
        // `artist:be*ce` is a name holding "be" and "ce"; `artist:*` is no filter.
        for piece in value.split('*') {
            push_term(list, piece.to_string());
        }
        Ok(())
    }
}

/// Adds a word or phrase, unless it shows nothing: a quoted zero-width space had
/// matched every track (an empty needle is in every title), and `NOT` it none.
fn push_term(terms: &mut Vec<String>, term: String) {
    let term = term.trim();
    if !term.is_empty() && !crate::typed_name::shows_nothing(term) {
        terms.push(term.to_string());
    }
}

/// Leaves out each term that another of the list holds, case aside (`a` beside
/// `abba`, or `love` twice): every term of a list must be found, so finding the longer
/// finds it too. Each one was a pass over the tracks, and `q=a a a …` (120 times) held
/// a database connection for 12 s.
fn drop_implied(terms: &mut Vec<String>) {
    let lower: Vec<String> = terms.iter().map(|t| t.to_lowercase()).collect();
    let mut keep = Vec::with_capacity(terms.len());
    for (i, term) in lower.iter().enumerate() {
        let implied = lower.iter().enumerate().any(|(j, other)| {
            j != i && other.contains(term.as_str()) && (other.len() > term.len() || j < i)
        });
        keep.push(!implied);
    }
    let mut flags = keep.into_iter();
    terms.retain(|_| flags.next().unwrap_or(true));
}

/// Punctuation that writing puts between words (commas, colons, dashes, brackets,
/// quotes), not inside names: `M.I.A.`'s inner dots, `P!nk`, `C++` and `AC/DC` keep
/// theirs, since only a word's ends are trimmed and `+`, `$` or `#` are not among them.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ',' | ';'
            | ':'
            | '.'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '\''
            | '-'
            | '/'
            | '&'
            | '|'
            | '–'
            | '—'
            | '…'
            | '‘'
            | '’'
            | '“'
            | '”'
            | '«'
            | '»'
            | '¿'
            | '¡'
            | '·'
    )
}

/// A word without the separating punctuation at its ends: `lights,` is `lights`,
/// `(Remix)` is `Remix`, `-` is empty.
fn without_separators(word: &str) -> &str {
    word.trim_matches(is_separator)
}

/// The text up to the closing quote (or the end), and the index after it.
fn quoted(chars: &[char], from: usize) -> (String, usize) {
    let end = chars[from..]
        .iter()
        .position(|&c| c == '"')
        .map_or(chars.len(), |p| from + p);
    (
        chars[from..end].iter().collect(),
        (end + 1).min(chars.len()),
    )
}

/// The word starting at `from`, and the index after it.
fn word(chars: &[char], from: usize) -> (String, usize) {
    let end = chars[from..]
        .iter()
        .position(|c| c.is_whitespace())
        .map_or(chars.len(), |p| from + p);
    (chars[from..end].iter().collect(), end)
}

/// A known `field:value` starting at `from` with a value that is not blank: the field,
/// the value (trimmed) and the index after it.
fn filter_at(chars: &[char], from: usize) -> Option<(Field, String, usize)> {
    let colon = from + chars[from..].iter().position(|&c| c == ':')?;
    let name: String = chars[from..colon].iter().collect();
    if !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let field = Field::named(&name)?;
    let start = colon + 1;
    let (value, next) = match chars.get(start) {
        Some('"') => quoted(chars, start + 1),
        Some(c) if !c.is_whitespace() => word(chars, start),
        _ => return None,
    };
    let value = value.trim();
    (!value.is_empty()).then(|| (field, value.to_string(), next))
}

/// `2010` or `1990-1999` as an inclusive range.
fn years(value: &str) -> Result<(i32, i32), SearchQueryError> {
    let year = |s: &str| -> Option<i32> {
        let s = s.trim();
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let not_a_year = || SearchQueryError::NotAYear(value.to_string());
    let (from, to) = match value.split_once('-') {
        Some((from, to)) => (
            year(from).ok_or_else(not_a_year)?,
            year(to).ok_or_else(not_a_year)?,
        ),
        None => {
            let y = year(value).ok_or_else(not_a_year)?;
            (y, y)
        }
    };
    if from > to {
        return Err(SearchQueryError::YearsBackwards(value.to_string()));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(q: &str) -> SearchQuery {
        SearchQuery::parse(q).unwrap()
    }

    #[test]
    fn a_term_another_holds_is_searched_for_once() {
        let q = parse("a Love a love abba \"love song\" artist:a artist:ab");
        assert_eq!(q.text, strings(&["abba", "love song"]));
        assert_eq!(q.artist, strings(&["ab"]));
        assert_eq!(q.term_count(), 3);
        assert_eq!(parse("Love love").text, strings(&["Love"]));
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn titles_are_the_runs_of_words_typed() {
        assert_eq!(
            parse("Shape of You").titles_as_typed(),
            strings(&["shape", "shape of", "shape of you", "of", "of you", "you"])
        );
        // A phrase is one word of a title; filters are none.
        assert_eq!(
            parse(r#""one more" time artist:daft"#).titles_as_typed(),
            strings(&["one more", "one more time", "time"])
        );
        assert!(parse("year:2000").titles_as_typed().is_empty());
        // A `track:` filter names a title too.
        assert_eq!(
            parse(r#"track:"Get Lucky" daft"#).titles_as_typed(),
            ["daft", "get lucky"]
        );
        // With the punctuation typed, as titles write it; never starting or ending
        // with punctuation alone.
        let titles = parse("Bohemian Rhapsody - 2011 Remaster Queen").titles_as_typed();
        assert!(titles.contains(&"bohemian rhapsody - 2011 remaster".to_string()));
        assert!(titles.contains(&"bohemian rhapsody 2011 remaster".to_string()));
        assert!(!titles
            .iter()
            .any(|t| t.starts_with('-') || t.ends_with('-')));
        let titles = parse("B.U.H.O (feat. Duki & Klave) Midel").titles_as_typed();
        assert!(titles.contains(&"b.u.h.o (feat. duki & klave)".to_string()));
        // A run with an apostrophe comes in both spellings titles use.
        assert_eq!(
            parse("hollywood’s").titles_as_typed(),
            ["hollywood's", "hollywood’s"]
        );
    }

    #[test]
    fn punctuation_between_words_is_not_searched_for() {
        assert_eq!(
            parse("Ed Sheeran - Shape of You").text,
            strings(&["Ed", "Sheeran", "Shape", "of", "You"])
        );
        assert_eq!(
            parse("blinding lights, the weeknd").text,
            strings(&["blinding", "lights", "the", "weeknd"])
        );
        assert_eq!(
            parse("the weeknd: (blinding lights)").text,
            strings(&["the", "weeknd", "blinding", "lights"])
        );
        // Inside a name it stays, and so do the characters names are made of.
        assert_eq!(
            parse("M.I.A. P!nk C++ AC/DC Don't").text,
            strings(&["M.I.A", "P!nk", "C++", "AC/DC", "Don't"])
        );
        // A quoted phrase is searched for as written.
        assert_eq!(
            parse("\"love, actually\"").text,
            strings(&["love, actually"])
        );
        // Nothing but punctuation: searched as typed.
        assert_eq!(parse("!!!").text, strings(&["!!!"]));
        assert_eq!(parse(" - ").text, strings(&["-"]));
        // Beside a filter, a lone dash is still nothing.
        let q = parse("artist:queen - ");
        assert!(q.text.is_empty(), "{q:?}");
        assert_eq!(q.artist, strings(&["queen"]));
    }

    #[test]
    fn spotifys_operators_in_capitals() {
        let q = parse(r#"roadhouse NOT blues NOT "live at""#);
        assert_eq!(q.text, strings(&["roadhouse"]));
        assert_eq!(q.excluded, strings(&["blues", "live at"]));
        assert_eq!(q.term_count(), 3);
        // In small letters, or at an end, they are words.
        assert_eq!(
            parse("not fade away").text,
            strings(&["not", "fade", "away"])
        );
        assert_eq!(parse("love NOT").text, strings(&["love", "NOT"]));
        assert_eq!(
            parse("NOT Afraid Eminem").text,
            strings(&["NOT", "Afraid", "Eminem"])
        );
        assert!(parse("NOT Afraid Eminem").excluded.is_empty());
        // A wildcard inside a word after NOT would leave out each piece: refused.
        assert_eq!(
            SearchQuery::parse("drake NOT re*mix"),
            Err(SearchQueryError::WildcardAfterNot("re*mix".into()))
        );
        assert_eq!(parse("drake NOT remix*").excluded, strings(&["remix"]));
        assert_eq!(parse("artist:be*ce").artist, strings(&["be", "ce"]));
        assert_eq!(parse("OR nothing").text, strings(&["OR", "nothing"]));
        assert_eq!(
            parse("halo or umbrella").text,
            strings(&["halo", "or", "umbrella"])
        );
        assert_eq!(
            SearchQuery::parse("halo OR umbrella"),
            Err(SearchQueryError::Or)
        );
        assert_eq!(
            SearchQuery::parse("love NOT artist:drake"),
            Err(SearchQueryError::NotBeforeFilter("artist:drake".into()))
        );
        // First, before a filter, it is no word of a title either.
        assert_eq!(
            SearchQuery::parse("NOT  artist:drake love"),
            Err(SearchQueryError::NotBeforeFilter("artist:drake".into()))
        );
        assert_eq!(parse("NOT Afraid").text, strings(&["NOT", "Afraid"]));
        assert_eq!(
            SearchQuery::parse("OR artist:drake"),
            Err(SearchQueryError::Or)
        );
        // A wildcard: the word without it, since words are found anywhere in a name.
        assert_eq!(parse("beyon*").text, strings(&["beyon"]));
        assert_eq!(parse("be*ce").text, strings(&["be", "ce"]));
        assert_eq!(parse("artist:beyon*").artist, strings(&["beyon"]));
        let q = parse("artist:* love");
        assert!(q.artist.is_empty(), "{q:?}");
        assert_eq!(q.text, strings(&["love"]));
        assert_eq!(parse("*").text, strings(&["*"]));
        // Quoted, they are what they say.
        assert_eq!(
            parse(r#""rich OR broke""#).text,
            strings(&["rich OR broke"])
        );
    }

    #[test]
    fn free_words_and_phrases() {
        assert_eq!(parse("love song").text, strings(&["love", "song"]));
        assert_eq!(
            parse(r#"  "someone you" loved "#).text,
            strings(&["someone you", "loved"])
        );
        // An unclosed quote runs to the end; empty quotes are nothing.
        assert_eq!(parse(r#"a "b c"#).text, strings(&["a", "b c"]));
        assert!(parse(r#""" "  ""#).is_empty());
    }

    /// A genre is a whole name: one inside another is a second filter, not implied by
    /// the longer (`pop` and `hip pop` had become `hip pop` alone); the same name twice
    /// is one.
    #[test]
    fn genre_filters_are_whole_names() {
        let q = parse(r#"genre:pop genre:"hip pop" genre:rock genre:ro genre:POP"#);
        assert_eq!(q.genre, strings(&["pop", "hip pop", "rock", "ro"]));
    }

    /// Runs of words as titles only up to a title's length: 850 words had made some
    /// 360,000 runs of up to 3 KB each, compared with one another (1.9 GB, minutes).
    #[test]
    fn titles_typed_stop_at_a_titles_length() {
        let words: Vec<String> = (0..850).map(|i| format!("w{i}")).collect();
        let q = parse(&words.join(" "));
        assert!(q.titles_as_typed().is_empty());
        let q = parse("shape of you track:Perfect");
        assert_eq!(q.titles_as_typed().len(), 7);
    }

    #[test]
    fn filters_in_any_case_order_and_combination() {
        let q = parse(
            r#"remaster Track:Doxy ARTIST:"Miles Davis" year:1950-1959 genre:jazz album:Bags"#,
        );
        assert_eq!(q.text, strings(&["remaster"]));
        assert_eq!(q.track, strings(&["Doxy"]));
        assert_eq!(q.artist, strings(&["Miles Davis"]));
        assert_eq!(q.album, strings(&["Bags"]));
        assert_eq!(q.genre, strings(&["jazz"]));
        assert_eq!(q.years, vec![(1950, 1959)]);
        assert!(q.has_track_filters());
        // Unquoted, a value is one word; the rest is free text (as on Spotify).
        let q = parse("artist:Daft Punk");
        assert_eq!(q.artist, strings(&["Daft"]));
        assert_eq!(q.text, strings(&["Punk"]));
        // Given twice, both hold.
        assert_eq!(parse("artist:a artist:b").artist, strings(&["a", "b"]));
        assert!(!parse("artist:a").has_track_filters());
    }

    #[test]
    fn unknown_fields_and_empty_filters_are_plain_text() {
        assert_eq!(
            parse("isrc:USUM71703861").text,
            strings(&["isrc:USUM71703861"])
        );
        assert_eq!(parse("Re:Stacks").text, strings(&["Re:Stacks"]));
        assert_eq!(parse("tag:new").text, strings(&["tag:new"]));
        // A filter with no value is a word, its colon the punctuation after it.
        assert_eq!(parse("artist: Drake").text, strings(&["artist", "Drake"]));
        assert_eq!(parse(r#"genre:"" x"#).text, strings(&["genre", "x"]));
        assert!(parse("artist:").artist.is_empty());
        assert_eq!(parse("10:15").text, strings(&["10:15"]));
    }

    #[test]
    fn years_are_a_year_or_a_range() {
        assert_eq!(parse("year:2010").years, vec![(2010, 2010)]);
        assert_eq!(parse("year:1990-1999").years, vec![(1990, 1999)]);
        for bad in [
            "year:abc",
            "year:2010-",
            "year:-2010",
            "year:20100",
            "year:1e3",
            "year:1990-1999-2000",
        ] {
            assert!(
                matches!(SearchQuery::parse(bad), Err(SearchQueryError::NotAYear(_))),
                "{bad}"
            );
        }
        assert_eq!(
            SearchQuery::parse("year:1999-1990"),
            Err(SearchQueryError::YearsBackwards("1999-1990".into()))
        );
    }

    proptest! {
        #![proptest_config(crate::proptest_regressions::kept(proptest::test_runner::Config::default()))]

        /// Whatever the text, reading never panics, and every term it keeps is
        /// trimmed and not empty.
        #[test]
        fn any_text_reads_to_clean_terms(q in r#"[a-zA-Z0-9:" \-éü]{0,40}"#) {
            if let Ok(query) = SearchQuery::parse(&q) {
                for term in query.text.iter().chain(&query.track).chain(&query.artist)
                    .chain(&query.album).chain(&query.genre)
                {
                    prop_assert!(!term.is_empty());
                    prop_assert_eq!(term.trim(), term.as_str());
                }
                for (from, to) in query.years {
                    prop_assert!(from <= to);
                }
            }
        }

        /// A filter written out reads back as that filter, whatever surrounds it.
        #[test]
        fn a_written_filter_reads_back(
            before in "[a-z]{0,8}",
            value in "[a-zA-Z][a-zA-Z ]{0,12}[a-zA-Z]",
            // Digits: a word the one before holds would be read once.
            after in "[0-9]{0,8}",
        ) {
            let q = SearchQuery::parse(&format!("{before} artist:\"{value}\" {after}")).unwrap();
            prop_assert_eq!(q.artist, vec![value]);
            let free: Vec<String> = [before, after].into_iter().filter(|s| !s.is_empty()).collect();
            prop_assert_eq!(q.text, free);
        }
    }
}
