//! The `insights-hub` binary: parses the command line and calls into the library.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{builder::BoolishValueParser, Parser, Subcommand};
use insights_hub::{
    app,
    catalog::{
        import::{import_database, ImportOptions},
        Feature,
    },
    config,
    config::SecretKey,
    web::{connection_guard, open_files, transport},
    AppState, Config,
};
use poem::{
    listener::{Listener, TcpListener},
    Server,
};

/// mimalloc for `import`, the system's allocator for everything else (see the module).
mod bad_rows_file;
mod import_bar;
use import_bar::ImportBar;

#[global_allocator]
static ALLOCATOR: insights_hub::allocator::ByCommand = insights_hub::allocator::BY_COMMAND;

#[derive(Parser)]
#[command(
    name = "insights-hub",
    version,
    about = "Spotify Insights Hub: compare artists and find your perfect song from a local Spotify audio-features dataset.",
    long_about = None
)]
struct Cli {
    /// SQLite database file (serve and import create it if missing), or a PostgreSQL
    /// server as `postgres://USER:PASSWORD@HOST:PORT/DATABASE`. Also DATABASE_URL.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = Config::DEFAULT_DATABASE)]
    database: String,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Import Spotify audio-feature CSV files into the catalog.
    #[command(long_about = import_help())]
    Import(ImportArgs),
    /// Give an account a new random password, printed for you to hand over, and end
    /// every session of that user (for a user who forgot theirs: there is no e-mail).
    ResetPassword(ResetPasswordArgs),
}

#[derive(clap::Args)]
struct ResetPasswordArgs {
    /// The account's username (any case, as at log-in).
    username: String,
}

/// `import --help`; the feature names come from the one place that lists them.
fn import_help() -> String {
    use insights_hub::catalog::import::{
        MAX_ARTISTS_PER_TRACK, MAX_ARTIST_CHARS, MAX_GENRE_CHARS, MAX_TITLE_CHARS,
    };
    let features: Vec<&str> = Feature::AUDIO.iter().map(|f| f.key()).collect();
    format!(
        "Import Spotify audio-feature CSV files into the catalog.

Columns are found by their header names, whatever their case, spaces and underscores;
a unit in parentheses is read (`Duration (s)` is in seconds, `(ms)` and `duration_ms` in
milliseconds). Columns the import does not know are passed over. These formats import without options: TidyTuesday
spotify_songs.csv, Kaggle SpotifyFeatures.csv, the Hugging Face / Kaggle
\"Spotify Tracks Dataset\" dataset.csv, Kaggle \"600k tracks\" tracks.csv, Kaggle
\"1.2M songs\" tracks_features.csv and Exportify playlist exports; so does any CSV with a title, an artist and the audio
features ({}).

Files may be gzip- or zip-compressed (a zip holding one CSV or TSV file). Spreadsheet
exports work as saved: comma-, semicolon- or tab-separated (decimal commas in
semicolon- and tab-separated files), Excel's \"sep=;\" first line, UTF-8, UTF-16
with a byte-order mark, or Windows-1252, dates in the locale's form (14.06.2019,
6/14/2019). Two columns that name the same field are an
error; of two spellings of one field (artist_name, track_artist), one is read and the
summary names both.

All files of one run are imported in ONE transaction: if the import fails or is
interrupted, the database is left exactly as it was. Ctrl-C stops it at once until
its commit starts (the progress line says when); a commit is let finish. A track is recognised by its
Spotify id (or, among tracks without one, by artists and title), so importing the same
file again changes nothing. A track the catalog has takes the values a file gives
and keeps those it lacks (its genres and popularity when the file has none), so
datasets combine. A track listed several times in one file is stored once, with
every genre it is listed under.
Importing real data replaces the demo catalog.

Bad rows are skipped and listed with their line numbers (the first 20 of each file;
--bad-rows FILE writes every one), unless --strict is given.
Titles and albums longer than {MAX_TITLE_CHARS} characters, artist names longer than
{MAX_ARTIST_CHARS}, genres longer than {MAX_GENRE_CHARS} and tracks with more than
{MAX_ARTISTS_PER_TRACK} artists are bad rows. A file that gives no track at all fails
the import, and so does a file whose rows are mostly bad, unless --allow-bad-rows is
given.

Example: insights-hub import --database data/insights.db spotify_songs.csv",
        features.join(", ")
    )
}

#[derive(clap::Args)]
struct ImportArgs {
    /// CSV files to import (plain, .gz or .zip), all in one transaction; `-` reads
    /// standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Abort at the first bad row (importing nothing) instead of skipping bad rows.
    #[arg(long)]
    strict: bool,

