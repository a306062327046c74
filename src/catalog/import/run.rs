//! An import run: every file of the run in ONE transaction, so that a failure (a bad
//! row under `--strict`, a full disk, a killed process) leaves the database exactly as
//! it was, and a finished run shows all its files at once.
//!
//! Reading and parsing happen on a second thread while this one writes: on a two-core
//! machine CSV parsing and SQLite inserts overlap instead of taking turns.

use std::{
    io::Read,
    path::{Path, PathBuf},
    sync::mpsc,
    time::{Duration, Instant},
};

use super::{
    source::{CsvSource, ParsedRow},
    BadRow, FileReport, ImportError, ImportOptions, ImportReport, Progress, LISTED_BAD_ROWS,
};
use crate::catalog::{NewTrack, TrackKeys};
use crate::db::{
    self,
    catalog_imports::{self, ImportRecord},
    catalog_meta::{self, SourceKind},
    catalog_writer::{catalog_is_locked, clear_catalog, import_transaction, CatalogWriter, Spent},
    Database, DbConnection,
};

/// Bytes a CSV row is taken to hold, for guessing a file's rows from its size.
const ROW_BYTES_GUESS: u64 = 300;
/// Rows handed from the parsing thread to the writing thread at a time.
const BATCH_ROWS: usize = 4096;
/// Batches that may wait between the two threads (bounds memory on a fast reader):
/// enough to hold the rows read during a flush of the writer's buffer
/// (`catalog_writer::BUFFER_TRACKS`, 65,536 tracks), when the writer takes none. With 8
/// (32,768 rows) the reader sat blocked for the rest of each flush, then the writer
/// waited for it: 0.9 s in all at 1.2 million TidyTuesday-layout rows; with 16 about
/// 0.06 s, for about 15 MB more at the peak (`benches/HISTORY.md`, 2026-12-04 night).
const BATCHES_IN_FLIGHT: usize = 16;

/// Opens the database (creating it and running migrations) and imports the files.
pub fn import_database(
    database: impl Into<Database>,
    paths: &[PathBuf],
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    // The files first: a missing or unreadable one left a new, empty database behind.
    let sources = open_sources(paths)?;
    let mut conn = db::open_catalog_connection(database).map_err(ImportError::OpenDatabase)?;
    import_sources(&mut conn, sources, paths, options, progress)
}

fn open_sources(paths: &[PathBuf]) -> Result<Vec<CsvSource<impl Read + Send>>, ImportError> {
    paths.iter().map(|path| CsvSource::open(path)).collect()
}

/// Imports the files into the catalog in one transaction. Every header is mapped before
/// anything is written, so an unmappable file fails at once. A demo catalog is replaced;
/// tracks already imported are updated in place. Running an import the catalog already
/// holds (`digest`) writes nothing and says so.
///
/// `conn` is the importer's connection (`db::open_catalog_connection`: on SQLite the
/// catalog file alone, so that users' writes never wait for the import).
pub fn import_files(
    conn: &mut DbConnection,
    paths: &[PathBuf],
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let sources = open_sources(paths)?;
    import_sources(conn, sources, paths, options, progress)
}

