//! What `insights-hub import` shows while it runs, and what Ctrl-C does to it.
//!
//! The bar follows the bytes of the current file (a spinner with the bytes read when
//! the size is unknown: a pipe), then says what the import does after the rows are in,
//! ticking, since that phase makes no progress to report and a frozen bar invites
//! Ctrl-C.
//!
//! Ctrl-C (or SIGTERM) before the commit asks the import to stop
//! (`Progress::stop_requested`): it stops after the batch of rows it is writing, rolls
//! its transaction back, and says nothing was imported. Ending the process at once
//! instead had left a first import's catalog file half-written beside its journal,
//! which SQLite rolls back only on the next open for writing: a copy of the file alone,
//! or a read-only open, found it damaged. When the import cannot stop within
//! `STOP_WAIT` (rebuilding the indexes, in statements that are not interrupted), or at
//! a second Ctrl-C, the process ends as before. Once the commit has started, stopping
//! would leave the catalog imported while saying it was not (a large commit in WAL mode
//! takes seconds, copying the load into the file), so the signal is answered with a
//! message and the import finishes.

use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use insights_hub::{catalog::import::Progress, decimal::format_count};

/// An indicatif bar, drawn only when stderr is a terminal, and the commit's flag that
/// the signal watcher reads.
pub struct ImportBar {
    pub bar: ProgressBar,
    /// `--bad-rows FILE`: where every bad row goes.
    pub bad_rows: Option<crate::bad_rows_file::BadRowsFile>,
    file_started: Instant,
    /// Set, under its lock, just before the commit: the watcher decides under the
    /// same lock, so it never stops an import whose commit has begun.
    committing: Arc<Mutex<bool>>,
    /// Set by the watcher at Ctrl-C; read after each batch of rows.
    stop: Arc<AtomicBool>,
}

const TICK: Duration = Duration::from_millis(200);
/// How long an import asked to stop may take to roll back before the process ends.
const STOP_WAIT: Duration = Duration::from_secs(3);

impl ImportBar {
    pub fn new() -> ImportBar {
        use std::io::IsTerminal;
        // On stderr, with the messages: `import big.csv > import.log` keeps the summary
        // in the log and still shows the bar (drawn on stdout, it had shown nothing).
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        // No length until a file starts: an empty full bar ("0 B/0 B") opened every run.
        // Nor the default style: its first frame, drawn when the file's name was set,
        // was a full-width empty bar reading "0/0".
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template("{prefix} {msg}") {
            bar.set_style(style);
        }
        let import = ImportBar {
            bar,
            bad_rows: None,
            file_started: Instant::now(),
            committing: Arc::new(Mutex::new(false)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        watch_interrupts(
            import.committing.clone(),
            import.stop.clone(),
            import.bar.clone(),
        );
        import
    }

    fn style(&self, template: &str) {
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
    }
}

impl Progress for ImportBar {
    fn start_file(&mut self, path: &Path, bytes: u64) {
        // The files are being read: the list of bad rows starts over.
        if let Some(file) = &mut self.bad_rows {
            file.start();
        }
        // Escaped, as everywhere the import names a file: the bar is drawn on a terminal.
        let name = path
            .file_name()
            .map(|n| insights_hub::quoted::escaped(&n.to_string_lossy()).into_owned())
            .unwrap_or_default();
        // The last file's figures go first: a frame drawn between these calls showed
        // the new file's name beside the old one's position, rows and rate.
        self.bar.set_message(String::new());
        self.bar.set_position(0);
        self.bar.set_prefix(name);
        if bytes == 0 {
            // A pipe: its size is not known, so no bar can say how far along it is.
            self.style("{prefix} [{elapsed_precise}] {spinner} {bytes} read {msg}");
            self.bar.unset_length();
            self.bar.enable_steady_tick(TICK);
        } else {
            self.style("{prefix} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}");
            self.bar.disable_steady_tick();
            self.bar.set_length(bytes);
        }
        self.file_started = Instant::now();
    }

    fn advance(&mut self, rows: u64, bytes: u64) {
        // Out to the file after each batch: a second Ctrl-C ends the process without
        // running destructors, and the rows listed so far should be there.
        if let Some(file) = &mut self.bad_rows {
            file.flush();
        }
        let rate = rows as f64 / self.file_started.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_position(bytes);
        self.bar.set_message(format!(
            "{} rows, {} rows/s",
            format_count(rows),
            format_count(rate.round() as i64)
        ));
    }

    fn bad_row(&mut self, path: &Path, row: &insights_hub::catalog::import::BadRow) {
        if let Some(file) = &mut self.bad_rows {
            file.add(path, row);
        }
    }

    fn finishing(&mut self) {
        self.style("[{elapsed_precise}] {spinner} {msg}");
        self.bar
            .set_message("rebuilding indexes and artist averages (Ctrl-C undoes the import)");
        self.bar.enable_steady_tick(TICK);
    }

    fn waiting_for_catalog(&mut self, limit: Option<Duration>) {
        // Printed, not drawn: said whether or not the output is a terminal.
        match limit {
            Some(limit) => crate::to_stderr(format_args!(
                "Another import is writing to this catalog: waiting up to {} s for it to finish…",
                limit.as_secs()
            )),
            None => crate::to_stderr(
                "Another import is writing to this catalog: waiting for it to finish \
                 (Ctrl-C stops this one)…",
            ),
        }
    }

    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn committing(&mut self) -> bool {
        // Under the lock the signal watcher asks for the stop under: a Ctrl-C either
        // came before, and the import rolls back, or finds it committing.
        let mut committing = self
            .committing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        *committing = true;
        self.bar
            .set_message("committing (the import can no longer be stopped)");
        true
    }
}

/// Answers Ctrl-C and SIGTERM for the rest of the process (see the module).
fn watch_interrupts(committing: Arc<Mutex<bool>>, stop: Arc<AtomicBool>, bar: ProgressBar) {
    // Exiting is the fallback: an import that cannot stop in time (or a second Ctrl-C)
    // ends with the process, its transaction uncommitted.
    #[allow(clippy::exit)]
    let watcher = move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            // The signals keep their default: they stop the import, which rolls back.
            return;
        };
        runtime.block_on(async {
            loop {
                interrupted().await;
                let asked_before = {
                    let committing = committing.lock().unwrap_or_else(PoisonError::into_inner);
                    if *committing {
                        bar.suspend(|| {
                            crate::to_stderr(
                                "The import is committing and can no longer be stopped; it ends in a moment.",
                            )
                        });
                        continue;
                    }
                    stop.swap(true, Ordering::Relaxed)
                };
                // The import stops after its current batch and rolls back; `main` then
                // says so and exits. Waited for, unless this is the second Ctrl-C.
                if !asked_before {
                    tokio::select! {
                        _ = tokio::time::sleep(STOP_WAIT) => {},
                        _ = interrupted() => {},
                    }
                }
                let committing = committing.lock().unwrap_or_else(PoisonError::into_inner);
                if *committing {
                    continue;
                }
                bar.finish_and_clear();
                crate::to_stderr(
                    "error: interrupted; nothing was imported (the catalog is as it was)",
                );
                // Under the lock: the import cannot reach its commit meanwhile.
                std::process::exit(130);
            }
        });
    };
    let _ = std::thread::Builder::new()
        .name("import-signals".into())
        .spawn(watcher);
}

/// The next Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = terminate.recv() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
