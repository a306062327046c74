//! `GET /perfect-song/charts.json?…`: the options of the two charts beside the
//! closeness table, by element id, for the same settings as `/perfect-song`.
//!
//! A live answer names this URL instead of carrying the options: app.js draws a live
//! answer's charts only once the answers pause (drawing them on every answer of a drag
//! slowed the next one), so the options of every other answer were rendered, escaped,
//! compressed and sent for nothing (a sixth of an answer's bytes, and more of its CPU).
//! The page itself keeps them inline, to draw at once.

use poem::{handler, web::Data, IntoResponse, Request, Response};

use super::{pipeline::Pipeline, results};
use crate::{
    error::{AppError, AppResult},
    web::{extract::UserPage, state::AppState},
};

pub const PATH: &str = "/perfect-song/charts.json";

/// The options' URL for the settings' query string (`params::query_string`).
pub fn url_of_query(query: &str) -> String {
    [PATH, "?", query].concat()
}

#[handler]
pub async fn serve(page: UserPage, state: Data<&AppState>, req: &Request) -> AppResult<Response> {
    let flow = Pipeline::new(&page, &state);
    let settings = flow
        .requested_by(req)
        .await?
        .map_err(|e| invalid(&e.to_string()))?;
    let (outcome, _) = flow
        .matches(&settings)
        .await?
        .map_err(|e| invalid(&e.to_string()))?;
    let mut options = serde_json::Map::new();
    if let Some(best) = outcome.matches.first() {
        for (id, chart) in results::closeness_charts(&settings, best) {
            options.insert(
                id.to_string(),
                serde_json::to_value(&chart).map_err(AppError::internal)?,
            );
        }
    }
    Ok(poem::web::Json(options).into_response())
}

fn invalid(message: &str) -> AppError {
    AppError::BadRequest(format!("These settings cannot be searched: {message}"))
}
