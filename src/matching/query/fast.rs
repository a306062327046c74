//! The fast forms of the distance (see the parent module): the tracks' keys, scanned
//! a leaf at a time, and the thresholds beyond which nothing can enter the k best.

use super::{Query, U};
use crate::matching::{
    index::{Block, FULL_SCALE, LEAF},
    topk::Key,
};

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

/// Relative margin of the `f32` first pass of the cosine test (`cosine_candidates`):
/// `cos2_f32` is `cos2·(1 − 2⁻¹⁶)` rounded down. In `f32`, with u = 2⁻²⁴ and m ≤ 10
/// enabled columns, every term is ≥ 0: the weights and the values are each rounded
/// once (u), each product once more, and a sum of m such terms adds (m − 1)u, so
/// dot is within (m + 2)u and norm within (m + 3)u of their exact values,
/// relatively. The test's two sides, dot² and `cos2_f32`·norm, are then within
/// (2m + 5)u and (m + 5)u (the floor's own rounding included): together at most
/// (3m + 10)u ≤ 40u ≈ 2.4 × 10⁻⁶, well inside 2⁻¹⁶ ≈ 1.5 × 10⁻⁵. So every track
/// that passes the `f64` test passes this one, which lets through only a few more.
const COSINE_FIRST_PASS_MARGIN: f64 = 1.0 / (1u64 << 16) as f64;

/// The least cos a track must have to be worth scoring exactly: in the terms of
/// `cosine_candidates`, `dot² ≥ cos2·norm` and `norm > norm` (in `f64`; its `f32`
/// first pass uses the looser `cos2_f32`, and `norm`, which is 0 or −1, as it is);
/// and `cos` itself, for `box_may_reach`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CosineFloor {
    pub cos: f64,
    pub cos2: f64,
    pub norm: f64,
    pub cos2_f32: f32,
}

impl CosineFloor {
    /// Every track (fewer than k kept, or the k-th is orthogonal to the target).
    const ANY: CosineFloor = CosineFloor {
        cos: -1.0,
        cos2: -1.0,
        norm: -1.0,
        cos2_f32: -1.0,
    };

    /// Tracks with a direction (norm > 0) and a cos of at least `cos` (> 0).
    pub fn at_least(cos: f64) -> CosineFloor {
        let cos2 = cos * cos;
        let loose = (cos2 * (1.0 - COSINE_FIRST_PASS_MARGIN)) as f32;
        CosineFloor {
            cos,
            cos2,
            norm: 0.0,
            // Rounded to nearest above; one step down (the bits of a positive float
            // order as its value) is below the loosened value.
            cos2_f32: if loose > 0.0 {
                f32::from_bits(loose.to_bits() - 1)
            } else {
                0.0
            },
        }
    }
}

impl Query {
    /// Asks the CPU to start loading a leaf's values in the enabled columns, so that
    /// they arrive while the leaf before it is scanned. At a million tracks the index
    /// (40 MB) is far larger than the caches, and a leaf's scan otherwise spends most
    /// of its time waiting for its first loads.
    #[inline]
    pub fn prefetch(&self, block: &Block) {
        #[cfg(target_arch = "x86_64")]
        for &d in &self.dims[..self.m] {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let row = &block[d];
            // A column of a leaf is 128 bytes: two cache lines.
            for at in [0, LEAF / 2] {
                let line: *const i8 = row[at..].as_ptr().cast();
                // SAFETY: a prefetch is only a hint: it never faults, and it reads
                // nothing into the program (the pointer is to live, in-bounds data).
                #[allow(unsafe_code)]
                unsafe {
                    _mm_prefetch::<_MM_HINT_T0>(line)
                };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = block;
    }

    /// Fast Euclidean keys of a leaf's tracks, in 0..1 (all `LEAF` slots; the caller
    /// ignores those past the end of the last leaf).
    #[inline(always)]
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
    /// `Thresholds`): bit `l` for slot `l`. Without square roots or divisions: cos ≥ c
    /// ⇔ dot² ≥ c²·norm, as dot, c ≥ 0. Two passes: the whole leaf in `f32` (twice as
    /// many lanes as `f64`) against a floor lowered by its rounding margin
    /// (`COSINE_FIRST_PASS_MARGIN`), then the few that pass in `f64`. The `f64` test
    /// is the one that decides: with one or two features on, a million tracks have
    /// thousands within `f32`'s resolution of the k-th cos (angles below about
    /// 10⁻³), and each of those would otherwise be scored exactly.
    #[inline(always)]
    pub fn cosine_candidates(&self, block: &Block, floor: CosineFloor, len: usize) -> u64 {
        let mut dots = [0f32; LEAF];
        let mut norms = [0f32; LEAF];
        for j in 0..self.m {
            let (w, wt) = (self.fast_w[j], self.fast_wt[j]);
            let xs = &block[self.dims[j]];
            for ((dot, norm), &x) in dots.iter_mut().zip(&mut norms).zip(xs) {
                let x = x as f32;
                *dot += wt * x;
                *norm += (w * x) * x;
            }
        }
        let (cos2, least_norm) = (floor.cos2_f32, floor.norm as f32);
        let mut first = 0u64;
        for (l, (&dot, &norm)) in dots.iter().zip(&norms).enumerate() {
            let close = (dot * dot >= cos2 * norm) & (norm > least_norm);
            first |= u64::from(close) << l;
        }
        let mut first = first_bits(first, len);
        let mut mask = 0u64;
        while first != 0 {
            let l = first.trailing_zeros() as usize;
            first &= first - 1;
            if self.cosine_close(block, l, floor) {
                mask |= 1 << l;
            }
        }
        mask
    }

    /// The `f64` cosine test for one track of a leaf (see `COSINE_MARGIN`).
    #[inline]
    fn cosine_close(&self, block: &Block, l: usize, floor: CosineFloor) -> bool {
        let (mut dot, mut norm) = (0f64, 0f64);
        for j in 0..self.m {
            let x = f64::from(block[self.dims[j]][l]);
            dot += self.cos_wt[j] * x;
            norm += (self.cos_w[j] * x) * x;
        }
        dot * dot >= floor.cos2 * norm && norm > floor.norm
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
            Key::Cosine { dot, norm, .. } => {
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
                        CosineFloor::at_least(floor)
                    } else {
                        CosineFloor::ANY
                    },
                }
            }
        }
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
