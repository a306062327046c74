//! What the matching index does not hold about every track but filters and rows need:
//! key, mode, time signature, duration, raw tempo, and which song (see `versions`) the
//! track is a version of. One table per catalog version, sorted by track id, read once
//! (`cache::CatalogCaches::track_facts`) and shared by the page and the API.

use std::{
    collections::HashMap,
    io::{self, Read, Write},
};

use super::{musical_key::MusicalKey, versions::fingerprint_of_track};
use crate::binary::{BinaryReader, BinaryWriter};

/// One track's facts. Unknown values are `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackFact {
    pub id: i32,
    pub key: Option<i32>,
    pub mode: Option<i32>,
    pub time_signature: Option<i32>,
    pub duration_ms: Option<i32>,
    pub tempo: f64,
    /// The song this track is a version of: equal numbers, same song.
    pub song: u32,
}

impl TrackFact {
    pub fn musical_key(&self) -> Option<MusicalKey> {
        MusicalKey::of(self.key, self.mode)
    }
}

/// A track as read for the table: facts (with `song` still unset) plus title and
/// credited artist ids, which only the song rule needs.
pub struct FactRow {
    pub fact: TrackFact,
    pub title: String,
    pub artists: Vec<i32>,
}

/// One row as kept: 16 bytes instead of `TrackFact`'s 48, which matters at a million
/// tracks (about 18 MB against 58 MB). The id is not kept when the ids are dense (see
/// `Ids`). Unknown values use a sentinel.
#[derive(Debug, Clone, Copy)]
struct Kept {
    song: u32,
    duration_ms: i32,
    tempo: f32,
    key: i8,
    mode: i8,
    time_signature: i8,
}

const UNKNOWN_SMALL: i8 = i8::MIN;
const UNKNOWN_DURATION: i32 = i32::MIN;

fn small(value: Option<i32>) -> i8 {
    value
        .and_then(|v| i8::try_from(v).ok())
        .filter(|v| *v != UNKNOWN_SMALL)
        .unwrap_or(UNKNOWN_SMALL)
}

fn known_small(value: i8) -> Option<i32> {
    (value != UNKNOWN_SMALL).then_some(i32::from(value))
}

impl Kept {
    /// A place not filled yet (`TrackFactsBuilder::in_parts`).
    const UNSET: Kept = Kept {
        song: 0,
        duration_ms: UNKNOWN_DURATION,
        tempo: 0.0,
        key: UNKNOWN_SMALL,
        mode: UNKNOWN_SMALL,
        time_signature: UNKNOWN_SMALL,
    };

    fn of(fact: &TrackFact, song: u32) -> Kept {
        Kept {
            song,
            duration_ms: fact
                .duration_ms
                .filter(|d| *d != UNKNOWN_DURATION)
                .unwrap_or(UNKNOWN_DURATION),
            tempo: fact.tempo as f32,
            key: small(fact.key),
            mode: small(fact.mode),
            time_signature: small(fact.time_signature),
        }
    }

    fn fact(&self, id: i32) -> TrackFact {
        TrackFact {
            id,
            key: known_small(self.key),
            mode: known_small(self.mode),
            time_signature: known_small(self.time_signature),
            duration_ms: (self.duration_ms != UNKNOWN_DURATION).then_some(self.duration_ms),
            tempo: f64::from(self.tempo),
            song: self.song,
        }
    }
}

/// The rows' track ids, ascending. An import numbers tracks 1, 2, 3..., so usually a
/// row's id is the first id plus its position and no list is needed (4 bytes a track,
/// 5 MB at 1.2 million); a catalog with gaps keeps the list.
#[derive(Debug, Clone)]
enum Ids {
    Dense { first: i32 },
    Listed(Vec<i32>),
}

impl Ids {
    fn of(ids: Vec<i32>) -> Ids {
        let first = ids.first().copied().unwrap_or(0);
        let dense = ids
            .iter()
            .enumerate()
            .all(|(at, id)| i64::from(*id) == i64::from(first) + at as i64);
        if dense {
            Ids::Dense { first }
        } else {
            Ids::Listed(ids)
        }
    }

