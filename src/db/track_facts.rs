//! Every track's facts: key, mode, time signature, duration and tempo, with the title
//! and credited artists the song rule needs, handed to a `FactsSink` (the domain's
//! `catalog::facts::TrackFactsBuilder`, which this module does not name). Two queries,
//! whatever the catalog's size; read once per catalog version.
//!
//! The tracks are streamed in id order beside the credits (also in track order), and
//! each goes to the builder as it is read: a million titles are never held at once.
//! With SQLite the credits are streamed too, on a second connection in a read
//! transaction of its own (if an import committed between the two starts, the catalog
//! versions differ and both are read again); from `TWO_HALVES_FROM` tracks, the lower
//! and upper halves of the ids are read so on two threads at once (four connections),
//! each into its own part of one builder. Otherwise (PostgreSQL, an in-memory
//! database) the credits are read first into one array (11 MB at 1.4 million credits).

use diesel::prelude::*;

use super::schema::{track_artists, tracks};

/// One track's facts as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredFacts {
    pub id: i32,
    pub key: Option<i32>,
    pub mode: Option<i32>,
    pub time_signature: Option<i32>,
    pub duration_ms: Option<i32>,
    pub tempo: f64,
}

/// What the read hands every track to, in id order, with its title and the ids of the
/// artists credited on it. Two ways to fill one: made `with_capacity` and given every
/// track through `push`, or made `in_parts` and filled only through its two `parts`
/// (each on a thread of its own, no copy when they are joined), never both.
pub trait FactsSink: Sized {
    /// One thread's share of a sink made `in_parts`: consecutive tracks in id order.
    type Part<'a>: FactsPart + Send
    where
        Self: 'a;
    /// Room for about `tracks` tracks, given one at a time to `push`.
    fn with_capacity(tracks: usize) -> Self;
    fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]);
    /// A place for each of exactly `tracks` tracks, filled through `parts`.
    fn in_parts(tracks: usize) -> Self;
    /// The places of the first `split` tracks and of the rest.
    fn parts(&mut self, split: usize) -> (Self::Part<'_>, Self::Part<'_>);
}

/// A `FactsSink::Part`.
pub trait FactsPart {
    /// Keeps the track; false, keeping nothing, when the part is already full.
    fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]) -> bool;
    fn is_full(&self) -> bool;
}

type Row = (
    i32,
    String,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    f64,
);

/// From this many tracks the table is read in two halves on two threads (at 1.2 million
/// tracks, the first perfect-song answer waited about a second for it on one).
const TWO_HALVES_FROM: i64 = 100_000;

/// Every track, handed to a new `S`, with the catalog version read: the caller keeps
/// the facts for that version, which may be newer than the one it asked about.
pub fn all<S: FactsSink>(conn: &mut crate::db::DbConnection) -> QueryResult<(i64, S)> {
    if let Some(files) = super::database_files(conn)? {
        for _attempt in 0..3 {
            let count: i64 =
                crate::db::with_backend!(conn, c => tracks::table.count().get_result(c))?;
            let found = if count >= TWO_HALVES_FROM {
                let Ok(mut others) = open_three(&files) else {
                    break;
                };
                in_two_halves(conn, &mut others, count)?
            } else {
                let Ok(mut other) = super::open_files(&files) else {
                    break;
                };
                streamed(conn, &mut other, count)?
            };
            if let Some(facts) = found {
                return Ok(facts);
            }
        }
    }
    loaded(conn)
}

/// Three more connections to the same files: the lower half's credits, the upper half's
/// tracks and its credits.
fn open_three(files: &super::DbFiles) -> QueryResult<[crate::db::DbConnection; 3]> {
    Ok([
        super::open_files(files)?,
        super::open_files(files)?,
        super::open_files(files)?,
    ])
}

