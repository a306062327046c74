//! `/signup`: create an account and log in with it.

use std::sync::Arc;

use poem::{
    handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Query},
    IntoResponse, Request, Response,
};
use serde::Deserialize;

use super::{client, login, next, session, views};
use crate::{
    accounts::{AccountError, Accounts, Field, FieldErrors},
    error::{AppError, AppResult},
    web::{extract::PageContext, respond, state::AppState},
};

const TITLE: &str = "Sign up";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    username: String,
    password: String,
    password_confirmation: String,
    next: Option<String>,
}

#[handler]
pub fn show(ctx: PageContext, Query(query): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return respond::redirect(&ctx.htmx, &next::after_login(query.next.as_deref()));
    }
    let errors = FieldErrors::default();
    let values = views::SignUpValues {
        username: "",
        next: query.next.as_deref(),
        errors: &errors,
    };
    ctx.render(TITLE, views::sign_up_page(&ctx, &values))
        .into_response()
}

#[handler]
pub async fn submit(
    ctx: PageContext,
    req: &Request,
    state: Data<&AppState>,
    accounts: Data<&Arc<Accounts>>,
    session: &Session,
    Form(form): Form<SignUpForm>,
) -> AppResult<Response> {
    // A refused form is answered at its own address without a query: the header's Log
    // in and Sign up read the page to come back to from it, and without JavaScript they
    // had lost it.
    let ctx = PageContext {
        location: next::with_next(&ctx.path, form.next.as_deref()),
        ..ctx
    };
    let render = |errors: &FieldErrors| {
        let values = views::SignUpValues {
            username: form.username.trim(),
            next: form.next.as_deref(),
            errors,
        };
        // The form alone for htmx, the page without; either way titled "Error: …".
        let content = if ctx.htmx.wants_fragment() {
            views::sign_up_form(&ctx, &values)
        } else {
            views::sign_up_page(&ctx, &values)
        };
        // The sign-up half of the log-in page is answered in place there, under that
        // page's heading: its title stays the page's ("Error: Sign up" had replaced
        // "Log in" above the same page).
        let on_login_page = ctx.htmx.wants_fragment()
            && req
                .header("hx-current-url")
                .and_then(next::path_of_url)
                .is_some_and(|page| page.split(['?', '#']).next() == Some("/login"));
        ctx.render_refused(if on_login_page { login::TITLE } else { TITLE }, content)
    };
    // A sign-up form sent from a tab opened before logging in: creating the account
    // would quietly switch this browser to it. Say so instead; nothing is created.
    if let Some(user) = &ctx.user {
        let errors = FieldErrors::one(
            Field::Username,
            format!(
                "You are logged in as {}. Log out first to create another account.",
                user.username
            ),
        );
        return Ok(respond::with_status(render(&errors), StatusCode::CONFLICT));
    }
    let client = client::client_key(req, state.config.trust_proxy_headers);
    let outcome = accounts
        .sign_up(
            &state.pool,
            &form.username,
            &form.password,
            &form.password_confirmation,
            &client,
        )
        .await;
    match outcome {
        Ok(user) => {
            tracing::info!(user_id = user.id, "account created");
            session::start(session, &user);
            let mut resp = respond::redirect(&ctx.htmx, &next::after_login(form.next.as_deref()));
            // The page it lands on says that the account is ready (`welcome`).
            resp.headers_mut().append(
                poem::http::header::SET_COOKIE,
                super::welcome::set_cookie(state.config.secure_cookies),
            );
            Ok(resp)
        }
        Err(AccountError::Invalid(errors)) => Ok(respond::with_status(
            render(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(AccountError::Throttled(refusal)) => {
            let secs = refusal.wait.as_secs_f64().ceil() as u64;
            let message = format!(
                "Too many sign-ups from your network. Try again in {}.",
                respond::wait_phrase(secs)
            );
            let errors = FieldErrors::one(Field::Username, message);
            Ok(respond::throttled(render(&errors), secs))
        }
        Err(AccountError::Internal(error)) => Err(error),
        Err(other) => Err(AppError::internal(format!(
            "unexpected sign-up outcome: {other}"
        ))),
    }
}