    fn id(&self, at: usize) -> i32 {
        match self {
            Ids::Dense { first } => first + at as i32,
            Ids::Listed(ids) => ids[at],
        }
    }

    /// The position of `id` among `len` rows.
    fn position(&self, id: i32, len: usize) -> Option<usize> {
        match self {
            Ids::Dense { first } => usize::try_from(i64::from(id) - i64::from(*first))
                .ok()
                .filter(|at| *at < len),
            Ids::Listed(ids) => ids.binary_search(&id).ok(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TrackFacts {
    rows: Vec<Kept>,
    ids: Ids,
    /// Versions per song number, for the songs with more than one (most have one: a
    /// count per song was another 5 MB at 1.2 million tracks).
    versions: HashMap<u32, u32>,
    songs: usize,
    /// Whether any track has a time signature (the Kaggle and TidyTuesday layouts have
    /// none, so a time-signature filter could only empty an answer there).
    any_time_signature: bool,
}

impl Default for TrackFacts {
    fn default() -> Self {
        TrackFacts {
            rows: Vec::new(),
            ids: Ids::Dense { first: 0 },
            versions: HashMap::new(),
            songs: 0,
            any_time_signature: false,
        }
    }
}

fn any_time_signature(rows: &[Kept]) -> bool {
    rows.iter().any(|k| k.time_signature != UNKNOWN_SMALL)
}

/// Builds the table one track at a time, so a million titles are never held at once:
/// each title is reduced to its song's fingerprint as it arrives (see
/// `versions::SongNumbers`). The fingerprints are numbered at the end by sorting them
/// (16 bytes a track, in one array of the catalog's size) rather than in a hash map,
/// which at 1.2 million tracks held about 100 MB while growing. 96 of the fingerprint's
/// 128 bits are kept: two different songs among a million share them with odds of about
/// 1 in 10^17.
pub struct TrackFactsBuilder {
    rows: Vec<Kept>,
    ids: Vec<i32>,
    prints: Vec<Print>,
}

/// A track's song fingerprint and its position in the builder.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Print {
    high: u64,
    low: u32,
    at: u32,
}

/// One thread's share of a `TrackFactsBuilder::in_parts`: consecutive tracks in id
/// order, pushed like the builder's.
pub struct FactsPart<'a> {
    rows: &'a mut [Kept],
    ids: &'a mut [i32],
    prints: &'a mut [Print],
    /// The builder's position of this part's first track.
    first: usize,
    filled: usize,
}

impl FactsPart<'_> {
    /// Keeps the track; false, keeping nothing, when the part is already full.
    pub fn push(&mut self, fact: TrackFact, title: &str, artists: &[i32]) -> bool {
        let at = self.filled;
        if at == self.rows.len() {
            return false;
        }
        self.prints[at] = Print::of(title, artists, self.first + at);
        self.rows[at] = Kept::of(&fact, 0);
        self.ids[at] = fact.id;
        self.filled += 1;
        true
    }

    pub fn is_full(&self) -> bool {
        self.filled == self.rows.len()
    }
}

impl Print {
    /// The print of a track with this title and these artists, at position `at`.
    fn of(title: &str, artists: &[i32], at: usize) -> Print {
        let print = fingerprint_of_track(title, artists);
        Print {
            high: (print >> 64) as u64,
            low: (print >> 32) as u32,
            at: at as u32,
        }
    }
}

impl TrackFactsBuilder {
    pub fn push(&mut self, fact: TrackFact, title: &str, artists: &[i32]) {
        self.prints.push(Print::of(title, artists, self.rows.len()));
        self.rows.push(Kept::of(&fact, 0));
        self.ids.push(fact.id);
    }

    /// A builder with a place for each of exactly `count` tracks, filled through
    /// `parts` (two threads at once, each in a part of its own: no copy when they are
    /// joined, so the memory is what `push` would have used).
    pub fn in_parts(count: usize) -> TrackFactsBuilder {
        let unset = Print {
            high: 0,
            low: 0,
            at: 0,
        };
        TrackFactsBuilder {
            rows: vec![Kept::UNSET; count],
            ids: vec![0; count],
            prints: vec![unset; count],
        }
    }

