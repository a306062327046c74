//! `MatchSettings`: what the perfect-song page asks for (targets, weights, metric,
//! filters, how many results). Saved as JSON in `taste_profiles.settings`, carried in the
//! query string of a shareable URL, and parsed from the page's form.
//!
//! Flat form / URL names (see `keys`), chosen to make readable URLs:
//! `?danceability=0.7&energy=0.4&w_energy=2&tempo=120&w_tempo=1&metric=cosine`
//! `&genre=rock&genre=pop&year_from=1990&year_to=1999&min_popularity=40&no_explicit=on`
//! `&per_artist=1&k=10`. A feature's key is its target (raw units: BPM, dB, 0..100 for
//! popularity), `w_<key>` its weight. Unknown keys are ignored; keys left out keep their
//! default; bad values give one error per field.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    attributes::{Attribute, AttributeFilters},
    error::{shown, InvalidSettings, MatchError},
    seeds::MAX_SEEDS,
};
use crate::catalog::{musical_key::MusicalKey, AudioFeatures, Feature};

/// The largest weight a feature can have (the page's weight slider runs 0..MAX_WEIGHT).
pub const MAX_WEIGHT: f64 = 10.0;
/// The most results one request can ask for.
pub const MAX_RESULTS: usize = 100;
/// Results when the request does not say.
pub const DEFAULT_RESULTS: usize = 10;

pub use super::keys;

/// How distance between the target and a track is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Weighted Euclidean distance over the enabled features scaled to 0..1: "how far
    /// apart are the values".
    #[default]
    Euclidean,
    /// Weighted cosine similarity over the enabled features scaled to 0..1: "is the mix
    /// in the same proportions", regardless of overall level.
    Cosine,
}

impl Metric {
    pub fn key(self) -> &'static str {
        match self {
            Metric::Euclidean => "euclidean",
            Metric::Cosine => "cosine",
        }
    }

    pub fn parse(value: &str) -> Option<Metric> {
        match value.trim().to_ascii_lowercase().as_str() {
            "euclidean" => Some(Metric::Euclidean),
            "cosine" => Some(Metric::Cosine),
            _ => None,
        }
    }
}

/// Bounds on one feature's raw value, both inclusive; `None` leaves that side open.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl FeatureRange {
    /// Neither side bounded: the range keeps every track (as `attributes::Bounds`).
    pub fn is_open(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    /// Whether `value` lies within the bounds (inclusive).
    pub fn admits(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}

/// Which tracks may be returned at all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Only these genres (matched without regard to case); empty means every genre.
    pub genres: BTreeSet<String>,
    /// Inclusive; tracks with no known year are left out when either bound is set.
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// 0..=100; tracks with no known popularity are left out when set.
    pub min_popularity: Option<u8>,
    /// Leave out tracks marked explicit (tracks whose source does not say are kept).
    pub exclude_explicit: bool,
    /// At most this many tracks by the same main artist in the results.
    pub max_per_artist: Option<usize>,
    /// Per-feature bounds in raw units (the API's `min_<feature>` and `max_<feature>`).
    /// Compared at the index's precision, with tempo and loudness clamped to their
    /// ranges like the index's values; a popularity bound leaves out tracks with no
    /// known popularity.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ranges: BTreeMap<Feature, FeatureRange>,
    /// Bounds on what the index does not hold (duration, key, mode, time signature,
    /// mixing keys, half/double tempo): the caller applies them through `keep`.
    #[serde(skip_serializing_if = "AttributeFilters::is_default")]
    pub attributes: AttributeFilters,
    /// Every version of a song; by default only the closest (`catalog::versions`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub all_versions: bool,
}

/// The seeds a page names (by internal id; the API names its own by public id). The
/// web layer looks them up and turns them into targets with `seeds::settings_from_seeds`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedRefs {
    pub tracks: Vec<i32>,
    pub artists: Vec<i32>,
    pub genres: Vec<String>,
}

