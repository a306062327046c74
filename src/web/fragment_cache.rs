//! Rendered fragments that depend only on the catalog version and a canonical query,
//! kept so the same question is not answered twice.
//!
//! The live perfect-song answer is the case: a slider sends a request every step, users
//! drag back over positions they just left, everyone starts from the same defaults, and
//! shared URLs are opened by many. Its fragment holds nothing about the user (no name,
//! no CSRF token), so one entry serves every user who asks the same thing.

use bytes::Bytes;
use poem::Response;

use super::compression::KeptGzip;
use crate::cache::VersionedCache;

/// Fragments kept at most (a perfect-song fragment is about 11 KiB).
pub const CAPACITY: usize = 1024;

/// Rendered fragments by query, for one catalog version.
pub type FragmentCache = VersionedCache<String, Fragment>;

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
