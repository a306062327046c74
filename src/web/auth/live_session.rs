//! A signed-in POST is checked against its session's row, not the session cache.
//!
//! The cache (`session_store`) trusts a load for up to 5 seconds on SQLite, so that a
//! slider's requests need no database trip. That is harmless for reading pages, but an
//! operator's `reset-password` in another process (the owner lost control of the
//! account) left the ended session able to revoke tokens, save and delete profiles and
//! change settings in those seconds. A write is rare and worth one read: a session
//! whose row is gone is purged and the form sent to the log-in page, as an anonymous
//! visitor's would be.

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::{session, session_store};
use crate::{
    db,
    error::AppError,
    web::{
        extract::{login_redirect, CurrentUser},
        state::AppState,
    },
};

/// Wraps a POST endpoint (`web::methods::post`).
pub struct SessionStillLive;

impl<E: Endpoint> Middleware<E> for SessionStillLive {
    type Output = SessionStillLiveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        SessionStillLiveEndpoint { inner }
    }
}

pub struct SessionStillLiveEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for SessionStillLiveEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let Some(user) = CurrentUser::from_request_parts(&req).0 else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        match session_row(&req, user.id).await? {
            Row::Live => self.inner.call(req).await.map(IntoResponse::into_response),
            // Said as such, as the handlers' own writes would say it; the error page
            // ends the session.
            Row::AccountGone => Err(AppError::account_gone().into()),
            Row::Ended => {
                tracing::info!(path = %req.uri().path(), "a form sent from a session that has ended; sent to log in");
                if let Some(session) = req.extensions().get::<poem::session::Session>() {
                    session.purge();
                }
                Ok(login_redirect(&req))
            }
        }
    }
}

/// What the database says of a signed-in request's session.
enum Row {
    Live,
    /// Logged out, expired, or ended by a password change or reset.
    Ended,
    /// The user's account was deleted (which ends its sessions too).
    AccountGone,
}

/// The request's session row, read past the cache.
async fn session_row(req: &Request, user_id: i32) -> Result<Row> {
    let Some(state) = req.data::<AppState>() else {
        // A router built without the state has no database to ask.
        return Ok(Row::Live);
    };
    let key = session::session_id(req.headers(), state.config.secure_cookies)
        .map(session_store::stored_id);
    let row = db::run(&state.pool, move |conn| {
        let live = match &key {
            Some(key) => db::sessions::load_with_expiry(conn, key, db::now_unix())?.is_some(),
            None => false,
        };
        Ok(if live {
            Row::Live
        } else if db::users::find_by_id(conn, user_id)?.is_none() {
            Row::AccountGone
        } else {
            Row::Ended
        })
    })
    .await?;
    Ok(row)
}
