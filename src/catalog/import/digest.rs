//! The digest of an import run: what decides what it writes. The catalog keeps the
//! digest of the import it holds (`catalog_meta.import_digest`), so running the same
//! import again finds there is nothing to do, in the time it takes to read the files
//! once, instead of rewriting every track and moving the catalog version (which makes
//! every server reload the catalog and drop its caches).
//!
//! The digest must describe the bytes the import read. Opening each path again to hash
//! it did not: a name moved to another file during an import (`mv new.csv songs.csv`, a
//! `latest.csv` link re-pointed by cron) made the catalog claim the other file's bytes,
//! and every later import of that file was skipped as "Nothing to import". So each file
//! is hashed through a second descriptor of the very file the import opened
//! ([`OpenedFile`]), and a file written in place after it was opened gives no digest.

use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
    time::SystemTime,
};

use sha2::{Digest, Sha256};

use super::{ImportError, ImportOptions};
use crate::catalog::snapshot::file::executable_identity;

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;

/// A file of the run as the digest reads it: another descriptor of the file the import
/// opened (not its name, which may meanwhile name another file), the offset the import
/// reads it from, and its stamp when it was opened.
#[derive(Debug)]
pub struct OpenedFile {
    path: PathBuf,
    file: File,
    start: u64,
    opened: Stamp,
}

/// What writing to a file changes: its size, its modification time, and on Unix its
/// status change time (which, unlike the first two, no tool can set back: `cp -p` over
/// a file of the same size restores its modification time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    changed: (i64, i64),
}

impl Stamp {
    fn of(file: &File) -> Option<Stamp> {
        let metadata = file.metadata().ok()?;
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            (metadata.ctime(), metadata.ctime_nsec())
        };
        #[cfg(not(unix))]
        let changed = (0, 0);
        Some(Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            changed,
        })
    }
}

impl OpenedFile {
    /// The file the import opened at `path` (`file`, whose reading has not begun), for
    /// hashing. `None` for a pipe or another stream: it can be read once, by the import
    /// (hashing `/dev/stdin` first had taken the rows from it). `None` off Unix too,
    /// where a file cannot be read at an offset without moving the import's place in
    /// it: a run there is never taken for a repeat.
    pub fn of(path: &Path, file: &File) -> Option<OpenedFile> {
        if !cfg!(unix) || !file.metadata().ok()?.is_file() {
            return None;
        }
        let opened = Stamp::of(file)?;
        // Where the import starts: 0 for a file it opened, the inherited offset for
        // standard input where opening /dev/stdin shares it (macOS, not Linux).
        let start = io::Seek::stream_position(&mut &*file).ok()?;
        Some(OpenedFile {
            path: path.to_path_buf(),
            file: file.try_clone().ok()?,
            start,
            opened,
        })
    }

    /// Whether the file is as it was when the import opened it.
    fn unchanged(&self) -> bool {
        Stamp::of(&self.file) == Some(self.opened)
    }

