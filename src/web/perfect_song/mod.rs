//! The perfect song. Sliders describe a sound; the closest track in the catalog
//! (`crate::matching`) is shown with how close it is on every feature, the original's
//! parallel-coordinates chart, and the next matches. The answer follows the sliders
//! live with htmx; without JavaScript "Find my song" posts the form.
//!
//! - `handlers`: the page/fragment GET, the no-JS POST, the debounced save.
//! - `profiles`: named taste profiles (save, load, rename, delete).
//! - `pipeline`: the one way every handler goes: settings, search, render, respond.
//! - `params`: settings in and out of query strings and forms; what the form shows.
//! - `views`: the page and the settings form; `results`: the answer region;
//!   `profile_views`: the profiles panel.
//! - `sample`: the catalog sample behind the parallel chart, as cacheable JSON.
//! - `chart_options`: a live answer's charts, fetched when the answers pause.
//! - `export`: the results as CSV.

pub mod chart_options;
pub mod export;
pub mod handlers;
pub mod params;
mod pipeline;
mod profile_views;
pub mod profiles;
pub mod results;
pub mod sample;
pub mod seed_views;
mod views;
