//! The API's track search with Spotify's field filters: the tracks that meet every
//! condition of a query (title, credited artist, album, genre, year), most popular
//! first, on either backend; and the artists credited on such tracks, for an artist
//! search with track filters. The API reads the query (`catalog::search_query`) and
//! hands the conditions in already folded.
//!
//! Titles and albums are matched as the seed box's title search is
//! (`api_catalog::track_ids_titled`), case and Latin accents aside (`folded_text`). Artist
//! names are matched on their stored search key (folded the same way). The genre column
//! is matched with each backend's case-ignoring `LIKE`: SQLite's ignores ASCII case by
//! itself, PostgreSQL's needs `lower` on both sides.

use diesel::{dsl::count_star, prelude::*};

use super::{
    api_catalog::{contains_pattern, like_literal, lower, most_popular_first},
    folded_text::{contains_folded, TrackText},
    schema::{artists, genres, track_artists, track_genres, tracks},
};

diesel::define_sql_function! {
    /// `lower` of a column that may be NULL (album, genre).
    #[sql_name = "lower"]
    fn lower_nullable(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// What a track must meet: every entry of every list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackConditions {
    /// Texts the title contains.
    pub title: Vec<String>,
    /// Artist search keys (`artists::names::artist_search_key` folding), each contained
    /// in the key of one of the track's credited artists (not necessarily the same one:
    /// `artist:a artist:b` finds their collaborations).
    pub artist: Vec<String>,
    /// Texts the album title contains.
    pub album: Vec<String>,
    /// Genre keys (`catalog::genre_key`), each one of the track's genres or subgenres.
    pub genre: Vec<String>,
    /// Inclusive year ranges the release year is in; a track without one is in none.
    pub years: Vec<(i32, i32)>,
}

/// The tracks meeting `$conditions` as a boxed query for `$c`'s backend, as `$matching`
/// in `$query`. The text tests differ per backend (see the module comment); the rest
/// is the same SQL.
macro_rules! on_matching {
    ($conn:expr, $conditions:expr, |$matching:ident, $c:ident| $query:expr) => {
        match $conn {
            crate::db::DbConnection::Sqlite($c) => {
                let $matching = matching!($conditions, |p| tracks::genre.like(p).escape('\\'));
                $query
            }
            crate::db::DbConnection::Pg($c) => {
                let $matching = matching!($conditions, |p| lower_nullable(tracks::genre)
                    .like(lower(p).nullable())
                    .escape('\\'));
                $query
            }
        }
    };
}

/// The boxed query of `on_matching!`, given each backend's case-ignoring `LIKE` on the
/// (first) genre column. Titles and albums are matched with case and Latin accents
/// folded (`folded_text`), alike on both backends.
macro_rules! matching {
    ($conditions:expr, |$g:ident| $genre:expr) => {{
        let conditions: &TrackConditions = $conditions;
        let mut query = tracks::table.into_boxed();
        for text in &conditions.title {
            query = query.filter(contains_folded(TrackText::Title, text));
        }
        for text in &conditions.album {
            query = query.filter(contains_folded(TrackText::Album, text));
        }
        for key in &conditions.artist {
            query = query.filter(
                tracks::id.eq_any(
                    track_artists::table
                        .inner_join(artists::table)
                        .filter(artists::search_key.like(contains_pattern(key)).escape('\\'))
                        .select(track_artists::track_id),
                ),
            );
        }
        for key in &conditions.genre {
            // Any linked genre or subgenre by that name; `tracks.genre` (the first
            // genre) too, for catalogs written without links.
            let $g = like_literal(key);
            query = query.filter(
                tracks::id
                    .eq_any(
                        track_genres::table
                            .inner_join(genres::table)
                            .filter(genres::name_key.eq(key.clone()))
                            .select(track_genres::track_id),
                    )
                    .or($genre.assume_not_null()),
            );
        }
        for &(from, to) in &conditions.years {
            query = query.filter(tracks::release_year.between(from, to));
        }
        query
    }};
}

/// Tracks meeting `conditions`, most popular first: (total meeting them, the ids of one
/// page). A page that ends before `limit` already says how many match, so the count
/// (a second pass over the tracks) runs only after a full page, or past the last match.
pub fn search_track_ids(
    conn: &mut crate::db::DbConnection,
    conditions: &TrackConditions,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<i32>)> {
    let ids: Vec<i32> = on_matching!(conn, conditions, |matching, c| matching
        .order(most_popular_first())
        .select(tracks::id)
        .limit(limit)
        .offset(offset)
        .load(c))?;
    let seen = ids.len() as i64;
    if seen < limit && (seen > 0 || offset == 0) {
        return Ok((offset + seen, ids));
    }
    let total: i64 = on_matching!(conn, conditions, |matching, c| matching
        .select(count_star())
        .first(c))?;
    Ok((total, ids))
}

/// The artists credited on at least one track meeting `conditions`, each once.
pub fn artists_credited_on(
    conn: &mut crate::db::DbConnection,
    conditions: &TrackConditions,
) -> QueryResult<Vec<i32>> {
    on_matching!(conn, conditions, |matching, c| track_artists::table
        .filter(track_artists::track_id.eq_any(matching.select(tracks::id)))
        .select(track_artists::artist_id)
        .distinct()
        .load(c))
}
