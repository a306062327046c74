//! Exact k-nearest-neighbour search, best-first over the index's groups and leaves
//! (see `index`): groups in order of their lower bound, and within a group its leaves
//! in order of theirs, stopping as soon as the next bound is beyond the current k-th
//! key (or the filter summaries rule a group or leaf out); for cosine, a group that
//! gets past its bound is checked once more with the exact largest cos over its box
//! (`Query::box_may_reach`) before it is opened. A leaf is not: scanning it (its loads
//! asked for a few leaves ahead, `Query::prefetch`) costs less than that check, and
//! at a million tracks the check refused only half of the leaves it was asked about.
//! And the brute-force scan it must agree with.
//!
//! Both score with the fast form and rank with the exact one (see `query`): a track
//! is scored exactly only when its fast value is within the rounding margin of the
//! k-th exact key so far.

use std::{cmp::Reverse, collections::BinaryHeap};

use super::{
    error::InvalidSettings,
    index::{FeatureIndex, GROUP, LEAF},
    outcome::MatchOutcome,
    query::{first_bits, Query, Thresholds},
    settings::{MatchSettings, Metric},
    topk::{Candidate, TopK},
};

impl FeatureIndex {
    /// The k tracks closest to the settings' target that pass its filters, best first,
    /// ties broken by track id. Identical to `search_brute_force`.
    pub fn search(&self, settings: &MatchSettings) -> Result<MatchOutcome, InvalidSettings> {
        self.search_where(settings, &|_| true)
    }

    /// `search`, keeping only tracks whose id `keep` accepts (on top of the settings'
    /// filters): for conditions the index does not hold, such as leaving out the seed
    /// tracks or the API's bounds on key and duration. Still exact: `keep` is asked
    /// about every track that would otherwise enter the results. When `keep` empties
    /// the results, `empty` describes only the settings' own filters.
    pub fn search_where(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: this CPU has AVX2 (checked just above), the one thing a
            // `target_feature` function needs of its caller.
            #[allow(unsafe_code)]
            return unsafe { self.search_where_avx2(settings, keep) };
        }
        self.search_where_here(settings, keep)
    }

    /// `search` as a CPU without AVX2 runs it, whatever this one has: the tests compare
    /// it with the build picked at run time.
    #[cfg(test)]
    pub(crate) fn search_on_any_cpu(
        &self,
        settings: &MatchSettings,
    ) -> Result<MatchOutcome, InvalidSettings> {
        self.search_where_here(settings, &|_| true)
    }

    /// `search_where` compiled for AVX2 (see `search_where_here`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn search_where_avx2(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        self.search_where_here(settings, keep)
    }

    /// The walk itself, inlined into each caller with its loops (bounds, keys, the
    /// cosine test: `#[inline(always)]`), so that they are compiled once for the
    /// baseline x86-64 (4 `f32` lanes) and once for AVX2 (8), chosen at run time. The
    /// same operations lane by lane, and Rust never fuses a multiply and an add, so
    /// both give the same bits and the same answer.
    #[inline(always)]
    fn search_where_here(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        let query = Query::new(self, settings)?;
        let mut walk = Walk::new(self, &query, keep);
        let mut bounds = vec![0f32; self.groups.len()];
        query.group_bounds(self, &mut bounds);
        let mut groups: BinaryHeap<Reverse<(Bound, u32)>> = bounds
            .iter()
            .enumerate()
            .filter(|(_, bound)| **bound < f32::INFINITY)
            .map(|(g, &bound)| Reverse((Bound(bound), g as u32)))
            .collect();
        while let Some(Reverse((Bound(bound), g))) = groups.pop() {
            // The threshold already allows for ties at the k-th key (a lower id may
            // still enter) and for rounding; every later group is at least as far.
            if bound > walk.threshold.bound {
                break;
            }
            let all = &self.groups[g as usize].all;
            if query.box_may_reach(|d| all.lo[d], |d| all.hi[d], walk.threshold.cosine) {
                walk.group(g as usize);
            }
        }
        Ok(self.outcome(&query, settings, walk.top.into_sorted()))
    }

    /// The reference answer: every track scored, no bounds. The benchmark's baseline
    /// and the property tests' check of the best-first walk.
    pub fn search_brute_force(
        &self,
        settings: &MatchSettings,
    ) -> Result<MatchOutcome, InvalidSettings> {
        self.search_brute_force_where(settings, &|_| true)
    }

    /// `search_where` without the index.
    pub fn search_brute_force_where(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: this CPU has AVX2 (checked just above), the one thing a
            // `target_feature` function needs of its caller.
            #[allow(unsafe_code)]
            return unsafe { self.search_brute_force_avx2(settings, keep) };
        }
        self.search_brute_force_here(settings, keep)
    }

    /// The scan compiled for AVX2, so that the benchmark compares like with like.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn search_brute_force_avx2(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        self.search_brute_force_here(settings, keep)
    }

    #[inline(always)]
    fn search_brute_force_here(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
    ) -> Result<MatchOutcome, InvalidSettings> {
        let query = Query::new(self, settings)?;
        let mut walk = Walk::new(self, &query, keep);
        for leaf in 0..self.leaf_count() {
            walk.leaf(leaf);
        }
        Ok(self.outcome(&query, settings, walk.top.into_sorted()))
    }
}

