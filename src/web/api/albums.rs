//! `/albums/{id}`, `/albums?ids=` and `/albums/{id}/tracks`: Spotify's album endpoints
//! over the catalog's tracks. The catalog has no album table; an album is the tracks
//! that carry its Spotify id (`db::api_albums`), so only an id a dataset gave is found
//! here. What the album object makes of them (its artists, genres) is
//! `catalog::albums`; its shape is `album_objects`.

use std::collections::HashMap;

use poem::{web::Data, Request};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use super::{
    album_objects::{self, Album, AlbumFound, AlbumList, SimplifiedTrackPage},
    error::ApiError,
    ids,
    lookup::{self},
    objects::Base,
    paging::neighbours,
    params::WholeNumber,
    ApiTags,
};
use crate::{
    catalog::albums::{album_artists, album_genres, album_totals},
    db::{self, api_albums, api_catalog},
    web::state::AppState,
};

/// Most ids one `/albums` request may name (Spotify's limit).
pub const MAX_ALBUM_IDS: usize = 20;
/// An album's tracks a page holds at most, and by default (Spotify's).
pub const MAX_TRACKS_LIMIT: u32 = 50;
pub const DEFAULT_TRACKS_LIMIT: u32 = 20;
/// The deepest offset into an album's tracks: far past any album (the datasets' longest
/// hold a few hundred tracks), and a bound on what one request may skip.
pub const MAX_TRACKS_OFFSET: u32 = 100_000;
/// The tracks an album object lists itself (Spotify's: the first 50).
const TRACKS_IN_ALBUM: u32 = 50;

pub struct AlbumsApi;

/// The answer for an album id the catalog does not hold.
fn unknown_album(id: &str) -> ApiError {
    if ids::well_formed(id) {
        ApiError::not_found(format!(
            "No album with id “{id}” in the catalog. An album is found by the album id its \
             tracks carry in the dataset; where the dataset gives none, a track's album \
             has an id the API made up, which names no album here."
        ))
    } else {
        lookup::unknown("album", id)
    }
}

/// The album's tracks page as a paging object: its address and neighbours.
fn track_page(
    base: &Base,
    album_id: &str,
    items: Vec<album_objects::SimplifiedTrack>,
    (limit, offset): (u32, u32),
    total: i64,
) -> SimplifiedTrackPage {
    let href = |offset: u32| {
        base.href(&format!(
            "/albums/{album_id}/tracks?offset={offset}&limit={limit}"
        ))
    };
    let (next, previous) = neighbours(offset, limit, total, MAX_TRACKS_OFFSET);
    SimplifiedTrackPage {
        href: href(offset),
        items,
        limit,
        next: next.map(href),
        offset,
        previous: previous.map(href),
        total,
    }
}

/// What the catalog holds of each album, in the order of `public` (`None`: no track
/// carries that id). One connection, a few index look-ups per album.
async fn find_albums(
    state: &AppState,
    public: &[String],
) -> Result<Vec<Option<AlbumFound>>, ApiError> {
    let wanted = public.to_vec();
    Ok(db::run(&state.pool, move |conn| {
        let mut found: HashMap<&str, AlbumFound> = HashMap::new();
        for id in &wanted {
            if found.contains_key(id.as_str()) {
                continue;
            }
            let tracks = api_albums::tracks(conn, id)?;
            let Some(totals) = album_totals(&tracks) else {
                continue;
            };
            let ids: Vec<i32> = tracks.iter().map(|t| t.id).collect();
            let page = &ids[..ids.len().min(TRACKS_IN_ALBUM as usize)];
            let mut rows = api_catalog::tracks_by_ids(conn, page)?;
            let first_tracks = page.iter().filter_map(|t| rows.remove(t)).collect();
            let artists = album_artists(api_albums::credits(conn, &ids)?, totals.tracks);
            let genres = album_genres(api_albums::genres(conn, &ids)?);
            found.insert(
                id,
                AlbumFound {
                    totals,
                    first_tracks,
                    artists,
                    genres,
                },
            );
        }
        // An id named twice gets its album twice.
        Ok(wanted
            .iter()
            .map(|id| found.get(id.as_str()).cloned())
            .collect())
    })
    .await?)
}

/// The album object of what was found.
fn album_object(base: &Base, found: &AlbumFound) -> Option<Album> {
    let album_id = found.first_tracks.first()?.album_spotify_id.as_deref()?;
    let items = found
        .first_tracks
        .iter()
        .map(|t| album_objects::simplified_track(base, t))
        .collect();
    let tracks = track_page(
        base,
        album_id,
        items,
        (TRACKS_IN_ALBUM, 0),
        found.totals.tracks,
    );
    album_objects::album(base, found, tracks)
}

