//! The best k candidates seen so far, in the order results are shown: by distance key,
//! then by track id. With a per-artist cap it keeps exactly what a brute-force pass
//! would return: sort every passing track, then walk the list taking a track unless its
//! artist already has `cap` tracks taken, until k are taken.
//!
//! Why the incremental version agrees: the walk takes a track iff it is among its
//! artist's `cap` best, so the answer is "the k best of the tracks that are among their
//! artist's `cap` best". A new candidate can only push one track of its own artist out
//! of that set (the artist's previous cap-th), and the k-th best key never gets worse,
//! so anything dropped earlier can never come back.

/// One kept candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    pub key: f32,
    pub id: i32,
    /// Main artist id; negative when unknown (then the cap does not apply).
    pub artist: i32,
    /// Position in the index's arrays.
    pub pos: u32,
}

impl Candidate {
    /// Strictly better in result order: lower key, then lower id.
    #[inline]
    fn before(&self, key: f32, id: i32) -> bool {
        self.key < key || (self.key == key && self.id < id)
    }
}

pub(crate) struct TopK {
    k: usize,
    cap: Option<usize>,
    items: Vec<Candidate>,
}

impl TopK {
    pub fn new(k: usize, cap: Option<usize>) -> TopK {
        TopK {
            k: k.max(1),
            cap,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// The key a subtree's lower bound must not exceed to be worth visiting: a track at
    /// exactly this key can still enter (with a lower id), so prune only above it.
    #[inline]
    pub fn bound(&self) -> f32 {
        if self.items.len() < self.k {
            f32::INFINITY
        } else {
            self.items[self.k - 1].key
        }
    }

    /// Whether a track with this key and id would be placed inside the k best.
    #[inline]
    pub fn admits(&self, key: f32, id: i32) -> bool {
        match self.items.get(self.k - 1) {
            None => true,
            Some(last) => key < last.key || (key == last.key && id < last.id),
        }
    }

    pub fn push(&mut self, candidate: Candidate) {
        if !self.admits(candidate.key, candidate.id) {
            return;
        }
        if let (Some(cap), true) = (self.cap, candidate.artist >= 0) {
            let mut same = 0;
            let mut worst = None;
            for (i, kept) in self.items.iter().enumerate() {
                if kept.artist == candidate.artist {
                    same += 1;
                    worst = Some(i);
                }
            }
            if same >= cap {
                let Some(worst) = worst else { return };
                if !self.items[worst].before(candidate.key, candidate.id) {
                    self.items.remove(worst);
                } else {
                    return; // not among its artist's `cap` best
                }
            }
        }
        let at = self
            .items
            .partition_point(|kept| kept.before(candidate.key, candidate.id));
        self.items.insert(at, candidate);
        self.items.truncate(self.k);
    }

    pub fn into_sorted(self) -> Vec<Candidate> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: f32, id: i32, artist: i32) -> Candidate {
        Candidate {
            key,
            id,
            artist,
            pos: id as u32,
        }
    }

    fn ids(top: TopK) -> Vec<i32> {
        top.into_sorted().iter().map(|c| c.id).collect()
    }

    /// The ids kept when `candidates` are pushed in this order.
    fn kept(k: usize, cap: Option<usize>, candidates: &[Candidate]) -> Vec<i32> {
        let mut top = TopK::new(k, cap);
        for cand in candidates {
            top.push(*cand);
        }
        ids(top)
    }

    #[test]
    fn keeps_k_best_with_ties_by_id() {
        let pushed = [
            c(0.5, 9, 1),
            c(0.1, 4, 1),
            c(0.5, 2, 1),
            c(0.5, 7, 1),
            c(0.9, 1, 1),
        ];
        assert_eq!(kept(3, None, &pushed), vec![4, 2, 7]);
    }

    #[test]
    fn bound_is_the_kth_key_once_full() {
        let mut top = TopK::new(2, None);
        assert_eq!(top.bound(), f32::INFINITY);
        top.push(c(0.3, 1, 1));
        top.push(c(0.2, 2, 1));
        assert_eq!(top.bound(), 0.3);
        assert!(top.admits(0.3, 0), "same key, lower id still enters");
        assert!(!top.admits(0.3, 5));
    }

    #[test]
    fn per_artist_cap_matches_the_greedy_walk() {
        // Sorted: a1(0.1,id1) a1(0.2,id2) a2(0.3,id3) a1(0.4,id4) a3(0.5,id5)
        // cap 1, k 3 -> 1, 3, 5
        let pushed = [
            c(0.4, 4, 1),
            c(0.5, 5, 3),
            c(0.2, 2, 1),
            c(0.3, 3, 2),
            c(0.1, 1, 1),
        ];
        assert_eq!(kept(3, Some(1), &pushed), vec![1, 3, 5]);
        assert_eq!(kept(3, Some(2), &pushed), vec![1, 2, 3]);
    }

    #[test]
    fn unknown_artists_are_not_capped() {
        let pushed = [c(0.1, 1, -1), c(0.2, 2, -1), c(0.3, 3, -1)];
        assert_eq!(kept(3, Some(1), &pushed), vec![1, 2, 3]);
    }
}
