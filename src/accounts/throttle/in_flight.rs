//! Log-ins counted up front whose passwords are still being checked, in this process.
//! They only decide how a refusal is worded (`Refusal::busy`), never whether an attempt
//! goes, so they are kept in memory, not in the shared store: there they had cost a
//! failed log-in 16 more statements under the lock every server takes.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
    time::SystemTime,
};

use super::IN_FLIGHT;

/// The times of the log-ins in flight, under the pair's key and under the client's
/// (which holds no space, so the two never meet).
#[derive(Default)]
pub struct InFlight {
    marks: Mutex<HashMap<String, Vec<SystemTime>>>,
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<SystemTime>>> {
        // A panic elsewhere while holding it leaves marks that only word refusals.
        self.marks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn mark(&self, keys: [&str; 2], at: SystemTime) {
        let mut marks = self.lock();
        for key in keys {
            marks.entry(key.to_string()).or_default().push(at);
        }
    }

    /// Ends the marks that `mark` made at `at`; a key left without one is forgotten.
    pub fn end(&self, keys: [&str; 2], at: SystemTime) {
        let mut marks = self.lock();
        for key in keys {
            if let Some(times) = marks.get_mut(key) {
                if let Some(i) = times.iter().position(|t| *t == at) {
                    times.swap_remove(i);
                }
                if times.is_empty() {
                    marks.remove(key);
                }
            }
        }
    }

    /// The marks under `key` that may still be in flight: one older than `IN_FLIGHT`
    /// belongs to a check that ended without a word.
    pub fn under(&self, key: &str, now: SystemTime) -> Vec<SystemTime> {
        let marks = self.lock();
        marks
            .get(key)
            .into_iter()
            .flatten()
            .filter(|at| now.duration_since(**at).map_or(true, |age| age < IN_FLIGHT))
            .copied()
            .collect()
    }

    #[cfg(test)]
    pub fn key_count(&self) -> usize {
        self.lock().len()
    }
}
