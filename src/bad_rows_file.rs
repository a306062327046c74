//! `insights-hub import --bad-rows FILE`: every skipped row, as CSV (file, line,
//! reason), written as the import reads it. The summary lists only the first
//! `LISTED_BAD_ROWS` of a file's bad rows; whoever fixes the source file needs all of
//! them, and a million bad rows are not held in memory to print.

use std::{
    fs::File,
    io::{self, BufWriter, Read, Write},
    path::{Path, PathBuf},
};

use insights_hub::catalog::import::BadRow;

/// The file's first line, which also marks a file this may overwrite.
const HEADER: &[u8] = b"file,line,reason\n";

pub struct BadRowsFile {
    path: PathBuf,
    /// Where the rows are written until the import has read its files: a run that
    /// reads nothing (the catalog already holds this import) leaves `path` as it was.
    /// Re-running an import to get the list had emptied the one the first run wrote.
    partial: PathBuf,
    out: BufWriter<File>,
    written: u64,
    /// The first write that failed: reported once at the end, not per row.
    failed: Option<io::Error>,
}

impl BadRowsFile {
    /// Starts the list beside `path` (`path.partial`), to replace `path` once the
    /// import has read its files. A file there that is not a list of bad rows is left
    /// alone (`refuse_other_files`).
    pub fn create(path: &Path) -> io::Result<BadRowsFile> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        for file in [path, partial.as_path()] {
            refuse_other_files(file)?;
        }
        let mut out = BufWriter::new(File::create(&partial)?);
        out.write_all(HEADER)?;
        Ok(BadRowsFile {
            path: path.to_path_buf(),
            partial,
            out,
            written: 0,
            failed: None,
        })
    }

    pub fn add(&mut self, file: &Path, row: &BadRow) {
        if self.failed.is_some() {
            return;
        }
        let line = format!(
            "{},{},{}\n",
            quoted(&file.display().to_string()),
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

    /// The import read nothing (the catalog already holds it): the file is left as it
    /// was, and the answer says why and how to list the bad rows anyway.
    pub fn discard(self) -> String {
        drop(self.out);
        let _ = std::fs::remove_file(&self.partial);
        format!(
            "--bad-rows {}: left as it was, since nothing was read. To list the bad rows \
             of files the catalog already holds, import them into a new database: \
             insights-hub --database /tmp/check.db import --bad-rows FILE ...",
            self.path.display()
        )
    }

    /// Flushes the file, puts it in place and says what it holds, or why it is
    /// incomplete. `stopped`: the import was interrupted, so the file holds the rows read
    /// before that, not all.
    pub fn finish(mut self, stopped: bool) -> String {
        if let Err(error) = self.out.flush() {
            self.failed.get_or_insert(error);
        }
        if let Err(error) = std::fs::rename(&self.partial, &self.path) {
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
        let mut file = BadRowsFile::create(&path).unwrap();
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
        // A run that reads nothing leaves the list as it was, with nothing beside it.
        let before = std::fs::read_to_string(&path).unwrap();
        let again = BadRowsFile::create(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert!(again.discard().contains("left as it was"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no partial file left"
        );
        // Another file by that name is not overwritten.
        std::fs::write(&path, "id,name\n").unwrap();
        assert!(BadRowsFile::create(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,name\n");
    }
}