/// How many leaves ahead of the one being scanned the walk asks for (`Query::prefetch`).
const PREFETCH_AHEAD: usize = 4;

/// A lower bound, ordered totally (they are never NaN).
#[derive(Clone, Copy, PartialEq)]
struct Bound(f32);

impl Eq for Bound {}

impl Ord for Bound {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One search in progress: the k best so far and the fast key beyond which nothing
/// can enter them.
struct Walk<'a> {
    index: &'a FeatureIndex,
    query: &'a Query,
    top: TopK,
    threshold: Thresholds,
    filtered: bool,
    /// Conditions the index does not hold (see `search_where`).
    keep: &'a dyn Fn(i32) -> bool,
}

impl<'a> Walk<'a> {
    fn new(index: &'a FeatureIndex, query: &'a Query, keep: &'a dyn Fn(i32) -> bool) -> Self {
        Walk {
            index,
            query,
            keep,
            top: TopK::new(query.k, query.cap),
            threshold: query.fast_threshold(None),
            filtered: !query.filter.is_empty(),
        }
    }

    /// Scans the leaves of group `g` that may hold a better track, nearest first.
    #[inline(always)]
    fn group(&mut self, g: usize) {
        let group = &self.index.groups[g];
        let mut bounds = [0f32; GROUP];
        self.query.leaf_bounds(group, &mut bounds);
        let mut order = [(Bound(0.0), 0u8); GROUP];
        let mut n = 0;
        for (l, &bound) in bounds.iter().enumerate() {
            // Infinite: ruled out by the filters, or an unused slot.
            if bound < f32::INFINITY && bound <= self.threshold.bound {
                order[n] = (Bound(bound), l as u8);
                n += 1;
            }
        }
        let order = &mut order[..n];
        order.sort_unstable();
        let first = group.first_leaf as usize;
        let blocks = &self.index.blocks;
        for &(_, l) in order.iter().take(PREFETCH_AHEAD) {
            self.query.prefetch(&blocks[first + usize::from(l)]);
        }
        for (i, &(Bound(bound), l)) in order.iter().enumerate() {
            if bound > self.threshold.bound {
                break;
            }
            if let Some(&(_, ahead)) = order.get(i + PREFETCH_AHEAD) {
                self.query.prefetch(&blocks[first + usize::from(ahead)]);
            }
            self.leaf(first + usize::from(l));
        }
    }

    /// Scores the tracks of one leaf and offers the ones that pass the filters.
    #[inline(always)]
    fn leaf(&mut self, leaf: usize) {
        let block = &self.index.blocks[leaf];
        let range = self.index.leaf_range(leaf);
        match self.query.metric {
            Metric::Euclidean => {
                let mut keys = [0f32; LEAF];
                self.query.euclidean_keys(block, &mut keys);
                let mask = below(&keys, self.threshold.euclidean, range.len());
                self.offer_each(mask, range.start, |walk, l| {
                    keys[l] <= walk.threshold.euclidean
                });
            }
            Metric::Cosine => {
                let mask = self
                    .query
                    .cosine_candidates(block, self.threshold.cosine, range.len());
                // Few pass, and each is scored exactly: no need to test again with the
                // threshold of the moment.
                self.offer_each(mask, range.start, |_, _| true);
            }
        }
    }

    /// Offers the tracks whose bits are set in `mask` (positions from `start`) that
    /// still pass `close` (the threshold tightens as tracks are kept) and the filters.
    #[inline]
    fn offer_each(&mut self, mut mask: u64, start: usize, close: impl Fn(&Self, usize) -> bool) {
        while mask != 0 {
            let l = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let i = start + l;
            // The filters touch more memory, so only for tracks close enough.
            if close(self, l)
                && (!self.filtered || self.query.passes(self.index, i))
                && (self.keep)(self.index.ids[i])
            {
                self.offer(i);
            }
        }
    }

    /// Scores one track exactly and offers it to the k best.
    #[cold]
    fn offer(&mut self, i: usize) {
        let candidate = Candidate {
            key: self.query.exact_key(self.index, i),
            id: self.index.ids[i],
            artist: self.index.artist[i],
            pos: i as u32,
        };
        if self.top.push(candidate) {
            self.threshold = self.query.fast_threshold(self.top.bound());
        }
    }
}

/// Bit `l` set for each of the first `len` keys at most `limit` (a loop the compiler
/// turns into vector compares).
#[inline]
fn below<T: PartialOrd + Copy>(keys: &[T; LEAF], limit: T, len: usize) -> u64 {
    let mut mask = 0u64;
    for (l, &key) in keys.iter().enumerate() {
        mask |= u64::from(key <= limit) << l;
    }
    first_bits(mask, len)
}
