//! A CSV file opened for import: its compression and text layout undone (see [`input`]),
//! its header mapped, its rows read one by one.
//!
//! Text that is not UTF-8 is read as Windows-1252 (what Excel writes on Windows in the
//! West). The first row that is not plain ASCII decides: valid UTF-8 makes the file
//! UTF-8 (a later invalid cell is then a bad row), anything else makes the whole file
//! Windows-1252. A real Windows-1252 text is almost never also valid UTF-8.
//!
//! [`input`]: super::input

use std::{
    io::Read,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use csv::ByteRecord;

use super::{
    digest::OpenedFile,
    header::{ColumnMap, HeaderError},
    input::{self, TextLayout},
    row::RowParser,
    ImportError,
};
use crate::{catalog::NewTrack, decimal::counted};

/// A data row: its line number (the header is line 1) and the track or why it is bad.
#[derive(Debug)]
pub struct ParsedRow {
    pub line: u64,
    pub track: Result<NewTrack, String>,
    /// Lines after its first that a refused row took in (a quote left open), whose
    /// rows are lost with it; 0 for every other row.
    pub lines_taken: u64,
}

/// How the bytes of the cells are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Only ASCII so far.
    Undecided,
    Utf8,
    Windows1252,
}

pub struct CsvSource<R: Read> {
    path: PathBuf,
    reader: csv::Reader<R>,
    parser: RowParser,
    /// `parser`'s columns that are read (`ColumnMap::read_columns`).
    read_columns: Vec<usize>,
    /// Rows whose track id was a number, so not a Spotify id (see `next_row`), of
    /// `ids_read` good rows with an id.
    row_number_ids: u64,
    ids_read: u64,
    record: ByteRecord,
    /// A Windows-1252 record turned into UTF-8.
    decoded: ByteRecord,
    encoding: Encoding,
    layout: TextLayout,
    /// Told where each row starts, so that a row without end is stopped.
    row_start: input::RowStart,
    /// The line of the last row read if it was good (0 otherwise): see `cautions`.
    last_good_line: u64,
    /// "gzip" or "zip member NAME".
    container: Option<String>,
    /// Bytes read from the file (compressed), when the source is a file.
    file_bytes: Option<Arc<AtomicU64>>,
    /// Size of the file in bytes, for progress (0 when unknown).
    pub size: u64,
    /// The file as the run's digest reads it, when the source is a regular file.
    for_digest: Option<OpenedFile>,
}

impl CsvSource<Box<dyn Read + Send>> {
    /// Opens the file (plain, gzip or zip) and maps its header; fails at once if the
    /// header cannot be mapped.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let opened = input::open(path)?;
        let mut source = CsvSource::from_reader(path, opened.reader)?;
        source.size = opened.size;
        source.file_bytes = Some(opened.read);
        source.container = opened.container;
        source.for_digest = opened.for_digest;
        Ok(source)
    }
}

impl<'a> CsvSource<Box<dyn Read + Send + 'a>> {
    /// Reads and maps the header of CSV data; `path` only names it in messages.
    pub fn from_reader<R: Read + Send + 'a>(path: &Path, input: R) -> Result<Self, ImportError> {
        let read_error = |line: u64, message: String| ImportError::Read {
            path: path.to_path_buf(),
            line,
            message,
        };
        let (text, layout, row_start) =
            input::text(input).map_err(|e| read_error(1, e.to_string()))?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(layout.delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(text);
        let header_line = 1 + layout.lines_before_header;
        // The header is a row too: a quote left open in it took in the whole file.
        row_start.at(0);
        let raw = reader
            .byte_headers()
            .map_err(|e| read_error(header_line, e.to_string()))?
            .clone();
        let mut encoding = Encoding::Undecided;
        let mut decoded = ByteRecord::new();
        let headers: Vec<String> = as_text(&raw, &mut encoding, &mut decoded)
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        // A quote left open in the header took in the rows after it, and the file was
        // said to have "no data rows, only a header". A name wrapped over two lines
        // (`"Tempo\n(BPM)"`, as spreadsheets write them) is a closed quote: a taken-in
        // row shows as a later line holding the separator.
        let delimiter = char::from(layout.delimiter);
        let took_in_rows = |h: &String| h.split('\n').skip(1).any(|line| line.contains(delimiter));
        if let Some(column) = headers.iter().position(took_in_rows) {
            return Err(read_error(
                header_line,
                format!(
                    "a quote (\") opens the header's column {} and is never closed, so the \
                     lines after it were read as part of the header (close the quote)",
                    column + 1
                ),
            ));
        }
        // An empty file, or one of blank lines, a `sep=` line or empty fields only: say
        // so, rather than list every column the header lacks.
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(ImportError::Empty {
                path: path.to_path_buf(),
            });
        }
        let map = ColumnMap::from_headers(&headers).map_err(|error| match error {
            HeaderError::Unmappable(error) => ImportError::Unmappable {
                path: path.to_path_buf(),
                error,
            },
            HeaderError::Duplicate(error) => ImportError::DuplicateColumns {
                path: path.to_path_buf(),
                error,
            },
        })?;
        Ok(CsvSource {
            path: path.to_path_buf(),
            read_columns: map.read_columns(),
            row_number_ids: 0,
            ids_read: 0,
            last_good_line: 0,
            reader,
            parser: RowParser::new(map).with_decimal_comma(layout.delimiter != b','),
            record: ByteRecord::new(),
            decoded,
            encoding,
            layout,
            row_start,
            container: None,
            file_bytes: None,
            size: 0,
            for_digest: None,
        })
    }
}

