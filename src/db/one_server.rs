//! One server per SQLite database. Two servers over one file each keep their own
//! caches and sessions cache, their own log-in throttle and their own rate limits: a
//! log-out on one was still honoured on the other for seconds, and guesses spread over
//! both counted twice as many. PostgreSQL is the database for several servers, and it
//! has what that takes (`db::sessions` listens for changes; the throttle counts there).
//!
//! The lock is an `flock` on a file of its own beside the database, never on the
//! SQLite files: SQLite's own locks are POSIX locks, which any descriptor of theirs
//! closed in this process would drop (`catalog_writer::early_sync`), while an `flock`
//! belongs to its one descriptor and ends with the process however it ends.

use std::{
    fs::File,
    path::{Path, PathBuf},
};

/// The lock file beside the main database file `main`.
pub fn lock_path(main: &Path) -> PathBuf {
    let mut name = main.as_os_str().to_owned();
    name.push(".serving");
    PathBuf::from(name)
}

/// Takes the serving lock of the SQLite database at `main`, for as long as the returned
/// file is kept; an error naming the database when another server holds it.
pub fn take(main: &Path) -> anyhow::Result<File> {
    let path = lock_path(main);
    // Made as the database's own directory would be (`db::open`).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("cannot open the lock file {}: {e}", path.display()))?;
    if try_lock(&file).map_err(|e| anyhow::anyhow!("cannot lock {}: {e}", path.display()))? {
        Ok(file)
    } else {
        anyhow::bail!(
            "another server is already serving {} (it holds {}): several servers over one \
             database need PostgreSQL; stop the other server first",
            main.display(),
            path.display()
        )
    }
}

/// `flock(LOCK_EX | LOCK_NB)`: whether the lock was taken (`false`: another holds it).
#[cfg(unix)]
#[allow(unsafe_code)]
fn try_lock(file: &File) -> anyhow::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock reads no memory of ours; the descriptor is open for the call.
    let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if taken {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(error.into())
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> anyhow::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_server_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("dir");
        let main = dir.path().join("hub.db");
        let first = take(&main).expect("the first server");
        let refused = take(&main).expect_err("a second server");
        let said = refused.to_string();
        assert!(said.contains("another server is already serving"), "{said}");
        assert!(said.contains("need PostgreSQL"), "{said}");
        drop(first);
        take(&main).expect("free again once the first has stopped");
    }
}
