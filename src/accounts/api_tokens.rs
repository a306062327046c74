//! Personal API tokens (issue 12): how a token is made, stored and recognised. No HTTP
//! and no SQL: `db::api_tokens` stores what this module produces, and the API layer
//! passes in the `Authorization` header's value.
//!
//! A token is `sih_` followed by 43 URL-safe base64 characters (32 random bytes). Only
//! its SHA-256 (hex) is stored: the token has 256 bits of entropy, so a fast hash is
//! enough (no password-style stretching), and a leaked database holds nothing that
//! authenticates. The user sees the token once, when it is created; afterwards the page
//! shows only its first characters (`hint`) so tokens can be told apart.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every token starts with, so a leaked one is recognisable (secret scanners).
pub const PREFIX: &str = "sih_";
/// Characters of a token after the prefix.
const BODY_CHARS: usize = 43;
/// How many characters of a token (prefix included) the account page shows.
const HINT_CHARS: usize = PREFIX.len() + 6;
/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Active tokens one user may hold at once.
pub const MAX_ACTIVE_PER_USER: usize = 20;

/// A freshly generated token: `secret` is shown to the user once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub secret: String,
    pub hash: String,
    pub hint: String,
}

/// A new random token.
pub fn generate() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let secret = format!("{PREFIX}{body}");
    NewToken {
        hash: hash(&secret),
        hint: hint(&secret),
        secret,
    }
}

/// The stored form of a token: SHA-256, lower-case hex.
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The visible start of a token ("sih_Ab3dEf…").
pub fn hint(secret: &str) -> String {
    let start: String = secret.chars().take(HINT_CHARS).collect();
    format!("{start}…")
}

/// Whether a string has a token's shape (prefix, length, alphabet). Checked before any
/// database look-up, so garbage costs nothing.
pub fn well_formed(candidate: &str) -> bool {
    candidate.strip_prefix(PREFIX).is_some_and(|body| {
        body.len() == BODY_CHARS
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Why a bearer credential was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("No token provided: send an Authorization: Bearer <token> header. Create a token on your account page.")]
    Missing,
    #[error("The Authorization header must be: Bearer <token>.")]
    NotBearer,
    #[error("Invalid access token.")]
    Invalid,
    #[error("This access token has been revoked.")]
    Revoked,
}

/// The token in an `Authorization` header value: `Bearer <token>` (the scheme is
/// case-insensitive, as HTTP says). A token of the wrong shape is `Invalid`, an empty
/// one too: a client library given "" for no token sends `Bearer ` (HTTP drops the
/// trailing space), which is a bearer credential, not another scheme.
pub fn from_authorization(value: Option<&str>) -> Result<&str, TokenError> {
    let value = value.ok_or(TokenError::Missing)?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::NotBearer);
    }
    let token = token.trim();
    if well_formed(token) {
        Ok(token)
    } else {
        Err(TokenError::Invalid)
    }
}

/// A token's name as typed, tidied (`typed_name::tidy`): 1 to `MAX_NAME_CHARS`
/// characters, no control characters.
pub fn validate_name(name: &str) -> Result<String, String> {
    let name = crate::typed_name::tidy(name);
    if name.is_empty() {
        return Err("Give the token a name, so you know later what uses it.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "Token names can be at most {MAX_NAME_CHARS} characters."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("Token names cannot contain control characters.".into());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_unique_and_hashed() {
        let a = generate();
        let b = generate();
        assert!(well_formed(&a.secret), "{}", a.secret);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.secret[PREFIX.len()..]));
        assert!(a.hint.starts_with("sih_") && a.hint.ends_with('…'));
        assert!(a.secret.starts_with(a.hint.trim_end_matches('…')));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn authorization_header_parsing() {
        let t = generate().secret;
        assert_eq!(
            from_authorization(Some(&format!("Bearer {t}"))),
            Ok(t.as_str())
        );
        assert_eq!(
            from_authorization(Some(&format!("bearer  {t} "))),
            Ok(t.as_str())
        );
        assert_eq!(from_authorization(None), Err(TokenError::Missing));
        assert_eq!(
            from_authorization(Some(&format!("Basic {t}"))),
            Err(TokenError::NotBearer)
        );
        assert_eq!(from_authorization(Some("Bearer")), Err(TokenError::Invalid));
        assert_eq!(
            from_authorization(Some("Basic")),
            Err(TokenError::NotBearer)
        );
        assert_eq!(from_authorization(Some("")), Err(TokenError::NotBearer));
        assert_eq!(
            from_authorization(Some("Bearer sih_short")),
            Err(TokenError::Invalid)
        );
        let bad = format!("{}!", &t[..t.len() - 1]);
        assert_eq!(
            from_authorization(Some(&format!("Bearer {bad}"))),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(validate_name("  my script "), Ok("my script".into()));
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(61)).is_err());
        assert!(validate_name("a\u{7}b").is_err());
    }
}
