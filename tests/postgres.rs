//! PostgreSQL as the backend (issue 11): bad configuration, several servers over one
//! database, and the import's promises. The tests that need a server run only when
//! TEST_DATABASE_URL is set (`scripts/with_postgres.sh` starts a throwaway one; CI
//! does); without it they print a note and pass. The rest of the integration tests run
//! on PostgreSQL too when the variable is set (tests/common picks the backend).

mod common;

use std::{path::Path, process::Command, time::Duration};

use common::{
    auth::{Browser, GOOD_PASSWORD},
    postgres_or_skip, Client, TestApp, TestDb,
};
use insights_hub::{
    catalog::import::{
        import_database, synthetic::write_tidytuesday_csv, ImportOptions, NoProgress,
    },
    config::{Database, SecretKey},
    db::{self, catalog_meta},
    AppState, Config,
};
use poem::http::StatusCode;

/// Runs the binary with `--database URL import FIXTURE` (a good file: the files are
/// read before the database is opened, so the database is what fails).
fn import_fixture(url: &str) -> std::process::Output {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tidytuesday_spotify_songs.csv"
    );
    Command::new(env!("CARGO_BIN_EXE_insights-hub"))
        .args(["--database", url, "import", fixture])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the binary")
}

/// `import_fixture`'s (exit code, stderr).
fn run_with_database(url: &str) -> (Option<i32>, String) {
    let out = import_fixture(url);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `import_fixture`'s (exit code, stdout and stderr): the log's warnings go to stdout.
fn import_output(url: &str) -> (Option<i32>, String) {
    let out = import_fixture(url);
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// One line, starting with "error:", saying `what`, never the password, no panic.
fn assert_one_line_error(url: &str, what: &str) {
    let (code, stderr) = run_with_database(url);
    assert_eq!(code, Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(what), "{what} in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stderr.contains("s3cret-pw"),
        "the password is never shown: {stderr}"
    );
}

#[test]
fn an_unknown_scheme_or_an_unreachable_server_is_a_one_line_error() {
    assert_one_line_error(
        "mysql://root:s3cret-pw@127.0.0.1/hub",
        "unsupported database URL scheme `mysql://`",
    );
    // Port 9 (discard) on loopback: nothing listens there.
    assert_one_line_error(
        "postgres://hub:s3cret-pw@127.0.0.1:9/hub",
        "Connection refused",
    );
}

/// The test database URL with a different password or database name.
fn variant(url: &str, password: Option<&str>, database: Option<&str>) -> String {
    let parsed = url::Url::parse(url).expect("TEST_DATABASE_URL is a URL");
    let mut changed = parsed.clone();
    if let Some(password) = password {
        changed.set_password(Some(password)).expect("password");
    }
    if let Some(database) = database {
        changed.set_path(&format!("/{database}"));
    }
    changed.to_string()
}

#[test]
fn a_wrong_password_or_a_missing_database_is_a_one_line_error() {
    let Some(url) = postgres_or_skip("a_wrong_password_or_a_missing_database") else {
        return;
    };
    assert_one_line_error(
        &variant(&url, Some("s3cret-pw"), None),
        "password authentication failed",
    );
    assert_one_line_error(
        &variant(&url, None, Some("no_such_database_here")),
        "database \"no_such_database_here\" does not exist",
    );
}

/// A database whose `lower()` leaves non-ASCII capitals alone (LC_CTYPE `C`, what
/// `initdb` gives without a `LANG`) is warned of at start, with the fix: searches in
/// Cyrillic or Greek miss there what SQLite finds. One in another encoding than UTF8
/// is refused before anything is written.
#[test]
fn a_database_that_cannot_fold_text_is_warned_of_or_refused() {
    let Some(url) = postgres_or_skip("a_database_that_cannot_fold_text") else {
        return;
    };
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let mut admin = PgConnection::establish(&url).expect("connect");
    let made = [
        ("hub_c_ctype", "ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'"),
        (
            "hub_sql_ascii",
            "ENCODING 'SQL_ASCII' LC_CTYPE 'C' LC_COLLATE 'C'",
        ),
        (
            "hub_c_utf8",
            "ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'",
        ),
    ];
    diesel::sql_query("DROP DATABASE IF EXISTS hub_icu")
        .execute(&mut admin)
        .expect("drop");
    for (name, how) in made {
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .expect("drop");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE template0 {how}"))
            .execute(&mut admin)
            .expect("create");
    }
    let (code, stderr) = import_output(&variant(&url, None, Some("hub_c_ctype")));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("lower() leaves non-ASCII capitals") && stderr.contains("--locale=C.UTF-8"),
        "{stderr}"
    );
    let (code, stderr) = import_output(&variant(&url, None, Some("hub_sql_ascii")));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("encoding is SQL_ASCII"), "{stderr}");
    // A UTF-8 locale folds, as README's `createdb` makes it.
    let (code, stderr) = import_output(&variant(&url, None, Some("hub_c_utf8")));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("lower() leaves"), "{stderr}");
    // So does ICU's, whose `lower` of a word-final sigma is `ς` by rule (a check with
    // `Σ` last had warned of a database that folds every script); where the server was
    // built without ICU there is no such database to make.
    let icu = diesel::sql_query(
        "CREATE DATABASE hub_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' \
         LOCALE_PROVIDER icu ICU_LOCALE 'und'",
    )
    .execute(&mut admin);
    if icu.is_ok() {
        let (code, stderr) = import_output(&variant(&url, None, Some("hub_icu")));
        diesel::sql_query("DROP DATABASE IF EXISTS hub_icu")
            .execute(&mut admin)
            .expect("drop");
        assert_eq!(code, Some(0), "{stderr}");
        assert!(!stderr.contains("lower() leaves"), "{stderr}");
    } else {
        eprintln!("note: no ICU database to check: {icu:?}");
    }
    assert!(!stderr.contains("lower() leaves"), "{stderr}");
    for (name, _) in made {
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .expect("drop");
    }
}

