//! poem's `SessionStorage` over the `sessions` table (`db::sessions`), with a cache of
//! loads.
//!
//! A logged-in user moving a slider sends a request every few hundred milliseconds, and
//! each would otherwise cost a database round trip before any work. A cached load is
//! used only while `db::sessions::writes()` is where it was when the row was read (every
//! write to the table moves it), so a session ended by log-out, a password change or an
//! account deletion is never served from the cache afterwards; a write to some other
//! session costs only cache misses. An entry is also trusted for `CACHE_TTL` at most,
//! so a change made outside this process (an operator ending sessions with SQL) holds
//! within seconds. Over PostgreSQL, where several servers share the sessions, the cache
//! is `shared`: every server announces its session writes and hears the others'
//! (`db::sessions::listen_for_other_servers`), so a log-out through one server stales
//! the others' caches within about 20 ms; while the listener is not connected, every
//! load reads the row.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use poem::session::SessionStorage;
use serde_json::Value;

use crate::{
    db::{
        self, now_unix,
        sessions::{delete_dead, end, load_with_expiry, save, writes, Owner, Saved},
        DbPool,
    },
    error::{AppError, AppResult},
};

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

/// Finds the user a session belongs to, if any, in its entries.
pub type OwnerOf = fn(&BTreeMap<String, Value>) -> Option<Owner>;

/// Session loads, each valid while no session write happened since it was read.
#[derive(Default)]
struct SessionCache {
    entries: Mutex<HashMap<String, CachedSession>>,
    /// Off: every load reads the row.
    disabled: bool,
    /// Several servers: used only while this process hears the others' writes
    /// (`db::sessions::others_heard`).
    shared: bool,
}

struct CachedSession {
    entries: BTreeMap<String, Value>,
    expires_at: i64,
    /// `db::sessions::writes()` before the row was read.
    writes: u64,
    read_at: Instant,
}

impl SessionCache {
    fn usable(&self) -> bool {
        !self.disabled && (!self.shared || db::sessions::others_heard())
    }

    fn get(&self, id: &str, now: i64) -> Option<BTreeMap<String, Value>> {
        if !self.usable() {
            return None;
        }
        let writes = writes();
        let cache = self.entries.lock().ok()?;
        let hit = cache.get(id)?;
        let fresh =
            hit.writes == writes && hit.expires_at > now && hit.read_at.elapsed() < CACHE_TTL;
        fresh.then(|| hit.entries.clone())
    }

    fn put(&self, id: &str, session: CachedSession) {
        if !self.usable() {
            return;
        }
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

    /// The same storage for several servers over one database: its cache is used only
    /// while the other servers' writes are heard (see the module comment).
    pub fn shared(self) -> DbSessionStorage {
        DbSessionStorage {
            cache: Arc::new(SessionCache {
                shared: true,
                ..SessionCache::default()
            }),
            ..self
        }
    }

    /// The same storage reading every session from the database.
    pub fn without_cache(self) -> DbSessionStorage {
        DbSessionStorage {
            cache: Arc::new(SessionCache {
                disabled: true,
                ..SessionCache::default()
            }),
            ..self
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

/// The key a session's row is kept under: the SHA-256 of its cookie's id, as API tokens
/// are kept, so that whoever reads the database (a backup, a copy, a file other local
/// users can read) finds no id to log in with. Rows written before were keyed by the
/// id itself: those sessions are not found, and their users log in again once.
pub fn stored_id(session_id: &str) -> String {
    crate::accounts::api_tokens::hash(session_id)
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
        let writes = writes();
        let read_at = Instant::now();
        let id = stored_id(session_id);
        let loaded = db::run(&self.pool, move |conn| {
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
        let owner = (self.owner_of)(entries);
        let id = stored_id(session_id);
        let sweep = self.cleanup_due(now);
        db::run(&self.pool, move |conn| -> AppResult<()> {
            let saved = save(conn, &id, &data, owner, now.saturating_add(ttl), now)?;
            if matches!(
                saved,
                Saved::StillEnded | Saved::UserGone | Saved::PasswordChanged
            ) {
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
        let id = stored_id(session_id);
        db::run(&self.pool, move |conn| {
            Ok(end(conn, &id, now_unix()).map(|_| ())?)
        })
        .await
        .map_err(to_poem)
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    use super::*;
    use crate::db::sessions::end_all_for_user;

    /// The storage's cached loads never outlive an end made elsewhere in the process.
    #[tokio::test]
    async fn a_cached_session_ended_behind_the_storage_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(dir.path().join("s.db")).unwrap();
        let storage = DbSessionStorage::new(pool.clone(), |e| {
            e.get("uid").and_then(Value::as_i64).map(|id| Owner {
                user_id: id as i32,
                credentials_version: 0,
            })
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
}
