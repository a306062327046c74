//! The one query-string parser every feature uses: reading repeated keys, validating
//! page numbers with a clear message, and building URLs that round-trip any value.

use crate::error::AppError;
use crate::typed_name::is_direction_control;

/// Raw `key=value` pairs, in order (keys may repeat).
pub type Pairs = Vec<(String, String)>;

/// The hidden field of a sort form naming the key the page was sorted by when shown
/// (`QueryPairs::sort_dir`).
pub const SHOWN_SORT: &str = "shown_sort";

/// The hidden field beside [`SHOWN_SORT`] naming the order the page was shown in
/// (`asc` or `desc`): an "Order" the user changed along with "Sort by" is theirs.
pub const SHOWN_DIR: &str = "shown_dir";

/// The raw `key=value` pairs of a query string, in order, percent-decoded.
pub struct QueryPairs(pub Pairs);

impl QueryPairs {
    /// For a page: a control character (but a tab or a line break) in a name or a
    /// value becomes U+FFFD, since HTML cannot carry one and every page shows what it
    /// read somewhere (a field, a message, a hidden input); the value stays as wrong
    /// as it was, and says so. A character that overrides the text's direction
    /// (`typed_name::is_direction_control`) is dropped: shown back, it turned the
    /// page's own words after it backwards ("No genre matches “.erneg yreve wohS"),
    /// and no name in the catalog holds one (the import drops them too).
    pub fn parse(query: Option<&str>) -> QueryPairs {
        let mut pairs = QueryPairs::parse_exact(query);
        for (name, value) in &mut pairs.0 {
            for text in [name, value] {
                // Bytes first: every control character is below 0x20, 0x7F or, in
                // UTF-8, starts with 0xC2 (U+0080 to U+009F); a direction control
                // starts with 0xE2. This runs on every query of every page, the live
                // answers' included.
                let suspect = text
                    .bytes()
                    .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2);
                if suspect
                    && text
                        .chars()
                        .any(|c| is_unshowable(c) || is_direction_control(c))
                {
                    *text = showable(&text.replace(is_direction_control, ""));
                }
            }
        }
        pairs
    }

    /// The pairs as sent, for the API, which refuses control characters itself.
    pub fn parse_exact(query: Option<&str>) -> QueryPairs {
        QueryPairs(
            query
                .map(|q| {
                    q.split('&')
                        .filter(|p| !p.is_empty())
                        .map(split_pair)
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// Every value of a repeated key, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of a key (a later value overrides an earlier one).
    pub fn last(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The `dir` a sort form sent, unless the form's "Sort by" changed since the page
    /// showed it (`SHOWN_SORT`, a hidden field of the form) and its "Order" did not
    /// (`SHOWN_DIR`): a new key starts in its usual order, as a column header's link
    /// does. Sending the old `dir` with it turned "Name" after "Tracks, highest first"
    /// into Z to A; an "Order" changed with it is the user's choice, and had been
    /// dropped ("Year" and "Ascending" together gave newest first).
    pub fn sort_dir(&self) -> Option<&str> {
        let dir = self.last("dir");
        match self.last(SHOWN_SORT) {
            Some(shown) if Some(shown) != self.last("sort") => match self.last(SHOWN_DIR) {
                Some(was) if dir.is_some_and(|dir| dir != was) => dir,
                _ => None,
            },
            _ => dir,
        }
    }

    /// The last value of a key that a page shows back as typed text (a search, a
    /// name): without control characters, which no one types into a field and which
    /// HTML cannot carry (a NUL went into the title, the field and the message).
    pub fn text(&self, key: &str) -> Option<String> {
        self.last(key).map(without_controls)
    }

    /// Every value of a repeated key, as [`QueryPairs::text`] gives one.
    pub fn all_text(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| without_controls(v))
            .collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

/// A character a page cannot show back: a control character other than a tab or a
/// line break.
pub fn is_unshowable(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` with what a page cannot show replaced by U+FFFD (a path segment: a genre's
/// name in its address). A direction control too: the page says the segment is not a
/// name it knows, and dropped, it read as a name it does ("No genre called “rock”").
pub fn showable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_unshowable(c) || is_direction_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The text without control characters, nor the U+FFFD that `parse` put for them or
/// for bytes that were not UTF-8 (a tab becomes a space).
fn without_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\u{FFFD}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

fn split_pair(pair: &str) -> (String, String) {
    match pair.split_once('=') {
        Some((k, v)) => (decode(k), decode(v)),
        None => (decode(pair), String::new()),
    }
}

/// One hexadecimal digit's value. (`u8::from_str_radix` takes a leading sign, and had
/// read `%+0` as a NUL byte.)
fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).map(|d| d as u8)
}

/// application/x-www-form-urlencoded decoding: `+` is a space, `%XX` a byte; invalid
/// escapes are kept as typed and invalid UTF-8 is replaced, never rejected.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2]))
            {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `path?k=v&k2=v2` from pairs, encoded; just `path` without pairs.
pub fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// A 1-based page number; absent means the first page.
pub fn page_number(value: Option<&str>) -> Result<u32, AppError> {
    match value {
        None | Some("") => Ok(1),
        Some(text) => match text.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(AppError::BadRequest(format!(
                "“{text}” is not a page number. Pages are numbered from 1."
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_urls() {
        for name in [
            "Beyoncé",
            "AC/DC",
            "Simon & Garfunkel",
            "50% off+",
            "周杰倫",
            "a=b",
        ] {
            let u = url("/x", &[("artist", name), ("artist", "")]);
            let pairs = QueryPairs::parse(u.split_once('?').map(|(_, q)| q));
            assert_eq!(
                pairs.all("artist"),
                vec![name.to_string(), String::new()],
                "{u}"
            );
        }
    }

    /// A direction override in what a page shows back would turn the page's own words
    /// after it backwards: dropped, from values, names and path segments alike.
    #[test]
    fn direction_controls_are_dropped_from_what_pages_show() {
        let pairs = QueryPairs::parse(Some("q=%E2%80%AEabc&x%E2%81%A6=1&plain=caf%C3%A9%E2%80%93"));
        assert_eq!(pairs.text("q").as_deref(), Some("abc"));
        assert_eq!(pairs.last("x"), Some("1"));
        assert_eq!(pairs.text("plain").as_deref(), Some("café–"));
        assert_eq!(showable("\u{202E}rock\u{1}"), "\u{FFFD}rock\u{FFFD}");
        // The API reads the query as sent, and refuses what it must itself.
        let exact = QueryPairs::parse_exact(Some("q=%E2%80%AEabc"));
        assert_eq!(exact.last("q"), Some("\u{202E}abc"));
    }

    #[test]
    fn decoding_is_lenient() {
        assert_eq!(decode("a+b%20c"), "a b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%FF"), "\u{FFFD}");
        assert_eq!(decode("%4a%4A"), "JJ");
        // A sign is no digit: the escape is kept as typed (its `+` a space, as
        // everywhere), not read as a NUL byte.
        assert_eq!(decode("%+0%-1"), "% 0%-1");
    }

    #[test]
    fn page_numbers_start_at_one() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        for bad in ["0", "-1", "two", "1.5"] {
            assert!(
                matches!(page_number(Some(bad)), Err(AppError::BadRequest(_))),
                "{bad}"
            );
        }
    }
}
