//! `insights-hub import --bad-rows FILE`: every skipped row, as CSV (file, line,
//! reason), written as the import reads it. The summary lists only the first
//! `LISTED_BAD_ROWS` of a file's bad rows; whoever fixes the source file needs all of
//! them, and a million bad rows are not held in memory to print.

use std::{
    fs::File,
    io::{self, BufWriter, Write},
    path::{Path, PathBuf},
};

use insights_hub::catalog::import::BadRow;

pub struct BadRowsFile {
    path: PathBuf,
    out: BufWriter<File>,
    written: u64,
    /// The first write that failed: reported once at the end, not per row.
    failed: Option<io::Error>,
}

impl BadRowsFile {
    /// Creates (or empties) the file and writes its header.
    pub fn create(path: &Path) -> io::Result<BadRowsFile> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(b"file,line,reason\n")?;
        Ok(BadRowsFile {
            path: path.to_path_buf(),
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

    /// Flushes the file and says what it holds, or why it is incomplete.
    pub fn finish(mut self) -> String {
        if let Err(error) = self.out.flush() {
            self.failed.get_or_insert(error);
        }
        let path = self.path.display();
        match (self.failed, self.written) {
            (Some(error), n) => format!(
                "warning: --bad-rows {path}: could not write every bad row ({n} written): {error}"
            ),
            (None, 0) => format!("No bad rows; {path} holds only its header."),
            (None, 1) => format!("The bad row is listed in {path}."),
            (None, n) => format!(
                "All {} bad rows are listed in {path}.",
                insights_hub::decimal::format_count(n)
            ),
        }
    }
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
            file.finish(),
            format!("All 2 bad rows are listed in {}.", path.display())
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "file,line,reason\n\"a, b.csv\",3,\"tempo: 'fast' is not a number\"\n\
             \"a, b.csv\",9,\"title: \"\"x\"\", too long\"\n"
        );
    }
}
