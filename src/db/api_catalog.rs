//! Queries the JSON API needs on the catalog: whole track rows with their credited
//! artists (Spotify's track and audio-features objects), id look-ups, an artist's most
//! popular tracks, and the seed box's title search (the API's search, with its filters,
//! is `track_search`). (Key, mode, time signature and duration of every
//! track, for bounds on them, are `track_facts`.)

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{artists, genres, track_artists, track_genres, tracks};
use crate::db::folded_text::{contains_folded, FoldedTitle, TrackText};
use crate::db::one_of::one_of;
use crate::model::AudioFeatures;

/// One track, everything the API shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTrack {
    pub id: i32,
    pub identity: String,
    pub spotify_id: Option<String>,
    pub name: String,
    pub album: Option<String>,
    /// The album's Spotify id, when the dataset gave it.
    pub album_spotify_id: Option<String>,
    pub release_year: Option<i32>,
    /// "2019-10-17", "2019-10" or "2019", as precise as the dataset gave it.
    pub release_date: Option<String>,
    /// The genre of the track's first row in the dataset.
    pub genre: Option<String>,
    /// Every genre the dataset gives the track (not subgenres), `genre` first, then by
    /// name: what a genre seed or filter matches.
    pub genres: Vec<String>,
    pub popularity: Option<i32>,
    pub duration_ms: Option<i32>,
    pub explicit: Option<bool>,
    pub key: Option<i32>,
    pub mode: Option<i32>,
    pub time_signature: Option<i32>,
    pub features: AudioFeatures,
    /// Credited artists in credit order: (artist id, name, name key).
    pub artists: Vec<(i32, String, String)>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tracks)]
struct Row {
    id: i32,
    identity: String,
    spotify_id: Option<String>,
    name: String,
    album: Option<String>,
    release_year: Option<i32>,
    genre: Option<String>,
    popularity: Option<i32>,
    duration_ms: Option<i32>,
    explicit: Option<bool>,
    musical_key: Option<i32>,
    mode: Option<i32>,
    time_signature: Option<i32>,
    tempo: f64,
    loudness: f64,
    danceability: f64,
    energy: f64,
    acousticness: f64,
    instrumentalness: f64,
    valence: f64,
    speechiness: f64,
    liveness: f64,
    album_spotify_id: Option<String>,
    release_date: Option<String>,
}

/// The tracks with these ids, keyed by id (unknown ids are left out).
pub fn tracks_by_ids(
    conn: &mut crate::db::DbConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, ApiTrack>> {
    crate::db::with_backend!(conn, conn => {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Row> = tracks::table
        .filter(one_of(tracks::id, ids))
        .select(Row::as_select())
        .load(conn)?;
    let credits: Vec<(i32, i32, String, String)> = track_artists::table
        .inner_join(artists::table)
        .filter(one_of(track_artists::track_id, ids))
        .order((track_artists::track_id, track_artists::position))
        .select((
            track_artists::track_id,
            artists::id,
            artists::name,
            artists::name_key,
        ))
        .load(conn)?;
    let genre_links: Vec<(i32, String)> = track_genres::table
        .inner_join(genres::table)
        .filter(one_of(track_genres::track_id, ids))
        .filter(genres::parent_id.is_null())
        .select((track_genres::track_id, genres::name))
        .load(conn)?;
    let mut genres_of: HashMap<i32, Vec<String>> = HashMap::new();
    for (track_id, name) in genre_links {
        genres_of.entry(track_id).or_default().push(name);
    }
    // Sorted here, byte by byte: SQLite and PostgreSQL collate names differently.
    for names in genres_of.values_mut() {
        names.sort_unstable();
    }
    let mut by_track: HashMap<i32, Vec<(i32, String, String)>> = HashMap::new();
    for (track_id, artist_id, name, key) in credits {
        by_track
            .entry(track_id)
            .or_default()
            .push((artist_id, name, key));
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut genres = genres_of.remove(&r.id).unwrap_or_default();
            if let Some(first) = r.genre.as_ref().and_then(|g| genres.iter().position(|n| n == g)) {
                let main = genres.remove(first);
                genres.insert(0, main);
            }
            let track = ApiTrack {
                id: r.id,
                identity: r.identity,
                spotify_id: r.spotify_id,
                name: r.name,
                album: r.album,
                album_spotify_id: r.album_spotify_id,
                release_year: r.release_year,
                release_date: r.release_date,
                genre: r.genre,
                genres,
                popularity: r.popularity,
                duration_ms: r.duration_ms,
                explicit: r.explicit,
                key: r.musical_key,
                mode: r.mode,
                time_signature: r.time_signature,
                features: AudioFeatures {
                    danceability: r.danceability,
                    energy: r.energy,
                    acousticness: r.acousticness,
                    instrumentalness: r.instrumentalness,
                    valence: r.valence,
                    speechiness: r.speechiness,
                    liveness: r.liveness,
                    tempo: r.tempo,
                    loudness: r.loudness,
                },
                artists: by_track.remove(&r.id).unwrap_or_default(),
            };
            (r.id, track)
        })
        .collect())
    })
}

