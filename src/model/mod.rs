//! The catalog's vocabulary: the plain values that the domain computes with and `db/`
//! stores. The audio features, a track as it enters the catalog with its keys, an
//! artist's stored aggregates, and how artist names fold into keys. It sits below
//! `db/`, so that the database can read and write these values without naming the
//! domain above it (DESIGN.md §2). Nothing here does I/O or knows HTTP or SQL.

pub mod artist;
pub mod artist_names;
pub mod feature;
pub mod fingerprint;
pub mod track;

pub use feature::{AudioFeatures, Feature};
pub use track::{genre_key, ArtistKeys, GenreTag, NewTrack, TrackKeys};
