//! Every track's facts for `catalog::facts::TrackFacts`: key, mode, time signature,
//! duration and tempo, with the title and credited artists the song rule needs. Two
//! queries, whatever the catalog's size; read once per catalog version.
//!
//! The tracks are streamed in id order beside the credits (also in track order), and
//! each goes to the builder as it is read: a million titles are never held at once.

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
    crate::db::with_backend!(conn, conn => {
    // Counted first so the credits (1.4 million at 1.2 million tracks) fill one array of
    // their exact size: loaded as a growing array they held about twice that.
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
    let mut builder = TrackFacts::builder(usize::try_from(count).unwrap_or(0));
    let mut next_credit = 0;
    let mut artists: Vec<i32> = Vec::new();
    let rows = tracks::table
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
        .load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        let (id, title, key, mode, time_signature, duration_ms, tempo) = row?;
        // Credits of tracks that no longer exist (none, with foreign keys) are skipped.
        while credits.get(next_credit).is_some_and(|(t, _)| *t < id) {
            next_credit += 1;
        }
        artists.clear();
        while let Some((_, artist)) = credits.get(next_credit).filter(|(t, _)| *t == id) {
            artists.push(*artist);
            next_credit += 1;
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
    })
}
