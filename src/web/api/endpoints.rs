//! Tracks, artists, audio features, search, the comparison and the catalog summary.

use std::{collections::HashMap, sync::Arc};

use poem::{web::Data, Request};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use super::{
    error::ApiError,
    lookup::{self, ApiShared, MAX_FEATURE_IDS, MAX_IDS},
    objects::{self, Base},
    params::WholeNumber,
    ApiTags,
};
use crate::{
    catalog::{
        artists::{compare::MAX_COMPARED, compare::MIN_COMPARED, ArtistSummary},
        Feature,
    },
    db::{self, catalog_meta::SourceKind},
    web::state::AppState,
};

/// Most search results one page may hold, and the deepest offset (Spotify's limits).
const MAX_SEARCH_LIMIT: u32 = 50;
const MAX_SEARCH_OFFSET: u32 = 1000;
const DEFAULT_SEARCH_LIMIT: u32 = 20;

/// The offsets of a search page's `next` and `previous` pages: none past the results,
/// none past the deepest offset the API accepts (following `next` never ends in a
/// 400), and none at all for `limit=0`, whose neighbours would be the page itself.
fn neighbours(offset: u32, limit: u32, total: i64) -> (Option<u32>, Option<u32>) {
    if limit == 0 {
        return (None, None);
    }
    let next = offset + limit;
    let next = (i64::from(next) < total && next <= MAX_SEARCH_OFFSET).then_some(next);
    let previous = (offset > 0).then(|| offset.saturating_sub(limit));
    (next, previous)
}
/// Tracks in an artist's top tracks, and artists in the related list.
const TOP_TRACKS: i64 = 10;
const RELATED: usize = 20;

pub struct CatalogApi;

type Shared<'a> = Data<&'a Arc<ApiShared>>;

async fn tracks_in_order(
    state: &AppState,
    shared: &ApiShared,
    public: &[String],
) -> Result<Vec<Option<db::api_catalog::ApiTrack>>, ApiError> {
    let version = state.catalog().meta.version;
    let internal = shared.track_ids(state, version, public).await?;
    let rows = lookup::load_tracks(state, internal.iter().flatten().copied().collect()).await?;
    Ok(internal
        .into_iter()
        .map(|id| id.and_then(|id| rows.get(&id).cloned()))
        .collect())
}

/// One track by its public id; an unknown id is a 404.
async fn one_track(
    state: &AppState,
    shared: &ApiShared,
    id: &str,
) -> Result<db::api_catalog::ApiTrack, ApiError> {
    tracks_in_order(state, shared, &[id.to_string()])
        .await?
        .pop()
        .flatten()
        .ok_or_else(|| not_found("track", id))
}

async fn artists_objects(
    state: &AppState,
    base: &Base,
    artists: &[&ArtistSummary],
) -> Result<Vec<objects::Artist>, ApiError> {
    let mut genres = lookup::artist_genres(state, artists.iter().map(|a| a.id).collect()).await?;
    Ok(artists
        .iter()
        .map(|a| objects::artist(base, a, genres.remove(&a.id).unwrap_or_default()))
        .collect())
}

fn not_found(kind: &str, id: &str) -> ApiError {
    lookup::unknown(kind, id)
}

