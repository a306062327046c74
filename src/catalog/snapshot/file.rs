//! The snapshot file: a copy of a catalog version's in-memory indexes beside the SQLite
//! catalog file (`bench.catalog.db-snapshot`, like SQLite's own `-wal` and `-shm`), so
//! that a restart reads them back instead of building them again. At 1.2 million tracks
//! building them takes about 1–1.7 s on two cores (decoding every row, sorting the
//! tracks into the tree, sorting and hashing the artists); reading them back is
//! copying arrays.
//!
//! The file is a cache and nothing else: it is used only when its header names the
//! catalog version the database holds now (a new time-based number on every import, see
//! `catalog_meta::refresh`) and was written by this very executable (its size
//! and modification time), so an upgrade or an import makes it stale, never wrong.
//! Anything unexpected in it (a short file, a bad checksum, an offset out of range)
//! means the catalog is read from the database as if the file were not there, and a
//! new file replaces it. It is written in the background after a load from the
//! database, to a temporary name then renamed, so a reader never sees half of one.
//! PostgreSQL deployments have no catalog file and do without.

use std::{
    fs::File,
    io::{self, BufReader, BufWriter, Read, Write},
    path::{Path, PathBuf},
    sync::Arc,
    time::UNIX_EPOCH,
};

use super::{CatalogSnapshot, SnapshotOrigin};
use crate::{
    binary::{BinaryReader, BinaryWriter},
    catalog::{artists::ArtistIndex, feature::AudioFeatures},
    db::{catalog_meta::CatalogMeta, DbFiles},
    matching::FeatureIndex,
};

/// Changes whenever what is written changes shape (the executable check covers builds,
/// this covers reading a file from another build of the same size and time).
const MAGIC: [u8; 8] = *b"SIH-IDX1";

/// Where a database's snapshot file is: beside the catalog file (the main file when the
/// catalog is not a file of its own).
pub(super) fn path_for(files: &DbFiles) -> PathBuf {
    let base = files.catalog.as_deref().unwrap_or(&files.main);
    let mut name = base.as_os_str().to_owned();
    name.push("-snapshot");
    PathBuf::from(name)
}

/// What a file must match to be used: the catalog version and the executable.
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
    fn expected(meta: &CatalogMeta) -> Option<Header> {
        let exe = std::env::current_exe().ok()?;
        let metadata = std::fs::metadata(exe).ok()?;
        let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Header {
            magic: MAGIC,
            executable_len: metadata.len(),
            executable_modified_ns: u64::try_from(modified.as_nanos()).ok()?,
            catalog_version: meta.version,
            updated_at: meta.updated_at,
            tracks: meta.track_count,
            artists: meta.artist_count,
        })
    }

    fn write_to<W: Write>(&self, w: &mut BinaryWriter<W>) -> io::Result<()> {
        w.value(self.magic)?;
        w.value(self.executable_len)?;
        w.value(self.executable_modified_ns)?;
        w.value(self.catalog_version)?;
        w.value(self.updated_at)?;
        w.value(self.tracks)?;
        w.value(self.artists)
    }

    fn read_from<R: Read>(r: &mut BinaryReader<R>) -> io::Result<Header> {
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
pub(super) enum Unused {
    /// No file, or one for another version or build: the normal case after an import
    /// or an upgrade.
    Stale,
    /// A file that should have been usable but was not: worth a warning.
    Broken(io::Error),
}

/// The snapshot of `meta`'s version from the file at `path`.
pub(super) fn read(path: &Path, meta: &CatalogMeta) -> Result<CatalogSnapshot, Unused> {
    let expected = Header::expected(meta).ok_or(Unused::Stale)?;
    let file = File::open(path).map_err(|_| Unused::Stale)?;
    let len = file.metadata().map_err(Unused::Broken)?.len();
    let mut r = BinaryReader::new(BufReader::with_capacity(1 << 20, file), len);
    let header = Header::read_from(&mut r).map_err(|_| Unused::Stale)?;
    if header != expected {
        return Err(Unused::Stale);
    }
    let body = || -> io::Result<CatalogSnapshot> {
        let average = AudioFeatures::from_array(r.value()?);
        let features = FeatureIndex::read_from(&mut r)?;
        let artists = ArtistIndex::read_from(&mut r)?;
        r.finish()?;
        Ok(CatalogSnapshot {
            meta: meta.clone(),
            average,
            features: Arc::new(features),
            artists: Arc::new(artists),
            origin: SnapshotOrigin::File,
        })
    };
    body().map_err(Unused::Broken)
}

/// Writes `snapshot` to `path` on a thread of its own (the server is already answering
/// by then); failures are logged, never fatal: the file only saves time.
pub(super) fn write_in_background(path: PathBuf, snapshot: &CatalogSnapshot) {
    let Some(header) = Header::expected(&snapshot.meta) else {
        return;
    };
    let snapshot = snapshot.clone();
    let spawned = std::thread::Builder::new()
        .name("snapshot-file".into())
        .spawn(move || match write(&path, header, &snapshot) {
            Ok(bytes) => tracing::info!(path = %path.display(), bytes, "snapshot file written"),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not write the snapshot file")
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start writing the snapshot file");
    }
}

fn write(path: &Path, header: Header, snapshot: &CatalogSnapshot) -> io::Result<u64> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = (|| {
        let file = File::create(&temporary)?;
        let mut w = BinaryWriter::new(BufWriter::with_capacity(1 << 20, file));
        header.write_to(&mut w)?;
        w.value(snapshot.average.to_array())?;
        snapshot.features.write_to(&mut w)?;
        snapshot.artists.write_to(&mut w)?;
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
