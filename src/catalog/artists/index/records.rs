//! Artists as they are read, before the index is built from them: their numbers in one
//! array and their three strings in one text, with no allocation of their own.
//!
//! The catalog's artists used to arrive as one `ArtistSummary` each (184 bytes and three
//! strings). At 370,000 artists (1.2M rows in the TidyTuesday layout) those rows took
//! about 100 MB at start-up, on top of the index built from them, and 1.1 million
//! allocations; these columns take about 175 bytes an artist and a handful of
//! allocations, and the index keeps its numbers without copying them (`columns`).

use std::cmp::Ordering;

use super::build::SEPARATOR;
pub use crate::model::artist::ArtistRecord;
use crate::model::{artist::ArtistSummary, AudioFeatures};

/// An artist's numbers, as in `ArtistSummary` (the track count is kept apart: ranking
/// scans read the counts alone).
pub(super) struct Numbers {
    pub id: i32,
    pub averages: AudioFeatures,
    pub avg_popularity: Option<f64>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

/// Artists in columns, in the order they were pushed until `into_index_order`.
#[derive(Default)]
pub struct ArtistRecords {
    pub(super) numbers: Vec<Numbers>,
    pub(super) counts: Vec<i32>,
    /// Each artist's name, name key and search key, one after the other. Reordering the
    /// artists moves their offsets, never the text.
    text: String,
    text_at: Vec<u32>,
    name_len: Vec<u32>,
    name_key_len: Vec<u32>,
    search_key_len: Vec<u32>,
}

impl ArtistRecords {
    pub fn with_capacity(artists: usize) -> ArtistRecords {
        ArtistRecords {
            numbers: Vec::with_capacity(artists),
            counts: Vec::with_capacity(artists),
            // Three keys of about 15 bytes each, typically.
            text: String::with_capacity(artists * 48),
            text_at: Vec::with_capacity(artists),
            name_len: Vec::with_capacity(artists),
            name_key_len: Vec::with_capacity(artists),
            search_key_len: Vec::with_capacity(artists),
        }
    }

    /// Adds an artist. Offsets are 32-bit, as in the index's haystack: a catalog's
    /// names would need 4 GiB to overflow them.
    pub fn push(&mut self, artist: ArtistRecord<'_>) {
        let start = self.text.len();
        self.text.push_str(artist.name);
        self.text.push_str(artist.name_key);
        // Stored keys never hold NUL, the index's separator; strip it anyway so the
        // haystack stays sound.
        let search_start = self.text.len();
        if artist.search_key.contains(SEPARATOR) {
            self.text
                .extend(artist.search_key.chars().filter(|&c| c != SEPARATOR));
        } else {
            self.text.push_str(artist.search_key);
        }
        self.text_at.push(start as u32);
        self.name_len.push(artist.name.len() as u32);
        self.name_key_len.push(artist.name_key.len() as u32);
        self.search_key_len
            .push((self.text.len() - search_start) as u32);
        self.counts.push(artist.track_count);
        self.numbers.push(Numbers {
            id: artist.id,
            averages: artist.averages,
            avg_popularity: artist.avg_popularity,
            min_year: artist.min_year,
            max_year: artist.max_year,
        });
    }

