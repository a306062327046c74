//! The JSON API (issue 12) through the real router over the demo catalog: every
//! endpoint and parameter, tokens, errors, the rate limit and CORS.

mod common;

use common::{
    auth::{Browser, Page, GOOD_PASSWORD},
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

/// Revokes token `id` through the account page's form, as its owner (or not).
async fn revoke(app: &TestApp, browser: &mut Browser, id: i32) -> Page {
    browser
        .submit(
            &app.client,
            "/account/api-tokens",
            &format!("/account/api-tokens/{id}/revoke"),
            &[],
        )
        .await
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
    // A token sent but not good says so in the challenge (RFC 6750): a client can
    // tell a token to replace from a request to fix.
    let bad = call(&app, Some("sih_not-a-real-token"), "/api/v1/catalog").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let forged = format!("sih_{}", "A".repeat(43));
    let a = call(&app, Some(&forged), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error(), "Invalid access token.");
    for answer in [&bad, &a] {
        assert_eq!(
            answer.header("www-authenticate"),
            Some("Bearer realm=\"api\", error=\"invalid_token\"")
        );
    }
    // Basic auth and cookies are not credentials here.
    let resp = app
        .client
        .get("/api/v1/catalog")
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    resp.assert_header(
        "www-authenticate",
        "Bearer realm=\"api\", error=\"invalid_request\"",
    );
}

/// Two credentials in one request are refused, even when one of them is good: which
/// one was meant cannot be known.
#[tokio::test]
async fn two_authorization_headers_are_refused() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "twice").await;
    let resp = app
        .client
        .get("/api/v1/catalog")
        .header("Authorization", format!("Bearer {t}"))
        .header("Authorization", "Bearer sih_someone-else")
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body: serde_json::Value =
        serde_json::from_str(&resp.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(
        body["error"]["message"],
        "Send one Authorization header; this request has several."
    );
    assert_eq!(
        call(&app, Some(&t), "/api/v1/catalog").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn anonymous_reads_when_the_operator_allows_them() {
    let app = demo_app_with(|c| c.api_anonymous = true);
    let a = call(&app, None, "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["tracks"], 20_000);
    // A token of this server's shape that is sent must still be valid.
    let forged = format!("sih_{}", "A".repeat(43));
    assert_eq!(
        call(&app, Some(&forged), "/api/v1/catalog").await.status,
        StatusCode::UNAUTHORIZED
    );
    // A placeholder that a client library needs to start (not of this server's shape)
    // reads as no token at all.
    let placeholder = call(&app, Some("any-token-will-do"), "/api/v1/catalog").await;
    assert_eq!(placeholder.status, StatusCode::OK, "{}", placeholder.json);
    // So does an empty one: a client given "" for no token sends `Bearer ` (the
    // TypeScript SDK had been told "Bad or expired token").
    let empty = call(&app, Some(""), "/api/v1/catalog").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.json);
    // Without anonymous reads, it is refused as any invalid token is.
    let closed = demo_app();
    let refused = call(&closed, Some("any-token-will-do"), "/api/v1/catalog").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let empty = call(&closed, Some(""), "/api/v1/catalog").await;
    assert_eq!(empty.status, StatusCode::UNAUTHORIZED);
    assert_eq!(empty.json["error"]["message"], "Invalid access token.");
}

/// The API's links (`href`, `next`) use the scheme the client reached the server by.
/// Secure cookies on a network address (`--secure-cookies auto`'s guess) had made them
/// `https://` on a plain-HTTP server, and following `next` failed in every client.
#[tokio::test]
async fn links_use_the_scheme_the_server_is_reached_by() {
    async fn href(app: &TestApp, forwarded_proto: Option<&str>) -> String {
        let mut req = app.client.get("/api/v1/search?q=a&type=track&limit=1");
        if let Some(proto) = forwarded_proto {
            req = req.header("X-Forwarded-Proto", proto);
        }
        let body = req.send().await.0.into_body().into_string().await.unwrap();
        let json: serde_json::Value = serde_json::from_str(&body).expect(&body);
        json["tracks"]["next"].as_str().expect(&body).to_string()
    }
    let guessed = demo_app_with(|c| {
        c.api_anonymous = true;
        c.secure_cookies = true;
    });
    assert!(href(&guessed, None)
        .await
        .starts_with("http://localhost/api/v1/search?"));
    // Without --trust-proxy, anyone could send the header: ignored.
    assert!(href(&guessed, Some("https")).await.starts_with("http://"));
    let behind_tls = demo_app_with(|c| {
        c.api_anonymous = true;
        c.secure_cookies = true;
        c.reached_over_https = true;
    });
    assert!(href(&behind_tls, None)
        .await
        .starts_with("https://localhost/api/v1/search?"));
    let proxied = demo_app_with(|c| {
        c.api_anonymous = true;
        c.trust_proxy_headers = true;
    });
    assert!(href(&proxied, Some("https")).await.starts_with("https://"));
    assert!(href(&proxied, Some("http, HTTPS"))
        .await
        .starts_with("https://"));
    assert!(href(&proxied, Some("gopher")).await.starts_with("http://"));
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
    // Revoking takes a second step on the page: the button that does it sits inside
    // a closed <details>, after a word on what it does.
    let list = browser.get(&app.client, "/account/api-tokens").await;
    let step = list
        .body
        .find(r#"<details class="confirm-step">"#)
        .map(|at| &list.body[at..])
        .expect("revoking is a second step");
    let end = step.find("</details>").expect("closed");
    assert!(
        step[..end].contains("Scripts using it stop working.")
            && step[..end].contains(">Yes, revoke</button>"),
        "{}",
        &step[..end]
    );
    // Revoke: the next request is refused, and says why.
    let id: i32 = {
        let mut conn = app.state.pool.get().unwrap();
        api_tokens::table
            .select(api_tokens::id)
            .first(&mut conn)
            .unwrap()
    };
    let page = revoke(&app, &mut browser, id).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let a = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.error(), "This access token has been revoked.");
    let list = browser.get(&app.client, "/account/api-tokens").await;
    assert!(list.body.contains("Revoked"), "{}", list.body);
}

/// A user one token short of the limit sends six creates at once: one gets its token,
/// the other five are told the limit, and the user has exactly the limit. (The count and
/// the insert are one write transaction, so creates racing at the limit cannot both see
/// room; on SQLite this test did not catch them without it, in six runs: the window
/// between a count and its insert is too short for this test to hit.)
#[tokio::test]
async fn creates_at_the_token_limit_are_refused_even_when_sent_at_once() {
    let app = demo_app();
    let (mut browser, _first) = user_with_token(&app, "collector").await;
    let owner: i32 = {
        let mut conn = app.state.pool.get().unwrap();
        api_tokens::table
            .select(api_tokens::user_id)
            .first(&mut conn)
            .unwrap()
    };
    let limit = insights_hub::accounts::api_tokens::MAX_ACTIVE_PER_USER;
    {
        let mut conn = app.state.pool.get().unwrap();
        for n in 1..limit - 1 {
            diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(owner),
                    api_tokens::name.eq(format!("made earlier {n}")),
                    api_tokens::token_hash.eq(format!("{n:064}")),
                    api_tokens::hint.eq("sih_…"),
                    api_tokens::created_at.eq(insights_hub::db::now_unix()),
                ))
                .execute(&mut conn)
                .unwrap();
        }
    }
    let token = browser
        .get(&app.client, "/account/api-tokens")
        .await
        .csrf_token();
    let send = |n: u32| {
        let mut racer = browser.clone();
        let (client, token) = (&app.client, token.clone());
        async move {
            let (name, once) = (format!("racer {n}"), format!("form {n}"));
            let fields = [
                ("csrf_token", token.as_str()),
                ("name", name.as_str()),
                ("once", once.as_str()),
            ];
            racer.post_raw(client, "/account/api-tokens", &fields).await
        }
    };
    let (a, b, c, d, e, f) = tokio::join!(send(0), send(1), send(2), send(3), send(4), send(5));
    let answers = [a, b, c, d, e, f];
    let made = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNPROCESSABLE_ENTITY)
        .collect();
    assert_eq!(
        made,
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 5);
    for answer in refused {
        assert!(answer.body.contains("the most allowed"), "{}", answer.body);
    }
    let mut conn = app.state.pool.get().unwrap();
    let active: i64 = api_tokens::table
        .filter(api_tokens::user_id.eq(owner))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(active, limit as i64);
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
    let page = revoke(&app, &mut bob, alice_id).await;
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
    // Titled as refused, as the account's other forms are.
    assert!(
        page.body.contains("<title>Error: API tokens"),
        "{}",
        page.body
    );
    // A name of nothing visible is blank too; one that would turn the page's own
    // sentences backwards is kept without its direction override.
    let page = bob
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "\u{200B}\u{FEFF}")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = bob
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "\u{202E}My  script")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains('\u{202E}'), "no override kept");
    assert!(page.body.contains("My script"), "{}", page.body);
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

