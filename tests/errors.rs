//! Every error a browser, htmx or a program can see, through the real router: the app's
//! error page with the site's header and navigation, an htmx notice retargeted to the
//! page's notice area, JSON under `/api/`; poem's own plain-text answers replaced; one
//! body limit whatever the route and headers; and a live-answer cache that junk
//! parameters cannot grow.

mod common;

use common::{
    auth::{Browser, GOOD_PASSWORD},
    demo::demo_app,
    empty_app,
};
use poem::http::{header, Method, StatusCode};

/// The app's error page: the site's shell (header, navigation) around the message.
fn assert_error_page(body: &str, status: StatusCode, message: &str) {
    assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
    assert!(
        body.contains(r#"<header class="site-header">"#),
        "no header: {body}"
    );
    assert!(
        body.contains(r#"aria-label="Main""#),
        "no navigation: {body}"
    );
    assert!(body.contains("<h1>"), "no heading: {body}");
    assert!(
        body.contains(&format!("Error {} (", status.as_u16())),
        "no status: {body}"
    );
    assert!(body.contains(message), "expected “{message}” in {body}");
}

/// A query whose %-escapes are not UTF-8 is refused, as a form is, on pages and in the
/// API alike, rather than read with U+FFFD for every bad byte.
#[tokio::test]
async fn a_query_that_is_not_utf8_is_refused_everywhere() {
    let app = demo_app();
    for path in [
        "/genres/compare?genre=%ff%fe",
        "/artists?q=caf%E9",
        "/api/v1/search?q=%ff&type=track",
    ] {
        let resp = app.client.get(path).send().await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        let body = resp.0.into_body().into_string().await.expect("body");
        assert!(body.contains("not UTF-8 text"), "{path}: {body}");
        assert!(!body.contains('\u{FFFD}'), "{path}: {body}");
    }
    // The same word in UTF-8 is a search like any other.
    let resp = app.client.get("/artists?q=caf%C3%A9").send().await;
    resp.assert_status_is_ok();
}

/// A path with a malformed %-escape is a 400 whatever the address, with the page or
/// the API's JSON; a well-formed escape still names what it names.
#[tokio::test]
async fn a_path_with_a_malformed_escape_is_a_bad_request_everywhere() {
    let app = demo_app();
    for path in [
        "/%",
        "/artists/%zz",
        "/genres/%FF",
        "/nothing/here%2",
        "/assets/%E9.css",
    ] {
        let resp = app.client.get(path).send().await;
        resp.assert_status(StatusCode::BAD_REQUEST);
        let body = resp.0.into_body().into_string().await.expect("body");
        assert!(
            body.contains("%-escape that is not two hex digits"),
            "{path}: {body}"
        );
        assert!(
            body.contains(r#"<header class="site-header">"#),
            "{path}: {body}"
        );
    }
    let resp = app.client.get("/api/v1/tracks/%").send().await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let body = resp.0.into_body().into_string().await.expect("body");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["error"]["status"], 400);
    // Escapes that decode to UTF-8 are read as before: a genre name with spaces, and an
    // address that names nothing.
    app.client
        .get("/genres/no%20such%20genre")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client
        .get("/nothing%20here")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.client
        .get("/artists?q=caf%C3%A9")
        .send()
        .await
        .assert_status_is_ok();
}

/// The data files a page's script reads answer their errors in JSON, as the API does.
#[tokio::test]
async fn data_files_answer_errors_in_json() {
    let app = demo_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "charts", GOOD_PASSWORD).await;
    let page = browser
        .get(&app.client, "/perfect-song/charts.json?energy=7")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        page.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON");
    assert_eq!(json["error"]["status"], 400);
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Energy")),
        "{json}"
    );
}

