//! `/artists/compare?artist=A&artist=B`: two to four artists side by side.
//!
//! The whole state lives in the query string: the name fields (blank ones included, so
//! an added empty field survives a reload), `features=all` and `view=radar`. The form's
//! "Add artist" and "Remove" buttons are submit buttons (`add=1`, `remove=N`), so they
//! work without JavaScript; with htmx the form swaps `#compare` and the server names the
//! canonical URL to push (`HX-Push-Url`), so the back button and a copied URL both work.

//!
//! - `handlers`: the one GET handler; `params`: the request read from the query string
//!   (with the add/remove buttons applied) and its canonical URL; `views`: the form, the
//!   "did you mean" links, and the comparison (chart, table twin, key figures).

pub mod export;
pub mod handlers;
mod params;
mod views;

pub use export::compare_csv;
pub use handlers::compare;
