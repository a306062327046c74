//! One type-ahead search at a time per user: a search begun by a user marks the one
//! they began before it as unwanted, and its database reads stop
//! (`db::run_until_superseded`). The page's seed box searches on every pause in typing
//! and htmx drops the answer it replaces, but the server cannot see that (hyper reads
//! nothing from a connection while it answers a request on it): at a million tracks
//! each keystroke's search of a second or more ran to its end, the searches queued
//! behind each other for 15 s (some answered 503), and one person typing made everyone
//! else's searches five times slower.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

/// The flag of each user's running search.
#[derive(Debug, Default)]
pub struct LatestSearches {
    running: Mutex<HashMap<i32, Arc<AtomicBool>>>,
}

impl LatestSearches {
    /// Starts `user_id`'s search, marking their previous one, if still running, as
    /// unwanted.
    pub fn begin(self: &Arc<Self>, user_id: i32) -> SearchTicket {
        let unwanted = Arc::new(AtomicBool::new(false));
        let previous = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(user_id, Arc::clone(&unwanted));
        if let Some(previous) = previous {
            previous.store(true, Ordering::Relaxed);
        }
        SearchTicket {
            searches: Arc::clone(self),
            user_id,
            unwanted,
        }
    }

    #[cfg(test)]
    fn running(&self) -> usize {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// A running search; it leaves the table when dropped (unless a newer one took its
/// place).
#[derive(Debug)]
pub struct SearchTicket {
    searches: Arc<LatestSearches>,
    user_id: i32,
    unwanted: Arc<AtomicBool>,
}

impl SearchTicket {
    /// The flag the database work watches.
    pub fn unwanted(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.unwanted)
    }

    /// Whether a newer search of the same user replaced this one.
    pub fn superseded(&self) -> bool {
        self.unwanted.load(Ordering::Relaxed)
    }
}

impl Drop for SearchTicket {
    fn drop(&mut self) {
        let mut running = self
            .searches
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if running
            .get(&self.user_id)
            .is_some_and(|flag| Arc::ptr_eq(flag, &self.unwanted))
        {
            running.remove(&self.user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_next_search_supersedes_the_last_and_no_one_elses() {
        let searches = Arc::new(LatestSearches::default());
        let first = searches.begin(1);
        let other_user = searches.begin(2);
        assert!(!first.superseded());
        let second = searches.begin(1);
        assert!(first.superseded());
        assert!(!second.superseded());
        assert!(!other_user.superseded());
        // The superseded one leaving does not take the newer one's place with it.
        drop(first);
        assert_eq!(searches.running(), 2);
        drop(second);
        drop(other_user);
        assert_eq!(searches.running(), 0);
    }
}
