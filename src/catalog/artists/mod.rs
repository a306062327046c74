//! Artists as the app presents them: the per-artist aggregates computed at import, an
//! in-memory search index over them (suggestions, name resolution, "did you mean"),
//! nearest artists by average sound, comparison rules and per-feature distributions.
//! Nothing in here knows about HTTP or SQL.

pub mod compare;
pub mod distribution;
pub mod index;
pub mod similarity;
pub mod summary;
pub mod tracks;
pub mod vector;

pub use compare::{resolve_selection, FieldProblem, SelectionProblem, MAX_COMPARED, MIN_COMPARED};
pub use index::{ArtistIndex, MatchKind, Resolution, Suggestion};
pub use similarity::{FeatureGap, SimilarArtist};
pub use summary::{tracks_label, year_span, ArtistSummary, GenreCount, FEW_TRACKS};
pub use tracks::{SortKey, TrackSort};
pub use vector::SIMILARITY_FEATURES;