impl SeedRefs {
    pub fn count(&self) -> usize {
        self.tracks.len() + self.artists.len() + self.genres.len()
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Adds a track seed unless it is one already: a seed named twice is one seed.
    pub fn add_track(&mut self, id: i32) {
        if !self.tracks.contains(&id) {
            self.tracks.push(id);
        }
    }

    /// Adds an artist seed unless it is one already.
    pub fn add_artist(&mut self, id: i32) {
        if !self.artists.contains(&id) {
            self.artists.push(id);
        }
    }

    /// Adds a genre seed unless it is one already, in any case ("Rock" is "rock").
    pub fn add_genre(&mut self, genre: &str) {
        if !self.genres.iter().any(|g| g.eq_ignore_ascii_case(genre)) {
            self.genres.push(genre.to_string());
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchSettings {
    /// Target per feature in raw units (BPM, dB, 0..100 for popularity).
    pub targets: BTreeMap<Feature, f64>,
    /// Weight per feature, 0..=MAX_WEIGHT; 0 (or absent) switches the feature off.
    pub weights: BTreeMap<Feature, f64>,
    pub metric: Metric,
    pub filters: Filters,
    /// How many results.
    pub k: usize,
    /// What the targets started from (see `SeedRefs`).
    #[serde(skip_serializing_if = "SeedRefs::is_empty")]
    pub seeds: SeedRefs,
}

impl Default for MatchSettings {
    /// The original app: its five features at 0.5 with equal weights, the others off
    /// (their targets at the middle of their range until the user moves them).
    fn default() -> Self {
        let targets = Feature::ALL.iter().map(|&f| (f, f.unscale(0.5))).collect();
        let weights = Feature::ALL
            .iter()
            .map(|&f| {
                (
                    f,
                    if Feature::ORIGINAL.contains(&f) {
                        1.0
                    } else {
                        0.0
                    },
                )
            })
            .collect();
        MatchSettings {
            targets,
            weights,
            metric: Metric::default(),
            filters: Filters::default(),
            k: DEFAULT_RESULTS,
            seeds: SeedRefs::default(),
        }
    }
}

impl MatchSettings {
    /// The defaults, with the switched-off features' targets at the catalog average,
    /// so that switching one on starts from a typical value (e.g. -8 dB rather than the
    /// middle of the loudness range). Popularity too, when the catalog has it: it had
    /// started at 50 beside the page's "their sliders start at the catalog's average"
    /// (TidyTuesday's is 39).
    pub fn starting_from(average: &AudioFeatures, average_popularity: Option<f64>) -> Self {
        let mut settings = MatchSettings::default();
        let values = Feature::AUDIO
            .iter()
            .map(|&f| (f, average.get(f)))
            .chain([(Feature::Popularity, average_popularity)]);
        for (feature, value) in values {
            if let (false, Some(value)) = (Feature::ORIGINAL.contains(&feature), value) {
                let (lo, hi) = feature.range();
                settings.targets.insert(feature, value.clamp(lo, hi));
            }
        }
        settings
    }

    /// The target of a feature in raw units (the middle of its range if unset).
    pub fn target(&self, feature: Feature) -> f64 {
        self.targets
            .get(&feature)
            .copied()
            .unwrap_or_else(|| feature.unscale(0.5))
    }

    /// The weight of a feature (0 if unset: off).
    pub fn weight(&self, feature: Feature) -> f64 {
        self.weights.get(&feature).copied().unwrap_or(0.0)
    }

    /// Features with a weight above 0, in `Feature::ALL` order.
    pub fn enabled(&self) -> Vec<Feature> {
        Feature::ALL
            .into_iter()
            .filter(|&f| self.weight(f) > 0.0)
            .collect()
    }

    /// Cosine similarity with a single feature in play: a valid search, but one whose
    /// every score is the same, so a request that asks for it is refused.
    pub fn cosine_over_one_feature(&self) -> bool {
        self.metric == Metric::Cosine && self.enabled().len() == 1
    }

    /// Whether the search reads popularity: as a feature, a minimum or a range. Tracks
    /// with no known popularity are left out then.
    pub fn reads_popularity(&self) -> bool {
        self.weight(Feature::Popularity) > 0.0
            || self.filters.min_popularity.is_some()
            || self
                .filters
                .ranges
                .get(&Feature::Popularity)
                .is_some_and(|range| !range.is_open())
    }

    /// The settings with popularity read nowhere (`reads_popularity` is then false).
    pub fn without_popularity(&mut self) {
        self.weights.insert(Feature::Popularity, 0.0);
        self.filters.min_popularity = None;
        self.filters.ranges.remove(&Feature::Popularity);
    }

    /// Checks everything that does not depend on the catalog (genres are checked
    /// against the index when searching). Reports every problem, in form order.
    /// Targets must lie in the sliders' range (`Feature::range`): what the page's form
    /// offers.
    pub fn validate(&self) -> Result<(), InvalidSettings> {
        self.validate_within(Feature::range)
    }

    /// `validate`, with targets allowed anywhere in `range` instead. The search takes
    /// any value the catalog can hold (`Feature::accepted_range`): the API's targets
    /// and a seed's own values may lie beyond the sliders (a master louder than 0 dB).
    pub fn validate_within(
        &self,
        range: impl Fn(Feature) -> (f64, f64),
    ) -> Result<(), InvalidSettings> {
        let mut errors = Vec::new();
        for feature in Feature::ALL {
            let value = self.target(feature);
            let (min, max) = range(feature);
            if !value.is_finite() {
                errors.push(MatchError::NotANumber {
                    field: keys::target(feature).to_string(),
                    value: value.to_string(),
                });
            } else if value < min || value > max {
                errors.push(MatchError::TargetOutOfRange {
                    feature,
                    value,
                    min,
                    max,
                });
            }
        }
        let mut any_weight = false;
        for feature in Feature::ALL {
            let value = self.weight(feature);
            if !value.is_finite() {
                errors.push(MatchError::NotANumber {
                    field: keys::weight(feature).to_string(),
                    value: value.to_string(),
                });
            } else if !(0.0..=MAX_WEIGHT).contains(&value) {
                errors.push(MatchError::WeightOutOfRange {
                    feature,
                    value,
                    max: MAX_WEIGHT,
                });
            } else if value > 0.0 {
                any_weight = true;
            }
        }
        let weights_valid = !errors
            .iter()
            .any(|e| matches!(e, MatchError::WeightOutOfRange { .. }));
        if !any_weight && weights_valid {
            errors.push(MatchError::AllWeightsZero);
        }
        if self.metric == Metric::Cosine
            && any_weight
            && self
                .enabled()
                .iter()
                .all(|&f| f.scale(self.target(f)) == 0.0)
        {
            errors.push(MatchError::CosineZeroTarget);
        }
        let f = &self.filters;
        if let (Some(from), Some(to)) = (f.year_from, f.year_to) {
            if from > to {
                errors.push(MatchError::YearRangeBackwards { from, to });
            }
        }
        if let Some(min) = f.min_popularity {
            if min > 100 {
                errors.push(MatchError::MinPopularityOutOfRange(min.into()));
            }
        }
        if let Some(cap) = f.max_per_artist {
            if cap == 0 || cap > MAX_RESULTS {
                errors.push(MatchError::PerArtistOutOfRange {
                    value: cap as i64,
                    max: MAX_RESULTS,
                });
            }
        }
        for (&feature, range) in &f.ranges {
            let (lowest_held, highest_held) = feature.accepted_range();
            for (side, value) in [("min", range.min), ("max", range.max)] {
                if let Some(value) = value.filter(|v| !v.is_finite()) {
                    errors.push(MatchError::NotANumber {
                        field: format!("{side}_{}", feature.key()),
                        value: value.to_string(),
                    });
                } else if let Some(value) = value.filter(|v| *v < lowest_held || *v > highest_held)
                {
                    errors.push(MatchError::RangeBoundOutOfRange {
                        feature,
                        lowest: side == "min",
                        value,
                        min: lowest_held,
                        max: highest_held,
                    });
                }
            }
            if let (Some(min), Some(max)) = (range.min, range.max) {
                if min > max {
                    errors.push(MatchError::FeatureRangeBackwards { feature, min, max });
                }
            }
        }
        f.attributes.check(&mut errors);
        if self.seeds.count() > MAX_SEEDS {
            errors.push(MatchError::Field {
                field: keys::SEEDS.into(),
                message: format!(
                    "At most {MAX_SEEDS} seeds: remove one before adding another (there are {}).",
                    self.seeds.count()
                ),
            });
        }
        if self.k == 0 || self.k > MAX_RESULTS {
            errors.push(MatchError::KOutOfRange {
                value: self.k as i64,
                max: MAX_RESULTS,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InvalidSettings(errors))
        }
    }

    /// Parses form or query-string pairs over the defaults, then validates. Unknown keys
    /// are ignored; a key given twice keeps the last value (except `genre`, which
    /// collects). Empty values of optional filters mean "no filter".
    pub fn from_pairs<K, V>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, InvalidSettings>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut settings = MatchSettings::default();
        let mut errors = Vec::new();
        for (key, value) in pairs {
            if let Err(error) = settings.apply(key.as_ref(), value.as_ref().trim()) {
                errors.push(error);
            }
        }
        if let Err(InvalidSettings(more)) = settings.validate() {
            // A field that failed to parse kept its default, so validation cannot have
            // a second complaint about it; keep one message per field anyway.
            for error in more {
                if !errors.iter().any(|e| e.field() == error.field()) {
                    errors.push(error);
                }
            }
        } else if settings.cosine_over_one_feature() {
            errors.push(MatchError::CosineOneFeature);
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(InvalidSettings(errors))
        }
    }

    /// The settings as query-string pairs (what `from_pairs` reads back): the shareable
    /// URL. Switched-off features keep their target so the sliders come back where they
    /// were.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        self.each_pair(&mut |key, value| pairs.push((key.to_string(), value.to_string())));
        pairs
    }

    /// Every setting as a query-string pair, in `to_pairs`' order, without allocating
    /// a string per pair: the live answer builds its canonical address (its cache key)
    /// on every request, and the allocations were a tenth of a cached answer's time.
    pub fn each_pair(&self, visit: &mut dyn FnMut(&str, &str)) {
        use std::fmt::Write as _;
        let mut key = String::with_capacity(32);
        let mut value = String::with_capacity(32);
        let mut put = |prefix: &str, name: &str, v: &dyn std::fmt::Display| {
            key.clear();
            key.push_str(prefix);
            key.push_str(name);
            value.clear();
            let _ = write!(value, "{v}");
            visit(&key, &value);
        };
        for feature in Feature::ALL {
            put("", feature.key(), &self.target(feature));
            put(keys::WEIGHT_PREFIX, feature.key(), &self.weight(feature));
        }
        put("", keys::METRIC, &self.metric.key());
        let f = &self.filters;
        for genre in &f.genres {
            put("", keys::GENRE, genre);
        }
        if let Some(v) = f.year_from {
            put("", keys::YEAR_FROM, &v);
        }
        if let Some(v) = f.year_to {
            put("", keys::YEAR_TO, &v);
        }
        if let Some(v) = f.min_popularity {
            put("", keys::MIN_POPULARITY, &v);
        }
        if let Some(v) = f.max_per_artist {
            put("", keys::PER_ARTIST, &v);
        }
        if f.exclude_explicit {
            put("", keys::NO_EXPLICIT, &"on");
        }
        self.each_range_pair(&mut put);
        put("", keys::K, &self.k);
        self.each_seed_pair(&mut put);
    }

    /// The seeds as query-string pairs.
    pub fn seed_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        self.each_seed_pair(&mut |prefix, name, v| {
            pairs.push((format!("{prefix}{name}"), v.to_string()))
        });
        pairs
    }

    fn each_seed_pair(&self, put: &mut dyn FnMut(&str, &str, &dyn std::fmt::Display)) {
        let s = &self.seeds;
        for id in &s.tracks {
            put("", keys::SEED_TRACK, id);
        }
        for id in &s.artists {
            put("", keys::SEED_ARTIST, id);
        }
        for g in &s.genres {
            put("", keys::SEED_GENRE, g);
        }
    }

    /// Ranges, track attributes and the versions switch as query-string pairs (only
    /// those set).
    pub fn range_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        self.each_range_pair(&mut |prefix, name, v| {
            pairs.push((format!("{prefix}{name}"), v.to_string()))
        });
        pairs
    }

    fn each_range_pair(&self, put: &mut dyn FnMut(&str, &str, &dyn std::fmt::Display)) {
        let f = &self.filters;
        for (feature, range) in &f.ranges {
            // `min_popularity` is the popularity filter itself.
            if *feature != Feature::Popularity {
                if let Some(min) = range.min {
                    put(keys::MIN_PREFIX, feature.key(), &min);
                }
            }
            if let Some(max) = range.max {
                put(keys::MAX_PREFIX, feature.key(), &max);
            }
        }
        let a = &f.attributes;
        for attribute in Attribute::ALL {
            let b = a.bounds(attribute);
            if let Some(min) = b.min {
                put(keys::MIN_PREFIX, attribute.key(), &min);
            }
            if let Some(max) = b.max {
                put(keys::MAX_PREFIX, attribute.key(), &max);
            }
        }
        if let Some(mode) = a.mode {
            let name = if mode == 1 { "major" } else { "minor" };
            put("", keys::MODE, &name);
        }
        if let Some(key) = a.mixes_with {
            put("", keys::MIXES_WITH, &key.camelot());
        }
        if a.half_double {
            put("", keys::HALF_DOUBLE, &"on");
        }
        if f.all_versions {
            put("", keys::VERSIONS, &"all");
        }
    }

    fn apply(&mut self, key: &str, value: &str) -> Result<(), MatchError> {
        if let Some(feature) = Feature::from_key(key) {
            self.targets.insert(feature, parse_number(key, value)?);
            return Ok(());
        }
        if let Some(feature) = key
            .strip_prefix(keys::WEIGHT_PREFIX)
            .and_then(Feature::from_key)
        {
            self.weights.insert(feature, parse_number(key, value)?);
            return Ok(());
        }
        let filters = &mut self.filters;
        match key {
            keys::METRIC => {
                self.metric =
                    Metric::parse(value).ok_or_else(|| MatchError::UnknownMetric(value.into()))?;
            }
            keys::GENRE if !value.is_empty() => {
                filters.genres.insert(value.to_string());
            }
            keys::YEAR_FROM => filters.year_from = parse_year(key, value)?,
            keys::YEAR_TO => filters.year_to = parse_year(key, value)?,
            keys::MIN_POPULARITY => {
                filters.min_popularity = match parse_optional_int::<i64>(key, value)? {
                    None => None,
                    Some(v) => Some(
                        u8::try_from(v)
                            .ok()
                            .filter(|v| *v <= 100)
                            .ok_or(MatchError::MinPopularityOutOfRange(v))?,
                    ),
                }
            }
            keys::NO_EXPLICIT => filters.exclude_explicit = parse_bool(key, value)?,
            keys::PER_ARTIST => {
                filters.max_per_artist = match parse_optional_int::<i64>(key, value)? {
                    None => None,
                    Some(v) => Some(
                        usize::try_from(v)
                            .ok()
                            .filter(|v| (1..=MAX_RESULTS).contains(v))
                            .ok_or(MatchError::PerArtistOutOfRange {
                                value: v,
                                max: MAX_RESULTS,
                            })?,
                    ),
                }
            }
            keys::SEED_TRACK | keys::SEED_ARTIST if !value.is_empty() => {
                let id: i32 = value.parse().map_err(|_| MatchError::Field {
                    field: keys::SEEDS.into(),
                    message: format!("“{value}” is not a track or artist number."),
                })?;
                if key == keys::SEED_TRACK {
                    self.seeds.add_track(id);
                } else {
                    self.seeds.add_artist(id);
                }
            }
            keys::SEED_GENRE if !value.is_empty() => self.seeds.add_genre(value),
            keys::MODE => {
                filters.attributes.mode = match value.to_ascii_lowercase().as_str() {
                    "" | "any" => None,
                    "major" | "1" => Some(1),
                    "minor" | "0" => Some(0),
                    _ => {
                        return Err(MatchError::Field {
                            field: key.into(),
                            message: format!("Mode is major or minor, not “{value}”."),
                        })
                    }
                }
            }
            keys::MIXES_WITH => {
                filters.attributes.mixes_with = if value.is_empty() {
                    None
                } else {
                    Some(MusicalKey::parse_camelot(value).ok_or_else(|| MatchError::Field {
                        field: key.into(),
                        message: format!(
                            "“{value}” is not a Camelot key: a number from 1 to 12 and A (minor) or B (major), such as 8A."
                        ),
                    })?)
                }
            }
            keys::HALF_DOUBLE => filters.attributes.half_double = parse_bool(key, value)?,
            keys::VERSIONS => {
                filters.all_versions = match value.trim() {
                    "" | "one" => false,
                    v if v.eq_ignore_ascii_case("all") => true,
                    // Anything else was silently one version per song.
                    _ => {
                        return Err(MatchError::Field {
                            field: key.into(),
                            message: format!(
                                "“{value}” is not a choice of versions: versions=all shows every version of a song; leave it out for one version per song."
                            ),
                        })
                    }
                };
            }
            keys::K => {
                let v: i64 = parse_int(key, value)?;
                self.k = usize::try_from(v)
                    .ok()
                    .filter(|v| (1..=MAX_RESULTS).contains(v))
                    .ok_or(MatchError::KOutOfRange {
                        value: v,
                        max: MAX_RESULTS,
                    })?;
            }
            _ => self.apply_range(key, value)?,
        }
        Ok(())
    }

    /// `min_<feature>`, `max_<feature>` and the track attributes' bounds; anything else
    /// is not ours (csrf token, submit button, htmx extras) and is ignored.
    fn apply_range(&mut self, key: &str, value: &str) -> Result<(), MatchError> {
        let Some((name, is_min)) = keys::range_of(key) else {
            return Ok(());
        };
        if let Some(feature) = Feature::from_key(name) {
            let bound = if value.is_empty() {
                None
            } else {
                Some(parse_number(key, value)?)
            };
            let range = self.filters.ranges.entry(feature).or_default();
            if is_min {
                range.min = bound;
            } else {
                range.max = bound;
            }
            if *range == FeatureRange::default() {
                self.filters.ranges.remove(&feature);
            }
        } else if let Some(attribute) = Attribute::from_key(name) {
            let bound = parse_optional_int::<i64>(key, value)?;
            let bounds = self.filters.attributes.bounds_mut(attribute);
            if is_min {
                bounds.min = bound;
            } else {
                bounds.max = bound;
            }
        }
        Ok(())
    }
}

/// A finite number, as the settings and the API's parameters take one (`0.5`, `1e-3`,
/// `+2`); "-0" is zero, since echoed back (into a field, or the API's `target`) it
/// would read "-0".
pub fn finite_number(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| if v == 0.0 { 0.0 } else { v })
}

