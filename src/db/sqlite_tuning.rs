//! SQLite's settings: the pragmas every connection runs, its lock waits, and the
//! process-wide switches (threading mode, memory counting, the soft heap limit) that a
//! server and an importer set differently.

use std::time::Duration;

use diesel::{connection::SimpleConnection, SqliteConnection};

use super::{folded_text, DbConnection};

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
