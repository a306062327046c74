//! What a page shows about a handful of tracks found by the matching index (which only
//! knows ids): title, album, artists in credit order. One query for the tracks and one
//! for their artists, whatever the number of ids.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{artists, track_artists, tracks};

#[derive(Debug, Clone, PartialEq)]
pub struct TrackDetails {
    pub id: i32,
    pub name: String,
    pub album: Option<String>,
    pub release_year: Option<i32>,
    pub genre: Option<String>,
    pub popularity: Option<i32>,
    pub explicit: Option<bool>,
    pub spotify_id: Option<String>,
    /// Credit order.
    pub artists: Vec<String>,
}

type TrackRow = (
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<bool>,
    Option<String>,
);

/// The tracks with these ids, keyed by id (ids that do not exist are left out).
pub fn by_ids(
    conn: &mut crate::db::DbConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, TrackDetails>> {
    crate::db::with_backend!(conn, conn => {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<TrackRow> = tracks::table
        .filter(tracks::id.eq_any(ids))
        .select((
            tracks::id,
            tracks::name,
            tracks::album,
            tracks::release_year,
            tracks::genre,
            tracks::popularity,
            tracks::explicit,
            tracks::spotify_id,
        ))
        .load(conn)?;
    let credits: Vec<(i32, String)> = track_artists::table
        .inner_join(artists::table)
        .filter(track_artists::track_id.eq_any(ids))
        .order((track_artists::track_id, track_artists::position))
        .select((track_artists::track_id, artists::name))
        .load(conn)?;
    let mut by_track: HashMap<i32, Vec<String>> = HashMap::new();
    for (track_id, name) in credits {
        by_track.entry(track_id).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, name, album, release_year, genre, popularity, explicit, spotify_id)| {
                let details = TrackDetails {
                    id,
                    name,
                    album,
                    release_year,
                    genre,
                    popularity,
                    explicit,
                    spotify_id,
                    artists: by_track.remove(&id).unwrap_or_default(),
                };
                (id, details)
            },
        )
        .collect())
    })
}