    /// Adds a summary's artist.
    pub fn push_summary(&mut self, artist: &ArtistSummary) {
        self.push(ArtistRecord {
            id: artist.id,
            name: &artist.name,
            name_key: &artist.name_key,
            search_key: &artist.search_key,
            track_count: artist.track_count,
            averages: artist.averages,
            avg_popularity: artist.avg_popularity,
            min_year: artist.min_year,
            max_year: artist.max_year,
        })
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    pub(super) fn id(&self, i: usize) -> i32 {
        self.numbers[i].id
    }

    pub(super) fn averages(&self, i: usize) -> &AudioFeatures {
        &self.numbers[i].averages
    }

    pub(super) fn name(&self, i: usize) -> &str {
        let start = self.text_at[i] as usize;
        &self.text[start..start + self.name_len[i] as usize]
    }

    pub(super) fn name_key(&self, i: usize) -> &str {
        let start = self.text_at[i] as usize + self.name_len[i] as usize;
        &self.text[start..start + self.name_key_len[i] as usize]
    }

    pub(super) fn search_key(&self, i: usize) -> &str {
        let start =
            self.text_at[i] as usize + self.name_len[i] as usize + self.name_key_len[i] as usize;
        &self.text[start..start + self.search_key_len[i] as usize]
    }

    /// The index's order: search key, then more tracks, then id.
    fn index_order(&self, a: usize, b: usize) -> Ordering {
        self.search_key(a)
            .cmp(self.search_key(b))
            .then(self.counts[b].cmp(&self.counts[a]))
            .then(self.numbers[a].id.cmp(&self.numbers[b].id))
    }

    /// Puts the artists in the index's order. Artists already in it (as the database
    /// reads them, through its search-key index) cost one comparison each: the sort is
    /// stable and finds the one sorted run.
    pub fn into_index_order(mut self) -> ArtistRecords {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_by(|&a, &b| self.index_order(a as usize, b as usize));
        if order.iter().enumerate().any(|(p, &i)| p as u32 != i) {
            self.reorder(order);
        }
        self
    }

    /// Rearranges the artists so that position `p` holds the artist that was at
    /// `order[p]` (a permutation of the positions).
    pub fn reorder(&mut self, order: Vec<u32>) {
        permute(order, |a, b| {
            self.numbers.swap(a, b);
            self.counts.swap(a, b);
            self.text_at.swap(a, b);
            self.name_len.swap(a, b);
            self.name_key_len.swap(a, b);
            self.search_key_len.swap(a, b);
        });
    }
}

/// Applies the permutation `order` (position `p` takes what was at `order[p]`) through
/// `swap`, in place: one swap per move, no copy.
pub fn permute(mut order: Vec<u32>, mut swap: impl FnMut(usize, usize)) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        let mut hole = start;
        loop {
            let from = order[hole] as usize;
            order[hole] = DONE;
            if from == start {
                break;
            }
            swap(hole, from);
            hole = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_places_each_item_where_the_order_says() {
        // Cycles of length 1, 2 and 3.
        let mut items = vec!["a", "b", "c", "d", "e", "f"];
        permute(vec![0, 2, 1, 5, 3, 4], |a, b| items.swap(a, b));
        assert_eq!(items, ["a", "c", "b", "f", "d", "e"]);
        let mut none: Vec<u8> = Vec::new();
        permute(Vec::new(), |a, b| none.swap(a, b));
        assert!(none.is_empty());
    }

    fn record<'a>(id: i32, name: &'a str, key: &'a str, count: i32) -> ArtistRecord<'a> {
        ArtistRecord {
            id,
            name,
            name_key: name,
            search_key: key,
            track_count: count,
            averages: AudioFeatures::default(),
            avg_popularity: None,
            min_year: None,
            max_year: None,
        }
    }

    #[test]
    fn index_order_sorts_keys_then_more_tracks_then_id_and_keeps_each_artists_text() {
        let mut records = ArtistRecords::with_capacity(0);
        records.push(record(7, "Zed", "zed", 1));
        records.push(record(3, "Abba", "abba", 2));
        records.push(record(9, "ABBA", "abba", 5));
        records.push(record(2, "Abba!", "abba", 5));
        records.push(record(5, "Nul", "n\0ul", 1));
        let records = records.into_index_order();
        let seen: Vec<(i32, &str, &str, i32)> = (0..records.len())
            .map(|i| {
                (
                    records.id(i),
                    records.name(i),
                    records.search_key(i),
                    records.counts[i],
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (2, "Abba!", "abba", 5),
                (9, "ABBA", "abba", 5),
                (3, "Abba", "abba", 2),
                (5, "Nul", "nul", 1),
                (7, "Zed", "zed", 1),
            ]
        );
        assert_eq!(records.name_key(1), "ABBA");
    }
}