#[tokio::test]
async fn error_pages_have_the_sites_header_and_navigation() {
    let app = empty_app();
    let mut browser = Browser::new();
    let page = browser.get(&app.client, "/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_error_page(
        &page.body,
        StatusCode::NOT_FOUND,
        "There is no page at this address.",
    );
    // Headed in a reader's words, the protocol's below.
    assert!(page.body.contains("<h1>Not found</h1>"), "{}", page.body);
    assert!(
        page.body.contains("Error 404 (Not Found)."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Log in"),
        "anonymous navigation: {}",
        page.body
    );

    // A logged-in visitor sees their own navigation on an error page too.
    browser
        .sign_up(&app.client, "wanderer", GOOD_PASSWORD)
        .await;
    let page = browser.get(&app.client, "/artists/not-a-number").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_error_page(&page.body, StatusCode::BAD_REQUEST, "is not an artist id");
    assert!(
        page.body.contains("wanderer"),
        "user's navigation: {}",
        page.body
    );
    assert!(page.body.contains("Log out"), "{}", page.body);
}

/// A request refused before the session is read (a body too large) cannot know whether
/// its visitor is signed in: a visitor with a session cookie is not told to log in, one
/// without it is.
#[tokio::test]
async fn an_error_before_the_session_offers_log_in_only_without_a_session_cookie() {
    let app = empty_app();
    let big = "a".repeat(insights_hub::web::request_limits::MAX_BODY_BYTES + 1);
    let refused = |cookie: Option<String>| {
        let mut request = app.client.post("/no/such/page").body(big.clone());
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        async move {
            let resp = request.send().await;
            let status = resp.0.status();
            (
                status,
                resp.0.into_body().into_string().await.expect("body"),
            )
        }
    };

    let (status, anonymous) = refused(None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_page(&anonymous, status, "larger than");
    assert!(anonymous.contains(">Log in<"), "{anonymous}");
    assert!(!anonymous.contains("Your account"), "{anonymous}");

    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "wanderer", GOOD_PASSWORD)
        .await;
    let (status, signed_in) = refused(Some(browser.cookie_header())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_page(&signed_in, status, "larger than");
    assert!(!signed_in.contains(">Log in<"), "{signed_in}");
    assert!(
        signed_in.contains(r#"<a href="/account">Your account</a>"#),
        "{signed_in}"
    );
}

/// `/artists/` is `/artists`: a trailing slash is dropped by a redirect that keeps the
/// query; a form posted there, and the API, are left alone.
#[tokio::test]
async fn a_trailing_slash_is_sent_on_to_the_page_without_it() {
    let app = empty_app();
    let mut browser = Browser::new();
    let moved = browser.get(&app.client, "/artists/?q=ab").await;
    assert_eq!(
        moved.status,
        StatusCode::PERMANENT_REDIRECT,
        "{}",
        moved.body
    );
    assert_eq!(moved.location(), Some("/artists?q=ab"));
    let page = browser.get(&app.client, "/artists?q=ab").await;
    assert_eq!(page.status, StatusCode::OK);
    let outside = browser.get(&app.client, "//evil.example/").await;
    assert_ne!(outside.status, StatusCode::PERMANENT_REDIRECT);
    let api = app.client.get("/api/v1/tracks/").send().await.0;
    assert_ne!(api.status(), StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test]
async fn htmx_errors_are_notices_for_the_notice_area_not_pages() {
    let app = empty_app();
    let mut htmx = Browser::htmx();
    let page = htmx.get(&app.client, "/artists/not-a-number").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body
            .starts_with(r#"<div class="error-box" role="alert">"#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<html"), "a whole page: {}", page.body);
    assert!(page.body.contains("is not an artist id"), "{}", page.body);
    assert_eq!(page.header("hx-retarget"), Some("#notices"));
    assert_eq!(page.header("hx-reswap"), Some("innerHTML"));
    // The page under the notice still shows the last answer that worked, so the address
    // stays: a search field with hx-replace-url had put the refused address there.
    assert_eq!(page.header("hx-push-url"), Some("false"));
    // The notice area it lands in is on every page.
    let home = Browser::new().get(&app.client, "/").await;
    assert!(home.body.contains(r#"id="notices""#), "{}", home.body);
}

#[tokio::test]
async fn api_errors_are_json_in_spotifys_shape() {
    let app = empty_app();
    // Without a token, an operation under /api/v1 is refused as Spotify does.
    let resp = app.client.get("/api/v1/no-such-endpoint").send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let body = resp.0.into_body().into_string().await.expect("body");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(json["error"]["status"], 401);
    // Anything else under /api is a JSON 404, never the site's HTML page.
    let resp = app.client.get("/api/nowhere").send().await;
    resp.assert_status(StatusCode::NOT_FOUND);
    let ct = resp.0.headers().get(header::CONTENT_TYPE).cloned();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert!(
        ct.is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json")),
        "{body}"
    );
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(json["error"]["status"], 404);
    assert!(json["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

/// poem's own answers ("method not allowed", "invalid path params", "url decode:
/// duplicate field", "invalid content type") never reach a user as plain text.
#[tokio::test]
async fn poems_plain_text_errors_become_the_apps_error_pages() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/signup").await.csrf_token();

    // Wrong method (a write to a page that only reads).
    let resp = app.client.request(Method::PUT, "/genres").send().await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_page(&body, status, "does not accept that kind of request");
    // The page keeps what the address takes, as RFC 9110 asks of a 405.
    let resp = app.client.request(Method::PUT, "/genres").send().await;
    resp.assert_header("allow", "GET, HEAD");
    let resp = app.client.request(Method::POST, "/healthz").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    resp.assert_header("allow", "GET, HEAD");

    // A form that the extractor cannot read (a field twice, where one is expected).
    let page = browser
        .post_raw(
            &app.client,
            "/signup",
            &[
                ("csrf_token", token.as_str()),
                ("username", "a"),
                ("username", "b"),
            ],
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert!(!page.body.contains("url decode"), "{}", page.body);
    assert_error_page(&page.body, page.status, "");

    // The wrong content type for a form.
    let mut req = app
        .client
        .post("/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-CSRF-Token", token.as_str())
        .body(r#"{"username":"x"}"#);
    req = req.header(header::COOKIE, browser.cookie_header());
    let resp = req.send().await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert!(status.is_client_error(), "{status}");
    assert!(!body.contains("invalid content type"), "{body}");
    assert_error_page(&body, status, "");
}

/// A form whose token cannot be read is not told that it expired (which reloading
/// cannot fix): its token sent twice is a 400 naming the field, and a Content-Type the
/// form parser cannot read is a 415, wherever the token travels.
#[tokio::test]
async fn a_form_whose_token_cannot_be_read_is_not_an_expired_form() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/login").await.csrf_token();
    let page = browser
        .post_raw(
            &app.client,
            "/login",
            &[
                ("csrf_token", token.as_str()),
                ("csrf_token", token.as_str()),
                ("username", "someone"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_error_page(&page.body, page.status, "“csrf_token” more than once");
    assert!(!page.body.contains("expired"), "{}", page.body);

    let form = format!(
        "csrf_token={}&username=someone&password=x",
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    for content_type in [
        "application/x-www-form-urlencoded;;;",
        "application/x-www-form-urlencoded; a",
        "application/x-www-form-urlencoded;charset",
    ] {
        for token_in_header in [false, true] {
            let mut req = app
                .client
                .post("/login")
                .header(header::COOKIE, browser.cookie_header())
                .header(header::CONTENT_TYPE, content_type)
                .body(form.clone());
            if token_in_header {
                req = req.header("X-CSRF-Token", token.as_str());
            }
            let resp = req.send().await;
            let status = resp.0.status();
            let body = resp.0.into_body().into_string().await.expect("body");
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type} {token_in_header}: {body}"
            );
            assert!(!body.contains("expired"), "{body}");
        }
    }
    // A well-formed one with parameters is a form as before.
    let resp = app
        .client
        .post("/login")
        .header(header::COOKIE, browser.cookie_header())
        .header(
            header::CONTENT_TYPE,
            "Application/X-WWW-Form-Urlencoded; Charset=\"UTF-8\"",
        )
        .body(form)
        .send()
        .await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert!(
        !matches!(
            status,
            StatusCode::FORBIDDEN | StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST
        ),
        "{status}: {body}"
    );
}

/// One limit on every request body, whatever the route and however the CSRF token
/// travels: a body declared too large is refused before it is read, and a chunked one
/// is read only up to the limit.
#[tokio::test]
async fn every_request_body_has_one_limit() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/signup").await.csrf_token();
    let big = "a".repeat(insights_hub::web::request_limits::MAX_BODY_BYTES + 1);

    // The token in the header, a large form body: refused with the app's 413 page.
    let resp = app
        .client
        .post("/signup")
        .header(header::COOKIE, browser.cookie_header())
        .header("X-CSRF-Token", token.as_str())
        .content_type("application/x-www-form-urlencoded")
        .body(format!("username=big&password={big}"))
        .send()
        .await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_page(&body, status, "larger than");

    // The same on a public route and on an unknown one.
    for path in ["/healthz", "/no/such/page", "/assets/app.css"] {
        let resp = app.client.post(path).body(big.clone()).send().await;
        assert_eq!(resp.0.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }

    // A body sent without a length (chunked) is cut off at the limit too.
    let chunks = std::io::Cursor::new(big.clone().into_bytes());
    let resp = app
        .client
        .post("/signup")
        .header(header::COOKIE, browser.cookie_header())
        .header("X-CSRF-Token", token.as_str())
        .content_type("application/x-www-form-urlencoded")
        .body(poem::Body::from_async_read(chunks))
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A form of normal size still works.
    let page = browser.sign_up(&app.client, "small", GOOD_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

/// The address and the headers have limits of their own, the same every time however
/// the bytes arrive, answered with the app's error page (JSON under /api/).
#[tokio::test]
async fn long_addresses_and_large_headers_get_the_error_page() {
    use insights_hub::web::request_limits::{MAX_ADDRESS_BYTES, MAX_HEADER_BYTES};
    let app = empty_app();
    let long = "q".repeat(MAX_ADDRESS_BYTES);
    let resp = app.client.get(format!("/artists?q={long}")).send().await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_error_page(&body, status, "The address is 9 KiB long");
    // Typed into the search field (htmx): a notice, and the address bar keeps the last
    // search that worked (a reload of the refused one was this error page).
    let typed = Browser::htmx()
        .get(&app.client, &format!("/artists?q={long}"))
        .await;
    assert_eq!(typed.status, StatusCode::URI_TOO_LONG);
    assert_eq!(typed.header("hx-retarget"), Some("#notices"));
    assert_eq!(typed.header("hx-push-url"), Some("false"));

    let resp = app
        .client
        .get(format!("/api/v1/tracks?ids={long}"))
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::URI_TOO_LONG);
    let json: serde_json::Value =
        serde_json::from_str(&resp.0.into_body().into_string().await.expect("body")).expect("JSON");
    assert_eq!(json["error"]["status"], 414);

    let cookie = format!("junk={}", "c".repeat(MAX_HEADER_BYTES));
    let resp = app
        .client
        .get("/")
        .header(header::COOKIE, cookie)
        .send()
        .await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_error_page(&body, status, "Clearing this site's cookies");

    // Just under both limits is an ordinary request (a parameter the page does not
    // read: the artist search itself takes 200 characters).
    let fine = "q".repeat(MAX_ADDRESS_BYTES - 20);
    let resp = app.client.get(format!("/?pad={fine}")).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK);
}

/// The API writes the `Host` into every link it returns: a Host that is not a host name,
/// or two of them, is refused before anything is written with it.
#[tokio::test]
async fn a_malformed_or_doubled_host_is_refused() {
    let app = empty_app();
    let resp = app
        .client
        .get("/")
        .header(header::HOST, "evil.example\"<x>")
        .send()
        .await;
    let status = resp.0.status();
    let body = resp.0.into_body().into_string().await.expect("body");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_page(&body, status, "not a host name or address");

    let resp = app
        .client
        .get("/api/v1/catalog")
        .header(header::HOST, "a.example")
        .header(header::HOST, "b.example")
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::BAD_REQUEST);
    let json: serde_json::Value =
        serde_json::from_str(&resp.0.into_body().into_string().await.expect("body")).expect("JSON");
    assert_eq!(
        json["error"]["message"],
        "The request has more than one Host header."
    );

    let resp = app
        .client
        .get("/healthz")
        .header(header::HOST, "hub.example:3000")
        .send()
        .await;
    assert_eq!(resp.0.status(), StatusCode::OK);
}

/// The live answer is kept under its canonical settings only: junk parameters (or the
/// same settings spelt another way) find the same entry and add none.
#[tokio::test]
async fn junk_parameters_do_not_grow_the_live_answer_cache() {
    let app = demo_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "junk", GOOD_PASSWORD).await;
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let first = htmx
        .get(&app.client, "/perfect-song?danceability=0.7&energy=0.6")
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let kept = app.state.fragments.len();
    assert!(kept >= 1);
    let junk = "x".repeat(2000);
    for i in 0..50 {
        let page = htmx
            .get(
                &app.client,
                &format!("/perfect-song?energy=0.6&junk{i}={junk}&danceability=0.7"),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.body, first.body, "same settings, same answer");
    }
    assert_eq!(app.state.fragments.len(), kept, "junk parameters were kept");
}
