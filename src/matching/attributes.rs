//! Filters on what the index does not hold: duration, key, mode and time signature as
//! ranges, "mixes with" a key on the Camelot wheel, and a tempo range that counts half
//! and double time. They are applied through `FeatureIndex::search_where`'s `keep`
//! with each track's `TrackFact`, so the search stays exact.

use serde::{Deserialize, Serialize};

use super::{error::MatchError, keys, settings::FeatureRange};
use crate::catalog::{
    facts::TrackFact,
    musical_key::{pitch_name, tempo_fits, MusicalKey},
};

/// Inclusive bounds on a whole-number attribute; `None` leaves that side open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Bounds {
    pub fn is_open(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    /// Whether a known value lies within; an unknown value passes only open bounds.
    pub fn admits(&self, value: Option<i64>) -> bool {
        if self.is_open() {
            return true;
        }
        value.is_some_and(|v| self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m))
    }
}

/// The attributes, and what each accepts (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    /// In seconds on the page (the table holds milliseconds).
    Duration,
    /// Pitch class, 0 (C) to 11 (B).
    Key,
    TimeSignature,
}

impl Attribute {
    pub const ALL: [Attribute; 3] = [
        Attribute::Duration,
        Attribute::Key,
        Attribute::TimeSignature,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Attribute::Duration => "duration",
            Attribute::Key => "key",
            Attribute::TimeSignature => "time_signature",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Attribute::Duration => "Duration (seconds)",
            Attribute::Key => "Key (pitch class, 0 = C … 11 = B)",
            Attribute::TimeSignature => "Time signature (beats per bar)",
        }
    }

    pub fn range(self) -> (i64, i64) {
        match self {
            Attribute::Duration => (0, 24 * 3600),
            Attribute::Key => (0, 11),
            Attribute::TimeSignature => (
                1,
                i64::from(crate::catalog::import::value::MAX_TIME_SIGNATURE),
            ),
        }
    }

    /// What a two-handle slider over the range spans, where it is less than `range`:
    /// a duration's handles over a whole day put every song in its first 2 pixels, so
    /// they span 15 minutes (a handle at the end is no limit; a longer one is typed).
    pub fn slider_range(self) -> (i64, i64) {
        match self {
            Attribute::Duration => (0, 15 * 60),
            other => other.range(),
        }
    }

    pub fn from_key(key: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.key() == key)
    }

    fn of(self, fact: &TrackFact) -> Option<i64> {
        match self {
            // Rounded down to whole seconds, as the field reads.
            Attribute::Duration => fact.duration_ms.map(|ms| i64::from(ms) / 1000),
            Attribute::Key => fact.key.map(i64::from).filter(|k| (0..12).contains(k)),
            Attribute::TimeSignature => fact.time_signature.map(i64::from),
        }
    }
}

/// A label inside a sentence: its first letter in lower case, the rest as it is ("key
/// (pitch class, 0 = C … 11 = B)"; lower-casing it all wrote the notes "c" and "b").
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The filters the index does not hold. All default to "no filter".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeFilters {
    pub duration: Bounds,
    pub key: Bounds,
    pub time_signature: Bounds,
    /// 1 major, 0 minor.
    pub mode: Option<u8>,
    /// Only keys that mix with this one (see `MusicalKey::mixes_with`).
    pub mixes_with: Option<MusicalKey>,
    /// The tempo range (the settings' `min_tempo`/`max_tempo`) also admits tracks at
    /// half or double the tempo.
    pub half_double: bool,
}

impl AttributeFilters {
    pub fn is_default(&self) -> bool {
        *self == AttributeFilters::default()
    }

    pub fn bounds(&self, a: Attribute) -> &Bounds {
        match a {
            Attribute::Duration => &self.duration,
            Attribute::Key => &self.key,
            Attribute::TimeSignature => &self.time_signature,
        }
    }

    pub fn bounds_mut(&mut self, a: Attribute) -> &mut Bounds {
        match a {
            Attribute::Duration => &mut self.duration,
            Attribute::Key => &mut self.key,
            Attribute::TimeSignature => &mut self.time_signature,
        }
    }

