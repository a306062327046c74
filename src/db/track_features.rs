//! Reads what the matching index needs: one narrow query over `tracks` (id, the nine
//! audio features, popularity, genre, year, explicit) streamed row by row into a
//! `TrackSink` (the index builder, which the domain defines), plus each track's main artist from `track_artists` and its genres (not
//! subgenres) from `track_genres` (a track without links keeps `tracks.genre`, as
//! catalogs written without links have it). The same pass sums the
//! catalog averages, which used to cost two more full scans of `tracks` at start-up.
//!
//! Why it looks the way it does (1,000,000 tracks, measured with
//! `cargo bench --bench matching -- load_1M`):
//! - Two sequential scans instead of a join: the join does an index lookup per track
//!   and took 1.5 s; the artist scan takes about 0.07 s.
//! - SQLite steps the million rows in about 0.3 s, but diesel spends about 75 ns per
//!   column turning them into Rust values (about 0.9 s for the 14 columns). So a large
//!   catalog is read in two id ranges on two connections at once, each in its own read
//!   transaction; if an import committed between the two starts (the catalog versions
//!   differ), the halves are thrown away and read again.

use diesel::{dsl::count_star, prelude::*};

use super::{
    features::{audio_feature_columns, features_from_tuple, track_feature_columns},
    schema::{genres, track_artists, track_genres, tracks},
};
use crate::model::{AudioFeatures, Feature};

/// Below this many tracks one connection is fast enough.
const PARALLEL_FROM: i64 = 100_000;

/// Id, the audio features (`track_feature_columns!`), popularity, genre, year, explicit.
type Row = (
    i32,
    (f64, f64, f64, f64, f64, f64, f64, f64, f64),
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<bool>,
);

/// One track as the scan reads it, handed to a `TrackSink`.
#[derive(Debug, Clone, Copy)]
pub struct ScannedTrack<'a> {
    pub id: i32,
    pub features: AudioFeatures,
    pub popularity: Option<i32>,
    /// `tracks.genre`: the genre of the track's first row in its file.
    pub genre: Option<&'a str>,
    pub release_year: Option<i32>,
    pub explicit: Option<bool>,
    /// The first credited artist.
    pub main_artist: Option<i32>,
    /// Every genre (not subgenre) `track_genres` links it to; empty in a catalog written
    /// without links, where `genre` is all there is.
    pub linked_genres: &'a [&'a str],
}

/// What the scan hands every track to, in id order. The matching index's builder
/// implements it (`matching::index`): the domain above names this trait, so that this
/// module need not name the domain.
pub trait TrackSink: Send + Sized {
    fn with_capacity(tracks: usize) -> Self;
    fn push(&mut self, track: &ScannedTrack<'_>);
    /// Takes what another sink was given, every id of which is above this one's.
    fn append(&mut self, later: Self);
}

/// Everything one read of `tracks` yields for the catalog snapshot.
#[derive(Debug)]
pub struct TrackScan<S> {
    /// Every track, handed over in id order.
    pub tracks: S,
    /// Per-feature mean over every track (zeros when there is none), like SQL `AVG`.
    pub average: AudioFeatures,
    /// Mean popularity over the tracks that have one, like SQL `AVG(popularity)`.
    pub average_popularity: Option<f64>,
}

/// Every track, handed to a new `S`, and the catalog averages, from one read of `tracks`.
pub fn scan_tracks<S: TrackSink>(conn: &mut crate::db::DbConnection) -> QueryResult<TrackScan<S>> {
    scan_tracks_parallel_from(conn, PARALLEL_FROM)
}

/// `scan_tracks`, on two connections once there are `parallel_from` tracks (the tests
/// use it to check that both ways hand over the same tracks).
pub fn scan_tracks_parallel_from<S: TrackSink>(
    conn: &mut crate::db::DbConnection,
    parallel_from: i64,
) -> QueryResult<TrackScan<S>> {
    let count: i64 =
        crate::db::with_backend!(conn, c => tracks::table.select(count_star()).first(c))?;
    if count >= parallel_from && count >= 2 {
        if let Some(files) = super::database_files(conn)? {
            for _attempt in 0..3 {
                if let Some(scan) = load_in_two_halves(conn, &files, count)? {
                    return Ok(scan);
                }
            }
        }
    }
    let (sink, totals) = conn.transaction(|conn| {
        load_range(
            conn,
            i32::MIN,
            i32::MAX,
            usize::try_from(count).unwrap_or(0),
        )
    })?;
    Ok(totals.into_scan(sink))
}

/// Both halves, or `None` when they saw different catalog versions.
fn load_in_two_halves<S: TrackSink>(
    conn: &mut crate::db::DbConnection,
    files: &super::DbFiles,
    count: i64,
) -> QueryResult<Option<TrackScan<S>>> {
    let Some(middle) = middle_track_id(conn)? else {
        return Ok(None); // no track left since they were counted
    };
    let mut other = super::open_files(files)?;
    let half = usize::try_from(count / 2 + 1).unwrap_or(0);
    let (first, second) = std::thread::scope(|scope| {
        let upper = scope.spawn(move || {
            other.transaction(|other| {
                let version = super::catalog_meta::version(other)?;
                Ok::<_, diesel::result::Error>((
                    version,
                    load_range(other, middle, i32::MAX, half)?,
                ))
            })
        });
        let lower = conn.transaction(|conn| {
            let version = super::catalog_meta::version(conn)?;
            Ok::<_, diesel::result::Error>((
                version,
                load_range::<S>(conn, i32::MIN, middle.saturating_sub(1), half)?,
            ))
        });
        let upper = upper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lower, upper)
    });
    let ((v1, (mut lower, mut totals)), (v2, (upper, upper_totals))) = (first?, second?);
    if v1 != v2 {
        return Ok(None);
    }
    lower.append(upper);
    totals.merge(&upper_totals);
    Ok(Some(totals.into_scan(lower)))
}