    /// The places of the first `split` tracks (in id order) and of the rest. `finish`
    /// after both are full.
    pub fn parts(&mut self, split: usize) -> (FactsPart<'_>, FactsPart<'_>) {
        let split = split.min(self.rows.len());
        let (rows_a, rows_b) = self.rows.split_at_mut(split);
        let (ids_a, ids_b) = self.ids.split_at_mut(split);
        let (prints_a, prints_b) = self.prints.split_at_mut(split);
        let part = |rows, ids, prints, first| FactsPart {
            rows,
            ids,
            prints,
            first,
            filled: 0,
        };
        (
            part(rows_a, ids_a, prints_a, 0),
            part(rows_b, ids_b, prints_b, split),
        )
    }

    pub fn finish(mut self) -> TrackFacts {
        // Songs are numbered in order of first appearance (push order): each track
        // first gets the position of its song's first track, then those become numbers.
        self.prints.sort_unstable();
        for group in self
            .prints
            .chunk_by(|a, b| (a.high, a.low) == (b.high, b.low))
        {
            let first = group[0].at;
            for p in group {
                self.rows[p.at as usize].song = first;
            }
        }
        drop(self.prints);
        let mut number_of = vec![0u32; self.rows.len()];
        let mut songs = 0u32;
        for at in 0..self.rows.len() {
            let first = self.rows[at].song as usize;
            if first == at {
                number_of[at] = songs;
                songs += 1;
            }
            self.rows[at].song = number_of[first];
        }
        drop(number_of);
        // Tracks arrive by id from the database; anything else is put in that order.
        let (rows, ids) = if self.ids.is_sorted() {
            (self.rows, self.ids)
        } else {
            let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
            order.sort_unstable_by_key(|at| self.ids[*at as usize]);
            let rows = order.iter().map(|at| self.rows[*at as usize]).collect();
            let ids = order.iter().map(|at| self.ids[*at as usize]).collect();
            (rows, ids)
        };
        let mut per_song = vec![0u32; songs as usize];
        for r in &rows {
            per_song[r.song as usize] += 1;
        }
        let versions = per_song
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 1)
            .map(|(song, n)| (song as u32, *n))
            .collect();
        TrackFacts {
            any_time_signature: any_time_signature(&rows),
            rows,
            ids: Ids::of(ids),
            versions,
            songs: songs as usize,
        }
    }
}

impl TrackFacts {
    pub fn builder(capacity: usize) -> TrackFactsBuilder {
        TrackFactsBuilder {
            rows: Vec::with_capacity(capacity),
            ids: Vec::with_capacity(capacity),
            prints: Vec::with_capacity(capacity),
        }
    }

    /// The table for these rows (any order), with songs numbered by the rule.
    pub fn new(rows: Vec<FactRow>) -> TrackFacts {
        let mut builder = TrackFacts::builder(rows.len());
        let mut rows = rows;
        rows.sort_by_key(|r| r.fact.id);
        for r in &rows {
            builder.push(r.fact, &r.title, &r.artists);
        }
        builder.finish()
    }

    /// O(1) for dense ids: this runs for every track the search offers (the binary
    /// search was a tenth of the live answer).
    fn position(&self, id: i32) -> Option<usize> {
        self.ids.position(id, self.rows.len())
    }

    pub fn get(&self, id: i32) -> Option<TrackFact> {
        self.position(id).map(|at| self.rows[at].fact(id))
    }