fn parse_number(field: &str, value: &str) -> Result<f64, MatchError> {
    finite_number(value).ok_or_else(|| MatchError::NotANumber {
        field: field.into(),
        value: value.into(),
    })
}

/// A whole number (`2000`, or `2000.0`: see `whole_number`), said as such when it is a
/// number but not a whole one, or too large for the field.
fn parse_int<T: TryFrom<i64>>(field: &str, value: &str) -> Result<T, MatchError> {
    let too_large = || MatchError::Field {
        field: field.into(),
        message: format!("“{}” is too large a number here.", shown(value)),
    };
    if let Some(whole) = crate::whole_number::parse(value) {
        return T::try_from(whole).map_err(|_| too_large());
    }
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 => Err(too_large()),
        Ok(v) if v.is_finite() => Err(MatchError::Field {
            field: field.into(),
            message: format!("“{}” is not a whole number.", shown(value)),
        }),
        _ => Err(MatchError::NotANumber {
            field: field.into(),
            value: value.into(),
        }),
    }
}

fn parse_optional_int<T: TryFrom<i64>>(field: &str, value: &str) -> Result<Option<T>, MatchError> {
    if value.is_empty() {
        Ok(None)
    } else {
        parse_int(field, value).map(Some)
    }
}

/// The years the page's year fields take (their `min` and `max`).
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=3000;

