//! Shared test helpers: the real app over a fresh SQLite file in a temp directory.
#![allow(dead_code)]

pub mod auth;
pub mod demo;
pub mod fixtures;

use insights_hub::{app, AppState, Config};
use poem::{endpoint::BoxEndpoint, test::TestClient, EndpointExt, Response};
use tempfile::TempDir;

pub type Client = TestClient<BoxEndpoint<'static, Response>>;

pub struct TestApp {
    pub state: AppState,
    pub client: Client,
    /// Kept so the database file lives as long as the test.
    pub dir: TempDir,
}

impl TestApp {
    /// Rebuilds the client over the same state (for example after changing the catalog
    /// and refreshing the snapshot).
    pub fn client_for(state: &AppState) -> Client {
        TestClient::new(app(state.clone()).boxed())
    }
}

/// A fresh database (migrated, empty catalog) and the real router over it.
pub fn empty_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_database(dir.path().join("test.db"));
    let state = AppState::open(config).expect("open database");
    let client = TestApp::client_for(&state);
    TestApp { state, client, dir }
}
