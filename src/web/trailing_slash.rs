//! `/artists/` and `/genres/pop/` are the addresses of `/artists` and `/genres/pop`: a
//! page asked for with a trailing slash is sent on (308) to the address without it,
//! with its query, instead of "There is no page at this address". Only GET and HEAD
//! (a form posted to the wrong address must not be re-sent), and never the API, nor
//! `/api/docs/`, which is a route of its own.
//! (The API's trailing slashes are `api_address`'s.)

use poem::{http::Method, Request};

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
pub(super) fn with_query(path: &str, req: &Request) -> String {
    match req.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
