//! Settings, from command-line flags and environment variables, with safe defaults.
//! The lowest layer with `error`: it names nothing else in the crate.

pub mod cors_origin;
pub mod secret_key;

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

pub use secret_key::{SecretKey, SecretKeyError};

/// Everything the server needs to know that is not in the database.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// The database: a SQLite file (created if missing) or a PostgreSQL URL.
    pub database: Database,
    /// Mark cookies `Secure`. On by default; turn off only for plain-HTTP development.
    pub secure_cookies: bool,
    /// The operator said the server is reached over HTTPS (`--secure-cookies always`,
    /// behind a TLS proxy): the API's links say `https`. `auto` marks cookies Secure on
    /// any address that is not loopback, a guess made for safety; links built on it sent
    /// a plain-HTTP client on a network to a TLS port the server does not have.
    pub reached_over_https: bool,
    /// Seed the demo catalog when the database has no tracks.
    pub seed_demo: bool,
    /// The 32-byte server secret (keys CSRF tokens) when the operator gave one. `None`:
    /// use, or create on first start, `secret.key` in the data directory. Either way it
    /// is resolved once, by `resolve_secret_key` when the app state is opened.
    pub secret_key: Option<SecretKey>,
    /// Take the client address from the last `X-Forwarded-For` entry (set by a reverse
    /// proxy in front of the server) for log-in throttling, and the scheme of the API's
    /// links from `X-Forwarded-Proto`. Off by default: without a proxy that overwrites
    /// them, anyone could send the headers and dodge the throttle.
    pub trust_proxy_headers: bool,
    /// Let the JSON API's read endpoints answer without a bearer token. Off by default.
    pub api_anonymous: bool,
    /// Spotify's usual values in the API's objects where the dataset holds none (for
    /// typed clients that refuse nulls), instead of null. Off by default: made-up values.
    pub api_fill_unknown: bool,
    /// Origins allowed to call the JSON API from a browser (`*` for any); empty: none.
    pub api_cors_origins: Vec<String>,
    /// JSON API requests per minute per token (or client address); 0: no limit.
    pub api_rate_limit: u32,
    /// Where generated secrets live, when not the default (`data_dir`).
    pub key_dir: Option<PathBuf>,
    /// Where the catalog's cache files go (`catalog::snapshot::file`). `None`: beside
    /// the SQLite catalog file; with PostgreSQL, nowhere (no cache files).
    pub cache_dir: Option<PathBuf>,
    /// Catalogs of up to this many tracks are searched on the runtime worker that asks
    /// for the perfect song; larger ones on the blocking pool (`web::perfect_song`). No
    /// flag: tests lower it to run the other way on a small catalog.
    pub inline_search_tracks: usize,
}

/// `Config::inline_search_tracks` when nothing lowers it.
pub const INLINE_SEARCH_TRACKS: usize = 100_000;

/// JSON API requests per minute per token when the operator does not say.
pub const DEFAULT_API_RATE_LIMIT: u32 = 600;

impl Config {
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:3000";
    pub const DEFAULT_DATABASE: &'static str = "data/insights.db";

    /// A configuration for tests and tools: the given database, defaults elsewhere.
    pub fn for_database(database: impl Into<Database>) -> Self {
        Config {
            bind: Self::DEFAULT_BIND
                .parse()
                .expect("default bind address is valid"),
            database: database.into(),
            secure_cookies: false,
            reached_over_https: false,
            seed_demo: true,
            secret_key: None,
            trust_proxy_headers: false,
            api_anonymous: false,
            api_fill_unknown: false,
            api_cors_origins: Vec::new(),
            api_rate_limit: DEFAULT_API_RATE_LIMIT,
            key_dir: None,
            cache_dir: None,
            inline_search_tracks: INLINE_SEARCH_TRACKS,
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

    /// Directory where generated secrets live: `key_dir` when set, else beside the
    /// SQLite file, or `data` (relative to where the server starts) for PostgreSQL.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.key_dir {
            return dir.clone();
        }
        match &self.database {
            Database::Sqlite(path) => match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => PathBuf::from("."),
            },
            Database::Postgres(_) => PathBuf::from("data"),
        }
    }
}

/// Which database the server uses: an embedded SQLite file, or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, as given (it may hold a password: shown
    /// only through `Display`, which hides it).
    Postgres(String),
}

