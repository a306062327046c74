//! Tempo and loudness bounds checked on stored values where the matching index holds a
//! track at its range's end (see `ExactRanges`).

use std::{collections::HashMap, sync::Arc};

use crate::{catalog::Feature, db::track_features::BeyondRange, matching::FeatureRange};

/// Range bounds on tempo or loudness that the index cannot check for every track. It
/// holds a value beyond the sliders' range at the range's end, so the page's
/// `max_loudness=0` kept a track at +1.3 dB and `min_loudness=1` kept one at +0.3 dB.
/// The few tracks at or beyond an end (6 of TidyTuesday's 28,352 are louder than 0 dB)
/// are checked by their stored values; the index checks every other one exactly. The
/// page and the API's `/recommendations` both filter through this.
pub struct ExactRanges {
    ranges: Vec<(Feature, FeatureRange)>,
    stored: Arc<HashMap<i32, BeyondRange>>,
}

impl ExactRanges {
    /// The bounds of `ranges` the index cannot check for every track: those on a
    /// feature whose accepted values reach past the index's range. None: the stored
    /// values need not be read.
    pub fn needed(
        ranges: impl IntoIterator<Item = (Feature, FeatureRange)>,
    ) -> Vec<(Feature, FeatureRange)> {
        ranges
            .into_iter()
            .filter(|(f, range)| f.accepted_range() != f.range() && !range.is_open())
            .collect()
    }

    /// `ranges` (`needed`'s) checked against `stored`, the stored values of the tracks
    /// at or beyond the index's range ends.
    pub fn new(
        ranges: Vec<(Feature, FeatureRange)>,
        stored: Arc<HashMap<i32, BeyondRange>>,
    ) -> ExactRanges {
        ExactRanges { ranges, stored }
    }

    /// Whether track `id` lies within the bounds by its stored values (a track within
    /// the index's range is the index's to check).
    pub fn admits(&self, id: i32) -> bool {
        let Some(stored) = self.stored.get(&id) else {
            return true;
        };
        self.ranges.iter().all(|(feature, range)| match feature {
            Feature::Tempo => range.admits(stored.tempo),
            Feature::Loudness => range.admits(stored.loudness),
            _ => true,
        })
    }
}
