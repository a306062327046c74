//! Exact k-nearest-neighbour search: a depth-first walk of the k-d tree, nearer child
//! first, skipping every subtree whose lower bound is above the current k-th key (or
//! whose filter summaries rule it out); and the brute-force scan it must agree with.
//!
//! Both score with the fast `f32` form and rank with the exact one (see `query`): a
//! track is scored exactly only when its fast key is within the rounding margin of the
//! k-th exact key so far.

use super::{
    error::InvalidSettings,
    index::{FeatureIndex, LEAF},
    outcome::MatchOutcome,
    query::Query,
    settings::MatchSettings,
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
        let query = Query::new(self, settings)?;
        let mut walk = Walk::new(self, &query, keep);
        if let Some(root) = self.nodes.first() {
            if query.fast_lower_bound(root).is_some() {
                walk.visit(0);
            }
        }
        Ok(self.outcome(&query, settings, walk.top.into_sorted()))
    }

    /// The reference answer: every track scored, no index. The benchmark's baseline
    /// and the property tests' check of the tree walk.
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
        let query = Query::new(self, settings)?;
        let mut walk = Walk::new(self, &query, keep);
        let mut start = 0;
        while start < self.len() {
            let end = (start + LEAF).min(self.len());
            walk.scan(start, end);
            start = end;
        }
        Ok(self.outcome(&query, settings, walk.top.into_sorted()))
    }
}

/// One search in progress: the k best so far and the fast key beyond which nothing
/// can enter them.
struct Walk<'a> {
    index: &'a FeatureIndex,
    query: &'a Query,
    top: TopK,
    threshold: f32,
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
            threshold: f32::INFINITY,
            filtered: !query.filter.is_empty(),
        }
    }

    fn visit(&mut self, n: usize) {
        let nodes = &self.index.nodes;
        let node = &nodes[n];
        if node.is_leaf() {
            self.scan(node.start as usize, node.end as usize);
            return;
        }
        let (left, right) = (node.left as usize, node.right as usize);
        let left_bound = self.query.fast_lower_bound(&nodes[left]);
        let right_bound = self.query.fast_lower_bound(&nodes[right]);
        let mut children = [(left, left_bound), (right, right_bound)];
        if right_bound.unwrap_or(f32::INFINITY) < left_bound.unwrap_or(f32::INFINITY) {
            children.swap(0, 1);
        }
        for (child, bound) in children {
            // The threshold already allows for ties at the k-th key (a lower id may
            // still enter) and for rounding.
            if let Some(bound) = bound {
                if bound <= self.threshold {
                    self.visit(child);
                }
            }
        }
    }

    /// Scores the tracks at `start..end` (at most one leaf) and offers the ones that
    /// pass the filters.
    #[inline]
    fn scan(&mut self, start: usize, end: usize) {
        let mut keys = [0f32; LEAF];
        self.query.fast_keys(self.index, start, end, &mut keys);
        for (offset, &key) in keys[..end - start].iter().enumerate() {
            let i = start + offset;
            // Cheap key test first: most tracks fail it, and then the filters (which
            // touch more memory) are never read.
            if key <= self.threshold
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
