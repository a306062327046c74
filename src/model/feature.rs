//! The audio features: the single place that names them, explains them and knows their
//! ranges. Forms, charts, import and matching all read this module; no other file lists
//! feature names.

use crate::decimal::{fixed, Decimal};
use serde::{Deserialize, Serialize};

/// A numeric property of a track that the app can average, chart and match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Feature {
    Danceability,
    Energy,
    Acousticness,
    Instrumentalness,
    Valence,
    Speechiness,
    Liveness,
    Tempo,
    Loudness,
    Popularity,
}

impl Feature {
    /// Every feature, in display order.
    pub const ALL: [Feature; 10] = [
        Feature::Danceability,
        Feature::Energy,
        Feature::Acousticness,
        Feature::Instrumentalness,
        Feature::Valence,
        Feature::Speechiness,
        Feature::Liveness,
        Feature::Tempo,
        Feature::Loudness,
        Feature::Popularity,
    ];

    /// The five features the original app compared and matched on.
    pub const ORIGINAL: [Feature; 5] = [
        Feature::Danceability,
        Feature::Energy,
        Feature::Acousticness,
        Feature::Instrumentalness,
        Feature::Valence,
    ];

    /// The seven features Spotify defines on a 0..1 scale.
    pub const UNIT: [Feature; 7] = [
        Feature::Danceability,
        Feature::Energy,
        Feature::Acousticness,
        Feature::Instrumentalness,
        Feature::Valence,
        Feature::Speechiness,
        Feature::Liveness,
    ];

    /// The audio features every imported track must have (popularity is metadata and
    /// may be missing).
    pub const AUDIO: [Feature; 9] = [
        Feature::Danceability,
        Feature::Energy,
        Feature::Acousticness,
        Feature::Instrumentalness,
        Feature::Valence,
        Feature::Speechiness,
        Feature::Liveness,
        Feature::Tempo,
        Feature::Loudness,
    ];

