//! What the matching index does not hold about every track but filters and rows need:
//! key, mode, time signature, duration, raw tempo, and which song (see `versions`) the
//! track is a version of. One table per catalog version, sorted by track id, read once
//! (`cache::CatalogCaches::track_facts`) and shared by the page and the API.

use super::{
    musical_key::MusicalKey,
    versions::{SongKey, SongNumbers},
};

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

/// One row as kept: 20 bytes instead of `TrackFact`'s 48, which matters at a million
/// tracks (about 24 MB against 58 MB). Unknown values use a sentinel.
#[derive(Debug, Clone, Copy)]
struct Kept {
    id: i32,
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
    fn of(fact: &TrackFact, song: u32) -> Kept {
        Kept {
            id: fact.id,
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

    fn fact(&self) -> TrackFact {
        TrackFact {
            id: self.id,
            key: known_small(self.key),
            mode: known_small(self.mode),
            time_signature: known_small(self.time_signature),
            duration_ms: (self.duration_ms != UNKNOWN_DURATION).then_some(self.duration_ms),
            tempo: f64::from(self.tempo),
            song: self.song,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TrackFacts {
    rows: Vec<Kept>,
    /// Versions per song number.
    versions: Vec<u32>,
}

/// Builds the table one track at a time, so a million titles are never held at once:
/// each title is reduced to its song's fingerprint as it arrives.
pub struct TrackFactsBuilder {
    rows: Vec<Kept>,
    songs: SongNumbers,
}

impl TrackFactsBuilder {
    pub fn push(&mut self, fact: TrackFact, title: &str, artists: &[i32]) {
        let song = self.songs.number(&SongKey::new(title, artists));
        self.rows.push(Kept::of(&fact, song));
    }

    pub fn finish(mut self) -> TrackFacts {
        self.rows.sort_unstable_by_key(|r| r.id);
        let mut versions = vec![0u32; self.songs.len()];
        for r in &self.rows {
            versions[r.song as usize] += 1;
        }
        self.rows.shrink_to_fit();
        TrackFacts {
            rows: self.rows,
            versions,
        }
    }
}

impl TrackFacts {
    pub fn builder(capacity: usize) -> TrackFactsBuilder {
        TrackFactsBuilder {
            rows: Vec::with_capacity(capacity),
            songs: SongNumbers::default(),
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

    fn position(&self, id: i32) -> Option<usize> {
        // Track ids are usually dense (an import numbers them 1, 2, 3...), so the row is
        // first looked for where a dense table would hold it: this runs for every track
        // the search offers, and the binary search was a tenth of the live answer.
        let first = self.rows.first()?.id;
        let guess = usize::try_from(i64::from(id) - i64::from(first)).ok()?;
        if self.rows.get(guess).is_some_and(|r| r.id == id) {
            return Some(guess);
        }
        self.rows.binary_search_by_key(&id, |r| r.id).ok()
    }

    pub fn get(&self, id: i32) -> Option<TrackFact> {
        self.position(id).map(|at| self.rows[at].fact())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many songs the tracks make.
    pub fn song_count(&self) -> usize {
        self.versions.len()
    }

    /// How many tracks are versions of this track's song (1 when it is the only one).
    pub fn version_count(&self, id: i32) -> usize {
        self.position(id)
            .and_then(|at| self.versions.get(self.rows[at].song as usize))
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
            .filter(|r| r.song == song)
            .map(|r| r.id)
            .collect()
    }

    /// Songs with more than one version, and the tracks in them.
    pub fn songs_with_versions(&self) -> (usize, usize) {
        let several = self.versions.iter().filter(|n| **n > 1);
        (several.clone().count(), several.map(|n| *n as usize).sum())
    }
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
        assert_eq!(facts.versions_of(3), Vec::<i32>::new());
        assert_eq!(
            facts
                .get(2)
                .and_then(|f| f.musical_key())
                .map(|k| k.camelot()),
            Some("8B".into())
        );
    }
}
