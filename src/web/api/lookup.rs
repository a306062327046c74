//! From public ids to the catalog and back: the per-catalog-version maps of the ids the
//! API assigns, and the loading of whole tracks and artists for the handlers.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use poem::Request;

use super::{
    error::ApiError,
    guard::RateLimiter,
    ids,
    objects::{self, Base},
};
use crate::{
    catalog::{artists::ArtistSummary, snapshot::CatalogSnapshot},
    db::{self, api_catalog::ApiTrack},
    web::state::AppState,
};

/// Most ids one batch request may name (Spotify's limit for tracks and artists).
pub const MAX_IDS: usize = 50;
/// Most ids one audio-features request may name.
pub const MAX_FEATURE_IDS: usize = 100;

type Versioned<T> = Mutex<Option<(i64, Arc<T>)>>;

/// What the API keeps for one app: the rate limiter and maps built once per catalog
/// version.
#[derive(Default)]
pub struct ApiShared {
    pub limiter: RateLimiter,
    assigned_tracks: Versioned<ids::Assigned>,
    artists: Versioned<ids::Assigned>,
    /// Tracks per genre (lower-cased name), as genre seeds and filters see them.
    genre_counts: Versioned<HashMap<String, i64>>,
}

fn cached<T>(slot: &Versioned<T>, version: i64) -> Option<Arc<T>> {
    let guard = match slot.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    guard
        .as_ref()
        .filter(|(v, _)| *v == version)
        .map(|(_, value)| value.clone())
}

fn store<T>(slot: &Versioned<T>, version: i64, value: T) -> Arc<T> {
    let value = Arc::new(value);
    let mut guard = match slot.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    *guard = Some((version, value.clone()));
    value
}

impl ApiShared {
    /// Public artist id -> internal id, for this catalog version.
    fn artist_ids(&self, catalog: &CatalogSnapshot) -> Arc<ids::Assigned> {
        let version = catalog.meta.version;
        if let Some(map) = cached(&self.artists, version) {
            return map;
        }
        let map: ids::Assigned = catalog
            .artists
            .name_keys()
            .map(|(name_key, id)| (ids::artist_number(name_key), id))
            .collect();
        store(&self.artists, version, map)
    }

