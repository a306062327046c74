//! A validated request turned into what the search needs: the enabled columns with
//! their weights and fixed-point targets, the filters as integer comparisons, and the
//! distance in two forms.
//!
//! **Exact** (what results are ranked by; `Key`). Values and targets are integers on
//! the index's fixed-point scale (`index::FULL_SCALE` steps per slider range), weights
//! are integers too (`W` = weight × 2²⁰, rounded, at least 1: steps of about one
//! millionth, far finer than any slider), so:
//! - Euclidean: `Σ W·(x − t)²`, a `u128`. The reported distance is
//!   `sqrt(Σ W·(x − t)² / ΣW)` in 0..1: the weighted RMS gap.
//! - Cosine: `cos² = (Σ W·t·x)² / (Σ W·t² · Σ W·x²)`, compared between tracks by
//!   multiplying out (up to 261 bits, `topk::wide`). The reported distance is `1 − cos`,
//!   from the exact `1 − cos² = (|t|²|x|² − dot²) / (|t|²|x|²)`, so tracks in the same
//!   proportions as the target are at exactly 0 and the order of near-ties is true. A
//!   track whose enabled features are all 0 has no direction and counts as orthogonal.
//!
//! **Fast** (`f32`, to decide what is worth scoring exactly). The same formulas on the
//! columns converted to `f32`: for every leaf of the tree, and for the bounding box of
//! every node the walk reaches. Each is within a proven rounding margin of its exact
//! value (see `fast_threshold`), so a track is scored exactly when its fast key is
//! within the margin of the current k-th exact key, and a node is skipped only when its
//! fast bound is beyond it. Nothing that belongs in the answer is ever left out, and
//! everything in it was ranked exactly.

use super::{
    error::{InvalidSettings, MatchError},
    index::{
        column, quantize, FeatureIndex, Node, DIMS, FULL_SCALE, LEAF, NO_GENRE, NO_POPULARITY,
    },
    settings::{MatchSettings, Metric},
    topk::{wide, Key},
};
use crate::catalog::Feature;

/// Integer weight steps per unit of weight.
const WEIGHT_STEPS: f64 = (1u64 << 20) as f64;
/// Unit roundoff of `f32`.
const U: f64 = f32::EPSILON as f64 / 2.0;