#[OpenApi]
impl CatalogApi {
    /// One track, in Spotify's track object.
    #[oai(
        path = "/tracks/:id",
        method = "get",
        tag = "ApiTags::Tracks",
        operation_id = "get-track"
    )]
    async fn track(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        /// The track's Spotify id, or the id the API assigned it.
        id: Path<String>,
    ) -> poem::Result<Json<objects::Track>> {
        let id = lookup::one_id(&id.0)?;
        let base = lookup::base(req, &state);
        let track = one_track(&state, &shared, &id).await?;
        Ok(Json(objects::track(&base, &track)))
    }

    /// Several tracks; an unknown id comes back as null.
    #[oai(
        path = "/tracks",
        method = "get",
        tag = "ApiTags::Tracks",
        operation_id = "get-several-tracks"
    )]
    async fn tracks(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        /// Comma-separated ids, at most 50.
        ids: Query<String>,
    ) -> poem::Result<Json<objects::TrackList>> {
        let ids = lookup::id_list(&ids.0, MAX_IDS)?;
        let base = lookup::base(req, &state);
        let tracks = tracks_in_order(&state, &shared, &ids).await?;
        lookup::check_unknown(&ids, &tracks)?;
        Ok(Json(objects::TrackList {
            tracks: tracks
                .iter()
                .map(|t| t.as_ref().map(|t| objects::track(&base, t)))
                .collect(),
        }))
    }

    /// Audio features of one track.
    #[oai(
        path = "/audio-features/:id",
        method = "get",
        tag = "ApiTags::Tracks",
        operation_id = "get-audio-features"
    )]
    async fn audio_features(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        id: Path<String>,
    ) -> poem::Result<Json<objects::AudioFeatures>> {
        let id = lookup::one_id(&id.0)?;
        let base = lookup::base(req, &state);
        let track = one_track(&state, &shared, &id).await?;
        Ok(Json(objects::audio_features(&base, &track)))
    }

    /// Audio features of several tracks; an unknown id comes back as null.
    #[oai(
        path = "/audio-features",
        method = "get",
        tag = "ApiTags::Tracks",
        operation_id = "get-several-audio-features"
    )]
    async fn several_audio_features(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        /// Comma-separated ids, at most 100.
        ids: Query<String>,
    ) -> poem::Result<Json<objects::AudioFeaturesList>> {
        let ids = lookup::id_list(&ids.0, MAX_FEATURE_IDS)?;
        let base = lookup::base(req, &state);
        let tracks = tracks_in_order(&state, &shared, &ids).await?;
        lookup::check_unknown(&ids, &tracks)?;
        Ok(Json(objects::AudioFeaturesList {
            audio_features: tracks
                .iter()
                .map(|t| t.as_ref().map(|t| objects::audio_features(&base, t)))
                .collect(),
        }))
    }

    /// One artist. Artists' ids are assigned by the API (the datasets have none).
    #[oai(
        path = "/artists/:id",
        method = "get",
        tag = "ApiTags::Artists",
        operation_id = "get-artist"
    )]
    async fn artist(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        id: Path<String>,
    ) -> poem::Result<Json<objects::Artist>> {
        let id = lookup::one_id(&id.0)?;
        let catalog = state.catalog();
        let artist = shared
            .artist(&catalog, &id)
            .ok_or_else(|| not_found("artist", &id))?;
        let base = lookup::base(req, &state);
        let mut list = artists_objects(&state, &base, &[artist]).await?;
        Ok(Json(list.remove(0)))
    }

    /// Several artists; an unknown id comes back as null.
    #[oai(
        path = "/artists",
        method = "get",
        tag = "ApiTags::Artists",
        operation_id = "get-multiple-artists"
    )]
    async fn artists(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        /// Comma-separated ids, at most 50.
        ids: Query<String>,
    ) -> poem::Result<Json<objects::ArtistList>> {
        let ids = lookup::id_list(&ids.0, MAX_IDS)?;
        let catalog = state.catalog();
        let found: Vec<Option<&ArtistSummary>> =
            ids.iter().map(|id| shared.artist(&catalog, id)).collect();
        lookup::check_unknown(&ids, &found)?;
        let known: Vec<&ArtistSummary> = found.iter().flatten().copied().collect();
        let base = lookup::base(req, &state);
        let objects = artists_objects(&state, &base, &known).await?;
        let by_id: HashMap<String, objects::Artist> =
            objects.into_iter().map(|a| (a.id.clone(), a)).collect();
        Ok(Json(objects::ArtistList {
            artists: ids
                .iter()
                .zip(&found)
                .map(|(id, f)| f.and_then(|_| by_id.get(id).cloned()))
                .collect(),
        }))
    }

    /// An artist's ten most popular tracks in the catalog.
    #[oai(
        path = "/artists/:id/top-tracks",
        method = "get",
        tag = "ApiTags::Artists",
        operation_id = "get-artists-top-tracks"
    )]
    async fn top_tracks(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        id: Path<String>,
        /// An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and
        /// then ignored: the catalog has no markets.
        market: Query<Option<String>>,
    ) -> poem::Result<Json<objects::TopTracks>> {
        let _ = market;
        let id = lookup::one_id(&id.0)?;
        let catalog = state.catalog();
        let artist = shared
            .artist(&catalog, &id)
            .ok_or_else(|| not_found("artist", &id))?;
        let artist_id = artist.id;
        let ids = db::run(&state.pool, move |conn| {
            Ok(db::api_catalog::top_track_ids(conn, artist_id, TOP_TRACKS)?)
        })
        .await
        .map_err(ApiError::from)?;
        let rows = lookup::load_tracks(&state, ids.clone()).await?;
        let base = lookup::base(req, &state);
        Ok(Json(objects::TopTracks {
            tracks: ids
                .iter()
                .filter_map(|id| rows.get(id))
                .map(|t| objects::track(&base, t))
                .collect(),
        }))
    }

    /// Up to 20 artists whose average features are nearest to this artist's.
    #[oai(
        path = "/artists/:id/related-artists",
        method = "get",
        tag = "ApiTags::Artists",
        operation_id = "get-an-artists-related-artists"
    )]
    async fn related_artists(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        id: Path<String>,
    ) -> poem::Result<Json<objects::RelatedArtists>> {
        let id = lookup::one_id(&id.0)?;
        let catalog = state.catalog();
        let artist = shared
            .artist(&catalog, &id)
            .ok_or_else(|| not_found("artist", &id))?;
        let similar: Vec<&ArtistSummary> = catalog
            .artists
            .similar(artist.id, RELATED)
            .into_iter()
            .map(|s| s.artist)
            .collect();
        let base = lookup::base(req, &state);
        Ok(Json(objects::RelatedArtists {
            artists: artists_objects(&state, &base, &similar).await?,
        }))
    }

    /// Ours: two to four artists side by side, with each feature's highest, lowest and
    /// spread.
    #[oai(
        path = "/artists/compare",
        method = "get",
        tag = "ApiTags::Artists",
        operation_id = "compare-artists"
    )]
    async fn compare(
        &self,
        req: &Request,
        state: Data<&AppState>,
        shared: Shared<'_>,
        /// Comma-separated artist ids, 2 to 4 different ones.
        ids: Query<String>,
    ) -> poem::Result<Json<objects::Comparison>> {
        let ids = lookup::id_list(&ids.0, MAX_COMPARED)?;
        let catalog = state.catalog();
        let mut chosen: Vec<&ArtistSummary> = Vec::new();
        for id in &ids {
            let artist = shared
                .artist(&catalog, id)
                .ok_or_else(|| not_found("artist", id))?;
            if chosen.iter().any(|a| a.id == artist.id) {
                return Err(ApiError::bad_request(format!("Artist “{id}” is named twice.")).into());
            }
            chosen.push(artist);
        }
        if chosen.len() < MIN_COMPARED {
            return Err(
                ApiError::bad_request(format!("Compare at least {MIN_COMPARED} artists.")).into(),
            );
        }
        let base = lookup::base(req, &state);
        let artists = artists_objects(&state, &base, &chosen).await?;
        let features = Feature::ALL
            .iter()
            .filter_map(|&f| {
                let values: Vec<(f64, &objects::Artist)> = chosen
                    .iter()
                    .zip(&artists)
                    .filter_map(|(a, o)| a.value(f).map(|v| (v, o)))
                    .collect();
                let high = values.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
                let low = values.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
                Some(objects::FeatureFigures {
                    feature: f.key().to_string(),
                    highest: high.1.id.clone(),
                    lowest: low.1.id.clone(),
                    spread: high.0 - low.0,
                    catalog_average: catalog.average.get(f),
                })
            })
            .collect();
        Ok(Json(objects::Comparison { artists, features }))
    }

    /// Artists and tracks by name, in Spotify's paging objects.
    #[oai(
        path = "/search",
        method = "get",
        tag = "ApiTags::Search",
        operation_id = "search"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        req: &Request,
        state: Data<&AppState>,
        /// What to look for: part of an artist's name or a track's title.
        q: Query<String>,
        /// Comma-separated: artist, track.
        #[oai(name = "type")]
        kind: Query<String>,
        /// Items per type, 0 to 50 (default 20).
        limit: Query<Option<WholeNumber>>,
        /// Index of the first item, 0 to 1000.
        offset: Query<Option<WholeNumber>>,
        /// An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and
        /// then ignored: the catalog has no markets.
        market: Query<Option<String>>,
    ) -> poem::Result<Json<objects::SearchResults>> {
        let _ = market;
        let q = q.0.trim().to_string();
        if q.is_empty() || q.chars().count() > 200 {
            return Err(ApiError::bad_request("q must be 1 to 200 characters.").into());
        }
        if q.chars().any(char::is_control) {
            return Err(ApiError::bad_request(
                "q must not contain control characters (such as NUL, tab or newline).",
            )
            .into());
        }
        let whole = |given: &Option<WholeNumber>, name: &str, default: u32, max: u32| {
            WholeNumber::read(
                given.as_ref(),
                name,
                i64::from(default),
                (0, i64::from(max)),
            )
            .map(|v| v as u32)
            .map_err(ApiError::bad_request)
        };
        let limit = whole(&limit.0, "limit", DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
        let offset = whole(&offset.0, "offset", 0, MAX_SEARCH_OFFSET)?;
        let (mut want_artists, mut want_tracks) = (false, false);
        for t in kind.0.split(',').map(str::trim) {
            match t {
                "artist" => want_artists = true,
                "track" => want_tracks = true,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "Unsupported search type “{other}”: use artist, track."
                    ))
                    .into())
                }
            }
        }
        let base = lookup::base(req, &state);
        let page_href = |kind: &str, off: u32| {
            let query = serde_urlencoded::to_string([
                ("q", q.as_str()),
                ("type", kind),
                ("offset", &off.to_string()),
                ("limit", &limit.to_string()),
            ])
            .unwrap_or_default();
            base.href(&format!("/search?{query}"))
        };
        let pages = |total: i64, kind: &str| {
            let (next, previous) = neighbours(offset, limit, total);
            (
                page_href(kind, offset),
                next.map(|off| page_href(kind, off)),
                previous.map(|off| page_href(kind, off)),
            )
        };
        let mut results = objects::SearchResults {
            artists: None,
            tracks: None,
        };
        if want_artists {
            let catalog = state.catalog();
            let all = catalog
                .artists
                .suggest(&q, (MAX_SEARCH_OFFSET + MAX_SEARCH_LIMIT) as usize);
            let total = all.len() as i64;
            let page: Vec<&ArtistSummary> = all
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|s| s.artist)
                .collect();
            let items = artists_objects(&state, &base, &page).await?;
            let (href, next, previous) = pages(total, "artist");
            results.artists = Some(objects::ArtistPage {
                href,
                items,
                limit,
                next,
                offset,
                previous,
                total,
            });
        }
        if want_tracks {
            let query = q.clone();
            let (total, ids) = db::run(&state.pool, move |conn| {
                Ok(db::api_catalog::search_track_ids(
                    conn,
                    &query,
                    i64::from(limit),
                    i64::from(offset),
                )?)
            })
            .await
            .map_err(ApiError::from)?;
            let rows = lookup::load_tracks(&state, ids.clone()).await?;
            let (href, next, previous) = pages(total, "track");
            results.tracks = Some(objects::TrackPage {
                href,
                items: ids
                    .iter()
                    .filter_map(|id| rows.get(id))
                    .map(|t| objects::track(&base, t))
                    .collect(),
                limit,
                next,
                offset,
                previous,
                total,
            });
        }
        Ok(Json(results))
    }

    /// Ours: what the home page summarises: the catalog's source, size, years and
    /// average features.
    #[oai(
        path = "/catalog",
        method = "get",
        tag = "ApiTags::Catalog",
        operation_id = "get-catalog"
    )]
    async fn catalog(&self, state: Data<&AppState>) -> Json<objects::CatalogSummary> {
        let catalog = state.catalog();
        let meta = &catalog.meta;
        Json(objects::CatalogSummary {
            source: match meta.source_kind {
                SourceKind::Empty => "empty",
                SourceKind::Demo => "demo",
                SourceKind::Import => "import",
            }
            .to_string(),
            source_name: meta.source_name.clone(),
            updated_at: meta.updated_at,
            version: meta.version,
            tracks: meta.track_count,
            artists: meta.artist_count,
            genres: meta.genre_count,
            min_year: meta.min_year,
            max_year: meta.max_year,
            audio_features: Feature::AUDIO
                .iter()
                .filter_map(|&f| catalog.average.get(f).map(|v| (f.key().to_string(), v)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_pages_link_only_to_pages_that_answer() {
        assert_eq!(neighbours(0, 20, 100), (Some(20), None));
        assert_eq!(neighbours(20, 20, 100), (Some(40), Some(0)));
        assert_eq!(neighbours(90, 20, 100), (None, Some(70)));
        // The deepest offset is 1000: a next page beyond it would be refused.
        assert_eq!(neighbours(980, 20, 5000), (Some(1000), Some(960)));
        assert_eq!(neighbours(1000, 20, 5000), (None, Some(980)));
        assert_eq!(neighbours(1000, 50, 5000), (None, Some(950)));
        assert_eq!(neighbours(5, 0, 100), (None, None));
    }
}
