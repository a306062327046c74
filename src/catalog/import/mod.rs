//! Importing Spotify audio-feature CSVs into the catalog.
//!
//! - [`header`] finds the columns by their names (any of the supported dataset formats,
//!   or any CSV naming the features in a common spelling),
//! - [`value`] parses single cells, [`row`] turns a row into a [`NewTrack`] or a reason,
//! - [`source`] reads a file, [`run`] imports files in one transaction,
//! - [`synthetic`] writes a clearly fake dataset for benchmarks.
//!
//! [`NewTrack`]: crate::catalog::NewTrack

pub mod header;
pub mod row;
pub mod run;
pub mod source;
pub mod synthetic;
pub mod value;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

pub use header::{ColumnMap, UnmappableHeader};
pub use run::{import_database, import_files};

/// How many bad rows a report lists by line (the rest are only counted).
pub const LISTED_BAD_ROWS: usize = 20;

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Abort at the first bad row instead of skipping it.
    pub strict: bool,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// What importing one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    pub path: PathBuf,
    /// Data rows read (good, bad and repeated).
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Rows that repeat a track already read from this file (once per playlist or
    /// genre in several datasets); the first occurrence is stored.
    pub repeated: u64,
    pub skipped: u64,
    /// The first [`LISTED_BAD_ROWS`] skipped rows.
    pub bad_rows: Vec<BadRow>,
}

/// What a whole import run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    /// The demo catalog was removed to make room for the real data.
    pub replaced_demo: bool,
    /// Tracks and artists in the catalog after the import.
    pub catalog_tracks: i64,
    pub catalog_artists: i64,
    pub elapsed: Duration,
}

impl ImportReport {
    fn sum(&self, of: impl Fn(&FileReport) -> u64) -> u64 {
        self.files.iter().map(of).sum()
    }

    pub fn rows_read(&self) -> u64 {
        self.sum(|f| f.rows_read)
    }

    pub fn inserted(&self) -> u64 {
        self.sum(|f| f.inserted)
    }

    pub fn updated(&self) -> u64 {
        self.sum(|f| f.updated)
    }

    pub fn repeated(&self) -> u64 {
        self.sum(|f| f.repeated)
    }

    pub fn skipped(&self) -> u64 {
        self.sum(|f| f.skipped)
    }

    /// Rows read per second of the whole run.
    pub fn rows_per_second(&self) -> f64 {
        self.rows_read() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Why an import stopped. Whatever the reason, the database is as it was before.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot open {}: {source}", .path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot import {}: {source}", .path.display())]
    Unmappable {
        path: PathBuf,
        source: UnmappableHeader,
    },
    #[error("cannot read {} at line {line}: {message}", .path.display())]
    Read {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}, line {}: {} (--strict stops at the first bad row; nothing was imported)", .path.display(), .row.line, .row.reason)]
    Strict { path: PathBuf, row: BadRow },
    #[error("cannot open the database: {0:#}")]
    OpenDatabase(anyhow::Error),
    #[error("database error: {0} (nothing was imported)")]
    Database(#[from] diesel::result::Error),
}

/// Receives progress while files are imported (a terminal progress bar, or nothing).
pub trait Progress {
    /// A file starts; `bytes` is its size (0 if unknown).
    fn start_file(&mut self, path: &Path, bytes: u64);
    /// Rows and bytes read so far in the current file.
    fn advance(&mut self, rows: u64, bytes: u64);
    /// The rows are in; indexes and aggregates are being rebuilt.
    fn finishing(&mut self);
}

/// Progress that goes nowhere (tests, benchmarks).
pub struct NoProgress;

impl Progress for NoProgress {
    fn start_file(&mut self, _: &Path, _: u64) {}
    fn advance(&mut self, _: u64, _: u64) {}
    fn finishing(&mut self) {}
}

/// 1234567 -> "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl ImportReport {
    /// The summary printed at the end of `insights-hub import`: totals, then each
    /// file's skipped rows (count plus the first ones with their line numbers).
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let names: Vec<String> = self
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        let _ = writeln!(
            out,
            "Imported {} in {:.2} s ({} rows/s), in one transaction.",
            names.join(", "),
            self.elapsed.as_secs_f64(),
            thousands(self.rows_per_second().round() as u64)
        );
        if self.replaced_demo {
            let _ = writeln!(out, "The demo catalog was replaced by the imported data.");
        }
        let lines = [
            ("rows read", self.rows_read(), ""),
            ("tracks inserted", self.inserted(), ""),
            (
                "tracks updated",
                self.updated(),
                " (already in the catalog)",
            ),
            (
                "repeated rows",
                self.repeated(),
                " (a track listed again in the same file; stored once)",
            ),
            ("rows skipped", self.skipped(), ""),
        ];
        for (label, value, note) in lines {
            let _ = writeln!(out, "  {label:<16} {:>12}{note}", thousands(value));
        }
        let _ = writeln!(
            out,
            "  {:<16} {:>12} tracks, {} artists",
            "catalog now",
            thousands(self.catalog_tracks.max(0) as u64),
            thousands(self.catalog_artists.max(0) as u64)
        );
        for file in self.files.iter().filter(|f| f.skipped > 0) {
            let _ = writeln!(
                out,
                "Skipped {} bad row{} in {}{}:",
                thousands(file.skipped),
                if file.skipped == 1 { "" } else { "s" },
                file.path.display(),
                if file.skipped as usize > file.bad_rows.len() {
                    format!(" (the first {} listed)", file.bad_rows.len())
                } else {
                    String::new()
                }
            );
            for bad in &file.bad_rows {
                let _ = writeln!(out, "  line {}: {}", bad.line, bad.reason);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn summary_lists_totals_and_bad_lines() {
        let report = ImportReport {
            files: vec![FileReport {
                path: PathBuf::from("a.csv"),
                rows_read: 30,
                inserted: 25,
                updated: 0,
                repeated: 3,
                skipped: 2,
                bad_rows: vec![
                    BadRow {
                        line: 4,
                        reason: "energy: the value is missing".into(),
                    },
                    BadRow {
                        line: 9,
                        reason: "title is missing".into(),
                    },
                ],
            }],
            replaced_demo: true,
            catalog_tracks: 25,
            catalog_artists: 7,
            elapsed: Duration::from_millis(500),
        };
        let text = report.summary();
        assert!(text.contains("rows read                  30"), "{text}");
        assert!(text.contains("60 rows/s"), "{text}");
        assert!(text.contains("demo catalog was replaced"), "{text}");
        assert!(text.contains("Skipped 2 bad rows in a.csv:"), "{text}");
        assert!(
            text.contains("  line 4: energy: the value is missing"),
            "{text}"
        );
        assert!(text.contains("25 tracks, 7 artists"), "{text}");
    }
}
