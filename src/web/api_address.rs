//! The address an API request is answered at, when it is not the one it was sent to.
//!
//! - **`/v1/…` is `/api/v1/…`.** Spotify's API lives at `https://api.spotify.com/v1/`,
//!   and some clients let only the host be changed (spotify-web-api-java's builder, and
//!   spotify-web-api-node once its private request builder is replaced): they write
//!   every path as `/v1/…` themselves. Answering there too
//!   lets them run against this server, with no proxy to rewrite their paths.
//! - **A trailing slash is dropped, in place:** `/api/v1/audio-features/?ids=…` is
//!   answered as `/api/v1/audio-features?ids=…`. Spotify's API does, and spotipy, the
//!   most used client, asks for `audio-features/?ids=`, `tracks/?ids=` and
//!   `artists/?ids=` exactly so. A redirect would cost clients a round trip per call,
//!   and some do not follow one.
//!
//! Links in the answers (`href`, `next`) keep naming `/api/v1`, the API's address.

use poem::{
    http::{uri::PathAndQuery, Uri},
    Request,
};

use super::trailing_slash::with_query;

/// The API's own prefix, and the one Spotify's clients may hard-code.
const API: &str = "/api/v1";
const SPOTIFY_ALIAS: &str = "/v1";

/// The address `req` is answered at, query kept; `None` when it is answered where it
/// was sent (every page, and API addresses already in their usual form).
pub fn answered_at(req: &Request) -> Option<Uri> {
    let sent = req.uri().path();
    let path = match sent.strip_prefix(SPOTIFY_ALIAS) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("{API}{rest}"),
        _ if sent.starts_with("/api/v1/") => sent.to_string(),
        _ => return None,
    };
    let path = match path.strip_prefix("/api/v1/") {
        Some(rest) if !rest.is_empty() && rest.ends_with('/') => {
            path.trim_end_matches('/').to_string()
        }
        _ => path,
    };
    if path == sent {
        return None;
    }
    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(with_query(&path, req)).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(uri: &str) -> Option<String> {
        answered_at(&Request::builder().uri_str(uri).finish()).map(|u| u.to_string())
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

    #[test]
    fn spotify_paths_are_the_apis() {
        assert_eq!(
            api("/v1/audio-features?ids=a,b"),
            Some("/api/v1/audio-features?ids=a,b".into())
        );
        assert_eq!(
            api("/v1/tracks/?ids=a"),
            Some("/api/v1/tracks?ids=a".into())
        );
        assert_eq!(api("/v1"), Some("/api/v1".into()));
        assert_eq!(api("/v1/"), Some("/api/v1/".into()));
        assert_eq!(api("/v10/tracks"), None);
        assert_eq!(api("/v1x"), None);
        assert_eq!(api("/artists/v1/x"), None);
    }
}
