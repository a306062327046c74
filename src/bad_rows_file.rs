//! `insights-hub import --bad-rows FILE`: every skipped row, as CSV (file, line,
//! reason), written as the import reads it. The summary lists only the first
//! `LISTED_BAD_ROWS` of a file's bad rows; whoever fixes the source file needs all of
//! them, and a million bad rows are not held in memory to print.

use std::{
    fs::File,
    io::{self, BufWriter, Read, Write},
    path::{Path, PathBuf},
};

use insights_hub::catalog::import::{shown_path, BadRow};

/// The file's first line, which also marks a file this may overwrite.
const HEADER: &[u8] = b"file,line,reason\n";

pub struct BadRowsFile {
    path: PathBuf,
    /// Opened, not yet emptied: the list is emptied and started only once the import
    /// reads its files (`start`). A run that reads nothing (the catalog already holds
    /// the import, a file is missing) leaves it as it was; re-running an import to get
    /// the list had emptied the one the first run wrote.
    out: BufWriter<File>,
    /// Whether `path` was there before this run (else a run that read nothing removes
    /// the empty file it made).
    existed: bool,
    started: bool,
    written: u64,
    /// The first write that failed: reported once at the end, not per row.
    failed: Option<io::Error>,
}

impl BadRowsFile {
    /// Opens the list (creating it, but emptying nothing yet), so that a path that
    /// cannot be written is refused before the import. A file there that is not a list
    /// of bad rows is left alone (`refuse_other_files`), and so is any file of the
    /// SQLite database whose main file is `database` (`refuse_database_files`).
    pub fn create(path: &Path, database: Option<&Path>) -> io::Result<BadRowsFile> {
        if let Some(main) = database {
            refuse_database_files(path, main)?;
        }
        refuse_other_files(path)?;
        let existed = path.exists();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        Ok(BadRowsFile {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            existed,
            started: false,
            written: 0,
            failed: None,
        })
    }