/// Where a read in two halves splits the tracks (the upper half starts at it): the
/// middle of the id range, not the middle row. `OFFSET count / 2` stepped through half
/// of the table, 0.57 s of one 1.7 s start at 1.2M tracks with serving's small page
/// cache, where each end of the range is one b-tree descent. An import numbers tracks
/// densely, so the halves come out even; any split is correct. `None` without tracks.
pub(super) fn middle_track_id(conn: &mut crate::db::DbConnection) -> QueryResult<Option<i32>> {
    crate::db::with_backend!(conn, c => {
        // Two queries, not one: SQLite answers a lone min() or max() of the key from one
        // end of the b-tree, but both in one SELECT by reading every row (0.17 s).
        let first: Option<i32> = tracks::table.select(diesel::dsl::min(tracks::id)).first(c)?;
        let last: Option<i32> = tracks::table.select(diesel::dsl::max(tracks::id)).first(c)?;
        Ok(first.zip(last).map(|(first, last)| {
            // Rounded up, so that two tracks split one and one; within i32, as both are.
            ((i64::from(first) + i64::from(last) + 1) / 2) as i32
        }))
    })
}

/// What the tracks are linked to, sorted by track id to walk alongside them.
struct Links {
    /// (track id, main artist id).
    artists: Vec<(i32, i32)>,
    /// (track id, index in `genre_names`) for every genre (not subgenre) of a track.
    genres: Vec<(i32, u32)>,
    genre_names: Vec<String>,
}

impl Links {
    /// The links of the tracks with `from <= id <= to`.
    fn load_range(conn: &mut crate::db::DbConnection, from: i32, to: i32) -> QueryResult<Links> {
        let names: Vec<(i32, String)> = genres::table
            .filter(genres::parent_id.is_null())
            .order(genres::id)
            .select((genres::id, genres::name))
            .load(conn)?;
        let position: std::collections::HashMap<i32, u32> = names
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i as u32))
            .collect();
        let mut genres: Vec<(i32, u32)> = track_genres::table
            .filter(track_genres::track_id.between(from, to))
            .select((track_genres::track_id, track_genres::genre_id))
            .load::<(i32, i32)>(conn)?
            .into_iter()
            .filter_map(|(track, genre)| Some((track, *position.get(&genre)?)))
            .collect();
        genres.sort_unstable();
        Ok(Links {
            artists: main_artists(conn, from, to)?,
            genres,
            genre_names: names.into_iter().map(|(_, name)| name).collect(),
        })
    }
}

/// (track id, main artist id), sorted by track id to walk alongside the tracks.
fn main_artists(
    conn: &mut crate::db::DbConnection,
    from: i32,
    to: i32,
) -> QueryResult<Vec<(i32, i32)>> {
    crate::db::with_backend!(conn, conn => {
    let mut pairs: Vec<(i32, i32)> = track_artists::table
        .filter(track_artists::track_id.between(from, to))
        .filter(track_artists::position.eq(0))
        .select((track_artists::track_id, track_artists::artist_id))
        .load(conn)?;
    pairs.sort_unstable();
    Ok(pairs)
    })
}

