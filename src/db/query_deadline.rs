//! A deadline for the SQLite statements of one `db::run`. A request gives up on its
//! database work after `ANSWER_TIMEOUT` and answers 503, but the statement went on: an
//! API search with five `artist:` filters over 1.2 million tracks answered 503 at 15 s
//! and kept a core busy for 30 s more, and a client that retried stacked them up.
//!
//! `run` sets the deadline on the thread that does the work (`until`); SQLite calls
//! `past_deadline` every `EVERY` virtual-machine steps of any statement on a connection
//! the pool opened (a progress handler, registered on every new connection through
//! SQLite's auto-extension list), and a statement past it stops with SQLITE_INTERRUPT.
//! Work outside `run` (an import, start-up) has no deadline. PostgreSQL's statements are
//! not stopped so (the README says so, under "Scaling out").
//!
//! Work may also carry a flag that says nobody wants its answer any more
//! (`db::run_until_superseded`: a seed search replaced by the same user's next
//! keystroke). A statement that only reads, outside a transaction, stops once it is
//! set; one that writes, or runs inside a transaction (which may write after it), goes
//! on. The server cannot tell when a client goes away (hyper reads nothing more while a
//! request is answered), so the caller decides.

use std::{
    cell::{Cell, RefCell},
    ffi::{c_char, c_int, c_void},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    time::Instant,
};

use libsqlite3_sys as ffi;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Set once nobody wants the answer of the work on this thread.
    static UNWANTED: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// How many virtual-machine steps pass between two looks at the clock: about a
/// hundred microseconds of work, so a statement stops within a millisecond of its
/// deadline and the look (a few tens of nanoseconds) costs nothing measurable.
const EVERY: c_int = 10_000;

/// The deadline of the work on this thread, and the flag that says its answer is no
/// longer wanted, until the guard is dropped (then the ones before them, if any).
pub(crate) fn until(deadline: Instant, unwanted: Option<Arc<AtomicBool>>) -> DeadlineGuard {
    DeadlineGuard {
        deadline: DEADLINE.with(|d| d.replace(Some(deadline))),
        unwanted: UNWANTED.with(|u| u.replace(unwanted)),
    }
}

pub(crate) struct DeadlineGuard {
    deadline: Option<Instant>,
    unwanted: Option<Arc<AtomicBool>>,
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.deadline));
        UNWANTED.with(|u| u.replace(self.unwanted.take()));
    }
}

/// SQLite's progress handler: non-zero stops the statement. `db` is the connection
/// (`add_handler` registers it so).
#[allow(unsafe_code)]
extern "C" fn past_deadline(db: *mut c_void) -> c_int {
    let past = DEADLINE.with(|d| d.get().is_some_and(|deadline| Instant::now() >= deadline));
    if past {
        return 1;
    }
    let unwanted = UNWANTED.with(|u| {
        u.borrow()
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    });
    // SAFETY: `db` is the connection running this statement, open while SQLite calls
    // its handler; both calls only read its state.
    let keeps_on = unwanted
        && unsafe {
            let db = db.cast::<ffi::sqlite3>();
            ffi::sqlite3_get_autocommit(db) == 0
                || ffi::sqlite3_txn_state(db, std::ptr::null()) == ffi::SQLITE_TXN_WRITE
        };
    c_int::from(unwanted && !keeps_on)
}

/// Called by SQLite for each new connection: sets the progress handler on it.
#[allow(unsafe_code)]
unsafe extern "C" fn add_handler(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection SQLite is opening, handed back to the handler as
    // its user data while the connection is open; the handler lives as long as the
    // process.
    unsafe { ffi::sqlite3_progress_handler(db, EVERY, Some(past_deadline), db.cast::<c_void>()) };
    ffi::SQLITE_OK
}

/// Puts the handler on every SQLite connection opened after this call (once per
/// process). The pool calls it before it opens a connection.
#[allow(unsafe_code)]
pub(crate) fn register_for_new_connections() -> diesel::QueryResult<()> {
    static DONE: OnceLock<c_int> = OnceLock::new();
    // SAFETY: `add_handler` has the signature sqlite3_auto_extension expects and lives
    // as long as the process.
    let rc = *DONE.get_or_init(|| unsafe { ffi::sqlite3_auto_extension(Some(add_handler)) });
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(diesel::result::Error::QueryBuilderError(
            format!("SQLite refused the query deadline's handler: code {rc}").into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::{sql_types::BigInt, Connection, RunQueryDsl, SqliteConnection};

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Counted {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// Counting to a billion takes minutes; past the deadline it stops at once, and
    /// without one (or after its guard) the same connection works as before.
    #[test]
    fn a_statement_past_its_threads_deadline_is_stopped() {
        register_for_new_connections().expect("registered");
        let mut conn = SqliteConnection::establish(":memory:").expect("connection");
        let count = |conn: &mut SqliteConnection, to: i64| {
            diesel::sql_query(format!(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {to}) \
                 SELECT count(*) AS n FROM c"
            ))
            .get_result::<Counted>(conn)
            .map(|c| c.n)
        };
        let started = Instant::now();
        {
            let _deadline = until(Instant::now() + Duration::from_millis(100), None);
            let stopped = count(&mut conn, 1_000_000_000);
            let error = stopped.expect_err("stopped");
            assert!(error.to_string().contains("interrupt"), "{error}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(count(&mut conn, 100_000).ok(), Some(100_000));
    }

    /// Once its answer is unwanted, a read stops; a write, or a read inside a
    /// transaction, goes on.
    #[test]
    fn an_unwanted_read_stops_and_a_write_does_not() {
        register_for_new_connections().expect("registered");
        let mut conn = SqliteConnection::establish(":memory:").expect("connection");
        let unwanted = Arc::new(AtomicBool::new(true));
        let _flagged = until(Instant::now() + Duration::from_secs(600), Some(unwanted));
        let counting = |to: i64| {
            format!(
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {to}) \
                 SELECT count(*) AS n FROM c"
            )
        };
        let read = diesel::sql_query(counting(1_000_000_000)).get_result::<Counted>(&mut conn);
        let error = read.map(|c| c.n).expect_err("stopped");
        assert!(error.to_string().contains("interrupt"), "{error}");
        diesel::sql_query("CREATE TABLE t (n INTEGER)")
            .execute(&mut conn)
            .expect("created");
        let written = diesel::sql_query(
            "INSERT INTO t WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c \
             WHERE n < 200000) SELECT n FROM c",
        )
        .execute(&mut conn)
        .expect("the write goes on");
        assert_eq!(written, 200_000);
        let in_transaction = conn
            .transaction(|conn| diesel::sql_query(counting(300_000)).get_result::<Counted>(conn));
        assert_eq!(in_transaction.map(|c| c.n).ok(), Some(300_000));
    }
}