/// What the catalog's footer calls a file: its name, or "piped input" for a pipe
/// (`<(zcat …)` is `/dev/fd/63`, and the footer had said "63").
fn source_label(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text == "/dev/stdin" || text.starts_with("/dev/fd/") || text.starts_with("/proc/self/fd/") {
        return "piped input".to_string();
    }
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `import_files` of files already opened.
fn import_sources<R: Read + Send>(
    conn: &mut DbConnection,
    mut sources: Vec<CsvSource<R>>,
    paths: &[PathBuf],
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    if sources.is_empty() {
        return Ok(ImportReport::default());
    }
    let source_name = paths
        .iter()
        .map(|p| source_label(p))
        .collect::<Vec<_>>()
        .join(", ");
    // The files the import opened: each is checked for writes while it was read; the
    // run's digest is of them all, `None` when one source is a pipe.
    let opened: Vec<Option<_>> = sources.iter_mut().map(CsvSource::take_for_digest).collect();
    let every_source_a_file = opened.iter().all(Option::is_some);
    let files: Vec<_> = opened.into_iter().flatten().collect();
    let for_digest = every_source_a_file.then_some(files.as_slice());
    let digest_of_run = || match for_digest {
        Some(files) => super::digest::of_run(files, options),
        None => Ok(None),
    };

    if catalog_is_locked(conn)? {
        progress.waiting_for_catalog(db::lock_wait_limit(conn));
    }
    // The import's time starts once it holds the catalog, not while it waited for
    // another import to finish (which had been reported as its own, at "1 rows/s").
    let mut began = started;
    let result = import_transaction(conn, |conn| {
        began = Instant::now();
        // Read under the catalog's write lock: an import that committed meanwhile has
        // made its digest the one to compare with.
        let (digest, report) = match catalog_meta::import_digest(conn)? {
            Some(stored) => {
                let digest = digest_of_run()?;
                if digest.as_deref() == Some(stored.as_str()) {
                    return already_imported(conn, paths);
                }
                let report = import_in_transaction(conn, sources, &source_name, options, progress)?;
                // Hashed before the rows were read: it describes them if no file was
                // written meanwhile.
                let read_as_hashed = for_digest.is_some_and(super::digest::unchanged);
                (digest.filter(|_| read_as_hashed), report)
            }
            // Nothing to compare with (a new catalog, the demo, one the server
            // refreshed), so this run is no repeat: its digest is computed beside the
            // import instead of before it (0.2-0.3 s at 1.2 million rows), once the
            // rows are in. While they are read, the reading and the writing threads
            // keep both cores of a small machine busy, and hashing then slowed the
            // import by what it took; after, the writer rebuilds indexes alone.
            None => std::thread::scope(|scope| {
                let (rows_read, wait_for_rows) = mpsc::channel::<()>();
                let hashing = scope.spawn(move || match wait_for_rows.recv() {
                    Ok(()) => digest_of_run(),
                    // The import stopped before its rows were in: no digest to record.
                    Err(_) => Ok(None),
                });
                let mut progress = SignalRowsRead {
                    progress,
                    rows_read: Some(rows_read),
                };
                let report =
                    import_in_transaction(conn, sources, &source_name, options, &mut progress);
                // A failed import never signalled: dropping the sender ends the wait.
                drop(progress);
                // A hashing thread that panicked leaves the run without a digest: it is
                // then never taken for a repeat.
                let digest = hashing.join().unwrap_or(Ok(None));
                report.and_then(|report| Ok((digest?, report)))
            })?,
        };
        // Checked before the commit, so that a torn read leaves the catalog as it was.
        if let Some(path) = super::digest::first_written(&files) {
            return Err(ImportError::ChangedWhileRead {
                path: path.to_path_buf(),
            });
        }
        if let Some(digest) = &digest {
            catalog_meta::record_import_digest(conn, digest)?;
        }
        // A Ctrl-C during the index rebuild is answered here: the rebuild cannot be
        // interrupted, and the import had gone on to commit what the user had asked it
        // to undo, saying nothing.
        if !progress.committing() {
            return Err(ImportError::Interrupted);
        }
        Ok(report)
    });
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: committed"
    );
    let mut report = result?;
    report.elapsed = began.elapsed();
    Ok(report)
}

/// Passes the progress on, and tells the digest's thread (`import_files`) when the rows
/// are in: `finishing` is called exactly then. Every method is passed on, those with a
/// default too: one left to its default is a call the caller never sees (the bad rows'
/// file stayed empty on a first import, and the Ctrl-C watcher was never told that the
/// commit had begun). `a_wrapped_progress_sees_every_call` checks it.
struct SignalRowsRead<'a> {
    progress: &'a mut dyn Progress,
    rows_read: Option<mpsc::Sender<()>>,
}

impl Progress for SignalRowsRead<'_> {
    fn start_file(&mut self, path: &std::path::Path, bytes: u64) {
        self.progress.start_file(path, bytes);
    }

    fn advance(&mut self, rows: u64, bytes: u64) {
        self.progress.advance(rows, bytes);
    }

    fn stop_requested(&self) -> bool {
        self.progress.stop_requested()
    }

    fn bad_row(&mut self, path: &std::path::Path, row: &BadRow) {
        self.progress.bad_row(path, row);
    }

    fn waiting_for_catalog(&mut self, limit: Option<std::time::Duration>) {
        self.progress.waiting_for_catalog(limit);
    }

    fn committing(&mut self) -> bool {
        self.progress.committing()
    }

    fn finishing(&mut self) {
        self.progress.finishing();
        if let Some(rows_read) = self.rows_read.take() {
            // The digest's thread only ends early if it panicked; then there is no digest.
            let _ = rows_read.send(());
        }
    }
}

