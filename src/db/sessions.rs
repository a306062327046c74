//! Server-side sessions in the `sessions` table, behind poem's `SessionStorage` trait:
//! they survive a restart, and ending a session really ends it.
//!
//! - `data` is the JSON of the session's entries; `expires_at` is Unix seconds. Rows
//!   past `expires_at` are never loaded.
//! - Ending a session (log out, renewal at log in, password change) does not delete the
//!   row at once: it sets `expires_at` to now, leaving a tombstone. A request that
//!   loaded the session just before and saves it just after (a second tab, an attacker
//!   racing a password change) then finds a dead row and cannot bring the session
//!   back; only a session id never seen before is inserted. Poem's session ids are 256
//!   random bits, so a new session never collides with a tombstone.
//! - Dead rows are deleted once they are `SWEEP_GRACE` old (longer than any request
//!   runs), at most once per `CLEANUP_EVERY`, by whichever request next saves a session:
//!   no background task to manage.
//! - `user_id` is copied from the entries when a session is saved, so every session of a
//!   user can be ended at once. Which entry holds the user is the web layer's business:
//!   it passes a function to find it.
//! - Loads are cached in memory (`SessionCache`): a logged-in user moving a slider sends
//!   a request every few hundred milliseconds, and each would otherwise cost a database
//!   round trip before any work. Every write to the table, wherever it comes from in this
//!   process, bumps one counter (`forget_cached`), and a cached entry is used only while
//!   the counter is where it was when the entry was read from the database. So a
//!   session ended by log-out, a password change or an account deletion is never served
//!   from the cache afterwards; a write to some other session costs only cache misses.
//!   An entry is also trusted for `CACHE_TTL` at most, so a change made outside this
//!   process (an operator ending sessions with SQL) holds within seconds.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use poem::session::SessionStorage;
use serde_json::Value;

use super::{now_unix, schema::sessions, DbPool};
use crate::error::{AppError, AppResult};

/// Idle lifetime when poem passes no TTL (the cookie config normally sets it).
pub const DEFAULT_TTL: Duration = Duration::from_secs(14 * 24 * 60 * 60);
/// How often dead rows are swept.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(60 * 60);
/// How long a dead row is kept as a tombstone before the sweep may delete it.
pub const SWEEP_GRACE: Duration = Duration::from_secs(10 * 60);

/// How many sessions the load cache holds before it starts over.
pub const CACHE_CAPACITY: usize = 10_000;
/// How long a cached load is trusted without reading the row again.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// Finds the id of the user a session belongs to, if any, in its entries.
pub type OwnerOf = fn(&BTreeMap<String, Value>) -> Option<i32>;

/// Counts writes to the `sessions` table made by this process (see the module comment).
static WRITES: AtomicU64 = AtomicU64::new(0);

/// Makes every cached session load stale. Called after each write to the table, once
/// the write has committed; code that changes sessions some other way (deleting a user
/// deletes their sessions by cascade) calls it too.
pub fn forget_cached() {
    WRITES.fetch_add(1, Ordering::SeqCst);
}

/// Session loads, each valid while no session write happened since it was read.
#[derive(Default)]
struct SessionCache {
    entries: Mutex<HashMap<String, CachedSession>>,
}

struct CachedSession {
    entries: BTreeMap<String, Value>,
    expires_at: i64,
    /// `WRITES` before the row was read.
    writes: u64,
    read_at: Instant,
}

impl SessionCache {
    fn get(&self, id: &str, now: i64) -> Option<BTreeMap<String, Value>> {
        let writes = WRITES.load(Ordering::SeqCst);
        let cache = self.entries.lock().ok()?;
        let hit = cache.get(id)?;
        let fresh =
            hit.writes == writes && hit.expires_at > now && hit.read_at.elapsed() < CACHE_TTL;
        fresh.then(|| hit.entries.clone())
    }

    fn put(&self, id: &str, session: CachedSession) {
        if let Ok(mut cache) = self.entries.lock() {
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(id.to_string(), session);
        }
    }
}

#[derive(Clone)]
pub struct DbSessionStorage {
    pool: DbPool,
    owner_of: OwnerOf,
    /// Unix seconds of the last sweep of dead rows.
    last_cleanup: Arc<AtomicI64>,
    cache: Arc<SessionCache>,
}

