//! An immutable, in-memory picture of the loaded catalog, rebuilt whenever the catalog
//! version changes. Pages read it instead of querying aggregates on every request.
//!
//! Loading is most of a large catalog's start-up time, so the two big parts are read at
//! once on two connections: the tracks (matching index and catalog averages, in one
//! pass) and the artists (search index). Each reads in its own transaction and notes
//! the catalog version it saw; if an import committed in between, the parts are thrown
//! away and read again, and after a few tries everything is read in one transaction.
//!
//! Before any of that, the snapshot file (`file`) is tried: the same indexes as last
//! built for this catalog version, read back as arrays. After a build from the database
//! the file is written anew, so only the first start after an import (or an upgrade)
//! builds.

pub(crate) mod file;

pub use file::CacheFiles;

use std::{sync::Arc, time::Instant};

use crate::db::{self, DbConnection};

use super::artists::{index::ArtistRecords, ArtistIndex};
use crate::db::catalog_meta::{self, CatalogMeta, SourceKind};
use crate::db::track_features::{self, TrackScan};
use crate::matching::{FeatureIndex, FeatureIndexBuilder};
use crate::model::AudioFeatures;

#[derive(Debug, Clone)]
pub struct CatalogSnapshot {
    pub meta: CatalogMeta,
    /// The whole catalog's average audio features.
    pub average: AudioFeatures,
    /// Every track's scaled features, for the perfect-song search.
    pub features: Arc<FeatureIndex>,
    /// Artist search, name resolution and similarity, over the artists of this version.
    pub artists: Arc<ArtistIndex>,
    pub origin: SnapshotOrigin,
}

/// Where a snapshot's indexes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotOrigin {
    /// Built from the catalog's rows.
    Database,
    /// Read back from the snapshot file written after an earlier build (`file`).
    File,
}

/// What the tracks side reads: the description and every track, at one version.
struct TracksPart {
    version: i64,
    meta: CatalogMeta,
    scan: TrackScan<FeatureIndex>,
    millis: u64,
}

/// The artist search index, built from rows read at `version`.
struct ArtistsPart {
    version: i64,
    index: ArtistIndex,
    millis: u64,
}

impl CatalogSnapshot {
    /// Reads the catalog, from the cache file in `cache` when it holds this version.
    pub fn load(
        conn: &mut DbConnection,
        cache: &CacheFiles,
    ) -> diesel::QueryResult<CatalogSnapshot> {
        let started = Instant::now();
        let path = cache.path(conn, &SNAPSHOT_FILE)?;
        if let Some(path) = &path {
            let meta = catalog_meta::load(conn)?;
            if let Some(snapshot) =
                file::read(path, &SNAPSHOT_FILE, &meta, |r| read_indexes(r, &meta))
            {
                tracing::info!(
                    tracks = meta.track_count,
                    artists = meta.artist_count,
                    total_ms = started.elapsed().as_millis() as u64,
                    path = %path.display(),
                    "catalog snapshot read from its file"
                );
                return Ok(snapshot);
            }
        }
        if let Some(files) = crate::db::database_files(conn)? {
            for _attempt in 0..3 {
                // Without a second connection, everything is read on this one.
                let Ok(mut other) = crate::db::open_files(&files) else {
                    break;
                };
                if let Some((tracks, artists)) = load_parts_in_parallel(conn, &mut other)? {
                    let snapshot = CatalogSnapshot::assemble(tracks, artists, started);
                    snapshot.write_file(path);
                    return Ok(snapshot);
                }
            }
        }
        // An in-memory database, no second connection, or imports kept landing between
        // the parts' reads.
        let (tracks, artists) = db::read_transaction(conn, |conn| {
            let tracks = read_tracks(conn)?;
            let artists = read_artists(conn)?;
            Ok::<_, diesel::result::Error>((tracks, artists))
        })?;
        let snapshot = CatalogSnapshot::assemble(tracks, artists, started);
        snapshot.write_file(path);
        Ok(snapshot)
    }

