//! Database access: the connection pool, migrations, and one module of queries per
//! table. All SQL lives under this module so a second backend stays possible.

pub mod api_catalog;
pub mod api_tokens;
pub mod artists;
pub mod catalog_file;
pub mod catalog_imports;
pub mod catalog_meta;
pub mod catalog_writer;
pub mod features;
pub mod genres;
pub mod schema;
pub mod sessions;
pub mod taste_profiles;
pub mod track_details;
pub mod track_facts;
pub mod track_features;
pub mod users;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use diesel::{
    connection::SimpleConnection,
    r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection},
    SqliteConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbPool = Pool<ConnectionManager<SqliteConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<SqliteConnection>>;

/// Set-up every pooled connection gets: the pragmas (DESIGN section 4), then the
/// catalog file attached (see `catalog_file`). WAL lets readers run while an import
/// writes; busy_timeout makes a writer wait for a lock instead of failing at once.
/// busy_timeout comes first: switching a new file to WAL takes a lock, and the pool opens
/// several connections at once.
#[derive(Debug)]
struct Setup {
    catalog: PathBuf,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        apply_pragmas(conn)
            .and_then(|_| catalog_file::attach(conn, &self.catalog))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The pragmas, also for connections made outside the pool (the importer).
pub fn apply_pragmas(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000;
         PRAGMA journal_mode = WAL;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -32000;",
    )
}

/// Frees this connection's page cache (SQLite's `shrink_memory`): after reading the whole
/// catalog at start-up it holds up to `cache_size` of pages no request needs.
pub fn release_cache(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("PRAGMA shrink_memory;")
}

/// Puts SQLite in multi-thread mode: each connection is used by one thread at a time
/// (r2d2 lends a connection to one task; diesel's connection is not `Sync`), so the
/// per-connection mutex that the default serialized mode takes around every call, each
/// column read included, guards nothing here. It was a quarter of diesel's time when
/// loading a million-track catalog at start-up.
///
/// Call it first thing in `main`, before any thread exists: SQLite allows this setting
/// only before it initialises, and not while another thread is inside SQLite. Library
/// users and tests that skip it keep the serialized mode, which is also correct.
#[allow(unsafe_code)]
pub fn use_multi_thread_mode() {
    // SAFETY: sqlite3_config takes the option alone for SQLITE_CONFIG_MULTITHREAD. The
    // caller runs this before any other thread exists (see above), so no other SQLite
    // call can run concurrently; if SQLite was already initialised it returns
    // SQLITE_MISUSE and changes nothing.
    let rc = unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD) };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::debug!(rc, "SQLite keeps its serialized threading mode");
    }
}

/// The two files of a database: the main one (users, sessions, profiles, tokens) and
/// the catalog's, attached to the main one's connections as `catalog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbFiles {
    pub main: PathBuf,
    pub catalog: Option<PathBuf>,
}

/// Opens (creating if needed) the main database file and the catalog file beside it
/// (`catalog_file::catalog_path`), runs pending migrations on both, moves the catalog of
/// a database made before the split into its own file, and returns a pool whose
/// connections all carry the pragmas and the catalog attached.
pub fn open(path: &Path) -> anyhow::Result<DbPool> {
    let (url, catalog) = prepare(path)?;
    let manager = ConnectionManager::<SqliteConnection>::new(url);
    let pool = Pool::builder()
        .max_size(8)
        .connection_timeout(Duration::from_secs(15))
        .connection_customizer(Box::new(Setup { catalog }))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", path.display()))?;
    Ok(pool)
}

/// One connection (no pool) like the pool's, migrations run: for command-line tools
/// that need a single connection and none of a pool's idle ones.
pub fn open_connection(path: &Path) -> anyhow::Result<SqliteConnection> {
    let (url, catalog) = prepare(path)?;
    let mut conn = establish(url)?;
    catalog_file::attach(&mut conn, &catalog)?;
    Ok(conn)
}

