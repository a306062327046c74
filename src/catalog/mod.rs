//! The domain of the music catalog: audio features, tracks as they enter the catalog,
//! and the summary of what is loaded. Nothing in here knows about HTTP.

pub mod artists;
pub mod compare;
pub mod demo;
pub mod facts;
pub mod feature;
pub mod fingerprint;
pub mod genres;
pub mod import;
pub mod live;
pub mod musical_key;
pub mod rng;
pub mod search_query;
pub mod snapshot;
pub mod track;
pub mod versions;

pub use feature::{AudioFeatures, Feature};
pub use track::{genre_key, ArtistKeys, GenreTag, NewTrack, TrackKeys};
