//! `VersionedCache`: values derived from one catalog version, kept until the next.
//!
//! Everything the app shows about tracks and artists changes only with an import, and an
//! import moves the catalog version. So a cache keyed by the version needs no other
//! invalidation: a lookup for another version misses, and the first store for a new
//! version drops everything kept for the old one. Bounded: when full it starts over,
//! which is cheaper than tracking recency and good enough for small hot sets (the
//! tracks near a slider, the artists people compare). A cache of values whose sizes
//! vary (rendered pages) also bounds their total weight, in bytes (`with_weight_limit`).

use std::{
    borrow::Borrow,
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

pub struct VersionedCache<K, V> {
    capacity: usize,
    /// The most weight kept at once, by `weigh`.
    max_weight: usize,
    weigh: fn(&K, &V) -> usize,
    inner: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    version: i64,
    /// The version these values replaced, if any: see `is_older`.
    replaced: Option<i64>,
    values: HashMap<K, Arc<V>>,
    /// The sum of the kept values' weights.
    weight: usize,
}

impl<K: Eq + Hash + Clone, V> VersionedCache<K, V> {
    pub fn new(capacity: usize) -> VersionedCache<K, V> {
        VersionedCache::with_weight_limit(capacity, usize::MAX, |_, _| 0)
    }

    /// A cache that also starts over when the values' total weight (`weigh`, in bytes)
    /// would pass `max_weight`. A value heavier than that alone is handed back, not kept.
    pub fn with_weight_limit(
        capacity: usize,
        max_weight: usize,
        weigh: fn(&K, &V) -> usize,
    ) -> VersionedCache<K, V> {
        VersionedCache {
            capacity,
            max_weight,
            weigh,
            inner: Mutex::new(Entries {
                replaced: None,
                version: i64::MIN,
                values: HashMap::new(),
                weight: 0,
            }),
        }
    }

    /// The total weight of the values kept now.
    pub fn weight(&self) -> usize {
        self.inner.lock().map(|e| e.weight).unwrap_or(0)
    }

    /// The value kept for `key` in catalog `version`.
    pub fn get<Q>(&self, version: i64, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.inner.lock().ok()?;
        if entries.version != version {
            return None;
        }
        entries.values.get(key).cloned()
    }

    /// The values kept for `keys` in catalog `version`, and the keys not kept.
    pub fn get_many(&self, version: i64, keys: &[K]) -> (HashMap<K, Arc<V>>, Vec<K>) {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        let entries = match self.inner.lock() {
            Ok(entries) if entries.version == version => entries,
            _ => return (found, keys.to_vec()),
        };
        for key in keys {
            match entries.values.get(key) {
                Some(value) => {
                    found.insert(key.clone(), value.clone());
                }
                None => missing.push(key.clone()),
            }
        }
        (found, missing)
    }

    /// How many values are kept now.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|e| e.values.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `value` for `key` in catalog `version` and hands it back shared.
    pub fn put(&self, version: i64, key: K, value: V) -> Arc<V> {
        let weight = (self.weigh)(&key, &value);
        let value = Arc::new(value);
        if weight > self.max_weight {
            return value;
        }
        if let Ok(mut entries) = self.inner.lock() {
            if entries.is_older(version) {
                return value;
            }
            entries.make_room(version, 1, self.capacity, weight, self.max_weight);
            entries.insert(key, value.clone(), weight, self.weigh);
        }
        value
    }

    /// Keeps values read for catalog `version` and hands them back shared.
    pub fn put_many(
        &self,
        version: i64,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> HashMap<K, Arc<V>> {
        let shared: HashMap<K, Arc<V>> = values
            .into_iter()
            .map(|(key, value)| (key, Arc::new(value)))
            .collect();
        let Ok(mut entries) = self.inner.lock() else {
            return shared;
        };
        let weight = shared
            .iter()
            .map(|(key, value)| (self.weigh)(key, value))
            .fold(0usize, usize::saturating_add);
        if weight > self.max_weight || entries.is_older(version) {
            return shared;
        }
        entries.make_room(
            version,
            shared.len(),
            self.capacity,
            weight,
            self.max_weight,
        );
        for (key, value) in &shared {
            let weight = (self.weigh)(key, value);
            entries.insert(key.clone(), value.clone(), weight, self.weigh);
        }
        shared
    }
}

impl<K: Eq + Hash, V> Entries<K, V> {
    /// Whether `version` is the one the kept values replaced: a request that began
    /// before an import can finish after the new catalog's first answers, and what it
    /// read must not push out what they keep (the track facts take a second to read at
    /// 1.2M tracks). It is handed back without being kept. Only that version: a catalog
    /// replaced by one with a lower version number (a restored backup) is cached as any.
    fn is_older(&self, version: i64) -> bool {
        self.replaced == Some(version)
    }

    /// Drops another version's values, or everything when `adding` more values, weighing
    /// `adding_weight`, would not fit.
    fn make_room(
        &mut self,
        version: i64,
        adding: usize,
        capacity: usize,
        adding_weight: usize,
        max_weight: usize,
    ) {
        if self.version != version
            || self.values.len() + adding > capacity
            || self.weight.saturating_add(adding_weight) > max_weight
        {
            if self.version != version {
                self.replaced = Some(self.version);
            }
            self.values.clear();
            self.weight = 0;
            self.version = version;
        }
    }

    /// Keeps a value, replacing (and no longer counting) one kept for the same key.
    fn insert(&mut self, key: K, value: Arc<V>, weight: usize, weigh: fn(&K, &V) -> usize) {
        let replaced = self.values.remove_entry(&key);
        if let Some((old_key, old)) = replaced {
            self.weight = self.weight.saturating_sub(weigh(&old_key, &old));
        }
        self.weight = self.weight.saturating_add(weight);
        self.values.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hit_needs_the_same_catalog_version() {
        let cache = VersionedCache::new(10);
        cache.put_many(5, [(1, "one"), (2, "two")]);
        let (found, missing) = cache.get_many(5, &[2, 3, 1]);
        assert_eq!(*found[&1], "one");
        assert_eq!(*found[&2], "two");
        assert_eq!(missing, [3]);
        let (found, missing) = cache.get_many(6, &[1, 2]);
        assert!(found.is_empty());
        assert_eq!(missing, [1, 2]);
        assert_eq!(cache.get(6, &1), None);
        // A new version replaces what the old one kept.
        cache.put(6, 1, "renamed");
        assert_eq!(cache.get(6, &1).as_deref(), Some(&"renamed"));
        assert_eq!(cache.get(6, &2), None);
        assert_eq!(cache.get(5, &1), None);
        // A late answer from the replaced version is handed back, not kept, and what
        // the new version keeps stays.
        assert_eq!(*cache.put(5, 1, "late"), "late");
        assert_eq!(cache.get(5, &1), None);
        assert_eq!(cache.get(6, &1).as_deref(), Some(&"renamed"));
        let (found, _) = cache.get_many(5, &[1]);
        assert!(cache.put_many(5, [(7, "late")]).contains_key(&7) && found.is_empty());
        assert_eq!(cache.get(6, &1).as_deref(), Some(&"renamed"));
        // Any other version, even a lower one (a restored backup), is kept as usual.
        cache.put(3, 1, "restored");
        assert_eq!(cache.get(3, &1).as_deref(), Some(&"restored"));
    }

    #[test]
    fn a_cache_over_its_weight_starts_over() {
        let cache: VersionedCache<u32, String> =
            VersionedCache::with_weight_limit(100, 10, |_, v| v.len());
        cache.put(1, 1, "abcd".into());
        cache.put(1, 2, "efgh".into());
        assert_eq!(cache.weight(), 8);
        // Replacing a value counts the new one only.
        cache.put(1, 2, "ef".into());
        assert_eq!(cache.weight(), 6);
        assert!(cache.get(1, &1).is_some());
        // 6 + 5 > 10: everything kept goes.
        cache.put(1, 3, "ijklm".into());
        assert_eq!(cache.weight(), 5);
        assert!(cache.get(1, &1).is_none());
        assert!(cache.get(1, &3).is_some());
        // Too heavy on its own: handed back, not kept, and nothing else is dropped.
        let heavy = cache.put(1, 4, "x".repeat(11));
        assert_eq!(heavy.len(), 11);
        assert!(cache.get(1, &4).is_none());
        assert!(cache.get(1, &3).is_some());
        // Another version starts from nothing.
        cache.put(2, 5, "z".into());
        assert_eq!(cache.weight(), 1);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = VersionedCache::new(3);
        cache.put_many(1, [(1, ()), (2, ()), (3, ())]);
        assert!(cache.get(1, &1).is_some());
        cache.put(1, 4, ());
        assert!(cache.get(1, &1).is_none());
        assert!(cache.get(1, &4).is_some());
    }
}
