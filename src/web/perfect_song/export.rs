//! `GET /perfect-song/results.csv?…`: the results the page shows for the same settings
//! (same query string as `/perfect-song`), one row per match, best first, with every
//! feature's value beside the target it was matched against.

use poem::{handler, web::Data, Request, Response};

use super::{
    params,
    pipeline::{Found, Pipeline},
};
use crate::{
    catalog::Feature,
    error::{AppError, AppResult},
    matching::{filter_words, MatchSettings},
    web::{
        csv_export::{exact, number, CsvTable},
        extract::UserPage,
        state::AppState,
    },
};

pub const PATH: &str = "/perfect-song/results.csv";

/// The link under the results: the same settings, as a file.
pub fn url(settings: &MatchSettings) -> String {
    url_of_query(&params::query_string(settings))
}

/// The same, from the settings' query string (`params::query_string`).
pub fn url_of_query(query: &str) -> String {
    [PATH, "?", query].concat()
}

#[handler]
pub async fn results_csv(
    page: UserPage,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let flow = Pipeline::new(&page, &state);
    let settings = flow
        .requested_by(req)
        .await?
        .map_err(|e| invalid(&e.to_string()))?;
    let found = flow
        .found(&settings)
        .await?
        .map_err(|e| invalid(&e.to_string()))?;
    table(&settings, &found).download("perfect song results")
}

fn invalid(message: &str) -> AppError {
    AppError::BadRequest(format!(
        "These settings cannot be searched, so there is no file: {message}"
    ))
}

fn table(settings: &MatchSettings, found: &Found) -> CsvTable {
    let mut header: Vec<String> = [
        "rank",
        "title",
        "artists",
        "album",
        "year",
        "genre",
        "similarity",
        "spotify_id",
        "key",
        "camelot",
    ]
    .map(String::from)
    .to_vec();
    for f in Feature::ALL {
        header.push(f.key().to_string());
        header.push(format!("target_{}", f.key()));
        header.push(format!("weight_{}", f.key()));
    }
    // The settings that chose the rows, beside each row: a file opened later, away from
    // the page, says what it was matched with and among.
    header.push("metric".to_string());
    header.push("chosen_among".to_string());
    let mut table = CsvTable::new(header);
    let filters = filter_words::in_words(settings);
    let among = if filters.is_empty() {
        "the whole catalog".to_string()
    } else {
        format!("tracks {}", filters.join(", "))
    };
    for (rank, m) in found.outcome.matches.iter().enumerate() {
        let details = found.details.get(&m.track_id);
        let mut row = vec![
            (rank + 1).to_string(),
            details.map_or_else(
                || format!("Track #{}", m.track_id),
                |d| d.name().to_string(),
            ),
            details.map_or(String::new(), |d| d.credits().to_string()),
            details
                .and_then(|d| d.album())
                .unwrap_or_default()
                .to_string(),
            m.release_year.map_or(String::new(), |y| y.to_string()),
            m.genre_text().unwrap_or_default(),
            // Three decimals: the page's one made 99.998 read 100 in the file.
            number(m.similarity, 3),
            details
                .and_then(|d| d.spotify_id())
                .unwrap_or_default()
                .to_string(),
        ];
        let key = found.facts.get(m.track_id).and_then(|f| f.musical_key());
        row.push(key.map_or(String::new(), |k| k.name()));
        row.push(key.map_or(String::new(), |k| k.camelot()));
        for f in Feature::ALL {
            let value = m
                .differences
                .iter()
                .find(|d| d.feature == f)
                .and_then(|d| d.value);
            row.push(value.map_or(String::new(), exact));
            // A feature that did not count has no target worth reading.
            let counted = settings.weight(f) > 0.0;
            row.push(if counted {
                number(settings.target(f), 4)
            } else {
                String::new()
            });
            row.push(number(settings.weight(f), 2));
        }
        row.push(settings.metric.key().to_string());
        row.push(among.clone());
        table.push(row);
    }
    table
}
