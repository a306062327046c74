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

/// An import that replaces the catalog (the demo's, here a first file's) commits before
/// the server's watcher looks: for a moment the snapshot served holds the old catalog's
/// ids and the database the new one's rows. Answers made of both named tracks "Track
/// #5674" or found no track in a major key; they are now "try again", and the watcher
/// is woken to load the new catalog at once.
#[tokio::test]
async fn an_answer_between_an_import_and_the_new_snapshot_says_try_again_not_mixes_the_two() {
    use common::fixtures::{load, track};
    use diesel::Connection;
    use insights_hub::{
        catalog::TrackKeys,
        db::{
            catalog_meta::SourceKind,
            catalog_writer::{clear_catalog, CatalogWriter},
        },
    };

    let app = common::empty_app();
    let songs = |prefix: &str| -> Vec<_> {
        (0..30)
            .map(|i| {
                let title = format!("{prefix} song {i}");
                track(
                    &format!("{prefix}{i:03}"),
                    &title,
                    &["Some Band"],
                    f64::from(i) / 30.0,
                )
            })
            .collect()
    };
    load(&app.state, "first.csv", songs("First")).await;
    let mut browser = Browser::htmx();
    browser
        .sign_up(&app.client, "importer", GOOD_PASSWORD)
        .await;
    // A watcher that would not look for a minute unless told to.
    let watcher = app
        .state
        .spawn_catalog_watcher(std::time::Duration::from_secs(60));
    let served = app.state.catalog().meta.version;

    let pool = app.state.pool.clone();
    let second = songs("Second");
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            clear_catalog(conn)?;
            let mut writer = CatalogWriter::new(conn)?;
            for t in &second {
                writer.write_keyed(conn, t.clone(), TrackKeys::of(t))?;
            }
            writer.finish(conn, SourceKind::Import, "second.csv", 1_764_028_900)?;
            Ok(())
        })
        .expect("replace the catalog");
    })
    .await
    .expect("import task");
    assert_eq!(app.state.catalog().meta.version, served, "not looked yet");

    for asked in [
        "/perfect-song?energy=0.5&mode=major",
        "/perfect-song?energy=0.4",
    ] {
        let answer = browser.get(&app.client, asked).await;
        assert_eq!(
            answer.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{asked}: {}",
            answer.body
        );
        assert_eq!(answer.header("retry-after"), Some("1"), "{asked}");
        assert!(
            answer.body.contains("An import replaced the catalog"),
            "{asked}: {}",
            answer.body
        );
        assert!(
            !answer.body.contains("Track #") && !answer.body.contains("song"),
            "{asked}: {}",
            answer.body
        );
        if app.state.catalog().meta.version != served {
            break; // the woken watcher was quicker than the second question
        }
    }

    // The watcher was woken: the new catalog is served within moments, not a minute.
    let woken = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while app.state.catalog().meta.version == served {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(woken.is_ok(), "the snapshot was not reloaded");
    let answer = browser
        .get(&app.client, "/perfect-song?energy=0.5&mode=major")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("Second song"), "{}", answer.body);
    assert!(!answer.body.contains("First song"), "{}", answer.body);
    watcher.abort();
}
