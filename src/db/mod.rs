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
pub mod file_trouble;
pub mod folded_text;
pub mod genres;
pub mod one_of;
pub mod one_server;
pub mod schema;
pub mod sessions;
pub mod taste_profiles;
pub mod track_details;
pub mod track_facts;
pub mod track_features;
pub mod track_search;
pub mod users;

mod connection;
mod pool_errors;
pub mod shared;
#[cfg(test)]
pub(crate) mod statement_cache_log;

use std::{path::PathBuf, time::Duration};

use diesel::{
    connection::SimpleConnection,
    r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection},
    Connection, PgConnection, SqliteConnection,
};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use self::connection::DbConnection;
pub use crate::config::Database;
use crate::error::{AppError, AppResult};

/// SQLite's migrations (the main file; the catalog file has `catalog_file::MIGRATIONS`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite_main");
/// PostgreSQL's: the same tables in one database (MVCC lets an import write the catalog
/// while users write theirs, so no second database is needed).
pub const MIGRATIONS_PG: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type DbPool = Pool<Manager>;
pub type DbConn = PooledConnection<Manager>;

/// Runs `$body` with `$c` bound to the concrete connection behind a `&mut DbConnection`
/// (`SqliteConnection` or `PgConnection`). The body is written once and compiled for
/// each backend, so every query has one definition whatever the backend, and may use
/// everything diesel offers on both (upserts, RETURNING, booleans), which the derived
/// `MultiBackend` does not.
macro_rules! with_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match &mut *$conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Pg($c) => $body,
        }
    };
}
pub(crate) use with_backend;

/// Which backend a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Sqlite(_) => Backend::Sqlite,
            DbConnection::Pg(_) => Backend::Postgres,
        }
    }
}

/// Makes the pool's connections: SQLite with its pragmas and the catalog file attached
/// (DESIGN section 4; WAL lets readers run while an import writes; busy_timeout makes a
/// writer wait for a lock instead of failing at once), or PostgreSQL by URL.
#[derive(Debug)]
pub struct Manager {
    target: Target,
}

