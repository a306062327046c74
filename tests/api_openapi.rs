//! The OpenAPI document (issue 12): generated from the code, served without a token,
//! listing every route; a client that knows only the document calls every operation
//! and checks each answer against the documented schema. And the docs page.

mod common;

use std::collections::BTreeSet;

use common::{demo::demo_app_with, TestApp};
use diesel::prelude::*;
use insights_hub::{db::schema::tracks, web::api::ids};
use poem::http::StatusCode;
use serde_json::Value;

/// Every route of the API, as the document must list them.
const ROUTES: [&str; 17] = [
    "/tracks/{id}",
    "/tracks",
    "/audio-features/{id}",
    "/audio-features",
    "/artists/{id}",
    "/artists",
    "/artists/{id}/top-tracks",
    "/artists/{id}/related-artists",
    "/artists/compare",
    "/albums/{id}",
    "/albums",
    "/albums/{id}/tracks",
    "/search",
    "/catalog",
    "/recommendations",
    "/recommendations/available-genre-seeds",
    // checked below: the document is served at its own route
    "/openapi.json",
];

async fn text(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let resp = app.client.get(path).send().await.0;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        content_type,
        resp.into_body().into_string().await.unwrap(),
    )
}

async fn document(app: &TestApp) -> Value {
    let (status, content_type, body) = text(app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    serde_json::from_str(&body).expect("JSON document")
}

#[tokio::test]
async fn the_document_lists_every_route_and_parameter() {
    let app = demo_app_with(|_| {});
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let paths: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for route in ROUTES.iter().filter(|r| **r != "/openapi.json") {
        assert!(paths.contains(*route), "{route} missing from {paths:?}");
    }
    assert_eq!(
        paths.len(),
        ROUTES.len() - 1,
        "no undocumented extras: {paths:?}"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The recommendations' parameters come from the feature list.
    let params: BTreeSet<String> = doc["paths"]["/recommendations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    for feature in insights_hub::catalog::Feature::ALL {
        for prefix in ["target", "min", "max", "weight"] {
            assert!(params.contains(&format!("{prefix}_{}", feature.key())));
        }
    }
    for name in [
        "seed_tracks",
        "seed_artists",
        "seed_genres",
        "limit",
        "target_key",
        "min_duration_ms",
        "max_mode",
        "target_time_signature",
        "metric",
        "max_per_artist",
        "min_year",
        "max_year",
    ] {
        assert!(params.contains(name), "{name}");
    }
    // The bounds the server takes, not the sliders': a window around a track at +1.3 dB
    // or 275 BPM is accepted, so a client checking the schema must not refuse it.
    let schema = |name: &str| {
        doc["paths"]["/recommendations"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    for (name, lo, hi) in [
        ("target_tempo", 0.0, 300.0),
        ("max_tempo", 0.0, 300.0),
        ("min_loudness", -100.0, 10.0),
        ("target_energy", 0.0, 1.0),
    ] {
        assert_eq!(schema(name)["minimum"].as_f64(), Some(lo), "{name}");
        assert_eq!(schema(name)["maximum"].as_f64(), Some(hi), "{name}");
    }
    // Search's paging bounds, as the server checks them, and the years as the page's.
    let search_schema = |name: &str| {
        doc["paths"]["/search"]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .map(|p| p["schema"].clone())
            .unwrap_or_default()
    };
    for (name, hi) in [("limit", 50), ("offset", 1000)] {
        assert_eq!(search_schema(name)["minimum"], 0, "{name}");
        assert_eq!(search_schema(name)["maximum"], hi, "{name}");
    }
    // And an album's tracks'.
    let album_tracks = |name: &str| {
        doc["paths"]["/albums/{id}/tracks"]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .map(|p| p["schema"].clone())
            .unwrap_or_default()
    };
    assert_eq!(
        album_tracks("limit"),
        serde_json::json!({"type": "integer", "minimum": 1, "maximum": 50, "default": 20})
    );
    assert_eq!(
        album_tracks("offset"),
        serde_json::json!({"type": "integer", "minimum": 0, "maximum": 100000, "default": 0})
    );
    assert_eq!(schema("min_year")["minimum"], 1000);
    assert_eq!(schema("max_year")["maximum"], 3000);
    // Every operation takes `market` (checked, then ignored), and says what an address
    // too long, a busy database and the rest answer.
    for (path, item) in doc["paths"].as_object().unwrap() {
        let op = &item["get"];
        assert!(
            op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "market")),
            "{path}: market"
        );
        for status in ["400", "401", "413", "414", "429", "503"] {
            assert!(op["responses"][status].is_object(), "{path}: {status}");
        }
    }
}

/// Resolves `$ref`s in the document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Checks `value` against `schema` as far as types, required properties and
/// nullability go: a null must be declared `nullable` (the schema itself, or the
/// `allOf` wrapper around a `$ref`), with a `type` beside it, without which OpenAPI
/// 3.0.3 ignores `nullable` (openapi-core refused the null entries of `/tracks?ids=`).
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = resolve(doc, schema);
    // A list's entry: the object, or a null of its own (`docs::nullable_list_items`).
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let is_null_branch = |s: &&Value| s.get("enum") == Some(&serde_json::json!([null]));
        if value.is_null() {
            assert!(
                any.iter().filter(is_null_branch).any(|s| {
                    s.get("nullable") == Some(&Value::Bool(true)) && s.get("type").is_some()
                }),
                "{at} is null but {schema} takes no null"
            );
        } else {
            for branch in any.iter().filter(|s| !is_null_branch(s)) {
                conforms(doc, branch, value, at);
            }
        }
        return;
    }
    if value.is_null() {
        assert_eq!(
            schema.get("nullable"),
            Some(&Value::Bool(true)),
            "{at} is null but not nullable in {schema}"
        );
        assert!(
            schema.get("type").is_some(),
            "{at} is null and its schema says nullable without a type, which OpenAPI 3.0.3 ignores: {schema}"
        );
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            conforms(doc, s, value, at);
        }
        return;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let obj = value
                .as_object()
                .unwrap_or_else(|| panic!("{at}: not an object"));
            for r in schema["required"].as_array().into_iter().flatten() {
                let key = r.as_str().unwrap();
                assert!(obj.contains_key(key), "{at}: missing required {key}");
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, s) in props {
                    if let Some(v) = obj.get(k) {
                        conforms(doc, s, v, &format!("{at}.{k}"));
                    }
                }
            }
        }
        Some("array") => {
            for (i, v) in value
                .as_array()
                .unwrap_or_else(|| panic!("{at}: not an array"))
                .iter()
                .enumerate()
            {
                conforms(doc, &schema["items"], v, &format!("{at}[{i}]"));
            }
        }
        Some("string") => assert!(value.is_string(), "{at}: {value} is not a string"),
        Some("integer") => assert!(
            value.is_i64() || value.is_u64(),
            "{at}: {value} is not an integer"
        ),
        Some("number") => assert!(value.is_number(), "{at}: {value} is not a number"),
        Some("boolean") => assert!(value.is_boolean(), "{at}: {value} is not a boolean"),
        _ => {}
    }
}

