//! The JSON API (issue 12) through the real router over the demo catalog: every
//! endpoint and parameter, tokens, errors, the rate limit and CORS.

mod common;

use common::{
    auth::{Browser, GOOD_PASSWORD},
    demo::{demo_app, demo_app_with},
    TestApp,
};
use diesel::prelude::*;
use insights_hub::{
    db::schema::{api_tokens, tracks},
    web::api::ids,
};
use poem::http::StatusCode;
use serde_json::Value;

// ---------------------------------------------------------------- helpers

struct Answer {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    json: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The Spotify-shaped error message, checking the shape on the way.
    fn error(&self) -> String {
        assert_eq!(
            self.json["error"]["status"].as_u64(),
            Some(u64::from(self.status.as_u16())),
            "{}",
            self.json
        );
        self.json["error"]["message"]
            .as_str()
            .expect("message")
            .to_string()
    }
}

async fn call(app: &TestApp, token: Option<&str>, path: &str) -> Answer {
    let mut req = app.client.get(path);
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let resp = req.send().await.0;
    let status = resp.status();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.into_body().into_string().await.expect("text body");
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {status} answered {content_type}: {body}"
    );
    let json = serde_json::from_str(&body).expect("JSON body");
    Answer {
        status,
        headers,
        json,
    }
}

/// Signs a new user up and creates a token through the account page, as a person would.
async fn user_with_token(app: &TestApp, username: &str) -> (Browser, String) {
    let mut browser = Browser::new();
    let page = browser.sign_up(&app.client, username, GOOD_PASSWORD).await;
    assert!(page.status.is_redirection(), "{}", page.status);
    let token = create_token(app, &mut browser, "test script").await;
    (browser, token)
}

async fn create_token(app: &TestApp, browser: &mut Browser, name: &str) -> String {
    let page = browser
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", name)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let start = page.body.find(r#"id="new-token">"#).expect("token shown") + 15;
    let end = page.body[start..].find('<').expect("end") + start;
    page.body[start..end].to_string()
}

fn some_track_ids(app: &TestApp, n: i64) -> Vec<String> {
    let mut conn = app.state.pool.get().unwrap();
    tracks::table
        .filter(tracks::spotify_id.is_not_null())
        .order(tracks::id)
        .select(tracks::spotify_id.assume_not_null())
        .limit(n)
        .load(&mut conn)
        .unwrap()
}

/// The public ids of the artists with the most tracks.
fn some_artist_ids(app: &TestApp, n: usize) -> Vec<String> {
    let catalog = app.state.catalog();
    catalog
        .artists
        .most_tracks(n)
        .iter()
        .map(|a| ids::artist(&a.name_key))
        .collect()
}

// ---------------------------------------------------------------- access

