//! The throttle's counters in the database (`db::shared`), for several servers over one
//! PostgreSQL database: a guessing run spread over the servers is stopped at the same
//! count as on one. `with_counters` runs as one transaction at a time across the
//! servers (`db::throttle_transaction`), so a burst of parallel attempts cannot all
//! read the counts before any writes them. The calls are short primary-key reads and
//! writes, and they block: `Accounts` makes them on tokio's blocking pool, never on an
//! async worker (a burst of attempts, or a wait for the lock, would stall every page).
//!
//! If the database cannot be reached within `POOL_WAIT`, the attempt is counted in this
//! process's memory instead (the log-in itself then fails anyway, on the user lookup,
//! with a 503).

use std::{
    sync::{Mutex, PoisonError},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use super::{Counters, MemoryStore, Policy, Scope, ThrottleStore};
use crate::{
    db::{self, shared, DbConnection, DbPool},
    repeated_failure::RepeatedFailure,
};

/// How long an attempt waits for a pooled connection before counting in memory.
const POOL_WAIT: Duration = Duration::from_millis(250);

pub struct SharedStore {
    pool: DbPool,
    retention: [(usize, Duration); Scope::COUNT],
    fallback: MemoryStore,
    /// The database not answering, said once, then once per half minute, and when it
    /// answers again (an outage wrote a line per attempt, and none at its end).
    unreachable: Mutex<RepeatedFailure>,
}

impl SharedStore {
    pub fn new(pool: DbPool, policy: &Policy) -> SharedStore {
        SharedStore {
            pool,
            retention: Scope::ALL.map(|scope| scope.retention(policy)),
            fallback: MemoryStore::new(policy, super::MAX_KEYS),
            unreachable: Mutex::default(),
        }
    }
}

fn millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl ThrottleStore for SharedStore {
    fn with_counters<R>(&self, mut f: impl FnMut(&mut dyn Counters) -> R) -> R {
        // A short wait: while PostgreSQL is down the pool's own 5 s wait made a log-in
        // wait 5 s here before its 5 s on the account lookup.
        let unreachable = || {
            self.unreachable
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        let Ok(mut conn) = self.pool.get_timeout(POOL_WAIT) else {
            if let Some(more) = unreachable().failed(Instant::now()) {
                tracing::warn!(
                    more_since_last_line = more,
                    "throttle: database unreachable, counting in memory"
                );
            }
            return self.fallback.with_counters(f);
        };
        if unreachable().succeeded() {
            tracing::info!("throttle: the database answers again, counting there");
        }
        let mut result = None;
        let done = db::throttle_transaction(&mut conn, |conn| {
            let mut counters = InDatabase {
                conn,
                retention: &self.retention,
                failed: None,
            };
            result = Some(f(&mut counters));
            match counters.failed {
                Some(error) => Err(error),
                None => Ok(()),
            }
        });
        match (done, result) {
            (Ok(()), Some(result)) => result,
            (done, _) => {
                // A read that failed gave no attempts, so this answer was made on
                // counts with holes (an attempt let through), and nothing of it was
                // kept: decided again on this process's counts, as while the database
                // cannot be reached.
                if let Err(error) = done {
                    tracing::warn!(%error, "throttle: a database query failed, counting this attempt in memory");
                }
                self.fallback.with_counters(f)
            }
        }
    }
}

struct InDatabase<'a> {
    conn: &'a mut DbConnection,
    retention: &'a [(usize, Duration); Scope::COUNT],
    /// The first error: the transaction is rolled back, the answer still given.
    failed: Option<diesel::result::Error>,
}

impl InDatabase<'_> {
    fn note<T: Default>(&mut self, result: diesel::QueryResult<T>) -> T {
        result.unwrap_or_else(|error| {
            self.failed.get_or_insert(error);
            T::default()
        })
    }
}

impl Counters for InDatabase<'_> {
    fn entries(&mut self, scope: Scope, key: &str) -> Vec<SystemTime> {
        let found = shared::attempts(self.conn, scope as i32, key);
        self.note(found)
            .into_iter()
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64))
            .collect()
    }

    fn push(&mut self, scope: Scope, key: &str, at: SystemTime) {
        let (keep, window) = self.retention[scope as usize];
        let pushed = shared::push_attempt(
            self.conn,
            scope as i32,
            key,
            millis(at),
            keep,
            window.as_millis() as i64,
        );
        self.note(pushed)
    }

    fn take_back(&mut self, scope: Scope, key: &str, at: SystemTime) {
        let taken = shared::take_back_attempt(self.conn, scope as i32, key, millis(at));
        self.note(taken)
    }

    fn clear(&mut self, scope: Scope, key: &str) {
        let cleared = shared::clear_attempts(self.conn, scope as i32, key);
        self.note(cleared)
    }
}
