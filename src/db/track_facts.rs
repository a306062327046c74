//! Every track's facts for `catalog::facts::TrackFacts`: key, mode, time signature,
//! duration and tempo, with the title and credited artists the song rule needs. Two
//! queries, whatever the catalog's size; read once per catalog version.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{track_artists, tracks};
use crate::catalog::facts::{FactRow, TrackFact};

type Row = (
    i32,
    String,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    f64,
);

pub fn all(conn: &mut crate::db::DbConnection) -> QueryResult<Vec<FactRow>> {
    crate::db::with_backend!(conn, conn => {
    let rows: Vec<Row> = tracks::table
        .select((
            tracks::id,
            tracks::name,
            tracks::musical_key,
            tracks::mode,
            tracks::time_signature,
            tracks::duration_ms,
            tracks::tempo,
        ))
        .load(conn)?;
    let credits: Vec<(i32, i32)> = track_artists::table
        .select((track_artists::track_id, track_artists::artist_id))
        .load(conn)?;
    let mut by_track: HashMap<i32, Vec<i32>> = HashMap::with_capacity(rows.len());
    for (track, artist) in credits {
        by_track.entry(track).or_default().push(artist);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, title, key, mode, time_signature, duration_ms, tempo)| FactRow {
                fact: TrackFact {
                    id,
                    key,
                    mode,
                    time_signature,
                    duration_ms,
                    tempo,
                    song: 0,
                },
                title,
                artists: by_track.remove(&id).unwrap_or_default(),
            },
        )
        .collect())
    })
}
