//! Generates a synthetic CSV (1,000,000 rows unless told otherwise) in a temporary
//! directory and times a full import of it into a fresh database.
//!
//!     cargo run --release --example import_million [--kaggle] [ROWS [KEEP_DIR]]
//!
//! The file is laid out like TidyTuesday's `spotify_songs.csv`, or with `--kaggle` like
//! the large Kaggle "1.2M songs" file (artists as Python lists, no genre or popularity).
//! Prints the import summary, rows per second and the process's peak memory. Nothing is
//! kept afterwards unless a directory is given for the CSV and the database.

use std::{fs::File, path::PathBuf, time::Instant};

use insights_hub::catalog::import::{
    import_database,
    synthetic::{write_kaggle_1m_csv, write_tidytuesday_csv},
    ImportOptions, NoProgress,
};

fn main() -> anyhow::Result<()> {
    // As the binary does, before any other thread exists.
    insights_hub::db::use_multi_thread_mode();
    // RUST_LOG=debug shows the time of each phase (rows written, finish, commit).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let kaggle = args.first().is_some_and(|a| a == "--kaggle");
    if kaggle {
        args.remove(0);
    }
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
    let csv: PathBuf = dir.join("synthetic_spotify_songs.csv");
    let started = Instant::now();
    if kaggle {
        write_kaggle_1m_csv(File::create(&csv)?, rows, 20_201_214)?;
    } else {
        write_tidytuesday_csv(File::create(&csv)?, rows, 20_200_121)?;
    }
    let size = std::fs::metadata(&csv)?.len();
    let layout = if kaggle { "Kaggle 1.2M" } else { "TidyTuesday" };
    println!(
        "generated {rows} synthetic rows in the {layout} layout ({:.1} MB) in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let database = dir.join("bench.db");
    if database.exists() {
        anyhow::bail!("{} exists; give an empty directory", database.display());
    }
    let report = import_database(&database, &[csv], ImportOptions::default(), &mut NoProgress)?;
    print!("{}", report.summary());
    println!(
        "{rows} rows in {:.2} s = {:.0} rows/s",
        report.elapsed.as_secs_f64(),
        report.rows_per_second()
    );
    if let Some(peak) = peak_memory() {
        println!("peak memory (VmHWM): {peak}");
    }
    Ok(())
}

/// The process's peak resident memory, as Linux reports it.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().to_string())
}
