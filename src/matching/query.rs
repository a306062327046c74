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

use super::{
    error::{InvalidSettings, MatchError},
    index::{
        column, quantize, Block, FeatureIndex, Group, DIMS, FULL_SCALE, GROUP, LEAF, NO_GENRE,
        NO_POPULARITY,
    },
    settings::{MatchSettings, Metric},
    topk::{wide, Key},
};
use crate::catalog::Feature;

/// Integer weight steps per unit of weight.
const WEIGHT_STEPS: f64 = (1u64 << 20) as f64;
/// Unit roundoff of `f32`.
const U: f64 = f32::EPSILON as f64 / 2.0;
/// Relative margin of the `f64` cosine test (`cosine_candidates`, dot² ≥ c²·norm):
/// with every term ≥ 0, dot and norm are each within about (m + 8)·2⁻⁵³ of their exact
/// values (relatively; the per-column factors are rounded a few times), so dot²/norm
/// is within (3m + 25)·2⁻⁵³ ≤ 6 × 10⁻¹⁵ of cos², and the k-th key's cos is computed
/// to about 10⁻¹⁵. The floor is c·(1 − 2⁻⁴⁰), c² lowered by 1.8 × 10⁻¹²: hundreds of
/// times what is needed, and it still lets through only real near-ties.
const COSINE_MARGIN: f64 = 1.0 / (1u64 << 40) as f64;

/// What is worth a closer look, given the current k-th exact key (`fast_threshold`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thresholds {
    /// Largest lower bound (`f32`) of a leaf or group that may hold a track in the k best.
    pub bound: f32,
    /// Largest `euclidean_keys` value of a track that may be in the k best.
    pub euclidean: f32,
    /// What `cosine_candidates` lets through.
    pub cosine: CosineFloor,
}

/// The least cos a track must have to be worth scoring exactly: in the terms of
/// `cosine_candidates`, `dot² ≥ cos2·norm` and `norm > norm`; and `cos` itself, for
/// `box_may_reach`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CosineFloor {
    pub cos: f64,
    pub cos2: f64,
    pub norm: f64,
}

impl CosineFloor {
    /// Every track (fewer than k kept, or the k-th is orthogonal to the target).
    const ANY: CosineFloor = CosineFloor {
        cos: -1.0,
        cos2: -1.0,
        norm: -1.0,
    };
}

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
    /// Allowed genre ids as a bit set, and the same folded to 64 bits for the leaf and
    /// group summaries.
    pub genres: Option<(Vec<u64>, u64)>,
    /// Inclusive year range (tracks with no year fall outside any range).
    pub years: Option<(i16, i16)>,
    pub min_popularity: Option<u8>,
    /// Popularity is an enabled feature: tracks without one are left out.
    pub popularity_required: bool,
    pub exclude_explicit: bool,
}

