//! Blueprint: sign up, log in, log out, and the account page (change password, delete
//! account). The rules live in `crate::accounts`; these handlers turn forms into calls
//! and outcomes into pages. Also the app-wide pieces that make sessions and CSRF
//! protection work (`wrap`), and `RequireUser` for other blueprints.
//!
//! Every form works both ways: a plain POST answers 303 on success and 422 with the
//! form and its messages on failure; an htmx POST gets the form alone to swap in place,
//! or `HX-Redirect` on success so the next page loads whole with the new navigation.

mod account;
mod api_tokens;
pub mod client;
pub mod csrf;
mod login;
pub mod next;
mod require_user;
mod respond;
pub mod session;
mod signup;
mod views;

use std::sync::Arc;

use poem::{
    get, post, session::ServerSession, Endpoint, EndpointExt, IntoResponse, Request, Response,
    Route,
};

pub use require_user::{login_redirect, RequireUser};

use crate::{
    accounts::{secret_key::SecretKey, Accounts},
    state::AppState,
};

/// Adds the blueprint's routes to `route`.
pub fn register(route: Route) -> Route {
    route
        .at("/signup", get(signup::show).post(signup::submit))
        .at("/login", get(login::show).post(login::submit))
        .at("/logout", post(login::log_out))
        .at("/account", get(account::show))
        .at("/account/password", post(account::change_password))
        .at("/account/delete", post(account::delete_account))
        .at(
            api_tokens::PATH,
            get(api_tokens::show).post(api_tokens::create),
        )
        .at("/account/api-tokens/:id/revoke", post(api_tokens::revoke))
}

/// Wraps the app in what every request needs for accounts: the server-side session
/// (stored in the database), CSRF tokens and their verification, session keep-alive,
/// and the `Accounts` service (password hasher and log-in throttle).
///
/// The secret key comes from the configuration or the key file (see
/// `accounts::secret_key`). If the file cannot be written, a random key for this run
/// is used and a warning logged: forms keep working, but tokens issued before a
/// restart are refused after it.
///
/// Static assets and the health check bypass all this: no session look-up in the
/// database for every stylesheet, and no `Set-Cookie` on year-long cacheable files.
pub fn wrap<E>(app: E, state: &AppState) -> impl Endpoint<Output = Response>
where
    E: Endpoint + 'static,
{
    let config = &state.config;
    let key = SecretKey::for_config(config).unwrap_or_else(|error| {
        tracing::warn!(%error, "using a temporary secret key for this run");
        SecretKey::generate()
    });
    let app = Arc::new(app);
    let with_accounts = app
        .clone()
        .with(session::KeepAlive::new(session::cookie_config(config)))
        .with(csrf::VerifyCsrf)
        .with(csrf::issuer(config, &key))
        .with(ServerSession::new(
            session::cookie_config(config),
            session::storage(state.pool.clone()),
        ));
    SkipStatic {
        plain: app,
        with_accounts,
    }
    .data(Arc::new(Accounts::default()))
}

/// Sends static files, the health check and public catalog data served as immutable
/// JSON past the session and CSRF layers: no session lookup, and no `Set-Cookie` on a
/// response that caches forever.
struct SkipStatic<P, A> {
    plain: P,
    with_accounts: A,
}

impl<P: Endpoint, A: Endpoint> Endpoint for SkipStatic<P, A> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path();
        if path.starts_with("/assets/")
            || path == "/healthz"
            || path.starts_with(crate::web::api::PREFIX)
            || path == crate::web::perfect_song::sample::PATH
        {
            self.plain.call(req).await.map(IntoResponse::into_response)
        } else {
            self.with_accounts
                .call(req)
                .await
                .map(IntoResponse::into_response)
        }
    }
}