impl Database {
    /// Reads `--database` / `DATABASE_URL`: `postgres://…` or `postgresql://…` is
    /// PostgreSQL; `sqlite://path`, `sqlite:path`, `file:path` or a plain path is a
    /// SQLite file. Any other `scheme://` is refused with a message naming the choices.
    pub fn parse(value: &str) -> Result<Database, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("the database is empty: give a file path or a postgres:// URL".into());
        }
        let lower = value.to_ascii_lowercase();
        for scheme in ["postgresql://", "postgres://"] {
            if lower.starts_with(scheme) {
                if let Some(problem) = unencoded_in_password(&value[scheme.len()..]) {
                    return Err(format!(
                        "the password in the PostgreSQL URL holds {problem}, which a URL \
                         must carry percent-encoded (`python3 -c 'import sys, urllib.parse; \
                         print(urllib.parse.quote(sys.argv[1], safe=\"\"))' PASSWORD` \
                         prints the password so)"
                    ));
                }
                return Ok(Database::Postgres(postgres_url(
                    scheme,
                    &value[scheme.len()..],
                )));
            }
        }
        // A PostgreSQL URL typed wrong would otherwise name a SQLite file: the server
        // started on an empty database of its own, in folders named after the URL,
        // password included.
        if lower.starts_with("postgres") {
            return Err(
                "this looks like a PostgreSQL URL, but it does not start with postgres:// \
                 (postgres://USER:PASSWORD@HOST:PORT/DATABASE)"
                    .into(),
            );
        }
        if looks_like_credentials(value) {
            return Err(
                "this looks like a database URL without its scheme (USER:PASSWORD@HOST…): \
                 write postgres:// before it, or give a file path"
                    .into(),
            );
        }
        if looks_like_connection_keywords(value) {
            return Err(
                "this looks like a PostgreSQL connection string (host=… dbname=…), which \
                 this server does not read: write it as a URL, \
                 postgres://USER:PASSWORD@HOST:PORT/DATABASE"
                    .into(),
            );
        }
        if looks_like_a_host(value) {
            return Err(
                "this looks like a database URL without its scheme (USER@HOST/DATABASE or \
                 HOST:PORT/DATABASE): write postgres:// before it, or, for a SQLite file \
                 in such a folder, ./ or sqlite:// before its path"
                    .into(),
            );
        }
        if let Some(stripped) = value
            .strip_prefix("sqlite://")
            .or_else(|| value.strip_prefix("sqlite:"))
            .or_else(|| value.strip_prefix("file:"))
        {
            return Ok(Database::Sqlite(PathBuf::from(stripped)));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                return Err(format!(
                    "unsupported database URL scheme `{scheme}://`: use a file path, sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
                ));
            }
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Database::Postgres(_))
    }

    /// The PostgreSQL URL, if that is the backend.
    pub fn postgres_url(&self) -> Option<&str> {
        match self {
            Database::Postgres(url) => Some(url),
            Database::Sqlite(_) => None,
        }
    }

    /// The password in a PostgreSQL URL (as written, possibly percent-encoded), to keep
    /// it out of messages. Short ones are not searched for: blanking every "ab" in a
    /// message would hide more than the password.
    pub fn password(&self) -> Option<&str> {
        let Database::Postgres(url) = self else {
            return None;
        };
        let password = password_of(url.split_once("://")?.1)?;
        (password.len() >= 4).then_some(password)
    }

    /// The SQLite file, if this is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }
}

/// The path, or the URL with its password replaced by `***`.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// The URL as libpq reads it: the scheme in lower case (libpq knows no other), and a
/// `connect_timeout` of 10 s unless the URL sets one. Without it, a host that takes the
/// connection and never answers held `serve` and `import` silent for minutes.
fn postgres_url(scheme: &str, rest: &str) -> String {
    let has_timeout = rest
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|p| p.starts_with("connect_timeout=")));
    if has_timeout {
        format!("{scheme}{rest}")
    } else if rest.contains('?') {
        format!("{scheme}{rest}&connect_timeout={CONNECT_TIMEOUT_SECS}")
    } else {
        format!("{scheme}{rest}?connect_timeout={CONNECT_TIMEOUT_SECS}")
    }
}

/// Seconds libpq waits for a PostgreSQL server to answer a new connection.
const CONNECT_TIMEOUT_SECS: u32 = 10;

/// `user:secret@host…` before any `/`: a URL's credentials, not a file name.
fn looks_like_credentials(value: &str) -> bool {
    let first = value.split('/').next().unwrap_or_default();
    first
        .split_once('@')
        .is_some_and(|(credentials, host)| credentials.contains(':') && !host.is_empty())
}

/// libpq's `key=value` connection string (`host=db port=5432 user=hub password=…
/// dbname=hub`): it had been taken for a SQLite file of that name, password included,
/// and the server started on an empty database of its own.
fn looks_like_connection_keywords(value: &str) -> bool {
    const KEYWORDS: [&str; 8] = [
        "host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "service",
    ];
    value.split_whitespace().any(|word| {
        word.split_once('=')
            .is_some_and(|(key, _)| KEYWORDS.contains(&key.to_ascii_lowercase().as_str()))
    })
}