/// One connection to the catalog file ALONE (no main file attached), migrations run on
/// both files: the importer's. Its `BEGIN IMMEDIATE` locks the catalog file only, so
/// sign-up, log-in and profile saves, which write the main file, never wait for an
/// import, and its pragmas, `sqlite_master` and index rebuilds are the catalog file's.
pub fn open_catalog_connection(path: &Path) -> anyhow::Result<SqliteConnection> {
    let (_, catalog) = prepare(path)?;
    let url = catalog
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("catalog path {} is not valid UTF-8", catalog.display()))?;
    establish(url)
}

/// A connection to one file with the pragmas.
fn establish(url: &str) -> anyhow::Result<SqliteConnection> {
    use diesel::Connection;
    let mut conn = SqliteConnection::establish(url)
        .map_err(|e| anyhow::anyhow!("cannot open database {url}: {e}"))?;
    apply_pragmas(&mut conn)?;
    Ok(conn)
}

/// Creates the directory, migrates the catalog file and the main file, and moves a
/// pre-split catalog out of the main file. Returns the main file as SQLite takes it
/// and the catalog file.
fn prepare(path: &Path) -> anyhow::Result<(&str, PathBuf)> {
    let url = prepare_path(path)?;
    let catalog = catalog_file::catalog_path(path);
    let catalog_url = catalog
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("catalog path {} is not valid UTF-8", catalog.display()))?;
    let mut catalog_conn = establish(catalog_url)?;
    catalog_conn
        .run_pending_migrations(catalog_file::MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("catalog database migration failed: {e}"))?;
    drop(catalog_conn);
    let mut conn = establish(url)?;
    run_migrations(&mut conn)?;
    catalog_file::attach(&mut conn, &catalog)?;
    if catalog_file::move_from_main(&mut conn)? {
        tracing::info!(
            catalog = %catalog.display(),
            "moved the catalog out of the main database file into its own file"
        );
    }
    Ok((url, catalog))
}

/// The files behind the connection (main, and the attached catalog), if the main one is
/// a file (not an in-memory database).
pub(crate) fn database_files(conn: &mut SqliteConnection) -> diesel::QueryResult<Option<DbFiles>> {
    let Some(main) = catalog_file::file_of(conn, "main")? else {
        return Ok(None);
    };
    let catalog = catalog_file::attached(conn)?;
    Ok(Some(DbFiles { main, catalog }))
}

/// Another connection to database files already open and migrated, with the pool's
/// pragmas and the same catalog attached: for reading them in parallel.
pub(crate) fn open_files(files: &DbFiles) -> diesel::QueryResult<SqliteConnection> {
    let mut conn: SqliteConnection =
        diesel::Connection::establish(&files.main.to_string_lossy())
            .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    apply_pragmas(&mut conn)?;
    if let Some(catalog) = &files.catalog {
        catalog_file::attach(&mut conn, catalog)?;
    }
    Ok(conn)
}

/// Creates the file's directory if needed; the path as SQLite takes it.
fn prepare_path(path: &Path) -> anyhow::Result<&str> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the directory {}: {e}", dir.display())
            })?;
        }
    }
    path.to_str()
        .ok_or_else(|| anyhow::anyhow!("database path {} is not valid UTF-8", path.display()))
}

/// Applies every migration not yet applied.
pub fn run_migrations(conn: &mut SqliteConnection) -> anyhow::Result<()> {
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    Ok(())
}

/// A transaction that holds the main file's write lock from its start, and only that
/// file's: for users' writes that read before they write (sessions, accounts).
///
/// `BEGIN IMMEDIATE` would take the write lock of EVERY attached file, the catalog's
/// included, and so wait for a running import (up to the busy timeout, then fail). This
/// begins a deferred transaction and takes the main file's lock at once with a write
/// that changes no row, so a later write cannot fail to upgrade a read.
pub fn user_write_transaction<T, E, F>(conn: &mut SqliteConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    diesel::Connection::transaction(conn, |conn| {
        conn.batch_execute("UPDATE main.users SET created_at = created_at WHERE 0;")?;
        work(conn)
    })
}

/// Runs blocking database work on tokio's blocking pool, so a slow query never stalls the
/// async executor that serves other requests.
pub async fn run<T, F>(pool: &DbPool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut SqliteConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await
    .map_err(|e| AppError::internal(format!("database task failed: {e}")))?
}

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
