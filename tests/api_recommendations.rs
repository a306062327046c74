//! `/api/v1/recommendations` (issue 12): seeds of each kind and together, targets,
//! min/max bounds and their combinations, the attributes the index does not hold,
//! and what goes beyond Spotify (weights, cosine, per-artist cap, years, explanation).

mod common;

use std::collections::HashSet;

use common::{
    auth::{Browser, GOOD_PASSWORD},
    demo::demo_app_with,
    TestApp,
};
use diesel::prelude::*;
use insights_hub::{db::schema::tracks, web::api::ids};
use poem::http::StatusCode;
use serde_json::Value;

fn app() -> TestApp {
    demo_app_with(|c| c.api_anonymous = true)
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app.client.get(path).send().await.0;
    let status = resp.status();
    let body = resp.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&body).expect("JSON"))
}

async fn recommend(app: &TestApp, query: &str) -> Value {
    let (status, json) = get(app, &format!("/api/v1/recommendations?{query}")).await;
    let shown: String = json.to_string().chars().take(400).collect();
    assert_eq!(status, StatusCode::OK, "{query}: {shown}");
    json
}

fn tracks(json: &Value) -> &Vec<Value> {
    json["tracks"].as_array().expect("tracks")
}

fn ids_of(json: &Value) -> Vec<String> {
    tracks(json)
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// How many tracks have `genre` as their first genre.
fn genre_track_count(app: &TestApp, genre: &str) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    tracks::table
        .filter(tracks::genre.eq(genre))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

/// The explained value of a feature of a recommended track.
fn value(track: &Value, feature: &str) -> Option<f64> {
    track["explanation"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == feature)
        .and_then(|f| f["value"].as_f64())
}

/// (energy, tempo, key, duration_ms, release_year, genre) of a track.
type Facts = (
    f64,
    f64,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<String>,
);

/// Facts about tracks, straight from the database (not from the answer).
fn db_features(app: &TestApp, ids: &[String]) -> Vec<Facts> {
    let mut conn = app.state.pool.get().unwrap();
    ids.iter()
        .map(|id| {
            tracks::table
                .filter(tracks::spotify_id.eq(id))
                .select((
                    tracks::energy,
                    tracks::tempo,
                    tracks::musical_key,
                    tracks::duration_ms,
                    tracks::release_year,
                    tracks::genre,
                ))
                .first(&mut conn)
                .unwrap()
        })
        .collect()
}

fn track_ids(app: &TestApp, genre: &str, n: i64) -> Vec<String> {
    let mut conn = app.state.pool.get().unwrap();
    tracks::table
        .filter(tracks::genre.eq(genre))
        .order(tracks::id)
        .select(tracks::spotify_id.assume_not_null())
        .limit(n)
        .load(&mut conn)
        .unwrap()
}

fn artist_id(app: &TestApp, rank: usize) -> (String, String) {
    let catalog = app.state.catalog();
    let a = catalog.artists.most_tracks(rank + 1)[rank];
    (ids::artist(&a.name_key), a.name.clone())
}

#[tokio::test]
async fn seed_tracks_set_the_target_and_are_left_out() {
    let app = app();
    let seeds = track_ids(&app, "rock", 2);
    let json = recommend(&app, &format!("seed_tracks={}&limit=30", seeds.join(","))).await;
    let got = ids_of(&json);
    assert_eq!(got.len(), 30);
    assert!(
        got.iter().all(|id| !seeds.contains(id)),
        "seeds are never returned"
    );
    let seed_objects = json["seeds"].as_array().unwrap();
    assert_eq!(seed_objects.len(), 2);
    assert_eq!(seed_objects[0]["type"], "TRACK");
    assert_eq!(seed_objects[0]["id"], seeds[0].as_str());
    assert_eq!(seed_objects[0]["initialPoolSize"], 20_000);
    // The pool, every track but the two seeds, counted up to 1,000.
    assert_eq!(seed_objects[0]["afterFilteringSize"], 1000);
    assert!(seed_objects[0]["afterRelinkingSize"].is_number());
    assert!(seed_objects[0]["href"]
        .as_str()
        .unwrap()
        .contains("/api/v1/tracks/"));
    // The target is the mean of the two seeds.
    let seed_rows = db_features(&app, &seeds);
    let mean_energy = (seed_rows[0].0 + seed_rows[1].0) / 2.0;
    let target = json["target"]["energy"].as_f64().unwrap();
    assert!(
        (target - mean_energy).abs() < 1e-9,
        "{target} vs {mean_energy}"
    );
    // Results are ordered nearest first, with explanations.
    let distances: Vec<f64> = tracks(&json)
        .iter()
        .map(|t| t["explanation"]["distance"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let first = &tracks(&json)[0];
    assert_eq!(first["type"], "track");
    assert!(first["album"]["name"].is_string());
    assert!(first["uri"].as_str().unwrap().starts_with("spotify:track:"));
    let sim = first["explanation"]["similarity"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&sim));
    assert_eq!(
        first["explanation"]["features"].as_array().unwrap().len(),
        9
    );
    // A single seed: its own nearest neighbour is not itself.
    let one = recommend(&app, &format!("seed_tracks={}&limit=5", seeds[0])).await;
    assert!(!ids_of(&one).contains(&seeds[0]));
}

#[tokio::test]
async fn seed_artists_aim_at_their_average() {
    let app = app();
    let (artist, _) = artist_id(&app, 0);
    let catalog = app.state.catalog();
    let summary = catalog.artists.most_tracks(1)[0].clone();
    let json = recommend(&app, &format!("seed_artists={artist}&limit=10")).await;
    assert_eq!(tracks(&json).len(), 10);
    let t = json["target"]["danceability"].as_f64().unwrap();
    // Written to the millionth (`objects::tidy`).
    assert!((t - summary.averages.danceability).abs() <= 5e-7, "{t}");
    assert_eq!(json["seeds"][0]["type"], "ARTIST");
    assert!(json["seeds"][0]["href"]
        .as_str()
        .unwrap()
        .contains("/api/v1/artists/"));
}

#[tokio::test]
async fn seed_genres_restrict_and_aim() {
    let app = app();
    let json = recommend(&app, "seed_genres=jazz&limit=40").await;
    let got = ids_of(&json);
    assert_eq!(got.len(), 40);
    assert!(db_features(&app, &got)
        .iter()
        .all(|r| r.5.as_deref() == Some("jazz")));
    assert_eq!(json["seeds"][0]["type"], "GENRE");
    assert!(json["seeds"][0]["href"].is_null());
    // Two genres: any of them.
    let json = recommend(&app, "seed_genres=jazz,rock&limit=100").await;
    let genres: HashSet<Option<String>> = db_features(&app, &ids_of(&json))
        .into_iter()
        .map(|r| r.5)
        .collect();
    assert!(
        genres
            .iter()
            .all(|g| matches!(g.as_deref(), Some("jazz" | "rock"))),
        "{genres:?}"
    );
}

#[tokio::test]
async fn spotifys_genre_seed_names_find_the_catalogs_spelling() {
    // Spotify's seed names are `r-n-b` and `hip-hop`; the demo catalog's genres are
    // `r&b` and `hip-hop`, TidyTuesday's `r&b` and (a subgenre) `hip hop`.
    let app = app();
    let count = |genre: &str| genre_track_count(&app, genre);
    for (asked, genre) in [("r-n-b", "r&b"), ("R%26B", "r&b"), ("hip%20hop", "hip-hop")] {
        let json = recommend(&app, &format!("seed_genres={asked}&limit=30")).await;
        let got = ids_of(&json);
        assert_eq!(got.len(), 30, "{asked}");
        assert!(
            db_features(&app, &got)
                .iter()
                .all(|r| r.5.as_deref() == Some(genre)),
            "{asked}"
        );
        // The seed is named as asked (clients pair seeds by id), its pool is the genre's.
        assert_eq!(json["seeds"][0]["initialPoolSize"], count(genre), "{asked}");
    }
    let json = recommend(&app, "seed_genres=r-n-b&limit=1").await;
    assert_eq!(json["seeds"][0]["id"], "r-n-b");
    // A name that is no spelling of a genre is still refused.
    let (status, _) = get(&app, "/api/v1/recommendations?seed_genres=r-b").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn seeds_of_every_kind_together() {
    let app = app();
    let seed_track = track_ids(&app, "rock", 1);
    let (artist, _) = artist_id(&app, 1);
    let json = recommend(
        &app,
        &format!(
            "seed_tracks={}&seed_artists={artist}&seed_genres=rock,pop&limit=15",
            seed_track[0]
        ),
    )
    .await;
    assert_eq!(json["seeds"].as_array().unwrap().len(), 4);
    let got = ids_of(&json);
    assert_eq!(got.len(), 15);
    assert!(!got.contains(&seed_track[0]));
    assert!(db_features(&app, &got)
        .iter()
        .all(|r| matches!(r.5.as_deref(), Some("rock" | "pop"))));
}

#[tokio::test]
async fn targets_override_seeds_and_bounds_hold() {
    let app = app();
    let seeds = track_ids(&app, "classical", 1);
    let base = recommend(&app, &format!("seed_tracks={}&limit=20", seeds[0])).await;
    let loud = recommend(
        &app,
        &format!("seed_tracks={}&target_energy=0.95&limit=20", seeds[0]),
    )
    .await;
    assert_eq!(loud["target"]["energy"], 0.95);
    let mean = |j: &Value| {
        tracks(j)
            .iter()
            .map(|t| value(t, "energy").unwrap())
            .sum::<f64>()
            / 20.0
    };
    assert!(
        mean(&loud) > mean(&base) + 0.05,
        "{} vs {}",
        mean(&loud),
        mean(&base)
    );

    // min and max on one feature, a min on another, and a target on a third.
    let json = recommend(
        &app,
        "seed_genres=pop&min_tempo=100&max_tempo=120&min_energy=0.6&target_valence=0.9&limit=50",
    )
    .await;
    let got = ids_of(&json);
    assert!(!got.is_empty());
    for (energy, tempo, ..) in db_features(&app, &got) {
        assert!((100.0..=120.0).contains(&tempo), "tempo {tempo}");
        assert!(energy >= 0.6, "energy {energy}");
    }
    assert_eq!(json["target"]["valence"], 0.9);
    // Only a max.
    let json = recommend(&app, "seed_genres=rock&max_energy=0.5&limit=20").await;
    assert!(db_features(&app, &ids_of(&json)).iter().all(|r| r.0 <= 0.5));
    // A target without seeds matches on that feature alone.
    let json = recommend(&app, "target_tempo=174&limit=10").await;
    assert!(
        json["target"].as_object().unwrap().len() == 1,
        "{}",
        json["target"]
    );
    for t in tracks(&json) {
        assert!((value(t, "tempo").unwrap() - 174.0).abs() < 10.0);
    }
    // Bounds that nothing meets give an empty list, not an error.
    let json = recommend(
        &app,
        "seed_genres=rock&min_energy=0.999&min_acousticness=0.999",
    )
    .await;
    assert!(tracks(&json).is_empty());
}

#[tokio::test]
async fn attributes_outside_the_index_bound_the_results() {
    let app = app();
    let json = recommend(&app, "seed_genres=edm&target_key=5&limit=30").await;
    let got = ids_of(&json);
    assert!(!got.is_empty());
    assert!(db_features(&app, &got).iter().all(|r| r.2 == Some(5)));
    let json = recommend(
        &app,
        "seed_genres=edm&min_duration_ms=200000&max_duration_ms=240000&min_key=2&max_key=4&limit=30",
    )
    .await;
    for (.., key, duration, _, _) in db_features(&app, &ids_of(&json)) {
        assert!((200_000..=240_000).contains(&duration.unwrap()));
        assert!((2..=4).contains(&key.unwrap()));
    }
    let json = recommend(&app, "seed_genres=edm&target_duration_ms=200000&limit=30").await;
    for r in db_features(&app, &ids_of(&json)) {
        let d = r.3.unwrap();
        assert!((180_000..=220_000).contains(&d), "{d}");
    }
    // mode and time signature parse and filter too.
    let json = recommend(
        &app,
        "seed_genres=edm&target_mode=1&min_time_signature=4&max_time_signature=4&limit=5",
    )
    .await;
    assert!(tracks(&json).len() <= 5);
}

#[tokio::test]
async fn beyond_spotify_weights_metric_cap_years() {
    let app = app();
    let (artist, name) = artist_id(&app, 0);
    let capped = recommend(
        &app,
        &format!("seed_artists={artist}&max_per_artist=1&limit=30"),
    )
    .await;
    let mains: Vec<String> = tracks(&capped)
        .iter()
        .map(|t| t["artists"][0]["name"].as_str().unwrap().to_string())
        .collect();
    let distinct: HashSet<&String> = mains.iter().collect();
    assert_eq!(distinct.len(), mains.len(), "one track per main artist");
    let _ = name;

    let years = recommend(
        &app,
        "seed_genres=rock&min_year=1990&max_year=1995&limit=30",
    )
    .await;
    for r in db_features(&app, &ids_of(&years)) {
        assert!((1990..=1995).contains(&r.4.unwrap()));
    }
    let cosine = recommend(&app, "seed_genres=rock&metric=cosine&limit=10").await;
    assert_eq!(tracks(&cosine)[0]["explanation"]["metric"], "cosine");
    // weight_x=0 switches a feature off: it leaves the explanation.
    let json = recommend(
        &app,
        "seed_genres=rock&weight_tempo=0&weight_loudness=0&limit=3",
    )
    .await;
    let features: Vec<&str> = tracks(&json)[0]["explanation"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"].as_str().unwrap())
        .collect();
    assert!(
        !features.contains(&"tempo") && !features.contains(&"loudness"),
        "{features:?}"
    );
    assert_eq!(features.len(), 7);
    // Popularity joins when targeted, and limit defaults to 20.
    let json = recommend(&app, "seed_genres=rock&target_popularity=90").await;
    assert_eq!(tracks(&json).len(), 20);
    assert!(value(&tracks(&json)[0], "popularity").is_some());
    // market is accepted and ignored.
    recommend(&app, "seed_genres=rock&market=US&limit=1").await;
}

#[tokio::test]
async fn a_token_holder_calls_it_like_spotify() {
    let app = demo_app_with(|_| {});
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "deejay", GOOD_PASSWORD).await;
    let page = browser
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "mix")],
        )
        .await;
    let start = page.body.find(r#"id="new-token">"#).unwrap() + 15;
    let token = &page.body[start..start + 47];
    let resp = app
        .client
        .get("/api/v1/recommendations?seed_genres=pop&limit=3")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let json: Value =
        serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(tracks(&json).len(), 3);
}

async fn refused(app: &TestApp, query: &str) -> String {
    let (status, json) = get(app, &format!("/api/v1/recommendations?{query}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
    assert_eq!(json["error"]["status"], 400);
    json["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn bounds_outside_a_features_range_are_refused_like_targets() {
    let app = app();
    for (query, message) in [
        // Bounds take anything the catalog can hold (the importer's ranges), wider
        // than the page's sliders: see `a_track_louder_than_0_db_is_reported_as_it_is`.
        (
            "target_tempo=100&max_tempo=-1",
            "max_tempo must be between 0 BPM and 300 BPM.",
        ),
        (
            "target_energy=1&min_energy=1.1",
            "min_energy must be between 0.000 and 1.000.",
        ),
        (
            "seed_genres=rock&max_popularity=-1",
            "max_popularity must be between 0 and 100.",
        ),
        (
            "target_popularity=100&min_popularity=101",
            "min_popularity must be between 0 and 100.",
        ),
        (
            "seed_genres=rock&max_danceability=-0.5",
            "max_danceability must be between 0.000 and 1.000.",
        ),
        (
            "seed_genres=rock&min_loudness=10.5",
            "min_loudness must be between -100.0 dB and 10.0 dB.",
        ),
    ] {
        assert_eq!(refused(&app, query).await, message, "{query}");
    }
    // A target is said the same way, by its parameter's name.
    assert_eq!(
        refused(&app, "target_energy=2").await,
        "target_energy must be between 0.000 and 1.000."
    );
    assert_eq!(
        refused(&app, "target_energy=0.5&weight_energy=11").await,
        "weight_energy must be between 0 and 10."
    );
    assert!(
        refused(&app, "target_tempo=301").await.contains("300"),
        "a target's range is the catalog's too"
    );
    // Bounds at the range's ends are fine, and hold.
    let json = recommend(&app, "target_energy=1&min_energy=1&max_tempo=250&limit=5").await;
    for t in tracks(&json) {
        assert!(value(t, "energy").unwrap() >= 0.999, "{t}");
    }
}

#[tokio::test]
async fn a_genre_seeds_pool_is_its_genres_tracks() {
    let app = app();
    let count = |genre: &str| genre_track_count(&app, genre);
    let (rock, pop) = (count("rock"), count("pop"));
    assert!(rock > 0 && pop > 0 && rock != pop && rock < 20_000);
    let json = recommend(&app, "seed_genres=rock,pop&limit=1").await;
    assert_eq!(json["seeds"][0]["id"], "rock");
    assert_eq!(json["seeds"][0]["initialPoolSize"], rock);
    assert_eq!(json["seeds"][1]["initialPoolSize"], pop);
    // A track seed still draws from the whole catalog.
    let seed = track_ids(&app, "rock", 1);
    let json = recommend(
        &app,
        &format!("seed_tracks={}&seed_genres=pop&limit=1", seed[0]),
    )
    .await;
    assert_eq!(json["seeds"][0]["initialPoolSize"], 20_000);
    assert_eq!(json["seeds"][1]["initialPoolSize"], pop);
    // After filtering: the pool the answer is chosen from, not the tracks returned.
    // Counted up to 1,000, as Spotify's pools are.
    let json = recommend(&app, "seed_genres=rock&limit=1").await;
    assert_eq!(json["seeds"][0]["afterFilteringSize"], rock.min(1000));
    let energetic_rock: i64 = {
        let mut conn = app.state.pool.get().unwrap();
        tracks::table
            .filter(tracks::genre.eq("rock"))
            .filter(tracks::energy.ge(0.6))
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert!(energetic_rock > 1 && energetic_rock < rock);
    // Under the limit: exact.
    let narrow: i64 = {
        let mut conn = app.state.pool.get().unwrap();
        tracks::table
            .filter(tracks::genre.eq("rock"))
            .filter(tracks::energy.ge(0.9))
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert!(narrow > 1 && narrow < 1000, "{narrow}");
    let json = recommend(&app, "seed_genres=rock&min_energy=0.9&limit=1").await;
    assert_eq!(json["seeds"][0]["afterFilteringSize"], narrow);
    assert_eq!(json["seeds"][0]["afterRelinkingSize"], narrow);
    let json = recommend(&app, "seed_genres=rock&min_energy=0.6&limit=1").await;
    assert_eq!(
        json["seeds"][0]["afterFilteringSize"],
        energetic_rock.min(1000)
    );
    // Nothing filtered and no seed track left out: the whole catalog, reported up to
    // 1,000 as every other pool is (it had said 20,000 here alone).
    let (artist, _) = artist_id(&app, 0);
    let json = recommend(&app, &format!("seed_artists={artist}&limit=1")).await;
    assert_eq!(json["seeds"][0]["afterFilteringSize"], 1000);
    assert_eq!(json["seeds"][0]["afterRelinkingSize"], 1000);
}

#[tokio::test]
async fn without_seeds_only_the_real_problem_is_reported() {
    let app = app();
    assert_eq!(
        refused(&app, "target_energy=NaN").await,
        "target_energy must be a number, not “NaN”."
    );
    assert_eq!(
        refused(&app, "min_energy=abc").await,
        "min_energy must be a number, not “abc”."
    );
    assert_eq!(
        refused(&app, "target_key=12").await,
        "target_key must be a whole number from -1 to 11, not “12”."
    );
    assert_eq!(
        refused(&app, "limit=5").await,
        "Give at least one seed (seed_tracks, seed_artists or seed_genres) or a target_ value."
    );
    for (query, named) in [
        ("target_key=5", "target_key only narrows"),
        ("target_mode=1", "target_mode only narrows"),
        (
            "target_duration_ms=200000",
            "target_duration_ms only narrows",
        ),
        (
            "target_time_signature=4",
            "target_time_signature only narrows",
        ),
        (
            "target_key=5&target_mode=1",
            "target_key, target_mode only narrow",
        ),
    ] {
        assert_eq!(
            refused(&app, query).await,
            format!(
                "{named} a search (key, mode, duration and time signature are filters): \
                 give a seed (seed_tracks, seed_artists or seed_genres) or a feature target such as target_energy."
            ),
            "{query}"
        );
    }
    // With a feature target they narrow it.
    let json = recommend(&app, "target_energy=0.5&target_key=5&limit=5").await;
    assert!(!tracks(&json).is_empty());
}

#[tokio::test]
async fn cosine_needs_two_features() {
    let app = app();
    let message = "metric=cosine needs at least two features in play: it compares the direction \
                   of the feature vectors, and with one feature every track points the same way. \
                   Target or weight a second feature, or use metric=euclidean.";
    for query in [
        "target_energy=0.5&metric=cosine&limit=5",
        "target_loudness=0&metric=cosine",
        "seed_genres=rock&metric=cosine&weight_danceability=0&weight_energy=0&weight_acousticness=0\
         &weight_instrumentalness=0&weight_valence=0&weight_speechiness=0&weight_liveness=0&weight_tempo=0",
    ] {
        assert_eq!(refused(&app, query).await, message, "{query}");
    }
    let json = recommend(
        &app,
        "target_energy=0.5&target_valence=0.2&metric=cosine&limit=5",
    )
    .await;
    assert_eq!(tracks(&json).len(), 5);
}

#[tokio::test]
async fn time_signature_filters_on_a_catalog_without_time_signatures_are_refused() {
    let app = common::empty_app();
    let mut catalog = Vec::new();
    for i in 0..6 {
        let mut t = common::fixtures::track(
            &format!("tsig{i:018}"),
            &format!("Song {i}"),
            &["Ann"],
            0.1 * f64::from(i),
        );
        t.time_signature = None;
        catalog.push(t);
    }
    common::fixtures::load(&app.state, "no meters", catalog).await;
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "meter", GOOD_PASSWORD).await;
    let page = browser
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "t")],
        )
        .await;
    let start = page.body.find(r#"id="new-token">"#).unwrap() + 15;
    let token = page.body[start..start + 47].to_string();
    let ask = |query: &str| {
        let req = app
            .client
            .get(format!("/api/v1/recommendations?{query}"))
            .header("Authorization", format!("Bearer {token}"));
        async move {
            let resp = req.send().await.0;
            let status = resp.status();
            let body = resp.into_body().into_string().await.unwrap();
            (status, serde_json::from_str::<Value>(&body).unwrap())
        }
    };
    for query in [
        "target_energy=0.5&target_time_signature=4",
        "target_energy=0.5&min_time_signature=3",
        "target_energy=0.5&max_time_signature=7",
    ] {
        let (status, json) = ask(query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
        assert_eq!(
            json["error"]["message"],
            "This catalog has no time signatures, so target_time_signature, \
             min_time_signature and max_time_signature could match no track: leave them out."
        );
    }
    let (status, json) = ask("target_energy=0.5&target_key=0&limit=3").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(tracks(&json).len(), 3);
    // The demo catalog has time signatures: the filter works there.
    let demo = demo_app_with(|c| c.api_anonymous = true);
    let json = recommend(&demo, "seed_genres=edm&target_time_signature=4&limit=5").await;
    assert_eq!(tracks(&json).len(), 5);
}

/// Spotify's key -1 means "no key detected", which the import stores as no key: such a
/// track is what `target_key=-1` asks for, and a range from -1 admits it. Both had
/// answered an empty list or left the track out.
#[tokio::test]
async fn key_minus_one_is_a_track_without_a_detected_key() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let catalog: Vec<_> = (0..6)
        .map(|i| {
            let mut t = common::fixtures::track(
                &format!("keyless{i:015}"),
                &format!("Song {i}"),
                &["Ann"],
                0.1 * f64::from(i),
            );
            if i < 2 {
                t.musical_key = None;
            }
            t
        })
        .collect();
    common::fixtures::load(&app.state, "two without a key", catalog).await;
    let names = |json: &Value| {
        let mut names: Vec<String> = tracks(json)
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_string())
            .collect();
        names.sort();
        names
    };
    for query in ["target_key=-1", "max_key=-1", "min_key=-1&max_key=-1"] {
        let json = recommend(&app, &format!("target_energy=0.5&{query}&limit=10")).await;
        assert_eq!(names(&json), ["Song 0", "Song 1"], "{query}: {json}");
    }
    let json = recommend(&app, "target_energy=0.5&min_key=-1&max_key=0&limit=10").await;
    assert_eq!(tracks(&json).len(), 6, "{json}");
    // A side left open is the keys themselves, as on the page: max_key alone leaves
    // the unknown keys out.
    for query in ["min_key=0", "max_key=5", "max_key=11"] {
        let json = recommend(&app, &format!("target_energy=0.5&{query}&limit=10")).await;
        assert_eq!(
            names(&json),
            ["Song 2", "Song 3", "Song 4", "Song 5"],
            "{query}: {json}"
        );
    }
}

/// A catalog whose file had no popularity (the Kaggle 1.2M layout): asking for
/// popularity is refused with the reason, as genre seeds and time signatures are, not
/// answered with an empty list and the whole catalog as its pool.
#[tokio::test]
async fn popularity_on_a_catalog_without_popularity_is_refused() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let catalog: Vec<_> = (0..6)
        .map(|i| {
            let mut t = common::fixtures::track(
                &format!("nopop{i:017}"),
                &format!("Song {i}"),
                &["Ann"],
                0.1 * f64::from(i),
            );
            t.popularity = None;
            t
        })
        .collect();
    common::fixtures::load(&app.state, "no popularity", catalog).await;
    for query in [
        "target_energy=0.5&target_popularity=10",
        "target_energy=0.5&weight_popularity=1",
        "target_energy=0.5&min_popularity=10",
        "target_energy=0.5&max_popularity=90",
    ] {
        let (status, json) = get(&app, &format!("/api/v1/recommendations?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("This catalog has no popularity"),
            "{query}: {message}"
        );
    }
    let json = recommend(&app, "target_energy=0.5&limit=3").await;
    assert_eq!(
        tracks(&json).len(),
        3,
        "without popularity the search works"
    );
    // A catalog with popularity takes the same parameters.
    let demo = demo_app_with(|c| c.api_anonymous = true);
    let json = recommend(&demo, "target_energy=0.5&target_popularity=60&limit=3").await;
    assert_eq!(tracks(&json).len(), 3);
}

/// Seven TidyTuesday tracks are louder than 0 dB (the importer takes -100..10 dB and
/// 0..300 BPM). The API takes every value the catalog can hold as a target or bound,
/// and reports stored values as they are, never clamped to the page's sliders.
#[tokio::test]
async fn a_track_louder_than_0_db_is_reported_as_it_is() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let with = |id: &str, name: &str, loudness: f64, tempo: f64| {
        let mut t = common::fixtures::track(id, name, &["Ann"], 0.5);
        t.features.loudness = loudness;
        t.features.tempo = tempo;
        t
    };
    let loud = "loud000000000000000001";
    let louder = "loud000000000000000002";
    let mut catalog = vec![
        with(loud, "Loud", 1.275, 262.5),
        with(louder, "Louder", 2.5, 120.0),
    ];
    for i in 0..4 {
        catalog.push(with(
            &format!("calm{i:018}"),
            &format!("Calm {i}"),
            -8.0 - f64::from(i),
            100.0,
        ));
    }
    common::fixtures::load(&app.state, "loud", catalog).await;
    let (status, af) = get(&app, &format!("/api/v1/audio-features/{loud}")).await;
    assert_eq!(status, StatusCode::OK, "{af}");
    assert_eq!(af["loudness"], 1.275);
    assert_eq!(af["tempo"], 262.5);
    // As a seed: the target is the seed's own values.
    let json = recommend(&app, &format!("seed_tracks={loud}&limit=1")).await;
    assert_eq!(json["target"]["loudness"], 1.275, "{}", json["target"]);
    assert_eq!(json["target"]["tempo"], 262.5);
    // A window around its own values is accepted, and holds.
    let json = recommend(
        &app,
        &format!("seed_tracks={loud}&min_loudness=0.275&max_loudness=2.5&min_tempo=100&max_tempo=270&limit=5"),
    )
    .await;
    assert_eq!(ids_of(&json), vec![louder.to_string()]);
    // A recommended track's explained value is its stored one.
    let explained = &tracks(&json)[0];
    assert_eq!(value(explained, "loudness"), Some(2.5), "{explained}");
    let difference = explained["explanation"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "loudness")
        .and_then(|f| f["difference"].as_f64())
        .unwrap();
    assert!((difference - 1.225).abs() < 1e-9, "{difference}");
    // A target beyond the sliders is accepted too.
    let json = recommend(&app, "target_loudness=5&target_tempo=280&limit=2").await;
    assert_eq!(json["target"]["loudness"], 5.0);
    assert_eq!(tracks(&json).len(), 2);
    // Bounds beyond the sliders hold by the stored values, which the index holds at
    // the sliders' ends (0 dB, 250 BPM): every one of these kept both loud tracks.
    for (bounds, wanted) in [
        ("min_loudness=0.9&max_loudness=2.0", vec![loud]),
        ("min_loudness=2.0", vec![louder]),
        ("max_loudness=0", vec![]),
        ("min_loudness=0&max_loudness=1.0", vec![]),
        ("min_tempo=255", vec![loud]),
        ("min_tempo=265", vec![]),
        ("min_loudness=1&max_tempo=250", vec![louder]),
    ] {
        let json = recommend(&app, &format!("target_energy=0.5&{bounds}&limit=10")).await;
        let mut found = ids_of(&json);
        found.retain(|id| id.starts_with("loud"));
        assert_eq!(found, wanted, "{bounds}");
    }
    // And the pool a seed's afterFilteringSize counts is the same one.
    let json = recommend(
        &app,
        &format!("seed_tracks={louder}&min_loudness=0.9&max_loudness=2.0&limit=10"),
    )
    .await;
    assert_eq!(ids_of(&json), vec![loud.to_string()]);
    assert_eq!(
        json["seeds"][0]["afterFilteringSize"], 1,
        "{}",
        json["seeds"]
    );
}

/// "-0" is zero, and reads back as 0.0, not -0.0.
#[tokio::test]
async fn a_negative_zero_target_reads_back_as_zero() {
    let app = app();
    let (status, json) = get(&app, "/api/v1/recommendations?target_energy=-0&limit=1").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["target"]["energy"].to_string(), "0.0");
}

