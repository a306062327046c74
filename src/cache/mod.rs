//! Values derived from one catalog version, kept until an import moves the version.
//!
//! - `versioned`: the generic `VersionedCache`.
//! - `CatalogCaches`: the app's caches of catalog data that are not about HTTP (the
//!   tracks' details shown beside matches, artists' top genres), each with the database
//!   read that fills it. Rendered HTTP answers are cached by the web layer.
//!
//! Each cache is asked for the version of the snapshot a request serves, and the
//! database may hold a newer one: an import commits, and the snapshot follows when the
//! watcher next looks. A read of the newer catalog's rows for the older snapshot's ids
//! gave another catalog's facts, or no title at all. So every fill reads the version in
//! the same read transaction as its rows, and a version other than the one asked for is
//! `AppError::CatalogMoved`: nothing is kept under the wrong version, and the watcher is
//! woken (`catalog_moved_signal`) to load the new snapshot at once.

mod versioned;
pub mod warm_up;

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use tokio::sync::Notify;

pub use versioned::VersionedCache;

use crate::{
    catalog::{
        artists::GenreCount,
        facts::TrackFacts,
        genre_tracks::GenreTracks,
        genres::{GenreCatalog, GenreSource},
        snapshot::{file, CacheFiles},
    },
    db::{
        self, catalog_meta::CatalogMeta, track_details::TrackDetails, track_features::BeyondRange,
        DbPool,
    },
    error::{AppError, AppResult},
};

/// How many tracks' details the cache keeps before it starts over.
pub const TRACK_DETAILS_CAPACITY: usize = 16_000;
/// How many artists' top genres the cache keeps before it starts over.
pub const ARTIST_GENRES_CAPACITY: usize = 10_000;
/// How many genres an artist's summary names.
pub const TOP_GENRES: usize = 3;

/// Details by track id, shared with the cache.
pub type SharedDetails = HashMap<i32, Arc<TrackDetails>>;

pub struct CatalogCaches {
    /// Titles, albums and artists of tracks shown recently. The live perfect-song answer
    /// shows the same few tracks again and again as a slider moves (neighbouring
    /// positions share most of their matches), so most steps need no database trip.
    track_details: VersionedCache<i32, TrackDetails>,
    /// Artists' top genres: a grouped scan of all of a popular artist's tracks.
    artist_genres: VersionedCache<i32, Vec<GenreCount>>,
    /// Every track's key, mode, time signature, duration, tempo and song (one entry):
    /// the filters the index does not hold, and "one version per song".
    track_facts: VersionedCache<(), TrackFacts>,
    /// One reader of the facts at a time: the first requests after an import wait for
    /// it rather than each reading the whole table.
    facts_loading: tokio::sync::Mutex<()>,
    /// Every genre's profile (`catalog::genres`): one read of every track, computed
    /// once per version by one request while the others wait for it.
    genres: VersionedCache<(), GenreCatalog>,
    genres_building: tokio::sync::Mutex<()>,
    /// Every genre's tracks most popular first, for the API search's `genre:` filter:
    /// read on its first use: 4 bytes a track-genre link and 8 a track (16 MB at a
    /// million tracks of two genres each; nothing kept for a catalog without genres).
    genre_tracks: VersionedCache<(), GenreTracks>,
    genre_tracks_building: tokio::sync::Mutex<()>,
    /// The few tracks whose tempo or loudness lies at or beyond the index's range,
    /// with their stored values, by id: read when a question first needs them.
    beyond_range: VersionedCache<(), HashMap<i32, BeyondRange>>,
    /// Where the facts and the genres are kept between runs.
    files: CacheFiles,
    /// Told when a fill found the database at another catalog version than the one
    /// asked about; the catalog watcher waits on it besides its clock.
    moved: Arc<Notify>,
}

impl Default for CatalogCaches {
    fn default() -> Self {
        CatalogCaches::new(CacheFiles::default())
    }
}

impl CatalogCaches {
    pub fn new(files: CacheFiles) -> Self {
        CatalogCaches {
            track_details: VersionedCache::new(TRACK_DETAILS_CAPACITY),
            artist_genres: VersionedCache::new(ARTIST_GENRES_CAPACITY),
            track_facts: VersionedCache::new(1),
            facts_loading: tokio::sync::Mutex::new(()),
            genres: VersionedCache::new(1),
            genres_building: tokio::sync::Mutex::new(()),
            genre_tracks: VersionedCache::new(1),
            genre_tracks_building: tokio::sync::Mutex::new(()),
            beyond_range: VersionedCache::new(1),
            files,
            moved: Arc::new(Notify::new()),
        }
    }

