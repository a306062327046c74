//! `/account`: change password, delete account. Both need the current password.

use std::sync::Arc;

use poem::{
    handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form},
    IntoResponse, Request, Response,
};
use serde::Deserialize;

use super::{client, login::throttled_message, views};
use crate::{
    accounts::{AccountError, Accounts, FieldErrors},
    error::{AppError, AppResult},
    web::{
        extract::{PageContext, RequireUser, SessionUser, SESSION_USER_KEY},
        respond,
        state::AppState,
    },
};

const TITLE: &str = "Your account";

/// Session key of the one-time "your password was changed" notice: set by a change
/// without JavaScript, shown (and dropped) by the next view of the account page. A
/// query string would show it again on every visit to a bookmarked or reloaded URL.
const PASSWORD_CHANGED_KEY: &str = "password_changed";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangePasswordForm {
    current_password: String,
    password: String,
    password_confirmation: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
}

/// Which form an answer is about, with its messages.
enum Section<'a> {
    Password {
        errors: &'a FieldErrors,
        alert: Option<&'a str>,
        done: bool,
    },
    Delete {
        errors: &'a FieldErrors,
        alert: Option<&'a str>,
    },
}

/// The whole account page, with `section` showing its state and the other form blank.
async fn full_page(
    ctx: &PageContext,
    state: &AppState,
    accounts: &Accounts,
    user_id: i32,
    section: Section<'_>,
) -> Result<Option<maud::Markup>, AppError> {
    let Some(user) = accounts
        .find(&state.pool, user_id)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let blank = FieldErrors::default();
    // A form sent back with a problem (a message beside a field, or above the form).
    let refused = match &section {
        Section::Password { errors, alert, .. } | Section::Delete { errors, alert } => {
            !errors.is_empty() || alert.is_some()
        }
    };
    let (password, delete) = match section {
        Section::Password {
            errors,
            alert,
            done,
        } => (
            views::PasswordValues {
                errors,
                alert,
                done,
            },
            views::DeleteValues {
                errors: &blank,
                alert: None,
            },
        ),
        Section::Delete { errors, alert } => (
            views::PasswordValues {
                errors: &blank,
                alert: None,
                done: false,
            },
            views::DeleteValues { errors, alert },
        ),
    };
    let profiles = crate::db::run(&state.pool, move |conn| {
        Ok(crate::db::taste_profiles::count_named(conn, user_id)?)
    })
    .await?;
    let values = views::AccountValues {
        username: &user.username,
        created_at: user.created_at,
        taste_profiles: profiles,
        password,
        delete,
    };
    let page = views::account_page(ctx, &values);
    Ok(Some(ctx.render_form(TITLE, page, refused)))
}

fn internal(error: AccountError) -> AppError {
    match error {
        AccountError::Internal(error) => error,
        other => AppError::internal(format!("unexpected account outcome: {other}")),
    }
}

/// The account is gone (deleted in another session): end this session too.
fn account_gone(ctx: &PageContext, session: &Session) -> Response {
    session.purge();
    respond::redirect(&ctx.htmx, "/login")
}

#[handler]
pub async fn show(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    state: Data<&AppState>,
    accounts: Data<&Arc<Accounts>>,
    session: &Session,
) -> AppResult<Response> {
    let blank = FieldErrors::default();
    let done = session.get::<bool>(PASSWORD_CHANGED_KEY).unwrap_or(false);
    if done {
        session.remove(PASSWORD_CHANGED_KEY);
    }
    let section = Section::Password {
        errors: &blank,
        alert: None,
        done,
    };
    match full_page(&ctx, &state, &accounts, user.id, section).await? {
        Some(page) => Ok(page.into_response()),
        None => Ok(account_gone(&ctx, session)),
    }
}

