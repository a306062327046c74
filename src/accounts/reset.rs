//! An operator's password reset (`insights-hub reset-password NAME`). The app has no
//! e-mail, so a user who forgot their password had no way back in short of editing the
//! database. The reset gives the account a new random password for the operator to hand
//! over, and ends every session of the user, as a password change does. The user can
//! then choose their own on the account page.

use rand::Rng;

use super::{
    hashing::PasswordHasher, password, replace_password_ending_sessions, username, AccountError,
};
use crate::db::{self, users, DbPool};

/// What a reset did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// The account's name as it was signed up.
    pub username: String,
    /// The new password, shown once to the operator.
    pub password: String,
    /// How many of the user's live sessions ended.
    pub sessions_ended: usize,
}

/// Letters and digits that cannot be mistaken for one another when read aloud or
/// copied by hand (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Groups of four, 16 characters in all: 80 bits, well past anything guessed at the
/// throttle's pace, and easy to read out.
const GROUPS: usize = 4;
const GROUP_CHARS: usize = 4;

/// A new random password (`abcd-efgh-ijkm-npqr`).
fn new_password() -> String {
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..GROUPS)
        .map(|_| {
            (0..GROUP_CHARS)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect()
        })
        .collect();
    groups.join("-")
}

/// Gives the user named `typed_name` (any case, as at log-in) a new random password,
/// and ends every session of theirs in the same transaction. Other servers over
/// PostgreSQL hear of the ended sessions at once, a SQLite server within its session
/// cache's few seconds (`web::auth::session_store`). The log-in throttle's counts are
/// left as they are: a server keeps them in its memory on SQLite, where no other
/// process can reach them.
pub async fn reset_password(
    pool: &DbPool,
    hasher: &PasswordHasher,
    typed_name: &str,
) -> Result<Reset, AccountError> {
    let key = username::lookup_key(typed_name);
    let row = db::run(pool, move |conn| Ok(users::find_by_key(conn, &key)?))
        .await?
        .ok_or(AccountError::NoSuchUser)?;
    // A draw the rules refuse (one about as likely as a common password in 80 random
    // bits) is drawn again.
    let password = loop {
        let candidate = new_password();
        if password::check_new_password(&candidate, &row.username).is_ok() {
            break candidate;
        }
    };
    let hash = hasher.hash(password.clone()).await?;
    let user_id = row.id;
    let (_, sessions_ended) = replace_password_ending_sessions(pool, user_id, hash).await?;
    // Said by the command itself (this runs in the operator's terminal, not a server).
    tracing::debug!(user_id, sessions_ended, "password reset by the operator");
    Ok(Reset {
        username: row.username,
        password,
        sessions_ended,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_passwords_are_four_readable_groups_and_pass_the_rules() {
        let first = new_password();
        assert_eq!(first.len(), 19, "{first}");
        let groups: Vec<&str> = first.split('-').collect();
        assert_eq!(groups.len(), GROUPS);
        assert!(groups
            .iter()
            .all(|g| g.len() == GROUP_CHARS && g.bytes().all(|b| ALPHABET.contains(&b))));
        assert!(password::check_new_password(&first, "someone").is_ok());
        assert_ne!(first, new_password(), "drawn, not fixed");
    }
}
