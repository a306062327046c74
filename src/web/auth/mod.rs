//! Accounts in the browser: sign up, log in, log out, and the account page (change
//! password, delete account); and the layers that make sessions and CSRF protection
//! work for every page (`with_sessions`). The rules live in `crate::accounts`; these
//! handlers turn forms into calls and outcomes into pages.
//!
//! Every form works both ways: a plain POST answers 303 on success and 422 with the
//! form and its messages on failure; an htmx POST gets the form alone to swap in place,
//! or `HX-Redirect` on success so the next page loads whole with the new navigation.
//!
//! - `signup`, `login`, `account`: the handlers; `views`: their forms and pages.
//! - `session`: the cookie, starting a session at log in, keeping it alive.
//! - `session_store`: poem's session storage over the database, with a cache of loads.
//! - `csrf`: the token issuer and the check on every state-changing request.
//! - `live_session`: a signed-in form's session read from its row, not the cache.
//! - `next`: the safe "come back to where you were" parameter.
//! - `client`: the client's address, for throttling.
//! - `api_tokens`: personal API tokens on the account page (create, list, revoke).

pub mod account;
pub mod api_tokens;
pub mod client;
pub mod csrf;
pub mod live_session;
pub mod login;
pub mod next;
pub mod session;
pub mod session_store;
pub mod signup;
mod views;
pub mod welcome;

use poem::{session::ServerSession, Endpoint, EndpointExt, Response};

use super::{errors::ErrorPages, state::AppState};

/// Wraps `pages` in what every page needs for accounts, outermost first: the server-side
/// session (stored in the database), the CSRF token issuer, the error pages (inside the
/// session, so they show who is logged in), and session keep-alive. The CSRF check is
/// not here but on each POST route (`web::methods::post`). Also hands handlers the
/// `Accounts` service.
pub fn with_sessions<E>(pages: E, state: &AppState) -> impl Endpoint<Output = Response>
where
    E: Endpoint + 'static,
{
    let config = &state.config;
    let secure = config.secure_cookies;
    pages
        .map_to_response()
        .with(session::KeepAlive::new(session::cookie_config(config)))
        // The CSRF check is on each POST route (`web::methods::post`), inside this.
        .with(ErrorPages::with_session())
        .with(csrf::IssueTokens::new(config, &state.secret_key))
        .with(ServerSession::new(
            session::cookie_config(config),
            session::storage(state.pool.clone(), state.config.database.postgres_url()),
        ))
        .map(|resp| async move { session::removal_for_whole_site(resp) })
        .around(move |ep, req| async move {
            let stale = session::unprefixed_cookies(secure, req.headers());
            let welcomed = welcome::due(&req);
            let resp = ep.call(req).await?;
            let resp = if welcomed && resp.status().is_success() {
                welcome::said(resp)
            } else {
                resp
            };
            Ok(session::expire(&stale, secure, resp))
        })
        .data(state.accounts.clone())
        .map_to_response()
}
