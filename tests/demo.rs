//! The demo catalog in the database and on the pages: seeded once into an empty
//! database, labelled as demo data, never over real data.

mod common;

use common::{demo::demo_app, empty_app};
use diesel::prelude::*;
use insights_hub::{
    catalog::{demo, NewTrack, TrackKeys},
    db::{
        catalog_meta::{self, SourceKind},
        catalog_writer::CatalogWriter,
        schema::{artists, track_artists, tracks},
    },
    AppState,
};

fn count_rows(state: &AppState) -> (i64, i64, i64) {
    let mut conn = state.pool.get().expect("connection");
    (
        tracks::table.count().get_result(&mut conn).expect("tracks"),
        artists::table
            .count()
            .get_result(&mut conn)
            .expect("artists"),
        track_artists::table
            .count()
            .get_result(&mut conn)
            .expect("credits"),
    )
}

#[test]
fn the_seeded_database_holds_the_whole_demo_catalog() {
    let app = demo_app();
    let generated = demo::generate();
    let credits: usize = generated.iter().map(|t| t.artists.len()).sum();
    assert_eq!(
        count_rows(&app.state),
        (
            demo::TRACK_COUNT as i64,
            demo::ARTIST_COUNT as i64,
            credits as i64
        )
    );
    let catalog = app.state.catalog();
    assert!(catalog.is_demo());
    assert_eq!(catalog.meta.source_kind, SourceKind::Demo);
    assert_eq!(catalog.meta.source_name, demo::SOURCE_NAME);
    assert_eq!(catalog.meta.track_count, demo::TRACK_COUNT as i64);
    assert_eq!(catalog.meta.artist_count, demo::ARTIST_COUNT as i64);
    assert_eq!(catalog.meta.genre_count, 12);
    assert!(catalog.meta.min_year.is_some_and(|y| y >= 1955));
    assert_eq!(catalog.meta.max_year, Some(2025));
    // The snapshot's averages come from the stored rows: they match the generated ones.
    let energy = generated.iter().map(|t| t.features.energy).sum::<f64>() / generated.len() as f64;
    assert!((catalog.average.energy - energy).abs() < 1e-9);
}

#[test]
fn artist_aggregates_count_guest_appearances() {
    let app = demo_app();
    let generated = demo::generate();
    let collaboration = generated
        .iter()
        .find(|t| t.artists.len() == 2)
        .expect("the demo has collaborations");
    let guest = &collaboration.artists[1];
    let expected = generated
        .iter()
        .filter(|t| t.artists.contains(guest))
        .count() as i32;
    let mut conn = app.state.pool.get().expect("connection");
    let stored: i32 = artists::table
        .filter(artists::name.eq(guest))
        .select(artists::track_count)
        .first(&mut conn)
        .expect("the guest is an artist");
    assert_eq!(stored, expected);
}

#[test]
fn serving_an_empty_database_seeds_it_once() {
    let app = empty_app();
    let config = (*app.state.config).clone();
    assert!(config.seed_demo);

    let first = AppState::open_for_serving(config.clone()).expect("first start");
    assert!(first.catalog().is_demo());
    let version = first.catalog().meta.version;
    assert_eq!(count_rows(&first).0, demo::TRACK_COUNT as i64);

    let second = AppState::open_for_serving(config).expect("second start");
    assert_eq!(second.catalog().meta.version, version, "seeded again");
    assert_eq!(count_rows(&second).0, demo::TRACK_COUNT as i64);

    let mut conn = app.state.pool.get().expect("connection");
    assert!(matches!(
        demo::seed_if_empty(&mut conn).expect("check"),
        demo::Seeding::HasTracks
    ));
}

#[test]
fn no_demo_leaves_an_empty_database_empty() {
    let app = empty_app();
    let mut config = (*app.state.config).clone();
    config.seed_demo = false;
    let state = AppState::open_for_serving(config).expect("start");
    assert!(state.catalog().is_empty());
    assert_eq!(count_rows(&state).0, 0);
}

