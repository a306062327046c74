//! Queries on `artists` and on an artist's tracks: lookups, the rows the search index is
//! built from, the sorted and paginated track list, the values behind the per-feature
//! distributions and the top genres.

use std::collections::HashMap;

use diesel::{
    dsl::count_star,
    prelude::*,
    sql_types::{Double, Nullable},
};

use super::{
    features::{audio_feature_columns, features_from_averages, features_from_fields},
    folded_text,
    one_of::one_of,
    schema::{artists, genres, track_artists, track_genres, tracks},
};
use crate::model::{
    artist::{ArtistRecord, ArtistSummary, GenreCount, SortKey, TrackSort},
    AudioFeatures, Feature,
};

// Lets `top_genres` group by an artist and a genre at once.
diesel::allow_columns_to_appear_in_same_group_by_clause!(track_artists::artist_id, genres::name);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = artists)]
struct ArtistRow {
    id: i32,
    name: String,
    name_key: String,
    search_key: String,
    track_count: i32,
    avg_danceability: f64,
    avg_energy: f64,
    avg_acousticness: f64,
    avg_instrumentalness: f64,
    avg_valence: f64,
    avg_speechiness: f64,
    avg_liveness: f64,
    avg_tempo: f64,
    avg_loudness: f64,
    avg_popularity: Option<f64>,
    min_year: Option<i32>,
    max_year: Option<i32>,
}

impl From<ArtistRow> for ArtistSummary {
    fn from(row: ArtistRow) -> Self {
        ArtistSummary {
            id: row.id,
            name: row.name,
            name_key: row.name_key,
            search_key: row.search_key,
            track_count: row.track_count,
            averages: audio_feature_columns!(features_from_averages; row),
            avg_popularity: row.avg_popularity.map(crate::db::features::settled),
            min_year: row.min_year,
            max_year: row.max_year,
        }
    }
}

