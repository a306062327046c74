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
//!
//! Keys are exact (integers from the fixed-point index, see `query`), so two tracks
//! tie exactly when their distances are equal, and then the lower id wins.

use std::cmp::Ordering;

/// An exact distance key. Smaller is closer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key {
    /// `Σ W·(x − t)²` in fixed-point steps, with the integer weights W.
    Euclidean(u128),
    /// Closeness of direction: `cos² = dot² / (|t|²·norm)` with `dot = Σ W·t·x` and
    /// `norm = Σ W·x²` (all values are ≥ 0, so cos ≥ 0 and a larger cos² is closer).
    /// A track with no direction (norm 0) counts as orthogonal: cos 0.
    ///
    /// `approx` is `dot² / norm` in `f64` (norm 0 taken as 1), made once by
    /// `Key::cosine`: a candidate is compared with several kept ones, and converting
    /// the two `u128`s to `f64` on every comparison (a software routine) was a tenth of
    /// a cosine search.
    Cosine { dot: u128, norm: u128, approx: f64 },
}

impl Key {
    /// A cosine key (see `Key::Cosine`).
    #[inline]
    pub fn cosine(dot: u128, norm: u128) -> Key {
        Key::Cosine {
            dot,
            norm,
            approx: (dot as f64).powi(2) / norm.max(1) as f64,
        }
    }

    /// Total order of distances (both keys must come from one query).
    pub fn distance_cmp(&self, other: &Key) -> Ordering {
        match (*self, *other) {
            (Key::Euclidean(a), Key::Euclidean(b)) => a.cmp(&b),
            (
                Key::Cosine {
                    dot: da,
                    norm: na,
                    approx: a,
                },
                Key::Cosine {
                    dot: db,
                    norm: nb,
                    approx: b,
                },
            ) => {
                // cos_a² = da²/(|t|² na) against cos_b² = db²/(|t|² nb). In f64 first:
                // each side is within a few ulps (≤ 10⁻¹⁵) of its exact value, so a gap
                // of more than 10⁻¹² decides.
                if (a - b).abs() > 1e-12 * a.max(b) {
                    // Larger cos² is the smaller distance.
                    return b.total_cmp(&a);
                }
                // Multiplied out (no division, no rounding). A zero norm has dot 0
                // too: cos 0, which compares equal to any orthogonal track (0 · nb
                // against 0 · 1).
                let (na, nb) = (na.max(1), nb.max(1));
                wide::mul3(db, db, na).cmp(&wide::mul3(da, da, nb))
            }
            // Never mixed within a query; order the variants so the order stays total.
            (Key::Euclidean(_), Key::Cosine { .. }) => Ordering::Less,
            (Key::Cosine { .. }, Key::Euclidean(_)) => Ordering::Greater,
        }
    }
}

/// Equal keys are the same integers (`approx` follows from them).
impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (*self, *other) {
            (Key::Euclidean(a), Key::Euclidean(b)) => a == b,
            (
                Key::Cosine {
                    dot: da, norm: na, ..
                },
                Key::Cosine {
                    dot: db, norm: nb, ..
                },
            ) => da == db && na == nb,
            _ => false,
        }
    }
}

impl Eq for Key {}

/// Unsigned products wider than 128 bits, as little-endian 64-bit limbs.
pub(crate) mod wide {
    /// `a · b · c`, exactly.
    pub fn mul3(a: u128, b: u128, c: u128) -> Wide {
        mul(&mul(&limbs(a), &limbs(b)), &limbs(c))
    }

    /// `a · b`, exactly.
    pub fn mul2(a: u128, b: u128) -> Wide {
        mul(&limbs(a), &limbs(b))
    }

    /// Up to 384 bits; compares as the number it holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Wide([u64; 6]);

    impl Ord for Wide {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.iter().rev().cmp(other.0.iter().rev())
        }
    }

    impl PartialOrd for Wide {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }

    impl Wide {
        /// `self − other` for `self ≥ other` (saturating at 0 otherwise).
        pub fn minus(&self, other: &Wide) -> Wide {
            if self < other {
                return Wide([0; 6]);
            }
            let mut out = [0u64; 6];
            let mut borrow = false;
            for (i, slot) in out.iter_mut().enumerate() {
                let (d, b1) = self.0[i].overflowing_sub(other.0[i]);
                let (d, b2) = d.overflowing_sub(u64::from(borrow));
                *slot = d;
                borrow = b1 || b2;
            }
            Wide(out)
        }

        /// The nearest `f64` (to within an ulp or two).
        pub fn to_f64(self) -> f64 {
            self.0.iter().rev().fold(0.0, |acc, &limb| {
                acc * 18_446_744_073_709_551_616.0 + limb as f64
            })
        }
    }

    fn limbs(x: u128) -> Wide {
        Wide([x as u64, (x >> 64) as u64, 0, 0, 0, 0])
    }

    /// Schoolbook product; the caller keeps the result within 384 bits.
    fn mul(a: &Wide, b: &Wide) -> Wide {
        let mut out = [0u64; 6];
        for (i, &x) in a.0.iter().enumerate() {
            if x == 0 {
                continue;
            }
            let mut carry = 0u128;
            for (j, &y) in b.0.iter().enumerate() {
                if i + j >= out.len() {
                    break;
                }
                let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
        }
        Wide(out)
    }
}

