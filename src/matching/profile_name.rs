//! The rule for naming a saved taste profile: 1 to `MAX_CHARS` characters after
//! trimming, no control characters. Uniqueness per user is the database's to decide;
//! so is keeping a user to `MAX_PER_USER` profiles.

/// The longest profile name, in characters.
pub const MAX_CHARS: usize = 60;

/// The most named taste profiles one user keeps. Each is a row and a set of forms on
/// the perfect-song page (about 500 bytes each), so without a bound one account could
/// make its page megabytes long.
pub const MAX_PER_USER: usize = 100;

/// What a user at `MAX_PER_USER` profiles is told when saving another.
pub fn too_many_message() -> String {
    format!("You have {MAX_PER_USER} taste profiles, the most you can keep: delete one first.")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileNameError {
    #[error("Give the profile a name.")]
    Empty,
    #[error("A profile name can have at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("A profile name cannot contain control characters.")]
    ControlCharacter,
}

/// The name as it will be stored (`typed_name::tidy`: composed, nothing invisible or
/// direction-setting, one space between words), or why it cannot be one. Composed:
/// "é" typed as one character and as "e" with an accent were two profiles that looked
/// the same, and the database's "one name once" rule let both in.
pub fn parse(raw: &str) -> Result<String, ProfileNameError> {
    let name = crate::typed_name::tidy(raw);
    if name.is_empty() {
        Err(ProfileNameError::Empty)
    } else if name.chars().count() > MAX_CHARS {
        Err(ProfileNameError::TooLong)
    } else if name.chars().any(char::is_control) {
        Err(ProfileNameError::ControlCharacter)
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse("  Sunday morning ").unwrap(), "Sunday morning");
        assert_eq!(parse("   "), Err(ProfileNameError::Empty));
        assert_eq!(
            parse(&"é".repeat(MAX_CHARS)).unwrap().chars().count(),
            MAX_CHARS
        );
        assert_eq!(
            parse(&"a".repeat(MAX_CHARS + 1)),
            Err(ProfileNameError::TooLong)
        );
        assert_eq!(parse("a\u{7}b"), Err(ProfileNameError::ControlCharacter));
    }

    #[test]
    fn names_that_look_the_same_are_stored_the_same() {
        assert_eq!(parse("Caf\u{65}\u{301}"), parse("Caf\u{e9}"));
        assert_eq!(parse("Caf\u{65}\u{301}").unwrap(), "Caf\u{e9}");
        assert_eq!(parse("Sunday\u{A0} morning"), parse("Sunday morning"));
        assert_eq!(parse("\u{200B}"), Err(ProfileNameError::Empty));
    }
}
