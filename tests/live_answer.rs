//! The live perfect-song answer does no per-request work it does not need: an htmx GET
//! fragment gets no fresh CSRF token and sets no cookie, while a page still does, and
//! the token of the page keeps working for the writes that follow.

mod common;

use common::{
    auth::{Browser, CSRF_COOKIE, GOOD_PASSWORD},
    demo::demo_app,
};
use poem::http::StatusCode;

#[tokio::test]
async fn fragments_issue_no_token_and_set_no_cookie_but_pages_do() {
    let app = demo_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "slider", GOOD_PASSWORD).await;

    let page = browser
        .get(&app.client, "/perfect-song?danceability=0.5")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.raw_set_cookie(CSRF_COOKIE).is_some(),
        "a page issues a token"
    );
    let token = page.csrf_token();

    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let fragment = htmx
        .get(&app.client, "/perfect-song?danceability=0.6")
        .await;
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
    assert!(
        fragment.header("set-cookie").is_none(),
        "a fragment set a cookie: {:?}",
        fragment.headers
    );
    assert!(!fragment.body.contains("csrf_token"), "{}", fragment.body);

    // The page's token still protects the write that follows the slider.
    let mut saving = htmx.clone();
    saving.headers.push(("X-CSRF-Token".into(), token.clone()));
    let saved = saving
        .post_raw(
            &app.client,
            "/perfect-song/current",
            &[("danceability", "0.6")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::NO_CONTENT, "{}", saved.body);
}
