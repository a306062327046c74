//! Static files from `assets/`, embedded in the binary so the app is one file to deploy.
//! URLs carry a content hash, so responses are cached for a year and a new build is
//! fetched at once. Only the URL whose hash is this build's file is: during a rolling
//! upgrade, an old server asked for a new page's URL answers with its own file, which a
//! browser must not keep for a year under the new name. Text files are gzipped once, on first request, and kept in memory.

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use poem::{
    handler,
    http::{header, StatusCode},
    web::Path,
    Request, Response,
};
use rust_embed::RustEmbed;

use super::compression::{accepts_gzip, gzip};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// File names of the vendored libraries (their versions are in the names).
pub const HTMX: &str = "vendor/htmx-2.0.11.min.js";
pub const ECHARTS: &str = "vendor/echarts-5.5.1.custom.min.js";

/// `/assets/{name}?v={hash}`: the URL to put in a page.
pub fn url(name: &str) -> String {
    match version(name) {
        Some(hash) => format!("/assets/{name}?v={hash}"),
        None => format!("/assets/{name}"),
    }
}

/// The `v` of an asset's URL: the start of its content's SHA-256, in hex.
fn version(name: &str) -> Option<&'static str> {
    static VERSIONS: OnceLock<HashMap<String, String>> = OnceLock::new();
    let versions = VERSIONS.get_or_init(|| {
        Assets::iter()
            .filter_map(|name| {
                let file = Assets::get(&name)?;
                let hash: String = file.metadata.sha256_hash()[..6]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                Some((name.to_string(), hash))
            })
            .collect()
    });
    versions.get(name).map(String::as_str)
}

/// Whether the request's `v` names this build's file, which may then be kept for good.
fn names_this_build(req: &Request, name: &str) -> bool {
    let query = super::query::QueryPairs::parse_exact(req.uri().query());
    let asked = query.last("v");
    asked.is_some() && asked == version(name)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn compressible(name: &str) -> bool {
    matches!(name.rsplit('.').next(), Some("js" | "css" | "svg"))
}

/// Gzipped bytes of an asset, compressed once per process.
fn gzipped(name: &str, raw: &[u8]) -> Option<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(guard) = cache.lock() {
        if let Some(bytes) = guard.get(name) {
            return Some(bytes.clone());
        }
    }
    let bytes = gzip(raw, 9)?;
    if let Ok(mut guard) = cache.lock() {
        guard.insert(name.to_string(), bytes.clone());
    }
    Some(bytes)
}

#[handler]
pub fn serve(Path(name): Path<String>, req: &Request) -> Response {
    let Some(file) = Assets::get(&name) else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body(format!("No asset named {name}."));
    };
    let hash: String = file.metadata.sha256_hash()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let wants_gzip = compressible(&name) && accepts_gzip(req.headers());
    // The gzip and the plain bytes are two representations: two strong validators.
    let etag = if wants_gzip {
        format!("\"{hash}-gzip\"")
    } else {
        format!("\"{hash}\"")
    };
    // Another `v` (or none) is another build's URL, or a hand-typed one: served, since
    // a page mid-upgrade still needs a script, but checked again at every use.
    let caching = if names_this_build(req, &name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let builder = Response::builder()
        .header(header::CACHE_CONTROL, caching)
        .header(header::ETAG, etag.as_str())
        .header(header::VARY, "Accept-Encoding")
        .content_type(content_type(&name));
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| none_match_matches(v, &etag));
    if not_modified {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    // Compressing in memory does not fail in practice; if it did, the plain bytes go.
    match wants_gzip.then(|| gzipped(&name, &file.data)).flatten() {
        Some(bytes) => builder.header(header::CONTENT_ENCODING, "gzip").body(bytes),
        None => builder.body(file.data.into_owned()),
    }
}

/// Whether an `If-None-Match` value names `etag`: `*`, or any of its entity tags by
/// the weak comparison RFC 9110 (13.1.2) asks for (`W/"x"` matches `"x"`).
fn none_match_matches(value: &str, etag: &str) -> bool {
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Browsers ask for /favicon.ico whatever the page says; point them at the SVG.
#[handler]
pub fn favicon() -> Response {
    Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(header::LOCATION, url("favicon.svg"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = "\"abc\"";
        for matching in ["\"abc\"", "W/\"abc\"", "*", "\"x\", W/\"abc\""] {
            assert!(none_match_matches(matching, etag), "{matching}");
        }
        for other in ["\"abcd\"", "abc", "W/\"x\"", ""] {
            assert!(!none_match_matches(other, etag), "{other}");
        }
    }

    #[test]
    fn urls_carry_a_content_hash() {
        let u = url("app.css");
        assert!(u.starts_with("/assets/app.css?v="), "{u}");
        assert_eq!(url("missing.css"), "/assets/missing.css");
        assert!(url(HTMX).contains("htmx-2.0"));
    }
}
