//! Genres as the app presents them (issue 14): every genre with its track and artist
//! counts and average sound, how its tracks spread, its top artists, its subgenres, its
//! most typical tracks, and how its sound changed by decade; the same by decade for the
//! whole catalog. Computed once per catalog version from what `GenreSource::read` reads
//! (`build`), then only looked up. Nothing in here knows about HTTP or SQL.
//!
//! - `tally`: what is gathered as the tracks stream by; `build`: the profiles from it;
//!   `decades`: averages per decade; `find`: lookup by name, "did you mean", search and
//!   sort of the list.

mod build;
mod decades;
mod find;
mod tally;

use std::{
    collections::HashMap,
    io::{self, Read, Write},
};

use serde::{Deserialize, Serialize};

pub use build::{TOP_ARTISTS, TYPICAL_CANDIDATES, TYPICAL_TRACKS};
pub use decades::{decade_label, DecadeRow};
pub use find::{seed_slug, spelling_key, GenreSort, SortKey};

use self::tally::{GenreTally, ListedTracks};
use super::{artists::distribution::Distribution, AudioFeatures, Feature};
use crate::binary::{BinaryReader, BinaryWriter};
pub use crate::db::genres::{GenreDef, GenreTrack};

/// Everything the genre statistics are computed from, read at one catalog version.
/// Tracks come one at a time (`add_track`) and are not kept whole: every one counts in
/// the catalog's decades, and one that some genre lists adds to each of its genres'
/// tallies and leaves its features, narrowed, for the spread (see `tally`). A catalog
/// without genres (the Kaggle 1.2M layout) holds no track at all.
#[derive(Debug, Clone, Default)]
pub struct GenreSource {
    pub genres: Vec<GenreDef>,
    /// (track id, genre id), sorted.
    links: Vec<(i32, i32)>,
    /// Genre id -> its tally in `tallies`, for every genre a link names.
    tally_of: HashMap<i32, usize>,
    tallies: Vec<GenreTally>,
    listed: ListedTracks,
    /// Every track's decade, genre or not.
    decades: decades::DecadeSums,
}

impl GenreSource {
    /// Every genre, link and track of the catalog, at the version returned with it.
    pub fn read(conn: &mut crate::db::DbConnection) -> diesel::QueryResult<(i64, GenreSource)> {
        crate::db::genres::load(conn, GenreSource::new, GenreSource::add_track)
    }

    /// The genres and the track-genre links (in any order).
    pub fn new(genres: Vec<GenreDef>, mut links: Vec<(i32, i32)>) -> GenreSource {
        links.sort_unstable();
        links.dedup();
        // Tracks listed at least once: the links are sorted, so one per run of a track id.
        let listed = links.chunk_by(|a, b| a.0 == b.0).count();
        let mut tally_of = HashMap::new();
        for &(_, genre) in &links {
            let next = tally_of.len();
            tally_of.entry(genre).or_insert(next);
        }
        GenreSource {
            genres,
            tallies: vec![GenreTally::default(); tally_of.len()],
            tally_of,
            listed: ListedTracks::with_capacity(listed),
            links,
            decades: decades::DecadeSums::default(),
        }
    }

    /// One track of the catalog, each once.
    pub fn add_track(&mut self, track: GenreTrack) {
        self.decades
            .add(track.year, &track.features, track.popularity);
        let first = self.links.partition_point(|&(id, _)| id < track.id);
        let its_links = self.links[first..]
            .iter()
            .take_while(|&&(id, _)| id == track.id);
        let mut position = None;
        for &(_, genre) in its_links {
            let at = *position.get_or_insert_with(|| self.listed.push(&track));
            if let Some(&tally) = self.tally_of.get(&genre) {
                self.tallies[tally].add(&track, at);
            }
        }
    }

    /// The tally of genre `id`, when some track it lists came by.
    fn tally(&self, id: i32) -> Option<&GenreTally> {
        let tally = &self.tallies[*self.tally_of.get(&id)?];
        (tally.track_count() > 0).then_some(tally)
    }
}

/// A track close to its genre's average sound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TypicalTrack {
    pub track_id: i32,
    /// Root mean square gap per feature, each feature on a 0–1 scale.
    pub distance: f64,
}

