//! A validated request turned into what the scan needs: the enabled columns with their
//! normalised weights and scaled targets, and the filters as integer comparisons.
//!
//! The distance key both the index and the brute-force scan rank by:
//! - Euclidean: `Σ ŵ·(x − t)²` over enabled features, ŵ = weight / (sum of weights),
//!   x and t scaled to 0..1. In 0..1; the reported distance is its square root.
//! - Cosine: `1 − Σ ŵ·t·x / (|t|·|x|)` with the same weighted inner product; a track
//!   whose enabled features are all 0 has no direction and gets key 1 (similarity 0).
//!
//! Both paths compute the key with the same f32 operations in the same order, and every
//! lower bound is built from the same operations on a bounding box, so (rounding being
//! monotonic) a bound never exceeds the key of a track inside the box and the index's
//! answer is exactly the brute-force one.

use super::{
    error::{InvalidSettings, MatchError},
    index::{column, FeatureIndex, Node, LEAF, NO_GENRE, NO_POPULARITY},
    settings::{MatchSettings, Metric},
};
use crate::catalog::Feature;

pub(crate) struct Query {
    /// Enabled columns, in `Feature::ALL` order.
    pub dims: Vec<usize>,
    /// Normalised weight per enabled column (they sum to 1).
    pub weights: Vec<f32>,
    /// Scaled target per enabled column.
    pub targets: Vec<f32>,
    /// Cosine: weight × target, and |t| = sqrt(Σ ŵ t²).
    pub weighted_targets: Vec<f32>,
    pub target_norm: f32,
    pub metric: Metric,
    pub filter: FilterSpec,
    pub k: usize,
    pub cap: Option<usize>,
}

/// The filters in the index's own terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterSpec {
    /// Allowed genre ids as a bit set, and the same folded to 64 bits for nodes.
    pub genres: Option<(Vec<u64>, u64)>,
    /// Inclusive year range (tracks with no year fall outside any range).
    pub years: Option<(i16, i16)>,
    pub min_popularity: Option<u8>,
    /// Popularity is an enabled feature: tracks without one are left out.
    pub popularity_required: bool,
    pub exclude_explicit: bool,
    /// Per-feature bounds: (column, scaled min, scaled max), both inclusive.
    pub ranges: Vec<(usize, f32, f32)>,
}

impl FilterSpec {
    pub fn is_empty(&self) -> bool {
        self.genres.is_none()
            && self.years.is_none()
            && self.min_popularity.is_none()
            && !self.popularity_required
            && !self.exclude_explicit
            && self.ranges.is_empty()
    }
}

impl Query {
    pub fn new(index: &FeatureIndex, settings: &MatchSettings) -> Result<Query, InvalidSettings> {
        settings.validate()?;
        let enabled = settings.enabled();
        let total: f64 = enabled.iter().map(|&f| settings.weight(f)).sum();
        let dims: Vec<usize> = enabled.iter().map(|&f| column(f)).collect();
        let weights: Vec<f32> = enabled
            .iter()
            .map(|&f| (settings.weight(f) / total) as f32)
            .collect();
        let targets: Vec<f32> = enabled
            .iter()
            .map(|&f| f.scale(settings.target(f)) as f32)
            .collect();
        let weighted_targets: Vec<f32> = weights.iter().zip(&targets).map(|(w, t)| w * t).collect();
        let mut norm_sq = 0f32;
        for (w, t) in weights.iter().zip(&targets) {
            norm_sq += (w * t) * t;
        }
        // Inputs are finite (validated), so norm_sq is never NaN.
        if settings.metric == Metric::Cosine && norm_sq <= 0.0 {
            // Targets so close to 0 (or weights so small) that f32 sees no direction.
            return Err(MatchError::CosineZeroTarget.into());
        }
        let f = &settings.filters;
        let genres = if f.genres.is_empty() {
            None
        } else {
            let mut bits = vec![0u64; index.genres.len().div_ceil(64).max(1)];
            let mut folded = 0u64;
            let mut unknown = Vec::new();
            for name in &f.genres {
                match index.genre_id(name) {
                    Some(id) => {
                        bits[id as usize / 64] |= 1 << (id % 64);
                        folded |= 1 << (id % 64);
                    }
                    None => unknown.push(MatchError::UnknownGenre(name.clone())),
                }
            }
            if !unknown.is_empty() {
                return Err(InvalidSettings(unknown));
            }
            Some((bits, folded))
        };
        let clamp_year = |y: i32| y.clamp(i16::MIN as i32 + 1, i16::MAX as i32) as i16;
        let years = match (f.year_from, f.year_to) {
            (None, None) => None,
            (from, to) => Some((
                from.map(clamp_year).unwrap_or(i16::MIN + 1),
                to.map(clamp_year).unwrap_or(i16::MAX),
            )),
        };
        let ranges: Vec<(usize, f32, f32)> = f
            .ranges
            .iter()
            .filter(|(_, r)| r.min.is_some() || r.max.is_some())
            .map(|(&feature, r)| {
                // The same f64 -> f32 steps the index took for its values, so a track
                // at exactly a bound stays inside it.
                let lo = r
                    .min
                    .map(|v| feature.scale(v) as f32)
                    .unwrap_or(f32::NEG_INFINITY);
                let hi = r
                    .max
                    .map(|v| feature.scale(v) as f32)
                    .unwrap_or(f32::INFINITY);
                (column(feature), lo, hi)
            })
            .collect();
        let popularity_bounded = f
            .ranges
            .get(&Feature::Popularity)
            .is_some_and(|r| r.min.is_some() || r.max.is_some());
        Ok(Query {
            dims,
            weights,
            targets,
            weighted_targets,
            target_norm: norm_sq.sqrt(),
            metric: settings.metric,
            filter: FilterSpec {
                genres,
                years,
                min_popularity: f.min_popularity,
                popularity_required: enabled.contains(&Feature::Popularity) || popularity_bounded,
                exclude_explicit: f.exclude_explicit,
                ranges,
            },
            k: settings.k,
            cap: f.max_per_artist,
        })
    }

