//! The catalog lives in its own SQLite file beside the main one (`insights.db` ->
//! `insights.catalog.db`), so that an import, which holds its file's write lock for the
//! whole run (one transaction: all or nothing), never makes a user's write wait.
//!
//! - The server's connections ATTACH the catalog file under the schema name `catalog`.
//!   SQLite resolves an unqualified table name in `main` first, then in the attached
//!   files, so every query keeps naming `tracks`, `users`... unqualified.
//! - The importer opens the catalog file alone (`open_catalog_connection`): its
//!   `BEGIN IMMEDIATE` then locks that file only (with the main file attached it would
//!   lock both), and its pragmas and index rebuilds apply to the catalog file.
//! - The catalog has its own migration set (`migrations/sqlite_catalog/`).
//! - A database made before the split holds the catalog tables in its main file. They
//!   are copied into the catalog file and then dropped from the main file, in two
//!   transactions, one per file: if the process dies between them, the main file still
//!   holds them and the next start copies them again (the copy replaces whatever the
//!   catalog file holds), so nothing is lost and nothing is read twice.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use diesel::{connection::SimpleConnection, prelude::*, sql_types::Text, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

/// The schema name the catalog file is attached under.
pub const SCHEMA: &str = "catalog";

/// The catalog's own migrations, run on a connection to the catalog file alone.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite_catalog");

/// The catalog tables, parents before children (the order to copy them in).
pub const TABLES: [&str; 5] = [
    "catalog_meta",
    "catalog_imports",
    "tracks",
    "artists",
    "track_artists",
];

/// Gives back the disk space of the catalog file's write-ahead log. An import writes
/// the whole catalog through it, and with a server's connections open the importer is
/// not the last to close the file, so SQLite kept the log at the catalog's size (347 MB
/// at 1.2M tracks) until the server stopped. Called once the server has read a new
/// catalog, and by its watcher for an import that stopped (`LiveCatalog::spawn_watcher`);
/// a reader still in the log makes it give up after a second, and the next try comes
/// later. Does nothing on PostgreSQL.
pub fn truncate_log(conn: &mut crate::db::DbConnection) -> QueryResult<()> {
    let crate::db::DbConnection::Sqlite(conn) = conn else {
        return Ok(());
    };
    super::with_busy_timeout(conn, 1000, |conn| {
        conn.batch_execute(&format!("PRAGMA {SCHEMA}.wal_checkpoint(TRUNCATE);"))
    })
}

/// The catalog file beside a main database file: `data/insights.db` ->
/// `data/insights.catalog.db`; a name without an extension gets `.catalog`.
pub fn catalog_path(main: &Path) -> PathBuf {
    let mut name = OsString::new();
    match (main.file_stem(), main.extension()) {
        (Some(stem), Some(ext)) => {
            name.push(stem);
            name.push(".catalog.");
            name.push(ext);
        }
        (Some(stem), None) => {
            name.push(stem);
            name.push(".catalog");
        }
        _ => name.push("catalog.db"),
    }
    main.with_file_name(name)
}

/// The main file whose catalog file `path` is named as (`catalog_path` undone):
/// `data/insights.catalog.db` -> `data/insights.db`, `insights.catalog` -> `insights`.
/// `None` for a name no main file's catalog has.
pub fn main_path_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let main = match name.strip_suffix(".catalog") {
        Some(stem) => stem.to_string(),
        None => {
            let (stem, ext) = name.rsplit_once('.')?;
            format!("{}.{ext}", stem.strip_suffix(".catalog")?)
        }
    };
    let main = path.with_file_name(main);
    (catalog_path(&main) == path).then_some(main)
}

/// The catalog file's write-ahead log (`catalog_path` and `-wal`): what an import
/// writes through, and `truncate_log` gives back.
pub fn log_path(main: &Path) -> PathBuf {
    let mut log = catalog_path(main).into_os_string();
    log.push("-wal");
    PathBuf::from(log)
}

/// Waits while an import loading an empty catalog holds the catalog file's lock with a
/// rollback journal (`catalog_writer::journal`), saying so once, instead of failing when
/// the busy timeout runs out: what a server started during such an import does, since
/// it cannot read the catalog before the import commits. Anything else wrong with the
/// file is left to the opening that follows, which says what it is.
pub fn wait_while_a_load_holds(catalog: &Path) {
    let Some(url) = catalog.to_str() else {
        return;
    };
    if !catalog.is_file() {
        return;
    }
    let mut said = false;
    loop {
        let Ok(mut conn) = SqliteConnection::establish(url) else {
            return;
        };
        // What every connection of a server does first; setting WAL needs the lock.
        match super::apply_pragmas(&mut conn) {
            Err(error) if error.to_string().contains("database is locked") => {
                if !said {
                    tracing::info!(
                        catalog = %catalog.display(),
                        "the catalog file is locked by an import loading it; waiting for the import to finish"
                    );
                    said = true;
                }
                // Asked again a few times a second: it had been asked without a pause,
                // and a server waiting 18 s for an import spent 15 s of CPU doing so.
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            _ => return,
        }
    }
}

/// Attaches the catalog file as `catalog`, with the same per-file pragmas as the main
/// file (journal mode, synchronous and cache size are per file; busy timeout and
/// foreign keys are per connection and already set).
pub(crate) fn attach(conn: &mut SqliteConnection, catalog: &Path) -> QueryResult<()> {
    let path = catalog.to_str().ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(
            format!("catalog path {} is not valid UTF-8", catalog.display()).into(),
        )
    })?;
    diesel::sql_query(format!("ATTACH DATABASE ? AS {SCHEMA}"))
        .bind::<Text, _>(path)
        .execute(conn)?;
    conn.batch_execute(&format!(
        "PRAGMA {SCHEMA}.journal_mode = WAL;
         PRAGMA {SCHEMA}.synchronous = NORMAL;
         PRAGMA {SCHEMA}.cache_size = -32000;"
    ))
}

