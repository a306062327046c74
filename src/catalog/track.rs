//! A track as it enters the catalog, from an imported CSV row or the demo generator.

use super::{
    artists::names::{artist_name_key, search_key_from_name_key},
    feature::AudioFeatures,
    fingerprint::fingerprint,
};

#[derive(Debug, Clone, PartialEq)]
pub struct NewTrack {
    /// Spotify's track id (the 22-character base-62 one), if the source has it.
    pub spotify_id: Option<String>,
    pub name: String,
    /// Credited artists, main artist first. Never empty for a valid track.
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub release_year: Option<i32>,
    /// Every genre the row gives (a list cell gives several), first first; repeats of
    /// the track in the same file add theirs when written (`CatalogWriter`).
    pub genres: Vec<GenreTag>,
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

/// A genre a track is listed under, with the subgenre the row names under it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreTag {
    pub genre: String,
    pub subgenre: Option<String>,
}

impl GenreTag {
    pub fn new(genre: &str) -> GenreTag {
        GenreTag {
            genre: genre.to_string(),
            subgenre: None,
        }
    }
}

/// What makes a genre unique (under its parent): trimmed, lower case.
pub fn genre_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl NewTrack {
    /// The first genre (kept in `tracks.genre` for what shows one genre per track).
    pub fn first_genre(&self) -> Option<&str> {
        self.genres.first().map(|g| g.genre.as_str())
    }

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

/// The keys the catalog writer finds a track and its artists by (each with its
/// `fingerprint`), computed with the catalog's rules (`NewTrack::identity`,
/// `artists::names`) and handed to the writer as data. Computing them takes a third of
/// the per-row work, so the importer computes them on its parsing thread
/// (`TrackKeys::of`) and hands them over with the track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackKeys {
    pub identity: String,
    /// `fingerprint(&identity)`.
    pub identity_fingerprint: u128,
    /// One per credited artist, in credit order.
    pub artists: Vec<ArtistKeys>,
}

/// An artist's `artist_name_key` (what makes it unique). Its `artist_search_key` is
/// computed only when asked (`search_key`): the writer needs it for an artist it has
/// not seen yet, one credit in ten at 1.2 million rows, and a string made and freed for
/// each of the other nine was a tenth of the parsing thread's allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistKeys {
    pub name_key: String,
    /// `fingerprint(&name_key)`.
    pub name_fingerprint: u128,
}

impl ArtistKeys {
    /// The artist's `artist_search_key`.
    pub fn search_key(&self) -> String {
        search_key_from_name_key(&self.name_key)
    }
}

impl TrackKeys {
    pub fn of(track: &NewTrack) -> TrackKeys {
        let identity = track.identity();
        TrackKeys {
            identity_fingerprint: fingerprint(&identity),
            identity,
            artists: track
                .artists
                .iter()
                .map(|name| {
                    let name_key = artist_name_key(name);
                    ArtistKeys {
                        name_fingerprint: fingerprint(&name_key),
                        name_key,
                    }
                })
                .collect(),
        }
    }
}

impl NewTrack {
    /// A builder for tests, benches and examples: a track with the given name and
    /// artists, every optional field empty and every feature zero until set.
    #[doc(hidden)]
    pub fn builder(name: &str, artists: &[&str]) -> NewTrackBuilder {
        NewTrackBuilder(NewTrack {
            spotify_id: None,
            name: name.to_string(),
            artists: artists.iter().map(|a| a.to_string()).collect(),
            album: None,
            release_year: None,
            genres: Vec::new(),
            popularity: None,
            duration_ms: None,
            explicit: None,
            musical_key: None,
            mode: None,
            time_signature: None,
            features: AudioFeatures::default(),
        })
    }
}

/// Builds a `NewTrack` (see `NewTrack::builder`).
#[doc(hidden)]
#[derive(Debug, Clone)]
#[must_use]
pub struct NewTrackBuilder(NewTrack);

impl NewTrackBuilder {
    pub fn spotify_id(mut self, id: &str) -> Self {
        self.0.spotify_id = Some(id.to_string());
        self
    }

    pub fn album(mut self, album: &str) -> Self {
        self.0.album = Some(album.to_string());
        self
    }

    pub fn year(mut self, year: i32) -> Self {
        self.0.release_year = Some(year);
        self
    }

    /// One genre (or none).
    pub fn genre(mut self, genre: Option<&str>) -> Self {
        self.0.genres = genre.map(GenreTag::new).into_iter().collect();
        self
    }

    /// Several genres, each with an optional subgenre.
    pub fn genres(mut self, genres: &[(&str, Option<&str>)]) -> Self {
        self.0.genres = genres
            .iter()
            .map(|(genre, subgenre)| GenreTag {
                genre: genre.to_string(),
                subgenre: subgenre.map(str::to_string),
            })
            .collect();
        self
    }

    pub fn popularity(mut self, popularity: Option<i32>) -> Self {
        self.0.popularity = popularity;
        self
    }

    pub fn duration_ms(mut self, duration_ms: i32) -> Self {
        self.0.duration_ms = Some(duration_ms);
        self
    }

    pub fn explicit(mut self, explicit: bool) -> Self {
        self.0.explicit = Some(explicit);
        self
    }

    /// Key, mode and time signature.
    pub fn key_mode_meter(mut self, key: i32, mode: i32, time_signature: i32) -> Self {
        self.0.musical_key = Some(key);
        self.0.mode = Some(mode);
        self.0.time_signature = Some(time_signature);
        self
    }

    pub fn features(mut self, features: AudioFeatures) -> Self {
        self.0.features = features;
        self
    }

    pub fn build(self) -> NewTrack {
        self.0
    }
}

/// Every demo catalog Spotify id starts with this, so no one mistakes one for a real
/// track (`demo::ID_PREFIX`).
pub const DEMO_ID_PREFIX: &str = "demo";

/// The track's page on Spotify, for a real Spotify id (22 base-62 characters); `None`
/// for the demo catalog's invented ids and anything else.
pub fn spotify_url(id: &str) -> Option<String> {
    let real = id.len() == 22
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && !id.starts_with(DEMO_ID_PREFIX);
    real.then(|| format!("https://open.spotify.com/track/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: Option<&str>) -> NewTrack {
        let track = NewTrack::builder("Song", &["A", "B"]);
        match id {
            Some(id) => track.spotify_id(id).build(),
            None => track.build(),
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

    #[test]
    fn keys_fold_the_artist_names() {
        let track = NewTrack::builder("Song", &[" Beyoncé ", "MØ"]).build();
        let keys = TrackKeys::of(&track);
        assert_eq!(keys.identity, " beyoncé ;mø|song");
        let names: Vec<(&str, String)> = keys
            .artists
            .iter()
            .map(|a| (a.name_key.as_str(), a.search_key()))
            .collect();
        assert_eq!(
            names,
            [("beyoncé", "beyonce".to_string()), ("mø", "mo".to_string())]
        );
        assert_eq!(keys.identity_fingerprint, fingerprint(&keys.identity));
        assert_eq!(keys.artists[1].name_fingerprint, fingerprint("mø"));
    }
}