#[derive(Debug, Clone)]
enum Target {
    Sqlite { main: String, catalog: PathBuf },
    Postgres { url: String },
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.target {
            Target::Sqlite { main, catalog } => {
                // Before the connection opens: SQLite adds the function as it does.
                folded_text::register_sqlite_function().map_err(diesel::r2d2::Error::QueryError)?;
                let mut conn = SqliteConnection::establish(main)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                apply_pragmas(&mut conn)
                    .and_then(|_| catalog_file::attach(&mut conn, catalog))
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            Target::Postgres { url } => {
                let mut conn =
                    PgConnection::establish(url).map_err(diesel::r2d2::Error::ConnectionError)?;
                name_pg_connection(&mut conn).map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Pg(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Nothing to do per checkout; kept so callers can customise a pool like any r2d2 one.
#[derive(Debug)]
struct NoSetup;
impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for NoSetup {}

/// The pragmas, also for connections made outside the pool (the importer).
pub fn apply_pragmas(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    folded_text::register_sqlite_collation(conn)?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
         PRAGMA journal_mode = WAL;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -32000;"
    ))
}

/// How long a SQLite connection waits for another's lock before it gives up.
pub const BUSY_TIMEOUT_MS: u32 = 10_000;

/// How long this connection waits for another writer's lock before giving up: SQLite's
/// busy timeout; none on PostgreSQL, whose lock waits have no limit.
pub fn lock_wait_limit(conn: &DbConnection) -> Option<Duration> {
    match conn {
        DbConnection::Sqlite(_) => Some(Duration::from_millis(u64::from(BUSY_TIMEOUT_MS))),
        DbConnection::Pg(_) => None,
    }
}

/// Frees this connection's page cache (SQLite's `shrink_memory`): after reading the whole
/// catalog at start-up it holds up to `cache_size` of pages no request needs.
pub fn release_cache(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(conn) => conn.batch_execute("PRAGMA shrink_memory;"),
        DbConnection::Pg(_) => Ok(()),
    }
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

/// Stops SQLite counting the memory it allocates (`SQLITE_CONFIG_MEMSTATUS`), for a
/// process that only imports. The count takes a process-wide mutex around every
/// `sqlite3_malloc` and `sqlite3_free`: 1.4% of a 1.2M-row import's CPU (`perf`), for
/// figures only the soft heap limit reads, and an importer sets none
/// (`limit_sqlite_memory` is a server's; it would stop working without the count).
///
/// Like `use_multi_thread_mode`: before SQLite initialises and before any other thread
/// exists; otherwise SQLite returns SQLITE_MISUSE and keeps counting, which is correct.
#[allow(unsafe_code)]
pub fn stop_counting_sqlite_memory() {
    // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. The caller runs this while it is
    // the only thread, before any connection is opened (see above).
    let rc = unsafe {
        libsqlite3_sys::sqlite3_config(
            libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
            0 as std::ffi::c_int,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::debug!(rc, "SQLite keeps counting its memory");
    }
}

/// The memory SQLite may keep across every connection of this process, page caches
/// included, before it reuses cache pages instead of allocating more: each connection's
/// `cache_size` (32 MB for each of its two files) is a per-connection ceiling, and eight
/// pooled connections that have served scans could otherwise hold hundreds of MB of
/// pages the operating system caches anyway. 4 MiB: at 1.2 million tracks the 8 MiB it was
/// were 3 MiB of the load test's peak, for queries that read a few rows by id.
pub const SERVING_MEMORY_LIMIT: i64 = 4 * 1024 * 1024;

/// Sets SQLite's soft heap limit (`sqlite3_soft_heap_limit64`) for the whole process.
/// For a server; the importer keeps its large page cache.
#[allow(unsafe_code)]
pub fn limit_sqlite_memory(bytes: i64) {
    // SAFETY: sqlite3_soft_heap_limit64 takes a number and SQLite's own mutex; it may be
    // called at any time from any thread.
    unsafe {
        libsqlite3_sys::sqlite3_soft_heap_limit64(bytes);
    }
}

/// The two files of a SQLite database: the main one (users, sessions, profiles, tokens)
/// and the catalog's, attached to the main one's connections as `catalog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbFiles {
    pub main: PathBuf,
    pub catalog: Option<PathBuf>,
}

/// Opens the database and returns a pool. SQLite: opens (creating if needed) the main
/// file and the catalog file beside it (`catalog_file::catalog_path`), runs pending
/// migrations on both and moves the catalog of a database made before the split into
/// its own file; every pooled connection carries the pragmas and the catalog attached.
/// PostgreSQL: connects (a bad URL, an unreachable server, a wrong password or a
/// missing database is a one-line error) and runs pending migrations. A SQLite catalog
/// that an import is loading with a rollback journal is waited for first
/// (`catalog_file::wait_while_a_load_holds`).
pub fn open(database: impl Into<Database>) -> anyhow::Result<DbPool> {
    let database = database.into();
    if let Database::Sqlite(path) = &database {
        catalog_file::wait_while_a_load_holds(&catalog_file::catalog_path(path));
    }
    let target = prepare(&database)?;
    let pool = Pool::builder()
        .max_size(if matches!(target, Target::Postgres { .. }) {
            16
        } else {
            8
        })
        // How long a request waits for a connection. Well under the connection
        // guard's 30 s for an answer (`web::connection_guard`): with PostgreSQL down, a
        // log-in (session, then user) waited 15 s twice and its connection was closed
        // with no answer at all; now it gets a 503 page saying to try again.
        .connection_timeout(Duration::from_secs(5))
        // PostgreSQL: two connections kept while idle, more opened as requests need
        // them (and closed after 10 idle minutes). Holding all 16 from the start took
        // 48 of PostgreSQL's 100 for three idle servers, and a rolling deploy that
        // starts the new servers first ran out. SQLite keeps every connection open: see
        // `max_lifetime`.
        .min_idle(match target {
            Target::Sqlite { .. } => None,
            Target::Postgres { .. } => Some(2),
        })
        // r2d2 replaces every connection after 30 minutes, all at once for a pool made
        // at start-up. A SQLite connection has nothing to refresh, and a server with no
        // connection open for that moment would let an import take the catalog file
        // with a rollback journal (`catalog_writer::journal`) and lock the server out.
        .max_lifetime(match target {
            Target::Sqlite { .. } => None,
            Target::Postgres { .. } => Some(Duration::from_secs(30 * 60)),
        })
        .connection_customizer(Box::new(NoSetup))
        .error_handler(Box::new(pool_errors::QuietErrors::new(database.clone())))
        .build(Manager { target })
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open database {database}: {}",
                one_line(&e.to_string(), &database)
            )
        })?;
    Ok(pool)
}

