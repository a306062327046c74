//! The in-memory artist search index, built once per catalog version.
//!
//! Suggestions must stay well under 5 ms at 100,000 artists, so nothing here touches the
//! database and nothing scans more than it must:
//! - artists are kept sorted by search key, so every key starting with the query sits in
//!   one contiguous range found by binary search;
//! - prefix matches outrank every other match, so when the prefix range alone fills the
//!   list the substring pass is skipped;
//! - matches at a later word ("beatles" in "the beatles") come from a sorted array of
//!   word starts, again by binary search;
//! - matches inside words rank by track count alone, so frequent pieces ("a", "en") are
//!   found by walking artists in that order and stopping at the last one needed; rare
//!   pieces by one SIMD substring search (memchr's memmem) over a single string holding
//!   every key (separated by NUL), each key classified once at its first hit;
//! - ranking keeps only the best `limit` candidates in a small heap while scanning, over
//!   a compact array of track counts, so a query matching most of the catalog stays cheap;
//! - "did you mean" computes edit distances only for names sharing enough character
//!   pairs (bigrams) with the query, found through an inverted index of bigrams.

mod bigrams;
mod build;
mod columns;
mod records;
mod stored;
mod topk;

pub use records::{ArtistRecord, ArtistRecords};

use std::{cmp::Reverse, fmt};

use memchr::memmem;
use rustc_hash::FxHashSet;

use self::{
    bigrams::{distinct_bigrams, BigramPostings},
    build::{ById, Lookups, NameKeys, TextSearch, SEPARATOR},
    columns::Artists,
    topk::TopK,
};
use super::{summary::ArtistSummary, vector::SIMILARITY_FEATURES};
use crate::model::artist_names::{artist_name_key, artist_search_key};

/// Longer queries are cut: no artist name is this long, and it bounds the work per query.
const MAX_QUERY_CHARS: usize = 100;

/// A candidate's rank: match kind, then more tracks, then position (name order).
type Ranked = (MatchKind, Reverse<i32>, u32);

/// How a suggestion matched the query, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The name is the query, case, Latin accents and punctuation aside ("Dr. Dre" is
    /// `dr dre`, "Tyler, The Creator" `tyler the creator`): the band James before the
    /// hundreds of Jameses with more tracks.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// Several words: the name starts with the longest of them, not with the whole
    /// query ("The Cranberries" for `the be`). Ranked after `Prefix`, as the search
    /// box's hint promises ("Names that start with what you type come first"): by
    /// tracks alone, The Cranberries had come before The Beatles.
    StartsWithAWord,
    /// A later word of the name starts with the query ("beatles" in "the beatles").
    WordStart,
    /// The query appears inside a word.
    Substring,
}

#[derive(Debug, Clone, Copy)]
pub struct Suggestion<'a> {
    pub artist: &'a ArtistSummary,
    pub kind: MatchKind,
}

/// What a typed name refers to.
#[derive(Debug)]
pub enum Resolution<'a> {
    Found(&'a ArtistSummary),
    /// Several artists fold to the same search key (e.g. "Amelie" for "Amélie" and
    /// "Amelié"); the caller asks the user to pick one.
    Ambiguous(Vec<&'a ArtistSummary>),
    /// Nothing matches; the closest names by edit distance and by prefix.
    NotFound(Vec<&'a ArtistSummary>),
}

pub struct ArtistIndex {
    /// Sorted by search key, then track count (descending), then id; kept compactly,
    /// each `ArtistSummary` made on first use (`columns`).
    artists: Artists,
    by_id: ById,
    by_name_key: NameKeys,
    /// Every search key, in `artists` order, separated by NUL.
    haystack: String,
    /// Byte offset in `haystack` where each artist's key starts.
    starts: Vec<u32>,
    /// Length of each key in characters (saturating), to skip hopeless edit distances.
    key_chars: Vec<u16>,
    /// Track count of each artist, in `artists` order: ranking scans read only this.
    counts: Vec<i32>,
    /// Artist positions by track count (descending), ties in `artists` order: the order
    /// in which substring-only matches rank, so their scan can stop at the last one needed.
    by_count: Vec<u32>,
    /// (haystack offset, artist) of every word start after the first character of a key,
    /// sorted by the rest of the key from there: "beatles" in "the beatles" is found by
    /// binary search, like a prefix.
    word_starts: Vec<(u32, u32)>,
    /// Character bigram -> artists whose key contains it (each artist once, ascending).
    bigrams: BigramPostings,
    /// Each artist's averages over `SIMILARITY_FEATURES`, scaled to 0..1.
    pub(super) vectors: Vec<[f32; SIMILARITY_FEATURES.len()]>,
    /// The whole catalog's mean track popularity, the reference beside artists' averages.
    reference_popularity: Option<f64>,
}

impl fmt::Debug for ArtistIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArtistIndex")
            .field("artists", &self.len())
            .field("haystack_bytes", &self.haystack.len())
            .finish()
    }
}

impl Default for ArtistIndex {
    fn default() -> Self {
        ArtistIndex::new(Vec::new(), None)
    }
}

/// The position of the longest of `words` (the first of the longest): the one the
/// names holding every word are ranked by.
fn longest_word(words: &[&str]) -> Option<usize> {
    (0..words.len()).max_by_key(|&i| (words[i].chars().count(), Reverse(i)))
}

/// The first `n` of `ranked` in order. A query of two short words can be held by most
/// names (every name holds "a" and "r"), and sorting them all for the ten suggestions
/// shown cost a sort of the whole catalog on each keystroke.
fn first_ranked(mut ranked: Vec<Ranked>, n: usize) -> Vec<Ranked> {
    if n < ranked.len() {
        ranked.select_nth_unstable(n);
        ranked.truncate(n);
    }
    ranked.sort_unstable();
    ranked
}

