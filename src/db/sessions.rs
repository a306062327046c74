//! Server-side sessions in the `sessions` table: they survive a restart, and ending a
//! session really ends it. The web layer adapts these functions to poem's
//! `SessionStorage` (`web::auth::session_store`), with a cache of loads.
//!
//! - `data` is the JSON of the session's entries; `expires_at` is Unix seconds. Rows
//!   past `expires_at` are never loaded.
//! - Ending a session (log out, renewal at log in, password change) does not delete the
//!   row at once: it sets `expires_at` to a little before now (`ENDED_MARGIN_SECS`),
//!   leaving a tombstone. A request that
//!   loaded the session just before and saves it just after (a second tab, an attacker
//!   racing a password change) then finds a dead row and cannot bring the session
//!   back; only a session id never seen before is inserted. Poem's session ids are 256
//!   random bits, so a new session never collides with a tombstone.
//! - Dead rows are deleted once they are `SWEEP_GRACE` old (longer than any request
//!   runs), at most once an hour, by whichever request next saves a session (see
//!   `web::auth::session_store`):
//!   no background task to manage.
//! - `user_id` is copied from the entries when a session is saved, so every session of a
//!   user can be ended at once. Which entry holds the user is the web layer's business:
//!   it passes a function to find it.
//! - Every write to the table, wherever it comes from in this process, bumps one counter
//!   (`forget_cached`, read with `writes`). A cache of loads keeps an entry only while
//!   the counter is where it was when the entry was read, so a session ended by log-out,
//!   a password change or an account deletion is never served from a cache afterwards.
//! - Over PostgreSQL, several servers share the table, so each write is also announced
//!   on a channel (`NOTIFY`, delivered when the write commits) and every server listens
//!   (`listen_for_other_servers`), bumping its own counter when another server writes.
//!   While that listener is not connected, `others_heard` is false and the web layer
//!   reads every session from the database instead of its cache.

use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use serde_json::Value;

use super::schema::{sessions, users};
use crate::repeated_failure::{single_line, RepeatedFailure};

/// Counts writes to the `sessions` table made by this process (see the module comment).
static WRITES: AtomicU64 = AtomicU64::new(0);

/// Makes every cached session load stale. Called after each write to the table, once
/// the write has committed; code that changes sessions some other way (deleting a user
/// deletes their sessions by cascade) calls it too.
pub fn forget_cached() {
    WRITES.fetch_add(1, Ordering::SeqCst);
}

/// How many writes to the table this process has made; a cached load is valid while
/// this has not moved since the row was read.
pub fn writes() -> u64 {
    WRITES.load(Ordering::SeqCst)
}

/// PostgreSQL: the channel on which every server announces its writes to `sessions`.
const CHANNEL: &str = "ih_sessions";

/// When the listener last had an answer from its connection (milliseconds since
/// `since_start`'s start, at least 1), or 0 while it is not listening (PostgreSQL only).
static CONFIRMED_AT: AtomicU64 = AtomicU64::new(0);

/// How often the listener asks its connection for an answer (`SELECT 1`).
const PROBE_EVERY: Duration = Duration::from_millis(500);

/// How long an answer vouches for the connection. A connection can go deaf without
/// failing (a firewall or NAT forgetting it, a stopped backend): notifications then
/// stop, nothing errs, and a log-out on another server went unseen here for as long as
/// a cached session lived (5 s). Unconfirmed for longer than this, the listener no
/// longer counts as hearing, and sessions are read from the database.
const CONFIRMED_FOR: Duration = Duration::from_millis(2_000);

fn since_start() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Whether an answer at `confirmed_at` (0: none) still vouches for the connection at
/// `now` (both `since_start` milliseconds).
fn still_heard(confirmed_at: u64, now: u64) -> bool {
    confirmed_at != 0 && now.saturating_sub(confirmed_at) <= CONFIRMED_FOR.as_millis() as u64
}

/// True while `listen_for_other_servers` is connected, listening, and its connection
/// answered within `CONFIRMED_FOR`: only then may a server that shares its database
/// keep cached session loads.
pub fn others_heard() -> bool {
    still_heard(CONFIRMED_AT.load(Ordering::SeqCst), since_start())
}