#[tokio::test]
async fn a_client_reading_only_the_document_calls_every_operation() {
    let app = demo_app_with(|c| c.api_anonymous = true);
    let doc = document(&app).await;
    let (track, track2): (String, String) = {
        let mut conn = app.state.pool.get().unwrap();
        let ids: Vec<String> = tracks::table
            .order(tracks::id)
            .select(tracks::spotify_id.assume_not_null())
            .limit(2)
            .load(&mut conn)
            .unwrap();
        (ids[0].clone(), ids[1].clone())
    };
    // Two albums of the demo catalog: its first track's and its last track's.
    let (album, album2) = {
        let mut conn = app.state.pool.get().unwrap();
        let first: String = tracks::table
            .order(tracks::id)
            .select(tracks::album_spotify_id.assume_not_null())
            .first(&mut conn)
            .unwrap();
        let last: String = tracks::table
            .order(tracks::id.desc())
            .select(tracks::album_spotify_id.assume_not_null())
            .first(&mut conn)
            .unwrap();
        (first, last)
    };
    let catalog = app.state.catalog();
    let top = catalog.artists.most_tracks(2);
    let (artist, artist2) = (ids::artist(&top[0].name_key), ids::artist(&top[1].name_key));
    let mut called = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert_eq!(method, "get", "the API only reads");
            let mut url = format!("/api/v1{path}");
            let id = if path.starts_with("/artists") {
                &artist
            } else if path.starts_with("/albums") {
                &album
            } else {
                &track
            };
            url = url.replace("{id}", id);
            let mut query: Vec<(String, String)> = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "path" || !p["required"].as_bool().unwrap_or(false) {
                    continue;
                }
                let value = match (path.as_str(), name) {
                    ("/artists" | "/artists/compare", "ids") => format!("{artist},{artist2}"),
                    ("/albums", "ids") => format!("{album},{album2}"),
                    (_, "ids") => format!("{track},{track2}"),
                    (_, "q") => "the".to_string(),
                    (_, "type") => "artist,track".to_string(),
                    other => panic!("no value for the required parameter {other:?}"),
                };
                query.push((name.to_string(), value));
            }
            if path == "/recommendations" {
                // Its parameters are all optional, but one seed is needed.
                query.push(("seed_tracks".into(), track.clone()));
            }
            if !query.is_empty() {
                url = format!("{url}?{}", serde_urlencoded::to_string(&query).unwrap());
            }
            let (status, content_type, body) = text(&app, &url).await;
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            assert!(content_type.starts_with("application/json"), "{url}");
            let value: Value = serde_json::from_str(&body).unwrap();
            let schema =
                &op["responses"]["200"]["content"]["application/json; charset=utf-8"]["schema"];
            assert!(
                !schema.is_null(),
                "{path}: 200 schema documented: {}",
                op["responses"]
            );
            conforms(&doc, schema, &value, path);
            // Every operation declares its errors, in Spotify's shape.
            let errors: &[&str] = if path.contains("{id}")
                || path == "/artists/compare"
                || path == "/recommendations"
            {
                &["400", "401", "404", "429"]
            } else {
                &["400", "401", "429"]
            };
            for status in errors {
                let schema = &op["responses"][status]["content"]["application/json; charset=utf-8"]
                    ["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Error",
                    "{path} {status}: {}",
                    op["responses"]
                );
            }
            called += 1;
        }
    }
    assert_eq!(called, ROUTES.len() - 1);
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary_without_inline_scripts() {
    let app = demo_app_with(|_| {});
    let (status, content_type, body) = text(&app, "/api/docs/try").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(body.contains(r#"<script src="/api/docs/swagger-ui-bundle.js"></script>"#));
    assert!(!body.contains("<script>"), "no inline script (CSP)");
    assert!(!body.contains("https://"), "nothing from a CDN");
    // The way back, and what to read without JavaScript.
    assert!(body.contains(r#"<a href="/api/docs">&larr; API documentation</a>"#));
    assert!(body.contains(r#"<a href="/api/docs">The API documentation</a> describes"#));
    // A page of its own: a main landmark and a heading, in Swagger UI's type.
    assert!(body.contains(r#"<main class="swagger-ui">"#), "{body}");
    assert!(
        body.contains(r#"<h1 class="title">Try the API</h1>"#),
        "{body}"
    );
    let (status, content_type, js) = text(&app, "/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/javascript"));
    assert!(js.len() > 500_000 && js.contains("SwaggerUIBundle"));
    let (status, _, css) = text(&app, "/api/docs/swagger-ui.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains(".swagger-ui"));
    let (_, _, init) = text(&app, "/api/docs/init.js").await;
    assert!(init.contains("/api/v1/openapi.json"));
    // A token typed into "Authorize" is not kept in the browser past the page.
    assert!(init.contains("persistAuthorization: false"), "{init}");
}

/// Without JavaScript the page is the reference: every operation of the document, with
/// its parameters and answers, read from the document itself.
#[tokio::test]
async fn the_docs_page_reads_without_javascript() {
    let app = demo_app_with(|_| {});
    let doc = document(&app).await;
    let (status, _, body) = text(&app, "/api/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<title>API documentation · Spotify Insights Hub</title>"));
    // A page of the site: its navigation, its header's account corner, no script of
    // its own, and the way to Swagger UI.
    assert!(body.contains(r#"<a href="/genres">Genres</a>"#), "{body}");
    assert!(
        body.contains(r#"<a href="/login?next=/api/docs">Log in</a>"#),
        "{body}"
    );
    assert!(!body.contains("swagger-ui"), "{body}");
    assert!(body.contains(r#"<a href="/api/docs/try">Try the operations in Swagger UI</a>"#));
    let mut operations = 0;
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for (method, op) in methods.as_object().expect("methods") {
            let heading = format!("<code>{} /api/v1{path}</code>", method.to_uppercase());
            assert!(body.contains(&heading), "{heading}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = format!("<code>{}</code>", p["name"].as_str().unwrap());
                assert!(body.contains(&name), "{path}: {name}");
            }
            operations += 1;
        }
    }
    assert!(operations >= 16, "{operations}");
    // How to authorise, and the machine-readable document.
    assert!(body.contains(r#"<a href="/account/api-tokens">API tokens</a>"#));
    assert!(body.contains(r#"<a href="/api/v1/openapi.json">"#));
    // Answers a client meets, in words.
    assert!(body.contains("<dt>429</dt>"));
    assert!(body.contains(
        r##"A <a href="#schema-SearchResults"><code>SearchResults</code></a> object (JSON)."##
    ));
    // Markdown of the descriptions becomes markup, never raw.
    assert!(!body.contains("**"));
    // The footer names the catalog, as on every page.
    assert!(body.contains(r#"<footer class="site-footer">"#));
    // Every answer names its object, linked to its fields, and each object's fields
    // come with their types.
    assert!(
        body.contains(
            r##"An <a href="#schema-AudioFeatures"><code>AudioFeatures</code></a> object"##
        ),
        "{body}"
    );
    for name in doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
    {
        assert!(body.contains(&format!(r#"id="schema-{name}""#)), "{name}");
    }
    assert!(
        body.contains(r##"array of <a href="#schema-SimplifiedArtist">"##),
        "{body}"
    );
    assert!(body.contains("integer or null"), "{body}");
    // A reference with its own description (`allOf`) is a link too, never "any".
    assert!(!body.contains("<td>any</td>"), "{body}");
}

/// Real answers with nulls in them, checked against the document: unknown ids in the
/// lists, an album's missing fields, a seed genre's href, paging at its ends.
#[tokio::test]
async fn the_nulls_in_real_answers_are_declared_nullable() {
    let app = demo_app_with(|c| c.api_anonymous = true);
    let doc = document(&app).await;
    let track: String = {
        let mut conn = app.state.pool.get().unwrap();
        tracks::table
            .order(tracks::id)
            .select(tracks::spotify_id.assume_not_null())
            .first(&mut conn)
            .unwrap()
    };
    let unknown = "nosuchid00000000000000";
    let catalog = app.state.catalog();
    let artist = ids::artist(&catalog.artists.most_tracks(1)[0].name_key);
    let schema_of = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json; charset=utf-8"]
            ["schema"]
            .clone()
    };
    let album: String = {
        let mut conn = app.state.pool.get().unwrap();
        tracks::table
            .order(tracks::id)
            .select(tracks::album_spotify_id.assume_not_null())
            .first(&mut conn)
            .unwrap()
    };
    for (path, url, null_at) in [
        (
            "/tracks/{id}",
            format!("/api/v1/tracks/{track}"),
            "/album/album_type",
        ),
        ("/albums/{id}", format!("/api/v1/albums/{album}"), "/label"),
        (
            "/albums",
            format!("/api/v1/albums?ids={album},{unknown}"),
            "/albums/1",
        ),
        (
            "/albums/{id}/tracks",
            format!("/api/v1/albums/{album}/tracks?limit=1"),
            "/previous",
        ),
        (
            "/tracks",
            format!("/api/v1/tracks?ids={track},{unknown}"),
            "/tracks/1",
        ),
        (
            "/audio-features",
            format!("/api/v1/audio-features?ids={unknown},{track}"),
            "/audio_features/0",
        ),
        (
            "/artists",
            format!("/api/v1/artists?ids={unknown},{artist}"),
            "/artists/0",
        ),
        (
            "/search",
            "/api/v1/search?q=the&type=track,artist&limit=1".to_string(),
            "/tracks/previous",
        ),
        (
            "/recommendations",
            "/api/v1/recommendations?seed_genres=rock&limit=1".to_string(),
            "/seeds/0/href",
        ),
    ] {
        let (status, _, body) = text(&app, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        let value: Value = serde_json::from_str(&body).unwrap();
        assert!(
            value.pointer(null_at).is_some_and(Value::is_null),
            "{url}: expected null at {null_at}"
        );
        conforms(&doc, &schema_of(path), &value, path);
    }
    // Fields the API never fills are declared nullable, each one.
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("Track", "track_number"),
        ("Track", "preview_url"),
        ("SimplifiedAlbum", "href"),
        ("SimplifiedAlbum", "total_tracks"),
        ("SimplifiedTrack", "track_number"),
        ("SimplifiedTrackPage", "previous"),
        ("Album", "album_type"),
        ("Album", "label"),
        ("Album", "popularity"),
        ("AudioFeatures", "time_signature"),
        ("TrackPage", "next"),
        ("TrackPage", "previous"),
        ("ArtistPage", "next"),
        ("ArtistPage", "previous"),
        ("FeatureFigures", "catalog_average"),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field]["nullable"], true,
            "{schema}.{field}"
        );
    }
    assert_eq!(schemas["Error"]["required"][0], "error");
    // The audio features are named fields of numbers, as in Spotify's schema.
    for feature in [
        "acousticness",
        "danceability",
        "energy",
        "instrumentalness",
        "liveness",
        "loudness",
        "speechiness",
        "tempo",
        "valence",
    ] {
        assert_eq!(
            schemas["AudioFeatures"]["properties"][feature]["type"], "number",
            "{feature}"
        );
    }
    assert!(schemas["AudioFeatures"]["additionalProperties"].is_null());
}

#[tokio::test]
async fn the_document_only_answers_get_and_head() {
    let app = demo_app_with(|_| {});
    // OPTIONS says so, as everywhere under /api/v1 (`tests/api.rs`).
    for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE"] {
        let resp = app
            .client
            .request(method.parse().unwrap(), "/api/v1/openapi.json")
            .send()
            .await;
        resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        resp.assert_header("allow", "GET, HEAD, OPTIONS");
        resp.assert_content_type("application/json; charset=utf-8");
        let body: Value =
            serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
        assert_eq!(body["error"]["status"], 405, "{method}");
    }
    app.client
        .head("/api/v1/openapi.json")
        .send()
        .await
        .assert_status_is_ok();
}

#[tokio::test]
async fn the_docs_page_and_its_files_only_answer_get_and_head() {
    let app = demo_app_with(|_| {});
    // The reference is a page of the site: its 405 is the site's page.
    let resp = app.client.post("/api/docs").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header("allow", "GET, HEAD");
    app.client
        .get("/api/docs")
        .send()
        .await
        .assert_status_is_ok();
    // Its two addresses with a trailing slash are sent on to those without.
    for (slashed, to) in [
        ("/api/docs/", "/api/docs"),
        ("/api/docs/try/", "/api/docs/try"),
    ] {
        let resp = app.client.get(slashed).send().await;
        resp.assert_status(StatusCode::PERMANENT_REDIRECT);
        resp.assert_header("location", to);
    }
    for path in [
        "/api/docs/try",
        "/api/docs/init.js",
        "/api/docs/swagger-ui.css",
    ] {
        let resp = app.client.post(path).send().await;
        resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        resp.assert_header("allow", "GET, HEAD");
        let body: Value =
            serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
        assert_eq!(body["error"]["status"], 405, "{path}");
        app.client.get(path).send().await.assert_status_is_ok();
    }
}

/// Each operation's summary is the plain one-line title Swagger UI shows as text: no
/// Markdown backticks, no line breaks (the first paragraph of its doc comment was
/// shown with both); the whole paragraph opens the description, which is Markdown.
#[tokio::test]
async fn every_summary_is_one_plain_line() {
    let app = common::demo::demo_app();
    let doc = document(&app).await;
    let mut seen = 0;
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for (method, op) in methods.as_object().expect("methods") {
            let summary = op["summary"].as_str().unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            let at = format!("{method} {path}");
            assert!(!summary.is_empty(), "{at}");
            assert!(
                !summary.contains('`') && !summary.contains('\n'),
                "{at}: {summary:?}"
            );
            assert!(summary.len() <= 160, "{at}: {summary:?}");
            assert!(
                description.contains(
                    summary
                        .trim_end_matches('.')
                        .split(' ')
                        .next()
                        .unwrap_or_default()
                ),
                "{at}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 15, "{seen}");
    // The search's, which held backticks and three lines.
    let search = &doc["paths"]["/search"]["get"];
    assert!(search["description"]
        .as_str()
        .unwrap_or_default()
        .contains("`track:`"));
}
