//! The 128-bit fingerprint of a key (a track identity, an artist name key): what the
//! catalog writer's maps find tracks and artists by, instead of the key itself.

/// Two SipHash-1-3 of `key` under different fixed keys: 16 bytes rather than a `String`
/// (24 bytes, plus a heap block of 32 for a Spotify id), and no copy of the key per row.
/// Two different keys share a fingerprint with odds of about 1 in 10^26 at a million
/// tracks (birthday bound, n^2 / 2^129); the fixed keys are public, but finding a
/// collision still takes about 2^64 hashes.
///
/// `TrackKeys::of` computes a track's on the importer's parsing thread: hashing on the
/// writing thread, the one that bounds an import, was a twentieth of its time.
pub fn fingerprint(key: &str) -> u128 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    type Sip = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
    let half = |salt: u64| Sip::default().hash_one((salt, key));
    (u128::from(half(0x1D_0001)) << 64) | u128::from(half(0x1D_0002))
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprints_tell_keys_apart_and_repeat() {
        let id = "4iV5W9uYEdYUVa79Axb7Rh";
        // Another string with the same text.
        let copy: String = id.chars().collect();
        assert_eq!(fingerprint(id), fingerprint(&copy));
        assert_ne!(fingerprint(id), fingerprint("4iV5W9uYEdYUVa79Axb7Ri"));
        assert_ne!(fingerprint(""), fingerprint(" "));
        // The two halves come from different keys.
        let both = fingerprint(id);
        assert_ne!(both >> 64, both & u128::from(u64::MAX));
    }
}