/// Tells the other servers (PostgreSQL) that the table changed; part of the caller's
/// transaction, so they hear of it when it commits, not before. Nothing on SQLite.
pub fn announce(conn: &mut crate::db::DbConnection) -> QueryResult<()> {
    if let crate::db::DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    Ok(())
}

/// How often the listener checks for announcements: the longest another server's
/// log-out can go unseen here.
const LISTEN_POLL: Duration = Duration::from_millis(20);

/// Starts a thread that listens, on its own connection to `url`, for the other
/// servers' session writes and makes this process's cached loads stale when one comes.
/// It reconnects after an error; while it is disconnected `others_heard` is false.
/// One listener per process, whichever server state asks first: the counter and the
/// flag it moves are process-wide, and notifications reach every schema of a database.
pub fn listen_for_other_servers(url: &str) -> std::io::Result<()> {
    static STARTED: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let Ok(mut started) = STARTED.lock() else {
        return Ok(());
    };
    if *started {
        return Ok(());
    }
    let url = url.to_string();
    *started = true;
    std::thread::Builder::new()
        .name("session-listener".into())
        .spawn(move || {
            let mut failure = RepeatedFailure::default();
            loop {
                let listened = listen(&url, || {
                    if failure.succeeded() {
                        tracing::info!("session listener connected again");
                    }
                });
                if let Err(error) = listened {
                    if let Some(more) = failure.failed(std::time::Instant::now()) {
                        tracing::warn!(
                            error = %single_line(&error.to_string()),
                            failed_since_last_said = more,
                            "session listener has no connection; retrying every second"
                        );
                    }
                }
                CONFIRMED_AT.store(0, Ordering::SeqCst);
                forget_cached();
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .map(|_| ())
}

/// Listens until the connection fails; `connected` is called once it listens.
fn listen(url: &str, connected: impl FnOnce()) -> QueryResult<()> {
    let mut conn = diesel::PgConnection::establish(url)
        .map_err(|e| DieselError::QueryBuilderError(e.to_string().into()))?;
    super::name_pg_connection(&mut conn)?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
    connected();
    // Anything written before the listener was connected is unseen: start afresh.
    forget_cached();
    CONFIRMED_AT.store(since_start(), Ordering::SeqCst);
    let mut probed = std::time::Instant::now();
    loop {
        // The answer comes after any notification sent before the question, and those
        // are read just below: once they are, the connection is confirmed up to the
        // moment it was asked.
        let asked = if probed.elapsed() >= PROBE_EVERY {
            let asked = since_start();
            diesel::sql_query("SELECT 1").execute(&mut conn)?;
            probed = std::time::Instant::now();
            Some(asked)
        } else {
            None
        };
        let mut heard = false;
        for notification in conn.notifications_iter() {
            notification?;
            heard = true;
        }
        if heard {
            forget_cached();
        }
        if let Some(asked) = asked {
            CONFIRMED_AT.store(asked, Ordering::SeqCst);
        }
        std::thread::sleep(LISTEN_POLL);
    }
}

/// The entries of a live session, or `None` if it does not exist, has expired or has
/// been ended.
pub fn load(
    conn: &mut crate::db::DbConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<BTreeMap<String, Value>>> {
    Ok(load_with_expiry(conn, id, now)?.map(|(entries, _)| entries))
}

/// `load`, with the session's `expires_at`.
pub fn load_with_expiry(
    conn: &mut crate::db::DbConnection,
    id: &str,
    now: i64,
) -> QueryResult<Option<(BTreeMap<String, Value>, i64)>> {
    crate::db::with_backend!(conn, conn => {
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
    })
}

/// How far in the past an ended session's `expires_at` is set. Each server compares it
/// with its own clock: a tombstone stamped "now" by one server was still live, for a
/// moment, on a server whose clock ran a little behind, and that server's next save of
/// the session gave it a whole new lifetime, undoing the log-out. Servers whose clocks
/// differ by less than this agree that it is dead. Well under `SWEEP_GRACE` (the web
/// layer's 10 minutes), so the tombstone still outlives any request.
pub const ENDED_MARGIN_SECS: i64 = 120;

/// What `save` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Inserted,
    Updated,
    /// The session had been ended (or had expired) meanwhile; it stays ended.
    StillEnded,
    /// The session names a user who no longer exists; nothing stored.
    UserGone,
    /// A new session started under a password that has changed since: the log-in
    /// checked the old password while its owner replaced it. Nothing stored.
    PasswordChanged,
}

/// The user a session is logged in as, and the user's credentials' version when it
/// started (`users::replace_password`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub user_id: i32,
    pub credentials_version: i32,
}

/// Stores a session: a new id is inserted, a live one updated, an ended one left dead.
/// A new session of a user is inserted only under the user's current credentials'
/// version. This runs in the users' write transaction, as a password change does, so
/// the two cannot interleave: the change either ends this session or refuses it.
pub fn save(
    conn: &mut crate::db::DbConnection,
    id: &str,
    data: &str,
    owner: Option<Owner>,
    expires_at: i64,
    now: i64,
) -> QueryResult<Saved> {
    let user_id = owner.map(|o| o.user_id);
    let saved = super::user_write_transaction(conn, |conn| {
        let saved = crate::db::with_backend!(conn, conn => {
            let current: Option<i64> = sessions::table
                .filter(sessions::id.eq(id))
                .select(sessions::expires_at)
                .first(conn)
                .optional()?;
            // A new session of a user: is it started under the user's current
            // credentials? (Asked only for a new row: a live one was checked when it
            // was inserted, and a password change ends it.)
            let refused = match (current, owner) {
                (None, Some(owner)) => {
                    let version: Option<i32> = users::table
                        .find(owner.user_id)
                        .select(users::credentials_version)
                        .first(conn)
                        .optional()?;
                    match version {
                        None => Some(Saved::UserGone),
                        Some(v) if v != owner.credentials_version => Some(Saved::PasswordChanged),
                        Some(_) => None,
                    }
                }
                _ => None,
            };
            match (current, refused) {
                (None, Some(refused)) => Ok(refused),
                (None, None) => {
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
                (Some(current), _) if current > now => {
                    diesel::update(sessions::table.filter(sessions::id.eq(id)))
                        .set((
                            sessions::data.eq(data),
                            sessions::expires_at.eq(expires_at),
                            sessions::user_id.eq(user_id),
                        ))
                        .execute(conn)?;
                    Ok(Saved::Updated)
                }
                (Some(_), _) => Ok(Saved::StillEnded),
            }
        })?;
        announce(conn)?;
        Ok(saved)
    });
    forget_cached();
    saved
}

/// Ends one session (see the module comment: it becomes a tombstone).
pub fn end(conn: &mut crate::db::DbConnection, id: &str, now: i64) -> QueryResult<usize> {
    let ended = crate::db::with_backend!(conn, conn => {
    let ended = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::expires_at.gt(now)),
    )
    .set(sessions::expires_at.eq(now - ENDED_MARGIN_SECS))
    .execute(conn);
    forget_cached();
    ended
    })?;
    announce(conn)?;
    Ok(ended)
}

/// Ends every session of a user. Returns how many were live.
/// Inside a transaction, call `forget_cached` again once it has committed.
pub fn end_all_for_user(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    now: i64,
) -> QueryResult<usize> {
    let ended = crate::db::with_backend!(conn, conn => {
    let ended = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::expires_at.gt(now)),
    )
    .set(sessions::expires_at.eq(now - ENDED_MARGIN_SECS))
    .execute(conn);
    forget_cached();
    ended
    })?;
    announce(conn)?;
    Ok(ended)
}