#[OpenApi]
impl AlbumsApi {
    /// One album, in Spotify's album object. It is made from the catalog's tracks that
    /// carry the album's id (the id a dataset gives: a track's `album.id` where its
    /// `href` is not null). `total_tracks` and `tracks` are the album's tracks in this catalog,
    /// which may hold only some of the album; `artists` are those credited on most of
    /// them.
    #[oai(
        path = "/albums/:id",
        method = "get",
        tag = "ApiTags::Albums",
        operation_id = "get-an-album"
    )]
    async fn album(
        &self,
        req: &Request,
        state: Data<&AppState>,
        /// The album's Spotify id.
        id: Path<String>,
        /// An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and
        /// then ignored: the catalog has no markets.
        market: Query<Option<String>>,
    ) -> poem::Result<Json<Album>> {
        let _ = market;
        let id = lookup::one_id(&id.0)?;
        let base = lookup::base(req, &state);
        let found = find_albums(&state, std::slice::from_ref(&id)).await?;
        let album = found
            .first()
            .and_then(|f| f.as_ref())
            .and_then(|f| album_object(&base, f))
            .ok_or_else(|| unknown_album(&id))?;
        Ok(Json(album))
    }

    /// Several albums; an unknown id comes back as null. Each as `/albums/{id}` answers
    /// it: the album's tracks in this catalog.
    #[oai(
        path = "/albums",
        method = "get",
        tag = "ApiTags::Albums",
        operation_id = "get-multiple-albums"
    )]
    async fn albums(
        &self,
        req: &Request,
        state: Data<&AppState>,
        /// Comma-separated album ids, at most 20.
        ids: Query<String>,
        /// An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and
        /// then ignored: the catalog has no markets.
        market: Query<Option<String>>,
    ) -> poem::Result<Json<AlbumList>> {
        let _ = market;
        let ids = lookup::id_list(&ids.0, MAX_ALBUM_IDS)?;
        let base = lookup::base(req, &state);
        let albums: Vec<Option<Album>> = find_albums(&state, &ids)
            .await?
            .iter()
            .map(|f| f.as_ref().and_then(|f| album_object(&base, f)))
            .collect();
        lookup::check_unknown(&ids, &albums)?;
        Ok(Json(AlbumList { albums }))
    }

    /// An album's tracks in this catalog, in Spotify's paging object of simplified
    /// tracks. They come in the catalog's order: stable, but not the album's (the
    /// catalog keeps no track numbers, nor the file's order: an import numbers new
    /// tracks by their Spotify track ids).
    #[oai(
        path = "/albums/:id/tracks",
        method = "get",
        tag = "ApiTags::Albums",
        operation_id = "get-an-albums-tracks"
    )]
    async fn album_tracks(
        &self,
        req: &Request,
        state: Data<&AppState>,
        /// The album's Spotify id.
        id: Path<String>,
        /// Tracks per page, 1 to 50 (default 20).
        limit: Query<Option<WholeNumber>>,
        /// Index of the first track, 0 to 100000.
        offset: Query<Option<WholeNumber>>,
        /// An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and
        /// then ignored: the catalog has no markets.
        market: Query<Option<String>>,
    ) -> poem::Result<Json<SimplifiedTrackPage>> {
        let _ = market;
        let id = lookup::one_id(&id.0)?;
        let whole = |given: Option<&WholeNumber>, name: &str, default: u32, range: (u32, u32)| {
            WholeNumber::read(
                given,
                name,
                i64::from(default),
                (i64::from(range.0), i64::from(range.1)),
            )
            .map(|v| v as u32)
            .map_err(ApiError::bad_request)
        };
        let limit = whole(
            limit.0.as_ref(),
            "limit",
            DEFAULT_TRACKS_LIMIT,
            (1, MAX_TRACKS_LIMIT),
        )?;
        let offset = whole(offset.0.as_ref(), "offset", 0, (0, MAX_TRACKS_OFFSET))?;
        let album_id = id.clone();
        let found = db::run(&state.pool, move |conn| {
            // Every id, then the page: an album holds tens of tracks, and its count
            // comes with them.
            let all = api_albums::tracks(conn, &album_id)?;
            if all.is_empty() {
                return Ok(None);
            }
            let page: Vec<i32> = all
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|t| t.id)
                .collect();
            let mut rows = api_catalog::tracks_by_ids(conn, &page)?;
            let tracks: Vec<api_catalog::ApiTrack> =
                page.iter().filter_map(|t| rows.remove(t)).collect();
            Ok(Some((all.len() as i64, tracks)))
        })
        .await
        .map_err(ApiError::from)?;
        let (total, tracks) = found.ok_or_else(|| unknown_album(&id))?;
        let base = lookup::base(req, &state);
        let items = tracks
            .iter()
            .map(|t| album_objects::simplified_track(&base, t))
            .collect();
        Ok(Json(track_page(&base, &id, items, (limit, offset), total)))
    }
}
