//! Settings, from command-line flags and environment variables, with safe defaults.
//! The lowest layer with `error`: it names nothing else in the crate.

pub mod secret_key;

use std::{net::SocketAddr, path::PathBuf};

pub use secret_key::{SecretKey, SecretKeyError};

/// Everything the server needs to know that is not in the database.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Path of the SQLite database file (created if missing).
    pub database: PathBuf,
    /// Mark cookies `Secure`. On by default; turn off only for plain-HTTP development.
    pub secure_cookies: bool,
    /// Seed the demo catalog when the database has no tracks.
    pub seed_demo: bool,
    /// The 32-byte server secret (keys CSRF tokens) when the operator gave one. `None`:
    /// use, or create on first start, `secret.key` in the data directory. Either way it
    /// is resolved once, by `resolve_secret_key` when the app state is opened.
    pub secret_key: Option<SecretKey>,
    /// Take the client address from the last `X-Forwarded-For` entry (set by a reverse
    /// proxy in front of the server) for log-in throttling. Off by default: without a
    /// proxy that overwrites it, anyone could send the header and dodge the throttle.
    pub trust_proxy_headers: bool,
    /// Let the JSON API's read endpoints answer without a bearer token. Off by default.
    pub api_anonymous: bool,
    /// Origins allowed to call the JSON API from a browser (`*` for any); empty: none.
    pub api_cors_origins: Vec<String>,
    /// JSON API requests per minute per token (or client address); 0: no limit.
    pub api_rate_limit: u32,
}

/// JSON API requests per minute per token when the operator does not say.
pub const DEFAULT_API_RATE_LIMIT: u32 = 600;

impl Config {
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:3000";
    pub const DEFAULT_DATABASE: &'static str = "data/insights.db";

    /// A configuration for tests and tools: the given database, defaults elsewhere.
    pub fn for_database(database: impl Into<PathBuf>) -> Self {
        Config {
            bind: Self::DEFAULT_BIND
                .parse()
                .expect("default bind address is valid"),
            database: database.into(),
            secure_cookies: false,
            seed_demo: true,
            secret_key: None,
            trust_proxy_headers: false,
            api_anonymous: false,
            api_cors_origins: Vec::new(),
            api_rate_limit: DEFAULT_API_RATE_LIMIT,
        }
    }

    /// The server secret: the configured one, else the key file under the data
    /// directory (created on first start). An error here stops the start-up; nothing
    /// falls back to a temporary key.
    pub fn resolve_secret_key(&self) -> Result<SecretKey, SecretKeyError> {
        match &self.secret_key {
            Some(key) => Ok(key.clone()),
            None => SecretKey::load_or_create(&self.data_dir().join(secret_key::FILE_NAME)),
        }
    }

    /// Directory beside the database where generated secrets live.
    pub fn data_dir(&self) -> PathBuf {
        match self.database.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Accepts `sqlite://path`, `sqlite:path`, `file:path` or a plain path, so that a
/// conventional `DATABASE_URL` works as well as `--database`.
pub fn database_path(value: &str) -> PathBuf {
    let stripped = value
        .strip_prefix("sqlite://")
        .or_else(|| value.strip_prefix("sqlite:"))
        .or_else(|| value.strip_prefix("file:"))
        .unwrap_or(value);
    PathBuf::from(stripped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_become_paths() {
        assert_eq!(
            database_path("sqlite://data/x.db"),
            PathBuf::from("data/x.db")
        );
        assert_eq!(database_path("sqlite:x.db"), PathBuf::from("x.db"));
        assert_eq!(database_path("/tmp/y.db"), PathBuf::from("/tmp/y.db"));
    }

    #[test]
    fn data_dir_is_beside_the_database() {
        assert_eq!(
            Config::for_database("data/a.db").data_dir(),
            PathBuf::from("data")
        );
        assert_eq!(Config::for_database("a.db").data_dir(), PathBuf::from("."));
    }
}