    /// The artist with this public id.
    pub fn artist<'a>(&self, catalog: &'a CatalogSnapshot, id: &str) -> Option<&'a ArtistSummary> {
        let internal = self.artist_ids(catalog).get(id)?;
        catalog.artists.get(internal)
    }

    /// The tracks of a genre, as a genre seed or filter matches them (any of a track's
    /// genres, case ignored): counted once per catalog version from the index.
    pub fn genre_track_count(&self, catalog: &CatalogSnapshot, genre: &str) -> i64 {
        let version = catalog.meta.version;
        let counts = cached(&self.genre_counts, version).unwrap_or_else(|| {
            store(
                &self.genre_counts,
                version,
                catalog.features.genre_track_counts(),
            )
        });
        counts
            .get(&genre.trim().to_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// Internal ids of tracks without a Spotify id, by the id the API assigned them.
    async fn assigned_tracks(
        &self,
        state: &AppState,
        version: i64,
    ) -> Result<Arc<ids::Assigned>, ApiError> {
        if let Some(map) = cached(&self.assigned_tracks, version) {
            return Ok(map);
        }
        let rows = db::run(&state.pool, |conn| {
            Ok(db::api_catalog::tracks_without_spotify_id(conn)?)
        })
        .await?;
        let map = rows
            .into_iter()
            .map(|(id, identity)| (ids::track_number(&identity), id))
            .collect();
        Ok(store(&self.assigned_tracks, version, map))
    }

    /// Internal ids for public track ids, in order (`None`: no such track).
    pub async fn track_ids(
        &self,
        state: &AppState,
        version: i64,
        public: &[String],
    ) -> Result<Vec<Option<i32>>, ApiError> {
        let wanted = public.to_vec();
        let found = db::run(&state.pool, move |conn| {
            Ok(db::api_catalog::ids_by_spotify_ids(conn, &wanted)?)
        })
        .await?;
        let mut out: Vec<Option<i32>> = public.iter().map(|p| found.get(p).copied()).collect();
        if out.iter().any(Option::is_none) {
            let assigned = self.assigned_tracks(state, version).await?;
            for (slot, id) in out.iter_mut().zip(public) {
                if slot.is_none() {
                    *slot = assigned.get(id);
                }
            }
        }
        Ok(out)
    }
}

/// Whole tracks by internal id.
pub async fn load_tracks(
    state: &AppState,
    ids: Vec<i32>,
) -> Result<HashMap<i32, ApiTrack>, ApiError> {
    Ok(db::run(&state.pool, move |conn| {
        Ok(db::api_catalog::tracks_by_ids(conn, &ids)?)
    })
    .await?)
}

/// Spotify's artist objects of these artists, with their genres.
pub async fn artists_objects(
    state: &AppState,
    base: &Base,
    artists: &[&ArtistSummary],
) -> Result<Vec<objects::Artist>, ApiError> {
    let mut genres = artist_genres(state, artists.iter().map(|a| a.id).collect()).await?;
    Ok(artists
        .iter()
        .map(|a| objects::artist(base, a, genres.remove(&a.id).unwrap_or_default()))
        .collect())
}

/// Each artist's three most frequent genres.
pub async fn artist_genres(
    state: &AppState,
    ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<String>>, ApiError> {
    let rows = db::run(&state.pool, move |conn| {
        Ok(db::artists::top_genres(conn, &ids, 3)?)
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, genres)| (id, genres.into_iter().map(|g| g.genre).collect()))
        .collect())
}

/// Where hrefs point: this server as the request reached it.
pub fn base(req: &Request, state: &AppState) -> Base {
    let host = req
        .headers()
        .get(poem::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| state.config.bind.to_string());
    let scheme = crate::web::auth::client::forwarded_scheme(req, state.config.trust_proxy_headers)
        .unwrap_or(if state.config.reached_over_https {
            "https"
        } else {
            // The server itself speaks plain HTTP only.
            "http"
        });
    Base {
        root: format!("{scheme}://{host}"),
        fill_unknown: state.config.api_fill_unknown,
    }
}

/// A comma-separated id list: 1 to `max` plausible ids. An empty entry (`a,,b`, `a,`)
/// is refused rather than dropped: the answer lists one object per id sent, in order,
/// and a client pairs them by position (Spotify answers "invalid id" too).
pub fn id_list(raw: &str, max: usize) -> Result<Vec<String>, ApiError> {
    if raw.trim().is_empty() {
        return Err(ApiError::bad_request("ids must name at least one id."));
    }
    let ids: Vec<String> = raw.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(position) = ids.iter().position(String::is_empty) {
        return Err(ApiError::bad_request(format!(
            "Invalid id: entry {} of ids is empty (“{raw}”); separate ids with single commas.",
            position + 1
        )));
    }
    if ids.len() > max {
        return Err(ApiError::bad_request(format!(
            "Too many ids requested: at most {max}, got {}.",
            ids.len()
        )));
    }
    if let Some(bad) = ids.iter().find(|id| !ids::plausible(id)) {
        return Err(invalid_id(bad));
    }
    Ok(ids)
}

/// The answer for an id the catalog does not hold: 404 for a well-formed id, 400
/// "Invalid id" for one that could not be anyone's (see `ids::well_formed`).
pub fn unknown(kind: &str, id: &str) -> ApiError {
    if ids::well_formed(id) {
        ApiError::not_found(format!("No {kind} with id “{id}” in the catalog."))
    } else {
        invalid_id(id)
    }
}

fn invalid_id(id: &str) -> ApiError {
    ApiError::bad_request(invalid_id_message(id))
}

/// What is said of an id that could not be anyone's, wherever it was given (`ids=`, a
/// path, `seed_tracks=`): cut to a few words, and with what an id looks like.
pub fn invalid_id_message(id: &str) -> String {
    format!(
        "Invalid id: “{}” (an id is {} letters and digits).",
        crate::quoted::quoted(id),
        ids::ID_LEN
    )
}

/// In an id list, an id the catalog does not hold comes back as null when it is
/// well-formed; one that is not is a bad request (as Spotify answers "invalid id").
pub fn check_unknown<T>(public: &[String], found: &[Option<T>]) -> Result<(), ApiError> {
    match public
        .iter()
        .zip(found)
        .find(|(id, f)| f.is_none() && !ids::well_formed(id))
    {
        Some((id, _)) => Err(invalid_id(id)),
        None => Ok(()),
    }
}

/// One id from a path: plausible, or 400.
pub fn one_id(raw: &str) -> Result<String, ApiError> {
    let id = raw.trim();
    if ids::plausible(id) {
        Ok(id.to_string())
    } else {
        Err(invalid_id(id))
    }
}
