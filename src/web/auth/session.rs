//! Server-side sessions: the cookie, the database store, starting a session at log in,
//! and keeping an active session alive.
//!
//! Idle expiry is 14 days. poem's `ServerSession` saves a session (and so moves its
//! `expires_at`) only when its data changes, and sets the cookie only when the id
//! changes. `KeepAlive` therefore stamps a `seen_at` entry at most once a day on
//! requests that carry a session: that one write pushes `expires_at` 14 days ahead, and
//! the same cookie is sent again with a fresh `Max-Age`. A session left alone for 14
//! days is refused on load and its row swept later.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use poem::{
    http::{header::SET_COOKIE, HeaderValue},
    session::{CookieConfig, Session, SessionStatus},
    web::cookie::SameSite,
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};
use serde_json::Value;

use crate::{
    accounts::User,
    config::Config,
    db::{self, sessions::Owner, DbPool},
    web::auth::session_store::DbSessionStorage,
    web::extract::{SessionUser, SESSION_USER_KEY},
};

pub const COOKIE_NAME: &str = "ih_session";
/// The prefix `Secure` cookies' names carry. A browser takes a `__Host-` cookie only
/// from this host itself, with `Secure`, `Path=/` and no `Domain`: a sibling subdomain
/// (`evil.example.org` beside `hub.example.org`) cannot plant one. Without it, a
/// sibling could set `ih_session` to its own account's session for `/perfect-song`,
/// which browsers send first (the longer path), and the server reads the first: the
/// victim's saved profiles would land in the attacker's account.
pub const SECURE_PREFIX: &str = "__Host-";
/// The session cookie's name as this server sets it: prefixed when cookies are
/// `Secure` (browsers refuse the prefix on a plain-HTTP cookie).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-ih_session"
    } else {
        COOKIE_NAME
    }
}

/// The cookie's name in `text` (a `Set-Cookie` or `Cookie` pair) without its
/// `__Host-` prefix, if it has one.
fn unprefixed(text: &str) -> &str {
    text.strip_prefix(SECURE_PREFIX).unwrap_or(text)
}
pub const IDLE_LIFETIME: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// poem removes the session cookie (log-out, a deleted account, a session ended by an
/// error) with a `Set-Cookie` that names no path, which a browser applies to the
/// request's own directory (`/account` for `/account/delete`), so the cookie set for
/// `/` stayed. The removal is given the cookie's path. Sits outside `ServerSession`.
pub fn removal_for_whole_site(mut resp: Response) -> Response {
    // Read on every page's answer: no allocation for the cookies it leaves alone.
    let pathless = |value: &HeaderValue| {
        value.to_str().is_ok_and(|text| {
            unprefixed(text)
                .strip_prefix(COOKIE_NAME)
                .is_some_and(|rest| rest.starts_with('='))
                && !text
                    .as_bytes()
                    .windows(5)
                    .any(|w| w.eq_ignore_ascii_case(b"path="))
        })
    };
    let headers = resp.headers_mut();
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    if !cookies.iter().any(pathless) {
        return resp;
    }
    headers.remove(SET_COOKIE);
    for cookie in cookies {
        let cookie = match cookie.to_str() {
            // A `__Host-` cookie's removal must be `Secure` too, or the browser ignores
            // it (poem's removal names neither).
            Ok(text) if pathless(&cookie) && text.starts_with(SECURE_PREFIX) => {
                HeaderValue::from_str(&format!("{text}; Path=/; Secure")).unwrap_or(cookie)
            }
            Ok(text) if pathless(&cookie) => {
                HeaderValue::from_str(&format!("{text}; Path=/")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(SET_COOKIE, cookie);
    }
    resp
}

/// Whether a request carries the session cookie this server sets (`cookie_name`):
/// what an error page raised before the session layer (a body too large, an
/// unreadable address) can know of its visitor. Whether the session is still valid is
/// not known there. Only that name counts: a `Secure` server had counted a plain
/// `ih_session` left from before the `__Host-` names, which nothing removed, and its
/// log-in page said "your session ended" after every log-out.
pub fn cookie_present(headers: &poem::http::HeaderMap, secure: bool) -> bool {
    has_cookie(headers, cookie_name(secure))
}

/// Whether the request's `Cookie` headers hold `name` with a value.
pub(super) fn has_cookie(headers: &poem::http::HeaderMap, name: &str) -> bool {
    cookie_value(headers, name).is_some()
}

/// The first value of the cookie `name` in the request's `Cookie` headers, if it has
/// one (the first, as poem reads it).
fn cookie_value<'h>(headers: &'h poem::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|text| text.split(';'))
        .find_map(|pair| {
            pair.trim_start()
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .filter(|value| !value.is_empty())
        })
}

/// The session id the request's cookie names (`cookie_name`), for a handler that must
/// read the session's row itself rather than trust the session cache: one ended by
/// another process (`insights-hub reset-password`) stays in a SQLite server's cache for
/// up to its 5 s (`session_store::CACHE_TTL`).
pub fn session_id(headers: &poem::http::HeaderMap, secure: bool) -> Option<&str> {
    cookie_value(headers, cookie_name(secure))
}

/// On a `Secure` server, the unprefixed cookies a browser still sends from before the
/// `__Host-` names (or that a sibling subdomain set): they name nothing here, and
/// would otherwise stay for their two weeks. Empty (no allocation) on a plain server
/// and for nearly every request.
pub fn unprefixed_cookies(secure: bool, request: &poem::http::HeaderMap) -> Vec<&'static str> {
    if !secure {
        return Vec::new();
    }
    [COOKIE_NAME, super::csrf::COOKIE_NAME]
        .into_iter()
        .filter(|name| has_cookie(request, name))
        .collect()
}

