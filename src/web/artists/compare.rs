//! `GET /artists/compare`: resolve the names, read the artists' top genres (cached per
//! catalog version), and answer the page or the `#compare` fragment (`web::compare`).

use poem::{handler, web::Data, Request, Response};

use crate::{
    catalog::artists::resolve_selection,
    error::AppResult,
    web::{
        artists::render,
        compare::{comparison, counted_list, outcome, respond, CompareRequest, Compared, ARTISTS},
        extract::PageContext,
        query::QueryPairs,
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
    let mut request = CompareRequest::parse(&pairs, &ARTISTS)?;
    let catalog = ctx.catalog.clone();
    let result = match resolve_selection(&catalog.artists, &request.fields) {
        Ok(artists) => {
            // Show each artist under its catalog spelling from now on ("beyonce" -> "Beyoncé").
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
            let compared: Vec<Compared> = artists
                .into_iter()
                .map(|artist| Compared {
                    name: &artist.name,
                    href: format!("/artists/{}", artist.id),
                    track_count: artist.track_count.into(),
                    average: artist.averages,
                    avg_popularity: artist.avg_popularity,
                    few_tracks: artist.rests_on_few_tracks(),
                    tags: (
                        "Top genres",
                        genres
                            .get(&artist.id)
                            .map(|g| counted_list(g.iter().map(|g| (g.genre.as_str(), g.tracks))))
                            .unwrap_or_default(),
                    ),
                    year_span: artist.year_span(),
                })
                .collect();
            Ok(comparison(&request, &catalog, &compared))
        }
        Err(problems) => Err(problems),
    };
    let (content, status) = outcome(&request, result, None);
    Ok(respond(&ctx, &request, content, status, render))
}
