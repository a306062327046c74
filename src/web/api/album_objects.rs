//! The album's response shapes, in Spotify's: the album object, the simplified track
//! object an album lists, and their paging object. An album object starts from the
//! album its first track embeds (`objects::simplified_album`), so that the two tell an
//! album's name, date and links alike (a dataset that names one album differently on
//! different rows leaves its other tracks embedding their own row's).

use poem_openapi::Object;

use super::objects::{
    self, usual, Base, ExternalIds, ExternalUrls, Image, SimplifiedArtist, Track,
};
use crate::{
    catalog::albums::AlbumTotals,
    db::{api_albums::AlbumCredit, api_catalog::ApiTrack},
};

/// Spotify's copyright object. No dataset holds copyrights: an album's list is empty.
#[derive(Debug, Clone, Object)]
pub struct Copyright {
    pub text: String,
    /// "C" (copyright) or "P" (sound recording).
    #[oai(rename = "type")]
    pub kind: String,
}

/// Spotify's simplified track object: a track as an album lists it (no album, no
/// popularity).
#[derive(Debug, Clone, Object)]
pub struct SimplifiedTrack {
    pub artists: Vec<SimplifiedArtist>,
    /// Empty: the datasets do not say where a track can be played.
    pub available_markets: Vec<String>,
    /// Null: the catalog does not keep disc numbers; 1 with `--api-fill-unknown`.
    #[oai(nullable)]
    pub disc_number: Option<i32>,
    #[oai(nullable)]
    pub duration_ms: Option<i32>,
    /// Null when the dataset does not say (false with `--api-fill-unknown`).
    #[oai(nullable)]
    pub explicit: Option<bool>,
    pub external_urls: ExternalUrls,
    pub href: String,
    pub id: String,
    pub is_local: bool,
    pub name: String,
    #[oai(nullable)]
    pub preview_url: Option<String>,
    /// Null: the catalog does not keep track numbers (the album's tracks come in import
    /// order); 1 with `--api-fill-unknown`.
    #[oai(nullable)]
    pub track_number: Option<i32>,
    /// Always "track".
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
}

impl From<Track> for SimplifiedTrack {
    fn from(t: Track) -> SimplifiedTrack {
        SimplifiedTrack {
            artists: t.artists,
            available_markets: t.available_markets,
            disc_number: t.disc_number,
            duration_ms: t.duration_ms,
            explicit: t.explicit,
            external_urls: t.external_urls,
            href: t.href,
            id: t.id,
            is_local: t.is_local,
            name: t.name,
            preview_url: t.preview_url,
            track_number: t.track_number,
            kind: t.kind,
            uri: t.uri,
        }
    }
}

/// The track as an album lists it: the track object's fields, less the album's own.
pub fn simplified_track(base: &Base, t: &ApiTrack) -> SimplifiedTrack {
    objects::track(base, t).into()
}

/// Spotify's paging object of an album's tracks.
#[derive(Debug, Clone, Object)]
pub struct SimplifiedTrackPage {
    pub href: String,
    pub items: Vec<SimplifiedTrack>,
    pub limit: u32,
    #[oai(nullable)]
    pub next: Option<String>,
    pub offset: u32,
    #[oai(nullable)]
    pub previous: Option<String>,
    /// The album's tracks in this catalog.
    pub total: i64,
}