/// Deletes rows dead since before `before`. Returns how many.
pub fn delete_dead(conn: &mut crate::db::DbConnection, before: i64) -> QueryResult<usize> {
    let deleted = crate::db::with_backend!(conn, conn => {
    let deleted =
        diesel::delete(sessions::table.filter(sessions::expires_at.le(before))).execute(conn);
    forget_cached();
    deleted
    })?;
    announce(conn)?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listener counts as hearing only while its connection answered lately.
    #[test]
    fn an_unconfirmed_listener_is_not_heard() {
        let window = CONFIRMED_FOR.as_millis() as u64;
        assert!(!still_heard(0, 10));
        assert!(still_heard(1_000, 1_000));
        assert!(still_heard(1_000, 1_000 + window));
        assert!(!still_heard(1_000, 1_001 + window));
        // Asked a moment before another thread read the clock: still heard.
        assert!(still_heard(1_000, 900));
    }

    fn conn() -> crate::db::DbConnection {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        crate::db::apply_pragmas(&mut conn).unwrap();
        let mut conn = crate::db::DbConnection::Sqlite(conn);
        crate::db::run_migrations(&mut conn).unwrap();
        conn
    }

    fn owner(user_id: i32) -> Option<Owner> {
        Some(Owner {
            user_id,
            credentials_version: 0,
        })
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
        save(&mut conn, "a", "{}", owner(7), 1000, 0).unwrap();
        save(&mut conn, "b", "{}", owner(7), 1000, 0).unwrap();
        save(&mut conn, "c", "{}", owner(8), 1000, 0).unwrap();
        assert_eq!(end_all_for_user(&mut conn, 7, 5).unwrap(), 2);
        assert_eq!(load(&mut conn, "a", 6).unwrap(), None);
        assert_eq!(load(&mut conn, "b", 6).unwrap(), None);
        assert!(load(&mut conn, "c", 6).unwrap().is_some());
    }

    #[test]
    fn a_session_of_a_missing_user_is_not_stored() {
        let mut conn = conn();
        assert_eq!(
            save(&mut conn, "s", r#"{"user":{"id":42}}"#, owner(42), 300, 0).unwrap(),
            Saved::UserGone
        );
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }

    /// A log-in that checked the old password while its owner changed it starts its
    /// session after the change ended every other one: that session is not stored.
    #[test]
    fn a_session_started_under_a_replaced_password_is_not_stored() {
        let mut conn = conn();
        diesel::sql_query("INSERT INTO users (id, username, username_key, password_hash, created_at) VALUES (7, 'u', 'u', 'h', 0)")
            .execute(&mut conn)
            .unwrap();
        let under = |credentials_version| {
            Some(Owner {
                user_id: 7,
                credentials_version,
            })
        };
        assert_eq!(
            save(&mut conn, "before", "{}", under(0), 1000, 0).unwrap(),
            Saved::Inserted
        );
        let version = crate::db::users::replace_password(&mut conn, 7, "h2").unwrap();
        assert_eq!(version, Some(1));
        end_all_for_user(&mut conn, 7, 5).unwrap();
        assert_eq!(
            save(&mut conn, "racing", "{}", under(0), 1000, 6).unwrap(),
            Saved::PasswordChanged
        );
        assert_eq!(load(&mut conn, "racing", 6).unwrap(), None);
        assert_eq!(load(&mut conn, "before", 6).unwrap(), None);
        // A session started under the new password is stored.
        assert_eq!(
            save(&mut conn, "after", "{}", under(1), 1000, 6).unwrap(),
            Saved::Inserted
        );
        assert!(load(&mut conn, "after", 6).unwrap().is_some());
    }

    /// A server whose clock runs a little behind the one that ended a session still
    /// sees it ended, and cannot save it back to life.
    #[test]
    fn an_ended_session_stays_ended_on_a_clock_a_little_behind() {
        let mut conn = conn();
        save(&mut conn, "s", "{}", None, 1000, 0).unwrap();
        end(&mut conn, "s", 100).unwrap();
        let behind = 100 - ENDED_MARGIN_SECS + 1;
        assert_eq!(load(&mut conn, "s", behind).unwrap(), None);
        assert_eq!(
            save(&mut conn, "s", "{}", None, 2000, behind).unwrap(),
            Saved::StillEnded
        );
    }

    #[test]
    fn unreadable_data_is_no_session() {
        let mut conn = conn();
        save(&mut conn, "s", "not json", None, 200, 0).unwrap();
        assert_eq!(load(&mut conn, "s", 0).unwrap(), None);
    }
}
