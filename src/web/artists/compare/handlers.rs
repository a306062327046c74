//! `GET /artists/compare`: resolve the names, read the artists' top genres (cached per
//! catalog version), and answer the page or the `#compare` fragment.

use poem::{handler, http::StatusCode, web::Data, IntoResponse, Request, Response};

use super::{
    params::CompareRequest,
    views::{compare_section, comparison, Compared},
};
use crate::{
    catalog::{
        artists::{resolve_selection, FieldProblem, SelectionProblem, MIN_COMPARED},
        snapshot::CatalogSnapshot,
    },
    error::AppResult,
    web::{
        artists::render, extract::PageContext, query::QueryPairs, respond::with_status,
        state::AppState,
    },
};

#[handler]
pub async fn compare(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let mut request = CompareRequest::parse(&pairs)?;
    let catalog = ctx.catalog.clone();
    let (content, status) = match compared(&state, &catalog, &mut request).await? {
        Ok(compared) => {
            let result = comparison(&request, &catalog, &compared);
            (compare_section(&request, &[], Some(result)), StatusCode::OK)
        }
        Err(problems) => {
            let expected = !request.has_names
                || (request.editing
                    && problems
                        .iter()
                        .all(|p| matches!(p.problem, SelectionProblem::TooFew { .. })));
            if expected {
                (compare_section(&request, &[], None), StatusCode::OK)
            } else {
                let status = if problems.iter().any(|p| p.problem.is_unresolved_name()) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (compare_section(&request, &problems, None), status)
            }
        }
    };
    let named: Vec<&str> = request
        .fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect();
    let title = if status == StatusCode::OK && named.len() >= MIN_COMPARED {
        format!("Compare {}", named.join(", "))
    } else {
        "Compare artists".to_string()
    };
    let mut resp = with_status(render(&ctx, &title, content), status);
    if ctx.htmx.wants_fragment() {
        if let Ok(value) = request.url().parse() {
            resp.headers_mut().insert("HX-Push-Url", value);
        }
    }
    Ok(resp.into_response())
}

/// The artists the request names, each with its top genres (cached per catalog
/// version), or every problem with the names. Each field is rewritten to the artist's
/// catalog spelling ("beyonce" -> "Beyoncé"), so the form and the URL show it from now on.
pub(super) async fn compared<'a>(
    state: &AppState,
    catalog: &'a CatalogSnapshot,
    request: &mut CompareRequest,
) -> AppResult<Result<Vec<Compared<'a>>, Vec<FieldProblem<'a>>>> {
    let artists = match resolve_selection(&catalog.artists, &request.fields) {
        Ok(artists) => artists,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut resolved = artists.iter();
    for field in request.fields.iter_mut().filter(|f| !f.trim().is_empty()) {
        if let Some(artist) = resolved.next() {
            *field = artist.name.clone();
        }
    }
    let ids: Vec<i32> = artists.iter().map(|a| a.id).collect();
    let genres = state
        .caches
        .top_genres(&state.pool, catalog.meta.version, &ids)
        .await?;
    Ok(Ok(artists
        .into_iter()
        .map(|artist| Compared {
            artist,
            genres: genres
                .get(&artist.id)
                .map(|g| g.as_ref().clone())
                .unwrap_or_default(),
        })
        .collect()))
}
