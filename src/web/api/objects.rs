//! The response objects, in the shapes of Spotify's Web API reference (track, artist,
//! album, audio features, recommendations, paging), plus a few fields of ours that
//! Spotify clients ignore. Feature values of ours travel as maps keyed by
//! `Feature::key()`; Spotify's audio-features object names its nine, as Spotify's
//! schema does.

use std::collections::BTreeMap;

use poem_openapi::Object;

use super::ids;
use crate::{
    catalog::{artists::ArtistSummary, Feature},
    db::api_catalog::ApiTrack,
};

/// Known external URLs for the object (Spotify's page, when the id is Spotify's).
#[derive(Debug, Clone, Object, Default)]
pub struct ExternalUrls {
    #[oai(skip_serializing_if_is_none)]
    pub spotify: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct Image {
    pub url: String,
    #[oai(nullable)]
    pub height: Option<i32>,
    #[oai(nullable)]
    pub width: Option<i32>,
}

#[derive(Debug, Clone, Object)]
pub struct SimplifiedArtist {
    pub external_urls: ExternalUrls,
    pub href: String,
    pub id: String,
    pub name: String,
    /// Always "artist".
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
}

#[derive(Debug, Clone, Object)]
pub struct SimplifiedAlbum {
    /// Null: the datasets do not tell albums from singles and compilations, and a
    /// made-up "album" would mislabel every single ("album" with `--api-fill-unknown`).
    #[oai(nullable)]
    pub album_type: Option<String>,
    /// Null in a track's album (1 with `--api-fill-unknown`); the album object
    /// (`/albums/{id}`) counts the album's tracks in this catalog.
    #[oai(nullable)]
    pub total_tracks: Option<i32>,
    pub available_markets: Vec<String>,
    pub external_urls: ExternalUrls,
    /// This API's address of the album (`/albums/{id}`) when the dataset gave the
    /// album's id; null for an id the API made up from the title, which names no album
    /// there (with `--api-fill-unknown`, that address all the same: it answers 404).
    #[oai(nullable)]
    pub href: Option<String>,
    pub id: String,
    pub images: Vec<Image>,
    pub name: String,
    /// The release date as precisely as the dataset gives it: "1999-03-01",
    /// "1999-03" or "1999".
    #[oai(nullable)]
    pub release_date: Option<String>,
    /// "day", "month" or "year", as Spotify writes them; null without a date.
    #[oai(nullable)]
    pub release_date_precision: Option<String>,
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
    pub artists: Vec<SimplifiedArtist>,
}

/// Empty (`{}`) while no dataset gives an ISRC: rspotify reads `external_ids` as a map of
/// strings, and `{"isrc": null}` would stop it at every track.
#[derive(Debug, Clone, Object, Default)]
pub struct ExternalIds {
    #[oai(skip_serializing_if_is_none)]
    pub isrc: Option<String>,
}

/// Spotify's track object.
#[derive(Debug, Clone, Object)]
pub struct Track {
    pub album: SimplifiedAlbum,
    pub artists: Vec<SimplifiedArtist>,
    /// Empty: the datasets do not say where a track can be played (and `market` does
    /// not filter).
    pub available_markets: Vec<String>,
    /// Null: the catalog does not keep disc numbers (of the datasets the import reads,
    /// only the Kaggle 1.2M file has them); 1 with `--api-fill-unknown`.
    #[oai(nullable)]
    pub disc_number: Option<i32>,
    #[oai(nullable)]
    pub duration_ms: Option<i32>,
    /// Null when the dataset does not say (TidyTuesday's file has no such column):
    /// `false` would tell a script filtering explicit tracks that every track is clean
    /// (it is `false` with `--api-fill-unknown`).
    #[oai(nullable)]
    pub explicit: Option<bool>,
    pub external_ids: ExternalIds,
    pub external_urls: ExternalUrls,
    pub href: String,
    pub id: String,
    pub is_local: bool,
    pub name: String,
    #[oai(nullable)]
    pub popularity: Option<i32>,
    #[oai(nullable)]
    pub preview_url: Option<String>,
    /// Null: the catalog does not keep track numbers (see `disc_number`); 1 with
    /// `--api-fill-unknown`.
    #[oai(nullable)]
    pub track_number: Option<i32>,
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
    /// Ours: the genre of the track's first row in the dataset (a dataset lists a track
    /// once per playlist it was found in, each with its genre).
    #[oai(nullable)]
    pub genre: Option<String>,
    /// Ours: every genre the dataset gives the track, `genre` first: what `seed_genres`
    /// matches. Search's `genre:` also matches the subgenres the dataset gives (such as
    /// "hip hop" under rap), which are not listed here.
    pub genres: Vec<String>,
}

/// Spotify's followers object. No dataset has follower counts: `total` is null rather
/// than a made-up 0, and the object is there so that `artist["followers"]["total"]`, as
/// scripts write it, reads a null instead of failing on a missing key.
#[derive(Debug, Clone, Object, Default)]
pub struct Followers {
    /// Always null (Spotify's is null too).
    #[oai(nullable)]
    pub href: Option<String>,
    /// Unknown: null (0 with `--api-fill-unknown`).
    #[oai(nullable)]
    pub total: Option<i64>,
}

/// Spotify's artist object.
#[derive(Debug, Clone, Object)]
pub struct Artist {
    pub external_urls: ExternalUrls,
    /// Not in the datasets: `{"href": null, "total": null}`.
    pub followers: Followers,
    /// The artist's most frequent genres in the catalog.
    pub genres: Vec<String>,
    pub href: String,
    pub id: String,
    pub images: Vec<Image>,
    pub name: String,
    /// The mean popularity of the artist's tracks, rounded (0..100).
    #[oai(nullable)]
    pub popularity: Option<i32>,
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
    /// Ours: tracks by the artist in the catalog.
    pub track_count: i32,
    /// Ours: mean of each feature over the artist's tracks, keyed by feature name.
    pub audio_features: BTreeMap<String, f64>,
}

/// Spotify's audio-features object: the nine features by name, plus the fixed fields.
#[derive(Debug, Clone, Object)]
pub struct AudioFeatures {
    /// Always "audio_features".
    #[oai(rename = "type")]
    pub kind: String,
    pub id: String,
    pub uri: String,
    pub track_href: String,
    /// Where Spotify's audio-analysis resource of the track would be, on this API:
    /// the datasets hold none of its data, so it answers 404 in Spotify's error shape.
    /// Local, not Spotify's own address: a script that follows it sends its token
    /// along, and this API's token is nobody else's business.
    pub analysis_url: String,
    #[oai(nullable)]
    pub duration_ms: Option<i32>,
    /// Pitch class 0..11 (C = 0); -1 when unknown.
    pub key: i32,
    /// 1 major, 0 minor; null when unknown (1 with `--api-fill-unknown`).
    #[oai(nullable)]
    pub mode: Option<i32>,
    /// Beats per bar; null where the dataset has none (TidyTuesday's file), 4 with
    /// `--api-fill-unknown`.
    #[oai(nullable)]
    pub time_signature: Option<i32>,
    // The nine features by name, as Spotify's schema lists them, so that a client
    // generated from the OpenAPI document has them as fields (a map of them had
    // given it an untyped bag of numbers).
    /// 0..1.
    pub acousticness: f64,
    /// 0..1.
    pub danceability: f64,
    /// 0..1.
    pub energy: f64,
    /// 0..1.
    pub instrumentalness: f64,
    /// 0..1.
    pub liveness: f64,
    /// Decibels, typically -60..0.
    pub loudness: f64,
    /// 0..1.
    pub speechiness: f64,
    /// Beats per minute.
    pub tempo: f64,
    /// 0..1.
    pub valence: f64,
}

#[derive(Debug, Clone, Object)]
pub struct TrackList {
    /// In the order asked for; null for an id the catalog does not have.
    pub tracks: Vec<Option<Track>>,
}

#[derive(Debug, Clone, Object)]
pub struct ArtistList {
    /// In the order asked for; null for an id the catalog does not have.
    pub artists: Vec<Option<Artist>>,
}

#[derive(Debug, Clone, Object)]
pub struct TopTracks {
    pub tracks: Vec<Track>,
}

#[derive(Debug, Clone, Object)]
pub struct RelatedArtists {
    pub artists: Vec<Artist>,
}

#[derive(Debug, Clone, Object)]
pub struct AudioFeaturesList {
    /// In the order asked for; null for an id the catalog does not have.
    pub audio_features: Vec<Option<AudioFeatures>>,
}

#[derive(Debug, Clone, Object)]
pub struct GenreSeeds {
    pub genres: Vec<String>,
}

/// Spotify's paging object.
#[derive(Debug, Clone, Object)]
pub struct TrackPage {
    pub href: String,
    pub items: Vec<Track>,
    pub limit: u32,
    #[oai(nullable)]
    pub next: Option<String>,
    pub offset: u32,
    #[oai(nullable)]
    pub previous: Option<String>,
    pub total: i64,
}

#[derive(Debug, Clone, Object)]
pub struct ArtistPage {
    pub href: String,
    pub items: Vec<Artist>,
    pub limit: u32,
    #[oai(nullable)]
    pub next: Option<String>,
    pub offset: u32,
    #[oai(nullable)]
    pub previous: Option<String>,
    pub total: i64,
}

#[derive(Debug, Clone, Object)]
pub struct SearchResults {
    #[oai(skip_serializing_if_is_none)]
    pub artists: Option<ArtistPage>,
    #[oai(skip_serializing_if_is_none)]
    pub tracks: Option<TrackPage>,
}

/// A search's answer with its pages in the order `type` named them (`type=track,artist`:
/// tracks first). tekore hands the pages back as a tuple in the order of the answer's
/// keys, which it documents as the order of `type`: with the pages always in one order,
/// its `tracks, artists = search(..., types=("track", "artist"))` got them swapped.
/// Its schema is `SearchResults`' (the order of an object's keys is not a schema's).
#[derive(Debug, Clone)]
pub struct OrderedSearchResults {
    pub results: SearchResults,
    pub tracks_first: bool,
}

impl poem_openapi::types::Type for OrderedSearchResults {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        SearchResults::name()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        SearchResults::schema_ref()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        SearchResults::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl poem_openapi::types::ToJSON for OrderedSearchResults {
    fn to_json(&self) -> Option<serde_json::Value> {
        // The derived form writes `artists` first; serde_json keeps keys in the order
        // inserted (its `preserve_order` feature), so moving it behind puts tracks first.
        let mut pages = self.results.to_json()?;
        if self.tracks_first {
            if let Some(map) = pages.as_object_mut() {
                if let Some(artists) = map.shift_remove("artists") {
                    map.insert("artists".to_string(), artists);
                }
            }
        }
        Some(pages)
    }
}

/// How one feature of a recommended track compares with the target.
#[derive(Debug, Clone, Object)]
pub struct FeatureExplanation {
    pub feature: String,
    /// Share of the distance (weights normalised to sum to 1).
    pub weight: f64,
    pub target: f64,
    #[oai(nullable)]
    pub value: Option<f64>,
    /// value − target, raw units.
    #[oai(nullable)]
    pub difference: Option<f64>,
}

/// Ours: why a track was recommended.
#[derive(Debug, Clone, Object)]
pub struct Explanation {
    /// "euclidean" or "cosine".
    pub metric: String,
    /// Euclidean: weighted RMS gap in 0..1 of each feature's range; cosine: 1 − cos.
    pub distance: f64,
    /// 0..100, higher is closer. Euclidean: 100 × (1 − distance); cosine: 100 × (1 −
    /// the angle between the two mixes / 90°).
    pub similarity: f64,
    /// The enabled features.
    pub features: Vec<FeatureExplanation>,
}

#[derive(Debug, Clone, Object)]
pub struct RecommendedTrack {
    #[oai(flatten)]
    pub track: Track,
    /// Ours, beyond Spotify's shape.
    pub explanation: Explanation,
}

/// Spotify's recommendation seed object.
#[derive(Debug, Clone, Object)]
pub struct RecommendationSeed {
    /// Tracks the seed draws from: the catalog (a genre seed: that genre's tracks).
    #[oai(rename = "initialPoolSize")]
    pub initial_pool_size: i64,
    /// Tracks the answer is chosen from, counted up to 1,000 (1,000: at least that
    /// many): those left after every filter of the request (the min_ and max_ bounds,
    /// the years, the genre seeds' genres; the seed tracks and their other versions
    /// left out). The whole catalog when nothing is filtered. The same for every seed.
    #[oai(rename = "afterFilteringSize")]
    pub after_filtering_size: i64,
    /// Same as `afterFilteringSize`: there is no relinking here.
    #[oai(rename = "afterRelinkingSize")]
    pub after_relinking_size: i64,
    /// The seed's API address; null for genres.
    #[oai(nullable)]
    pub href: Option<String>,
    pub id: String,
    /// "TRACK", "ARTIST" or "GENRE", as Spotify writes them.
    #[oai(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Object)]
pub struct Recommendations {
    pub seeds: Vec<RecommendationSeed>,
    pub tracks: Vec<RecommendedTrack>,
    /// Ours: the target the seeds and targets produced, raw units by feature.
    pub target: BTreeMap<String, f64>,
}

/// One feature across the compared artists.
#[derive(Debug, Clone, Object)]
pub struct FeatureFigures {
    pub feature: String,
    /// Id of the artist with the highest mean.
    pub highest: String,
    pub lowest: String,
    /// Highest minus lowest mean, raw units.
    pub spread: f64,
    /// The catalog's mean.
    #[oai(nullable)]
    pub catalog_average: Option<f64>,
}

#[derive(Debug, Clone, Object)]
pub struct Comparison {
    /// The artists, with their means in `audio_features`.
    pub artists: Vec<Artist>,
    pub features: Vec<FeatureFigures>,
}

#[derive(Debug, Clone, Object)]
pub struct CatalogSummary {
    /// "demo", "import" or "empty".
    pub source: String,
    pub source_name: String,
    /// Unix seconds of the last change.
    pub updated_at: i64,
    /// Changes on every import.
    pub version: i64,
    pub tracks: i64,
    pub artists: i64,
    pub genres: i64,
    #[oai(nullable)]
    pub min_year: Option<i32>,
    #[oai(nullable)]
    pub max_year: Option<i32>,
    /// The catalog's mean of each audio feature; none while it holds no track.
    pub audio_features: BTreeMap<String, f64>,
}

/// How this request's objects are written: absolute addresses for hrefs (from the
/// request's Host), and whether what the dataset does not hold is filled in.
#[derive(Debug, Clone)]
pub struct Base {
    pub root: String,
    /// `--api-fill-unknown`: Spotify's usual value where a field would be null (typed
    /// clients, such as tekore and rspotify, refuse the nulls). See `Filled`.
    pub fill_unknown: bool,
}

impl Base {
    pub fn href(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.root)
    }

