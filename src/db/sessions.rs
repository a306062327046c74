//! Server-side sessions in the `sessions` table, behind poem's `SessionStorage` trait:
//! they survive a restart, and removing the row really ends the session.
//!
//! - `data` is the JSON of the session's entries; `expires_at` is Unix seconds. Rows
//!   past `expires_at` are never loaded, and are deleted at most once per
//!   `CLEANUP_EVERY` by whichever request next saves a session (no background task).
//! - `user_id` is copied from the entries when a session is saved, so that every session
//!   of a user can be ended at once (password change, account deletion). Which entry
//!   holds the user is the web layer's business: it passes a function to find it.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
    upsert::excluded,
};
use poem::session::SessionStorage;
use serde_json::Value;

use super::{now_unix, schema::sessions, DbPool};
use crate::error::{AppError, AppResult};

/// Idle lifetime when poem passes no TTL (the cookie config normally sets it).
pub const DEFAULT_TTL: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// How often expired rows are swept.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(60 * 60);

/// Finds the id of the user a session belongs to, if any, in its entries.
pub type OwnerOf = fn(&BTreeMap<String, Value>) -> Option<i32>;

#[derive(Clone)]
pub struct DbSessionStorage {
    pool: DbPool,
    owner_of: OwnerOf,
    /// Unix seconds of the last sweep of expired rows.
    last_cleanup: Arc<AtomicI64>,
}

impl DbSessionStorage {
    pub fn new(pool: DbPool, owner_of: OwnerOf) -> DbSessionStorage {
        DbSessionStorage {
            pool,
            owner_of,
            last_cleanup: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Claims the next sweep if one is due; only one caller wins per period.
    fn cleanup_due(&self, now: i64) -> bool {
        let last = self.last_cleanup.load(Ordering::Relaxed);
        now - last >= CLEANUP_EVERY.as_secs() as i64
            && self
                .last_cleanup
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// The entries of a live session, or `None` if it does not exist or has expired.
pub fn load(
    conn: &mut SqliteConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<BTreeMap<String, Value>>> {
    let data: Option<String> = sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .select(sessions::data)
        .first(conn)
        .optional()?;
    Ok(data.and_then(|json| match serde_json::from_str(&json) {
        Ok(entries) => Some(entries),
        Err(error) => {
            // A row we cannot read is treated as no session: the user logs in again.
            tracing::warn!(%error, "unreadable session data ignored");
            None
        }
    }))
}

/// Inserts or replaces a session. A session naming a user who no longer exists (the
/// account was deleted while this request ran) is dropped instead of stored.
pub fn save(
    conn: &mut SqliteConnection,
    id: &str,
    data: &str,
    user_id: Option<i32>,
    expires_at: i64,
) -> QueryResult<()> {
    let result = diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::data.eq(data),
            sessions::expires_at.eq(expires_at),
            sessions::user_id.eq(user_id),
        ))
        .on_conflict(sessions::id)
        .do_update()
        .set((
            sessions::data.eq(excluded(sessions::data)),
            sessions::expires_at.eq(excluded(sessions::expires_at)),
            sessions::user_id.eq(excluded(sessions::user_id)),
        ))
        .execute(conn);
    match result {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
            remove(conn, id).map(|_| ())
        }
        Err(error) => Err(error),
    }
}

pub fn remove(conn: &mut SqliteConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::id.eq(id))).execute(conn)
}

/// Ends every session of a user. Returns how many there were.
pub fn remove_for_user(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Deletes sessions that expired at or before `now`. Returns how many.
pub fn delete_expired(conn: &mut SqliteConnection, now: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

fn to_poem(error: AppError) -> poem::Error {
    poem::Error::from(error)
}

impl SessionStorage for DbSessionStorage {
    async fn load_session<'a>(
        &'a self,
        session_id: &'a str,
    ) -> poem::Result<Option<BTreeMap<String, Value>>> {
        let id = session_id.to_string();
        super::run(&self.pool, move |conn| Ok(load(conn, &id, now_unix())?))
            .await
            .map_err(to_poem)
    }

    async fn update_session<'a>(
        &'a self,
        session_id: &'a str,
        entries: &'a BTreeMap<String, Value>,
        expires: Option<Duration>,
    ) -> poem::Result<()> {
        let now = now_unix();
        let ttl = expires.unwrap_or(DEFAULT_TTL).as_secs() as i64;
        let data = serde_json::to_string(entries)
            .map_err(|e| to_poem(AppError::internal(format!("session data: {e}"))))?;
        let user_id = (self.owner_of)(entries);
        let id = session_id.to_string();
        let sweep = self.cleanup_due(now);
        super::run(&self.pool, move |conn| -> AppResult<()> {
            save(conn, &id, &data, user_id, now.saturating_add(ttl))?;
            if sweep {
                let swept = delete_expired(conn, now)?;
                if swept > 0 {
                    tracing::info!(swept, "expired sessions deleted");
                }
            }
            Ok(())
        })
        .await
        .map_err(to_poem)
    }

    async fn remove_session<'a>(&'a self, session_id: &'a str) -> poem::Result<()> {
        let id = session_id.to_string();
        super::run(&self.pool, move |conn| Ok(remove(conn, &id).map(|_| ())?))
            .await
            .map_err(to_poem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        crate::db::apply_pragmas(&mut conn).unwrap();
        crate::db::run_migrations(&mut conn).unwrap();
        conn
    }

    #[test]
    fn expired_sessions_are_not_loaded_and_get_swept() {
        let mut conn = conn();
        save(&mut conn, "live", r#"{"a":1}"#, None, 200).unwrap();
        save(&mut conn, "dead", r#"{"a":2}"#, None, 100).unwrap();
        assert_eq!(load(&mut conn, "live", 150).unwrap().unwrap()["a"], 1);
        assert_eq!(load(&mut conn, "dead", 150).unwrap(), None);
        assert_eq!(
            load(&mut conn, "dead", 100).unwrap(),
            None,
            "expiry is exclusive"
        );
        assert_eq!(delete_expired(&mut conn, 150).unwrap(), 1);
        assert_eq!(load(&mut conn, "live", 150).unwrap().unwrap()["a"], 1);
    }

    #[test]
    fn saving_again_replaces_data_and_expiry() {
        let mut conn = conn();
        save(&mut conn, "s", r#"{"a":1}"#, None, 200).unwrap();
        save(&mut conn, "s", r#"{"a":2}"#, None, 400).unwrap();
        assert_eq!(load(&mut conn, "s", 300).unwrap().unwrap()["a"], 2);
        assert_eq!(remove(&mut conn, "s").unwrap(), 1);
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }

    #[test]
    fn a_session_of_a_missing_user_is_dropped_not_an_error() {
        let mut conn = conn();
        save(&mut conn, "s", "{}", None, 200).unwrap();
        save(&mut conn, "s", r#"{"user":{"id":42}}"#, Some(42), 300).unwrap();
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }

    #[test]
    fn unreadable_data_is_no_session() {
        let mut conn = conn();
        save(&mut conn, "s", "not json", None, 200).unwrap();
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }
}