/// The report of an import the catalog already holds: each file named, nothing read.
fn already_imported(
    conn: &mut DbConnection,
    paths: &[PathBuf],
) -> Result<ImportReport, ImportError> {
    let meta = catalog_meta::load(conn)?;
    Ok(ImportReport {
        files: paths
            .iter()
            .map(|path| FileReport {
                path: path.clone(),
                ..FileReport::default()
            })
            .collect(),
        catalog_tracks: meta.track_count,
        catalog_artists: meta.artist_count,
        already_imported: true,
        ..ImportReport::default()
    })
}

/// The catalog's sources after an import of `new` into one made from `before` (each a
/// ", "-joined list of file names): a file imported again is not named twice.
fn joined_sources(before: &str, new: &str) -> String {
    let mut names: Vec<&str> = before.split(", ").filter(|n| !n.is_empty()).collect();
    for name in new.split(", ") {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

fn import_in_transaction<R: Read + Send>(
    conn: &mut DbConnection,
    sources: Vec<CsvSource<R>>,
    source_name: &str,
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let before = catalog_meta::load(conn)?;
    let replaced_demo = before.source_kind == SourceKind::Demo;
    // Files imported into a catalog join the ones it came from: the footer named only
    // the last file of a catalog that was mostly another one's.
    let source_name = if replaced_demo || before.track_count == 0 {
        source_name.to_string()
    } else {
        joined_sources(&before.source_name, source_name)
    };
    let cleared = if replaced_demo {
        Some(clear_catalog(conn)?)
    } else {
        None
    };
    let mut writer = CatalogWriter::for_bulk_load(conn)?;
    if let Some(last) = cleared {
        writer.number_after(last);
    }
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: writer ready"
    );
    let mut files = Vec::with_capacity(sources.len());
    for source in sources {
        writer.start_source(conn)?;
        files.push(import_source(conn, &mut writer, source, options, progress)?);
    }
    // The last chance to stop cheaply: rebuilding the indexes takes seconds at a
    // million rows, and runs as statements that are not interrupted.
    if progress.stop_requested() {
        return Err(ImportError::Interrupted);
    }
    progress.finishing();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: rows read"
    );
    let now = db::now_unix();
    writer.finish(conn, SourceKind::Import, &source_name, now)?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: finished"
    );
    for file in &files {
        catalog_imports::record(
            conn,
            &ImportRecord {
                source_file: file.path.display().to_string(),
                imported_at: now,
                rows_read: file.rows_read as i64,
                tracks_inserted: file.inserted as i64,
                tracks_updated: file.updated as i64,
                rows_skipped: file.skipped as i64,
            },
        )?;
    }
    let meta = catalog_meta::load(conn)?;
    Ok(ImportReport {
        files,
        replaced_demo,
        catalog_tracks: meta.track_count,
        catalog_artists: meta.artist_count,
        elapsed: Default::default(),
        already_imported: false,
    })
}

/// Rows parsed on the reading thread, with how far into the file they reach.
struct Batch {
    rows: Vec<KeyedRow>,
    bytes: u64,
}

/// A parsed row with the writer's lookup keys of its track, computed on the reading
/// thread: the writing thread is the one that bounds an import.
struct KeyedRow {
    line: u64,
    track: Result<(NewTrack, TrackKeys), String>,
    lines_taken: u64,
}

impl From<ParsedRow> for KeyedRow {
    fn from(row: ParsedRow) -> KeyedRow {
        KeyedRow {
            line: row.line,
            lines_taken: row.lines_taken,
            track: row.track.map(|track| {
                let keys = TrackKeys::of(&track);
                (track, keys)
            }),
        }
    }
}

