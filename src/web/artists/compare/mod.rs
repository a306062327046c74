//! `GET /artists/compare` and its CSV: resolve the names, read the artists' top genres
//! (cached per catalog version), and answer with the shared comparison
//! (`web::compare`): the page, the `#compare` fragment, or the file.

use poem::{handler, web::Data, Request, Response};

use crate::{
    catalog::{
        artists::{resolve_selection, FieldProblem},
        snapshot::CatalogSnapshot,
    },
    error::AppResult,
    web::{
        artists::render,
        compare::{
            comparison, comparison_csv, outcome, respond, CompareRequest, Compared, ARTISTS,
        },
        extract::PageContext,
        state::AppState,
    },
};

#[handler]
pub async fn compare(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let mut request = CompareRequest::of_request(req, &ARTISTS)?;
    let catalog = ctx.catalog.clone();
    let result = compared(&state, &catalog, &mut request)
        .await?
        .map(|compared| comparison(&request, &catalog, &compared));
    let (content, status) = outcome(&request, result, None);
    Ok(respond(&ctx, &request, content, status, render))
}

/// `GET /artists/compare.csv?artist=…`: the compared artists' averages, one row each,
/// then the catalog average.
#[handler]
pub async fn compare_csv(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let mut request = CompareRequest::of_request(req, &ARTISTS)?;
    let catalog = ctx.catalog.clone();
    let compared = compared(&state, &catalog, &mut request).await?;
    comparison_csv(&request, &catalog, compared)
}

/// The artists the request names, each with its top genres (cached per catalog
/// version), or every problem with the names. Each field gets the artist's catalog
/// spelling (`CompareRequest::respell`).
pub(crate) async fn compared<'a>(
    state: &AppState,
    catalog: &'a CatalogSnapshot,
    request: &mut CompareRequest,
) -> AppResult<Result<Vec<Compared<'a>>, Vec<FieldProblem<'a>>>> {
    let artists = match resolve_selection(&catalog.artists, &request.fields) {
        Ok(artists) => artists,
        Err(problems) => return Ok(Err(problems)),
    };
    request.respell(artists.iter().map(|a| a.name.as_str()));
    let ids: Vec<i32> = artists.iter().map(|a| a.id).collect();
    let genres = state
        .caches
        .top_genres(&state.pool, catalog.meta.version, &ids)
        .await?;
    Ok(Ok(artists
        .into_iter()
        .map(|artist| Compared {
            name: &artist.name,
            id: artist.id.into(),
            href: format!("/artists/{}", artist.id),
            track_count: artist.track_count.into(),
            average: artist.averages,
            avg_popularity: artist.avg_popularity,
            few_tracks: artist.rests_on_few_tracks(),
            tags: genres
                .get(&artist.id)
                .map(|g| g.iter().map(|g| (g.genre.clone(), g.tracks)).collect())
                .unwrap_or_default(),
            min_year: artist.min_year,
            max_year: artist.max_year,
        })
        .collect()))
}
