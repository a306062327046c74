//! Average sound per decade of release.

use serde::{Deserialize, Serialize};

use crate::catalog::{AudioFeatures, Feature};

/// One decade: how many tracks came out in it and their average features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecadeRow {
    /// The decade's first year (1990 for the 1990s).
    pub decade: i32,
    pub tracks: i64,
    pub average: AudioFeatures,
    pub avg_popularity: Option<f64>,
}

impl DecadeRow {
    pub fn value(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::Popularity => self.avg_popularity,
            other => self.average.get(other),
        }
    }
}

/// "1990s".
pub fn decade_label(decade: i32) -> String {
    format!("{decade}s")
}

/// The decade a year falls in (1999 -> 1990; -5 -> -10).
fn decade_of(year: i32) -> i32 {
    year.div_euclid(10) * 10
}

/// A group of tracks' running sums: how many, their features, their popularity. What a
/// decade row and a genre's tally both average.
#[derive(Debug, Clone, Default)]
pub(super) struct FeatureSums {
    tracks: i64,
    features: [f64; Feature::AUDIO.len()],
    /// Sum of the popularity, and how many tracks had one.
    popularity: (i64, i64),
}

impl FeatureSums {
    pub(super) fn add(&mut self, features: &AudioFeatures, popularity: Option<i32>) {
        self.tracks += 1;
        for (sum, feature) in self.features.iter_mut().zip(Feature::AUDIO) {
            *sum += features.get(feature).unwrap_or(0.0);
        }
        if let Some(p) = popularity {
            self.popularity.0 += i64::from(p);
            self.popularity.1 += 1;
        }
    }

    pub(super) fn tracks(&self) -> i64 {
        self.tracks
    }

    pub(super) fn average(&self) -> AudioFeatures {
        let mut average = AudioFeatures::default();
        for (sum, feature) in self.features.iter().zip(Feature::AUDIO) {
            average.set(feature, sum / self.tracks as f64);
        }
        average
    }

    pub(super) fn avg_popularity(&self) -> Option<f64> {
        let (sum, count) = self.popularity;
        (count > 0).then(|| sum as f64 / count as f64)
    }
}

/// Running sums per decade.
#[derive(Debug, Clone, Default)]
pub(super) struct DecadeSums {
    /// (decade, its sums), by decade.
    rows: Vec<(i32, FeatureSums)>,
    pub(super) undated: i64,
}

impl DecadeSums {
    pub(super) fn add(
        &mut self,
        year: Option<i32>,
        features: &AudioFeatures,
        popularity: Option<i32>,
    ) {
        let Some(year) = year else {
            self.undated += 1;
            return;
        };
        let decade = decade_of(year);
        let at = match self.rows.binary_search_by_key(&decade, |r| r.0) {
            Ok(at) => at,
            Err(at) => {
                self.rows.insert(at, (decade, FeatureSums::default()));
                at
            }
        };
        self.rows[at].1.add(features, popularity);
    }

    pub(super) fn finish(self) -> Vec<DecadeRow> {
        self.rows
            .into_iter()
            .map(|(decade, sums)| DecadeRow {
                decade,
                tracks: sums.tracks(),
                average: sums.average(),
                avg_popularity: sums.avg_popularity(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_fall_in_their_decade() {
        assert_eq!(decade_of(1999), 1990);
        assert_eq!(decade_of(2000), 2000);
        assert_eq!(decade_of(-5), -10);
        let mut sums = DecadeSums::default();
        let f = |energy| AudioFeatures {
            energy,
            ..AudioFeatures::default()
        };
        sums.add(Some(2001), &f(0.2), Some(10));
        sums.add(Some(1995), &f(0.5), None);
        sums.add(Some(2009), &f(0.4), Some(20));
        sums.add(None, &f(1.0), None);
        assert_eq!(sums.undated, 1);
        let rows = sums.finish();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].decade, rows[0].tracks), (1990, 1));
        assert_eq!(rows[0].avg_popularity, None);
        assert_eq!((rows[1].decade, rows[1].tracks), (2000, 2));
        assert!((rows[1].average.energy - 0.3).abs() < 1e-12);
        assert_eq!(rows[1].avg_popularity, Some(15.0));
        assert_eq!(decade_label(1990), "1990s");
    }
}
