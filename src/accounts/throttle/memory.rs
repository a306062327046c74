//! The throttle's counters in this process's memory, behind one mutex.
//!
//! Not in the database, for now: the counts only matter for an hour or so, losing them
//! at a restart merely resets the clock, and a failed log in should not cost a write
//! to SQLite's single writer (which an attacker could use to slow everyone down). Each
//! scope's map is bounded, so spraying usernames or addresses cannot exhaust memory;
//! when a map is full, the key whose latest entry is oldest is forgotten first. Several
//! servers need a shared store instead (see `ThrottleStore`).

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, MutexGuard},
    time::{Duration, SystemTime},
};

use super::{Counters, Policy, Scope, ThrottleStore};

type Map = HashMap<String, VecDeque<SystemTime>>;

pub struct MemoryStore {
    /// Per scope: how many entries a key keeps, and for how long they matter.
    retention: [(usize, Duration); Scope::COUNT],
    max_keys: usize,
    maps: Mutex<[Map; Scope::COUNT]>,
}

impl MemoryStore {
    /// A store for `policy`, remembering at most `max_keys` keys per scope.
    pub fn new(policy: &Policy, max_keys: usize) -> MemoryStore {
        MemoryStore {
            retention: Scope::ALL.map(|scope| scope.retention(policy)),
            max_keys: max_keys.max(1),
            maps: Mutex::new(Default::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, [Map; Scope::COUNT]> {
        // The counters stay consistent even if a holder panicked: use them as they are.
        self.maps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(test)]
    pub(super) fn key_count(&self, scope: Scope) -> usize {
        self.lock()[scope as usize].len()
    }
}

impl ThrottleStore for MemoryStore {
    fn with_counters<R>(&self, mut f: impl FnMut(&mut dyn Counters) -> R) -> R {
        let mut maps = self.lock();
        let mut counters = Locked {
            maps: &mut maps,
            retention: &self.retention,
            max_keys: self.max_keys,
        };
        f(&mut counters)
    }
}

struct Locked<'a> {
    maps: &'a mut [Map; Scope::COUNT],
    retention: &'a [(usize, Duration); Scope::COUNT],
    max_keys: usize,
}

impl Counters for Locked<'_> {
    fn entries(&mut self, scope: Scope, key: &str) -> Vec<SystemTime> {
        self.maps[scope as usize]
            .get(key)
            .map(|times| times.iter().copied().collect())
            .unwrap_or_default()
    }

    fn push(&mut self, scope: Scope, key: &str, at: SystemTime) {
        let (keep, window) = self.retention[scope as usize];
        let map = &mut self.maps[scope as usize];
        if !map.contains_key(key) && map.len() >= self.max_keys {
            make_room(map, window, self.max_keys, at);
        }
        let times = map.entry(key.to_string()).or_default();
        prune(times, window, at);
        times.push_back(at);
        // More than the rule looks at tells it nothing new; keep memory per key bounded.
        while times.len() > keep {
            times.pop_front();
        }
    }

    fn take_back(&mut self, scope: Scope, key: &str, at: SystemTime) {
        let map = &mut self.maps[scope as usize];
        let Some(times) = map.get_mut(key) else {
            return;
        };
        if let Some(index) = times.iter().rposition(|time| *time == at) {
            times.remove(index);
        }
        if times.is_empty() {
            map.remove(key);
        }
    }

    fn clear(&mut self, scope: Scope, key: &str) {
        self.maps[scope as usize].remove(key);
    }
}

fn prune(times: &mut VecDeque<SystemTime>, window: Duration, now: SystemTime) {
    while times
        .front()
        .is_some_and(|first| now.duration_since(*first).unwrap_or(Duration::ZERO) >= window)
    {
        times.pop_front();
    }
}

/// Drops expired entries; if the map is still full, forgets the key whose latest entry
/// is oldest (the least likely to be an attack in progress).
fn make_room(map: &mut Map, window: Duration, max_keys: usize, now: SystemTime) {
    map.retain(|_, times| {
        prune(times, window, now);
        !times.is_empty()
    });
    if map.len() >= max_keys {
        let stalest = map
            .iter()
            .min_by_key(|(_, times)| times.back().copied())
            .map(|(key, _)| key.clone());
        if let Some(key) = stalest {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::throttle::policy::DEFAULT;

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn keys_keep_only_what_their_rule_needs() {
        let store = MemoryStore::new(&DEFAULT, 100);
        let now = t0();
        store.with_counters(|c| {
            for _ in 0..50 {
                c.push(Scope::Pair, "k", now);
                c.push(Scope::Trusted, "k", now);
            }
            assert_eq!(c.entries(Scope::Pair, "k").len(), DEFAULT.pair.max_failures);
            assert_eq!(c.entries(Scope::Trusted, "k").len(), 1);
            // Old entries are dropped when the key is written again.
            c.push(Scope::Pair, "k", now + DEFAULT.pair.window);
            assert_eq!(c.entries(Scope::Pair, "k").len(), 1);
        });
    }

    #[test]
    fn take_back_removes_exactly_that_attempt() {
        let store = MemoryStore::new(&DEFAULT, 100);
        let (a, b) = (t0(), t0() + Duration::from_secs(1));
        store.with_counters(|c| {
            c.push(Scope::Client, "k", a);
            c.push(Scope::Client, "k", b);
            c.take_back(Scope::Client, "k", a);
            assert_eq!(c.entries(Scope::Client, "k"), vec![b]);
            // An attempt that is not there takes nothing else with it.
            c.take_back(Scope::Client, "k", a);
            assert_eq!(c.entries(Scope::Client, "k"), vec![b]);
            c.take_back(Scope::Client, "k", b);
            assert!(c.entries(Scope::Client, "k").is_empty());
        });
        assert_eq!(store.key_count(Scope::Client), 0);
    }

    #[test]
    fn memory_stays_bounded_and_forgets_the_stalest_key_first() {
        let store = MemoryStore::new(&DEFAULT, 50);
        let now = t0();
        store.with_counters(|c| {
            c.push(Scope::Username, "target", now + Duration::from_secs(5000));
            for i in 0..1000 {
                c.push(Scope::Username, &format!("user{i}"), now);
                c.push(Scope::Client, &format!("10.0.{}.{}", i / 256, i % 256), now);
            }
            assert_eq!(c.entries(Scope::Username, "target").len(), 1);
        });
        assert!(store.key_count(Scope::Username) <= 50);
        assert!(store.key_count(Scope::Client) <= 50);
    }
}
