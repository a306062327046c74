//! What every /api/v1 request passes through, outermost first: CORS (answering
//! OPTIONS, preflights included, itself), the bearer token (or anonymous access when the operator allows
//! it), the rate limit, and the conversion of every error to Spotify-shaped JSON.
//!
//! The API takes no cookies: it is mounted outside the session and CSRF layers, and a
//! token is the only credential.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use poem::{
    http::{header, HeaderValue, Method, StatusCode},
    Endpoint, IntoResponse, Request, Response,
};

use super::{
    error::{to_json, ApiError},
    params,
};
use crate::{
    accounts::api_tokens::{self, TokenError},
    db,
    web::auth::client,
    web::state::AppState,
};

/// A token's last use is written at most this often (seconds).
const TOUCH_EVERY_SECS: i64 = 60;

/// Who is calling, for handlers that want to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Token { token_id: i32, user_id: i32 },
    Anonymous,
}

/// Token buckets: each key may burst up to the per-minute limit and refills at that
/// rate. Kept per process (several `serve` processes each apply the limit).
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Buckets kept at most. Past it, full buckets are forgotten (a full bucket is what a
/// new key gets anyway); if none is full, the least recently used tenth goes, so one
/// scan makes room for many new keys.
const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    /// Takes one request for `key`; `Err(seconds to wait)` when its bucket is empty.
    pub fn take(&self, key: &str, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            make_room(&mut buckets, now, capacity, rate);
        }
        let (level, at) = buckets.entry(key.to_string()).or_insert((capacity, now));
        *level = (*level + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *level) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Forgets full buckets, then, if the map is still full (every key is sending: many
/// addresses, or tokens refused one after another), the least recently used tenth.
/// Before, the map grew past its limit whenever no bucket was full, scanning every
/// bucket again for each new key.
fn make_room(
    buckets: &mut HashMap<String, (f64, Instant)>,
    now: Instant,
    capacity: f64,
    rate: f64,
) {
    buckets.retain(|_, (level, at)| {
        (*level + now.duration_since(*at).as_secs_f64() * rate) < capacity
    });
    if buckets.len() < MAX_BUCKETS {
        return;
    }
    let mut times: Vec<Instant> = buckets.values().map(|(_, at)| *at).collect();
    let oldest = times.len() - MAX_BUCKETS * 9 / 10;
    let (_, cutoff, _) = times.select_nth_unstable(oldest);
    let cutoff = *cutoff;
    buckets.retain(|_, (_, at)| *at > cutoff);
}

/// The origin to echo in `Access-Control-Allow-Origin` for this request, if the
/// configuration allows it (`--api-cors-origin`).
pub(crate) fn cors_origin(req: &Request) -> Option<HeaderValue> {
    let state = req.data::<AppState>()?;
    allowed_origin(req, &state.config.api_cors_origins)
}

/// The origin to echo in `Access-Control-Allow-Origin`, if this one is allowed.
fn allowed_origin(req: &Request, allowed: &[String]) -> Option<HeaderValue> {
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(text))
        .then(|| origin.clone())
}

pub(crate) fn add_cors(resp: &mut Response, origin: Option<HeaderValue>) {
    crate::web::respond::add_vary(resp.headers_mut(), "Origin");
    if let Some(origin) = origin {
        let headers = resp.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
}

/// The answer to any OPTIONS: 204 with `Allow` (the methods a 405 advertises), and the
/// CORS permissions for an allowed origin. A plain OPTIONS (no preflight headers) asks
/// what the address takes, a question with no secret in its answer, so it needs no
/// token, as a preflight cannot carry one.
pub(super) fn options(origin: Option<HeaderValue>) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_static(super::error::ALLOWED_METHODS),
    );
    if origin.is_some() {
        let headers = resp.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    add_cors(&mut resp, origin);
    resp
}

/// Checks the credential: `Ok(Caller)` or the 401 to answer.
async fn authenticate(req: &Request, state: &AppState) -> Result<Caller, ApiError> {
    let mut sent = req.headers().get_all(header::AUTHORIZATION).iter();
    let header = sent.next().map(|v| v.to_str().unwrap_or(""));
    // Two credentials: which one a proxy or the client meant is anyone's guess, and
    // taking the first would answer for a caller the second may not be.
    if sent.next().is_some() {
        return Err(ApiError::bad_request(
            "Send one Authorization header; this request has several.",
        ));
    }
    let token = match api_tokens::from_authorization(header) {
        Ok(token) => token.to_string(),
        Err(TokenError::Missing) if state.config.api_anonymous => return Ok(Caller::Anonymous),
        // Client libraries send a token whatever the server (spotipy, tekore and
        // rspotify all need one to start): with anonymous reads allowed, a bearer token
        // that is not of this server's shape is taken for none. One of its shape must
        // still be valid, so that a revoked or mistyped token is told so.
        Err(TokenError::Invalid) if state.config.api_anonymous => return Ok(Caller::Anonymous),
        Err(error @ TokenError::Missing) => return Err(ApiError::unauthorized(error.to_string())),
        Err(error @ TokenError::NotBearer) => {
            return Err(ApiError::unauthorized_because(
                error.to_string(),
                "invalid_request",
            ))
        }
        Err(error) => {
            return Err(ApiError::unauthorized_because(
                error.to_string(),
                "invalid_token",
            ))
        }
    };
    let hash = api_tokens::hash(&token);
    let row = db::run(&state.pool, move |conn| {
        let row = db::api_tokens::by_hash(conn, &hash)?;
        if let Some(row) = &row {
            let now = db::now_unix();
            let stale = row
                .last_used_at
                .is_none_or(|at| now - at >= TOUCH_EVERY_SECS);
            // The last use is a note for the account page, not part of the answer: a
            // write that fails (the database busy with an import, a read-only standby)
            // is logged, and the request it came with is answered all the same.
            if row.is_active() && stale {
                if let Err(error) = db::api_tokens::touch(conn, row.id, now) {
                    tracing::warn!(%error, token_id = row.id, "could not note an API token's last use");
                }
            }
        }
        Ok(row)
    })
    .await?;
    match row {
        None => Err(ApiError::unauthorized_because(
            TokenError::Invalid.to_string(),
            "invalid_token",
        )),
        Some(row) if !row.is_active() => Err(ApiError::unauthorized_because(
            TokenError::Revoked.to_string(),
            "invalid_token",
        )),
        Some(row) => Ok(Caller::Token {
            token_id: row.id,
            user_id: row.user_id,
        }),
    }
}

/// Runs the API endpoint `inner` behind CORS, authentication and the rate limit, and
/// makes every error JSON.
pub async fn guard<E: Endpoint>(
    inner: &E,
    limiter: &RateLimiter,
    mut req: Request,
) -> poem::Result<Response> {
    let Some(state) = req.data::<AppState>().cloned() else {
        return Ok(to_json(
            poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR),
            &[],
            "",
        ));
    };
    let origin = allowed_origin(&req, &state.config.api_cors_origins);
    // The path within the API (the prefix, `/api/v1` or `/v1`, is behind us).
    let path = req.uri().path().to_string();
    if req.method() == Method::OPTIONS {
        return Ok(options(origin));
    }
    let query = params::pairs(req.uri().query());
    let query_problem = params::query_problem(&query);
    let mut resp = match admit(&req, &state, limiter).await {
        Err(error) => error.as_response_json(),
        Ok(_) if query_problem.is_some() => {
            ApiError::bad_request(query_problem.unwrap_or_default()).as_response_json()
        }
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            match inner.call(req).await {
                Ok(output) => {
                    let resp = output.into_response();
                    if resp.status().is_client_error() || resp.status().is_server_error() {
                        json_if_not(resp, &path)
                    } else {
                        resp
                    }
                }
                Err(error) => to_json(error, &query, &path),
            }
        }
    };
    add_cors(&mut resp, origin);
    Ok(resp)
}

