//! What waits in the writer's buffers until a flush, and the order new tracks are
//! written in.

use crate::model::{AudioFeatures, NewTrack};

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

/// An artist of a load into an empty catalog, with the aggregates of its tracks summed
/// in memory (`totals`), as `finish` inserts it.
pub(super) struct ArtistWithTotals {
    pub artist: PendingArtist,
    pub track_count: i32,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
    pub avg_popularity: Option<f64>,
    pub averages: AudioFeatures,
}

/// A genre or subgenre first seen in this load, waiting to be inserted.
pub(super) struct PendingGenre {
    pub id: i32,
    pub name: String,
    pub name_key: String,
    pub parent_id: Option<i32>,
}

/// The first eight bytes of `identity` (zeros after a shorter one) as a big-endian
/// number: two identities compare as these numbers do, unless the numbers are equal.
fn prefix(identity: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let head = &identity.as_bytes()[..identity.len().min(8)];
    bytes[..head.len()].copy_from_slice(head);
    u64::from_be_bytes(bytes)
}

/// Sorts the tracks by identity. A pending track is a few hundred bytes, so the sort
/// orders their positions and then moves each track once, instead of swapping the
/// tracks themselves at every step of the sort.
///
/// Each comparison looks at the identities' first eight bytes first, read as one
/// big-endian number from an array of them (a Spotify id is settled there almost always),
/// and at the whole identities only when those are equal: comparing the strings, through
/// tracks scattered over megabytes, made the sort 3% of an import's CPU (`perf record`).
pub(super) fn sort_by_identity(tracks: &mut [PendingTrack]) {
    let prefixes: Vec<u64> = tracks.iter().map(|p| prefix(&p.identity)).collect();
    let mut order: Vec<usize> = (0..tracks.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        prefixes[a]
            .cmp(&prefixes[b])
            .then_with(|| tracks[a].identity.cmp(&tracks[b].identity))
    });
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
        // Short ones, ones that share their first eight bytes (and differ after them, or
        // only by length), a zero byte, and letters of more than one byte.
        let names = [
            "d",
            "a",
            "e",
            "c",
            "b",
            "f",
            "a2",
            "beyoncé;jay-z|drunk",
            "beyoncé;jay-z|deja",
            "beyoncé",
            "beyonc",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefg",
            "ø|song",
            "z|song",
            "",
        ];
        let mut tracks: Vec<PendingTrack> = names.iter().map(|n| pending(n)).collect();
        sort_by_identity(&mut tracks);
        let sorted: Vec<&str> = tracks.iter().map(|t| t.identity.as_str()).collect();
        let mut expected = names.to_vec();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
        assert_eq!(&sorted[..4], ["", "a", "a2", "abcdefg"]);
    }
}
