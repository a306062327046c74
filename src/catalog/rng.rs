//! The one seeded random source of the project, for everything that must come out the
//! same from the same seed: the demo catalog, the synthetic import data set
//! (`import::synthetic`), and the benches' invented catalogs.
//!
//! The demo catalog must be the same on every machine and after every dependency
//! upgrade, so it uses this generator (SplitMix64) instead of the `rand` crate, and
//! only the arithmetic IEEE 754 defines exactly (+ - * / sqrt): `f64::exp`/`ln`/`cos`
//! come from the platform's maths library and may differ in the last bit between
//! systems, which could flip a rounded value. `exp` and `ln` below are built from that
//! exact arithmetic; they are accurate to about 1e-12, plenty for invented data.

/// SplitMix64 (Steele, Lea and Flood 2014): one 64-bit state, a fixed increment and a
/// bijective mix, so it is fast, has no bad seeds and is trivially reproducible.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// An independent stream for a sub-task (for example one artist), so that changing
    /// how many numbers one artist draws does not shift every artist after it.
    pub fn fork(&mut self, label: u64) -> Rng {
        Rng::new(mix(self.next_u64() ^ mix(label)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in lo..=hi.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        let span = (hi - lo + 1) as u64;
        // Multiply-shift maps 64 random bits onto the span with negligible bias.
        lo + ((self.next_u64() as u128 * span as u128) >> 64) as i64
    }

    /// An integer in 0..n by remainder (n = 0 counts as 1). Slightly biased for a large
    /// `n`, unlike `int`; kept because the synthetic data set's bytes depend on it.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform index into a slice of length `len` (> 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.int(0, len as i64 - 1) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Standard normal, approximated by the sum of twelve uniforms minus six (Irwin–Hall):
    /// mean 0, variance 1, bounded to ±6, and pure arithmetic (Box–Muller would need
    /// `ln` and `cos`).
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }

    /// Normal with the given mean and standard deviation.
    pub fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Index chosen with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.len() - 1
    }
}

/// The SplitMix64 finaliser: a bijection on u64, so distinct inputs give distinct outputs.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// e^x from exact arithmetic: e^x = (e^(x/1024))^1024, with a short Taylor series for the
/// small argument. Clamped to ±40 (all the demo needs).
pub fn exp(x: f64) -> f64 {
    let r = x.clamp(-40.0, 40.0) / 1024.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=10 {
        term *= r / k as f64;
        sum += term;
    }
    for _ in 0..10 {
        sum *= sum;
    }
    sum
}

/// Natural logarithm of x > 0 from exact arithmetic: x = m * 2^e with m in [1, 2), then
/// ln m = 2 atanh((m - 1) / (m + 1)), whose series converges fast because the argument
/// is at most 1/3.
pub fn ln(x: f64) -> f64 {
    debug_assert!(x > 0.0);
    let mut m = x;
    let mut e = 0i32;
    while m >= 2.0 {
        m /= 2.0;
        e += 1;
    }
    while m < 1.0 {
        m *= 2.0;
        e -= 1;
    }
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let mut power = z;
    let mut sum = 0.0;
    for k in 0..30 {
        sum += power / (2 * k + 1) as f64;
        power *= z2;
    }
    e as f64 * std::f64::consts::LN_2 + 2.0 * sum
}

/// The logistic function: any real number to (0, 1).
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + exp(-x))
}

/// The inverse of `logistic`, for p in (0, 1).
pub fn logit(p: f64) -> f64 {
    ln(p / (1.0 - p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs of the reference SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn exact_arithmetic_exp_and_ln_agree_with_std() {
        for x in [-30.0, -5.5, -1.0, -0.1, 0.0, 0.3, 1.0, 2.5, 12.0, 30.0] {
            let (ours, std) = (exp(x), f64::exp(x));
            assert!(
                ((ours - std) / std).abs() < 1e-10,
                "exp({x}): {ours} vs {std}"
            );
        }
        for x in [1e-6, 0.003, 0.5, 1.0, 1.5, 2.0, 7.0, 1234.5] {
            let (ours, std) = (ln(x), f64::ln(x));
            assert!((ours - std).abs() < 1e-12, "ln({x}): {ours} vs {std}");
        }
        for p in [0.001, 0.2, 0.5, 0.93] {
            assert!((logistic(logit(p)) - p).abs() < 1e-12);
        }
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            let i = rng.int(-3, 4);
            assert!((-3..=4).contains(&i));
            assert!(rng.normal().abs() <= 6.0);
        }
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut rng = Rng::new(42);
        let n = 50_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.03, "variance {var}");
    }

    #[test]
    fn weighted_choice_follows_the_weights() {
        let mut rng = Rng::new(3);
        let mut hits = [0u32; 3];
        for _ in 0..30_000 {
            hits[rng.weighted(&[1.0, 0.0, 2.0])] += 1;
        }
        assert_eq!(hits[1], 0);
        assert!((hits[2] as f64 / hits[0] as f64 - 2.0).abs() < 0.15);
    }
}
