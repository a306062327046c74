//! A SQLite file is checked before it is opened: its folder made, a new file created
//! readable by its owner only, and anything that is not a SQLite database (or is a
//! folder) refused by name before SQLite writes beside it.

/// Creates the file's directory if needed; the path as SQLite takes it.
pub(super) fn prepare_path(path: &std::path::Path) -> anyhow::Result<&str> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot create the directory {}: {e}", dir.display())
            })?;
        }
    }
    path.to_str()
        .ok_or_else(|| anyhow::anyhow!("database path {} is not valid UTF-8", path.display()))
}

/// The main database file (accounts, password hashes, sessions, tokens) is made
/// readable by its owner only, as `secret.key` is; SQLite gives its `-wal` and `-shm`
/// files the same mode. Files were made 0644 under the usual umask, and other local
/// users could read them. An existing file keeps the mode its owner chose, with a
/// warning when others can read it. (The catalog file holds only the dataset.)
pub(super) fn private_file(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                tracing::warn!(
                    database = %path.display(),
                    mode = format!("{:o}", meta.permissions().mode() & 0o777),
                    "other users can read the database file, which holds password hashes: chmod 600 it"
                );
            }
            Ok(_) => {}
            Err(_) => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    // Made between the check and here by another process: kept whole.
                    .truncate(false)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A file the app would open as a SQLite database, if it exists: it must be a file,
/// and one that starts like a SQLite database (an empty file is a new database).
pub(super) fn check_sqlite_file(path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Read;
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_dir() {
        anyhow::bail!(
            "{} is a directory, not a database file: give the path of a file",
            path.display()
        );
    }
    let mut head = Vec::with_capacity(MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if !head.is_empty() && head.as_slice() != MAGIC.as_slice() {
        anyhow::bail!(
            "{} is not a SQLite database (it does not start like one): give another path, \
             or move that file away",
            path.display()
        );
    }
    Ok(())
}

/// Whether `path` is an existing main database of this app (it has the accounts
/// table), read without writing anything: for a command that works on accounts
/// (`reset-password`), which must not create, migrate or write beside a file that is
/// not one. An empty file, the catalog file (`*.catalog.db`) or another SQLite database
/// had been migrated as a new main file, and the catalog file given by mistake had
/// been warned of as "changed by a newer release".
pub fn is_main_database(path: &std::path::Path) -> anyhow::Result<bool> {
    use diesel::{sql_types::BigInt, Connection, QueryableByName, RunQueryDsl, SqliteConnection};
    if !path.is_file() {
        return Ok(false);
    }
    check_sqlite_file(path)?;
    let shown = path.display();
    let url = format!(
        "file:{}?mode=ro",
        path.to_str()
            .ok_or_else(|| anyhow::anyhow!("database path {shown} is not valid UTF-8"))?
    );
    let mut conn = SqliteConnection::establish(&url)
        .map_err(|e| anyhow::anyhow!("cannot open {shown}: {e}"))?;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found: Found = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'",
    )
    .get_result(&mut conn)
    .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
    Ok(found.n > 0)
}

/// An exclusive lock on the database's directory (dropped with the value): see
/// `db::opening`, and the import's journal choice. The directory, not a file: closing
/// any descriptor of a database file drops the process's SQLite locks on it (POSIX
/// record locks), and a lock file would stay beside the database. `None` where the
/// directory cannot be opened or locked, and off Unix (then opened without it, as
/// before).
pub(crate) fn lock_directory(path: &std::path::Path) -> Option<std::fs::File> {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let file = std::fs::File::open(dir).ok()?;
    lock_exclusively(&file).then_some(file)
}

/// `flock(LOCK_EX)`, waiting for it (std's `File::lock` needs Rust 1.89, past this
/// crate's 1.85). The lock goes with the descriptor, when the file is dropped.
#[cfg(unix)]
pub(super) fn lock_exclusively(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    loop {
        // SAFETY: the descriptor is open, owned by `file`, for the whole call.
        #[allow(unsafe_code)]
        let done = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if done == 0 {
            return true;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return false;
        }
    }
}

#[cfg(not(unix))]
pub(super) fn lock_exclusively(_file: &std::fs::File) -> bool {
    false
}