/// The tracks below the middle id on this thread and the rest on another, each streamed
/// beside its credits into its own part of one builder; `None` when the four read
/// transactions saw different catalog versions, or the halves did not hold the `count`
/// tracks counted (an import landed in between).
fn in_two_halves<S: FactsSink>(
    conn: &mut crate::db::DbConnection,
    others: &mut [crate::db::DbConnection; 3],
    count: i64,
) -> QueryResult<Option<(i64, S)>> {
    // How many tracks lie below the middle id sizes the builder's parts: counting them
    // takes about 0.06 s at 1.2M tracks (the `OFFSET` it replaces, 0.28 s).
    let Some(middle) = super::track_features::middle_track_id(conn)? else {
        return Ok(None); // tracks were removed since they were counted
    };
    let split: i64 = crate::db::with_backend!(conn, c => tracks::table
        .filter(tracks::id.lt(middle))
        .count()
        .get_result(c))?;
    let [lower_credits, upper_tracks, upper_credits] = others;
    let mut sink = S::in_parts(usize::try_from(count).unwrap_or(0));
    let (mut lower, mut upper) = sink.parts(usize::try_from(split).unwrap_or(0));
    let (lower_version, upper_version) = std::thread::scope(|scope| {
        let upper = scope.spawn(|| {
            read_range(upper_tracks, upper_credits, middle, i32::MAX, |f, t, a| {
                upper.push(f, t, a)
            })
        });
        let lower = read_range(
            conn,
            lower_credits,
            i32::MIN,
            middle.saturating_sub(1),
            |f, t, a| lower.push(f, t, a),
        );
        let upper = upper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lower, upper)
    });
    let (Some(a), Some(b)) = (lower_version?, upper_version?) else {
        return Ok(None);
    };
    if a != b || !lower.is_full() || !upper.is_full() {
        return Ok(None);
    }
    drop((lower, upper));
    Ok(Some((a, sink)))
}

/// The tracks with ids from `first` to `last` on `conn`, streamed beside their credits
/// on `other`, each handed to `keep`; the catalog version both read, or `None` when
/// they differ or `keep` took no more.
fn read_range(
    conn: &mut crate::db::DbConnection,
    other: &mut crate::db::DbConnection,
    first: i32,
    last: i32,
    keep: impl FnMut(StoredFacts, &str, &[i32]) -> bool,
) -> QueryResult<Option<i64>> {
    crate::db::read_transaction(conn, |conn| {
        let version = super::catalog_meta::version(conn)?;
        crate::db::read_transaction(other, |other| {
            if super::catalog_meta::version(other)? != version {
                return Ok(None);
            }
            crate::db::with_backend!(conn, conn => {
            crate::db::with_backend!(other, other => {
                let credits = track_artists::table
                    .select((track_artists::track_id, track_artists::artist_id))
                    .filter(track_artists::track_id.between(first, last))
                    .order((track_artists::track_id, track_artists::artist_id))
                    .load_iter::<(i32, i32), diesel::connection::DefaultLoadingMode>(other)?;
                let rows = tracks_query!()
                    .filter(tracks::id.between(first, last))
                    .load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
                let complete = walk(rows, credits, keep)?;
                Ok(complete.then_some(version))
            })
            })
        })
    })
}

/// Every track on `conn` and the credits on `other`, both streamed, into a sink sized
/// for the `count` tracks counted; `None` when the two read transactions saw different
/// catalog versions.
fn streamed<S: FactsSink>(
    conn: &mut crate::db::DbConnection,
    other: &mut crate::db::DbConnection,
    count: i64,
) -> QueryResult<Option<(i64, S)>> {
    let mut sink = S::with_capacity(usize::try_from(count).unwrap_or(0));
    let version = read_range(conn, other, i32::MIN, i32::MAX, |fact, title, artists| {
        sink.push(fact, title, artists);
        true
    })?;
    Ok(version.map(|version| (version, sink)))
}

