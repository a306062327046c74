//! `/artists/` and `/genres/pop/` are the addresses of `/artists` and `/genres/pop`: a
//! page asked for with a trailing slash is sent on (308) to the address without it,
//! with its query, instead of "There is no page at this address". Only GET and HEAD
//! (a form posted to the wrong address must not be re-sent), and never the API, nor
//! `/api/docs/`, which is a route of its own.
//!
//! The API instead answers `/api/v1/audio-features/?ids=…` as `/api/v1/audio-features`,
//! in place: Spotify's API does, and spotipy, the most used client, asks for
//! `audio-features/?ids=`, `tracks/?ids=` and `artists/?ids=` exactly so. A redirect
//! would cost clients a round trip per call, and some do not follow one.

use poem::{
    http::{uri::PathAndQuery, Method, Uri},
    Request,
};

/// Where a request with a trailing slash belongs, if it has one to lose.
pub fn without_trailing_slash(req: &Request) -> Option<String> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return None;
    }
    let path = req.uri().path();
    if path == "/" || !path.ends_with('/') || path.starts_with("/api/") {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    // `//evil.example/` would become `//evil.example`, another site's address, and so
    // would `/\evil.example/`: browsers read a backslash in an address as a slash.
    if trimmed.is_empty() || trimmed.starts_with("//") || trimmed.contains('\\') {
        return None;
    }
    Some(with_query(trimmed, req))
}

/// `path` with the request's query, if it has one.
fn with_query(path: &str, req: &Request) -> String {
    match req.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    }
}

/// The address an API request with a trailing slash is answered at: the same without
/// the slash(es), query kept. `None` when there is nothing to change.
pub fn api_uri_without_trailing_slash(req: &Request) -> Option<Uri> {
    let path = req.uri().path();
    let rest = path.strip_prefix("/api/v1/")?;
    if rest.is_empty() || !rest.ends_with('/') {
        return None;
    }
    let path_and_query = with_query(path.trim_end_matches('/'), req);
    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(uri: &str) -> Option<String> {
        api_uri_without_trailing_slash(&Request::builder().uri_str(uri).finish())
            .map(|u| u.to_string())
    }

    #[test]
    fn api_calls_with_a_trailing_slash_are_answered_in_place() {
        assert_eq!(
            api("/api/v1/audio-features/?ids=a,b"),
            Some("/api/v1/audio-features?ids=a,b".into())
        );
        assert_eq!(api("/api/v1/tracks//"), Some("/api/v1/tracks".into()));
        assert_eq!(
            api("/api/v1/tracks?ids=a/"),
            None,
            "the query is not the path"
        );
        assert_eq!(api("/api/v1/tracks"), None);
        assert_eq!(api("/api/v1/"), None);
        assert_eq!(api("/api/docs/"), None);
        assert_eq!(api("/artists/"), None);
    }

    fn to(method: Method, uri: &str) -> Option<String> {
        without_trailing_slash(&Request::builder().method(method).uri_str(uri).finish())
    }

    #[test]
    fn pages_lose_their_trailing_slash_and_keep_their_query() {
        assert_eq!(to(Method::GET, "/artists/"), Some("/artists".into()));
        assert_eq!(
            to(Method::HEAD, "/genres/pop//?sort=name"),
            Some("/genres/pop?sort=name".into())
        );
        assert_eq!(to(Method::GET, "/"), None);
        assert_eq!(to(Method::GET, "/artists"), None);
        assert_eq!(to(Method::POST, "/login/"), None);
        assert_eq!(to(Method::GET, "/api/v1/tracks/"), None);
        assert_eq!(to(Method::GET, "/api/docs/"), None);
        assert_eq!(to(Method::GET, "//evil.example/"), None);
        assert_eq!(to(Method::GET, "/\\evil.example/"), None);
        assert_eq!(to(Method::GET, "/a/\\/evil.example/"), None);
        assert_eq!(to(Method::GET, "///"), None);
    }
}
