//! The artists themselves, kept compactly: each one's numbers in one array, every name in
//! one string, and an `ArtistSummary` made the first time an artist is asked for (then
//! kept with the index, so references to it live as long as the index).
//!
//! At 140,000 artists the summaries themselves (184 bytes each, and three strings of
//! their own) took about 33 MB; these arrays take about 17 MB, plus the summaries made
//! so far. The search key is the index's (its haystack), and the name key is stored
//! only where it differs from it (names with accents). The numbers are the ones the
//! artists were read into (`records`), moved, not copied.

use std::{
    io::{self, Read, Write},
    sync::OnceLock,
};

use super::records::{ArtistRecords, Numbers};
use crate::binary::{BinaryReader, BinaryWriter};
use crate::{catalog::artists::summary::ArtistSummary, model::AudioFeatures};

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
    /// `artists` in index order. Their numbers are kept as they are; their text is
    /// written anew without the search keys (the index's haystack has them).
    pub(super) fn build(mut artists: ArtistRecords) -> Artists {
        let n = artists.len();
        let stored_key = |i: usize| {
            let key = artists.name_key(i);
            (key != artists.search_key(i)).then_some(key)
        };
        let text_bytes: usize = (0..n)
            .map(|i| artists.name(i).len() + stored_key(i).map_or(0, str::len))
            .sum();
        let mut text = String::with_capacity(text_bytes);
        let mut text_at = Vec::with_capacity(n + 1);
        let mut name_len = Vec::with_capacity(n);
        let mut key_len = Vec::with_capacity(n);
        for i in 0..n {
            text_at.push(text.len() as u32);
            let name = artists.name(i);
            text.push_str(name);
            name_len.push(name.len() as u32);
            match stored_key(i) {
                None => key_len.push(SAME_AS_SEARCH_KEY),
                Some(key) => {
                    text.push_str(key);
                    key_len.push(key.len() as u32);
                }
            }
        }
        text_at.push(text.len() as u32);
        let mut numbers = std::mem::take(&mut artists.numbers);
        // Room for artists that were left out (no tracks) is handed back.
        numbers.shrink_to_fit();
        Artists {
            numbers,
            text,
            text_at,
            name_len,
            key_len,
            made: (0..n).map(|_| OnceLock::new()).collect(),
        }
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

    /// How many summaries have been made (tests: what a search leaves behind).
    #[cfg(test)]
    pub(super) fn made_count(&self) -> usize {
        self.made.iter().filter(|made| made.get().is_some()).count()
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

/// The artists in the catalog snapshot file: their numbers column by column, and the text
/// with its offsets. What `check` proves of the offsets is what `name` and `name_key` need.
impl Artists {
    pub(super) fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        let column = |f: fn(&Numbers) -> i32| self.numbers.iter().map(f).collect::<Vec<_>>();
        w.array(&column(|n| n.id))?;
        let averages: Vec<[f64; 9]> = self.numbers.iter().map(|n| n.averages.to_array()).collect();
        w.array(&averages)?;
        for n in &self.numbers {
            w.option(n.avg_popularity)?;
            w.option(n.min_year)?;
            w.option(n.max_year)?;
        }
        w.text(&self.text)?;
        w.array(&self.text_at)?;
        w.array(&self.name_len)?;
        w.array(&self.key_len)
    }

    pub(super) fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<Artists> {
        let ids: Vec<i32> = r.array()?;
        let averages: Vec<[f64; 9]> = r.array()?;
        if averages.len() != ids.len() {
            return Err(invalid("the artists' columns differ in length"));
        }
        let mut numbers = Vec::with_capacity(ids.len());
        for (id, averages) in ids.into_iter().zip(averages) {
            numbers.push(Numbers {
                id,
                averages: AudioFeatures::from_array(averages),
                avg_popularity: r.option()?,
                min_year: r.option()?,
                max_year: r.option()?,
            });
        }
        let artists = Artists {
            made: (0..numbers.len()).map(|_| OnceLock::new()).collect(),
            numbers,
            text: r.text()?,
            text_at: r.array()?,
            name_len: r.array()?,
            key_len: r.array()?,
        };
        artists.check().map_err(invalid)?;
        Ok(artists)
    }

    fn check(&self) -> Result<(), &'static str> {
        let n = self.numbers.len();
        if self.name_len.len() != n || self.key_len.len() != n || self.text_at.len() != n + 1 {
            return Err("the artists' columns differ in length");
        }
        if self.text_at.last().map(|&end| end as usize) != Some(self.text.len()) {
            return Err("the artists' text does not end where its offsets say");
        }
        for i in 0..n {
            let (start, end) = (self.text_at[i] as usize, self.text_at[i + 1] as usize);
            let name_end = start.saturating_add(self.name_len[i] as usize);
            let key_end = match self.key_len[i] {
                SAME_AS_SEARCH_KEY => name_end,
                len => name_end.saturating_add(len as usize),
            };
            if start > end || key_end != end || !self.text.is_char_boundary(start) {
                return Err("an artist's name lies outside the text");
            }
            if !self.text.is_char_boundary(name_end) {
                return Err("an artist's name ends inside a character");
            }
        }
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.numbers.len()
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}
