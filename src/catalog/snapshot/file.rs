//! Cache files beside the SQLite catalog file, named like SQLite's own `-wal` and
//! `-shm` (or in `--cache-dir`, see `CacheFiles`): `bench.catalog.db-snapshot` holds a
//! catalog version's in-memory indexes, so that a restart reads them back instead of
//! building them again (at 1.2 million tracks building them takes about 1.5–1.9 s on two
//! cores: decoding every row, sorting the tracks into the tree, sorting and hashing the
//! artists; reading them back is copying arrays); `-facts` the per-track facts
//! (`catalog::facts`) that the first perfect-song answer needs; `-genres` the genre
//! profiles the first home page needs.
//!
//! Each file is a cache and nothing else: it is used only when its header names the
//! catalog version the database holds now (a new time-based number on every import, see
//! `catalog_meta::refresh`) and was written by this very executable (its size
//! and modification time), so an upgrade or an import makes it stale, never wrong.
//! Anything unexpected in it (a short file, a bad checksum, an offset out of range)
//! means the catalog is read from the database as if the file were not there, and a
//! new file replaces it. It is written in the background after a load from the
//! database, to a temporary name then renamed, so a reader never sees half of one.
//! What is in a file is the caller's (`CacheFile`): this module checks the header, the
//! length and the checksum. PostgreSQL has no catalog file: its servers get the files
//! only with `--cache-dir`.

use std::{
    fs::File,
    io::{self, BufReader, BufWriter},
    path::{Path, PathBuf},
    time::UNIX_EPOCH,
};

use sha2::{Digest, Sha256};

use crate::{
    binary::{BinaryReader, BinaryWriter},
    config::{Config, Database},
    db::{catalog_file::catalog_path, catalog_meta::CatalogMeta, DbConnection, DbFiles},
};

/// The reader and writer a file's contents go through.
pub(crate) type FileReader = BinaryReader<BufReader<File>>;
pub(crate) type FileWriter = BinaryWriter<BufWriter<File>>;

/// One kind of cache file: its name's suffix, the magic its header starts with (changed
/// whenever what follows changes shape), and what it holds, for the log.
pub(crate) struct CacheFile {
    pub suffix: &'static str,
    pub magic: [u8; 8],
    pub holds: &'static str,
}

/// Where a server's cache files go (`--cache-dir`).
#[derive(Debug, Clone, Default)]
pub enum CacheFiles {
    /// Beside the SQLite catalog file the connection has open; none for an in-memory
    /// database or PostgreSQL.
    #[default]
    BesideCatalog,
    /// In a directory of the operator's choice: this path, plus each file's suffix.
    At(PathBuf),
    /// None: every start builds (what the start-up benchmark measures).
    Off,
}

impl CacheFiles {
    pub fn for_config(config: &Config) -> CacheFiles {
        match &config.cache_dir {
            None => CacheFiles::BesideCatalog,
            Some(dir) => CacheFiles::At(dir.join(name_in_cache_dir(&config.database))),
        }
    }

    /// Where the file `kind` is for the database `conn` is connected to, if anywhere.
    pub(crate) fn path(
        &self,
        conn: &mut DbConnection,
        kind: &CacheFile,
    ) -> diesel::QueryResult<Option<PathBuf>> {
        Ok(match self {
            CacheFiles::BesideCatalog => {
                crate::db::database_files(conn)?.map(|files| path_beside(&files, kind.suffix))
            }
            CacheFiles::At(base) => Some(with_suffix(base, kind.suffix)),
            CacheFiles::Off => None,
        })
    }
}

