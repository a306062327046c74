//! An immutable, in-memory picture of the loaded catalog, rebuilt whenever the catalog
//! version changes. Pages read it instead of querying aggregates on every request.

use std::sync::Arc;

use diesel::SqliteConnection;

use super::{artists::ArtistIndex, feature::AudioFeatures};
use crate::db::catalog_meta::{self, CatalogMeta, SourceKind};
use crate::matching::FeatureIndex;

#[derive(Debug, Clone)]
pub struct CatalogSnapshot {
    pub meta: CatalogMeta,
    /// The whole catalog's average audio features.
    pub average: AudioFeatures,
    /// Every track's scaled features, for the perfect-song search.
    pub features: Arc<FeatureIndex>,
    /// Artist search, name resolution and similarity, over the artists of this version.
    pub artists: Arc<ArtistIndex>,
}

impl CatalogSnapshot {
    pub fn load(conn: &mut SqliteConnection) -> diesel::QueryResult<CatalogSnapshot> {
        // Timed part by part: this is most of a large catalog's start-up time.
        let started = std::time::Instant::now();
        let meta = catalog_meta::load(conn)?;
        let average = catalog_meta::average_features(conn)?;
        let average_ms = started.elapsed().as_millis() as u64;
        let features = Arc::new(crate::db::track_features::load_index(conn)?);
        let features_ms = started.elapsed().as_millis() as u64 - average_ms;
        let artists = Arc::new(ArtistIndex::new(
            crate::db::artists::all_with_tracks(conn)?,
            crate::db::artists::average_track_popularity(conn)?,
        ));
        let artists_ms = started.elapsed().as_millis() as u64 - average_ms - features_ms;
        tracing::info!(
            tracks = meta.track_count,
            artists = meta.artist_count,
            average_ms,
            features_ms,
            artists_ms,
            "catalog snapshot loaded"
        );
        Ok(CatalogSnapshot {
            meta,
            average,
            features,
            artists,
        })
    }

    pub fn is_demo(&self) -> bool {
        self.meta.source_kind == SourceKind::Demo
    }

    pub fn is_empty(&self) -> bool {
        self.meta.track_count == 0
    }

    /// "1998–2020", "2020" or "unknown".
    pub fn year_span(&self) -> String {
        match (self.meta.min_year, self.meta.max_year) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "unknown".to_string(),
        }
    }
}
