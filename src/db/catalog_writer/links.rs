//! The genre links a load has written in the current source, so that a track listed
//! again (under another genre, or the same one) gets each link once.

use rustc_hash::FxHashSet;

/// A set of (track slot, genre id) pairs, kept compactly for what files hold: a track's
/// first two genres (TidyTuesday: its genre and subgenre) inline in a vector indexed by
/// slot, 8 bytes a track; any further ones in a hash set. At a million tracks with two
/// links each that is 8 MB instead of the 40 MB of a hash set of every pair (whose last
/// growth, near the end of a large file, briefly held both tables). A file without
/// genres allocates nothing. Genre ids start at 1, so 0 marks a free place.
#[derive(Debug, Default)]
pub(super) struct GenreLinks {
    first: Vec<[i32; 2]>,
    more: FxHashSet<(u32, i32)>,
}

impl GenreLinks {
    /// Records the link; `false` if it was already recorded.
    pub fn insert(&mut self, slot: u32, genre: i32) -> bool {
        debug_assert!(genre > 0, "genre ids start at 1");
        let index = slot as usize;
        if self.first.len() <= index {
            self.first.resize(index + 1, [0; 2]);
        }
        let pair = &mut self.first[index];
        if pair.contains(&genre) {
            return false;
        }
        if let Some(free) = pair.iter_mut().find(|g| **g == 0) {
            *free = genre;
            return true;
        }
        self.more.insert((slot, genre))
    }

    /// Forgets every link (a new source starts), keeping the vector's capacity.
    pub fn clear(&mut self) {
        self.first.clear();
        self.more.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_link_is_recorded_once() {
        let mut links = GenreLinks::default();
        assert!(links.insert(5, 1));
        assert!(!links.insert(5, 1));
        assert!(links.insert(5, 2));
        assert!(!links.insert(5, 2));
        // Past the two inline places.
        assert!(links.insert(5, 3));
        assert!(!links.insert(5, 3));
        assert!(links.insert(5, 4));
        assert!(!links.insert(5, 1));
        // Other slots are independent, before and after.
        assert!(links.insert(0, 3));
        assert!(links.insert(9, 1));
        assert!(!links.insert(0, 3));
        links.clear();
        assert!(links.insert(5, 3));
        assert!(links.insert(5, 1));
    }

    #[test]
    fn a_file_without_genres_allocates_nothing() {
        let links = GenreLinks::default();
        assert_eq!(links.first.capacity(), 0);
    }
}