/// The file attached as `catalog` on this connection, if any.
pub(crate) fn attached(conn: &mut SqliteConnection) -> QueryResult<Option<PathBuf>> {
    file_of(conn, SCHEMA)
}

/// The file behind a schema of this connection, if it is a file.
pub(crate) fn file_of(conn: &mut SqliteConnection, schema: &str) -> QueryResult<Option<PathBuf>> {
    #[derive(QueryableByName)]
    struct File {
        #[diesel(sql_type = Text)]
        file: String,
    }
    let files: Vec<File> =
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = ?")
            .bind::<Text, _>(schema)
            .load(conn)?;
    Ok(files
        .into_iter()
        .next()
        .map(|f| PathBuf::from(f.file))
        .filter(|p| !p.as_os_str().is_empty() && p.exists()))
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Whether the main file still holds a catalog table (a database made before the split).
fn main_holds(conn: &mut SqliteConnection, table: &str) -> QueryResult<bool> {
    let found: Vec<Name> =
        diesel::sql_query("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name = ?")
            .bind::<Text, _>(table)
            .load(conn)?;
    Ok(!found.is_empty())
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    found: bool,
}

/// Whether the main file's copy of a catalog table has a row.
fn main_has_rows(conn: &mut SqliteConnection, table: &str) -> QueryResult<bool> {
    let answer: Exists = diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM main.{table}) AS found"
    ))
    .get_result(conn)?;
    Ok(answer.found)
}