    /// Whether any track has a time signature.
    pub fn has_time_signatures(&self) -> bool {
        self.any_time_signature
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many songs the tracks make.
    pub fn song_count(&self) -> usize {
        self.songs
    }

    /// How many tracks are versions of this track's song (1 when it is the only one).
    pub fn version_count(&self, id: i32) -> usize {
        self.position(id)
            .and_then(|at| self.versions.get(&self.rows[at].song))
            .map_or(1, |n| *n as usize)
    }

    /// The ids of every version of this track's song, itself included, by id.
    pub fn versions_of(&self, id: i32) -> Vec<i32> {
        let Some(song) = self.position(id).map(|at| self.rows[at].song) else {
            return Vec::new();
        };
        if self.version_count(id) == 1 {
            return vec![id];
        }
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.song == song)
            .map(|(at, _)| self.ids.id(at))
            .collect()
    }

    /// Songs with more than one version, and the tracks in them.
    pub fn songs_with_versions(&self) -> (usize, usize) {
        (
            self.versions.len(),
            self.versions.values().map(|n| *n as usize).sum(),
        )
    }
}

/// The table in the facts cache file (`catalog::snapshot::file`): its rows column by
/// column, the ids, and the songs with several versions (by song, so the same table
/// always writes the same bytes).
impl TrackFacts {
    pub fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.array(&column_of(&self.rows, |k| k.song))?;
        w.array(&column_of(&self.rows, |k| k.duration_ms))?;
        w.array(&column_of(&self.rows, |k| k.tempo))?;
        w.array(&column_of(&self.rows, |k| k.key))?;
        w.array(&column_of(&self.rows, |k| k.mode))?;
        w.array(&column_of(&self.rows, |k| k.time_signature))?;
        match &self.ids {
            Ids::Dense { first } => {
                w.value(0u8)?;
                w.value(*first)?;
            }
            Ids::Listed(ids) => {
                w.value(1u8)?;
                w.array(ids)?;
            }
        }
        let mut versions: Vec<(u32, u32)> = self.versions.iter().map(|(&s, &n)| (s, n)).collect();
        versions.sort_unstable();
        w.array(&column_of(&versions, |v| v.0))?;
        w.array(&column_of(&versions, |v| v.1))?;
        w.value(self.songs as u64)
    }

    /// Reads the table back column by column into its rows, so that no more than one
    /// column is held beside them (all six and the rows at once were 37 MB at 1.2M
    /// tracks, on top of a server near its 200 MiB peak target).
    pub fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<TrackFacts> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let mut rows: Vec<Kept> = r
            .array::<u32>()?
            .into_iter()
            .map(|song| Kept {
                song,
                duration_ms: UNKNOWN_DURATION,
                tempo: f32::NAN,
                key: UNKNOWN_SMALL,
                mode: UNKNOWN_SMALL,
                time_signature: UNKNOWN_SMALL,
            })
            .collect();
        let n = rows.len();
        fill(&mut rows, r.array()?, |k, v| k.duration_ms = v)?;
        fill(&mut rows, r.array()?, |k, v| k.tempo = v)?;
        fill(&mut rows, r.array()?, |k, v| k.key = v)?;
        fill(&mut rows, r.array()?, |k, v| k.mode = v)?;
        fill(&mut rows, r.array()?, |k, v| k.time_signature = v)?;
        let ids = match r.value::<u8>()? {
            0 => Ids::Dense { first: r.value()? },
            1 => Ids::Listed(r.array()?),
            _ => return Err(invalid("the facts' ids are neither dense nor listed")),
        };
        if matches!(&ids, Ids::Listed(ids) if ids.len() != n) {
            return Err(invalid("the facts' ids do not match their rows"));
        }
        let songs: Vec<u32> = r.array()?;
        let counts: Vec<u32> = r.array()?;
        if songs.len() != counts.len() {
            return Err(invalid(
                "the facts' version counts do not match their songs",
            ));
        }
        Ok(TrackFacts {
            any_time_signature: any_time_signature(&rows),
            rows,
            ids,
            versions: songs.into_iter().zip(counts).collect(),
            songs: usize::try_from(r.value::<u64>()?)
                .map_err(|_| invalid("the facts' song count is out of range"))?,
        })
    }
}

/// Sets one field of every row from a column read back, which must be as long.
fn fill<T>(rows: &mut [Kept], column: Vec<T>, set: impl Fn(&mut Kept, T)) -> io::Result<()> {
    if column.len() != rows.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the facts' columns differ in length",
        ));
    }
    for (row, value) in rows.iter_mut().zip(column) {
        set(row, value);
    }
    Ok(())
}

