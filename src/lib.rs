//! Spotify Insights Hub: explore a Spotify audio-features dataset in the browser.
//!
//! `app(state)` is the application factory: the binary and the tests build the same
//! router through it.

pub mod accounts;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod db;
pub mod error;
pub mod matching;
pub mod state;
pub mod web;

use poem::{error::NotFoundError, Endpoint, EndpointExt};

pub use config::Config;
pub use error::{AppError, AppResult};
pub use state::AppState;

/// The whole web application over the given state.
pub fn app(state: AppState) -> impl Endpoint<Output = poem::Response> {
    let routes = web::routes().catch_error(|_: NotFoundError| async move {
        poem::error::ResponseError::as_response(&AppError::NotFound(
            "There is no page at this address.".to_string(),
        ))
    });
    web::auth::wrap(routes, &state)
        .data(state)
        .before(|mut req| async move {
            web::layout::keep_request_uri(&mut req);
            Ok(req)
        })
        .around(|ep, req| async move { web::security::harden_and_log(&ep, req).await })
        .map_to_response()
}