/// Tokens that are not one are counted per client address under the same limit, so
/// guessing gets 429 instead of 401 after 401; a valid token from the same address is
/// not held back by them (a stranger behind the same NAT or proxy had locked it out).
#[tokio::test]
async fn refused_tokens_are_limited_per_address() {
    let app = demo_app_with(|c| c.api_rate_limit = 3);
    let (_b, token) = user_with_token(&app, "owner").await;
    for guess in 0..3 {
        let wrong = format!("sih_guess{guess:040}");
        assert_eq!(
            call(&app, Some(&wrong), "/api/v1/catalog").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = call(&app, Some("sih_guess-again"), "/api/v1/catalog").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").is_some());
    let owner = call(&app, Some(&token), "/api/v1/catalog").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.json);
    // A request without a token is not a guess: anonymous reads keep their own count.
    let anonymous = call(&app, None, "/api/v1/catalog").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
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
    // And the errors raised before the API's own checks: an address too long, a
    // malformed %-escape. Without the header the script sees a network failure.
    let long = format!("/api/v1/search?type=track&q={}", "a".repeat(9000));
    for (path, status) in [
        (long.as_str(), StatusCode::URI_TOO_LONG),
        ("/api/v1/tracks/%zz", StatusCode::BAD_REQUEST),
    ] {
        let resp = app
            .client
            .get(path)
            .header("Origin", "https://app.example")
            .send()
            .await;
        resp.assert_status(status);
        resp.assert_header("access-control-allow-origin", "https://app.example");
        let body = resp.0.into_body().into_string().await.unwrap();
        assert!(body.starts_with("{\"error\":"), "{body}");
    }
    let resp = app
        .client
        .get("/api/v1/tracks/%zz")
        .header("Origin", "https://evil.example")
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    assert!(resp
        .0
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    // The OpenAPI document too (no token needed): an API explorer or a client
    // generator on the allowed origin reads it first.
    let resp = app
        .client
        .get("/api/v1/openapi.json")
        .header("Origin", "https://app.example")
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_header("access-control-allow-origin", "https://app.example");
    let resp = app
        .client
        .options("/api/v1/openapi.json")
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await;
    resp.assert_status(StatusCode::NO_CONTENT);
    resp.assert_header("access-control-allow-origin", "https://app.example");
    let resp = app
        .client
        .get("/api/v1/openapi.json")
        .header("Origin", "https://evil.example")
        .send()
        .await;
    resp.assert_status_is_ok();
    assert!(resp
        .0
        .headers()
        .get("access-control-allow-origin")
        .is_none());
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
        ("/api", StatusCode::NOT_FOUND),
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
        ("/api/v1/artists/compare?ids=abc", StatusCode::BAD_REQUEST),
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
    assert!(track["explicit"].is_boolean(), "the demo catalog says");
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
            "/api/v1/tracks?ids={},nosuchid00000000000000,{}",
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
            "/api/v1/audio-features?ids={},nosuchid00000000000000",
            ids[1]
        ),
    )
    .await;
    let list = batch.json["audio_features"].as_array().unwrap();
    assert_eq!(list[0]["id"], ids[1].as_str());
    assert!(list[1].is_null());
}

