//! HTTP: the route table of the whole app, and the layers around it. Features live in
//! their own folders (`mod.rs` for what the feature is, then handlers, views and request
//! parsing); what every feature shares is beside this file:
//!
//! - `state`: `AppState`; `extract`: `Htmx`, `PageContext`, `CurrentUser`,
//!   `RequireUser`, `UserPage`; `respond`: redirects, statuses, `Vary`; `query`: the one
//!   query-string parser; `errors`: every error as a page, an htmx notice or JSON;
//!   `layout`: the page shell; `charts`: chart options (charming); `csv_export`: the
//!   "Download CSV" file under every table of results.
//! - Under the app: `transport` gives hyper's own bodiless refusals (414, 431, 400) the
//!   app's error page; `connection_guard` gives connections deadlines and caps them per
//!   client address; `trailing_slash` sends `/artists/` on to `/artists` (and answers
//!   the API's `/tracks/?ids=` as `/tracks?ids=`, as Spotify's does).
//! - Layers: `request_limits`, `compression` (gzip), `security` (headers and the log line),
//!   `auth::with_sessions` (session, CSRF, error pages for signed-in pages).

pub mod api;
pub mod api_address;
pub mod artists;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod compare;
pub mod compression;
pub mod connection_guard;
pub mod csv_export;
pub mod errors;
pub mod extract;
pub mod fragment_cache;
pub mod genres;
pub mod head;
pub mod health;
pub mod home;
pub mod htmx;
pub mod latest_search;
pub mod layout;
pub mod methods;
pub mod open_files;
pub mod perfect_song;
pub mod query;
pub mod request_limits;
pub mod respond;
pub mod security;
pub mod seeds;
pub mod state;
pub mod trailing_slash;
pub mod transport;

use poem::{Endpoint, EndpointExt, Response, Route};

use methods::get;

pub use state::AppState;