/// The credits read first into one array, then the tracks streamed beside them, in one
/// read transaction with the version (on PostgreSQL an import committing between the
/// two reads had mixed two catalogs).
fn loaded<S: FactsSink>(conn: &mut crate::db::DbConnection) -> QueryResult<(i64, S)> {
    crate::db::read_transaction(conn, |conn| {
        let version = super::catalog_meta::version(conn)?;
        crate::db::with_backend!(conn, conn => {
        // Counted first so the credits fill one array of their exact size: loaded as a
        // growing array they held about twice that.
        let credit_count: i64 = track_artists::table.count().get_result(conn)?;
        let mut credits: Vec<(i32, i32)> =
            Vec::with_capacity(usize::try_from(credit_count).unwrap_or(0));
        for credit in track_artists::table
            .select((track_artists::track_id, track_artists::artist_id))
            .order((track_artists::track_id, track_artists::artist_id))
            .load_iter::<(i32, i32), diesel::connection::DefaultLoadingMode>(conn)?
        {
            credits.push(credit?);
        }
        let count: i64 = tracks::table.count().get_result(conn)?;
        let rows = tracks_query!().load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
        Ok((version, build(count, rows, credits.into_iter().map(Ok))?))
        })
    })
}

/// Every track in id order, with what `Row` holds.
macro_rules! tracks_query {
    () => {
        tracks::table
            .select((
                tracks::id,
                tracks::name,
                tracks::musical_key,
                tracks::mode,
                tracks::time_signature,
                tracks::duration_ms,
                tracks::tempo,
            ))
            .order(tracks::id)
    };
}
use tracks_query;

/// Walks the tracks (in id order) beside the credits (in track order) into a new sink.
fn build<S: FactsSink>(
    count: i64,
    rows: impl Iterator<Item = QueryResult<Row>>,
    credits: impl Iterator<Item = QueryResult<(i32, i32)>>,
) -> QueryResult<S> {
    let mut sink = S::with_capacity(usize::try_from(count).unwrap_or(0));
    walk(rows, credits, |fact, title, artists| {
        sink.push(fact, title, artists);
        true
    })?;
    Ok(sink)
}

