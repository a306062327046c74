//! A user's writes never wait for an import (issue 16, item 1): the catalog lives in its
//! own SQLite file, so the importer's transaction locks that file only. Also: a database
//! made before the split keeps its catalog and its users, and a killed import leaves the
//! catalog as it was.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::mpsc,
    time::Duration,
};

use common::{
    auth::{Browser, GOOD_PASSWORD},
    empty_app,
};
use diesel::{connection::SimpleConnection, prelude::*, sql_types::Text, SqliteConnection};
use diesel_migrations::MigrationHarness;
use insights_hub::{
    catalog::import::{
        import_files, synthetic::write_tidytuesday_csv, ImportError, ImportOptions, ImportReport,
        NoProgress, Progress,
    },
    db::{
        self,
        catalog_file::catalog_path,
        catalog_meta,
        schema::{tracks, users},
    },
    AppState, Config,
};
use poem::http::StatusCode;

/// Progress that, at the first batch of rows (written inside the import's transaction),
/// tells the test and waits until the test lets it go on.
struct HeldInside {
    entered: Option<mpsc::Sender<()>>,
    release: mpsc::Receiver<()>,
}

impl Progress for HeldInside {
    fn start_file(&mut self, _: &Path, _: u64) {}
    fn advance(&mut self, _: u64, _: u64) {
        if let Some(entered) = self.entered.take() {
            let _ = entered.send(());
            // Bounded, so that a failing test ends instead of hanging.
            let _ = self.release.recv_timeout(Duration::from_secs(300));
        }
    }
    fn finishing(&mut self) {}
}

/// An import of `csv` on a thread of its own, held inside its transaction at its first
/// batch of rows: returns once it is there, with the thread and the sender that lets it
/// go on.
fn held_import(
    database: insights_hub::config::Database,
    csv: PathBuf,
) -> (
    std::thread::JoinHandle<Result<ImportReport, ImportError>>,
    mpsc::Sender<()>,
) {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let importer = std::thread::spawn(move || {
        let mut conn = db::open_catalog_connection(&database).expect("open catalog");
        let mut progress = HeldInside {
            entered: Some(entered_tx),
            release: release_rx,
        };
        import_files(&mut conn, &[csv], ImportOptions::default(), &mut progress)
    });
    entered
        .recv_timeout(Duration::from_secs(120))
        .expect("the import reached its first batch");
    (importer, release)
}

/// `insights-hub --database MAIN import CSV` in a process of its own, silent: for the
/// tests that kill an import part-way.
fn spawn_import(main: &Path, csv: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_insights-hub"))
        .arg("--database")
        .arg(main)
        .arg("import")
        .arg(csv)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the import")
}

/// Progress that notes whether the import was told to wait for the catalog.
#[derive(Default)]
struct Waits {
    told: bool,
}

impl Progress for Waits {
    fn start_file(&mut self, _: &Path, _: u64) {}
    fn advance(&mut self, _: u64, _: u64) {}
    fn finishing(&mut self) {}
    fn waiting_for_catalog(&mut self, _limit: Option<Duration>) {
        self.told = true;
    }
}

/// An import that finds another one writing says that it waits, and its reported time
/// leaves the wait out: it had waited in silence, then reported the wait as its own
/// time ("in 13.42 s (1 rows/s)").
#[test]
fn a_second_import_says_it_waits_and_leaves_the_wait_out_of_its_time() {
    let app = empty_app();
    let database = app.db.database.clone();
    let first = synthetic_csv(app.dir.path(), 2_000, 3);
    let second = synthetic_csv(app.dir.path(), 50, 4);
    // Alone, an import is not told to wait.
    let mut alone = Waits::default();
    let mut conn = db::open_catalog_connection(&database).expect("open catalog");
    import_files(&mut conn, &[first], ImportOptions::default(), &mut alone).expect("import");
    assert!(!alone.told);
    let other = synthetic_csv(app.dir.path(), 2_000, 5);
    let (importer, release) = held_import(database.clone(), other);
    let held = Duration::from_secs(2);
    let waiting = std::thread::spawn(move || {
        let mut progress = Waits::default();
        let mut conn = db::open_catalog_connection(&database).expect("open catalog");
        let report = import_files(
            &mut conn,
            &[second],
            ImportOptions::default(),
            &mut progress,
        );
        (progress.told, report)
    });
    std::thread::sleep(held);
    release.send(()).expect("release the first import");
    importer
        .join()
        .expect("first thread")
        .expect("first import");
    let (told, report) = waiting.join().expect("second thread");
    let report = report.expect("the second import, once the first had finished");
    assert!(told, "the second import said it waits");
    assert_eq!(report.files[0].rows_read, 50);
    assert!(
        report.elapsed < held,
        "{:?} reported, after a wait of {held:?}",
        report.elapsed
    );
}

