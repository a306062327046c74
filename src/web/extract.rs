//! The request extractors every feature shares: what htmx said (`Htmx`, in `htmx`,
//! named here too), who is logged in (`CurrentUser`, `RequireUser`) and everything the
//! page shell needs (`PageContext`). Each reads the request once; handlers take them as
//! arguments.

use std::sync::Arc;

use maud::Markup;
use poem::{http::Method, session::Session, web::CsrfToken, FromRequest, Request, RequestBody};
use serde::{Deserialize, Serialize};

pub use super::htmx::Htmx;
use super::{auth::next, layout, respond, state::AppState};
use crate::catalog::snapshot::CatalogSnapshot;

// --- the logged-in user ------------------------------------------------------------------

/// Session key under which the logged-in user is stored.
pub const SESSION_USER_KEY: &str = "user";

/// The logged-in user as the session remembers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i32,
    pub username: String,
    /// The user's credentials' version when the session started (`accounts::User`);
    /// sessions stored before it was kept read as 0, every user's first version.
    #[serde(default)]
    pub credentials_version: i32,
}

/// The logged-in user, if any. Never fails: a request without a session is anonymous.
#[derive(Debug, Clone, Default)]
pub struct CurrentUser(pub Option<SessionUser>);

impl CurrentUser {
    pub fn from_request_parts(req: &Request) -> CurrentUser {
        CurrentUser(
            req.extensions()
                .get::<Session>()
                .and_then(|session| session.get::<SessionUser>(SESSION_USER_KEY)),
        )
    }
}

impl<'a> FromRequest<'a> for CurrentUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(CurrentUser::from_request_parts(req))
    }
}

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
/// replayed, so it is the page the form was on, as htmx reports it, or for a plain
/// form as the browser's `Referer` names it (this site sends one to itself: its
/// policy is `same-origin`). A form sent after the session ended had come back to the
/// home page, the settings it was sent from lost.
fn return_path(req: &Request, htmx: &Htmx) -> Option<String> {
    let page = req
        .header("hx-current-url")
        .or_else(|| req.header(poem::http::header::REFERER))
        .and_then(next::path_of_url)
        .map(str::to_string);
    let asked_for = || req.uri().path_and_query().map(|pq| pq.as_str().to_string());
    if req.method() != Method::GET {
        return page;
    }
    if !htmx.wants_fragment() {
        return asked_for();
    }
    // A live answer asked for at the page's own address (a perfect-song slider moved)
    // names the page as it now is: the page's address was the one before the move, so
    // the move was lost behind the log-in.
    let same_page = page
        .as_deref()
        .is_some_and(|p| p.split(['?', '#']).next() == Some(req.uri().path()));
    if same_page {
        asked_for()
    } else {
        page
    }
}

// --- the page shell's context ------------------------------------------------------------

/// Everything the shell needs to know about the request, gathered once per handler.
#[derive(Clone)]
pub struct PageContext {
    pub user: Option<SessionUser>,
    /// CSRF token for forms and the htmx header; empty where the middleware is absent.
    pub csrf_token: String,
    pub catalog: Arc<CatalogSnapshot>,
    /// Request path, to mark the current navigation entry and to come back after login.
    pub path: String,
    /// Path and query: where "Log in" brings people back to.
    pub location: String,
    pub htmx: Htmx,
    /// A sign-up has just been made: this whole page says the account is ready
    /// (`auth::welcome`).
    pub just_signed_up: bool,
}

impl<'a> FromRequest<'a> for PageContext {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        PageContext::from_parts(req).ok_or_else(missing_state)
    }
}

fn missing_state() -> poem::Error {
    poem::Error::from_string(
        "app state missing",
        poem::http::StatusCode::INTERNAL_SERVER_ERROR,
    )
}

/// A page for logged-in users only: the page context, whose user is there. Anonymous
/// visitors are sent to log in, and the handler does not run. The session is read once.
pub struct UserPage {
    pub ctx: PageContext,
    pub user: SessionUser,
}

impl<'a> FromRequest<'a> for UserPage {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let ctx = PageContext::from_parts(req).ok_or_else(missing_state)?;
        match ctx.user.clone() {
            Some(user) => Ok(UserPage { ctx, user }),
            None => Err(poem::Error::from_response(login_redirect(req))),
        }
    }
}

impl PageContext {
    /// The context of `req`; `None` outside the app (no `AppState` attached).
    pub fn from_parts(req: &Request) -> Option<PageContext> {
        let state = req.data::<AppState>()?;
        let user = CurrentUser::from_request_parts(req).0;
        let just_signed_up = user.is_some() && crate::web::auth::welcome::due(req);
        Some(PageContext {
            user,
            csrf_token: req
                .extensions()
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            catalog: state.catalog(),
            path: req.uri().path().to_string(),
            location: req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_string())
                .unwrap_or_else(|| "/".to_string()),
            htmx: Htmx::from_headers(req.headers()),
            just_signed_up,
        })
    }

    /// The fragment for htmx, or the full page around it.
    pub fn render(&self, title: &str, content: Markup) -> Markup {
        self.htmx
            .choose(content, |content| layout::page(self, title, content))
    }

    /// `render` for a form sent back with its problems: the title says so first. Without
    /// JavaScript such a page loads like any other, and a screen reader starts at its
    /// title, which was the form's own. The fragment htmx swaps in carries the title
    /// too (htmx sets the document's from it), so both ways read alike.
    pub fn render_refused(&self, title: &str, content: Markup) -> Markup {
        self.render_form(title, content, true)
    }

    /// `render` for a page of forms answered in place, refused or not: its fragment
    /// carries the title either way, so one that said "Error: " goes back to the
    /// form's own once the form passes.
    pub fn render_form(&self, title: &str, content: Markup, refused: bool) -> Markup {
        let title = if refused {
            format!("Error: {title}")
        } else {
            title.to_string()
        };
        if self.htmx.wants_fragment() {
            return maud::html! { (layout::document_title(&title)) (content) };
        }
        self.render(&title, content)
    }
}