/// One kept candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    pub key: Key,
    pub id: i32,
    /// Main artist id; negative when unknown (then the cap does not apply).
    pub artist: i32,
    /// Position in the index's arrays.
    pub pos: u32,
}

impl Candidate {
    /// Strictly better in result order: lower key, then lower id.
    #[inline]
    fn before(&self, key: &Key, id: i32) -> bool {
        match self.key.distance_cmp(key) {
            Ordering::Less => true,
            Ordering::Equal => self.id < id,
            Ordering::Greater => false,
        }
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

    /// The k-th best key once k are kept: what a subtree or a track must not be
    /// farther than to be worth looking at (a track exactly at it can still enter with
    /// a lower id).
    #[inline]
    pub fn bound(&self) -> Option<&Key> {
        self.items.get(self.k - 1).map(|last| &last.key)
    }

    /// Whether a track with this key and id would be placed inside the k best.
    #[inline]
    pub fn admits(&self, key: &Key, id: i32) -> bool {
        match self.items.get(self.k - 1) {
            None => true,
            Some(last) => !last.before(key, id),
        }
    }

    /// Offers a candidate; returns whether it was kept.
    pub fn push(&mut self, candidate: Candidate) -> bool {
        if !self.admits(&candidate.key, candidate.id) {
            return false;
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
                let Some(worst) = worst else { return false };
                if !self.items[worst].before(&candidate.key, candidate.id) {
                    self.items.remove(worst);
                } else {
                    return false; // not among its artist's `cap` best
                }
            }
        }
        let at = self
            .items
            .partition_point(|kept| kept.before(&candidate.key, candidate.id));
        self.items.insert(at, candidate);
        self.items.truncate(self.k);
        true
    }

    pub fn into_sorted(self) -> Vec<Candidate> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Euclidean candidate with key `key` thousandths.
    fn c(key: f32, id: i32, artist: i32) -> Candidate {
        Candidate {
            key: Key::Euclidean((key * 1000.0).round() as u128),
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
        assert_eq!(top.bound(), None);
        top.push(c(0.3, 1, 1));
        top.push(c(0.2, 2, 1));
        assert_eq!(top.bound(), Some(&Key::Euclidean(300)));
        assert!(
            top.admits(&Key::Euclidean(300), 0),
            "same key, lower id still enters"
        );
        assert!(!top.admits(&Key::Euclidean(300), 5));
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

    #[test]
    fn cosine_keys_compare_exactly() {
        let cos = Key::cosine;
        // Same direction at two lengths: dot and norm scale by 2 and 4, an exact tie.
        assert_eq!(cos(3, 5).distance_cmp(&cos(6, 20)), Ordering::Equal);
        // cos² 9/5 against 9/6: the first is closer.
        assert_eq!(cos(3, 5).distance_cmp(&cos(3, 6)), Ordering::Less);
        // No direction ties with orthogonal.
        assert_eq!(cos(0, 0).distance_cmp(&cos(0, 7)), Ordering::Equal);
        assert_eq!(cos(1, 7).distance_cmp(&cos(0, 0)), Ordering::Less);
        // Values as large as the index produces (about 2^87) do not overflow, and a
        // difference in the last unit still shows.
        let big = 1u128 << 87;
        assert_eq!(
            cos(big, big + 1).distance_cmp(&cos(big, big)),
            Ordering::Greater
        );
    }

    #[test]
    fn wide_arithmetic() {
        let x = u128::MAX;
        // (2^128 − 1)² − (2^128 − 1)(2^128 − 2) = 2^128 − 1.
        let a = wide::mul2(x, x);
        let b = wide::mul2(x, x - 1);
        assert!(a > b);
        assert_eq!(a.minus(&b), wide::mul2(x, 1));
        assert_eq!(b.minus(&a), wide::mul2(0, 0), "saturates at 0");
        assert_eq!(wide::mul3(3, 5, 7).to_f64(), 105.0);
        let two_256 = wide::mul3(1 << 127, 1 << 127, 4).to_f64();
        assert_eq!(two_256, 2f64.powi(256));
    }
}
