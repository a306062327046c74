//! The matching index as the server holds it: loaded from the database into the catalog
//! snapshot, and rebuilt when an import changes the catalog version.

mod common;

use common::empty_app;
use insights_hub::{
    catalog::{AudioFeatures, Feature, NewTrack},
    db::{catalog_meta::SourceKind, catalog_writer::CatalogWriter},
    matching::MatchSettings,
    AppState,
};

fn track(name: &str, artists: &[&str], level: f64, genre: Option<&str>) -> NewTrack {
    NewTrack {
        spotify_id: None,
        name: name.into(),
        artists: artists.iter().map(|a| a.to_string()).collect(),
        album: None,
        release_year: Some(2001),
        genre: genre.map(str::to_string),
        popularity: if genre.is_some() { Some(60) } else { None },
        duration_ms: None,
        explicit: Some(false),
        musical_key: None,
        mode: None,
        time_signature: None,
        features: AudioFeatures {
            danceability: level,
            energy: level,
            acousticness: level,
            instrumentalness: level,
            valence: level,
            speechiness: 0.05,
            liveness: 0.1,
            tempo: 300.0, // beyond the slider range: indexed at its end
            loudness: -6.0,
        },
    }
}

fn write(state: &AppState, tracks: &[NewTrack]) {
    let mut conn = state.pool.get().expect("connection");
    let mut writer = CatalogWriter::new(&mut conn).expect("writer");
    for t in tracks {
        writer.write(&mut conn, t).expect("write");
    }
    writer
        .finish(&mut conn, SourceKind::Import, "test.csv", 1_000)
        .expect("finish");
}

#[tokio::test]
async fn index_is_loaded_from_the_database_and_rebuilt_on_import() {
    let app = empty_app();
    assert!(app.state.catalog().features.is_empty());

    write(
        &app.state,
        &[
            track("Near", &["Main", "Guest"], 0.52, Some("rock")),
            track("Far", &["Other"], 0.9, None),
        ],
    );
    assert!(app.state.refresh_catalog().await.unwrap());
    let catalog = app.state.catalog();
    let index = &catalog.features;
    assert_eq!(index.len(), 2);
    assert_eq!(index.genres(), vec!["rock"]);

    let out = index.search(&MatchSettings::default()).unwrap();
    assert_eq!(out.matches.len(), 2);
    let best = &out.matches[0];
    assert_eq!(best.genre.as_deref(), Some("rock"));
    assert_eq!(best.release_year, Some(2001));
    let main_artist: i32 = {
        use diesel::prelude::*;
        use insights_hub::db::schema::artists;
        let mut conn = app.state.pool.get().unwrap();
        artists::table
            .filter(artists::name.eq("Main"))
            .select(artists::id)
            .first(&mut conn)
            .unwrap()
    };
    assert_eq!(
        best.main_artist_id,
        Some(main_artist),
        "first credited artist"
    );
    let tempo = best
        .differences
        .iter()
        .find(|d| d.feature == Feature::Tempo)
        .unwrap();
    assert_eq!(tempo.value, Some(250.0));
    let popularity = out.matches[1]
        .differences
        .iter()
        .find(|d| d.feature == Feature::Popularity)
        .unwrap();
    assert_eq!(popularity.value, None, "unknown popularity stays unknown");

    // A second import is picked up by the version, and the old snapshot's index is
    // untouched for whoever still holds it.
    write(&app.state, &[track("Third", &["Main"], 0.1, Some("jazz"))]);
    assert!(app.state.refresh_catalog().await.unwrap());
    assert_eq!(app.state.catalog().features.len(), 3);
    assert_eq!(index.len(), 2);
}