/// Every artist with at least one track, in id order, handed to what `start` makes for
/// that many artists (the search index's columns, which keep no string of their own
/// per artist); and the search order (search key, then more tracks, then id) as the
/// positions, among those handed over, of the first artist, the second and so on.
pub fn all_with_tracks<S>(
    conn: &mut crate::db::DbConnection,
    start: impl FnOnce(usize) -> S,
    mut keep: impl FnMut(&mut S, ArtistRecord<'_>),
) -> QueryResult<(S, Vec<u32>)> {
    crate::db::with_backend!(conn, conn => {
    // The search-key index already holds that order; reading it (without touching the
    // rows) is much cheaper than sorting the names here.
    let order: Vec<i32> = artists::table
        .select(artists::id)
        .order(artists::search_key)
        .load(conn)?;
    let mut ranks: Vec<(i32, u32)> = order
        .into_iter()
        .enumerate()
        .map(|(rank, id)| (id, rank as u32))
        .collect();
    ranks.sort_unstable();
    let mut records = start(ranks.len());
    let mut record_ranks: Vec<u32> = Vec::with_capacity(ranks.len());
    let mut next_rank = ranks.iter().peekable();
    // A plain table scan in id order, walked alongside the ranks: filtering in SQL made
    // SQLite walk the track-count index and look every row up, twice the cost, and
    // artists without tracks are few.
    for row in artists::table
        .select(ArtistRow::as_select())
        .order(artists::id)
        .load_iter::<ArtistRow, diesel::connection::DefaultLoadingMode>(conn)?
    {
        let row = row?;
        while next_rank.next_if(|(id, _)| *id < row.id).is_some() {}
        if row.track_count <= 0 {
            continue;
        }
        // Every row is in the index; should one not be, it goes last (the index sorts).
        let rank = next_rank
            .next_if(|(id, _)| *id == row.id)
            .map_or(u32::MAX, |&(_, rank)| rank);
        keep(&mut records, ArtistRecord {
            id: row.id,
            name: &row.name,
            name_key: &row.name_key,
            search_key: &row.search_key,
            track_count: row.track_count,
            averages: audio_feature_columns!(features_from_averages; row),
            avg_popularity: row.avg_popularity.map(crate::db::features::settled),
            min_year: row.min_year,
            max_year: row.max_year,
        });
        record_ranks.push(rank);
    }
    drop(ranks);
    let mut order: Vec<u32> = (0..record_ranks.len() as u32).collect();
    order.sort_unstable_by_key(|&i| record_ranks[i as usize]);
    Ok((records, order))
    })
}

pub fn by_id(conn: &mut crate::db::DbConnection, id: i32) -> QueryResult<Option<ArtistSummary>> {
    crate::db::with_backend!(conn, conn => {
    artists::table
        .find(id)
        .select(ArtistRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(ArtistSummary::from))
    })
}

/// By `artist_name_key` (Unicode lower case): the case-insensitive exact lookup.
pub fn by_name_key(
    conn: &mut crate::db::DbConnection,
    key: &str,
) -> QueryResult<Option<ArtistSummary>> {
    crate::db::with_backend!(conn, conn => {
    artists::table
        .filter(artists::name_key.eq(key))
        .select(ArtistRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(ArtistSummary::from))
    })
}

/// Mean popularity over every track that has one: the reference beside artists' averages.
/// (The snapshot sums it while reading the tracks; this is the SQL it must agree with.)
pub fn average_track_popularity(conn: &mut crate::db::DbConnection) -> QueryResult<Option<f64>> {
    crate::db::with_backend!(conn, conn => {
    // AVG of an integer column is typed NUMERIC by diesel; ask SQLite for a double.
    tracks::table
        .select(diesel::dsl::sql::<Nullable<Double>>("CAST(AVG(popularity) AS DOUBLE PRECISION)"))
        .first::<Option<f64>>(conn)
    })
}

/// The most frequent genres of each artist's tracks (most tracks first, then A to Z),
/// `per_artist` each, or more where more are tied for the most tracks, in one grouped
/// query. Every genre of a track counts (not subgenres). The ties are kept whole
/// because they are the artist's main genres (`similarity::main_genres`): cut at
/// three, a neighbour with one track in each of edm, latin, r&b and rap lost its rap,
/// and fell behind farther rap artists on a rap artist's page.
pub fn top_genres(
    conn: &mut crate::db::DbConnection,
    artist_ids: &[i32],
    per_artist: usize,
) -> QueryResult<HashMap<i32, Vec<GenreCount>>> {
    crate::db::with_backend!(conn, conn => {
    let rows: Vec<(i32, String, i64)> = track_artists::table
        .inner_join(track_genres::table.on(track_genres::track_id.eq(track_artists::track_id)))
        .inner_join(genres::table.on(genres::id.eq(track_genres::genre_id)))
        .filter(track_artists::artist_id.eq_any(artist_ids))
        .filter(genres::parent_id.is_null())
        .group_by((track_artists::artist_id, genres::name))
        .select((track_artists::artist_id, genres::name, count_star()))
        .load(conn)?;
    let mut out: HashMap<i32, Vec<GenreCount>> = HashMap::new();
    for (artist_id, genre, n) in rows {
        out.entry(artist_id)
            .or_default()
            .push(GenreCount { genre, tracks: n });
    }
    for genres in out.values_mut() {
        genres.sort_by(|a, b| b.tracks.cmp(&a.tracks).then(a.genre.cmp(&b.genre)));
        let most = genres.first().map(|g| g.tracks);
        let tied = genres.iter().take_while(|g| Some(g.tracks) == most).count();
        genres.truncate(per_artist.max(tied));
    }
    Ok(out)
    })
}

/// One of an artist's tracks, as the track list shows it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = tracks)]
pub struct ArtistTrack {
    pub id: i32,
    /// The dataset's Spotify id, when it has one (its CSV's `spotify_id`).
    pub spotify_id: Option<String>,
    pub name: String,
    pub album: Option<String>,
    pub release_year: Option<i32>,
    /// Every genre of the track (not subgenres), the first one the file named first,
    /// comma-separated (`with_every_genre`); read from `tracks.genre`, which holds the
    /// first only, and is all a track without genre links has.
    #[diesel(column_name = genre)]
    pub genres: Option<String>,
    pub popularity: Option<i32>,
    pub tempo: f64,
    pub loudness: f64,
    pub danceability: f64,
    pub energy: f64,
    pub acousticness: f64,
    pub instrumentalness: f64,
    pub valence: f64,
    pub speechiness: f64,
    pub liveness: f64,
}

impl ArtistTrack {
    /// The raw value of any feature (popularity may be missing).
    pub fn value(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::Popularity => self.popularity.map(f64::from),
            other => self.features().get(other),
        }
    }

    pub fn features(&self) -> AudioFeatures {
        let row = self;
        audio_feature_columns!(features_from_fields; row)
    }
}

