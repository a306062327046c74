//! The catalog a running process serves: the current snapshot, swapped for a new one
//! when an import (in this process or any other over the same database) moves the
//! catalog version. Readers take an `Arc` of the snapshot and never wait for a reload:
//! the old snapshot serves until the new one is ready.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use super::snapshot::{CacheFiles, CatalogSnapshot};
use crate::{
    db::{self, DbPool},
    repeated_failure::{single_line, RepeatedFailure},
};

pub struct LiveCatalog {
    current: RwLock<Arc<CatalogSnapshot>>,
    /// Where each build's copy goes, and where a start looks for one.
    cache: CacheFiles,
}

impl LiveCatalog {
    /// Reads the first snapshot.
    pub fn load(pool: &DbPool, cache: CacheFiles) -> anyhow::Result<LiveCatalog> {
        let mut conn = pool.get()?;
        let snapshot = CatalogSnapshot::load(&mut conn, &cache)?;
        release_loading_memory(&mut conn);
        Ok(LiveCatalog {
            current: RwLock::new(Arc::new(snapshot)),
            cache,
        })
    }

    /// The catalog as of the last check; cheap (an Arc clone).
    pub fn current(&self) -> Arc<CatalogSnapshot> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            // A panic while swapping cannot leave a half-written Arc; use what is there.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the snapshot if the catalog version in the database moved. Returns whether
    /// it did. The database work runs on the blocking pool.
    pub async fn refresh(&self, pool: &DbPool) -> anyhow::Result<bool> {
        let seen = self.current().meta.version;
        let pool = pool.clone();
        let cache = self.cache.clone();
        let fresh =
            tokio::task::spawn_blocking(move || -> anyhow::Result<Option<CatalogSnapshot>> {
                let mut conn = pool.get()?;
                if db::catalog_meta::version(&mut conn)? == seen {
                    return Ok(None);
                }
                let snapshot = CatalogSnapshot::load(&mut conn, &cache)?;
                release_loading_memory(&mut conn);
                if let Err(e) = db::catalog_file::truncate_log(&mut conn) {
                    tracing::debug!(error = %e, "the catalog's log keeps its size for now");
                }
                Ok(Some(snapshot))
            })
            .await??;
        let Some(snapshot) = fresh else {
            return Ok(false);
        };
        let (version, tracks) = (snapshot.meta.version, snapshot.meta.track_count);
        if !self.install(snapshot, seen) {
            return Ok(false);
        }
        tracing::info!(version, tracks, "catalog changed; snapshot rebuilt");
        Ok(true)
    }

    /// Serves `snapshot` from now on, if what is served is still the version its load
    /// started from (`loaded_over`): the watcher and a refresh after an import in this
    /// process can each load one, and the one that started first may finish last. A
    /// load that lost the race is dropped, and the next tick loads again if the database
    /// has moved on. (Not "only a higher version": a restored backup's catalog has a
    /// lower one, and would never have been served.) Returns whether it was installed.
    fn install(&self, snapshot: CatalogSnapshot, loaded_over: i64) -> bool {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if guard.meta.version != loaded_over {
            return false;
        }
        *guard = Arc::new(snapshot);
        true
    }

    /// Polls the catalog version every `every`, so that an import run while the server
    /// is up shows within seconds, with no restart and no downtime; and at once when
    /// `moved` is told that a request found the database ahead of the snapshot it
    /// served (`cache::CatalogCaches`), which that request could only answer "try
    /// again".
    ///
    /// `catalog_log` (SQLite: the catalog file's write-ahead log) is truncated when it
    /// holds what an import left and kept the same size for a whole tick: an import
    /// that stopped (rolled back, killed) changes no version, and its log kept its size,
    /// the disk space a full disk needed, until the server stopped.
    pub fn spawn_watcher(
        self: &Arc<Self>,
        pool: DbPool,
        every: Duration,
        catalog_log: Option<std::path::PathBuf>,
        moved: Arc<tokio::sync::Notify>,
    ) -> tokio::task::JoinHandle<()> {
        let live = Arc::clone(self);
        tokio::spawn(async move {
            // The first look one period after the start: the snapshot was just read.
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut failure = RepeatedFailure::default();
            let mut log_size_seen = None;
            loop {
                let ticked = tokio::select! {
                    _ = ticker.tick() => true,
                    _ = moved.notified() => false,
                };
                // "The same size for a whole tick" is measured on the clock only.
                if let (true, Some(log)) = (ticked, &catalog_log) {
                    let size = std::fs::metadata(log).map_or(0, |m| m.len());
                    if size > 0 && log_size_seen == Some(size) {
                        let pool = pool.clone();
                        let _ = tokio::task::spawn_blocking(move || {
                            let mut conn = pool.get().ok()?;
                            db::catalog_file::truncate_log(&mut conn).ok()
                        })
                        .await;
                    }
                    log_size_seen = Some(size);
                }
                match live.refresh(&pool).await {
                    Ok(_) => {
                        if failure.succeeded() {
                            tracing::info!("catalog refresh works again");
                        }
                    }
                    Err(error) => {
                        if let Some(more) = failure.failed(std::time::Instant::now()) {
                            tracing::warn!(
                                error = %single_line(&format!("{error:#}")),
                                failed_since_last_said = more,
                                "catalog refresh failed"
                            );
                        }
                    }
                }
            }
        })
    }
}

/// After a snapshot is read: the loading connection's page cache (the whole tracks
/// table passed through it) and the allocator's free memory (the build's temporary
/// arrays, freed but kept by glibc's heap) go back to the system. At 1.2 million
/// tracks that is about 90 MiB of the resident size after start-up.
fn release_loading_memory(conn: &mut db::DbConn) {
    if let Err(e) = db::release_cache(conn) {
        tracing::debug!(error = %e, "could not shrink the page cache");
    }
    crate::memory::trim_heap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_that_lost_the_race_is_dropped_and_a_restored_catalog_is_served() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let pool = db::open(dir.path().join("catalog.db")).expect("database");
        let live = LiveCatalog::load(&pool, CacheFiles::Off).expect("first snapshot");
        let first = live.current().meta.version;
        let with_version = |version: i64| {
            let mut snapshot = (*live.current()).clone();
            snapshot.meta.version = version;
            snapshot
        };
        // Two loads started over `first`; the one that finishes second is dropped.
        assert!(live.install(with_version(first + 2), first));
        assert!(!live.install(with_version(first + 1), first));
        assert_eq!(live.current().meta.version, first + 2);
        // A backup restored under the server has an older version: it is served.
        assert!(live.install(with_version(first - 5), first + 2));
        assert_eq!(live.current().meta.version, first - 5);
    }
}
