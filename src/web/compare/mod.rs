//! Comparing two to four named groups of tracks side by side: artists
//! (`/artists/compare`) and genres (`/genres/compare`) share this page shape and code.
//!
//! The whole state lives in the query string: the name fields (blank ones included, so
//! an added empty field survives a reload), `features=all` and `view=radar`. The form's
//! "Add" and "Remove" buttons are submit buttons (`add=1`, `remove=N`), so they work
//! without JavaScript; with htmx the form swaps `#compare` and the server names the
//! canonical URL to push (`HX-Push-Url`), so the back button and a copied URL both work.
//!
//! - `params`: what is compared (`CompareKind`) and the request read from the query
//!   string (with add/remove applied) and its canonical URL; `views`: the form, the "did
//!   you mean" links, and the comparison (chart, table twin, key figures); `answer`
//!   below: the status, title and pushed URL every comparison handler answers with;
//!   `export`: the comparison's "Download CSV" file.

pub mod export;
pub mod params;
pub mod views;

use maud::{html, Markup};
use poem::{http::StatusCode, IntoResponse, Response};

pub use export::comparison_csv;
pub use params::{CompareKind, CompareRequest, ARTISTS, GENRES};
pub use views::{compare_section, comparison, counted_list, Compared};

use crate::{
    catalog::compare::{Comparable, FieldProblem, SelectionProblem, MIN_COMPARED},
    web::{extract::PageContext, layout::document_title, respond::with_status},
};

/// The section to show and its status: the comparison (200), the empty or unfinished
/// form (200), or the form with its problems (404 for a name that finds nothing, 422
/// for a selection of the wrong shape).
pub fn outcome<T: Comparable>(
    request: &CompareRequest,
    result: Result<Markup, Vec<FieldProblem<'_, T>>>,
    extra: Option<Markup>,
) -> (Markup, StatusCode) {
    match result {
        Ok(result) => (
            compare_section::<T>(request, &[], Some(result), extra),
            StatusCode::OK,
        ),
        Err(problems) => {
            let expected = (!request.has_names && !request.sent_blank)
                || (request.editing
                    && problems
                        .iter()
                        .all(|p| matches!(p.problem, SelectionProblem::TooFew { .. })));
            if expected {
                (
                    compare_section::<T>(request, &[], None, extra),
                    StatusCode::OK,
                )
            } else {
                let status = if problems.iter().any(|p| p.problem.is_unresolved_name()) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (compare_section(request, &problems, None, extra), status)
            }
        }
    }
}

/// The page (or fragment) with its title and status; htmx is told the canonical URL.
pub fn respond(
    ctx: &PageContext,
    request: &CompareRequest,
    content: Markup,
    status: StatusCode,
    render: impl FnOnce(&PageContext, &str, Markup) -> Markup,
) -> Response {
    let named: Vec<&str> = request
        .fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect();
    let title = if status == StatusCode::OK && named.len() >= MIN_COMPARED {
        format!("Compare {}", named.join(", "))
    } else {
        format!("Compare {}s", request.kind.noun)
    };
    let content = if ctx.htmx.wants_fragment() {
        // The fragment's URL is pushed (below): its title goes with it.
        html! { (document_title(&title)) (content) }
    } else {
        content
    };
    let mut resp = with_status(render(ctx, &title, content), status);
    if ctx.htmx.wants_fragment() {
        if let Ok(value) = request.url().parse() {
            resp.headers_mut().insert("HX-Push-Url", value);
        }
    }
    resp.into_response()
}
