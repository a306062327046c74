//! Reads what the matching index needs from `tracks` (and the main artist from
//! `track_artists`) in one narrow query, streamed row by row into the index builder, so
//! a million tracks load without a million-row intermediate copy.

use diesel::{dsl::count_star, prelude::*};

use super::schema::{track_artists, tracks};
use crate::{
    catalog::AudioFeatures,
    matching::{FeatureIndex, FeatureIndexBuilder, IndexedTrack},
};

type Row = (
    i32,
    (f64, f64, f64, f64, f64, f64, f64, f64, f64),
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<bool>,
    Option<i32>,
);

/// Builds the matching index from every track in the database.
pub fn load_index(conn: &mut SqliteConnection) -> QueryResult<FeatureIndex> {
    let expected: i64 = tracks::table.select(count_star()).first(conn)?;
    let mut builder = FeatureIndexBuilder::with_capacity(usize::try_from(expected).unwrap_or(0));
    let rows = tracks::table
        .left_join(
            track_artists::table.on(track_artists::track_id
                .eq(tracks::id)
                .and(track_artists::position.eq(0))),
        )
        .select((
            tracks::id,
            (
                tracks::danceability,
                tracks::energy,
                tracks::acousticness,
                tracks::instrumentalness,
                tracks::valence,
                tracks::speechiness,
                tracks::liveness,
                tracks::tempo,
                tracks::loudness,
            ),
            tracks::popularity,
            tracks::genre,
            tracks::release_year,
            tracks::explicit,
            track_artists::artist_id.nullable(),
        ))
        .load_iter::<Row, diesel::connection::DefaultLoadingMode>(conn)?;
    for row in rows {
        let (id, f, popularity, genre, release_year, explicit, main_artist) = row?;
        let features = AudioFeatures {
            danceability: f.0,
            energy: f.1,
            acousticness: f.2,
            instrumentalness: f.3,
            valence: f.4,
            speechiness: f.5,
            liveness: f.6,
            tempo: f.7,
            loudness: f.8,
        };
        builder.push(&IndexedTrack {
            id,
            features,
            popularity,
            genre: genre.as_deref(),
            release_year,
            explicit,
            main_artist,
        });
    }
    Ok(builder.finish())
}