/// The API's time-signature bounds take what the import and the page take, 1 to 16:
/// they had taken key's range, 0 to 11, so 12 was refused here and accepted there.
#[tokio::test]
async fn time_signature_bounds_take_what_the_import_takes() {
    let app = app();
    let base = "/api/v1/recommendations?seed_genres=edm";
    let (twelve, json) = get(&app, &format!("{base}&max_time_signature=12")).await;
    assert_eq!(twelve, StatusCode::OK, "{json}");
    let (zero, json) = get(&app, &format!("{base}&min_time_signature=0")).await;
    assert_eq!(zero, StatusCode::BAD_REQUEST, "{json}");
    let (seventeen, json) = get(&app, &format!("{base}&max_time_signature=17")).await;
    assert_eq!(seventeen, StatusCode::BAD_REQUEST, "{json}");
}

/// `min_year` and `max_year` take the page's years: one outside could only empty the
/// answer, and the page refuses it.
#[tokio::test]
async fn a_year_outside_the_pages_years_is_refused() {
    let app = app();
    for query in ["min_year=5000", "max_year=999", "min_year=-1"] {
        let (status, json) = get(
            &app,
            &format!("/api/v1/recommendations?seed_genres=pop&{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("from 1000 to 3000"), "{query}: {message}");
    }
    let (status, _) = get(
        &app,
        "/api/v1/recommendations?seed_genres=pop&min_year=1990",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// "Did you mean" names a genre seed as the seed listing does: two genres whose slugs
/// are the same (`children-s-music`, from `Children's Music` and `Children’s Music`)
/// are suggested by a name that finds one, never by a slug the server then refused.
#[tokio::test]
async fn the_genre_seed_suggested_is_one_the_server_takes() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let mut catalog = Vec::new();
    for i in 0..8usize {
        let mut t = common::fixtures::track(
            &format!("kids{i:018}"),
            &format!("Song {i}"),
            &["Ann"],
            0.1 * i as f64,
        );
        let genre = if i % 2 == 0 {
            "Children's Music"
        } else {
            "Children\u{2019}s Music"
        };
        t.genres = vec![insights_hub::catalog::GenreTag {
            genre: genre.to_string(),
            subgenre: None,
        }];
        catalog.push(t);
    }
    common::fixtures::load(&app.state, "two spellings", catalog).await;
    let (status, json) = get(&app, "/api/v1/recommendations?seed_genres=childrens-musik").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let message = json["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let suggested = message
        .split("Did you mean ")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("a suggestion: {message}"))
        .to_string();
    let query: String = url::form_urlencoded::byte_serialize(suggested.as_bytes()).collect();
    let (status, json) = get(
        &app,
        &format!("/api/v1/recommendations?seed_genres={query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{suggested}: {json}");
}

#[tokio::test]
async fn empty_attribute_bounds_are_named_as_sent() {
    let app = app();
    for (query, message) in [
        (
            "target_energy=0.5&target_duration_ms=200000&min_duration_ms=300000",
            "The bounds on duration_ms leave nothing: min_duration_ms=300000 is above \
             target_duration_ms=200000 (a target takes 180000 to 220000).",
        ),
        (
            "target_energy=0.5&target_mode=1&max_mode=0",
            "The bounds on mode leave nothing: max_mode=0 is below target_mode=1.",
        ),
        (
            "target_energy=0.5&min_key=7&max_key=5",
            "The bounds on key leave nothing: min_key=7 is above max_key=5.",
        ),
    ] {
        assert_eq!(refused(&app, query).await, message, "{query}");
    }
}

#[tokio::test]
async fn a_malformed_seed_id_is_said_as_any_malformed_id() {
    let app = app();
    for id in ["-inf", &"a".repeat(3000)] {
        let message = refused(&app, &format!("seed_tracks={id}")).await;
        assert!(
            message.starts_with("Invalid id: “")
                && message.ends_with("(an id is 22 letters and digits)."),
            "{message}"
        );
        assert!(message.chars().count() < 120, "{message}");
    }
}
