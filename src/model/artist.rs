//! An artist as stored: the aggregates computed at import, owned (`ArtistSummary`) or
//! borrowed from the row being read (`ArtistRecord`), the genres their tracks carry,
//! and the orders an artist's tracks can be listed in. What they mean, and how they are
//! labelled, is `catalog::artists`'.

use super::{AudioFeatures, Feature};

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

/// A genre and how many of an artist's tracks carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreCount {
    pub genre: String,
    pub tracks: i64,
}

/// One artist as stored, borrowed from the row it was read from (the artist index's
/// `ArtistRecords` keeps it).
pub struct ArtistRecord<'a> {
    pub id: i32,
    pub name: &'a str,
    pub name_key: &'a str,
    pub search_key: &'a str,
    pub track_count: i32,
    pub averages: AudioFeatures,
    pub avg_popularity: Option<f64>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

/// What the track list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Release year (tracks without one last).
    Year,
    /// Title, alphabetically.
    Name,
    /// Any feature, popularity included (tracks without a value last).
    Feature(Feature),
}

/// A sort key and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackSort {
    pub key: SortKey,
    pub descending: bool,
}
