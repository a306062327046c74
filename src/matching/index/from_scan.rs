//! The matching index is built from the database's read of the tracks
//! (`db::track_features`), which hands each track to the builder as it goes by.

use super::{FeatureIndexBuilder, IndexedTrack};
use crate::db::track_features::{ScannedTrack, TrackSink};

impl TrackSink for FeatureIndexBuilder {
    fn with_capacity(tracks: usize) -> Self {
        FeatureIndexBuilder::with_capacity(tracks)
    }

    fn push(&mut self, track: &ScannedTrack<'_>) {
        let indexed = IndexedTrack {
            id: track.id,
            features: track.features,
            popularity: track.popularity,
            genre: track.genre,
            release_year: track.release_year,
            explicit: track.explicit,
            main_artist: track.main_artist,
        };
        if track.linked_genres.is_empty() {
            // No genre links (a catalog written without them): the one genre column.
            FeatureIndexBuilder::push(self, &indexed);
        } else {
            self.push_with_genres(&indexed, track.linked_genres);
        }
    }

    fn append(&mut self, later: Self) {
        FeatureIndexBuilder::append(self, later);
    }
}
