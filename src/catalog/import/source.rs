//! A CSV file opened for import: its header mapped, its rows read one by one.

use std::{
    fs::File,
    io::{BufReader, Read},
    path::{Path, PathBuf},
};

use csv::ByteRecord;

use super::{header::ColumnMap, row::RowParser, ImportError};
use crate::catalog::NewTrack;

/// A data row: its line number (the header is line 1) and the track or why it is bad.
#[derive(Debug)]
pub struct ParsedRow {
    pub line: u64,
    pub track: Result<NewTrack, String>,
}

pub struct CsvSource<R: Read> {
    path: PathBuf,
    reader: csv::Reader<R>,
    parser: RowParser,
    record: ByteRecord,
    /// Size of the file in bytes, for progress (0 when unknown).
    pub size: u64,
}

impl CsvSource<BufReader<File>> {
    /// Opens the file and maps its header; fails at once if the header cannot be mapped.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let open_error = |source| ImportError::Open {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(open_error)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut source = CsvSource::from_reader(path, BufReader::with_capacity(1 << 20, file))?;
        source.size = size;
        Ok(source)
    }
}

impl<R: Read> CsvSource<R> {
    /// Reads and maps the header of CSV data; `path` only names it in messages.
    pub fn from_reader(path: &Path, input: R) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(input);
        let headers = reader.byte_headers().map_err(|e| ImportError::Read {
            path: path.to_path_buf(),
            line: 1,
            message: e.to_string(),
        })?;
        let headers: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let map = ColumnMap::from_headers(&headers).map_err(|source| ImportError::Unmappable {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(CsvSource {
            path: path.to_path_buf(),
            reader,
            parser: RowParser::new(map),
            record: ByteRecord::new(),
            size: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn columns(&self) -> &ColumnMap {
        self.parser.columns()
    }

    /// Bytes read so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next data row; `None` at the end. An error means the file itself cannot be
    /// read further (I/O), not that a row is bad.
    pub fn next_row(&mut self) -> Option<Result<ParsedRow, ImportError>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map(|p| p.line()).unwrap_or(0);
                Some(Ok(ParsedRow {
                    line,
                    track: self.parser.parse(&self.record),
                }))
            }
            Err(error) => Some(Err(ImportError::Read {
                path: self.path.clone(),
                line: error.position().map(|p| p.line()).unwrap_or(0),
                message: error.to_string(),
            })),
        }
    }
}
