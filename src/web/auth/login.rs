//! `/login` and `/logout`.

use std::sync::Arc;

use poem::{
    handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Query},
    IntoResponse, Request, Response,
};
use serde::Deserialize;

use super::{client, next, session, signup::NextQuery, views};
use crate::{
    accounts::{throttle::Refusal, AccountError, Accounts},
    error::{AppError, AppResult},
    web::{
        extract::{Htmx, PageContext},
        respond,
        state::AppState,
    },
};

pub(super) const TITLE: &str = "Log in";
pub const WRONG_CREDENTIALS: &str = "Wrong username or password.";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogInForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The log-in page. A visitor whose browser still sends a session cookie that names
/// no session (idle for two weeks, the password changed on another device) is told that the session ended: a form sent after that had landed here
/// with no word of why. Anonymous visitors carry no session cookie, and logging out
/// removes it, so the cookie alone tells the two apart.
#[handler]
pub fn show(
    ctx: PageContext,
    req: &Request,
    state: Data<&AppState>,
    Query(query): Query<NextQuery>,
) -> Response {
    if ctx.user.is_some() {
        return respond::redirect(&ctx.htmx, &next::after_login(query.next.as_deref()));
    }
    let secure = state.config.secure_cookies;
    let session_ended = session::cookie_present(req.headers(), secure);
    let values = views::LogInValues {
        username: "",
        next: query.next.as_deref(),
        alert: None,
        session_ended,
    };
    let page = ctx
        .render(TITLE, views::log_in_page(&ctx, &values))
        .into_response();
    if session_ended {
        // Said once: the ended session's cookie goes with this answer. It had stayed,
        // and every later visit here said the session had just ended.
        return session::expire(&[session::cookie_name(secure)], secure, page);
    }
    page
}

#[handler]
pub async fn submit(
    ctx: PageContext,
    req: &Request,
    state: Data<&AppState>,
    accounts: Data<&Arc<Accounts>>,
    session: &Session,
    Form(form): Form<LogInForm>,
) -> AppResult<Response> {
    let client = client::client_key(req, state.config.trust_proxy_headers);
    let outcome = accounts
        .log_in(&state.pool, &form.username, &form.password, &client)
        .await;
    // A refused form is answered at its own address without a query: the header's Log
    // in and Sign up read the page to come back to from it, and without JavaScript they
    // had lost it.
    let ctx = PageContext {
        location: next::with_next(&ctx.path, form.next.as_deref()),
        ..ctx
    };
    let render = |alert: &str| {
        let values = views::LogInValues {
            username: form.username.trim(),
            next: form.next.as_deref(),
            alert: Some(alert),
            session_ended: false,
        };
        // The form alone for htmx, the page without; either way titled "Error: …".
        let content = if ctx.htmx.wants_fragment() {
            views::log_in_form(&ctx, &values)
        } else {
            views::log_in_page(&ctx, &values)
        };
        ctx.render_refused(TITLE, content)
    };
    match outcome {
        Ok(user) => {
            session::start(session, &user);
            Ok(respond::redirect(
                &ctx.htmx,
                &next::after_login(form.next.as_deref()),
            ))
        }
        // One line per refusal, with the name tried and the client it came from, for an
        // operator watching for guessing (fail2ban and the like): the request line alone
        // said only "POST /login 422". The name is in quotes with its quotes, control
        // and invisible characters escaped (`quoted::for_log`), so that no one can write
        // a field or a line of their own into the log.
        Err(AccountError::WrongCredentials) => {
            tracing::warn!(
                username = %crate::quoted::for_log(form.username.trim()),
                %client,
                "log-in refused: wrong username or password"
            );
            Ok(respond::with_status(
                render(WRONG_CREDENTIALS),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(AccountError::Throttled(refusal)) => {
            tracing::warn!(
                username = %crate::quoted::for_log(form.username.trim()),
                %client,
                wait_s = refusal.wait.as_secs(),
                "log-in refused: {}",
                if refusal.busy {
                    "too many log-ins from this address at once"
                } else {
                    "too many failed attempts"
                }
            );
            let secs = refusal.wait.as_secs_f64().ceil() as u64;
            let message = throttled_message(refusal);
            Ok(respond::throttled(render(&message), secs))
        }
        Err(AccountError::Internal(error)) => Err(error),
        Err(other) => Err(AppError::internal(format!(
            "unexpected log-in outcome: {other}"
        ))),
    }
}

pub fn throttled_message(refusal: Refusal) -> String {
    let wait = respond::wait_phrase(refusal.wait.as_secs_f64().ceil() as u64);
    if refusal.busy {
        // Said alike on the log-in page and where a password is confirmed.
        format!(
            "Too many passwords are being checked for your network at once. Try again in {wait}."
        )
    } else {
        format!("Too many failed attempts. For your safety, try again in {wait}.")
    }
}

/// Ends the session for good: the row is deleted and the cookie cleared, so the old
/// cookie no longer works even if someone kept a copy.
#[handler]
pub fn log_out(htmx: Htmx, session: &Session) -> Response {
    session.purge();
    respond::redirect(&htmx, crate::web::home::LOGGED_OUT)
}
