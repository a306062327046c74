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
//! **Fast** (to decide what is worth scoring exactly). The same formulas in floating
//! point: in `f32` for the bounding boxes of groups and leaves and for the tracks'
//! Euclidean keys; in `f64` for the tracks' cosine test (`cosine_candidates` says why).
//! Each is within a proven rounding margin of its exact value (see `fast_threshold`),
//! so a track is scored exactly only when its fast value is within the margin of the
//! current k-th exact key, and a leaf or group is skipped only when its fast bound is
//! beyond it. Nothing that belongs in the answer is ever left out, and everything in
//! it was ranked exactly.

mod bounds;
mod fast;

pub(crate) use fast::{first_bits, CosineFloor, Thresholds};

use super::{
    error::{InvalidSettings, MatchError},
    index::{column, quantize, FeatureIndex, DIMS, FULL_SCALE, NO_POPULARITY},
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
    /// Cosine: `fast_w` and `fast_wt` in `f64`, for the tracks' keys (see
    /// `cosine_keys`).
    pub cos_w: [f64; DIMS],
    pub cos_wt: [f64; DIMS],
    /// Cosine: 1/t per enabled column (0 where t is 0), for `box_may_reach`.
    pub cos_inverse_t: [f64; DIMS],
    pub metric: Metric,
    pub filter: FilterSpec,
    pub k: usize,
    pub cap: Option<usize>,
}

/// The filters in the index's own terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterSpec {
    /// Allowed genre-set ids as a bit set, and the allowed genre ids folded to 64 bits
    /// (`genre % 64`) for the leaf and
    /// group summaries.
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
        // The page's form has already held its targets to the sliders' range
        // (`MatchSettings::from_pairs`); the search itself takes anything the catalog
        // can hold, as the API's targets and seeds may be.
        settings.validate_within(Feature::accepted_range)?;
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
        let mut cos_w = [0f64; DIMS];
        let mut cos_wt = [0f64; DIMS];
        let mut cos_inverse_t = [0f64; DIMS];
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
            cos_w[j] = w64[j];
            if targets[j] > 0 {
                cos_inverse_t[j] = 1.0 / f64::from(targets[j]);
            }
            if t_len > 0.0 {
                cos_wt[j] = w64[j] * f64::from(targets[j]) / t_len;
                fast_wt[j] = cos_wt[j] as f32;
            }
        }
        let f = &settings.filters;
        let genres = if f.genres.is_empty() {
            None
        } else {
            // Tracks pass when any of their genres is allowed: the allowed genre sets.
            let mut wanted = vec![false; index.genres.len()];
            let mut folded = 0u64;
            let mut unknown = Vec::new();
            for name in &f.genres {
                match index.genre_id(name) {
                    Some(id) => {
                        wanted[id as usize] = true;
                        folded |= 1 << (id % 64);
                    }
                    None => unknown.push(MatchError::UnknownGenre(name.clone())),
                }
            }
            if !unknown.is_empty() {
                return Err(InvalidSettings(unknown));
            }
            Some((index.sets_with_any(&wanted), folded))
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
            .filter(|(_, r)| !r.is_open())
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
            .is_some_and(|r| !r.is_open());
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
            cos_w,
            cos_wt,
            cos_inverse_t,
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
                    let gap = i64::from(index.value(i, self.dims[j])) - i64::from(self.targets[j]);
                    sum += u128::from(self.weights[j]) * u128::from(gap.unsigned_abs().pow(2));
                }
                Key::Euclidean(sum)
            }
            Metric::Cosine => {
                let (mut dot, mut norm) = (0u128, 0u128);
                for j in 0..self.m {
                    let x = index.value(i, self.dims[j]);
                    let w = u128::from(self.weights[j]);
                    dot += w * u128::from(nonneg(self.targets[j])) * u128::from(nonneg(x));
                    norm += w * square(x);
                }
                Key::cosine(dot, norm)
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
            Key::Cosine { dot, norm, .. } => {
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

    /// Whether the track at position `i` passes every filter.
    #[inline]
    pub fn passes(&self, index: &FeatureIndex, i: usize) -> bool {
        self.filter.passes(index, i)
    }
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
        if let Some((sets, _)) = &f.genres {
            if !index.in_sets(sets, i) {
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
            let x = index.value(i, d);
            if x < lo || x > hi {
                return false;
            }
        }
        !(f.exclude_explicit && index.explicit[i])
    }
}
