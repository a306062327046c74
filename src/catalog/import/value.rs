//! Parsing single CSV cells. Each parser accepts the spellings the supported datasets
//! use and says in plain words what is wrong with anything else.
//!
//! `Ok(None)` means the cell holds no value: R writes `NA` for missing values, pandas an
//! empty cell. Numbers, dates and genres also take `N/A` and `null` in any case
//! (`is_missing`); titles, albums and artist names only an empty cell or R's `NA`
//! (`is_missing_name`), since "Null", "N/A" and "na" are names songs and bands have.

use std::{borrow::Cow, collections::HashSet};

use super::{
    header::{ArtistList, DurationUnit},
    MAX_ARTISTS_PER_TRACK, MAX_ARTIST_CHARS, MAX_GENRES_PER_TRACK, MAX_GENRE_CHARS,
};

/// Why a cell could not be read; the row parser prefixes the column name.
pub type ValueResult<T> = Result<Option<T>, String>;

/// A cell as a message quotes it: trimmed, and cut and escaped as every quoted value
/// is (`crate::quoted`), so that a message about a huge cell stays small and a cell
/// holding a terminal escape sequence does not act on the terminal the import runs in.
pub fn shown(cell: &str) -> String {
    crate::quoted::quoted(cell.trim())
}

/// Whether the text has more than `max` characters (without counting all of a long one).
pub fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().nth(max).is_some()
}

/// The first control character in the text other than a tab or a line break (NUL,
/// escape, U+0080 to U+009F): no title or name holds one, and stored, it would reach
/// pages, CSV files and JSON as it is (and SQLite's string functions stop at a NUL).
pub fn control_character(text: &str) -> Option<char> {
    // Bytes first: this runs on every text cell of a file, and almost none has one.
    // 0xC2 leads the two bytes of U+0080 to U+00BF, which holds the C1 controls.
    if !text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return None;
    }
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// What is wrong with a text that holds a control character, if it does.
fn control_character_message(text: &str) -> Option<String> {
    control_character(text).map(|c| {
        format!(
            "holds a control character (U+{:04X}), which no title or name can show",
            u32::from(c)
        )
    })
}

/// The text on one line: a tab or line break inside it (a title a spreadsheet wrapped,
/// `\n` in a Python list of names) becomes a space, and a run of them one space.
fn one_line(text: &str) -> String {
    if !text.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for part in text
        .split(['\t', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// The cell without direction controls (`typed_name::is_direction_control`), copied
/// only when it holds one. A name holding one turned the app's own words around it
/// backwards (an artist "\u{202E}gnp.exe" showed as "exe.png", and the sentences that
/// named it read mirrored).
fn without_direction_controls(cell: &str) -> Cow<'_, str> {
    use crate::typed_name::is_direction_control;
    // Bytes first, as for control characters: each of them starts with 0xE2, which
    // few cells hold at all.
    if memchr::memchr(0xE2, cell.as_bytes()).is_none() || !cell.contains(is_direction_control) {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(cell.replace(is_direction_control, ""))
}

/// A name cell (a title, an album, an artist) that holds no value: empty, R's `NA`
/// exactly, or characters that show nothing (a zero-width space, a byte-order mark):
/// such an artist's page had an empty heading. The other spellings `is_missing` takes
/// are kept as names.
fn is_missing_name(cell: &str) -> bool {
    cell.is_empty() || cell == "NA" || crate::typed_name::shows_nothing(cell)
}

/// A cell that holds no value.
pub fn is_missing(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty()
        || cell.eq_ignore_ascii_case("na")
        || cell.eq_ignore_ascii_case("n/a")
        || cell.eq_ignore_ascii_case("null")
}

/// A decimal number, also in scientific notation (`1.11e-6`). `NaN` is returned as NaN
/// so that feature validation can name it.
pub fn number(cell: &str) -> ValueResult<f64> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    match cell.parse::<f64>() {
        Ok(value) if value.is_infinite() => {
            Err(format!("'{}' is not a finite number", shown(cell)))
        }
        Ok(value) => Ok(Some(value)),
        // A spreadsheet's minus sign (U+2212), as some locales export negatives.
        Err(_) => {
            let negated = cell
                .strip_prefix('\u{2212}')
                .filter(|rest| !rest.starts_with(['-', '+']))
                .and_then(|rest| rest.parse::<f64>().ok())
                .filter(|value| value.is_finite());
            match negated {
                Some(value) => Ok(Some(-value)),
                None => Err(format!("'{}' is not a number", shown(cell))),
            }
        }
    }
}

/// A whole number; `66.0` (how pandas writes an int column with gaps) is accepted,
/// `66.5` is not. `NaN` counts as missing.
pub fn integer(cell: &str) -> ValueResult<i64> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    if let Some(value) = crate::whole_number::parse(cell) {
        return Ok(Some(value));
    }
    match cell.parse::<f64>() {
        Ok(value) if value.is_nan() => Ok(None),
        _ => Err(format!("'{}' is not a whole number", shown(cell))),
    }
}

/// A whole number that must fit the given inclusive range.
pub fn integer_in(cell: &str, lo: i64, hi: i64) -> ValueResult<i32> {
    match integer(cell)? {
        None => Ok(None),
        Some(value) if (lo..=hi).contains(&value) => Ok(Some(value as i32)),
        Some(value) => Err(format!("{value} is outside {lo}..{hi}")),
    }
}

/// The year of a release date written `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (a time after
/// the date is ignored). Year 0 means unknown in some exports.
pub fn release_year(cell: &str) -> ValueResult<i32> {
    Ok(release(cell)?.map(|(year, _)| year))
}

/// The release year and the date as precisely as the cell gives it, written
/// "2019-06-14", "2019-06" or "2019" (a time after the date is dropped, a one-digit
/// month or day padded).
pub fn release(cell: &str) -> ValueResult<(i32, String)> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    let date = cell.split(['T', ' ']).next().unwrap_or(cell);
    let bad = || {
        format!(
            "'{}' is not a date like 2019-06-14, 2019-06 or 2019 (or a spreadsheet's \
             14.06.2019 or 6/14/2019)",
            shown(cell)
        )
    };
    let respelled = match spreadsheet_date(date) {
        Some(Ok(iso)) => Some(iso),
        Some(Err(())) => return Err(bad()),
        None => None,
    };
    let date = respelled.as_deref().unwrap_or(date);
    let mut parts = date.split('-');
    let year_text = parts.next().ok_or_else(bad)?;
    if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = year_text.parse().map_err(|_| bad())?;
    let rest: Vec<&str> = parts.collect();
    if rest.len() > 2 {
        return Err(bad());
    }
    let mut written = String::with_capacity(10);
    written.push_str(year_text);
    let mut month = 0;
    for (at, part) in rest.into_iter().enumerate() {
        let value = part.parse::<u32>().ok();
        // The day within its month's length: "2019-02-30" was stored, and served by the
        // API as a day-precise date.
        if let (1, Some(day)) = (at, value) {
            let last = days_in_month(year, month);
            if day > last && day <= 31 {
                return Err(format!(
                    "'{}' is not a date: month {month} of {year} has {last} days",
                    shown(cell)
                ));
            }
        }
        let hi = if at == 0 { 12 } else { 31 };
        let value = value.filter(|v| (1..=hi).contains(v));
        match value {
            Some(v)
                if (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()) =>
            {
                if at == 0 {
                    month = v;
                }
                // The digits as written, padded to two: no number turned back into text.
                written.push('-');
                if part.len() == 1 {
                    written.push('0');
                }
                written.push_str(part);
            }
            _ => return Err(bad()),
        }
    }
    // Year 0 ("0000") is the datasets' way of saying "unknown".
    if year == 0 {
        return Ok(None);
    }
    let latest = latest_release_year();
    if !(EARLIEST_RELEASE_YEAR..=latest).contains(&year) {
        return Err(format!(
            "'{}' is not a release date: recordings date from {EARLIEST_RELEASE_YEAR} to \
             {latest}",
            shown(cell)
        ));
    }
    Ok(Some((year, written)))
}

