//! Every error a client can see, turned into a response in one place, for the three
//! kinds of caller:
//! - a browser loading a page gets the app's error page, with the site's header and
//!   navigation;
//! - an htmx request gets a short notice, retargeted (`HX-Retarget`) to the page's
//!   notice area so it lands where the user is looking, never a whole page in a panel;
//! - a program calling `/api/` gets JSON in Spotify's shape,
//!   `{"error": {"status": 400, "message": "..."}}`.
//!
//! `AppError` (which knows nothing of HTTP) becomes a bare response carrying an
//! `ErrorReport`; `ErrorPages` renders reports, and also poem's own plain-text errors
//! (no route, wrong method, unreadable path or form), so none of those reach a user.

use std::{
    sync::{LazyLock, Mutex},
    time::Instant,
};

use maud::{html, Markup};
use poem::{
    error::ResponseError,
    http::{header, HeaderValue, StatusCode},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use super::{
    api::{
        self,
        error::{json_body, json_error, JSON_CONTENT_TYPE},
    },
    auth::session,
    extract::{Htmx, PageContext},
    layout::{self, BareVisitor},
};
use crate::{
    error::AppError,
    repeated_failure::{single_line, RepeatedFailure},
};

/// Where the notice of a failed htmx request is shown (see `layout::page`).
pub const NOTICE_TARGET: &str = "#notices";

/// What an error response must say, attached to the bare response until rendered.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub message: String,
    pub retry_after_secs: Option<u64>,
    /// The account is gone: the page ends the session and shows no one signed in (it
    /// showed the deleted name and "Log out" above "Your account no longer exists").
    pub ends_session: bool,
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::AddressTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::CatalogMoved => StatusCode::SERVICE_UNAVAILABLE,
            _ if self.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Pool(_)
            | AppError::Unanswered(_)
            | AppError::Database(_)
            | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        let mut resp = Response::builder().status(self.status()).finish();
        resp.extensions_mut().insert(ErrorReport::of(self));
        resp
    }
}

impl ErrorReport {
    /// The report, and the failure logged: called once per error, as it becomes a
    /// response (`as_response`).
    fn of(error: &AppError) -> ErrorReport {
        if error.is_internal() {
            log_failed_request(error, "request failed");
        }
        ErrorReport::unlogged(error)
    }

    fn unlogged(error: &AppError) -> ErrorReport {
        ErrorReport {
            message: error.public_message(),
            retry_after_secs: error.retry_after_secs(),
            ends_session: error.is_account_gone(),
        }
    }
}

/// Logs a request that failed on our side: each one, unless the database is
/// unavailable (a 503), which is said once, then once per `repeated_failure::EVERY`
/// with how many more: during an outage every request wrote its own ERROR line, beside
/// the pool's own few lines about it.
pub(crate) fn log_failed_request(error: &AppError, what: &str) {
    static UNAVAILABLE: LazyLock<Mutex<RepeatedFailure>> = LazyLock::new(Mutex::default);
    let text = || single_line(&error.to_string());
    if matches!(error, AppError::CatalogMoved) {
        // Expected once around each import into a busy server; nothing failed.
        tracing::info!("{what}: {}; answered 503 to try again", text());
        return;
    }
    if !error.is_unavailable() {
        tracing::error!(error = %text(), "{what}");
        return;
    }
    let due = UNAVAILABLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .failed(Instant::now());
    if let Some(more) = due {
        tracing::warn!(error = %text(), more_since_last_line = more, "{what}: database unavailable, answered 503");
    }
}

/// Who is asking, which decides the error's form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Page,
    Fragment,
    Json,
}

/// Renders error responses (see the module comment). Used twice in the route table:
/// inside the session layers (`with_session`), where the page shows who is logged in,
/// and around everything (`outermost`), for what fails before or outside them. Only the
/// inner one reads the page context, so a page request pays for it once, not twice.
pub struct ErrorPages {
    with_session: bool,
}

impl ErrorPages {
    /// Inside the session and CSRF layers: error pages carry the visitor's navigation.
    pub fn with_session() -> ErrorPages {
        ErrorPages { with_session: true }
    }