/// A main file restored without its catalog file: accounts beside an empty catalog.
/// The demo is not seeded there (its invented tracks would take the ids the accounts'
/// saved seeds name, and show other songs under them); the catalog stays empty.
#[tokio::test]
async fn accounts_beside_an_empty_catalog_are_not_given_the_demo() {
    let app = empty_app();
    let page = common::auth::Browser::new()
        .sign_up(&app.client, "ada", common::auth::GOOD_PASSWORD)
        .await;
    assert_eq!(
        page.status,
        poem::http::StatusCode::SEE_OTHER,
        "{}",
        page.body
    );
    let config = (*app.state.config).clone();
    assert!(config.seed_demo);
    let state = AppState::open_for_serving(config).expect("start");
    assert!(state.catalog().is_empty());
    assert_eq!(count_rows(&state).0, 0);
    let mut conn = state.pool.get().expect("connection");
    assert!(matches!(
        demo::seed_if_empty(&mut conn).expect("check"),
        demo::Seeding::EmptyBesideAccounts
    ));
}

#[test]
fn a_database_with_real_tracks_is_never_seeded() {
    let app = empty_app();
    let mut conn = app.state.pool.get().expect("connection");
    let mut track: NewTrack = demo::generate().swap_remove(0);
    track.spotify_id = Some("4uLU6hMCjMI75M1A2tKUQC".into());
    track.artists = vec!["Someone Real".into()];
    let mut writer = CatalogWriter::new(&mut conn).expect("writer");
    writer
        .write_keyed(&mut conn, track.clone(), TrackKeys::of(&track))
        .expect("write");
    writer
        .finish(&mut conn, SourceKind::Import, "mine.csv", 1_700_000_000)
        .expect("finish");

    assert!(matches!(
        demo::seed_if_empty(&mut conn).expect("check"),
        demo::Seeding::HasTracks
    ));
    let meta = catalog_meta::load(&mut conn).expect("meta");
    assert_eq!(
        (meta.source_kind, meta.track_count),
        (SourceKind::Import, 1)
    );
}

#[test]
fn seed_replaces_the_catalog_with_exactly_the_demo() {
    let app = empty_app();
    let mut conn = app.state.pool.get().expect("connection");
    let mut extra: NewTrack = demo::generate().swap_remove(5);
    extra.spotify_id = Some("4uLU6hMCjMI75M1A2tKUQC".into());
    extra.artists = vec!["Someone Real".into()];
    let mut writer = CatalogWriter::new(&mut conn).expect("writer");
    writer
        .write_keyed(&mut conn, extra.clone(), TrackKeys::of(&extra))
        .expect("write");
    writer
        .finish(&mut conn, SourceKind::Import, "mine.csv", 1_700_000_000)
        .expect("finish");

    let stats = demo::seed(&mut conn).expect("seed");
    assert_eq!(stats.tracks, demo::TRACK_COUNT as u64);
    assert_eq!(stats.artists, demo::ARTIST_COUNT as u64);
    let meta = catalog_meta::load(&mut conn).expect("meta");
    assert_eq!(meta.source_kind, SourceKind::Demo);
    assert_eq!(meta.track_count, demo::TRACK_COUNT as i64);
    let real: i64 = artists::table
        .filter(artists::name.eq("Someone Real"))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(real, 0);
}

#[tokio::test]
async fn home_page_labels_the_demo_and_shows_its_numbers() {
    let app = demo_app();
    let resp = app.client.get("/").send().await;
    resp.assert_status_is_ok();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert!(body.contains("Demo data."), "no demo notice");
    assert!(body.contains("invented"));
    assert!(
        body.contains("insights-hub import --database "),
        "no import command"
    );
    assert!(body.contains("20,000"), "track count missing");
    assert!(body.contains("1,000"), "artist count missing");
    assert!(body.contains(&app.state.catalog().year_span()));
    assert!(
        body.contains("Demo catalog"),
        "footer does not name the demo"
    );
}
