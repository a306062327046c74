//! Lower bounds of the distance over boxes: every group's and every leaf's, in `f32`
//! and several at a time, with the filter summaries; and, for cosine, the exact
//! largest cos over one box.

use super::{CosineFloor, Query, U};
use crate::matching::{
    index::{FeatureIndex, Group, DIMS, FULL_SCALE, GROUP},
    settings::Metric,
};

impl Query {
    /// Fast lower bounds for every group (`out[g]`); `f32::INFINITY` for the groups the
    /// filters rule out.
    #[inline(always)]
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
            for (g, (bound, group)) in out.iter_mut().zip(&index.groups).enumerate() {
                let s = &group.all;
                let clean = s.any_clean;
                if !self.may_pass(s.genre_bits, s.year_lo, s.year_hi, s.max_popularity, clean)
                    || !self.ranges_may_pass(|d| (index.group_lo[d][g], index.group_hi[d][g]))
                {
                    *bound = f32::INFINITY;
                }
            }
        }
    }

    /// Fast lower bounds for every leaf of a group; `f32::INFINITY` for the leaves the
    /// filters rule out and for the unused slots of the last group.
    #[inline(always)]
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
            if !self.may_pass(group.genre_bits[l], years.0, years.1, popularity, clean)
                || !self.ranges_may_pass(|d| (group.lo[d][l], group.hi[d][l]))
            {
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

    /// Whether a box (`lo_hi(d)`: its bounds in column `d`) meets every per-feature
    /// range of the filters.
    #[inline]
    fn ranges_may_pass(&self, lo_hi: impl Fn(usize) -> (i32, i32)) -> bool {
        self.filter.ranges.iter().all(|&(d, lo, hi)| {
            let (box_lo, box_hi) = lo_hi(d);
            box_hi >= lo && box_lo <= hi
        })
    }

    /// Lower bounds of the keys in up to `GROUP` boxes given column by column
    /// (`lo(d)[b]`, `hi(d)[b]`, as many as `out`), as plain loops over the boxes so that
    /// they vectorise.
    ///
    /// - Euclidean: the key of the box's point nearest to the target.
    /// - Cosine: `1 −` an upper bound of cos over the box, the smaller of two:
    ///   - corner: the inner product at the top corner over the norm at the bottom
    ///     corner (every value is ≥ 0); none when the box touches the origin. Rounding:
    ///     the sums, the root and the quotient are each within (m + 3)u, and 32u is
    ///     added (without it, a box on the target's own line, every cos 1, was given
    ///     1 − cos = 2⁻²⁴ instead of 0 and passed over when the k best were all 0);
    ///   - sphere: the box lies in the ball around its centre c through its corners
    ///     (radius r), whose directions are within α = asin(r/|c|) of c's, so no
    ///     track is closer in angle to the target than θ − α, θ being c's angle to
    ///     the target: cos ≤ cos(θ − α) = cosθ·cosα + sinθ·sinα (1 when θ ≤ α).
    ///     Tight for small boxes away from the origin, where the corner bound is
    ///     loose. Rounding: cosθ (relative error ≤ 21.2u, like a track's cos) is
    ///     raised by 32u and sinα by a relative 32u, which only moves θ down and α
    ///     up (a larger, still valid bound); each `1 − x²` under a root is taken as
    ///     `(1 − x)(1 + x)` (no cancellation), so the last step is good to 6u; and
    ///     16u is added to it;
    ///   - line: a track x splits into its part along the target, a = t̂·x, at most
    ///     A = t̂·(top corner), and its distance y from the target's line, and
    ///     cos = a/√(a² + y²) ≤ A/√(A² + Y²) for Y ≤ y. For Y: the line {λ·t}
    ///     reaches column j's range between λ = lo_j/t_j and hi_j/t_j; if the latest
    ///     start (column p) is past the earliest end (column q), the line misses the
    ///     box, and for every λ the two columns alone are at least
    ///     w_p·t_p²·(start − λ)² + w_q·t_q²·(λ − end)² from it, least
    ///     αβ/(α + β)·(start − end)² with α, β those two weights; columns with no
    ///     target add w_j·lo_j² each. Tight for the thin boxes along the line that the
    ///     other two leave at 1: over 1,000,000 generated tracks it let through 300
    ///     leaves of the 31,250 at the final threshold, against 784 without it (231
    ///     for the exact bound, `box_may_reach`). Rounding: the ends are moved
    ///     outwards by 8u (each is within 3u), Y² lowered by a relative 256u and A
    ///     raised by 64u (each within (m + 10)u), and 32u added to the quotient.
    /// - Where a box gives no bound (it may hold the target's direction), the value is
    ///   minus the cos of its centre instead: still ≤ every key (0 or more), and it
    ///   orders those boxes, visited first, by how close their middle is.
    #[inline(always)]
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
                // The line bound's terms: where along the target's line each box
                // starts and stops (λ), with the weight of the column that sets it,
                // and the distance that the columns with no target add.
                let mut enters = [f32::NEG_INFINITY; GROUP];
                let mut enters_weight = [0f32; GROUP];
                let mut leaves = [f32::INFINITY; GROUP];
                let mut leaves_weight = [0f32; GROUP];
                let mut off_line = [0f32; GROUP];
                for j in 0..self.m {
                    let (w, wt, t) = (self.fast_w[j], self.fast_wt[j], self.fast_t[j]);
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
                    // A loop of its own, though it reads the same bounds: folded into
                    // the one above (the branch inside it), the cosine search took a
                    // quarter longer (135-139 against 106-111 µs over 1M tracks).
                    if t > 0.0 {
                        let (inverse, weight) = (1.0 / t, (w * t) * t);
                        for b in 0..n {
                            let l = lo[b].clamp(0, FULL_SCALE) as f32 * inverse;
                            let h = hi[b].clamp(0, FULL_SCALE) as f32 * inverse;
                            let later = l > enters[b];
                            enters[b] = if later { l } else { enters[b] };
                            enters_weight[b] = if later { weight } else { enters_weight[b] };
                            let sooner = h < leaves[b];
                            leaves[b] = if sooner { h } else { leaves[b] };
                            leaves_weight[b] = if sooner { weight } else { leaves_weight[b] };
                        }
                    } else {
                        for b in 0..n {
                            let l = lo[b].clamp(0, FULL_SCALE) as f32;
                            off_line[b] += (w * l) * l;
                        }
                    }
                }
                for b in 0..n {
                    let corner = if corner_norm[b] > 0.0 {
                        corner_dot[b] / corner_norm[b].sqrt() + 32.0 * u
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
                    let gap = (enters[b] * (1.0 - 8.0 * u) - leaves[b] * (1.0 + 8.0 * u)).max(0.0);
                    let pair = enters_weight[b] * leaves_weight[b]
                        / (enters_weight[b] + leaves_weight[b]).max(f32::MIN_POSITIVE);
                    let far = (off_line[b] + (pair * gap) * gap) * (1.0 - 256.0 * u);
                    let along = corner_dot[b] * (1.0 + 64.0 * u);
                    let line = if far > 0.0 {
                        along / (along * along + far).sqrt() + 32.0 * u
                    } else {
                        f32::INFINITY
                    };
                    let bound = 1.0 - corner.min(sphere).min(line);
                    // No bound: the box may hold the target's direction. Such boxes
                    // are visited first anyway; best first by the direction of their
                    // centre, so that the k best so far, and with them the threshold,
                    // are good early. Any value ≤ 0 is a valid lower bound of 1 − cos.
                    out[b] = if bound > 0.0 {
                        bound
                    } else {
                        -(centre_dot[b] / c_len).max(0.0)
                    };
                }
            }
        }
    }

    /// Cosine: whether some track in the box (`lo(column)`, `hi(column)`) may be as
    /// close in angle as `floor`. Used on a group after its fast bound has let it
    /// through, before its leaves are bounded: `box_bounds`' bounds are cheap but loose
    /// (by a factor of 3 to 7 in the number of leaves scanned, over 1,000,000 generated
    /// tracks with five or ten features on); this one is exact, and costs about as
    /// much as scanning a leaf (so leaves are scanned without it).
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
}
