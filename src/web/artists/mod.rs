//! Blueprint: artist search, comparison and artist pages. Handlers are thin: they read
//! the query string, ask `catalog::artists` (and `db::artists`) and render views. Every
//! view is a plain HTML form or link that works without JavaScript and that htmx
//! upgrades to a fragment swap (DESIGN section 3).

pub mod compare;
mod params;
mod profile;
mod search;

use maud::{html, Markup};
use poem::{get, http::StatusCode, IntoResponse, Response, Route};

use super::{
    assets,
    layout::{page, PageContext},
};

/// Mounted at `/artists`.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(search::search))
        .at("/suggest", get(search::suggest))
        .at("/compare", get(compare::compare))
        .at("/:id", get(profile::artist_page))
}

/// The fragment for htmx, or the full page with the artist pages' own script and styles.
fn render(ctx: &PageContext, title: &str, content: Markup) -> Markup {
    ctx.htmx.choose(content, |content| {
        page(
            ctx,
            title,
            html! {
                link rel="stylesheet" href=(assets::url("artists.css"));
                script src=(assets::url("artists.js")) defer {}
                (content)
            },
        )
    })
}

/// A rendered view with a status other than 200 (validation and "did you mean" answers
/// are swapped in by htmx like any other fragment).
fn with_status(markup: Markup, status: StatusCode) -> Response {
    let mut resp = markup.into_response();
    resp.set_status(status);
    resp
}