/// A date as a spreadsheet saves it once the file has been opened and saved again
/// (Excel and LibreOffice rewrite `2019-06-14` in the locale's form), as the ISO text
/// `release` reads: `2019-06-14` or, where the order of day and month cannot be told,
/// `2019`. `None`: not such a date; `Err`: such a date that is none (`13/13/2019`).
///
/// - `14.06.2019`: day first (the dotted form is the day-first locales');
/// - `2019/06/14`: year first;
/// - `6/14/2019` or `14/06/2019`: the part above 12 is the day; with both 12 or less
///   (`6/7/2019`) the order is the locale's, which the file does not say, so only the
///   year is kept rather than a date that may be five months off;
/// - two-digit years (`6/14/19`, LibreOffice's default) as spreadsheets read them: up
///   to next year's in this century, the rest in the last.
///
/// Such files had every dated row refused as bad (30,947 of TidyTuesday's 32,833).
fn spreadsheet_date(date: &str) -> Option<Result<String, ()>> {
    let separator = if date.contains('/') {
        '/'
    } else if date.contains('.') {
        '.'
    } else {
        return None;
    };
    let parts: Vec<&str> = date.split(separator).collect();
    let numbers: Vec<u32> = parts
        .iter()
        .map(|p| {
            let digits = !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| p.parse().ok()).flatten()
        })
        .collect::<Option<Vec<u32>>>()?;
    if numbers.len() != 3 {
        return None;
    }
    let widths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let iso = |year: u32, month: u32, day: u32| format!("{year:04}-{month:02}-{day:02}");
    if separator == '/' && widths[0] == 4 && widths[1] <= 2 && widths[2] <= 2 {
        return Some(Ok(iso(numbers[0], numbers[1], numbers[2])));
    }
    if widths[0] > 2 || widths[1] > 2 || !matches!(widths[2], 2 | 4) {
        return Some(Err(()));
    }
    let year = if widths[2] == 2 {
        let next_year = (latest_release_year() % 100) as u32;
        numbers[2] + if numbers[2] <= next_year { 2000 } else { 1900 }
    } else {
        numbers[2]
    };
    let (a, b) = (numbers[0], numbers[1]);
    Some(match separator {
        '.' => Ok(iso(year, b, a)),
        _ if a > 12 && b <= 12 => Ok(iso(year, b, a)),
        _ if b > 12 && a <= 12 => Ok(iso(year, a, b)),
        _ if a > 12 && b > 12 => Err(()),
        _ => Ok(format!("{year:04}")),
    })
}

/// The year of the earliest sound recording (Scott's phonautograph, 1860). A year
/// before it, or after next year, is a slip or a placeholder: stored, "0001-01-01" and
/// "2099" made the home page say "released 1–2099" and drew decades of one track.
pub const EARLIEST_RELEASE_YEAR: i32 = 1860;

/// Next year: a release announced for then may be listed already.
fn latest_release_year() -> i32 {
    static LATEST: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *LATEST.get_or_init(|| {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // Within a day of the calendar year, which next year's margin covers.
        let this_year = 1970 + (seconds / 31_556_952) as i32;
        this_year + 1
    })
}

/// Days in `month` (1–12) of `year`, in the Gregorian calendar.
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Pitch class 0..11 from a number (`-1` = no key detected) or a note name (`C#`,
/// `Db`, `F♯`).
pub fn musical_key(cell: &str) -> ValueResult<i32> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    if let Some(number) = integer(cell).ok().flatten() {
        return match number {
            -1 => Ok(None),
            0..=11 => Ok(Some(number as i32)),
            _ => Err(format!("key {number} is outside 0..11")),
        };
    }
    let mut chars = cell.chars();
    let natural = match chars.next().map(|c| c.to_ascii_uppercase()) {
        Some('C') => 0,
        Some('D') => 2,
        Some('E') => 4,
        Some('F') => 5,
        Some('G') => 7,
        Some('A') => 9,
        Some('B') => 11,
        _ => {
            return Err(format!(
                "'{}' is not a key (0..11 or a note such as C#)",
                shown(cell)
            ))
        }
    };
    let mut pitch: i32 = natural;
    for accidental in chars {
        match accidental {
            '#' | '♯' => pitch += 1,
            'b' | '♭' => pitch -= 1,
            _ => {
                return Err(format!(
                    "'{}' is not a key (0..11 or a note such as C#)",
                    shown(cell)
                ))
            }
        }
    }
    Ok(Some(pitch.rem_euclid(12)))
}

/// 1 = major, 0 = minor; from `1`/`0` or `Major`/`Minor`.
pub fn mode(cell: &str) -> ValueResult<i32> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    match cell.to_ascii_lowercase().as_str() {
        "major" | "maj" => Ok(Some(1)),
        "minor" | "min" => Ok(Some(0)),
        _ => match integer(cell) {
            Ok(Some(v @ 0..=1)) => Ok(Some(v as i32)),
            _ => Err(format!(
                "'{}' is not a mode (1/0 or Major/Minor)",
                shown(cell)
            )),
        },
    }
}

/// The most beats per bar a track may have: the import takes 1 to this, and the page's
/// and the API's time-signature bounds take the same range.
pub const MAX_TIME_SIGNATURE: i32 = 16;

/// Beats per bar from `4` or `4/4`; 0 (unknown in some exports) is missing.
pub fn time_signature(cell: &str) -> ValueResult<i32> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    let beats = cell.split('/').next().unwrap_or(cell);
    match integer(beats) {
        Ok(Some(0)) => Ok(None),
        Ok(Some(v)) if (1..=i64::from(MAX_TIME_SIGNATURE)).contains(&v) => Ok(Some(v as i32)),
        _ => Err(format!(
            "'{}' is not a time signature (4 or 4/4)",
            shown(cell)
        )),
    }
}