    /// The import is reading its files: the list is emptied and its header written.
    /// Written in place, through a link if `path` is one (a stream such as
    /// `/dev/stdout` cannot be emptied, and need not be).
    pub fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        let file = self.out.get_mut();
        if file.metadata().is_ok_and(|m| m.is_file()) {
            if let Err(error) = file.set_len(0) {
                self.failed = Some(error);
                return;
            }
        }
        if let Err(error) = self.out.write_all(HEADER) {
            self.failed = Some(error);
        }
    }

    pub fn add(&mut self, file: &Path, row: &BadRow) {
        self.start();
        if self.failed.is_some() {
            return;
        }
        let line = format!(
            "{},{},{}\n",
            quoted(&shown_path(file)),
            row.line,
            quoted(&row.reason)
        );
        match self.out.write_all(line.as_bytes()) {
            Ok(()) => self.written += 1,
            Err(error) => self.failed = Some(error),
        }
    }

    /// Writes out what is buffered (a failure is kept for `finish` to report).
    pub fn flush(&mut self) {
        if self.failed.is_none() {
            if let Err(error) = self.out.flush() {
                self.failed = Some(error);
            }
        }
    }

    /// The import read nothing because the catalog already holds it: the list is left
    /// as it was, and the answer says how to list those files' bad rows anyway.
    pub fn discard(self) -> String {
        let path = self.path.display().to_string();
        self.untouched();
        format!(
            "--bad-rows {path}: left as it was, since nothing was read. To list the bad rows \
             of files the catalog already holds, import them into a new database: \
             insights-hub --database /tmp/check.db import --bad-rows FILE ..."
        )
    }

    /// Nothing was read: the list as it was, and a file this run made removed.
    fn untouched(self) {
        let (path, existed) = (self.path, self.existed);
        drop(self.out);
        if !existed {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Flushes the file and says what it holds, or why it is incomplete. `stopped`: the
    /// import was interrupted, so the file holds the rows read before that, not all.
    pub fn finish(mut self, stopped: bool) -> String {
        if !self.started {
            let path = self.path.display().to_string();
            self.untouched();
            return format!("--bad-rows {path}: left as it was, since no file was read.");
        }
        if let Err(error) = self.out.flush() {
            self.failed.get_or_insert(error);
        }
        let path = self.path.display();
        let n = insights_hub::decimal::format_count(self.written);
        match (self.failed, self.written, stopped) {
            (Some(error), _, _) => format!(
                "warning: --bad-rows {path}: could not write every bad row ({n} written): {error}"
            ),
            (None, 0, false) => format!("No bad rows; {path} holds only its header."),
            (None, 0, true) => {
                format!("No bad rows before the stop; {path} holds only its header.")
            }
            (None, 1, false) => format!("The bad row is listed in {path}."),
            (None, _, false) => format!("All {n} bad rows are listed in {path}."),
            (None, _, true) => {
                format!("The {n} bad rows read before the stop are listed in {path}.")
            }
        }
    }
}

/// Refuses to overwrite a file that is not a list of bad rows: `--bad-rows songs.csv
/// songs.csv`, a slip of the arguments, had emptied the very file to import.
fn refuse_other_files(path: &Path) -> io::Result<()> {
    // A stream (`/dev/stdout`, `>(cmd)`) is not read: reading the pipe this process
    // writes to had waited for ever.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    if let Ok(existing) = File::open(path) {
        let mut first = Vec::new();
        existing.take(HEADER.len() as u64).read_to_end(&mut first)?;
        if !first.is_empty() && first != HEADER {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a list of bad rows (its first line is not \
                     \"file,line,reason\"); name a new file, or remove this one",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a list that would be one of the database's own files: its main file, its
/// catalog file, or the journal, write-ahead log or shared memory beside either. An
/// existing database file is refused anyway (`refuse_other_files`), but a new
/// database's was not there yet: the list was created empty, SQLite took the empty file
/// for a new database and wrote into it, and the list was then written over that. For
/// the main file the import said it had succeeded, and left a database no command could
/// open. Compared as resolved paths (links followed, directories made absolute), as
/// none of these files need exist yet.
fn refuse_database_files(path: &Path, main: &Path) -> io::Result<()> {
    let Some(list) = resolved(path) else {
        return Ok(());
    };
    let catalog = insights_hub::db::catalog_file::catalog_path(main);
    // SQLite names a linked database's journal after the file the link points to: both
    // the names as given and as resolved.
    let given = [main.to_path_buf(), catalog];
    let targets: Vec<PathBuf> = given.iter().filter_map(|f| resolved(f)).collect();
    for file in given.iter().chain(&targets) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            let own = PathBuf::from(name);
            if resolved(&own).as_ref() == Some(&list) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "that is the database's own file {}, which the list would \
                         overwrite: name another file",
                        own.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The absolute path `path` names once links are followed, whether or not the file it
/// ends at exists (its directory must); `None` when that cannot be told.
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut path = path.to_path_buf();
    // A link to a file not made yet (the new database) cannot be canonicalized whole:
    // followed here, a few links deep.
    for _ in 0..8 {
        if let Ok(full) = path.canonicalize() {
            return Some(full);
        }
        match std::fs::read_link(&path) {
            Ok(target) => path = path.parent().unwrap_or(Path::new("")).join(target),
            Err(_) => break,
        }
    }
    let name = path.file_name()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    Some(
        parent
            .unwrap_or(Path::new("."))
            .canonicalize()
            .ok()?
            .join(name),
    )
}

/// A CSV field, always quoted: reasons hold commas and quote the values they refuse.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_one_csv_line_with_its_reason_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        let mut file = BadRowsFile::create(&path, None).unwrap();
        let row = |line, reason: &str| BadRow {
            line,
            reason: reason.to_string(),
        };
        file.add(
            Path::new("a, b.csv"),
            &row(3, "tempo: 'fast' is not a number"),
        );
        file.add(Path::new("a, b.csv"), &row(9, "title: \"x\", too long"));
        assert_eq!(
            file.finish(false),
            format!("All 2 bad rows are listed in {}.", path.display())
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "file,line,reason\n\"a, b.csv\",3,\"tempo: 'fast' is not a number\"\n\
             \"a, b.csv\",9,\"title: \"\"x\"\", too long\"\n"
        );
        // A run that reads nothing leaves the list as it was, whether it ends as an
        // import already done or as a failure before any file was read.
        let before = std::fs::read_to_string(&path).unwrap();
        let again = BadRowsFile::create(&path, None).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert!(again.discard().contains("left as it was"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        let failed = BadRowsFile::create(&path, None).unwrap();
        assert!(failed.finish(false).contains("left as it was"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        // A list this run made, and nothing read: not left behind, empty.
        let new = dir.path().join("new.csv");
        BadRowsFile::create(&new, None).unwrap().finish(false);
        assert!(!new.exists());
        // Read with no bad row: the header alone.
        let mut clean = BadRowsFile::create(&path, None).unwrap();
        clean.start();
        assert!(clean.finish(false).starts_with("No bad rows"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "file,line,reason\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Another file by that name is not overwritten.
        std::fs::write(&path, "id,name\n").unwrap();
        assert!(BadRowsFile::create(&path, None).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,name\n");
    }

    #[test]
    fn the_list_is_never_one_of_the_database_files_even_before_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("hub.db");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        // Spelled otherwise (through another directory), or through a link.
        let via_sub = sub.join("..").join("hub.catalog.db");
        #[cfg(unix)]
        std::os::unix::fs::symlink("../hub.db", sub.join("link.csv")).unwrap();
        let mut own = vec![
            main.clone(),
            via_sub,
            dir.path().join("hub.db-wal"),
            dir.path().join("hub.catalog.db-journal"),
        ];
        #[cfg(unix)]
        own.push(sub.join("link.csv"));
        for path in own {
            let error = BadRowsFile::create(&path, Some(&main))
                .err()
                .unwrap_or_else(|| panic!("{} refused", path.display()));
            assert!(
                error
                    .to_string()
                    .starts_with("that is the database's own file "),
                "{error}"
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "nothing made"
        );
        let other = dir.path().join("hub.bad.csv");
        assert!(BadRowsFile::create(&other, Some(&main)).is_ok());
        // A database given by a link has its journal named after the link's target.
        #[cfg(unix)]
        {
            let real = sub.join("real.db");
            let linked = dir.path().join("linked.db");
            std::os::unix::fs::symlink(&real, &linked).unwrap();
            for suffix in ["-wal", "-journal"] {
                let journal = sub.join(format!("real.db{suffix}"));
                assert!(
                    BadRowsFile::create(&journal, Some(&linked)).is_err(),
                    "{suffix}"
                );
            }
        }
    }
}
