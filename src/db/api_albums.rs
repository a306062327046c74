//! Queries for the API's albums. The catalog has no album table: an album is the tracks
//! that carry its Spotify id (`tracks.album_spotify_id`, as the datasets give it), found
//! through the partial index `tracks_album_spotify_id` (migration
//! `2026-12-07-120000_album_index`). Every query here reads that one album's tracks and
//! their links, so it costs what the album holds, whatever the catalog's size.
//!
//! Album order is the tracks' id order: the catalog keeps no disc or track numbers, and
//! an import numbers tracks in the order of its file, which lists an album's tracks in
//! order where it has them (the Kaggle 1.2M file).

use diesel::{
    dsl::{count, count_star, min, sum},
    prelude::*,
};

use super::schema::{artists, genres, track_artists, track_genres, tracks};

/// What the album object says of its tracks as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumTotals {
    /// Tracks in the catalog carrying the album's id.
    pub tracks: i64,
    /// The mean popularity of those whose popularity is known.
    pub mean_popularity: Option<f64>,
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

/// The album's track count and mean popularity; `None` when no track carries the id.
pub fn totals(
    conn: &mut crate::db::DbConnection,
    album_id: &str,
) -> QueryResult<Option<AlbumTotals>> {
    crate::db::with_backend!(conn, conn => {
    let (tracks, popularity_sum, popularity_count): (i64, Option<i64>, i64) = tracks::table
        .filter(tracks::album_spotify_id.eq(album_id))
        .select((count_star(), sum(tracks::popularity), count(tracks::popularity)))
        .first(conn)?;
    Ok((tracks > 0).then(|| AlbumTotals {
        tracks,
        mean_popularity: popularity_sum
            .filter(|_| popularity_count > 0)
            .map(|sum| sum as f64 / popularity_count as f64),
    }))
    })
}

/// One page of the album's tracks in album order, as internal ids.
pub fn track_ids(
    conn: &mut crate::db::DbConnection,
    album_id: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<i32>> {
    crate::db::with_backend!(conn, conn => tracks::table
        .filter(tracks::album_spotify_id.eq(album_id))
        .order(tracks::id)
        .select(tracks::id)
        .limit(limit)
        .offset(offset)
        .load(conn))
}

/// Every artist credited on the album's tracks, with how many of them credit each; in
/// no particular order (`catalog::albums` orders them).
pub fn credits(
    conn: &mut crate::db::DbConnection,
    album_id: &str,
) -> QueryResult<Vec<AlbumCredit>> {
    crate::db::with_backend!(conn, conn => {
    let rows: Vec<CreditRow> = track_artists::table
        .inner_join(tracks::table)
        .inner_join(artists::table)
        .filter(tracks::album_spotify_id.eq(album_id))
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

/// The genres (not subgenres) of the album's tracks, with how many tracks hold each; in
/// no particular order.
pub fn genres(
    conn: &mut crate::db::DbConnection,
    album_id: &str,
) -> QueryResult<Vec<(String, i64)>> {
    crate::db::with_backend!(conn, conn => track_genres::table
        .inner_join(tracks::table)
        .inner_join(genres::table)
        .filter(tracks::album_spotify_id.eq(album_id))
        .filter(genres::parent_id.is_null())
        .group_by((genres::id, genres::name))
        .select((genres::name, count_star()))
        .load(conn))
}
