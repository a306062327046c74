//! Rendered fragments that depend only on the catalog version and a canonical query,
//! kept so the same question is not answered twice.
//!
//! The live perfect-song answer is the case: a slider sends a request every step, users
//! drag back over positions they just left, everyone starts from the same defaults, and
//! shared URLs are opened by many. Its fragment holds nothing about the user (no name,
//! no CSRF token), so one entry serves every user who asks the same thing.

use std::sync::Arc;

use bytes::Bytes;
use poem::Response;

use super::compression::KeptGzip;
use crate::cache::VersionedCache;

/// Fragments kept at most (a perfect-song fragment is about 11 KiB).
pub const CAPACITY: usize = 1024;

/// Bytes kept at most (queries, pages and their gzip forms): the count alone does not
/// bound memory, since an answer's size depends on the question (100 results, seeds).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Rendered fragments by query, for one catalog version, bounded by count and by bytes.
pub struct FragmentCache {
    kept: VersionedCache<String, Fragment>,
}

impl FragmentCache {
    pub fn new(capacity: usize) -> FragmentCache {
        FragmentCache {
            kept: VersionedCache::with_weight_limit(capacity, MAX_BYTES, weigh),
        }
    }

    pub fn get(&self, version: i64, query: &str) -> Option<Arc<Fragment>> {
        self.kept.get(version, query)
    }

    /// Keeps a fragment (its page copied into a buffer of its exact size, so what is
    /// weighed is what is held) and hands it back shared.
    pub fn put(&self, version: i64, query: String, fragment: Fragment) -> Arc<Fragment> {
        let fragment = Fragment {
            html: Bytes::copy_from_slice(&fragment.html),
            gzip: fragment.gzip,
        };
        self.kept.put(version, query, fragment)
    }

    /// How many fragments are kept now.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The bytes counted for what is kept now.
    pub fn bytes(&self) -> usize {
        self.kept.weight()
    }
}

/// A fragment's bytes: its query, its page, and its gzip form, filled after it is kept
/// (the first time a client asks for gzip), counted in advance as half the page.
#[allow(clippy::ptr_arg)] // the cache's key type is `String`
fn weigh(query: &String, fragment: &Fragment) -> usize {
    query.len() + fragment.html.len() + fragment.html.len() / 2
}

/// A rendered HTML fragment, and its gzip form once a client has asked for it.
pub struct Fragment {
    pub html: Bytes,
    pub gzip: KeptGzip,
}

impl Fragment {
    /// The fragment as a response; the compression layer sends the kept gzip form.
    pub fn response(&self) -> Response {
        let mut response = Response::builder()
            .content_type("text/html; charset=utf-8")
            .body(self.html.clone());
        response.extensions_mut().insert(self.gzip.clone());
        response
    }
}
