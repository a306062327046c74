//! The artist index in the catalog snapshot file: every part as built, so reading it
//! needs no sorting and no hashing. Each part checks, as it is read, what the search
//! code takes for granted of it (positions below the artist count, offsets on
//! character boundaries), so a file written wrongly is refused instead of panicking
//! a search later.

use std::io::{self, Read, Write};

use super::{
    bigrams::BigramPostings,
    build::{ById, NameKeys},
    columns::Artists,
    ArtistIndex,
};
use crate::binary::{BinaryReader, BinaryWriter};

impl ArtistIndex {
    pub fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        self.artists.write_to(w)?;
        self.by_id.write_to(w)?;
        self.by_name_key.write_to(w)?;
        w.text(&self.haystack)?;
        w.array(&self.starts)?;
        w.array(&self.key_chars)?;
        w.array(&self.counts)?;
        w.array(&self.by_count)?;
        let word_starts: Vec<[u32; 2]> = self.word_starts.iter().map(|&(a, b)| [a, b]).collect();
        w.array(&word_starts)?;
        self.bigrams.write_to(w)?;
        w.array(&self.vectors)?;
        w.option(self.reference_popularity)
    }

    pub fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<ArtistIndex> {
        let artists = Artists::read_from(r)?;
        let n = artists.len();
        let by_id = ById::read_from(r, n)?;
        let by_name_key = NameKeys::read_from(r, n)?;
        let haystack = r.text()?;
        let starts = r.array()?;
        let key_chars = r.array()?;
        let counts = r.array()?;
        let by_count = r.array()?;
        let word_starts: Vec<[u32; 2]> = r.array()?;
        let bigrams = BigramPostings::read_from(r, n)?;
        let vectors = r.array()?;
        let index = ArtistIndex {
            artists,
            by_id,
            by_name_key,
            haystack,
            starts,
            key_chars,
            counts,
            by_count,
            word_starts: word_starts.into_iter().map(|[a, b]| (a, b)).collect(),
            bigrams,
            vectors,
            reference_popularity: r.option()?,
        };
        index
            .check_text()
            .map_err(|what| io::Error::new(io::ErrorKind::InvalidData, what))?;
        Ok(index)
    }

    /// The per-artist arrays and the haystack's keys agree with the artists.
    fn check_text(&self) -> Result<(), &'static str> {
        let n = self.artists.len();
        let lengths = [
            self.starts.len(),
            self.key_chars.len(),
            self.counts.len(),
            self.by_count.len(),
            self.vectors.len(),
        ];
        if lengths.iter().any(|&len| len != n) {
            return Err("the artist index's columns differ in length");
        }
        if self.by_count.iter().any(|&i| i as usize >= n) {
            return Err("the artists by track count point outside the artists");
        }
        // Every key starts at 0 or right after a separator, and is followed by one
        // (the haystack ends with one): so `key_end` never underflows and every key is
        // a whole number of characters.
        let hay = self.haystack.as_bytes();
        let separator = |at: usize| hay.get(at) == Some(&0);
        if n > 0 && (self.starts[0] != 0 || !separator(hay.len().wrapping_sub(1))) {
            return Err("the artists' keys do not fill the haystack");
        }
        for pair in self.starts.windows(2) {
            if pair[0] >= pair[1] || !separator(pair[1] as usize - 1) {
                return Err("an artist's key is out of place in the haystack");
            }
        }
        for &(offset, i) in &self.word_starts {
            let i = i as usize;
            if i >= n
                || (offset as usize) < self.starts[i] as usize
                || offset as usize > self.key_end(i)
                || !self.haystack.is_char_boundary(offset as usize)
            {
                return Err("a word start lies outside its artist's key");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::artists::summary::ArtistSummary;
    use crate::model::AudioFeatures;

    fn artist(id: i32, name: &str, tracks: i32) -> ArtistSummary {
        let key = crate::model::artist_names::artist_search_key(name);
        ArtistSummary {
            id,
            name: name.to_string(),
            name_key: name.to_lowercase(),
            search_key: key,
            track_count: tracks,
            averages: AudioFeatures {
                energy: f64::from(id) / 10.0,
                tempo: 100.0 + f64::from(id),
                ..AudioFeatures::default()
            },
            avg_popularity: (id % 2 == 0).then_some(40.0),
            min_year: Some(1990),
            max_year: (id != 3).then_some(2001),
        }
    }

    fn sample() -> ArtistIndex {
        ArtistIndex::new(
            vec![
                artist(1, "The Beatles", 30),
                artist(2, "Beyoncé", 20),
                artist(3, "Björk", 5),
                artist(4, "Sigur Rós", 7),
                artist(5, "The Beat", 2),
            ],
            Some(42.5),
        )
    }

    fn round_trip(index: &ArtistIndex) -> io::Result<ArtistIndex> {
        crate::binary::round_trip(|w| index.write_to(w), ArtistIndex::read_from)
    }

    #[test]
    fn an_index_reads_back_and_searches_the_same() {
        let index = sample();
        let read = round_trip(&index).expect("round trip");
        let names = |i: &ArtistIndex, q: &str| -> Vec<String> {
            i.suggest(q, 10)
                .iter()
                .map(|s| s.artist.name.clone())
                .collect()
        };
        for query in ["the", "beat", "bjo", "ros", "yonce", "x"] {
            assert_eq!(names(&read, query), names(&index, query), "query {query}");
        }
        assert_eq!(read.get(4), index.get(4));
        assert_eq!(read.reference_popularity(), Some(42.5));
        let all: Vec<_> = read.iter().cloned().collect();
        let expected: Vec<_> = index.iter().cloned().collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn an_empty_index_reads_back() {
        let read = round_trip(&ArtistIndex::default()).expect("round trip");
        assert!(read.is_empty());
    }

    #[test]
    fn keys_out_of_place_are_refused() {
        let mut index = sample();
        index.starts[1] += 1;
        assert!(round_trip(&index).is_err());
        let mut index = sample();
        index.word_starts.push((0, 99));
        assert!(round_trip(&index).is_err());
        let mut index = sample();
        index.by_count[0] = 77;
        assert!(round_trip(&index).is_err());
    }
}
