//! `GET /genres/compare?genre=A&genre=B` and its CSV: two to four genres side by side,
//! with the artists' comparison code (`web::compare`).

use std::sync::Arc;

use maud::{html, Markup};
use poem::{handler, web::Data, Request, Response};

use super::{genre_path, render};
use crate::{
    catalog::{
        artists::FEW_TRACKS,
        compare::{resolve_selection, FieldProblem},
        genres::{GenreCatalog, GenreProfile},
        snapshot::CatalogSnapshot,
    },
    error::AppResult,
    web::{
        compare::{comparison, comparison_csv, outcome, respond, CompareRequest, Compared, GENRES},
        extract::PageContext,
        state::AppState,
    },
};

/// How many top artists the key figures name.
const NAMED_ARTISTS: usize = 3;

#[handler]
pub async fn compare(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let (mut request, genres) = request_and_genres(&ctx, &state, req).await?;
    let catalog = &ctx.catalog;
    let result = compared(&genres, catalog, &mut request)
        .map(|compared| comparison(&request, catalog, &compared));
    let (content, status) = outcome(&request, result, Some(names(&genres)));
    Ok(respond(&ctx, &request, content, status, render))
}

/// `GET /genres/compare.csv?genre=…`: the compared genres' averages, one row each,
/// then the catalog average.
#[handler]
pub async fn compare_csv(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let (mut request, genres) = request_and_genres(&ctx, &state, req).await?;
    let compared = compared(&genres, &ctx.catalog, &mut request);
    comparison_csv(&request, &ctx.catalog, compared)
}

/// What both the page and its CSV start from: the genres asked for, and the
/// catalog's genre profiles to find them in.
async fn request_and_genres(
    ctx: &PageContext,
    state: &AppState,
    req: &Request,
) -> AppResult<(CompareRequest, Arc<GenreCatalog>)> {
    let request = CompareRequest::of_request(req, &GENRES)?;
    let genres = state
        .caches
        .genres(&state.pool, ctx.catalog.meta.version)
        .await?;
    Ok((request, genres))
}

/// Every genre and subgenre name, for the fields' suggestions (a `<datalist>`).
fn names(genres: &GenreCatalog) -> Markup {
    html! {
        @if let Some(id) = GENRES.datalist {
            datalist id=(id) {
                @for g in genres.genres().iter().chain(genres.subgenres()) {
                    option value=(g.name) {}
                }
            }
        }
    }
}

/// The genres the request names, or every problem with the names. Each field is
/// rewritten to the genre's catalog spelling.
fn compared<'a>(
    genres: &'a GenreCatalog,
    catalog: &CatalogSnapshot,
    request: &mut CompareRequest,
) -> Result<Vec<Compared<'a>>, Vec<FieldProblem<'a, GenreProfile>>> {
    let chosen = resolve_selection(|name| genres.lookup(name), &request.fields)?;
    request.respell(chosen.iter().map(|g| g.name.as_str()));
    Ok(chosen
        .into_iter()
        .map(|g| Compared {
            name: &g.name,
            id: g.id.into(),
            href: genre_path(&g.name),
            track_count: g.track_count,
            average: g.average,
            avg_popularity: g.avg_popularity,
            few_tracks: g.track_count < i64::from(FEW_TRACKS),
            tags: g
                .top_artists
                .iter()
                .take(NAMED_ARTISTS)
                .filter_map(|(id, n)| catalog.artists.get(*id).map(|a| (a.name.clone(), *n)))
                .collect(),
            min_year: g.min_year,
            max_year: g.max_year,
        })
        .collect())
}