    /// `known`, or, with `--api-fill-unknown`, `usual` in its place.
    pub(super) fn or_usual<T>(&self, known: Option<T>, usual: T) -> Option<T> {
        match known {
            None if self.fill_unknown => Some(usual),
            known => known,
        }
    }
}

/// The values `--api-fill-unknown` writes where the dataset holds none: Spotify's
/// most common value, or the one that claims least (a popularity of 0, no followers).
pub(super) mod usual {
    pub const ALBUM_TYPE: &str = "album";
    /// An album's label: no name at all, rather than one made up.
    pub const LABEL: &str = "";
    pub const TOTAL_TRACKS: i32 = 1;
    pub const DISC_NUMBER: i32 = 1;
    pub const TRACK_NUMBER: i32 = 1;
    pub const EXPLICIT: bool = false;
    pub const POPULARITY: i32 = 0;
    pub const DURATION_MS: i32 = 0;
    pub const FOLLOWERS: i64 = 0;
    pub const TIME_SIGNATURE: i32 = 4;
    pub const MODE: i32 = 1;
    /// Spotify's own date for a release it does not know the date of.
    pub const RELEASE_DATE: &str = "0000";
}

pub fn simplified_artist(base: &Base, name: &str, name_key: &str) -> SimplifiedArtist {
    let id = ids::artist(name_key);
    SimplifiedArtist {
        external_urls: ExternalUrls::default(),
        href: base.href(&format!("/artists/{id}")),
        uri: format!("spotify:artist:{id}"),
        id,
        name: name.to_string(),
        kind: "artist".into(),
    }
}

pub fn track(base: &Base, t: &ApiTrack) -> Track {
    let id = ids::track(t.spotify_id.as_deref(), &t.identity);
    let artists: Vec<SimplifiedArtist> = t
        .artists
        .iter()
        .map(|(_, name, key)| simplified_artist(base, name, key))
        .collect();
    Track {
        album: simplified_album(base, t, &artists),
        artists,
        available_markets: Vec::new(),
        disc_number: base.or_usual(None, usual::DISC_NUMBER),
        duration_ms: base.or_usual(t.duration_ms, usual::DURATION_MS),
        explicit: base.or_usual(t.explicit, usual::EXPLICIT),
        external_ids: ExternalIds::default(),
        // Only an id from the dataset has a page: one derived from the title has none.
        external_urls: ExternalUrls {
            spotify: t
                .spotify_id
                .as_deref()
                .and_then(crate::catalog::spotify_links::spotify_url),
        },
        href: base.href(&format!("/tracks/{id}")),
        is_local: false,
        name: t.name.clone(),
        popularity: base.or_usual(t.popularity, usual::POPULARITY),
        preview_url: None,
        track_number: base.or_usual(None, usual::TRACK_NUMBER),
        kind: "track".into(),
        uri: format!("spotify:track:{id}"),
        id,
        genre: t.genre.clone(),
        genres: t.genres.clone(),
    }
}

/// The album of track `t` (credited `artists`), as the track object embeds it; the album
/// object (`album_objects`) starts from its first track's.
pub fn simplified_album(
    base: &Base,
    t: &ApiTrack,
    artists: &[SimplifiedArtist],
) -> SimplifiedAlbum {
    let main_key = t.artists.first().map(|a| a.2.as_str()).unwrap_or("");
    let album_name = t.album.clone().unwrap_or_default();
    let album_id = t
        .album_spotify_id
        .clone()
        .unwrap_or_else(|| ids::album(&album_name, main_key));
    let release_date = base.or_usual(
        t.release_date
            .clone()
            .or_else(|| t.release_year.map(|y| y.to_string())),
        usual::RELEASE_DATE.to_string(),
    );
    let album_href = base.href(&format!("/albums/{album_id}"));
    SimplifiedAlbum {
        album_type: base.or_usual(None, usual::ALBUM_TYPE.to_string()),
        total_tracks: base.or_usual(None, usual::TOTAL_TRACKS),
        available_markets: Vec::new(),
        external_urls: ExternalUrls {
            spotify: t
                .album_spotify_id
                .as_deref()
                .and_then(|id| crate::catalog::spotify_links::spotify_page("album", id)),
        },
        // `/albums/{id}` finds an album by the id its tracks carry; an id the API made
        // up from the title names no album there.
        href: match t.album_spotify_id {
            Some(_) => Some(album_href),
            None => base.or_usual(None, album_href),
        },
        uri: format!("spotify:album:{album_id}"),
        id: album_id,
        images: Vec::new(),
        name: album_name,
        release_date_precision: release_date.as_deref().map(|d| date_precision(d).into()),
        release_date,
        kind: "album".into(),
        artists: artists.iter().take(1).cloned().collect(),
    }
}

/// Spotify's word for how precise a release date is, from how it is written.
fn date_precision(date: &str) -> &'static str {
    match date.len() {
        10 => "day",
        7 => "month",
        _ => "year",
    }
}

pub fn audio_features(base: &Base, t: &ApiTrack) -> AudioFeatures {
    let id = ids::track(t.spotify_id.as_deref(), &t.identity);
    AudioFeatures {
        kind: "audio_features".into(),
        uri: format!("spotify:track:{id}"),
        track_href: base.href(&format!("/tracks/{id}")),
        analysis_url: base.href(&format!("/audio-analysis/{id}")),
        id,
        duration_ms: base.or_usual(t.duration_ms, usual::DURATION_MS),
        key: t.key.unwrap_or(-1),
        mode: base.or_usual(t.mode, usual::MODE),
        time_signature: base.or_usual(t.time_signature, usual::TIME_SIGNATURE),
        acousticness: t.features.acousticness,
        danceability: t.features.danceability,
        energy: t.features.energy,
        instrumentalness: t.features.instrumentalness,
        liveness: t.features.liveness,
        loudness: t.features.loudness,
        speechiness: t.features.speechiness,
        tempo: t.features.tempo,
        valence: t.features.valence,
    }
}

/// A value the API computed (a mean, a target, a difference), to the millionth. JSON
/// writes the shortest decimal that reads back as the same float, and the float sum of
/// three 0.2s over three is not 0.2: means came out as 0.20000000000000004. The
/// datasets' values have at most six decimals.
pub fn tidy(value: f64) -> f64 {
    if value.is_finite() {
        (value * 1e6).round() / 1e6
    } else {
        value
    }
}

/// An artist's means by feature name (popularity when known).
pub fn artist_means(a: &ArtistSummary) -> BTreeMap<String, f64> {
    Feature::ALL
        .iter()
        .filter_map(|&f| a.value(f).map(|v| (f.key().to_string(), tidy(v))))
        .collect()
}

pub fn artist(base: &Base, a: &ArtistSummary, genres: Vec<String>) -> Artist {
    let id = ids::artist(&a.name_key);
    Artist {
        external_urls: ExternalUrls::default(),
        followers: Followers {
            href: None,
            total: base.or_usual(None, usual::FOLLOWERS),
        },
        genres,
        href: base.href(&format!("/artists/{id}")),
        uri: format!("spotify:artist:{id}"),
        id,
        images: Vec::new(),
        name: a.name.clone(),
        popularity: base.or_usual(
            // Halves to even, as the pages write it (`Feature::format`): 74.5 read 74 on
            // the artist's page and 75 here.
            a.avg_popularity.map(|p| p.round_ties_even() as i32),
            usual::POPULARITY,
        ),
        kind: "artist".into(),
        track_count: a.track_count,
        audio_features: artist_means(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_values_are_written_to_the_millionth() {
        let mean = (0.2 + 0.2 + 0.2) / 3.0;
        assert_eq!(mean.to_string(), "0.20000000000000004");
        assert_eq!(tidy(mean).to_string(), "0.2");
        assert_eq!(tidy(-0.9660000000000011).to_string(), "-0.966");
        assert_eq!(tidy(123.94375000000001).to_string(), "123.94375");
        assert!(tidy(f64::NAN).is_nan());
    }
}
