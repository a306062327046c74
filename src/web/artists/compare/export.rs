//! `GET /artists/compare.csv?artist=…`: the compared artists' averages, one row each,
//! then the catalog average, as the comparison's tables show them.

use poem::{handler, web::Data, Request, Response};

use super::{handlers::compared, params::CompareRequest, views::REFERENCE_NAME};
use crate::{
    catalog::{artists::FieldProblem, Feature},
    error::{AppError, AppResult},
    web::{
        artists::export::{artist_table, push_artist},
        csv_export::number,
        extract::PageContext,
        query::QueryPairs,
        state::AppState,
    },
};

#[handler]
pub async fn compare_csv(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let mut request = CompareRequest::parse(&QueryPairs::parse(req.uri().query()))?;
    let catalog = ctx.catalog.clone();
    let compared = compared(&state, &catalog, &mut request)
        .await?
        .map_err(|problems| problems_error(&request, &problems))?;
    let mut table = artist_table();
    for c in &compared {
        push_artist(&mut table, c.artist, &c.genres);
    }
    let mut reference = vec![
        REFERENCE_NAME.to_string(),
        String::new(),
        catalog.meta.track_count.to_string(),
        catalog
            .meta
            .min_year
            .map_or(String::new(), |y| y.to_string()),
        catalog
            .meta
            .max_year
            .map_or(String::new(), |y| y.to_string()),
        String::new(),
    ];
    reference.extend(Feature::ALL.iter().map(|&f| {
        let value = match f {
            Feature::Popularity => catalog.artists.reference_popularity(),
            other => catalog.average.get(other),
        };
        value.map_or(String::new(), |v| number(v, 4))
    }));
    table.push(reference);
    let names: Vec<&str> = compared.iter().map(|c| c.artist.name.as_str()).collect();
    table.download(&format!("compare {}", names.join(" ")))
}

/// The file cannot be made: the same messages the page puts beside the fields, as one
/// error (404 when a name finds no artist, 400 when the selection has the wrong shape).
fn problems_error(request: &CompareRequest, problems: &[FieldProblem<'_>]) -> AppError {
    let message = problems
        .iter()
        .map(|p| {
            let typed = p
                .field
                .and_then(|i| request.fields.get(i))
                .map_or("", |f| f.trim());
            p.problem.message(typed)
        })
        .collect::<Vec<_>>()
        .join(" ");
    if problems.iter().any(|p| p.problem.is_unresolved_name()) {
        AppError::NotFound(message)
    } else {
        AppError::BadRequest(message)
    }
}
