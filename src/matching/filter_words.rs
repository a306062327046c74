//! The filters a search applies, in words ("in genre rock", "from 1990 on", "in a major
//! key"), so that an answer can say what it was chosen among. The form that sets them is
//! far from the answer on a phone, and left off a printed sheet.
//!
//! The phrases of the filters that can leave a search empty are `outcome::describe`'s,
//! shared with the sentence that explains an empty answer.

use super::{
    attributes::Bounds,
    outcome::{describe, FilterStep},
    settings::MatchSettings,
};
use crate::{catalog::musical_key::pitch_name, model::Feature};

/// Each filter in force, as a phrase that follows "tracks", in the order of the form.
/// Empty when the search is among the whole catalog.
pub fn in_words(settings: &MatchSettings) -> Vec<String> {
    let f = &settings.filters;
    let a = &f.attributes;
    let mut words = Vec::new();
    let mut step = |on: bool, step: FilterStep| {
        if on {
            words.push(describe(step, settings));
        }
    };
    step(!f.genres.is_empty(), FilterStep::Genres);
    step(
        f.year_from.is_some() || f.year_to.is_some(),
        FilterStep::Years,
    );
    step(f.min_popularity.is_some(), FilterStep::MinPopularity);
    step(f.exclude_explicit, FilterStep::NoExplicit);
    step(f.ranges.values().any(|r| !r.is_open()), FilterStep::Ranges);
    let tempo_ranged = f.ranges.get(&Feature::Tempo).is_some_and(|r| !r.is_open());
    if a.half_double && tempo_ranged {
        words.push("counting half and double tempo".to_string());
    }
    if let Some(key) = a.mixes_with {
        words.push(format!(
            "in keys that mix with {} ({})",
            key.camelot(),
            key.name()
        ));
    }
    if let Some(keys) = keys_in_words(&a.key) {
        words.push(keys);
    }
    match a.mode {
        Some(1) => words.push("in a major key".to_string()),
        Some(0) => words.push("in a minor key".to_string()),
        _ => {}
    }
    if let Some(beats) = bounds_in_words(&a.time_signature, |b| Some(b.to_string())) {
        words.push(format!("with {beats} beats per bar"));
    }
    // A shortest length of 0:00 leaves every track in ("lasting at least 0:00").
    let duration = Bounds {
        min: a.duration.min.filter(|&s| s > 0),
        max: a.duration.max,
    };
    if let Some(seconds) = bounds_in_words(&duration, |s| Some(minutes_and_seconds(s))) {
        words.push(format!("lasting {seconds}"));
    }
    if let Some(most) = f.max_per_artist {
        let noun = if most == 1 { "track" } else { "tracks" };
        words.push(format!("with at most {most} {noun} per artist"));
    }
    words
}

/// A key range as a reader says it: keys run C to B, so an open end is the scale's end
/// ("in keys F–B", not "in keys at least F"), one key is "in the key of D" (not "in
/// keys D"), and C to B, which leaves every key in, is no filter to name.
pub(super) fn keys_in_words(bounds: &Bounds) -> Option<String> {
    let (lo, hi) = (bounds.min.unwrap_or(0), bounds.max.unwrap_or(11));
    if bounds.min.is_none() && bounds.max.is_none() || (lo <= 0 && hi >= 11) {
        return None;
    }
    if lo == hi {
        return Some(format!("in the key of {}", pitch_name(lo)?));
    }
    Some(format!("in keys {}–{}", pitch_name(lo)?, pitch_name(hi)?))
}

/// "C–E", "at least 3", "at most 4:00", "3" (both bounds equal); `None` for open bounds
/// or a value `name` has no words for.
fn bounds_in_words(bounds: &Bounds, name: impl Fn(i64) -> Option<String>) -> Option<String> {
    match (bounds.min, bounds.max) {
        (Some(lo), Some(hi)) if lo == hi => name(lo),
        (Some(lo), Some(hi)) => Some(format!("{}–{}", name(lo)?, name(hi)?)),
        (Some(lo), None) => Some(format!("at least {}", name(lo)?)),
        (None, Some(hi)) => Some(format!("at most {}", name(hi)?)),
        (None, None) => None,
    }
}

/// "3:05" for 185 seconds, as durations are read.
pub(super) fn minutes_and_seconds(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::musical_key::MusicalKey;
    use crate::matching::settings::FeatureRange;

    #[test]
    fn no_filter_has_no_words() {
        assert!(in_words(&MatchSettings::default()).is_empty());
    }

    #[test]
    fn every_filter_in_force_is_named_in_the_form_order() {
        let mut s = MatchSettings::default();
        let f = &mut s.filters;
        f.genres.insert("rock".into());
        f.year_from = Some(1990);
        f.min_popularity = Some(40);
        f.exclude_explicit = true;
        f.ranges.insert(
            Feature::Tempo,
            FeatureRange {
                min: Some(120.0),
                max: Some(130.0),
            },
        );
        f.attributes.half_double = true;
        f.attributes.mixes_with = MusicalKey::parse_camelot("8A");
        f.attributes.key = Bounds {
            min: Some(0),
            max: Some(4),
        };
        f.attributes.mode = Some(1);
        f.attributes.time_signature = Bounds {
            min: Some(4),
            max: Some(4),
        };
        f.attributes.duration = Bounds {
            min: None,
            max: Some(245),
        };
        f.max_per_artist = Some(1);
        assert_eq!(
            in_words(&s),
            [
                "in genre rock",
                "from 1990 on",
                "with popularity of at least 40",
                "not marked explicit",
                "with tempo from 120 to 130 BPM",
                "counting half and double tempo",
                "in keys that mix with 8A (A minor)",
                "in keys C–E",
                "in a major key",
                "with 4 beats per bar",
                "lasting at most 4:05",
                "with at most 1 track per artist",
            ]
        );
    }

    /// Keys run C to B: an open end is the scale's end, one key is "the key of", the
    /// whole scale and a shortest length of 0:00 are no filters ("in keys at least F",
    /// "in keys D", "in keys C–B", "lasting at least 0:00" had been said).
    #[test]
    fn keys_and_lengths_are_said_as_a_reader_says_them() {
        let said = |key: (Option<i64>, Option<i64>), duration: (Option<i64>, Option<i64>)| {
            let mut s = MatchSettings::default();
            s.filters.attributes.key = Bounds {
                min: key.0,
                max: key.1,
            };
            s.filters.attributes.duration = Bounds {
                min: duration.0,
                max: duration.1,
            };
            in_words(&s)
        };
        assert_eq!(said((Some(5), None), (None, None)), ["in keys F–B"]);
        assert_eq!(said((None, Some(4)), (None, None)), ["in keys C–E"]);
        assert_eq!(said((Some(2), Some(2)), (None, None)), ["in the key of D"]);
        assert!(said((Some(0), Some(11)), (None, None)).is_empty());
        assert!(said((None, None), (Some(0), None)).is_empty());
        assert_eq!(
            said((None, None), (Some(0), Some(240))),
            ["lasting at most 4:00"]
        );
    }

    #[test]
    fn half_and_double_tempo_is_named_only_with_a_tempo_range() {
        let mut s = MatchSettings::default();
        s.filters.attributes.half_double = true;
        assert!(in_words(&s).is_empty());
    }
}
