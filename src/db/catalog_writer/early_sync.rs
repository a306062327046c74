//! Gets a bulk load's pages onto the disk while the writer still has work to do.
//!
//! A first load into an empty catalog writes the catalog file directly (`journal`: a
//! rollback journal), and its commit then waits for the disk to take every page the
//! load wrote that the system had not yet written back: at 1.2 million rows about 0.2 s
//! of a 6 s import, with the writer idle. Once the last rows are flushed, the pages of
//! the tracks and links are final, and what is left to do (index rebuilds, artists)
//! keeps the writing thread busy for a second or more. So a second thread asks the
//! system to write the file out (`fdatasync`) meanwhile, and the commit's own sync, the
//! one that makes the load durable, finds little left to write.
//!
//! Purely a matter of timing: a sync never changes what the file holds, and a failed
//! or slow one costs nothing but the overlap.

use std::{path::PathBuf, thread::JoinHandle};

/// A sync of the catalog file, running on its own thread.
pub(super) struct EarlySync(Option<JoinHandle<()>>);

impl EarlySync {
    /// Starts syncing the SQLite file that holds the catalog tables (the attached catalog
    /// file, or the main one on an import's connection). Nothing for PostgreSQL, or a
    /// database in memory.
    pub fn start(conn: &mut crate::db::DbConnection) -> EarlySync {
        let crate::db::DbConnection::Sqlite(c) = conn else {
            return EarlySync(None);
        };
        let file = crate::db::catalog_file::attached(c)
            .and_then(|attached| match attached {
                Some(path) => Ok(Some(path)),
                None => crate::db::catalog_file::file_of(c, "main"),
            })
            .ok()
            .flatten();
        EarlySync(file.and_then(spawn_sync))
    }

    /// Waits for the sync to end, so that no thread outlives the load.
    pub fn wait(mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

fn spawn_sync(path: PathBuf) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("catalog-sync".into())
        .spawn(move || match sqlite_descriptor(&path) {
            Some(fd) => {
                if let Err(error) = sync_data(fd) {
                    tracing::debug!(%error, path = %path.display(), "early sync of the catalog file");
                }
            }
            None => tracing::debug!(path = %path.display(), "early sync: no descriptor of SQLite's to sync"),
        })
        .ok()
}

/// The descriptor SQLite reads and writes `path` through in this process, found in
/// `/proc/self/fd` (Linux). The sync must go through it, never through a descriptor of
/// its own: closing ANY descriptor of a file drops every POSIX lock this process holds
/// on it, SQLite's included. Opened and closed here, one had dropped the import's lock
/// on the catalog file mid-transaction: a server starting beside it took the file,
/// turned it back to WAL and seeded the demo catalog into the load, which ended
/// "database disk image is malformed" with the file damaged. Elsewhere there is no
/// such list, and no early sync (the commit's own sync still makes the load durable).
fn sqlite_descriptor(path: &std::path::Path) -> Option<std::os::fd::RawFd> {
    let wanted = std::fs::canonicalize(path).ok()?;
    std::fs::read_dir("/proc/self/fd")
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let fd = entry.file_name().to_str()?.parse().ok()?;
            (std::fs::read_link(entry.path()).ok()? == wanted).then_some(fd)
        })
}

/// `fdatasync` on a descriptor this code does not own: it is never closed here.
#[allow(unsafe_code)]
fn sync_data(fd: std::os::fd::RawFd) -> std::io::Result<()> {
    // SAFETY: fdatasync reads no memory of ours; on a descriptor closed meanwhile it
    // fails with EBADF, and one reused for another file is only synced.
    if unsafe { libc::fdatasync(fd) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;

    #[test]
    fn syncs_the_file_of_a_catalog_connection_and_nothing_in_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let conn = SqliteConnection::establish(&path.display().to_string()).expect("open");
        let mut conn = crate::db::DbConnection::Sqlite(conn);
        let sync = EarlySync::start(&mut conn);
        assert!(sync.0.is_some(), "a file-backed catalog is synced");
        sync.wait();
        assert!(
            super::sqlite_descriptor(&path).is_some(),
            "the sync goes through SQLite's own descriptor"
        );

        let memory = SqliteConnection::establish(":memory:").expect("open");
        let sync = EarlySync::start(&mut crate::db::DbConnection::Sqlite(memory));
        assert!(sync.0.is_none(), "nothing to sync in memory");
        sync.wait();
    }
}