/// A year field: empty, or a year of `YEARS`. The fields said 1000 to 3000 and took
/// -5 and 3001, which could only empty the answer.
fn parse_year(field: &str, value: &str) -> Result<Option<i32>, MatchError> {
    let year = parse_optional_int::<i32>(field, value)?;
    match year {
        Some(y) if !YEARS.contains(&y) => Err(MatchError::Field {
            field: field.into(),
            message: format!(
                "A year must be between {} and {}.",
                YEARS.start(),
                YEARS.end()
            ),
        }),
        _ => Ok(year),
    }
}

/// What a checkbox or a hand-written URL may send.
fn parse_bool(field: &str, value: &str) -> Result<bool, MatchError> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "" | "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(MatchError::NotABoolean {
            field: field.into(),
            value: value.into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_numbers_and_minus_zero() {
        assert_eq!(finite_number("0.5"), Some(0.5));
        assert_eq!(finite_number("+2"), Some(2.0));
        assert_eq!(finite_number("1e-3"), Some(0.001));
        let zero = finite_number("-0").expect("a number");
        assert!(zero == 0.0 && zero.is_sign_positive());
        for not in ["inf", "-inf", "NaN", "1e309", "", "0x10", "½"] {
            assert_eq!(finite_number(not), None, "{not}");
        }
    }

    fn parse(query: &[(&str, &str)]) -> Result<MatchSettings, InvalidSettings> {
        MatchSettings::from_pairs(query.iter().copied())
    }

    #[test]
    fn default_is_the_original_five_at_half_with_equal_weights() {
        let s = MatchSettings::default();
        assert_eq!(s.enabled(), Feature::ORIGINAL.to_vec());
        for f in Feature::ORIGINAL {
            assert_eq!(s.target(f), 0.5);
            assert_eq!(s.weight(f), 1.0);
        }
        assert_eq!(s.k, DEFAULT_RESULTS);
        assert_eq!(s.metric, Metric::Euclidean);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn starting_from_puts_off_features_at_the_average() {
        let average = AudioFeatures {
            loudness: -8.0,
            tempo: 118.0,
            danceability: 0.9,
            ..Default::default()
        };
        let s = MatchSettings::starting_from(&average, Some(39.3));
        assert_eq!(s.target(Feature::Loudness), -8.0);
        assert_eq!(s.target(Feature::Tempo), 118.0);
        assert_eq!(s.target(Feature::Popularity), 39.3);
        assert_eq!(s.target(Feature::Danceability), 0.5, "enabled ones stay");
        let without = MatchSettings::starting_from(&average, None);
        assert_eq!(without.target(Feature::Popularity), 50.0, "the middle");
    }

    #[test]
    fn json_round_trip_and_partial_json() {
        let mut s = MatchSettings::default();
        s.filters.genres.insert("rock".into());
        s.filters.year_from = Some(1990);
        s.metric = Metric::Cosine;
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"danceability\":0.5"), "{json}");
        let back: MatchSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        // Older or hand-written JSON with fields missing falls back to the defaults.
        let partial: MatchSettings = serde_json::from_str(r#"{"k":3}"#).unwrap();
        assert_eq!(partial.k, 3);
        assert_eq!(partial.enabled(), Feature::ORIGINAL.to_vec());
    }

    #[test]
    fn parses_flat_pairs_and_ignores_unknown_keys() {
        let s = parse(&[
            ("danceability", "0.7"),
            ("w_energy", "0"),
            ("tempo", "120"),
            ("w_tempo", "2.5"),
            ("metric", "cosine"),
            ("genre", "rock"),
            ("genre", "pop"),
            ("genre", ""),
            ("year_from", "1990"),
            ("year_to", ""),
            ("min_popularity", "40"),
            ("no_explicit", "on"),
            ("per_artist", "1"),
            ("k", "5"),
            ("csrf_token", "whatever"),
        ])
        .unwrap();
        assert_eq!(s.target(Feature::Danceability), 0.7);
        assert_eq!(s.weight(Feature::Energy), 0.0);
        assert_eq!(s.target(Feature::Tempo), 120.0);
        assert_eq!(s.weight(Feature::Tempo), 2.5);
        assert_eq!(s.metric, Metric::Cosine);
        assert_eq!(s.filters.genres.len(), 2);
        assert_eq!(s.filters.year_from, Some(1990));
        assert_eq!(s.filters.year_to, None);
        assert_eq!(s.filters.min_popularity, Some(40));
        assert!(s.filters.exclude_explicit);
        assert_eq!(s.filters.max_per_artist, Some(1));
        assert_eq!(s.k, 5);
    }

    #[test]
    fn to_pairs_round_trips() {
        let mut s = MatchSettings::default();
        s.targets.insert(Feature::Loudness, -7.5);
        s.weights.insert(Feature::Loudness, 3.0);
        s.filters.genres.insert("r&b".into());
        s.filters.year_to = Some(2001);
        s.filters.exclude_explicit = true;
        s.filters.max_per_artist = Some(2);
        s.k = 20;
        assert_eq!(MatchSettings::from_pairs(s.to_pairs()).unwrap(), s);
    }

    #[test]
    fn each_bad_value_is_reported_on_its_own_field() {
        let err = parse(&[
            ("danceability", "abc"),
            ("energy", "1.5"),
            ("tempo", "NaN"),
            ("w_valence", "-1"),
            ("w_liveness", "inf"),
            ("year_from", "2010"),
            ("year_to", "2000"),
            ("min_popularity", "101"),
            ("per_artist", "0"),
            ("k", "1000"),
            ("metric", "manhattan"),
            ("no_explicit", "maybe"),
        ])
        .unwrap_err();
        let fields: Vec<String> = err.0.iter().map(|e| e.field()).collect();
        for expected in [
            "danceability",
            "energy",
            "tempo",
            "w_valence",
            "w_liveness",
            "year_to",
            "min_popularity",
            "per_artist",
            "k",
            "metric",
            "no_explicit",
        ] {
            assert!(
                fields.contains(&expected.to_string()),
                "{expected} in {fields:?}"
            );
        }
        assert_eq!(
            err.message_for("energy").unwrap(),
            "Energy must be between 0.000 and 1.000, not 1.5."
        );
        assert_eq!(
            err.message_for("year_to").unwrap(),
            "The year range runs backwards: 2010 is after 2000."
        );
        assert_eq!(
            err.message_for("danceability").unwrap(),
            "“abc” is not a number."
        );
        let emptied = parse(&[("valence", " ")]).unwrap_err();
        assert_eq!(
            emptied.message_for("valence").unwrap(),
            "Enter a number here: the field is empty."
        );
    }

    #[test]
    fn years_are_those_the_fields_take() {
        assert!(parse(&[("year_from", "-5")]).is_err());
        assert!(parse(&[("year_to", "3001")]).is_err());
        assert_eq!(
            parse(&[("year_to", "3000")]).unwrap().filters.year_to,
            Some(3000)
        );
        assert_eq!(parse(&[("year_from", "")]).unwrap().filters.year_from, None);
    }

    #[test]
    fn versions_is_all_or_left_out() {
        assert!(parse(&[("versions", "ALL")]).unwrap().filters.all_versions);
        assert!(!parse(&[("versions", "")]).unwrap().filters.all_versions);
        assert!(!parse(&[]).unwrap().filters.all_versions);
        let err = parse(&[("versions", "maybe")]).unwrap_err();
        assert_eq!(err.0[0].field(), "versions");
        assert!(err.0[0].to_string().contains("“maybe”"), "{}", err.0[0]);
    }

    #[test]
    fn all_weights_zero_is_an_error() {
        let pairs: Vec<(String, String)> = Feature::ALL
            .iter()
            .map(|f| (keys::weight(*f).to_string(), "0".to_string()))
            .collect();
        let err = MatchSettings::from_pairs(pairs).unwrap_err();
        assert_eq!(err.0, vec![MatchError::AllWeightsZero]);
        assert_eq!(err.0[0].field(), "weights");
    }

    #[test]
    fn a_request_for_cosine_needs_two_features() {
        let mut pairs: Vec<(String, String)> = Feature::ALL
            .iter()
            .map(|f| (keys::weight(*f).to_string(), "0".to_string()))
            .collect();
        pairs.push((keys::weight(Feature::Energy).to_string(), "1".to_string()));
        pairs.push(("metric".into(), "cosine".into()));
        let err = MatchSettings::from_pairs(pairs.clone()).unwrap_err();
        assert_eq!(err.0, vec![MatchError::CosineOneFeature]);
        assert_eq!(err.0[0].field(), "metric");
        // The search itself accepts it (matching's property tests rely on that).
        let mut one = MatchSettings::default();
        for f in Feature::ALL {
            one.weights
                .insert(f, if f == Feature::Energy { 1.0 } else { 0.0 });
        }
        one.metric = Metric::Cosine;
        assert!(one.validate().is_ok());
        pairs.push((keys::weight(Feature::Valence).to_string(), "1".to_string()));
        assert!(MatchSettings::from_pairs(pairs).is_ok());
    }

    #[test]
    fn cosine_needs_a_non_zero_target() {
        let mut pairs: Vec<(String, String)> = Feature::ORIGINAL
            .iter()
            .map(|f| (keys::target(*f).to_string(), "0".to_string()))
            .collect();
        pairs.push(("metric".into(), "cosine".into()));
        let err = MatchSettings::from_pairs(pairs.clone()).unwrap_err();
        assert_eq!(err.0, vec![MatchError::CosineZeroTarget]);
        pairs.pop();
        assert!(
            MatchSettings::from_pairs(pairs).is_ok(),
            "fine for euclidean"
        );
    }

    #[test]
    fn out_of_range_target_from_json_is_caught_by_validate() {
        let mut s = MatchSettings::default();
        s.targets.insert(Feature::Loudness, 5.0);
        let err = s.validate().unwrap_err();
        assert_eq!(err.0[0].field(), "loudness");
        assert!(err.to_string().contains("-60.0 dB and 0.0 dB"), "{err}");
    }
}
