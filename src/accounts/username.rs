//! Username rules: 3 to 32 characters of ASCII letters, digits, `_`, `-` and `.`, unique
//! regardless of case. ASCII only, so that two names that look alike (Cyrillic `а` and
//! Latin `a`) can never both exist and the case-folded key is simple and stable.

use std::fmt;

pub const MIN_CHARS: usize = 3;
pub const MAX_CHARS: usize = 32;

/// A username that passed the rules, with its case-insensitive key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Choose a username.")]
    Empty,
    #[error("A username needs at least {MIN_CHARS} characters.")]
    TooShort,
    #[error("A username can have at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("A username can only use letters A–Z in either case, digits, and _ - . (found {}).", describe(*.0))]
    BadCharacter(char),
}

fn describe(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if matches!(c, '\n' | '\r') {
        // A name pasted with its line's end was told "a space", which it had none of.
        "a line break".to_string()
    } else if c == '\t' {
        "a tab".to_string()
    } else if c.is_whitespace() {
        format!("a space (U+{:04X})", u32::from(c))
    } else if c.is_control() {
        "a control character".to_string()
    } else if !c.is_ascii() && !c.is_alphanumeric() {
        // Quoted, a zero-width space reads as empty quotes, a combining accent sits on
        // the quote mark, and a right-to-left override turns the rest of the line
        // around: named by its code point instead.
        format!("the character U+{:04X}", u32::from(c))
    } else {
        format!("“{c}”")
    }
}

impl Username {
    /// Checks a username typed into the sign-up form. Spaces around it are dropped (a
    /// username can never contain one); everything else must follow the rules.
    pub fn parse(input: &str) -> Result<Username, UsernameError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(UsernameError::Empty);
        }
        if let Some(bad) = name.chars().find(|c| !is_allowed(*c)) {
            return Err(UsernameError::BadCharacter(bad));
        }
        // All characters are ASCII from here, so bytes are characters.
        if name.len() < MIN_CHARS {
            return Err(UsernameError::TooShort);
        }
        if name.len() > MAX_CHARS {
            return Err(UsernameError::TooLong);
        }
        Ok(Username {
            display: name.to_string(),
            key: lookup_key(name),
        })
    }

    /// The name as the user typed it, shown on pages.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The lower-cased name: what uniqueness and look-ups use.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The key a typed name is looked up by at log in, without judging it: a name that
/// breaks the rules simply matches no account. Bounded so that a huge input cannot
/// grow the throttle's memory.
pub fn lookup_key(input: &str) -> String {
    // A control character is in no username (sign-up refuses them); as U+FFFD it still
    // finds no one. Kept, a NUL reached PostgreSQL, which refuses it in any text: a
    // log-in typed with one answered 500 there (and 422 on SQLite).
    input
        .trim()
        .chars()
        .take(MAX_CHARS + 1)
        .map(|c| {
            if c.is_control() {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet() {
        let name = Username::parse("  Ada_Lovelace-1.0 ").unwrap();
        assert_eq!(name.as_str(), "Ada_Lovelace-1.0");
        assert_eq!(name.key(), "ada_lovelace-1.0");
    }

    #[test]
    fn enforces_length_in_characters() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong)
        );
    }

    #[test]
    fn rejects_other_characters_including_look_alikes() {
        assert_eq!(
            Username::parse("ada lovelace"),
            Err(UsernameError::BadCharacter(' '))
        );
        assert_eq!(
            Username::parse("adа"),
            Err(UsernameError::BadCharacter('а'))
        );
        assert_eq!(
            Username::parse("a@b.c"),
            Err(UsernameError::BadCharacter('@'))
        );
        assert_eq!(
            Username::parse("<script>"),
            Err(UsernameError::BadCharacter('<'))
        );
    }

    #[test]
    fn messages_name_the_offending_character() {
        let message = |input| Username::parse(input).unwrap_err().to_string();
        assert!(message("a b c").ends_with("(found a space)."));
        assert!(message("ab\ncd").ends_with("(found a line break)."));
        assert!(message("ab\tcd").ends_with("(found a tab)."));
        assert!(message("ab\u{a0}cd").ends_with("(found a space (U+00A0))."));
        assert!(message("ab@c").ends_with("(found “@”)."));
        assert!(message("é-abc").ends_with("(found “é”)."));
        for (name, code) in [
            ("abc\u{202E}def", "U+202E"),
            ("abc\u{200B}def", "U+200B"),
            ("abe\u{301}cd", "U+0301"),
        ] {
            assert!(
                message(name).ends_with(&format!("(found the character {code}).")),
                "{}",
                message(name)
            );
        }
    }

    #[test]
    fn keys_ignore_case() {
        assert_eq!(
            Username::parse("MiXeD").unwrap().key(),
            lookup_key(" mixed")
        );
        assert_eq!(lookup_key(&"X".repeat(1000)).len(), MAX_CHARS + 1);
    }
}
