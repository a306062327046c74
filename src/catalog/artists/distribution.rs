//! How a feature is spread across an artist's tracks: the five-number summary.

use crate::catalog::Feature;

#[derive(Debug, Clone, Copy, PartialEq)]
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
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        Some(Distribution {
            feature,
            count: sorted.len(),
            min: sorted[0],
            q1: quantile(&sorted, 0.25),
            median: quantile(&sorted, 0.5),
            q3: quantile(&sorted, 0.75),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// Quantile `p` of sorted, non-empty values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * fraction
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
}