/// One genre (or subgenre) with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenreProfile {
    pub id: i32,
    pub name: String,
    /// Lower case, trimmed: how a name in a URL finds it.
    pub key: String,
    /// The parent genre's name, for a subgenre.
    pub parent: Option<String>,
    pub track_count: i64,
    pub artist_count: i64,
    pub average: AudioFeatures,
    pub avg_popularity: Option<f64>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
    /// Five-number summaries of every feature (popularity included when known).
    pub spread: Vec<Distribution>,
    /// (artist id, tracks in the genre), most tracks first, then by id.
    pub top_artists: Vec<(i32, i64)>,
    /// Names of the subgenres (a genre's), most tracks first.
    pub subgenres: Vec<String>,
    pub typical: Vec<TypicalTrack>,
    pub decades: Vec<DecadeRow>,
}

impl GenreProfile {
    /// The genre's average of any feature, popularity included.
    pub fn value(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::Popularity => self.avg_popularity,
            other => self.average.get(other),
        }
    }

    pub fn is_subgenre(&self) -> bool {
        self.parent.is_some()
    }

    /// "1998–2020", "2020" or "unknown".
    pub fn year_span(&self) -> String {
        super::artists::year_span(self.min_year, self.max_year)
    }

    /// The typical tracks the page lists: nearest first, the first version of each
    /// song (`song_of` names a track's song; a track it does not know is a song of its
    /// own), `build::TYPICAL_TRACKS` at most.
    pub fn typical_songs(&self, song_of: impl Fn(i32) -> Option<u32>) -> Vec<TypicalTrack> {
        let mut seen = std::collections::HashSet::new();
        self.typical
            .iter()
            .filter(|t| song_of(t.track_id).is_none_or(|song| seen.insert(song)))
            .take(build::TYPICAL_TRACKS)
            .copied()
            .collect()
    }
}

/// Every genre and subgenre of one catalog version, and the catalog's sound by decade.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenreCatalog {
    /// Genres first (most tracks first), then subgenres (most tracks first).
    profiles: Vec<GenreProfile>,
    /// How many of `profiles` are genres.
    genre_count: usize,
    /// The whole catalog by decade.
    pub decades: Vec<DecadeRow>,
    /// Tracks with no release year (left out of every decade table).
    pub undated_tracks: i64,
}

impl GenreCatalog {
    pub fn build(source: &GenreSource) -> GenreCatalog {
        build::build(source)
    }

    /// The genres (not subgenres), most tracks first.
    pub fn genres(&self) -> &[GenreProfile] {
        &self.profiles[..self.genre_count]
    }

    /// The subgenres, most tracks first.
    pub fn subgenres(&self) -> &[GenreProfile] {
        &self.profiles[self.genre_count..]
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The catalog in the genres cache file (`catalog::snapshot::file`): a few
    /// kilobytes per genre, so as JSON, which its types already describe.
    pub fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.text(&serde_json::to_string(self).map_err(io::Error::other)?)
    }

    pub fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<GenreCatalog> {
        let catalog: GenreCatalog = serde_json::from_str(&r.text()?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if catalog.genre_count > catalog.profiles.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "more genres than profiles",
            ));
        }
        Ok(catalog)
    }

    /// The subgenres of `genre`, most tracks first.
    pub fn subgenres_of<'a>(&'a self, genre: &'a GenreProfile) -> Vec<&'a GenreProfile> {
        self.subgenres()
            .iter()
            .filter(|s| s.parent.as_deref() == Some(genre.name.as_str()))
            .collect()
    }
}

impl crate::catalog::compare::Comparable for GenreProfile {
    const NOUN: &'static str = "genre";

    fn compare_id(&self) -> i64 {
        self.id.into()
    }

    fn compare_name(&self) -> &str {
        &self.name
    }

    fn compare_tracks(&self) -> i64 {
        self.track_count
    }
}

impl GenreCatalog {
    /// What a name typed in the comparison form finds: the genre, or the closest names.
    pub fn lookup(&self, name: &str) -> crate::catalog::compare::Lookup<'_, GenreProfile> {
        use crate::catalog::compare::Lookup;
        match self.find(name) {
            Some(genre) => Lookup::Found(genre),
            None => Lookup::NotFound(self.did_you_mean(name, 5)),
        }
    }
}
