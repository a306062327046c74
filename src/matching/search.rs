//! Exact k-nearest-neighbour search: a depth-first walk of the k-d tree, nearer child
//! first, skipping every subtree whose lower bound is above the current k-th key (or
//! whose filter summaries rule it out); and the brute-force scan it must agree with.

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
        let mut top = TopK::new(query.k, query.cap);
        if let Some(root) = self.nodes.first() {
            if query.lower_bound(root).is_some() {
                self.visit(0, &query, keep, &mut top);
            }
        }
        Ok(self.outcome(&query, settings, top.into_sorted()))
    }

    /// The reference answer: every track scored, no index. The benchmark's baseline
    /// and the property tests' oracle.
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
        let mut top = TopK::new(query.k, query.cap);
        let mut start = 0;
        while start < self.len() {
            let end = (start + LEAF).min(self.len());
            self.scan(start, end, &query, keep, &mut top);
            start = end;
        }
        Ok(self.outcome(&query, settings, top.into_sorted()))
    }

    fn visit(&self, n: usize, query: &Query, keep: &dyn Fn(i32) -> bool, top: &mut TopK) {
        let node = &self.nodes[n];
        if node.is_leaf() {
            self.scan(node.start as usize, node.end as usize, query, keep, top);
            return;
        }
        let (left, right) = (node.left as usize, node.right as usize);
        let left_bound = query.lower_bound(&self.nodes[left]);
        let right_bound = query.lower_bound(&self.nodes[right]);
        let mut children = [(left, left_bound), (right, right_bound)];
        if right_bound.unwrap_or(f32::INFINITY) < left_bound.unwrap_or(f32::INFINITY) {
            children.swap(0, 1);
        }
        for (child, bound) in children {
            // A track exactly at the k-th key may still enter with a lower id, so only
            // a bound strictly above it prunes.
            if let Some(bound) = bound {
                if bound <= top.bound() {
                    self.visit(child, query, keep, top);
                }
            }
        }
    }

    /// Scores the tracks at `start..end` (at most one leaf) and offers the ones that
    /// pass the filters.
    #[inline]
    fn scan(
        &self,
        start: usize,
        end: usize,
        query: &Query,
        keep: &dyn Fn(i32) -> bool,
        top: &mut TopK,
    ) {
        let mut keys = [0f32; LEAF];
        query.score(self, start, end, &mut keys);
        let filtered = !query.filter.is_empty();
        for (offset, &key) in keys[..end - start].iter().enumerate() {
            let i = start + offset;
            // Cheap key test first: most tracks fail it, and then the filters (which
            // touch more memory) are never read.
            if top.admits(key, self.ids[i])
                && (!filtered || query.passes(self, i))
                && keep(self.ids[i])
            {
                top.push(Candidate {
                    key,
                    id: self.ids[i],
                    artist: self.artist[i],
                    pos: i as u32,
                });
            }
        }
    }
}
