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

/// What asked for a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// The page, by "Search" or Enter: it stops the user's earlier searches of either
    /// kind, and only another page search stops it.
    Page,
    /// The box's type-ahead fragment: it stops the user's earlier type-ahead only. The
    /// box's delayed request still fires after a click on "Search", and stopping the
    /// page's search with it emptied the page asked for.
    TypeAhead,
}

/// The flags of each user's latest running search of each kind.
#[derive(Debug, Default)]
pub struct LatestSearches {
    running: Mutex<HashMap<(i32, u8), Arc<AtomicBool>>>,
}

fn slot(kind: SearchKind) -> u8 {
    match kind {
        SearchKind::Page => 0,
        SearchKind::TypeAhead => 1,
    }
}

impl LatestSearches {
    /// Starts `user_id`'s search of `kind`, marking the earlier ones it replaces, if
    /// still running, as unwanted.
    pub fn begin(self: &Arc<Self>, user_id: i32, kind: SearchKind) -> SearchTicket {
        let unwanted = Arc::new(AtomicBool::new(false));
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let replaced: &[SearchKind] = match kind {
            SearchKind::Page => &[SearchKind::Page, SearchKind::TypeAhead],
            SearchKind::TypeAhead => &[SearchKind::TypeAhead],
        };
        for &other in replaced {
            if let Some(previous) = running.get(&(user_id, slot(other))) {
                previous.store(true, Ordering::Relaxed);
            }
        }
        running.insert((user_id, slot(kind)), Arc::clone(&unwanted));
        SearchTicket {
            searches: Arc::clone(self),
            key: (user_id, slot(kind)),
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
    key: (i32, u8),
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
            .get(&self.key)
            .is_some_and(|flag| Arc::ptr_eq(flag, &self.unwanted))
        {
            running.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_next_search_supersedes_the_last_and_no_one_elses() {
        use SearchKind::{Page, TypeAhead};
        let searches = Arc::new(LatestSearches::default());
        let first = searches.begin(1, TypeAhead);
        let other_user = searches.begin(2, TypeAhead);
        assert!(!first.superseded());
        let second = searches.begin(1, TypeAhead);
        assert!(first.superseded());
        assert!(!second.superseded());
        assert!(!other_user.superseded());
        // The superseded one leaving does not take the newer one's place with it.
        drop(first);
        assert_eq!(searches.running(), 2);
        // A page search stops the type-ahead and the page before it; the type-ahead
        // never stops a page.
        let page = searches.begin(1, Page);
        assert!(second.superseded());
        let typed = searches.begin(1, TypeAhead);
        assert!(!page.superseded());
        let next_page = searches.begin(1, Page);
        assert!(page.superseded());
        assert!(typed.superseded());
        assert!(!next_page.superseded());
        drop((second, other_user, page, typed, next_page));
        assert_eq!(searches.running(), 0);
    }
}