/// Removes the cookies `names` in the answer, for the whole site, `Secure` as this
/// server's cookies are (a browser ignores a `Secure` removal over plain HTTP, and a
/// plain one of a `Secure` cookie). (One a sibling subdomain set with its `Domain` is
/// not removed by this host's answer; it is ignored all the same.)
pub fn expire(names: &[&str], secure: bool, mut resp: Response) -> Response {
    let secure = if secure { "; Secure" } else { "" };
    for name in names {
        let removal = format!("{name}=; Path=/; Max-Age=0{secure}; HttpOnly; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&removal) {
            resp.headers_mut().append(SET_COOKIE, value);
        }
    }
    resp
}

/// How stale `seen_at` may get before an active session is extended.
pub const REFRESH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
const SEEN_AT_KEY: &str = "seen_at";

/// The session cookie: HttpOnly, SameSite=Lax (sent on top-level navigation from other
/// sites, so a link to the app keeps you logged in, but not on their POSTs), Secure
/// unless turned off for plain-HTTP development, whole site.
pub fn cookie_config(config: &Config) -> CookieConfig {
    CookieConfig::new()
        .name(cookie_name(config.secure_cookies))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies)
        .max_age(IDLE_LIFETIME)
}

/// `shared_url`: the PostgreSQL database several servers share, if any. One server over
/// SQLite keeps its load cache as it is; over PostgreSQL the cache is used only while
/// this process hears the other servers' session writes, so that a log-out through one
/// server takes effect on all of them (`DbSessionStorage::shared`).
pub fn storage(pool: DbPool, shared_url: Option<&str>) -> DbSessionStorage {
    let storage = DbSessionStorage::new(pool, owner_of);
    match shared_url {
        None => storage,
        Some(url) => {
            if let Err(error) = crate::db::sessions::listen_for_other_servers(url) {
                // Without the listener the cache stays unused: correct, only slower.
                tracing::warn!(%error, "could not start the session listener");
            }
            storage.shared()
        }
    }
}

/// The logged-in user in a session's entries: the id, and the credentials' version the
/// session started under.
fn owner_of(entries: &BTreeMap<String, Value>) -> Option<Owner> {
    let user = entries.get(SESSION_USER_KEY)?;
    let user_id = i32::try_from(user.get("id")?.as_i64()?).ok()?;
    let version = user.get("credentials_version").and_then(Value::as_i64);
    Some(Owner {
        user_id,
        credentials_version: version.and_then(|v| i32::try_from(v).ok()).unwrap_or(0),
    })
}

