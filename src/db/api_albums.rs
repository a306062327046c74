//! Queries for the API's albums. The catalog has no album table: an album is the tracks
//! that carry its Spotify id (`tracks.album_spotify_id`, as the datasets give it), found
//! through the partial index `tracks_album_spotify_id` (migration
//! `2026-12-07-120000_album_index`). The album's tracks are read first, with their
//! count, and its credits and genres then by those tracks' ids, through the link
//! tables' primary keys, as a track's own are read (`api_catalog::tracks_by_ids`); the
//! page of tracks an answer lists is a slice of them. So each request costs what the
//! album holds, whatever the catalog's size.
//!
//! Album order is the tracks' id order: the catalog keeps no disc or track numbers, and
//! an import numbers tracks in the order of its file, which lists an album's tracks in
//! order where it has them (the Kaggle 1.2M file).

use diesel::{
    dsl::{count_star, min},
    prelude::*,
};

use super::schema::{artists, genres, track_artists, track_genres, tracks};
use crate::db::one_of::one_of;

/// One of an album's tracks: its internal id and popularity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlbumTrack {
    pub id: i32,
    pub popularity: Option<i32>,
}

/// An artist credited on an album's tracks.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumCredit {
    pub artist_id: i32,
    pub name: String,
    pub name_key: String,
    /// The album's tracks crediting the artist.
    pub tracks: i64,
    /// The first of them, in album order.
    pub first_track: i32,
    /// The artist's highest place in those tracks' credits (0: a main artist).
    pub best_position: i32,
}

/// A credit row as read: artist id, name, name key, tracks, first track, best position.
type CreditRow = (i32, String, String, i64, Option<i32>, Option<i32>);

/// The tracks that carry the album's id, in album order (none: no such album).
pub fn tracks(conn: &mut crate::db::DbConnection, album_id: &str) -> QueryResult<Vec<AlbumTrack>> {
    crate::db::with_backend!(conn, conn => {
    let rows: Vec<(i32, Option<i32>)> = tracks::table
        .filter(tracks::album_spotify_id.eq(album_id))
        .order(tracks::id)
        .select((tracks::id, tracks::popularity))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, popularity)| AlbumTrack { id, popularity })
        .collect())
    })
}

/// Every artist credited on the album's tracks (`track_ids`), with how many of them
/// credit each; in no particular order (`catalog::albums` orders them).
pub fn credits(
    conn: &mut crate::db::DbConnection,
    track_ids: &[i32],
) -> QueryResult<Vec<AlbumCredit>> {
    crate::db::with_backend!(conn, conn => {
    let rows: Vec<CreditRow> = track_artists::table
        .inner_join(artists::table)
        .filter(one_of(track_artists::track_id, track_ids))
        .group_by((artists::id, artists::name, artists::name_key))
        .select((
            artists::id,
            artists::name,
            artists::name_key,
            count_star(),
            min(track_artists::track_id),
            min(track_artists::position),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(artist_id, name, name_key, tracks, first_track, best_position)| AlbumCredit {
            artist_id,
            name,
            name_key,
            tracks,
            // A group has at least one row, so neither is NULL.
            first_track: first_track.unwrap_or(i32::MAX),
            best_position: best_position.unwrap_or(i32::MAX),
        })
        .collect())
    })
}

/// The genres (not subgenres) of the album's tracks (`track_ids`), with how many of
/// them hold each; in no particular order.
pub fn genres(
    conn: &mut crate::db::DbConnection,
    track_ids: &[i32],
) -> QueryResult<Vec<(String, i64)>> {
    crate::db::with_backend!(conn, conn => track_genres::table
        .inner_join(genres::table)
        .filter(one_of(track_genres::track_id, track_ids))
        .filter(genres::parent_id.is_null())
        .group_by((genres::id, genres::name))
        .select((genres::name, count_star()))
        .load(conn))
}
