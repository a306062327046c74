//! The domain of matching: an in-memory index of every track's scaled features and an
//! exact k-nearest-neighbour search over it (DESIGN section 6). No HTTP and no SQL in
//! here: `db::track_features` loads the index, the catalog snapshot holds it, and the
//! perfect-song page calls `FeatureIndex::search` with a `MatchSettings`.
//!
//! - `keys`: the settings' form and query-string names, listed once.
//! - `settings`: what a request asks for, its defaults, JSON form, URL form and checks.
//! - `index`: the fixed-point store, in leaves and groups ordered by a k-d tree build,
//!   with their bounding boxes and filter summaries.
//! - `query`: settings turned into the scan's terms; the exact distance key, its fast
//!   forms and their bounds.
//! - `search`: the best-first walk and the brute-force scan it must equal.
//! - `topk`: the k best so far, with the per-artist cap.
//! - `outcome`: matches explained, similarity, and why a search came back empty.

pub mod attributes;
mod count;
mod distinct;
pub mod error;
pub mod filter_words;
pub mod index;
pub mod keys;
pub mod outcome;
pub mod profile_name;
mod query;
mod search;
pub mod seeds;
pub mod settings;
mod topk;

pub use error::{InvalidSettings, MatchError};
pub use index::{FeatureIndex, FeatureIndexBuilder, IndexedTrack, SampleTrack};
pub use outcome::{
    EmptyBecause, FeatureDifference, FilterStep, Funnel, MatchOutcome, NoMatch, TrackMatch,
};
pub use settings::{FeatureRange, Filters, MatchSettings, Metric};

#[cfg(test)]
mod tests;
