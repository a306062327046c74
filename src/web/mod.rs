//! HTTP: one `routes()` per feature, combined here into the app's route tree.

pub mod api;
pub mod artists;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod compression;
pub mod current_user;
pub mod fragment_cache;
pub mod health;
pub mod home;
pub mod htmx;
pub mod layout;
pub mod perfect_song;
pub mod security;

use poem::{get, EndpointExt, Route};

/// Every route of the app, before the app-wide middleware in `crate::app`.
pub fn routes() -> Route {
    // Pages are compressed on the fly; assets are served pre-compressed by their handler.
    let pages = perfect_song::register(auth::register(Route::new()))
        .nest("/", home::routes())
        .nest("/artists", artists::routes())
        .with(compression::Gzip);
    Route::new()
        .at("/healthz", get(health::healthz))
        .at("/assets/*name", get(assets::serve))
        .at("/favicon.ico", get(assets::favicon))
        .nest("/api", api::routes().with(compression::Gzip))
        .nest("/", pages)
}