/// Internal ids of the tracks with these Spotify ids. A track's identity is its Spotify
/// id when it has one, and `identity` is indexed (`spotify_id` is not), so the look-up
/// goes through it.
pub fn ids_by_spotify_ids(
    conn: &mut crate::db::DbConnection,
    spotify_ids: &[String],
) -> QueryResult<HashMap<String, i32>> {
    crate::db::with_backend!(conn, conn => {
    if spotify_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<String>, i32)> = tracks::table
        .filter(one_of(tracks::identity, spotify_ids))
        .filter(tracks::spotify_id.is_not_null())
        .select((tracks::spotify_id, tracks::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, id)| s.map(|s| (s, id)))
        .collect())
    })
}

/// (id, identity) of every track without a Spotify id: the API gives those an id of
/// its own, derived from the identity.
pub fn tracks_without_spotify_id(
    conn: &mut crate::db::DbConnection,
) -> QueryResult<Vec<(i32, String)>> {
    crate::db::with_backend!(conn, conn => {
    tracks::table
        .filter(tracks::spotify_id.is_null())
        .select((tracks::id, tracks::identity))
        .load(conn)
    })
}

/// An artist's most popular tracks (unknown popularity last, then by id), as ids.
pub fn top_track_ids(
    conn: &mut crate::db::DbConnection,
    artist_id: i32,
    limit: i64,
) -> QueryResult<Vec<i32>> {
    crate::db::with_backend!(conn, conn => {
    track_artists::table
        .inner_join(tracks::table)
        .filter(track_artists::artist_id.eq(artist_id))
        .order(most_popular_first())
        .select(tracks::id)
        .limit(limit)
        .load(conn)
    })
}

/// Most popular first, unknown popularity last, then by id: the order of an artist's top
/// tracks and of search results.
pub(super) fn most_popular_first() -> (
    diesel::dsl::IsNull<tracks::popularity>,
    diesel::dsl::Desc<tracks::popularity>,
    tracks::id,
) {
    (
        tracks::popularity.is_null(),
        tracks::popularity.desc(),
        tracks::id,
    )
}

diesel::define_sql_function! {
    /// SQL `lower`, for PostgreSQL's search (it folds every letter there; SQLite's
    /// folds only ASCII, which its `LIKE` already ignores).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// One page of the tracks whose title contains `q` (case and Latin accents aside: `beyonce`
/// finds "Beyoncé": `folded_text`), as ids: those whose whole title is `q` first, then
/// the rest, each most popular first. By popularity alone, "Synthetic Song 1" typed
/// whole was never among the seed box's six, behind "Synthetic Song 10" to "…15" (a
/// catalog without popularity orders by id). No count: the seed search box shows the
/// first few only. Reads every title (about 0.15 s at 1.2M tracks on SQLite; a word most
/// titles hold, 0.25 s more, for the whole-title test on each of them).
pub fn track_ids_titled(
    conn: &mut crate::db::DbConnection,
    q: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<i32>> {
    let titled = contains_folded(TrackText::Title, q);
    let whole = crate::model::artist_names::artist_search_key(q.trim());
    crate::db::with_backend!(conn, c => tracks::table
        .filter(titled)
        .order(FoldedTitle.eq(whole).desc())
        .then_order_by(most_popular_first())
        .select(tracks::id)
        .limit(limit)
        .offset(offset)
        .load(c))
}
