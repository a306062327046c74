//! `GET /genres/compare?genre=A&genre=B`: two to four genres side by side, with the
//! artists' comparison code (`web::compare`).

use maud::html;
use poem::{handler, web::Data, Request, Response};

use super::render;
use crate::{
    catalog::{artists::FEW_TRACKS, compare::resolve_selection},
    error::AppResult,
    web::{
        compare::{comparison, counted_list, outcome, respond, CompareRequest, Compared, GENRES},
        extract::PageContext,
        genres::genre_path,
        query::QueryPairs,
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
    let pairs = QueryPairs::parse(req.uri().query());
    let mut request = CompareRequest::parse(&pairs, &GENRES)?;
    let catalog = ctx.catalog.clone();
    let genres = state
        .caches
        .genres(&state.pool, catalog.meta.version)
        .await?;
    let result = match resolve_selection(|name| genres.lookup(name), &request.fields) {
        Ok(chosen) => {
            let mut resolved = chosen.iter();
            for field in request.fields.iter_mut().filter(|f| !f.trim().is_empty()) {
                if let Some(genre) = resolved.next() {
                    *field = genre.name.clone();
                }
            }
            let compared: Vec<Compared> = chosen
                .iter()
                .map(|g| {
                    let artists = g
                        .top_artists
                        .iter()
                        .take(NAMED_ARTISTS)
                        .filter_map(|(id, n)| {
                            catalog.artists.get(*id).map(|a| (a.name.as_str(), *n))
                        });
                    Compared {
                        name: &g.name,
                        href: genre_path(&g.name),
                        track_count: g.track_count,
                        average: g.average,
                        avg_popularity: g.avg_popularity,
                        few_tracks: g.track_count < i64::from(FEW_TRACKS),
                        tags: ("Top artists", counted_list(artists)),
                        year_span: g.year_span(),
                    }
                })
                .collect();
            Ok(comparison(&request, &catalog, &compared))
        }
        Err(problems) => Err(problems),
    };
    let names = GENRES.datalist.map(|id| {
        html! {
            datalist id=(id) {
                @for g in genres.genres().iter().chain(genres.subgenres()) {
                    option value=(g.name) {}
                }
            }
        }
    });
    let (content, status) = outcome(&request, result, names);
    Ok(respond(&ctx, &request, content, status, render))
}
