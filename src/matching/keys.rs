//! The form and query-string names of the match settings, listed once: the page's
//! form, its URLs, saved settings and error messages all read them from here.

use crate::catalog::Feature;

pub const METRIC: &str = "metric";
pub const GENRE: &str = "genre";
pub const YEAR_FROM: &str = "year_from";
pub const YEAR_TO: &str = "year_to";
pub const MIN_POPULARITY: &str = "min_popularity";
pub const NO_EXPLICIT: &str = "no_explicit";
pub const PER_ARTIST: &str = "per_artist";
pub const K: &str = "k";
/// Not a control of its own: where "every weight is 0" is reported (the weights panel).
pub const WEIGHTS: &str = "weights";
/// Not a control of the page: where an empty result caused by per-feature bounds (the
/// API's `min_`/`max_`) is reported.
pub const RANGES: &str = "ranges";
pub const WEIGHT_PREFIX: &str = "w_";

/// Every setting that is not per feature.
pub const GENERAL: [&str; 8] = [
    METRIC,
    GENRE,
    YEAR_FROM,
    YEAR_TO,
    MIN_POPULARITY,
    NO_EXPLICIT,
    PER_ARTIST,
    K,
];

pub fn target(feature: Feature) -> String {
    feature.key().to_string()
}

pub fn weight(feature: Feature) -> String {
    format!("{WEIGHT_PREFIX}{}", feature.key())
}

/// Whether `key` names a match setting: a feature's target or weight, or a general one.
pub fn is_setting(key: &str) -> bool {
    Feature::from_key(key).is_some()
        || key
            .strip_prefix(WEIGHT_PREFIX)
            .and_then(Feature::from_key)
            .is_some()
        || GENERAL.contains(&key)
}