/// spotipy, the most used Spotify client, asks for `audio-features/?ids=`,
/// `tracks/?ids=` and `artists/?ids=`, with the slash; Spotify answers them, so must we.
#[tokio::test]
async fn addresses_with_a_trailing_slash_answer_as_spotipy_expects() {
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "spotipy").await;
    let t = Some(t.as_str());
    let tracks = some_track_ids(&app, 2).join(",");
    let artists = some_artist_ids(&app, 2).join(",");
    for (path, key) in [
        (format!("audio-features?ids={tracks}"), "audio_features"),
        (format!("tracks?ids={tracks}"), "tracks"),
        (format!("artists?ids={artists}"), "artists"),
    ] {
        let plain = call(&app, t, &format!("/api/v1/{path}")).await;
        let slashed = call(&app, t, &format!("/api/v1/{}", path.replacen('?', "/?", 1))).await;
        assert_eq!(slashed.status, StatusCode::OK, "{path}: {}", slashed.json);
        assert_eq!(slashed.json, plain.json, "{path}");
        assert_eq!(
            slashed.json[key].as_array().map(Vec::len),
            Some(2),
            "{path}"
        );
    }
    // One id, and a single object's address, the same way; an unknown route stays 404.
    let one = some_track_ids(&app, 1).remove(0);
    let a = call(&app, t, &format!("/api/v1/tracks/{one}/")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["id"], one.as_str());
    let none = call(&app, t, "/api/v1/nothing-here/").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
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
    // Scripts read `artist["followers"]["total"]`: the datasets have no counts, so it
    // is there, and null.
    assert_eq!(
        a.json["followers"],
        serde_json::json!({"href": null, "total": null})
    );
    let name = a.json["name"].as_str().unwrap().to_string();

    let list = call(
        &app,
        t,
        &format!("/api/v1/artists?ids={},nosuchid00000000000000", artists[1]),
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
    // The spread is the gap between the two artists' means, the highest named first.
    let mean = |i: usize| {
        cmp.json["artists"][i]["audio_features"]["energy"]
            .as_f64()
            .unwrap()
    };
    let (a, b) = (mean(0), mean(1));
    assert!(
        // Each of the three figures is rounded to 6 decimals.
        (energy["spread"].as_f64().unwrap() - (a - b).abs()).abs() < 1.6e-6,
        "{energy}: {a} and {b}"
    );
    assert_ne!(a, b, "two artists of different energy");
    let (high, low) = if a > b { (0, 1) } else { (1, 0) };
    assert_eq!(
        energy["highest"], cmp.json["artists"][high]["id"],
        "{energy}"
    );
    assert_eq!(energy["lowest"], cmp.json["artists"][low]["id"], "{energy}");
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
    // The pages in the order `type` names them, as tekore reads them (it returns them
    // as a tuple in the order of the answer's keys).
    let keys = |json: &serde_json::Value| -> Vec<String> {
        json.as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(keys(&a.json), ["artists", "tracks"]);
    let swapped = call(
        &app,
        t,
        &format!("/api/v1/search?q={q}&type=track,artist&limit=2"),
    )
    .await;
    assert_eq!(keys(&swapped.json), ["tracks", "artists"]);
    assert_eq!(swapped.json["artists"], a.json["artists"]);
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
    // Named as Spotify names seeds (`r-n-b`, not `r&b`): each one, put into an address
    // as it is, as scripts do, is a seed that answers.
    assert!(genres.iter().any(|g| g == "r-n-b"), "{genres:?}");
    for genre in genres.iter().filter_map(|g| g.as_str()) {
        let path = format!("/api/v1/recommendations?seed_genres={genre}&limit=1");
        let r = call(&app, t, &path).await;
        assert_eq!(r.json["tracks"].as_array().map(Vec::len), Some(1), "{path}");
    }
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

// ---------------------------------------------------------------- hardening

/// An app that answers without a token, for the tests below that are about values.
fn open_app() -> TestApp {
    demo_app_with(|c| c.api_anonymous = true)
}

async fn refused(app: &TestApp, path: &str) -> String {
    let a = call(app, None, path).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}: {}", a.json);
    a.error()
}

/// A huge bad value is quoted in its error cut to its first 40 characters: the
/// messages had quoted it whole, up to the 8 KiB address limit.
#[tokio::test]
async fn a_huge_bad_value_is_quoted_short() {
    let app = open_app();
    let long = |c: &str| c.repeat(3000);
    for path in [
        format!("/api/v1/tracks/{}", long("x")),
        format!("/api/v1/search?q=a&type={}", long("z")),
        format!("/api/v1/search?q=a&type=track&limit={}", long("9")),
        format!("/api/v1/recommendations?seed_genres={}", long("q")),
        format!(
            "/api/v1/recommendations?seed_genres=pop&target_energy={}",
            long("e")
        ),
        format!("/api/v1/tracks?ids=1&market={}", long("m")),
    ] {
        let message = refused(&app, &path).await;
        assert!(message.len() < 400, "{}: {}", &path[..40], message.len());
        assert!(message.contains('…'), "{message}");
    }
}

#[tokio::test]
async fn control_characters_in_a_search_are_refused() {
    let app = open_app();
    for q in ["%00zzzzqq", "love%00zzzzzz", "a%07b", "a%1Bb"] {
        for kind in ["track", "artist"] {
            let message = refused(&app, &format!("/api/v1/search?q={q}&type={kind}")).await;
            assert_eq!(
                message,
                "q must not contain control characters (such as NUL or escape)."
            );
        }
    }
    // Other characters still search.
    let a = call(&app, None, "/api/v1/search?q=love%20song&type=track").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    // A tab, a line break or a carriage return is a space, as Spotify reads them (a
    // script reading its queries from a file keeps them): the same answer as spaces.
    let spaced = call(&app, None, "/api/v1/search?q=love%20song&type=track").await;
    for q in ["love%09song", "love%0Asong", "love%0D%0Asong"] {
        let a = call(&app, None, &format!("/api/v1/search?q={q}&type=track")).await;
        assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.json);
        assert_eq!(
            a.json["tracks"]["items"], spaced.json["tracks"]["items"],
            "{q}"
        );
    }
    // Characters nobody sees at either end of q (a byte-order mark from a file, a
    // zero-width space, a soft hyphen), or a byte-order mark anywhere, are not searched
    // for: they had made the search find nothing. One inside a name stays (a name
    // copied whole with one must find it).
    assert!(
        spaced.json["tracks"]["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{}",
        spaced.json
    );
    for q in [
        "%EF%BB%BFlove%20song",
        "love%20song%E2%80%8B",
        "%C2%ADlove%20song",
        "love%20%EF%BB%BFsong",
    ] {
        let a = call(&app, None, &format!("/api/v1/search?q={q}&type=track")).await;
        assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.json);
        assert_eq!(
            a.json["tracks"]["items"], spaced.json["tracks"]["items"],
            "{q}"
        );
    }
    // Inside quotes as well.
    let phrase = call(&app, None, "/api/v1/search?q=%22love%20song%22&type=track").await;
    let tabbed = call(&app, None, "/api/v1/search?q=%22love%09song%22&type=track").await;
    assert_eq!(tabbed.status, StatusCode::OK, "{}", tabbed.json);
    assert_eq!(
        tabbed.json["tracks"]["items"],
        phrase.json["tracks"]["items"]
    );
}