/// One connection (no pool) like the pool's, migrations run: for command-line tools
/// that need a single connection and none of a pool's idle ones.
pub fn open_connection(database: impl Into<Database>) -> anyhow::Result<DbConnection> {
    let database = database.into();
    let target = prepare(&database)?;
    Manager { target }.connect().map_err(|e| {
        anyhow::anyhow!(
            "cannot open database {database}: {}",
            one_line(&e.to_string(), &database)
        )
    })
}

/// The importer's connection, migrations run. SQLite: the catalog file ALONE (no main
/// file attached): its `BEGIN IMMEDIATE` locks the catalog file only, so sign-up,
/// log-in and profile saves, which write the main file, never wait for an import, and
/// its pragmas, `sqlite_master` and index rebuilds are the catalog file's. PostgreSQL:
/// a plain connection (MVCC: users' writes never wait for an import's).
pub fn open_catalog_connection(database: impl Into<Database>) -> anyhow::Result<DbConnection> {
    let database = database.into();
    match prepare(&database)? {
        Target::Sqlite { catalog, .. } => {
            let url = catalog.to_str().ok_or_else(|| {
                anyhow::anyhow!("catalog path {} is not valid UTF-8", catalog.display())
            })?;
            Ok(DbConnection::Sqlite(establish_sqlite(url)?))
        }
        Target::Postgres { url } => Ok(DbConnection::Pg(establish_pg(&url)?)),
    }
}

/// A connection to one SQLite file with the pragmas.
fn establish_sqlite(url: &str) -> anyhow::Result<SqliteConnection> {
    let mut conn = SqliteConnection::establish(url)
        .map_err(|e| anyhow::anyhow!("cannot open database {url}: {e}"))?;
    apply_pragmas(&mut conn)?;
    Ok(conn)
}

/// A PostgreSQL connection, its failure said in one line without the password.
fn establish_pg(url: &str) -> anyhow::Result<PgConnection> {
    let mut conn = PgConnection::establish(url).map_err(|e| {
        let database = Database::Postgres(url.to_string());
        anyhow::anyhow!(
            "cannot connect to PostgreSQL at {database}: {}",
            one_line(&e.to_string(), &database)
        )
    })?;
    name_pg_connection(&mut conn)?;
    Ok(conn)
}

/// libpq's messages span lines ("...failed: Connection refused\n\tIs the server
/// running..."): one line, the leading "FATAL:" kept.
/// Any password of the URL is blanked too: libpq quotes the part of a URL it cannot
/// read, which can be the password (a bad percent-encoding, an `@` in it).
fn one_line(message: &str, database: &Database) -> String {
    let line = crate::repeated_failure::single_line(message);
    match database.password() {
        Some(password) => line.replace(password, "***"),
        None => line,
    }
}