/// Two "servers": two app states, each with its own router, pool and caches, over one
/// database, sharing a secret key the way a cluster's configuration does.
struct Cluster {
    a: TestApp,
    b_state: AppState,
    b: Client,
}

fn two_servers(url: &str) -> Cluster {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::fresh_schema(url);
    let key = SecretKey::generate();
    let config = |key: &SecretKey| {
        let mut config = Config::for_database(&db.database);
        config.secret_key = Some(key.clone());
        config.trust_proxy_headers = true;
        config
    };
    let a_state = AppState::open(config(&key)).expect("server A");
    let b_state = AppState::open(config(&key)).expect("server B");
    // A third server with another key refuses to start.
    let refused = AppState::open(config(&SecretKey::generate()))
        .err()
        .expect("a server with another key refuses to start");
    assert!(
        refused.to_string().contains("SECRET KEY MISMATCH"),
        "{refused}"
    );
    let a = TestApp {
        client: TestApp::client_for(&a_state),
        state: a_state,
        dir,
        db,
    };
    let b = TestApp::client_for(&b_state);
    Cluster { a, b_state, b }
}

async fn logged_in(client: &Client, browser: &mut Browser) -> bool {
    browser.get(client, "/account").await.status == StatusCode::OK
}

/// Every connection of the pool runs without JIT compilation: a title search that
/// folds accents passes `jit_above_cost`, and compiling it took most of a second, on
/// every request.
#[tokio::test]
async fn connections_run_without_jit() {
    let Some(url) = postgres_or_skip("connections_run_without_jit") else {
        return;
    };
    let cluster = two_servers(&url);
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        jit: String,
    }
    for _ in 0..3 {
        let jit = db::run(&cluster.a.state.pool, |conn| {
            use diesel::RunQueryDsl;
            let db::DbConnection::Pg(conn) = conn else {
                panic!("a PostgreSQL connection");
            };
            Ok(diesel::sql_query("SHOW jit").get_result::<Setting>(conn)?)
        })
        .await
        .expect("SHOW jit");
        assert_eq!(jit.jit, "off");
    }
}

