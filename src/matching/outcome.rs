//! What a search returns: the matches, each explained feature by feature with a
//! similarity score, or, when nothing matches, which filter emptied the list.
//!
//! Similarity (0..100, higher is closer):
//! - Euclidean: `100 × (1 − d)` where `d = sqrt(Σ ŵ·Δ²)` is the weighted root-mean-square
//!   gap between target and track, each gap measured as a fraction of the feature's
//!   slider range (ŵ: weights summing to 1). So 100 is identical on every enabled
//!   feature, 90 means the track sits on average 10% of the slider's width from the
//!   target, and 0 means every enabled feature is at the opposite end.
//! - Cosine: `100 × cos`, the cosine of the angle between the weighted target and track
//!   vectors: 100 is the same mix in the same proportions, 0 nothing in common.

use super::{
    index::{column, unit_of, FeatureIndex, NO_ARTIST, NO_YEAR},
    query::{FilterSpec, Query},
    settings::MatchSettings,
    topk::Candidate,
};
use crate::catalog::Feature;
use crate::matching::Metric;

#[derive(Debug, Clone, PartialEq)]
pub struct MatchOutcome {
    /// Best first.
    pub matches: Vec<TrackMatch>,
    /// Set exactly when `matches` is empty.
    pub empty: Option<NoMatch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackMatch {
    pub track_id: i32,
    pub main_artist_id: Option<i32>,
    /// Every genre of the track (none: an empty list).
    pub genres: Vec<String>,
    pub release_year: Option<i32>,
    /// Euclidean: the weighted RMS gap in 0..1. Cosine: 1 − cos.
    pub distance: f64,
    /// 0..100, see the module documentation.
    pub similarity: f64,
    /// One entry per feature, in `Feature::ALL` order (switched-off ones have weight 0).
    pub differences: Vec<FeatureDifference>,
}

impl TrackMatch {
    /// The genres joined by ", " as a page lists them; `None` without any.
    pub fn genre_text(&self) -> Option<String> {
        (!self.genres.is_empty()).then(|| self.genres.join(", "))
    }
}

/// How one feature of a matched track compares with the target.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDifference {
    pub feature: Feature,
    /// Share of the distance this feature was given (weights normalised to sum to 1;
    /// 0 = switched off).
    pub weight: f64,
    /// Raw units.
    pub target: f64,
    /// Raw units (from the indexed value, so tempo and loudness beyond the slider range
    /// read as its end); `None` for an unknown popularity.
    pub value: Option<f64>,
    /// `value − target` in raw units: positive means the track has more of it.
    pub difference: Option<f64>,
    /// `|value − target|` as a fraction of the slider range (what the distance uses).
    pub gap: Option<f64>,
}

impl FeatureDifference {
    pub fn enabled(&self) -> bool {
        self.weight > 0.0
    }

    /// Whether the indexed value sits at an end of its feature's range, where the index
    /// also holds every value beyond it (a track at +1.3 dB reads 0 dB).
    pub fn at_range_end(&self) -> bool {
        let (lo, hi) = self.feature.range();
        let near = |end: f64| (end - lo).abs().max((end - hi).abs()) * 1e-9;
        self.value
            .is_some_and(|v| (v - lo).abs() <= near(lo) || (v - hi).abs() <= near(hi))
    }

    /// The track's stored value, read where the index holds it at its range's end: it
    /// is shown and reported as stored. The gap, which the distance used, stays
    /// measured within the sliders' range.
    pub fn show_stored(&mut self, stored: f64) {
        self.value = Some(stored);
        self.difference = Some(stored - self.target);
    }
}

/// Why a search returned nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct NoMatch {
    pub because: EmptyBecause,
    pub funnel: Funnel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyBecause {
    /// There are no tracks at all.
    EmptyCatalog,
    /// This filter step (applied after the earlier ones in `FilterStep::ORDER`) left none.
    Filter(FilterStep),
    /// Tracks pass every filter the index holds, but none passes the caller's own
    /// condition (`search_where`'s `keep`): the attribute filters (duration, key, mode,
    /// time signature, mixing keys, half and double tempo) or the seed tracks left out.
    Kept,
}