/// One page of an artist's tracks in the given order; ties broken by track id so pages
/// never overlap or skip.
pub fn tracks_page(
    conn: &mut crate::db::DbConnection,
    artist_id: i32,
    sort: TrackSort,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ArtistTrack>> {
    let title_order = folded_text::title_order_sql(conn)?;
    crate::db::with_backend!(conn, conn => {
    let query = tracks::table
        .inner_join(track_artists::table)
        .filter(track_artists::artist_id.eq(artist_id))
        .select(ArtistTrack::as_select())
        .into_boxed();
    // Rows without a value sort last in both directions.
    macro_rules! by {
        ($column:expr) => {
            if sort.descending {
                query.order_by($column.desc())
            } else {
                query.order_by($column.asc())
            }
        };
        (nullable $column:expr) => {
            if sort.descending {
                query
                    .order_by($column.is_null())
                    .then_order_by($column.desc())
            } else {
                query
                    .order_by($column.is_null())
                    .then_order_by($column.asc())
            }
        };
    }
    macro_rules! by_feature {
        ($feature:expr; $($variant:ident $column:ident $avg:ident,)*) => {
            match $feature {
                Feature::Popularity => by!(nullable tracks::popularity),
                $(Feature::$variant => by!(tracks::$column),)*
            }
        };
    }
    let title = diesel::dsl::sql::<diesel::sql_types::Text>(title_order);
    let query = match sort.key {
        SortKey::Name => by!(title),
        SortKey::Year => by!(nullable tracks::release_year),
        SortKey::Feature(feature) => audio_feature_columns!(by_feature; feature),
    };
    query
        .then_order_by(tracks::id.asc())
        .offset(offset)
        .limit(limit)
        .load(conn)
    })
    .and_then(|rows| with_every_genre(conn, rows))
}

/// The tracks with every genre they are linked to in `genres`: `tracks.genre` holds the
/// first only, and the table and its CSV showed Ed Sheeran's "Shape of You" as pop
/// where the artist's header counted it under pop, r&b and edm too.
fn with_every_genre(
    conn: &mut crate::db::DbConnection,
    mut rows: Vec<ArtistTrack>,
) -> QueryResult<Vec<ArtistTrack>> {
    let ids: Vec<i32> = rows.iter().map(|t| t.id).collect();
    let links: Vec<(i32, String)> = crate::db::with_backend!(conn, conn => {
        track_genres::table
            .inner_join(genres::table.on(genres::id.eq(track_genres::genre_id)))
            .filter(one_of(track_genres::track_id, &ids))
            .filter(genres::parent_id.is_null())
            .select((track_genres::track_id, genres::name))
            .load(conn)
    })?;
    let mut by_track: HashMap<i32, Vec<String>> = HashMap::new();
    for (track, genre) in links {
        by_track.entry(track).or_default().push(genre);
    }
    for row in &mut rows {
        let Some(mut names) = by_track.remove(&row.id) else {
            continue;
        };
        crate::model::track::genres_in_listing_order(&mut names, row.genres.as_deref());
        row.genres = Some(names.join(", "));
    }
    Ok(rows)
}

/// Every track of the artist (for the per-feature distributions), unordered.
pub fn all_tracks(
    conn: &mut crate::db::DbConnection,
    artist_id: i32,
) -> QueryResult<Vec<ArtistTrack>> {
    crate::db::with_backend!(conn, conn => {
    tracks::table
        .inner_join(track_artists::table)
        .filter(track_artists::artist_id.eq(artist_id))
        .select(ArtistTrack::as_select())
        .load(conn)
    })
}
