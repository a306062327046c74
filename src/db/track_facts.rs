//! Every track's facts for `catalog::facts::TrackFacts`: key, mode, time signature,
//! duration and tempo, with the title and credited artists the song rule needs. Two
//! queries, whatever the catalog's size; read once per catalog version.
//!
//! The tracks are streamed in id order beside the credits (also in track order), and
//! each goes to the builder as it is read: a million titles are never held at once.
//! With SQLite the credits are streamed too, on a second connection in a read
//! transaction of its own (if an import committed between the two starts, the catalog
//! versions differ and both are read again); otherwise (PostgreSQL, an in-memory
//! database) they are read first into one array (11 MB at 1.4 million credits).

use diesel::prelude::*;

use super::schema::{track_artists, tracks};
use crate::catalog::facts::{TrackFact, TrackFacts};

type Row = (
    i32,
    String,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    f64,
);

pub fn all(conn: &mut crate::db::DbConnection) -> QueryResult<TrackFacts> {
    if let Some(files) = super::database_files(conn)? {
        for _attempt in 0..3 {
            let Ok(mut other) = super::open_files(&files) else {
                break;
            };
            if let Some(facts) = streamed(conn, &mut other)? {
                return Ok(facts);
            }
        }
    }
    loaded(conn)
}

/// The tracks on `conn` and the credits on `other`, both streamed; `None` when the two
/// read transactions saw different catalog versions.
fn streamed(
    conn: &mut crate::db::DbConnection,
    other: &mut crate::db::DbConnection,
) -> QueryResult<Option<TrackFacts>> {
    conn.transaction(|conn| {
        let version = super::catalog_meta::version(conn)?;
        other.transaction(|other| {
            if super::catalog_meta::version(other)? != version {
                return Ok(None);
            }
            crate::db::with_backend!(conn, conn => {
            crate::db::with_backend!(other, other => {
                let count: i64 = tracks::table.count().get_result(conn)?;
                let credits = track_artists::table
                    .select((track_artists::track_id, track_artists::artist_id))
                    .order((track_artists::track_id, track_artists::artist_id))
                    .load_iter::<(i32, i32), diesel::connection::DefaultLoadingMode>(other)?;
                let rows = tracks_query!()
                    .load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
                build(count, rows, credits).map(Some)
            })
            })
        })
    })
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
    mut credits: impl Iterator<Item = QueryResult<(i32, i32)>>,
) -> QueryResult<TrackFacts> {
    let mut builder = TrackFacts::builder(usize::try_from(count).unwrap_or(0));
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
        builder.push(fact, &title, &artists);
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    /// Both ways of reading give the same table: the credits streamed on a second
    /// connection (a database in files) and read first (`loaded`).
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
        let streamed = super::streamed(&mut conn, &mut other).unwrap().unwrap();
        let loaded = super::loaded(&mut conn).unwrap();
        assert_eq!(streamed.len(), 300);
        assert!(
            streamed.songs_with_versions().0 > 0,
            "some songs have versions"
        );
        assert_eq!(streamed.song_count(), loaded.song_count());
        for id in (2..=600).step_by(2) {
            assert_eq!(streamed.get(id), loaded.get(id), "track {id}");
            assert_eq!(
                streamed.versions_of(id),
                loaded.versions_of(id),
                "track {id}"
            );
        }
    }
}
