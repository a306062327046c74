//! Password policy for new passwords (ASVS 2.1.1, 2.1.7): at least 12 characters, not
//! absurdly long, not one of the passwords every attacker tries first (a list of 30,000
//! from a public breach corpus, see `common_passwords`), and not containing the
//! username. Passwords are never trimmed or case-folded; they are hashed in Unicode's
//! NFKC form (`hashing::normalized`), so the rules judge that form too: the password
//! the account opens with is the one they passed (full-width "ｑｗｅｒｔｙ１２３４５６"
//! opens with "qwerty123456", which is common). Only the comparisons ignore case.

use super::common_passwords;

pub const MIN_CHARS: usize = 12;
/// Long enough for any passphrase; short enough that hashing cost stays bounded.
pub const MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Choose a password.")]
    Empty,
    #[error("A password needs at least {MIN_CHARS} characters.")]
    TooShort,
    #[error("A password can have at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("This password is one of the most common ones and is guessed first. Choose another.")]
    Common,
    #[error("The password cannot contain your username.")]
    ContainsUsername,
    /// One character again and again: not on any list, but guessed as soon as one is.
    #[error("A password of one character repeated is guessed at once. Choose another.")]
    OneRepeatedCharacter,
}

/// Passwords obvious for this site, on top of the breach list. Lower case, and each
/// long enough to pass the length rule (a unit test checks both).
const SITE_SPECIFIC: &[&str] = &[
    "spotifypassword",
    "spotify password",
    "spotify123456",
    "insightshub123",
    "insights hub",
    "insightshubpassword",
];

/// Checks a new password (sign up, change of password) for the given username.
pub fn check_new_password(password: &str, username: &str) -> Result<(), PasswordError> {
    let password = &*super::hashing::normalized(password);
    if password.is_empty() {
        return Err(PasswordError::Empty);
    }
    // Counting characters, not bytes: "é" is one character of a passphrase.
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    let folded = password.to_lowercase();
    if is_one_repeated_character(password) {
        return Err(PasswordError::OneRepeatedCharacter);
    }
    if SITE_SPECIFIC.contains(&folded.as_str()) || common_passwords::contains(&folded) {
        return Err(PasswordError::Common);
    }
    // An empty name would be "contained" in everything; a sign-up form without one is
    // refused for the name anyway.
    let name = username.trim().to_lowercase();
    if !name.is_empty() && folded.contains(&name) {
        return Err(PasswordError::ContainsUsername);
    }
    Ok(())
}

fn is_one_repeated_character(password: &str) -> bool {
    let mut chars = password.chars();
    match chars.next() {
        Some(first) => chars.all(|c| c == first),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check_new_password("", "ada"), Err(PasswordError::Empty));
        assert_eq!(
            check_new_password("eleven char", "ada"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_new_password("twelve chars", "ada"), Ok(()));
        // Eleven two-byte characters are eleven characters, not twenty-two.
        assert_eq!(
            check_new_password("éééééééééèè", "ada"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_new_password("ééééééééèèèè", "ada"), Ok(()));
        assert_eq!(check_new_password(&"ab".repeat(128), "ada"), Ok(()));
        assert_eq!(
            check_new_password(&"ab".repeat(129), "ada"),
            Err(PasswordError::TooLong)
        );
    }

    /// The rules judge the password as it is hashed (NFKC): the one the account will
    /// open with.
    #[test]
    fn the_rules_judge_the_password_as_it_is_hashed() {
        // Full-width "qwerty123456" is the common password itself.
        assert_eq!(
            check_new_password("ｑｗｅｒｔｙ１２３４５６", "ada"),
            Err(PasswordError::Common)
        );
        // Twelve characters typed, six once the accents are composed.
        assert_eq!(
            check_new_password(&"e\u{301}".repeat(6), "ada"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_new_password("ａｄａ-lovelace-1815", "ada"),
            Err(PasswordError::ContainsUsername)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        for common in [
            "qwerty123456",
            "QWERTY123456",
            "1q2w3e4r5t6Y",
            "123qweasdzxc",
            "Spotify Password",
        ] {
            assert_eq!(
                check_new_password(common, "ada"),
                Err(PasswordError::Common),
                "{common}"
            );
        }
        assert_eq!(
            check_new_password("correct horse battery staple", "ada"),
            Ok(())
        );
        for repeated in ["zzzzzzzzzzzz", "                    ", "éééééééééééé"] {
            assert_eq!(
                check_new_password(repeated, "ada"),
                Err(PasswordError::OneRepeatedCharacter),
                "{repeated:?}"
            );
        }
    }

    #[test]
    fn the_password_cannot_contain_the_username() {
        assert_eq!(
            check_new_password("Ada.Lovelace", "ada.lovelace"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check_new_password("my name is GRACE hopper", " Grace "),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(check_new_password("my name is grace hopper", "ada"), Ok(()));
        // A blank name (refused on its own) does not make every password "contain" it.
        assert_eq!(check_new_password("my name is grace hopper", " "), Ok(()));
    }

    #[test]
    fn passwords_are_not_trimmed() {
        // Leading and trailing spaces count towards the length, as typed.
        assert_eq!(check_new_password("  eleven ch ", "ada"), Ok(()));
        assert_eq!(
            check_new_password(" eleven ch ", "ada"),
            Err(PasswordError::TooShort)
        );
    }

    #[test]
    fn site_specific_passwords_would_otherwise_pass_the_length_rule() {
        for common in SITE_SPECIFIC {
            assert!(
                common.chars().count() >= MIN_CHARS,
                "{common} is too short to matter"
            );
            assert_eq!(
                *common,
                common.to_lowercase(),
                "{common} must be listed in lower case"
            );
        }
    }
}