/// The record as UTF-8 (or as it is, if it is neither UTF-8 nor decided yet): decides
/// the encoding on the first row that is not ASCII (see the module notes).
fn as_text<'r>(
    record: &'r ByteRecord,
    encoding: &mut Encoding,
    decoded: &'r mut ByteRecord,
) -> &'r ByteRecord {
    if *encoding == Encoding::Undecided {
        let bytes = record.as_slice();
        if bytes.is_ascii() {
            return record;
        }
        *encoding = if std::str::from_utf8(bytes).is_ok() {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        };
    }
    match encoding {
        Encoding::Windows1252 => {
            decoded.clear();
            for field in record.iter() {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(field);
                decoded.push_field(text.as_bytes());
            }
            decoded
        }
        _ => record,
    }
}

/// Whether the record's `columns` (those the import reads) hold bytes beyond ASCII,
/// and all of those fields read as UTF-8.
fn is_utf8_beyond_ascii(record: &ByteRecord, columns: &[usize]) -> bool {
    let mut beyond = false;
    for field in columns.iter().filter_map(|&c| record.get(c)) {
        if !field.is_ascii() {
            if std::str::from_utf8(field).is_err() {
                return false;
            }
            beyond = true;
        }
    }
    beyond
}

/// A line with nothing but white space, or a row of empty fields (`,,,,` as spreadsheets
/// write below the data): not a row at all.
fn is_blank(record: &ByteRecord) -> bool {
    record
        .iter()
        .all(|field| field.iter().all(u8::is_ascii_whitespace))
}

impl<R: Read> CsvSource<R> {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn columns(&self) -> &ColumnMap {
        self.parser.columns()
    }

    /// The file as the run's digest reads it: `None` for a pipe, a reader, or once
    /// taken.
    pub fn take_for_digest(&mut self) -> Option<OpenedFile> {
        self.for_digest.take()
    }

    /// Why a row that runs over several lines (`first` to `last`) is refused, if it
    /// is: a quote that opens a value and is not closed where it should be takes every
    /// line up to the next quote into that value. Such a row has the wrong number of
    /// fields, or a value the import reads that holds whole rows' lines (a title may
    /// run over two lines; a column the import passes over, lyrics, may hold anything). The lines taken are named: their rows are not imported either.
    fn run_over(&self, first: u64, last: u64) -> Option<String> {
        let columns = self.parser.columns();
        let column = if self.record.len() != columns.headers.len() {
            None
        } else {
            // A line of a whole row inside one value: at least half a row's separators
            // on one of its lines (a title written over two lines has few or none).
            let half_a_row = (columns.headers.len() / 2).max(2);
            let delimiter = self.layout.delimiter;
            let broken = self.read_columns.iter().find(|&&c| {
                self.record.get(c).is_some_and(|field| {
                    field.contains(&b'\n')
                        && field.split(|&b| b == b'\n').any(|line| {
                            line.iter().filter(|&&b| b == delimiter).count() >= half_a_row
                        })
                })
            })?;
            Some(columns.header(*broken))
        };
        let what = match column {
            Some(header) => format!("the value in column {header}"),
            None => "a value".to_string(),
        };
        Some(format!(
            "{what} runs from line {first} to line {last}, so those lines were read as one \
             row and none of them is imported: a quote (\") opens a value on line {first} \
             and is not closed where that value ends"
        ))
    }