/// Streams the tracks with `from <= id <= to` into a new sink, summing as it goes. Their
/// links are read first, in the same transaction (each half of a parallel scan reads
/// its own: read up front on one thread they were a sixth of the start-up, before
/// either half began), and are done with before the index is built, the start-up's
/// peak.
fn load_range<S: TrackSink>(
    conn: &mut crate::db::DbConnection,
    from: i32,
    to: i32,
    capacity: usize,
) -> QueryResult<(S, Totals)> {
    let links = Links::load_range(conn, from, to)?;
    crate::db::with_backend!(conn, conn => {
    let mut sink = S::with_capacity(capacity);
    let mut totals = Totals::default();
    let artists = &links.artists;
    let start = artists.partition_point(|(track, _)| *track < from);
    let mut next_artist = artists[start..].iter().peekable();
    let start = links.genres.partition_point(|(track, _)| *track < from);
    let mut next_genre = links.genres[start..].iter().peekable();
    let mut names: Vec<&str> = Vec::new();
    let rows = tracks::table
        .filter(tracks::id.between(from, to))
        .order(tracks::id)
        .select((
            tracks::id,
            audio_feature_columns!(track_feature_columns),
            tracks::popularity,
            tracks::genre,
            tracks::release_year,
            tracks::explicit,
        ))
        .load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        let (id, f, popularity, genre, release_year, explicit) = row?;
        while next_artist.next_if(|(track, _)| *track < id).is_some() {}
        let main_artist = next_artist
            .next_if(|(track, _)| *track == id)
            .map(|(_, artist)| *artist);
        while next_genre.next_if(|(track, _)| *track < id).is_some() {}
        names.clear();
        while let Some((_, name)) = next_genre.next_if(|(track, _)| *track == id) {
            names.push(&links.genre_names[*name as usize]);
        }
        let features = audio_feature_columns!(features_from_tuple; f);
        totals.add(&features, popularity);
        sink.push(&ScannedTrack {
            id,
            features,
            popularity,
            genre: genre.as_deref(),
            release_year,
            explicit,
            main_artist,
            linked_genres: &names,
        });
    }
    Ok((sink, totals))
    })
}

/// Running sums for the catalog averages. Features are summed the way SQLite's `AVG`
/// does (Kahan-Babuska-Neumaier, in id order), so the result matches the SQL aggregate
/// it replaces to the last bit or so; popularity, an integer, is summed exactly.
#[derive(Debug, Default)]
struct Totals {
    tracks: u64,
    features: [CompensatedSum; Feature::AUDIO.len()],
    popularity_sum: i64,
    popularity_count: u64,
}

impl Totals {
    fn add(&mut self, features: &AudioFeatures, popularity: Option<i32>) {
        self.tracks += 1;
        for (sum, feature) in self.features.iter_mut().zip(Feature::AUDIO) {
            sum.add(features.get(feature).unwrap_or(0.0));
        }
        if let Some(p) = popularity {
            self.popularity_sum += i64::from(p);
            self.popularity_count += 1;
        }
    }

    /// Adds the sums of the rows that follow these (the upper half of the ids).
    fn merge(&mut self, later: &Totals) {
        self.tracks += later.tracks;
        for (sum, other) in self.features.iter_mut().zip(&later.features) {
            sum.add(other.sum);
            sum.error += other.error;
        }
        self.popularity_sum += later.popularity_sum;
        self.popularity_count += later.popularity_count;
    }

    fn into_scan<S>(self, tracks: S) -> TrackScan<S> {
        let mut average = AudioFeatures::default();
        if self.tracks > 0 {
            for (sum, feature) in self.features.iter().zip(Feature::AUDIO) {
                average.set(feature, (sum.sum + sum.error) / self.tracks as f64);
            }
        }
        let average_popularity = (self.popularity_count > 0)
            .then(|| self.popularity_sum as f64 / self.popularity_count as f64);
        TrackScan {
            tracks,
            average,
            average_popularity,
        }
    }
}

/// A float sum with its rounding error carried separately (Kahan-Babuska-Neumaier).
#[derive(Debug, Default, Clone, Copy)]
struct CompensatedSum {
    sum: f64,
    error: f64,
}

