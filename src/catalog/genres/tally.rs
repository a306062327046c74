//! What the genre statistics gather while the catalog's tracks stream by, so that no
//! track is held whole: each genre's exact sums (counts, feature and popularity sums,
//! years, decades) as tracks arrive, and, for the spread and the typical tracks, which
//! need every member again, the listed tracks' features narrowed to `f32` in columns.
//!
//! At 1,032,707 tracks in two genres each, holding every `GenreTrack` (100 bytes) took
//! 102 MB and the genre build peaked about 200 MB above the server's resident size;
//! these columns take 48 bytes a listed track.

use super::{
    decades::{DecadeSums, FeatureSums},
    GenreTrack,
};
use crate::catalog::{AudioFeatures, Feature};

/// No artist, or no popularity, in the `i32` columns (artist ids start at 1; popularity
/// is 0–100).
const NONE: i32 = i32::MIN;

/// The tracks some genre lists, one entry per track, in the order they came.
#[derive(Debug, Clone, Default)]
pub(super) struct ListedTracks {
    ids: Vec<i32>,
    /// The main artist, or `NONE`.
    artists: Vec<i32>,
    /// Popularity, or `NONE`.
    popularity: Vec<i32>,
    features: Vec<[f32; Feature::AUDIO.len()]>,
}

impl ListedTracks {
    pub(super) fn with_capacity(n: usize) -> ListedTracks {
        ListedTracks {
            ids: Vec::with_capacity(n),
            artists: Vec::with_capacity(n),
            popularity: Vec::with_capacity(n),
            features: Vec::with_capacity(n),
        }
    }

    /// Keeps `track`; returns its position.
    pub(super) fn push(&mut self, track: &GenreTrack) -> u32 {
        let position = self.ids.len() as u32;
        self.ids.push(track.id);
        self.artists.push(track.artist.unwrap_or(NONE));
        self.popularity.push(track.popularity.unwrap_or(NONE));
        self.features
            .push(Feature::AUDIO.map(|f| track.features.get(f).unwrap_or(0.0) as f32));
        position
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(super) fn id(&self, at: u32) -> i32 {
        self.ids[at as usize]
    }

    pub(super) fn artist(&self, at: u32) -> Option<i32> {
        Some(self.artists[at as usize]).filter(|&a| a != NONE)
    }

    pub(super) fn popularity(&self, at: u32) -> Option<i32> {
        Some(self.popularity[at as usize]).filter(|&p| p != NONE)
    }

    /// The nine audio features, in `Feature::AUDIO` order.
    pub(super) fn features(&self, at: u32) -> &[f32; Feature::AUDIO.len()] {
        &self.features[at as usize]
    }
}

/// One genre's running totals.
#[derive(Debug, Clone, Default)]
pub(super) struct GenreTally {
    /// Exact: from the `f64` values.
    sums: FeatureSums,
    years: Option<(i32, i32)>,
    pub(super) decades: DecadeSums,
    /// Positions in `ListedTracks` of the genre's tracks.
    pub(super) members: Vec<u32>,
}

impl GenreTally {
    pub(super) fn add(&mut self, track: &GenreTrack, position: u32) {
        self.sums.add(&track.features, track.popularity);
        if let Some(y) = track.year {
            self.years = Some(self.years.map_or((y, y), |(lo, hi)| (lo.min(y), hi.max(y))));
        }
        self.decades
            .add(track.year, &track.features, track.popularity);
        self.members.push(position);
    }

    pub(super) fn track_count(&self) -> usize {
        self.members.len()
    }

    pub(super) fn average(&self) -> AudioFeatures {
        self.sums.average()
    }

    pub(super) fn avg_popularity(&self) -> Option<f64> {
        self.sums.avg_popularity()
    }

    /// (first, last) release year.
    pub(super) fn years(&self) -> Option<(i32, i32)> {
        self.years
    }
}
