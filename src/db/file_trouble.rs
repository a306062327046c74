//! What to tell an operator whose SQLite files stopped a command: SQLite's own words
//! ("database disk image is malformed", "attempt to write a readonly database",
//! "database is locked") name no file and no cause, and a database is two files here
//! (`catalog_file`). Called only once a command has failed, so the check it may run
//! (`PRAGMA quick_check` on each file) costs nothing on a good start.

use std::path::{Path, PathBuf};

use diesel::{sql_types::Text, Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::catalog_file::catalog_path;

/// A sentence to add to `error` (a failed command's message, as printed) about the
/// database whose main file is `main`, when SQLite's words call for one.
pub fn advice(error: &str, main: &Path) -> Option<String> {
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
        return Some(match free_bytes(&dir) {
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
        });
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
}
