//! What to tell an operator whose SQLite files stopped a command: SQLite's own words
//! ("database disk image is malformed", "attempt to write a readonly database",
//! "database is locked") name no file and no cause, and a database is two files here
//! (`catalog_file`). Called only once a command has failed, so the check it may run
//! (`PRAGMA quick_check` on each file) costs nothing on a good start.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use diesel::{sql_types::Text, Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::catalog_file::catalog_path;

/// A sentence to add to `error` (a failed command's message, as printed) about the
/// database whose main file is `main`, when SQLite's words call for one.
pub fn advice(error: &str, main: &Path) -> Option<String> {
    advice_with(error, main, |dir| {
        temp_directory(|name| std::env::var_os(name))
            .filter(|temp| !same_file_system(dir, &temp.path))
    })
}

/// `advice`, given SQLite's temporary directory when it is on another disk than the
/// database's directory (`temp_elsewhere`, asked only about a full disk).
fn advice_with(
    error: &str,
    main: &Path,
    temp_elsewhere: impl FnOnce(&Path) -> Option<TempDirectory>,
) -> Option<String> {
    let catalog = catalog_path(main);
    if error.contains("malformed") || error.contains("file is not a database") {
        let main_damaged = main.exists() && !passes_quick_check(main);
        let catalog_damaged = catalog.exists() && !passes_quick_check(&catalog);
        // Each file's remedy is its own: the main file holds the accounts, the catalog
        // file only what an import can write again.
        let restore_main = format!(
            "{} (the accounts, sessions and taste profiles) must be restored from a backup",
            main.display()
        );
        let replace_catalog = format!(
            "{} (the catalog) can be moved away and the dataset imported again, or restored \
             from a backup",
            catalog.display()
        );
        return Some(match (main_damaged, catalog_damaged) {
            (false, false) => "SQLite found damage that its quick check of each file does not \
                               show; check both files with `sqlite3 FILE 'PRAGMA integrity_check'`"
                .to_string(),
            (true, false) => format!(
                "damaged: {} (SQLite's quick check): {restore_main}; the catalog file is sound",
                main.display()
            ),
            (false, true) => format!(
                "damaged: {} (SQLite's quick check): {replace_catalog}; the main file is sound",
                catalog.display()
            ),
            (true, true) => format!(
                "damaged: {} and {} (SQLite's quick check): {restore_main}, and {replace_catalog}",
                main.display(),
                catalog.display()
            ),
        });
    }
    if error.contains("disk is full") || error.contains("disk I/O error") {
        let dir = directory_of(main);
        let mut said = match free_bytes(&dir) {
            Some(free) if free < LOW_SPACE_BYTES => format!(
                "the disk that holds {} is full ({} KiB free): free some space there, then \
                 start again",
                dir.display(),
                free / 1024
            ),
            _ => format!(
                "SQLite could not write or read a file in {}: check that disk's free space, \
                 and the system's log for disk errors",
                dir.display()
            ),
        };
        // SQLite's temporary files fill a disk too (an import into an empty catalog
        // sorts its index keys through them): when they are on another one, a full
        // temporary directory had been blamed on the database's disk alone.
        if error.contains("disk is full") {
            if let Some(temp) = temp_elsewhere(&dir) {
                said.push_str(&temp.note());
            }
        }
        return Some(said);
    }
    if error.contains("unable to open database file") {
        let dir = directory_of(main);
        return Some(format!(
            "cannot open or create the database's files in {}: the directory must exist and \
             this user must be able to write in it (SQLite writes its -wal and -shm files \
             beside the database)",
            dir.display()
        ));
    }
    if error.contains("readonly database") {
        let dir = directory_of(main);
        return Some(format!(
            "this user cannot write there: the directory {} and the database's files in it \
             must be writable, as SQLite writes its -wal and -shm files beside them",
            dir.display()
        ));
    }
    if error.contains("database is locked") {
        return Some(format!(
            "another process holds {} or {} (an import still running, a backup, or a second \
             server: several servers need PostgreSQL)",
            main.display(),
            catalog.display()
        ));
    }
    None
}

/// Below this much free space a write can fail for want of room: SQLite grows a file
/// by pages, and its journal or WAL by as much as it writes.
const LOW_SPACE_BYTES: u64 = 4 << 20;

/// The bytes free for this user on the file system that holds `dir`.
#[cfg(unix)]
#[allow(unsafe_code)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is a plain struct of numbers, for which all zeroes is valid.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string that outlives the call, and `stats` is
    // the struct the call fills in.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    // Each as wide as the platform makes it (u64 on 64-bit Linux, narrower elsewhere).
    #[allow(clippy::useless_conversion)]
    let (blocks, size) = (u64::from(stats.f_bavail), u64::from(stats.f_frsize));
    Some(blocks.saturating_mul(size))
}

#[cfg(not(unix))]
fn free_bytes(_: &Path) -> Option<u64> {
    None
}

