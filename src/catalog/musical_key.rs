//! A track's key for people who mix: its name ("C♯ minor"), its Camelot code ("12A"),
//! and which keys mix with it. Key is a pitch class and mode a flag, so they are
//! compared by compatibility on the Camelot wheel, never by distance (DESIGN §5).
//!
//! The wheel: numbers 1–12 go round the circle of fifths (one step = a fifth, so
//! neighbours share six of seven notes); `A` is minor, `B` major; 8B is C major and
//! 8A its relative minor, A minor. A key "mixes with" itself, its two neighbours on the
//! same ring (±1) and its relative major or minor (same number, other letter).

use std::fmt;

/// Pitch-class names, C = 0 (sharps, as Spotify's key numbers are usually shown).
const NAMES: [&str; 12] = [
    "C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B",
];

/// Camelot number of each pitch class in major (B ring); minor is this key's relative
/// major's number (A ring).
const MAJOR_NUMBER: [u8; 12] = [8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1];

/// A key with its mode: what the Camelot wheel places.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct MusicalKey {
    /// Pitch class 0..=11 (C = 0).
    pub pitch: u8,
    pub major: bool,
}

impl MusicalKey {
    /// From a track's key (pitch class, -1 or anything else = unknown) and mode
    /// (1 major, 0 minor).
    pub fn of(key: Option<i32>, mode: Option<i32>) -> Option<MusicalKey> {
        let pitch = u8::try_from(key?).ok().filter(|p| *p < 12)?;
        let major = match mode? {
            1 => true,
            0 => false,
            _ => return None,
        };
        Some(MusicalKey { pitch, major })
    }

    /// "C♯ minor", "G major".
    pub fn name(self) -> String {
        format!(
            "{} {}",
            NAMES[usize::from(self.pitch)],
            if self.major { "major" } else { "minor" }
        )
    }

    /// The Camelot number, 1..=12.
    pub fn camelot_number(self) -> u8 {
        if self.major {
            MAJOR_NUMBER[usize::from(self.pitch)]
        } else {
            // A minor key's relative major is three semitones up.
            MAJOR_NUMBER[usize::from((self.pitch + 3) % 12)]
        }
    }

    /// "12A", "8B".
    pub fn camelot(self) -> String {
        format!(
            "{}{}",
            self.camelot_number(),
            if self.major { 'B' } else { 'A' }
        )
    }

    /// The key at a Camelot number and ring.
    pub fn from_camelot_parts(number: u8, major: bool) -> Option<MusicalKey> {
        let pitch = MAJOR_NUMBER.iter().position(|&n| n == number)? as u8;
        Some(if major {
            MusicalKey { pitch, major }
        } else {
            // The relative minor is three semitones below the major.
            MusicalKey {
                pitch: (pitch + 9) % 12,
                major,
            }
        })
    }

    /// Reads a Camelot code ("8A", "12b", " 3B ").
    pub fn parse_camelot(text: &str) -> Option<MusicalKey> {
        let text = text.trim();
        let letter = text.chars().last()?;
        let number = &text[..text.len() - letter.len_utf8()];
        let major = match letter {
            'A' | 'a' => false,
            'B' | 'b' => true,
            _ => return None,
        };
        let number: u8 = number.trim().parse().ok()?;
        MusicalKey::from_camelot_parts(number, major)
    }

    /// Every key of the wheel, in Camelot order (1A, 1B, 2A, …), for a picker.
    pub fn wheel() -> Vec<MusicalKey> {
        (1..=12)
            .flat_map(|n| [false, true].map(|major| MusicalKey::from_camelot_parts(n, major)))
            .flatten()
            .collect()
    }

    /// Whether a track in `other` mixes with this key: the same key, ±1 on the same
    /// ring, or the relative major/minor.
    pub fn mixes_with(self, other: MusicalKey) -> bool {
        let (a, b) = (self.camelot_number(), other.camelot_number());
        if self.major == other.major {
            let step = (12 + a - b) % 12;
            step == 0 || step == 1 || step == 11
        } else {
            a == b
        }
    }