    /// Around the whole app: the anonymous shell (errors here have no session).
    pub fn outermost() -> ErrorPages {
        ErrorPages {
            with_session: false,
        }
    }
}

impl<E: Endpoint> Middleware<E> for ErrorPages {
    type Output = ErrorPagesEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ErrorPagesEndpoint {
            inner,
            with_session: self.with_session,
        }
    }
}

pub struct ErrorPagesEndpoint<E> {
    inner: E,
    with_session: bool,
}

impl<E: Endpoint> Endpoint for ErrorPagesEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let htmx = Htmx::from_headers(req.headers());
        // A `.json` data file (the perfect-song chart options and sample) is read by a
        // script, as the API is: it answers errors in JSON too.
        let path = req.uri().path();
        let audience = if path.starts_with("/api/") || path.ends_with(".json") {
            Audience::Json
        } else if htmx.wants_fragment() {
            Audience::Fragment
        } else {
            Audience::Page
        };
        // The page shell needs the request's session and token, which the handler's
        // request takes with it; they are cheap handles, read before the call.
        let mut ctx = (self.with_session && audience == Audience::Page)
            .then(|| PageContext::from_parts(&req))
            .flatten();
        // Outside the session layer only the cookie's presence is known (read only for
        // a page without its context: the check runs on every request).
        let mut visitor = if audience == Audience::Page
            && ctx.is_none()
            && session::cookie_present(
                req.headers(),
                req.data::<crate::web::state::AppState>()
                    .is_some_and(|state| state.config.secure_cookies),
            ) {
            BareVisitor::MayBeSignedIn
        } else {
            BareVisitor::Anonymous
        };
        let session = self
            .with_session
            .then(|| req.extensions().get::<poem::session::Session>().cloned())
            .flatten();
        // An API error raised before the API's guard (an address too long, a bad
        // %-escape, a body too large) gets the guard's CORS headers too: without them a
        // script on an allowed origin saw an opaque network failure, not the message.
        let api_origin = path
            .starts_with("/api/")
            .then(|| api::guard::cors_origin(&req));
        // poem replaces a response's extensions with the error's own when it turns an
        // error into a response, so an `AppError` is read from the error itself.
        let (resp, report) = match self.inner.call(req).await {
            Ok(output) => {
                let resp = output.into_response();
                let report = resp.extensions().get::<ErrorReport>().cloned();
                (resp, report)
            }
            Err(error) => {
                // `into_response` below logs it (`as_response`): logged here too, every
                // failure was two lines.
                let report = error
                    .downcast_ref::<AppError>()
                    .map(ErrorReport::unlogged)
                    .or_else(|| field_twice(&error.to_string()));
                (error.into_response(), report)
            }
        };
        let status = resp.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok(resp);
        }
        let report = match report {
            Some(report) => report,
            // A view the app rendered itself (a form with its messages, "did you mean").
            None if is_rendered(&resp) => return Ok(resp),
            None => ErrorReport {
                message: default_message(status).to_string(),
                retry_after_secs: None,
                ends_session: false,
            },
        };
        if report.ends_session {
            if let Some(session) = &session {
                session.purge();
            }
            if let Some(ctx) = &mut ctx {
                ctx.user = None;
            }
            visitor = BareVisitor::Anonymous;
        }
        let mut resp = render(audience, ctx.as_ref(), visitor, status, &report, resp);
        if let Some(origin) = api_origin {
            if !resp
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            {
                api::guard::add_cors(&mut resp, origin);
            }
        }
        Ok(resp)
    }
}

/// A form that sent one of its fields twice, said so: serde reads such a form as
/// unreadable ("duplicate field `name`"), and the page said only that the request could
/// not be read.
fn field_twice(error: &str) -> Option<ErrorReport> {
    let rest = error.split("duplicate field `").nth(1)?;
    let name: String = rest
        .split('`')
        .next()?
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    Some(ErrorReport {
        message: field_sent_twice(&name),
        retry_after_secs: None,
        ends_session: false,
    })
}