    /// Distance keys of the tracks at `start..end` (at most `LEAF` of them) into `out`.
    #[inline]
    pub fn score(&self, index: &FeatureIndex, start: usize, end: usize, out: &mut [f32; LEAF]) {
        let n = end - start;
        let out = &mut out[..n];
        out.fill(0.0);
        match self.metric {
            Metric::Euclidean => {
                for ((&d, &w), &t) in self.dims.iter().zip(&self.weights).zip(&self.targets) {
                    let xs = &index.columns[d][start..end];
                    for (acc, &x) in out.iter_mut().zip(xs) {
                        let diff = x - t;
                        *acc += (w * diff) * diff;
                    }
                }
            }
            Metric::Cosine => {
                let mut norms = [0f32; LEAF];
                let norms = &mut norms[..n];
                for ((&d, &w), &wt) in self
                    .dims
                    .iter()
                    .zip(&self.weights)
                    .zip(&self.weighted_targets)
                {
                    let xs = &index.columns[d][start..end];
                    for ((dot, norm), &x) in out.iter_mut().zip(norms.iter_mut()).zip(xs) {
                        *dot += wt * x;
                        *norm += (w * x) * x;
                    }
                }
                for (acc, &norm) in out.iter_mut().zip(norms.iter()) {
                    // No direction (all enabled features 0): similarity 0.
                    *acc = cosine_key(*acc, self.target_norm, norm).unwrap_or(1.0);
                }
            }
        }
    }

    /// A key no track inside the node can beat; `None` when the filters rule out every
    /// track in it.
    #[inline]
    pub fn lower_bound(&self, node: &Node) -> Option<f32> {
        if !self.node_may_pass(node) {
            return None;
        }
        Some(match self.metric {
            Metric::Euclidean => {
                let mut acc = 0f32;
                for ((&d, &w), &t) in self.dims.iter().zip(&self.weights).zip(&self.targets) {
                    let gap = if t < node.lo[d] {
                        node.lo[d] - t
                    } else if t > node.hi[d] {
                        t - node.hi[d]
                    } else {
                        0.0
                    };
                    acc += (w * gap) * gap;
                }
                acc
            }
            Metric::Cosine => {
                // Inner product at most at the box's top corner, norm at least at its
                // bottom corner (all values are >= 0).
                let (mut dot, mut norm) = (0f32, 0f32);
                for ((&d, &w), &wt) in self
                    .dims
                    .iter()
                    .zip(&self.weights)
                    .zip(&self.weighted_targets)
                {
                    dot += wt * node.hi[d];
                    norm += (w * node.lo[d]) * node.lo[d];
                }
                // A box touching the origin bounds nothing.
                cosine_key(dot, self.target_norm, norm).unwrap_or(f32::NEG_INFINITY)
            }
        })
    }

    fn node_may_pass(&self, node: &Node) -> bool {
        let f = &self.filter;
        if let Some((_, folded)) = &f.genres {
            if node.genre_bits & folded == 0 {
                return false;
            }
        }
        if let Some((from, to)) = f.years {
            if node.year_hi < from || node.year_lo > to {
                return false;
            }
        }
        if let Some(min) = f.min_popularity {
            if node.max_popularity < i16::from(min) {
                return false;
            }
        }
        if f.popularity_required && node.max_popularity < 0 {
            return false;
        }
        for &(d, lo, hi) in &f.ranges {
            if node.hi[d] < lo || node.lo[d] > hi {
                return false;
            }
        }
        !f.exclude_explicit || node.any_clean
    }

    /// Whether the track at position `i` passes every filter.
    #[inline]
    pub fn passes(&self, index: &FeatureIndex, i: usize) -> bool {
        self.filter.passes(index, i)
    }
}

impl FilterSpec {
    /// Whether the track at position `i` passes every filter of this spec.
    #[inline]
    pub fn passes(&self, index: &FeatureIndex, i: usize) -> bool {
        let f = self;
        if let Some((bits, _)) = &f.genres {
            let g = index.genre[i];
            if g == NO_GENRE || bits[g as usize / 64] & (1 << (g % 64)) == 0 {
                return false;
            }
        }
        if let Some((from, to)) = f.years {
            let y = index.year[i];
            if y < from || y > to {
                return false;
            }
        }
        let p = index.popularity[i];
        if let Some(min) = f.min_popularity {
            if p == NO_POPULARITY || p < min {
                return false;
            }
        }
        if f.popularity_required && p == NO_POPULARITY {
            return false;
        }
        for &(d, lo, hi) in &f.ranges {
            let x = index.columns[d][i];
            if x < lo || x > hi {
                return false;
            }
        }
        !(f.exclude_explicit && index.explicit[i])
    }
}

/// `1 − cos`; `None` when the norm is 0 (no direction). Used for tracks and for
/// bounds, so that both round the same way.
#[inline]
fn cosine_key(dot: f32, target_norm: f32, norm_sq: f32) -> Option<f32> {
    let denominator = target_norm * norm_sq.sqrt();
    if denominator > 0.0 {
        Some(1.0 - dot / denominator)
    } else {
        None
    }
}
