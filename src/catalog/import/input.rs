//! What a file holds before it is CSV text: gzip or zip around it, a byte-order mark or
//! UTF-16 at its start, Excel's `sep=` line, and the delimiter it uses.
//!
//! - [`open`] undoes the compression (recognised by the first bytes, not the name) and
//!   counts the bytes read from the file, for progress;
//! - [`text`] turns the bytes into comma-, semicolon- or tab-separated UTF-8 (or
//!   single-byte text, see `source`) and says which delimiter it found.
//!
//! Windows-1252 cannot be recognised from a file's first bytes; `source` decides it from
//! the first row that is not ASCII.

use std::{
    fs::File,
    io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom},
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
};

use super::{digest::OpenedFile, listed, ImportError};

/// Bytes read ahead of the CSV reader to find a `sep=` line and the delimiter: the
/// header line, unless it is longer.
const PEEK_BYTES: u64 = 64 * 1024;
/// How many members of a zip file a message names.
const LISTED_MEMBERS: usize = 5;

/// A file opened for import, its compression undone.
pub struct Opened {
    /// The uncompressed bytes.
    pub reader: Box<dyn Read + Send>,
    /// Bytes the reader will take from the file (the compressed size), for progress.
    pub size: u64,
    /// Bytes taken from the file so far.
    pub read: Arc<AtomicU64>,
    /// "gzip", "zip member NAME", or nothing for a plain file.
    pub container: Option<String>,
    /// The file as the run's digest reads it (`None` for a pipe).
    pub for_digest: Option<OpenedFile>,
}

/// Counts the bytes read from the file, for a progress bar on compressed input (the CSV
/// reader only knows uncompressed positions).
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Says what a decompressor's error means for the person importing: flate2's own words
/// ("incomplete deflate stream") are kept in brackets.
struct Damaged<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Damaged<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("the {} data is damaged or cut short ({e})", self.what),
            )
        })
    }
}

/// Opens the file and undoes gzip or zip compression.
pub fn open(path: &Path) -> Result<Opened, ImportError> {
    let open_error = |error| ImportError::Open {
        path: path.to_path_buf(),
        error,
    };
    let file = File::open(path).map_err(open_error)?;
    // Before anything is read: the digest hashes this file, not whatever the path
    // names once the rows are in.
    let for_digest = OpenedFile::of(path, &file);
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let mut buffered = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file,
            read: Arc::clone(&read),
        },
    );
    let magic = buffered.fill_buf().map_err(open_error)?;
    if let Some((format, command)) = unread_compression(magic) {
        // Else taken for text: "it holds NUL bytes … save it as CSV UTF-8".
        return Err(ImportError::Archive {
            path: path.to_path_buf(),
            message: format!(
                "it is compressed with {format}, which the import does not read: decompress \
                 it first (`{command} -d FILE`), or into a pipe (`{command} -dc FILE | \
                 insights-hub import -`)"
            ),
        });
    }
    if magic.starts_with(&[0x1f, 0x8b]) {
        return Ok(Opened {
            reader: Box::new(Damaged {
                inner: flate2::bufread::MultiGzDecoder::new(buffered),
                what: "gzip",
            }),
            size,
            read,
            container: Some("gzip".to_string()),
            for_digest,
        });
    }
    if magic.starts_with(b"PK\x03\x04") || magic.starts_with(b"PK\x05\x06") {
        let file = buffered.into_inner().inner;
        let mut opened = open_zip_member(path, file, read)?;
        opened.for_digest = for_digest;
        return Ok(opened);
    }
    Ok(Opened {
        reader: Box::new(buffered),
        size,
        read,
        container: None,
        for_digest,
    })
}

/// The compression a file's first bytes show, among those the import does not undo
/// (each's name and command): xz, bzip2 and zstd, the other compressors datasets are
/// shared with.
fn unread_compression(magic: &[u8]) -> Option<(&'static str, &'static str)> {
    const BZIP2_BLOCK: &[u8] = &[0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const BZIP2_END: &[u8] = &[0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Some(("xz", "xz"));
    }
    if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Some(("zstd", "zstd"));
    }
    // "BZh", the block size, then a block's or the stream end's magic number: "BZh"
    // alone could begin a header.
    if magic.len() >= 10
        && magic.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&magic[3])
        && (magic[4..10] == *BZIP2_BLOCK || magic[4..10] == *BZIP2_END)
    {
        return Some(("bzip2", "bzip2"));
    }
    None
}