/// `True`/`False`, `true`/`false`, `1`/`0`, `yes`/`no`.
pub fn boolean(cell: &str) -> ValueResult<bool> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    // Compared ignoring ASCII case in place: a lower-case copy was one allocation a row.
    let is_one_of = |spellings: &[&str]| spellings.iter().any(|s| cell.eq_ignore_ascii_case(s));
    if is_one_of(&["true", "t", "1", "yes", "y", "1.0"]) {
        Ok(Some(true))
    } else if is_one_of(&["false", "f", "0", "no", "n", "0.0"]) {
        Ok(Some(false))
    } else {
        Err(format!("'{}' is not true or false", shown(cell)))
    }
}

/// A duration in milliseconds, from milliseconds, seconds (per the column's unit) or
/// `m:ss`.
pub fn duration_ms(cell: &str, unit: DurationUnit) -> ValueResult<i32> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    let bad = || format!("'{}' is not a duration", shown(cell));
    let ms = if let Some((minutes, seconds)) = cell.split_once(':') {
        let minutes: u32 = minutes.parse().map_err(|_| bad())?;
        let seconds: f64 = seconds.parse().map_err(|_| bad())?;
        if !(0.0..60.0).contains(&seconds) {
            return Err(bad());
        }
        (f64::from(minutes) * 60.0 + seconds) * 1000.0
    } else {
        let value = number(cell)?.ok_or_else(bad)?;
        match unit {
            DurationUnit::Millis => value,
            DurationUnit::Seconds => value * 1000.0,
            DurationUnit::Minutes => value * 60_000.0,
            DurationUnit::Unstated if value < 1000.0 => {
                return Err(format!(
                    "'{}' would be under a second in milliseconds: if the column counts \
                     seconds, name it “duration (s)”; minutes, “duration (min)”",
                    shown(cell)
                ))
            }
            DurationUnit::Unstated => value,
        }
    };
    if !(0.0..=i32::MAX as f64).contains(&ms) {
        return Err(bad());
    }
    // No track is under a second: 0 stood for "unknown", and `194.754` (a thousands
    // separator in a file with decimal commas) was stored as 195 ms.
    if ms < 1000.0 {
        return Err(match unit {
            DurationUnit::Millis => format!(
                "'{}' ms is under a second, which no track is: leave the cell empty if \
                 the duration is unknown; a '.' or ',' in it may separate thousands; a \
                 column of seconds is named “duration (s)”",
                shown(cell)
            ),
            _ => format!(
                "'{}' is under a second, which no track is: leave the cell empty if the \
                 duration is unknown",
                shown(cell)
            ),
        });
    }
    Ok(Some(ms.round() as i32))
}

/// A Spotify track id from a raw id, a `spotify:track:` URI or an open.spotify.com
/// link.
pub fn track_id(cell: &str) -> ValueResult<String> {
    spotify_id(cell, &TRACK)
}

/// An album's Spotify id, from an id, a `spotify:album:` URI or an album link.
pub fn album_id(cell: &str) -> ValueResult<String> {
    spotify_id(cell, &ALBUM)
}

/// A kind of Spotify object and how its URI and page address start: constants, since
/// they are read for every row (built with `format!`, two strings a cell).
struct SpotifyKind {
    name: &'static str,
    uri: &'static str,
    link: &'static str,
}

const TRACK: SpotifyKind = SpotifyKind {
    name: "track",
    uri: "spotify:track:",
    link: "open.spotify.com/track/",
};

const ALBUM: SpotifyKind = SpotifyKind {
    name: "album",
    uri: "spotify:album:",
    link: "open.spotify.com/album/",
};

/// The id of a Spotify object of `kind`, written as the id itself, its URI or a link
/// to its page.
fn spotify_id(cell: &str, kind: &SpotifyKind) -> ValueResult<String> {
    if is_missing(cell) {
        return Ok(None);
    }
    let cell = cell.trim();
    let id = if let Some(rest) = cell.strip_prefix(kind.uri) {
        rest
    } else if let Some(pos) = cell.find(kind.link) {
        let rest = &cell[pos + kind.link.len()..];
        rest.split(['?', '/', '#']).next().unwrap_or(rest)
    } else {
        cell
    };
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "'{}' is not a Spotify {} id",
            shown(cell),
            kind.name
        ));
    }
    Ok(Some(id.to_string()))
}

/// A text cell, trimmed and on one line; `None` when missing.
pub fn text(cell: &str) -> Option<String> {
    let readable = without_direction_controls(cell);
    let cell = readable.trim();
    if is_missing_name(cell) {
        None
    } else {
        Some(one_line(cell))
    }
}

/// A text cell of at most `max` characters (after trimming) and without control
/// characters: `Err` carries what is wrong. Checked before the text is copied.
pub fn text_within(cell: &str, max: usize) -> Result<Option<String>, String> {
    if let Some(wrong) = control_character_message(cell) {
        return Err(wrong);
    }
    if longer_than(cell.trim(), max) {
        return Err(format!(
            "is longer than {max} characters ('{}')",
            shown(cell)
        ));
    }
    Ok(text(cell))
}

/// A genre or subgenre of dots only ("." and "..", a placeholder for none) would name
/// a page no address reaches: browsers resolve /genres/.. to /. Such a name is none.
pub fn is_dots(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b == b'.')
}

/// The genres of a cell: a Python list literal (`['dance pop', 'pop']`) in any genre
/// column, names joined by commas when the column holds a list (`rock, pop` under
/// `Genres`), otherwise the cell as one genre (Discogs' "Folk, World, & Country" is one).
/// A genre repeated (ignoring case) counts once; at most [`MAX_GENRES_PER_TRACK`] of at
/// most [`MAX_GENRE_CHARS`] characters each.
pub fn genres(cell: &str, comma_list: bool) -> Result<Vec<String>, String> {
    if let Some(wrong) = control_character_message(cell) {
        return Err(format!("the genre {wrong}"));
    }
    let readable = without_direction_controls(cell);
    let cell = readable.trim();
    if is_missing(cell) {
        return Ok(Vec::new());
    }
    let listed: Vec<Cow<str>>;
    let names: Vec<&str> = if looks_like_python_list(cell) {
        listed = checked_python_list(cell, "the genre")?;
        listed.iter().map(|name| name.as_ref()).collect()
    } else if comma_list {
        cell.split(',').collect()
    } else {
        vec![cell]
    };
    let mut unique: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for name in names {
        let name = name.trim();
        if is_missing(name) || is_dots(name) || crate::typed_name::shows_nothing(name) {
            continue;
        }
        if longer_than(name, MAX_GENRE_CHARS) {
            return Err(format!(
                "the genre is longer than {MAX_GENRE_CHARS} characters ('{}')",
                shown(name)
            ));
        }
        if seen.insert(name.to_lowercase()) {
            if unique.len() == MAX_GENRES_PER_TRACK {
                return Err(format!("more than {MAX_GENRES_PER_TRACK} genres"));
            }
            unique.push(one_line(name));
        }
    }
    Ok(unique)
}

