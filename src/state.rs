//! Shared application state: the database pool, the configuration and the current
//! catalog snapshot, which a background task swaps when an import changes the catalog.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use crate::{
    catalog::snapshot::CatalogSnapshot,
    config::Config,
    db::{
        self,
        track_details::{self, TrackDetailsCache},
        DbPool,
    },
    web::{
        artists::compare::{ArtistGenresCache, GENRES_CACHE_CAPACITY},
        fragment_cache::{self, FragmentCache},
    },
};

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    catalog: Arc<RwLock<Arc<CatalogSnapshot>>>,
    /// Titles, albums and artists of tracks shown recently (see its comment).
    pub track_details: Arc<TrackDetailsCache>,
    /// Rendered live answers, by catalog version and canonical query.
    pub fragments: Arc<FragmentCache>,
    /// Artists' top genres, by catalog version and artist id.
    pub artist_genres: Arc<ArtistGenresCache>,
}

impl AppState {
    /// Opens the database (running migrations) and loads the first catalog snapshot.
    pub fn open(config: Config) -> anyhow::Result<AppState> {
        let pool = db::open(&config.database)?;
        AppState::with_pool(config, pool)
    }

    /// Opens the database for `serve`: like `open`, but when the configuration asks for
    /// it and the catalog has no tracks, seeds the demo catalog first, so the first
    /// snapshot already shows it.
    pub fn open_for_serving(config: Config) -> anyhow::Result<AppState> {
        let pool = db::open(&config.database)?;
        if config.seed_demo {
            let mut conn = pool.get()?;
            if let Some(stats) = crate::catalog::demo::seed_if_empty(&mut conn)? {
                tracing::info!(
                    tracks = stats.tracks,
                    artists = stats.artists,
                    generate_ms = stats.generate.as_millis() as u64,
                    write_ms = stats.write.as_millis() as u64,
                    "empty database: seeded the demo catalog (invented data; `import` a real dataset to replace it)"
                );
            }
        }
        AppState::with_pool(config, pool)
    }

    pub fn with_pool(config: Config, pool: DbPool) -> anyhow::Result<AppState> {
        let snapshot = {
            let mut conn = pool.get()?;
            CatalogSnapshot::load(&mut conn)?
        };
        Ok(AppState {
            pool,
            config: Arc::new(config),
            catalog: Arc::new(RwLock::new(Arc::new(snapshot))),
            track_details: Arc::new(TrackDetailsCache::new(track_details::CACHE_CAPACITY)),
            fragments: Arc::new(FragmentCache::new(fragment_cache::CAPACITY)),
            artist_genres: Arc::new(ArtistGenresCache::new(GENRES_CACHE_CAPACITY)),
        })
    }

    /// The catalog as of the last check; cheap (an Arc clone).
    pub fn catalog(&self) -> Arc<CatalogSnapshot> {
        match self.catalog.read() {
            Ok(guard) => guard.clone(),
            // A panic while swapping cannot leave a half-written Arc; use what is there.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reloads the snapshot if the catalog version in the database moved. Returns whether
    /// it did. Runs on the blocking pool.
    pub async fn refresh_catalog(&self) -> anyhow::Result<bool> {
        let current = self.catalog().meta.version;
        let pool = self.pool.clone();
        let fresh =
            tokio::task::spawn_blocking(move || -> anyhow::Result<Option<CatalogSnapshot>> {
                let mut conn = pool.get()?;
                if db::catalog_meta::version(&mut conn)? == current {
                    return Ok(None);
                }
                Ok(Some(CatalogSnapshot::load(&mut conn)?))
            })
            .await??;
        match fresh {
            Some(snapshot) => {
                tracing::info!(
                    version = snapshot.meta.version,
                    tracks = snapshot.meta.track_count,
                    "catalog changed; snapshot rebuilt"
                );
                let mut guard = match self.catalog.write() {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                *guard = Arc::new(snapshot);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Polls the catalog version so that an import run while the server is up shows
    /// within seconds, with no restart and no downtime (the old snapshot serves until
    /// the new one is ready).
    pub fn spawn_catalog_watcher(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(error) = state.refresh_catalog().await {
                    tracing::warn!(%error, "catalog refresh failed");
                }
            }
        })
    }
}