/// A name for one database's files in a shared cache directory: the catalog file's
/// name, or `postgres`, then a hash of the path or of the URL without its password, so
/// that several databases (or several schemas of one) never take each other's files.
/// Servers of one PostgreSQL database share theirs, which is right: they serve the
/// same catalog versions.
fn name_in_cache_dir(database: &Database) -> String {
    let (label, identity) = match database {
        Database::Sqlite(path) => {
            let catalog = catalog_path(&std::path::absolute(path).unwrap_or(path.clone()));
            let label = catalog.file_name().map_or_else(
                || "catalog".to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            (label, catalog.to_string_lossy().into_owned())
        }
        // `Display` hides the password.
        Database::Postgres(_) => ("postgres".to_string(), database.to_string()),
    };
    let digest = Sha256::digest(identity.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{label}-{hash}")
}

/// The file named `suffix` beside a database's catalog file (the main file when the
/// catalog is not a file of its own).
fn path_beside(files: &DbFiles, suffix: &str) -> PathBuf {
    with_suffix(files.catalog.as_deref().unwrap_or(&files.main), suffix)
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// This executable's size and modification time (nanoseconds since the epoch): what
/// tells one build from another without reading it. `None` when it cannot be found.
pub(crate) fn executable_identity() -> Option<(u64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let metadata = std::fs::metadata(exe).ok()?;
    let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((metadata.len(), u64::try_from(modified.as_nanos()).ok()?))
}

/// What a file must match to be used: what it holds, the catalog version and the
/// executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    magic: [u8; 8],
    executable_len: u64,
    executable_modified_ns: u64,
    catalog_version: i64,
    updated_at: i64,
    tracks: i64,
    artists: i64,
}

impl Header {
    /// `None` when this executable cannot be identified: then no file is read or written.
    fn expected(magic: [u8; 8], meta: &CatalogMeta) -> Option<Header> {
        let (executable_len, executable_modified_ns) = executable_identity()?;
        Some(Header {
            magic,
            executable_len,
            executable_modified_ns,
            catalog_version: meta.version,
            updated_at: meta.updated_at,
            tracks: meta.track_count,
            artists: meta.artist_count,
        })
    }

    fn write_to(&self, w: &mut FileWriter) -> io::Result<()> {
        w.value(self.magic)?;
        w.value(self.executable_len)?;
        w.value(self.executable_modified_ns)?;
        w.value(self.catalog_version)?;
        w.value(self.updated_at)?;
        w.value(self.tracks)?;
        w.value(self.artists)
    }

    fn read_from(r: &mut FileReader) -> io::Result<Header> {
        Ok(Header {
            magic: r.value()?,
            executable_len: r.value()?,
            executable_modified_ns: r.value()?,
            catalog_version: r.value()?,
            updated_at: r.value()?,
            tracks: r.value()?,
            artists: r.value()?,
        })
    }
}

/// Why a file was not used.
#[derive(Debug)]
enum Unused {
    /// No file (or no way to tell which build this is): the normal first start.
    Missing,
    /// A file for another catalog version or another build: the normal case after an
    /// import or an upgrade, said at `info` so that the rebuild's time is explained.
    Stale,
    /// A file that should have been usable but was not: worth a warning.
    Broken(io::Error),
}

/// Reads the file `kind` at `path` with `body` if it was written for `meta`'s catalog
/// version by this executable, and its checksum and `body`'s checks hold. `None`
/// otherwise: the caller builds instead. A file that should have been usable but was
/// not is logged as a warning.
pub(crate) fn read<T>(
    path: &Path,
    kind: &CacheFile,
    meta: &CatalogMeta,
    body: impl FnOnce(&mut FileReader) -> io::Result<T>,
) -> Option<T> {
    match read_checked(path, kind.magic, meta, body) {
        Ok(value) => Some(value),
        Err(Unused::Missing) => None,
        Err(Unused::Stale) => {
            tracing::info!(
                path = %path.display(),
                "the file of {} is for another catalog version or another build of the \
                 server; building them again",
                kind.holds
            );
            None
        }
        Err(Unused::Broken(error)) => {
            tracing::warn!(
                path = %path.display(),
                %error,
                "the file of {} is unusable; reading the catalog instead",
                kind.holds
            );
            None
        }
    }
}

fn read_checked<T>(
    path: &Path,
    magic: [u8; 8],
    meta: &CatalogMeta,
    body: impl FnOnce(&mut FileReader) -> io::Result<T>,
) -> Result<T, Unused> {
    let expected = Header::expected(magic, meta).ok_or(Unused::Missing)?;
    // Only a regular file (a link to one is followed): opening a FIFO left there waits
    // for a writer that never comes, and start-up hung with no line logged.
    match std::fs::metadata(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(Unused::Missing),
        Err(error) => return Err(Unused::Broken(error)),
        Ok(found) if !found.is_file() => {
            return Err(Unused::Broken(io::Error::other(
                "not a regular file (a directory, a pipe or a device)",
            )))
        }
        Ok(_) => {}
    }
    let file = File::open(path).map_err(Unused::Broken)?;
    let len = file.metadata().map_err(Unused::Broken)?.len();
    let mut r = BinaryReader::new(BufReader::with_capacity(1 << 20, file), len);
    let header = Header::read_from(&mut r).map_err(Unused::Broken)?;
    if header != expected {
        return Err(Unused::Stale);
    }
    let value = body(&mut r).map_err(Unused::Broken)?;
    r.finish().map_err(Unused::Broken)?;
    Ok(value)
}

/// Writes `body` as the file at `path` for `meta`'s catalog version, on a thread of its
/// own (the server is answering by then); failures are logged, never fatal: the file
/// only saves time.
pub(crate) fn write_in_background(
    path: PathBuf,
    kind: &CacheFile,
    meta: &CatalogMeta,
    body: impl FnOnce(&mut FileWriter) -> io::Result<()> + Send + 'static,
) {
    let Some(header) = Header::expected(kind.magic, meta) else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("cache-file".into())
        .spawn(move || match write(&path, header, body) {
            Ok(bytes) => tracing::info!(path = %path.display(), bytes, "cache file written"),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not write a cache file")
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start writing a cache file");
    }
}

fn write(
    path: &Path,
    header: Header,
    body: impl FnOnce(&mut FileWriter) -> io::Result<()>,
) -> io::Result<u64> {
    remove_abandoned_temporaries(path);
    let temporary = temporary_path(path, std::process::id());
    let written = (|| {
        let file = File::create(&temporary)?;
        let mut w = BinaryWriter::new(BufWriter::with_capacity(1 << 20, file));
        header.write_to(&mut w)?;
        body(&mut w)?;
        let file = w.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.metadata().map(|m| m.len())
    })();
    match written {
        Ok(bytes) => {
            std::fs::rename(&temporary, path)?;
            Ok(bytes)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// Where process `pid` writes the file before renaming it.
fn temporary_path(path: &Path, pid: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".tmp-{pid}"));
    PathBuf::from(name)
}

/// Temporary files of processes that are gone: a server stopped while writing leaves
/// one (the writer is a background thread, not waited for at shutdown). Only where
/// `/proc` says which processes are alive; elsewhere they stay.
fn remove_abandoned_temporaries(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return;
    };
    let prefix = format!("{}.tmp-", name.to_string_lossy());
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let Some(pid) = entry_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(version: i64) -> CatalogMeta {
        CatalogMeta {
            source_kind: crate::db::catalog_meta::SourceKind::Import,
            source_name: "x.csv".into(),
            updated_at: 1,
            version,
            track_count: 3,
            artist_count: 2,
            genre_count: 1,
            min_year: None,
            max_year: None,
        }
    }

    const KIND: CacheFile = CacheFile {
        suffix: "-test",
        magic: *b"SIHTEST1",
        holds: "the test values",
    };

    fn read_logged(path: &Path, meta: &CatalogMeta) -> (Option<u32>, String) {
        let mut value = None;
        let log = crate::test_log::logged_while(|| {
            value = read(path, &KIND, meta, |r| r.value::<u32>());
        });
        (value, log)
    }

    /// A first start says nothing; a file left by another catalog version is said at
    /// `info`, so that the time its rebuild takes is explained; a damaged one is warned
    /// about.
    #[test]
    fn a_stale_file_is_said_and_a_missing_one_is_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.catalog.db-test");
        let (value, log) = read_logged(&path, &meta(1));
        assert_eq!(value, None);
        assert_eq!(log, "");
        let Some(header) = Header::expected(KIND.magic, &meta(1)) else {
            return; // No executable to tell builds apart by: no file is ever used.
        };
        write(&path, header, |w| w.value(7u32)).expect("write");
        assert_eq!(read_logged(&path, &meta(1)).0, Some(7));
        let (value, log) = read_logged(&path, &meta(2));
        assert_eq!(value, None);
        assert!(
            log.contains(" INFO ") && log.contains("another catalog version"),
            "{log}"
        );
        std::fs::write(&path, b"short").expect("damage it");
        let (value, log) = read_logged(&path, &meta(1));
        assert_eq!(value, None);
        assert!(log.contains(" WARN ") && log.contains("unusable"), "{log}");
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.catalog.db-facts");
        // No process has pid u32::MAX - 1 (Linux caps pids far below it).
        let dead = temporary_path(&path, u32::MAX - 1);
        let live = temporary_path(&path, std::process::id());
        let other = dir.path().join("x.catalog.db-facts.tmp-notapid");
        for file in [&dead, &live, &other] {
            std::fs::write(file, b"partial").expect("write");
        }
        remove_abandoned_temporaries(&path);
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
        }
        assert!(live.exists() && other.exists());
    }
}
