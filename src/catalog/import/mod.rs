//! Importing Spotify audio-feature CSVs into the catalog.
//!
//! - [`header`] finds the columns by their names (any of the supported dataset formats,
//!   or any CSV naming the features in a common spelling),
//! - [`value`] parses single cells, [`row`] turns a row into a [`NewTrack`] or a reason,
//! - [`input`] undoes what surrounds the CSV text (gzip, zip, UTF-16, Excel's `sep=`
//!   line, `;` or tab as the delimiter),
//! - [`source`] reads a file, [`run`] imports files in one transaction,
//! - [`synthetic`] writes a clearly fake dataset for benchmarks.
//!
//! [`NewTrack`]: crate::catalog::NewTrack

pub mod digest;
pub mod header;
pub mod input;
pub mod row;
pub mod run;
pub mod source;
pub mod synthetic;
pub mod value;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::decimal::format_count;

pub use header::{ColumnMap, DuplicateColumns, HeaderError, UnmappableHeader};
pub use run::{import_database, import_files};

/// How many bad rows a report lists by line (the rest are only counted).
pub const LISTED_BAD_ROWS: usize = 20;
/// How many bad rows an error that refuses a file quotes.
const QUOTED_BAD_ROWS: usize = 3;

/// The longest title and album name accepted, in characters: far above any real one
/// (the TidyTuesday file's longest is 151), far below what would bloat a page.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// The longest artist name accepted, in characters (the TidyTuesday file's longest: 69).
pub const MAX_ARTIST_CHARS: usize = 500;
/// The longest genre accepted, in characters.
pub const MAX_GENRE_CHARS: usize = 100;
/// The most genres one track may list (Exportify's artist genres reach about 20).
pub const MAX_GENRES_PER_TRACK: usize = 100;
/// The most artists one track may credit.
pub const MAX_ARTISTS_PER_TRACK: usize = 100;

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Abort at the first bad row instead of skipping it.
    pub strict: bool,
    /// Import a file's good rows even when most of its rows are bad (otherwise such a
    /// file is refused, since it is more likely the wrong file or the wrong format).
    pub allow_bad_rows: bool,
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
    /// genre in several datasets); the first occurrence is stored, and the repeats'
    /// genres are added to its set.
    pub repeated: u64,
    pub skipped: u64,
    /// Lines that skipped rows took in after their own (a quote left open runs over
    /// the rows after it): those rows are lost too.
    pub lines_lost: u64,
    /// The first [`LISTED_BAD_ROWS`] skipped rows.
    pub bad_rows: Vec<BadRow>,
    /// How the file was read, when it was not plain comma-separated UTF-8 ("gzip",
    /// "Windows-1252", "';'-separated", ...).
    pub notes: Vec<String>,
    /// Columns passed over for another spelling of their field, as the summary says
    /// it ("column 24 “artist_name” gives the artist; column 3 “track_artist” is
    /// ignored"): see `header::PassedOver`.
    pub passed_over: Vec<String>,
    /// What to check after the file was read whole (`CsvSource::cautions`).
    pub cautions: Vec<String>,
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
    /// The catalog already held exactly this import (the same files, options and build:
    /// `digest`), so nothing was written and its version did not move.
    pub already_imported: bool,
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
///
/// No variant has an error `source`: each message already contains its cause, and a
/// source would make `{:#}` (anyhow's chain) print the cause a second time.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot open {}: {error}; nothing was imported", shown_path(.path))]
    Open {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot import {}: {message}; nothing was imported", shown_path(.path))]
    Archive { path: PathBuf, message: String },
    #[error("cannot import {}: it is empty (no header line and no rows); nothing was imported", shown_path(.path))]
    Empty { path: PathBuf },
    /// A file written while it was read: its rows may be half old, half new, and its
    /// last line cut (an appended file's torn line had been reported as bad quoting,
    /// a truncated one's missing rows not at all).
    #[error("{} changed while it was read (written, appended to or cut short), so nothing was imported: import it again once it is complete", shown_path(.path))]
    ChangedWhileRead { path: PathBuf },
    #[error("cannot import {}: {error}; nothing was imported", shown_path(.path))]
    Unmappable {
        path: PathBuf,
        error: UnmappableHeader,
    },
    #[error("cannot import {}: {error}; nothing was imported", shown_path(.path))]
    DuplicateColumns {
        path: PathBuf,
        error: DuplicateColumns,
    },
    #[error("cannot read {} at line {line}: {message}; nothing was imported", shown_path(.path))]
    Read {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}, line {}: {} (--strict stops at the first bad row; nothing was imported)", shown_path(.path), .row.line, .row.reason)]
    Strict { path: PathBuf, row: BadRow },
    #[error("{}: {}; nothing was imported{}", shown_path(.path), nothing_message(*.rows_read, .bad_rows), features_withdrawn_hint(.bad_rows))]
    NothingToImport {
        path: PathBuf,
        rows_read: u64,
        /// The first bad rows.
        bad_rows: Vec<BadRow>,
    },
    #[error("{}: {}, so the file was refused and nothing was imported (--allow-bad-rows imports the good rows anyway); {}", shown_path(.path), mostly_bad_message(*.rows_read, *.skipped, *.lines_lost), quoted(.bad_rows, *.skipped))]
    MostlyBad {
        path: PathBuf,
        rows_read: u64,
        skipped: u64,
        lines_lost: u64,
        /// The first bad rows.
        bad_rows: Vec<BadRow>,
    },
    /// Stopped by the user (`Progress::stop_requested`) before the commit.
    #[error("interrupted; nothing was imported (the catalog is as it was)")]
    Interrupted,
    #[error("cannot open the database: {0:#}")]
    OpenDatabase(anyhow::Error),
    #[error("database error: {0} (nothing was imported)")]
    Database(diesel::result::Error),
    /// SQLite's "database is locked": the busy timeout ran out while another writer
    /// (most likely another import) held the catalog.
    #[error("the catalog stayed locked for {} s, most likely by another import writing to it; nothing was imported: run this import again once that one has finished", crate::db::BUSY_TIMEOUT_MS / 1000)]
    Busy,
    /// The thread reading the file stopped without reaching its end (a bug, not the
    /// file's fault): what it read is not committed as if it were the whole file.
    #[error("cannot import {}: reading it stopped unexpectedly after {rows_read} rows ({message}); nothing was imported. This is a bug: please report it with the file's first lines", shown_path(.path))]
    ReaderFailed {
        path: PathBuf,
        rows_read: u64,
        message: String,
    },
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> ImportError {
        match &error {
            diesel::result::Error::DatabaseError(_, info)
                if info.message().contains("database is locked") =>
            {
                ImportError::Busy
            }
            _ => ImportError::Database(error),
        }
    }
}

