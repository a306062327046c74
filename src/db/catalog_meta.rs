//! Queries on `catalog_meta` (the one row that describes the loaded catalog) and on the
//! aggregate views of the catalog the home page shows.

use diesel::prelude::*;

use super::{
    features::audio_feature_columns,
    schema::{artists, catalog_meta, genres, tracks},
};
use crate::model::AudioFeatures;

/// Where the loaded catalog came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Empty,
    Demo,
    Import,
}

impl SourceKind {
    fn as_str(self) -> &'static str {
        match self {
            SourceKind::Empty => "empty",
            SourceKind::Demo => "demo",
            SourceKind::Import => "import",
        }
    }

    fn parse(value: &str) -> SourceKind {
        match value {
            "demo" => SourceKind::Demo,
            "import" => SourceKind::Import,
            _ => SourceKind::Empty,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = catalog_meta)]
struct MetaRow {
    source_kind: String,
    source_name: String,
    updated_at: i64,
    version: i64,
    track_count: i64,
    artist_count: i64,
    genre_count: i64,
    min_year: Option<i32>,
    max_year: Option<i32>,
}

/// The description of the loaded catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogMeta {
    pub source_kind: SourceKind,
    /// File name of the import, or the demo catalog's label.
    pub source_name: String,
    /// Unix seconds of the last change.
    pub updated_at: i64,
    /// Changes on every import; servers compare it to notice new data.
    pub version: i64,
    pub track_count: i64,
    pub artist_count: i64,
    pub genre_count: i64,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

impl CatalogMeta {
    /// Whether any track has a release year: without, no page offers a year to choose,
    /// sort or read ("Released: unknown" on every row).
    pub fn has_years(&self) -> bool {
        self.min_year.is_some()
    }
}

pub fn load(conn: &mut crate::db::DbConnection) -> QueryResult<CatalogMeta> {
    crate::db::with_backend!(conn, conn => {
    let row: MetaRow = catalog_meta::table
        .find(1)
        .select(MetaRow::as_select())
        .first(conn)?;
    Ok(CatalogMeta {
        source_kind: SourceKind::parse(&row.source_kind),
        source_name: row.source_name,
        updated_at: row.updated_at,
        version: row.version,
        track_count: row.track_count,
        artist_count: row.artist_count,
        genre_count: row.genre_count,
        min_year: row.min_year,
        max_year: row.max_year,
    })
    })
}

/// Only the version: cheap enough to poll every few seconds.
pub fn version(conn: &mut crate::db::DbConnection) -> QueryResult<i64> {
    crate::db::with_backend!(conn, conn => {
    catalog_meta::table
        .find(1)
        .select(catalog_meta::version)
        .first(conn)
    })
}

/// Whether the catalog holds any track: whether there is a row, not how many (counting
/// reads every page of an index, 70-100 ms of each start at 1.2M tracks).
pub fn has_tracks(conn: &mut crate::db::DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tracks::table.select(tracks::id))).get_result(conn)
}

/// How many artists the catalog holds.
pub fn artist_count(conn: &mut crate::db::DbConnection) -> QueryResult<i64> {
    artists::table.count().get_result(conn)
}

/// The first and last release year of the catalog's tracks (`None` when no track has one).
pub type YearSpan = (Option<i32>, Option<i32>);

/// Recomputes the counts from the tables and records the new source; bumps the version.
/// Call inside the transaction that changed the catalog. `known_years` are the tracks'
/// year span when the caller knows it (a load into an empty catalog saw every track):
/// otherwise it takes a scan of the whole tracks table (no index leads by year), 0.13 to
/// 0.23 s at a million tracks.
pub fn refresh(
    conn: &mut crate::db::DbConnection,
    kind: SourceKind,
    source_name: &str,
    now: i64,
    known_years: Option<YearSpan>,
) -> QueryResult<()> {
    let old_version = version(conn)?;
    crate::db::with_backend!(conn, conn => {
    let track_count: i64 = tracks::table.count().get_result(conn)?;
    let artist_count: i64 = artists::table
        .filter(artists::track_count.gt(0))
        .count()
        .get_result(conn)?;
    // Genres, not subgenres.
    let genre_count: i64 = genres::table
        .filter(genres::parent_id.is_null())
        .count()
        .get_result(conn)?;
    let (min_year, max_year): YearSpan = match known_years {
        Some(years) => years,
        None => tracks::table
            .select((
                diesel::dsl::min(tracks::release_year),
                diesel::dsl::max(tracks::release_year),
            ))
            .first(conn)?,
    };
    // Time-based so that two databases never reuse a version after a restore, and
    // strictly increasing even when two imports land within the same second.
    let new_version = (now.max(0) * 1000).max(old_version + 1);
    diesel::update(catalog_meta::table.find(1))
        .set((
            catalog_meta::source_kind.eq(kind.as_str()),
            catalog_meta::source_name.eq(source_name),
            catalog_meta::updated_at.eq(now),
            catalog_meta::version.eq(new_version),
            catalog_meta::track_count.eq(track_count),
            catalog_meta::artist_count.eq(artist_count),
            catalog_meta::genre_count.eq(genre_count),
            catalog_meta::min_year.eq(min_year),
            catalog_meta::max_year.eq(max_year),
            // Whatever changed the catalog, it no longer holds just the last import.
            catalog_meta::import_digest.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
    })
}

/// The digest of the import the catalog holds (`catalog::import::digest`), if its last
/// change was an import that recorded one.
pub fn import_digest(conn: &mut crate::db::DbConnection) -> QueryResult<Option<String>> {
    crate::db::with_backend!(conn, conn => {
    catalog_meta::table
        .find(1)
        .select(catalog_meta::import_digest)
        .first(conn)
    })
}

/// Records the digest of the import that just changed the catalog: call it after
/// `refresh`, in the same transaction.
pub fn record_import_digest(conn: &mut crate::db::DbConnection, digest: &str) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    diesel::update(catalog_meta::table.find(1))
        .set(catalog_meta::import_digest.eq(digest))
        .execute(conn)?;
    Ok(())
    })
}

/// The whole catalog's average of every audio feature (zeros when empty), in one scan.
/// (The snapshot sums them while reading the tracks; this is the SQL it must agree with.)
pub fn average_features(conn: &mut crate::db::DbConnection) -> QueryResult<AudioFeatures> {
    crate::db::with_backend!(conn, conn => {
    macro_rules! averages {
        (; $($variant:ident $column:ident $avg:ident,)*) => {
            ($(diesel::dsl::avg(tracks::$column),)*)
        };
    }
    macro_rules! or_zero {
        ($row:expr; $($variant:ident $column:ident $avg:ident,)*) => {{
            let ($($column,)*) = $row;
            AudioFeatures { $($column: $column.unwrap_or(0.0),)* }
        }};
    }
    let row: Averages = tracks::table
        .select(audio_feature_columns!(averages))
        .first(conn)?;
    Ok(audio_feature_columns!(or_zero; row))
    })
}

/// `AVG` of each audio feature, `None` over no tracks.
type Averages = (
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);