    /// Import the good rows of a file even when most of its rows are bad (such a file
    /// is refused otherwise).
    #[arg(long, conflicts_with = "strict")]
    allow_bad_rows: bool,

    /// Write every bad row (file, line, reason) to this CSV file; the summary lists
    /// only the first 20 of each file.
    #[arg(long, value_name = "FILE")]
    bad_rows: Option<PathBuf>,
}

#[derive(Clone, Copy, Default, clap::ValueEnum)]
enum CookieSecurity {
    #[default]
    Auto,
    Always,
    Never,
}

/// `--bind`: an address as written, or a host name resolved (an IPv4 address first,
/// as `localhost` usually means 127.0.0.1 to whoever types it).
fn listen_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    let resolved: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(text)
        .map_err(|e| {
            format!("{text} is not an address to listen on ({e}): write one such as 127.0.0.1:3000")
        })?
        .collect();
    resolved
        .iter()
        .find(|a| a.is_ipv4())
        .or(resolved.first())
        .copied()
        .ok_or_else(|| format!("{text} names no address to listen on"))
}

// The on/off switches below also read their environment variable as 1/0, yes/no or
// on/off, not only true/false: `API_ANONYMOUS=1` is how such variables are usually set,
// and clap's default refused it.
#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on: an IP address and port, or a host name and port
    /// (`localhost:3000`).
    #[arg(long, env = "BIND", default_value = Config::DEFAULT_BIND, value_parser = listen_address)]
    bind: SocketAddr,

    /// When cookies carry the Secure flag (sent over HTTPS only). `auto`: Secure unless
    /// the server listens on a loopback address, where plain-HTTP development happens.
    /// Use `always` behind a TLS-terminating proxy on the same host.
    #[arg(long, env = "SECURE_COOKIES", value_enum, default_value_t = CookieSecurity::Auto)]
    secure_cookies: CookieSecurity,

    /// Do not seed the demo catalog into an empty database.
    #[arg(long, env = "NO_DEMO", value_parser = BoolishValueParser::new())]
    no_demo: bool,

    /// The server secret: 64 hex digits or base64 of 32 bytes (`openssl rand -hex 32`).
    /// Without it, a key is generated on first start into `secret.key` beside the
    /// database (mode 0600) and reused; with PostgreSQL, into `data/secret.key` under
    /// the working directory, which suits one server only: give several the same key.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,

    /// Behind a reverse proxy: take the client address from the last X-Forwarded-For
    /// entry (for log-in throttling). Only with a proxy that sets that header.
    #[arg(long, env = "TRUST_PROXY", value_parser = BoolishValueParser::new())]
    trust_proxy: bool,

    /// Let the JSON API's read endpoints (/api/v1) answer requests without a token (a
    /// placeholder token that is not of this server's `sih_` shape counts as none).
    #[arg(long, env = "API_ANONYMOUS", value_parser = BoolishValueParser::new())]
    api_anonymous: bool,

    /// Fill what the dataset does not hold with Spotify's usual values instead of null
    /// (disc and track number 1, explicit false, album type "album", followers 0, time
    /// signature 4, ...), for typed clients such as tekore and rspotify, which refuse
    /// those nulls. The README lists every value.
    #[arg(long, env = "API_FILL_UNKNOWN", value_parser = BoolishValueParser::new())]
    api_fill_unknown: bool,

    /// Origins allowed to call the JSON API from a browser (CORS), comma-separated,
    /// e.g. `https://app.example.org`; `*` allows any. Default: none.
    #[arg(long, env = "API_CORS_ORIGINS", value_delimiter = ',')]
    api_cors_origins: Vec<String>,

    /// JSON API requests allowed per minute per token (per client address without
    /// one); 0 turns the limit off.
    #[arg(long, env = "API_RATE_LIMIT", default_value_t = insights_hub::config::DEFAULT_API_RATE_LIMIT)]
    api_rate_limit: u32,

    /// Directory for the catalog's cache files (its indexes, track facts and genre
    /// profiles as last built, read back at start-up instead of built again). Default:
    /// beside the SQLite catalog file; with PostgreSQL, none unless this is set.
    #[arg(long, env = "CACHE_DIR")]
    cache_dir: Option<std::path::PathBuf>,

    /// Worker threads answering requests. Default: one per core. The environment
    /// variable is tokio's own, which the runtime read before this flag existed.
    #[arg(long, env = "TOKIO_WORKER_THREADS")]
    workers: Option<std::num::NonZeroUsize>,
}