/// Creates the directory and migrates (SQLite: the catalog file, then the main file,
/// moving a pre-split catalog out of the main file; PostgreSQL: the one database, under
/// an advisory lock so that servers starting together migrate one at a time).
fn prepare(database: &Database) -> anyhow::Result<Target> {
    match database {
        Database::Sqlite(path) => {
            let url = prepare_path(path)?;
            let catalog = catalog_file::catalog_path(path);
            // Both files are checked before either is created or opened: SQLite's own
            // complaint ("file is not a database") names neither, and a bad main file
            // left a new, empty catalog file beside it.
            check_sqlite_file(path)?;
            check_sqlite_file(&catalog)?;
            private_file(path)?;
            let catalog_url = catalog.to_str().ok_or_else(|| {
                anyhow::anyhow!("catalog path {} is not valid UTF-8", catalog.display())
            })?;
            let mut catalog_conn = establish_sqlite(catalog_url)?;
            warn_of_newer_migrations(
                &mut catalog_conn,
                catalog_file::MIGRATIONS,
                catalog.display(),
            );
            catalog_conn
                .run_pending_migrations(catalog_file::MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("catalog database migration failed: {e}"))?;
            drop(catalog_conn);
            let mut conn = establish_sqlite(url)?;
            // The main file is small (accounts, sessions, profiles), so checked at each
            // opening: damage there had gone unseen until requests failed with 500, one
            // save in three. The catalog file is large, and its damage shows at the
            // first read of the catalog, which every start makes.
            if !file_trouble::quick_check(&mut conn)? {
                anyhow::bail!(
                    "{} is damaged (SQLite's quick check): it holds the accounts, sessions \
                     and taste profiles, and must be restored from a backup",
                    path.display()
                );
            }
            warn_of_newer_migrations(&mut conn, MIGRATIONS, path.display());
            conn.run_pending_migrations(MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
            catalog_file::attach(&mut conn, &catalog)?;
            if catalog_file::move_from_main(&mut conn)? {
                tracing::info!(
                    catalog = %catalog.display(),
                    "moved the catalog out of the main database file into its own file"
                );
            }
            Ok(Target::Sqlite {
                main: url.to_string(),
                catalog,
            })
        }
        Database::Postgres(url) => {
            let mut conn = establish_pg(url)?;
            migrate_pg(&mut conn, database)?;
            Ok(Target::Postgres { url: url.clone() })
        }
    }
}

/// Migrations a file has that this build does not know: it was written by a newer
/// release, and this one (a rollback) may misread what that release changed. Said, not
/// refused: the tables this build reads may be unchanged.
fn warn_of_newer_migrations<DB: diesel::backend::Backend>(
    conn: &mut impl MigrationHarness<DB>,
    known: EmbeddedMigrations,
    place: impl std::fmt::Display,
) -> Vec<String>
where
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    use diesel::migration::MigrationSource;
    let (Ok(applied), Ok(known)) = (
        conn.applied_migrations(),
        MigrationSource::<DB>::migrations(&known),
    ) else {
        return Vec::new();
    };
    let known: std::collections::HashSet<String> = known
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let newer: Vec<String> = applied
        .iter()
        .map(ToString::to_string)
        .filter(|version| !known.contains(version))
        .collect();
    if !newer.is_empty() {
        tracing::warn!(
            database = %place,
            unknown = %newer.join(", "),
            "this database was changed by a newer release than this one; if pages fail, run that release again"
        );
    }
    newer
}

/// Names the connection in `pg_stat_activity` (`insights-hub pid N`): with several
/// servers, which holds what. Every connection a server opens is named so.
pub(crate) fn name_pg_connection(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "SET application_name = 'insights-hub pid {}'",
        std::process::id()
    ))
}

/// PostgreSQL advisory locks are per database; each is keyed by (the schema, a purpose),
/// so that databases in different schemas of one server (the tests') never wait for
/// each other.
pub(crate) fn pg_lock_key(purpose: i32) -> String {
    format!("hashtext(current_schema()), {purpose}")
}

/// Purpose of the advisory lock that serialises migrations across servers.
const MIGRATION_LOCK: i32 = 1;

