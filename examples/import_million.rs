//! Generates a synthetic CSV (1,000,000 rows unless told otherwise) in a temporary
//! directory and times a full import of it into a fresh database. The layout is the
//! TidyTuesday one, or with `--kaggle` the Kaggle "1.2M songs" one (no genre, no
//! popularity, artists as Python lists).
//!
//!     cargo run --release --example import_million [--kaggle] [ROWS [KEEP_DIR]]
//!
//! Prints the import summary, rows per second and the process's peak memory. Nothing is
//! kept afterwards unless a directory is given for the CSV and the database.
//!
//! With BENCH_DATABASE_URL=postgres://... the import goes into that (empty) PostgreSQL
//! database instead of a new SQLite file.

use std::{fs::File, path::PathBuf, time::Instant};

use insights_hub::catalog::import::{
    import_database,
    synthetic::{write_kaggle_1m_csv, write_tidytuesday_csv},
    ImportOptions, NoProgress,
};

/// The allocator `insights-hub import` runs on (`insights_hub::allocator`).
#[global_allocator]
static ALLOCATOR: insights_hub::allocator::ForImport = insights_hub::allocator::FOR_IMPORT;

fn main() -> anyhow::Result<()> {
    // As the binary does, before any other thread exists.
    insights_hub::db::use_multi_thread_mode();
    // As the binary's import command does.
    insights_hub::db::stop_counting_sqlite_memory();
    // RUST_LOG=debug shows the time of each phase (rows written, finish, commit).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let kaggle = std::env::args().any(|a| a == "--kaggle");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--kaggle")
        .collect();
    let rows: u64 = match args.first() {
        Some(arg) => arg.replace('_', "").parse()?,
        None => 1_000_000,
    };
    // A second argument keeps the CSV and the database in that directory.
    let temp = tempfile::tempdir()?;
    let dir: PathBuf = match args.get(1) {
        Some(keep) => PathBuf::from(keep),
        None => temp.path().to_path_buf(),
    };
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let csv: PathBuf = if kaggle {
        let csv = dir.join("synthetic_tracks_features.csv");
        write_kaggle_1m_csv(File::create(&csv)?, rows, 20_201_212)?;
        csv
    } else {
        let csv = dir.join("synthetic_spotify_songs.csv");
        write_tidytuesday_csv(File::create(&csv)?, rows, 20_200_121)?;
        csv
    };
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "generated {rows} synthetic rows ({:.1} MB) in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let database = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            insights_hub::config::Database::parse(&url).map_err(anyhow::Error::msg)?
        }
        _ => {
            let database = dir.join("bench.db");
            if database.exists() {
                anyhow::bail!("{} exists; give an empty directory", database.display());
            }
            database.into()
        }
    };
    let report = import_database(&database, &[csv], ImportOptions::default(), &mut NoProgress)?;
    print!("{}", report.summary());
    println!(
        "{rows} rows in {:.2} s = {:.0} rows/s",
        report.elapsed.as_secs_f64(),
        report.rows_per_second()
    );
    // Peak resident memory of this process (generation and import).
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!("peak memory: {}", line.trim_start_matches("VmHWM:").trim());
        }
    }
    Ok(())
}