    /// Machine name: used in URLs, form fields, JSON and as the CSV header alias.
    pub fn key(self) -> &'static str {
        match self {
            Feature::Danceability => "danceability",
            Feature::Energy => "energy",
            Feature::Acousticness => "acousticness",
            Feature::Instrumentalness => "instrumentalness",
            Feature::Valence => "valence",
            Feature::Speechiness => "speechiness",
            Feature::Liveness => "liveness",
            Feature::Tempo => "tempo",
            Feature::Loudness => "loudness",
            Feature::Popularity => "popularity",
        }
    }

    pub fn from_key(key: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Human name for labels and chart axes.
    pub fn label(self) -> &'static str {
        match self {
            Feature::Danceability => "Danceability",
            Feature::Energy => "Energy",
            Feature::Acousticness => "Acousticness",
            Feature::Instrumentalness => "Instrumentalness",
            Feature::Valence => "Valence",
            Feature::Speechiness => "Speechiness",
            Feature::Liveness => "Liveness",
            Feature::Tempo => "Tempo",
            Feature::Loudness => "Loudness",
            Feature::Popularity => "Popularity",
        }
    }

    /// What Spotify's definition means, in one sentence a listener understands.
    pub fn help(self) -> &'static str {
        match self {
            Feature::Danceability => {
                "How suitable a track is for dancing: tempo, rhythm stability, beat strength and regularity."
            }
            Feature::Energy => {
                "Perceived intensity and activity: fast, loud and noisy tracks score high, a Bach prelude low."
            }
            Feature::Acousticness => {
                "Confidence that the track is acoustic rather than electronic or amplified."
            }
            Feature::Instrumentalness => {
                "How likely the track has no vocals; above 0.5 it is probably instrumental."
            }
            Feature::Valence => {
                "Musical positiveness: high sounds happy, cheerful or euphoric; low sounds sad, angry or tense."
            }
            Feature::Speechiness => {
                "Presence of spoken words: above 0.66 is spoken word, 0.33 to 0.66 mixes music and speech such as rap."
            }
            Feature::Liveness => {
                "Presence of an audience in the recording; above 0.8 the track was very likely performed live."
            }
            Feature::Tempo => "Estimated overall tempo in beats per minute.",
            Feature::Loudness => {
                "Average loudness of the track in decibels, typically between -60 and 0 dB."
            }
            Feature::Popularity => {
                "Spotify's popularity score from 0 to 100, based on recent plays."
            }
        }
    }

    /// Unit shown beside a raw value, if the feature has one.
    pub fn unit(self) -> Option<&'static str> {
        match self {
            Feature::Tempo => Some("BPM"),
            Feature::Loudness => Some("dB"),
            _ => None,
        }
    }

    /// The range of raw values the app works in (sliders, charts, scaling, the matching
    /// index's fixed point). A UI choice: the catalog may hold values beyond it
    /// (`accepted_range`), which are scaled as its ends.
    pub fn range(self) -> (f64, f64) {
        match self {
            Feature::Tempo => (0.0, 250.0),
            Feature::Loudness => (-60.0, 0.0),
            Feature::Popularity => (0.0, 100.0),
            _ => (0.0, 1.0),
        }
    }

    /// The widest raw value an import accepts, so every value the catalog can hold:
    /// also what the API takes as a target or bound, since a script may aim at a
    /// track's own values. Wider than `range` where real datasets hold legitimate
    /// outliers (some masters are louder than 0 dB).
    pub fn accepted_range(self) -> (f64, f64) {
        match self {
            Feature::Tempo => (0.0, 300.0),
            Feature::Loudness => (-100.0, 10.0),
            other => other.range(),
        }
    }

    /// Slider step in raw units.
    pub fn step(self) -> f64 {
        match self {
            Feature::Tempo | Feature::Popularity => 1.0,
            Feature::Loudness => 0.5,
            _ => 0.01,
        }
    }

    /// `value` moved to the nearest of the slider's steps inside its range, written as
    /// the step's multiple divided by its count per unit (`58 / 100`), which gives the
    /// nearest double to 0.58 where `58 × 0.01` gives 0.5800000000000001.
    pub fn on_step(self, value: f64) -> f64 {
        let (lo, hi) = self.range();
        let per_unit = (1.0 / self.step()).round();
        let stepped = (value.clamp(lo, hi) * per_unit).round() / per_unit;
        // -0.0 would be written "-0".
        if stepped == 0.0 {
            0.0
        } else {
            stepped
        }
    }

    pub fn is_unit_interval(self) -> bool {
        self.range() == (0.0, 1.0)
    }

    /// Raw value to 0..1, clamped, so that features measured in different units weigh
    /// the same in a distance.
    pub fn scale(self, raw: f64) -> f64 {
        let (lo, hi) = self.range();
        ((raw - lo) / (hi - lo)).clamp(0.0, 1.0)
    }

    /// 0..1 back to a raw value.
    pub fn unscale(self, unit: f64) -> f64 {
        let (lo, hi) = self.range();
        lo + unit.clamp(0.0, 1.0) * (hi - lo)
    }

    /// A raw value formatted for people: three decimals on 0..1, whole BPM, one decimal dB.
    pub fn format(self, raw: f64) -> Decimal {
        // A value that rounds to zero reads "0.0": `format!` writes -0.04 as "-0.0",
        // and a genre's loudest track showed as "-0.0 dB".
        let unsigned_zero = |decimals: i32| {
            if (raw * 10f64.powi(decimals)).round() == 0.0 {
                0.0
            } else {
                raw
            }
        };
        match self {
            Feature::Tempo => fixed(unsigned_zero(0), 0).with(" BPM"),
            Feature::Loudness => fixed(unsigned_zero(1), 1).with(" dB"),
            Feature::Popularity => fixed(unsigned_zero(0), 0),
            _ => fixed(unsigned_zero(3), 3),
        }
    }
}

/// The audio features of one track, or an average of many.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AudioFeatures {
    pub danceability: f64,
    pub energy: f64,
    pub acousticness: f64,
    pub instrumentalness: f64,
    pub valence: f64,
    pub speechiness: f64,
    pub liveness: f64,
    pub tempo: f64,
    pub loudness: f64,
}

impl AudioFeatures {
    /// The raw value of an audio feature; `None` for popularity, which is not audio.
    pub fn get(&self, feature: Feature) -> Option<f64> {
        Some(match feature {
            Feature::Danceability => self.danceability,
            Feature::Energy => self.energy,
            Feature::Acousticness => self.acousticness,
            Feature::Instrumentalness => self.instrumentalness,
            Feature::Valence => self.valence,
            Feature::Speechiness => self.speechiness,
            Feature::Liveness => self.liveness,
            Feature::Tempo => self.tempo,
            Feature::Loudness => self.loudness,
            Feature::Popularity => return None,
        })
    }