/// How much of a file is bad: its bad rows, and the lines a quote left open took in.
fn mostly_bad_message(rows_read: u64, skipped: u64, lines_lost: u64) -> String {
    let rows = format!(
        "{} of its {} rows {} bad",
        format_count(skipped),
        format_count(rows_read),
        if skipped == 1 { "is" } else { "are" }
    );
    if lines_lost == 0 {
        return rows;
    }
    let (they, them) = if skipped == 1 {
        ("it", "it")
    } else {
        ("they", "them")
    };
    format!(
        "{rows}, and {they} took in {} more lines of the file, whose rows are lost with {them}",
        format_count(lines_lost)
    )
}

/// Why a file gave no track at all.
fn nothing_message(rows_read: u64, bad_rows: &[BadRow]) -> String {
    match rows_read {
        0 => "the file has no data rows, only a header".to_string(),
        1 => format!("its only row is bad; {}", quoted(bad_rows, 1)),
        n => format!(
            "none of its {} rows could be imported; {}",
            format_count(n),
            quoted(bad_rows, n)
        ),
    }
}

/// Audio features are what an export made since November 2024 lacks: Spotify withdrew
/// them from new apps, and Exportify writes the columns empty. When every quoted row
/// was refused for an empty audio feature, the refusal says why the file has none.
fn features_withdrawn_hint(bad_rows: &[BadRow]) -> &'static str {
    let empty_feature = |bad: &BadRow| bad.reason.ends_with(row::MISSING_FEATURE);
    if !bad_rows.is_empty() && bad_rows.iter().all(empty_feature) {
        ". The file's audio-feature columns are empty: Spotify stopped giving audio \
         features to new apps in November 2024, so playlist exports made since (Exportify's \
         among them) have none. Import a dataset that has them (the README lists some)"
    } else {
        ""
    }
}