    /// The keys that mix with this one, itself first.
    pub fn mixing_keys(self) -> Vec<MusicalKey> {
        let mut keys = vec![self];
        keys.extend(
            MusicalKey::wheel()
                .into_iter()
                .filter(|k| *k != self && self.mixes_with(*k)),
        );
        keys
    }
}

impl fmt::Display for MusicalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.camelot())
    }
}

/// The name of a pitch class alone ("F♯"), for a key range; `None` outside 0..=11.
pub fn pitch_name(pitch: i64) -> Option<&'static str> {
    usize::try_from(pitch)
        .ok()
        .and_then(|p| NAMES.get(p))
        .copied()
}

/// Whether a tempo fits a BPM range, counting half and double time when asked: a 70
/// BPM track fits a 140 BPM set.
pub fn tempo_fits(tempo: f64, min: f64, max: f64, half_and_double: bool) -> bool {
    let fits = |t: f64| t >= min && t <= max;
    fits(tempo) || (half_and_double && (fits(tempo * 2.0) || fits(tempo / 2.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(camelot: &str) -> MusicalKey {
        MusicalKey::parse_camelot(camelot).unwrap()
    }

    #[test]
    fn names_and_camelot_codes_match_the_wheel() {
        // Spotify: key 1 = C♯/D♭, mode 0 = minor. C♯ minor is 12A.
        let cs_minor = MusicalKey::of(Some(1), Some(0)).unwrap();
        assert_eq!(cs_minor.name(), "C♯ minor");
        assert_eq!(cs_minor.camelot(), "12A");
        let cases = [
            (0, 1, "8B"),  // C major
            (9, 0, "8A"),  // A minor
            (7, 1, "9B"),  // G major
            (4, 0, "9A"),  // E minor
            (11, 1, "1B"), // B major
            (8, 0, "1A"),  // G♯ minor
            (5, 1, "7B"),  // F major
            (2, 0, "7A"),  // D minor
            (4, 1, "12B"), // E major
        ];
        for (pitch, mode, code) in cases {
            let k = MusicalKey::of(Some(pitch), Some(mode)).unwrap();
            assert_eq!(k.camelot(), code, "{}", k.name());
            assert_eq!(MusicalKey::parse_camelot(code), Some(k));
        }
        assert_eq!(MusicalKey::wheel().len(), 24);
        for k in MusicalKey::wheel() {
            assert_eq!(MusicalKey::parse_camelot(&k.camelot()), Some(k));
        }
    }

    #[test]
    fn unknown_keys_and_bad_codes_are_none() {
        assert_eq!(MusicalKey::of(Some(-1), Some(1)), None);
        assert_eq!(MusicalKey::of(Some(12), Some(1)), None);
        assert_eq!(MusicalKey::of(Some(3), None), None);
        assert_eq!(MusicalKey::of(Some(3), Some(2)), None);
        for bad in ["", "A", "13A", "0B", "8C", "8", "x8A", "-1A", "8AA", "é"] {
            assert_eq!(MusicalKey::parse_camelot(bad), None, "{bad}");
        }
        assert_eq!(MusicalKey::parse_camelot(" 8a "), Some(key("8A")));
    }

    #[test]
    fn mixes_with_same_neighbours_and_relative() {
        let k = key("8A");
        let mixing: Vec<String> = k.mixing_keys().iter().map(|k| k.camelot()).collect();
        assert_eq!(mixing, vec!["8A", "7A", "8B", "9A"]);
        assert!(key("12A").mixes_with(key("1A")), "the wheel wraps");
        assert!(key("1B").mixes_with(key("12B")));
        assert!(!key("8A").mixes_with(key("9B")));
        assert!(!key("8A").mixes_with(key("10A")));
    }

    #[test]
    fn half_and_double_time_count_when_asked() {
        assert!(tempo_fits(70.0, 138.0, 142.0, true));
        assert!(!tempo_fits(70.0, 138.0, 142.0, false));
        assert!(tempo_fits(280.0, 138.0, 142.0, true));
        assert!(tempo_fits(140.0, 138.0, 142.0, false));
        assert!(!tempo_fits(100.0, 138.0, 142.0, true));
    }
}
