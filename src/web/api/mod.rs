//! `/api/v1`: a JSON API shaped like Spotify's Web API (issue 12), so code written for
//! Spotify's closed `/recommendations` and `/audio-features` works here after changing
//! its base URL and token. Built with poem-openapi, which also generates the OpenAPI
//! document (`/api/v1/openapi.json`); `/api/docs` is the interactive page.
//!
//! - `guard`: CORS, bearer tokens (or anonymous reads when allowed), the rate limit,
//!   JSON errors.
//! - `endpoints`: tracks, artists, audio features, search, comparison, catalog.
//! - `albums`: albums, from the tracks that carry their ids (`album_objects`: their
//!   shapes).
//! - `search`: `/search`, Spotify's query syntax over artists and tracks.
//! - `recommendations`: seeds and tunable attributes to a search of the matching index.
//! - `objects`: the response shapes; `ids`: public ids; `lookup`: ids to the catalog;
//!   `paging`: paging objects' links.

mod album_objects;
mod albums;
pub mod docs;
mod endpoints;
pub mod error;
pub mod guard;
pub mod ids;
mod lookup;
mod objects;
mod paging;
pub mod params;
pub mod recommendations;
mod reference;
mod search;

use std::sync::Arc;

use poem::{
    endpoint::make_sync,
    http::{header, Method},
    Endpoint, EndpointExt, Response,
};
use poem_openapi::{OpenApiService, Tags};

pub use lookup::ApiShared;

/// Where the API lives.
pub const PREFIX: &str = "/api/";

#[derive(Tags)]
enum ApiTags {
    /// Tracks and their audio features.
    Tracks,
    /// Artists, their top tracks, related artists and comparisons.
    Artists,
    /// Albums, from the catalog's tracks that carry their ids.
    Albums,
    /// Tracks like the seeds.
    Recommendations,
    /// Artists and tracks by name.
    Search,
    /// The loaded catalog.
    Catalog,
}

const DESCRIPTION: &str = "A JSON API shaped like Spotify's Web API, over the catalog loaded \
into this server. Send `Authorization: Bearer <token>` with a personal token from your \
account page (unless the operator allows anonymous reads). Each server answers a number \
of requests a minute per token (per client address without one, or with a token it does \
not know): 600 unless its operator chose otherwise (`--api-rate-limit`); past it, 429 \
with `Retry-After`. Errors are always \
`{\"error\": {\"status\": 400, \"message\": \"...\"}}`. Ids are Spotify's where the dataset has \
them (tracks and albums), otherwise stable ids the API assigns (always for artists, whom the catalog knows by name). \
An album is found by the id a dataset gives it (`/albums/{id}`): its `total_tracks` and \
`tracks` are its tracks in this catalog.\n\n\
**Recommendations.** Each seed track and seed artist (the artist's average) is one \
profile; the target of each feature is their mean. Genre seeds restrict results to those \
genres, and alone aim at the genres' average. `target_<feature>` replaces the seeds' value; \
with seeds the nine audio features are matched with weight 1 and popularity only when targeted (without seeds, only the targeted features); \
`weight_<feature>` overrides (0 switches off). `min_`/`max_` bound results. Seed tracks \
are never returned. Beyond Spotify: `metric=cosine`, `max_per_artist`, `min_year`/`max_year` \
and an `explanation` per track (distance, similarity, per-feature difference).";

type Operations = (
    endpoints::CatalogApi,
    albums::AlbumsApi,
    recommendations::RecommendationsApi,
);

fn service() -> OpenApiService<Operations, ()> {
    OpenApiService::new(
        (
            endpoints::CatalogApi,
            albums::AlbumsApi,
            recommendations::RecommendationsApi,
        ),
        "Spotify Insights Hub API",
        "1.0",
    )
    .description(DESCRIPTION)
    .server("/api/v1")
}

/// The OpenAPI document, as served.
pub fn openapi_document() -> String {
    docs::finish_spec(&service().spec())
}

/// The operations under `/api/v1`: poem-openapi's service behind the guard (CORS,
/// tokens, rate limit, JSON errors).
pub fn v1() -> impl Endpoint<Output = Response> {
    let shared = Arc::new(ApiShared::default());
    let guarded_shared = shared.clone();
    service()
        .data(shared)
        .around(move |ep, req| {
            let shared = guarded_shared.clone();
            async move { guard::guard(&ep, &shared.limiter, req).await }
        })
        .map_to_response()
}

/// `/api/v1/openapi.json`: the document, generated from the code at start-up. It only
/// reads: GET and HEAD; OPTIONS says so, as everywhere under /api/v1 (`guard`), and
/// any other method gets the API's JSON 405. It needs no token, and carries the same
/// CORS headers as the operations: a client generator or an API explorer served from
/// an allowed origin reads the document before it calls anything.
pub fn openapi_json() -> impl Endpoint<Output = Response> {
    let spec = openapi_document();
    make_sync(move |req| {
        let origin = guard::cors_origin(&req);
        if req.method() == Method::OPTIONS {
            return guard::options(origin);
        }
        let mut resp = if req.method() != Method::GET && req.method() != Method::HEAD {
            error::method_not_allowed(error::ALLOWED_METHODS)
        } else {
            Response::builder()
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(spec.clone())
        };
        guard::add_cors(&mut resp, origin);
        resp
    })
}

/// `/api/docs` and its files.
pub fn docs() -> docs::Docs {
    docs::Docs::new(&service().swagger_ui_html(), &openapi_document())
}

/// Anything else under `/api`: JSON too, never the site's HTML error page.
pub fn not_found() -> impl Endpoint<Output = Response> {
    make_sync(|_| {
        error::json_error(
            poem::http::StatusCode::NOT_FOUND,
            "Service not found: the API lives under /api/v1.",
        )
    })
}