/// `user@host…/db` or `host:port/db`: a URL's host before a database name, written
/// without `postgres://` (with `.pgpass`, trust or peer authentication there is no
/// password, so `looks_like_credentials` missed it). A file name with an `@` and no
/// folder after it (`my@home.db`) stays a file.
fn looks_like_a_host(value: &str) -> bool {
    let Some((first, rest)) = value.split_once('/') else {
        return false;
    };
    if value.starts_with("sqlite:") || value.starts_with("file:") || rest.is_empty() {
        return false;
    }
    let user_at_host = first
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
    let host_and_port = first.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty()
            && host.len() > 1
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
    });
    user_at_host || host_and_port
}

/// The password of a URL's part after `://`: from the first `:` to the last `@`. Read
/// that way, rather than as a URL parser would, so that a password holding `/`, `@` or
/// `#` (which `parse` refuses, but `Display` and messages must still hide) is taken
/// whole; a `@` later in the URL, in its query, only makes more of it hidden.
fn password_of(rest: &str) -> Option<&str> {
    let credentials = rest.rsplit_once('@')?.0;
    Some(credentials.split_once(':')?.1)
}

/// The characters a password must not hold as they are in a URL (libpq would read the
/// URL wrong and quote a piece of the password in its message), as a message says them.
fn unencoded_in_password(rest: &str) -> Option<String> {
    let password = password_of(rest)?;
    let named = [('/', "%2F"), ('@', "%40"), ('?', "%3F"), ('#', "%23")]
        .into_iter()
        .find(|(c, _)| password.contains(*c))
        .map(|(c, encoded)| format!("a `{c}` ({encoded} encoded)"));
    named.or_else(|| {
        let bytes = password.as_bytes();
        let stray_percent = bytes.iter().enumerate().any(|(i, b)| {
            *b == b'%'
                && !bytes
                    .get(i + 1..i + 3)
                    .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
        });
        stray_percent.then(|| "a `%` not followed by two hex digits (%25 encoded)".into())
    })
}

/// `scheme://user:secret@host/db` -> `scheme://user:***@host/db`, and
/// `?password=secret` (libpq takes the password as a parameter too) -> `?password=***`.
fn redact_password(url: &str) -> String {
    // The parameter first: its value may hold an `@`, which the split below would take
    // for the end of the user's part.
    let url = redact_password_parameter(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.clone(),
        },
        None => url.clone(),
    }
}

/// The value of every query parameter whose name holds `password`, in any case and
/// percent-decoded as libpq reads names (`password`, `sslpassword`, the client key's
/// passphrase, and `%70assword`, which libpq takes for `password`), as `***`. Only the
/// literal `password=` had been hidden.
fn redact_password_parameter(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, _)) if names_a_password(name) => format!("{name}=***"),
            _ => param.to_string(),
        })
        .collect();
    format!("{head}?{}", params.join("&"))
}

/// Whether a URL parameter's name, decoded, holds `password` (any case).
fn names_a_password(name: &str) -> bool {
    form_urlencoded::parse(name.as_bytes())
        .next()
        .is_some_and(|(decoded, _)| decoded.to_ascii_lowercase().contains("password"))
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Database {
        Database::Sqlite(path)
    }
}

impl From<&PathBuf> for Database {
    fn from(path: &PathBuf) -> Database {
        Database::Sqlite(path.clone())
    }
}

impl From<&Path> for Database {
    fn from(path: &Path) -> Database {
        Database::Sqlite(path.to_path_buf())
    }
}

/// A path or URL as `parse` reads it; a refused URL becomes a file of that name (for
/// tests and tools; the command line calls `parse` and reports the error).
impl From<&str> for Database {
    fn from(value: &str) -> Database {
        Database::parse(value).unwrap_or_else(|_| Database::Sqlite(PathBuf::from(value)))
    }
}