/// Logs `user` in: a new session id (whatever id the browser had before, perhaps one
/// planted by an attacker, is thrown away) holding the user.
pub fn start(session: &Session, user: &User) {
    session.renew();
    session.set(
        SESSION_USER_KEY,
        SessionUser {
            id: user.id,
            username: user.username.clone(),
            credentials_version: user.credentials_version,
        },
    );
    session.set(SEEN_AT_KEY, db::now_unix());
}

/// Extends active sessions (see the module comment). Sits inside `ServerSession`.
pub struct KeepAlive {
    cookie: Arc<CookieConfig>,
}

impl KeepAlive {
    pub fn new(cookie: CookieConfig) -> KeepAlive {
        KeepAlive {
            cookie: Arc::new(cookie),
        }
    }
}

impl<E: Endpoint> Middleware<E> for KeepAlive {
    type Output = KeepAliveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        KeepAliveEndpoint {
            inner,
            cookie: self.cookie.clone(),
        }
    }
}

pub struct KeepAliveEndpoint<E> {
    inner: E,
    cookie: Arc<CookieConfig>,
}

impl<E: Endpoint> Endpoint for KeepAliveEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let session = req.extensions().get::<Session>().cloned();
        let jar = req.cookie().clone();
        let resp = self.inner.call(req).await?.into_response();
        let Some(session) = session else {
            return Ok(resp);
        };
        // A loaded session that the handler left alone; new, renewed and purged
        // sessions are saved (or ended) by ServerSession anyway.
        if session.status() == SessionStatus::Unchanged && !session.is_empty() {
            let now = db::now_unix();
            let stale = session
                .get::<i64>(SEEN_AT_KEY)
                .is_none_or(|seen| now - seen >= REFRESH_AFTER.as_secs() as i64);
            if stale {
                session.set(SEEN_AT_KEY, now);
                if let Some(id) = self.cookie.get_cookie_value(&jar) {
                    self.cookie.set_cookie_value(&jar, &id);
                }
            }
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use poem::http::{header::COOKIE, HeaderMap, HeaderValue};

    use super::{cookie_present, expire, unprefixed_cookies};

    fn with_cookies(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_static(value));
        }
        headers
    }

    fn cookie_present_plain(headers: &HeaderMap) -> bool {
        cookie_present(headers, false)
    }

    #[test]
    fn a_secure_server_counts_only_its_prefixed_cookie_and_expires_the_plain_ones() {
        let both = with_cookies(&["ih_session=old; __Host-ih_csrf=t; ih_csrf=x"]);
        assert!(
            !cookie_present(&both, true),
            "the plain one names nothing here"
        );
        assert!(cookie_present(
            &with_cookies(&["__Host-ih_session=abc"]),
            true
        ));
        assert!(!cookie_present(
            &with_cookies(&["__Host-ih_session=abc"]),
            false
        ));
        let stale = unprefixed_cookies(true, &both);
        assert_eq!(stale, ["ih_session", "ih_csrf"]);
        let resp = expire(&stale, true, poem::Response::default());
        let removals: Vec<&str> = resp
            .headers()
            .get_all(poem::http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(removals.len(), 2, "{removals:?}");
        assert!(removals[0].starts_with("ih_session=; Path=/; Max-Age=0; Secure"));
        assert!(removals[1].starts_with("ih_csrf=; Path=/; Max-Age=0; Secure"));
        assert!(unprefixed_cookies(false, &both).is_empty());
    }

    #[test]
    fn a_session_cookie_is_seen_among_others_and_look_alikes_are_not() {
        assert!(cookie_present_plain(&with_cookies(&["ih_session=abc"])));
        assert!(cookie_present_plain(&with_cookies(&[
            "ih_csrf=x; ih_session=abc"
        ])));
        assert!(cookie_present_plain(&with_cookies(&[
            "ih_csrf=x",
            "ih_session=abc"
        ])));
        assert!(!cookie_present_plain(&with_cookies(&[])));
        assert!(!cookie_present_plain(&with_cookies(&["ih_session="])));
        assert!(!cookie_present_plain(&with_cookies(&[
            "old_ih_session=abc"
        ])));
        assert!(!cookie_present_plain(&with_cookies(&[
            "ih_sessions=abc; ih_csrf=x"
        ])));
    }
}
