//! Every track's facts for `catalog::facts::TrackFacts`: key, mode, time signature,
//! duration and tempo, with the title and credited artists the song rule needs. Two
//! queries, whatever the catalog's size; read once per catalog version.
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
use crate::catalog::facts::{TrackFact, TrackFacts, TrackFactsBuilder};

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

pub fn all(conn: &mut crate::db::DbConnection) -> QueryResult<TrackFacts> {
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
fn in_two_halves(
    conn: &mut crate::db::DbConnection,
    others: &mut [crate::db::DbConnection; 3],
    count: i64,
) -> QueryResult<Option<TrackFacts>> {
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
    let mut builder = TrackFactsBuilder::in_parts(usize::try_from(count).unwrap_or(0));
    let (mut lower, mut upper) = builder.parts(usize::try_from(split).unwrap_or(0));
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
    Ok(Some(builder.finish()))
}

/// The tracks with ids from `first` to `last` on `conn`, streamed beside their credits
/// on `other`, each handed to `keep`; the catalog version both read, or `None` when
/// they differ or `keep` took no more.
fn read_range(
    conn: &mut crate::db::DbConnection,
    other: &mut crate::db::DbConnection,
    first: i32,
    last: i32,
    keep: impl FnMut(TrackFact, &str, &[i32]) -> bool,
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

/// Every track on `conn` and the credits on `other`, both streamed, into a builder
/// sized for the `count` tracks counted; `None` when the two read transactions saw
/// different catalog versions.
fn streamed(
    conn: &mut crate::db::DbConnection,
    other: &mut crate::db::DbConnection,
    count: i64,
) -> QueryResult<Option<TrackFacts>> {
    let mut builder = TrackFacts::builder(usize::try_from(count).unwrap_or(0));
    let version = read_range(conn, other, i32::MIN, i32::MAX, |fact, title, artists| {
        builder.push(fact, title, artists);
        true
    })?;
    Ok(version.map(|_| builder.finish()))
}

/// The credits read first into one array, then the tracks streamed beside them.
fn loaded(conn: &mut crate::db::DbConnection) -> QueryResult<TrackFacts> {
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
    build(count, rows, credits.into_iter().map(Ok))
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

/// Walks the tracks (in id order) beside the credits (in track order) into the table.
fn build(
    count: i64,
    rows: impl Iterator<Item = QueryResult<Row>>,
    credits: impl Iterator<Item = QueryResult<(i32, i32)>>,
) -> QueryResult<TrackFacts> {
    let mut builder = TrackFacts::builder(usize::try_from(count).unwrap_or(0));
    walk(rows, credits, |fact, title, artists| {
        builder.push(fact, title, artists);
        true
    })?;
    Ok(builder.finish())
}

/// Hands each track (in id order), with the artists credited on it (the credits in
/// track order), to `keep`; false as soon as `keep` takes no more.
fn walk(
    rows: impl Iterator<Item = QueryResult<Row>>,
    mut credits: impl Iterator<Item = QueryResult<(i32, i32)>>,
    mut keep: impl FnMut(TrackFact, &str, &[i32]) -> bool,
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
        let fact = TrackFact {
            id,
            key,
            mode,
            time_signature,
            duration_ms,
            tempo,
            song: 0,
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

    /// Every way of reading gives the same table: the credits streamed on a second
    /// connection (a database in files), read first (`loaded`), and the tracks in two
    /// halves on two threads.
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
        let streamed = super::streamed(&mut conn, &mut other, 300)
            .unwrap()
            .unwrap();
        let loaded = super::loaded(&mut conn).unwrap();
        let mut others = super::open_three(&files).unwrap();
        let halves = super::in_two_halves(&mut conn, &mut others, 300)
            .unwrap()
            .unwrap();
        assert!(
            super::in_two_halves(&mut conn, &mut others, 301)
                .unwrap()
                .is_none(),
            "a count the tables do not hold is not a table"
        );
        assert_eq!(streamed.len(), 300);
        assert!(
            streamed.songs_with_versions().0 > 0,
            "some songs have versions"
        );
        assert_eq!(streamed.song_count(), loaded.song_count());
        assert_eq!(halves.song_count(), loaded.song_count());
        for id in (2..=600).step_by(2) {
            assert_eq!(streamed.get(id), loaded.get(id), "track {id}");
            assert_eq!(halves.get(id), loaded.get(id), "track {id}");
            for facts in [&streamed, &halves] {
                assert_eq!(facts.versions_of(id), loaded.versions_of(id), "track {id}");
            }
        }
        // The halves meet at the middle of the id range, not the middle row: one far-off
        // id leaves every other track in the lower half.
        conn.batch_execute(
            "INSERT INTO tracks (id, identity, name, tempo, loudness, danceability, energy,
                 acousticness, instrumentalness, valence, speechiness, liveness)
             VALUES (1000000, 'far', 'Far', 120, -7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);",
        )
        .unwrap();
        let loaded = super::loaded(&mut conn).unwrap();
        let halves = super::in_two_halves(&mut conn, &mut others, 301)
            .unwrap()
            .unwrap();
        assert_eq!(halves.len(), 301);
        for id in (2..=600).step_by(2).chain([1_000_000]) {
            assert_eq!(halves.get(id), loaded.get(id), "track {id}");
        }
    }
}
