//! Test support: which statements a diesel connection prepares and keeps.
//!
//! Hand-written query fragments (`one_of`, the catalog writer's INSERT of new tracks)
//! exist so that one prepared statement serves many calls. Their tests check that by
//! listening to diesel's instrumentation, which reports every statement it caches.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

/// The SQL of every statement a connection cached since `listen`.
#[derive(Clone, Default)]
pub(crate) struct StatementCacheLog(Arc<Mutex<Vec<String>>>);

impl StatementCacheLog {
    /// A new log, attached to `conn` (replacing any earlier instrumentation).
    pub(crate) fn listen(conn: &mut impl Connection) -> StatementCacheLog {
        let log = StatementCacheLog::default();
        conn.set_instrumentation(log.clone());
        log
    }

    /// The statements cached so far, in order.
    pub(crate) fn cached(&self) -> Vec<String> {
        self.0.lock().map(|sql| sql.clone()).unwrap_or_default()
    }
}

impl Instrumentation for StatementCacheLog {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            if let Ok(mut cached) = self.0.lock() {
                cached.push(sql.to_string());
            }
        }
    }
}