/// What a user is told when a form sent its field `name` more than once.
pub fn field_sent_twice(name: &str) -> String {
    format!(
        "The form sent its field “{name}” more than once; a form sends each field once. Go back and send the form again."
    )
}

/// Whether the response already has a body the app made for people or programs.
fn is_rendered(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"))
}

fn render(
    audience: Audience,
    ctx: Option<&PageContext>,
    visitor: BareVisitor,
    status: StatusCode,
    report: &ErrorReport,
    original: Response,
) -> Response {
    let mut resp = match audience {
        Audience::Json => json_error(status, &report.message),
        Audience::Fragment => {
            let mut resp = notice(status, &report.message).into_response();
            resp.headers_mut()
                .insert("HX-Retarget", HeaderValue::from_static(NOTICE_TARGET));
            resp.headers_mut()
                .insert("HX-Reswap", HeaderValue::from_static("innerHTML"));
            // The page under the notice still shows the last answer that worked, so the
            // address stays its own: a field with hx-replace-url had put the refused
            // address there (a reload then gave the error page). "false" stops htmx's
            // push and replace alike.
            resp.headers_mut()
                .insert("HX-Push-Url", HeaderValue::from_static("false"));
            resp
        }
        Audience::Page => page(ctx, visitor, status, &report.message).into_response(),
    };
    resp.set_status(status);
    // Headers that belong to the answer whatever its form.
    for name in [header::ALLOW, header::SET_COOKIE] {
        for value in original.headers().get_all(&name) {
            resp.headers_mut().append(name.clone(), value.clone());
        }
    }
    if let Some(secs) = report.retry_after_secs {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The short notice an htmx request gets.
fn notice(status: StatusCode, message: &str) -> Markup {
    html! {
        div class="error-box" role="alert" {
            p { strong { (status.as_u16()) " " (reason(status)) ". " } (message) }
        }
    }
}

/// The error page: the site's shell around the message. Without a request context
/// (an error before the app state was reachable) the shell is the anonymous one.
fn page(
    ctx: Option<&PageContext>,
    visitor: BareVisitor,
    status: StatusCode,
    message: &str,
) -> Markup {
    let content = html! {
        div class="error-box" role="alert" {
            h1 { (heading(status)) }
            p { (message) }
            p class="muted" { "Error " (status.as_u16()) " (" (reason(status)) ")." }
            p { a href="/" { "Back to the home page" } }
        }
    };
    let title = heading(status);
    match ctx {
        Some(ctx) => layout::page(ctx, title, content),
        None => layout::bare_page(title, content, visitor),
    }
}

/// The answer to a request the HTTP layer refused before the app saw it (a request line
/// or headers it could not read, see `transport`): the error page, or JSON for the API,
/// as `(content type, body)`.
pub fn before_routing(status: StatusCode, api: bool) -> (&'static str, String) {
    let message = match status {
        StatusCode::URI_TOO_LONG => {
            "The address is too long. Shorten it: searches and settings travel in the address, so fewer or shorter values help."
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "The request's headers are too large or too many. Clearing this site's cookies usually helps."
        }
        other => default_message(other),
    };
    if api {
        (JSON_CONTENT_TYPE, json_body(status, message))
    } else {
        (
            "text/html; charset=utf-8",
            // The request could not be read far enough to see its cookies.
            page(None, BareVisitor::MayBeSignedIn, status, message).into_string(),
        )
    }
}

/// The error page's heading, in a reader's words ("404 Not Found" was the protocol's).
fn heading(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::METHOD_NOT_ALLOWED => "Not accepted at this address",
        StatusCode::REQUEST_TIMEOUT => "The request took too long",
        StatusCode::PAYLOAD_TOO_LARGE => "The request is too large",
        StatusCode::URI_TOO_LONG => "The address is too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "The request's headers are too large",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests",
        StatusCode::SERVICE_UNAVAILABLE => "Unavailable for a moment",
        status if status.is_server_error() => "Something went wrong",
        _ => "The request could not be completed",
    }
}

fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// What poem's own errors mean to a user.
fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "There is no page at this address.",
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept that kind of request. Follow a link or use the form on the page."
        }
        StatusCode::BAD_REQUEST => {
            "The request could not be read. Check the address, or go back and submit the form again."
        }
        StatusCode::PAYLOAD_TOO_LARGE => "The request is too large.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "The request was sent in a form this address does not accept."
        }
        StatusCode::URI_TOO_LONG => "The address is too long.",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "The request's headers are too large.",
        status if status.is_server_error() => {
            "Something went wrong on our side. Please try again."
        }
        _ => "The request could not be completed.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::r2d2::{ManageConnection, Pool};
    use poem::error::ResponseError;

    /// A database that never answers, as a pool sees it.
    struct Unreachable;

    impl ManageConnection for Unreachable {
        type Connection = ();
        type Error = std::io::Error;

        fn connect(&self) -> Result<(), std::io::Error> {
            Err(std::io::Error::other("connection refused"))
        }

        fn is_valid(&self, _: &mut ()) -> Result<(), std::io::Error> {
            Ok(())
        }

        fn has_broken(&self, _: &mut ()) -> bool {
            false
        }
    }

    use crate::test_log::logged_while;

    /// The error of a request whose database connection never comes.
    fn unavailable() -> AppError {
        let pool = Pool::builder()
            .connection_timeout(std::time::Duration::from_millis(10))
            .build_unchecked(Unreachable);
        AppError::from(pool.get().expect_err("no connection"))
    }

    /// One failure, one log line: the report was made, and logged, both when the
    /// error was read and when it became a response.
    #[test]
    fn a_failure_is_logged_once() {
        let text = logged_while(|| {
            let failing = poem::endpoint::make(|_| async {
                Err::<Response, poem::Error>(AppError::internal("the disk is on fire").into())
            });
            let endpoint = ErrorPages::outermost().transform(failing);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime");
            let resp = runtime
                .block_on(endpoint.call(Request::builder().uri_str("/x").finish()))
                .expect("a response");
            assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        });
        assert_eq!(text.matches("the disk is on fire").count(), 1, "{text}");
    }

    /// A database outage is said once per half minute, not once per request answered
    /// 503 (the pool says it too). At most one line: another test may have said it.
    #[test]
    fn requests_answered_503_in_an_outage_are_logged_once_a_half_minute() {
        let text = logged_while(|| {
            for _ in 0..5 {
                ErrorReport::of(&unavailable());
            }
        });
        assert!(text.matches("answered 503").count() <= 1, "{text}");
        assert!(!text.contains("ERROR"), "{text}");
    }

    #[test]
    fn a_database_that_does_not_answer_is_a_503_saying_to_try_again() {
        let error = unavailable();
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        let report = ErrorReport::of(&error);
        assert_eq!(
            report.message,
            "The database is not answering right now. Please try again in a moment."
        );
        assert_eq!(
            report.retry_after_secs,
            Some(crate::error::UNAVAILABLE_RETRY_AFTER_SECS)
        );
    }

    /// SQLite held by another process past its busy timeout answered 500 "Something
    /// went wrong", and the API's 503 for a database down had no `Retry-After`: both
    /// now answer as the pages do for PostgreSQL down.
    #[test]
    fn a_database_held_by_another_writer_is_a_503_on_pages_and_in_the_api() {
        use crate::web::api::error::ApiError;
        use diesel::result::{DatabaseErrorKind, Error};
        let database = |message: &str| {
            AppError::Database(Error::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(message.to_string()),
            ))
        };
        let locked = database("database is locked");
        assert_eq!(locked.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ErrorReport::of(&locked).retry_after_secs, Some(5));
        let api = ApiError::from(locked).as_response();
        assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            api.headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        // A full disk: 503 too, saying what it is; the operator's log has the cause.
        let full = database("database or disk is full");
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(ErrorReport::of(&full).message.contains("its disk is full"));
        let other = database("disk I/O error");
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(ErrorReport::of(&other).retry_after_secs, None);
        let api = ApiError::from(other).as_response();
        assert!(api.headers().get(header::RETRY_AFTER).is_none());
    }
}
