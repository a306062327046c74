//! What the catalog can say of an album from its tracks (it has no album table, and the
//! datasets name no album artists): who the album is by, and its genres.

use crate::db::api_albums::{AlbumCredit, AlbumTrack};

/// What the album object says of its tracks as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumTotals {
    /// Tracks in the catalog carrying the album's id.
    pub tracks: i64,
    /// The mean popularity of those whose popularity is known.
    pub mean_popularity: Option<f64>,
}

/// The totals of an album's tracks; `None` for no tracks (no such album).
pub fn album_totals(tracks: &[AlbumTrack]) -> Option<AlbumTotals> {
    if tracks.is_empty() {
        return None;
    }
    let known: Vec<f64> = tracks
        .iter()
        .filter_map(|t| t.popularity.map(f64::from))
        .collect();
    Some(AlbumTotals {
        tracks: tracks.len() as i64,
        mean_popularity: (!known.is_empty())
            .then(|| known.iter().sum::<f64>() / known.len() as f64),
    })
}

/// Most artists an album names when no artist is on most of its tracks.
pub const MAX_ALBUM_ARTISTS: usize = 50;

/// The album's artists, from the artists credited on its `track_count` tracks: those
/// credited on more than half of them (an album by one artist, or a collaboration
/// credited on every track; not a guest on a few). When no artist is (a compilation,
/// or an album the catalog holds only some tracks of), every credited artist, up to
/// `MAX_ALBUM_ARTISTS`. Either way, those on most tracks first, then the main artists
/// before the featured ones, then in album order.
pub fn album_artists(mut credits: Vec<AlbumCredit>, track_count: i64) -> Vec<AlbumCredit> {
    credits.sort_by(|a, b| {
        b.tracks
            .cmp(&a.tracks)
            .then(a.best_position.cmp(&b.best_position))
            .then(a.first_track.cmp(&b.first_track))
            .then(a.artist_id.cmp(&b.artist_id))
    });
    let most = |c: &AlbumCredit| c.tracks * 2 > track_count;
    if credits.iter().any(most) {
        credits.retain(most);
    } else {
        credits.truncate(MAX_ALBUM_ARTISTS);
    }
    credits
}

/// The album's genres: those of its tracks, the genre of most tracks first, then by
/// name (byte order, alike on both backends).
pub fn album_genres(mut genres: Vec<(String, i64)>) -> Vec<String> {
    genres.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    genres.into_iter().map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(artist_id: i32, tracks: i64, first_track: i32, best_position: i32) -> AlbumCredit {
        AlbumCredit {
            artist_id,
            name: format!("Artist {artist_id}"),
            name_key: format!("artist {artist_id}"),
            tracks,
            first_track,
            best_position,
        }
    }

    fn ids(credits: &[AlbumCredit]) -> Vec<i32> {
        credits.iter().map(|c| c.artist_id).collect()
    }

    #[test]
    fn the_artists_of_most_tracks_are_the_albums() {
        // Ten tracks by 1, a guest (2) on three of them.
        let by_one = album_artists(vec![credit(2, 3, 4, 1), credit(1, 10, 1, 0)], 10);
        assert_eq!(ids(&by_one), vec![1]);
        // A collaboration credited on every track: both, the main artist first.
        let both = album_artists(vec![credit(8, 6, 1, 1), credit(9, 6, 1, 0)], 6);
        assert_eq!(ids(&both), vec![9, 8]);
        // Half is not most: of two tracks, the guest on one is not an album artist.
        let half = album_artists(vec![credit(1, 2, 1, 0), credit(2, 1, 2, 1)], 2);
        assert_eq!(ids(&half), vec![1]);
        // One track: everyone it credits.
        let single = album_artists(vec![credit(2, 1, 7, 1), credit(1, 1, 7, 0)], 1);
        assert_eq!(ids(&single), vec![1, 2]);
    }

    #[test]
    fn a_compilation_names_every_artist_most_tracks_first() {
        let various = album_artists(
            vec![
                credit(3, 1, 3, 0),
                credit(1, 2, 5, 0),
                credit(2, 1, 2, 0),
                credit(4, 1, 2, 1),
            ],
            5,
        );
        assert_eq!(ids(&various), vec![1, 2, 3, 4]);
        let many: Vec<AlbumCredit> = (0..80).map(|i| credit(i, 1, i, 0)).collect();
        assert_eq!(album_artists(many, 80).len(), MAX_ALBUM_ARTISTS);
        assert!(album_artists(Vec::new(), 0).is_empty());
    }

    #[test]
    fn totals_count_every_track_and_average_the_known_popularities() {
        let track = |id, popularity| AlbumTrack { id, popularity };
        assert_eq!(album_totals(&[]), None);
        assert_eq!(
            album_totals(&[track(1, Some(50)), track(2, None), track(3, Some(61))]),
            Some(AlbumTotals {
                tracks: 3,
                mean_popularity: Some(55.5)
            })
        );
        assert_eq!(
            album_totals(&[track(1, None)]),
            Some(AlbumTotals {
                tracks: 1,
                mean_popularity: None
            })
        );
    }

    #[test]
    fn genres_of_most_tracks_first() {
        let genres = album_genres(vec![
            ("rock".into(), 2),
            ("pop".into(), 5),
            ("latin".into(), 2),
        ]);
        assert_eq!(genres, vec!["pop", "latin", "rock"]);
    }
}
