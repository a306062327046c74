//! The matching index as the server holds it: loaded from the database into the catalog
//! snapshot, and rebuilt when an import changes the catalog version; and its ranking as
//! the perfect-song page shows it.

mod common;

use poem::http::StatusCode;

use common::{
    auth::{Browser, GOOD_PASSWORD},
    empty_app, fixtures, TestApp,
};
use insights_hub::{
    catalog::{AudioFeatures, Feature, NewTrack, TrackKeys},
    db::{catalog_meta::SourceKind, catalog_writer::CatalogWriter},
    matching::MatchSettings,
    AppState,
};

fn track(name: &str, artists: &[&str], level: f64, genre: Option<&str>) -> NewTrack {
    NewTrack::builder(name, artists)
        .year(2001)
        .genre(genre)
        .popularity(genre.map(|_| 60))
        .explicit(false)
        .features(AudioFeatures {
            danceability: level,
            energy: level,
            acousticness: level,
            instrumentalness: level,
            valence: level,
            speechiness: 0.05,
            liveness: 0.1,
            tempo: 300.0, // beyond the slider range: indexed at its end
            loudness: -6.0,
        })
        .build()
}

fn write(state: &AppState, tracks: &[NewTrack]) {
    let mut conn = state.pool.get().expect("connection");
    let mut writer = CatalogWriter::new(&mut conn).expect("writer");
    for t in tracks {
        writer
            .write_keyed(&mut conn, t.clone(), TrackKeys::of(t))
            .expect("write");
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
    assert_eq!(best.genre_text().as_deref(), Some("rock"));
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

#[tokio::test]
async fn reading_on_two_connections_gives_the_same_index() {
    use diesel::connection::SimpleConnection;
    use insights_hub::{
        db::{track_features::scan_tracks_parallel_from, DbConnection},
        matching::{FeatureIndex, FeatureIndexBuilder},
    };
    fn load_index_parallel_from(
        conn: &mut DbConnection,
        from: i64,
    ) -> diesel::QueryResult<FeatureIndex> {
        Ok(
            scan_tracks_parallel_from::<FeatureIndexBuilder>(conn, from)?
                .tracks
                .finish(),
        )
    }
    let app = empty_app();
    let mut conn = app.state.pool.get().unwrap();
    conn.batch_execute(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
         INSERT INTO artists (id, name, name_key, search_key)
         SELECT x, 'A' || x, 'a' || x, 'a' || x FROM c;
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)
         INSERT INTO tracks (id, identity, name, release_year, genre, popularity, explicit,
             tempo, loudness, danceability, energy, acousticness, instrumentalness, valence,
             speechiness, liveness)
         SELECT x * 3, 'id' || x, 'T' || x, 1960 + x % 60,
             CASE WHEN x % 7 = 0 THEN NULL ELSE 'genre-' || (x % 5) END,
             CASE WHEN x % 11 = 0 THEN NULL ELSE x % 101 END, x % 9 = 0,
             (x * 37 % 250), -(x * 13 % 60), (x * 7 % 100) / 100.0, (x * 11 % 100) / 100.0,
             (x * 17 % 100) / 100.0, (x * 19 % 100) / 100.0, (x * 23 % 100) / 100.0,
             (x * 29 % 100) / 100.0, (x * 31 % 100) / 100.0
         FROM c;
         INSERT INTO track_artists (track_id, artist_id, position)
         SELECT id, (id % 300) + 1, 0 FROM tracks;
         INSERT INTO genres (id, name, name_key) VALUES (1, 'Linked', 'linked'), (2, 'Other', 'other');
         INSERT INTO track_genres (track_id, genre_id)
         SELECT id, 1 + (id % 2) FROM tracks WHERE genre IS NULL;",
    )
    .unwrap();
    let single = load_index_parallel_from(&mut conn, i64::MAX).unwrap();
    let parallel = load_index_parallel_from(&mut conn, 1).unwrap();
    assert_eq!(single.len(), 3000);
    assert_eq!(parallel.len(), 3000);
    assert_eq!(single.genres(), parallel.genres());
    let mut settings = MatchSettings::default();
    assert_eq!(
        single.search(&settings).unwrap(),
        parallel.search(&settings).unwrap()
    );
    settings.filters.genres.insert("genre-3".into());
    settings.filters.max_per_artist = Some(1);
    settings.weights.insert(Feature::Popularity, 1.0);
    settings.k = 50;
    let a = single.search(&settings).unwrap();
    // genre-3 is x ≡ 3 (mod 5); artist 3x mod 300 then takes 20 values: one track each.
    assert_eq!(a.matches.len(), 20);
    assert_eq!(a, parallel.search(&settings).unwrap());
    // Genres from links, read by each half for its own tracks.
    settings.filters.genres = ["Linked".to_string()].into();
    settings.filters.max_per_artist = None;
    let linked = single.search(&settings).unwrap();
    assert_eq!(linked.matches.len(), 50);
    assert_eq!(linked, parallel.search(&settings).unwrap());
    // The halves split the id range at its middle: one far-off id leaves nearly every
    // track in the lower half, and nothing may be lost or read twice.
    conn.batch_execute(
        "INSERT INTO tracks (id, identity, name, tempo, loudness, danceability, energy,
             acousticness, instrumentalness, valence, speechiness, liveness)
         VALUES (2000000000, 'far', 'Far', 120, -8, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);",
    )
    .unwrap();
    let single = load_index_parallel_from(&mut conn, i64::MAX).unwrap();
    let parallel = load_index_parallel_from(&mut conn, 1).unwrap();
    assert_eq!(parallel.len(), 3001);
    settings = MatchSettings::default();
    settings.k = 100;
    assert_eq!(
        single.search(&settings).unwrap(),
        parallel.search(&settings).unwrap()
    );
}

