//! The transactions other modules run their work in: users' writes one at a time,
//! the log-in throttle's counts under a lock of their own, and reads that see one
//! moment of the database; and the error a write of a user's row gives when the
//! account went first.

use diesel::{connection::SimpleConnection, Connection};

use super::DbConnection;
use crate::error::AppError;

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

/// PostgreSQL advisory locks are per database; each is keyed by (the schema, a purpose),
/// so that databases in different schemas of one server (the tests') never wait for
/// each other.
pub(crate) fn pg_lock_key(purpose: i32) -> String {
    format!("hashtext(current_schema()), {purpose}")
}
