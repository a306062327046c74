//! The `insights-hub` binary: parses the command line and calls into the library.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Parser, Subcommand};
use insights_hub::{app, config, AppState, Config};
use poem::{listener::TcpListener, Server};

#[derive(Parser)]
#[command(
    name = "insights-hub",
    version,
    about = "Spotify Insights Hub: compare artists and find your perfect song from a local Spotify audio-features dataset.",
    long_about = None
)]
struct Cli {
    /// SQLite database file (created if missing). Also DATABASE_URL (`sqlite://path` or a path).
    #[arg(long, global = true, env = "DATABASE_URL", default_value = Config::DEFAULT_DATABASE)]
    database: String,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default when no subcommand is given).
    Serve(ServeArgs),
}

#[derive(clap::Args, Default)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = Config::DEFAULT_BIND)]
    bind: Option<SocketAddr>,

    /// Send cookies without the Secure flag, for plain-HTTP development on localhost.
    /// Leave it off behind HTTPS.
    #[arg(long, env = "INSECURE_COOKIES")]
    insecure_cookies: bool,

    /// Do not seed the demo catalog into an empty database.
    #[arg(long, env = "NO_DEMO")]
    no_demo: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,poem=warn".into()),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let database = config::database_path(&cli.database);
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(database, args),
        None => serve(database, ServeArgs::default()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(database: PathBuf, args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::for_database(database);
    if let Some(bind) = args.bind {
        config.bind = bind;
    } else if let Ok(bind) = std::env::var("BIND") {
        config.bind = bind.parse()?;
    }
    config.secure_cookies = !args.insecure_cookies;
    config.seed_demo = !args.no_demo;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let state = AppState::open(config.clone())?;
        state.spawn_catalog_watcher(Duration::from_secs(2));
        let catalog = state.catalog();
        tracing::info!(
            tracks = catalog.meta.track_count,
            ready_ms = started.elapsed().as_millis() as u64,
            "ready on http://{}",
            config.bind
        );
        Server::new(TcpListener::bind(config.bind))
            .run_with_graceful_shutdown(app(state), shutdown_signal(), Some(Duration::from_secs(10)))
            .await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