    /// Bytes read so far (of the file, when the source is one), for progress.
    pub fn bytes_read(&self) -> u64 {
        match &self.file_bytes {
            Some(read) => read.load(Ordering::Relaxed),
            None => self.reader.position().byte(),
        }
    }

    /// How the file was read, when that is worth telling: compression, UTF-16,
    /// Windows-1252 (known once a row has decided it), delimiter, `sep=` line.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.container.iter().cloned().collect();
        if self.encoding == Encoding::Windows1252 {
            notes.push("Windows-1252".to_string());
        }
        notes.extend(self.layout.notes());
        if let (true, Some(column)) = (self.row_number_ids > 0, self.parser.columns().track_id) {
            let header = self.parser.columns().header(column);
            // The whole column, or a few odd values in a column of Spotify ids.
            notes.push(if self.row_number_ids == self.ids_read {
                format!(
                    "{header} as row numbers, not Spotify ids (tracks told apart by artists \
                     and title)"
                )
            } else {
                format!(
                    "{} of {header} that {} all digits as row numbers, not Spotify ids \
                     (those tracks told apart by artists and title)",
                    counted(self.row_number_ids, "value"),
                    if self.row_number_ids == 1 {
                        "is"
                    } else {
                        "are"
                    }
                )
            });
        }
        notes
    }

    /// What a user should check after reading the whole file. A file that ends
    /// without a line break, where every writer of these files ends with one, may have
    /// been cut short in a download or a copy: its last row then reads as a good row
    /// with a cut last value (a duration of 1766 ms for 176616), which updated the
    /// stored track without a word.
    pub fn cautions(&self) -> Vec<String> {
        let mut cautions = Vec::new();
        if self.row_start.last_line_unterminated() && self.last_good_line > 0 {
            cautions.push(format!(
                "line {} ends the file without a line break, as a file cut short (an \
                 interrupted download or copy) ends: if it was, that row's last value is \
                 cut too, and was imported as it reads, so check it or import a whole copy",
                self.last_good_line
            ));
        }
        cautions
    }

    /// The next data row; `None` at the end. An error means the file itself cannot be
    /// read further (I/O, a damaged archive), not that a row is bad. Blank lines are
    /// passed over.
    pub fn next_row(&mut self) -> Option<Result<ParsedRow, ImportError>> {
        loop {
            let start = self.reader.position().clone();
            self.row_start.at(start.byte());
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                // The caution about a last line without a line break is for a good
                // row only: a blank one imports nothing, and a bad one is reported.
                Ok(true) if is_blank(&self.record) => {
                    self.last_good_line = 0;
                    continue;
                }
                Ok(true) => {
                    self.last_good_line = 0;
                    // The record ends with the LF just read (the text always ends with
                    // one, see `input`), so it starts on the line before, less the line
                    // breaks inside its quoted fields.
                    let bytes = self.record.as_slice();
                    let mut inside = memchr::memchr_iter(b'\n', bytes).count() as u64;
                    // A quote left open runs to the end of the text, taking its final
                    // LF in too: that one ends the row, it is not inside it.
                    if bytes.last() == Some(&b'\n') {
                        inside -= 1;
                    }
                    let last_line = self.reader.position().line().saturating_sub(1)
                        + self.layout.lines_before_header;
                    let line = last_line.saturating_sub(inside);
                    // A quote left open on the last line takes in that line's other
                    // values and the final LF: a row of too few values, which had been
                    // said as such ("has 2 fields where the header has 23").
                    if inside == 0
                        && bytes.last() == Some(&b'\n')
                        && self.record.len() != self.parser.columns().headers.len()
                    {
                        return Some(Ok(ParsedRow {
                            line,
                            track: Err(format!(
                                "a quote (\") opens value {} on line {line} and is never \
                                 closed, so the rest of the file was read as that value",
                                self.record.len()
                            )),
                            lines_taken: 0,
                        }));
                    }
                    if inside > 0 {
                        if let Some(problem) = self.run_over(line, last_line) {
                            return Some(Ok(ParsedRow {
                                line,
                                track: Err(problem),
                                lines_taken: inside,
                            }));
                        }
                    }
                    // The mirror of a UTF-8 file's row of invalid bytes: once the file
                    // reads as Windows-1252, a row whose bytes are UTF-8 (which real
                    // Windows-1252 text almost never is) would turn "Beyoncé" into
                    // "BeyoncÃ©", a second artist beside the first.
                    if self.encoding == Encoding::Windows1252
                        && is_utf8_beyond_ascii(&self.record, &self.read_columns)
                    {
                        return Some(Ok(ParsedRow {
                            line,
                            track: Err("the text is UTF-8, where the file's earlier rows \
                                        are Windows-1252: the file mixes two encodings (save \
                                        it again as CSV UTF-8)"
                                .to_string()),
                            lines_taken: 0,
                        }));
                    }
                    let record = as_text(&self.record, &mut self.encoding, &mut self.decoded);
                    let mut track = self.parser.parse(record);
                    // A plain `id` column is often the row's number in the file: taken
                    // as a Spotify id, row 1 of one file would overwrite row 1 of
                    // another. No Spotify id is all digits.
                    if let Ok(track) = &mut track {
                        self.last_good_line = line;
                        self.ids_read += u64::from(track.spotify_id.is_some());
                        if track
                            .spotify_id
                            .as_deref()
                            .is_some_and(|id| id.bytes().all(|b| b.is_ascii_digit()))
                        {
                            track.spotify_id = None;
                            self.row_number_ids += 1;
                        }
                    }
                    return Some(Ok(ParsedRow {
                        line,
                        track,
                        lines_taken: 0,
                    }));
                }
                Err(error) => {
                    // An I/O error (a damaged archive, a line too long, a quote never
                    // closed running past the row limit) has no record position: it is
                    // said at the line the row began on. The reader's own position is
                    // wherever the read stopped, 16 MiB on: a quote left open on line 2
                    // had been blamed on line 82,572.
                    let line = match error.position() {
                        Some(position) => position.line(),
                        None => start.line().max(1),
                    };
                    let message = match error.kind() {
                        csv::ErrorKind::Io(io) => io.to_string(),
                        _ => error.to_string(),
                    };
                    return Some(Err(ImportError::Read {
                        path: self.path.clone(),
                        line: line + self.layout.lines_before_header,
                        message,
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "title,artist,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness";

    fn rows(bytes: &[u8]) -> Vec<(u64, Result<NewTrack, String>)> {
        let mut source = CsvSource::from_reader(Path::new("t.csv"), bytes).expect("maps");
        let mut out = Vec::new();
        while let Some(row) = source.next_row() {
            let row = row.expect("readable");
            out.push((row.line, row.track));
        }
        out
    }

    #[test]
    fn blank_lines_are_not_rows() {
        let csv =
            format!("{HEADER}\n   \nSong,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n\t\n,,,,,,,,,,\n");
        let rows = rows(csv.as_bytes());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 3);
        assert!(rows[0].1.is_ok());
    }

    #[test]
    fn windows_1252_is_decided_by_the_first_non_ascii_row() {
        let mut csv = format!("{HEADER}\nPlain,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n").into_bytes();
        csv.extend_from_slice(b"Caf\xe9,Beyonc\xe9,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        csv.extend_from_slice(b"\x93Quoted\x94,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let rows = rows(&csv);
        let names: Vec<(String, Vec<String>)> = rows
            .into_iter()
            .map(|(_, t)| {
                let t = t.expect("good row");
                (t.name, t.artists)
            })
            .collect();
        assert_eq!(names[1], ("Café".to_string(), vec!["Beyoncé".to_string()]));
        assert_eq!(names[2].0, "\u{201c}Quoted\u{201d}");
    }

    #[test]
    fn a_utf8_row_in_a_windows_1252_file_is_a_bad_row() {
        let mut csv = format!("{HEADER}\n").into_bytes();
        csv.extend_from_slice(b"Caf\xe9,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        csv.extend_from_slice(
            "Beyoncé song,Beyoncé,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n".as_bytes(),
        );
        let rows = rows(&csv);
        assert_eq!(rows[0].1.as_ref().map(|t| t.name.as_str()), Ok("Café"));
        let refused = rows[1].1.as_ref().expect_err("bad row");
        assert!(
            refused.contains("the file mixes two encodings"),
            "{refused}"
        );
    }

    #[test]
    fn a_utf8_file_keeps_reporting_invalid_bytes() {
        let mut csv = format!("{HEADER}\nCafé,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n").into_bytes();
        csv.extend_from_slice(b"Caf\xe9,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let rows = rows(&csv);
        assert_eq!(rows[0].1.as_ref().map(|t| t.name.as_str()), Ok("Café"));
        assert!(rows[1].1.as_ref().unwrap_err().contains("not valid UTF-8"));
    }

    #[test]
    fn line_numbers_are_right_with_windows_line_ends() {
        let csv = format!("{HEADER}\r\nSong,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n\r\n\"Two\r\nLines\",A,x,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\nLast,A,x,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n");
        let lines: Vec<u64> = rows(csv.as_bytes()).into_iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![2, 4, 6]);
        let csv = format!("sep=,\r\n{HEADER}\r\nSong,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n");
        assert_eq!(rows(csv.as_bytes())[0].0, 3);
    }

    /// A quote left open on the last line, or in the header, is said to be one: they
    /// had been said as a row of too few values, and as a file of no rows.
    #[test]
    fn a_quote_left_open_on_the_last_line_or_in_the_header_is_named() {
        let good = "Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n";
        let csv = format!("{HEADER}\n{good}Last,\"A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let rows = rows(csv.as_bytes());
        assert_eq!(rows.len(), 2);
        assert!(rows[0].1.is_ok());
        assert_eq!(rows[1].0, 3);
        let said = rows[1].1.as_ref().unwrap_err();
        assert!(
            said.contains("a quote (\") opens value 2 on line 3"),
            "{said}"
        );
        // A name wrapped over two lines in a closed quote is a name.
        let wrapped = HEADER.replace(",tempo,", ",\"Tempo\n(BPM)\",");
        let csv = format!("{wrapped}\n{good}");
        let parsed = super::tests::rows(csv.as_bytes());
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].1.is_ok(), "{:?}", parsed[0].1.as_ref().err());
        let csv = format!("{HEADER},\"year\n{good}{good}");
        let Err(error) = CsvSource::from_reader(Path::new("t.csv"), csv.as_bytes()) else {
            panic!("the header was read");
        };
        let said = error.to_string();
        assert!(said.contains("opens the header's column 12"), "{said}");
        assert!(said.contains("at line 1:"), "{said}");
    }

    /// A quote left open in the header is stopped at the same limit (the header had
    /// taken in the whole file before the check began).
    #[test]
    fn a_quote_never_closed_in_the_header_stops_the_read() {
        let good = "Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n";
        let mut csv = format!("{},\"x\n", HEADER);
        csv.push_str(&good.repeat((input::MAX_LINE_BYTES + (2 << 20)) / good.len()));
        let Err(error) = CsvSource::from_reader(Path::new("t.csv"), csv.as_bytes()) else {
            panic!("the header was read");
        };
        let said = error.to_string();
        assert!(
            said.contains("a row runs on for more than 16 MiB"),
            "{said}"
        );
    }

    /// A quote never closed, with more than 16 MiB of rows after it: the read stops
    /// at the limit, naming the quote's line, instead of holding the rest of the file
    /// in memory as one row (800 MB for a 400 MB file); rows before it are read.
    #[test]
    fn a_quote_never_closed_stops_the_read_at_the_row_limit() {
        let good = "Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n";
        let mut csv = format!("sep=,\n{HEADER}\n{good}\"Stray,A,0.5\n");
        let rows_after = (input::MAX_LINE_BYTES + (2 << 20)) / good.len();
        csv.push_str(&good.repeat(rows_after));
        let mut source = CsvSource::from_reader(Path::new("t.csv"), csv.as_bytes()).expect("maps");
        let first = source.next_row().expect("a row").expect("readable");
        assert_eq!(first.line, 3);
        let Some(Err(error)) = source.next_row() else {
            panic!("the read goes on");
        };
        let said = error.to_string();
        assert!(said.contains("at line 4:"), "{said}");
        assert!(
            said.contains("a row runs on for more than 16 MiB"),
            "{said}"
        );
        // Short of the limit, the run-on row is read and refused as a row (below).
        let mut csv = format!("{HEADER}\n{good}\"Stray,A,0.5\n");
        csv.push_str(&good.repeat(rows_after / 4));
        let short = rows(csv.as_bytes());
        assert_eq!(short.len(), 2);
        assert!(short[1].1.is_err());
    }

    #[test]
    fn an_unclosed_quote_names_the_lines_it_took() {
        let good = "Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6";
        let csv = format!(
            "{HEADER}\n{good}\n\"Stray,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n{good}\n{good}\n"
        );
        let to_the_end = rows(csv.as_bytes());
        assert_eq!(to_the_end.len(), 2, "{to_the_end:?}");
        assert!(to_the_end[0].1.is_ok());
        assert_eq!(to_the_end[1].0, 3);
        let message = to_the_end[1].1.as_ref().unwrap_err();
        assert!(
            message.contains("opens a value on line 3") && message.contains("line 3 to line 5"),
            "{message}"
        );
        // Closed lines later: the same, up to the line that closes it.
        let csv = format!("{HEADER}\n\"Stray,A,0.5\n{good}\n\"Next\",A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n{good}\n");
        let later = rows(csv.as_bytes());
        let message = later[0].1.as_ref().unwrap_err();
        assert!(
            message.starts_with("the value in column") && message.contains("line 2 to line 4"),
            "{message}"
        );
        assert!(later[1].1.is_ok(), "{later:?}");
        assert_eq!(later[1].0, 5);
    }

    #[test]
    fn a_title_over_two_lines_is_still_one_good_row_on_one_line() {
        let csv = format!("{HEADER}\n\"Two\nLines, live\",A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\nLast,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let rows = rows(csv.as_bytes());
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(
            rows[0].1.as_ref().map(|t| t.name.as_str()),
            Ok("Two Lines, live"),
            "shown on one line, as every page and file shows a title"
        );
    }

    #[test]
    fn a_line_break_in_a_column_that_is_not_read_is_fine() {
        let csv = format!("{HEADER},lyrics\nSong,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6,\"One\nTwo\nThree\"\nLast,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6,\n");
        let rows = rows(csv.as_bytes());
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 5]);
        assert!(rows.iter().all(|r| r.1.is_ok()), "{rows:?}");
    }

    #[test]
    fn more_fields_than_the_header_is_a_bad_row_unless_they_are_empty() {
        let csv = format!("{HEADER}\nShifted,A,0.5,0.5,0.5,0,0.5,0.05,0.1,122,036,-6\nTrailing,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6,,\n");
        let rows = rows(csv.as_bytes());
        let message = rows[0].1.as_ref().unwrap_err();
        assert!(
            message.starts_with("has 12 fields where the header has 11"),
            "{message}"
        );
        assert!(rows[1].1.is_ok(), "{rows:?}");
    }

    #[test]
    fn an_empty_file_says_it_is_empty() {
        for empty in ["", "\u{feff}", "\n\n  \n", "sep=;\n", ",,,,\n"] {
            let error = CsvSource::from_reader(Path::new("e.csv"), empty.as_bytes())
                .err()
                .expect("refused");
            assert!(
                error
                    .to_string()
                    .contains("it is empty (no header line and no rows)"),
                "{empty:?}: {error}"
            );
        }
    }

    #[test]
    fn row_numbers_are_not_spotify_ids() {
        let csv = format!("id,{HEADER}\n1,Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n6f807x0ima9a1j3VPbc7VN,Real,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let mut source = CsvSource::from_reader(Path::new("t.csv"), csv.as_bytes()).expect("maps");
        let first = source
            .next_row()
            .expect("row")
            .expect("readable")
            .track
            .expect("good");
        assert_eq!(first.spotify_id, None);
        let second = source
            .next_row()
            .expect("row")
            .expect("readable")
            .track
            .expect("good");
        assert_eq!(second.spotify_id.as_deref(), Some("6f807x0ima9a1j3VPbc7VN"));
        // One odd value in a column of Spotify ids is named as one, not as the column.
        assert!(
            source
                .notes()
                .iter()
                .any(|n| n.starts_with("1 value of id that is all digits as row numbers")),
            "{:?}",
            source.notes()
        );
        let csv = format!("id,{HEADER}\n1,Song,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n2,Other,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
        let mut source = CsvSource::from_reader(Path::new("t.csv"), csv.as_bytes()).expect("maps");
        while source.next_row().is_some() {}
        assert!(
            source
                .notes()
                .iter()
                .any(|n| n.starts_with("id as row numbers")),
            "{:?}",
            source.notes()
        );
    }

    #[test]
    fn line_numbers_count_the_sep_line() {
        let csv = format!("sep=;\n{}\nSong;A;0.5;0.5;0.5;0;0.5;0.05;0.1;120;-6\nBad;A;x;0.5;0.5;0;0.5;0.05;0.1;120;-6\n", HEADER.replace(',', ";"));
        let rows = rows(csv.as_bytes());
        assert_eq!(rows[0].0, 3);
        assert!(rows[0].1.is_ok());
        assert_eq!(rows[1].0, 4);
    }
}