/// Hands each track (in id order), with the artists credited on it (the credits in
/// track order), to `keep`; false as soon as `keep` takes no more.
fn walk(
    rows: impl Iterator<Item = QueryResult<Row>>,
    mut credits: impl Iterator<Item = QueryResult<(i32, i32)>>,
    mut keep: impl FnMut(StoredFacts, &str, &[i32]) -> bool,
) -> QueryResult<bool> {
    let mut next_credit = credits.next().transpose()?;
    let mut artists: Vec<i32> = Vec::new();
    for row in rows {
        let (id, title, key, mode, time_signature, duration_ms, tempo) = row?;
        // Credits of tracks that no longer exist (none, with foreign keys) are skipped.
        while next_credit.is_some_and(|(track, _)| track < id) {
            next_credit = credits.next().transpose()?;
        }
        artists.clear();
        while let Some((_, artist)) = next_credit.filter(|(track, _)| *track == id) {
            artists.push(artist);
            next_credit = credits.next().transpose()?;
        }
        let fact = StoredFacts {
            id,
            key,
            mode,
            time_signature,
            duration_ms,
            tempo,
        };
        if !keep(fact, &title, &artists) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use super::{FactsPart, FactsSink, StoredFacts};

    /// One track as handed over: its facts, title and credited artists.
    type Handed = (StoredFacts, String, Vec<i32>);

    /// Keeps what it is handed, in the order it is handed over.
    #[derive(Debug, PartialEq)]
    struct Recorded(Vec<Option<Handed>>);

    struct RecordedPart<'a> {
        slots: &'a mut [Option<Handed>],
        filled: usize,
    }

    impl FactsSink for Recorded {
        type Part<'a> = RecordedPart<'a>;
        fn with_capacity(tracks: usize) -> Self {
            Recorded(Vec::with_capacity(tracks))
        }
        fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]) {
            self.0
                .push(Some((track, title.to_string(), artists.to_vec())));
        }
        fn in_parts(tracks: usize) -> Self {
            Recorded(vec![None; tracks])
        }
        fn parts(&mut self, split: usize) -> (RecordedPart<'_>, RecordedPart<'_>) {
            let (a, b) = self.0.split_at_mut(split);
            let part = |slots| RecordedPart { slots, filled: 0 };
            (part(a), part(b))
        }
    }

    impl FactsPart for RecordedPart<'_> {
        fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]) -> bool {
            let Some(slot) = self.slots.get_mut(self.filled) else {
                return false;
            };
            *slot = Some((track, title.to_string(), artists.to_vec()));
            self.filled += 1;
            true
        }
        fn is_full(&self) -> bool {
            self.filled == self.slots.len()
        }
    }

    /// Every way of reading hands over the same tracks, in id order, with the same
    /// credits: the credits streamed on a second connection (a database in files), read
    /// first (`loaded`), and the tracks in two halves on two threads.
    #[test]
    fn streamed_and_loaded_credits_give_the_same_facts() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open_connection(dir.path().join("t.db")).unwrap();
        conn.batch_execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
             INSERT INTO tracks (id, identity, name, tempo, loudness, danceability, energy,
                 acousticness, instrumentalness, valence, speechiness, liveness, musical_key)
             SELECT x * 2, 'id' || x,
                 CASE WHEN x % 3 = 0 THEN 'Song ' || (x / 3) || ' - Live' ELSE 'Song ' || x END,
                 100 + x % 40, -7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, x % 12
             FROM c;
             INSERT INTO artists (id, name, name_key, search_key) VALUES
                 (1, 'A', 'a', 'a'), (2, 'B', 'b', 'b');
             INSERT INTO track_artists (track_id, artist_id, position)
             SELECT id, 1 + id % 2, 0 FROM tracks;
             INSERT INTO track_artists (track_id, artist_id, position)
             SELECT id, 2, 1 FROM tracks WHERE id % 10 = 0 AND id % 4 != 0;",
        )
        .unwrap();
        let files = crate::db::database_files(&mut conn).unwrap().unwrap();
        let mut other = crate::db::open_files(&files).unwrap();
        let version = crate::db::catalog_meta::version(&mut conn).unwrap();
        let (streamed_at, streamed): (i64, Recorded) = super::streamed(&mut conn, &mut other, 300)
            .unwrap()
            .unwrap();
        let (loaded_at, loaded): (i64, Recorded) = super::loaded(&mut conn).unwrap();
        let mut others = super::open_three(&files).unwrap();
        let (halves_at, halves): (i64, Recorded) =
            super::in_two_halves(&mut conn, &mut others, 300)
                .unwrap()
                .unwrap();
        assert_eq!([streamed_at, loaded_at, halves_at], [version; 3]);
        assert!(
            super::in_two_halves::<Recorded>(&mut conn, &mut others, 301)
                .unwrap()
                .is_none(),
            "a count the tables do not hold is not a table"
        );
        assert_eq!(loaded.0.len(), 300);
        let ids: Vec<i32> = loaded.0.iter().flatten().map(|(f, _, _)| f.id).collect();
        assert_eq!(ids, (2..=600).step_by(2).collect::<Vec<i32>>());
        let credited = |id: i32| {
            let found = loaded.0.iter().flatten().find(|(f, _, _)| f.id == id);
            found.map(|(_, _, artists)| artists.clone())
        };
        assert_eq!(credited(10), Some(vec![1, 2]), "both artists");
        assert_eq!(credited(20), Some(vec![1]));
        assert_eq!(
            loaded.0[2].as_ref().map(|(_, title, _)| title.as_str()),
            Some("Song 1 - Live")
        );
        assert_eq!(streamed, loaded);
        assert_eq!(halves, loaded);
        // The halves meet at the middle of the id range, not the middle row: one far-off
        // id leaves every other track in the lower half.
        conn.batch_execute(
            "INSERT INTO tracks (id, identity, name, tempo, loudness, danceability, energy,
                 acousticness, instrumentalness, valence, speechiness, liveness)
             VALUES (1000000, 'far', 'Far', 120, -7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);",
        )
        .unwrap();
        let (_, loaded): (i64, Recorded) = super::loaded(&mut conn).unwrap();
        let (_, halves): (i64, Recorded) = super::in_two_halves(&mut conn, &mut others, 301)
            .unwrap()
            .unwrap();
        assert_eq!(halves.0.len(), 301);
        assert_eq!(halves, loaded);
    }
}
