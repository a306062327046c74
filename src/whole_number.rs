//! Whole numbers as people and programs write them: `5`, and also `5.0` or `5e0`,
//! since pandas writes an integer column that has gaps as floats and a script passes
//! such a row's values on. A fraction (`5.5`), an infinity or a value beyond what an
//! `f64` holds exactly is not a whole number.

/// Past this an `f64` no longer holds every whole number (2^53 is about 9.007e15).
const EXACT_LIMIT: f64 = 9.0e15;

/// `text` (trimmed) as a whole number, if it is one.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(value) = text.parse::<i64>() {
        return Some(value);
    }
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value.fract() == 0.0 && value.abs() < EXACT_LIMIT).then_some(value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_however_written() {
        for (text, want) in [
            ("5", Some(5)),
            (" -12 ", Some(-12)),
            ("5.0", Some(5)),
            ("2000.000", Some(2000)),
            ("1e3", Some(1000)),
            ("-0.0", Some(0)),
            ("9223372036854775807", Some(i64::MAX)),
            ("5.5", None),
            ("1e20", None),
            ("inf", None),
            ("NaN", None),
            ("", None),
            ("five", None),
        ] {
            assert_eq!(parse(text), want, "{text:?}");
        }
    }
}