fn migrate_pg(conn: &mut PgConnection, database: impl std::fmt::Display) -> anyhow::Result<()> {
    conn.batch_execute(&format!(
        "SELECT pg_advisory_lock({})",
        pg_lock_key(MIGRATION_LOCK)
    ))?;
    // Said on PostgreSQL as on SQLite: a rollback to this release after a newer one
    // migrated had started without a word.
    warn_of_newer_migrations(conn, MIGRATIONS_PG, database);
    let migrated = conn
        .run_pending_migrations(MIGRATIONS_PG)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"));
    conn.batch_execute(&format!(
        "SELECT pg_advisory_unlock({})",
        pg_lock_key(MIGRATION_LOCK)
    ))?;
    migrated
}

/// The files behind the connection (main, and the attached catalog), if it is SQLite
/// and the main one is a file (not an in-memory database).
pub(crate) fn database_files(conn: &mut DbConnection) -> diesel::QueryResult<Option<DbFiles>> {
    let DbConnection::Sqlite(conn) = conn else {
        return Ok(None);
    };
    let Some(main) = catalog_file::file_of(conn, "main")? else {
        return Ok(None);
    };
    let catalog = catalog_file::attached(conn)?;
    Ok(Some(DbFiles { main, catalog }))
}

/// Another connection to database files already open and migrated, with the pool's
/// pragmas and the same catalog attached: for reading them in parallel.
pub(crate) fn open_files(files: &DbFiles) -> diesel::QueryResult<DbConnection> {
    let mut conn: SqliteConnection =
        diesel::Connection::establish(&files.main.to_string_lossy())
            .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    apply_pragmas(&mut conn)?;
    if let Some(catalog) = &files.catalog {
        catalog_file::attach(&mut conn, catalog)?;
    }
    Ok(DbConnection::Sqlite(conn))
}

/// Creates the file's directory if needed; the path as SQLite takes it.
fn prepare_path(path: &std::path::Path) -> anyhow::Result<&str> {
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

/// The main database file (accounts, password hashes, sessions, tokens) is made
/// readable by its owner only, as `secret.key` is; SQLite gives its `-wal` and `-shm`
/// files the same mode. Files were made 0644 under the usual umask, and other local
/// users could read them. An existing file keeps the mode its owner chose, with a
/// warning when others can read it. (The catalog file holds only the dataset.)
fn private_file(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                tracing::warn!(
                    database = %path.display(),
                    mode = format!("{:o}", meta.permissions().mode() & 0o777),
                    "other users can read the database file, which holds password hashes: chmod 600 it"
                );
            }
            Ok(_) => {}
            Err(_) => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    // Made between the check and here by another process: kept whole.
                    .truncate(false)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A file the app would open as a SQLite database, if it exists: it must be a file,
/// and one that starts like a SQLite database (an empty file is a new database).
fn check_sqlite_file(path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Read;
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_dir() {
        anyhow::bail!(
            "{} is a directory, not a database file: give the path of a file",
            path.display()
        );
    }
    let mut head = Vec::with_capacity(MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if !head.is_empty() && head.as_slice() != MAGIC.as_slice() {
        anyhow::bail!(
            "{} is not a SQLite database (it does not start like one): give another path, \
             or move that file away",
            path.display()
        );
    }
    Ok(())
}

/// Applies every migration not yet applied.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    match conn {
        DbConnection::Sqlite(conn) => {
            conn.run_pending_migrations(MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        }
        DbConnection::Pg(conn) => migrate_pg(conn, "PostgreSQL")?,
    }
    Ok(())
}

/// Purpose of the advisory lock users' writes take on PostgreSQL.
const USER_WRITE_LOCK: i32 = 2;

/// A transaction for users' writes that read before they write (sessions, accounts):
/// such writes run one at a time, as they do on SQLite, so a read cannot go stale
/// before the write that depends on it.
///
/// SQLite: `BEGIN IMMEDIATE` would take the write lock of EVERY attached file, the
/// catalog's included, and so wait for a running import (up to the busy timeout, then
/// fail). This begins a deferred transaction and takes the main file's lock at once
/// with a write that changes no row, so a later write cannot fail to upgrade a read.
/// PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback),
/// which an import never takes.
pub fn user_write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    one_at_a_time(conn, USER_WRITE_LOCK, work)
}

