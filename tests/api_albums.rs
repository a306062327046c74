//! The API's albums (`/albums/{id}`, `/albums?ids=`, `/albums/{id}/tracks`) through the
//! real router over a small catalog written for the purpose: the album object's fields
//! and values, lists with unknown and malformed ids, paging, errors, and a track's
//! `album.href` leading to its album.

mod common;

use common::TestApp;
use insights_hub::{
    catalog::{GenreTag, NewTrack},
    web::api::ids,
};
use poem::http::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------- the catalog

/// "First Light": three tracks by Ann, Bob a guest on one.
const FIRST_LIGHT: &str = "2oCs0DGTsRO98Gh5ZSl2Cx";
/// "Split Single": one track by Cat, one by Dan.
const SPLIT: &str = "1GbtB4zTqAsyfZEsm1RZfx";
/// "Long Player": 55 tracks by Eve, more than an album object lists.
const LONG: &str = "4aawyAB9vmqN3uQ7FjRGTy";
const LONG_TRACKS: usize = 55;
/// Well-formed, and no track carries it.
const NOBODYS: &str = "0000000000000000000000";

fn track_id(n: usize) -> String {
    format!("albumtrack{n:012}")
}

fn on_album(n: usize, name: &str, artists: &[&str], album: (&str, &str)) -> NewTrack {
    let mut t = common::fixtures::track(&track_id(n), name, artists, 0.5);
    t.album = Some(album.1.to_string());
    t.album_spotify_id = Some(album.0.to_string());
    if album.0 == FIRST_LIGHT {
        t.release_date = Some("2019-06-14".into());
        t.release_year = Some(2019);
    }
    t
}

/// The tracks, in the order they are written (album order is id order).
fn catalog() -> Vec<NewTrack> {
    let first = (FIRST_LIGHT, "First Light");
    let mut one = on_album(1, "One", &["Ann"], first);
    one.genres = vec![GenreTag::new("rock")];
    one.popularity = Some(50);
    let mut two = on_album(2, "Two", &["Ann", "Bob"], first);
    two.popularity = Some(60);
    two.genres = vec![GenreTag::new("pop"), GenreTag::new("rock")];
    let mut three = on_album(3, "Three", &["Ann"], first);
    three.popularity = None;
    three.genres = vec![GenreTag::new("rock")];
    let split = (SPLIT, "Split Single");
    let cat = on_album(4, "Cat's Side", &["Cat"], split);
    let dan = on_album(5, "Dan's Side", &["Dan"], split);
    // No album id in the dataset: the API makes one up, which names no album.
    let mut loose = common::fixtures::track(&track_id(6), "Loose", &["Fay"], 0.5);
    loose.album = Some("Untitled".into());
    let mut tracks = vec![one, two, three, cat, dan, loose];
    for n in 1..=LONG_TRACKS {
        tracks.push(on_album(
            100 + n,
            &format!("Song {n:02}"),
            &["Eve"],
            (LONG, "Long Player"),
        ));
    }
    tracks
}

async fn app_with(configure: impl FnOnce(&mut insights_hub::Config)) -> TestApp {
    let app = common::empty_app_with(|c| {
        c.api_anonymous = true;
        configure(c);
    });
    common::fixtures::load(&app.state, "albums", catalog()).await;
    app
}

async fn app() -> TestApp {
    app_with(|_| {}).await
}

// ---------------------------------------------------------------- helpers

struct Answer {
    status: StatusCode,
    json: Value,
}

impl Answer {
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

async fn call(app: &TestApp, path: &str) -> Answer {
    let resp = app.client.get(path).send().await.0;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.into_body().into_string().await.expect("text body");
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {status} answered {content_type}: {body}"
    );
    Answer {
        status,
        json: serde_json::from_str(&body).expect("JSON body"),
    }
}

/// `/api/v1…` as the answers' links write it (the test client's Host is `localhost`).
fn link(path: &str) -> String {
    format!("http://localhost/api/v1{path}")
}