#[handler]
#[allow(clippy::too_many_arguments)]
pub async fn change_password(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    req: &Request,
    state: Data<&AppState>,
    accounts: Data<&Arc<Accounts>>,
    session: &Session,
    Form(form): Form<ChangePasswordForm>,
) -> AppResult<Response> {
    let client = client::client_key(req, state.config.trust_proxy_headers);
    let outcome = accounts
        .change_password(
            &state.pool,
            user.id,
            &form.current_password,
            &form.password,
            &form.password_confirmation,
            &client,
        )
        .await;
    let (errors, alert, retry) = match outcome {
        Ok(credentials_version) => {
            // The store already ended every session of this user; this one continues
            // under a new id, and under the new password's version (a session kept
            // under the old one would not be stored).
            session.renew();
            session.set(
                SESSION_USER_KEY,
                SessionUser {
                    credentials_version,
                    ..user.clone()
                },
            );
            if !ctx.htmx.wants_fragment() {
                session.set(PASSWORD_CHANGED_KEY, true);
                return Ok(respond::redirect(&ctx.htmx, "/account"));
            }
            let blank = FieldErrors::default();
            let values = views::PasswordValues {
                errors: &blank,
                alert: None,
                done: true,
            };
            // Titled as the page again: a refusal before had made it "Error: …".
            return Ok(ctx
                .render_form(
                    TITLE,
                    maud::html! {
                        (views::change_password_form(&ctx, &values))
                        (views::blank_delete_form_out_of_band(&ctx))
                    },
                    false,
                )
                .into_response());
        }
        Err(AccountError::Invalid(errors)) => (errors, None, None),
        Err(AccountError::Throttled(refusal)) => {
            let secs = refusal.wait.as_secs_f64().ceil() as u64;
            (
                FieldErrors::default(),
                Some(throttled_message(refusal)),
                Some(secs),
            )
        }
        Err(AccountError::NoSuchUser) => return Ok(account_gone(&ctx, session)),
        Err(other) => return Err(internal(other)),
    };
    let errors = &errors;
    let markup = if ctx.htmx.wants_fragment() {
        let values = views::PasswordValues {
            errors,
            alert: alert.as_deref(),
            done: false,
        };
        // The other form set back to blank: a message it showed had stayed beside this
        // one's, as the page without JavaScript never shows them. Titled "Error: …" as
        // the page without JavaScript is (a screen reader starts there).
        ctx.render_refused(
            TITLE,
            maud::html! {
                (views::change_password_form(&ctx, &values))
                (views::blank_delete_form_out_of_band(&ctx))
            },
        )
    } else {
        let section = Section::Password {
            errors,
            alert: alert.as_deref(),
            done: false,
        };
        match full_page(&ctx, &state, &accounts, user.id, section).await? {
            Some(page) => page,
            None => return Ok(account_gone(&ctx, session)),
        }
    };
    Ok(match retry {
        Some(secs) => respond::throttled(markup, secs),
        None => respond::with_status(markup, StatusCode::UNPROCESSABLE_ENTITY),
    })
}

#[handler]
#[allow(clippy::too_many_arguments)]
pub async fn delete_account(
    ctx: PageContext,
    RequireUser(user): RequireUser,
    req: &Request,
    state: Data<&AppState>,
    accounts: Data<&Arc<Accounts>>,
    session: &Session,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let client = client::client_key(req, state.config.trust_proxy_headers);
    let outcome = accounts
        .delete_account(&state.pool, user.id, &form.password, &client)
        .await;
    let (errors, alert, retry) = match outcome {
        Ok(()) | Err(AccountError::NoSuchUser) => {
            session.purge();
            // The home page says that the account is gone.
            return Ok(respond::redirect(
                &ctx.htmx,
                crate::web::home::ACCOUNT_DELETED,
            ));
        }
        Err(AccountError::Invalid(errors)) => (errors, None, None),
        Err(AccountError::Throttled(refusal)) => {
            let secs = refusal.wait.as_secs_f64().ceil() as u64;
            (
                FieldErrors::default(),
                Some(throttled_message(refusal)),
                Some(secs),
            )
        }
        Err(other) => return Err(internal(other)),
    };
    let errors = &errors;
    let markup = if ctx.htmx.wants_fragment() {
        ctx.render_refused(
            TITLE,
            maud::html! {
                (views::delete_account_form(
                    &ctx,
                    &views::DeleteValues {
                        errors,
                        alert: alert.as_deref(),
                    },
                ))
                (views::blank_password_form_out_of_band(&ctx))
            },
        )
    } else {
        let section = Section::Delete {
            errors,
            alert: alert.as_deref(),
        };
        match full_page(&ctx, &state, &accounts, user.id, section).await? {
            Some(page) => page,
            None => return Ok(account_gone(&ctx, session)),
        }
    };
    Ok(match retry {
        Some(secs) => respond::throttled(markup, secs),
        None => respond::with_status(markup, StatusCode::UNPROCESSABLE_ENTITY),
    })
}
