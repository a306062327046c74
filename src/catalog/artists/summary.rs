//! One artist as the app presents them: the aggregates computed at import, and how they
//! are labelled.

use crate::catalog::feature::{AudioFeatures, Feature};

/// Below this many tracks an artist's averages are flagged as resting on few tracks.
pub const FEW_TRACKS: i32 = 5;

/// One artist with the aggregates stored in the `artists` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtistSummary {
    pub id: i32,
    pub name: String,
    /// Unicode lower case of the name (unique): exact, case-insensitive lookups.
    pub name_key: String,
    /// Lower case with Latin accents folded: what search matches against.
    pub search_key: String,
    pub track_count: i32,
    pub averages: AudioFeatures,
    /// None when none of the artist's tracks has a popularity.
    pub avg_popularity: Option<f64>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

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

/// A genre and how many of an artist's tracks carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreCount {
    pub genre: String,
    pub tracks: i64,
}

/// "1 track", "12 tracks", "5,507 tracks".
pub fn tracks_label(n: i64) -> String {
    crate::decimal::counted(n, "track")
}
