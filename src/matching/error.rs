//! What can be wrong with a match request. Every variant names the form control it is
//! about (`field()`), so the page can put the message beside that control and answer 422.

use crate::catalog::Feature;

/// A value as a message quotes it (`crate::quoted`): a link with 8,000 characters of
/// bad input quoted them in full, beside the field and again in the list of problems.
pub(crate) use crate::quoted::quoted as shown;

/// What a field that should hold a number is told: an emptied field is asked for a
/// number ("“” is not a number." read as a riddle), anything else is quoted.
fn not_a_number(value: &str) -> String {
    if value.trim().is_empty() {
        "Enter a number here: the field is empty.".to_string()
    } else {
        format!("“{}” is not a number.", shown(value))
    }
}

/// A number asked for, as a message says it back: as typed when short (`2`, `-0.2`),
/// in scientific notation when very large or very small, where it had been hundreds of
/// digits (`1e308` written out) beside the field.
fn asked(value: f64) -> String {
    let size = value.abs();
    if value.is_finite() && size != 0.0 && !(1e-6..1e9).contains(&size) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    /// A value that should be a number is not one (or is NaN / infinite).
    #[error("{}", not_a_number(.value))]
    NotANumber { field: String, value: String },
    /// A target outside the feature's slider range. The value asked for is said: with
    /// JavaScript the slider beside the message can only show its nearest end.
    #[error("{} must be between {} and {}, not {}.", .feature.label(), .feature.format(*.min), .feature.format(*.max), asked(*.value))]
    TargetOutOfRange {
        feature: Feature,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A range's end beyond what a track can hold (`Feature::accepted_range`):
    /// `min_danceability=7` was taken, and left every track out without a word.
    #[error("The {} {} must be between {} and {}, not {}.", if *.lowest { "lowest" } else { "highest" }, .feature.label().to_lowercase(), .feature.format(*.min), .feature.format(*.max), asked(*.value))]
    RangeBoundOutOfRange {
        feature: Feature,
        /// The range's low end (`min_`), or its high end (`max_`).
        lowest: bool,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A weight below 0 or above `MAX_WEIGHT`.
    #[error("The weight of {} must be between 0 and {max}, not {}.", .feature.label(), asked(*.value))]
    WeightOutOfRange {
        feature: Feature,
        value: f64,
        max: f64,
    },
    /// Every weight is 0, so there is nothing to compare.
    #[error("Turn on at least one feature: every weight is 0.")]
    AllWeightsZero,
    /// Cosine similarity compares directions; a target of all zeros has none.
    #[error("Cosine similarity needs at least one enabled feature above its minimum.")]
    CosineZeroTarget,
    /// Cosine similarity over one feature: every track points the same way, so every
    /// track would score 100. Worded with the page's names for the two measures (the
    /// API says it its own way, in its own terms). Refused where a person or program asks (`from_pairs`,
    /// the API), not by `validate`: the search itself is well defined there.
    #[error("“Same mix” compares the proportions between features, and with one feature every track has the same mix: give a second feature a weight, or choose “Closest values”.")]
    CosineOneFeature,
    #[error("The year range runs backwards: {from} is after {to}.")]
    YearRangeBackwards { from: i32, to: i32 },
    /// A feature's minimum above its maximum.
    #[error("The range of {} runs backwards: the minimum {min} is above the maximum {max}.", .feature.key())]
    FeatureRangeBackwards {
        feature: Feature,
        min: f64,
        max: f64,
    },
    #[error("There is no genre “{}” in the catalog.", shown(.0))]
    UnknownGenre(String),
    /// A genre seed the catalog does not have (said beside the seeds, not the filter).
    #[error("There is no genre “{}” in the catalog.", shown(.0))]
    UnknownSeedGenre(String),
    #[error("Minimum popularity must be between 0 and 100.")]
    MinPopularityOutOfRange(i64),
    #[error("Tracks per artist must be between 1 and {max}.")]
    PerArtistOutOfRange { value: i64, max: usize },
    #[error("The number of results must be between 1 and {max}.")]
    KOutOfRange { value: i64, max: usize },
    #[error("Unknown similarity measure “{0}”: use euclidean or cosine.")]
    UnknownMetric(String),
    #[error("“{}” is not yes or no.", shown(.value))]
    NotABoolean { field: String, value: String },
    /// Anything else about one field (seeds, track attributes), said in full.
    #[error("{message}")]
    Field { field: String, message: String },
}

impl MatchError {
    /// The name of the form field (and query-string key) the error is about; see
    /// `matching::keys` for the names.
    pub fn field(&self) -> String {
        use super::keys;
        match self {
            MatchError::NotANumber { field, .. }
            | MatchError::NotABoolean { field, .. }
            | MatchError::Field { field, .. } => field.clone(),
            MatchError::TargetOutOfRange { feature, .. } => keys::target(*feature).to_string(),
            MatchError::WeightOutOfRange { feature, .. } => keys::weight(*feature).to_string(),
            MatchError::AllWeightsZero => keys::WEIGHTS.to_string(),
            MatchError::CosineZeroTarget | MatchError::CosineOneFeature => keys::METRIC.to_string(),
            MatchError::YearRangeBackwards { .. } => keys::YEAR_TO.to_string(),
            MatchError::FeatureRangeBackwards { feature, .. } => format!("max_{}", feature.key()),
            MatchError::RangeBoundOutOfRange {
                feature, lowest, ..
            } => {
                if *lowest {
                    keys::min(feature.key())
                } else {
                    keys::max(feature.key())
                }
            }
            MatchError::UnknownGenre(_) => keys::GENRE.to_string(),
            MatchError::UnknownSeedGenre(_) => keys::SEEDS.to_string(),
            MatchError::MinPopularityOutOfRange(_) => keys::MIN_POPULARITY.to_string(),
            MatchError::PerArtistOutOfRange { .. } => keys::PER_ARTIST.to_string(),
            MatchError::KOutOfRange { .. } => keys::K.to_string(),
            MatchError::UnknownMetric(_) => keys::METRIC.to_string(),
        }
    }
}

/// One or more problems with a request, in form order. Never empty.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidSettings(pub Vec<MatchError>);

impl InvalidSettings {
    /// The message for one field, if that field has a problem.
    pub fn message_for(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field() == field)
            .map(|e| e.to_string())
    }
}

impl std::fmt::Display for InvalidSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&messages.join(" "))
    }
}

impl std::error::Error for InvalidSettings {}

impl From<MatchError> for InvalidSettings {
    fn from(error: MatchError) -> Self {
        InvalidSettings(vec![error])
    }
}

/// Bad settings are the user's to fix: 422 with the messages.
impl From<InvalidSettings> for crate::error::AppError {
    fn from(error: InvalidSettings) -> Self {
        crate::error::AppError::Invalid(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_asked_for_are_said_back_briefly() {
        assert_eq!(asked(2.0), "2");
        assert_eq!(asked(-0.2), "-0.2");
        assert_eq!(asked(1e308), "1e308");
        assert_eq!(asked(-1e-320), "-1e-320");
        assert_eq!(
            asked(123_456_789_012_345_678_901_234_567_890.0),
            "1.2345678901234568e29"
        );
        assert_eq!(asked(300.0), "300");
        assert_eq!(asked(-0.0), "-0");
    }
}