#[tokio::test]
async fn a_session_started_on_one_server_lives_and_ends_on_all() {
    let Some(url) = postgres_or_skip("a_session_started_on_one_server_lives_and_ends_on_all")
    else {
        return;
    };
    let cluster = two_servers(&url);
    let mut ada = Browser::new();
    let page = ada.sign_up(&cluster.a.client, "ada", GOOD_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(logged_in(&cluster.a.client, &mut ada).await);
    assert!(logged_in(&cluster.b, &mut ada).await, "signed in on B too");
    // A form from B, submitted to A: the CSRF token is good on every server.
    let saved = ada
        .submit(
            &cluster.b,
            "/perfect-song",
            "/perfect-song/profiles",
            &[("settings", "energy=0.8"), ("name", "Run")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = ada.get(&cluster.a.client, "/perfect-song").await;
    assert!(
        page.body.contains("Run"),
        "the profile saved on B shows on A"
    );
    // Log out through B: A no longer knows the session, at once.
    assert!(logged_in(&cluster.a.client, &mut ada).await);
    let out = ada.log_out(&cluster.b).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert!(!logged_in(&cluster.a.client, &mut ada).await, "ended on A");
}

#[tokio::test]
async fn guesses_spread_over_two_servers_are_stopped_at_the_same_count() {
    let Some(url) = postgres_or_skip("guesses_spread_over_two_servers") else {
        return;
    };
    let cluster = two_servers(&url);
    Browser::new()
        .sign_up(&cluster.a.client, "victim", GOOD_PASSWORD)
        .await;
    // One address may try one name 5 times in 15 minutes (throttle policy): alternate
    // servers; the sixth guess is refused whichever server takes it.
    for guess in 0..5 {
        let client = if guess % 2 == 0 {
            &cluster.a.client
        } else {
            &cluster.b
        };
        let page = Browser::from_address("203.0.113.9")
            .log_in(client, "victim", "wrong guess")
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "guess {guess}: {}",
            page.body
        );
    }
    for client in [&cluster.a.client, &cluster.b] {
        let page = Browser::from_address("203.0.113.9")
            .log_in(client, "victim", "wrong guess")
            .await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    }
    // Another address still gets in.
    let page = Browser::from_address("198.51.100.7")
        .log_in(&cluster.b, "victim", GOOD_PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

fn synthetic_csv(dir: &Path, rows: u64, seed: u64) -> std::path::PathBuf {
    let csv = dir.join(format!("synthetic-{rows}-{seed}.csv"));
    write_tidytuesday_csv(std::fs::File::create(&csv).expect("create csv"), rows, seed)
        .expect("write csv");
    csv
}

#[tokio::test]
async fn an_import_through_one_server_is_seen_by_the_other() {
    let Some(url) = postgres_or_skip("an_import_through_one_server_is_seen_by_the_other") else {
        return;
    };
    let cluster = two_servers(&url);
    let csv = synthetic_csv(cluster.a.dir.path(), 2_000, 3);
    let report = import_database(
        &cluster.a.db.database,
        std::slice::from_ref(&csv),
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("import");
    assert!(report.catalog_tracks > 1_000);
    // What the watcher does every 2 s on each server.
    assert!(cluster.b_state.refresh_catalog().await.expect("refresh"));
    assert_eq!(
        cluster.b_state.catalog().meta.track_count,
        report.catalog_tracks
    );
    // The same import again writes nothing, and the other server has nothing to reload.
    let again = import_database(
        &cluster.a.db.database,
        &[csv],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("import again");
    assert!(again.already_imported);
    assert_eq!(again.catalog_tracks, report.catalog_tracks);
    assert_eq!(again.files[0].inserted, 0);
    assert!(!cluster.b_state.refresh_catalog().await.expect("refresh"));
}

#[test]
fn a_killed_import_leaves_the_catalog_as_it_was() {
    let Some(url) = postgres_or_skip("a_killed_import_leaves_the_catalog_as_it_was") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::fresh_schema(&url);
    let small = synthetic_csv(dir.path(), 500, 1);
    import_database(
        &db.database,
        &[small],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("first import");
    let mut conn = db::open_connection(&db.database).expect("connect");
    let before = catalog_meta::load(&mut conn).expect("meta");
    let big = synthetic_csv(dir.path(), 300_000, 2);
    let Database::Postgres(database_url) = &db.database else {
        unreachable!("a PostgreSQL test database")
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_insights-hub"))
        .args(["--database", database_url, "import"])
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the import");
    std::thread::sleep(Duration::from_millis(2_500));
    assert!(
        child.try_wait().expect("status").is_none(),
        "the import was still running when killed"
    );
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    // The server rolls the dead connection's transaction back.
    let after = catalog_meta::load(&mut conn).expect("meta");
    assert_eq!(after, before);
}

#[test]
fn copy_keeps_awkward_text_and_missing_values_exactly() {
    use diesel::prelude::*;
    use insights_hub::{
        catalog::{NewTrack, TrackKeys},
        db::{
            catalog_meta::SourceKind,
            catalog_writer::{catalog_transaction, CatalogWriter},
            schema::{artists, tracks},
        },
    };
    let Some(url) = postgres_or_skip("copy_keeps_awkward_text_and_missing_values_exactly") else {
        return;
    };
    let db = TestDb::fresh_schema(&url);
    let mut conn = db::open_connection(&db.database).expect("connect");
    let name = "Tab\there, new\nline, back\\slash \\N, \r, Beyoncé ✓";
    let track = NewTrack::builder(name, &["A\tB \\ C"])
        .spotify_id("awkward1")
        .build();
    catalog_transaction(&mut conn, |conn| {
        let mut writer = CatalogWriter::for_bulk_load(conn)?;
        writer.write_keyed(conn, track.clone(), TrackKeys::of(&track))?;
        writer.finish(conn, SourceKind::Import, "awkward.csv", 1)?;
        Ok::<_, diesel::result::Error>(())
    })
    .expect("write");
    let stored: Vec<(String, Option<String>, f64)> = tracks::table
        .select((tracks::name, tracks::album, tracks::tempo))
        .load(&mut conn)
        .expect("tracks");
    assert_eq!(stored, vec![(name.to_string(), None, track.features.tempo)]);
    let artist: Vec<String> = artists::table
        .select(artists::name)
        .load(&mut conn)
        .expect("artists");
    assert_eq!(artist, vec!["A\tB \\ C".to_string()]);
}

/// Writes each source's tracks as one import of that name, through the catalog writer
/// (the importer's path, without a file).
fn write_sources(
    conn: &mut db::DbConnection,
    sources: Vec<(&str, Vec<insights_hub::catalog::NewTrack>)>,
) {
    use insights_hub::{
        catalog::TrackKeys,
        db::{
            catalog_meta::SourceKind,
            catalog_writer::{catalog_transaction, CatalogWriter},
        },
    };
    for (source, rows) in sources {
        catalog_transaction(conn, |conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for track in rows {
                let keys = TrackKeys::of(&track);
                writer.write_keyed(conn, track, keys)?;
            }
            writer.finish(conn, SourceKind::Import, source, 1)?;
            Ok::<_, diesel::result::Error>(())
        })
        .expect("write");
    }
}

/// The names of every genre (and subgenre) link, sorted.
fn linked_genres(conn: &mut db::DbConnection) -> Vec<String> {
    use diesel::prelude::*;
    use insights_hub::db::schema::{genres, track_genres};
    let mut linked: Vec<String> = track_genres::table
        .inner_join(genres::table)
        .select(genres::name)
        .load(conn)
        .expect("links");
    linked.sort();
    linked
}

/// The update of a stored track on PostgreSQL keeps what the new row leaves out (its
/// `coalesce` and the genre links), as on SQLite (`tests/import.rs`).
#[test]
fn an_update_keeps_what_the_new_row_leaves_out() {
    use diesel::prelude::*;
    use insights_hub::{catalog::NewTrack, db::schema::tracks};
    let Some(url) = postgres_or_skip("an_update_keeps_what_the_new_row_leaves_out") else {
        return;
    };
    let db = TestDb::fresh_schema(&url);
    let mut conn = db::open_connection(&db.database).expect("connect");
    let first = NewTrack::builder("Song", &["Band"])
        .spotify_id("kept1")
        .album("First album")
        .genres(&[("rock", Some("hard rock"))])
        .popularity(Some(40))
        .build();
    let second = NewTrack::builder("Song", &["Band"])
        .spotify_id("kept1")
        .album("Second album")
        .build();
    write_sources(
        &mut conn,
        vec![("first.csv", vec![first]), ("second.csv", vec![second])],
    );
    let stored: Vec<(Option<String>, Option<String>, Option<i32>)> = tracks::table
        .select((tracks::album, tracks::genre, tracks::popularity))
        .load(&mut conn)
        .expect("tracks");
    assert_eq!(
        stored,
        vec![(Some("Second album".into()), Some("rock".into()), Some(40))]
    );
    assert_eq!(linked_genres(&mut conn), ["hard rock", "rock"]);
}

/// A stored track whose first row in a new source names no genre keeps its genres, and
/// a later row of it may name one it has (as on SQLite, `tests/import.rs`): the link
/// had been inserted again, and the unique key refused the whole import.
#[test]
fn a_repeated_row_may_name_a_genre_the_stored_track_has() {
    use insights_hub::catalog::NewTrack;
    let Some(url) = postgres_or_skip("a_repeated_row_may_name_a_genre_the_stored_track_has") else {
        return;
    };
    let db = TestDb::fresh_schema(&url);
    let mut conn = db::open_connection(&db.database).expect("connect");
    let song = |genres: &[(&str, Option<&str>)]| {
        NewTrack::builder("Song", &["Band"])
            .spotify_id("kept1")
            .genres(genres)
            .build()
    };
    write_sources(
        &mut conn,
        vec![
            ("first.csv", vec![song(&[("rock", Some("hard rock"))])]),
            (
                "second.csv",
                vec![
                    song(&[]),
                    song(&[("rock", Some("hard rock"))]),
                    song(&[("pop", None)]),
                ],
            ),
        ],
    );
    assert_eq!(linked_genres(&mut conn), ["hard rock", "pop", "rock"]);
}

/// The log-in throttle's counts wait on the database (a lock that every server's
/// attempts take): while one attempt waits there, the server's async workers must go on
/// answering everything else. The test holds that lock from another connection, as
/// another server's attempt would, and asks for a page while a log-in waits on it; the
/// lock is let go when the page has answered, or after 10 s at the latest. Made on the
/// async worker, the wait had held the test's only runtime thread, and the page
/// answered only after those 10 s.
#[tokio::test]
async fn a_log_in_waiting_on_the_throttle_leaves_other_pages_answering() {
    use diesel::{connection::SimpleConnection, Connection, PgConnection};
    let Some(_) = postgres_or_skip("a_log_in_waiting_on_the_throttle") else {
        return;
    };
    let app = common::empty_app();
    Browser::new()
        .sign_up(&app.client, "ada", GOOD_PASSWORD)
        .await;
    let Database::Postgres(schema_url) = &app.db.database else {
        panic!("a PostgreSQL test database");
    };
    let mut holder = PgConnection::establish(schema_url).expect("connect");
    // The throttle's lock (db::throttle_transaction): purpose 4 in this schema.
    holder
        .batch_execute("SELECT pg_advisory_lock(hashtext(current_schema()), 4)")
        .expect("take the throttle's lock");
    let (answered, page_done) = std::sync::mpsc::channel::<()>();
    let releaser = std::thread::spawn(move || {
        let waited_out = page_done.recv_timeout(Duration::from_secs(10)).is_err();
        holder
            .batch_execute("SELECT pg_advisory_unlock(hashtext(current_schema()), 4)")
            .expect("let the lock go");
        waited_out
    });
    let log_in = async {
        Browser::new()
            .log_in(&app.client, "ada", GOOD_PASSWORD)
            .await
    };
    let page = async {
        let page = Browser::new().get(&app.client, "/login").await;
        let _ = answered.send(());
        page
    };
    let (log_in, page) = tokio::join!(log_in, page);
    let waited_out = releaser.join().expect("the releasing thread");
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !waited_out,
        "the page answered only after the log-in's wait for the lock ended"
    );
    assert_eq!(log_in.status, StatusCode::SEE_OTHER, "{}", log_in.body);
}

/// A catalog read (`db::read_transaction`: the snapshot, the genre profiles, the track
/// facts) sees one moment, though an import commits between two of its statements: on
/// PostgreSQL's default isolation the second read saw the new catalog.
#[test]
fn a_catalog_read_sees_one_moment_while_an_import_commits() {
    let Some(url) = postgres_or_skip("a_catalog_read_sees_one_moment") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::fresh_schema(&url);
    let import = |rows, seed| {
        import_database(
            &db.database,
            &[synthetic_csv(dir.path(), rows, seed)],
            ImportOptions::default(),
            &mut NoProgress,
        )
        .expect("import")
    };
    import(50, 1);
    let mut reader = db::open_connection(&db.database).expect("connect");
    let (first, second) = db::read_transaction(&mut reader, |conn| {
        let first = catalog_meta::load(conn)?;
        import(80, 2);
        let second = catalog_meta::load(conn)?;
        Ok::<_, diesel::result::Error>((first, second))
    })
    .expect("read");
    assert_eq!(first.version, second.version);
    assert_eq!(first.track_count, second.track_count);
    let now = catalog_meta::load(&mut reader).expect("meta");
    assert!(now.version > first.version, "the import did commit");
}