async fn admit(req: &Request, state: &AppState, limiter: &RateLimiter) -> Result<Caller, ApiError> {
    let client = client::client_key(req, state.config.trust_proxy_headers);
    let limit = state.config.api_rate_limit;
    // Guessing tokens costs nothing: the refused ones are counted per client address
    // under the same limit, and past it the next refusals from there are 429s. Only
    // refusals: checked before the look-up, a stranger's (or a forgotten script's) bad
    // tokens had locked every valid token behind the same address (a NAT, a proxy) out
    // with 429s. A valid token pays only its own bucket below; a bad one still costs
    // the one indexed look-up a valid one does.
    let refused = format!("refused:{client}");
    let sends_token = req.headers().contains_key(header::AUTHORIZATION);
    let caller = match authenticate(req, state).await {
        Err(error) if sends_token && error.status == StatusCode::UNAUTHORIZED => {
            if let Err(wait) = limiter.take(&refused, limit) {
                return Err(ApiError::too_many(wait));
            }
            return Err(error);
        }
        other => other?,
    };
    let key = match &caller {
        Caller::Token { token_id, .. } => format!("token:{token_id}"),
        Caller::Anonymous => format!("client:{client}"),
    };
    limiter
        .take(&key, state.config.api_rate_limit)
        .map_err(ApiError::too_many)?;
    Ok(caller)
}

/// An error response that is not JSON yet (from poem-openapi's own handling) becomes
/// Spotify-shaped JSON with the same status.
fn json_if_not(resp: Response, path: &str) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let status = resp.status();
    to_json(poem::Error::from_status(status), &[], path)
}

impl ApiError {
    fn as_response_json(&self) -> Response {
        poem::error::ResponseError::as_response(self)
    }
}

/// Shared by the API's handlers for one app.
pub type SharedLimiter = Arc<RateLimiter>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_allow_the_limit_then_ask_to_wait() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", 3), Ok(()));
        }
        let wait = limiter.take("a", 3).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limiter.take("b", 3), Ok(()), "keys are separate");
        assert_eq!(limiter.take("a", 0), Ok(()), "0 is no limit");
    }

    /// Keys that all keep sending (no bucket full) do not grow the map past its limit.
    #[test]
    fn the_buckets_stay_within_their_limit_when_every_key_is_sending() {
        let limiter = RateLimiter::default();
        for n in 0..MAX_BUCKETS + 2_500 {
            assert_eq!(limiter.take(&format!("client {n}"), 5), Ok(()));
        }
        let kept = limiter
            .buckets
            .lock()
            .map(|b| b.len())
            .unwrap_or(usize::MAX);
        assert!(kept <= MAX_BUCKETS, "{kept}");
        // The newest keys are the ones kept: the last one is still counted.
        for _ in 0..4 {
            assert_eq!(
                limiter.take(&format!("client {}", MAX_BUCKETS + 2_499), 5),
                Ok(())
            );
        }
        assert!(limiter
            .take(&format!("client {}", MAX_BUCKETS + 2_499), 5)
            .is_err());
    }
}
