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
    objects,
    params::WholeNumber,
    search, ApiTags,
};
use crate::{
    catalog::{
        artists::{compare::MAX_COMPARED, compare::MIN_COMPARED, ArtistSummary},
        Feature,
    },
    db::{self, catalog_meta::SourceKind},
    web::state::AppState,
};

/// Tracks in an artist's top tracks, and artists in the related list.
const TOP_TRACKS: usize = 10;
const RELATED: usize = 20;
/// An artist's tracks read for the top ten, most popular first: enough for ten songs
/// when each has a remaster or two beside it.
const TOP_TRACKS_READ: i64 = 200;

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
        let mut list = lookup::artists_objects(&state, &base, &[artist]).await?;
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
        let objects = lookup::artists_objects(&state, &base, &known).await?;
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
        let by_popularity = db::run(&state.pool, move |conn| {
            Ok(db::api_catalog::top_track_ids(
                conn,
                artist_id,
                TOP_TRACKS_READ,
            )?)
        })
        .await
        .map_err(ApiError::from)?;
        // Each song once, by its most popular version: Queen's top ten held "Bohemian
        // Rhapsody - 2011 Mix" twice and seven songs in all.
        let facts = crate::web::seeds::facts(&state, catalog.meta.version)
            .await
            .map_err(ApiError::from)?;
        let mut songs = std::collections::HashSet::new();
        let ids: Vec<i32> = by_popularity
            .into_iter()
            .filter(|&id| facts.get(id).is_none_or(|f| songs.insert(f.song)))
            .take(TOP_TRACKS)
            .collect();
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
            artists: lookup::artists_objects(&state, &base, &similar).await?,
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
        let artists = lookup::artists_objects(&state, &base, &chosen).await?;
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
                    spread: objects::tidy(high.0 - low.0),
                    catalog_average: catalog.average.get(f).map(objects::tidy),
                })
            })
            .collect();
        Ok(Json(objects::Comparison { artists, features }))
    }

    /// Artists and tracks by name, in Spotify's paging objects. `q` takes Spotify's
    /// field filters: `track:`, `artist:`, `album:`, `genre:`, `year:2010` or
    /// `year:1990-1999`, with `"quoted phrases"`; an unknown `field:` is plain text.
    /// `NOT word` leaves out what holds the word and `*` is a wildcard; `OR` is refused.
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
        /// What to look for: words, each in a track's title, album or artists (for
        /// tracks) or in an artist's name (for artists), and field filters such as
        /// `artist:"Daft Punk" year:2000-2009`. Case and accents are ignored. At most
        /// 500 characters, and 20 words, phrases and filters.
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
    ) -> poem::Result<Json<objects::OrderedSearchResults>> {
        let _ = market;
        let given = search::SearchRequest {
            q: &q.0,
            kind: &kind.0,
            limit: limit.0.as_ref(),
            offset: offset.0.as_ref(),
        };
        Ok(Json(search::search(req, &state, given).await?))
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
            // An empty catalog has no means: none, not zeros next to `tracks: 0`.
            audio_features: Feature::AUDIO
                .iter()
                .filter(|_| meta.track_count > 0)
                .filter_map(|&f| {
                    let mean = catalog.average.get(f)?;
                    Some((f.key().to_string(), objects::tidy(mean)))
                })
                .collect(),
        })
    }
}
