//! Database access: the connection pool (here), migrations (`migrations`), SQLite's
//! settings and file checks (`sqlite_tuning`, `sqlite_files`), the transactions work
//! runs in (`transactions`), and one module of queries per table. All SQL lives under
//! this module so a second backend stays possible.

pub mod api_albums;
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
mod like_pattern;
mod migrations;
mod pool_errors;
mod query_deadline;
pub mod shared;
mod sqlite_files;
mod sqlite_tuning;
#[cfg(test)]
pub(crate) mod statement_cache_log;
mod transactions;

use std::{
    path::PathBuf,
    sync::{atomic::AtomicBool, Arc},
    time::Duration,
};

use diesel::{
    connection::SimpleConnection,
    r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection},
    Connection, PgConnection, SqliteConnection,
};
use diesel_migrations::MigrationHarness;

pub use self::connection::DbConnection;
use self::migrations::{migrate_pg, warn_of_newer_migrations};
pub use self::migrations::{run_migrations, MIGRATIONS, MIGRATIONS_PG};
use self::sqlite_files::{check_sqlite_file, prepare_path, private_file};
pub(crate) use self::sqlite_tuning::with_busy_timeout;
pub use self::sqlite_tuning::{
    apply_pragmas, limit_sqlite_memory, lock_wait_limit, release_cache,
    stop_counting_sqlite_memory, use_multi_thread_mode, BUSY_TIMEOUT_MS, SERVING_MEMORY_LIMIT,
};
pub(crate) use self::transactions::pg_lock_key;
pub use self::transactions::{
    read_transaction, throttle_transaction, user_write_error, user_write_transaction,
};
pub use crate::config::Database;
use crate::error::{AppError, AppResult};

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
                query_deadline::register_for_new_connections()
                    .map_err(diesel::r2d2::Error::QueryError)?;
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
    // Held until the pool's connections hold the catalog file open (see `opening`).
    let _opening = opening(&database);
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
    let _opening = opening(&database);
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
    let _opening = opening(&database);
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

/// Opening a SQLite database, one process at a time: its directory's lock
/// (`sqlite_files::lock_directory`), held by the caller through the migrations and
/// until its first connection holds the catalog file open, after waiting out a load
/// already under way. Two processes opening a new database at once, a server started
/// beside the first import, had both run the migrations ("table users already
/// exists"), or the import had switched the catalog file to a rollback journal in the
/// moment the server had it closed and locked the server out. The import takes the
/// same lock while it chooses its journal and begins (`catalog_writer`). `None` over
/// PostgreSQL, which has its own lock for migrations.
fn opening(database: &Database) -> Option<std::fs::File> {
    let Database::Sqlite(path) = database else {
        return None;
    };
    let lock = sqlite_files::lock_directory(path);
    catalog_file::wait_while_a_load_holds(&catalog_file::catalog_path(path));
    lock
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

/// Whether `database` already holds this app's accounts (its `users` table), read
/// without creating, migrating or writing anything: for a command that works on
/// accounts (`reset-password`), which must not turn a mistyped file or an empty
/// PostgreSQL database into a new, empty app. On PostgreSQL the table is looked for
/// through the URL's search_path, as every query of the app looks for it.
pub fn holds_accounts(database: &Database) -> anyhow::Result<bool> {
    match database {
        Database::Sqlite(path) => sqlite_files::is_main_database(path),
        Database::Postgres(url) => {
            #[derive(diesel::QueryableByName)]
            struct Found {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                found: bool,
            }
            let mut conn = establish_pg(url)?;
            let row: Found = diesel::RunQueryDsl::get_result(
                diesel::sql_query("SELECT to_regclass('users') IS NOT NULL AS found"),
                &mut conn,
            )
            .map_err(|e| anyhow::anyhow!("cannot read {database}: {e}"))?;
            Ok(row.found)
        }
    }
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

/// Names the connection in `pg_stat_activity` (`insights-hub pid N`): with several
/// servers, which holds what. Every connection a server opens is named so, and set up
/// as the app's queries want it:
/// - `jit = off`: PostgreSQL compiles a query whose estimated cost passes
///   `jit_above_cost`, and a title search that folds accents (`folded_text`'s
///   `translate` and `replace` over each title) always does. Compiling took 0.47 s of
///   a 0.7 s search, every time (no plan outlives its request): `drake NOT remix` took
///   0.86–1.02 s with it and 0.23–0.28 s without (TidyTuesday, 2026-12-07). The app's
///   queries are short; none gains from compiling.
pub(crate) fn name_pg_connection(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "SET application_name = 'insights-hub pid {}'; SET jit = off",
        std::process::id()
    ))
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

/// Runs blocking database work on tokio's blocking pool, so a slow query never stalls the
/// async executor that serves other requests.
pub async fn run<T, F>(pool: &DbPool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run_within(ANSWER_TIMEOUT, pool, work).await
}

/// `run` for work whose answer `unwanted` may say is no longer wanted: its SQLite
/// reads then stop (`query_deadline`), and the work ends with their error.
pub async fn run_until_superseded<T, F>(
    pool: &DbPool,
    unwanted: Arc<AtomicBool>,
    work: F,
) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run_flagged(ANSWER_TIMEOUT, pool, Some(unwanted), work).await
}