fn catalog_write_lock_is_free(main: &Path) -> bool {
    let path = catalog_path(main);
    let mut conn =
        SqliteConnection::establish(path.to_str().expect("utf-8 path")).expect("open catalog");
    conn.batch_execute("PRAGMA busy_timeout = 0;")
        .expect("pragma");
    match conn.batch_execute("BEGIN IMMEDIATE;") {
        Ok(()) => {
            conn.batch_execute("ROLLBACK;").expect("rollback");
            true
        }
        Err(error) => {
            assert!(error.to_string().contains("locked"), "{error}");
            false
        }
    }
}

fn synthetic_csv(dir: &Path, rows: u64, seed: u64) -> PathBuf {
    let csv = dir.join(format!("synthetic-{rows}.csv"));
    write_tidytuesday_csv(std::fs::File::create(&csv).expect("create csv"), rows, seed)
        .expect("write csv");
    csv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_log_in_and_saving_a_profile_succeed_while_an_import_is_in_its_transaction() {
    let app = empty_app();
    let database = app.db.database.clone();
    // SQLite: the catalog file's write lock is checked too (PostgreSQL has no such lock).
    let main = database.sqlite_path().map(Path::to_path_buf);
    let csv = synthetic_csv(app.dir.path(), 30_000, 16);
    let (importer, release) = held_import(database, csv);
    // The importer is inside its transaction and holds the catalog's write lock.
    if let Some(main) = &main {
        assert!(!catalog_write_lock_is_free(main));
    }

    let mut ada = Browser::new();
    let signed_up = ada.sign_up(&app.client, "ada_listens", GOOD_PASSWORD).await;
    assert_eq!(
        signed_up.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_up.body
    );
    let out = ada.log_out(&app.client).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let logged_in = ada.log_in(&app.client, "ada_listens", GOOD_PASSWORD).await;
    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );
    let saved = ada
        .submit(
            &app.client,
            "/perfect-song",
            "/perfect-song/profiles",
            &[
                ("settings", "energy=0.8&w_liveness=2"),
                ("name", "Night drive"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = ada.get(&app.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Night drive"));
    // Reads still work, and the catalog still shows what it held before the import.
    let home = ada.get(&app.client, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(app.state.catalog().meta.track_count, 0);

    // All of that happened while the import still held its transaction.
    if let Some(main) = &main {
        assert!(!catalog_write_lock_is_free(main));
    }
    release.send(()).expect("release the import");
    let report = importer
        .join()
        .expect("import thread")
        .expect("the import succeeds");
    assert!(report.catalog_tracks > 20_000, "{}", report.catalog_tracks);
    if let Some(main) = &main {
        assert!(catalog_write_lock_is_free(main));
    }
    // The whole import shows at once, and the user's writes are all still there.
    assert!(app.state.refresh_catalog().await.expect("refresh"));
    assert_eq!(app.state.catalog().meta.track_count, report.catalog_tracks);
    // The import wrote the catalog through its log; once read, the log is given back
    // (it kept the catalog's size while the server ran).
    if let Some(main) = &main {
        let log = db::catalog_file::log_path(main);
        let size = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        assert_eq!(size, 0, "{}", Path::new(&log).display());
    }
    let mut conn = app.state.pool.get().expect("connection");
    let user_rows: i64 = users::table.count().get_result(&mut conn).expect("users");
    assert_eq!(user_rows, 1);
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    notnull: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pk: i32,
}

/// Every column of the catalog tables in one schema of the connection, sorted.
fn catalog_columns(conn: &mut SqliteConnection, schema: &str) -> Vec<Column> {
    let mut columns = Vec::new();
    for table in db::catalog_file::TABLES {
        let mut of_table: Vec<Column> = diesel::sql_query(format!(
            "SELECT '{table}' AS tbl, name, type AS ty, \"notnull\", pk
             FROM pragma_table_info('{table}', '{schema}')"
        ))
        .load(conn)
        .expect("columns");
        assert!(!of_table.is_empty(), "{schema}.{table} exists");
        columns.append(&mut of_table);
    }
    columns.sort();
    columns
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn names(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .expect("names")
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A database as versions before the split made it: one file, every table in it.
fn single_file_database(path: &Path) -> db::DbConnection {
    let mut conn =
        SqliteConnection::establish(path.to_str().expect("utf-8 path")).expect("open legacy");
    db::apply_pragmas(&mut conn).expect("pragmas");
    let mut conn = db::DbConnection::Sqlite(conn);
    db::run_migrations(&mut conn).expect("the migrations of older versions");
    conn
}

/// The SQLite connection inside (this test is about SQLite's files).
fn sqlite(conn: &mut db::DbConnection) -> &mut SqliteConnection {
    match conn {
        db::DbConnection::Sqlite(conn) => conn,
        db::DbConnection::Pg(_) => panic!("a SQLite connection"),
    }
}

/// Imports the small TidyTuesday fixture into the catalog file beside `main`.
fn import_fixture(main: &Path) -> ImportReport {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tidytuesday_spotify_songs.csv");
    let report = import_files(
        &mut db::open_catalog_connection(main).expect("catalog connection"),
        &[fixture],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("an import of the fixture");
    assert!(report.catalog_tracks > 0);
    report
}

#[tokio::test]
async fn a_single_file_database_from_older_versions_keeps_its_catalog_and_users() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("old.db");
    let mut legacy = single_file_database(&main);
    // Today's importer writes tables older versions did not have (genres), so it imports
    // into a scratch catalog file, and the tables older versions had are copied into
    // the single file, as an older version's import left them.
    let scratch = dir.path().join("scratch.db");
    let report = import_fixture(&scratch);
    let mut copy = format!(
        "ATTACH DATABASE '{}' AS scratch; DELETE FROM main.catalog_meta;",
        catalog_path(&scratch).display()
    );
    for table in db::catalog_file::TABLES {
        // The columns the older table had (today's may have more).
        let columns = names(
            sqlite(&mut legacy),
            &format!("SELECT name FROM pragma_table_info('{table}', 'main')"),
        )
        .join(", ");
        copy.push_str(&format!(
            "INSERT INTO main.{table} ({columns}) SELECT {columns} FROM scratch.{table};"
        ));
    }
    copy.push_str("DETACH DATABASE scratch;");
    legacy
        .batch_execute(&copy)
        .expect("the catalog as an older version wrote it");
    let legacy_meta = catalog_meta::load(&mut legacy).expect("meta");
    legacy
        .batch_execute(
            "INSERT INTO users (username, username_key, password_hash, created_at)
             VALUES ('Old', 'old', 'not-a-real-hash', 1);",
        )
        .expect("a user");
    drop(legacy);
    // A copy that died half-way (between the copy and the drop) left rows behind in the
    // catalog file: the main file's catalog replaces them.
    {
        let mut stale = SqliteConnection::establish(catalog_path(&main).to_str().expect("utf-8"))
            .expect("catalog file");
        stale
            .run_pending_migrations(db::catalog_file::MIGRATIONS)
            .expect("catalog migrations");
        stale
            .batch_execute("UPDATE catalog_meta SET source_name = 'stale', version = 999;")
            .expect("stale row");
    }

    let state = AppState::open(Config::for_database(&main)).expect("open the old database");
    assert_eq!(state.catalog().meta.track_count, report.catalog_tracks);
    assert_eq!(state.catalog().meta.version, legacy_meta.version);
    let mut conn = state.pool.get().expect("connection");
    let tracks_now: i64 = tracks::table.count().get_result(&mut conn).expect("tracks");
    assert_eq!(tracks_now, report.catalog_tracks);
    // Each track's one genre became its genre set.
    let linked = names(
        sqlite(&mut conn),
        "SELECT t.identity || ':' || g.name AS name FROM track_genres tg \
         JOIN tracks t ON t.id = tg.track_id JOIN genres g ON g.id = tg.genre_id ORDER BY 1",
    );
    assert_eq!(linked.len() as i64, tracks_now, "{linked:?}");
    assert!(
        linked.contains(&"2Vc6NJ9PW9gD9q343XFRKx:rap".to_string()),
        "{linked:?}"
    );
    let user_rows: i64 = users::table.count().get_result(&mut conn).expect("users");
    assert_eq!(user_rows, 1);
    // The catalog tables left the main file; the user tables stayed.
    let in_main = names(
        sqlite(&mut conn),
        "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name",
    );
    for table in db::catalog_file::TABLES {
        assert!(!in_main.contains(&table.to_string()), "{in_main:?}");
    }
    assert!(in_main.contains(&"users".to_string()));
    // Same columns and indexes as the main migrations give the catalog tables, plus the
    // columns only the catalog file's migrations add (the main file's catalog tables
    // are only ever read to be moved, and the move copies the columns both have).
    let dir2 = tempfile::tempdir().expect("temp dir");
    let mut reference = single_file_database(&dir2.path().join("ref.db"));
    let mut expected = catalog_columns(sqlite(&mut reference), "main");
    expected.push(Column {
        tbl: "catalog_meta".into(),
        name: "import_digest".into(),
        ty: "TEXT".into(),
        notnull: 0,
        pk: 0,
    });
    for name in ["album_spotify_id", "release_date"] {
        expected.push(Column {
            tbl: "tracks".into(),
            name: name.into(),
            ty: "TEXT".into(),
            notnull: 0,
            pk: 0,
        });
    }
    expected.sort();
    assert_eq!(catalog_columns(sqlite(&mut conn), "catalog"), expected);
    let index_sql = "SELECT name FROM {s}.sqlite_master WHERE type = 'index' \
                     AND tbl_name IN ('tracks', 'artists', 'track_artists', 'catalog_meta', \
                     'catalog_imports') ORDER BY name";
    // Likewise the indexes, plus the one only the catalog file's migrations add.
    let mut expected_indexes = names(sqlite(&mut reference), &index_sql.replace("{s}", "main"));
    expected_indexes.push("tracks_album_spotify_id".to_string());
    expected_indexes.sort();
    assert_eq!(
        names(sqlite(&mut conn), &index_sql.replace("{s}", "catalog")),
        expected_indexes
    );
    drop(conn);
    drop(state);
    // Opening again moves nothing and changes nothing.
    let again = AppState::open(Config::for_database(&main)).expect("reopen");
    assert_eq!(again.catalog().meta.track_count, report.catalog_tracks);
}

/// Deleting the main file (to start the accounts afresh) and starting again keeps the
/// imported catalog: a new main file's empty catalog tables are not copied over it.
#[tokio::test]
async fn a_new_main_file_beside_an_imported_catalog_keeps_that_catalog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("insights.db");
    let report = import_fixture(&main);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = main.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    assert!(!main.exists());

    let state = AppState::open(Config::for_database(&main)).expect("open with a new main file");
    assert_eq!(state.catalog().meta.track_count, report.catalog_tracks);
    let mut conn = state.pool.get().expect("connection");
    let in_main = names(
        sqlite(&mut conn),
        "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name",
    );
    for table in db::catalog_file::TABLES {
        assert!(!in_main.contains(&table.to_string()), "{in_main:?}");
    }
}

/// A `kill -9` while the importer is inside its transaction leaves the catalog as it
/// was, and the users' file untouched.
#[test]
fn a_killed_import_leaves_the_catalog_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("k.db");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tidytuesday_spotify_songs.csv");
    {
        let mut conn = db::open_catalog_connection(&main).expect("open");
        import_files(
            &mut conn,
            &[fixture],
            ImportOptions::default(),
            &mut NoProgress,
        )
        .expect("first import");
    }
    let before = {
        let mut conn = db::open_connection(&main).expect("open");
        catalog_meta::load(&mut conn).expect("meta")
    };
    let csv = synthetic_csv(dir.path(), 100_000, 9);
    let mut child = spawn_import(&main, &csv);
    // Wait until the importer holds the catalog's write lock and keeps it for half a
    // second of polls: it is in its transaction (opening and migrating take the lock
    // only for milliseconds).
    let mut inside = false;
    let mut held_polls = 0;
    for _ in 0..6000 {
        if child.try_wait().expect("child status").is_some() {
            break;
        }
        if catalog_write_lock_is_free(&main) {
            held_polls = 0;
        } else {
            held_polls += 1;
            if held_polls >= 50 {
                inside = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(inside, "the import never took the catalog's write lock");
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let mut conn = db::open_connection(&main).expect("reopen");
    let after = catalog_meta::load(&mut conn).expect("meta");
    assert_eq!(after.version, before.version);
    assert_eq!(after.track_count, before.track_count);
    let tracks_now: i64 = tracks::table.count().get_result(&mut conn).expect("tracks");
    assert_eq!(tracks_now, before.track_count);
}

/// The catalog file's journal mode, read by a connection of its own.
fn catalog_journal_mode(main: &Path) -> String {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    let path = catalog_path(main);
    let mut conn =
        SqliteConnection::establish(path.to_str().expect("utf-8 path")).expect("open catalog");
    diesel::sql_query("PRAGMA journal_mode")
        .get_result::<Mode>(&mut conn)
        .expect("journal mode")
        .journal_mode
}

/// A load into an empty catalog that nobody else has open runs with a rollback journal,
/// which holds the file until the commit: a server started meanwhile waits for it at
/// start-up, and then serves the whole catalog. (With a server already running, the
/// import keeps the WAL: the test above.)
#[test]
fn a_server_starting_during_a_load_into_an_empty_catalog_waits_and_then_sees_it_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("w.db");
    let csv = synthetic_csv(dir.path(), 20_000, 23);
    let (importer, release) = held_import(main.clone().into(), csv);
    let (opened_tx, opened) = mpsc::channel();
    let server = {
        let main = main.clone();
        std::thread::spawn(move || {
            let pool = db::open(&main);
            let _ = opened_tx.send(());
            pool
        })
    };
    // Longer than SQLite's busy timeout, after which a server used to give up.
    let held = Duration::from_millis(u64::from(db::BUSY_TIMEOUT_MS) + 1500);
    assert!(
        opened.recv_timeout(held).is_err(),
        "the server did not wait for the import"
    );
    release.send(()).expect("release the import");
    let report = importer
        .join()
        .expect("import thread")
        .expect("the import succeeds");
    let pool = server
        .join()
        .expect("server thread")
        .expect("the server opens once the import is in");
    let mut conn = pool.get().expect("connection");
    let tracks_now: i64 = tracks::table.count().get_result(&mut conn).expect("tracks");
    assert_eq!(tracks_now, report.catalog_tracks);
    assert!(tracks_now > 10_000, "{tracks_now}");
    assert_eq!(catalog_journal_mode(&main), "wal");
}

/// The same load killed half-way: its rollback journal puts the empty catalog back, and
/// the file is in WAL mode again once opened.
#[test]
fn a_killed_load_into_an_empty_catalog_leaves_it_empty_and_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("e.db");
    drop(db::open_catalog_connection(&main).expect("create the catalog"));
    let csv = synthetic_csv(dir.path(), 100_000, 29);
    let mut child = spawn_import(&main, &csv);
    let journal = {
        let mut name = catalog_path(&main).into_os_string();
        name.push("-journal");
        PathBuf::from(name)
    };
    // Wait until the load has written pages through its rollback journal for a while.
    let mut written = false;
    for _ in 0..6000 {
        if child.try_wait().expect("child status").is_some() {
            break;
        }
        let size = std::fs::metadata(catalog_path(&main)).map_or(0, |m| m.len());
        if journal.exists() && size > 2_000_000 {
            written = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(written, "the load never wrote through a rollback journal");
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let mut conn = db::open_connection(&main).expect("reopen");
    let tracks_now: i64 = tracks::table.count().get_result(&mut conn).expect("tracks");
    assert_eq!(tracks_now, 0);
    let db::DbConnection::Sqlite(sqlite) = &mut conn else {
        panic!("a SQLite database");
    };
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    let check = diesel::sql_query("PRAGMA catalog.integrity_check")
        .get_result::<Check>(sqlite)
        .expect("integrity check");
    assert_eq!(check.integrity_check, "ok");
    drop(conn);
    assert!(!journal.exists(), "the hot journal was rolled back");
    assert_eq!(catalog_journal_mode(&main), "wal");
}

/// An import that stops (here, at a bad row with `strict`) rolls back, and changes no
/// catalog version; the pages it had written stayed in the catalog file's log, holding
/// that disk space until the server stopped. The running server gives it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_a_stopped_import_left_is_given_back() {
    let app = empty_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return; // PostgreSQL: no such file.
    };
    let csv = synthetic_csv(app.dir.path(), 150_000, 23);
    let mut text = std::fs::read_to_string(&csv).expect("csv");
    let columns = text.lines().next().map_or(1, |h| h.split(',').count());
    text.push_str(&vec!["not a number"; columns].join(","));
    text.push('\n');
    std::fs::write(&csv, text).expect("bad row");
    let database = app.db.database.clone();
    let stopped = tokio::task::spawn_blocking(move || {
        let mut conn = db::open_catalog_connection(&database).expect("open catalog");
        let strict = ImportOptions {
            strict: true,
            ..ImportOptions::default()
        };
        import_files(&mut conn, &[csv], strict, &mut NoProgress)
    })
    .await
    .expect("import thread");
    assert!(
        matches!(stopped, Err(ImportError::Strict { .. })),
        "{stopped:?}"
    );
    let log = db::catalog_file::log_path(&main);
    let size = || std::fs::metadata(&log).map_or(0, |m| m.len());
    assert!(size() > 0, "the stopped import left pages in the log");
    // The server's watcher starts once the log is seen full: started before the
    // import, it could give the log back before the line above looked (a busy CI
    // machine saw 0 there).
    let watcher = app.state.spawn_catalog_watcher(Duration::from_millis(100));
    let mut waited = 0;
    while size() > 0 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    assert_eq!(size(), 0, "given back");
    assert_eq!(app.state.catalog().meta.track_count, 0);
    watcher.abort();
}
