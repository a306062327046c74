//! CSRF protection for every state-changing request.
//!
//! poem's `Csrf` middleware issues the token (an AES-GCM pair of an HttpOnly cookie and
//! a token, keyed by the server secret) but checks nothing by itself. `VerifyCsrf`
//! wraps the whole app and refuses any POST, PUT, PATCH or DELETE whose token is missing
//! or wrong, before a handler runs, so nothing changes. The token may come in the
//! `X-CSRF-Token` header (htmx requests, set by `assets/app.js` from the
//! `<meta name="csrf-token">` tag) or in the `csrf_token` field of a urlencoded form
//! (plain HTML forms, which work with JavaScript off).

use std::{sync::Arc, time::Duration};

use poem::{
    http::Method,
    middleware::Csrf,
    web::{cookie::SameSite, CsrfVerifier},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use crate::{
    config::{Config, SecretKey},
    error::AppError,
    web::{
        extract::Htmx,
        request_limits::{is_urlencoded_form, MAX_BODY_BYTES},
    },
};

pub const COOKIE_NAME: &str = "ih_csrf";

/// The token cookie's name as this server sets it: prefixed as the session's is when
/// cookies are `Secure` (`session::SECURE_PREFIX` says why).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-ih_csrf"
    } else {
        COOKIE_NAME
    }
}
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// How long a page's token stays valid: a form left open longer gets the 403 page,
/// which says to reload.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

pub const REFUSED_MESSAGE: &str =
    "This form has expired or did not come from this site, so nothing was changed. \
     Reload the page and try again.";

/// The fragments htmx reads while someone types or drags: none of them holds a form
/// that posts (the page around them has its token in `<meta name="csrf-token">`).
const TOKENLESS_FRAGMENTS: [&str; 4] = [
    "/perfect-song",
    "/artists",
    "/artists/suggest",
    "/artists/compare",
];

/// Issues tokens (poem's `Csrf`) on every request except the reads `needs_no_token`
/// names. Issuing costs an AES-GCM sealing and a `Set-Cookie` per
/// request, and the live perfect-song answer is asked for on every slider step. Other
/// fragments (a log-in form fetched by htmx, say) still get their token. Safe methods
/// need no verifier, so nothing downstream misses it.
pub struct IssueTokens {
    csrf: Csrf,
}

impl IssueTokens {
    pub fn new(config: &Config, key: &SecretKey) -> IssueTokens {
        IssueTokens {
            csrf: issuer(config, key),
        }
    }
}

impl<E: Endpoint + 'static> Middleware<E> for IssueTokens {
    type Output = IssueTokensEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        let inner = Arc::new(inner);
        IssueTokensEndpoint {
            issuing: self.csrf.transform(inner.clone()),
            plain: inner,
        }
    }
}

pub struct IssueTokensEndpoint<E: Endpoint> {
    plain: Arc<E>,
    issuing: <Csrf as Middleware<Arc<E>>>::Output,
}

impl<E: Endpoint> Endpoint for IssueTokensEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if needs_no_token(&req) {
            self.plain.call(req).await.map(IntoResponse::into_response)
        } else {
            self.issuing
                .call(req)
                .await
                .map(IntoResponse::into_response)
        }
    }
}

/// A read whose answer holds no form: an htmx GET for one of the `TOKENLESS_FRAGMENTS`,
/// or a GET for a data file (JSON such as a live answer's chart options, a CSV
/// download). It gets no token and no cookie.
fn needs_no_token(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let path = req.uri().path();
    let data_file = path.ends_with(".json") || path.ends_with(".csv");
    data_file
        || (TOKENLESS_FRAGMENTS.contains(&path)
            && Htmx::from_headers(req.headers()).wants_fragment())
}

/// poem's token issuer with the server's key (never the all-zero default).
fn issuer(config: &Config, key: &SecretKey) -> Csrf {
    Csrf::new()
        .key(key.bytes())
        .cookie_name(cookie_name(config.secure_cookies))
        .secure(config.secure_cookies)
        .http_only(true)
        // Lax like the session: a page reached by a link from another site still gets a
        // working token; cross-site POSTs never carry the cookie.
        .same_site(SameSite::Lax)
        .path("/")
        .ttl(TOKEN_LIFETIME)
}

/// Refuses unsafe requests without a valid token. Sits inside `Csrf`.
pub struct VerifyCsrf;

impl<E: Endpoint> Middleware<E> for VerifyCsrf {
    type Output = VerifyCsrfEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        VerifyCsrfEndpoint { inner }
    }
}

