//! Links to a track's or an album's page on Spotify, for the ids Spotify made.

/// The track's page on Spotify, for a real Spotify id (22 base-62 characters); `None`
/// for the demo catalog's invented ids and anything else.
pub fn spotify_url(id: &str) -> Option<String> {
    spotify_page("track", id)
}

/// The page on Spotify of a thing of `kind` ("track", "album") with a real Spotify id.
pub fn spotify_page(kind: &str, id: &str) -> Option<String> {
    is_spotify_id(id).then(|| format!("https://open.spotify.com/{kind}/{id}"))
}

/// True for an id Spotify could have made: 22 base-62 characters, not the demo
/// catalog's.
fn is_spotify_id(id: &str) -> bool {
    id.len() == 22
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && !id.starts_with(super::demo::ID_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_ids_link_to_spotify() {
        assert_eq!(
            spotify_url("6f807x0ima9a1j3VPbc7VN").as_deref(),
            Some("https://open.spotify.com/track/6f807x0ima9a1j3VPbc7VN")
        );
        assert_eq!(spotify_url("demo0123456789abcdefgh"), None);
        assert_eq!(spotify_url("short"), None);
        assert_eq!(spotify_url("6f807x0ima9a1j3VPbc7V/"), None);
    }
}
