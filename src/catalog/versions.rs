//! "One version per song": when two tracks are the same song.
//!
//! The rule: two tracks are versions of one song when they are credited to the same
//! set of artists and their titles are equal once normalised:
//! 1. credits such as "(feat. X)", "(with X)", "(ft. X)" are removed wherever they are;
//! 2. trailing version markers are removed, repeatedly: a " - …" tail or a "(…)"/"[…]"
//!    group whose text says remaster, live (also "ao vivo", "en vivo", "unplugged",
//!    "recorded at …"), deluxe/expanded/anniversary edition, radio/single/album
//!    version or edit, original mix/version, mono/stereo, explicit/clean, bonus track,
//!    or a year followed by "version"/"mix"/"edition";
//! 3. case, accents' case, punctuation and spacing are ignored.
//!
//! Remixes, acoustic versions, extended and club mixes, other-language versions and
//! "Pt. 2" stay songs of their own: they are different recordings a listener or a DJ
//! chooses on purpose. No HTTP and no SQL here; `TrackFacts` applies it to a catalog.

use std::{borrow::Cow, collections::HashMap};

/// Words that, in a tail or bracket, mark a version of the same recording.
const MARKERS_ANYWHERE: [&str; 9] = [
    "remaster",
    "deluxe",
    "ao vivo",
    "en vivo",
    "unplugged",
    "recorded at",
    "anniversary edition",
    "expanded edition",
    "bonus track",
];

/// Tails and brackets that are a version marker when they are exactly this (after
/// years are removed).
const MARKERS_EXACT: [&str; 22] = [
    "live",
    "radio edit",
    "single version",
    "single edit",
    "single",
    "album version",
    "original album version",
    "explicit album version",
    "original mix",
    "original version",
    "original",
    "edit",
    "mono",
    "stereo",
    "mono version",
    "stereo version",
    "explicit",
    "clean",
    "explicit version",
    "clean version",
    "radio version",
    "version",
];

/// Credit tails that are not part of a song's title.
const CREDITS: [&str; 5] = ["feat.", "feat ", "ft.", "featuring ", "with "];

fn is_version_marker(text: &str) -> bool {
    let text = text.trim();
    if text.starts_with("live ") || text.starts_with("live,") {
        return true;
    }
    if MARKERS_ANYWHERE.iter().any(|m| text.contains(m)) {
        return true;
    }
    // "2011 version", "1999 mix": a year and a word; the bare word checks below.
    let without_years: String = text
        .split_whitespace()
        .filter(|w| !(w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())))
        .collect::<Vec<_>>()
        .join(" ");
    if without_years != text
        && matches!(
            without_years.as_str(),
            "version" | "mix" | "edition" | "edit" | "live"
        )
    {
        return true;
    }
    MARKERS_EXACT.contains(&without_years.as_str())
}

