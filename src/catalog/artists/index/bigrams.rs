//! Character bigrams: what "did you mean" narrows its candidates by before computing
//! edit distances.

use std::io::{self, Read, Write};

use rustc_hash::FxHashMap;

use crate::binary::{BinaryReader, BinaryWriter};

/// The distinct pairs of adjacent characters of a key, each packed into a u64.
pub(super) fn distinct_bigrams(key: &str) -> Vec<u64> {
    let mut pairs = Vec::new();
    distinct_bigrams_into(key, &mut pairs);
    pairs
}

/// `distinct_bigrams` into a reused buffer: the index computes them for every artist.
pub(super) fn distinct_bigrams_into(key: &str, pairs: &mut Vec<u64>) {
    pairs.clear();
    let mut chars = key.chars();
    let Some(mut previous) = chars.next() else {
        return;
    };
    for ch in chars {
        pairs.push((u64::from(previous as u32) << 32) | u64::from(ch as u32));
        previous = ch;
    }
    pairs.sort_unstable();
    pairs.dedup();
}

/// Character bigram -> the artists whose key contains it (each artist once, ascending),
/// as three flat arrays: the sorted bigrams, where each one's artists end, and the
/// artists. A map to one small array per bigram held about 19 MB at 140,000 artists
/// (arrays grown by doubling, and a header each); this is about 7 MB.
#[derive(Default)]
pub(super) struct BigramPostings {
    bigrams: Vec<u64>,
    /// `postings[ends[k - 1]..ends[k]]` are the artists of `bigrams[k]`.
    ends: Vec<u32>,
    postings: Vec<u32>,
}

impl BigramPostings {
    /// `keys` in index order; it is walked twice (count, then fill).
    pub(super) fn build<'a>(keys: impl Iterator<Item = &'a str> + Clone) -> BigramPostings {
        let mut pairs = Vec::new();
        let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
        for key in keys.clone() {
            distinct_bigrams_into(key, &mut pairs);
            for &bigram in &pairs {
                *counts.entry(bigram).or_default() += 1;
            }
        }
        let mut bigrams: Vec<u64> = counts.keys().copied().collect();
        bigrams.sort_unstable();
        let mut ends = Vec::with_capacity(bigrams.len());
        let mut total = 0u32;
        for bigram in &bigrams {
            // Each bigram's write position, from its start; `ends` ends up as the ends.
            let count = counts.get(bigram).copied().unwrap_or(0);
            counts.insert(*bigram, total);
            total += count;
            ends.push(total);
        }
        let mut postings = vec![0u32; total as usize];
        for (i, key) in keys.enumerate() {
            distinct_bigrams_into(key, &mut pairs);
            for bigram in &pairs {
                if let Some(at) = counts.get_mut(bigram) {
                    postings[*at as usize] = i as u32;
                    *at += 1;
                }
            }
        }
        BigramPostings {
            bigrams,
            ends,
            postings,
        }
    }

    pub(super) fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.array(&self.bigrams)?;
        w.array(&self.ends)?;
        w.array(&self.postings)
    }

    /// Read from the snapshot file; `Err` unless `get` can slice every bigram's artists
    /// and each is below `artists`.
    pub(super) fn read_from<R: Read>(
        r: &mut BinaryReader<R>,
        artists: usize,
    ) -> io::Result<BigramPostings> {
        let postings = BigramPostings {
            bigrams: r.array()?,
            ends: r.array()?,
            postings: r.array()?,
        };
        let ends_fit = postings.ends.len() == postings.bigrams.len()
            && postings.ends.windows(2).all(|w| w[0] <= w[1])
            && postings.ends.last().map_or(0, |&e| e as usize) == postings.postings.len();
        if !ends_fit || postings.postings.iter().any(|&i| i as usize >= artists) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the bigram lists do not fit the artists",
            ));
        }
        Ok(postings)
    }

    /// The artists whose key contains `bigram`, ascending.
    pub(super) fn get(&self, bigram: u64) -> &[u32] {
        let Ok(k) = self.bigrams.binary_search(&bigram) else {
            return &[];
        };
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.postings[start..self.ends[k] as usize]
    }
}