/// The directory SQLite writes its temporary files in, and what chose it.
#[derive(Debug, PartialEq, Eq)]
struct TempDirectory {
    path: PathBuf,
    /// The environment variable that named it, or `None` for one of SQLite's defaults.
    named_by: Option<&'static str>,
}

impl TempDirectory {
    /// What to add to the advice about a full disk.
    fn note(&self) -> String {
        let named_by = match self.named_by {
            Some(variable) => format!("from {variable}"),
            None => "SQLite's default; SQLITE_TMPDIR or TMPDIR chooses another".to_string(),
        };
        let free = free_bytes(&self.path)
            .map(|free| {
                format!(
                    " with {} KiB free",
                    crate::decimal::format_count(free / 1024)
                )
            })
            .unwrap_or_default();
        format!(
            "; or SQLite's temporary directory is full: {} ({named_by}), on another disk{free}. \
             An import into an empty catalog sorts its index keys through temporary files \
             there (about 40 MB at 1.2 million tracks): set SQLITE_TMPDIR to a directory \
             with room",
            self.path.display()
        )
    }
}

/// The directory SQLite puts its temporary files in on Unix, chosen as it chooses
/// (`unixTempFileDir`): the first of SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp, /tmp
/// and "." that is a directory this user may write in and search.
#[cfg(unix)]
fn temp_directory(env: impl Fn(&str) -> Option<OsString>) -> Option<TempDirectory> {
    const VARIABLES: [&str; 2] = ["SQLITE_TMPDIR", "TMPDIR"];
    const DEFAULTS: [&str; 4] = ["/var/tmp", "/usr/tmp", "/tmp", "."];
    let named = VARIABLES
        .into_iter()
        .filter_map(|variable| env(variable).map(|dir| (PathBuf::from(dir), Some(variable))));
    let defaults = DEFAULTS.into_iter().map(|dir| (PathBuf::from(dir), None));
    named
        .chain(defaults)
        .find(|(dir, _)| dir.is_dir() && may_write_in(dir))
        .map(|(path, named_by)| TempDirectory { path, named_by })
}

#[cfg(not(unix))]
fn temp_directory(_: impl Fn(&str) -> Option<OsString>) -> Option<TempDirectory> {
    None
}