/// A zip member's compression method as its tools name it: the zip crate's `Debug`
/// form was "Unsupported(12)".
fn zip_method_name(method: zip::CompressionMethod) -> String {
    // The number the archive stores; the crate deprecates reading it only to steer
    // matching towards its constants, which name no method it was built without.
    #[allow(deprecated)]
    let number = method.to_u16();
    let name = match number {
        1 => "Shrink",
        2..=5 => "Reduce",
        6 => "Implode",
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "zstd",
        95 => "xz",
        98 => "PPMd",
        other => return format!("method {other}"),
    };
    name.to_string()
}

/// The one CSV file inside a zip file, read straight from its place in the archive (so
/// it streams like any other file), its checksum verified at the end.
fn open_zip_member(path: &Path, file: File, read: Arc<AtomicU64>) -> Result<Opened, ImportError> {
    let refuse = |message: String| ImportError::Archive {
        path: path.to_path_buf(),
        message,
    };
    // A zip's list of members is at its end, which a pipe cannot seek to ("Illegal
    // seek" was all it said).
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(refuse(
            "it is a zip file, which cannot be read from a pipe (its list of files is at \
             its end): give the zip file's name, or unzip it into the pipe \
             (`unzip -p FILE.zip | insights-hub import -`)"
                .to_string(),
        ));
    }
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| refuse(format!("not a readable zip file ({e})")))?;
    // In index order; a name that cannot be decoded stays as an empty (ignored) one.
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|n| n.into_owned()).unwrap_or_default())
        .collect();
    let index = choose_member(&names).map_err(refuse)?;
    // Escaped: the name comes from the archive, and messages and the summary print it.
    let name = crate::quoted::escaped(&names[index]).into_owned();
    let member = archive
        .by_index_raw(index)
        .map_err(|e| refuse(format!("cannot read {name} in it ({e})")))?;
    if member.encrypted() {
        return Err(refuse(format!("{name} in it is encrypted; unzip it first")));
    }
    let compression = member.compression();
    let deflated = match compression {
        zip::CompressionMethod::Stored => false,
        zip::CompressionMethod::Deflated => true,
        other => {
            return Err(refuse(format!(
                "{name} in it is compressed with {}, which is not supported (only deflate); unzip it first",
                zip_method_name(other)
            )))
        }
    };
    let start = member
        .data_start()
        .ok_or_else(|| refuse(format!("cannot find the data of {name} in it")))?;
    let (compressed, expected_size, expected_crc) =
        (member.compressed_size(), member.size(), member.crc32());
    drop(member);
    let mut file = archive.into_inner();
    file.seek(SeekFrom::Start(start))
        .map_err(|error| ImportError::Open {
            path: path.to_path_buf(),
            error,
        })?;
    let raw = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file.take(compressed),
            read: Arc::clone(&read),
        },
    );
    let data: Box<dyn Read + Send> = if deflated {
        Box::new(Damaged {
            inner: flate2::bufread::DeflateDecoder::new(raw),
            what: "zip",
        })
    } else {
        Box::new(raw)
    };
    Ok(Opened {
        reader: Box::new(Checked {
            inner: data,
            crc: flate2::Crc::new(),
            expected_size,
            expected_crc,
        }),
        size: compressed,
        read,
        container: Some(format!("zip member {name}")),
        for_digest: None,
    })
}