    /// What the catalog watcher listens to besides its clock: a request found the
    /// database at a newer catalog version than the snapshot it serves.
    pub fn catalog_moved_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.moved)
    }

    /// The error for a fill that found another catalog version than `version`, with
    /// the watcher woken.
    fn moved(&self) -> AppError {
        self.moved.notify_one();
        AppError::CatalogMoved
    }

    /// `read` in one read transaction with the catalog's version, if that is `version`.
    async fn read_of_version<T, F>(&self, pool: &DbPool, version: i64, read: F) -> AppResult<T>
    where
        F: FnOnce(&mut db::DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let found = db::run(pool, move |conn| {
            db::read_transaction(conn, |conn| {
                if db::catalog_meta::version(conn)? != version {
                    return Ok(None);
                }
                read(conn).map(Some)
            })
        })
        .await?;
        found.ok_or_else(|| self.moved())
    }

    /// Whether the database is at catalog `version`, read before a fill of a whole
    /// catalog (a second at 1.2 million tracks): the requests of an older snapshot are
    /// answered `CatalogMoved` without one each.
    async fn at_version(&self, pool: &DbPool, version: i64) -> AppResult<()> {
        let now = db::run(pool, |conn| Ok(db::catalog_meta::version(conn)?)).await?;
        if now == version {
            Ok(())
        } else {
            Err(self.moved())
        }
    }
}

impl CatalogCaches {
    /// The details of `ids` in catalog `version`, read from the database only for the
    /// tracks this version has not shown before.
    pub async fn track_details(
        &self,
        pool: &DbPool,
        version: i64,
        ids: &[i32],
    ) -> AppResult<SharedDetails> {
        let (mut details, missing) = self.track_details.get_many(version, ids);
        if !missing.is_empty() {
            let loaded = self
                .read_of_version(pool, version, move |conn| {
                    Ok(db::track_details::by_ids(conn, &missing)?)
                })
                .await?;
            details.extend(self.track_details.put_many(version, loaded));
        }
        Ok(details)
    }

    /// The tracks whose tempo or loudness the index holds at its range's end
    /// (`db::track_features::beyond_index_range`), read once per catalog version.
    pub async fn beyond_index_range(
        &self,
        pool: &DbPool,
        version: i64,
    ) -> AppResult<Arc<HashMap<i32, BeyondRange>>> {
        if let Some(known) = self.beyond_range.get(version, &()) {
            return Ok(known);
        }
        let rows = self
            .read_of_version(pool, version, |conn| {
                Ok(db::track_features::beyond_index_range(conn)?)
            })
            .await?;
        Ok(self
            .beyond_range
            .put(version, (), rows.into_iter().map(|b| (b.id, b)).collect()))
    }

    /// Every track's facts in catalog `version`, read once per version.
    pub async fn track_facts(&self, pool: &DbPool, version: i64) -> AppResult<Arc<TrackFacts>> {
        if let Some(facts) = self.track_facts.get(version, &()) {
            return Ok(facts);
        }
        let _loading = self.facts_loading.lock().await;
        if let Some(facts) = self.track_facts.get(version, &()) {
            return Ok(facts);
        }
        self.at_version(pool, version).await?;
        let files = self.files.clone();
        let (read_at, facts, file) =
            db::run(pool, move |conn| facts_from_file_or_database(conn, &files)).await?;
        // Kept under the version read, which the next snapshot serves.
        let facts = self.track_facts.put(read_at, (), facts);
        if let Some((path, meta)) = file {
            let copy = Arc::clone(&facts);
            file::write_in_background(path, &FACTS_FILE, &meta, move |w| copy.write_to(w));
        }
        if read_at != version {
            return Err(self.moved());
        }
        Ok(facts)
    }

    /// Each artist's top genres in catalog `version` (artists without genres map to an
    /// empty list, kept too so they are not read again).
    pub async fn top_genres(
        &self,
        pool: &DbPool,
        version: i64,
        ids: &[i32],
    ) -> AppResult<HashMap<i32, Arc<Vec<GenreCount>>>> {
        let (mut genres, missing) = self.artist_genres.get_many(version, ids);
        if !missing.is_empty() {
            let loaded = self
                .read_of_version(pool, version, move |conn| {
                    let mut found = db::artists::top_genres(conn, &missing, TOP_GENRES)?;
                    Ok(missing
                        .iter()
                        .map(|id| (*id, found.remove(id).unwrap_or_default()))
                        .collect::<Vec<_>>())
                })
                .await?;
            genres.extend(self.artist_genres.put_many(version, loaded));
        }
        Ok(genres)
    }

    /// Every genre's tracks in catalog `version`, read on first use while other
    /// requests for them wait.
    pub async fn genre_tracks(&self, pool: &DbPool, version: i64) -> AppResult<Arc<GenreTracks>> {
        if let Some(found) = self.genre_tracks.get(version, &()) {
            return Ok(found);
        }
        let _building = self.genre_tracks_building.lock().await;
        if let Some(found) = self.genre_tracks.get(version, &()) {
            return Ok(found);
        }
        let built = self
            .read_of_version(pool, version, |conn| Ok(GenreTracks::read(conn)?))
            .await?;
        Ok(self.genre_tracks.put(version, (), built))
    }