/// `run`, giving up after `limit`.
async fn run_within<T, F>(limit: Duration, pool: &DbPool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run_flagged(limit, pool, None, work).await
}

async fn run_flagged<T, F>(
    limit: Duration,
    pool: &DbPool,
    unwanted: Option<Arc<AtomicBool>>,
    work: F,
) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    // SQLite's statements stop at the limit too (`query_deadline`), not only the wait.
    let deadline = std::time::Instant::now() + limit;
    let task = tokio::task::spawn_blocking(move || {
        let _deadline = query_deadline::until(deadline, unwanted);
        let mut conn = pool.get()?;
        work(&mut conn)
    });
    match tokio::time::timeout(limit, task).await {
        Ok(done) => match done {
            Ok(Err(_)) if std::time::Instant::now() >= deadline => {
                // Stopped at the deadline a moment before the wait's own end: the same
                // 503, not the 500 of a statement that failed.
                Err(AppError::Unanswered(limit))
            }
            Ok(answer) => answer,
            Err(e) => Err(AppError::internal(format!("database task failed: {e}"))),
        },
        Err(_) => Err(AppError::Unanswered(limit)),
    }
}

/// How long a request waits for the database's work, getting a connection included
/// (the pool gives up on that after 5 s). A PostgreSQL server that hangs (or a network
/// that drops its packets) is not refused: the query waited until the connection guard
/// closed the connection at 30 s, with no answer, no status and no line logged, and a
/// balancer resent it to the next server. Now the request gets the 503 page. On SQLite
/// a statement still running then is stopped (`query_deadline`); otherwise the work
/// goes on on its thread, and its connection comes back if the database does: a write
/// may still commit after the 503, as any request's whose answer is lost may. Far above
/// the usual query's time: reading every track's facts at 1.2 million tracks takes
/// about a second.
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

    /// A SQLite statement still running when the request gives up is stopped then,
    /// not left to run for minutes on a core of its own.
    #[tokio::test]
    async fn a_statement_still_running_at_the_limit_is_stopped() {
        use diesel::RunQueryDsl;
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = open(dir.path().join("t.db")).expect("pool");
        let (ended, end) = std::sync::mpsc::channel();
        let hung = run_within(Duration::from_millis(100), &pool, move |conn| {
            let counted = with_backend!(conn, c => diesel::sql_query(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) \
                 SELECT count(*) FROM c",
            )
            .execute(c));
            let _ = ended.send(counted.as_ref().map_err(|e| e.to_string()).copied());
            Ok(counted.map(|_| ())?)
        })
        .await;
        assert!(hung.expect_err("given up on").is_unavailable());
        let counted = end
            .recv_timeout(Duration::from_secs(10))
            .expect("the statement ended soon after the 503");
        assert!(
            counted.as_ref().is_err_and(|e| e.contains("interrupt")),
            "{counted:?}"
        );
    }

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

    /// Opening a database waits while another process migrates one in the same
    /// directory (the directory's lock, held here as that process would): two
    /// processes opening a new database at once had both run the migrations.
    #[cfg(unix)]
    #[test]
    fn opening_waits_while_the_directory_is_being_migrated() {
        let dir = tempfile::tempdir().expect("dir");
        let other = std::fs::File::open(dir.path()).expect("open the directory");
        assert!(sqlite_files::lock_exclusively(&other), "locked");
        let main = dir.path().join("new.db");
        let opening = std::thread::spawn(move || open(main).map(|_| ()));
        std::thread::sleep(Duration::from_millis(300));
        assert!(!opening.is_finished(), "it waits for the lock");
        drop(other);
        opening
            .join()
            .expect("no panic")
            .expect("opens once the lock is free");
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
