//! Which spelling names an artist. Credits that differ only in case are one artist
//! (one name key), and the first credit seen used to name it for good: the band Cream's
//! nine TidyTuesday tracks were credited to "CREAM", the J-pop duo whose row came first,
//! and Rainbow's eight to "RAINBOW". Each artist a load creates now counts its credits'
//! spellings, and the one most of them use names it (the first seen on a tie).
//!
//! Cheap on the import's writing thread: one hash of the credit per credit, and a string
//! kept only for a spelling that differs from the artist's first.

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

#[derive(Default)]
pub(super) struct Spellings {
    /// The id of the first artist counted; the artists a load creates are numbered on
    /// from it, in the order first seen.
    first_id: Option<i32>,
    /// Per artist (its id - `first_id`): a hash of its first spelling, and how many
    /// credits used that spelling.
    first: Vec<(u64, u32)>,
    /// Artists credited under another spelling too: each such spelling, with its count.
    others: FxHashMap<i32, Vec<(String, u32)>>,
}

fn hash(spelling: &str) -> u64 {
    FxBuildHasher.hash_one(spelling)
}

impl Spellings {
    /// An artist created for a credit spelled `name` (trimmed).
    pub fn created(&mut self, id: i32, name: &str) {
        let first_id = *self.first_id.get_or_insert(id);
        // Ids run on one by one from the first; anything else is not counted.
        if i64::from(id) - i64::from(first_id) == self.first.len() as i64 {
            self.first.push((hash(name), 1));
        }
    }

    /// Another credit of artist `id`, spelled `name` (trimmed). Artists this load did
    /// not create keep the name they have.
    pub fn credited(&mut self, id: i32, name: &str) {
        let Some(slot) = self
            .first_id
            .and_then(|first| usize::try_from(i64::from(id) - i64::from(first)).ok())
            .and_then(|at| self.first.get_mut(at))
        else {
            return;
        };
        if slot.0 == hash(name) {
            slot.1 += 1;
            return;
        }
        let others = self.others.entry(id).or_default();
        match others.iter_mut().find(|(s, _)| s == name) {
            Some((_, count)) => *count += 1,
            None => others.push((name.to_string(), 1)),
        }
    }

    /// The artists whose most used spelling is not the one they were created with,
    /// each with that spelling.
    pub fn renamed(self) -> Vec<(i32, String)> {
        let Some(first_id) = self.first_id else {
            return Vec::new();
        };
        let mut renamed: Vec<(i32, String)> = self
            .others
            .into_iter()
            .filter_map(|(id, others)| {
                let at = usize::try_from(i64::from(id) - i64::from(first_id)).ok()?;
                let first_count = self.first.get(at)?.1;
                // The most used other spelling; the earlier one on a tie.
                let (spelling, count) =
                    others
                        .into_iter()
                        .reduce(|best, next| if next.1 > best.1 { next } else { best })?;
                (count > first_count).then_some((id, spelling))
            })
            .collect();
        renamed.sort_unstable_by_key(|(id, _)| *id);
        renamed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spelling_most_credits_use_names_the_artist() {
        let mut s = Spellings::default();
        s.created(10, "CREAM");
        s.credited(10, "CREAM");
        s.created(11, "Queen");
        for _ in 0..9 {
            s.credited(10, "Cream");
            s.credited(11, "Queen");
        }
        s.created(12, "Tobi");
        s.credited(12, "TOBi");
        s.credited(12, "TOBi");
        // A tie keeps the first.
        s.created(13, "abc");
        s.credited(13, "ABC");
        assert_eq!(
            s.renamed(),
            vec![(10, "Cream".to_string()), (12, "TOBi".to_string())]
        );
    }

    #[test]
    fn artists_the_load_did_not_create_keep_their_name() {
        let mut s = Spellings::default();
        s.credited(3, "Cream");
        s.created(10, "x");
        s.credited(9, "X");
        s.credited(3, "Cream");
        assert!(s.renamed().is_empty());
    }
}