/// The credited artists of a cell: a Python list literal (`['A', 'B']`,
/// `["Guns N' Roses"]`), or names joined as the column says (see [`ArtistList`]).
/// A name repeated (ignoring case) counts once. At most [`MAX_ARTISTS_PER_TRACK`] names
/// of at most [`MAX_ARTIST_CHARS`] characters each; linear in the length of the cell.
pub fn artists(cell: &str, list: ArtistList) -> Result<Vec<String>, String> {
    if let Some(wrong) = control_character_message(cell) {
        return Err(format!("an artist name {wrong}"));
    }
    let readable = without_direction_controls(cell);
    let cell = readable.trim();
    if is_missing_name(cell) {
        return Ok(Vec::new());
    }
    if looks_like_python_list(cell) {
        let names = checked_python_list(cell, "an artist name")?;
        return unique_names(names.iter().map(|name| name.as_ref()));
    }
    match list {
        ArtistList::Single => unique_names(std::iter::once(cell)),
        ArtistList::Semicolons => unique_names(cell.split(';')),
        // Since July 2025 exportify.net joins names with `;` and drops `;` from them.
        ArtistList::Commas if cell.contains(';') => unique_names(cell.split(';')),
        ArtistList::Commas => unique_names(exportify_names(cell)),
        ArtistList::EscapedCommas => {
            let names = escaped_comma_names(cell);
            unique_names(names.iter().map(String::as_str))
        }
    }
}

/// Names joined by a comma and a space, a comma inside a name escaped as `\,`, as
/// exportify.app writes them: `Tyler\, The Creator, Kali Uchis` is two names.
fn escaped_comma_names(cell: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut name = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                name.push(',');
                chars.next();
            }
            ',' => names.push(std::mem::take(&mut name)),
            c => name.push(c),
        }
    }
    names.push(name);
    names
}

/// Names joined by commas, as Exportify joins them: with no space after the comma, so
/// a comma followed by a space is part of a name ("Tyler, The Creator", "Earth, Wind &
/// Fire").
fn exportify_names(cell: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let bytes = cell.as_bytes();
    let mut cuts = bytes
        .iter()
        .enumerate()
        // Not between two digits either: a thousands separator ("10,000 Maniacs" was
        // the artists "10" and "000 Maniacs"); no join puts a name that ends in a digit
        // before one that starts with one often enough to weigh against that.
        .filter(|&(i, &b)| {
            let digits_around = i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            b == b',' && bytes.get(i + 1) != Some(&b' ') && !digits_around
        })
        .map(|(i, _)| i)
        .chain(std::iter::once(cell.len()));
    std::iter::from_fn(move || {
        let end = cuts.next()?;
        let name = &cell[start..end];
        start = end + 1;
        Some(name)
    })
}

/// The names without blanks and repeats (by the same lower case the catalog uses to make
/// artists unique), within the limits.
fn unique_names<'c>(names: impl Iterator<Item = &'c str>) -> Result<Vec<String>, String> {
    let mut unique: Vec<String> = Vec::new();
    // The lower case of the names in `unique`, filled from the second name on: most
    // tracks credit one artist.
    let mut seen: HashSet<String> = HashSet::new();
    for name in names {
        let name = name.trim();
        if is_missing_name(name) {
            continue;
        }
        if longer_than(name, MAX_ARTIST_CHARS) {
            return Err(format!(
                "an artist name is longer than {MAX_ARTIST_CHARS} characters ('{}')",
                shown(name)
            ));
        }
        if let Some(first) = unique.first() {
            if seen.is_empty() {
                seen.insert(first.to_lowercase());
            }
            if !seen.insert(name.to_lowercase()) {
                continue;
            }
        }
        if unique.len() == MAX_ARTISTS_PER_TRACK {
            return Err(format!(
                "more than {MAX_ARTISTS_PER_TRACK} artists for one track"
            ));
        }
        unique.push(one_line(name));
    }
    Ok(unique)
}

/// `['A']`, `["B"]` or `[]`, but not an artist called `[ALEXANDROS]`.
fn looks_like_python_list(cell: &str) -> bool {
    let Some(inner) = cell.strip_prefix('[').and_then(|c| c.strip_suffix(']')) else {
        return false;
    };
    let inner = inner.trim();
    inner.is_empty() || inner.starts_with(['\'', '"'])
}

/// The strings of a Python list literal of strings: `['A', "B's", 'C\'d']`. An item
/// without a backslash is the cell's own text (most are: the callers copy what they
/// keep, so a copy here was one more allocation per name).
fn python_list(cell: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let bad = || format!("'{}' is not a list of names like ['A', 'B']", shown(cell));
    let inner = &cell[1..cell.len() - 1];
    let mut items = Vec::new();
    let mut chars = inner.char_indices().peekable();
    loop {
        while chars
            .next_if(|(_, c)| c.is_whitespace() || *c == ',')
            .is_some()
        {}
        let Some((start, quote)) = chars.next() else {
            break;
        };
        if quote != '\'' && quote != '"' {
            return Err(bad());
        }
        let start = start + 1;
        // Borrowed until the first backslash, then copied and unescaped.
        let mut item = Cow::Borrowed("");
        loop {
            match chars.next() {
                None => return Err(bad()),
                Some((at, '\\')) => {
                    if let Cow::Borrowed(_) = item {
                        item = Cow::Owned(inner[start..at].to_string());
                    }
                    let text = item.to_mut();
                    match chars.next() {
                        None => return Err(bad()),
                        Some((_, letter)) => match python_escape(letter, &mut chars) {
                            Escape::Char(c) => text.push(c),
                            // Python keeps an escape it does not know as written.
                            Escape::Unknown => {
                                text.push('\\');
                                text.push(letter);
                            }
                            Escape::Invalid => return Err(bad()),
                        },
                    }
                }
                Some((at, c)) if c == quote => {
                    if let Cow::Borrowed(_) = item {
                        item = Cow::Borrowed(&inner[start..at]);
                    }
                    break;
                }
                Some((_, c)) => {
                    if let Cow::Owned(text) = &mut item {
                        text.push(c);
                    }
                }
            }
        }
        items.push(item);
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => break,
            Some((_, ',')) => continue,
            Some(_) => return Err(bad()),
        }
    }
    Ok(items)
}

/// What a backslash and the letter after it stand for.
enum Escape {
    Char(char),
    /// Not an escape in Python: the backslash stays.
    Unknown,
    /// A `\x`, `\u` or `\U` without its hex digits, or naming no character.
    Invalid,
}