/// Purpose of the advisory lock the log-in throttle's counts take on PostgreSQL.
const THROTTLE_LOCK: i32 = 4;

/// A transaction for the log-in throttle's counts (`accounts::throttle::SharedStore`):
/// one at a time across the servers, as `user_write_transaction`, but under a lock of
/// their own on PostgreSQL, so that a burst of log-in attempts never queues the
/// sessions' and accounts' writes behind it.
pub fn throttle_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    one_at_a_time(conn, THROTTLE_LOCK, work)
}

fn one_at_a_time<T, E, F>(conn: &mut DbConnection, purpose: i32, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        match conn {
            DbConnection::Sqlite(c) => {
                c.batch_execute("UPDATE main.users SET created_at = created_at WHERE 0;")?
            }
            DbConnection::Pg(c) => c.batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({})",
                pg_lock_key(purpose)
            ))?,
        }
        work(conn)
    })
}

/// A transaction whose reads all see one moment of the database, so that the catalog's
/// version, its description and its rows agree while an import commits beside them.
/// SQLite's deferred transaction reads one snapshot from its first read. PostgreSQL's
/// default, READ COMMITTED, gives each statement its own moment: an import committing
/// between two reads mixed two catalogs in one build (corrected at the watcher's next
/// look, a few seconds later). So the outermost transaction asks for REPEATABLE READ,
/// and READ ONLY, since it only reads; one nested in it already has its snapshot.
pub fn read_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost_on_postgres = match conn {
        DbConnection::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_none(),
        DbConnection::Sqlite(_) => false,
    };
    conn.transaction(|conn| {
        if let (true, DbConnection::Pg(c)) = (outermost_on_postgres, &mut *conn) {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        work(conn)
    })
}

/// The app's error for a failed write of a row a user owns (a taste profile, an API
/// token). Such rows reference `users` and go with the account (`ON DELETE CASCADE`); a
/// request whose session was read just before its account was deleted reaches its
/// write after the user's row is gone, and the foreign key refuses the row. That is
/// `AppError::account_gone`, a refusal, not a failure of ours; anything else is a
/// database error.
pub fn user_write_error(error: diesel::result::Error) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => AppError::account_gone(),
        other => AppError::Database(other),
    }
}

/// Runs blocking database work on tokio's blocking pool, so a slow query never stalls the
/// async executor that serves other requests.
pub async fn run<T, F>(pool: &DbPool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run_within(ANSWER_TIMEOUT, pool, work).await
}

/// `run`, giving up after `limit`.
async fn run_within<T, F>(limit: Duration, pool: &DbPool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let task = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    });
    match tokio::time::timeout(limit, task).await {
        Ok(done) => done.map_err(|e| AppError::internal(format!("database task failed: {e}")))?,
        Err(_) => Err(AppError::Unanswered(limit)),
    }
}

