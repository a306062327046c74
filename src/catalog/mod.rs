//! The domain of the music catalog: audio features, tracks as they enter the catalog,
//! and the summary of what is loaded. Nothing in here knows about HTTP.

pub mod albums;
pub mod artists;
pub mod candidates;
pub mod compare;
pub mod demo;
pub mod exact_ranges;
pub mod facts;
mod facts_sink;
pub mod genre_tracks;
pub mod genres;
pub mod import;
pub mod live;
pub mod musical_key;
pub mod rng;
pub mod search_query;
pub mod snapshot;
pub mod spotify_links;
pub mod track_terms;
pub mod versions;

// The vocabulary lives below `db/` (`model`); the domain's users name it from here.
pub use crate::model::{
    genre_key, ArtistKeys, AudioFeatures, Feature, GenreTag, NewTrack, TrackKeys,
};