    /// Whether the filters need each track's facts at all (else `keep` can skip them).
    pub fn needs_facts(&self, tempo: Option<&FeatureRange>) -> bool {
        !(Attribute::ALL.iter().all(|a| self.bounds(*a).is_open())
            && self.mode.is_none()
            && self.mixes_with.is_none()
            && !(self.half_double && tempo.is_some()))
    }

    /// Whether a track passes. `tempo` is the settings' tempo range, which the index
    /// checks itself unless half and double time count (`half_double`): then the
    /// caller takes it out of the index's ranges and it is checked here.
    pub fn admits(&self, fact: &TrackFact, tempo: Option<&FeatureRange>) -> bool {
        if !Attribute::ALL
            .iter()
            .all(|&a| self.bounds(a).admits(a.of(fact)))
        {
            return false;
        }
        if let Some(mode) = self.mode {
            if fact.mode != Some(i32::from(mode)) {
                return false;
            }
        }
        if let Some(wanted) = self.mixes_with {
            if !fact.musical_key().is_some_and(|k| wanted.mixes_with(k)) {
                return false;
            }
        }
        if self.half_double {
            if let Some(range) = tempo {
                let min = range.min.unwrap_or(f64::NEG_INFINITY);
                let max = range.max.unwrap_or(f64::INFINITY);
                if !tempo_fits(fact.tempo, min, max, true) {
                    return false;
                }
            }
        }
        true
    }

