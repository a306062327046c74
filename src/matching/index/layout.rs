//! The index's layout: the k-d tree build that orders the tracks into leaves and groups
//! (see the parent module), and each leaf's and group's bounding box and filter
//! summaries.

use super::{FeatureIndex, DIMS, GROUP, GROUP_TRACKS, LEAF, NO_GENRE, NO_POPULARITY, NO_YEAR};
use crate::catalog::Feature;

/// A track's values and its place in the builder's arrays, moved as one while ordering.
#[derive(Clone, Copy)]
pub(super) struct Row {
    pub x: [i32; DIMS],
    pub row: u32,
}

/// Above this many tracks the two halves of the first split are ordered on two threads.
pub(super) const PARALLEL_BUILD: usize = 1 << 16;

/// How much a column's width counts when choosing where to split (see the parent
/// module's documentation): the five default features fully, the others half.
fn split_preference(d: usize) -> f64 {
    if Feature::ORIGINAL.contains(&Feature::ALL[d]) {
        1.0
    } else {
        0.5
    }
}

/// Orders `rows` (which start at a multiple of `GROUP_TRACKS` in the final order, or at
/// a multiple of `LEAF` once they fit in one group) as a k-d tree whose leaves are
/// `LEAF` tracks and whose subtrees of `GROUP_TRACKS` tracks are groups: each split
/// falls at a whole number of groups (or, inside a group, of leaves) near the middle,
/// on the widest dimension (weighted by `split_preference`).
pub(super) fn partition(rows: &mut [Row], parallel: bool) {
    let n = rows.len();
    if n <= LEAF {
        return;
    }
    let unit = if n > GROUP_TRACKS { GROUP_TRACKS } else { LEAF };
    // At least one unit on each side; only the last range of the whole order is ever
    // not a whole number of units, and it always goes right.
    let mid = n.div_ceil(unit) / 2 * unit;
    let mut lo = [i32::MAX; DIMS];
    let mut hi = [i32::MIN; DIMS];
    for r in rows.iter() {
        for d in 0..DIMS {
            lo[d] = lo[d].min(r.x[d]);
            hi[d] = hi[d].max(r.x[d]);
        }
    }
    let width = |d: usize| f64::from(hi[d] - lo[d]) * split_preference(d);
    let split = (1..DIMS).fold(0, |best, d| if width(d) > width(best) { d } else { best });
    rows.select_nth_unstable_by_key(mid, |r| r.x[split]);
    let (left, right) = rows.split_at_mut(mid);
    if parallel {
        std::thread::scope(|scope| {
            scope.spawn(|| partition(right, false));
            partition(left, false);
        });
    } else {
        partition(left, false);
        partition(right, false);
    }
}

/// Feature values of `LEAF` consecutive tracks: `block[column][j]`.
pub(crate) type Block = [[i32; LEAF]; DIMS];

/// A bounding box and filter summaries: of one leaf, or of a whole group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    pub lo: [i32; DIMS],
    pub hi: [i32; DIMS],
    /// Bit `genre % 64` is set for every genre present (a conservative summary).
    pub genre_bits: u64,
    /// Known years span (`year_lo > year_hi` when no track has a year).
    pub year_lo: i16,
    pub year_hi: i16,
    /// Highest known popularity; -1 when none is known.
    pub max_popularity: i16,
    /// Whether some track is not marked explicit.
    pub any_clean: bool,
}

impl Summary {
    const EMPTY: Summary = Summary {
        lo: [i32::MAX; DIMS],
        hi: [i32::MIN; DIMS],
        genre_bits: 0,
        year_lo: i16::MAX,
        year_hi: i16::MIN,
        max_popularity: -1,
        any_clean: false,
    };

    fn merge(&mut self, other: &Summary) {
        for d in 0..DIMS {
            self.lo[d] = self.lo[d].min(other.lo[d]);
            self.hi[d] = self.hi[d].max(other.hi[d]);
        }
        self.genre_bits |= other.genre_bits;
        self.year_lo = self.year_lo.min(other.year_lo);
        self.year_hi = self.year_hi.max(other.year_hi);
        self.max_popularity = self.max_popularity.max(other.max_popularity);
        self.any_clean |= other.any_clean;
    }
}

/// Up to `GROUP` consecutive leaves: each leaf's summary, stored column by column (the
/// unused slots of the last group hold empty summaries, which no search visits).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Index of the first leaf.
    pub first_leaf: u32,
    /// Leaves in use.
    pub leaves: u32,
    /// The whole group's summary.
    pub all: Summary,
    pub lo: [[i32; GROUP]; DIMS],
    pub hi: [[i32; GROUP]; DIMS],
    pub genre_bits: [u64; GROUP],
    pub year_lo: [i16; GROUP],
    pub year_hi: [i16; GROUP],
    pub max_popularity: [i16; GROUP],
    /// Bit `l`: leaf `l` has a track not marked explicit.
    pub any_clean: u64,
}

impl FeatureIndex {
    /// The summary of one leaf, from its tracks.
    fn summarise_leaf(&self, leaf: usize) -> Summary {
        let mut s = Summary::EMPTY;
        for i in self.leaf_range(leaf) {
            for d in 0..DIMS {
                let x = self.value(i, d);
                s.lo[d] = s.lo[d].min(x);
                s.hi[d] = s.hi[d].max(x);
            }
            if self.genre[i] != NO_GENRE {
                s.genre_bits |= self.set_bits[self.genre[i] as usize];
            }
            if self.year[i] != NO_YEAR {
                s.year_lo = s.year_lo.min(self.year[i]);
                s.year_hi = s.year_hi.max(self.year[i]);
            }
            if self.popularity[i] != NO_POPULARITY {
                s.max_popularity = s.max_popularity.max(i16::from(self.popularity[i]));
            }
            s.any_clean |= !self.explicit[i];
        }
        s
    }

    /// Group `g`: the summaries of its leaves, column by column, and their union.
    pub(super) fn summarise_group(&self, g: usize) -> Group {
        let first = g * GROUP;
        let leaves = GROUP.min(self.leaf_count() - first);
        let mut group = Group {
            first_leaf: first as u32,
            leaves: leaves as u32,
            all: Summary::EMPTY,
            lo: [[i32::MAX; GROUP]; DIMS],
            hi: [[i32::MIN; GROUP]; DIMS],
            genre_bits: [0; GROUP],
            year_lo: [i16::MAX; GROUP],
            year_hi: [i16::MIN; GROUP],
            max_popularity: [-1; GROUP],
            any_clean: 0,
        };
        for l in 0..leaves {
            let s = self.summarise_leaf(first + l);
            for d in 0..DIMS {
                group.lo[d][l] = s.lo[d];
                group.hi[d][l] = s.hi[d];
            }
            group.genre_bits[l] = s.genre_bits;
            group.year_lo[l] = s.year_lo;
            group.year_hi[l] = s.year_hi;
            group.max_popularity[l] = s.max_popularity;
            group.any_clean |= u64::from(s.any_clean) << l;
            group.all.merge(&s);
        }
        group
    }
}
