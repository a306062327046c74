//! One artist as the app presents them: the aggregates computed at import, and how they
//! are labelled.

pub use crate::model::artist::{ArtistSummary, GenreCount};
use crate::model::Feature;

/// Below this many tracks an artist's averages are flagged as resting on few tracks.
pub const FEW_TRACKS: i32 = 5;

// The type is `model`'s, so that `db/` can read it; what it means is the domain's.
impl ArtistSummary {
    /// The artist's average of any feature, popularity included.
    pub fn value(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::Popularity => self.avg_popularity,
            other => self.averages.get(other),
        }
    }

    /// "1998–2020", "2020" or "unknown".
    pub fn year_span(&self) -> String {
        year_span(self.min_year, self.max_year)
    }

    /// True when the averages rest on so few tracks that they say little.
    pub fn rests_on_few_tracks(&self) -> bool {
        self.track_count < FEW_TRACKS
    }
}

/// "1998–2020", "2020" or "unknown".
pub fn year_span(min: Option<i32>, max: Option<i32>) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "unknown".to_string(),
    }
}

/// "1 track", "12 tracks", "5,507 tracks".
pub fn tracks_label(n: i64) -> String {
    crate::decimal::counted(n, "track")
}