/// Which member of a zip file to import: its only `.csv` or `.tsv` file (a `.csv` beside
/// a `.tsv` is two tables, and importing one would drop the other without a word);
/// without one, its only `.txt` file (Excel's "Unicode Text", which a `README.txt` beside
/// a CSV is not); without those, its only file. Folders, macOS resource forks
/// (`__MACOSX/`, `._name`) and hidden files do not count.
fn choose_member(names: &[String]) -> Result<usize, String> {
    let files: Vec<usize> = (0..names.len())
        .filter(|&i| {
            let name = &names[i];
            let base = name.rsplit('/').next().unwrap_or(name);
            !name.ends_with('/')
                && !name.starts_with("__MACOSX/")
                && !base.is_empty()
                && !base.starts_with('.')
        })
        .collect();
    let ending = |suffixes: &[&str]| -> Vec<usize> {
        files
            .iter()
            .copied()
            .filter(|&i| {
                let lower = names[i].to_ascii_lowercase();
                suffixes.iter().any(|s| lower.ends_with(s))
            })
            .collect()
    };
    let tables = ending(&[".csv", ".tsv"]);
    let text = ending(&[".txt"]);
    let tier = [&tables, &text, &files]
        .into_iter()
        .find(|tier| !tier.is_empty());
    match tier.map(|t| t.as_slice()) {
        Some([one]) => Ok(*one),
        None => Err("the zip file holds no file".to_string()),
        Some(_) if names.iter().any(|n| n == "xl/workbook.xml") => Err(
            "it is an Excel workbook (.xlsx); save it from Excel as \"CSV UTF-8\" and import that"
                .to_string(),
        ),
        Some(several) => Err(format!(
            "the zip file holds {} {} ({}); unzip it and import the ones you want",
            several.len(),
            if tables.is_empty() {
                "files"
            } else if ending(&[".tsv"]).is_empty() {
                "CSV files"
            } else {
                "CSV or TSV files"
            },
            listed(several.iter().map(|&i| names[i].as_str()), LISTED_MEMBERS)
        )),
    }
}

/// Checks a zip member's CRC-32 and size when its end is reached: a damaged archive is
/// an error, not a silently shorter import.
struct Checked<R> {
    inner: R,
    crc: flate2::Crc,
    expected_size: u64,
    expected_crc: u32,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        if n == 0
            && !buf.is_empty()
            && (u64::from(self.crc.amount()) != self.expected_size & 0xffff_ffff
                || self.crc.sum() != self.expected_crc)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the zip file is damaged (its checksum does not match)",
            ));
        }
        Ok(n)
    }
}

/// How the text of a file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLayout {
    pub delimiter: u8,
    /// Lines before the header (Excel's `sep=` line), for line numbers.
    pub lines_before_header: u64,
    /// "UTF-16LE"/"UTF-16BE" when transcoded; `None` for UTF-8 or single-byte text.
    pub utf16: Option<&'static str>,
    /// Whether the delimiter came from a `sep=` line.
    pub sep_line: bool,
}

impl TextLayout {
    /// What a user may want to know about how the file was read (nothing for plain
    /// comma-separated UTF-8).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(encoding) = self.utf16 {
            notes.push(encoding.to_string());
        }
        match self.delimiter {
            b',' => {}
            b'\t' => notes.push("tab-separated".to_string()),
            other => notes.push(format!("'{}'-separated", other as char)),
        }
        if self.sep_line {
            notes.push("Excel 'sep=' line".to_string());
        }
        notes
    }
}