/// Removes "(feat. X)"-style brackets anywhere in a lowercased title (most titles have
/// no bracket and are returned as they are, without a copy).
fn without_credits(title: &str) -> Cow<'_, str> {
    if !title.contains(['(', '[']) {
        return Cow::Borrowed(title);
    }
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find(['(', '[']) {
        let close_char = if rest[open..].starts_with('(') {
            ')'
        } else {
            ']'
        };
        let Some(close) = rest[open..].find(close_char).map(|c| c + open) else {
            break;
        };
        let inside = rest[open + 1..close].trim_start();
        out.push_str(&rest[..open]);
        if !CREDITS.iter().any(|c| inside.starts_with(c)) {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Removes one trailing version marker, if there is one.
fn strip_one_marker(title: &str) -> Option<&str> {
    let t = title.trim_end();
    if let Some(last) = t.chars().last().filter(|c| *c == ')' || *c == ']') {
        let open_char = if last == ')' { '(' } else { '[' };
        if let Some(open) = t.rfind(open_char) {
            let inside = &t[open + 1..t.len() - 1];
            if is_version_marker(inside) {
                return Some(&t[..open]);
            }
        }
    }
    if let Some(dash) = t.rfind(" - ") {
        if is_version_marker(&t[dash + 3..]) {
            return Some(&t[..dash]);
        }
    }
    None
}

/// The title as the rule compares it: "Yesterday - Remastered 2009" and "yesterday"
/// both give "yesterday". (Run on every track of the catalog once per version, so it
/// allocates only the lower-case copy and the result.)
pub fn song_title(title: &str) -> String {
    let lower = title.to_lowercase();
    let lower = without_credits(&lower);
    let mut t: &str = &lower;
    while let Some(shorter) = strip_one_marker(t) {
        if shorter.trim().is_empty() {
            break;
        }
        t = shorter;
    }
    let is_apostrophe = |c: char| c == '\'' || c == '’';
    let mut out = String::with_capacity(t.len());
    // Words are split at anything but letters, digits and apostrophes; apostrophes are
    // then dropped ("don't" and "don’t" give "dont"), and a word of apostrophes only
    // counts as no word.
    for word in t.split(|c: char| !c.is_alphanumeric() && !is_apostrophe(c)) {
        if word.chars().all(is_apostrophe) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !is_apostrophe(*c)));
    }
    if out.is_empty() {
        // A title of punctuation only: compare it as it is.
        title.trim().to_lowercase()
    } else {
        out
    }
}

/// What makes two tracks one song: the normalised title and the set of artists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SongKey {
    pub title: String,
    /// Credited artist ids, sorted, without repeats.
    pub artists: Vec<i32>,
}

impl SongKey {
    pub fn new(title: &str, artists: &[i32]) -> SongKey {
        let mut artists = artists.to_vec();
        artists.sort_unstable();
        artists.dedup();
        SongKey {
            title: song_title(title),
            artists,
        }
    }
}

/// Numbers the songs: every track gets the number of its song, in order of first
/// appearance, so tracks with the same number are versions of one song.
pub fn group_songs(tracks: impl IntoIterator<Item = SongKey>) -> Vec<u32> {
    let mut numbers = SongNumbers::default();
    tracks.into_iter().map(|key| numbers.number(&key)).collect()
}

/// Song numbers by key, in order of first appearance. A key is kept as a 128-bit
/// fingerprint (two SipHashes under different fixed keys), not as its title and artists:
/// a million songs then take about 40 MB while numbering instead of several hundred,
/// and two different songs share a fingerprint with odds of about 1 in 10^26.
#[derive(Debug, Default)]
pub struct SongNumbers {
    numbers: HashMap<u128, u32>,
}

impl SongNumbers {
    pub fn number(&mut self, key: &SongKey) -> u32 {
        let next = self.numbers.len() as u32;
        *self.numbers.entry(fingerprint(key)).or_insert(next)
    }

    /// How many songs have been numbered.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }
}

/// The key's 128-bit fingerprint (see `SongNumbers`).
pub fn fingerprint(key: &SongKey) -> u128 {
    fingerprint_of(&key.title, &key.artists)
}

/// The fingerprint of the song a track with this title and these credited artists is
/// a version of: `fingerprint(&SongKey::new(title, artists))` without building the key
/// (no copy of the artists for up to eight of them).
pub fn fingerprint_of_track(title: &str, artists: &[i32]) -> u128 {
    let title = song_title(title);
    let mut few = [0i32; 8];
    let mut many = Vec::new();
    let sorted: &mut [i32] = if artists.len() <= few.len() {
        few[..artists.len()].copy_from_slice(artists);
        &mut few[..artists.len()]
    } else {
        many.extend_from_slice(artists);
        &mut many
    };
    sorted.sort_unstable();
    let mut kept = 0;
    for i in 0..sorted.len() {
        if i == 0 || sorted[i] != sorted[kept - 1] {
            sorted[kept] = sorted[i];
            kept += 1;
        }
    }
    fingerprint_of(&title, &sorted[..kept])
}

