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
/// `min_<feature>` / `max_<feature>` (and `min_duration`, `min_key`,
/// `min_time_signature` and their `max_`): a range beside a target.
pub const MIN_PREFIX: &str = "min_";
pub const MAX_PREFIX: &str = "max_";
/// Seeds: a track id, an artist id, a genre name; up to five in all.
pub const SEED_TRACK: &str = "seed_track";
pub const SEED_ARTIST: &str = "seed_artist";
pub const SEED_GENRE: &str = "seed_genre";
/// Not a control: where problems with the seeds are reported (the seeds panel).
pub const SEEDS: &str = "seeds";
/// "major", "minor" or empty.
pub const MODE: &str = "mode";
/// A Camelot code ("8A"): only keys that mix with it.
pub const MIXES_WITH: &str = "mixes_with";
/// The tempo range counts half and double time.
pub const HALF_DOUBLE: &str = "half_double";
/// "all": every version of a song; anything else (or absent): one version per song.
pub const VERSIONS: &str = "versions";

/// Every setting that is not per feature.
pub const GENERAL: [&str; 15] = [
    METRIC,
    GENRE,
    YEAR_FROM,
    YEAR_TO,
    MIN_POPULARITY,
    NO_EXPLICIT,
    PER_ARTIST,
    K,
    SEED_TRACK,
    SEED_ARTIST,
    SEED_GENRE,
    MODE,
    MIXES_WITH,
    HALF_DOUBLE,
    VERSIONS,
];

/// `min_<name>` or `max_<name>`.
pub fn min(name: &str) -> String {
    format!("{MIN_PREFIX}{name}")
}

pub fn max(name: &str) -> String {
    format!("{MAX_PREFIX}{name}")
}

/// The name a range key bounds (`"tempo"` for `max_tempo`), and whether it is the
/// minimum.
pub fn range_of(key: &str) -> Option<(&str, bool)> {
    key.strip_prefix(MIN_PREFIX)
        .map(|rest| (rest, true))
        .or_else(|| key.strip_prefix(MAX_PREFIX).map(|rest| (rest, false)))
}

pub fn target(feature: Feature) -> &'static str {
    feature.key()
}

/// `w_<feature>`. Made once per feature: the page's form names every weight several
/// times, and a string made for each was a cost of every page.
pub fn weight(feature: Feature) -> &'static str {
    static WEIGHTS: std::sync::LazyLock<Vec<(Feature, String)>> = std::sync::LazyLock::new(|| {
        Feature::ALL
            .iter()
            .map(|&f| (f, format!("{WEIGHT_PREFIX}{}", f.key())))
            .collect()
    });
    WEIGHTS
        .iter()
        .find(|(f, _)| *f == feature)
        .map_or("", |(_, key)| key.as_str())
}

/// Whether `key` names a match setting: a feature's target or weight, or a general one.
pub fn is_setting(key: &str) -> bool {
    Feature::from_key(key).is_some()
        || key
            .strip_prefix(WEIGHT_PREFIX)
            .and_then(Feature::from_key)
            .is_some()
        || GENERAL.contains(&key)
        || range_of(key).is_some_and(|(name, _)| {
            Feature::from_key(name).is_some()
                || super::attributes::Attribute::from_key(name).is_some()
        })
}