/// Reads up to `buf.len()` bytes (fewer only at the end of the input).
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Makes CSV text of the input: a UTF-8 byte-order mark is dropped, UTF-16 with a
/// byte-order mark becomes UTF-8, an Excel `sep=X` first line sets the delimiter and is
/// skipped; otherwise the delimiter is whichever of `,` `;` and tab the header line uses
/// most (a comma when none).
pub fn text<'a, R: Read + Send + 'a>(
    mut input: R,
) -> io::Result<(Box<dyn Read + Send + 'a>, TextLayout, RowStart)> {
    let mut head = [0u8; 3];
    let n = read_up_to(&mut input, &mut head)?;
    let head = head[..n].to_vec();
    let (stream, utf16): (Box<dyn Read + Send + 'a>, _) =
        if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
            let label = if head[0] == 0xff {
                "UTF-16LE"
            } else {
                "UTF-16BE"
            };
            let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .bom_sniffing(true)
                .strip_bom(true)
                .build(Cursor::new(head).chain(input));
            (Box::new(decoded), Some(label))
        } else if head == [0xef, 0xbb, 0xbf] {
            (Box::new(input), None)
        } else {
            (Box::new(Cursor::new(head).chain(input)), None)
        };
    let added_last_break = Arc::new(AtomicBool::new(false));
    let mut stream = LongLines::new(LineEnds::new(stream, Arc::clone(&added_last_break)));
    let mut prefix = Vec::new();
    stream.by_ref().take(PEEK_BYTES).read_to_end(&mut prefix)?;
    if looks_binary(&prefix) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "this is not CSV text: it holds NUL bytes (a binary file, or UTF-16 text \
             without its byte-order mark: save it as CSV UTF-8)",
        ));
    }
    let (delimiter, skip, sep_line) = match sep_line(&prefix) {
        Some((delimiter, length)) => (delimiter, length, true),
        None => (sniff_delimiter(&prefix), 0, false),
    };
    let mut prefix = Cursor::new(prefix);
    prefix.set_position(skip as u64);
    let layout = TextLayout {
        delimiter,
        lines_before_header: u64::from(sep_line),
        utf16,
        sep_line,
    };
    let row_start = RowStart {
        at: stream.row_start.clone(),
        before_csv: skip as u64,
        added_last_break,
    };
    Ok((Box::new(prefix.chain(stream)), layout, row_start))
}

/// Whether the start of a file is binary data rather than text: a NUL in its first line
/// (where the header should be), or in at least one byte in a hundred. A stray NUL in a
/// row is left to the row, which is then skipped with its line and column named; a
/// binary file would otherwise be refused for its header, quoted as escaped bytes.
fn looks_binary(prefix: &[u8]) -> bool {
    let first_line = prefix.split(|&b| b == b'\n').next().unwrap_or_default();
    let nuls = prefix.iter().filter(|&&b| b == 0).count();
    first_line.contains(&0) || (nuls > 0 && nuls * 100 >= prefix.len())
}

/// Turns CR LF (Windows) and a lone CR (old Mac) into LF, and ends the text with an LF.
/// Then every record ends with an LF the csv reader has counted when it returns the
/// record, which `source` needs to number lines exactly (the csv crate's own start
/// position of a record is one line early after a CR LF or an empty line).
struct LineEnds<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    /// The last byte handed out.
    last: Option<u8>,
    /// Set when the text ended without a line break and one was added: a file cut
    /// short (an interrupted download) ends so, and its last value may be cut too.
    added_last_break: Arc<AtomicBool>,
}

impl<R: Read> LineEnds<R> {
    fn new(inner: R, added_last_break: Arc<AtomicBool>) -> Self {
        LineEnds {
            added_last_break,
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            last: None,
        }
    }

    /// Reads more input after the unread bytes (at most a CR waiting for what follows).
    fn refill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.pos..self.len, 0);
        self.len -= self.pos;
        self.pos = 0;
        loop {
            match self.inner.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        // A CR alone at the end of the buffer needs the next byte to be understood.
        while !self.eof
            && (self.pos == self.len || self.len - self.pos == 1 && self.buf[self.pos] == b'\r')
        {
            self.refill()?;
        }
        if self.pos == self.len {
            // The end: an LF after the last line if it has none.
            if self.last.is_some_and(|b| b != b'\n') {
                out[0] = b'\n';
                self.last = Some(b'\n');
                self.added_last_break.store(true, Ordering::Relaxed);
                return Ok(1);
            }
            return Ok(0);
        }
        let data = &self.buf[self.pos..self.len];
        let (mut i, mut written) = (0, 0);
        while i < data.len() && written < out.len() {
            let rest = &data[i..];
            let span = memchr::memchr(b'\r', rest).unwrap_or(rest.len());
            let n = span.min(out.len() - written);
            out[written..written + n].copy_from_slice(&rest[..n]);
            written += n;
            i += n;
            if i == data.len() || written == out.len() {
                break;
            }
            // data[i] is a CR.
            match data.get(i + 1) {
                Some(b'\n') => i += 1,
                None if !self.eof => break,
                _ => {
                    out[written] = b'\n';
                    written += 1;
                    i += 1;
                }
            }
        }
        self.pos += i;
        if written > 0 {
            self.last = Some(out[written - 1]);
        }
        Ok(written)
    }
}

