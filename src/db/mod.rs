//! Database access: the connection pool, migrations, and one module of queries per
//! table. All SQL lives under this module so a second backend stays possible.

pub mod api_catalog;
pub mod api_tokens;
pub mod artists;
pub mod catalog_imports;
pub mod catalog_meta;
pub mod catalog_writer;
pub mod features;
pub mod schema;
pub mod sessions;
pub mod taste_profiles;
pub mod track_details;
pub mod track_features;
pub mod users;

use std::{path::Path, time::Duration};

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

/// Pragmas every pooled connection gets (DESIGN section 4). WAL lets readers run while an
/// import writes; busy_timeout makes a writer wait for a lock instead of failing at once.
/// busy_timeout comes first: switching a new file to WAL takes a lock, and the pool opens
/// several connections at once.
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        apply_pragmas(conn).map_err(diesel::r2d2::Error::QueryError)
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

/// Opens (creating if needed) the database file, runs pending migrations and returns a
/// pool whose connections all carry the pragmas.
pub fn open(path: &Path) -> anyhow::Result<DbPool> {
    let url = prepare_path(path)?;
    let manager = ConnectionManager::<SqliteConnection>::new(url);
    let pool = Pool::builder()
        .max_size(8)
        .connection_timeout(Duration::from_secs(15))
        .connection_customizer(Box::new(Pragmas))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", path.display()))?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

/// One connection (no pool) with the pragmas, migrations run: for command-line tools
/// such as `import`, which need a single writer and none of a pool's idle connections.
pub fn open_connection(path: &Path) -> anyhow::Result<SqliteConnection> {
    use diesel::Connection;
    let url = prepare_path(path)?;
    let mut conn = SqliteConnection::establish(url)
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", path.display()))?;
    apply_pragmas(&mut conn)?;
    run_migrations(&mut conn)?;
    Ok(conn)
}

/// Another connection to a database file already open and migrated, with the pool's
/// pragmas: for reading one in parallel.
pub(crate) fn open_file(path: &Path) -> diesel::QueryResult<SqliteConnection> {
    let mut conn: SqliteConnection = diesel::Connection::establish(&path.to_string_lossy())
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    apply_pragmas(&mut conn)?;
    Ok(conn)
}

/// The file behind the connection, if it is a file (not an in-memory database).
pub(crate) fn database_file(
    conn: &mut SqliteConnection,
) -> diesel::QueryResult<Option<std::path::PathBuf>> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct File {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let files: Vec<File> =
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .load(conn)?;
    Ok(files
        .into_iter()
        .next()
        .map(|f| std::path::PathBuf::from(f.file))
        .filter(|p| !p.as_os_str().is_empty() && p.exists()))
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