impl DbSessionStorage {
    pub fn new(pool: DbPool, owner_of: OwnerOf) -> DbSessionStorage {
        DbSessionStorage {
            pool,
            owner_of,
            last_cleanup: Arc::new(AtomicI64::new(0)),
            cache: Arc::default(),
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

/// The entries of a live session, or `None` if it does not exist, has expired or has
/// been ended.
pub fn load(
    conn: &mut SqliteConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<BTreeMap<String, Value>>> {
    Ok(load_with_expiry(conn, id, now)?.map(|(entries, _)| entries))
}

/// `load`, with the session's `expires_at`.
fn load_with_expiry(
    conn: &mut SqliteConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<(BTreeMap<String, Value>, i64)>> {
    let row: Option<(String, i64)> = sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .select((sessions::data, sessions::expires_at))
        .first(conn)
        .optional()?;
    Ok(
        row.and_then(|(json, expires_at)| match serde_json::from_str(&json) {
            Ok(entries) => Some((entries, expires_at)),
            Err(error) => {
                // A row we cannot read is treated as no session: the user logs in again.
                tracing::warn!(%error, "unreadable session data ignored");
                None
            }
        }),
    )
}

/// What `save` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Inserted,
    Updated,
    /// The session had been ended (or had expired) meanwhile; it stays ended.
    StillEnded,
    /// The session names a user who no longer exists; nothing stored.
    UserGone,
}

/// Stores a session: a new id is inserted, a live one updated, an ended one left dead.
pub fn save(
    conn: &mut SqliteConnection,
    id: &str,
    data: &str,
    user_id: Option<i32>,
    expires_at: i64,
    now: i64,
) -> QueryResult<Saved> {
    let saved = conn.immediate_transaction(|conn| {
        let current: Option<i64> = sessions::table
            .filter(sessions::id.eq(id))
            .select(sessions::expires_at)
            .first(conn)
            .optional()?;
        match current {
            None => {
                let inserted = diesel::insert_into(sessions::table)
                    .values((
                        sessions::id.eq(id),
                        sessions::data.eq(data),
                        sessions::expires_at.eq(expires_at),
                        sessions::user_id.eq(user_id),
                    ))
                    .execute(conn);
                match inserted {
                    Ok(_) => Ok(Saved::Inserted),
                    // The account was deleted while this request ran.
                    Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
                        Ok(Saved::UserGone)
                    }
                    Err(error) => Err(error),
                }
            }
            Some(current) if current > now => {
                diesel::update(sessions::table.filter(sessions::id.eq(id)))
                    .set((
                        sessions::data.eq(data),
                        sessions::expires_at.eq(expires_at),
                        sessions::user_id.eq(user_id),
                    ))
                    .execute(conn)?;
                Ok(Saved::Updated)
            }
            Some(_) => Ok(Saved::StillEnded),
        }
    });
    forget_cached();
    saved
}

/// Ends one session (see the module comment: it becomes a tombstone).
pub fn end(conn: &mut SqliteConnection, id: &str, now: i64) -> QueryResult<usize> {
    let ended = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::expires_at.gt(now)),
    )
    .set(sessions::expires_at.eq(now))
    .execute(conn);
    forget_cached();
    ended
}

/// Ends every session of a user. Returns how many were live.
/// Inside a transaction, call `forget_cached` again once it has committed.
pub fn end_all_for_user(conn: &mut SqliteConnection, user_id: i32, now: i64) -> QueryResult<usize> {
    let ended = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::expires_at.gt(now)),
    )
    .set(sessions::expires_at.eq(now))
    .execute(conn);
    forget_cached();
    ended
}

/// Deletes rows dead since before `before`. Returns how many.
pub fn delete_dead(conn: &mut SqliteConnection, before: i64) -> QueryResult<usize> {
    let deleted =
        diesel::delete(sessions::table.filter(sessions::expires_at.le(before))).execute(conn);
    forget_cached();
    deleted
}

fn to_poem(error: AppError) -> poem::Error {
    poem::Error::from(error)
}

