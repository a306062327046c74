//! Shared test helpers: the real app over a fresh database: a SQLite file in a temp
//! directory, or, when TEST_DATABASE_URL names a PostgreSQL server, a fresh schema in
//! that database (dropped when the test ends).
#![allow(dead_code)]

pub mod auth;
pub mod demo;
pub mod fixtures;

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::{connection::SimpleConnection, Connection, PgConnection};
use insights_hub::{app, config::Database, AppState, Config};
use poem::{endpoint::BoxEndpoint, test::TestClient, EndpointExt, Response};
use tempfile::TempDir;

pub type Client = TestClient<BoxEndpoint<'static, Response>>;

pub struct TestApp {
    pub state: AppState,
    pub client: Client,
    /// Kept so the database file lives as long as the test.
    pub dir: TempDir,
    /// The database; a PostgreSQL schema is dropped with it.
    pub db: TestDb,
}

/// The PostgreSQL server the tests run against, from TEST_DATABASE_URL; `None`: SQLite.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// For tests that only mean something on PostgreSQL: `None` (with a printed note)
/// when TEST_DATABASE_URL is not set, so the test passes without checking anything.
pub fn postgres_or_skip(test: &str) -> Option<String> {
    let url = postgres_url();
    if url.is_none() {
        eprintln!("note: {test} skipped: set TEST_DATABASE_URL=postgres://... to run it");
    }
    url
}

/// A test's own database: `name` in the temp directory (SQLite), or a fresh schema in
/// the TEST_DATABASE_URL database, found through the connection's search_path and
/// dropped (with everything in it) when this is dropped.
pub struct TestDb {
    pub database: Database,
    pub(crate) schema: Option<(String, String)>,
}

impl TestDb {
    /// The schema's name, on PostgreSQL.
    pub fn schema_name(&self) -> Option<&str> {
        self.schema.as_ref().map(|(_, schema)| schema.as_str())
    }

    /// The schema's name; it is not dropped (a template that outlives the test).
    pub fn keep_schema(mut self) -> String {
        self.schema
            .take()
            .map(|(_, schema)| schema)
            .expect("a schema")
    }

    /// (server URL without the search_path, schema), on PostgreSQL.
    pub fn admin(&self) -> Option<(&str, &str)> {
        self.schema
            .as_ref()
            .map(|(url, schema)| (url.as_str(), schema.as_str()))
    }

    pub fn new(dir: &TempDir, name: &str) -> TestDb {
        match postgres_url() {
            None => TestDb {
                database: Database::Sqlite(dir.path().join(name)),
                schema: None,
            },
            Some(url) => TestDb::fresh_schema(&url),
        }
    }

    /// A new, empty schema in the database at `url`, and that URL pointed at it.
    pub fn fresh_schema(url: &str) -> TestDb {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = PgConnection::establish(url).expect("connect to TEST_DATABASE_URL");
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create the test schema");
        let separator = if url.contains('?') { '&' } else { '?' };
        let database =
            Database::Postgres(format!("{url}{separator}options=-csearch_path%3D{schema}"));
        TestDb {
            database,
            schema: Some((url.to_string(), schema)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.schema {
            if let Ok(mut conn) = PgConnection::establish(url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

impl TestApp {
    /// Rebuilds the client over the same state (for example after changing the catalog
    /// and refreshing the snapshot).
    pub fn client_for(state: &AppState) -> Client {
        // As every HTTP/1.1 client does (a request without one is refused).
        TestClient::new(app(state.clone()).boxed()).default_header("host", "localhost")
    }
}

/// A fresh database (migrated, empty catalog) and the real router over it.
pub fn empty_app() -> TestApp {
    empty_app_with(|_| {})
}

/// `empty_app` with a change to its configuration.
pub fn empty_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::new(&dir, "test.db");
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

/// The address of the page of the artist named `name` in the app's catalog.
pub fn artist_path(app: &TestApp, name: &str) -> String {
    match app.state.catalog().artists.resolve(name) {
        insights_hub::catalog::artists::Resolution::Found(a) => format!("/artists/{}", a.id),
        other => panic!("{name} did not resolve: {other:?}"),
    }
}