pub(crate) struct Query {
    /// Number of enabled columns.
    pub m: usize,
    /// Enabled columns, in `Feature::ALL` order (the first `m` entries).
    pub dims: [usize; DIMS],
    /// Integer weight per enabled column.
    pub weights: [u64; DIMS],
    pub weight_sum: u64,
    /// Fixed-point target per enabled column.
    pub targets: [i32; DIMS],
    /// Cosine: `Σ W·t²`.
    pub target_norm: u128,
    /// The fast form's terms, per enabled column:
    /// - `fast_w`: `W / ΣW / FULL_SCALE²`, so the Euclidean fast key is in 0..1 and
    ///   the cosine norm is `Σ fast_w·x²`;
    /// - `fast_t`: the target in steps;
    /// - `fast_wt`: cosine, `fast_w·t / |t|` with `|t|² = Σ fast_w·t²`, so that
    ///   `Σ fast_wt·x / sqrt(Σ fast_w·x²)` is cos.
    pub fast_w: [f32; DIMS],
    pub fast_t: [f32; DIMS],
    pub fast_wt: [f32; DIMS],
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
    pub ranges: Vec<(usize, i32, i32)>,
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
        let m = enabled.len();
        let mut dims = [0usize; DIMS];
        let mut weights = [0u64; DIMS];
        let mut targets = [0i32; DIMS];
        for (j, &f) in enabled.iter().enumerate() {
            dims[j] = column(f);
            // Validated: finite, in (0, MAX_WEIGHT].
            weights[j] = ((settings.weight(f) * WEIGHT_STEPS).round() as u64).max(1);
            targets[j] = quantize(f, settings.target(f));
        }
        let weight_sum: u64 = weights[..m].iter().sum();
        let target_norm: u128 = (0..m)
            .map(|j| u128::from(weights[j]) * square(targets[j]))
            .sum();
        if settings.metric == Metric::Cosine && target_norm == 0 {
            // Every enabled target within half a step of 0: no direction.
            return Err(MatchError::CosineZeroTarget.into());
        }
        let full = f64::from(FULL_SCALE);
        let mut fast_w = [0f32; DIMS];
        let mut fast_t = [0f32; DIMS];
        let mut fast_wt = [0f32; DIMS];
        let w64: Vec<f64> = (0..m)
            .map(|j| weights[j] as f64 / weight_sum as f64 / (full * full))
            .collect();
        let t_len = (0..m)
            .map(|j| w64[j] * f64::from(targets[j]) * f64::from(targets[j]))
            .sum::<f64>()
            .sqrt();
        for j in 0..m {
            fast_w[j] = w64[j] as f32;
            fast_t[j] = targets[j] as f32;
            if t_len > 0.0 {
                fast_wt[j] = (w64[j] * f64::from(targets[j]) / t_len) as f32;
            }
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
        let ranges: Vec<(usize, i32, i32)> = f
            .ranges
            .iter()
            .filter(|(_, r)| r.min.is_some() || r.max.is_some())
            .map(|(&feature, r)| {
                // The same fixed-point steps the index took for its values, so a track
                // at exactly a bound stays inside it.
                let lo = r.min.map(|v| quantize(feature, v)).unwrap_or(i32::MIN);
                let hi = r.max.map(|v| quantize(feature, v)).unwrap_or(i32::MAX);
                (column(feature), lo, hi)
            })
            .collect();
        let popularity_bounded = f
            .ranges
            .get(&Feature::Popularity)
            .is_some_and(|r| r.min.is_some() || r.max.is_some());
        Ok(Query {
            m,
            dims,
            weights,
            weight_sum,
            targets,
            target_norm,
            fast_w,
            fast_t,
            fast_wt,
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

    /// The exact key of the track at position `i`.
    #[inline]
    pub fn exact_key(&self, index: &FeatureIndex, i: usize) -> Key {
        match self.metric {
            Metric::Euclidean => {
                let mut sum = 0u128;
                for j in 0..self.m {
                    let gap =
                        i64::from(index.columns[self.dims[j]][i]) - i64::from(self.targets[j]);
                    sum += u128::from(self.weights[j]) * u128::from(gap.unsigned_abs().pow(2));
                }
                Key::Euclidean(sum)
            }
            Metric::Cosine => {
                let (mut dot, mut norm) = (0u128, 0u128);
                for j in 0..self.m {
                    let x = index.columns[self.dims[j]][i];
                    let w = u128::from(self.weights[j]);
                    dot += w * u128::from(nonneg(self.targets[j])) * u128::from(nonneg(x));
                    norm += w * square(x);
                }
                Key::Cosine { dot, norm }
            }
        }
    }

    /// The distance shown for a key (see the module documentation): 0 for the target
    /// itself, up to 1.
    pub fn distance(&self, key: &Key) -> f64 {
        match *key {
            Key::Euclidean(sum) => {
                let full = f64::from(FULL_SCALE);
                (sum as f64 / self.weight_sum as f64).sqrt() / full
            }
            Key::Cosine { dot, norm } => {
                if norm == 0 {
                    return 1.0;
                }
                // 1 − cos² exactly, then 1 − cos = (1 − cos²) / (1 + cos) without
                // cancellation.
                let whole = wide::mul2(self.target_norm, norm);
                let sin2 =
                    (whole.minus(&wide::mul2(dot, dot)).to_f64() / whole.to_f64()).clamp(0.0, 1.0);
                sin2 / (1.0 + (1.0 - sin2).sqrt())
            }
        }
    }

    /// Fast keys of the tracks at `start..end` (at most `LEAF` of them) into `out`:
    /// the Euclidean key in 0..1, or `1 − cos` (1 for a track with no direction).
    #[inline]
    pub fn fast_keys(&self, index: &FeatureIndex, start: usize, end: usize, out: &mut [f32; LEAF]) {
        let n = end - start;
        let out = &mut out[..n];
        out.fill(0.0);
        match self.metric {
            Metric::Euclidean => {
                for j in 0..self.m {
                    let (w, t) = (self.fast_w[j], self.fast_t[j]);
                    let xs = &index.columns[self.dims[j]][start..end];
                    for (acc, &x) in out.iter_mut().zip(xs) {
                        let gap = x as f32 - t;
                        *acc += (w * gap) * gap;
                    }
                }
            }
            Metric::Cosine => {
                let mut norms = [0f32; LEAF];
                let norms = &mut norms[..n];
                for j in 0..self.m {
                    let (w, wt) = (self.fast_w[j], self.fast_wt[j]);
                    let xs = &index.columns[self.dims[j]][start..end];
                    for ((dot, norm), &x) in out.iter_mut().zip(norms.iter_mut()).zip(xs) {
                        let x = x as f32;
                        *dot += wt * x;
                        *norm += (w * x) * x;
                    }
                }
                for (acc, &norm) in out.iter_mut().zip(norms.iter()) {
                    *acc = if norm > 0.0 {
                        1.0 - *acc / norm.sqrt()
                    } else {
                        1.0
                    };
                }
            }
        }
    }

    /// The largest fast key (of a track, or of a node's bound) whose exact value can
    /// still be at most `bound`, the current k-th key; infinite while fewer than k are
    /// kept. A track with a larger fast key cannot enter the k best, and no track in a
    /// node with a larger fast bound can.
    ///
    /// The margins, with u = 2⁻²⁴ (half an `f32` ulp) and m ≤ 10 enabled columns:
    /// - Euclidean, key `K = Σ ŵ·d²` with ŵ = W/ΣW (so Σŵ = 1) and d the gap as a
    ///   fraction of the range. Converting values and target to `f32` and subtracting
    ///   moves each gap by at most 3.01u; products and the m-term sum add a relative
    ///   (m + 2.1)u. So fast ≤ (K + 2·3.01u·Σŵ|d| + 9.1u²)(1 + 12.1u), and
    ///   Σŵ|d| ≤ √K (Cauchy–Schwarz): fast ≤ (K + 6.02u√K + 9.1u²)(1 + 12.1u). A
    ///   node's bound has the same form (gaps to its box).
    /// - Cosine: every term is ≥ 0, so the dot product and the norm each carry a
    ///   relative error of at most (m + 4.1)u; through the square root and the
    ///   division cos is within (1.5m + 6.2)u ≤ 21.2u, relatively. A node's bound
    ///   (dot at the box's top corner over the norm at its bottom corner, which is at
    ///   least the cos of every track in it) likewise.
    ///
    /// The threshold uses larger constants than these (8u√K + 16u², 32u; 64u for
    /// cosine) and rounds up, so it also covers the `f64` arithmetic that computes it.
    pub fn fast_threshold(&self, bound: Option<&Key>) -> f32 {
        let Some(bound) = bound else {
            return f32::INFINITY;
        };
        let limit = match *bound {
            Key::Euclidean(sum) => {
                let full = f64::from(FULL_SCALE);
                let key = sum as f64 / self.weight_sum as f64 / (full * full);
                (key + 8.0 * U * key.sqrt() + 16.0 * U * U) * (1.0 + 32.0 * U)
            }
            Key::Cosine { dot, norm } => {
                let cos = if norm == 0 {
                    0.0
                } else {
                    dot as f64 / ((self.target_norm as f64).sqrt() * (norm as f64).sqrt())
                };
                1.0 - cos * (1.0 - 64.0 * U)
            }
        };
        round_up(limit)
    }

    /// A fast key no track inside the node can beat (compare with `fast_threshold`);
    /// `None` when the filters rule out every track in it.
    #[inline]
    pub fn fast_lower_bound(&self, node: &Node) -> Option<f32> {
        if !self.node_may_pass(node) {
            return None;
        }
        Some(match self.metric {
            Metric::Euclidean => {
                let mut acc = 0f32;
                for j in 0..self.m {
                    let d = self.dims[j];
                    let (t, lo, hi) = (self.fast_t[j], node.lo[d] as f32, node.hi[d] as f32);
                    let gap = if t < lo {
                        lo - t
                    } else if t > hi {
                        t - hi
                    } else {
                        0.0
                    };
                    acc += (self.fast_w[j] * gap) * gap;
                }
                acc
            }
            Metric::Cosine => {
                // Inner product at most at the box's top corner, norm at least at its
                // bottom corner (all values are >= 0).
                let (mut dot, mut norm) = (0f32, 0f32);
                for j in 0..self.m {
                    let d = self.dims[j];
                    let (lo, hi) = (node.lo[d] as f32, node.hi[d] as f32);
                    dot += self.fast_wt[j] * hi;
                    norm += (self.fast_w[j] * lo) * lo;
                }
                if norm > 0.0 {
                    1.0 - dot / norm.sqrt()
                } else {
                    // A box touching the origin bounds nothing.
                    f32::NEG_INFINITY
                }
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

/// An `f32` at least `x` (the nearest one, moved up by at least an ulp).
fn round_up(x: f64) -> f32 {
    let near = x as f32;
    near + near.abs() * f32::EPSILON + f32::MIN_POSITIVE
}

/// A fixed-point value as unsigned (they are never negative).
#[inline]
fn nonneg(x: i32) -> u64 {
    u64::from(x.unsigned_abs())
}

#[inline]
fn square(x: i32) -> u128 {
    u128::from(nonneg(x).pow(2))
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