/// `q` holds up to 500 characters, counted as characters: a `track:"…" artist:"…"`
/// look-up of a long title and album fits; a longer one is refused.
#[tokio::test]
async fn a_search_holds_up_to_500_characters() {
    let app = open_app();
    let longest = format!("{}%20zz", "a".repeat(497));
    let a = call(
        &app,
        None,
        &format!("/api/v1/search?q={longest}&type=track"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let wide = "%E6%84%9B".repeat(500);
    let a = call(&app, None, &format!("/api/v1/search?q={wide}&type=artist")).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "500 characters of 3 bytes: {}",
        a.json
    );
    let message = refused(
        &app,
        &format!("/api/v1/search?q={}&type=track", "a".repeat(501)),
    )
    .await;
    assert_eq!(message, "q must be 1 to 500 characters.");
}

/// `market` changes nothing (the catalog has none), but a code that is not a country's
/// is refused everywhere, as Spotify refuses it.
#[tokio::test]
async fn a_market_that_is_not_a_country_code_is_refused_everywhere() {
    let app = open_app();
    for path in [
        "/api/v1/search?q=love&type=track",
        "/api/v1/recommendations?seed_genres=pop",
        "/api/v1/recommendations/available-genre-seeds?x=1",
    ] {
        for bad in ["XX", "", "USA"] {
            let message = refused(&app, &format!("{path}&market={bad}")).await;
            assert!(
                message.starts_with("Invalid market code"),
                "{path} {bad}: {message}"
            );
        }
        for good in ["US", "se", "from_token"] {
            let a = call(&app, None, &format!("{path}&market={good}")).await;
            assert_eq!(a.status, StatusCode::OK, "{path} {good}: {}", a.json);
        }
    }
}

#[tokio::test]
async fn search_paging_links_never_lead_to_a_refusal_or_back_to_the_same_page() {
    let app = open_app();
    // "e" is in most of the demo catalog's 20,000 titles: far more than 1,050 results.
    let a = call(
        &app,
        None,
        "/api/v1/search?q=e&type=track&limit=20&offset=980",
    )
    .await;
    let page = &a.json["tracks"];
    assert!(page["total"].as_i64().unwrap() > 1_100, "{}", page["total"]);
    let next = page["next"].as_str().expect("a next page at 1000");
    assert!(next.contains("offset=1000"), "{next}");
    let last = call(&app, None, &next[next.find("/api/v1").unwrap()..]).await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.json);
    assert!(
        last.json["tracks"]["next"].is_null(),
        "offset 1020 would be refused: {}",
        last.json["tracks"]["next"]
    );
    assert!(last.json["tracks"]["previous"].is_string());
    let a = call(
        &app,
        None,
        "/api/v1/search?q=e&type=track&limit=50&offset=1000",
    )
    .await;
    assert!(a.json["tracks"]["next"].is_null());
    // limit=0: its neighbours would be itself.
    let a = call(
        &app,
        None,
        "/api/v1/search?q=e&type=track,artist&limit=0&offset=5",
    )
    .await;
    for kind in ["tracks", "artists"] {
        assert!(a.json[kind]["next"].is_null(), "{}", a.json[kind]);
        assert!(a.json[kind]["previous"].is_null(), "{}", a.json[kind]);
    }
}