    /// The nine values in `Feature::AUDIO` order, as one array (how files store them).
    pub fn to_array(&self) -> [f64; 9] {
        Feature::AUDIO.map(|feature| self.get(feature).unwrap_or(0.0))
    }

    /// The inverse of `to_array`.
    pub fn from_array(values: [f64; 9]) -> AudioFeatures {
        let mut features = AudioFeatures::default();
        for (feature, value) in Feature::AUDIO.into_iter().zip(values) {
            features.set(feature, value);
        }
        features
    }

    /// Sets an audio feature; popularity is ignored.
    pub fn set(&mut self, feature: Feature, value: f64) {
        match feature {
            Feature::Danceability => self.danceability = value,
            Feature::Energy => self.energy = value,
            Feature::Acousticness => self.acousticness = value,
            Feature::Instrumentalness => self.instrumentalness = value,
            Feature::Valence => self.valence = value,
            Feature::Speechiness => self.speechiness = value,
            Feature::Liveness => self.liveness = value,
            Feature::Tempo => self.tempo = value,
            Feature::Loudness => self.loudness = value,
            Feature::Popularity => {}
        }
    }

    /// Checks every audio feature against its accepted range; names the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        for feature in Feature::AUDIO {
            let value = self.get(feature).unwrap_or(f64::NAN);
            let (lo, hi) = feature.accepted_range();
            if !value.is_finite() {
                return Err(format!("{} is not a number", feature.key()));
            }
            if value < lo || value > hi {
                return Err(format!("{} = {value} is outside {lo}..{hi}", feature.key()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for f in Feature::ALL {
            assert_eq!(Feature::from_key(f.key()), Some(f));
        }
        assert_eq!(Feature::from_key("nope"), None);
    }

    #[test]
    fn a_value_that_rounds_to_zero_has_no_sign() {
        assert_eq!(Feature::Loudness.format(-0.04).to_string(), "0.0 dB");
        assert_eq!(Feature::Loudness.format(-0.06).to_string(), "-0.1 dB");
        assert_eq!(Feature::Energy.format(-0.0001).to_string(), "0.000");
        assert_eq!(Feature::Tempo.format(-0.4).to_string(), "0 BPM");
    }

    #[test]
    fn a_value_on_a_step_is_written_as_the_step_reads() {
        assert_eq!(Feature::Danceability.on_step(0.576_333_333_333_333_4), 0.58);
        assert_eq!(Feature::Danceability.on_step(0.011_534_731), 0.01);
        assert_eq!(Feature::Danceability.on_step(1.2), 1.0);
        assert_eq!(Feature::Tempo.on_step(119.940_611_11), 120.0);
        assert_eq!(Feature::Loudness.on_step(-7.26), -7.5);
        assert_eq!(Feature::Loudness.on_step(3.0), 0.0);
        assert_eq!(Feature::Energy.on_step(-0.001).to_string(), "0");
        // Every step of every slider reads back as its shortest decimal.
        for f in Feature::ALL {
            let (lo, hi) = f.range();
            let mut v = lo;
            while v <= hi {
                let text = f.on_step(v + f.step() * 0.3).to_string();
                assert!(text.len() <= 6, "{f:?}: {text}");
                v += f.step();
            }
        }
    }

    #[test]
    fn scaling_maps_range_to_unit_interval() {
        assert_eq!(Feature::Tempo.scale(125.0), 0.5);
        assert_eq!(Feature::Loudness.scale(-60.0), 0.0);
        assert_eq!(Feature::Loudness.scale(3.0), 1.0);
        assert_eq!(Feature::Energy.scale(0.25), 0.25);
        assert!((Feature::Tempo.unscale(0.5) - 125.0).abs() < 1e-9);
    }

    #[test]
    fn validate_names_the_bad_feature() {
        let mut f = AudioFeatures {
            tempo: 120.0,
            loudness: -5.0,
            ..Default::default()
        };
        assert!(f.validate().is_ok());
        f.energy = 1.5;
        assert!(f.validate().unwrap_err().contains("energy"));
        f.energy = f64::NAN;
        assert!(f.validate().unwrap_err().contains("not a number"));
    }
}
