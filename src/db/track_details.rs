//! What a page shows about a handful of tracks found by the matching index (which only
//! knows ids): title, album, artists in credit order. One query for the tracks and one
//! for their artists, whatever the number of ids.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{artists, track_artists, tracks};
use crate::db::one_of::one_of;

/// One track as pages show it. Its texts live in one allocation: up to 20,000 of these
/// are cached (`cache::CatalogCaches`), and with a `String` per text and one per credited
/// artist each took about 400 bytes; now about 200.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackDetails {
    pub id: i32,
    pub release_year: Option<i32>,
    pub popularity: Option<i32>,
    pub explicit: Option<bool>,
    /// The title, album, genre, Spotify id and credit line, one after the other.
    text: Box<str>,
    /// Where each of those ends in `text`.
    ends: [u32; TEXTS],
    /// Which of album, genre and Spotify id the track has (bits 1, 2, 3).
    present: u8,
}

const TEXTS: usize = 5;
const NAME: usize = 0;
const ALBUM: usize = 1;
const GENRE: usize = 2;
const SPOTIFY_ID: usize = 3;
const CREDITS: usize = 4;

/// A track's details as read, to be packed into a `TrackDetails`.
pub struct NewTrackDetails<'a> {
    pub id: i32,
    pub name: &'a str,
    pub album: Option<&'a str>,
    pub release_year: Option<i32>,
    pub genre: Option<&'a str>,
    pub popularity: Option<i32>,
    pub explicit: Option<bool>,
    pub spotify_id: Option<&'a str>,
    /// Credit order.
    pub artists: &'a [String],
}

impl TrackDetails {
    pub fn new(track: NewTrackDetails<'_>) -> TrackDetails {
        let credits = track.artists.join(", ");
        let parts: [Option<&str>; TEXTS] = [
            Some(track.name),
            track.album,
            track.genre,
            track.spotify_id,
            Some(&credits),
        ];
        let mut text = String::with_capacity(parts.iter().flatten().map(|p| p.len()).sum());
        let mut ends = [0u32; TEXTS];
        let mut present = 0u8;
        for (at, part) in parts.iter().enumerate() {
            if let Some(part) = part {
                text.push_str(part);
                present |= 1 << at;
            }
            // Texts come from table columns; none is anywhere near 4 GB.
            ends[at] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        TrackDetails {
            id: track.id,
            release_year: track.release_year,
            popularity: track.popularity,
            explicit: track.explicit,
            text: text.into_boxed_str(),
            ends,
            present,
        }
    }

    fn part(&self, at: usize) -> Option<&str> {
        if self.present & (1 << at) == 0 {
            return None;
        }
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        self.text.get(start..self.ends[at] as usize)
    }

    pub fn name(&self) -> &str {
        self.part(NAME).unwrap_or_default()
    }

    pub fn album(&self) -> Option<&str> {
        self.part(ALBUM)
    }

    pub fn genre(&self) -> Option<&str> {
        self.part(GENRE)
    }

    pub fn spotify_id(&self) -> Option<&str> {
        self.part(SPOTIFY_ID)
    }

    /// The credited artists in credit order, joined with ", " (empty without any).
    pub fn credits(&self) -> &str {
        self.part(CREDITS).unwrap_or_default()
    }
}

type TrackRow = (
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<bool>,
    Option<String>,
);

/// The tracks with these ids, keyed by id (ids that do not exist are left out).
pub fn by_ids(
    conn: &mut crate::db::DbConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, TrackDetails>> {
    crate::db::with_backend!(conn, conn => {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<TrackRow> = tracks::table
        .filter(one_of(tracks::id, ids))
        .select((
            tracks::id,
            tracks::name,
            tracks::album,
            tracks::release_year,
            tracks::genre,
            tracks::popularity,
            tracks::explicit,
            tracks::spotify_id,
        ))
        .load(conn)?;
    let credits: Vec<(i32, String)> = track_artists::table
        .inner_join(artists::table)
        .filter(one_of(track_artists::track_id, ids))
        .order((track_artists::track_id, track_artists::position))
        .select((track_artists::track_id, artists::name))
        .load(conn)?;
    let mut by_track: HashMap<i32, Vec<String>> = HashMap::new();
    for (track_id, name) in credits {
        by_track.entry(track_id).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, name, album, release_year, genre, popularity, explicit, spotify_id)| {
                let artists = by_track.remove(&id).unwrap_or_default();
                let details = TrackDetails::new(NewTrackDetails {
                    id,
                    name: &name,
                    album: album.as_deref(),
                    release_year,
                    genre: genre.as_deref(),
                    popularity,
                    explicit,
                    spotify_id: spotify_id.as_deref(),
                    artists: &artists,
                });
                (id, details)
            },
        )
        .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_texts_read_back_as_given() {
        let artists = vec!["Tyler, The Creator".to_string(), "Kali Uchis".to_string()];
        let full = TrackDetails::new(NewTrackDetails {
            id: 7,
            name: "See You Again",
            album: Some("Flower Boy"),
            release_year: Some(2017),
            genre: Some("rap"),
            popularity: Some(80),
            explicit: Some(true),
            spotify_id: Some("7KA4W4McWYRpgf0fWsJZWB"),
            artists: &artists,
        });
        assert_eq!(full.name(), "See You Again");
        assert_eq!(full.album(), Some("Flower Boy"));
        assert_eq!(full.genre(), Some("rap"));
        assert_eq!(full.spotify_id(), Some("7KA4W4McWYRpgf0fWsJZWB"));
        assert_eq!(full.credits(), "Tyler, The Creator, Kali Uchis");
        assert_eq!((full.id, full.release_year), (7, Some(2017)));

        let bare = TrackDetails::new(NewTrackDetails {
            id: 8,
            name: "",
            album: Some(""),
            release_year: None,
            genre: None,
            popularity: None,
            explicit: None,
            spotify_id: None,
            artists: &[],
        });
        assert_eq!(bare.name(), "");
        assert_eq!(
            bare.album(),
            Some(""),
            "an empty album is not a missing one"
        );
        assert_eq!((bare.genre(), bare.spotify_id()), (None, None));
        assert_eq!(bare.credits(), "");
    }
}
