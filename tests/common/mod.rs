//! Shared test helpers: the real app over a fresh SQLite file in a temp directory.
#![allow(dead_code)]

use insights_hub::{app, AppState, Config};
use poem::{test::TestClient, Endpoint};
use tempfile::TempDir;

pub struct TestApp {
    pub state: AppState,
    pub client: TestClient<Box<dyn Endpoint<Output = poem::Response>>>,
    /// Kept so the database file lives as long as the test.
    pub dir: TempDir,
}

/// A fresh database (migrated, empty catalog) and the real router over it.
pub fn empty_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_database(dir.path().join("test.db"));
    let state = AppState::open(config).expect("open database");
    let client = TestClient::new(Box::new(app(state.clone())) as Box<dyn Endpoint<Output = poem::Response>>);
    TestApp { state, client, dir }
}