/// Moves the catalog tables of a database made before the split from its main file into
/// the attached catalog file (see the module comment). Nothing to do on a database made
/// since: its main file holds no catalog table. Returns whether it moved anything.
///
/// A new main file holds the catalog tables too (its migrations date from before the
/// split), empty. Those are dropped without copying: copying them would empty a catalog
/// file that already holds an import, for instance when the main file was deleted to
/// start the accounts afresh. `catalog_meta` does not count, because its migration
/// writes its one row.
pub(crate) fn move_from_main(conn: &mut SqliteConnection) -> anyhow::Result<bool> {
    let mut present = Vec::new();
    for table in TABLES {
        if main_holds(conn, table)? {
            present.push(table);
        }
    }
    if present.is_empty() {
        return Ok(false);
    }
    let mut holds_a_catalog = false;
    for table in present.iter().filter(|t| **t != "catalog_meta") {
        holds_a_catalog |= main_has_rows(conn, table)?;
    }
    if !holds_a_catalog {
        drop_from_main(conn, &present)?;
        return Ok(false);
    }
    // 1. The catalog file: replace its rows with the main file's, in one transaction
    //    that writes the catalog file only.
    conn.immediate_transaction(|conn| {
        for table in TABLES.iter().rev() {
            conn.batch_execute(&format!("DELETE FROM {SCHEMA}.{table};"))?;
        }
        for table in &present {
            // The columns both files have: the catalog file's migrations may have added
            // columns (`catalog_meta.import_digest`) that an older main file lacks.
            let columns: Vec<Name> = diesel::sql_query(format!(
                "SELECT c.name AS name FROM pragma_table_info('{table}', '{SCHEMA}') c
                 WHERE c.name IN (SELECT name FROM pragma_table_info('{table}', 'main'))
                 ORDER BY c.cid"
            ))
            .load(conn)?;
            let columns = columns
                .iter()
                .map(|c| format!("\"{}\"", c.name.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(", ");
            conn.batch_execute(&format!(
                "INSERT INTO {SCHEMA}.{table} ({columns}) SELECT {columns} FROM main.{table};"
            ))?;
        }
        // Older versions kept one genre per track, in `tracks.genre`: it becomes the
        // track's genre set (as the catalog migration does for a catalog file's tracks).
        conn.batch_execute(&format!(
            "DELETE FROM {SCHEMA}.track_genres;
             DELETE FROM {SCHEMA}.genres;
             INSERT INTO {SCHEMA}.genres (name, name_key)
             SELECT MIN(TRIM(genre)), LOWER(TRIM(genre)) FROM {SCHEMA}.tracks
             WHERE genre IS NOT NULL AND TRIM(genre) <> ''
             GROUP BY LOWER(TRIM(genre));
             INSERT INTO {SCHEMA}.track_genres (track_id, genre_id)
             SELECT t.id, g.id FROM {SCHEMA}.tracks t
             JOIN {SCHEMA}.genres g ON g.parent_id IS NULL AND g.name_key = LOWER(TRIM(t.genre));"
        ))?;
        // The catalog file's migrations ran before the copy, so the copied artists'
        // search keys are folded here as the migration folds them.
        conn.batch_execute(&fold_apostrophes_in(SCHEMA))?;
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(|e| anyhow::anyhow!("copying the catalog into its own file failed: {e}"))?;
    // 2. The main file: drop them, and give the freed pages back to the file system
    //    (the user tables are small).
    drop_from_main(conn, &present)?;
    conn.batch_execute("VACUUM main;")?;
    Ok(true)
}

/// The catalog migration that writes artists' search keys with ASCII apostrophes, for
/// the artists table of `schema`.
fn fold_apostrophes_in(schema: &str) -> String {
    include_str!("../../migrations/sqlite_catalog/2026-12-07-090000_apostrophe_search_keys/up.sql")
        .replace("UPDATE artists", &format!("UPDATE {schema}.artists"))
}

/// Drops the main file's catalog tables, children first so that no cascade fires.
fn drop_from_main(conn: &mut SqliteConnection, present: &[&str]) -> anyhow::Result<()> {
    conn.immediate_transaction(|conn| {
        for table in present.iter().rev() {
            conn.batch_execute(&format!("DROP TABLE main.{table};"))?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(|e| anyhow::anyhow!("dropping the catalog tables from the main file failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog imported before apostrophes were folded: its artists' search keys are
    /// folded by the migration, whether it runs on the catalog file or, for a catalog
    /// moved out of an old main file, on the attached schema; names are left alone.
    #[test]
    fn older_search_keys_get_ascii_apostrophes() {
        use diesel::{connection::SimpleConnection, Connection, RunQueryDsl};
        use diesel_migrations::MigrationHarness;

        #[derive(diesel::QueryableByName)]
        struct Keys {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            search_key: String,
        }
        let keys = |conn: &mut SqliteConnection, table: &str| -> Vec<(String, String)> {
            diesel::sql_query(format!("SELECT name, search_key FROM {table} ORDER BY id"))
                .load::<Keys>(conn)
                .expect("keys")
                .into_iter()
                .map(|k| (k.name, k.search_key))
                .collect()
        };
        let older = "INSERT INTO artists (id, name, name_key, search_key) VALUES
             (1, 'Cam’ron', 'cam’ron', 'cam’ron'),
             (2, 'Guns N‘ Roses', 'guns n‘ roses', 'guns n‘ roses'),
             (3, 'Abba', 'abba', 'abba');";
        let folded = [
            ("Cam’ron", "cam'ron"),
            ("Guns N‘ Roses", "guns n' roses"),
            ("Abba", "abba"),
        ]
        .map(|(name, key)| (name.to_string(), key.to_string()));

        let mut conn = SqliteConnection::establish(":memory:").expect("memory");
        conn.run_pending_migrations(MIGRATIONS).expect("migrate");
        // Back to before the apostrophe migration, and the later ones on the way.
        while conn
            .revert_last_migration(MIGRATIONS)
            .expect("step back one")
            .to_string()
            .replace('-', "")
            != "20261207090000"
        {}
        conn.batch_execute(older).expect("an older import");
        conn.run_pending_migrations(MIGRATIONS)
            .expect("migrate again");
        assert_eq!(keys(&mut conn, "artists"), folded);

        let mut conn = SqliteConnection::establish(":memory:").expect("memory");
        conn.batch_execute("ATTACH DATABASE ':memory:' AS other")
            .expect("attach");
        conn.batch_execute(
            "CREATE TABLE other.artists (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                 name_key TEXT NOT NULL, search_key TEXT NOT NULL)",
        )
        .expect("a moved catalog's artists");
        conn.batch_execute(&older.replace("INTO artists", "INTO other.artists"))
            .expect("its artists");
        conn.batch_execute(&fold_apostrophes_in("other"))
            .expect("folded");
        assert_eq!(keys(&mut conn, "other.artists"), folded);
    }

    #[test]
    fn the_catalog_file_sits_beside_the_main_file() {
        assert_eq!(
            catalog_path(Path::new("data/insights.db")),
            PathBuf::from("data/insights.catalog.db")
        );
        assert_eq!(
            catalog_path(Path::new("/tmp/x.sqlite3")),
            PathBuf::from("/tmp/x.catalog.sqlite3")
        );
        assert_eq!(
            catalog_path(Path::new("insights")),
            PathBuf::from("insights.catalog")
        );
        for main in ["data/insights.db", "/tmp/x.sqlite3", "insights", "a.b.db"] {
            let main = Path::new(main);
            assert_eq!(main_path_of(&catalog_path(main)).as_deref(), Some(main));
        }
        for other in [
            "data/insights.db",
            "a.catalog.b.db",
            "x.b.catalog",
            ".catalog",
        ] {
            assert_eq!(main_path_of(Path::new(other)), None, "{other}");
        }
    }
}
