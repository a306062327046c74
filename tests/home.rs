//! The home page, health check, assets and headers, through the real router.

mod common;

use common::{empty_app, fixtures};

async fn body(resp: poem::test::TestResponse) -> String {
    resp.0.into_body().into_string().await.expect("utf-8 body")
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = empty_app();
    let resp = app.client.get("/healthz").send().await;
    resp.assert_status_is_ok();
    resp.assert_text("ok").await;
}

#[tokio::test]
async fn empty_catalog_home_page_explains_how_to_import() {
    let app = empty_app();
    let resp = app.client.get("/").send().await;
    resp.assert_status_is_ok();
    resp.assert_header(
        "vary",
        "Accept-Encoding, HX-Request, HX-History-Restore-Request",
    );
    let body = body(resp).await;
    assert!(body.contains("<!DOCTYPE html>"));
    assert!(body.contains("No tracks yet"));
    // The installed binary's command, with this server's database (not the default).
    assert!(body.contains("insights-hub import --database "), "{body}");
    assert!(!body.contains("cargo run"), "{body}");
    assert!(body.contains("The import fills this catalog"), "{body}");
    // The footer leads there rather than naming a command without the database.
    assert!(
        body.contains(r##"No catalog loaded: import a dataset (<a href="/#import">how</a>)."##),
        "{body}"
    );
    // The genres list says the catalog is empty, not that its tracks had no genres.
    let genres = app.client.get("/genres").send().await.0;
    let genres = genres.into_body().into_string().await.unwrap_or_default();
    assert!(genres.contains("The catalog is empty"), "{genres}");
}

#[tokio::test]
async fn home_page_summarises_the_loaded_catalog() {
    let app = empty_app();
    fixtures::load(
        &app.state,
        "my_songs.csv",
        vec![
            fixtures::track("t1", "One", &["Alpha"], 0.2),
            fixtures::track("t2", "Two", &["Alpha", "Beta"], 0.4),
        ],
    )
    .await;
    let resp = app.client.get("/").send().await;
    resp.assert_status_is_ok();
    let body = body(resp).await;
    // Two tracks, two artists, one genre, the source file and its date.
    assert!(body.contains("<dt>Tracks</dt><dd>2</dd>"), "{body}");
    assert!(body.contains("<dt>Artists</dt><dd>2</dd>"));
    assert!(body.contains("<dt>Genres</dt><dd>1</dd>"));
    // The source tile keeps the file name whole, the date on a line of its own.
    assert!(body.contains(
        r#"<span class="file">my_songs.csv</span><span class="when">imported 2025-11-25</span>"#
    ));
    // Where the catalog came from and how to load more.
    assert!(body
        .contains("This catalog was imported from <strong>my_songs.csv</strong> on 2025-11-25."));
    assert!(body.contains("insights-hub import --database "));
    // A second import adds to it: "replaces" is said of the demo catalog only.
    assert!(body.contains("An import adds its tracks to this catalog"));
    assert!(!body.contains("replaces"));
    // The chart's option carries the average (0.3) and the table shows it too.
    assert!(body.contains("data-chart="));
    assert!(body.contains("0.3,0.3"), "chart data holds the averages");
    assert!(body.contains("<span class=\"value\">0.300</span>"));
    assert!(body.contains("120 BPM"));
    // The footer names the catalog.
    assert!(body.contains("Catalog: <strong>my_songs.csv</strong>, 2 tracks"));
    // "Compare artists" opens the comparison, not the artists' search.
    assert!(
        body.contains(r#"<a class="button" href="/artists/compare">Compare artists</a>"#),
        "{body}"
    );
}

#[tokio::test]
async fn htmx_requests_get_the_fragment_and_boosted_ones_the_page() {
    let app = empty_app();
    let fragment = app
        .client
        .get("/")
        .header("HX-Request", "true")
        .send()
        .await;
    fragment.assert_status_is_ok();
    fragment.assert_header(
        "vary",
        "Accept-Encoding, HX-Request, HX-History-Restore-Request",
    );
    let fragment = body(fragment).await;
    assert!(!fragment.contains("<html"));
    assert!(fragment.contains("No tracks yet"));

    let boosted = app
        .client
        .get("/")
        .header("HX-Request", "true")
        .header("HX-Boosted", "true")
        .send()
        .await;
    assert!(body(boosted).await.contains("<html"));

    // Back/forward to a pushed URL that htmx has no snapshot of replaces the whole body.
    let restore = app
        .client
        .get("/")
        .header("HX-Request", "true")
        .header("HX-History-Restore-Request", "true")
        .send()
        .await;
    assert!(body(restore).await.contains("<html"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = empty_app();
    for path in ["/", "/healthz", "/assets/app.css", "/no-such-page"] {
        let resp = app.client.get(path).send().await;
        let csp = resp
            .0
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        resp.assert_header("x-content-type-options", "nosniff");
        resp.assert_header("referrer-policy", "same-origin");
    }
}

#[tokio::test]
async fn unknown_pages_are_a_friendly_404() {
    let app = empty_app();
    let resp = app.client.get("/no-such-page").send().await;
    resp.assert_status(poem::http::StatusCode::NOT_FOUND);
    let body = body(resp).await;
    assert!(body.contains("There is no page at this address."));
}

#[tokio::test]
async fn assets_are_cached_for_long_and_gzipped_when_accepted() {
    let app = empty_app();
    let page = body(app.client.get("/").send().await).await;
    // The page links the hashed URL of the vendored htmx.
    let start = page.find("/assets/vendor/htmx-2.0.").expect("htmx linked");
    let end = start + page[start..].find('"').expect("end of url");
    let url = &page[start..end];

    let plain = app.client.get(url).send().await;
    plain.assert_status_is_ok();
    plain.assert_header("cache-control", "public, max-age=31536000, immutable");
    plain.assert_content_type("text/javascript; charset=utf-8");
    assert!(plain.0.headers().get("content-encoding").is_none());
    let plain_len = plain.0.into_body().into_bytes().await.expect("bytes").len();

    let gz = app
        .client
        .get(url)
        .header("Accept-Encoding", "gzip, br")
        .send()
        .await;
    gz.assert_status_is_ok();
    gz.assert_header("content-encoding", "gzip");
    let etag = gz.0.headers().get("etag").expect("etag").clone();
    let gz_len = gz.0.into_body().into_bytes().await.expect("bytes").len();
    assert!(gz_len * 2 < plain_len, "gzip {gz_len} vs plain {plain_len}");

    // Another build's hash (a page from a newer server, during a rolling upgrade) gets
    // this build's file, checked again at every use rather than kept for a year.
    let (path, _) = url.split_once("?v=").expect("a versioned url");
    for other in [format!("{path}?v=000000000000"), path.to_string()] {
        let stale = app.client.get(&other).send().await;
        stale.assert_status_is_ok();
        stale.assert_header("cache-control", "no-cache");
    }

    let again = app
        .client
        .get(url)
        .header("Accept-Encoding", "gzip, br")
        .header("If-None-Match", etag.clone())
        .send()
        .await;
    again.assert_status(poem::http::StatusCode::NOT_MODIFIED);
    // Compared weakly, as RFC 9110 asks of If-None-Match, and `*` matches any.
    let weak = format!("W/{}", etag.to_str().expect("ascii"));
    for validator in [weak.as_str(), "*"] {
        let again = app
            .client
            .get(url)
            .header("Accept-Encoding", "gzip")
            .header("If-None-Match", validator)
            .send()
            .await;
        again.assert_status(poem::http::StatusCode::NOT_MODIFIED);
    }
    // The plain bytes are another representation, with a validator of their own.
    let plain_again = app
        .client
        .get(url)
        .header("If-None-Match", etag.clone())
        .send()
        .await;
    plain_again.assert_status_is_ok();
    assert_ne!(plain_again.0.headers().get("etag"), Some(&etag));

    let missing = app.client.get("/assets/nope.js").send().await;
    missing.assert_status(poem::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_page_loads_anything_from_another_host() {
    let app = empty_app();
    let page = body(app.client.get("/").send().await).await;
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
}

async fn gunzip(resp: poem::test::TestResponse) -> String {
    use std::io::Read;
    let bytes = resp.0.into_body().into_bytes().await.expect("bytes");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("a gzip body");
    text
}

#[tokio::test]
async fn pages_are_gzipped_when_the_browser_accepts_it() {
    let app = empty_app();
    let plain = app.client.get("/").send().await;
    plain.assert_status_is_ok();
    assert!(plain.0.headers().get("content-encoding").is_none());
    let plain_body = body(plain).await;

    let gz = app
        .client
        .get("/")
        .header("Accept-Encoding", "gzip, deflate, br, zstd")
        .send()
        .await;
    gz.assert_status_is_ok();
    gz.assert_header("content-encoding", "gzip");
    gz.assert_header(
        "vary",
        "Accept-Encoding, HX-Request, HX-History-Restore-Request",
    );
    // The same page, from the title on (the CSRF token above it is new every time).
    let unpacked = gunzip(gz).await;
    assert!(unpacked.starts_with("<!DOCTYPE html>"));
    let from_title = |page: &str| page.split("<title>").nth(1).map(str::to_string);
    assert!(from_title(&unpacked).is_some());
    assert_eq!(from_title(&unpacked), from_title(&plain_body));

    // Refused gzip, and answers without a body worth packing, go out as they are.
    let refused = app
        .client
        .get("/")
        .header("Accept-Encoding", "gzip;q=0, br")
        .send()
        .await;
    assert!(refused.0.headers().get("content-encoding").is_none());
    let health = app
        .client
        .get("/healthz")
        .header("Accept-Encoding", "gzip")
        .send()
        .await;
    assert!(health.0.headers().get("content-encoding").is_none());
    health.assert_text("ok").await;
}

/// The navigation entry marked as the current page (`aria-current="page"`), if any.
fn current_nav(page: &str) -> Vec<String> {
    let nav_start = page
        .find(r#"<nav class="container nav""#)
        .expect("navigation");
    let nav = &page[nav_start..nav_start + page[nav_start..].find("</nav>").expect("end")];
    nav.split("<a ")
        .skip(1)
        .filter(|a| a.contains(r#"aria-current="page""#))
        .map(|a| {
            let text = &a[a.find('>').expect("tag end") + 1..];
            text[..text.find('<').unwrap_or(text.len())].to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_navigation_marks_the_page_you_are_on() {
    let app = empty_app();
    fixtures::load(
        &app.state,
        "nav.csv",
        vec![fixtures::track("t1", "One", &["Alpha"], 0.2)],
    )
    .await;
    let client = common::TestApp::client_for(&app.state);
    let get = |path: &'static str| {
        let client = &client;
        async move { body(client.get(path).send().await).await }
    };
    assert_eq!(current_nav(&get("/").await), ["Home"]);
    assert_eq!(current_nav(&get("/artists").await), ["Artists"]);
    assert_eq!(current_nav(&get("/artists?q=alp").await), ["Artists"]);
    let compare = get("/artists/compare?artist=Alpha").await;
    assert_eq!(current_nav(&compare), ["Artists"]);
    // "Log in" comes back to this very page, not to a path missing its /artists.
    assert!(
        compare.contains(r#"href="/login?next=/artists/compare%3Fartist%3DAlpha""#),
        "{compare}"
    );
    // So does "Sign up" (a new account landed on the home page).
    assert!(
        compare.contains(r#"href="/signup?next=/artists/compare%3Fartist%3DAlpha""#),
        "{compare}"
    );
    let search = get("/artists?q=alpha").await;
    let link = search
        .split(r#"<li data-value="Alpha"><a href="/artists/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the artist page")
        .to_string();
    let artist = body(client.get(format!("/artists/{link}")).send().await).await;
    assert!(
        artist.contains("<h1 class=\"artist-name\">Alpha</h1>"),
        "{artist}"
    );
    assert_eq!(current_nav(&artist), ["Artists"]);
    assert_eq!(current_nav(&get("/login").await), ["Log in"]);
}

#[tokio::test]
async fn the_hover_hint_is_only_for_pointers_that_hover() {
    let app = empty_app();
    fixtures::load(
        &app.state,
        "hover.csv",
        vec![fixtures::track("t1", "One", &["Alpha"], 0.2)],
    )
    .await;
    let client = common::TestApp::client_for(&app.state);
    let page = body(client.get("/").send().await).await;
    // In its own element, which app.css shows only with scripts on a hovering pointer.
    assert!(page.contains(r#"<span class="hover-hint"> Hover a bar for its value.</span>"#));
    assert!(!page.contains("; hover a bar"));
    let css = body(client.get("/assets/app.css").send().await).await;
    assert!(css.contains("@media (hover: hover)"));
}

#[tokio::test]
async fn the_demo_banner_and_the_home_page_say_how_to_import() {
    let app = common::demo::demo_app();
    let page = body(app.client.get("/").send().await).await;
    // The tests' database is not the default file: the command names a placeholder.
    let command = "insights-hub import --database DATABASE FILE.csv";
    assert!(page.contains(command), "{page}");
    assert!(page.contains(r#"id="import""#));
    assert!(page.contains("This is the demo catalog"));
    assert!(page.contains("A real import replaces the demo catalog"));
    assert!(!page.contains("cargo run"), "no developer command");
}

/// The home page is public: it never shows a visitor where the server keeps its
/// database (an absolute path, or a PostgreSQL URL).
#[tokio::test]
async fn the_import_hint_never_shows_the_servers_database() {
    let app = common::demo::demo_app();
    let page = body(app.client.get("/").send().await).await;
    let server_database = app.state.config.database.to_string();
    assert!(!server_database.is_empty());
    assert!(
        !page.contains(&server_database),
        "{server_database} shown in:\n{page}"
    );
    if let insights_hub::config::Database::Sqlite(path) = &app.state.config.database {
        assert!(
            path.is_absolute(),
            "the tests use an absolute path: {path:?}"
        );
        let dir = path
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        assert!(!page.contains(&dir), "{dir} shown");
    }
    assert!(page.contains("<code>DATABASE</code> with the database the server was started with"));
}
