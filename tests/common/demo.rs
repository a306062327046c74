//! The real app over a database holding the demo catalog (20,000 tracks), for tests that
//! need realistic data without writing fixtures.
//!
//! Seeding takes a moment, so each test process seeds once into a template database and
//! every `demo_app()` starts from a copy of its bytes: tests stay independent (each has
//! its own file) and fast.

use std::sync::OnceLock;

use insights_hub::{catalog::demo, db::catalog_file::catalog_path, AppState, Config};

use super::TestApp;

/// The bytes of a database with migrations applied and the demo catalog seeded: the
/// main file's and the catalog file's.
fn template() -> &'static (Vec<u8>, Vec<u8>) {
    static TEMPLATE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("demo.db");
        let pool = insights_hub::db::open(&path).expect("open template database");
        let mut conn = pool.get().expect("connection");
        demo::seed(&mut conn).expect("seed the demo catalog");
        // Move everything from the write-ahead logs into the files, so copying the two
        // files copies the whole database.
        diesel::connection::SimpleConnection::batch_execute(
            &mut *conn,
            "PRAGMA main.wal_checkpoint(TRUNCATE); PRAGMA catalog.wal_checkpoint(TRUNCATE);",
        )
        .expect("checkpoint");
        (
            std::fs::read(&path).expect("read template database"),
            std::fs::read(catalog_path(&path)).expect("read template catalog"),
        )
    })
}

/// A fresh copy of the seeded demo database and the real router over it.
pub fn demo_app() -> TestApp {
    demo_app_with(|_| {})
}

/// `demo_app` with the configuration adjusted first.
pub fn demo_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let (main, catalog) = template();
    std::fs::write(&path, main).expect("copy template database");
    std::fs::write(catalog_path(&path), catalog).expect("copy template catalog");
    let mut config = Config::for_database(path);
    configure(&mut config);
    let state = AppState::open(config).expect("open database");
    let client = TestApp::client_for(&state);
    TestApp { state, client, dir }
}