/// A search key's words, without the punctuation around and between them.
fn words_of(key: &str) -> impl Iterator<Item = &str> {
    key.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A search key's words one space apart: "dr. dre" and "dr dre" are both "dr dre",
/// "guns n' roses" is "guns n roses".
pub(crate) fn bare_words(key: &str) -> String {
    words_of(key).collect::<Vec<_>>().join(" ")
}

/// Whether a stored key's `bare_words` are `words`, without making them.
fn same_bare_words(key: &[u8], words: &str) -> bool {
    std::str::from_utf8(key).is_ok_and(|key| words_of(key).eq(words.split(' ')))
}

/// The key a query is matched with: the same folding as the stored search keys,
/// without the place marks a copied name brings at its ends (`typed_name`), a
/// byte-order mark anywhere, and each run of spaces one space (`j  b`, two spaces, had
/// found nothing where `j b` finds J Balvin).
pub fn query_key(query: &str) -> String {
    let mut cut = String::with_capacity(query.len());
    let mut space = false;
    for c in crate::typed_name::trim_place_marks(query)
        .chars()
        .filter(|c| *c != SEPARATOR && *c != '\u{FEFF}' && (!c.is_control() || c.is_whitespace()))
        .take(MAX_QUERY_CHARS)
    {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !cut.is_empty() {
            cut.push(' ');
        }
        space = false;
        cut.push(c);
    }
    artist_search_key(&cut)
}

impl ArtistIndex {
    /// Builds the index. Artists without tracks are left out: they have no averages.
    pub fn new(artists: Vec<ArtistSummary>, reference_popularity: Option<f64>) -> ArtistIndex {
        let mut records = ArtistRecords::with_capacity(artists.len());
        for artist in artists.iter().filter(|a| a.track_count > 0) {
            records.push_summary(artist);
        }
        drop(artists);
        ArtistIndex::from_records(records, reference_popularity)
    }

    /// Builds the index from artists read into columns (every one with tracks), in any
    /// order; already in the index's order costs least.
    pub fn from_records(artists: ArtistRecords, reference_popularity: Option<f64>) -> ArtistIndex {
        let artists = artists.into_index_order();
        // The lookups and the text search structures are independent: for a large
        // catalog they are built on two threads (this is on the start-up path).
        let (lookups, text) = if artists.len() >= PARALLEL_BUILD {
            std::thread::scope(|scope| {
                let lookups = scope.spawn(|| Lookups::build(&artists));
                let text = TextSearch::build(&artists);
                let lookups = lookups
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (lookups, text)
            })
        } else {
            (Lookups::build(&artists), TextSearch::build(&artists))
        };
        ArtistIndex {
            artists: Artists::build(artists),
            by_count: text.by_count,
            word_starts: text.word_starts,
            by_id: lookups.by_id,
            by_name_key: lookups.by_name_key,
            haystack: text.haystack,
            starts: text.starts,
            key_chars: text.key_chars,
            counts: text.counts,
            bigrams: lookups.bigrams,
            vectors: lookups.vectors,
            reference_popularity,
        }
    }

    /// The same index with another reference popularity (the snapshot learns it from
    /// the tracks, read at the same time as the artists).
    pub fn with_reference_popularity(mut self, reference_popularity: Option<f64>) -> Self {
        self.reference_popularity = reference_popularity;
        self
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    pub fn get(&self, id: i32) -> Option<&ArtistSummary> {
        self.by_id.get(id).map(|i| self.at(i as usize))
    }

    /// Every artist, in search-key order. (Each is made, and kept, as it is reached.)
    pub fn iter(&self) -> impl Iterator<Item = &ArtistSummary> {
        (0..self.len()).map(|i| self.at(i))
    }

    /// Every artist's name key and id, in search-key order, without making the
    /// artists' summaries (`iter` makes and keeps every one).
    pub fn name_keys(&self) -> impl Iterator<Item = (&str, i32)> {
        (0..self.len()).map(|i| (self.name_key_str(i), self.id_at(i)))
    }

    /// The artist at position `i` (search-key order).
    pub(super) fn at(&self, i: usize) -> &ArtistSummary {
        self.artists.summary(i, self.key_str(i), self.counts[i])
    }

    /// The id of the artist at position `i`, without making its summary.
    pub(super) fn id_at(&self, i: usize) -> i32 {
        self.artists.id(i)
    }

    /// The track count of the artist at position `i`.
    pub(super) fn count_at(&self, i: usize) -> i32 {
        self.counts[i]
    }

    /// Artist `i`'s search key.
    fn key_str(&self, i: usize) -> &str {
        &self.haystack[self.starts[i] as usize..self.key_end(i)]
    }

    /// Artist `i`'s name key.
    fn name_key_str(&self, i: usize) -> &str {
        self.artists.name_key(i).unwrap_or_else(|| self.key_str(i))
    }

    pub fn reference_popularity(&self) -> Option<f64> {
        self.reference_popularity
    }

    /// The `limit` artists with the most tracks (ties by name): what an empty search shows.
    pub fn most_tracks(&self, limit: usize) -> Vec<&ArtistSummary> {
        let mut best = TopK::new(limit);
        for (i, &count) in self.counts.iter().enumerate() {
            best.offer((Reverse(count), i as u32));
        }
        best.into_sorted()
            .into_iter()
            .map(|(_, i)| self.at(i as usize))
            .collect()
    }

    /// The artists with these ids (unknown ones left out) in `most_tracks` order (most
    /// tracks first, ties by name): how many, and the page of them from `skip`.
    pub fn most_tracks_page(
        &self,
        ids: impl IntoIterator<Item = i32>,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<&ArtistSummary>) {
        let mut positions: Vec<u32> = ids
            .into_iter()
            .filter_map(|id| self.by_id.get(id))
            .collect();
        positions.sort_unstable_by_key(|&i| (Reverse(self.counts[i as usize]), i));
        positions.dedup();
        self.page_of(&positions, skip, take)
    }

    /// How many artists `query` finds, and the page of them from `skip`, ranked as
    /// `suggest` ranks them; only the first `limit` are ranked, so a page must end
    /// within them. The count is exact: it was the ranked list's length, so at most
    /// `limit` (`q=synthetic` said 1,050 of 138,678), and counting every match without
    /// ranking it costs a pass over the candidates (`count_containing`). The API's
    /// search now pages through `name_page`; this one-word form is kept for the tests
    /// that hold its count to `suggest`'s.
    #[cfg(test)]
    pub fn suggest_page(
        &self,
        query: &str,
        limit: usize,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<&ArtistSummary>) {
        let key = query_key(query);
        let positions: Vec<u32> = self
            .exact_first(&key, limit, |room| self.ranked(&key, room))
            .into_iter()
            .map(|(_, _, i)| i)
            .collect();
        let (ranked, page) = self.page_of(&positions, skip, take);
        // Every artist `ranked` can find contains the key, and the ranked ones are all
        // of them when fewer than `limit`.
        let total = if ranked < limit {
            ranked
        } else {
            self.count_containing(&key)
        };
        (total, page)
    }

    /// How many artists hold every one of `words` (search keys, one or more), and the
    /// page of them from `skip`, ranked as `suggest` ranks them: the names that are
    /// exactly `exact` (the name as typed, punctuation and all) first, then by how they
    /// hold the longest word or the whole of `exact`. Only the first `limit` are
    /// ranked, so a page must end within them. The API's artist search, which had ranked
    /// several words by the longest alone: `Dr. Dre` put DrefQuila first and Dr. Dre
    /// 19th, `R. Kelly` Kelly Clarkson first.
    pub fn name_page(
        &self,
        exact: &str,
        words: &[&str],
        keep: Option<&dyn Fn(i32) -> bool>,
        limit: usize,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<&ArtistSummary>) {
        // Words of one letter each ("l e o") are not narrowed by pairs of letters:
        // `ranked_words` would rank every name (see `suggest_key`), so every match is
        // found and ranked by the longest word, and counted on the way. The exact name
        // still comes first ("L E O" had been 67th).
        let narrowed = words.iter().any(|w| w.chars().nth(1).is_some());
        let [first, ..] = words else {
            return (0, Vec::new());
        };
        // With `keep` (the API's track filters or `NOT`), every match is found and
        // tested, as `every_match_page` does: the tiers below cannot skip the others.
        let kept = |id: i32| keep.is_none_or(|keep| keep(id));
        let mut counted = None;
        let mut exact_beyond_words = 0;
        let positions: Vec<u32> = self
            .exact_first(exact, limit, |room| {
                if keep.is_some() || (words.len() > 1 && !narrowed) {
                    let every = self.every_word_match(words, kept);
                    counted = Some(every.len());
                    first_ranked(every, room)
                } else if words.len() > 1 {
                    self.ranked_words(exact, words, room)
                } else {
                    self.ranked(first, room)
                }
            })
            .into_iter()
            .filter(|&(_, _, i)| kept(self.id_at(i as usize)))
            .filter_map(|(kind, _, i)| {
                let key = self.key_bytes(i as usize);
                let holds_every_word = words
                    .iter()
                    .all(|w| memmem::find(key, w.as_bytes()).is_some());
                // The name as typed, punctuation aside, though a word typed with its
                // own punctuation is not in it (`dr.dre` is "Dr. Dre", `ac-dc`
                // "AC/DC"): the site's box found them, the API had found nothing.
                if kind == MatchKind::Exact && !holds_every_word {
                    exact_beyond_words += 1;
                }
                (holds_every_word || kind == MatchKind::Exact).then_some(i)
            })
            .collect();
        let (ranked, page) = self.page_of(&positions, skip, take);
        let total = if let Some(every) = counted {
            every + exact_beyond_words
        } else if ranked < limit {
            ranked
        } else if words.len() > 1 {
            self.every_word_match(words, |_| true).len() + exact_beyond_words
        } else {
            self.count_containing(first) + exact_beyond_words
        };
        (total, page)
    }

    /// The ids of the artists whose keys contain `key`, and how many tracks they have
    /// between them (a track credited to two of them counts twice).
    pub fn ids_containing(&self, key: &str) -> (Vec<i32>, u64) {
        let mut ids = Vec::new();
        let mut tracks = 0u64;
        if !key.is_empty() {
            self.for_each_containing(&[key], |i| {
                ids.push(self.id_at(i as usize));
                tracks += u64::try_from(self.counts[i as usize]).unwrap_or(0);
            });
        }
        (ids, tracks)
    }

    /// The artists whose name is `key`, punctuation aside (`dr.dre` is "Dr. Dre"), each
    /// with its number of tracks: a word typed with its own punctuation is in no such
    /// name, and found none of their tracks in a track search.
    pub fn ids_named(&self, key: &str) -> Vec<(i32, u64)> {
        self.exact_matches(key, SAME_WORDS_SCAN)
            .iter()
            .map(|&(_, _, i)| {
                (
                    self.id_at(i as usize),
                    u64::try_from(self.counts[i as usize]).unwrap_or(0),
                )
            })
            .collect()
    }

    /// `ids_containing`'s other side: the artists whose keys do not contain `key`, and
    /// their tracks.
    pub fn ids_lacking(&self, key: &str) -> (Vec<i32>, u64) {
        let mut holds = vec![false; self.len()];
        if !key.is_empty() {
            self.for_each_containing(&[key], |i| holds[i as usize] = true);
        }
        let mut ids = Vec::new();
        let mut tracks = 0u64;
        for (i, _) in holds.iter().enumerate().filter(|(_, h)| !**h) {
            ids.push(self.id_at(i));
            tracks += u64::try_from(self.counts[i]).unwrap_or(0);
        }
        (ids, tracks)
    }

    /// How many artists' keys contain `key`: every artist `suggest` could find for it.
    pub fn count_containing(&self, key: &str) -> usize {
        if key.is_empty() {
            return 0;
        }
        let mut count = 0;
        self.for_each_containing(&[key], |_| count += 1);
        count
    }

    /// Every artist whose search key contains each of `words` (search keys, as
    /// `query_key` makes them) and whose id `keep` takes, ranked as `every_word_match`
    /// ranks them: how many, and the page of them from `skip`. `name_page` does this
    /// with a `keep`; the tests hold the two rankings of several words against each
    /// other through this form.
    #[cfg(test)]
    pub fn every_match_page(
        &self,
        words: &[&str],
        keep: impl Fn(i32) -> bool,
        skip: usize,
        take: usize,
    ) -> (usize, Vec<&ArtistSummary>) {
        let found = self.every_word_match(words, keep);
        let total = found.len();
        let positions: Vec<u32> = first_ranked(found, skip.saturating_add(take))
            .into_iter()
            .map(|(_, _, i)| i)
            .collect();
        (total, self.page_of(&positions, skip, take).1)
    }

    /// The first `limit` artists holding every one of a key's `words` (two or more):
    /// each ranked by the better of how it holds the longest word and how it holds the
    /// whole key (`words_kind`), so "ne yo" puts "ne-yo" (starts with "ne") before
    /// "fine young cannibals" (holds "ne yo" inside a word).
    fn ranked_words(&self, key: &str, words: &[&str], limit: usize) -> Vec<Ranked> {
        self.ranked_words_walking(key, words, limit)
            .unwrap_or_else(|| self.ranked_words_exact(key, words, limit))
    }

    /// `ranked_words` by ranking every artist that holds every word.
    fn ranked_words_exact(&self, key: &str, words: &[&str], limit: usize) -> Vec<Ranked> {
        let mut ranked = self.every_word_match(words, |_| true);
        let longest = longest_word(words).map_or("", |at| words[at]);
        for (kind, _, i) in &mut ranked {
            // `every_word_match` ranked it by the longest word.
            *kind = self.words_kind(*i as usize, longest, key);
        }
        first_ranked(ranked, limit)
    }

    /// How the artist at `i`, which holds every word, holds them: the better of how it
    /// holds the longest word and how it holds the whole key. `match_kind` says
    /// `Substring` for a key that a name does not hold at all, the worst rank, so the
    /// whole key counts only where it is there.
    fn words_kind(&self, i: usize, longest: &str, key: &str) -> MatchKind {
        match (self.match_kind(i, key), self.match_kind(i, longest)) {
            (MatchKind::Prefix, _) => MatchKind::Prefix,
            (_, MatchKind::Prefix) => MatchKind::StartsWithAWord,
            (whole, by_word) => whole.min(by_word),
        }
    }

    /// `ranked_words` tier by tier, as `ranked` finds one word: the names starting with
    /// the whole key, then with the longest word (two ranges of the sorted keys), then those
    /// with a later word starting so (two ranges of the sorted word starts), then the
    /// rest walked in rank order. Ranking every name holding the words cost 1.5-1.9 ms
    /// a keystroke when their pairs of letters are common ("ar ma", "o go" at 100,000
    /// generated names). `None` when the last tier's matches are too few to be found by
    /// walking (then `ranked_words_exact`).
    fn ranked_words_walking(&self, key: &str, words: &[&str], limit: usize) -> Option<Vec<Ranked>> {
        let longest = words[longest_word(words)?];
        let finders: Vec<memmem::Finder<'_>> = words
            .iter()
            .map(|word| memmem::Finder::new(word.as_bytes()))
            .collect();
        // The rank `ranked_words_exact` gives the artist at `i`, if it holds every word.
        let kind = |i: usize| {
            let bytes = self.key_bytes(i);
            finders
                .iter()
                .all(|f| f.find(bytes).is_some())
                .then(|| self.words_kind(i, longest, key))
        };
        // The best `room` of a tier: walked in rank order when it has many candidates
        // (a common prefix: "the"), else its candidates ranked (each at most once).
        let tier =
            |wanted: MatchKind, count: usize, candidates: &mut dyn Iterator<Item = usize>, room| {
                if count > RANK_WALK_MIN_MATCHES {
                    if let Some(walked) =
                        self.walk_rank_order(wanted, room, |i| kind(i) == Some(wanted))
                    {
                        return walked;
                    }
                }
                let mut best = TopK::new(room);
                let mut offered = FxHashSet::default();
                for i in candidates {
                    if kind(i) == Some(wanted) && offered.insert(i) {
                        best.offer((wanted, Reverse(self.counts[i]), i as u32));
                    }
                }
                best.into_sorted()
            };
        let (a, b) = (self.prefix_range(longest), self.prefix_range(key));
        let mut found = tier(MatchKind::Prefix, b.1 - b.0, &mut (b.0..b.1), limit);
        if found.len() < limit {
            let room = limit - found.len();
            found.extend(tier(
                MatchKind::StartsWithAWord,
                a.1 - a.0,
                &mut (a.0..a.1),
                room,
            ));
        }
        if found.len() < limit {
            let room = limit - found.len();
            let (a, b) = (self.word_start_range(longest), self.word_start_range(key));
            let mut starts = a.iter().chain(b).map(|&(_, i)| i as usize);
            found.extend(tier(
                MatchKind::WordStart,
                a.len() + b.len(),
                &mut starts,
                room,
            ));
        }
        if found.len() < limit {
            let room = limit - found.len();
            found.extend(self.walk_rank_order(MatchKind::Substring, room, |i| {
                kind(i) == Some(MatchKind::Substring)
            })?);
        }
        Some(found)
    }

    /// Every artist whose key contains each of `words` and whose id `keep` takes,
    /// with its rank by how its key holds the longest word (the first of the longest),
    /// as `suggest` ranks one word: "earth wind" finds "earth, wind & fire", which
    /// holds no "earth wind". In no order: `first_ranked` orders what is needed.
    fn every_word_match(&self, words: &[&str], keep: impl Fn(i32) -> bool) -> Vec<Ranked> {
        let Some(longest) = longest_word(words) else {
            return Vec::new();
        };
        let also: Vec<&str> = (0..words.len())
            .filter(|&i| i != longest)
            .map(|i| words[i])
            .collect();
        self.every_match(words[longest], &also, keep)
    }

    /// Every artist whose key contains `key` and each of `also` and whose id `keep`
    /// takes, with its rank in `ranked`'s order (unsorted). The terms filter first and
    /// only the survivors are ranked: ranking every match of `key` first took up to
    /// 12.8 s at 138,000 artists ("artist 49794": a word all names share came first). The
    /// candidates are the artists of the rarest character pair of any term, so one
    /// rare term is enough to make the search cheap.
    fn every_match(&self, key: &str, also: &[&str], keep: impl Fn(i32) -> bool) -> Vec<Ranked> {
        if key.is_empty() {
            return Vec::new();
        }
        let terms: Vec<&str> = std::iter::once(key).chain(also.iter().copied()).collect();
        let mut found: Vec<Ranked> = Vec::new();
        self.for_each_containing(&terms, |i| {
            let at = i as usize;
            if keep(self.id_at(at)) {
                found.push((self.match_kind(at, key), Reverse(self.counts[at]), i));
            }
        });
        found
    }

    /// Calls `each` with the position of every artist whose key contains all of
    /// `terms`. Only the artists of the rarest character pair of any term are looked
    /// at.
    fn for_each_containing(&self, terms: &[&str], mut each: impl FnMut(u32)) {
        let rarest = terms
            .iter()
            .flat_map(|term| distinct_bigrams(term))
            .map(|bigram| self.bigrams.get(bigram))
            .min_by_key(|artists| artists.len());
        let finders: Vec<memmem::Finder<'_>> = terms
            .iter()
            .map(|term| memmem::Finder::new(term.as_bytes()))
            .collect();
        let mut consider = |i: u32| {
            let bytes = self.key_bytes(i as usize);
            if finders.iter().all(|f| f.find(bytes).is_some()) {
                each(i);
            }
        };
        match rarest {
            Some(artists) => artists.iter().copied().for_each(&mut consider),
            // Only one-character terms: no pair to narrow by.
            None => (0..self.len() as u32).for_each(&mut consider),
        }
    }

    /// How artist `i`'s key, which contains `key`, matches it: the tier `ranked` puts
    /// it in.
    fn match_kind(&self, i: usize, key: &str) -> MatchKind {
        if self.key_bytes(i).starts_with(key.as_bytes()) {
            return MatchKind::Prefix;
        }
        let end = self.key_end(i);
        let from = (self.starts[i] as usize + 1).min(end);
        if self.word_starts_with(from, end, key) {
            MatchKind::WordStart
        } else {
            MatchKind::Substring
        }
    }

    /// One page of a list of artists (positions, in order) and the list's length. Only
    /// the page's summaries are made: `at` keeps every summary it makes, and a list
    /// can name every artist (a word all names share, a broad track filter), which at
    /// 138,000 artists held 27 MiB more for as long as the server ran.
    fn page_of(&self, positions: &[u32], skip: usize, take: usize) -> (usize, Vec<&ArtistSummary>) {
        let page = positions
            .iter()
            .skip(skip)
            .take(take)
            .map(|&i| self.at(i as usize))
            .collect();
        (positions.len(), page)
    }

    /// Up to `limit` artists matching the query, ignoring case and Latin accents:
    /// prefix matches first, then matches at the start of a later word, then any
    /// substring; within each, artists with more tracks first, then by name. A query
    /// of several words finds the artists holding every word, in any order and
    /// whatever the punctuation between them ("tyler the creator" for "Tyler, The
    /// Creator"), as the API's search does (`ranked_words`).
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<Suggestion<'_>> {
        let key = query_key(query);
        self.suggest_key(&key, limit)
    }

    fn suggest_key(&self, key: &str, limit: usize) -> Vec<Suggestion<'_>> {
        let words: Vec<&str> = key.split_whitespace().collect();
        // Words of one letter each ("n N") have no pair of letters to narrow the names
        // by: finding every name holding them scanned the whole index (4 ms at 100,000
        // artists, against 17 µs for most queries), so such a query is matched as typed.
        let narrowed = words.iter().any(|w| w.chars().nth(1).is_some());
        self.exact_first(key, limit, |room| {
            if words.len() > 1 && narrowed {
                self.ranked_words(key, &words, room)
            } else {
                self.ranked(key, room)
            }
        })
        .into_iter()
        .map(|(kind, _, i)| Suggestion {
            artist: self.at(i as usize),
            kind,
        })
        .collect()
    }

    /// The positions `suggest_key` makes its suggestions of, ranked.
    fn ranked(&self, key: &str, limit: usize) -> Vec<Ranked> {
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        // Each tier is complete before the next is consulted, so a tier is only searched
        // when the better ones leave room.
        let mut ranked = self.prefix_matches(key, limit);
        if ranked.len() < limit {
            ranked.extend(self.word_start_matches(key, limit - ranked.len()));
        }
        if ranked.len() < limit {
            ranked.extend(self.substring_matches(key, limit - ranked.len()));
        }
        ranked
    }

    /// The first `limit` of a ranking (`rank(room)` ranks the first `room`), with the
    /// names that are exactly `key` moved to the front: ranked by tracks alone, `James`
    /// (the band) came 14th among names starting so, off the first page.
    fn exact_first(
        &self,
        key: &str,
        limit: usize,
        rank: impl FnOnce(usize) -> Vec<Ranked>,
    ) -> Vec<Ranked> {
        let exact = self.exact_matches(key, limit);
        let others = rank(limit + exact.len())
            .into_iter()
            .filter(|(_, _, i)| !exact.iter().any(|(_, _, e)| e == i));
        exact.iter().copied().chain(others).take(limit).collect()
    }

    /// The artists whose key is `key`, most tracks first: the start of its prefix range
    /// (the keys are sorted, and a key sorts before the longer ones it begins).
    fn exact_matches(&self, key: &str, limit: usize) -> Vec<Ranked> {
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut best = TopK::new(limit);
        let (lo, hi) = self.prefix_range(key);
        let same = lo..first_not(lo, hi, |i| self.key_bytes(i) == key.as_bytes());
        for i in same.clone() {
            best.offer((MatchKind::Exact, Reverse(self.counts[i]), i as u32));
        }
        // The names with the same words, punctuation aside: "dr dre" is how Dr. Dre is
        // typed, and it had ranked after every name starting with "dre" (DrefQuila),
        // off the API's first page. Such a name starts with the query's first word and
        // then punctuation or a space, which sort before digits and letters: the run at
        // the start of that word's range. (Names starting with punctuation, "'til
        // tuesday", or with ":?@" after the word are left out.)
        let words = bare_words(key);
        if let Some(first) = words.split(' ').next().filter(|w| !w.is_empty()) {
            let (lo, hi) = self.prefix_range(first);
            let run = first_not(lo, hi, |i| {
                self.key_bytes(i).get(first.len()).is_none_or(|&b| b < b'0')
            });
            // A common first word ("the ": thousands of names) is not walked whole.
            if run - lo <= SAME_WORDS_SCAN {
                for i in (lo..run).filter(|i| !same.contains(i)) {
                    if same_bare_words(self.key_bytes(i), &words) {
                        best.offer((MatchKind::Exact, Reverse(self.counts[i]), i as u32));
                    }
                }
            }
        }
        best.into_sorted()
    }

    /// Index range of the artists whose key starts with `key`.
    fn prefix_range(&self, key: &str) -> (usize, usize) {
        let key = key.as_bytes();
        let lo = first_not(0, self.len(), |i| self.key_bytes(i) < key);
        let hi = first_not(lo, self.len(), |i| self.key_bytes(i).starts_with(key));
        (lo, hi)
    }

    /// End (exclusive, before the separator) of artist `i`'s key in the haystack.
    fn key_end(&self, i: usize) -> usize {
        self.starts
            .get(i + 1)
            .map_or(self.haystack.len(), |&s| s as usize)
            - 1
    }

    fn key_bytes(&self, i: usize) -> &[u8] {
        &self.haystack.as_bytes()[self.starts[i] as usize..self.key_end(i)]
    }

    fn prefix_matches(&self, key: &str, limit: usize) -> Vec<Ranked> {
        let (lo, hi) = self.prefix_range(key);
        // A short prefix can match a large share of the catalog ("the"; every artist of a
        // generated one, where ranking 138,000 matches took 400 µs a keystroke). Walking
        // the artists in rank order and keeping those in the range then finds the best
        // after about limit x artists / matches steps; when it does not within the
        // budget, the range is ranked as usual.
        if hi - lo > RANK_WALK_MIN_MATCHES {
            let walked = self.walk_rank_order(MatchKind::Prefix, limit, |i| (lo..hi).contains(&i));
            if let Some(found) = walked {
                return found;
            }
        }
        let mut best = TopK::new(limit);
        for i in lo..hi {
            best.offer((MatchKind::Prefix, Reverse(self.counts[i]), i as u32));
        }
        best.into_sorted()
    }

    /// The word starts (after a key's first character) that begin with `key`: a range of
    /// the sorted `word_starts`, found by binary search.
    fn word_start_range(&self, key: &str) -> &[(u32, u32)] {
        let hay = self.haystack.as_bytes();
        let rest = |&(offset, i): &(u32, u32)| &hay[offset as usize..self.key_end(i as usize)];
        let needle = key.as_bytes();
        let lo = self.word_starts.partition_point(|e| rest(e) < needle);
        let len = self.word_starts[lo..].partition_point(|e| rest(e).starts_with(needle));
        &self.word_starts[lo..lo + len]
    }

    /// Artists with a later word starting with `key` (and no prefix match), by binary
    /// search in the sorted word starts.
    fn word_start_matches(&self, key: &str, limit: usize) -> Vec<Ranked> {
        let needle = key.as_bytes();
        let range = self.word_start_range(key);
        let len = range.len();
        // A word most names share ("artist" in every "Synthetic Artist N": 1.3 ms a
        // keystroke at 138,000 artists) is walked in rank order, like a common prefix.
        if len > RANK_WALK_MIN_MATCHES {
            let walked = self.walk_rank_order(MatchKind::WordStart, limit, |i| {
                // Word starts after the key's first character, as `word_starts` holds;
                // a key starting with the query is ranked as a prefix match.
                let end = self.key_end(i);
                let from = (self.starts[i] as usize + 1).min(end);
                !self.key_bytes(i).starts_with(needle) && self.word_starts_with(from, end, key)
            });
            if let Some(found) = walked {
                return found;
            }
        }
        let mut best = TopK::new(limit);
        // A key with two words starting with the query appears twice in the range. A
        // set, not a look through what `best` keeps: that cost `limit` comparisons a
        // match, and the API asks for up to 1,050 of 50,000 ("1" in generated names).
        let mut seen = FxHashSet::default();
        for &(_, i) in range {
            if self.key_bytes(i as usize).starts_with(needle) {
                continue; // ranked as a prefix match
            }
            if seen.insert(i) {
                best.offer((MatchKind::WordStart, Reverse(self.counts[i as usize]), i));
            }
        }
        best.into_sorted()
    }

    /// Artists containing `key` only inside words. Frequent pieces ("a", "en") are found
    /// by walking artists in rank order and stopping at the `limit`-th match; when that
    /// does not finish quickly the piece is rare, and one pass over the haystack is cheap.
    fn substring_matches(&self, key: &str, limit: usize) -> Vec<Ranked> {
        let finder = memmem::Finder::new(key.as_bytes());
        let walked = self.walk_rank_order(MatchKind::Substring, limit, |i| {
            finder.find(self.key_bytes(i)).is_some_and(|pos| {
                let at = self.starts[i] as usize + pos;
                pos > 0 && !self.word_starts_with(at, self.key_end(i), key)
            })
        });
        if let Some(found) = walked {
            return found;
        }
        self.substring_scan(key, &finder, limit)
    }

    /// The first `limit` artists in rank order (most tracks first) that `matches`, as
    /// `kind` matches: the best of a tier found without ranking it, when its matches
    /// are common. `None` when `RANK_ORDER_BUDGET` artists were looked at without
    /// finding them all (the matches are rare: rank them the usual way).
    fn walk_rank_order(
        &self,
        kind: MatchKind,
        limit: usize,
        mut matches: impl FnMut(usize) -> bool,
    ) -> Option<Vec<Ranked>> {
        let mut found = Vec::with_capacity(limit);
        for &i in self.by_count.iter().take(RANK_ORDER_BUDGET) {
            if matches(i as usize) {
                found.push((kind, Reverse(self.counts[i as usize]), i));
                if found.len() == limit {
                    return Some(found);
                }
            }
        }
        // Every artist was looked at: what was found is all there is.
        (self.by_count.len() <= RANK_ORDER_BUDGET).then_some(found)
    }

    /// One pass over every key for a rare piece: each key is classified at its first hit.
    fn substring_scan(&self, key: &str, finder: &memmem::Finder<'_>, limit: usize) -> Vec<Ranked> {
        let mut best = TopK::new(limit);
        let mut cursor = 0usize;
        let mut next_key_at = 0usize;
        for pos in finder.find_iter(self.haystack.as_bytes()) {
            if pos < next_key_at {
                continue; // the rest of a key already classified
            }
            cursor = self.key_at(pos, cursor);
            let end = self.key_end(cursor);
            next_key_at = end;
            if pos == self.starts[cursor] as usize || self.word_starts_with(pos, end, key) {
                continue; // ranked in a better tier
            }
            best.offer((
                MatchKind::Substring,
                Reverse(self.counts[cursor]),
                cursor as u32,
            ));
        }
        best.into_sorted()
    }

    /// The key holding haystack byte `pos`, searching forward from key `from` (hits come
    /// in order): galloping, so dense hits cost a step or two and sparse ones a log.
    fn key_at(&self, pos: usize, from: usize) -> usize {
        let starts = &self.starts;
        let mut step = 1;
        let mut lo = from;
        let mut hi = from + 1;
        while hi < starts.len() && starts[hi] as usize <= pos {
            lo = hi;
            hi = (hi + step).min(starts.len());
            step *= 2;
        }
        lo + starts[lo..hi].partition_point(|&s| s as usize <= pos) - 1
    }

    /// Whether a word starting in `from..end` of the haystack begins with `key` (also
    /// finds occurrences that overlap the first hit, which a non-overlapping search skips).
    /// Only positions holding the key's first byte are examined (found with memchr).
    fn word_starts_with(&self, from: usize, end: usize, key: &str) -> bool {
        let hay = self.haystack.as_bytes();
        let Some(&first) = key.as_bytes().first() else {
            return false;
        };
        memchr::memchr_iter(first, &hay[from..end]).any(|offset| {
            let at = from + offset;
            hay[at..end].starts_with(key.as_bytes()) && self.is_word_start(at)
        })
    }

    /// Whether the haystack byte at `pos` starts a word (follows a non-alphanumeric).
    fn is_word_start(&self, pos: usize) -> bool {
        if let Some(&before) = self.haystack.as_bytes()[..pos].last() {
            if before.is_ascii() {
                return !before.is_ascii_alphanumeric();
            }
        }
        self.haystack[..pos]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_alphanumeric())
    }

    /// Resolves a typed name: exact (case-insensitive) first, then accent-insensitive
    /// when that points at exactly one artist.
    pub fn resolve(&self, name: &str) -> Resolution<'_> {
        let name_key = artist_name_key(name);
        if let Some(i) = self
            .by_name_key
            .get(&name_key, |i| self.name_key_str(i as usize))
        {
            return Resolution::Found(self.at(i as usize));
        }
        let key = query_key(name);
        if key.is_empty() {
            return Resolution::NotFound(Vec::new());
        }
        let (lo, hi) = self.prefix_range(&key);
        let same: Vec<&ArtistSummary> = (lo..hi)
            .take_while(|&i| self.key_bytes(i) == key.as_bytes())
            .map(|i| self.at(i))
            .collect();
        match same.len() {
            // A name typed without its punctuation ("earth wind & fire"): the artists
            // with the same words, punctuation aside ("dr dre": the search lists Dr. Dre
            // first as its exact name), else the one artist holding every word.
            0 => {
                let same_words = self.exact_matches(&key, 6);
                match &same_words[..] {
                    [] => {}
                    [(_, _, only)] => return Resolution::Found(self.at(*only as usize)),
                    several => {
                        return Resolution::Ambiguous(
                            several
                                .iter()
                                .map(|&(_, _, i)| self.at(i as usize))
                                .collect(),
                        )
                    }
                }
                let words: Vec<&str> = key.split_whitespace().collect();
                let holders = if words.len() > 1 {
                    self.every_word_match(&words, |_| true)
                } else {
                    Vec::new()
                };
                match holders[..] {
                    [(_, _, only)] => Resolution::Found(self.at(only as usize)),
                    _ => Resolution::NotFound(self.did_you_mean(name, 5)),
                }
            }
            1 => Resolution::Found(same[0]),
            _ => Resolution::Ambiguous(same),
        }
    }

    /// Names close to an unknown one, in the search page's order where they overlap:
    /// names that start with it, or have a word that does (a partial name: "Taylor"
    /// is Taylor Swift before a one-track "TXYLOR"), then names within a few edits (a
    /// typo), then names that contain it. Within each, artists with more tracks first;
    /// a name one edit away goes before partial names with fewer tracks ("Quen" is
    /// Queen before Quentyn).
    pub fn did_you_mean(&self, query: &str, limit: usize) -> Vec<&ArtistSummary> {
        let key = query_key(query);
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let query_chars = key.chars().count();
        let max_edits = (query_chars / 4).clamp(1, 3);
        let mut close: Vec<(usize, Reverse<i32>, u32)> = Vec::new();
        let mut consider = |i: usize| {
            // The edit distance is at least the difference in length.
            if (self.key_chars[i] as usize).abs_diff(query_chars) > max_edits {
                return;
            }
            let distance = strsim::levenshtein(&key, self.key_str(i));
            if distance <= max_edits {
                close.push((distance, Reverse(self.counts[i]), i as u32));
            }
        };
        // Each edit destroys at most two of the query's bigrams, so a name within
        // `max_edits` shares at least this many distinct bigrams with it.
        let query_bigrams = distinct_bigrams(&key);
        let needed = query_bigrams.len().saturating_sub(2 * max_edits);
        if needed == 0 {
            // Too short for the filter to prune anything: check every name.
            (0..self.len()).for_each(&mut consider);
        } else {
            let mut shared = vec![0u8; self.len()];
            for bigram in &query_bigrams {
                for &i in self.bigrams.get(*bigram) {
                    let count = &mut shared[i as usize];
                    *count = count.saturating_add(1);
                    if *count as usize == needed {
                        consider(i as usize);
                    }
                }
            }
        }
        close.sort_unstable();
        let (starts, inside): (Vec<Suggestion<'_>>, Vec<Suggestion<'_>>) = self
            .suggest_key(&key, limit)
            .into_iter()
            .partition(|s| s.kind != MatchKind::Substring);
        // A name one edit away goes before the partial names with fewer tracks than
        // it: "Quen" had offered Quentyn and Matt Quentin before Queen (130 tracks),
        // where "Taylor" still offers Taylor Swift before a one-track "TXYLOR".
        let split = close.partition_point(|&(distance, ..)| distance <= 1);
        let farther = close.split_off(split);
        let mut typos = close
            .into_iter()
            .map(|(_, _, i)| self.at(i as usize))
            .peekable();
        let mut first: Vec<&ArtistSummary> = Vec::with_capacity(starts.len() + typos.len());
        for start in starts {
            while let Some(typo) = typos.next_if(|t| t.track_count > start.artist.track_count) {
                first.push(typo);
            }
            first.push(start.artist);
        }
        let ranked = first
            .into_iter()
            .chain(typos)
            .chain(farther.into_iter().map(|(_, _, i)| self.at(i as usize)))
            .chain(inside.into_iter().map(|s| s.artist));
        let mut out: Vec<&ArtistSummary> = Vec::with_capacity(limit);
        for artist in ranked {
            if out.len() >= limit {
                break;
            }
            if !out.iter().any(|a| a.id == artist.id) {
                out.push(artist);
            }
        }
        out
    }
}

/// The first position in `from..to` where `before` is false (`before` holds for a
/// prefix of the range): a binary search over positions.
fn first_not(from: usize, to: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Artists looked at in rank order before a search ranks its matches the usual way
/// (prefix and substring tiers). Small under test, so the property tests exercise both
/// paths.
/// The most names starting with a query's first word that are compared with it word
/// for word (`exact_matches`).
const SAME_WORDS_SCAN: usize = if cfg!(test) { 8 } else { 4096 };
const RANK_ORDER_BUDGET: usize = if cfg!(test) { 3 } else { 2048 };
/// Matches from which the prefix and word-start tiers walk the rank order first.
const RANK_WALK_MIN_MATCHES: usize = if cfg!(test) { 1 } else { 4096 };
/// From this many artists the index is built on two threads.
const PARALLEL_BUILD: usize = 50_000;

#[cfg(test)]
pub(crate) mod tests;
