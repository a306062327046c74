//! What every request handler can reach: the database pool, the configuration, the
//! server secret, the live catalog and the caches. Built once at start-up.

use std::{sync::Arc, time::Duration};

use crate::{
    accounts::Accounts,
    cache::CatalogCaches,
    catalog::{live::LiveCatalog, snapshot::CatalogSnapshot},
    config::{Config, SecretKey},
    db::{self, DbPool},
    web::fragment_cache::{self, FragmentCache},
};

/// Name of the setting that holds the secret key's fingerprint.
const KEY_FINGERPRINT: &str = "secret_key_fingerprint";

/// Servers over one PostgreSQL database must share the secret key (CSRF tokens made by
/// one are checked by another): the first to start records the key's fingerprint, and
/// one started with a different key refuses to start. A single SQLite server just
/// records its key's (replacing the key file rotates it).
fn check_key_fingerprint(pool: &DbPool, config: &Config, key: &SecretKey) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let ours = key.fingerprint();
    if !config.database.is_postgres() {
        // Said when it changed: every form open in a browser is then refused once
        // ("This form has expired"), and the operator should know why.
        let before = db::shared::setting(&mut conn, KEY_FINGERPRINT)?;
        if before.as_deref().is_some_and(|before| before != ours) {
            tracing::warn!(
                "the secret key changed since the last start: forms open in browsers are refused once, and sessions go on"
            );
        }
        db::shared::set_setting(&mut conn, KEY_FINGERPRINT, &ours)?;
        return Ok(());
    }
    let stored = db::shared::setting_or_insert(&mut conn, KEY_FINGERPRINT, &ours)?;
    if stored != ours {
        anyhow::bail!(
            "SECRET KEY MISMATCH: this server's secret key differs from the one the other servers over {} use (fingerprint {}..., the database has {}...); give every server the same SECRET_KEY, or, to rotate it, stop them all and delete the row '{KEY_FINGERPRINT}' from server_settings",
            config.database,
            &ours[..12],
            // Any text an operator put there: by characters, never a byte slice.
            stored.chars().take(12).collect::<String>(),
        );
    }
    Ok(())
}

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Resolved once when the state is opened; a key that cannot be read or created
    /// stops the start-up instead of falling back to a temporary one.
    pub secret_key: SecretKey,
    catalog: Arc<LiveCatalog>,
    /// Track details and artists' top genres, per catalog version.
    pub caches: Arc<CatalogCaches>,
    /// Rendered live answers, by catalog version and canonical query.
    pub fragments: Arc<FragmentCache>,
    /// Password hashing and the log-in throttle.
    pub accounts: Arc<Accounts>,
    /// Each user's running seed search (`latest_search`).
    pub seed_searches: Arc<crate::web::latest_search::LatestSearches>,
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
            use crate::catalog::demo::{seed_if_empty, Seeding};
            match seed_if_empty(&mut conn)? {
                Seeding::Seeded(stats) => tracing::info!(
                    tracks = stats.tracks,
                    artists = stats.artists,
                    generate_ms = stats.generate.as_millis() as u64,
                    write_ms = stats.write.as_millis() as u64,
                    "empty database: seeded the demo catalog (invented data; `import` a real dataset to replace it)"
                ),
                Seeding::EmptyBesideAccounts => tracing::warn!(
                    database = %config.database,
                    "the catalog is empty, but the database has accounts: the demo catalog is not seeded beside them (their saved seeds would name invented tracks). If the catalog file was lost, stop the server and put it back beside the database, or import the dataset again"
                ),
                Seeding::HasTracks => {}
            }
        }
        AppState::with_pool(config, pool)
    }

    pub fn with_pool(config: Config, pool: DbPool) -> anyhow::Result<AppState> {
        let secret_key = config.resolve_secret_key()?;
        check_key_fingerprint(&pool, &config, &secret_key)?;
        // Made if missing, as the SQLite file's directory is: a directory that was not
        // there only logged "could not write a cache file", and every start rebuilt.
        if let Some(dir) = &config.cache_dir {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the cache directory {}: {e}", dir.display())
            })?;
        }
        let cache_files = crate::catalog::snapshot::CacheFiles::for_config(&config);
        let catalog = LiveCatalog::load(&pool, cache_files.clone())?;
        // Several servers share a PostgreSQL database: they count log-in attempts there.
        let accounts = if config.database.is_postgres() {
            Accounts::new(
                crate::accounts::hashing::PasswordHasher::with_default_bound(),
                crate::accounts::throttle::Throttle::shared(
                    crate::accounts::throttle::policy::DEFAULT,
                    pool.clone(),
                ),
            )
        } else {
            Accounts::default()
        };
        Ok(AppState {
            pool,
            config: Arc::new(config),
            secret_key,
            catalog: Arc::new(catalog),
            caches: Arc::new(CatalogCaches::new(cache_files)),
            fragments: Arc::new(FragmentCache::new(fragment_cache::CAPACITY)),
            accounts: Arc::new(accounts),
            seed_searches: Arc::default(),
        })
    }

    /// The catalog as of the last check; cheap (an Arc clone).
    pub fn catalog(&self) -> Arc<CatalogSnapshot> {
        self.catalog.current()
    }

    /// Reloads the snapshot if the catalog version in the database moved.
    pub async fn refresh_catalog(&self) -> anyhow::Result<bool> {
        self.catalog.refresh(&self.pool).await
    }

    /// Keeps the snapshot in step with imports run by any process (see `LiveCatalog`).
    pub fn spawn_catalog_watcher(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let catalog_log = self
            .config
            .database
            .sqlite_path()
            .map(crate::db::catalog_file::log_path);
        self.catalog.spawn_watcher(
            self.pool.clone(),
            every,
            catalog_log,
            self.caches.catalog_moved_signal(),
        )
    }

    /// Builds the caches most pages need at once, and again after each import, rather
    /// than in the first request that needs them (see `cache::warm_up`).
    pub fn spawn_cache_warm_up(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        crate::cache::warm_up::spawn(
            Arc::clone(&self.caches),
            Arc::clone(&self.catalog),
            self.pool.clone(),
            every,
        )
    }
}
