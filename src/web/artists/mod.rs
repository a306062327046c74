//! Artists: search, comparison and artist pages. Handlers are thin: they read the query
//! string, ask `catalog::artists` (and `db::artists`) and render views. Every view is a
//! plain HTML form or link that works without JavaScript and that htmx upgrades to a
//! fragment swap (DESIGN section 3).
//!
//! - `search`: the search page and the type-ahead suggestions.
//! - `compare`: two to four artists side by side.
//! - `profile`: an artist's page (profile, spread, tracks, similar artists).
//! - `export`: "Download CSV" for the search results and an artist's tracks (the
//!   comparison's is in `compare`).

pub mod compare;
pub mod export;
pub mod profile;
pub mod search;

use maud::{html, Markup};

use super::{assets, extract::PageContext, layout::page};

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