/// The longest line accepted, in bytes. A row of a track is a few hundred bytes (a
/// few KiB with long lists of markets); far longer is not a track's row, and the csv
/// reader would hold all of it in memory (a 2 MB gzip file held one line of 2 GiB, 4.2
/// GB of memory). Up to this, an overlong value is a bad row like any other (a 5 MB
/// title is skipped with its reason, the file imported).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Where the row the csv reader is reading starts, told by the reader after each row
/// (`RowStart::at`), so that a row that runs on past [`MAX_LINE_BYTES`] is stopped too:
/// a quote that opens a value and is never closed makes the rest of the file one row,
/// and the csv reader held all of it in memory (800 MB for a 400 MB file), however
/// short its lines.
#[derive(Debug, Clone)]
pub struct RowStart {
    /// In bytes handed out by `LongLines`; `u64::MAX` until a reader tells.
    at: Arc<AtomicU64>,
    /// Bytes `LongLines` handed out before the csv reader's first byte (the part of the
    /// start read to find the layout that the reader skips: a `sep=` line).
    before_csv: u64,
    /// See `LineEnds::added_last_break`.
    added_last_break: Arc<AtomicBool>,
}

impl RowStart {
    /// Whether the text ended without a line break (known once it has been read to
    /// its end).
    pub fn last_line_unterminated(&self) -> bool {
        self.added_last_break.load(Ordering::Relaxed)
    }

    /// The row being read starts at byte `csv_byte` of the csv reader's input.
    pub fn at(&self, csv_byte: u64) {
        self.at
            .store(csv_byte.saturating_add(self.before_csv), Ordering::Relaxed);
    }
}

/// Room beyond a row's own bytes for what the csv reader reads ahead of it (its buffer).
const READ_AHEAD_BYTES: u64 = 1 << 20;

/// Stops the text at the first line longer than [`MAX_LINE_BYTES`], or the first row
/// (lines joined by a quoted value) longer than that, with an error that says so,
/// before the csv reader has buffered it.
struct LongLines<R> {
    inner: R,
    /// Bytes handed out since the last LF.
    since_line_break: usize,
    /// Bytes handed out in all.
    handed_out: u64,
    row_start: Arc<AtomicU64>,
}

impl<R: Read> LongLines<R> {
    fn new(inner: R) -> Self {
        LongLines {
            inner,
            since_line_break: 0,
            handed_out: 0,
            row_start: Arc::new(AtomicU64::new(u64::MAX)),
        }
    }
}

impl<R: Read> Read for LongLines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.handed_out += n as u64;
        let row_start = self.row_start.load(Ordering::Relaxed);
        if row_start != u64::MAX
            && self.handed_out.saturating_sub(row_start) > MAX_LINE_BYTES as u64 + READ_AHEAD_BYTES
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a row runs on for more than {} MiB: a quote that opens a value on \
                     this line is never closed, so every line after it would be read \
                     into that value (close the quote, or the file is damaged)",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        let read = &out[..n];
        // The line running into this read ends at its first LF (or goes on past it);
        // lines wholly inside it are shorter than a read, far below the limit.
        let running = self.since_line_break + memchr::memchr(b'\n', read).unwrap_or(n);
        self.since_line_break = match memchr::memrchr(b'\n', read) {
            Some(at) => n - at - 1,
            None => running,
        };
        if running > MAX_LINE_BYTES || self.since_line_break > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a line is longer than {} MiB, so this is not a CSV file of tracks \
                     (or it is damaged)",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// Excel's `sep=;` first line (also quoted, `"sep=;"`): the delimiter and the length of
