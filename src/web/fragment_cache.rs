//! Rendered fragments that depend only on the catalog version and a canonical query,
//! kept so the same question is not answered twice.
//!
//! The live perfect-song answer is the case: a slider sends a request every step, users
//! drag back over positions they just left, everyone starts from the same defaults, and
//! shared URLs are opened by many. Its fragment holds nothing about the user (no name,
//! no CSRF token), so one entry serves every user who asks the same thing. Entries carry
//! the catalog version they were rendered for; an import moves the version and the old
//! entries are dropped on the next store. Bounded: when full, it starts over, which is
//! cheaper than tracking recency and good enough for a cache this small.

use std::{collections::HashMap, sync::Mutex};

use bytes::Bytes;

/// Fragments kept at most (a perfect-song fragment is about 11 KiB).
pub const CAPACITY: usize = 1024;

#[derive(Default)]
pub struct FragmentCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    version: i64,
    bodies: HashMap<String, Bytes>,
}

impl FragmentCache {
    /// The fragment rendered for `key` in catalog `version`, if kept.
    pub fn get(&self, version: i64, key: &str) -> Option<Bytes> {
        let entries = self.inner.lock().ok()?;
        if entries.version != version {
            return None;
        }
        entries.bodies.get(key).cloned()
    }

    pub fn put(&self, version: i64, key: String, body: Bytes) {
        let Ok(mut entries) = self.inner.lock() else {
            return;
        };
        if entries.version != version || entries.bodies.len() >= CAPACITY {
            entries.bodies.clear();
            entries.version = version;
        }
        entries.bodies.insert(key, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_belong_to_one_catalog_version() {
        let cache = FragmentCache::default();
        cache.put(1, "a".into(), Bytes::from_static(b"first"));
        assert_eq!(cache.get(1, "a").as_deref(), Some(&b"first"[..]));
        assert_eq!(cache.get(1, "b"), None);
        assert_eq!(cache.get(2, "a"), None, "another catalog, another answer");
        cache.put(2, "b".into(), Bytes::from_static(b"second"));
        assert_eq!(
            cache.get(1, "a"),
            None,
            "the old version's entries are gone"
        );
        assert_eq!(cache.get(2, "b").as_deref(), Some(&b"second"[..]));
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = FragmentCache::default();
        for i in 0..CAPACITY {
            cache.put(1, i.to_string(), Bytes::new());
        }
        assert!(cache.get(1, "0").is_some());
        cache.put(1, "one more".into(), Bytes::new());
        assert!(cache.get(1, "0").is_none());
        assert!(cache.get(1, "one more").is_some());
    }
}
