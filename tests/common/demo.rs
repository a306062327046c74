//! The real app over a database holding the demo catalog (20,000 tracks), for tests that
//! need realistic data without writing fixtures.
//!
//! Seeding takes a moment, so each test process seeds once into a template database and
//! every `demo_app()` starts from a copy of its bytes: tests stay independent (each has
//! its own file) and fast.

use std::sync::OnceLock;

use diesel::{connection::SimpleConnection, Connection, PgConnection};
use insights_hub::{catalog::demo, db::catalog_file::catalog_path, AppState, Config};

use super::{TestApp, TestDb};

/// PostgreSQL (TEST_DATABASE_URL set): a schema seeded once per test process, copied
/// table by table into each test's fresh schema. It stays for the life of the server
/// (the CI's server is thrown away).
fn pg_template(url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let db = TestDb::fresh_schema(url);
        let pool = insights_hub::db::open(&db.database).expect("open template schema");
        let mut conn = pool.get().expect("connection");
        demo::seed(&mut conn).expect("seed the demo catalog");
        db.keep_schema()
    })
}

/// Copies the catalog tables of the template schema into a migrated, empty one.
fn copy_pg_catalog(db: &TestDb, template: &str) {
    let schema = db.schema_name().expect("a schema");
    let (url, _) = db.admin().expect("a schema");
    let mut conn = PgConnection::establish(url).expect("connect");
    let mut sql = format!("BEGIN; SET LOCAL search_path = {schema}; SET CONSTRAINTS ALL DEFERRED; DELETE FROM catalog_meta;");
    for table in [
        "catalog_meta",
        "catalog_imports",
        "tracks",
        "artists",
        "track_artists",
        "genres",
        "track_genres",
    ] {
        sql.push_str(&format!(
            "INSERT INTO {table} SELECT * FROM {template}.{table};"
        ));
    }
    sql.push_str("COMMIT;");
    conn.batch_execute(&sql).expect("copy the demo catalog");
}

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
    if let Some(url) = super::postgres_url() {
        let template = pg_template(&url);
        let db = TestDb::fresh_schema(&url);
        drop(insights_hub::db::open(&db.database).expect("migrate the test schema"));
        copy_pg_catalog(&db, template);
        let mut config = Config::for_database(&db.database);
        config.key_dir = Some(dir.path().to_path_buf());
        configure(&mut config);
        let state = AppState::open(config).expect("open database");
        let client = TestApp::client_for(&state);
        return TestApp {
            state,
            client,
            dir,
            db,
        };
    }
    let path = dir.path().join("test.db");
    let (main, catalog) = template();
    std::fs::write(&path, main).expect("copy template database");
    std::fs::write(catalog_path(&path), catalog).expect("copy template catalog");
    let db = TestDb {
        database: path.into(),
        schema: None,
    };
    let mut config = Config::for_database(&db.database);
    config.key_dir = Some(dir.path().to_path_buf());
    configure(&mut config);
    let state = AppState::open(config).expect("open database");
    let client = TestApp::client_for(&state);
    TestApp {
        state,
        client,
        dir,
        db,
    }
}