/// the line with its line break.
fn sep_line(prefix: &[u8]) -> Option<(u8, usize)> {
    let end = prefix
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(prefix.len());
    let line = prefix[..end].strip_suffix(b"\r").unwrap_or(&prefix[..end]);
    let line = line
        .strip_prefix(b"\"")
        .and_then(|l| l.strip_suffix(b"\""))
        .unwrap_or(line);
    if line.len() != 5 || !line[..4].eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let delimiter = line[4];
    let usable = delimiter.is_ascii_punctuation() || delimiter == b'\t' || delimiter == b' ';
    (usable && delimiter != b'"').then(|| (delimiter, (end + 1).min(prefix.len())))
}

/// The delimiter the header line uses most, outside quotes: `,`, `;` or tab (a comma
/// when none appears).
fn sniff_delimiter(prefix: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in prefix {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == byte) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    // The first of the most used; a comma on a tie or when there is none.
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(bytes: &[u8]) -> (String, TextLayout) {
        let (mut reader, layout, _) = text(bytes).expect("text");
        let mut out = String::new();
        reader.read_to_string(&mut out).expect("utf-8");
        (out, layout)
    }

    #[test]
    fn plain_csv_passes_through_with_a_comma() {
        let (out, layout) = read_text(b"a,b;c\n1,2\n");
        assert_eq!(out, "a,b;c\n1,2\n");
        assert_eq!(layout.delimiter, b',');
        assert_eq!(layout.lines_before_header, 0);
        assert!(layout.notes().is_empty());
    }

    #[test]
    fn semicolons_and_tabs_are_recognised_from_the_header() {
        assert_eq!(read_text(b"a;b;c\n1,5;2;3\n").1.delimiter, b';');
        assert_eq!(read_text(b"a\tb\tc\n").1.delimiter, b'\t');
        // Delimiters inside quotes do not count.
        assert_eq!(read_text(b"\"a;b;c;d\",e,f\n").1.delimiter, b',');
        assert_eq!(read_text(b"").1.delimiter, b',');
    }

    #[test]
    fn an_excel_sep_line_sets_the_delimiter_and_is_skipped() {
        let (out, layout) = read_text(b"sep=;\r\na;b\r\n1;2\r\n");
        assert_eq!(out, "a;b\n1;2\n");
        assert_eq!((layout.delimiter, layout.lines_before_header), (b';', 1));
        let (out, layout) = read_text(b"\xef\xbb\xbf\"SEP=,\"\na,b\n");
        assert_eq!((out.as_str(), layout.delimiter), ("a,b\n", b','));
        assert_eq!(layout.notes(), vec!["Excel 'sep=' line".to_string()]);
        // Not a sep line: a header that starts with "sep".
        assert_eq!(read_text(b"sepal,width\n").1.lines_before_header, 0);
    }

    #[test]
    fn a_binary_file_is_refused_as_not_text() {
        let error = text(&b"\x7fELF\x02\x01\x01\0\0\0name,artist\n"[..])
            .err()
            .expect("refused");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("not CSV text"), "{error}");
        // UTF-16 without its byte-order mark has a NUL in every ASCII character.
        assert!(looks_binary(b"\x89PNG\n\x1a\n\0\0\0\rIHDR\0\0\x01"));
        // A stray NUL in a row is that row's problem.
        let mut csv = b"name,artist\n".to_vec();
        for i in 0..200 {
            csv.extend_from_slice(format!("Song {i},Artist {i}\n").as_bytes());
        }
        csv.extend_from_slice(b"Bad\0,Row\n");
        assert!(!looks_binary(&csv));
        assert!(text(&csv[..]).is_ok());
        let bare16: Vec<u8> = "name,artist\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(text(&bare16[..]).is_err());
    }

    #[test]
    fn utf16_with_a_bom_becomes_utf8() {
        let text16: Vec<u8> = "\u{feff}name\tartist\nBeyoncé\tX\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let (out, layout) = read_text(&text16);
        assert_eq!(out, "name\tartist\nBeyoncé\tX\n");
        assert_eq!(layout.utf16, Some("UTF-16LE"));
        assert_eq!(layout.delimiter, b'\t');
        let be: Vec<u8> = "\u{feff}a,b\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(
            read_text(&be),
            (
                "a,b\n".to_string(),
                TextLayout {
                    delimiter: b',',
                    lines_before_header: 0,
                    utf16: Some("UTF-16BE"),
                    sep_line: false,
                }
            )
        );
    }

    #[test]
    fn line_ends_become_lf_across_reads() {
        let input = b"a\r\nb\rc\n\r\n\"d\r\ne\"\r";
        let expected = b"a\nb\nc\n\n\"d\ne\"\n".to_vec();
        let mut whole = Vec::new();
        LineEnds::new(input.as_slice(), Arc::default())
            .read_to_end(&mut whole)
            .expect("read");
        assert_eq!(whole, expected);
        // One byte at a time in and out: a CR at the end of one read meets its LF in the
        // next.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut reader = LineEnds::new(Trickle(input), Arc::default());
        let mut out = Vec::new();
        let mut byte = [0u8; 1];
        while reader.read(&mut byte).expect("read") == 1 {
            out.push(byte[0]);
        }
        assert_eq!(out, expected);
        let mut unterminated = Vec::new();
        let added = Arc::new(AtomicBool::new(false));
        LineEnds::new(b"a,b\r\nc".as_slice(), Arc::clone(&added))
            .read_to_end(&mut unterminated)
            .expect("read");
        assert_eq!(unterminated, b"a,b\nc\n");
        assert!(added.load(Ordering::Relaxed), "said");
        let ended = Arc::new(AtomicBool::new(false));
        LineEnds::new(b"a,b\r\nc\r\n".as_slice(), Arc::clone(&ended))
            .read_to_end(&mut Vec::new())
            .expect("read");
        assert!(!ended.load(Ordering::Relaxed));
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_while_it_is_read() {
        let mut long = b"title,artist\nx,".to_vec();
        long.extend(std::iter::repeat_n(b'A', MAX_LINE_BYTES + 10));
        long.extend_from_slice(b"\n");
        let (mut refused, ..) = text(Cursor::new(long)).expect("header");
        let mut sink = Vec::new();
        let error = refused.read_to_end(&mut sink).expect_err("refused");
        assert!(error.to_string().contains("longer than 16 MiB"), "{error}");
        assert!(sink.len() < 2 * MAX_LINE_BYTES);
        // Many ordinary lines add up to more than the limit without complaint.
        let row = "a,b\n".repeat(MAX_LINE_BYTES / 2);
        let (mut fine, ..) = text(Cursor::new(format!("title,artist\n{row}"))).expect("header");
        let mut sink = Vec::new();
        fine.read_to_end(&mut sink).expect("read");
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        assert_eq!(read_text(b"\xef\xbb\xbfa,b\n").0, "a,b\n");
        assert_eq!(read_text(b"ab").0, "ab\n", "the last line gets its LF");
    }

    #[test]
    fn zip_members_are_chosen_by_name() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(choose_member(&names(&["data/", "data/songs.csv"])), Ok(1));
        assert_eq!(
            choose_member(&names(&["songs.csv", "__MACOSX/._songs.csv", "README.md"])),
            Ok(0)
        );
        assert_eq!(choose_member(&names(&["songs"])), Ok(0));
        assert_eq!(choose_member(&names(&["README.txt", "songs.csv"])), Ok(1));
        assert_eq!(choose_member(&names(&["README.md", "songs.txt"])), Ok(1));
        let several = choose_member(&names(&["a.csv", "b.csv"])).unwrap_err();
        assert!(several.contains("2 CSV files (a.csv, b.csv)"), "{several}");
        let mixed = choose_member(&names(&["semi.csv", "tab.tsv"])).unwrap_err();
        assert!(
            mixed.contains("2 CSV or TSV files (semi.csv, tab.tsv)"),
            "{mixed}"
        );
        assert_eq!(choose_member(&names(&["README.txt", "tab.tsv"])), Ok(1));
        let excel = choose_member(&names(&["[Content_Types].xml", "xl/workbook.xml"]));
        assert!(excel.unwrap_err().contains("Excel workbook"));
        assert!(choose_member(&[]).unwrap_err().contains("holds no file"));
    }
}
