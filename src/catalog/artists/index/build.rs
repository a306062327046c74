//! The parts of the artist index built once per catalog version: lookups by id, name
//! key and bigram, the similarity vectors, and the text the suggestions scan.
//!
//! The hash maps are keyed by ids, bigrams and folded names, all from the imported
//! catalog (never from a request), so they use FxHash (rustc-hash) rather than SipHash,
//! whose resistance to chosen keys they do not need: hashing was a good part of
//! building the index.

use std::{
    cmp::Reverse,
    hash::BuildHasher,
    io::{self, Read, Write},
};

use rustc_hash::FxBuildHasher;

use super::{bigrams::BigramPostings, records::ArtistRecords};
use crate::binary::{BinaryReader, BinaryWriter};
use crate::catalog::artists::vector::{scaled_averages, SIMILARITY_FEATURES};

/// Separates keys in the haystack; stripped from queries so a hit never spans two keys.
pub(super) const SEPARATOR: char = '\0';

/// The index's parts found by id, name key or bigram, and the similarity vectors.
pub(super) struct Lookups {
    pub by_id: ById,
    pub by_name_key: NameKeys,
    pub bigrams: BigramPostings,
    pub vectors: Vec<[f32; SIMILARITY_FEATURES.len()]>,
}

impl Lookups {
    /// `artists` in index order.
    pub(super) fn build(artists: &ArtistRecords) -> Lookups {
        let bigrams = BigramPostings::build((0..artists.len()).map(|i| artists.search_key(i)));
        let vectors = (0..artists.len())
            .map(|i| scaled_averages(artists.averages(i)))
            .collect();
        Lookups {
            by_id: ById::build(artists),
            by_name_key: NameKeys::build(artists),
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
    pub(super) fn build(artists: &ArtistRecords) -> TextSearch {
        let n = artists.len();
        let total_bytes: usize = (0..n).map(|i| artists.search_key(i).len() + 1).sum();
        let mut haystack = String::with_capacity(total_bytes);
        let mut starts = Vec::with_capacity(n);
        let mut key_chars = Vec::with_capacity(n);
        let counts = artists.counts.clone();
        for i in 0..n {
            let key = artists.search_key(i);
            starts.push(haystack.len() as u32);
            haystack.push_str(key);
            haystack.push(SEPARATOR);
            key_chars.push(key.chars().count().min(u16::MAX as usize) as u16);
        }
        let word_starts = sorted_word_starts(artists, &haystack, &starts);
        let mut by_count: Vec<u32> = (0..n as u32).collect();
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
fn sorted_word_starts(artists: &ArtistRecords, haystack: &str, starts: &[u32]) -> Vec<(u32, u32)> {
    let key_end =
        |i: usize| -> usize { starts.get(i + 1).map_or(haystack.len(), |&s| s as usize) - 1 };
    let mut word_starts: Vec<(u32, u32)> = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let start = start as usize;
        let key = artists.search_key(i);
        if key.is_ascii() {
            // The same rule a byte at a time: most keys are ASCII once folded.
            for (offset, pair) in key.as_bytes().windows(2).enumerate() {
                if !pair[0].is_ascii_alphanumeric() {
                    word_starts.push(((start + offset + 1) as u32, i as u32));
                }
            }
            continue;
        }
        let mut previous: Option<char> = None;
        for (offset, ch) in key.char_indices() {
            if previous.is_some_and(|c| !c.is_alphanumeric()) {
                word_starts.push(((start + offset) as u32, i as u32));
            }
            previous = Some(ch);
        }
    }
    word_starts.shrink_to_fit();
    let hay = haystack.as_bytes();
    let rest = |&(offset, i): &(u32, u32)| &hay[offset as usize..key_end(i as usize)];
    word_starts.sort_unstable_by(|a, b| rest(a).cmp(rest(b)).then(a.1.cmp(&b.1)));
    word_starts
}

/// Artist positions by id: the ids sorted, beside their positions (8 bytes an artist,
/// against a hash map's 16). Like a map, of two artists with one id the later wins.
pub(super) struct ById {
    ids: Vec<i32>,
    at: Vec<u32>,
}

impl ById {
    fn build(artists: &ArtistRecords) -> ById {
        let mut pairs: Vec<(i32, u32)> = (0..artists.len())
            .map(|i| (artists.id(i), i as u32))
            .collect();
        pairs.sort_unstable();
        // Of equal ids keep the last position (sorted last).
        let mut kept: Vec<(i32, u32)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match kept.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => kept.push(pair),
            }
        }
        ById {
            ids: kept.iter().map(|p| p.0).collect(),
            at: kept.iter().map(|p| p.1).collect(),
        }
    }

    pub(super) fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.array(&self.ids)?;
        w.array(&self.at)
    }

    /// Read from the snapshot file; `Err` unless every position is below `artists`.
    pub(super) fn read_from<R: Read>(r: &mut BinaryReader<R>, artists: usize) -> io::Result<ById> {
        let (ids, at) = (r.array()?, r.array()?);
        positions_check(&ids, &at, artists)?;
        Ok(ById { ids, at })
    }

    pub(super) fn get(&self, id: i32) -> Option<u32> {
        self.ids.binary_search(&id).ok().map(|k| self.at[k])
    }
}

/// Artist positions by name key, found by the key's hash so that building it copies no
/// name (a lookup compares the name itself): the hashes sorted, beside their positions,
/// 12 bytes an artist. Keys sharing a hash (practically never) sit side by side and are
/// told apart by the comparison. Like a map, a later artist with the same key wins.
pub(super) struct NameKeys {
    hashes: Vec<u64>,
    at: Vec<u32>,
}

impl NameKeys {
    fn hash(key: &str) -> u64 {
        FxBuildHasher.hash_one(key)
    }

    fn build(artists: &ArtistRecords) -> NameKeys {
        let mut pairs: Vec<(u64, u32)> = (0..artists.len())
            .map(|i| (NameKeys::hash(artists.name_key(i)), i as u32))
            .collect();
        pairs.sort_unstable();
        NameKeys {
            hashes: pairs.iter().map(|p| p.0).collect(),
            at: pairs.iter().map(|p| p.1).collect(),
        }
    }

    pub(super) fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.array(&self.hashes)?;
        w.array(&self.at)
    }

    /// Read from the snapshot file; `Err` unless every position is below `artists`.
    pub(super) fn read_from<R: Read>(
        r: &mut BinaryReader<R>,
        artists: usize,
    ) -> io::Result<NameKeys> {
        let (hashes, at) = (r.array()?, r.array()?);
        positions_check(&hashes, &at, artists)?;
        Ok(NameKeys { hashes, at })
    }

    /// The position of the artist whose name key (`name_key_of` a position) is `key`.
    pub(super) fn get<'a>(&self, key: &str, name_key_of: impl Fn(u32) -> &'a str) -> Option<u32> {
        let hash = NameKeys::hash(key);
        let lo = self.hashes.partition_point(|h| *h < hash);
        let len = self.hashes[lo..].partition_point(|h| *h == hash);
        // Positions ascend within a hash: the last match is the latest artist.
        self.at[lo..lo + len]
            .iter()
            .rev()
            .copied()
            .find(|&i| name_key_of(i) == key)
    }
}

/// A lookup read from the snapshot file: one position per key, each an artist's.
fn positions_check<K>(keys: &[K], at: &[u32], artists: usize) -> io::Result<()> {
    if keys.len() != at.len() || at.iter().any(|&i| i as usize >= artists) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "an artist lookup points outside the artists",
        ));
    }
    Ok(())
}