/// "line 2: ...; line 3: ... (and 7 more)".
fn quoted(bad_rows: &[BadRow], skipped: u64) -> String {
    let shown: Vec<String> = bad_rows
        .iter()
        .take(QUOTED_BAD_ROWS)
        .map(|bad| format!("line {}: {}", bad.line, bad.reason))
        .collect();
    let more = skipped.saturating_sub(shown.len() as u64);
    let mut text = shown.join("; ");
    if more > 0 {
        text.push_str(&format!(" (and {} more)", format_count(more)));
    }
    text
}

/// At most `max` items, each cut to a readable length, then how many were left out:
/// `a, b, c and 12 more`. Keeps messages about huge input small.
pub(crate) fn listed<'a>(items: impl ExactSizeIterator<Item = &'a str>, max: usize) -> String {
    let total = items.len();
    let mut text = items
        .take(max)
        .map(value::shown)
        .collect::<Vec<_>>()
        .join(", ");
    if total > max {
        text.push_str(&format!(" and {} more", format_count((total - max) as u64)));
    }
    text
}

/// Receives progress while files are imported (a terminal progress bar, or nothing).
pub trait Progress {
    /// A file starts; `bytes` is its size (0 if unknown).
    fn start_file(&mut self, path: &Path, bytes: u64);
    /// Rows and bytes read so far in the current file.
    fn advance(&mut self, rows: u64, bytes: u64);
    /// The rows are in; indexes and aggregates are being rebuilt.
    fn finishing(&mut self);
    /// A row of the file at `path` is bad and skipped (or, with `--strict`, ends the
    /// import): every one, where the summary lists only the first few.
    fn bad_row(&mut self, _path: &Path, _row: &BadRow) {}
    /// Another catalog writer holds the catalog: the import waits for it before it
    /// starts, up to `limit` (SQLite's busy timeout; PostgreSQL's lock wait has none).
    fn waiting_for_catalog(&mut self, _limit: Option<std::time::Duration>) {}
    /// Everything is written: whether the commit may start (on SQLite in WAL mode it
    /// copies the load into the catalog file, which takes seconds for a large one).
    /// `false`: a stop was asked for before (during the index rebuild, which cannot be
    /// interrupted), and the import rolls back instead. Once it has answered `true`, no
    /// stop is taken: the import can no longer be undone by stopping it.
    fn committing(&mut self) -> bool {
        !self.stop_requested()
    }
    /// Whether the user asked the import to stop (Ctrl-C): asked after each batch of
    /// rows, before the indexes are rebuilt and before the commit, it ends the import
    /// with `ImportError::Interrupted`, its transaction rolled back.
    fn stop_requested(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere (tests, benchmarks).
pub struct NoProgress;

impl Progress for NoProgress {
    fn start_file(&mut self, _: &Path, _: u64) {}
    fn advance(&mut self, _: u64, _: u64) {}
    fn finishing(&mut self) {}
}

impl ImportReport {
    /// The summary's line of the catalog's size, under `label`.
    fn write_catalog_line(&self, out: &mut String, label: &str) {
        use std::fmt::Write;
        let (tracks, artists) = (self.catalog_tracks.max(0), self.catalog_artists.max(0));
        let _ = writeln!(
            out,
            "  {label:<16} {:>12} track{}, {} artist{}",
            format_count(tracks),
            if tracks == 1 { "" } else { "s" },
            format_count(artists),
            if artists == 1 { "" } else { "s" },
        );
    }

    /// The summary printed at the end of `insights-hub import`: totals, then each
    /// file's skipped rows (count plus the first ones with their line numbers).
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let names: Vec<String> = self.files.iter().map(|f| shown_path(&f.path)).collect();
        if self.already_imported {
            let _ = writeln!(
                out,
                "Nothing to import: the catalog already holds exactly this import of {} \
                 (the same bytes, read by this build with the same options), so nothing \
                 was written and servers keep the catalog they have.",
                names.join(", ")
            );
            self.write_catalog_line(&mut out, "catalog");
            return out;
        }
        let _ = writeln!(
            out,
            "Imported {} in {:.2} s ({} rows/s), in one transaction.",
            names.join(", "),
            self.elapsed.as_secs_f64(),
            format_count(self.rows_per_second().round() as u64)
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
                // A track an earlier file of the same run inserted is updated by the
                // later one: "already in the catalog" alone had said so of an empty one.
                if self.files.len() > 1 {
                    " (already in the catalog, or in an earlier file of this import)"
                } else {
                    " (already in the catalog)"
                },
            ),
            (
                "repeated rows",
                self.repeated(),
                " (a track listed again in the same file: stored once, with its first row's values and every row's genres)",
            ),
            ("rows skipped", self.skipped(), ""),
        ];
        for (label, value, note) in lines {
            let _ = writeln!(out, "  {label:<16} {:>12}{note}", format_count(value));
        }
        let lines_lost = self.sum(|f| f.lines_lost);
        if lines_lost > 0 {
            let _ = writeln!(
                out,
                "  {:<16} {:>12} (taken into skipped rows by a quote left open)",
                "lines lost",
                format_count(lines_lost)
            );
        }
        self.write_catalog_line(&mut out, "catalog now");
        for file in self.files.iter().filter(|f| !f.notes.is_empty()) {
            let _ = writeln!(
                out,
                "Read {} as: {}.",
                shown_path(&file.path),
                file.notes.join(", ")
            );
        }
        for file in &self.files {
            for said in file.passed_over.iter().chain(&file.cautions) {
                let _ = writeln!(out, "In {}, {said}.", shown_path(&file.path));
            }
        }
        for file in self.files.iter().filter(|f| f.skipped > 0) {
            let _ = writeln!(
                out,
                "Skipped {} bad row{} in {}{}:",
                format_count(file.skipped),
                if file.skipped == 1 { "" } else { "s" },
                shown_path(&file.path),
                if file.skipped as usize > file.bad_rows.len() {
                    format!(
                        " (the first {} listed; --bad-rows FILE lists every one)",
                        file.bad_rows.len()
                    )
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

/// How a file is named in what the import says: `import -` reads `/dev/stdin`, which is
/// "standard input" to the person who typed `-`. Control characters are escaped, as in
/// what a report quotes from a file: a downloaded file's name can hold an escape
/// sequence (which recoloured or cleared the terminal in the summary, the errors and
/// the `--bad-rows` list) or a line break (which split their lines).
pub fn shown_path(path: &Path) -> String {
    if path == Path::new("/dev/stdin") {
        "standard input".to_string()
    } else {
        crate::quoted::escaped(&path.to_string_lossy()).into_owned()
    }
}

#[cfg(test)]
mod tests {

    /// SQLite's "database is locked" after the busy timeout says who most likely holds
    /// the catalog and what to do, not the driver's words.
    #[test]
    fn a_catalog_locked_by_another_import_is_named_as_such() {
        use diesel::result::{DatabaseErrorKind, Error};
        let locked = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("database is locked".to_string()),
        );
        let message = ImportError::from(locked).to_string();
        assert!(
            message
                .starts_with("the catalog stayed locked for 10 s, most likely by another import"),
            "{message}"
        );
        assert!(message.contains("run this import again"), "{message}");
        let other = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("disk I/O error".to_string()),
        );
        assert!(matches!(ImportError::from(other), ImportError::Database(_)));
    }

    use super::*;

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
                lines_lost: 0,
                bad_rows: vec![
                    BadRow {
                        line: 4,
                        reason: "energy: the audio feature is missing".into(),
                    },
                    BadRow {
                        line: 9,
                        reason: "title is missing".into(),
                    },
                ],
                notes: vec!["gzip".into(), "';'-separated".into()],
                passed_over: vec![
                    "column 24 “artist_name” gives the artist; column 3 “track_artist” is ignored"
                        .into(),
                ],
                cautions: Vec::new(),
            }],
            replaced_demo: true,
            catalog_tracks: 25,
            catalog_artists: 7,
            elapsed: Duration::from_millis(500),
            already_imported: false,
        };
        let text = report.summary();
        assert!(text.contains("rows read                  30"), "{text}");
        assert!(text.contains("60 rows/s"), "{text}");
        assert!(text.contains("demo catalog was replaced"), "{text}");
        assert!(text.contains("Skipped 2 bad rows in a.csv:"), "{text}");
        assert!(
            text.contains("  line 4: energy: the audio feature is missing"),
            "{text}"
        );
        assert!(text.contains("25 tracks, 7 artists"), "{text}");
        let one = ImportReport {
            catalog_tracks: 1,
            catalog_artists: 1,
            ..report.clone()
        };
        assert!(
            one.summary().contains(" 1 track, 1 artist\n"),
            "{}",
            one.summary()
        );
        assert!(
            text.contains("Read a.csv as: gzip, ';'-separated.\nIn a.csv, column 24 “artist_name” gives the artist; column 3 “track_artist” is ignored.\n"),
            "{text}"
        );
    }

    fn bad(line: u64) -> BadRow {
        BadRow {
            line,
            reason: format!("tempo = -{line} is outside 0..300"),
        }
    }

    #[test]
    fn refusals_quote_the_first_bad_rows() {
        let none = ImportError::NothingToImport {
            path: PathBuf::from("t.csv"),
            rows_read: 5,
            bad_rows: (2..7).map(bad).collect(),
        };
        assert_eq!(
            none.to_string(),
            "t.csv: none of its 5 rows could be imported; line 2: tempo = -2 is outside 0..300; \
             line 3: tempo = -3 is outside 0..300; line 4: tempo = -4 is outside 0..300 \
             (and 2 more); nothing was imported"
        );
        let empty = ImportError::NothingToImport {
            path: PathBuf::from("t.csv"),
            rows_read: 0,
            bad_rows: vec![],
        };
        assert_eq!(
            empty.to_string(),
            "t.csv: the file has no data rows, only a header; nothing was imported"
        );
        // A recent playlist export: its feature columns are there, and empty.
        let featureless = ImportError::NothingToImport {
            path: PathBuf::from("playlist.csv"),
            rows_read: 2,
            bad_rows: (2..4)
                .map(|line| BadRow {
                    line,
                    reason: "bpm: the audio feature is missing".into(),
                })
                .collect(),
        };
        let text = featureless.to_string();
        assert!(
            text.starts_with(
                "playlist.csv: none of its 2 rows could be imported; line 2: bpm: the audio \
                 feature is missing; line 3: bpm: the audio feature is missing; nothing was \
                 imported. The file's audio-feature columns are empty: Spotify stopped"
            ),
            "{text}"
        );
        assert!(
            !none.to_string().contains("Spotify stopped"),
            "other refusals have no such hint"
        );
        let mostly = ImportError::MostlyBad {
            path: PathBuf::from("t.csv"),
            rows_read: 3000,
            skipped: 2000,
            lines_lost: 0,
            bad_rows: vec![bad(2)],
        };
        let text = mostly.to_string();
        assert!(
            text.starts_with("t.csv: 2,000 of its 3,000 rows are bad, so the file was refused"),
            "{text}"
        );
        assert!(text.contains("--allow-bad-rows"), "{text}");
        assert!(
            text.ends_with("line 2: tempo = -2 is outside 0..300 (and 1,999 more)"),
            "{text}"
        );
        let swallowed = ImportError::MostlyBad {
            path: PathBuf::from("t.csv"),
            rows_read: 2,
            skipped: 1,
            lines_lost: 1_497_965,
            bad_rows: vec![bad(3)],
        };
        let text = swallowed.to_string();
        assert!(
            text.starts_with(
                "t.csv: 1 of its 2 rows is bad, and it took in 1,497,965 more lines of the \
                 file, whose rows are lost with it, so the file was refused"
            ),
            "{text}"
        );
    }

    #[test]
    fn lists_are_cut_short() {
        let names: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let text = listed(names.iter().map(String::as_str), 3);
        assert_eq!(text, "c0, c1, c2 and 97 more");
    }
}
