//! A track as it enters the catalog, from an imported CSV row or the demo generator.

use super::feature::AudioFeatures;

#[derive(Debug, Clone, PartialEq)]
pub struct NewTrack {
    /// Spotify's track id (the 22-character base-62 one), if the source has it.
    pub spotify_id: Option<String>,
    pub name: String,
    /// Credited artists, main artist first. Never empty for a valid track.
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub release_year: Option<i32>,
    pub genre: Option<String>,
    pub popularity: Option<i32>,
    pub duration_ms: Option<i32>,
    pub explicit: Option<bool>,
    /// Pitch class 0..11 (C = 0).
    pub musical_key: Option<i32>,
    /// 1 = major, 0 = minor.
    pub mode: Option<i32>,
    /// Beats per bar.
    pub time_signature: Option<i32>,
    pub features: AudioFeatures,
}

impl NewTrack {
    /// How the track is recognised across imports: its Spotify id, or else its artists
    /// and title folded to lower case (so re-importing a file without ids is idempotent).
    pub fn identity(&self) -> String {
        match &self.spotify_id {
            Some(id) => id.clone(),
            None => {
                let artists: Vec<String> = self.artists.iter().map(|a| a.to_lowercase()).collect();
                format!("{}|{}", artists.join(";"), self.name.to_lowercase())
            }
        }
    }
}

/// The track's page on Spotify, for a real Spotify id (22 base-62 characters); `None`
/// for the demo catalog's invented ids and anything else.
pub fn spotify_url(id: &str) -> Option<String> {
    let real = id.len() == 22
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && !id.starts_with(super::demo::ID_PREFIX);
    real.then(|| format!("https://open.spotify.com/track/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: Option<&str>) -> NewTrack {
        NewTrack {
            spotify_id: id.map(str::to_string),
            name: "Song".into(),
            artists: vec!["A".into(), "B".into()],
            album: None,
            release_year: None,
            genre: None,
            popularity: None,
            duration_ms: None,
            explicit: None,
            musical_key: None,
            mode: None,
            time_signature: None,
            features: AudioFeatures::default(),
        }
    }

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

    #[test]
    fn identity_prefers_spotify_id() {
        assert_eq!(track(Some("abc")).identity(), "abc");
        assert_eq!(track(None).identity(), "a;b|song");
    }
}
