//! Blueprint: the perfect song. Sliders describe a sound; the closest track in the
//! catalog (`crate::matching`) is shown with how close it is on every feature, the
//! original's parallel-coordinates chart, and the next matches. The answer follows the
//! sliders live with htmx; without JavaScript "Find my song" posts the form.
//!
//! - `handlers`: the page/fragment GET, the no-JS POST, the debounced save.
//! - `params`: settings in and out of query strings and forms; what the form shows.
//! - `views`: the page and the settings form. `results`: the answer region.
//! - `profiles`: named taste profiles (save, load, rename, delete) and their panel.
//! - `sample`: the catalog sample behind the parallel chart, as cacheable JSON.

mod handlers;
mod params;
mod profiles;
pub mod results;
pub mod sample;
mod views;

use poem::{get, post, Route};

/// Adds the blueprint's routes to `route`.
pub fn register(route: Route) -> Route {
    route
        .at(params::PAGE, get(handlers::show).post(handlers::submit))
        .at(views::SAVE_CURRENT, post(handlers::save_current_settings))
        .at(sample::PATH, get(sample::serve))
        .at("/perfect-song/profiles", post(profiles::save))
        .at("/perfect-song/profiles/:id/load", post(profiles::load))
        .at("/perfect-song/profiles/:id/rename", post(profiles::rename))
        .at("/perfect-song/profiles/:id/delete", post(profiles::delete))
}
