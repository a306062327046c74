//! Personal API tokens on the account pages: `/account/api-tokens` lists a user's
//! tokens (name, visible start, created, last used, revoked) with a form to create one
//! and a button to revoke each. A new token is shown once, on the page that answers the
//! creating POST (a redirect would lose it, unless the secret were kept somewhere for
//! the next GET; only its SHA-256 is ever stored). Since that page answers a POST,
//! reloading it sends the form again: each form carries a one-time id, remembered in the
//! session once used, and a form sent twice creates nothing the second time.
//!
//! The account page links here with `section()`.

use maud::{html, Markup};
use poem::{
    handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path},
    IntoResponse, Request, Response,
};
use serde::Deserialize;

use super::{csrf, session, session_store};
use crate::{
    accounts::api_tokens::{self, MAX_ACTIVE_PER_USER},
    db::{self, api_tokens::ApiTokenRow},
    error::AppResult,
    web::{
        extract::{login_redirect, PageContext, RequireUser},
        layout::format_date,
        respond,
        state::AppState,
    },
};

pub const PATH: &str = "/account/api-tokens";
const TITLE: &str = "API tokens";

/// The account page's card about tokens.
pub fn section() -> Markup {
    html! {
        section class="card narrow" aria-labelledby="api-tokens-title" {
            h2 id="api-tokens-title" { "API tokens" }
            p {
                "Programs can read the catalog through the JSON API at "
                code { "/api/v1" } " (shaped like Spotify's Web API; "
                a href="/api/docs" { "documentation" } "). "
                "Each program sends a personal token of yours."
            }
            p { a href=(PATH) { "Create, see and revoke your API tokens" } }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    /// The form's one-time id (`form_id`); absent from clients that post by hand.
    once: String,
}

/// The session key of the one-time ids of the forms that created a token.
const USED_FORMS_KEY: &str = "api_token_forms";
/// How many are remembered: one per form left open in another tab is plenty.
const USED_FORMS_KEPT: usize = 8;

/// A new one-time id for a creating form.
fn form_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn used_forms(session: &Session) -> Vec<String> {
    session.get(USED_FORMS_KEY).unwrap_or_default()
}

/// Whether the form with this one-time id made a token already.
fn already_used(session: &Session, once: &str) -> bool {
    !once.is_empty() && used_forms(session).iter().any(|u| u == once)
}

/// Remembers that the form with this one-time id made a token.
fn remember_used(session: &Session, once: &str) {
    if once.is_empty() {
        return;
    }
    let mut used = used_forms(session);
    used.push(once.to_string());
    let excess = used.len().saturating_sub(USED_FORMS_KEPT);
    used.drain(..excess);
    session.set(USED_FORMS_KEY, used);
}

const SENT_TWICE: &str = "This form was sent again (a reload?), so no second token was made. \
     The token it made was shown only once: if you did not copy it, revoke it below and \
     create another.";

struct View<'a> {
    tokens: &'a [ApiTokenRow],
    name: &'a str,
    error: Option<&'a str>,
    created: Option<(&'a str, &'a str)>,
    notice: Option<&'a str>,
}

fn when(at: Option<i64>) -> String {
    at.map(format_date).unwrap_or_else(|| "never".to_string())
}

fn page(ctx: &PageContext, view: &View) -> Markup {
    html! {
        // The way back: the account's username in the nav was the only one.
        nav class="breadcrumbs" aria-label="Breadcrumb" {
            a href="/account" { "Your account" } " › " span aria-current="page" { (TITLE) }
        }
        section class="card narrow" aria-labelledby="tokens-title" {
            h1 id="tokens-title" { (TITLE) }
            p {
                "Send a token as " code { "Authorization: Bearer <token>" }
                " to the API at " code { "/api/v1" } ". See the "
                a href="/api/docs" { "API documentation" } "."
            }
            @if let Some((name, secret)) = view.created {
                div class="notice" role="status" {
                    p { "Your new token " strong { (name) } ". Copy it now: it is shown only this once." }
                    p { code id="new-token" { (secret) } }
                }
            }
            @if let Some(notice) = view.notice {
                p class="notice" role="status" { (notice) }
            }
        }
        section class="card narrow" aria-labelledby="new-token-title" {
            h2 id="new-token-title" { "New token" }
            form id="token-form" class="stack-form" method="post" action=(PATH) {
                input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
                input type="hidden" name="once" value=(form_id());
                div class={ "field" @if view.error.is_some() { " has-error" } } {
                    label for="token-name" { "Name" }
                    input id="token-name" name="name" type="text" value=(view.name)
                        maxlength=(api_tokens::MAX_NAME_CHARS) required
                        aria-invalid=[view.error.map(|_| "true")]
                        aria-describedby=[view.error.map(|_| "token-name-error")];
                    p class="field-hint" { "What uses it, e.g. “playlist script”." }
                    @if let Some(error) = view.error {
                        p class="field-error" id="token-name-error" { (error) }
                    }
                }
                button type="submit" { "Create token" }
            }
        }
        section class="card narrow" aria-labelledby="token-list-title" {
            h2 id="token-list-title" { "Your tokens" }
            @if view.tokens.is_empty() {
                p { "You have no API tokens yet." }
            } @else {
                // On a phone each token is a card (app.css, `.token-table`); its name,
                // up to 60 characters typed without a space, wraps anywhere.
                div class="table-scroll" tabindex="0" role="region" aria-label="Your tokens (scrolls sideways)" {
                    table class="token-table cards-when-narrow" {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Token" } th scope="col" { "Created" } th scope="col" { "Last used" } th scope="col" { "Status" } } }
                        tbody {
                            @for t in view.tokens {
                                tr {
                                    td class="token-name" { (t.name) }
                                    td class="card-meta" { code { (t.hint) } }
                                    td class="card-meta" data-label="created" { (format_date(t.created_at)) }
                                    td class="card-meta" data-label="last used" { (when(t.last_used_at)) }
                                    td class="token-status" {
                                        @if let Some(at) = t.revoked_at {
                                            "Revoked " (format_date(at))
                                        } @else {
                                            // Revoking stops every script that sends the
                                            // token, for good: a second, deliberate step,
                                            // as deleting a profile or the account takes
                                            // (no JavaScript needed).
                                            details class="confirm-step" {
                                                summary class="button secondary button-small" aria-label=(format!("Revoke {}", t.name)) { "Revoke" }
                                                form method="post" action=(format!("{PATH}/{}/revoke", t.id)) class="confirm-step-form" {
                                                    input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
                                                    span { "Scripts using it stop working." }
                                                    button type="submit" class="button-small danger" aria-label=(format!("Yes, revoke {}", t.name)) { "Yes, revoke" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn tokens_of(state: &AppState, user_id: i32) -> AppResult<Vec<ApiTokenRow>> {
    db::run(&state.pool, move |conn| {
        Ok(db::api_tokens::for_user(conn, user_id)?)
    })
    .await
}

fn render(ctx: &PageContext, view: &View) -> Markup {
    // Always the whole page: the forms here are plain, so a token never lands in a
    // fragment swapped into some other page. A refused form says so first in the
    // title, as the account's other forms do (a screen reader starts there).
    let title = match view.error {
        Some(_) => format!("Error: {TITLE}"),
        None => TITLE.to_string(),
    };
    crate::web::layout::page(ctx, &title, page(ctx, view))
}

#[handler]
pub async fn show(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
) -> AppResult<Response> {
    let tokens = tokens_of(&state, user.id).await?;
    let view = View {
        tokens: &tokens,
        name: "",
        error: None,
        created: None,
        notice: None,
    };
    Ok(render(&ctx, &view).into_response())
}

/// The page again with a notice at the top, under `status`.
async fn answer_with_notice(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    notice: &str,
    status: StatusCode,
) -> AppResult<Response> {
    let tokens = tokens_of(state, user_id).await?;
    let view = View {
        tokens: &tokens,
        name: "",
        error: None,
        created: None,
        notice: Some(notice),
    };
    Ok(respond::with_status(render(ctx, &view), status))
}

/// The page again with the typed name kept and `error` beside it (422).
async fn answer_with_error(
    ctx: &PageContext,
    state: &AppState,
    user_id: i32,
    name: &str,
    error: &str,
) -> AppResult<Response> {
    let tokens = tokens_of(state, user_id).await?;
    let view = View {
        tokens: &tokens,
        name,
        error: Some(error),
        created: None,
        notice: None,
    };
    Ok(respond::with_status(
        render(ctx, &view),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// What a create did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Created {
    Yes,
    AtLimit,
    SentTwice,
    /// The session had ended, though the session cache still held it.
    SessionEnded,
}

#[handler]
pub async fn create(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    session: &Session,
    req: &Request,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let user_id = user.id;
    // A token outlives the session that made it: the session's own row is read here,
    // not the session cache, so that a session just ended by another process (an
    // operator's `reset-password` beside a SQLite server) cannot make one.
    let session_key = session::session_id(req.headers(), state.config.secure_cookies)
        .map(session_store::stored_id);
    let once = form.once.trim();
    if already_used(session, once) {
        return answer_with_notice(&ctx, &state, user_id, SENT_TWICE, StatusCode::CONFLICT).await;
    }
    let name = match api_tokens::validate_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            return answer_with_error(&ctx, &state, user_id, &form.name, &message).await;
        }
    };
    let new = api_tokens::generate();
    let (stored_name, hash, hint) = (name.clone(), new.hash.clone(), new.hint.clone());
    let form_once = (!once.is_empty()).then(|| once.to_string());
    let created = db::run(&state.pool, move |conn| {
        // Checked in the users' write transaction with the insert, so that two creates
        // racing at the limit cannot both pass the count, nor two sends of one form
        // both pass its check (a unique index backs that one).
        db::user_write_transaction(conn, |conn| {
            let live = match &session_key {
                Some(key) => db::sessions::load_with_expiry(conn, key, db::now_unix())?.is_some(),
                None => false,
            };
            if !live {
                // Its account deleted meanwhile takes the session with it: said as
                // such, as the insert's refusal would.
                if db::users::find_by_id(conn, user_id)?.is_none() {
                    return Err(crate::error::AppError::account_gone());
                }
                return Ok(Created::SessionEnded);
            }
            if let Some(once) = form_once.as_deref() {
                if db::api_tokens::form_used(conn, user_id, once)? {
                    return Ok(Created::SentTwice);
                }
            }
            if db::api_tokens::count_active(conn, user_id)? >= MAX_ACTIVE_PER_USER as i64 {
                return Ok(Created::AtLimit);
            }
            db::api_tokens::insert(
                conn,
                user_id,
                &stored_name,
                &hash,
                &hint,
                db::now_unix(),
                form_once.as_deref(),
            )
            .map_err(db::user_write_error)?;
            Ok(Created::Yes)
        })
    })
    .await?;
    if created == Created::SessionEnded {
        return Ok(login_redirect(req));
    }
    if created == Created::SentTwice {
        return answer_with_notice(&ctx, &state, user_id, SENT_TWICE, StatusCode::CONFLICT).await;
    }
    if created == Created::AtLimit {
        let message = format!(
            "You have {MAX_ACTIVE_PER_USER} active tokens, the most allowed. Revoke one first."
        );
        return answer_with_error(&ctx, &state, user_id, &form.name, &message).await;
    }
    remember_used(session, once);
    let tokens = tokens_of(&state, user_id).await?;
    let view = View {
        tokens: &tokens,
        name: "",
        error: None,
        created: Some((&name, &new.secret)),
        notice: None,
    };
    let mut resp = render(&ctx, &view).into_response();
    resp.headers_mut().insert(
        poem::http::header::CACHE_CONTROL,
        poem::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

#[handler]
pub async fn revoke(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user_id = user.id;
    // A malformed id is simply not one of the user's tokens.
    let id: i32 = id.parse().unwrap_or(0);
    let revoked = db::run(&state.pool, move |conn| {
        Ok(db::api_tokens::revoke(conn, user_id, id, db::now_unix())?)
    })
    .await?;
    if revoked {
        return Ok(respond::redirect(&ctx.htmx, PATH));
    }
    answer_with_notice(
        &ctx,
        &state,
        user_id,
        "That token is not one of your active tokens.",
        StatusCode::NOT_FOUND,
    )
    .await
}