/// Hashes what `SongKey`'s derived `Hash` does (the title, then the artists as a
/// slice), so both ways give the same fingerprint.
fn fingerprint_of(title: &str, artists: &[i32]) -> u128 {
    use std::hash::{Hash, Hasher};
    // `SipHasher13` with fixed keys is what `DefaultHasher::new()` is: stable within a
    // process, which is all a per-version table needs.
    let half = |salt: u64| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut hasher);
        title.hash(&mut hasher);
        artists.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0x5EED_0001)) << 64) | u128::from(half(0x5EED_0002))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_suffixes_are_removed() {
        for (title, expected) in [
            ("Yesterday", "yesterday"),
            ("Yesterday - Remastered 2009", "yesterday"),
            ("Yesterday - 2009 Remaster", "yesterday"),
            ("Yesterday (Remastered 2015)", "yesterday"),
            ("Yesterday - Live", "yesterday"),
            ("Yesterday - Live at the BBC", "yesterday"),
            ("Yesterday (Deluxe Edition)", "yesterday"),
            ("Yesterday - Radio Edit", "yesterday"),
            ("Yesterday - Single Version", "yesterday"),
            ("Yesterday - 2011 Version", "yesterday"),
            ("Yesterday - Original Mix", "yesterday"),
            ("Yesterday [Remastered] - Live", "yesterday"),
            ("Yesterday - Ao Vivo", "yesterday"),
            ("Yesterday - Remasterizado 2008", "yesterday"),
            ("Yesterday (feat. Drake)", "yesterday"),
            ("Yesterday (with Justin Bieber) - Radio Edit", "yesterday"),
            ("YESTERDAY!", "yesterday"),
            ("Don't Stop Me Now - Remastered", "dont stop me now"),
            ("Don’t Stop Me Now", "dont stop me now"),
        ] {
            assert_eq!(song_title(title), expected, "{title}");
        }
    }

    #[test]
    fn other_recordings_stay_songs_of_their_own() {
        for title in [
            "Yesterday - Kygo Remix",
            "Yesterday (Remix)",
            "Yesterday - Acoustic",
            "Yesterday - Acoustic Version",
            "Yesterday - Extended Mix",
            "Yesterday - Spanish Version",
            "Yesterday, Pt. 2",
            "Yesterday - Pt. 2",
            "Live Forever",
        ] {
            assert_ne!(song_title(title), "yesterday", "{title}");
        }
        assert_eq!(song_title("Live Forever"), "live forever");
        assert_eq!(song_title("Live"), "live", "a title that is only a marker");
        assert_eq!(song_title("(Live)"), "live");
        assert_eq!(song_title("?!"), "?!");
        assert_eq!(song_title("Remix (Live"), "remix live", "unclosed bracket");
        assert_eq!(
            song_title("Rock ' n ’ Roll"),
            "rock n roll",
            "apostrophes alone"
        );
    }

    #[test]
    fn same_song_needs_the_same_artists() {
        let a = SongKey::new("Halo - Live", &[2, 1]);
        let b = SongKey::new("Halo (Remastered 2015)", &[1, 2, 2]);
        let c = SongKey::new("Halo", &[1]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(group_songs([a.clone(), c, b]), vec![0, 1, 0]);
        assert_eq!(
            fingerprint_of_track("Halo - Live", &[2, 1, 2]),
            fingerprint(&a)
        );
        let crowd: Vec<i32> = (0..12).rev().chain([3]).collect();
        assert_eq!(
            fingerprint_of_track("Halo", &crowd),
            fingerprint(&SongKey::new("Halo", &crowd)),
            "more artists than the stack copy holds"
        );
        assert_ne!(fingerprint_of_track("Halo", &[1]), fingerprint(&a));
    }
}