/// Spotify's album object, from the catalog's tracks that carry the album's id.
#[derive(Debug, Clone, Object)]
pub struct Album {
    /// Null: the datasets do not tell albums from singles and compilations ("album" with
    /// `--api-fill-unknown`).
    #[oai(nullable)]
    pub album_type: Option<String>,
    /// The album's tracks in this catalog, which may hold only some of the album.
    pub total_tracks: i64,
    /// Empty: the datasets do not say where an album can be played.
    pub available_markets: Vec<String>,
    pub external_urls: ExternalUrls,
    pub href: String,
    pub id: String,
    /// Empty: the datasets hold no cover art.
    pub images: Vec<Image>,
    /// As the album's first track (in the catalog's order) names it.
    pub name: String,
    /// As the album's first track gives it: "1999-03-01", "1999-03" or "1999".
    #[oai(nullable)]
    pub release_date: Option<String>,
    /// "day", "month" or "year"; null without a date.
    #[oai(nullable)]
    pub release_date_precision: Option<String>,
    /// Always "album".
    #[oai(rename = "type")]
    pub kind: String,
    pub uri: String,
    /// The datasets name no album artists: the artists credited on more than half of
    /// the album's tracks in this catalog (the artist of an album, both artists of a
    /// collaboration, not a guest on a few tracks); when none is (a compilation, or
    /// only some of an album's tracks), every artist credited on them, up to 50. Those
    /// on most tracks first, then main artists before featured ones, then in the
    /// catalog's order.
    pub artists: Vec<SimplifiedArtist>,
    /// The first 50 of the album's tracks in this catalog, in the catalog's order:
    /// stable, but not the album's (the catalog keeps no track numbers, nor the file's
    /// order). `/albums/{id}/tracks` pages through the rest.
    pub tracks: SimplifiedTrackPage,
    /// Empty: no dataset holds copyrights.
    pub copyrights: Vec<Copyright>,
    /// `{}`: no dataset holds a UPC or EAN.
    pub external_ids: ExternalIds,
    /// The genres of the album's tracks in this catalog, the genre of most of them
    /// first (Spotify's list is empty for every album).
    pub genres: Vec<String>,
    /// Null: no dataset names the label ("" with `--api-fill-unknown`).
    #[oai(nullable)]
    pub label: Option<String>,
    /// The mean popularity of the album's tracks in this catalog (0..100), null where
    /// none has one (0 with `--api-fill-unknown`).
    #[oai(nullable)]
    pub popularity: Option<i32>,
}

#[derive(Debug, Clone, Object)]
pub struct AlbumList {
    /// In the order asked for; null for an id the catalog does not have.
    pub albums: Vec<Option<Album>>,
}

/// What the catalog holds of one album, as read for its album object.
#[derive(Debug, Clone)]
pub struct AlbumFound {
    pub totals: AlbumTotals,
    /// The first page of its tracks, in album order (at least one).
    pub first_tracks: Vec<ApiTrack>,
    /// Its artists (`catalog::albums::album_artists`).
    pub artists: Vec<AlbumCredit>,
    /// Its genres (`catalog::albums::album_genres`).
    pub genres: Vec<String>,
}

/// The album object; `None` when the album has no track (the catalog changed between
/// the queries).
pub fn album(base: &Base, found: &AlbumFound, tracks: SimplifiedTrackPage) -> Option<Album> {
    let first = found.first_tracks.first()?;
    let from_track = objects::simplified_album(base, first, &[]);
    Some(Album {
        album_type: from_track.album_type,
        total_tracks: found.totals.tracks,
        available_markets: Vec::new(),
        external_urls: from_track.external_urls,
        href: base.href(&format!("/albums/{}", from_track.id)),
        name: from_track.name,
        release_date: from_track.release_date,
        release_date_precision: from_track.release_date_precision,
        kind: from_track.kind,
        uri: from_track.uri,
        id: from_track.id,
        images: Vec::new(),
        artists: found
            .artists
            .iter()
            .map(|a| objects::simplified_artist(base, &a.name, &a.name_key))
            .collect(),
        tracks,
        copyrights: Vec::new(),
        external_ids: ExternalIds::default(),
        genres: found.genres.clone(),
        label: base.or_usual(None, usual::LABEL.to_string()),
        popularity: base.or_usual(
            // Halves to even, as the artist object's mean popularity.
            found
                .totals
                .mean_popularity
                .map(|p| p.round_ties_even() as i32),
            usual::POPULARITY,
        ),
    })
}