pub struct VerifyCsrfEndpoint<E> {
    inner: E,
}

/// The form field that carries the token.
const TOKEN_FIELD: &str = "csrf_token";

/// A form that sent its token field more than once.
struct SentTwice;

/// The token field of a urlencoded form body, if it has one that is not empty. Read
/// here rather than by poem's form parser: a field sent twice had been read as no
/// token, and the user told that the form had expired, which reloading cannot fix.
fn token_field(body: &[u8]) -> std::result::Result<Option<String>, SentTwice> {
    let mut found: Option<String> = None;
    for (name, value) in form_urlencoded::parse(body) {
        if name == TOKEN_FIELD {
            if found.is_some() {
                return Err(SentTwice);
            }
            found = Some(value.into_owned());
        }
    }
    Ok(found.filter(|token| !token.is_empty()))
}

/// Whether the browser says an unsafe request was sent by a page of another origin.
///
/// The token alone is a double-submit pair (cookie and field) that is not tied to the
/// session: a pair fetched by anyone, planted in a victim's browser as a cookie (from a
/// sibling subdomain, or over plain HTTP), would pass. Browsers say where a request
/// comes from, and a page cannot forge it: `Sec-Fetch-Site` (every current browser)
/// must be `same-origin` (or `none`: typed, bookmarked); without it, an `Origin` must
/// name this host (the `Host` the browser sent, or the one a proxy forwards; a proxy
/// that rewrites `Host` still passes on `X-Forwarded-Host`). A client that sends
/// neither (curl, scripts) is not a browser a page can drive: the token decides.
fn sent_from_elsewhere(req: &Request) -> bool {
    if let Some(site) = req.header("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = req.header("origin") else {
        return false;
    };
    let Some(origin_host) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return true; // `null` (a sandboxed frame, a redirect from elsewhere) or garbage
    };
    ["host", "x-forwarded-host"]
        .iter()
        .filter_map(|name| req.header(name))
        .all(|host| !host.trim().eq_ignore_ascii_case(origin_host))
}

impl<E: Endpoint> Endpoint for VerifyCsrfEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        // `web::methods::post` puts this around POST endpoints only, and no route can
        // take PUT, PATCH, DELETE or another unsafe method (`web::methods` registers GET,
        // HEAD and POST only, and .clippy.toml holds the route table to it): anything
        // but a POST passes, should this ever wrap more.
        if req.method() != Method::POST {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        if sent_from_elsewhere(&req) {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), "request sent from another site or origin; refused");
            return Err(AppError::Forbidden(REFUSED_MESSAGE.to_string()).into());
        }
        let mut token = req
            .header(HEADER)
            .map(str::to_string)
            .filter(|t| !t.is_empty());
        if token.is_none() && is_urlencoded_form(&req) {
            // `RequestLimits` has read the body already; this is a copy of what it kept.
            let bytes = req
                .take_body()
                .into_bytes_limit(MAX_BODY_BYTES)
                .await
                .map_err(|_| AppError::BadRequest("The form could not be read.".to_string()))?;
            token = match token_field(&bytes) {
                Ok(token) => token,
                Err(SentTwice) => {
                    return Err(AppError::BadRequest(crate::web::errors::field_sent_twice(
                        TOKEN_FIELD,
                    ))
                    .into())
                }
            };
            // The handler gets the body untouched.
            req.set_body(bytes);
        }
        let valid = match (token, req.extensions().get::<CsrfVerifier>()) {
            (Some(token), Some(verifier)) => verifier.is_valid(&token),
            _ => false,
        };
        // A body sent without saying what it is counts as one of another type (it was
        // told its form had expired). `RequestLimits` has bounded it already.
        let mut untyped_body = false;
        if !valid && req.content_type().is_none() {
            let bytes = req
                .take_body()
                .into_bytes_limit(MAX_BODY_BYTES)
                .await
                .map_err(|_| AppError::BadRequest("The form could not be read.".to_string()))?;
            untyped_body = !bytes.is_empty();
            req.set_body(bytes);
        }
        if !valid && (req.content_type().is_some() || untyped_body) && !is_urlencoded_form(&req) {
            // A form sent as multipart or text: its token could not be read at all, and
            // no handler reads such a body either.
            return Err(poem::Error::from_status(
                poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ));
        }
        if !valid {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), "CSRF token missing or wrong; refused");
            return Err(AppError::Forbidden(REFUSED_MESSAGE.to_string()).into());
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
