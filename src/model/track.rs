//! A track as it enters the catalog, from an imported CSV row or the demo generator.

use super::{
    artist_names::{artist_name_key, search_key_from_name_key},
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
    /// Spotify's id of the album, if the source has it.
    pub album_spotify_id: Option<String>,
    pub release_year: Option<i32>,
    /// The release date as precisely as the source gives it: "2019-10-17", "2019-10"
    /// or "2019".
    pub release_date: Option<String>,
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
    crate::typed_name::trim_place_marks(name).to_lowercase()
}

/// A track's genres as every page lists them: the one its file named first (`first`,
/// the `tracks.genre` column), then the others A to Z. The perfect-song answer had
/// listed them in the order the matching index keeps them ("r&b, latin, edm" where the
/// artist's page said "latin, edm, r&b").
pub fn genres_in_listing_order(names: &mut [String], first: Option<&str>) {
    names.sort();
    if let Some(at) = first.and_then(|first| names.iter().position(|n| n == first)) {
        names[..=at].rotate_right(1);
    }
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
/// `model::artist_names`) and handed to the writer as data. Computing them takes a third of
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

/// How the writer finds a credited artist: the fingerprint of its `artist_name_key`.
/// The keys stored with an artist (`stored_keys`) are made only for an artist the writer
/// has not seen, one credit in three to ten at 1.2 million rows: made and freed for
/// every credit on the parsing thread, the name key alone was two thirds of that
/// thread's `malloc` time (`benches/HISTORY.md`, 2026-12-04 evening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArtistKeys {
    /// `fingerprint(&artist_name_key(name))`.
    pub name_fingerprint: u128,
}

/// Longest trimmed name lower-cased on the stack (an ASCII one; others are
/// lower-cased into a `String`).
const STACK_NAME_BYTES: usize = 128;

impl ArtistKeys {
    /// The keys of the artist credited as `name`, without allocating for an ASCII name
    /// of up to `STACK_NAME_BYTES` (nearly every one): Unicode lower case is ASCII
    /// lower case there.
    pub fn of(name: &str) -> ArtistKeys {
        let trimmed = name.trim();
        let mut lower = [0u8; STACK_NAME_BYTES];
        let on_stack = match lower.get_mut(..trimmed.len()) {
            Some(lower) if trimmed.is_ascii() => {
                lower.copy_from_slice(trimmed.as_bytes());
                lower.make_ascii_lowercase();
                std::str::from_utf8(lower).ok().map(fingerprint)
            }
            _ => None,
        };
        ArtistKeys {
            name_fingerprint: on_stack.unwrap_or_else(|| fingerprint(&artist_name_key(name))),
        }
    }

    /// The `artist_name_key` and `artist_search_key` of the artist credited as `name`,
    /// as an artist's row stores them.
    pub fn stored_keys(name: &str) -> (String, String) {
        let name_key = artist_name_key(name);
        let search_key = search_key_from_name_key(&name_key);
        (name_key, search_key)
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
                .map(|name| ArtistKeys::of(name))
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
            album_spotify_id: None,
            release_year: None,
            release_date: None,
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

    /// The album's Spotify id.
    pub fn album_id(mut self, id: &str) -> Self {
        self.0.album_spotify_id = Some(id.to_string());
        self
    }

    /// The release date ("2019-10-17"); its year too.
    pub fn release_date(mut self, date: &str) -> Self {
        self.0.release_year = date.get(..4).and_then(|y| y.parse().ok());
        self.0.release_date = Some(date.to_string());
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
    fn identity_prefers_spotify_id() {
        assert_eq!(track(Some("abc")).identity(), "abc");
        assert_eq!(track(None).identity(), "a;b|song");
    }

    #[test]
    fn keys_fold_the_artist_names() {
        let track = NewTrack::builder("Song", &[" Beyoncé ", "MØ", "  The BAND "]).build();
        let keys = TrackKeys::of(&track);
        assert_eq!(keys.identity, " beyoncé ;mø;  the band |song");
        assert_eq!(keys.identity_fingerprint, fingerprint(&keys.identity));
        let fingerprints: Vec<u128> = keys.artists.iter().map(|a| a.name_fingerprint).collect();
        assert_eq!(
            fingerprints,
            [
                fingerprint("beyoncé"),
                fingerprint("mø"),
                fingerprint("the band")
            ]
        );
        assert_eq!(
            ArtistKeys::stored_keys(" Beyoncé "),
            ("beyoncé".to_string(), "beyonce".to_string())
        );
        assert_eq!(
            ArtistKeys::stored_keys("MØ"),
            ("mø".to_string(), "mo".to_string())
        );
    }

    #[test]
    fn an_artist_fingerprint_is_the_fingerprint_of_its_name_key_whatever_the_name() {
        let long_ascii = "A".repeat(STACK_NAME_BYTES + 1);
        let names = [
            "",
            "   ",
            "AC/DC",
            "\tTab\t",
            "ΣΊΣΥΦΟΣ",
            "İstanbul",
            long_ascii.as_str(),
            &long_ascii[1..],
            "Dž",
        ];
        for name in names {
            assert_eq!(
                ArtistKeys::of(name).name_fingerprint,
                fingerprint(&artist_name_key(name)),
                "{name:?}"
            );
        }
    }
}
