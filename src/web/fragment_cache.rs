//! Rendered fragments that depend only on the catalog version and a canonical query,
//! kept so the same question is not answered twice.
//!
//! The live perfect-song answer is the case: a slider sends a request every step, users
//! drag back over positions they just left, everyone starts from the same defaults, and
//! shared URLs are opened by many. Its fragment holds nothing about the user (no name,
//! no CSRF token), so one entry serves every user who asks the same thing.

use bytes::Bytes;

use crate::cache::VersionedCache;

/// Fragments kept at most (a perfect-song fragment is about 11 KiB).
pub const CAPACITY: usize = 1024;

/// Rendered bodies by query, for one catalog version.
pub type FragmentCache = VersionedCache<String, Bytes>;