    /// Hashes the file's bytes from where the import starts reading, without moving the
    /// import's place in it; returns how many there were.
    fn hash_into(&self, hasher: &mut Sha256, buffer: &mut [u8]) -> io::Result<u64> {
        let mut at = self.start;
        loop {
            let read = match read_at(&self.file, buffer, at) {
                Ok(0) => return Ok(at - self.start),
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            hasher.update(&buffer[..read]);
            at += read as u64;
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, at)
}

/// Never called: `OpenedFile::of` makes none off Unix.
#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The first file of the run whose bytes were written since the import opened it
/// (its size or modification time moved). Not its status change time, unlike
/// `unchanged`: that moves too when the name is moved away or removed (`mv new.csv
/// songs.csv` over it), and the import still read the whole of the file it opened.
pub fn first_written(files: &[OpenedFile]) -> Option<&Path> {
    files
        .iter()
        .find(|f| {
            Stamp::of(&f.file)
                .is_none_or(|now| now.len != f.opened.len || now.modified != f.opened.modified)
        })
        .map(|f| f.path.as_path())
}

/// Whether every file of the run is as it was when the import opened it: a digest taken
/// before the import read them still describes what it read.
pub fn unchanged(files: &[OpenedFile]) -> bool {
    files.iter().all(OpenedFile::unchanged)
}

/// A SHA-256, in hex, of this build of the importer (a new build may read the same file
/// differently), the options, and every byte of each file in order (a later file's
/// rows replace an earlier one's), as the files were when the import opened them.
/// `None`, and the import is never taken for a repeat, when the executable cannot be
/// identified, or when a file was written since it was opened (the bytes hashed may not
/// be those the import read). The run's files are all regular files (`OpenedFile::of`).
pub fn of_run(files: &[OpenedFile], options: ImportOptions) -> Result<Option<String>, ImportError> {
    let Some((executable_len, executable_modified_ns)) = executable_identity() else {
        return Ok(None);
    };
    let mut hasher = Sha256::new();
    hasher.update(b"insights-hub import run 1\0");
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(executable_len.to_le_bytes());
    hasher.update(executable_modified_ns.to_le_bytes());
    hasher.update([u8::from(options.strict), u8::from(options.allow_bad_rows)]);
    hasher.update((files.len() as u64).to_le_bytes());
    let mut buffer = vec![0u8; CHUNK];
    for file in files {
        let length =
            file.hash_into(&mut hasher, &mut buffer)
                .map_err(|error| ImportError::Open {
                    path: file.path.clone(),
                    error,
                })?;
        // Each file's length after its bytes: two files cannot pass for one.
        hasher.update(length.to_le_bytes());
    }
    if !unchanged(files) {
        return Ok(None);
    }
    Ok(Some(format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    /// The files opened as the import opens them (which holds them open meanwhile).
    fn opened(paths: &[&PathBuf]) -> Vec<(File, OpenedFile)> {
        paths
            .iter()
            .map(|path| {
                let file = File::open(path).expect("open");
                let opened = OpenedFile::of(path, &file).expect("a regular file");
                (file, opened)
            })
            .collect()
    }

    fn digest(paths: &[&PathBuf], options: ImportOptions) -> Option<String> {
        let files: Vec<OpenedFile> = opened(paths).into_iter().map(|(_, f)| f).collect();
        of_run(&files, options).expect("read")
    }

    #[cfg(unix)]
    #[test]
    fn the_digest_follows_the_bytes_their_order_and_the_options() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = written(dir.path(), "a.csv", "name,artists\nx,y\n");
        let b = written(dir.path(), "b.csv", "name,artists\nz,w\n");
        let options = ImportOptions::default();
        let ab = digest(&[&a, &b], options);
        assert!(ab.is_some(), "a test binary can be identified");
        assert_eq!(ab, digest(&[&a, &b], options), "the same run");
        assert_ne!(ab, digest(&[&b, &a], options), "another order");
        assert_ne!(ab, digest(&[&a], options), "fewer files");
        let strict = ImportOptions {
            strict: true,
            ..options
        };
        assert_ne!(ab, digest(&[&a, &b], strict), "other options");
        // One file's bytes moved into the next is another run.
        let a2 = written(dir.path(), "a2.csv", "name,artists\nx,y\nname,artists\n");
        let b2 = written(dir.path(), "b2.csv", "z,w\n");
        assert_ne!(ab, digest(&[&a2, &b2], options));
        std::fs::write(&b, "name,artists\nz,v\n").expect("rewrite");
        assert_ne!(ab, digest(&[&a, &b], options), "one byte changed");
    }

    /// The file opened is the one hashed, whatever its name names by then; and a file
    /// written after it was opened gives no digest, since the import may have read
    /// other bytes than those hashed.
    #[cfg(unix)]
    #[test]
    fn the_file_opened_is_hashed_and_one_written_since_gives_no_digest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let songs = written(dir.path(), "songs.csv", "name,artists\nx,y\n");
        let other = written(dir.path(), "other.csv", "name,artists\nz,w\n");
        let options = ImportOptions::default();
        let of_songs = digest(&[&songs], options);
        let of_other = digest(&[&other], options);
        assert_ne!(of_songs, of_other);
        // A link re-pointed: the file opened is hashed.
        let latest = dir.path().join("latest.csv");
        std::os::unix::fs::symlink("songs.csv", &latest).expect("link");
        let files: Vec<OpenedFile> = opened(&[&latest]).into_iter().map(|(_, f)| f).collect();
        std::fs::remove_file(&latest).expect("unlink");
        std::os::unix::fs::symlink("other.csv", &latest).expect("link");
        assert_eq!(of_run(&files, options).expect("read"), of_songs);
        assert!(unchanged(&files));
        // Another file moved over the name: never the other file's digest. (The one
        // opened loses its last link, which changes its status time, so there is
        // usually none at all; within the clock's tick of its writing, its own.)
        let files: Vec<OpenedFile> = opened(&[&songs]).into_iter().map(|(_, f)| f).collect();
        std::fs::rename(&other, &songs).expect("mv other.csv songs.csv");
        let after = of_run(&files, options).expect("read");
        assert!(after.is_none() || after == of_songs, "{after:?}");

        // Appended to in place, and written over with the same size: both seen.
        let files: Vec<OpenedFile> = opened(&[&songs]).into_iter().map(|(_, f)| f).collect();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&songs)
            .and_then(|mut f| io::Write::write_all(&mut f, b"a,b\n"))
            .expect("append");
        assert!(!unchanged(&files));
        assert_eq!(of_run(&files, options).expect("read"), None);
        let files: Vec<OpenedFile> = opened(&[&songs]).into_iter().map(|(_, f)| f).collect();
        // Past the file system's clock tick, which the status change time counts in.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let length = std::fs::metadata(&songs).expect("stat").len() as usize;
        std::fs::write(&songs, "x".repeat(length)).expect("rewrite in place");
        assert_eq!(of_run(&files, options).expect("read"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_not_hashed_since_only_the_import_may_read_it() {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("rows.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // Opened without waiting for a writer, as nobody writes to it.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .expect("open the FIFO");
        assert!(OpenedFile::of(&fifo, &file).is_none());
    }
}
