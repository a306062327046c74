//! Password policy for new passwords: long enough, not absurdly long, not one of the
//! passwords every attacker tries first. Passwords are used exactly as typed: never
//! trimmed, case-folded or normalised.

pub const MIN_CHARS: usize = 10;
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
    #[error("The password cannot be your username.")]
    SameAsUsername,
}

/// The most common passwords (from public breach top lists) that are long enough to
/// pass the length rule, plus a few obvious for this site. Compared case-insensitively.
const COMMON: &[&str] = &[
    "0123456789",
    "1234567890",
    "12345678910",
    "123456789a",
    "1234567890a",
    "9876543210",
    "0987654321",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "q1w2e3r4t5",
    "1qaz2wsx3edc",
    "123qweasdzxc",
    "qwertyuiop",
    "qwertyuiop123",
    "qwerty12345",
    "qwerty123456",
    "asdfghjkl1",
    "asdfghjkl123",
    "zxcvbnm123",
    "abcdefghij",
    "abc1234567",
    "abcd123456",
    "password12",
    "password123",
    "password1234",
    "password12345",
    "passw0rd123",
    "passwordpassword",
    "iloveyou123",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "welcome1234",
    "changeme123",
    "trustno1234",
    "administrator",
    "admin12345",
    "admin123456",
    "football123",
    "baseball123",
    "basketball",
    "monkey12345",
    "princess123",
    "sunshine123",
    "starwars123",
    "superman123",
    "dragon12345",
    "michael123",
    "jennifer123",
    "spotify123",
    "spotify1234",
    "spotifypassword",
    "insightshub",
];

/// Checks a new password (sign up, change of password) for the given username.
pub fn check_new_password(password: &str, username: &str) -> Result<(), PasswordError> {
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
    if COMMON.contains(&folded.as_str()) || is_one_repeated_character(password) {
        return Err(PasswordError::Common);
    }
    if folded == username.trim().to_lowercase() {
        return Err(PasswordError::SameAsUsername);
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
            check_new_password("short pw!", "ada"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_new_password("ten chars!", "ada"), Ok(()));
        // Nine two-byte characters are nine characters, not eighteen.
        assert_eq!(
            check_new_password("ééééééééè", "ada"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(check_new_password(&"ab".repeat(128), "ada"), Ok(()));
        assert_eq!(
            check_new_password(&"ab".repeat(129), "ada"),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert_eq!(
            check_new_password("password123", "ada"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_new_password("PassWord123", "ada"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_new_password("1234567890", "ada"),
            Err(PasswordError::Common)
        );
        assert_eq!(
            check_new_password("zzzzzzzzzzzz", "ada"),
            Err(PasswordError::Common)
        );
    }

    #[test]
    fn the_username_is_not_a_password() {
        assert_eq!(
            check_new_password("Ada.Lovelace", "ada.lovelace"),
            Err(PasswordError::SameAsUsername)
        );
    }

    #[test]
    fn passwords_are_not_trimmed() {
        // Leading and trailing spaces count towards the length, as typed.
        assert_eq!(check_new_password("  nine ch ", "ada"), Ok(()));
    }

    #[test]
    fn every_listed_password_would_otherwise_pass_the_length_rule() {
        for common in COMMON {
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
