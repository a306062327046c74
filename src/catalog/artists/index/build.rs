//! The parts of the artist index built once per catalog version: lookups by id, name
//! key and bigram, the similarity vectors, and the text the suggestions scan.
//!
//! The hash maps are keyed by ids, bigrams and folded names, all from the imported
//! catalog (never from a request), so they use FxHash (rustc-hash) rather than SipHash,
//! whose resistance to chosen keys they do not need: hashing was a good part of
//! building the index.

use std::{cmp::Reverse, collections::hash_map::Entry, hash::BuildHasher};

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::bigrams::distinct_bigrams_into;
use crate::catalog::artists::{
    summary::ArtistSummary,
    vector::{scaled_vector, SIMILARITY_FEATURES},
};

/// Separates keys in the haystack; stripped from queries so a hit never spans two keys.
pub(super) const SEPARATOR: char = '\0';

/// The index's parts found by id, name key or bigram, and the similarity vectors.
pub(super) struct Lookups {
    pub by_id: FxHashMap<i32, u32>,
    pub by_name_key: NameKeys,
    pub bigrams: FxHashMap<u64, Vec<u32>>,
    pub vectors: Vec<[f32; SIMILARITY_FEATURES.len()]>,
}

impl Lookups {
    /// `artists` in index order.
    pub(super) fn build(artists: &[ArtistSummary]) -> Lookups {
        let mut by_id = FxHashMap::with_capacity_and_hasher(artists.len(), FxBuildHasher);
        let mut by_name_key = NameKeys::with_capacity(artists.len());
        let mut vectors = Vec::with_capacity(artists.len());
        let mut bigrams: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        let mut key_bigrams = Vec::new();
        for (i, artist) in artists.iter().enumerate() {
            let i = i as u32;
            distinct_bigrams_into(&artist.search_key, &mut key_bigrams);
            for &bigram in &key_bigrams {
                bigrams.entry(bigram).or_default().push(i);
            }
            by_id.insert(artist.id, i);
            by_name_key.insert(artists, i);
            vectors.push(scaled_vector(artist));
        }
        Lookups {
            by_id,
            by_name_key,
            bigrams,
            vectors,
        }
    }
}

/// The index's parts that suggestions scan: the keys in one string, word starts and
/// the track counts in rank order.
pub(super) struct TextSearch {
    pub haystack: String,
    pub starts: Vec<u32>,
    pub key_chars: Vec<u16>,
    pub counts: Vec<i32>,
    pub by_count: Vec<u32>,
    pub word_starts: Vec<(u32, u32)>,
}

impl TextSearch {
    /// `artists` in index order.
    pub(super) fn build(artists: &[ArtistSummary]) -> TextSearch {
        let total_bytes: usize = artists.iter().map(|a| a.search_key.len() + 1).sum();
        let mut haystack = String::with_capacity(total_bytes);
        let mut starts = Vec::with_capacity(artists.len());
        let mut key_chars = Vec::with_capacity(artists.len());
        let mut counts = Vec::with_capacity(artists.len());
        for artist in artists {
            counts.push(artist.track_count);
            starts.push(haystack.len() as u32);
            haystack.push_str(&artist.search_key);
            haystack.push(SEPARATOR);
            key_chars.push(artist.search_key.chars().count().min(u16::MAX as usize) as u16);
        }
        let word_starts = sorted_word_starts(artists, &haystack, &starts);
        let mut by_count: Vec<u32> = (0..artists.len() as u32).collect();
        by_count.sort_unstable_by_key(|&i| (Reverse(counts[i as usize]), i));
        TextSearch {
            haystack,
            starts,
            key_chars,
            counts,
            by_count,
            word_starts,
        }
    }
}

/// (haystack offset, artist) of every word start after a key's first character, sorted
/// by the rest of the key from there.
fn sorted_word_starts(
    artists: &[ArtistSummary],
    haystack: &str,
    starts: &[u32],
) -> Vec<(u32, u32)> {
    let key_end =
        |i: usize| -> usize { starts.get(i + 1).map_or(haystack.len(), |&s| s as usize) - 1 };
    let mut word_starts: Vec<(u32, u32)> = Vec::new();
    for (i, artist) in artists.iter().enumerate() {
        let start = starts[i] as usize;
        if artist.search_key.is_ascii() {
            // The same rule a byte at a time: most keys are ASCII once folded.
            for (offset, pair) in artist.search_key.as_bytes().windows(2).enumerate() {
                if !pair[0].is_ascii_alphanumeric() {
                    word_starts.push(((start + offset + 1) as u32, i as u32));
                }
            }
            continue;
        }
        let mut previous: Option<char> = None;
        for (offset, ch) in artist.search_key.char_indices() {
            if previous.is_some_and(|c| !c.is_alphanumeric()) {
                word_starts.push(((start + offset) as u32, i as u32));
            }
            previous = Some(ch);
        }
    }
    let hay = haystack.as_bytes();
    let rest = |&(offset, i): &(u32, u32)| &hay[offset as usize..key_end(i as usize)];
    word_starts.sort_unstable_by(|a, b| rest(a).cmp(rest(b)).then(a.1.cmp(&b.1)));
    word_starts
}

/// Artist positions by name key, keyed by the key's hash alone so that building it
/// copies no name (a lookup compares the name itself). A key whose hash another key
/// already holds (practically never) goes to `spill`. Like a map, a later insert of the
/// same key wins.
pub(super) struct NameKeys {
    by_hash: FxHashMap<u64, u32>,
    spill: Vec<u32>,
}

impl NameKeys {
    pub(super) fn with_capacity(n: usize) -> Self {
        NameKeys {
            by_hash: FxHashMap::with_capacity_and_hasher(n, FxBuildHasher),
            spill: Vec::new(),
        }
    }

    fn hash(key: &str) -> u64 {
        FxBuildHasher.hash_one(key)
    }

    pub(super) fn insert(&mut self, artists: &[ArtistSummary], i: u32) {
        let key = &artists[i as usize].name_key;
        match self.by_hash.entry(NameKeys::hash(key)) {
            Entry::Occupied(slot) if artists[*slot.get() as usize].name_key != *key => {
                self.spill.push(i);
            }
            Entry::Occupied(mut slot) => {
                slot.insert(i);
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }

    pub(super) fn get(&self, artists: &[ArtistSummary], key: &str) -> Option<u32> {
        let same = |&i: &u32| artists[i as usize].name_key == key;
        match self.by_hash.get(&NameKeys::hash(key)) {
            Some(i) if same(i) => Some(*i),
            Some(_) => self.spill.iter().rev().copied().find(|i| same(i)),
            None => None,
        }
    }
}