/// The escapes Python's `repr()` writes in a list of strings, which is how the Kaggle
/// "1.2M songs" and "600k" files give their artists: `\'`, `\\`, `\n`, `\t`, `\r`,
/// and `\xa0`, `\u200b`, `\U0001f600` for every character it deems unprintable (a
/// no-break space, a zero-width space); the rarer `\a`, `\b`, `\f`, `\v` too. A list
/// written as JSON (`["A"]`) has `\/` for `/`, and a character beyond U+FFFF as two
/// `\u` escapes, a surrogate pair, which are joined; a surrogate without its pair
/// (Python keeps one, a Rust string cannot) becomes U+FFFD. Python's octal and `\N{…}`
/// escapes, which neither writes, keep their backslash. Reads the hex digits from
/// `chars`.
fn python_escape(letter: char, chars: &mut ListChars<'_>) -> Escape {
    let digits = match letter {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        'n' => return Escape::Char('\n'),
        't' => return Escape::Char('\t'),
        'r' => return Escape::Char('\r'),
        'a' => return Escape::Char('\u{7}'),
        'b' => return Escape::Char('\u{8}'),
        'f' => return Escape::Char('\u{c}'),
        'v' => return Escape::Char('\u{b}'),
        '\\' | '\'' | '"' => return Escape::Char(letter),
        '/' => return Escape::Char('/'),
        _ => return Escape::Unknown,
    };
    let Some(code) = hex_digits(chars, digits) else {
        return Escape::Invalid;
    };
    if (0xD800..0xDC00).contains(&code) {
        // A high surrogate: joined with the low one that should follow.
        let mut ahead = chars.clone();
        let low = match (ahead.next(), ahead.next()) {
            (Some((_, '\\')), Some((_, 'u'))) => hex_digits(&mut ahead, 4),
            _ => None,
        };
        if let Some(low @ 0xDC00..0xE000) = low {
            *chars = ahead;
            let joined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(joined).map_or(Escape::Invalid, Escape::Char);
        }
    }
    if (0xD800..0xE000).contains(&code) {
        return Escape::Char(char::REPLACEMENT_CHARACTER);
    }
    char::from_u32(code).map_or(Escape::Invalid, Escape::Char)
}

/// The characters of a list cell, as `python_list` walks them.
type ListChars<'c> = std::iter::Peekable<std::str::CharIndices<'c>>;

/// The number that `count` hex digits from `chars` write, or `None` if they do not.
fn hex_digits(chars: &mut ListChars<'_>, count: usize) -> Option<u32> {
    let mut code = 0u32;
    for _ in 0..count {
        code = code * 16 + chars.next().and_then(|(_, c)| c.to_digit(16))?;
    }
    Some(code)
}