    /// Whether the genre profiles of catalog `version` are built (see `warm_up`).
    pub fn genres_built(&self, version: i64) -> bool {
        self.genres.get(version, &()).is_some()
    }

    /// Every genre's profile in catalog `version`, computed on first use.
    pub async fn genres(&self, pool: &DbPool, version: i64) -> AppResult<Arc<GenreCatalog>> {
        if let Some(found) = self.genres.get(version, &()) {
            return Ok(found);
        }
        let _building = self.genres_building.lock().await;
        if let Some(found) = self.genres.get(version, &()) {
            return Ok(found);
        }
        self.at_version(pool, version).await?;
        let files = self.files.clone();
        let (read_at, catalog, file) =
            db::run(pool, move |conn| genres_from_file_or_database(conn, &files)).await?;
        let catalog = self.genres.put(read_at, (), catalog);
        if let Some((path, meta)) = file {
            let copy = Arc::clone(&catalog);
            file::write_in_background(path, &GENRES_FILE, &meta, move |w| copy.write_to(w));
        }
        if read_at != version {
            // Its typical tracks are the newer catalog's ids.
            return Err(self.moved());
        }
        Ok(catalog)
    }
}

const FACTS_FILE: file::CacheFile = file::CacheFile {
    suffix: "-facts",
    magic: *b"SIH-FCT1",
    holds: "the track facts",
};

/// The facts of the catalog's current version: from the facts file when it holds them
/// (a few hundredths of a second at 1.2 million tracks), else from the database (about
/// a second), with the version they are of and where a new file should then go.
#[allow(clippy::type_complexity)]
fn facts_from_file_or_database(
    conn: &mut db::DbConnection,
    files: &CacheFiles,
) -> AppResult<(i64, TrackFacts, Option<(PathBuf, CatalogMeta)>)> {
    let Some(path) = files.path(conn, &FACTS_FILE)? else {
        let (read_at, facts) = TrackFacts::read(conn)?;
        return Ok((read_at, facts, None));
    };
    // The version is read before the rows, for the file's header: only rows read at
    // that same version are written under it (below).
    let meta = db::catalog_meta::load(conn)?;
    if let Some(facts) = file::read(&path, &FACTS_FILE, &meta, TrackFacts::read_from) {
        return Ok((meta.version, facts, None));
    }
    let (read_at, facts) = TrackFacts::read(conn)?;
    release_scan_memory(conn);
    // Only a read of the version the header will name is written.
    let file = (read_at == meta.version).then_some((path, meta));
    Ok((read_at, facts, file))
}

const GENRES_FILE: file::CacheFile = file::CacheFile {
    suffix: "-genres",
    // 2: each genre keeps `TYPICAL_CANDIDATES` typical tracks, not 8.
    magic: *b"SIH-GNR2",
    holds: "the genre profiles",
};

/// Every genre's profile: from the genres file when it holds the current version, else
/// built from every track (about 1.3 s at 1.2 million), with the version it was read
/// at and where a new file should then go.
#[allow(clippy::type_complexity)]
fn genres_from_file_or_database(
    conn: &mut db::DbConnection,
    files: &CacheFiles,
) -> AppResult<(i64, GenreCatalog, Option<(PathBuf, CatalogMeta)>)> {
    let build = |conn: &mut db::DbConnection| -> AppResult<(i64, GenreCatalog)> {
        let (read_at, source) = GenreSource::read(conn)?;
        let catalog = GenreCatalog::build(&source);
        drop(source);
        release_scan_memory(conn);
        Ok((read_at, catalog))
    };
    let Some(path) = files.path(conn, &GENRES_FILE)? else {
        let (read_at, catalog) = build(conn)?;
        return Ok((read_at, catalog, None));
    };
    let meta = db::catalog_meta::load(conn)?;
    if let Some(catalog) = file::read(&path, &GENRES_FILE, &meta, GenreCatalog::read_from) {
        return Ok((meta.version, catalog, None));
    }
    let (read_at, catalog) = build(conn)?;
    // Only a build of the version the header will name is written.
    let file = (read_at == meta.version).then_some((path, meta));
    Ok((read_at, catalog, file))
}

/// After a read of every track: the connection's page cache and the allocator's free
/// memory (the read's temporary rows) go back to the system.
fn release_scan_memory(conn: &mut db::DbConnection) {
    if let Err(error) = db::release_cache(conn) {
        tracing::debug!(%error, "could not shrink the page cache");
    }
    crate::memory::trim_heap();
}