impl FilterSpec {
    pub fn is_empty(&self) -> bool {
        self.genres.is_none()
            && self.years.is_none()
            && self.min_popularity.is_none()
            && !self.popularity_required
            && !self.exclude_explicit
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
                popularity_required: enabled.contains(&Feature::Popularity),
                exclude_explicit: f.exclude_explicit,
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

    /// Fast Euclidean keys of a leaf's tracks, in 0..1 (all `LEAF` slots; the caller
    /// ignores those past the end of the last leaf).
    #[inline]
    pub fn euclidean_keys(&self, block: &Block, out: &mut [f32; LEAF]) {
        *out = [0.0; LEAF];
        for j in 0..self.m {
            let (w, t) = (self.fast_w[j], self.fast_t[j]);
            for (acc, &x) in out.iter_mut().zip(&block[self.dims[j]]) {
                let gap = x as f32 - t;
                *acc += (w * gap) * gap;
            }
        }
    }

    /// Which of a leaf's first `len` tracks may be as close in angle as `floor` (see
    /// `Thresholds`): bit `l` for slot `l`. In `f64`, and without square roots or
    /// divisions: cos ≥ c ⇔ dot² ≥ c²·norm, as dot, c ≥ 0. (`1 − cos` in `f32` cannot
    /// tell angles below about 10⁻³ apart; with a few features a million tracks have
    /// thousands of those, each of which would then be scored exactly.)
    #[inline]
    pub fn cosine_candidates(&self, block: &Block, floor: CosineFloor, len: usize) -> u64 {
        let mut dots = [0f64; LEAF];
        let mut norms = [0f64; LEAF];
        for j in 0..self.m {
            let (w, wt) = (self.cos_w[j], self.cos_wt[j]);
            let xs = &block[self.dims[j]];
            for ((dot, norm), &x) in dots.iter_mut().zip(&mut norms).zip(xs) {
                let x = f64::from(x);
                *dot += wt * x;
                *norm += (w * x) * x;
            }
        }
        let mut mask = 0u64;
        for (l, (&dot, &norm)) in dots.iter().zip(&norms).enumerate() {
            let close = (dot * dot >= floor.cos2 * norm) & (norm > floor.norm);
            mask |= u64::from(close) << l;
        }
        first_bits(mask, len)
    }

    /// What may still be in the k best, given `bound`, the current k-th exact key
    /// (everything while fewer than k are kept): the largest fast lower bound of a leaf
    /// or group, the largest fast Euclidean key of a track, and the floor of the `f64`
    /// cosine test. Anything beyond them is farther than the k-th key exactly.
    ///
    /// The margins, with u = 2⁻²⁴ (half an `f32` ulp) and m ≤ 10 enabled columns:
    /// - Euclidean, key `K = Σ ŵ·d²` with ŵ = W/ΣW (so Σŵ = 1) and d the gap as a
    ///   fraction of the range. Converting values and target to `f32` and subtracting
    ///   moves each gap by at most 3.01u; products and the m-term sum add a relative
    ///   (m + 2.1)u. So fast ≤ (K + 2·3.01u·Σŵ|d| + 9.1u²)(1 + 12.1u), and
    ///   Σŵ|d| ≤ √K (Cauchy–Schwarz): fast ≤ (K + 6.02u√K + 9.1u²)(1 + 12.1u). A
    ///   box's bound has the same form (gaps to the box).
    /// - Cosine: every term is ≥ 0, so the dot product and the norm each carry a
    ///   relative error of at most (m + 4.1)u; through the square root and the
    ///   division cos is within (1.5m + 6.2)u ≤ 21.2u, relatively. A box's corner
    ///   bound likewise; its sphere bound carries its own margins (`box_bounds`).
    ///   The tracks' test is in `f64`: see `COSINE_MARGIN`.
    ///
    /// The thresholds use larger constants than these (8u√K + 16u², 32u; 64u for
    /// cosine) and round up, so they also cover the `f64` arithmetic that computes
    /// them.
    pub fn fast_threshold(&self, bound: Option<&Key>) -> Thresholds {
        let Some(bound) = bound else {
            return Thresholds {
                bound: f32::INFINITY,
                euclidean: f32::INFINITY,
                cosine: CosineFloor::ANY,
            };
        };
        match *bound {
            Key::Euclidean(sum) => {
                let full = f64::from(FULL_SCALE);
                let key = sum as f64 / self.weight_sum as f64 / (full * full);
                let limit =
                    round_up((key + 8.0 * U * key.sqrt() + 16.0 * U * U) * (1.0 + 32.0 * U));
                Thresholds {
                    bound: limit,
                    euclidean: limit,
                    cosine: CosineFloor::ANY,
                }
            }
            Key::Cosine { dot, norm } => {
                let cos = if norm == 0 {
                    0.0
                } else {
                    dot as f64 / ((self.target_norm as f64).sqrt() * (norm as f64).sqrt())
                };
                let floor = cos * (1.0 - COSINE_MARGIN);
                Thresholds {
                    bound: round_up(1.0 - cos * (1.0 - 64.0 * U)),
                    euclidean: f32::INFINITY,
                    cosine: if floor > 0.0 {
                        // A track with no direction has cos 0: never that close.
                        CosineFloor {
                            cos: floor,
                            cos2: floor * floor,
                            norm: 0.0,
                        }
                    } else {
                        CosineFloor::ANY
                    },
                }
            }
        }
    }

    /// Fast lower bounds for every group (`out[g]`); `f32::INFINITY` for the groups the
    /// filters rule out.
    pub fn group_bounds(&self, index: &FeatureIndex, out: &mut [f32]) {
        for (start, chunk) in (0..).step_by(GROUP).zip(out.chunks_mut(GROUP)) {
            let end = start + chunk.len();
            self.box_bounds(
                |d| &index.group_lo[d][start..end],
                |d| &index.group_hi[d][start..end],
                chunk,
            );
        }
        if !self.filter.is_empty() {
            for (bound, group) in out.iter_mut().zip(&index.groups) {
                let s = &group.all;
                let clean = s.any_clean;
                if !self.may_pass(s.genre_bits, s.year_lo, s.year_hi, s.max_popularity, clean) {
                    *bound = f32::INFINITY;
                }
            }
        }
    }

    /// Fast lower bounds for every leaf of a group; `f32::INFINITY` for the leaves the
    /// filters rule out and for the unused slots of the last group.
    pub fn leaf_bounds(&self, group: &Group, out: &mut [f32; GROUP]) {
        let used = group.leaves as usize;
        self.box_bounds(
            |d| &group.lo[d][..used],
            |d| &group.hi[d][..used],
            &mut out[..used],
        );
        out[used..].fill(f32::INFINITY);
        if self.filter.is_empty() {
            return;
        }
        for (l, bound) in out[..used].iter_mut().enumerate() {
            let clean = group.any_clean & (1 << l) != 0;
            let (years, popularity) = (
                (group.year_lo[l], group.year_hi[l]),
                group.max_popularity[l],
            );
            if !self.may_pass(group.genre_bits[l], years.0, years.1, popularity, clean) {
                *bound = f32::INFINITY;
            }
        }
    }

    /// Whether some track with these summaries (see `index::Summary`) may pass the
    /// filters.
    #[inline]
    fn may_pass(
        &self,
        genre_bits: u64,
        year_lo: i16,
        year_hi: i16,
        max_popularity: i16,
        any_clean: bool,
    ) -> bool {
        let f = &self.filter;
        f.genres
            .as_ref()
            .is_none_or(|(_, folded)| genre_bits & folded != 0)
            && f.years
                .is_none_or(|(from, to)| year_hi >= from && year_lo <= to)
            && f.min_popularity
                .is_none_or(|min| max_popularity >= i16::from(min))
            && (!f.popularity_required || max_popularity >= 0)
            && (!f.exclude_explicit || any_clean)
    }

    /// Lower bounds of the keys in up to `GROUP` boxes given column by column
    /// (`lo(d)[b]`, `hi(d)[b]`, as many as `out`), as plain loops over the boxes so that
    /// they vectorise.
    ///
    /// - Euclidean: the key of the box's point nearest to the target.
    /// - Cosine: `1 −` an upper bound of cos over the box, the smaller of two:
    ///   - corner: the inner product at the top corner over the norm at the bottom
    ///     corner (every value is ≥ 0); none when the box touches the origin;
    ///   - sphere: the box lies in the ball around its centre c through its corners
    ///     (radius r), whose directions are within α = asin(r/|c|) of c's, so no
    ///     track is closer in angle to the target than θ − α, θ being c's angle to
    ///     the target: cos ≤ cos(θ − α) = cosθ·cosα + sinθ·sinα (1 when θ ≤ α).
    ///     Tight for small boxes away from the origin, where the corner bound is
    ///     loose. Rounding: cosθ (relative error ≤ 21.2u, like a track's cos) is
    ///     raised by 32u and sinα by a relative 32u, which only moves θ down and α
    ///     up (a larger, still valid bound); each `1 − x²` under a root is taken as
    ///     `(1 − x)(1 + x)` (no cancellation), so the last step is good to 6u; and
    ///     16u is added to it.
    #[inline]
    fn box_bounds<'a>(
        &self,
        lo: impl Fn(usize) -> &'a [i32],
        hi: impl Fn(usize) -> &'a [i32],
        out: &mut [f32],
    ) {
        let n = out.len().min(GROUP);
        let out = &mut out[..n];
        out.fill(0.0);
        match self.metric {
            Metric::Euclidean => {
                for j in 0..self.m {
                    let (w, t) = (self.fast_w[j], self.fast_t[j]);
                    let (lo, hi) = (lo(self.dims[j]), hi(self.dims[j]));
                    for ((acc, &lo), &hi) in out.iter_mut().zip(lo).zip(hi) {
                        // Positive on the side of the box the target is outside.
                        let gap = (lo as f32 - t).max(t - hi as f32).max(0.0);
                        *acc += (w * gap) * gap;
                    }
                }
            }
            Metric::Cosine => {
                let u = U as f32;
                let mut corner_dot = [0f32; GROUP];
                let mut corner_norm = [0f32; GROUP];
                let mut centre_dot = [0f32; GROUP];
                let mut centre_norm = [0f32; GROUP];
                let mut radius = [0f32; GROUP];
                for j in 0..self.m {
                    let (w, wt) = (self.fast_w[j], self.fast_wt[j]);
                    let (lo, hi) = (&lo(self.dims[j])[..n], &hi(self.dims[j])[..n]);
                    for b in 0..n {
                        let (l, h) = (lo[b].clamp(0, FULL_SCALE), hi[b].clamp(0, FULL_SCALE));
                        let (lf, hf) = (l as f32, h as f32);
                        // The width is an exact integer.
                        let half = (h - l).max(0) as f32 * 0.5;
                        let centre = lf + half;
                        corner_dot[b] += wt * hf;
                        corner_norm[b] += (w * lf) * lf;
                        centre_dot[b] += wt * centre;
                        centre_norm[b] += (w * centre) * centre;
                        radius[b] += (w * half) * half;
                    }
                }
                for b in 0..n {
                    let corner = if corner_norm[b] > 0.0 {
                        corner_dot[b] / corner_norm[b].sqrt()
                    } else {
                        f32::INFINITY
                    };
                    let c_len = centre_norm[b].sqrt();
                    let cos_t = (centre_dot[b] / c_len + 32.0 * u).min(1.0);
                    let sin_a = radius[b].sqrt() / c_len * (1.0 + 32.0 * u);
                    let sin_t = ((1.0 - cos_t) * (1.0 + cos_t)).max(0.0).sqrt();
                    let cos_a = ((1.0 - sin_a) * (1.0 + sin_a)).max(0.0).sqrt();
                    // θ ≤ α, or the ball holds the origin (sin α ≥ 1, or c = 0 and
                    // the quotients are not numbers): no bound.
                    let sphere = if sin_a < 1.0 && cos_t < cos_a {
                        cos_t * cos_a + sin_t * sin_a + 16.0 * u
                    } else {
                        f32::INFINITY
                    };
                    out[b] = 1.0 - corner.min(sphere);
                }
            }
        }
    }

