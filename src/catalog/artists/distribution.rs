//! How a feature is spread across an artist's tracks: the five-number summary.

use serde::{Deserialize, Serialize};

use crate::catalog::Feature;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub feature: Feature,
    /// How many tracks had a value.
    pub count: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Distribution {
    /// The summary of the finite values, or None when there are none. Quartiles use
    /// linear interpolation between order statistics (the common "type 7" definition).
    pub fn of(feature: Feature, values: &[f64]) -> Option<Distribution> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        Self::of_sorted(feature, sorted.len(), |i| sorted[i])
    }

    /// The same summary of values held as `f32` (the genre statistics keep a million
    /// tracks' features that way, at half the memory): sorted as `f32`, and each order
    /// statistic read back as the shortest decimal that is that `f32`. A value that came
    /// from a CSV cell with at most seven significant digits (every dataset we know) is
    /// thus its `f64` again, and the summary the same as `of` would give.
    pub fn of_f32(feature: Feature, mut values: Vec<f32>) -> Option<Distribution> {
        values.retain(|v| v.is_finite());
        values.sort_unstable_by(f32::total_cmp);
        Self::of_sorted(feature, values.len(), |i| widen(values[i]))
    }

    /// The summary of `len` sorted values, the i-th read by `at`.
    fn of_sorted(feature: Feature, len: usize, at: impl Fn(usize) -> f64) -> Option<Distribution> {
        if len == 0 {
            return None;
        }
        // Quantile p by linear interpolation between the order statistics around it.
        let quantile = |p: f64| {
            let position = p * (len - 1) as f64;
            let below = position.floor() as usize;
            let above = position.ceil() as usize;
            let fraction = position - below as f64;
            at(below) + (at(above) - at(below)) * fraction
        };
        Some(Distribution {
            feature,
            count: len,
            min: at(0),
            q1: quantile(0.25),
            median: quantile(0.5),
            q3: quantile(0.75),
            max: at(len - 1),
        })
    }
}

/// The `f64` written the way `f32` `v` prints (its shortest round-trip decimal): 0.4f32
/// gives 0.4, not 0.4000000059604645.
fn widen(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_number_summary_interpolates() {
        let d = Distribution::of(Feature::Energy, &[0.4, 0.1, 0.3, 0.2, f64::NAN]).unwrap();
        assert_eq!(d.count, 4);
        assert_eq!((d.min, d.max), (0.1, 0.4));
        assert!((d.q1 - 0.175).abs() < 1e-12);
        assert!((d.median - 0.25).abs() < 1e-12);
        assert!((d.q3 - 0.325).abs() < 1e-12);
        let one = Distribution::of(Feature::Tempo, &[120.0]).unwrap();
        assert_eq!((one.min, one.median, one.max), (120.0, 120.0, 120.0));
        assert!(Distribution::of(Feature::Energy, &[]).is_none());
    }

    #[test]
    fn f32_values_summarise_as_their_decimals() {
        let cells = [0.4, 0.1, 0.3, 0.2, 0.001836, 124.978, -15.896];
        let wide = Distribution::of(Feature::Energy, &cells).unwrap();
        let narrow = cells.iter().map(|&v| v as f32).chain([f32::NAN]).collect();
        assert_eq!(Distribution::of_f32(Feature::Energy, narrow), Some(wide));
        assert_eq!(wide.max, 124.978, "not 124.97799682617188");
        assert!(Distribution::of_f32(Feature::Energy, vec![f32::NAN]).is_none());
    }
}
