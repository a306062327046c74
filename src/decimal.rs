//! Numbers as people read them: a fixed number of decimals, written the way
//! `format!("{value:.N}")` writes them, without its cost.
//!
//! A live perfect-song answer writes about 150 such numbers (values, differences, bar
//! widths, scores); through `core::fmt` each took a `String` and an exact decimal
//! expansion, together about a tenth of the answer's CPU time. Here a number that is not
//! close to a rounding tie is scaled, rounded and written as digits into a small buffer
//! on the stack; the rest (ties, huge or non-finite values) go through `core::fmt`, so
//! the text is always the same as `format!`'s.

use std::fmt::{self, Write as _};

/// Most decimals the fast path writes (10^9 and the values shown stay far below 2^53).
const MAX_FAST_DECIMALS: usize = 9;
/// Scaled values from here on go through `core::fmt`: an `f64` holds integers exactly
/// only up to 2^53.
const MAX_FAST_SCALED: f64 = 9_007_199_254_740_992.0;
/// How close to a tie (x.5 after scaling) a value may come before the exact expansion
/// decides: `f64` scaling can move a value across a tie by far less than this.
const TIE_MARGIN: f64 = 1e-6;

/// Inline room: a sign, 16 integer digits, a point, 9 decimals and a short unit.
const CAPACITY: usize = 40;

/// A short text built without allocating (or, past `CAPACITY`, in a `String`).
#[derive(Clone)]
pub struct Decimal {
    bytes: [u8; CAPACITY],
    len: usize,
    spilled: Option<String>,
}

impl Decimal {
    fn new() -> Decimal {
        Decimal {
            bytes: [0; CAPACITY],
            len: 0,
            spilled: None,
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.spilled {
            Some(text) => text,
            // Only ASCII digits, signs, points and the caller's `&str`s are written.
            None => std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default(),
        }
    }

    /// The text followed by `unit` (such as " BPM").
    pub fn with(mut self, unit: &str) -> Decimal {
        self.push_str(unit);
        self
    }

    fn push_str(&mut self, text: &str) {
        if let Some(spilled) = &mut self.spilled {
            spilled.push_str(text);
        } else if self.len + text.len() <= CAPACITY {
            self.bytes[self.len..self.len + text.len()].copy_from_slice(text.as_bytes());
            self.len += text.len();
        } else {
            let mut spilled = self.as_str().to_string();
            spilled.push_str(text);
            self.spilled = Some(spilled);
        }
    }
}

impl fmt::Write for Decimal {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push_str(text);
        Ok(())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Decimal {
    fn from(text: &str) -> Decimal {
        Decimal::new().with(text)
    }
}

impl PartialEq<&str> for Decimal {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `value` with `decimals` digits after the point: the text of
/// `format!("{value:.decimals$}")`.
pub fn fixed(value: f64, decimals: usize) -> Decimal {
    let mut out = Decimal::new();
    if !write_fast(&mut out, value, decimals) {
        let _ = write!(out, "{value:.decimals$}");
    }
    out
}

/// Writes `value` when no tie, size or special value needs the exact expansion.
fn write_fast(out: &mut Decimal, value: f64, decimals: usize) -> bool {
    if !value.is_finite() || decimals > MAX_FAST_DECIMALS {
        return false;
    }
    let scale = 10u64.pow(decimals as u32);
    let scaled = value.abs() * scale as f64;
    if scaled >= MAX_FAST_SCALED || ((scaled - scaled.floor()) - 0.5).abs() < TIE_MARGIN {
        return false;
    }
    let n = scaled.round() as u64;
    // `format!` keeps the sign of a negative value that rounds to zero ("-0.000").
    if value.is_sign_negative() {
        out.push_str("-");
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n / scale;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    if decimals > 0 {
        out.push_str(".");
        let mut fraction = n % scale;
        let mut places = [b'0'; MAX_FAST_DECIMALS];
        for slot in places[..decimals].iter_mut().rev() {
            *slot = b'0' + (fraction % 10) as u8;
            fraction /= 10;
        }
        out.push_str(std::str::from_utf8(&places[..decimals]).unwrap_or_default());
    }
    true
}

/// A whole number with its thousands grouped: 1234567 -> "1,234,567". Used for every
/// count shown to people (pages, suggestions, the import's summary).
pub fn format_count(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A count and its noun, grouped and in the plural unless it is one: "1 track",
/// "5,507 tracks", "0 artists".
pub fn counted(n: impl Into<i128>, noun: &str) -> String {
    let n: i128 = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", format_count(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_format(value: f64, decimals: usize) {
        assert_eq!(
            fixed(value, decimals).as_str(),
            format!("{value:.decimals$}"),
            "{value:?} with {decimals} decimals"
        );
    }

    #[test]
    fn writes_what_format_writes() {
        let specials = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.25,
            0.35,
            0.0625,
            0.0005,
            -0.0001,
            0.9995,
            0.99949,
            119.5,
            120.49,
            -7.05,
            -60.0,
            1e15,
            1e20,
            -1e300,
            4.0e-320,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for value in specials {
            for decimals in 0..=12 {
                same_as_format(value, decimals);
            }
        }
        // Values as the catalog holds them (three or four decimals, tempos, dB), and
        // their differences and scaled percentages.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let value = match state % 5 {
                0 => (unit * 1000.0).round() / 1000.0,
                1 => unit * 250.0,
                2 => -60.0 + unit * 60.0,
                3 => (unit - 0.5) * 2.0,
                _ => unit * 100.0,
            };
            same_as_format(value, (state % 4) as usize);
        }
    }

    #[test]
    fn long_texts_spill_into_a_string() {
        let mut text = fixed(123.456, 1);
        text.push_str(" BPM");
        assert_eq!(text, "123.5 BPM");
        text.push_str(&"x".repeat(60));
        assert_eq!(text.as_str().len(), "123.5 BPM".len() + 60);
        assert!(text.as_str().starts_with("123.5 BPM"));
    }

    #[test]
    fn counts_group_their_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000u64), "1,000");
        assert_eq!(format_count(1_234_567i64), "1,234,567");
        assert_eq!(format_count(-1_234i64), "-1,234");
        assert_eq!(format_count(u64::MAX), "18,446,744,073,709,551,615");
    }
}