/// Runs `work` with `busy_ms` as the connection's busy timeout, then puts the usual
/// one (`BUSY_TIMEOUT_MS`) back, whatever `work` did: a look at a lock, or a step that
/// must not wait on a reader. The restore's own error comes second to the work's.
pub(crate) fn with_busy_timeout<T>(
    conn: &mut SqliteConnection,
    busy_ms: u32,
    work: impl FnOnce(&mut SqliteConnection) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<T> {
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy_ms}"))?;
    let result = work(conn);
    let restored = conn.batch_execute(&format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"));
    let value = result?;
    restored?;
    Ok(value)
}

/// How long a request waits for the database's work, getting a connection included
/// (the pool gives up on that after 5 s). A PostgreSQL server that hangs (or a network
/// that drops its packets) is not refused: the query waited until the connection guard
/// closed the connection at 30 s, with no answer, no status and no line logged, and a
/// balancer resent it to the next server. Now the request gets the 503 page. The work
/// goes on on its thread, and its connection comes back if the database does: a write
/// may still commit after the 503, as any request's whose answer is lost may. Far above
/// any query's time: the longest, reading every track's facts at 1.2 million tracks,
/// takes about a second.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod answer_timeout {
    use super::*;

    /// Work that outlasts the limit gets the 503's error, not a wait without end.
    #[tokio::test]
    async fn work_that_gets_no_answer_is_given_up_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = open(dir.path().join("t.db")).expect("pool");
        let quick = run(&pool, |_| Ok(7)).await;
        assert!(matches!(quick, Ok(7)));
        let hung = run_within(Duration::from_millis(50), &pool, |_| {
            std::thread::sleep(Duration::from_millis(500));
            Ok(())
        })
        .await;
        let error = hung.expect_err("given up on");
        assert!(error.is_unavailable(), "{error}");
        assert!(error.is_internal(), "logged");
        assert!(error
            .to_string()
            .starts_with("the database did not answer within"));
        // The work may still finish, so the person is told to look before trying again.
        assert!(
            error
                .public_message()
                .contains("it may have been saved all the same"),
            "{}",
            error.public_message()
        );
    }
}

#[cfg(test)]
mod file_checks {
    use super::*;

    /// A file migrated by a newer release is noticed (a rollback says so).
    #[test]
    fn migrations_this_build_does_not_know_are_found() {
        let mut conn = SqliteConnection::establish(":memory:").expect("memory");
        conn.run_pending_migrations(MIGRATIONS).expect("migrate");
        let file = std::path::Path::new("hub.db");
        assert!(warn_of_newer_migrations(&mut conn, MIGRATIONS, file.display()).is_empty());
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('20990101000000')",
        )
        .expect("a newer release's migration");
        assert_eq!(
            warn_of_newer_migrations(&mut conn, MIGRATIONS, file.display()),
            ["20990101000000"]
        );
    }

    /// A new main file, and SQLite's files beside it, are readable by their owner only.
    #[cfg(unix)]
    #[test]
    fn a_new_database_file_is_private() {
        use diesel::RunQueryDsl;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let main = dir.path().join("private.db");
        let pool = open(main.clone()).expect("open");
        let mut conn = pool.get().expect("conn");
        diesel::sql_query("CREATE TABLE scratch (x INTEGER)")
            .execute(&mut conn)
            .expect("write");
        for file in ["private.db", "private.db-wal"] {
            let path = dir.path().join(file);
            if let Ok(meta) = std::fs::metadata(&path) {
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
            } else {
                assert_ne!(file, "private.db", "the main file exists");
            }
        }
    }

    fn refusal(opened: anyhow::Result<DbPool>) -> String {
        match opened {
            Ok(_) => panic!("opened"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_named_and_nothing_is_created_beside_it() {
        let dir = tempfile::tempdir().expect("dir");
        let main = dir.path().join("x.db");
        std::fs::write(&main, "garbage, not a database").expect("write");
        let error = refusal(open(main.clone()));
        assert!(
            error.contains(&format!("{} is not a SQLite database", main.display())),
            "{error}"
        );
        assert!(!catalog_file::catalog_path(&main).exists());
        let catalog = dir.path().join("y.db");
        std::fs::write(catalog_file::catalog_path(&catalog), "junk").expect("write");
        let error = refusal(open(catalog.clone()));
        assert!(
            error.contains("y.catalog.db is not a SQLite database"),
            "{error}"
        );
        let folder = dir.path().join("folder.db");
        std::fs::create_dir(&folder).expect("mkdir");
        let error = refusal(open(folder));
        assert!(error.contains("is a directory"), "{error}");
        // An empty file is a new database.
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, "").expect("write");
        assert!(open(empty).is_ok());
    }
}
