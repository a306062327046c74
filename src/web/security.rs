//! Response headers every answer carries (DESIGN section 7), and one log line per request.

use std::time::Instant;

use super::respond::add_vary;
use poem::{
    http::{header, HeaderValue},
    Endpoint, IntoResponse, Request, Response, Result,
};

/// No inline scripts and no eval: `assets/app.js` carries all behaviour. Inline styles
/// are allowed because ECharts tooltips and the CSS bars of tables set them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// How long a browser keeps to HTTPS for this host once told (`Strict-Transport-
/// Security`): half a year, the subdomains left to their own servers.
const HSTS: &str = "max-age=15552000";

/// Wraps the whole app: adds security headers and `Vary: HX-Request` (pages and
/// fragments share URLs, so caches must key on the header) and logs the request. A
/// server told it is reached over HTTPS (`--secure-cookies always`) says so for the
/// browser to keep to (a first plain-HTTP visit to a typed address was open to a
/// downgrade); browsers ignore the header over plain HTTP.
pub async fn harden_and_log<E: Endpoint>(
    next: &E,
    req: Request,
    over_https: bool,
) -> Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = match next.call(req).await {
        Ok(output) => output.into_response(),
        Err(error) => error.into_response(),
    };
    let headers = resp.headers_mut();
    let set = |headers: &mut poem::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if over_https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    set(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        add_vary(headers, "HX-Request, HX-History-Restore-Request");
        if !headers.contains_key(header::CACHE_CONTROL) {
            // Pages depend on the user and carry a CSRF cookie: never shared caches.
            set(headers, header::CACHE_CONTROL, "private, no-cache");
        }
    }
    let status = resp.status().as_u16();
    let latency_us = started.elapsed().as_micros() as u64;
    tracing::info!(%method, %path, status, latency_us, "request");
    Ok(resp)
}
