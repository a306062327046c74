//! The catalog snapshot file (issue 17, start-up): after a server builds its indexes it
//! writes them beside the catalog file, and the next server over the same database
//! reads them back instead of building them, answering exactly as a build does. A
//! damaged file, or one left from an older catalog version, is never used. The same for
//! the per-track facts the first perfect-song answer reads (`-facts`).
//! SQLite only: PostgreSQL has no catalog file to put it beside.

mod common;

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use common::{
    auth::{Browser, GOOD_PASSWORD},
    demo::{demo_app, demo_app_with},
    fixtures, TestApp,
};
use diesel::Connection;
use insights_hub::{
    catalog::snapshot::SnapshotOrigin,
    db::{catalog_file::catalog_path, catalog_meta::SourceKind, catalog_writer::CatalogWriter},
    AppState, Config,
};
use poem::http::StatusCode;

/// A cache file beside the catalog file of the database at `main`.
fn beside_catalog(main: &Path, suffix: &str) -> PathBuf {
    let mut name = catalog_path(main).into_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Runs `sql` on the catalog file directly, without moving the catalog version (what
/// no import does): the tests' way to see whether a restart read the database.
fn change_behind_the_version(main: &Path, sql: &str) {
    let mut conn =
        diesel::SqliteConnection::establish(catalog_path(main).to_str().expect("utf-8 path"))
            .expect("open the catalog");
    diesel::connection::SimpleConnection::batch_execute(&mut conn, sql).expect(sql);
}

/// Waits (bounded) until the file exists and differs from `old`: it is written on a
/// thread of its own after a build.
fn wait_for_new_file(path: &Path, old: Option<&[u8]>) -> Vec<u8> {
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(path) {
            if Some(bytes.as_slice()) != old {
                return bytes;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no new snapshot file at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Another server over the same database, as after a restart.
fn restart(app: &TestApp) -> AppState {
    restart_with(app, None)
}

/// `restart`, with the cache files in `cache_dir`.
fn restart_with(app: &TestApp, cache_dir: Option<&Path>) -> AppState {
    let mut config = Config::for_database(&app.db.database);
    config.key_dir = Some(app.dir.path().to_path_buf());
    config.cache_dir = cache_dir.map(Path::to_path_buf);
    AppState::open(config).expect("open the same database again")
}

/// The one file in `dir` whose name ends with `suffix`, once it is there.
fn wait_for_file_ending(dir: &Path, suffix: &str) -> PathBuf {
    let started = Instant::now();
    loop {
        let found: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read the cache directory")
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.to_string_lossy().ends_with(suffix))
            .collect();
        if let [one] = found.as_slice() {
            return one.clone();
        }
        assert!(
            found.len() < 2,
            "several files end with {suffix}: {found:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no file ending with {suffix} in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What a signed-in user sees of the catalog: live answers with and without filters and
/// in both metrics, artist suggestions, an artist page and the genres.
async fn what_a_user_sees(state: &AppState, browser: &Browser) -> Vec<String> {
    let client = TestApp::client_for(state);
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let mut seen = Vec::new();
    for path in [
        "/perfect-song?energy=0.8&danceability=0.3",
        "/perfect-song?energy=0.2&valence=0.9&metric=cosine&min_year=1990&max_year=2015",
        "/perfect-song?genre=rock&tempo=128&w_tempo=3",
        "/artists/suggest?q=the",
        "/artists/suggest?q=ashgrov",
        "/genres",
    ] {
        let page = htmx.clone().get(&client, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.len() > 100, "{path}: {}", page.body);
        seen.push(page.body);
    }
    let artist = state.catalog().artists.most_tracks(1)[0].id;
    let page = browser
        .clone()
        .get(&client, &format!("/artists/{artist}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    seen.push(without_csrf_tokens(&page.body));
    seen
}

/// A page without its CSRF tokens, which are masked afresh on every request.
fn without_csrf_tokens(html: &str) -> String {
    let mut rest = html;
    let mut kept = String::with_capacity(html.len());
    while let Some(at) = ["csrf-token\" content=\"", "csrf_token\" value=\""]
        .iter()
        .filter_map(|marker| rest.find(marker).map(|i| i + marker.len()))
        .min()
    {
        kept.push_str(&rest[..at]);
        rest = &rest[at..];
        rest = &rest[rest.find('"').unwrap_or(rest.len())..];
    }
    kept.push_str(rest);
    kept
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_the_indexes_back_and_answers_exactly_as_a_build() {
    let app = demo_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return;
    };
    let path = beside_catalog(&main, "-snapshot");
    assert_eq!(app.state.catalog().origin, SnapshotOrigin::Database);
    let mut browser = Browser::new();
    let signed_up = browser
        .sign_up(&app.client, "restarts", GOOD_PASSWORD)
        .await;
    assert_eq!(signed_up.status, StatusCode::SEE_OTHER);
    let built = what_a_user_sees(&app.state, &browser).await;
    assert!(built[0].contains("ps-answer-title"), "{}", built[0]);

    let written = wait_for_new_file(&path, None);
    let restarted = restart(&app);
    assert_eq!(restarted.catalog().origin, SnapshotOrigin::File);
    assert_eq!(
        restarted.catalog().meta.version,
        app.state.catalog().meta.version
    );
    assert_eq!(what_a_user_sees(&restarted, &browser).await, built);

    // One byte flipped in the middle: the file is not used, the catalog is built again
    // (and answers the same), and a good file replaces the damaged one.
    let mut damaged = written.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x40;
    std::fs::write(&path, &damaged).expect("damage the file");
    let after_damage = restart(&app);
    assert_eq!(after_damage.catalog().origin, SnapshotOrigin::Database);
    assert_eq!(what_a_user_sees(&after_damage, &browser).await, built);
    let rewritten = wait_for_new_file(&path, Some(&damaged));
    assert_eq!(rewritten, written, "the same catalog writes the same file");

    // Cut short: the same.
    std::fs::write(&path, &written[..written.len() - 100]).expect("truncate the file");
    assert_eq!(restart(&app).catalog().origin, SnapshotOrigin::Database);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_from_an_older_catalog_version_is_never_used() {
    let app = demo_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return;
    };
    let path = beside_catalog(&main, "-snapshot");
    let demo_file = wait_for_new_file(&path, None);
    let demo_tracks = app.state.catalog().meta.track_count;

    // A new catalog written by another process (no server here refreshes, so nothing
    // writes a new file): the old file must not be taken for it.
    let pool = app.state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for (i, level) in [0.1, 0.5, 0.9].into_iter().enumerate() {
                let track = fixtures::track(
                    &format!("new{i}"),
                    &format!("New {i}"),
                    &["Newcomer"],
                    level,
                );
                writer.write_keyed(
                    conn,
                    track.clone(),
                    insights_hub::catalog::TrackKeys::of(&track),
                )?;
            }
            writer.finish(conn, SourceKind::Import, "new.csv", 1_900_000_000)?;
            Ok(())
        })
        .expect("write the new catalog");
    })
    .await
    .expect("writer task");

    let restarted = restart(&app);
    assert_eq!(restarted.catalog().origin, SnapshotOrigin::Database);
    assert_ne!(restarted.catalog().meta.track_count, demo_tracks);
    let client = TestApp::client_for(&restarted);
    let names = Browser::new().get(&client, "/artists?q=newc").await;
    assert!(names.body.contains("Newcomer"), "{}", names.body);
    // And the new version's file follows.
    wait_for_new_file(&path, Some(&demo_file));
    let again = restart(&app);
    assert_eq!(again.catalog().origin, SnapshotOrigin::File);
    assert_eq!(
        again.catalog().meta.version,
        restarted.catalog().meta.version
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_the_track_facts_back_from_their_file() {
    let app = demo_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return;
    };
    let facts_path = beside_catalog(&main, "-facts");
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "facts", GOOD_PASSWORD).await;
    browser.headers.push(("HX-Request".into(), "true".into()));
    let query = "/perfect-song?energy=0.8&danceability=0.3";
    // The first answer reads every track's facts (key, mode, tempo...) and writes them.
    let first = browser.get(&app.client, query).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("ps-camelot"), "{}", first.body);
    wait_for_new_file(&facts_path, None);

    // Behind the catalog version's back, every track's key changes to B. A restart
    // takes the facts from the file, so the answer shows the keys as they were...
    change_behind_the_version(&main, "UPDATE tracks SET musical_key = 11");
    let restarted = restart(&app);
    let from_file = browser.get(&TestApp::client_for(&restarted), query).await;
    assert_eq!(from_file.body, first.body);

    // ...and without the file, the same restart reads the facts from the database.
    std::fs::remove_file(&facts_path).expect("remove the facts file");
    let restarted = restart(&app);
    let from_database = browser.get(&TestApp::client_for(&restarted), query).await;
    assert_ne!(from_database.body, first.body);
    assert!(
        from_database.body.contains("B major") || from_database.body.contains("B minor"),
        "{}",
        from_database.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_reads_the_genre_profiles_back_from_their_file() {
    let app = demo_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return;
    };
    let genres_path = beside_catalog(&main, "-genres");
    let pages = [
        "/",
        "/genres",
        "/genres/rock",
        "/genres/compare?genre=rock&genre=jazz",
    ];
    let mut built = Vec::new();
    for path in pages {
        let page = Browser::new().get(&app.client, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        built.push(without_csrf_tokens(&page.body));
    }
    assert!(built[1].contains("rock"), "{}", built[1]);
    wait_for_new_file(&genres_path, None);

    // Behind the catalog version's back, every track loses its genres. A restart takes
    // the profiles from the file, so every genre page is as it was...
    change_behind_the_version(&main, "DELETE FROM track_genres");
    let restarted = restart(&app);
    let client = TestApp::client_for(&restarted);
    for (path, before) in pages.iter().zip(&built) {
        let page = Browser::new().get(&client, path).await;
        assert_eq!(&without_csrf_tokens(&page.body), before, "{path}");
    }

    // ...and without the file, the same restart reads the database: no rock any more.
    std::fs::remove_file(&genres_path).expect("remove the genres file");
    let restarted = restart(&app);
    let client = TestApp::client_for(&restarted);
    let rock = Browser::new().get(&client, "/genres/rock").await;
    assert_eq!(rock.status, StatusCode::NOT_FOUND);
}

/// `--cache-dir`: the files go there instead of beside the catalog, and it is what
/// gives a PostgreSQL server (which has no catalog file) a fast restart. On either
/// database, whichever this test run uses. A directory not there yet is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_directory_holds_the_files_on_either_database() {
    let parent = tempfile::tempdir().expect("cache dir");
    let cache = parent.path().join("not").join("made yet");
    let app = demo_app_with(|config| config.cache_dir = Some(cache.clone()));
    assert_eq!(app.state.catalog().origin, SnapshotOrigin::Database);
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "cached", GOOD_PASSWORD).await;
    let built = what_a_user_sees(&app.state, &browser).await;
    let snapshot = wait_for_file_ending(cache.as_path(), "-snapshot");
    wait_for_file_ending(cache.as_path(), "-facts");
    wait_for_file_ending(cache.as_path(), "-genres");
    if let Some(main) = app.db.database.sqlite_path() {
        assert!(!beside_catalog(main, "-snapshot").exists());
    }

    let restarted = restart_with(&app, Some(cache.as_path()));
    assert_eq!(restarted.catalog().origin, SnapshotOrigin::File);
    assert_eq!(what_a_user_sees(&restarted, &browser).await, built);
    // Without the directory, a PostgreSQL server has nowhere to look, and builds.
    if app.db.database.sqlite_path().is_none() {
        assert_eq!(restart(&app).catalog().origin, SnapshotOrigin::Database);
    }
    assert!(snapshot.exists());
}

/// A pipe left where the indexes' cache file goes: a restart builds the indexes from
/// the database instead of waiting for a writer that never comes (start-up had hung,
/// logging nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipe_at_the_cache_file_path_is_not_waited_on() {
    let app = demo_app();
    let Some(main) = app.db.database.sqlite_path().map(Path::to_path_buf) else {
        return;
    };
    let path = beside_catalog(&main, "-snapshot");
    wait_for_new_file(&path, None);
    std::fs::remove_file(&path).expect("remove the file");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let (done, started) = std::sync::mpsc::channel();
    let restarting = std::thread::spawn(move || {
        let _ = done.send(restart(&app).catalog().origin);
    });
    let origin = started
        .recv_timeout(Duration::from_secs(30))
        .expect("the restart did not wait on the pipe");
    assert_eq!(origin, SnapshotOrigin::Database);
    restarting.join().expect("restart thread");
}