    /// The filters in words, for a message ("lasting at least 5:00, in a minor key"); `None` when there are none. `tempo` as for `admits`.
    pub fn describe(&self, tempo: Option<&FeatureRange>) -> Option<String> {
        let range = |b: &Bounds, name: &dyn Fn(i64) -> String| match (b.min, b.max) {
            (Some(a), Some(z)) if a == z => Some(name(a)),
            (Some(a), Some(z)) => Some(format!("{}–{}", name(a), name(z))),
            (Some(a), None) => Some(format!("at least {}", name(a))),
            (None, Some(z)) => Some(format!("at most {}", name(z))),
            (None, None) => None,
        };
        let mut parts = Vec::new();
        // As the filter sentence above the answer writes it (`filter_words`): the no-match
        // message had said "3600 seconds" under "lasting at least 60:00".
        if let Some(d) = range(&self.duration, &super::filter_words::minutes_and_seconds) {
            parts.push(format!("lasting {d}"));
        }
        if let Some(keys) = super::filter_words::keys_in_words(&self.key) {
            parts.push(keys);
        }
        if let Some(mode) = self.mode {
            parts.push(
                if mode == 1 {
                    "in a major key"
                } else {
                    "in a minor key"
                }
                .to_string(),
            );
        }
        if let Some(t) = range(&self.time_signature, &|s| s.to_string()) {
            parts.push(format!("with {t} beats per bar"));
        }
        if let Some(key) = self.mixes_with {
            parts.push(format!("in a key that mixes with {}", key.camelot()));
        }
        if let (true, Some(r)) = (self.half_double, tempo) {
            let bpm = |v: Option<f64>| v.map(|v| v.to_string());
            let span = match (bpm(r.min), bpm(r.max)) {
                (Some(a), Some(z)) => format!("{a}–{z}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(z)) => format!("at most {z}"),
                (None, None) => String::new(),
            };
            if !span.is_empty() {
                parts.push(format!("at {span} BPM, or half or double that"));
            }
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// Problems with the bounds: out of range or backwards.
    pub fn check(&self, errors: &mut Vec<MatchError>) {
        for a in Attribute::ALL {
            let b = self.bounds(a);
            let (lo, hi) = a.range();
            for (side, value) in [("min", b.min), ("max", b.max)] {
                if let Some(v) = value.filter(|v| *v < lo || *v > hi) {
                    errors.push(MatchError::Field {
                        field: format!("{side}_{}", a.key()),
                        message: format!("{} must be between {lo} and {hi}, not {v}.", a.label()),
                    });
                }
            }
            if let (Some(min), Some(max)) = (b.min, b.max) {
                if min > max {
                    // A key range is chosen by name (the page's lists), so it is said
                    // by name: "F is above D", not "5 is above 2".
                    let message = match (a, pitch_name(min), pitch_name(max)) {
                        (Attribute::Key, Some(lo), Some(hi)) => format!(
                            "The key range runs backwards: {lo} comes after {hi} (keys run from C to B)."
                        ),
                        _ => format!(
                            "The range of {} runs backwards: {min} is above {max}.",
                            lower_first(a.label())
                        ),
                    };
                    errors.push(MatchError::Field {
                        field: format!("max_{}", a.key()),
                        message,
                    });
                }
            }
        }
        if self.mode.is_some_and(|m| m > 1) {
            errors.push(MatchError::Field {
                field: keys::MODE.into(),
                message: "Mode is major or minor.".into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(key: Option<i32>, mode: Option<i32>, tempo: f64, seconds: i32) -> TrackFact {
        TrackFact {
            id: 1,
            key,
            mode,
            time_signature: Some(4),
            duration_ms: Some(seconds * 1000 + 400),
            tempo,
            song: 0,
        }
    }

    #[test]
    fn every_filter_leaves_out_what_it_should() {
        let a_minor = fact(Some(9), Some(0), 70.0, 200);
        let none = AttributeFilters::default();
        assert!(!none.needs_facts(None));
        assert!(none.admits(&a_minor, None));

        let mut f = AttributeFilters {
            mixes_with: MusicalKey::parse_camelot("9A"), // E minor: 8A mixes
            ..Default::default()
        };
        assert!(f.admits(&a_minor, None));
        f.mixes_with = MusicalKey::parse_camelot("10A");
        assert!(!f.admits(&a_minor, None));
        assert!(
            !f.admits(&fact(None, Some(0), 70.0, 200), None),
            "unknown key"
        );

        let tempo = FeatureRange {
            min: Some(138.0),
            max: Some(142.0),
        };
        let f = AttributeFilters {
            half_double: true,
            ..Default::default()
        };
        assert!(f.needs_facts(Some(&tempo)));
        assert!(!f.needs_facts(None));
        assert!(f.admits(&a_minor, Some(&tempo)), "70 is half of 140");
        assert!(!f.admits(&fact(Some(9), Some(0), 100.0, 200), Some(&tempo)));

        let f = AttributeFilters {
            duration: Bounds {
                min: Some(180),
                max: Some(200),
            },
            mode: Some(0),
            key: Bounds {
                min: Some(9),
                max: None,
            },
            ..Default::default()
        };
        assert!(f.admits(&a_minor, None), "200.4 s reads as 200");
        assert!(!f.admits(&fact(Some(9), Some(1), 70.0, 200), None), "major");
        assert!(
            !f.admits(&fact(Some(2), Some(0), 70.0, 200), None),
            "key below 9"
        );
        assert!(
            !f.admits(&fact(Some(9), Some(0), 70.0, 201), None),
            "too long"
        );
    }

    #[test]
    fn bad_bounds_are_reported_on_their_field() {
        let f = AttributeFilters {
            key: Bounds {
                min: Some(12),
                max: Some(3),
            },
            time_signature: Bounds {
                min: Some(7),
                max: Some(3),
            },
            ..Default::default()
        };
        let mut errors = Vec::new();
        f.check(&mut errors);
        let fields: Vec<String> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec!["min_key", "max_key", "max_time_signature"]);
        // The notes keep their capitals inside the sentence.
        assert_eq!(
            errors[1].to_string(),
            "The range of key (pitch class, 0 = C … 11 = B) runs backwards: 12 is above 3."
        );
        // Keys that have names are said by name, as the page's lists show them.
        let named = AttributeFilters {
            key: Bounds {
                min: Some(5),
                max: Some(2),
            },
            ..Default::default()
        };
        let mut errors = Vec::new();
        named.check(&mut errors);
        assert_eq!(
            errors[0].to_string(),
            "The key range runs backwards: F comes after D (keys run from C to B)."
        );
    }
}