/// The whole web application over `state`: every route of the app, on one screen.
pub fn app(state: AppState) -> impl Endpoint<Output = Response> {
    use perfect_song::{handlers as song, profiles};

    // Pages: they read the session (who is logged in) and are protected against CSRF.
    let pages = Route::new()
        .at("/", get(home::home))
        .at("/artists", get(artists::search::search))
        .at("/artists/suggest", get(artists::search::suggest))
        .at("/artists.csv", get(artists::export::search_csv))
        .at("/artists/compare", get(artists::compare::compare))
        .at("/artists/compare.csv", get(artists::compare::compare_csv))
        .at("/artists/:id", get(artists::profile::artist_page))
        .at("/artists/:id/tracks.csv", get(artists::export::tracks_csv))
        .at("/genres", get(genres::list::genres_list))
        .at("/genres/compare", get(genres::compare::compare))
        .at("/genres/compare.csv", get(genres::compare::compare_csv))
        .at("/genres/:name", get(genres::page::genre_page))
        .at("/perfect-song", get(song::show).post(song::submit))
        .at(
            "/perfect-song/current",
            get(back_to("/perfect-song")).post(song::save_current_settings),
        )
        .at(
            perfect_song::export::PATH,
            get(perfect_song::export::results_csv),
        )
        .at(
            perfect_song::chart_options::PATH,
            get(perfect_song::chart_options::serve),
        )
        .at(
            perfect_song::seed_views::SUGGEST,
            get(perfect_song::seed_views::suggest),
        )
        .at(
            "/perfect-song/profiles",
            get(back_to("/perfect-song")).post(profiles::save),
        )
        .at(
            "/perfect-song/profiles/:id/load",
            get(back_to("/perfect-song")).post(profiles::load),
        )
        .at(
            "/perfect-song/profiles/:id/rename",
            get(back_to("/perfect-song")).post(profiles::rename),
        )
        .at(
            "/perfect-song/profiles/:id/delete",
            get(back_to("/perfect-song")).post(profiles::delete),
        )
        .at(
            "/signup",
            get(auth::signup::show).post(auth::signup::submit),
        )
        .at("/login", get(auth::login::show).post(auth::login::submit))
        .at("/logout", get(back_to("/")).post(auth::login::log_out))
        .at("/account", never_stored(get(auth::account::show)))
        .at(
            "/account/password",
            never_stored(get(back_to("/account")).post(auth::account::change_password)),
        )
        .at(
            "/account/delete",
            never_stored(get(back_to("/account")).post(auth::account::delete_account)),
        )
        .at(
            auth::api_tokens::PATH,
            never_stored(get(auth::api_tokens::show).post(auth::api_tokens::create)),
        )
        .at(
            "/account/api-tokens/:id/revoke",
            never_stored(get(back_to(auth::api_tokens::PATH)).post(auth::api_tokens::revoke)),
        )
        // Pages are compressed on the fly; assets are served pre-compressed.
        .with(compression::Gzip);

    // The JSON API: bearer tokens instead of cookies, JSON errors (see `api::guard`).
    let docs = api::docs();

    // Public: no session lookup and no cookies, so they stay cheap and cacheable.
    let site = Route::new()
        .at("/healthz", get(health::healthz))
        .at("/assets/*name", get(assets::serve))
        .at("/favicon.ico", get(assets::favicon))
        .at(perfect_song::sample::PATH, get(perfect_song::sample::serve))
        .at(
            "/api/v1/openapi.json",
            api::openapi_json().with(compression::Gzip),
        )
        .nest("/api/v1", api::v1().with(compression::Gzip))
        // The reference is a page of the site, with its sessions (its header names the
        // visitor); the files Swagger UI needs are not.
        .at(
            "/api/docs",
            auth::with_sessions(get(docs.page()).with(compression::Gzip), &state),
        )
        .at("/api/docs/", get(to_address("/api/docs")))
        .at(api::docs::CONSOLE_PATH, get(docs.console()))
        .at(
            format!("{}/", api::docs::CONSOLE_PATH),
            get(to_address(api::docs::CONSOLE_PATH)),
        )
        .at(
            "/api/docs/swagger-ui.css",
            get(docs.css().with(compression::Gzip)),
        )
        .at(
            "/api/docs/swagger-ui-bundle.js",
            get(docs.js().with(compression::Gzip)),
        )
        .at("/api/docs/init.js", get(docs.init()))
        .at("/api", api::not_found())
        .at("/api/*rest", api::not_found())
        .nest("/", auth::with_sessions(pages, &state));

    let over_https = state.config.reached_over_https;
    site.around(|ep, mut req| async move {
        if let Some(uri) = api_address::answered_at(&req) {
            *req.uri_mut() = uri;
        }
        match trailing_slash::without_trailing_slash(&req) {
            Some(location) => Ok(respond::permanent_redirect(&location)),
            None => ep.call(req).await,
        }
    })
    .with(request_limits::RequestLimits)
    .with(errors::ErrorPages::outermost())
    .data(state)
    .with(head::HeadLikeGet)
    .around(move |ep, req| async move { security::harden_and_log(&ep, req, over_https).await })
    .map_to_response()
}

/// A GET on an address only a form posts to: where a refused form's answer is shown
/// without JavaScript (the page's address is then the form's action), reloaded or
/// reopened from history. It had answered 405 "Not accepted at this address"; it goes
/// back to the page that holds the form.
fn back_to(page: &'static str) -> impl Endpoint<Output = poem::web::Redirect> {
    poem::endpoint::make_sync(move |_| poem::web::Redirect::see_other(page))
}

/// A permanent redirect to `to`: the API's part of the site keeps its trailing slashes
/// (`trailing_slash`), so its two pages with one send it on themselves.
fn to_address(to: &'static str) -> impl Endpoint<Output = Response> {
    poem::endpoint::make_sync(move |_| respond::permanent_redirect(to))
}

/// A signed-in user's own account pages are never stored by the browser: after logging
/// out on a shared computer, Back must not bring them up again from its cache (the
/// pages' default, `private, no-cache`, allows that, and the back-forward cache too).
fn never_stored<E: Endpoint>(endpoint: E) -> impl Endpoint<Output = Response> {
    endpoint
        .with(poem::middleware::SetHeader::new().overriding(
            poem::http::header::CACHE_CONTROL,
            poem::http::HeaderValue::from_static("no-store"),
        ))
        .map_to_response()
}