#[tokio::test]
async fn parameter_errors_are_in_the_apis_words() {
    let app = open_app();
    for (path, name) in [
        ("/api/v1/tracks", "ids"),
        ("/api/v1/audio-features", "ids"),
        ("/api/v1/artists", "ids"),
        ("/api/v1/artists/compare", "ids"),
        ("/api/v1/search?type=track", "q"),
        ("/api/v1/search?q=love", "type"),
    ] {
        assert_eq!(
            refused(&app, path).await,
            format!("Missing required parameter {name}."),
            "{path}"
        );
    }
    for value in ["-1", "abc", "1.5", "51", "99999999999999999999", ""] {
        assert_eq!(
            refused(
                &app,
                &format!("/api/v1/search?q=a&type=track&limit={value}")
            )
            .await,
            format!("limit must be a whole number from 0 to 50, not “{value}”.")
        );
    }
    for value in ["-1", "x", "1001"] {
        assert_eq!(
            refused(
                &app,
                &format!("/api/v1/search?q=a&type=track&offset={value}")
            )
            .await,
            format!("offset must be a whole number from 0 to 1000, not “{value}”.")
        );
    }
    assert_eq!(
        refused(&app, "/api/v1/recommendations?seed_genres=rock&limit=ten").await,
        "limit must be a whole number from 1 to 100, not “ten”."
    );
    assert_eq!(
        refused(&app, "/api/v1/recommendations?seed_genres=rock&limit=101").await,
        "limit must be a whole number from 1 to 100, not “101”."
    );
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused_everywhere() {
    let app = open_app();
    let ids = some_track_ids(&app, 2);
    let artists = some_artist_ids(&app, 2);
    for (path, name) in [
        (
            format!("/api/v1/audio-features?ids={}&ids={}", ids[0], ids[1]),
            "ids",
        ),
        (format!("/api/v1/tracks?ids={0}&ids={0}", ids[0]), "ids"),
        (
            format!(
                "/api/v1/artists/compare?ids={}&ids={}",
                artists[0], artists[1]
            ),
            "ids",
        ),
        (
            "/api/v1/recommendations?seed_genres=rock&seed_genres=pop".to_string(),
            "seed_genres",
        ),
        ("/api/v1/search?q=a&type=track&q=b".to_string(), "q"),
    ] {
        assert_eq!(
            refused(&app, &path).await,
            format!(
                "{name} is given more than once: give it once (a list is one comma-separated value, as in Spotify's API)."
            ),
            "{path}"
        );
    }
    // A name no endpoint reads is ignored, once or twice (two cache-busters).
    for path in [
        "/api/v1/catalog?x=1&x=2",
        "/api/v1/search?q=a&type=track&_=1&_=2",
        "/api/v1/recommendations?seed_genres=rock&foo=1&foo=2",
    ] {
        assert_eq!(
            call(&app, None, path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    // Once, with a comma-separated list: fine.
    let a = call(
        &app,
        None,
        &format!("/api/v1/audio-features?ids={},{}", ids[0], ids[1]),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["audio_features"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_wrong_method_is_told_which_methods_there_are() {
    let app = open_app();
    for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE"] {
        let resp = app
            .client
            .request(method.parse().unwrap(), "/api/v1/catalog")
            .send()
            .await;
        resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        resp.assert_header("allow", "GET, HEAD, OPTIONS");
        resp.assert_content_type("application/json; charset=utf-8");
    }
    // HEAD reads.
    app.client
        .head("/api/v1/catalog")
        .send()
        .await
        .assert_status_is_ok();
}

/// The 405s advertise OPTIONS, so OPTIONS answers: 204 with the same `Allow`, on any
/// address under /api/v1 and without a token (a preflight cannot send one), with the
/// CORS permissions when the origin is allowed.
#[tokio::test]
async fn options_says_what_an_address_takes_without_a_token() {
    let app = demo_app_with(|c| c.api_cors_origins = vec!["https://app.example".into()]);
    for path in [
        "/api/v1/tracks/x",
        "/api/v1/catalog",
        "/api/v1/search?q=a&type=track",
        "/api/v1/artists/compare",
        "/api/v1/openapi.json",
    ] {
        let resp = app.client.options(path).send().await;
        resp.assert_status(StatusCode::NO_CONTENT);
        resp.assert_header("allow", "GET, HEAD, OPTIONS");
        assert!(resp.0.headers().get("www-authenticate").is_none(), "{path}");
        assert!(
            resp.0
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{path}: no origin, no CORS permission"
        );
    }
    let resp = app
        .client
        .options("/api/v1/tracks/x")
        .header("Origin", "https://app.example")
        .send()
        .await;
    resp.assert_status(StatusCode::NO_CONTENT);
    resp.assert_header("allow", "GET, HEAD, OPTIONS");
    resp.assert_header("access-control-allow-origin", "https://app.example");
    resp.assert_header("access-control-allow-methods", "GET, HEAD, OPTIONS");
}

/// `ids=a,,b` would otherwise answer two objects for three ids, and a client pairing
/// them by position would pair them wrongly: Spotify answers "invalid id", so do we.
#[tokio::test]
async fn an_empty_entry_in_ids_is_an_invalid_id() {
    let app = open_app();
    let known = some_track_ids(&app, 2);
    let (a, b) = (&known[0], &known[1]);
    for (path, entry) in [
        (format!("/api/v1/tracks?ids={a},,{b}"), 2),
        (format!("/api/v1/audio-features?ids={a},"), 2),
        (format!("/api/v1/audio-features?ids=,{a}"), 1),
        (format!("/api/v1/tracks?ids={a},%20,{b}"), 2),
        ("/api/v1/artists?ids=,".to_string(), 1),
    ] {
        let message = refused(&app, &path).await;
        assert!(
            message.starts_with(&format!("Invalid id: entry {entry} of ids is empty")),
            "{path}: {message}"
        );
    }
    assert_eq!(
        refused(&app, "/api/v1/tracks?ids=").await,
        "ids must name at least one id."
    );
    let a = call(&app, None, &format!("/api/v1/tracks?ids={a},{b}")).await;
    assert_eq!(a.json["tracks"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn ids_that_are_not_22_letters_and_digits_are_invalid() {
    let app = open_app();
    let known = some_track_ids(&app, 1).remove(0);
    let invalid = |id: &str| format!("Invalid id: “{id}” (an id is 22 letters and digits).");
    let long = format!("{known}x");
    for (path, id) in [
        ("/api/v1/tracks/short".to_string(), "short"),
        ("/api/v1/audio-features/short".to_string(), "short"),
        ("/api/v1/artists/short".to_string(), "short"),
        ("/api/v1/artists/short/top-tracks".to_string(), "short"),
        ("/api/v1/artists/short/related-artists".to_string(), "short"),
        (format!("/api/v1/tracks/{long}"), long.as_str()),
        (
            format!("/api/v1/audio-features?ids={known},{long}"),
            long.as_str(),
        ),
        (format!("/api/v1/tracks?ids={long}"), long.as_str()),
        ("/api/v1/artists?ids=short".to_string(), "short"),
        (
            "/api/v1/artists/compare?ids=short,other".to_string(),
            "short",
        ),
        (
            "/api/v1/recommendations?seed_tracks=short".to_string(),
            "short",
        ),
        (
            "/api/v1/recommendations?seed_artists=short".to_string(),
            "short",
        ),
    ] {
        assert_eq!(refused(&app, &path).await, invalid(id), "{path}");
    }
    // 22 characters the catalog does not have: unknown, not invalid.
    let unknown = "nosuchid00000000000000";
    let a = call(&app, None, &format!("/api/v1/tracks/{unknown}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = call(
        &app,
        None,
        &format!("/api/v1/recommendations?seed_tracks={unknown}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = call(&app, None, &format!("/api/v1/tracks?ids={known},{unknown}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json["tracks"][1].is_null());
}

#[tokio::test]
async fn a_catalog_whose_ids_are_not_spotify_shaped_still_answers_for_them() {
    // The import takes any 1 to 64 letters and digits as a track id.
    let app = common::empty_app();
    common::fixtures::load(
        &app.state,
        "odd ids",
        vec![
            common::fixtures::track("trk1", "One", &["Ann"], 0.2),
            common::fixtures::track("trk2", "Two", &["Bob"], 0.8),
        ],
    )
    .await;
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "odd", GOOD_PASSWORD).await;
    let token = create_token(&app, &mut browser, "odd").await;
    let t = Some(token.as_str());
    let a = call(&app, t, "/api/v1/tracks/trk1").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["id"], "trk1");
    let a = call(&app, t, "/api/v1/audio-features?ids=trk2,trk1").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["audio_features"][0]["id"], "trk2");
    let a = call(&app, t, "/api/v1/recommendations?seed_tracks=trk1&limit=1").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["tracks"][0]["id"], "trk2");
    // One it does not hold, of that shape, is still invalid.
    let a = call(&app, t, "/api/v1/tracks/trk3").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.json);
}

#[tokio::test]
async fn an_album_keeps_the_datasets_id_and_date_and_what_no_dataset_says_is_null() {
    let app = common::empty_app();
    let mut with_album = common::fixtures::track("6f807x0ima9a1j3VPbc7VN", "One", &["Ann"], 0.2);
    with_album.album = Some("First".into());
    with_album.album_spotify_id = Some("2oCs0DGTsRO98Gh5ZSl2Cx".into());
    with_album.release_year = Some(2019);
    with_album.release_date = Some("2019-06".into());
    with_album.explicit = None;
    let mut bare = common::fixtures::track("0r7CVbZTWZgbTCYdfa2P31", "Two", &["Bob"], 0.8);
    bare.album = Some("Second".into());
    bare.release_year = Some(1999);
    bare.release_date = None;
    bare.explicit = Some(true);
    common::fixtures::load(&app.state, "albums", vec![with_album, bare]).await;
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "albums", GOOD_PASSWORD).await;
    let token = create_token(&app, &mut browser, "albums").await;
    let t = Some(token.as_str());
    let a = call(
        &app,
        t,
        "/api/v1/tracks?ids=6f807x0ima9a1j3VPbc7VN,0r7CVbZTWZgbTCYdfa2P31",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let (one, two) = (&a.json["tracks"][0], &a.json["tracks"][1]);
    // The dataset's album id, its Spotify page, and the date as precise as it was.
    assert_eq!(one["album"]["id"], "2oCs0DGTsRO98Gh5ZSl2Cx");
    assert_eq!(one["album"]["uri"], "spotify:album:2oCs0DGTsRO98Gh5ZSl2Cx");
    assert_eq!(
        one["album"]["external_urls"]["spotify"],
        "https://open.spotify.com/album/2oCs0DGTsRO98Gh5ZSl2Cx"
    );
    assert_eq!(one["album"]["release_date"], "2019-06");
    assert_eq!(one["album"]["release_date_precision"], "month");
    // Without them: an id of ours (no Spotify page) and the year.
    let derived = two["album"]["id"].as_str().expect("an id");
    assert_eq!(derived.len(), 22);
    assert_ne!(derived, "2oCs0DGTsRO98Gh5ZSl2Cx");
    assert!(two["album"]["external_urls"]["spotify"].is_null());
    assert_eq!(two["album"]["release_date"], "1999");
    assert_eq!(two["album"]["release_date_precision"], "year");
    // What no dataset holds is null, not made up.
    assert!(one["explicit"].is_null(), "{one}");
    assert_eq!(two["explicit"], true);
    for track in [one, two] {
        assert!(track["disc_number"].is_null(), "{track}");
        assert!(track["album"]["album_type"].is_null(), "{track}");
    }
}

#[tokio::test]
async fn only_a_dataset_id_has_spotify_links() {
    let app = common::empty_app();
    let from_spotify = common::fixtures::track("6f807x0ima9a1j3VPbc7VN", "One", &["Ann"], 0.2);
    let mut untold = common::fixtures::track("0r7CVbZTWZgbTCYdfa2P31", "Two", &["Bob"], 0.8);
    untold.spotify_id = None;
    common::fixtures::load(&app.state, "ids", vec![from_spotify, untold]).await;
    let (_b, token) = user_with_token(&app, "linker").await;
    let t = Some(token.as_str());
    let found = call(&app, t, "/api/v1/search?q=track:two&type=track").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.json);
    let derived = found.json["tracks"]["items"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let a = call(
        &app,
        t,
        &format!("/api/v1/audio-features?ids=6f807x0ima9a1j3VPbc7VN,{derived}"),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let (one, two) = (&a.json["audio_features"][0], &a.json["audio_features"][1]);
    // The analysis' address is this API's, for every track (typed clients such as
    // tekore require one): a script that follows it with its token sends the token
    // nowhere else, and hears in Spotify's error shape that there is no analysis.
    for (features, id) in [(one, "6f807x0ima9a1j3VPbc7VN"), (two, derived.as_str())] {
        let url = features["analysis_url"].as_str().expect("an address");
        let path = format!("/api/v1/audio-analysis/{id}");
        assert!(url.ends_with(&path), "{url}");
        assert!(!url.contains("spotify.com"), "{url}");
        let followed = call(&app, t, &path).await;
        assert_eq!(followed.status, StatusCode::NOT_FOUND, "{}", followed.json);
        assert_eq!(followed.json["error"]["status"], 404, "{}", followed.json);
        let message = followed.json["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains("no audio analysis"), "{message}");
    }
    // An album id no track carries, followed as Spotify's clients do, hears why there
    // is nothing (`tests/api_albums.rs` has the albums that are there).
    let album = call(&app, t, "/v1/albums/1GbtB4zTqAsyfZEsm1RZfx/tracks").await;
    assert_eq!(album.status, StatusCode::NOT_FOUND, "{}", album.json);
    let message = album.json["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("No album with id"), "{message}");
    let a = call(
        &app,
        t,
        &format!("/api/v1/tracks?ids=6f807x0ima9a1j3VPbc7VN,{derived}"),
    )
    .await;
    assert_eq!(
        a.json["tracks"][0]["external_urls"]["spotify"],
        "https://open.spotify.com/track/6f807x0ima9a1j3VPbc7VN"
    );
    assert!(
        a.json["tracks"][1]["external_urls"]["spotify"].is_null(),
        "{}",
        a.json["tracks"][1]
    );
}

#[tokio::test]
async fn spotifys_own_paths_answer_as_the_apis() {
    // Clients that let only the host change (spotify-web-api-node) ask for /v1/...
    let app = demo_app();
    let (_b, t) = user_with_token(&app, "hostonly").await;
    let t = Some(t.as_str());
    let ids = some_track_ids(&app, 2);
    let ours = call(
        &app,
        t,
        &format!("/api/v1/audio-features?ids={}", ids.join(",")),
    )
    .await;
    let theirs = call(
        &app,
        t,
        &format!("/v1/audio-features/?ids={}", ids.join(",")),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.json);
    assert_eq!(theirs.json, ours.json);
    // Its errors are the API's: JSON, and a token is still needed.
    let missing = call(&app, t, "/v1/albums/0000000000000000000000").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.json["error"]["message"].is_string(),
        "{}",
        missing.json
    );
    let anonymous = call(&app, None, &format!("/v1/tracks/{}", ids[0])).await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.json
    );
}

#[tokio::test]
async fn only_the_newest_revoked_tokens_stay_listed() {
    let app = demo_app();
    let (mut browser, _token) = user_with_token(&app, "churner").await;
    for n in 0..24 {
        create_token(&app, &mut browser, &format!("round {n}")).await;
        let id: i32 = {
            let mut conn = app.state.pool.get().unwrap();
            api_tokens::table
                .filter(api_tokens::revoked_at.is_null())
                .order(api_tokens::id.desc())
                .select(api_tokens::id)
                .first(&mut conn)
                .unwrap()
        };
        let page = revoke(&app, &mut browser, id).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let mut conn = app.state.pool.get().unwrap();
    let revoked: Vec<String> = api_tokens::table
        .filter(api_tokens::revoked_at.is_not_null())
        .order(api_tokens::id.asc())
        .select(api_tokens::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(revoked.len(), 20, "{revoked:?}");
    assert_eq!(revoked.first().map(String::as_str), Some("round 4"));
    let active: i64 = api_tokens::table
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(active, 1, "the first token is untouched");
}

#[tokio::test]
async fn one_creation_form_sent_several_times_at_once_makes_one_token() {
    let app = demo_app();
    let (browser, _first) = user_with_token(&app, "doubler").await;
    let mut page_browser = browser.clone();
    let token = page_browser
        .get(&app.client, "/account/api-tokens")
        .await
        .csrf_token();
    let send = |n: u32| {
        let mut racer = browser.clone();
        let (client, token) = (&app.client, token.clone());
        async move {
            let name = format!("double {n}");
            let fields = [
                ("csrf_token", token.as_str()),
                ("name", name.as_str()),
                ("once", "the same form"),
            ];
            racer.post_raw(client, "/account/api-tokens", &fields).await
        }
    };
    let (a, b, c, d, e, f) = tokio::join!(send(0), send(1), send(2), send(3), send(4), send(5));
    let statuses: Vec<StatusCode> = [a, b, c, d, e, f].iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        5,
        "{statuses:?}"
    );
    let mut conn = app.state.pool.get().unwrap();
    let made: i64 = api_tokens::table
        .filter(api_tokens::name.like("double %"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(made, 1);
}

/// What no dataset holds is null, unless the server is started with
/// `--api-fill-unknown`: then Spotify's usual values stand in, for typed clients
/// (tekore, rspotify) that refuse the nulls. Values the dataset holds stay its own.
/// An artist's average popularity is rounded as the pages round it (halves to even):
/// 74.5 read 74 on the artist's page and 75 from the API.
#[tokio::test]
async fn an_artists_popularity_reads_the_same_on_the_page_and_from_the_api() {
    let app = common::empty_app();
    let mut first = common::fixtures::track("6f807x0ima9a1j3VPbc7VN", "One", &["Ann"], 0.2);
    first.popularity = Some(74);
    let mut second = common::fixtures::track("0r7CVbZTWZgbTCYdfa2P31", "Two", &["Ann"], 0.4);
    second.popularity = Some(75);
    common::fixtures::load(&app.state, "halves", vec![first, second]).await;
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "halves", GOOD_PASSWORD).await;
    let token = create_token(&app, &mut browser, "halves").await;
    let found = call(&app, Some(&token), "/api/v1/search?q=Ann&type=artist").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.json);
    assert_eq!(
        found.json["artists"]["items"][0]["popularity"], 74,
        "{}",
        found.json
    );
    let page = browser
        .get(&app.client, &common::artist_path(&app, "Ann"))
        .await;
    assert!(
        page.body.contains("average popularity 74 of 100"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_usual_values_stand_in_for_unknown_ones_only_when_asked() {
    let mut untold = common::fixtures::track("6f807x0ima9a1j3VPbc7VN", "One", &["Ann"], 0.2);
    untold.explicit = None;
    untold.time_signature = None;
    untold.mode = None;
    untold.popularity = None;
    untold.release_year = None;
    untold.release_date = None;
    let told = common::fixtures::track("0r7CVbZTWZgbTCYdfa2P31", "Two", &["Bob"], 0.8);
    let fields = |track: &Value, features: &Value, artist: &Value| {
        [
            track["disc_number"].clone(),
            track["track_number"].clone(),
            track["explicit"].clone(),
            track["popularity"].clone(),
            track["album"]["album_type"].clone(),
            track["album"]["total_tracks"].clone(),
            track["album"]["release_date"].clone(),
            features["time_signature"].clone(),
            features["mode"].clone(),
            artist["followers"]["total"].clone(),
        ]
    };
    for fill in [false, true] {
        let app = common::empty_app_with(|config| config.api_fill_unknown = fill);
        common::fixtures::load(&app.state, "ids", vec![untold.clone(), told.clone()]).await;
        let (_b, token) = user_with_token(&app, "typed").await;
        let t = Some(token.as_str());
        let ids = "6f807x0ima9a1j3VPbc7VN,0r7CVbZTWZgbTCYdfa2P31";
        let tracks = call(&app, t, &format!("/api/v1/tracks?ids={ids}")).await;
        let features = call(&app, t, &format!("/api/v1/audio-features?ids={ids}")).await;
        assert_eq!(tracks.status, StatusCode::OK, "{}", tracks.json);
        let artist_id = tracks.json["tracks"][0]["artists"][0]["id"]
            .as_str()
            .expect("id");
        let artist = call(&app, t, &format!("/api/v1/artists/{artist_id}")).await;
        let untold_fields = fields(
            &tracks.json["tracks"][0],
            &features.json["audio_features"][0],
            &artist.json,
        );
        if fill {
            let expected = serde_json::json!([1, 1, false, 0, "album", 1, "0000", 4, 1, 0]);
            assert_eq!(Value::from(untold_fields.to_vec()), expected);
            let album = &tracks.json["tracks"][0]["album"];
            assert_eq!(album["release_date_precision"], "year", "{album}");
            let href = album["href"].as_str().expect("an album href");
            assert!(
                href.ends_with(&format!(
                    "/api/v1/albums/{}",
                    album["id"].as_str().unwrap_or("")
                )),
                "{href}"
            );
        } else {
            assert!(
                untold_fields.iter().all(Value::is_null),
                "{untold_fields:?}"
            );
            assert!(tracks.json["tracks"][0]["album"]["href"].is_null());
        }
        // What the dataset says is never replaced.
        let told = &tracks.json["tracks"][1];
        assert_eq!(told["explicit"], false, "{told}");
        assert_eq!(told["popularity"], 50, "{told}");
        assert_eq!(told["album"]["release_date"], "2000", "{told}");
        assert_eq!(features.json["audio_features"][1]["time_signature"], 4);
        assert_eq!(features.json["audio_features"][1]["mode"], 1);
    }
}

/// An empty catalog states no averages: `{}`, not every feature at 0.0 beside
/// `tracks: 0` (its years are null likewise).
#[tokio::test]
async fn an_empty_catalog_has_no_averages() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let a = call(&app, None, "/api/v1/catalog").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["tracks"], 0);
    assert_eq!(a.json["audio_features"], serde_json::json!({}));
    assert!(a.json["min_year"].is_null());
}

/// A body the API does not read is ignored, whatever it holds: a GET (or a CORS
/// preflight) carrying a form that is not UTF-8, or one in another charset, had been
/// told to send the form again from the site's page (400, 415).
#[tokio::test]
async fn a_body_the_api_does_not_read_is_ignored() {
    let app = open_app();
    for content_type in [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=iso-8859-1",
    ] {
        let resp = app
            .client
            .get("/api/v1/catalog")
            .content_type(content_type)
            // As a real client sends it (without it the body is not looked at).
            .header("content-length", "3")
            .body(vec![b'a', b'=', 0xff])
            .send()
            .await;
        resp.assert_status(StatusCode::OK);
    }
}