/// `python_list`, each item whose escapes were decoded held to the rules the raw cell
/// was: a control character (`\x00`, `\x1b`, which `repr()` writes as escapes, so the
/// cell's own check never sees them) makes the row bad, with `what` naming the item,
/// and the characters that override direction (`\u202e`) are left out.
fn checked_python_list<'c>(cell: &'c str, what: &str) -> Result<Vec<Cow<'c, str>>, String> {
    let mut items = python_list(cell)?;
    for item in &mut items {
        if let Cow::Owned(text) = item {
            if let Some(wrong) = control_character_message(text) {
                return Err(format!("{what} {wrong}"));
            }
            let readable = match without_direction_controls(text) {
                Cow::Owned(readable) => Some(readable),
                Cow::Borrowed(_) => None,
            };
            if let Some(readable) = readable {
                *text = readable;
            }
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_are_left_out_of_names() {
        assert_eq!(text("\u{202E}gnp.exe").as_deref(), Some("gnp.exe"));
        assert_eq!(text(" \u{2067}a\u{2069} b\u{202C}").as_deref(), Some("a b"));
        // Right-to-left scripts, and the marks that do not override, stay.
        assert_eq!(text("فيروز\u{200F}").as_deref(), Some("فيروز\u{200F}"));
        assert_eq!(text("\u{202E}"), None);
        assert_eq!(
            artists(
                "['\u{202E}gnp.exe', 'gnp.exe', '\u{2066}']",
                ArtistList::Single
            ),
            Ok(vec!["gnp.exe".to_string()])
        );
        assert_eq!(genres("\u{202E}pop", false), Ok(vec!["pop".to_string()]));
    }

    #[test]
    fn names_that_show_nothing_are_missing() {
        assert_eq!(text("\u{200B}"), None);
        assert_eq!(text(" \u{FEFF} "), None);
        assert_eq!(text("\u{3164}"), None);
        assert_eq!(text("\u{200B}Intro").as_deref(), Some("\u{200B}Intro"));
        assert_eq!(
            artists("['\u{FEFF}', 'Real']", ArtistList::Single),
            Ok(vec!["Real".to_string()])
        );
        assert_eq!(artists("\u{FEFF}", ArtistList::Single), Ok(Vec::new()));
        assert_eq!(genres("\u{200B}, rock", true), Ok(vec!["rock".to_string()]));
    }

    #[test]
    fn numbers_accept_scientific_notation_and_missing_markers() {
        assert_eq!(number("1.11e-6"), Ok(Some(1.11e-6)));
        assert_eq!(number(" 0.5 "), Ok(Some(0.5)));
        assert_eq!(number("-2.634"), Ok(Some(-2.634)));
        assert_eq!(number("NA"), Ok(None));
        assert_eq!(number(""), Ok(None));
        assert!(number("NaN").unwrap().unwrap().is_nan());
        assert!(number("abc").unwrap_err().contains("not a number"));
        assert!(number("inf").is_err());
        assert_eq!(number("\u{2212}5.2"), Ok(Some(-5.2)));
        assert!(number("\u{2212}-5.2").is_err());
    }

    /// Names are missing only when empty or R's `NA`: a song called "N/A" and a band
    /// called "Null" keep their names, where a number or a genre so spelt is missing.
    #[test]
    fn names_keep_spellings_that_mean_missing_elsewhere() {
        assert_eq!(text("NA"), None);
        assert_eq!(text("  "), None);
        assert_eq!(text("N/A").as_deref(), Some("N/A"));
        assert_eq!(text("null").as_deref(), Some("null"));
        assert_eq!(
            artists("Null;NA;na", ArtistList::Semicolons),
            Ok(vec!["Null".to_string(), "na".to_string()])
        );
        assert_eq!(artists("NA", ArtistList::Single), Ok(vec![]));
        assert_eq!(number("null"), Ok(None));
        assert!(is_missing("N/A"));
    }

    #[test]
    fn integers_accept_float_spelling_of_whole_numbers() {
        assert_eq!(integer("66"), Ok(Some(66)));
        assert_eq!(integer("66.0"), Ok(Some(66)));
        assert_eq!(integer("nan"), Ok(None));
        assert!(integer("66.5").is_err());
        assert!(integer_in("101", 0, 100).unwrap_err().contains("outside"));
    }

    #[test]
    fn release_years_from_three_date_shapes() {
        assert_eq!(release_year("2019-06-14"), Ok(Some(2019)));
        assert_eq!(release_year("2019-06"), Ok(Some(2019)));
        assert_eq!(release_year("1999"), Ok(Some(1999)));
        assert_eq!(release_year("2019-06-14T00:00:00Z"), Ok(Some(2019)));
        assert_eq!(release_year("0000"), Ok(None));
        assert_eq!(release_year("1860"), Ok(Some(1860)));
        for implausible in ["0001-01-01", "1850", "2999-01"] {
            let said = release_year(implausible).expect_err(implausible);
            assert!(said.contains("recordings date from 1860"), "{said}");
        }
        assert_eq!(release_year("NA"), Ok(None));
        assert!(release_year("2019-13-01").is_err());
        assert!(release_year("June 2019").is_err());
        assert!(release_year("19").is_err());
        assert!(release_year("2019-06-14-01").is_err());
    }

    /// A file opened in a spreadsheet and saved again has its dates in the locale's
    /// form: read as the date where its order can be told, as the year where not.
    #[test]
    fn spreadsheet_dates_are_read() {
        for (cell, read) in [
            ("14.06.2019", "2019-06-14"),
            ("1.2.1999", "1999-02-01"),
            ("6/14/2019", "2019-06-14"),
            ("14/06/2019", "2019-06-14"),
            ("6/14/2019 0:00", "2019-06-14"),
            ("2019/06/14", "2019-06-14"),
            ("6/14/19", "2019-06-14"),
            ("12/25/85", "1985-12-25"),
            // Day and month both 12 or less: which is which, the file does not say.
            ("6/7/2019", "2019"),
        ] {
            assert_eq!(
                release(cell),
                Ok(Some((read[..4].parse().expect("year"), read.to_string()))),
                "{cell}"
            );
        }
        for bad in [
            "13/13/2019",
            "31.02.2019",
            "1/2/3/2019",
            "6//2019",
            "1.2.019",
            "a/b/2019",
        ] {
            let said = release(bad).expect_err(bad);
            assert!(
                said.contains("6/14/2019") || said.contains("days"),
                "{bad}: {said}"
            );
        }
    }

    #[test]
    fn keys_from_numbers_and_note_names() {
        assert_eq!(musical_key("6"), Ok(Some(6)));
        assert_eq!(musical_key("-1"), Ok(None));
        assert_eq!(musical_key("C"), Ok(Some(0)));
        assert_eq!(musical_key("C#"), Ok(Some(1)));
        assert_eq!(musical_key("Db"), Ok(Some(1)));
        assert_eq!(musical_key("B"), Ok(Some(11)));
        assert_eq!(musical_key("Cb"), Ok(Some(11)));
        assert_eq!(musical_key("F♯"), Ok(Some(6)));
        assert!(musical_key("12").is_err());
        assert!(musical_key("H").is_err());
        assert!(musical_key("C#m").is_err());
    }

    #[test]
    fn modes_time_signatures_and_booleans() {
        assert_eq!(mode("Major"), Ok(Some(1)));
        assert_eq!(mode("minor"), Ok(Some(0)));
        assert_eq!(mode("1"), Ok(Some(1)));
        assert!(mode("2").is_err());
        assert_eq!(time_signature("4/4"), Ok(Some(4)));
        assert_eq!(time_signature("3"), Ok(Some(3)));
        assert_eq!(time_signature("0"), Ok(None));
        assert!(time_signature("four").is_err());
        assert_eq!(boolean("True"), Ok(Some(true)));
        assert_eq!(boolean("false"), Ok(Some(false)));
        assert_eq!(boolean("1"), Ok(Some(true)));
        assert_eq!(boolean("0"), Ok(Some(false)));
        assert_eq!(boolean(" YES "), Ok(Some(true)));
        assert_eq!(boolean("No"), Ok(Some(false)));
        assert_eq!(boolean("0.0"), Ok(Some(false)));
        assert!(boolean("maybe").is_err());
        assert!(boolean("truee").is_err());
    }

    #[test]
    fn durations_in_ms_seconds_and_minutes() {
        assert_eq!(
            duration_ms("194754", DurationUnit::Millis),
            Ok(Some(194754))
        );
        assert_eq!(
            duration_ms("194.754", DurationUnit::Seconds),
            Ok(Some(194754))
        );
        assert_eq!(duration_ms("3:15", DurationUnit::Millis), Ok(Some(195000)));
        assert_eq!(duration_ms("3.25", DurationUnit::Minutes), Ok(Some(195000)));
        // A bare `duration` column: milliseconds, unless that makes no sense.
        assert_eq!(
            duration_ms("194754", DurationUnit::Unstated),
            Ok(Some(194754))
        );
        assert_eq!(
            duration_ms("3:15", DurationUnit::Unstated),
            Ok(Some(195000))
        );
        let seconds = duration_ms("195", DurationUnit::Unstated).unwrap_err();
        assert!(seconds.contains("“duration (s)”"), "{seconds}");
        assert!(duration_ms("-5", DurationUnit::Millis).is_err());
        // Under a second, whatever the unit: no track is that short.
        let zero = duration_ms("0", DurationUnit::Millis).unwrap_err();
        assert!(zero.contains("leave the cell empty"), "{zero}");
        let thousands = duration_ms("194.754", DurationUnit::Millis).unwrap_err();
        assert!(thousands.contains("may separate thousands"), "{thousands}");
        assert!(duration_ms("0.5", DurationUnit::Seconds).is_err());
        assert!(duration_ms("0:00", DurationUnit::Millis).is_err());
        assert_eq!(duration_ms("1000", DurationUnit::Millis), Ok(Some(1000)));
        assert!(duration_ms("3:75", DurationUnit::Millis).is_err());
    }

    #[test]
    fn album_ids_and_release_dates_as_the_file_gives_them() {
        assert_eq!(
            album_id("spotify:album:0UywfDKYlyiu1b38DRrzYD"),
            Ok(Some("0UywfDKYlyiu1b38DRrzYD".into()))
        );
        assert_eq!(
            album_id("https://open.spotify.com/album/0UywfDKYlyiu1b38DRrzYD?si=1"),
            Ok(Some("0UywfDKYlyiu1b38DRrzYD".into()))
        );
        assert_eq!(album_id(" NA "), Ok(None));
        assert!(album_id("spotify:track:0UywfDKYlyiu1b38DRrzYD").is_err());
        assert_eq!(release("2019-10-17"), Ok(Some((2019, "2019-10-17".into()))));
        assert_eq!(
            release("2019-6-4T00:00"),
            Ok(Some((2019, "2019-06-04".into())))
        );
        assert_eq!(release("1999-12"), Ok(Some((1999, "1999-12".into()))));
        assert_eq!(release("1999"), Ok(Some((1999, "1999".into()))));
        assert_eq!(release("0000"), Ok(None));
        assert!(release("2019-13-01").is_err());
        // Each month's own length, leap years counted.
        assert_eq!(
            release("2019-02-30"),
            Err("'2019-02-30' is not a date: month 2 of 2019 has 28 days".into())
        );
        assert!(release("2019-04-31").is_err());
        assert!(release("1900-02-29").is_err());
        assert_eq!(release("2000-02-29"), Ok(Some((2000, "2000-02-29".into()))));
        assert_eq!(release("2020-2-29"), Ok(Some((2020, "2020-02-29".into()))));
        assert!(release("2019-12-31").is_ok());
        assert!(release("2019-1x").is_err());
    }

    #[test]
    fn track_ids_from_ids_uris_and_links() {
        assert_eq!(
            track_id("6f807x0ima9a1j3VPbc7VN"),
            Ok(Some("6f807x0ima9a1j3VPbc7VN".into()))
        );
        assert_eq!(
            track_id("spotify:track:6f807x0ima9a1j3VPbc7VN"),
            Ok(Some("6f807x0ima9a1j3VPbc7VN".into()))
        );
        assert_eq!(
            track_id("https://open.spotify.com/track/6f807x0ima9a1j3VPbc7VN?si=x"),
            Ok(Some("6f807x0ima9a1j3VPbc7VN".into()))
        );
        assert_eq!(track_id(""), Ok(None));
        assert!(track_id("not an id").is_err());
    }

    #[test]
    fn genres_from_lists_and_commas() {
        assert_eq!(genres("pop", false), Ok(vec!["pop".to_string()]));
        assert_eq!(genres(" NA ", false), Ok(vec![]));
        assert_eq!(
            genres("rock, pop", false),
            Ok(vec!["rock, pop".to_string()])
        );
        assert_eq!(
            genres("rock, pop,ROCK,", true),
            Ok(vec!["rock".to_string(), "pop".to_string()])
        );
        assert_eq!(
            genres("['dance pop', 'pop']", false),
            Ok(vec!["dance pop".to_string(), "pop".to_string()])
        );
        assert_eq!(genres("[]", true), Ok(vec![]));
        assert_eq!(genres("..", false), Ok(vec![]));
        assert_eq!(genres(".,pop", true), Ok(vec!["pop".to_string()]));
        assert_eq!(genres("r&b.", false), Ok(vec!["r&b.".to_string()]));
        assert!(genres(&"g".repeat(MAX_GENRE_CHARS + 1), false)
            .unwrap_err()
            .starts_with("the genre is longer than"));
        let many = (0..=MAX_GENRES_PER_TRACK)
            .map(|i| format!("g{i}"))
            .collect::<Vec<_>>();
        assert!(genres(&many.join(","), true).is_err());
    }

    #[test]
    fn artists_from_lists_semicolons_and_commas() {
        let single = ArtistList::Single;
        assert_eq!(
            artists("Ed Sheeran", single),
            Ok(vec!["Ed Sheeran".to_string()])
        );
        assert_eq!(
            artists("Tyler, The Creator", single),
            Ok(vec!["Tyler, The Creator".to_string()])
        );
        assert_eq!(
            artists("Khea;Omar Varela", single),
            Ok(vec!["Khea;Omar Varela".to_string()])
        );
        assert_eq!(
            artists("[ALEXANDROS]", single),
            Ok(vec!["[ALEXANDROS]".to_string()])
        );
        let commas = ArtistList::Commas;
        assert_eq!(
            artists("Ed Sheeran,Justin Bieber", commas),
            Ok(vec!["Ed Sheeran".into(), "Justin Bieber".into()])
        );
        assert_eq!(
            artists("Tyler, The Creator,Kali Uchis", commas),
            Ok(vec!["Tyler, The Creator".into(), "Kali Uchis".into()])
        );
        assert_eq!(artists("A,", commas), Ok(vec!["A".into()]));
        // exportify.net since July 2025: `;` between names.
        assert_eq!(
            artists("Justin Bieber;Daniel Caesar;Giveon", commas),
            Ok(vec![
                "Justin Bieber".into(),
                "Daniel Caesar".into(),
                "Giveon".into()
            ])
        );
        // exportify.app: ", " between names, `\,` inside one.
        let escaped = ArtistList::EscapedCommas;
        assert_eq!(
            artists(r"Tyler\, The Creator, Kali Uchis", escaped),
            Ok(vec!["Tyler, The Creator".into(), "Kali Uchis".into()])
        );
        assert_eq!(
            artists("Justin Bieber, Daniel Caesar, Giveon", escaped),
            Ok(vec![
                "Justin Bieber".into(),
                "Daniel Caesar".into(),
                "Giveon".into()
            ])
        );
        assert_eq!(artists(r"AC\DC", escaped), Ok(vec![r"AC\DC".into()]));
        let semicolons = ArtistList::Semicolons;
        assert_eq!(
            artists("A;B; C", semicolons),
            Ok(vec!["A".into(), "B".into(), "C".into()])
        );
        assert_eq!(artists("A;a", semicolons), Ok(vec!["A".into()]));
        assert_eq!(
            artists("['A', 'B']", single),
            Ok(vec!["A".into(), "B".into()])
        );
        assert_eq!(
            artists(r#"["Guns N' Roses"]"#, single),
            Ok(vec!["Guns N' Roses".into()])
        );
        assert_eq!(
            artists(r"['Tyler, The Creator', 'A\'s']", single),
            Ok(vec!["Tyler, The Creator".into(), "A's".into()])
        );
        assert_eq!(artists("[]", single), Ok(vec![]));
        assert!(artists("['unterminated]", single).is_err());
        assert!(artists("['A' 'B']", single).is_err());
        assert_eq!(
            artists("Daft Punk,Pharrell Williams", ArtistList::Commas),
            Ok(vec!["Daft Punk".into(), "Pharrell Williams".into()])
        );
        // A thousands separator is not a join, alone or beside one.
        assert_eq!(
            artists("10,000 Maniacs", ArtistList::Commas),
            Ok(vec!["10,000 Maniacs".into()])
        );
        assert_eq!(
            artists("Natalie Merchant,10,000 Maniacs", ArtistList::Commas),
            Ok(vec!["Natalie Merchant".into(), "10,000 Maniacs".into()])
        );
        assert_eq!(artists("NA", single), Ok(vec![]));
    }

    #[test]
    fn artists_are_capped_in_number_and_length() {
        let names = |n: usize| (0..n).map(|i| format!("Artist {i}")).collect::<Vec<_>>();
        let hundred = names(MAX_ARTISTS_PER_TRACK).join(";");
        assert_eq!(
            artists(&hundred, ArtistList::Semicolons).map(|a| a.len()),
            Ok(MAX_ARTISTS_PER_TRACK)
        );
        // 40,000 names: refused after the 101st, without comparing every pair.
        let many = names(40_000).join(";");
        assert_eq!(
            artists(&many, ArtistList::Semicolons),
            Err("more than 100 artists for one track".to_string())
        );
        // Repeats do not count towards the limit.
        let repeated = vec!["Same"; 10_000].join(";");
        assert_eq!(
            artists(&repeated, ArtistList::Semicolons),
            Ok(vec!["Same".to_string()])
        );
        let long = "x".repeat(MAX_ARTIST_CHARS + 1);
        let error = artists(&long, ArtistList::Single).unwrap_err();
        assert!(
            error.starts_with("an artist name is longer than 500 characters ('xxxx"),
            "{error}"
        );
        assert!(error.len() < 120, "{error}");
        assert_eq!(
            artists(&"é".repeat(MAX_ARTIST_CHARS), ArtistList::Single).map(|a| a.len()),
            Ok(1),
            "characters, not bytes"
        );
    }

    #[test]
    fn control_characters_are_refused_and_line_breaks_become_spaces() {
        let wrong = text_within("Ed\0Sheeran", 100).unwrap_err();
        assert!(wrong.contains("control character (U+0000)"), "{wrong}");
        assert!(text_within("a\u{1b}[31m", 100).is_err());
        assert!(text_within("C1 \u{85} here", 100).is_err());
        let wrong = artists("Ed\0Sheeran", ArtistList::Single).unwrap_err();
        assert!(wrong.starts_with("an artist name holds"), "{wrong}");
        assert!(genres("po\u{7f}p", false)
            .unwrap_err()
            .starts_with("the genre holds"));
        // Letters beside the C1 block (U+00A0 to U+00BF share its first byte) are text.
        assert_eq!(
            text_within("Caf\u{e9} \u{b0}\u{a9}", 100)
                .unwrap()
                .as_deref(),
            Some("Caf\u{e9} \u{b0}\u{a9}")
        );
        assert_eq!(
            text_within(" Two\r\n lines\tand a tab ", 100)
                .unwrap()
                .as_deref(),
            Some("Two lines and a tab")
        );
        assert_eq!(
            artists("['A\\nB', 'C']", ArtistList::Single).unwrap(),
            vec!["A B".to_string(), "C".to_string()]
        );
        assert_eq!(genres("rock,\tpop", true).unwrap(), vec!["rock", "pop"]);
    }

    #[test]
    fn python_lists_borrow_plain_items_and_unescape_the_others() {
        let items = python_list(r#"['Plain', 'It\'s', "Back\\slash", 'é ü', '']"#).unwrap();
        assert_eq!(items, vec!["Plain", "It's", "Back\\slash", "é ü", ""]);
        assert!(matches!(items[0], Cow::Borrowed(_)));
        assert!(matches!(items[1], Cow::Owned(_)));
        assert!(matches!(items[3], Cow::Borrowed(_)));
        assert_eq!(python_list("[]").unwrap(), Vec::<Cow<str>>::new());
        assert!(python_list("['open").is_err());
        assert!(python_list(r"['trailing\").is_err());
    }

    /// Python's `repr()` of a list writes unprintable characters as escapes: the Kaggle
    /// files hold `['Kenny\xa0G']`, which had been stored as "Kennyxa0G".
    #[test]
    fn python_lists_decode_the_escapes_repr_writes() {
        let items = python_list(
            r#"['Kenny\xa0G', 'Zero\u200bWidth', 'Ideo\u3000Space', 'Smile\U0001f600', 'a\rb', "It's \"q\""]"#,
        )
        .unwrap();
        assert_eq!(
            items,
            vec![
                "Kenny\u{a0}G",
                "Zero\u{200b}Width",
                "Ideo\u{3000}Space",
                "Smile\u{1f600}",
                "a\rb",
                "It's \"q\"",
            ]
        );
        // An escape Python does not know keeps its backslash, as in Python.
        assert_eq!(python_list(r"['C:\q']").unwrap(), vec![r"C:\q"]);
        for bad in [r"['\xZ1']", r"['\u12']", r"['\U00110000']"] {
            assert!(python_list(bad).is_err(), "{bad}");
        }
        // Written as JSON: a surrogate pair for a character beyond U+FFFF, `\/`.
        assert_eq!(
            python_list(r#"["Smile \ud83d\ude00", "AC\/DC", "lone \ud800", "\udc00"]"#).unwrap(),
            vec!["Smile \u{1f600}", "AC/DC", "lone \u{fffd}", "\u{fffd}"]
        );
    }

    /// What an escape decodes to meets the rules the cell's own characters do: `repr()`
    /// writes a NUL or an ESC as `\x00`, `\x1b`, which had reached the catalog.
    #[test]
    fn decoded_list_items_are_checked_like_raw_cells() {
        let artists = |cell| artists(cell, ArtistList::Single);
        for cell in [r"['Kenny\x00G']", r"['Red\x1b[31mX']", r"['C\x85One']"] {
            let error = artists(cell).unwrap_err();
            assert!(
                error.starts_with("an artist name holds a control character"),
                "{error}"
            );
        }
        assert_eq!(
            artists(r"['Evil\u202eNAME']"),
            Ok(vec!["EvilNAME".to_string()])
        );
        let error = genres(r"['pop\x07']", false).unwrap_err();
        assert!(
            error.starts_with("the genre holds a control character"),
            "{error}"
        );
        assert_eq!(genres(r"['r\u2066b']", false), Ok(vec!["rb".to_string()]));
    }

    #[test]
    fn messages_quote_at_most_forty_characters() {
        let huge = "9".repeat(1_000_000) + "x";
        let error = number(&huge).unwrap_err();
        assert_eq!(error, format!("'{}…' is not a number", "9".repeat(40)));
        assert_eq!(shown("  short  "), "short");
        assert_eq!(shown(&"é".repeat(50)), format!("{}…", "é".repeat(40)));
        assert!(text_within(&"t".repeat(1001), 1000).is_err());
        assert_eq!(
            text_within(&format!("  {}  ", "t".repeat(1000)), 1000),
            Ok(Some("t".repeat(1000)))
        );
        assert_eq!(text_within("NA", 10), Ok(None));
    }

    #[test]
    fn messages_quote_control_characters_as_escapes() {
        assert_eq!(shown("\u{1b}[2Jgone"), "\\u{1b}[2Jgone");
        assert_eq!(shown("a\tb\u{7}"), "a\\tb\\u{7}");
        let error = number("1\u{1b}]0;title\u{7}").unwrap_err();
        assert!(!error.chars().any(char::is_control), "{error:?}");
        // Forty characters are counted before escaping.
        assert_eq!(
            shown(&"\u{1}".repeat(41)),
            format!("{}…", "\\u{1}".repeat(40))
        );
    }
}