impl CompensatedSum {
    fn add(&mut self, value: f64) {
        let total = self.sum + value;
        self.error += if self.sum.abs() > value.abs() {
            (self.sum - total) + value
        } else {
            (value - total) + self.sum
        };
        self.sum = total;
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::db::{artists::average_track_popularity, catalog_meta::average_features};

    /// Keeps the ids: the averages are what these tests check.
    impl TrackSink for Vec<i32> {
        fn with_capacity(tracks: usize) -> Self {
            Vec::with_capacity(tracks)
        }
        fn push(&mut self, track: &ScannedTrack<'_>) {
            self.push(track.id);
        }
        fn append(&mut self, mut later: Self) {
            Vec::append(self, &mut later);
        }
    }

    /// 3,000 tracks with awkward values (thirds, missing popularity) over ids with gaps.
    fn fill(conn: &mut crate::db::DbConnection) {
        conn.batch_execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)
             INSERT INTO tracks (id, identity, name, popularity, tempo, loudness,
                 danceability, energy, acousticness, instrumentalness, valence,
                 speechiness, liveness)
             SELECT x * 3, 'id' || x, 'T' || x,
                 CASE WHEN x % 11 = 0 THEN NULL ELSE x % 101 END,
                 60 + (x * 37 % 1000) / 3.0, -(x * 13 % 600) / 7.0, (x * 7 % 100) / 3e2,
                 (x * 11 % 100) / 1e2, (x * 17 % 100) / 1e2, (x * 19 % 100) / 9e2,
                 (x * 23 % 100) / 1e2, (x * 29 % 100) / 1e2, (x * 31 % 100) / 1e2
             FROM c;",
        )
        .unwrap();
    }

    fn assert_same_averages(conn: &mut crate::db::DbConnection, parallel_from: i64) {
        let scan = scan_tracks_parallel_from::<Vec<i32>>(conn, parallel_from).unwrap();
        assert!(scan.tracks.is_sorted(), "handed over in id order");
        assert_eq!(scan.tracks.len(), 3000);
        let sql = average_features(conn).unwrap();
        for feature in Feature::AUDIO {
            let (ours, theirs) = (scan.average.get(feature), sql.get(feature));
            let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
            assert!(
                (ours - theirs).abs() <= 1e-12 * theirs.abs().max(1.0),
                "{feature:?}: {ours} vs {theirs}"
            );
        }
        assert_eq!(
            scan.average_popularity,
            average_track_popularity(conn).unwrap()
        );
    }

    #[test]
    fn averages_match_the_sql_aggregates() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open_connection(dir.path().join("t.db")).unwrap();
        let empty = scan_tracks::<Vec<i32>>(&mut conn).unwrap();
        assert_eq!(empty.average, AudioFeatures::default());
        assert_eq!(empty.average_popularity, None);
        fill(&mut conn);
        assert_same_averages(&mut conn, i64::MAX);
        assert_same_averages(&mut conn, 1);
    }
}

/// A track whose tempo or loudness lies at or beyond an end of the range the matching
/// index holds (`Feature::range`), with both values as stored. The index holds a value
/// beyond the range at its end, so it cannot tell those tracks apart from each other or
/// from a track exactly at the end; a bound beyond that range is checked against
/// these (`catalog::exact_ranges::ExactRanges`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeyondRange {
    pub id: i32,
    pub tempo: f64,
    pub loudness: f64,
}

/// Every track with a tempo or loudness at or beyond an end of the index's range: rare
/// (6 of the 28,352 TidyTuesday tracks are louder than 0 dB, and a few have a tempo of
/// 0), read once per catalog version.
pub fn beyond_index_range(conn: &mut crate::db::DbConnection) -> QueryResult<Vec<BeyondRange>> {
    let (tempo_lo, tempo_hi) = Feature::Tempo.range();
    let (loud_lo, loud_hi) = Feature::Loudness.range();
    let rows: Vec<(i32, f64, f64)> = crate::db::with_backend!(conn, conn => {
        tracks::table
            .filter(
                tracks::tempo
                    .le(tempo_lo)
                    .or(tracks::tempo.ge(tempo_hi))
                    .or(tracks::loudness.le(loud_lo))
                    .or(tracks::loudness.ge(loud_hi)),
            )
            .select((tracks::id, tracks::tempo, tracks::loudness))
            .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, tempo, loudness)| BeyondRange {
            id,
            tempo,
            loudness,
        })
        .collect())
}
