//! `RequireUser`: the extractor for pages that need a logged-in user. Anonymous
//! visitors are sent to `/login?next=<where they were going>` (a 303, or `HX-Redirect`
//! for htmx so the whole page goes to the log-in form).

use poem::{http::Method, FromRequest, Request, RequestBody};

use super::{next, respond};
use crate::web::{
    current_user::{CurrentUser, SessionUser},
    htmx::Htmx,
};

/// The logged-in user; the handler does not run for anonymous visitors.
#[derive(Debug, Clone)]
pub struct RequireUser(pub SessionUser);

impl<'a> FromRequest<'a> for RequireUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match CurrentUser::from_request_parts(req).0 {
            Some(user) => Ok(RequireUser(user)),
            None => Err(poem::Error::from_response(login_redirect(req))),
        }
    }
}

/// The redirect to the log-in page, coming back to the page the visitor was on.
pub fn login_redirect(req: &Request) -> poem::Response {
    let htmx = Htmx::from_headers(req.headers());
    respond::redirect(&htmx, &next::login_url(return_path(req, &htmx).as_deref()))
}

/// Where to come back to. For a GET it is the address asked for; a POST cannot be
/// replayed, so it is the page the form was on, as htmx reports it (plain forms come
/// back to the home page).
fn return_path(req: &Request, htmx: &Htmx) -> Option<String> {
    let page = req
        .header("hx-current-url")
        .and_then(next::path_of_url)
        .map(str::to_string);
    if req.method() == Method::GET && !htmx.wants_fragment() {
        req.uri().path_and_query().map(|pq| pq.as_str().to_string())
    } else {
        page
    }
}