/// Whether this user may create files in `dir` (SQLite's `access(dir, W_OK|X_OK)`).
#[cfg(unix)]
#[allow(unsafe_code)]
fn may_write_in(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `path` is a NUL-terminated string that outlives the call, which only
    // reads it.
    unsafe { libc::access(path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// Whether two directories are on one file system (so one disk's space); yes when
/// that cannot be told.
#[cfg(unix)]
fn same_file_system(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => true,
    }
}

#[cfg(not(unix))]
fn same_file_system(_: &Path, _: &Path) -> bool {
    true
}

/// The directory that holds `file` ("." for a bare file name).
fn directory_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Whether SQLite's `quick_check` finds the file sound (a file it cannot open or read
/// is not).
fn passes_quick_check(file: &Path) -> bool {
    let Some(path) = file.to_str() else {
        return false;
    };
    let Ok(mut conn) = SqliteConnection::establish(path) else {
        return false;
    };
    quick_check(&mut conn).unwrap_or(false)
}

/// Whether SQLite's `quick_check` finds the connection's main file sound.
pub(crate) fn quick_check(conn: &mut SqliteConnection) -> diesel::QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        quick_check: String,
    }
    diesel::sql_query("PRAGMA main.quick_check(1)")
        .load::<Line>(conn)
        .map(|lines| lines.iter().all(|l| l.quick_check == "ok"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_named_and_sound_ones_are_not() {
        let dir = tempfile::tempdir().expect("dir");
        let main = dir.path().join("hub.db");
        {
            let mut conn =
                SqliteConnection::establish(main.to_str().expect("utf-8")).expect("create");
            diesel::sql_query("CREATE TABLE t (x TEXT)")
                .execute(&mut conn)
                .expect("table");
            for _ in 0..200 {
                diesel::sql_query("INSERT INTO t VALUES (hex(randomblob(200)))")
                    .execute(&mut conn)
                    .expect("row");
            }
        }
        std::fs::copy(&main, catalog_path(&main)).expect("catalog copy");
        std::fs::copy(&main, dir.path().join("sound.db")).expect("a sound copy");
        assert!(passes_quick_check(&main));
        // Garbage over the catalog's table pages, past its header.
        let mut bytes = std::fs::read(catalog_path(&main)).expect("read");
        for b in bytes.iter_mut().skip(4096).take(8192) {
            *b = 0xde;
        }
        std::fs::write(catalog_path(&main), bytes).expect("write");
        let said = advice("database disk image is malformed", &main).expect("advice");
        assert!(
            said.starts_with(&format!("damaged: {} (", catalog_path(&main).display())),
            "{said}"
        );
        assert!(
            said.contains("can be moved away and the dataset imported again"),
            "{said}"
        );
        assert!(said.ends_with("the main file is sound"), "{said}");
        assert!(!said.contains("must be restored"), "{said}");
        // The main file damaged instead: its remedy is a backup, never an import.
        std::fs::copy(catalog_path(&main), &main).expect("damage the main file");
        std::fs::copy(dir.path().join("sound.db"), catalog_path(&main)).expect("sound catalog");
        let said = advice("database disk image is malformed", &main).expect("advice");
        assert!(
            said.starts_with(&format!("damaged: {} (", main.display())),
            "{said}"
        );
        assert!(
            said.contains("must be restored from a backup; the catalog file is sound"),
            "{said}"
        );
        assert!(!said.contains("imported again"), "{said}");
        // Room to spare here: a disk error is not called a full disk.
        let io = advice("disk I/O error", &main).expect("advice");
        assert!(io.contains("check that disk's free space"), "{io}");
        assert!(free_bytes(dir.path()).is_some_and(|free| free > 0));
        assert!(advice("unable to open database file", &main)
            .is_some_and(|s| s.contains(&dir.path().display().to_string())));

        let readonly = advice("attempt to write a readonly database", &main).expect("advice");
        assert!(
            readonly.contains(&dir.path().display().to_string()),
            "{readonly}"
        );
        assert!(advice("database is locked", &main)
            .is_some_and(|s| s.contains("several servers need PostgreSQL")));
        assert_eq!(advice("no such table: users", &main), None);
    }

    #[cfg(unix)]
    #[test]
    fn sqlites_temporary_directory_is_found_as_sqlite_finds_it() {
        let temp = tempfile::tempdir().expect("dir");
        let missing = temp.path().join("missing");
        let env = |sqlite: Option<&Path>, tmp: Option<&Path>| {
            let (sqlite, tmp) = (sqlite.map(Path::to_path_buf), tmp.map(Path::to_path_buf));
            move |name: &str| match name {
                "SQLITE_TMPDIR" => sqlite.clone().map(PathBuf::into_os_string),
                "TMPDIR" => tmp.clone().map(PathBuf::into_os_string),
                _ => None,
            }
        };
        let named = |path: &Path, variable| TempDirectory {
            path: path.to_path_buf(),
            named_by: Some(variable),
        };
        assert_eq!(
            temp_directory(env(Some(temp.path()), Some(&missing))),
            Some(named(temp.path(), "SQLITE_TMPDIR"))
        );
        // A variable naming no directory is passed over, as SQLite passes it over.
        assert_eq!(
            temp_directory(env(Some(&missing), Some(temp.path()))),
            Some(named(temp.path(), "TMPDIR"))
        );
        let default = temp_directory(env(None, None)).expect("a default directory");
        assert_eq!(default.named_by, None);
        assert!(
            ["/var/tmp", "/usr/tmp", "/tmp", "."].contains(&default.path.to_str().unwrap_or("")),
            "{default:?}"
        );
        assert!(same_file_system(temp.path(), temp.path()));
    }

    /// A full temporary directory on another disk had been blamed on the database's
    /// disk alone ("check that disk's free space"), which had gigabytes free.
    #[test]
    fn a_full_disk_names_sqlites_temporary_directory_when_it_is_on_another_disk() {
        let dir = tempfile::tempdir().expect("dir");
        let main = dir.path().join("hub.db");
        let temp = tempfile::tempdir().expect("dir");
        let elsewhere = |_: &Path| {
            Some(TempDirectory {
                path: temp.path().to_path_buf(),
                named_by: Some("SQLITE_TMPDIR"),
            })
        };
        let full = "database error: database or disk is full (nothing was imported)";
        let said = advice_with(full, &main, elsewhere).expect("advice");
        assert!(
            said.starts_with(&format!(
                "SQLite could not write or read a file in {}",
                dir.path().display()
            )),
            "{said}"
        );
        assert!(
            said.contains(&format!(
                "; or SQLite's temporary directory is full: {} (from SQLITE_TMPDIR), on \
                 another disk with ",
                temp.path().display()
            )),
            "{said}"
        );
        assert!(
            said.contains(" KiB free. An import into an empty catalog"),
            "{said}"
        );
        assert!(
            said.ends_with("set SQLITE_TMPDIR to a directory with room"),
            "{said}"
        );
        // On the database's own disk, or for a disk error: the database's disk alone.
        let said = advice_with(full, &main, |_| None).expect("advice");
        assert!(!said.contains("temporary"), "{said}");
        let said = advice_with("disk I/O error", &main, elsewhere).expect("advice");
        assert!(!said.contains("temporary"), "{said}");
        let default = TempDirectory {
            path: PathBuf::from("/var/tmp"),
            named_by: None,
        };
        assert!(
            default
                .note()
                .contains("/var/tmp (SQLite's default; SQLITE_TMPDIR or TMPDIR chooses another)"),
            "{}",
            default.note()
        );
    }
}