    /// Keeps a copy of this build in the cache file at `path`, if any (in the
    /// background).
    fn write_file(&self, path: Option<std::path::PathBuf>) {
        let Some(path) = path else {
            return;
        };
        let copy = self.clone();
        file::write_in_background(path, &SNAPSHOT_FILE, &self.meta, move |w| {
            write_indexes(w, &copy)
        });
    }

    fn assemble(tracks: TracksPart, artists: ArtistsPart, started: Instant) -> CatalogSnapshot {
        tracing::info!(
            tracks = tracks.meta.track_count,
            artists = tracks.meta.artist_count,
            features_ms = tracks.millis,
            artists_ms = artists.millis,
            total_ms = started.elapsed().as_millis() as u64,
            "catalog snapshot loaded"
        );
        let index = artists
            .index
            .with_reference_popularity(tracks.scan.average_popularity);
        CatalogSnapshot {
            meta: tracks.meta,
            average: tracks.scan.average,
            features: Arc::new(tracks.scan.tracks),
            artists: Arc::new(index),
            origin: SnapshotOrigin::Database,
        }
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

const SNAPSHOT_FILE: file::CacheFile = file::CacheFile {
    suffix: "-snapshot",
    magic: *b"SIH-IDX1",
    holds: "the catalog's indexes",
};

fn write_indexes(w: &mut file::FileWriter, snapshot: &CatalogSnapshot) -> std::io::Result<()> {
    w.value(snapshot.average.to_array())?;
    snapshot.features.write_to(w)?;
    snapshot.artists.write_to(w)
}

fn read_indexes(r: &mut file::FileReader, meta: &CatalogMeta) -> std::io::Result<CatalogSnapshot> {
    let average = AudioFeatures::from_array(r.value()?);
    let features = FeatureIndex::read_from(r)?;
    let artists = ArtistIndex::read_from(r)?;
    Ok(CatalogSnapshot {
        meta: meta.clone(),
        average,
        features: Arc::new(features),
        artists: Arc::new(artists),
        origin: SnapshotOrigin::File,
    })
}

/// Tracks on `conn`, artists on `other`, at the same time; `None` when they saw
/// different catalog versions.
fn load_parts_in_parallel(
    conn: &mut DbConnection,
    other: &mut DbConnection,
) -> diesel::QueryResult<Option<(TracksPart, ArtistsPart)>> {
    let (tracks, artists) = std::thread::scope(|scope| {
        let artists = scope.spawn(|| db::read_transaction(other, read_artists));
        let tracks = db::read_transaction(conn, read_tracks);
        let artists = artists
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (tracks, artists)
    });
    let (tracks, artists) = (tracks?, artists?);
    Ok((tracks.version == artists.version).then_some((tracks, artists)))
}

/// Call inside a transaction, so the version, the description and the rows agree.
fn read_tracks(conn: &mut DbConnection) -> diesel::QueryResult<TracksPart> {
    let started = Instant::now();
    let version = catalog_meta::version(conn)?;
    let meta = catalog_meta::load(conn)?;
    let scan = track_features::scan_tracks::<FeatureIndexBuilder>(conn)?;
    let scan = TrackScan {
        tracks: scan.tracks.finish(),
        average: scan.average,
        average_popularity: scan.average_popularity,
    };
    Ok(TracksPart {
        version,
        meta,
        scan,
        millis: started.elapsed().as_millis() as u64,
    })
}

/// Call inside a transaction. The catalog's mean popularity comes from the tracks
/// side (`with_reference_popularity`), which reads every track anyway.
fn read_artists(conn: &mut DbConnection) -> diesel::QueryResult<ArtistsPart> {
    let started = Instant::now();
    let version = catalog_meta::version(conn)?;
    let (mut rows, order) =
        crate::db::artists::all_with_tracks(conn, ArtistRecords::with_capacity, |rows, artist| {
            rows.push(artist)
        })?;
    // In place, by moving offsets: no second copy of the artists.
    rows.reorder(order);
    Ok(ArtistsPart {
        version,
        index: ArtistIndex::from_records(rows, None),
        millis: started.elapsed().as_millis() as u64,
    })
}