fn column_of<T, U>(items: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    items.iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i32, title: &str, artists: &[i32]) -> FactRow {
        FactRow {
            fact: TrackFact {
                id,
                key: Some(0),
                mode: Some(1),
                time_signature: Some(4),
                duration_ms: Some(200_000),
                tempo: 120.0,
                song: 0,
            },
            title: title.into(),
            artists: artists.to_vec(),
        }
    }

    #[test]
    fn versions_are_grouped_and_looked_up_by_id() {
        let facts = TrackFacts::new(vec![
            row(5, "Halo - Live", &[1]),
            row(2, "Halo", &[1]),
            row(9, "Halo", &[3]),
            row(7, "Halo (Remastered 2011)", &[1]),
        ]);
        assert_eq!(facts.len(), 4);
        assert_eq!(facts.song_count(), 2);
        assert_eq!(facts.versions_of(5), vec![2, 5, 7]);
        assert_eq!(facts.versions_of(9), vec![9]);
        assert_eq!(facts.version_count(7), 3);
        assert_eq!(facts.songs_with_versions(), (1, 3));
        assert!(facts.get(3).is_none());
        assert!(facts.get(10).is_none() && facts.get(1).is_none());
        assert_eq!(facts.versions_of(3), Vec::<i32>::new());
        assert_eq!(
            facts
                .get(2)
                .and_then(|f| f.musical_key())
                .map(|k| k.camelot()),
            Some("8B".into())
        );
    }

    /// Dense ids (the usual import) keep no list; the answers are the same either way.
    #[test]
    fn dense_and_listed_ids_answer_alike() {
        let dense = TrackFacts::new(vec![
            row(3, "Halo", &[1]),
            row(4, "Halo - Live", &[1]),
            row(5, "Other", &[2]),
        ]);
        assert!(matches!(dense.ids, Ids::Dense { first: 3 }));
        assert_eq!(dense.versions_of(4), vec![3, 4]);
        assert_eq!(dense.get(5).map(|f| f.id), Some(5));
        assert!(dense.get(2).is_none() && dense.get(6).is_none());
        assert!(dense.get(i32::MIN).is_none() && dense.get(i32::MAX).is_none());
        assert_eq!(dense.version_count(5), 1);
        assert_eq!(dense.song_count(), 2);
    }

    fn round_trip(facts: &TrackFacts) -> io::Result<TrackFacts> {
        crate::binary::round_trip(|w| facts.write_to(w), TrackFacts::read_from)
    }

    #[test]
    fn facts_read_back_the_same_with_dense_and_listed_ids() {
        let listed = TrackFacts::new(vec![
            row(5, "Halo - Live", &[1]),
            row(2, "Halo", &[1]),
            row(9, "Halo", &[3]),
            row(7, "Halo (Remastered 2011)", &[1]),
        ]);
        let dense = TrackFacts::new(
            (1..=50)
                .map(|id| row(id, &format!("Song {}", id % 7), &[1]))
                .collect(),
        );
        for facts in [listed, dense, TrackFacts::default()] {
            let read = round_trip(&facts).expect("round trip");
            assert_eq!(read.len(), facts.len());
            assert_eq!(read.song_count(), facts.song_count());
            assert_eq!(read.songs_with_versions(), facts.songs_with_versions());
            for id in 0..60 {
                assert_eq!(read.get(id), facts.get(id), "track {id}");
                assert_eq!(read.versions_of(id), facts.versions_of(id), "track {id}");
            }
        }
    }

    #[test]
    fn a_column_shorter_than_the_rows_is_refused() {
        let read = crate::binary::round_trip(
            |w| {
                w.array(&[1u32, 2])?;
                w.array(&[180_000i32])
            },
            TrackFacts::read_from,
        );
        let Err(error) = read else {
            panic!("a short column was read as a table");
        };
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("differ in length"), "{error}");
    }
}