fn import_source<R: Read + Send>(
    conn: &mut DbConnection,
    writer: &mut CatalogWriter,
    mut source: CsvSource<R>,
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<FileReport, ImportError> {
    let path = source.path().to_path_buf();
    progress.start_file(&path, source.size);
    // Both layouts take about 260 bytes a row; a lower guess is safer than a higher
    // one (the map then grows once more, as it would have without the hint).
    writer.expect_tracks(usize::try_from(source.size / ROW_BYTES_GUESS).unwrap_or(0));
    let before = writer.stats();
    let mut report = FileReport {
        path: path.clone(),
        passed_over: source
            .columns()
            .passed_over
            .iter()
            .map(ToString::to_string)
            .collect(),
        ..FileReport::default()
    };
    let read = std::thread::scope(|scope| -> Result<(), ImportError> {
        let (sender, receiver) =
            mpsc::sync_channel::<Result<Batch, ImportError>>(BATCHES_IN_FLIGHT);
        // Emptied batches go back to the reading thread to be filled again: a batch is
        // a megabyte, and allocating and freeing one per 4,096 rows on two threads
        // made malloc consolidate its free lists over and over.
        let (recycle, recycled) = mpsc::sync_channel::<Vec<KeyedRow>>(BATCHES_IN_FLIGHT + 2);
        // The rows the writer has written come back here too, to be freed by the thread
        // that allocated them (see `catalog_writer::disposal`).
        let (spent, written) = mpsc::channel::<Spent>();
        writer.hand_spent_to(Some(spent));
        // Returns how the file was read and what to check, known only at its end (Windows-1252 is decided
        // by the first row that is not ASCII).
        let reader = scope.spawn(move || loop {
            written.try_iter().for_each(drop);
            let mut rows = recycled
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH_ROWS));
            let mut failure = None;
            while rows.len() < BATCH_ROWS {
                match source.next_row() {
                    None => break,
                    Some(Ok(row)) => rows.push(KeyedRow::from(row)),
                    Some(Err(error)) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
            let last = rows.len() < BATCH_ROWS || failure.is_some();
            let batch = Batch {
                rows,
                bytes: source.bytes_read(),
            };
            // A send fails only when the writer stopped (strict abort, database
            // error): then there is nobody to read for.
            if sender.send(Ok(batch)).is_err() {
                return (source.notes(), source.cautions());
            }
            if let Some(error) = failure {
                let _ = sender.send(Err(error));
                return (source.notes(), source.cautions());
            }
            if last {
                return (source.notes(), source.cautions());
            }
        });
        // Returning early drops the receiver, which stops the reading thread.
        // How long the writer sat waiting for rows (RUST_LOG=debug): the reader, not the
        // database, then bounds the import.
        let mut waited = Duration::ZERO;
        loop {
            let asked = Instant::now();
            let Ok(message) = receiver.recv() else { break };
            waited += asked.elapsed();
            let mut batch = message?;
            for row in batch.rows.drain(..) {
                report.rows_read += 1;
                match row.track {
                    Ok((track, keys)) => {
                        writer.write_keyed(conn, track, keys)?;
                    }
                    Err(reason) => {
                        let bad = BadRow {
                            line: row.line,
                            reason,
                        };
                        progress.bad_row(&path, &bad);
                        if options.strict {
                            return Err(ImportError::Strict {
                                path: path.clone(),
                                row: bad,
                            });
                        }
                        report.skipped += 1;
                        report.lines_lost += row.lines_taken;
                        if report.bad_rows.len() < LISTED_BAD_ROWS {
                            report.bad_rows.push(bad);
                        }
                    }
                }
            }
            progress.advance(report.rows_read, batch.bytes);
            if progress.stop_requested() {
                return Err(ImportError::Interrupted);
            }
            // Full only if the reader stopped taking them back: then just drop it.
            let _ = recycle.try_send(batch.rows);
        }
        tracing::debug!(
            ms = waited.as_millis() as u64,
            "import: writer waited for rows"
        );
        // The channel closes both at the end of the file and when the reading thread
        // panics; only the join tells them apart, and a panic must not commit the rows
        // read before it as if they were the whole file.
        (report.notes, report.cautions) =
            reader.join().map_err(|payload| ImportError::ReaderFailed {
                path: path.clone(),
                rows_read: report.rows_read,
                message: panic_message(payload.as_ref()),
            })?;
        Ok(())
    });
    // Whatever the outcome, what the writer frees from now on has no reading thread to
    // go back to.
    writer.hand_spent_to(None);
    read?;
    let after = writer.stats();
    report.inserted = after.inserted - before.inserted;
    report.updated = after.updated - before.updated;
    report.repeated = after.repeated - before.repeated;
    refuse_if_mostly_bad(&report, options)?;
    Ok(report)
}

/// What a panic said, when it said it with a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|m| (*m).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// A file that gives no track is an error, and so (unless allowed) is one whose rows
/// are mostly bad: either is more likely the wrong file, or values in the wrong unit,
/// than data to import. The caller's transaction then rolls back, leaving the catalog,
/// its source and its version as they were.
fn refuse_if_mostly_bad(report: &FileReport, options: ImportOptions) -> Result<(), ImportError> {
    let good = report.rows_read - report.skipped;
    if good == 0 {
        return Err(ImportError::NothingToImport {
            path: report.path.clone(),
            rows_read: report.rows_read,
            bad_rows: report.bad_rows.clone(),
        });
    }
    // A row that a quote left open runs over the lines of the rows after it, which are
    // lost with it: each counts as a bad row, or one open quote in a file of few quotes
    // could lose nearly all of it as "1 bad row of 2".
    if !options.allow_bad_rows && report.skipped + report.lines_lost > good {
        return Err(ImportError::MostlyBad {
            path: report.path.clone(),
            rows_read: report.rows_read,
            skipped: report.skipped,
            lines_lost: report.lines_lost,
            bad_rows: report.bad_rows.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::import::NoProgress;
    use diesel::prelude::*;

    /// Every call it gets, by name.
    #[derive(Default)]
    struct Calls(Vec<&'static str>);

    impl Progress for Calls {
        fn start_file(&mut self, _: &std::path::Path, _: u64) {
            self.0.push("start_file");
        }
        fn advance(&mut self, _: u64, _: u64) {
            self.0.push("advance");
        }
        fn finishing(&mut self) {
            self.0.push("finishing");
        }
        fn waiting_for_catalog(&mut self, _: Option<std::time::Duration>) {
            self.0.push("waiting_for_catalog");
        }
        fn committing(&mut self) -> bool {
            self.0.push("committing");
            false
        }
        fn stop_requested(&self) -> bool {
            true
        }
        fn bad_row(&mut self, _: &std::path::Path, _: &BadRow) {
            self.0.push("bad_row");
        }
    }

    #[test]
    fn a_wrapped_progress_sees_every_call() {
        let mut calls = Calls::default();
        let (sender, signalled) = mpsc::channel();
        let mut wrapped = SignalRowsRead {
            progress: &mut calls,
            rows_read: Some(sender),
        };
        let path = std::path::Path::new("t.csv");
        wrapped.start_file(path, 1);
        wrapped.advance(1, 1);
        let bad = BadRow {
            line: 2,
            reason: "r".into(),
        };
        wrapped.bad_row(path, &bad);
        wrapped.waiting_for_catalog(None);
        assert!(wrapped.stop_requested());
        assert!(!wrapped.committing(), "its answer, not the default's");
        wrapped.finishing();
        assert_eq!(signalled.try_recv(), Ok(()));
        assert_eq!(
            calls.0,
            [
                "start_file",
                "advance",
                "bad_row",
                "waiting_for_catalog",
                "committing",
                "finishing"
            ]
        );
    }

    /// Serves its bytes, then panics, as a bug in the parsing code would.
    struct PanicsAtTheEnd {
        bytes: Vec<u8>,
        at: usize,
    }

    impl Read for PanicsAtTheEnd {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let rest = &self.bytes[self.at..];
            assert!(!rest.is_empty(), "a bug in the reader");
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_reading_thread_that_panics_imports_nothing() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = dir.path().join("catalog.db");
        let mut conn = db::open_catalog_connection(database.as_path()).expect("catalog");
        let mut csv = String::from(
            "track_id,track_name,track_artist,danceability,energy,key,loudness,mode,\
             speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms\n",
        );
        // More rows than one batch, so that some reach the writer before the panic.
        for i in 0..(BATCH_ROWS * 2 + 10) {
            csv.push_str(&format!(
                "id{i:0>20},Song {i},Artist {i},0.5,0.5,1,-6,1,0.1,0.1,0,0.1,0.5,120,200000\n"
            ));
        }
        let reader = PanicsAtTheEnd {
            bytes: csv.into_bytes(),
            at: 0,
        };
        let path = PathBuf::from("bug.csv");
        let source = CsvSource::from_reader(&path, reader).expect("the header maps");
        let result = import_sources(
            &mut conn,
            vec![source],
            std::slice::from_ref(&path),
            ImportOptions::default(),
            &mut NoProgress,
        );
        let error = result.expect_err("a panic is no end of file");
        assert!(matches!(error, ImportError::ReaderFailed { .. }), "{error}");
        assert!(
            error.to_string().contains("nothing was imported"),
            "{error}"
        );
        let imported: i64 = crate::db::schema::tracks::table
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert_eq!(
            imported, 0,
            "the rows read before the panic were rolled back"
        );
    }

    #[test]
    fn a_pipe_is_named_piped_input_and_a_file_by_its_name() {
        assert_eq!(source_label(Path::new("/dev/fd/63")), "piped input");
        assert_eq!(source_label(Path::new("/dev/stdin")), "piped input");
        assert_eq!(
            source_label(Path::new("data/spotify_songs.csv")),
            "spotify_songs.csv"
        );
    }
}