/// The path of a link, to follow it.
fn path_of(link: &str) -> &str {
    link.strip_prefix("http://localhost")
        .expect("a link to this server")
}

fn names(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["name"].as_str().expect("a name"))
        .collect()
}

fn artist(name: &str) -> Value {
    let id = ids::artist(&name.to_lowercase());
    json!({
        "external_urls": {},
        "href": link(&format!("/artists/{id}")),
        "id": id,
        "name": name,
        "type": "artist",
        "uri": format!("spotify:artist:{id}"),
    })
}

// ---------------------------------------------------------------- the album object

#[tokio::test]
async fn an_album_is_its_tracks_in_the_catalog() {
    let app = app().await;
    let a = call(&app, &format!("/api/v1/albums/{FIRST_LIGHT}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let album = &a.json;
    let tracks = &album["tracks"];
    // Everything but the tracks, field by field: what the catalog has, null or empty
    // where it has nothing.
    let mut rest = album.clone();
    rest.as_object_mut().expect("an object").remove("tracks");
    assert_eq!(
        rest,
        json!({
            "album_type": null,
            "total_tracks": 3,
            "available_markets": [],
            "external_urls": {"spotify": format!("https://open.spotify.com/album/{FIRST_LIGHT}")},
            "href": link(&format!("/albums/{FIRST_LIGHT}")),
            "id": FIRST_LIGHT,
            "images": [],
            "name": "First Light",
            "release_date": "2019-06-14",
            "release_date_precision": "day",
            "type": "album",
            "uri": format!("spotify:album:{FIRST_LIGHT}"),
            // Ann is on every track; Bob, a guest on one, is not the album's.
            "artists": [artist("Ann")],
            "copyrights": [],
            "external_ids": {},
            // Of the tracks' genres, the one of most tracks first.
            "genres": ["rock", "pop"],
            "label": null,
            // The mean of the two known, (50 + 60) / 2.
            "popularity": 55,
        })
    );
    // Its tracks: a paging object of simplified tracks, in album order.
    assert_eq!(tracks["total"], 3);
    assert_eq!(tracks["limit"], 50);
    assert_eq!(tracks["offset"], 0);
    assert!(tracks["next"].is_null() && tracks["previous"].is_null());
    assert_eq!(
        tracks["href"],
        link(&format!("/albums/{FIRST_LIGHT}/tracks?offset=0&limit=50"))
    );
    assert_eq!(names(&tracks["items"]), vec!["One", "Two", "Three"]);
    let two = &tracks["items"][1];
    let id = track_id(2);
    assert_eq!(
        two,
        &json!({
            "artists": [artist("Ann"), artist("Bob")],
            "available_markets": [],
            "disc_number": null,
            "duration_ms": 200_000,
            "explicit": false,
            "external_urls": {"spotify": format!("https://open.spotify.com/track/{id}")},
            "href": link(&format!("/tracks/{id}")),
            "id": id,
            "is_local": false,
            "name": "Two",
            "preview_url": null,
            "track_number": null,
            "type": "track",
            "uri": format!("spotify:track:{id}"),
        })
    );
}

#[tokio::test]
async fn a_compilation_is_by_every_artist_on_it() {
    let app = app().await;
    let a = call(&app, &format!("/api/v1/albums/{SPLIT}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    // Neither is on most tracks: both, in album order.
    assert_eq!(a.json["artists"], json!([artist("Cat"), artist("Dan")]));
    assert_eq!(a.json["total_tracks"], 2);
    // The fixture's tracks have no date but their year.
    assert_eq!(a.json["release_date"], "2000");
    assert_eq!(a.json["release_date_precision"], "year");
    assert_eq!(a.json["popularity"], 50);
    assert_eq!(a.json["genres"], json!(["pop"]));
}

#[tokio::test]
async fn an_album_lists_its_first_50_tracks_and_links_the_rest() {
    let app = app().await;
    let a = call(&app, &format!("/api/v1/albums/{LONG}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["total_tracks"], LONG_TRACKS);
    let tracks = &a.json["tracks"];
    assert_eq!(tracks["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(tracks["items"][0]["name"], "Song 01");
    assert_eq!(tracks["items"][49]["name"], "Song 50");
    assert_eq!(tracks["total"], LONG_TRACKS);
    assert_eq!(
        tracks["next"],
        link(&format!("/albums/{LONG}/tracks?offset=50&limit=50"))
    );
    let rest = call(&app, path_of(tracks["next"].as_str().expect("next"))).await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.json);
    assert_eq!(
        names(&rest.json["items"]),
        vec!["Song 51", "Song 52", "Song 53", "Song 54", "Song 55"]
    );
}

/// Typed clients get Spotify's usual values where the catalog has none, as for tracks;
/// what it has stays.
#[tokio::test]
async fn the_usual_values_stand_in_only_when_asked() {
    let app = app_with(|c| c.api_fill_unknown = true).await;
    let a = call(&app, &format!("/api/v1/albums/{FIRST_LIGHT}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["album_type"], "album");
    assert_eq!(a.json["label"], "");
    assert_eq!(a.json["total_tracks"], 3);
    assert_eq!(a.json["popularity"], 55);
    assert_eq!(a.json["tracks"]["items"][0]["track_number"], 1);
    assert_eq!(a.json["tracks"]["items"][0]["disc_number"], 1);
}

// ---------------------------------------------------------------- several albums

#[tokio::test]
async fn several_albums_in_the_order_asked_with_null_for_unknown_ones() {
    let app = app().await;
    let a = call(
        &app,
        &format!("/api/v1/albums?ids={FIRST_LIGHT},{NOBODYS},{SPLIT},{FIRST_LIGHT}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let albums = a.json["albums"].as_array().expect("a list");
    assert_eq!(albums.len(), 4);
    assert_eq!(albums[0]["name"], "First Light");
    assert!(albums[1].is_null());
    assert_eq!(albums[2]["name"], "Split Single");
    assert_eq!(albums[3], albums[0], "an id named twice, answered twice");
    // Each as the album's own address answers it.
    let one = call(&app, &format!("/api/v1/albums/{SPLIT}")).await;
    assert_eq!(albums[2], one.json);
    // Spotify's trailing slash (spotipy's `albums/?ids=`) and its `/v1` paths.
    let spotipy = call(&app, &format!("/v1/albums/?ids={SPLIT}")).await;
    assert_eq!(spotipy.status, StatusCode::OK, "{}", spotipy.json);
    assert_eq!(spotipy.json["albums"][0], one.json);
}

#[tokio::test]
async fn a_bad_id_list_is_a_400_that_says_why() {
    let app = app().await;
    let too_many = vec![FIRST_LIGHT; 21].join(",");
    for (query, message) in [
        (
            format!("ids={FIRST_LIGHT},nope"),
            "Invalid id: “nope” (an id is 22 letters and digits).".to_string(),
        ),
        (
            format!("ids={FIRST_LIGHT},,{SPLIT}"),
            format!("Invalid id: entry 2 of ids is empty (“{FIRST_LIGHT},,{SPLIT}”); separate ids with single commas."),
        ),
        (
            format!("ids={too_many}"),
            "Too many ids requested: at most 20, got 21.".to_string(),
        ),
        (
            "ids=".to_string(),
            "ids must name at least one id.".to_string(),
        ),
        (
            "market=XX".to_string(),
            "Invalid market code “XX”: give an ISO 3166-1 alpha-2 country code such as US, or from_token.".to_string(),
        ),
        (
            String::new(),
            "Missing required parameter ids.".to_string(),
        ),
        (
            format!("ids={FIRST_LIGHT}&ids={SPLIT}"),
            "ids is given more than once: give it once (a list is one comma-separated value, as in Spotify's API).".to_string(),
        ),
    ] {
        let a = call(&app, &format!("/api/v1/albums?{query}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}: {}", a.json);
        assert_eq!(a.error(), message, "{query}");
    }
    // Twenty is Spotify's limit, and fine.
    let twenty = vec![FIRST_LIGHT; 20].join(",");
    let a = call(&app, &format!("/api/v1/albums?ids={twenty}&market=SE")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
}

// ---------------------------------------------------------------- an album's tracks

#[tokio::test]
async fn an_albums_tracks_page_by_limit_and_offset() {
    let app = app().await;
    let first = call(&app, &format!("/api/v1/albums/{LONG}/tracks")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let page = &first.json;
    assert_eq!(
        (page["limit"].as_u64(), page["offset"].as_u64()),
        (Some(20), Some(0))
    );
    assert_eq!(page["total"], LONG_TRACKS);
    assert_eq!(
        page["href"],
        link(&format!("/albums/{LONG}/tracks?offset=0&limit=20"))
    );
    assert!(page["previous"].is_null());
    let items = names(&page["items"]);
    assert_eq!(items.len(), 20);
    assert_eq!((items[0], items[19]), ("Song 01", "Song 20"));
    // Following `next` to the end visits every track once, in order.
    let mut seen: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    let mut next = page["next"].as_str().map(str::to_string);
    let mut pages = 1;
    while let Some(address) = next {
        let a = call(&app, path_of(&address)).await;
        assert_eq!(a.status, StatusCode::OK, "{address}: {}", a.json);
        assert_eq!(a.json["href"], address);
        let previous = a.json["previous"].as_str().expect("a previous page");
        let back = call(&app, path_of(previous)).await;
        assert_eq!(back.json["offset"].as_u64(), Some(20 * (pages - 1)));
        seen.extend(names(&a.json["items"]).iter().map(|s| s.to_string()));
        next = a.json["next"].as_str().map(str::to_string);
        pages += 1;
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1..=LONG_TRACKS).map(|n| format!("Song {n:02}")).collect();
    assert_eq!(seen, expected);

    // Any limit from 1 to 50 (5.0 is 5, as pandas writes it), any offset; past the
    // end, no items and the way back.
    let a = call(
        &app,
        &format!("/api/v1/albums/{LONG}/tracks?limit=5.0&offset=52"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(
        names(&a.json["items"]),
        vec!["Song 53", "Song 54", "Song 55"]
    );
    assert!(a.json["next"].is_null());
    assert_eq!(
        a.json["previous"],
        link(&format!("/albums/{LONG}/tracks?offset=47&limit=5"))
    );
    let beyond = call(&app, &format!("/api/v1/albums/{LONG}/tracks?offset=500")).await;
    assert_eq!(beyond.status, StatusCode::OK, "{}", beyond.json);
    assert_eq!(beyond.json["items"], json!([]));
    assert_eq!(beyond.json["total"], LONG_TRACKS);
    assert!(beyond.json["next"].is_null());
    for (query, message) in [
        (
            "limit=0",
            "limit must be a whole number from 1 to 50, not “0”.",
        ),
        (
            "limit=51",
            "limit must be a whole number from 1 to 50, not “51”.",
        ),
        (
            "limit=2.5",
            "limit must be a whole number from 1 to 50, not “2.5”.",
        ),
        (
            "offset=-1",
            "offset must be a whole number from 0 to 100000, not “-1”.",
        ),
        (
            "offset=lots",
            "offset must be a whole number from 0 to 100000, not “lots”.",
        ),
    ] {
        let a = call(&app, &format!("/api/v1/albums/{LONG}/tracks?{query}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}: {}", a.json);
        assert_eq!(a.error(), message, "{query}");
    }
}

// ---------------------------------------------------------------- errors and access

#[tokio::test]
async fn an_unknown_album_is_a_404_and_a_malformed_id_a_400() {
    let app = app().await;
    for path in [
        format!("/api/v1/albums/{NOBODYS}"),
        format!("/api/v1/albums/{NOBODYS}/tracks"),
        format!("/v1/albums/{NOBODYS}/tracks?limit=3"),
    ] {
        let a = call(&app, &path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.json);
        assert!(
            a.error()
                .starts_with(&format!("No album with id “{NOBODYS}” in the catalog.")),
            "{path}: {}",
            a.json
        );
    }
    for path in [
        "/api/v1/albums/short".to_string(),
        "/api/v1/albums/short/tracks".to_string(),
        format!("/api/v1/albums/{}", "a".repeat(65)),
        "/api/v1/albums/%E2%80%9Cquoted%E2%80%9D".to_string(),
    ] {
        let a = call(&app, &path).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}: {}", a.json);
        assert!(a.error().starts_with("Invalid id: “"), "{path}: {}", a.json);
    }
    // A track taken for an album is not one.
    let a = call(&app, &format!("/api/v1/albums/{}", track_id(1))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    // Lists of albums the API does not keep say where albums are.
    let artist_id = ids::artist("ann");
    let a = call(&app, &format!("/api/v1/artists/{artist_id}/albums")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    assert!(a.error().contains("/albums/{id}"), "{}", a.json);
}

#[tokio::test]
async fn album_addresses_pass_the_guard_as_every_operation_does() {
    // Without anonymous reads, a token is needed.
    let app = common::empty_app();
    common::fixtures::load(&app.state, "albums", catalog()).await;
    for path in [
        format!("/api/v1/albums/{FIRST_LIGHT}"),
        format!("/api/v1/albums?ids={FIRST_LIGHT}"),
        format!("/api/v1/albums/{FIRST_LIGHT}/tracks"),
    ] {
        let a = call(&app, &path).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}: {}", a.json);
        assert!(a.error().contains("Bearer"), "{}", a.json);
        // Only reads.
        let resp = app.client.post(&path).send().await;
        assert_ne!(resp.0.status(), StatusCode::OK, "{path}");
    }
    // CORS for an allowed origin, and the rate limit, as everywhere under /api/v1.
    let app = app_with(|c| {
        c.api_rate_limit = 2;
        c.api_cors_origins = vec!["https://app.example.org".to_string()];
    })
    .await;
    let path = format!("/api/v1/albums/{FIRST_LIGHT}/tracks");
    let resp = app
        .client
        .get(&path)
        .header("Origin", "https://app.example.org")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("access-control-allow-origin", "https://app.example.org");
    assert_eq!(call(&app, &path).await.status, StatusCode::OK);
    let limited = call(&app, &path).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.json
    );
    limited.error();
}

// ---------------------------------------------------------------- from a track

#[tokio::test]
async fn a_tracks_album_href_leads_to_its_album() {
    let app = app().await;
    let ids = format!("{},{}", track_id(2), track_id(6));
    let a = call(&app, &format!("/api/v1/tracks?ids={ids}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let (two, loose) = (&a.json["tracks"][0], &a.json["tracks"][1]);
    let href = two["album"]["href"].as_str().expect("an album href");
    assert_eq!(href, link(&format!("/albums/{FIRST_LIGHT}")));
    let album = call(&app, path_of(href)).await;
    assert_eq!(album.status, StatusCode::OK, "{}", album.json);
    assert_eq!(album.json["id"], two["album"]["id"]);
    assert_eq!(album.json["name"], two["album"]["name"]);
    assert_eq!(album.json["release_date"], two["album"]["release_date"]);
    assert_eq!(album.json["uri"], two["album"]["uri"]);
    let listed = names(&album.json["tracks"]["items"]);
    assert!(listed.contains(&"Two"), "{listed:?}");
    // A track whose dataset gives no album id: an id of ours, no address, and that id
    // names no album.
    assert!(loose["album"]["href"].is_null(), "{loose}");
    let made_up = loose["album"]["id"].as_str().expect("an id");
    let a = call(&app, &format!("/api/v1/albums/{made_up}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    assert!(a.error().contains("made up"), "{}", a.json);
}