/// The filters, in the order the funnel applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterStep {
    Genres,
    Years,
    MinPopularity,
    /// Popularity is switched on as a feature and no remaining track has one.
    PopularityKnown,
    NoExplicit,
    /// The per-feature bounds (`Filters::ranges`).
    Ranges,
}

impl FilterStep {
    pub const ORDER: [FilterStep; 6] = [
        FilterStep::Genres,
        FilterStep::Years,
        FilterStep::MinPopularity,
        FilterStep::PopularityKnown,
        FilterStep::NoExplicit,
        FilterStep::Ranges,
    ];

    /// The form field the step comes from, so the page can point at it.
    pub fn field(self) -> &'static str {
        use super::settings::keys;
        match self {
            FilterStep::Genres => keys::GENRE,
            FilterStep::Years => keys::YEAR_FROM,
            FilterStep::MinPopularity => keys::MIN_POPULARITY,
            FilterStep::PopularityKnown => "w_popularity",
            FilterStep::NoExplicit => keys::NO_EXPLICIT,
            FilterStep::Ranges => keys::RANGES,
        }
    }
}

/// How many tracks remain after each active filter step, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    pub total: usize,
    pub steps: Vec<(FilterStep, usize)>,
}

impl NoMatch {
    /// A sentence for the page, e.g. "No tracks in genre jazz from 2030 to 2040. 1,204
    /// jazz tracks exist, but none from those years."
    pub fn message(&self, settings: &MatchSettings) -> String {
        let step = match self.because {
            EmptyBecause::EmptyCatalog => {
                return "The catalog has no tracks yet: import a dataset first.".to_string()
            }
            EmptyBecause::Kept => return self.kept_message(settings),
            EmptyBecause::Filter(step) => step,
        };
        let applied: Vec<FilterStep> = self
            .funnel
            .steps
            .iter()
            .map(|(s, _)| *s)
            .take_while(|s| *s != step)
            .collect();
        let before = self
            .funnel
            .steps
            .iter()
            .take_while(|(s, _)| *s != step)
            .last()
            .map(|(_, n)| *n)
            .unwrap_or(self.funnel.total);
        let earlier = if applied.is_empty() {
            "in the catalog".to_string()
        } else {
            // Commas between the phrases: "in genre rock from 1990 on with popularity of
            // at least 20 with energy …" ran them together.
            applied
                .iter()
                .map(|s| describe(*s, settings))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (verb, noun) = if before == 1 {
            ("is", "track")
        } else {
            ("are", "tracks")
        };
        // The filters applied after the one that left none: widening that one alone
        // had only moved the blame to the next ("none from 1960 to 1961", then "none
        // with tempo at least 249").
        let later: Vec<String> = self
            .funnel
            .steps
            .iter()
            .skip_while(|(s, _)| *s != step)
            .skip(1)
            .map(|(s, _)| describe(*s, settings))
            .collect();
        let after = if later.is_empty() {
            String::new()
        } else {
            format!(" Filters after it ask for more: {}.", later.join(", "))
        };
        format!(
            "There {verb} {} {noun} {}, but none {}.{after}",
            thousands(before),
            earlier,
            describe(step, settings),
        )
    }

    /// `message` when the caller's own condition left none: the attribute filters
    /// when there are some, else the seed tracks (and their other versions).
    fn kept_message(&self, settings: &MatchSettings) -> String {
        let after = self
            .funnel
            .steps
            .last()
            .map(|(_, n)| *n)
            .unwrap_or(self.funnel.total);
        let applied: Vec<String> = self
            .funnel
            .steps
            .iter()
            .map(|(s, _)| describe(*s, settings))
            .collect();
        let earlier = if applied.is_empty() {
            "in the catalog".to_string()
        } else {
            applied.join(", ")
        };
        let (verb, noun) = if after == 1 {
            ("is", "track")
        } else {
            ("are", "tracks")
        };
        let attributes = &settings.filters.attributes;
        let tempo = settings
            .filters
            .ranges
            .get(&Feature::Tempo)
            .filter(|_| attributes.half_double);
        match attributes.describe(tempo) {
            Some(wanted) => format!(
                "There {verb} {} {noun} {earlier}, but none {wanted}.",
                thousands(after)
            ),
            None if after == 1 => format!(
                "There is 1 track {earlier}, and it is a seed track or another version of \
                 one, which the answer leaves out."
            ),
            None => format!(
                "There {verb} {} {noun} {earlier}, and each is a seed track or another \
                 version of one, which the answer leaves out.",
                thousands(after)
            ),
        }
    }
}

/// The phrase for one filter: "in genre jazz", "from 2030 to 2040", ...
pub(crate) fn describe(step: FilterStep, settings: &MatchSettings) -> String {
    let f = &settings.filters;
    match step {
        FilterStep::Genres => {
            let names: Vec<&str> = f.genres.iter().map(String::as_str).collect();
            if names.len() == 1 {
                format!("in genre {}", names[0])
            } else {
                format!("in genres {}", names.join(" or "))
            }
        }
        FilterStep::Years => match (f.year_from, f.year_to) {
            (Some(a), Some(b)) if a == b => format!("from {a}"),
            (Some(a), Some(b)) => format!("from {a} to {b}"),
            (Some(a), None) => format!("from {a} on"),
            (None, Some(b)) => format!("up to {b}"),
            (None, None) => "with a known year".to_string(),
        },
        FilterStep::MinPopularity => format!(
            "with popularity of at least {}",
            f.min_popularity.unwrap_or(0)
        ),
        FilterStep::PopularityKnown => {
            "with a known popularity (needed while popularity is switched on)".to_string()
        }
        // No verb: "1 track not marked explicit" and "tracks not marked explicit" alike.
        FilterStep::NoExplicit => "not marked explicit".to_string(),
        FilterStep::Ranges => {
            let bounds: Vec<String> = f
                .ranges
                .iter()
                .filter_map(|(&feature, r)| {
                    let v = |value: f64| bound_value(feature, value);
                    let name = feature.key();
                    match (r.min, r.max) {
                        (Some(a), Some(b)) => {
                            Some(format!("{name} from {} to {}", minus_sign(a), v(b)))
                        }
                        (Some(a), None) => Some(format!("{name} at least {}", v(a))),
                        (None, Some(b)) => Some(format!("{name} at most {}", v(b))),
                        (None, None) => None,
                    }
                })
                .collect();
            format!("with {}", crate::listing::and_list(&bounds))
        }
    }
}

/// A bound as the user gave it, with the feature's unit and a minus sign
/// ("−10 dB", "120 BPM", "0.3"): "loudness -10–-5" read as a typo.
fn bound_value(feature: Feature, value: f64) -> String {
    let number = minus_sign(value);
    match feature.unit() {
        Some(unit) => format!("{number} {unit}"),
        None => number,
    }
}

fn minus_sign(value: f64) -> String {
    value.to_string().replace('-', "−")
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The 0–100 score shown beside a match. Euclidean: 100 × (1 − the RMS gap per weighed
/// feature, each on a 0–1 scale): 100 is the target itself, 0 the far end of every
/// scale. Cosine: 100 × (1 − the angle between the two mixes / 90°), since every value
/// is at least 0 and the angle at most 90°. The cosine itself (100 × cos) was used
/// until 2026-12-05, but tracks' mixes all lie within a few degrees of each other, so
/// it read 99.9 or 100.0 for every answer and told them apart no better than not at
/// all; the order is the same.
pub fn similarity_of(metric: Metric, distance: f64) -> f64 {
    let score = match metric {
        Metric::Euclidean => 1.0 - distance,
        Metric::Cosine => {
            // `distance` is 1 − cos = 2 sin²(θ/2): this reads θ without the loss of
            // precision `acos` has near cos = 1.
            let angle = 2.0 * (distance.clamp(0.0, 2.0) / 2.0).sqrt().asin();
            1.0 - angle / std::f64::consts::FRAC_PI_2
        }
    };
    (100.0 * score).clamp(0.0, 100.0)
}

impl FeatureIndex {
    pub(crate) fn outcome(
        &self,
        query: &Query,
        settings: &MatchSettings,
        kept: Vec<Candidate>,
    ) -> MatchOutcome {
        let total_weight: f64 = Feature::ALL.iter().map(|&f| settings.weight(f)).sum();
        let matches: Vec<TrackMatch> = kept
            .iter()
            .map(|c| {
                let i = c.pos as usize;
                let distance = query.distance(&c.key);
                let similarity = similarity_of(settings.metric, distance);
                TrackMatch {
                    track_id: c.id,
                    main_artist_id: (self.artist[i] != NO_ARTIST).then_some(self.artist[i]),
                    genres: self.genre_names(i),
                    release_year: (self.year[i] != NO_YEAR).then_some(i32::from(self.year[i])),
                    distance,
                    similarity,
                    differences: self.differences(i, settings, total_weight),
                }
            })
            .collect();
        let empty = matches.is_empty().then(|| self.why_empty(query));
        MatchOutcome { matches, empty }
    }

    fn differences(
        &self,
        i: usize,
        settings: &MatchSettings,
        total_weight: f64,
    ) -> Vec<FeatureDifference> {
        Feature::ALL
            .iter()
            .map(|&feature| {
                let target = settings.target(feature);
                let value = self.raw_value(i, feature);
                let scaled = unit_of(self.value(i, column(feature)));
                FeatureDifference {
                    feature,
                    weight: settings.weight(feature) / total_weight,
                    target,
                    value,
                    difference: value.map(|v| v - target),
                    gap: value.map(|_| (scaled - feature.scale(target)).abs()),
                }
            })
            .collect()
    }

    /// Counts the tracks left after each active filter, in `FilterStep::ORDER`, and
    /// names the first step that leaves none. One pass over the attributes; only run
    /// when a search came back empty.
    fn why_empty(&self, query: &Query) -> NoMatch {
        let f = &query.filter;
        // Each active step as a filter of its own, so every filter keeps one definition
        // (`FilterSpec::passes`).
        let none = FilterSpec::default();
        let active: Vec<(FilterStep, FilterSpec)> = FilterStep::ORDER
            .into_iter()
            .filter_map(|step| {
                let only = match step {
                    FilterStep::Genres => FilterSpec {
                        genres: Some(f.genres.clone()?),
                        ..none.clone()
                    },
                    FilterStep::Years => FilterSpec {
                        years: Some(f.years?),
                        ..none.clone()
                    },
                    FilterStep::MinPopularity => FilterSpec {
                        min_popularity: Some(f.min_popularity?),
                        ..none.clone()
                    },
                    FilterStep::PopularityKnown if f.popularity_required => FilterSpec {
                        popularity_required: true,
                        ..none.clone()
                    },
                    FilterStep::NoExplicit if f.exclude_explicit => FilterSpec {
                        exclude_explicit: true,
                        ..none.clone()
                    },
                    FilterStep::Ranges if !f.ranges.is_empty() => FilterSpec {
                        ranges: f.ranges.clone(),
                        ..none.clone()
                    },
                    _ => return None,
                };
                Some((step, only))
            })
            .collect();
        let mut counts = vec![0usize; active.len()];
        for i in 0..self.len() {
            for (n, (_, only)) in active.iter().enumerate() {
                if !only.passes(self, i) {
                    break;
                }
                counts[n] += 1;
            }
        }
        let steps: Vec<(FilterStep, usize)> = active
            .into_iter()
            .map(|(step, _)| step)
            .zip(counts)
            .collect();
        let because = match steps.iter().find(|(_, n)| *n == 0) {
            Some((step, _)) => EmptyBecause::Filter(*step),
            None if self.is_empty() => EmptyBecause::EmptyCatalog,
            None => EmptyBecause::Kept,
        };
        NoMatch {
            because,
            funnel: Funnel {
                total: self.len(),
                steps,
            },
        }
    }
}
