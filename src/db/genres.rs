//! Reads what the genre pages are computed from: every genre and subgenre, every
//! track-genre link, and every track's year, popularity, main artist and audio
//! features, in three narrow scans inside one read transaction. The tracks are handed
//! one at a time to what the caller starts from the genres and links
//! (`catalog::genres::GenreSource`), which this module does not name.
//!
//! And what the search's `genre:` lists are made of (`search_rows`): each genre's name
//! key, the links, and every track's popularity, year and `genre` column.

use diesel::prelude::*;

use super::{
    features::{audio_feature_columns, features_from_tuple, track_feature_columns},
    schema::{genres, track_artists, track_genres, tracks},
};
use crate::model::AudioFeatures;

/// A genre or subgenre as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreDef {
    pub id: i32,
    pub name: String,
    /// The genre a subgenre belongs to.
    pub parent: Option<i32>,
}

/// What a genre page needs of one track.
#[derive(Debug, Clone, PartialEq)]
pub struct GenreTrack {
    pub id: i32,
    /// The main (first credited) artist.
    pub artist: Option<i32>,
    pub year: Option<i32>,
    pub popularity: Option<i32>,
    pub features: AudioFeatures,
}

/// Every genre, subgenre and (track, genre) link of the catalog, given to `start`, and
/// then every track, in id order, to `add`; with the catalog version they were read at.
pub fn load<S>(
    conn: &mut crate::db::DbConnection,
    start: impl FnOnce(Vec<GenreDef>, Vec<(i32, i32)>) -> S,
    mut add: impl FnMut(&mut S, GenreTrack),
) -> QueryResult<(i64, S)> {
    crate::db::read_transaction(conn, |conn| {
        let version = super::catalog_meta::version(conn)?;
        crate::db::with_backend!(conn, conn => {
            let genres: Vec<GenreDef> = genres::table
                .order(genres::id)
                .select((genres::id, genres::name, genres::parent_id))
                .load::<(i32, String, Option<i32>)>(conn)?
                .into_iter()
                .map(|(id, name, parent)| GenreDef { id, name, parent })
                .collect();
            let links: Vec<(i32, i32)> = track_genres::table
                .select((track_genres::track_id, track_genres::genre_id))
                .order((track_genres::track_id, track_genres::genre_id))
                .load(conn)?;
            let mut main_artists: Vec<(i32, i32)> = track_artists::table
                .filter(track_artists::position.eq(0))
                .select((track_artists::track_id, track_artists::artist_id))
                .load(conn)?;
            main_artists.sort_unstable();
            let mut next_artist = main_artists.into_iter().peekable();
            // Streamed: the source keeps only the tracks some genre lists (sized from
            // the links), and counts every track in the decades as it goes by.
            let mut source = start(genres, links);
            let rows = tracks::table
                .order(tracks::id)
                .select((
                    tracks::id,
                    tracks::release_year,
                    tracks::popularity,
                    audio_feature_columns!(track_feature_columns),
                ))
                .load_iter::<(
                    i32,
                    Option<i32>,
                    Option<i32>,
                    (f64, f64, f64, f64, f64, f64, f64, f64, f64),
                ), diesel::connection::DefaultLoadingMode>(conn)?;
            for row in rows {
                let (id, year, popularity, f) = row?;
                while next_artist.next_if(|(track, _)| *track < id).is_some() {}
                let artist = next_artist
                    .next_if(|(track, _)| *track == id)
                    .map(|(_, artist)| artist);
                add(&mut source, GenreTrack {
                    id,
                    artist,
                    year,
                    popularity,
                    features: audio_feature_columns!(features_from_tuple; f),
                });
            }
            Ok((version, source))
        })
    })
}

/// What the search's `genre:` filter needs of one track (`catalog::genre_tracks`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedTrack<'a> {
    pub id: i32,
    pub popularity: Option<i32>,
    pub year: Option<i32>,
    /// The `genre` column: the first genre, and all there is in a catalog written
    /// without links.
    pub genre: Option<&'a str>,
}

/// Every genre's and subgenre's (id, name key), every (track, genre) link and every
/// (track, artist) credit in track order, given to `start`; then every track in id
/// order to `add`. Read in the caller's transaction (the cache reads it with the
/// catalog's version).
pub fn search_rows<S>(
    conn: &mut crate::db::DbConnection,
    start: impl FnOnce(Vec<(i32, String)>, Vec<(i32, i32)>, Vec<(i32, i32)>) -> S,
    mut add: impl FnMut(&mut S, RankedTrack<'_>),
) -> QueryResult<S> {
    crate::db::with_backend!(conn, conn => {
        let keys: Vec<(i32, String)> = genres::table
            .select((genres::id, genres::name_key))
            .load(conn)?;
        let links: Vec<(i32, i32)> = track_genres::table
            .select((track_genres::track_id, track_genres::genre_id))
            .order((track_genres::track_id, track_genres::genre_id))
            .load(conn)?;
        let credits: Vec<(i32, i32)> = track_artists::table
            .select((track_artists::track_id, track_artists::artist_id))
            .order((track_artists::track_id, track_artists::artist_id))
            .load(conn)?;
        let mut sink = start(keys, links, credits);
        let rows = tracks::table
            .order(tracks::id)
            .select((
                tracks::id,
                tracks::popularity,
                tracks::release_year,
                tracks::genre,
            ))
            .load_iter::<
                (i32, Option<i32>, Option<i32>, Option<String>),
                diesel::connection::DefaultLoadingMode,
            >(conn)?;
        for row in rows {
            let (id, popularity, year, genre) = row?;
            add(&mut sink, RankedTrack {
                id,
                popularity,
                year,
                genre: genre.as_deref(),
            });
        }
        Ok(sink)
    })
}