#[tokio::test]
async fn requests_without_a_valid_token_get_401_json() {
    let app = demo_app();
    let a = call(&app, None, "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.error().contains("Bearer"), "{}", a.json);
    assert_eq!(a.header("www-authenticate"), Some("Bearer realm=\"api\""));
    let bad = call(&app, Some("sih_not-a-real-token"), "/api/v1/catalog").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let forged = format!("sih_{}", "A".repeat(43));
    let a = call(&app, Some(&forged), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error(), "Invalid access token.");
    // Basic auth and cookies are not credentials here.
    let resp = app
        .client
        .get("/api/v1/catalog")
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn anonymous_reads_when_the_operator_allows_them() {
    let app = demo_app_with(|c| c.api_anonymous = true);
    let a = call(&app, None, "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["tracks"], 20_000);
    // A token that is sent must still be valid.
    let forged = format!("sih_{}", "A".repeat(43));
    assert_eq!(
        call(&app, Some(&forged), "/api/v1/catalog").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tokens_are_created_used_recorded_and_revoked() {
    let app = demo_app();
    let (mut browser, token) = user_with_token(&app, "alice").await;
    assert!(token.starts_with("sih_"), "{token}");
    // Stored hashed, never in clear.
    {
        let mut conn = app.state.pool.get().unwrap();
        let (hash, last_used): (String, Option<i64>) = api_tokens::table
            .select((api_tokens::token_hash, api_tokens::last_used_at))
            .first(&mut conn)
            .unwrap();
        assert_ne!(hash, token);
        assert!(!hash.contains(&token[4..]));
        assert_eq!(last_used, None);
    }
    let a = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::OK);
    let list = browser.get(&app.client, "/account/api-tokens").await;
    assert!(list.body.contains("test script"), "{}", list.body);
    assert!(!list.body.contains(&token), "a token is shown only once");
    {
        let mut conn = app.state.pool.get().unwrap();
        let last_used: Option<i64> = api_tokens::table
            .select(api_tokens::last_used_at)
            .first(&mut conn)
            .unwrap();
        assert!(last_used.is_some(), "last use recorded");
    }
    // The account page links to the tokens page.
    let account = browser.get(&app.client, "/account").await;
    assert!(account.body.contains("/account/api-tokens"));
    // Revoke: the next request is refused, and says why.
    let id: i32 = {
        let mut conn = app.state.pool.get().unwrap();
        api_tokens::table
            .select(api_tokens::id)
            .first(&mut conn)
            .unwrap()
    };
    let page = browser
        .submit(
            &app.client,
            "/account/api-tokens",
            &format!("/account/api-tokens/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let a = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error(), "This access token has been revoked.");
    let list = browser.get(&app.client, "/account/api-tokens").await;
    assert!(list.body.contains("Revoked"), "{}", list.body);
}

#[tokio::test]
async fn another_users_token_cannot_be_revoked_and_names_are_checked() {
    let app = demo_app();
    let (_alice, alice_token) = user_with_token(&app, "alice").await;
    let (mut bob, _) = user_with_token(&app, "bob").await;
    let alice_id: i32 = {
        let mut conn = app.state.pool.get().unwrap();
        api_tokens::table
            .order(api_tokens::id)
            .select(api_tokens::id)
            .first(&mut conn)
            .unwrap()
    };
    let page = bob
        .submit(
            &app.client,
            "/account/api-tokens",
            &format!("/account/api-tokens/{alice_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("not one of your active tokens"));
    assert_eq!(
        call(&app, Some(&alice_token), "/api/v1/catalog")
            .await
            .status,
        StatusCode::OK
    );
    // Bob's list does not show Alice's token.
    let list = bob.get(&app.client, "/account/api-tokens").await;
    assert_eq!(list.body.matches("<code>sih_").count(), 1, "{}", list.body);
    // A blank name is refused beside the field.
    let page = bob
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "  ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Give the token a name"));
    // Logged out: the tokens page sends you to log in.
    let resp = app.client.get("/account/api-tokens").send().await;
    resp.assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let app = demo_app_with(|c| c.api_rate_limit = 3);
    let (_b, token) = user_with_token(&app, "alice").await;
    for _ in 0..3 {
        assert_eq!(
            call(&app, Some(&token), "/api/v1/catalog").await.status,
            StatusCode::OK
        );
    }
    let a = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert!(a.error().contains("rate limit"));
    // Another user's token has its own allowance.
    let (_c, other) = user_with_token(&app, "carol").await;
    assert_eq!(
        call(&app, Some(&other), "/api/v1/catalog").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = demo_app_with(|c| c.api_cors_origins = vec!["https://app.example".into()]);
    let (_b, token) = user_with_token(&app, "alice").await;
    let resp = app
        .client
        .options("/api/v1/recommendations")
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await;
    resp.assert_status(StatusCode::NO_CONTENT);
    resp.assert_header("access-control-allow-origin", "https://app.example");
    let allowed = resp
        .0
        .headers()
        .get("access-control-allow-headers")
        .unwrap();
    assert!(allowed.to_str().unwrap().contains("Authorization"));
    let resp = app
        .client
        .options("/api/v1/recommendations")
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await;
    assert!(resp
        .0
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let resp = app
        .client
        .get("/api/v1/catalog")
        .header("Origin", "https://app.example")
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("access-control-allow-origin", "https://app.example");
    // Errors carry the header too, so the page's script can read them.
    let resp = app
        .client
        .get("/api/v1/catalog")
        .header("Origin", "https://app.example")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    resp.assert_header("access-control-allow-origin", "https://app.example");
    // By default no origin is allowed.
    let plain = demo_app();
    let resp = plain
        .client
        .get("/api/v1/catalog")
        .header("Origin", "https://app.example")
        .send()
        .await;
    assert!(resp
        .0
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn every_error_is_spotify_shaped_json() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "alice").await;
    let bearer = format!("Bearer {t}");
    let t = Some(t.as_str());
    let cases: &[(&str, StatusCode)] = &[
        ("/api/v1/no-such-endpoint", StatusCode::NOT_FOUND),
        ("/api/v2/tracks", StatusCode::NOT_FOUND),
        ("/api/v1", StatusCode::NOT_FOUND),
        (
            "/api/v1/tracks/doesnotexist0000000000",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/tracks/bad%20id", StatusCode::BAD_REQUEST),
        ("/api/v1/tracks", StatusCode::BAD_REQUEST),
        ("/api/v1/tracks?ids=", StatusCode::BAD_REQUEST),
        (
            "/api/v1/audio-features/doesnotexist0000000000",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/artists/doesnotexist0000000000",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/artists/doesnotexist0000000000/top-tracks",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/artists/doesnotexist0000000000/related-artists",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/search?q=a", StatusCode::BAD_REQUEST),
        ("/api/v1/search?q=a&type=album", StatusCode::BAD_REQUEST),
        (
            "/api/v1/search?q=a&type=track&limit=abc",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/search?q=a&type=track&limit=51",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/search?q=a&type=track&offset=-1",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/search?q=%20&type=track", StatusCode::BAD_REQUEST),
        ("/api/v1/artists/compare?ids=abc", StatusCode::NOT_FOUND),
        ("/api/v1/recommendations", StatusCode::BAD_REQUEST),
        (
            "/api/v1/recommendations?seed_genres=rock&limit=0",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?seed_genres=rock&limit=101",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?seed_genres=rock&limit=ten",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?seed_genres=a,b,c,d,e,f",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?seed_genres=polka-metal",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?seed_tracks=doesnotexist0000000000",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/recommendations?seed_artists=doesnotexist0000000000",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/recommendations?seed_tracks=..%2Fx",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=2",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=NaN",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&min_tempo=150&max_tempo=100",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&target_colour=1",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&min_key=12",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&weight_energy=11",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&metric=manhattan",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&max_per_artist=0",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&min_year=2000&max_year=1990",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/recommendations?target_energy=0.5&min_mode=1&max_mode=0",
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, status) in cases {
        let a = call(&app, t, path).await;
        let shown: String = a.json.to_string().chars().take(300).collect();
        assert_eq!(a.status, *status, "{path}: {shown}");
        let message = a.error();
        assert!(!message.is_empty(), "{path}");
    }
    // A wrong method is JSON too.
    let resp = app
        .client
        .post("/api/v1/catalog")
        .header("Authorization", bearer)
        .send()
        .await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_content_type("application/json; charset=utf-8");
    // Too many ids.
    let many = vec!["abc"; 51].join(",");
    let a = call(&app, t, &format!("/api/v1/tracks?ids={many}")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.error().contains("at most 50"));
    let many = vec!["abc"; 101].join(",");
    let a = call(&app, t, &format!("/api/v1/audio-features?ids={many}")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- endpoints

#[tokio::test]
async fn tracks_and_audio_features_in_spotifys_shape() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "alice").await;
    let t = Some(t.as_str());
    let ids = some_track_ids(&app, 2);
    let a = call(&app, t, &format!("/api/v1/tracks/{}", ids[0])).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let track = &a.json;
    assert_eq!(track["id"], ids[0].as_str());
    assert_eq!(track["type"], "track");
    assert_eq!(track["uri"], format!("spotify:track:{}", ids[0]));
    assert!(track["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/v1/tracks/{}", ids[0])));
    assert!(track["duration_ms"].as_i64().unwrap() > 0);
    assert!(track["explicit"].is_boolean());
    assert!(track["popularity"].is_i64());
    assert!(track["external_urls"].is_object());
    assert_eq!(track["album"]["type"], "album");
    assert!(!track["artists"].as_array().unwrap().is_empty());
    let artist = &track["artists"][0];
    assert_eq!(artist["type"], "artist");
    assert_eq!(artist["id"].as_str().unwrap().len(), 22);

    let list = call(
        &app,
        t,
        &format!(
            "/api/v1/tracks?ids={},nosuchid0000000000000,{}",
            ids[0], ids[1]
        ),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let tracks = list.json["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 3);
    assert_eq!(tracks[0]["id"], ids[0].as_str());
    assert!(tracks[1].is_null());
    assert_eq!(tracks[2]["id"], ids[1].as_str());

    let f = call(&app, t, &format!("/api/v1/audio-features/{}", ids[0])).await;
    assert_eq!(f.status, StatusCode::OK);
    let f = &f.json;
    assert_eq!(f["type"], "audio_features");
    assert_eq!(f["id"], ids[0].as_str());
    assert_eq!(f["uri"], format!("spotify:track:{}", ids[0]));
    assert!(f["track_href"]
        .as_str()
        .unwrap()
        .contains("/api/v1/tracks/"));
    for key in [
        "danceability",
        "energy",
        "acousticness",
        "instrumentalness",
        "valence",
        "speechiness",
        "liveness",
        "tempo",
        "loudness",
        "duration_ms",
        "key",
        "mode",
        "time_signature",
    ] {
        assert!(f[key].is_number(), "{key} in {f}");
    }
    let batch = call(
        &app,
        t,
        &format!(
            "/api/v1/audio-features?ids={},nosuchid0000000000000",
            ids[1]
        ),
    )
    .await;
    let list = batch.json["audio_features"].as_array().unwrap();
    assert_eq!(list[0]["id"], ids[1].as_str());
    assert!(list[1].is_null());
}

#[tokio::test]
async fn artists_top_tracks_related_and_compare() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "alice").await;
    let t = Some(t.as_str());
    let artists = some_artist_ids(&app, 3);
    let a = call(&app, t, &format!("/api/v1/artists/{}", artists[0])).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["id"], artists[0].as_str());
    assert_eq!(a.json["type"], "artist");
    assert_eq!(a.json["uri"], format!("spotify:artist:{}", artists[0]));
    assert!(!a.json["genres"].as_array().unwrap().is_empty());
    assert!(a.json["audio_features"]["energy"].is_number());
    let name = a.json["name"].as_str().unwrap().to_string();

    let list = call(
        &app,
        t,
        &format!("/api/v1/artists?ids={},nosuchid0000000000000", artists[1]),
    )
    .await;
    let list = list.json["artists"].as_array().unwrap();
    assert_eq!(list[0]["id"], artists[1].as_str());
    assert!(list[1].is_null());

    let top = call(
        &app,
        t,
        &format!("/api/v1/artists/{}/top-tracks?market=US", artists[0]),
    )
    .await;
    let tracks = top.json["tracks"].as_array().unwrap();
    assert!(!tracks.is_empty() && tracks.len() <= 10);
    let pops: Vec<i64> = tracks
        .iter()
        .map(|t| t["popularity"].as_i64().unwrap())
        .collect();
    assert!(
        pops.windows(2).all(|w| w[0] >= w[1]),
        "most popular first: {pops:?}"
    );
    assert!(tracks.iter().all(|t| t["artists"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == name.as_str())));

    let related = call(
        &app,
        t,
        &format!("/api/v1/artists/{}/related-artists", artists[0]),
    )
    .await;
    let related = related.json["artists"].as_array().unwrap();
    assert_eq!(related.len(), 20);
    assert!(related.iter().all(|a| a["id"] != artists[0].as_str()));

    let cmp = call(
        &app,
        t,
        &format!("/api/v1/artists/compare?ids={},{}", artists[0], artists[1]),
    )
    .await;
    assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.json);
    assert_eq!(cmp.json["artists"].as_array().unwrap().len(), 2);
    let features = cmp.json["features"].as_array().unwrap();
    assert_eq!(features.len(), 10);
    let energy = features.iter().find(|f| f["feature"] == "energy").unwrap();
    assert!(energy["spread"].as_f64().unwrap() >= 0.0);
    assert!(energy["catalog_average"].is_number());
    let one = call(
        &app,
        t,
        &format!("/api/v1/artists/compare?ids={}", artists[0]),
    )
    .await;
    assert_eq!(one.status, StatusCode::BAD_REQUEST);
    let twice = call(
        &app,
        t,
        &format!("/api/v1/artists/compare?ids={0},{0}", artists[0]),
    )
    .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    let five = call(
        &app,
        t,
        &format!("/api/v1/artists/compare?ids={}", ["abc"; 5].join(",")),
    )
    .await;
    assert_eq!(five.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_pages_like_spotify() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "alice").await;
    let t = Some(t.as_str());
    let catalog = app.state.catalog();
    let artist = catalog.artists.most_tracks(1)[0].name.clone();
    let word: String = artist.split_whitespace().next().unwrap().to_string();
    let q = url::form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>();
    let a = call(
        &app,
        t,
        &format!("/api/v1/search?q={q}&type=artist,track&limit=2"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let artists = &a.json["artists"];
    assert_eq!(artists["limit"], 2);
    assert_eq!(artists["offset"], 0);
    assert!(artists["total"].as_i64().unwrap() >= 1);
    assert!(artists["previous"].is_null());
    assert!(artists["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains(&word.to_lowercase()));
    assert!(a.json["tracks"]["items"].is_array());
    // Tracks by title, with paging links that work.
    let title_word = "the";
    let page1 = call(
        &app,
        t,
        &format!("/api/v1/search?q={title_word}&type=track&limit=3"),
    )
    .await;
    let tracks = &page1.json["tracks"];
    let total = tracks["total"].as_i64().unwrap();
    assert!(total > 3, "{total}");
    assert!(page1.json.get("artists").is_none());
    let next = tracks["next"].as_str().unwrap();
    let path = &next[next.find("/api/v1").unwrap()..];
    let page2 = call(&app, t, path).await;
    assert_eq!(page2.json["tracks"]["offset"], 3);
    assert!(page2.json["tracks"]["previous"].is_string());
    let first: Vec<&Value> = tracks["items"].as_array().unwrap().iter().collect();
    let second: Vec<&Value> = page2.json["tracks"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(first
        .iter()
        .all(|a| second.iter().all(|b| a["id"] != b["id"])));
    // limit=0 is allowed and returns only the total.
    let zero = call(&app, t, "/api/v1/search?q=the&type=track&limit=0").await;
    assert_eq!(zero.json["tracks"]["items"].as_array().unwrap().len(), 0);
    assert_eq!(zero.json["tracks"]["total"].as_i64().unwrap(), total);
    // A page that ends before its limit gives the total without counting: it must
    // agree with the count (`limit=0` always counts), as must the last page, a page past
    // the end, and the title in capitals (case is ignored for ASCII letters).
    let title = first[0]["name"].as_str().unwrap().to_string();
    let query: String = url::form_urlencoded::byte_serialize(title.as_bytes()).collect();
    let counted = call(
        &app,
        t,
        &format!("/api/v1/search?q={query}&type=track&limit=0"),
    )
    .await;
    let counted = counted.json["tracks"]["total"].as_i64().unwrap();
    assert!((1..50).contains(&counted), "{title}: {counted}");
    let upper: String =
        url::form_urlencoded::byte_serialize(title.to_ascii_uppercase().as_bytes()).collect();
    for (path, items) in [
        (
            format!("/api/v1/search?q={query}&type=track&limit=50"),
            counted,
        ),
        (
            format!(
                "/api/v1/search?q={query}&type=track&limit=3&offset={}",
                counted - 1
            ),
            1,
        ),
        (
            format!(
                "/api/v1/search?q={query}&type=track&limit=3&offset={}",
                counted + 5
            ),
            0,
        ),
        (
            format!("/api/v1/search?q={upper}&type=track&limit=50"),
            counted,
        ),
    ] {
        let page = call(&app, t, &path).await;
        assert_eq!(
            page.json["tracks"]["total"].as_i64(),
            Some(counted),
            "{path}"
        );
        let listed = page.json["tracks"]["items"].as_array().map(Vec::len);
        assert_eq!(listed, Some(items as usize), "{path}");
    }
    // A search for a wildcard character finds only titles with it.
    let pct = call(&app, t, "/api/v1/search?q=%25&type=track").await;
    assert_eq!(pct.json["tracks"]["total"], 0);
}

#[tokio::test]
async fn catalog_and_genre_seeds() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "alice").await;
    let t = Some(t.as_str());
    let a = call(&app, t, "/api/v1/catalog").await;
    assert_eq!(a.json["source"], "demo");
    assert_eq!(a.json["tracks"], 20_000);
    assert_eq!(a.json["artists"], 1_000);
    assert!(a.json["audio_features"]["tempo"].as_f64().unwrap() > 50.0);
    let g = call(&app, t, "/api/v1/recommendations/available-genre-seeds").await;
    let genres = g.json["genres"].as_array().unwrap();
    assert_eq!(genres.len(), 12);
    assert!(genres.iter().any(|g| g == "rock"), "{genres:?}");
}

#[tokio::test]
async fn deleting_the_account_ends_its_tokens() {
    let app = demo_app();
    let (mut browser, token) = user_with_token(&app, "leaver").await;
    assert_eq!(
        call(&app, Some(&token), "/api/v1/catalog").await.status,
        StatusCode::OK
    );
    let page = browser
        .submit(
            &app.client,
            "/account",
            "/account/delete",
            &[("password", GOOD_PASSWORD)],
        )
        .await;
    assert!(page.status.is_redirection(), "{}", page.status);
    let a = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let mut conn = app.state.pool.get().unwrap();
    let left: i64 = api_tokens::table.count().get_result(&mut conn).unwrap();
    assert_eq!(left, 0);
}