fn main() -> ExitCode {
    // Before anything else, while this is the only thread.
    insights_hub::db::use_multi_thread_mode();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,poem=warn".into()),
        )
        .with_target(false)
        // Colours only for a person at a terminal: in a log file or a pipe (systemd,
        // docker, `> server.log`) the escape codes were noise around every field.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    tracing::debug!(allocator = %insights_hub::allocator::name(), "allocator chosen");
    let mut cli = Cli::parse();
    if cli.command.is_none() {
        // `serve` is the default: parse again as if it had been given, so its flags'
        // environment variables and defaults apply exactly as they do when it is typed.
        let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        args.push("serve".into());
        cli = Cli::parse_from(args);
    }
    let database = match config::Database::parse(&cli.database) {
        Ok(database) => database,
        Err(message) => {
            to_stderr(format_args!("error: --database / DATABASE_URL: {message}"));
            return ExitCode::FAILURE;
        }
    };
    let main_file = database.sqlite_path().map(std::path::Path::to_path_buf);
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(database, args),
        Some(Command::Import(args)) => {
            // Still the only thread, and nothing has opened SQLite yet.
            insights_hub::db::stop_counting_sqlite_memory();
            import(database, args)
        }
        Some(Command::ResetPassword(args)) => reset_password(database, args),
        None => Err(anyhow::anyhow!("no command given")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let text = format!("{error:#}");
            // SQLite's words name no file and no cause: said with them, on the same line.
            match main_file.and_then(|main| insights_hub::db::file_trouble::advice(&text, &main)) {
                Some(advice) => to_stderr(format_args!("error: {text}; {advice}")),
                None => to_stderr(format_args!("error: {text}")),
            }
            ExitCode::FAILURE
        }
    }
}

