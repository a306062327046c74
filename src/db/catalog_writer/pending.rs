//! What waits in the writer's buffers until a flush, and the order new tracks are
//! written in.

use crate::catalog::NewTrack;

/// A track waiting in the buffer. A new track gets its id only when flushed (see
/// `flush`); a stored one keeps its id.
pub(super) struct PendingTrack {
    pub id: i32,
    /// Where the track's id is kept (`CatalogWriter::track_slots`).
    pub slot: u32,
    pub identity: String,
    /// Credited artists, main first, without repeats.
    pub artist_ids: Vec<i32>,
    pub track: NewTrack,
}

/// An artist first seen in this load, waiting to be inserted.
pub(super) struct PendingArtist {
    pub id: i32,
    pub name: String,
    pub name_key: String,
    pub search_key: String,
}

/// A genre or subgenre first seen in this load, waiting to be inserted.
pub(super) struct PendingGenre {
    pub id: i32,
    pub name: String,
    pub name_key: String,
    pub parent_id: Option<i32>,
}

/// Sorts the tracks by identity. A pending track is a few hundred bytes, so the sort
/// orders their positions and then moves each track once, instead of swapping the
/// tracks themselves at every step of the sort.
pub(super) fn sort_by_identity(tracks: &mut [PendingTrack]) {
    let mut order: Vec<usize> = (0..tracks.len()).collect();
    order.sort_unstable_by(|&a, &b| tracks[a].identity.cmp(&tracks[b].identity));
    // Applies the permutation in place (the way `slice::sort_by_cached_key` does):
    // position i takes the track at order[i], following the chain of swaps made so far.
    for i in 0..tracks.len() {
        let mut from = order[i];
        while from < i {
            from = order[from];
        }
        order[i] = from;
        tracks.swap(i, from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_by_identity_orders_tracks() {
        let pending = |identity: &str| PendingTrack {
            id: 0,
            slot: 0,
            identity: identity.to_string(),
            artist_ids: Vec::new(),
            track: NewTrack::builder("Song", &["A"])
                .spotify_id(identity)
                .build(),
        };
        let names = ["d", "a", "e", "c", "b", "f", "a2"];
        let mut tracks: Vec<PendingTrack> = names.iter().map(|n| pending(n)).collect();
        sort_by_identity(&mut tracks);
        let sorted: Vec<&str> = tracks.iter().map(|t| t.identity.as_str()).collect();
        assert_eq!(sorted, ["a", "a2", "b", "c", "d", "e", "f"]);
    }
}
