//! Which journal a SQLite import writes the catalog file through.
//!
//! In WAL mode (the catalog's everyday mode) every page of a load goes into the WAL, and
//! the commit's checkpoint copies each one again into the catalog file: for 1.2 million
//! rows, 347 MB written twice, and about a second of an 8 s import. A rollback journal
//! writes the pages of an empty catalog once (pages past the file's old end need no
//! copy in the journal), but while the import holds its lock nobody can read the file,
//! where the WAL lets servers go on reading the catalog as it was.
//!
//! So an import switches to a rollback journal only when that costs nobody anything:
//! the catalog has no tracks, and no other connection has the file open. SQLite itself
//! decides the second: leaving WAL mode needs the file's exclusive lock, which every
//! other connection in WAL mode blocks (each holds a shared lock while it has the file
//! open), and the attempt does not wait for it. Every running server keeps its pool's
//! connections open, so an import next to a server always keeps the WAL. A server that
//! starts during such an import waits for it at start-up (`db::open`), saying so.
//!
//! The import's usual restore (`db::apply_pragmas`) puts the file back in WAL mode after
//! the commit or the rollback. A killed import leaves a hot journal, which the next
//! connection to open the file rolls back: the catalog is empty again, as it was.

use diesel::{connection::SimpleConnection, prelude::*, sql_types::Text, SqliteConnection};

/// The journal an import runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    /// The write-ahead log, as always.
    Wal,
    /// A rollback journal, for a load into an empty catalog nobody else has open.
    Rollback,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

/// Switches the catalog file to a rollback journal if it is empty and nobody else has
/// it open; otherwise leaves the WAL. Outside any transaction (SQLite refuses to change
/// the journal inside one, which then also leaves the WAL).
pub fn choose_for_import(conn: &mut SqliteConnection) -> QueryResult<Journal> {
    // Only a connection to the catalog file alone (`db::open_catalog_connection`): with
    // the main file attached, the switch could take the users' file out of WAL mode.
    if has_attached_files(conn)? || !catalog_is_empty(conn)? {
        return Ok(Journal::Wal);
    }
    // Not a moment's wait: a connection in the way is a reader to leave alone.
    let switched = crate::db::with_busy_timeout(conn, 0, |conn| {
        Ok(diesel::sql_query("PRAGMA main.journal_mode = DELETE").get_result::<JournalMode>(conn))
    })?;
    match switched {
        Ok(mode) if mode.journal_mode.eq_ignore_ascii_case("delete") => {
            // Every commit of a rollback journal syncs the journal before the file it
            // protects; NORMAL skips one of those syncs, which the WAL can afford and a
            // rollback journal cannot (a power cut could then corrupt the file).
            conn.batch_execute("PRAGMA synchronous = FULL")?;
            Ok(Journal::Rollback)
        }
        Ok(_) => Ok(Journal::Wal),
        Err(error) => {
            tracing::debug!(%error, "the catalog keeps its WAL for this import");
            Ok(Journal::Wal)
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn has_attached_files(conn: &mut SqliteConnection) -> QueryResult<bool> {
    diesel::sql_query(
        "SELECT count(*) AS n FROM pragma_database_list WHERE name NOT IN ('main', 'temp')",
    )
    .get_result::<Count>(conn)
    .map(|c| c.n > 0)
}

fn catalog_is_empty(conn: &mut SqliteConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::not(diesel::dsl::exists(
        crate::db::schema::tracks::table.select(crate::db::schema::tracks::id),
    )))
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use diesel::{connection::SimpleConnection, Connection, RunQueryDsl, SqliteConnection};
    use diesel_migrations::MigrationHarness;

    use super::{choose_for_import, Journal, JournalMode};

    /// The journal mode the connection's main file is in, as SQLite names it.
    fn current_mode(conn: &mut SqliteConnection) -> diesel::QueryResult<String> {
        diesel::sql_query("PRAGMA journal_mode")
            .get_result::<JournalMode>(conn)
            .map(|m| m.journal_mode.to_ascii_lowercase())
    }

    fn catalog_file(dir: &std::path::Path) -> String {
        dir.join("c.catalog.db").to_string_lossy().into_owned()
    }

    fn open(url: &str) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(url).expect("open");
        crate::db::apply_pragmas(&mut conn).expect("pragmas");
        conn
    }

    fn migrated(url: &str) -> SqliteConnection {
        let mut conn = open(url);
        conn.run_pending_migrations(crate::db::catalog_file::MIGRATIONS)
            .expect("migrations");
        conn
    }

    #[test]
    fn an_empty_catalog_nobody_else_has_open_gets_a_rollback_journal_and_the_wal_back() {
        let dir = tempfile::tempdir().expect("dir");
        let url = catalog_file(dir.path());
        let mut conn = migrated(&url);
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Rollback));
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("delete"));
        crate::db::apply_pragmas(&mut conn).expect("the everyday pragmas");
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("wal"));
    }

    #[test]
    fn another_connection_with_the_file_open_keeps_the_wal_at_once() {
        let dir = tempfile::tempdir().expect("dir");
        let url = catalog_file(dir.path());
        let mut conn = migrated(&url);
        // A server's connection: open, and it has read the file.
        let mut server = open(&url);
        server
            .batch_execute("SELECT count(*) FROM tracks")
            .expect("read");
        let started = std::time::Instant::now();
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Wal));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "it did not wait for the lock: {:?}",
            started.elapsed()
        );
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("wal"));
        // And the connection still waits for locks as usual afterwards.
        drop(server);
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Rollback));
    }

    #[test]
    fn a_catalog_with_tracks_keeps_the_wal() {
        let dir = tempfile::tempdir().expect("dir");
        let url = catalog_file(dir.path());
        let mut conn = migrated(&url);
        conn.batch_execute(
            "INSERT INTO tracks (id, identity, name, tempo, loudness, danceability, energy, \
             acousticness, instrumentalness, valence, speechiness, liveness) \
             VALUES (1, 't1', 'Song', 120, -6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1)",
        )
        .expect("a track");
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Wal));
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("wal"));
    }

    #[test]
    fn a_connection_with_another_file_attached_keeps_the_wal() {
        let dir = tempfile::tempdir().expect("dir");
        let url = catalog_file(dir.path());
        drop(migrated(&url));
        let main = dir.path().join("c.db").to_string_lossy().into_owned();
        let mut conn = open(&main);
        crate::db::catalog_file::attach(&mut conn, std::path::Path::new(&url)).expect("attach");
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Wal));
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("wal"));
    }

    #[test]
    fn inside_a_transaction_the_wal_stays() {
        let dir = tempfile::tempdir().expect("dir");
        let url = catalog_file(dir.path());
        let mut conn = migrated(&url);
        conn.batch_execute("BEGIN").expect("begin");
        assert_eq!(choose_for_import(&mut conn), Ok(Journal::Wal));
        conn.batch_execute("COMMIT").expect("commit");
        assert_eq!(current_mode(&mut conn).as_deref(), Ok("wal"));
    }
}
