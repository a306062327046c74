//! The artists themselves, kept compactly: each one's numbers in one array, every name in
//! one string, and an `ArtistSummary` made the first time an artist is asked for (then
//! kept with the index, so references to it live as long as the index).
//!
//! At 140,000 artists the summaries themselves (184 bytes each, and three strings of
//! their own) took about 33 MB; these arrays take about 17 MB, plus the summaries made
//! so far. The search key is the index's (its haystack), and the name key is stored
//! only where it differs from it (names with accents).

use std::sync::OnceLock;

use crate::catalog::{artists::summary::ArtistSummary, feature::AudioFeatures};

/// An artist's numbers, as in `ArtistSummary` (the track count is the index's `counts`).
struct Numbers {
    id: i32,
    averages: AudioFeatures,
    avg_popularity: Option<f64>,
    min_year: Option<i32>,
    max_year: Option<i32>,
}

/// A name key the same as the search key is not stored.
const SAME_AS_SEARCH_KEY: u32 = u32::MAX;

pub(super) struct Artists {
    numbers: Vec<Numbers>,
    /// Each artist's name, then its name key when that is stored, artist after artist.
    text: String,
    /// Where each artist's part of `text` starts, and one more: the end.
    text_at: Vec<u32>,
    /// The name's length in bytes; the rest of the part is the name key.
    name_len: Vec<u32>,
    /// `SAME_AS_SEARCH_KEY`, or the name key's length (the rest of the part).
    key_len: Vec<u32>,
    made: Vec<OnceLock<Box<ArtistSummary>>>,
}

impl Artists {
    /// `artists` in index order, each with its search key as the index keeps it.
    pub(super) fn build(artists: Vec<ArtistSummary>) -> Artists {
        let n = artists.len();
        let text_bytes: usize = artists
            .iter()
            .map(|a| {
                a.name.len()
                    + if a.name_key == a.search_key {
                        0
                    } else {
                        a.name_key.len()
                    }
            })
            .sum();
        let mut columns = Artists {
            numbers: Vec::with_capacity(n),
            text: String::with_capacity(text_bytes),
            text_at: Vec::with_capacity(n + 1),
            name_len: Vec::with_capacity(n),
            key_len: Vec::with_capacity(n),
            made: Vec::new(),
        };
        for a in artists {
            columns.text_at.push(columns.text.len() as u32);
            columns.text.push_str(&a.name);
            columns.name_len.push(a.name.len() as u32);
            if a.name_key == a.search_key {
                columns.key_len.push(SAME_AS_SEARCH_KEY);
            } else {
                columns.text.push_str(&a.name_key);
                columns.key_len.push(a.name_key.len() as u32);
            }
            columns.numbers.push(Numbers {
                id: a.id,
                averages: a.averages,
                avg_popularity: a.avg_popularity,
                min_year: a.min_year,
                max_year: a.max_year,
            });
        }
        columns.text_at.push(columns.text.len() as u32);
        columns.made = (0..n).map(|_| OnceLock::new()).collect();
        columns
    }

    pub(super) fn id(&self, i: usize) -> i32 {
        self.numbers[i].id
    }

    pub(super) fn name(&self, i: usize) -> &str {
        let start = self.text_at[i] as usize;
        &self.text[start..start + self.name_len[i] as usize]
    }

    /// The name key, or `None` when it is the search key.
    pub(super) fn name_key(&self, i: usize) -> Option<&str> {
        if self.key_len[i] == SAME_AS_SEARCH_KEY {
            return None;
        }
        let start = self.text_at[i] as usize + self.name_len[i] as usize;
        Some(&self.text[start..self.text_at[i + 1] as usize])
    }

    /// Artist `i` as a summary, made on first use from `search_key` and `track_count`
    /// (the index's) and the numbers here.
    pub(super) fn summary(&self, i: usize, search_key: &str, track_count: i32) -> &ArtistSummary {
        self.made[i].get_or_init(|| {
            let numbers = &self.numbers[i];
            Box::new(ArtistSummary {
                id: numbers.id,
                name: self.name(i).to_string(),
                name_key: self.name_key(i).unwrap_or(search_key).to_string(),
                search_key: search_key.to_string(),
                track_count,
                averages: numbers.averages,
                avg_popularity: numbers.avg_popularity,
                min_year: numbers.min_year,
                max_year: numbers.max_year,
            })
        })
    }
}