/// Writes a line to standard error, ignoring a failure to. `eprintln!` panics when
/// stderr cannot be written (`2>/dev/full`, a closed pipe), and the process then ended
/// with status 101, as if it had crashed, instead of with its own.
pub(crate) fn to_stderr(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn serve(database: config::Database, args: ServeArgs) -> anyhow::Result<()> {
    // Named here, not left to tokio, because the allocator's arenas are counted for
    // the workers (see `insights_hub::memory`).
    let workers = args
        .workers
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, |n| n.get());
    // Before the runtime's threads exist.
    insights_hub::memory::tune_allocator(workers);
    insights_hub::db::limit_sqlite_memory(insights_hub::db::SERVING_MEMORY_LIMIT);
    let mut config = Config::for_database(database);
    config.bind = args.bind;
    config.secure_cookies = match args.secure_cookies {
        CookieSecurity::Always => true,
        CookieSecurity::Never => false,
        CookieSecurity::Auto => !config.bind.ip().is_loopback(),
    };
    config.reached_over_https = matches!(args.secure_cookies, CookieSecurity::Always);
    if matches!(args.secure_cookies, CookieSecurity::Auto) && config.secure_cookies {
        // Said, because over plain HTTP every form then answers that it expired, and
        // nothing else pointed at the cause.
        tracing::warn!(
            "cookies are sent over HTTPS only, since {} is not a loopback address: behind \
             a TLS proxy that is right; to use the server over plain HTTP on a network, \
             start it with --secure-cookies never",
            config.bind
        );
    }
    config.seed_demo = !args.no_demo;
    config.trust_proxy_headers = args.trust_proxy;
    config.api_anonymous = args.api_anonymous;
    config.api_fill_unknown = args.api_fill_unknown;
    config.api_cors_origins = args
        .api_cors_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| insights_hub::config::cors_origin::parse(o))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("--api-cors-origins: {e}"))?;
    config.api_rate_limit = args.api_rate_limit;
    config.cache_dir = args.cache_dir;
    // Resolved here so that a bad key or an unwritable key file stops the start-up
    // with a clear message instead of falling back to a temporary key.
    if let Some(text) = &args.secret_key {
        config.secret_key =
            Some(SecretKey::parse(text).map_err(|e| anyhow::anyhow!("SECRET_KEY: {e}"))?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        // The workers start first, so each takes an arena of its own.
        .on_thread_start(insights_hub::memory::attach_arena)
        .enable_all()
        // Blocking work is database work, and the pool has at most 16 connections:
        // more threads only wait for one, each with its own stack and allocator cache
        // (tokio's default allows 512; a load test at 1.2M tracks made 70).
        .max_blocking_threads(32)
        .build()?;
    // Held until the process ends: one server per SQLite database.
    let _serving = match config.database.sqlite_path() {
        Some(main) => Some(insights_hub::db::one_server::take(main)?),
        None => None,
    };
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        // Bound first: a port in use is said at once, not after the start-up's work
        // (reading or building the indexes, seconds at a million tracks). Connections
        // made meanwhile wait in the kernel's queue and are answered once ready.
        let listener = TcpListener::bind(config.bind)
            .into_acceptor()
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let state = AppState::open_for_serving(config.clone())?;
        state.spawn_catalog_watcher(Duration::from_secs(2));
        // A look costs an Arc's clone: often, so that a new catalog's profiles are
        // begun within a quarter of a second of its load (every 2 s had left a request
        // in between to build them itself, 1.6 s after an import).
        state.spawn_cache_warm_up(Duration::from_millis(250));
        let catalog = state.catalog();
        let stop = shutdown_signal();
        tracing::info!(
            tracks = catalog.meta.track_count,
            ready_ms = started.elapsed().as_millis() as u64,
            "ready on http://{}",
            config.bind
        );
        let limits = connection_guard::Limits {
            // Behind a proxy every connection comes from it: no per-address cap there.
            per_address: (!config.trust_proxy_headers).then_some(connection_guard::PER_ADDRESS),
            total: open_files::connection_cap(),
        };
        tracing::debug!(?limits, "connection limits");
        let guarded = connection_guard::guarded(
            transport::no_delay(listener),
            connection_guard::Deadlines::default(),
            limits,
        );
        Server::new_with_acceptor(transport::with_error_bodies(guarded))
            .run_with_graceful_shutdown(app(state), stop, Some(Duration::from_secs(10)))
            .await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP, so in-flight requests finish before the
/// process exits. SIGHUP (the terminal the server ran in closed) had ended it at once,
/// with no line said and requests cut. The handlers are installed here, when called,
/// not when the future is first polled: the server is called ready before it runs, and
/// a signal between the two took the default action, ending the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let [mut interrupt, mut terminate, mut hang_up] = {
        use tokio::signal::unix::{signal, SignalKind};
        [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .map(|kind| signal(kind).ok())
    };
    async move {
        #[cfg(unix)]
        {
            async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = next(&mut interrupt) => {},
                _ = next(&mut terminate) => {},
                _ = next(&mut hang_up) => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    }
}

/// `insights-hub reset-password NAME`: the library does the reset; this checks that the
/// database is one the servers use, and prints the password to hand over.
fn reset_password(database: config::Database, args: ResetPasswordArgs) -> anyhow::Result<()> {
    use insights_hub::accounts::{hashing::PasswordHasher, reset, AccountError};
    // A mistyped path would otherwise be created, empty, and said to have no such user;
    // another file (the catalog's, an empty one) or an empty PostgreSQL database
    // migrated as a new app.
    if let Some(path) = database.sqlite_path() {
        if !path.exists() {
            anyhow::bail!(
                "there is no database at {}: give the --database the server uses",
                path.display()
            );
        }
    }
    refuse_other_databases(&database, false)?;
    let on_sqlite = database.sqlite_path().is_some();
    let pool = insights_hub::db::open(database)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let hasher = PasswordHasher::new(1);
    let done = runtime
        .block_on(reset::reset_password(&pool, &hasher, &args.username))
        .map_err(|error| match error {
            AccountError::NoSuchUser => anyhow::anyhow!(
                "no account is named “{}”",
                insights_hub::quoted::quoted(args.username.trim())
            ),
            // Its own words only: the chain would repeat its cause's (SQLite's message).
            other => anyhow::anyhow!(other.to_string()),
        })?;
    println!("New password for “{}”: {}", done.username, done.password);
    // A SQLite server trusts its session cache for a few seconds (over PostgreSQL every
    // server hears of the change at once); it makes no API token with such a session.
    let within = if on_sqlite {
        "; a running SQLite server stops taking them within 5 seconds"
    } else {
        ""
    };
    println!(
        "Their sessions have ended ({} signed in{within}). Hand the password over; they \
         can choose their own on their account page.",
        done.sessions_ended
    );
    Ok(())
}

/// Refuses a `--database` that is not this app's main database (it has no accounts):
/// its catalog file, a slip the README's "the only tables an import writes" invites, or
/// another program's database. Opened as a main file, either was migrated as a new one:
/// an import then failed with "table tracks already exists", after warning of password
/// hashes the file does not hold and of a newer release that never ran, and left a
/// `….catalog.catalog` file beside it. `creates`: the command makes a new database
/// where there is none (import), so a path with nothing yet (missing, or an empty file,
/// which SQLite takes for a new database) passes, and so does any PostgreSQL database;
/// and a file that cannot be read now is left to the opening to explain, rather than
/// refused for a lock a server held for a moment.
fn refuse_other_databases(database: &config::Database, creates: bool) -> anyhow::Result<()> {
    let sqlite = database.sqlite_path();
    if creates {
        let Some(path) = sqlite else { return Ok(()) };
        let nothing_yet = std::fs::metadata(path).map_or(true, |m| m.is_file() && m.len() == 0);
        if nothing_yet || insights_hub::db::holds_accounts(database).unwrap_or(true) {
            return Ok(());
        }
    } else if insights_hub::db::holds_accounts(database)? {
        return Ok(());
    }
    match sqlite {
        Some(path) => {
            let beside = match insights_hub::db::catalog_file::main_path_of(path) {
                Some(main) => format!("{}, if this is its catalog file", main.display()),
                None => "not its catalog file".to_string(),
            };
            anyhow::bail!(
                "{} is not this app's main database (it has no accounts): give the \
                 --database the server uses ({beside})",
                path.display()
            )
        }
        None => anyhow::bail!(
            "{database} holds no accounts of this app (no users table): give the \
             --database the servers use"
        ),
    }
}

fn import(database: config::Database, args: ImportArgs) -> anyhow::Result<()> {
    // Before anything is created or opened: the bad rows' list, the database's files.
    refuse_other_databases(&database, true)?;
    let options = ImportOptions {
        strict: args.strict,
        allow_bad_rows: args.allow_bad_rows,
    };
    let mut progress = ImportBar::new();
    if let Some(path) = &args.bad_rows {
        // `-` reads standard input among the files, so here it looks like standard
        // output; it had made a file called `-`. Said rather than guessed: the summary
        // is on standard output already.
        if path.as_os_str() == "-" {
            anyhow::bail!(
                "--bad-rows needs a file to write the bad rows to (- is not standard \
                 output here; write ./- for a file called that)"
            );
        }
        let file = bad_rows_file::BadRowsFile::create(path, database.sqlite_path())
            .map_err(|e| anyhow::anyhow!("--bad-rows {}: {e}", path.display()))?;
        progress.bad_rows = Some(file);
    }
    // `-` is standard input, as for most commands that read files (`./-` names a file
    // called that); it had been refused as a missing file. Once: a second `-` read on
    // from the middle of the stream.
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        anyhow::bail!("standard input (-) can be read once: give it once");
    }
    let files: Vec<PathBuf> = args
        .files
        .iter()
        .map(|file| {
            if file.as_os_str() == "-" {
                PathBuf::from("/dev/stdin")
            } else {
                file.clone()
            }
        })
        .collect();
    let result = import_database(&database, &files, options, &mut progress);
    progress.bar.finish_and_clear();
    // Said whatever the outcome: a refused file's bad rows are what there is to fix.
    let stopped = matches!(
        result,
        Err(insights_hub::catalog::import::ImportError::Interrupted)
    );
    let read_nothing = matches!(&result, Ok(report) if report.already_imported);
    let bad_rows = progress.bad_rows.take().map(|file| {
        if read_nothing {
            file.discard()
        } else {
            file.finish(stopped)
        }
    });
    if let (Some(said), Err(_)) = (&bad_rows, &result) {
        to_stderr(said);
    }
    if let Err(stopped @ insights_hub::catalog::import::ImportError::Interrupted) = &result {
        // Rolled back and closed: the catalog file is as it was, with no journal
        // beside it. 130, as a shell reports a command stopped by Ctrl-C.
        to_stderr(format_args!("error: {stopped}"));
        #[allow(clippy::exit)]
        std::process::exit(130);
    }
    let report = result?;
    // The import has committed: a reader that closed the pipe (`| head`) made
    // `println!` panic (exit 101) over a successful import.
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", report.summary())
        .and_then(|()| bad_rows.map_or(Ok(()), |said| writeln!(out, "{said}")))
        .and_then(|()| writeln!(out, "Database: {database}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::listen_address;

    #[test]
    fn an_address_to_listen_on_is_an_ip_or_a_host_name_with_a_port() {
        assert_eq!(
            listen_address("0.0.0.0:8080").map(|a| a.to_string()),
            Ok("0.0.0.0:8080".to_string())
        );
        assert_eq!(
            listen_address("[::1]:8080").map(|a| a.to_string()),
            Ok("[::1]:8080".to_string())
        );
        let local = listen_address("localhost:8080").expect("localhost resolves");
        assert!(local.ip().is_loopback() && local.port() == 8080, "{local}");
        let refused = listen_address("no-such-host.invalid:8080").unwrap_err();
        assert!(refused.contains("127.0.0.1:3000"), "{refused}");
        assert!(listen_address("127.0.0.1").is_err(), "a port is needed");
    }
}