impl From<&Database> for Database {
    fn from(database: &Database) -> Database {
        database.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_become_paths() {
        let database_path = |s: &str| match Database::parse(s) {
            Ok(Database::Sqlite(path)) => path,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            database_path("sqlite://data/x.db"),
            PathBuf::from("data/x.db")
        );
        assert_eq!(database_path("sqlite:x.db"), PathBuf::from("x.db"));
        assert_eq!(database_path("/tmp/y.db"), PathBuf::from("/tmp/y.db"));
    }

    #[test]
    fn postgres_urls_and_unknown_schemes() {
        let url = "postgres://hub:s3cret@127.0.0.1:5432/hub";
        assert_eq!(
            Database::parse(url),
            Ok(Database::Postgres(format!("{url}?connect_timeout=10")))
        );
        assert_eq!(
            Database::parse("Postgres://h/db?sslmode=disable"),
            Ok(Database::Postgres(
                "postgres://h/db?sslmode=disable&connect_timeout=10".into()
            ))
        );
        assert_eq!(
            Database::parse("postgres://h/db?connect_timeout=3"),
            Ok(Database::Postgres(
                "postgres://h/db?connect_timeout=3".into()
            ))
        );
        for typo in [
            "postgres:/hub:x@127.0.0.1:5499/hub",
            "postgres//hub:x@127.0.0.1/hub",
            "postgresql:hub",
            "hub:s3cret@127.0.0.1:5499/hub",
        ] {
            let refused = Database::parse(typo).expect_err(typo);
            assert!(
                !refused.contains("s3cret") && !refused.contains(":x@"),
                "{refused}"
            );
        }
        assert!(Database::parse("data/my@home.db").is_ok_and(|d| !d.is_postgres()));
        for file in [
            "my@home.db",
            "./hub@db.internal/x.db",
            "sqlite://a@b/c.db",
            "C:/data/x.db",
        ] {
            assert!(
                Database::parse(file).is_ok_and(|d| !d.is_postgres()),
                "{file}"
            );
        }
        // A libpq connection string, and hosts without the scheme: refused, not files
        // named after them (the password in the file name and the log).
        for not_a_file in [
            "host=127.0.0.1 port=5499 user=hub password=s3cret dbname=hub",
            "dbname=hub",
            "hub@db.internal:5432/hub",
            "hub@db.internal/hub",
            "127.0.0.1:5499/hub",
            "localhost:5432/hub",
        ] {
            let refused = Database::parse(not_a_file).expect_err(not_a_file);
            assert!(refused.contains("postgres://"), "{refused}");
            assert!(!refused.contains("s3cret"), "{refused}");
        }
        assert_eq!(
            Database::parse(url)
                .ok()
                .as_ref()
                .and_then(Database::password),
            Some("s3cret")
        );
        assert!(Database::parse("postgresql://h/db").is_ok_and(|d| d.is_postgres()));
        assert_eq!(
            Database::parse(url).map(|d| d.to_string()),
            Ok("postgres://hub:***@127.0.0.1:5432/hub?connect_timeout=10".to_string())
        );
        let error = Database::parse("mysql://root@localhost/x").unwrap_err();
        assert!(
            error.contains("unsupported database URL scheme `mysql://`"),
            "{error}"
        );
        assert!(Database::parse("  ").is_err());
    }

    /// A password holding a character a URL must encode is refused without being
    /// quoted; libpq quoted pieces of it ("invalid integer value \"Secr3t\" for
    /// connection option \"port\"").
    #[test]
    fn a_password_a_url_cannot_hold_as_it_is_is_refused_unquoted() {
        for (password, named) in [
            ("Secr3t/Part2", "%2F"),
            ("Secr3t@Part2", "%40"),
            ("p@ss/w:rd%x#y", "%2F"),
            ("hash#tag1", "%23"),
            ("what?now1", "%3F"),
            ("fifty%pct", "%25"),
        ] {
            let url = format!("postgres://hub:{password}@127.0.0.1:5432/hub");
            let refused = Database::parse(&url).expect_err(password);
            assert!(refused.contains(named), "{password}: {refused}");
            for piece in password.split(['/', '@', '#', '?', '%', ':']) {
                assert!(
                    piece.len() < 3 || !refused.contains(piece),
                    "{password}: {refused}"
                );
            }
            // Shown anyway (as an error might), the whole password is hidden.
            let shown = Database::Postgres(url.clone()).to_string();
            assert_eq!(shown, "postgres://hub:***@127.0.0.1:5432/hub", "{password}");
            assert_eq!(Database::Postgres(url).password(), Some(password));
        }
        let encoded = Database::parse("postgres://hub:p%40ss%2Fw%3Ard@h:5432/db").expect("valid");
        assert_eq!(
            encoded.to_string(),
            "postgres://hub:***@h:5432/db?connect_timeout=10"
        );
        assert_eq!(encoded.password(), Some("p%40ss%2Fw%3Ard"));
        // libpq's parameter form is hidden too, an `@` in it included.
        for (url, shown) in [
            (
                "postgres://u@127.0.0.1:1/db?password=SuperSecret1",
                "postgres://u@127.0.0.1:1/db?password=***",
            ),
            (
                "postgresql://127.0.0.1:1/db?user=u&PASSWORD=Sec@ret3&sslmode=disable",
                "postgresql://127.0.0.1:1/db?user=u&PASSWORD=***&sslmode=disable",
            ),
            (
                "postgres://hub:pw@h/db?password=x&password=y",
                "postgres://hub:***@h/db?password=***&password=***",
            ),
            // The client key's passphrase, and a name libpq decodes to `password`.
            (
                "postgres://hub@h:1/hub?sslpassword=KEYPASS_B&%70assword=PW_C&x=1",
                "postgres://hub@h:1/hub?sslpassword=***&%70assword=***&x=1",
            ),
        ] {
            assert_eq!(Database::Postgres(url.to_string()).to_string(), shown);
        }
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