    /// Cosine: whether some track in the box (`lo(column)`, `hi(column)`) may be as
    /// close in angle as `floor`. Used after the box's fast bound has let it through,
    /// before scanning it: `box_bounds`' bounds are cheap but loose (by a factor of 3
    /// to 7 in the number of leaves scanned, over 1,000,000 generated tracks with five
    /// or ten features on); this one is exact.
    ///
    /// The largest cos over a box: where it is reached, moving a coordinate that is not
    /// at a bound would not raise cos, which gives x_i = clamp(λ·t_i, lo_i, hi_i) with
    /// one λ > 0 for all coordinates (the gradient of cos vanishes along free ones, and
    /// points out of the box at clamped ones), and λ = |x|²/(t·x), i.e.
    /// φ(λ) = Σ ŵ·x_i(λ)·(λ·t_i − x_i(λ)) = 0. φ never decreases (each clamped term
    /// grows with λ, each free one is 0) and is linear between the points where a
    /// coordinate meets a bound (λ = lo_i/t_i, hi_i/t_i), so the root is found exactly:
    /// the last such point where φ < 0 and the first where φ ≥ 0 enclose one linear
    /// piece (found by sorting those points and sweeping them once). cos's level sets
    /// {cos ≥ c} are convex cones, so this point is the maximum over the box. Computed
    /// in `f64`: rounding moves λ by about 10⁻¹⁵ relatively (or, near a point where φ
    /// is about 0, to that point, which is then as good) and cos by at most
    /// 2·10⁻¹⁵/cos, so 10⁻⁹ is added (and below a floor of 10⁻³ every box is let
    /// through).
    pub fn box_may_reach(
        &self,
        lo: impl Fn(usize) -> i32,
        hi: impl Fn(usize) -> i32,
        floor: CosineFloor,
    ) -> bool {
        if self.metric != Metric::Cosine || floor.cos < 1e-3 {
            return true;
        }
        let m = self.m;
        let mut w = [0f64; DIMS];
        let mut t = [0f64; DIMS];
        let mut l = [0f64; DIMS];
        let mut h = [0f64; DIMS];
        for j in 0..m {
            let d = self.dims[j];
            w[j] = self.cos_w[j];
            t[j] = f64::from(self.targets[j]);
            l[j] = f64::from(lo(d).max(0));
            h[j] = f64::from(hi(d).max(lo(d)).max(0));
        }
        // Where each coordinate leaves its lower bound and reaches its upper one, in
        // order (at most 2 × DIMS; insertion sort).
        let mut events = [(0f64, 0u8, false); 2 * DIMS];
        let mut n = 0;
        for j in (0..m).filter(|&j| t[j] > 0.0) {
            let inverse = self.cos_inverse_t[j];
            for (lambda, reaches_hi) in [(l[j] * inverse, false), (h[j] * inverse, true)] {
                let mut k = n;
                while k > 0 && events[k - 1].0 > lambda {
                    events[k] = events[k - 1];
                    k -= 1;
                }
                events[k] = (lambda, j as u8, reaches_hi);
                n += 1;
            }
        }
        // φ(λ) = λ·a − b over the coordinates at a bound; all start at the lower one.
        let (mut a, mut b) = (0f64, 0f64);
        for j in 0..m {
            a += w[j] * l[j] * t[j];
            b += w[j] * l[j] * l[j];
        }
        let mut lambda = None;
        let mut last = 0f64;
        for &(at, j, reaches_hi) in &events[..n] {
            let j = usize::from(j);
            // φ(0) = 0 when the box's lower corner is 0 wherever the target is not:
            // x(0) is then the zero vector, which has no direction, not a maximum.
            if at > 0.0 && at * a - b >= 0.0 {
                // The root is on the piece that ends here.
                lambda = Some(if a > 0.0 { (b / a).clamp(last, at) } else { at });
                break;
            }
            if reaches_hi {
                a += w[j] * h[j] * t[j];
                b += w[j] * h[j] * h[j];
            } else {
                a -= w[j] * l[j] * t[j];
                b -= w[j] * l[j] * l[j];
            }
            last = at;
        }
        // Past the last event every coordinate with a target is at its upper bound;
        // with a = 0 there cos is 0 everywhere in the box.
        let lambda = lambda.unwrap_or(if a > 0.0 { (b / a).max(last) } else { last });
        let x = |j: usize| (lambda * t[j]).clamp(l[j], h[j]);
        let (mut dot, mut norm, mut target) = (0f64, 0f64, 0f64);
        for j in 0..m {
            let xj = x(j);
            dot += w[j] * t[j] * xj;
            norm += w[j] * xj * xj;
            target += w[j] * t[j] * t[j];
        }
        let best = if norm > 0.0 {
            dot / (target.sqrt() * norm.sqrt())
        } else {
            0.0
        };
        best + 1e-9 >= floor.cos
    }

    /// Whether the track at position `i` passes every filter.
    #[inline]
    pub fn passes(&self, index: &FeatureIndex, i: usize) -> bool {
        self.filter.passes(index, i)
    }
}

/// `mask` with only its first `len` bits kept.
#[inline]
pub(crate) fn first_bits(mask: u64, len: usize) -> u64 {
    if len < 64 {
        mask & ((1u64 << len) - 1)
    } else {
        mask
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
        !(f.exclude_explicit && index.explicit[i])
    }
}