impl SessionStorage for DbSessionStorage {
    async fn load_session<'a>(
        &'a self,
        session_id: &'a str,
    ) -> poem::Result<Option<BTreeMap<String, Value>>> {
        let now = now_unix();
        if let Some(entries) = self.cache.get(session_id, now) {
            return Ok(Some(entries));
        }
        // Read before the row, so a write racing this load leaves the entry stale.
        let writes = WRITES.load(Ordering::SeqCst);
        let read_at = Instant::now();
        let id = session_id.to_string();
        let loaded = super::run(&self.pool, move |conn| {
            Ok(load_with_expiry(conn, &id, now)?)
        })
        .await
        .map_err(to_poem)?;
        Ok(loaded.map(|(entries, expires_at)| {
            self.cache.put(
                session_id,
                CachedSession {
                    entries: entries.clone(),
                    expires_at,
                    writes,
                    read_at,
                },
            );
            entries
        }))
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
            let saved = save(conn, &id, &data, user_id, now.saturating_add(ttl), now)?;
            if matches!(saved, Saved::StillEnded | Saved::UserGone) {
                tracing::info!(?saved, "a request tried to save an ended session; refused");
            }
            if sweep {
                let swept = delete_dead(conn, now - SWEEP_GRACE.as_secs() as i64)?;
                if swept > 0 {
                    tracing::info!(swept, "dead sessions deleted");
                }
            }
            Ok(())
        })
        .await
        .map_err(to_poem)
    }

    async fn remove_session<'a>(&'a self, session_id: &'a str) -> poem::Result<()> {
        let id = session_id.to_string();
        super::run(&self.pool, move |conn| {
            Ok(end(conn, &id, now_unix()).map(|_| ())?)
        })
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
        save(&mut conn, "live", r#"{"a":1}"#, None, 200, 0).unwrap();
        save(&mut conn, "dead", r#"{"a":2}"#, None, 100, 0).unwrap();
        assert_eq!(load(&mut conn, "live", 150).unwrap().unwrap()["a"], 1);
        assert_eq!(load(&mut conn, "dead", 150).unwrap(), None);
        assert_eq!(
            load(&mut conn, "dead", 100).unwrap(),
            None,
            "expiry is exclusive"
        );
        assert_eq!(delete_dead(&mut conn, 150).unwrap(), 1);
        assert_eq!(load(&mut conn, "live", 150).unwrap().unwrap()["a"], 1);
    }

    #[test]
    fn saving_a_live_session_replaces_data_and_expiry() {
        let mut conn = conn();
        assert_eq!(
            save(&mut conn, "s", r#"{"a":1}"#, None, 200, 0).unwrap(),
            Saved::Inserted
        );
        assert_eq!(
            save(&mut conn, "s", r#"{"a":2}"#, None, 400, 150).unwrap(),
            Saved::Updated
        );
        assert_eq!(load(&mut conn, "s", 300).unwrap().unwrap()["a"], 2);
    }

    #[test]
    fn an_ended_session_cannot_be_saved_back() {
        let mut conn = conn();
        save(&mut conn, "s", r#"{"a":1}"#, None, 1000, 0).unwrap();
        assert_eq!(end(&mut conn, "s", 10).unwrap(), 1);
        assert_eq!(load(&mut conn, "s", 10).unwrap(), None);
        // A request that loaded it before the end saves it afterwards: refused.
        assert_eq!(
            save(&mut conn, "s", r#"{"a":2}"#, None, 2000, 11).unwrap(),
            Saved::StillEnded
        );
        assert_eq!(load(&mut conn, "s", 11).unwrap(), None);
        // Likewise for an expired one.
        save(&mut conn, "old", "{}", None, 50, 0).unwrap();
        assert_eq!(
            save(&mut conn, "old", "{}", None, 2000, 60).unwrap(),
            Saved::StillEnded
        );
    }

    #[test]
    fn all_sessions_of_a_user_end_together() {
        let mut conn = conn();
        diesel::sql_query("INSERT INTO users (id, username, username_key, password_hash, created_at) VALUES (7, 'u', 'u', 'h', 0), (8, 'v', 'v', 'h', 0)")
            .execute(&mut conn)
            .unwrap();
        save(&mut conn, "a", "{}", Some(7), 1000, 0).unwrap();
        save(&mut conn, "b", "{}", Some(7), 1000, 0).unwrap();
        save(&mut conn, "c", "{}", Some(8), 1000, 0).unwrap();
        assert_eq!(end_all_for_user(&mut conn, 7, 5).unwrap(), 2);
        assert_eq!(load(&mut conn, "a", 6).unwrap(), None);
        assert_eq!(load(&mut conn, "b", 6).unwrap(), None);
        assert!(load(&mut conn, "c", 6).unwrap().is_some());
    }

    #[test]
    fn a_session_of_a_missing_user_is_not_stored() {
        let mut conn = conn();
        assert_eq!(
            save(&mut conn, "s", r#"{"user":{"id":42}}"#, Some(42), 300, 0).unwrap(),
            Saved::UserGone
        );
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }

    /// The storage's cached loads never outlive an end made elsewhere in the process.
    #[tokio::test]
    async fn a_cached_session_ended_behind_the_storage_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("s.db")).unwrap();
        let storage = DbSessionStorage::new(pool.clone(), |e| {
            e.get("uid").and_then(Value::as_i64).map(|id| id as i32)
        });
        {
            let mut conn = pool.get().unwrap();
            diesel::sql_query("INSERT INTO users (id, username, username_key, password_hash, created_at) VALUES (7, 'u', 'u', 'h', 0)")
                .execute(&mut conn)
                .unwrap();
        }
        let entries: BTreeMap<String, Value> = serde_json::from_str(r#"{"uid":7,"n":1}"#).unwrap();
        storage.update_session("sid", &entries, None).await.unwrap();
        for _ in 0..2 {
            // The second load is served from the cache.
            let loaded = storage.load_session("sid").await.unwrap().unwrap();
            assert_eq!(loaded["n"], 1);
        }
        {
            let mut conn = pool.get().unwrap();
            end_all_for_user(&mut conn, 7, now_unix()).unwrap();
        }
        assert_eq!(storage.load_session("sid").await.unwrap(), None);
    }

    #[test]
    fn unreadable_data_is_no_session() {
        let mut conn = conn();
        save(&mut conn, "s", "not json", None, 200, 0).unwrap();
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }
}