/// Issue 15, item 13: with two features on, "same mix" (cosine) must rank by the true
/// angle. These are the TidyTuesday tracks nearest to danceability 0.23 : energy 0.4
/// (in their catalog id order). Four are in exactly that proportion (distance 0, so
/// they tie and the lowest id wins); the next three are 2–5 × 10⁻¹⁰ away, which `f32`
/// could not tell from 0, so the page used to show Pavement (7th) first.
#[tokio::test]
async fn same_mix_ranks_exact_proportions_first_and_ties_by_id() {
    let app = empty_app();
    let tracks = [
        ("Pavement", "Veridian", 0.487, 0.847),
        ("Gangland", "Mankirt Aulakh", 0.525, 0.913),
        ("Halo", "Soil", 0.529, 0.92),
        ("Flame - Kaskade Remix", "Tinashe", 0.414, 0.72),
        ("Honestly", "Francis Davila", 0.506, 0.88),
        ("Remedy", "Seether", 0.548, 0.953),
        ("What I Like About You", "Jonas Blue", 0.46, 0.8),
        ("Elsewhere", "Nobody", 0.9, 0.1),
    ];
    let tracks = tracks
        .iter()
        .enumerate()
        .map(|(i, (name, artist, danceability, energy))| {
            let mut t = fixtures::track(&format!("t{i}"), name, &[artist], 0.5);
            t.features.danceability = *danceability;
            t.features.energy = *energy;
            t
        })
        .collect();
    fixtures::load(&app.state, "nearest.csv", tracks).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "angles", GOOD_PASSWORD).await;
    let page = browser
        .get(
            &app.client,
            "/perfect-song?danceability=0.23&energy=0.4&w_acousticness=0\
             &w_instrumentalness=0&w_valence=0&metric=cosine",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let titles = [
        "Halo",
        "Flame - Kaskade Remix",
        "Honestly",
        "What I Like About You",
        "Remedy",
        "Gangland",
        "Pavement",
    ];
    let at: Vec<usize> = titles
        .iter()
        .map(|t| {
            page.body
                .find(&format!(">{t}<"))
                .unwrap_or_else(|| panic!("{t} not shown:\n{}", page.body))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "order shown: {titles:?} at {at:?}"
    );
    assert!(
        page.body
            .contains(r#"id="ps-answer-title" class="ps-title">Halo</h2>"#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<strong>100.0</strong>"),
        "similarity 100"
    );

    // The same through the index: distance exactly 0 for the four in proportion.
    let catalog = app.state.catalog();
    let mut settings = MatchSettings {
        metric: insights_hub::matching::Metric::Cosine,
        ..Default::default()
    };
    settings.weights.clear();
    settings.weights.insert(Feature::Danceability, 1.0);
    settings.weights.insert(Feature::Energy, 1.0);
    settings.targets.insert(Feature::Danceability, 0.23);
    settings.targets.insert(Feature::Energy, 0.4);
    let out = catalog.features.search(&settings).unwrap();
    let distances: Vec<f64> = out.matches.iter().map(|m| m.distance).collect();
    assert_eq!(distances[..4], [0.0; 4]);
    assert!(
        distances[4] > 1e-10 && distances[4] < 1e-9,
        "Remedy: {}",
        distances[4]
    );
}
