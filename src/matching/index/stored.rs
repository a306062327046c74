//! The index in the catalog snapshot file: its columns in tree order, as arrays. The
//! groups' boxes and summaries are not stored; they are computed again from the
//! columns on reading (a pass over the blocks, a few per cent of a build), so they can
//! never disagree with them.

use std::io::{self, Read, Write};

use super::{Block, FeatureIndex, TreeColumns, FULL_SCALE, LEAF, NO_GENRE};
use crate::binary::{BinaryReader, BinaryWriter};

impl FeatureIndex {
    pub(crate) fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.array(&self.ids)?;
        w.array(&self.artist)?;
        w.array(&self.genre)?;
        w.array(&self.year)?;
        w.array(&self.popularity)?;
        w.bools(&self.explicit)?;
        w.array::<Block>(&self.blocks)?;
        w.value(self.genre_sets.len() as u64)?;
        for set in &self.genre_sets {
            w.array(set)?;
        }
        w.value(self.genres.len() as u64)?;
        for genre in &self.genres {
            w.text(genre)?;
        }
        Ok(())
    }

    pub(crate) fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<FeatureIndex> {
        let ids = r.array()?;
        let artist = r.array()?;
        let genre = r.array()?;
        let year = r.array()?;
        let popularity = r.array()?;
        let explicit = r.bools()?;
        let blocks = r.array::<Block>()?;
        let sets: u64 = r.value()?;
        let genre_sets = (0..sets).map(|_| r.array()).collect::<io::Result<_>>()?;
        let genre_count: u64 = r.value()?;
        let genres = (0..genre_count)
            .map(|_| r.text())
            .collect::<io::Result<_>>()?;
        let columns = TreeColumns {
            ids,
            artist,
            genre,
            year,
            popularity,
            explicit,
            blocks,
            genre_sets,
            genres,
        };
        check(&columns).map_err(|what| io::Error::new(io::ErrorKind::InvalidData, what))?;
        Ok(FeatureIndex::from_columns(columns))
    }
}

/// What the index's code takes for granted about its columns, checked so that a file
/// that passes its checksum but was written wrongly is refused instead of panicking a
/// search later.
fn check(c: &TreeColumns) -> Result<(), &'static str> {
    let n = c.ids.len();
    let lengths = [
        c.artist.len(),
        c.genre.len(),
        c.year.len(),
        c.popularity.len(),
        c.explicit.len(),
    ];
    if lengths.iter().any(|&len| len != n) {
        return Err("the index's columns differ in length");
    }
    if c.blocks.len() != n.div_ceil(LEAF) {
        return Err("the index's blocks do not match its tracks");
    }
    // The search's exact integer arithmetic is proved for values on the scale only.
    let on_scale = |v: &i32| (0..=FULL_SCALE).contains(v);
    if !c.blocks.iter().flatten().flatten().all(on_scale) {
        return Err("a feature value is off the fixed-point scale");
    }
    if c.genres.len() > usize::from(NO_GENRE) || c.genre_sets.len() > usize::from(NO_GENRE) {
        return Err("the index has too many genres");
    }
    if c.genre
        .iter()
        .any(|&g| g != NO_GENRE && usize::from(g) >= c.genre_sets.len())
    {
        return Err("a track's genre set is out of range");
    }
    let genres = c.genres.len();
    if c.genre_sets
        .iter()
        .flatten()
        .any(|&g| usize::from(g) >= genres)
    {
        return Err("a genre set names a genre out of range");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::AudioFeatures;
    use crate::matching::index::{FeatureIndexBuilder, IndexedTrack};

    fn sample_index(n: i32) -> FeatureIndex {
        let mut builder = FeatureIndexBuilder::default();
        for i in 0..n {
            let x = f64::from(i) / f64::from(n);
            let track = IndexedTrack {
                id: i + 1,
                features: AudioFeatures {
                    danceability: x,
                    energy: 1.0 - x,
                    acousticness: (x * 7.0) % 1.0,
                    instrumentalness: (x * 3.0) % 1.0,
                    valence: (x * 5.0) % 1.0,
                    speechiness: 0.1,
                    liveness: 0.2,
                    tempo: 60.0 + 100.0 * x,
                    loudness: -20.0 * x,
                },
                popularity: (i % 3 != 0).then_some(i % 100),
                genre: None,
                release_year: (i % 5 != 0).then_some(1960 + i % 60),
                explicit: Some(i % 7 == 0),
                main_artist: Some(i % 40),
            };
            let genres: &[&str] = match i % 4 {
                0 => &[],
                1 => &["rock"],
                2 => &["rock", "pop"],
                _ => &["jazz"],
            };
            builder.push_with_genres(&track, genres);
        }
        builder.finish()
    }

    fn round_trip(index: &FeatureIndex) -> io::Result<FeatureIndex> {
        crate::binary::round_trip(|w| index.write_to(w), FeatureIndex::read_from)
    }

    #[test]
    fn an_index_reads_back_the_same_and_answers_the_same() {
        let index = sample_index(5_000);
        let read = round_trip(&index).expect("round trip");
        assert_eq!(read.ids, index.ids);
        assert_eq!(read.blocks, index.blocks);
        assert_eq!(read.genre_names(17), index.genre_names(17));
        assert_eq!(read.genres(), index.genres());
        assert_eq!(read.has_explicit(), index.has_explicit());
        assert_eq!(read.groups.len(), index.groups.len());
        for (a, b) in read.groups.iter().zip(&index.groups) {
            assert_eq!(
                (a.lo, a.hi, a.all.genre_bits),
                (b.lo, b.hi, b.all.genre_bits)
            );
        }
        assert_eq!(read.group_lo, index.group_lo);
        assert_eq!(read.group_hi, index.group_hi);
    }

    #[test]
    fn an_empty_index_reads_back() {
        let read = round_trip(&FeatureIndex::default()).expect("round trip");
        assert!(read.is_empty());
    }

    #[test]
    fn inconsistent_columns_are_refused() {
        let mut index = sample_index(100);
        index.genre[3] = 9_999;
        assert!(round_trip(&index).is_err());
        let mut index = sample_index(100);
        index.year.pop();
        assert!(round_trip(&index).is_err());
        let mut index = sample_index(100);
        index.blocks.pop();
        assert!(round_trip(&index).is_err());
        let mut index = sample_index(100);
        index.blocks[1][4][7] = -1;
        assert!(round_trip(&index).is_err());
    }
}
