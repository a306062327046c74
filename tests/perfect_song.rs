//! The perfect-song page through the real router: the log-in gate, page and fragment,
//! the no-JS form, saved and shared settings, taste profiles, every kind of bad input,
//! the empty result, and the match itself on a hand-made catalog.

mod common;

use common::{
    auth::{Browser, Page, GOOD_PASSWORD},
    demo::{demo_app, demo_app_with},
    empty_app,
    fixtures::{self, track},
    Client, TestApp,
};
use poem::http::StatusCode;

const PAGE: &str = "/perfect-song";

async fn signed_up(app: &TestApp, name: &str) -> Browser {
    let mut browser = Browser::new();
    let done = browser.sign_up(&app.client, name, GOOD_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

/// The same logged-in browser, sending htmx's header.
fn as_htmx(browser: &Browser) -> Browser {
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    htmx
}

/// The text of the message slot beside a control.
fn message_beside(page: &Page, field: &str) -> String {
    let marker = format!(r#"id="ps-{field}-error""#);
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no message slot for {field}:\n{}", page.body));
    let open = page.body[start..].find('>').expect("tag end") + start + 1;
    let close = page.body[open..].find("</p>").expect("slot end") + open;
    page.body[open..close].to_string()
}

/// The title of the perfect song on a page or fragment.
fn perfect_song(page: &Page) -> String {
    let marker = r#"id="ps-answer-title""#;
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no answer in:\n{}", page.body));
    let open = page.body[start..].find('>').expect("tag end") + start + 1;
    let close = page.body[open..].find("</h2>").expect("title end") + open;
    page.body[open..close].to_string()
}

/// The value attribute of the slider for `key`.
fn slider_value(page: &Page, key: &str) -> String {
    let marker = format!(r#"id="ps-{key}" name="{key}""#);
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no slider {key}"));
    let tag_end = page.body[start..].find('>').expect("tag end") + start;
    let tag = &page.body[start..tag_end];
    let value_at = tag.find(r#"value=""#).expect("value") + 7;
    let value_end = tag[value_at..].find('"').expect("quote") + value_at;
    tag[value_at..value_end].to_string()
}

/// Posts like htmx does: a token from the page, htmx's header, the panel comes back.
async fn htmx_post(
    browser: &mut Browser,
    client: &Client,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let token = browser.get(client, PAGE).await.csrf_token();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    as_htmx(browser).post_raw(client, action, &all).await
}

async fn post_form(
    browser: &mut Browser,
    client: &Client,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    browser.submit(client, PAGE, action, fields).await
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_and_come_back() {
    let app = demo_app();
    let mut browser = Browser::new();
    let page = browser.get(&app.client, "/perfect-song?energy=0.3").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/login?next=/perfect-song%3Fenergy%3D0.3")
    );
    // Logging in from there lands back on the page with the same settings.
    browser.sign_up(&app.client, "gate", GOOD_PASSWORD).await;
    browser.log_out(&app.client).await;
    let login = browser
        .submit(
            &app.client,
            "/login?next=/perfect-song%3Fenergy%3D0.3",
            "/login",
            &[
                ("username", "gate"),
                ("password", GOOD_PASSWORD),
                ("next", "/perfect-song?energy=0.3"),
            ],
        )
        .await;
    assert_eq!(login.location(), Some("/perfect-song?energy=0.3"));
    let page = browser.get(&app.client, "/perfect-song?energy=0.3").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(slider_value(&page, "energy"), "0.3");
    // A form sent after the session ended (logged out in another tab) comes back,
    // after the log-in, to the page it was sent from, settings and all.
    let shown = browser.get(&app.client, "/perfect-song?energy=0.91").await;
    let token = shown.csrf_token();
    browser.log_out(&app.client).await;
    browser.headers.push((
        "referer".to_string(),
        "http://localhost/perfect-song?energy=0.91".to_string(),
    ));
    let late = browser
        .post_raw(
            &app.client,
            "/perfect-song",
            &[("csrf_token", &token), ("energy", "0.91")],
        )
        .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    assert_eq!(
        late.location(),
        Some("/login?next=/perfect-song%3Fenergy%3D0.91")
    );
    // A slider moved live after the session ended: the log-in comes back to the page
    // as moved, not as it was before the move.
    let moved = app
        .client
        .get("/perfect-song?energy=0.42")
        .header("HX-Request", "true")
        .header(
            "HX-Current-URL",
            "http://localhost/perfect-song?energy=0.91",
        )
        .send()
        .await;
    moved.assert_status_is_ok();
    moved.assert_header("hx-redirect", "/login?next=/perfect-song%3Fenergy%3D0.42");
    // The POSTs are gated too.
    let mut stranger = Browser::new();
    let refused = stranger
        .post_raw(&app.client, "/perfect-song/current", &[("energy", "0.2")])
        .await;
    assert_ne!(refused.status, StatusCode::NO_CONTENT);
}

/// The URL in the first `attribute="..."` of `html`, unescaped.
fn first_url_in(html: &str, attribute: &str) -> Option<String> {
    html.split(&format!(r#"{attribute}=""#))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|url| url.replace("&amp;", "&"))
}

#[tokio::test]
async fn htmx_gets_the_results_fragment_and_a_load_gets_the_page() {
    let app = demo_app();
    let browser = signed_up(&app, "fragment").await;
    let url = "/perfect-song?danceability=0.8&energy=0.7";
    let full = browser.clone().get(&app.client, url).await;
    assert_eq!(full.status, StatusCode::OK);
    assert!(full.body.starts_with("<!DOCTYPE html>"));
    assert!(full.body.contains(r#"id="ps-form""#));
    // One line for a screen reader, outside the answer, which is no live region: each
    // slider step rewrote dozens of its texts, each read out.
    assert!(full
        .body
        .contains(r#"<p id="ps-answer-status" class="visually-hidden" role="status"></p>"#));
    assert!(full
        .body
        .contains(r#"<section id="ps-results" class="ps-results" aria-label="Your match">"#));
    assert!(full.body.contains(r#"hx-sync="this:replace""#));
    assert!(full.body.contains("ps-parallel-chart"));
    let fragment = as_htmx(&browser).get(&app.client, url).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html"), "a fragment, not a page");
    assert!(!fragment.body.contains(r#"id="ps-form""#));
    assert_eq!(perfect_song(&fragment), perfect_song(&full));
    assert!(fragment.body.contains("ps-parallel-chart"));
    assert!(fragment.body.contains("The next 9 matches"));
    // The score says what it measures.
    assert!(
        full.body
            .contains("100 is your target exactly; 0, the far end of every scale you weigh."),
        "{}",
        full.body
    );
    let cosine = browser
        .clone()
        .get(&app.client, &format!("{url}&metric=cosine"))
        .await;
    assert!(cosine
        .body
        .contains("100 is the same mix of what you weigh"));
    for page in [&full, &fragment] {
        let vary = page.header("vary").unwrap_or_default().to_ascii_lowercase();
        assert!(vary.contains("hx-request"), "Vary: {vary}");
    }
    // The charts: in the page, to draw at once; a live answer names where their
    // options are (app.js draws them once the answers pause) and the options are the
    // page's.
    assert!(full.body.contains("parallelAxis"));
    assert!(!fragment.body.contains("parallelAxis"));
    let charts_url = first_url_in(&fragment.body, "data-chart-src")
        .expect("the live answer names its charts' options");
    assert!(
        charts_url.starts_with("/perfect-song/charts.json?"),
        "{charts_url}"
    );
    let charts = browser.clone().get(&app.client, &charts_url).await;
    assert_eq!(charts.status, StatusCode::OK, "{}", charts.body);
    assert!(
        !charts
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or_default().contains("ih_csrf")),
        "a data file issues no CSRF token"
    );
    let options: serde_json::Value = serde_json::from_str(&charts.body).expect("JSON");
    let parallel = &options["ps-parallel-chart"];
    assert_eq!(
        parallel["parallelAxis"].as_array().map(Vec::len),
        Some(5),
        "{parallel}"
    );
    let series = parallel["series"].as_array().expect("series");
    let target = series
        .iter()
        .find(|s| s["name"] == "Your target")
        .expect("target");
    assert_eq!(target["data"][0][0], 0.8);
    assert_eq!(target["data"][0][1], 0.7);
    assert!(options["ps-bars-chart"]["series"].is_array(), "{options}");
    // Tempo weighed too: it gets its own axis, in BPM, on the parallel chart, but no
    // bar on the bars' unitless 0..1 axis (71 BPM had drawn as a 0.28 bar).
    let with_tempo = browser
        .clone()
        .get(&app.client, &charts_url.replace("w_tempo=0", "w_tempo=1"))
        .await;
    let options: serde_json::Value = serde_json::from_str(&with_tempo.body).expect("JSON");
    let axes: Vec<&str> = options["ps-parallel-chart"]["parallelAxis"]
        .as_array()
        .expect("axes")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(axes.contains(&"Tempo (BPM)"), "{axes:?}");
    let bars = &options["ps-bars-chart"]["xAxis"]["data"];
    assert_eq!(
        bars,
        &serde_json::json!([
            "Danceability",
            "Energy",
            "Acousticness",
            "Instrumentalness",
            "Valence"
        ]),
        "{options}"
    );
    for chart in ["ps-parallel-chart", "ps-bars-chart"] {
        let inline = full
            .body
            .split(&format!(r#"id="{chart}""#))
            .nth(1)
            .unwrap_or_default();
        assert!(inline.contains("data-chart="), "{chart} inline in the page");
    }
    // The faint catalog sample is not in every fragment but named by a cacheable URL.
    assert!(!fragment.body.contains("Other tracks"));
    let sample_url = first_url_in(&fragment.body, "data-series-beneath")
        .expect("the parallel chart names its sample");
    assert!(
        sample_url.contains("features=danceability,energy,acousticness,instrumentalness,valence"),
        "{sample_url}"
    );
    let sample = app.client.get(&sample_url).send().await;
    sample.assert_status_is_ok();
    sample.assert_header("cache-control", "public, max-age=31536000, immutable");
    assert!(
        sample.0.headers().get("set-cookie").is_none(),
        "no cookie on an immutable response"
    );
    let body = sample.0.into_body().into_string().await.expect("body");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["type"], "parallel");
    assert_eq!(json["name"], "Other tracks");
    let rows = json["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 200);
    assert!(rows.iter().all(|r| r.as_array().map(Vec::len) == Some(5)));
}

#[tokio::test]
async fn the_chart_sample_refuses_unknown_features_and_is_not_cached_for_another_version() {
    let app = demo_app();
    let bad = app
        .client
        .get("/perfect-song/sample.json?features=energy,volume")
        .send()
        .await;
    bad.assert_status(StatusCode::BAD_REQUEST);
    let message = bad.0.into_body().into_string().await.expect("body");
    assert!(message.contains("volume"), "{message}");
    let old = app
        .client
        .get("/perfect-song/sample.json?features=energy,tempo&v=1")
        .send()
        .await;
    old.assert_status_is_ok();
    old.assert_header("cache-control", "no-cache");
}

#[tokio::test]
async fn find_my_song_without_javascript_saves_and_redirects_to_the_shareable_url() {
    let app = demo_app();
    let mut browser = signed_up(&app, "nojs").await;
    let posted = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[
            ("danceability", "0.9"),
            ("energy", "0.85"),
            ("valence", "0.8"),
            ("acousticness", "0.1"),
            ("instrumentalness", "0"),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let to = posted.location().expect("Location").to_string();
    assert!(
        to.starts_with("/perfect-song?") && to.contains("danceability=0.9"),
        "{to}"
    );
    let page = browser.get(&app.client, &to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!perfect_song(&page).is_empty());
    assert_eq!(slider_value(&page, "energy"), "0.85");
    // Saved as the current settings: the plain page opens with them.
    let plain = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&plain, "energy"), "0.85");
    assert_eq!(perfect_song(&plain), perfect_song(&page));
}

/// Without JavaScript, Enter in the profile-name field submits the settings form with
/// its first button, "Find my song": a name typed there saves the settings under it, as
/// Enter does with JavaScript (it had kept the name with a word on how to save it, far
/// below where the page opened, and looked saved). The page comes back at the panel,
/// saying so; a name taken is refused beside the field, with the name kept.
#[tokio::test]
async fn enter_in_the_profile_name_without_javascript_saves_the_profile() {
    let app = demo_app();
    let mut browser = signed_up(&app, "enterkey").await;
    let posted = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[("energy", "0.85"), ("name", "  Sunday morning ")],
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let to = posted.location().expect("back to the page").to_string();
    assert!(to.ends_with("#ps-profiles"), "{to}");
    let back = browser.get(&app.client, &to).await;
    assert_eq!(slider_value(&back, "energy"), "0.85");
    assert!(
        back.body.contains("Saved “Sunday morning”."),
        "{}",
        back.body
    );
    assert!(!back.body.contains("No saved profiles yet."));
    // The settings are the current ones too.
    let plain = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&plain, "energy"), "0.85");
    // The same name again is refused beside the field, and the name stays typed.
    let again = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[("energy", "0.4"), ("name", "Sunday morning")],
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(
        again
            .body
            .contains("You already have a profile named “Sunday morning”."),
        "{}",
        again.body
    );
    assert!(again
        .body
        .contains(r#"id="ps-profile-name" form="ps-form" name="name" value="Sunday morning""#));
}

#[tokio::test]
async fn the_debounced_save_restores_the_settings_on_the_next_visit() {
    let app = demo_app();
    let mut browser = signed_up(&app, "restore").await;
    let first = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&first, "valence"), "0.5", "defaults at first");
    let token = first.csrf_token();
    let mut htmx = as_htmx(&browser);
    htmx.headers.push(("X-CSRF-Token".into(), token));
    let saved = htmx
        .post_raw(
            &app.client,
            "/perfect-song/current",
            &[("valence", "0.12"), ("w_tempo", "2"), ("tempo", "140")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::NO_CONTENT);
    let bad = htmx
        .post_raw(&app.client, "/perfect-song/current", &[("valence", "7")])
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing saved"
    );
    // A new session of the same user (log out, log in) gets them back.
    browser.log_out(&app.client).await;
    browser.log_in(&app.client, "restore", GOOD_PASSWORD).await;
    let next = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&next, "valence"), "0.12");
    assert_eq!(slider_value(&next, "w_tempo"), "2");
    assert_eq!(slider_value(&next, "tempo"), "140");
    // Live GETs never save: the live fragment for other values changes nothing.
    as_htmx(&browser)
        .get(&app.client, "/perfect-song?valence=0.99")
        .await;
    let again = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&again, "valence"), "0.12");
}

#[tokio::test]
async fn a_shared_url_opens_the_same_result_for_someone_else() {
    let app = demo_app();
    let mut alice = signed_up(&app, "alice").await;
    let mut bob = signed_up(&app, "bob").await;
    let url = "/perfect-song?danceability=0.31&energy=0.92&acousticness=0.05&instrumentalness=0.7&valence=0.2&genre=rock&per_artist=1";
    let a = alice.get(&app.client, url).await;
    let b = bob.get(&app.client, url).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(perfect_song(&a), perfect_song(&b));
    assert_eq!(
        a.body.matches("<tr>").count(),
        b.body.matches("<tr>").count()
    );
}

#[tokio::test]
async fn taste_profiles_are_saved_loaded_renamed_deleted_and_private() {
    let app = demo_app();
    let mut alice = signed_up(&app, "alice").await;
    // Show some settings, then save them under a name (no JS: "Save profile" submits
    // the settings form, with the name, to the save address).
    let shown = alice
        .get(&app.client, "/perfect-song?energy=0.77&w_liveness=3")
        .await;
    let token = shown.csrf_token();
    let saved = alice
        .post_raw(
            &app.client,
            "/perfect-song/profiles",
            &[
                ("csrf_token", &token),
                ("energy", "0.77"),
                ("w_liveness", "3"),
                ("name", "  Late night  "),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = alice.get(&app.client, PAGE).await;
    assert!(page.body.contains("Late night"));
    let id = {
        let marker = "/perfect-song/profiles/";
        let start = page.body.find("/load\"").expect("load form");
        let before = &page.body[..start];
        let from = before.rfind(marker).unwrap() + marker.len();
        before[from..].to_string()
    };
    // The same name again is refused beside the name field.
    let twice = post_form(
        &mut alice,
        &app.client,
        "/perfect-song/profiles",
        &[("settings", "energy=0.1"), ("name", "Late night")],
    )
    .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice
        .body
        .contains("You already have a profile named “Late night”."));
    // Without JavaScript the page sent back is titled as refused.
    assert!(twice.body.contains("<title>Error: "), "{}", twice.body);
    // In another case it is the same name.
    let shouted = post_form(
        &mut alice,
        &app.client,
        "/perfect-song/profiles",
        &[("settings", "energy=0.1"), ("name", "LATE NIGHT")],
    )
    .await;
    assert_eq!(shouted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shouted
        .body
        .contains("You already have a profile named “LATE NIGHT”."));
    // Settings that cannot be saved come back as typed, with their messages beside
    // their fields (the page had shown the saved settings instead).
    let bad = alice
        .post_raw(
            &app.client,
            "/perfect-song/profiles",
            &[
                ("csrf_token", &token),
                ("valence", "0.93"),
                ("min_tempo", "130"),
                ("max_tempo", "120"),
                ("name", "bad one"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(slider_value(&bad, "valence"), "0.93", "as typed");
    assert!(bad
        .body
        .contains("Fix the settings above before saving them."));
    assert!(bad.body.contains("<title>Error: "), "{}", bad.body);
    assert!(
        !message_beside(&bad, "max_tempo").is_empty(),
        "{}",
        bad.body
    );
    // htmx: the panel alone, with the message.
    let panel = htmx_post(
        &mut alice,
        &app.client,
        "/perfect-song/profiles",
        &[("name", "")],
    )
    .await;
    assert_eq!(panel.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        panel.body.starts_with("<section id=\"ps-profiles\""),
        "{}",
        panel.body
    );
    assert!(panel.body.contains("Give the profile a name."));
    let long = "x".repeat(61);
    let too_long = htmx_post(
        &mut alice,
        &app.client,
        "/perfect-song/profiles",
        &[("name", &long)],
    )
    .await;
    assert!(too_long.body.contains("at most 60 characters"));

    // Load: the page URL with its settings.
    let loaded = post_form(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/load"),
        &[],
    )
    .await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER);
    let to = loaded.location().unwrap().to_string();
    assert!(
        to.contains("energy=0.77") && to.contains("w_liveness=3"),
        "{to}"
    );
    let opened = alice.get(&app.client, &to).await;
    assert_eq!(slider_value(&opened, "energy"), "0.77");
    // And says so where the page opens, at its top: moved sliders had been the only
    // sign, then a notice in the profiles panel, far below.
    let said = opened
        .body
        .find("Loaded “Late night”: its settings are on the sliders.")
        .expect("said");
    let hero_ends = opened
        .body
        .find("</section>")
        .expect("the page's first section");
    assert!(said < hero_ends, "{}", opened.body);
    assert!(opened.body[..said].ends_with(r#"<p class="notice" role="status" data-said-once>"#));

    // Bob cannot see, load, rename or delete it.
    let mut bob = signed_up(&app, "bob").await;
    let bobs = bob.get(&app.client, PAGE).await;
    assert!(!bobs.body.contains("Late night"));
    for action in ["load", "rename"] {
        let tried = post_form(
            &mut bob,
            &app.client,
            &format!("/perfect-song/profiles/{id}/{action}"),
            &[("name", "Mine now")],
        )
        .await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND, "{action}");
    }
    // A delete of a profile not his is answered as one of a made-up id: "already
    // deleted", with no name, and Alice's profile stays (she renames it below).
    let made_up = post_form(
        &mut bob,
        &app.client,
        "/perfect-song/profiles/987654/delete",
        &[],
    )
    .await;
    let tried = post_form(
        &mut bob,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(tried.status, StatusCode::SEE_OTHER);
    assert_eq!(tried.location(), made_up.location());
    // An id that is no number of ours is answered as a made-up one, not as a request
    // that could not be read.
    for odd in ["abc", "99999999999", "-1"] {
        let tried = post_form(
            &mut bob,
            &app.client,
            &format!("/perfect-song/profiles/{odd}/delete"),
            &[],
        )
        .await;
        assert_eq!(tried.location(), made_up.location(), "{odd}");
        for action in ["load", "rename"] {
            let tried = post_form(
                &mut bob,
                &app.client,
                &format!("/perfect-song/profiles/{odd}/{action}"),
                &[("name", "Mine now")],
            )
            .await;
            assert_eq!(tried.status, StatusCode::NOT_FOUND, "{odd} {action}");
        }
    }
    let told = bob
        .get(&app.client, tried.location().expect("Location"))
        .await;
    assert_eq!(
        status_line(&told).as_deref(),
        Some("That profile is already deleted.")
    );
    assert!(!told.body.contains("Late night"));

    // Rename (htmx swaps the panel), then delete.
    let renamed = htmx_post(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/rename"),
        &[("name", "Small hours")],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert!(renamed.body.contains("Small hours") && !renamed.body.contains(">Late night<"));
    let deleted = post_form(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    // Back at the panel, where the confirmation is, not at the top of the page.
    let to = deleted.location().expect("Location").to_string();
    assert!(
        to.contains("profile_done=deleted") && to.ends_with("#ps-profiles"),
        "{to}"
    );
    let page = alice.get(&app.client, PAGE).await;
    assert!(!page.body.contains("Small hours"));
    assert!(page.body.contains("No saved profiles yet."));
    // A second click on Delete (the first one's answer not yet shown) ends on the page
    // saying so, not on a 404 error page over a delete that worked; with htmx, the panel.
    let again = post_form(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let told = alice
        .get(&app.client, again.location().expect("Location"))
        .await;
    assert_eq!(
        status_line(&told).as_deref(),
        Some("That profile is already deleted.")
    );
    let panel = htmx_post(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[],
    )
    .await;
    assert_eq!(panel.status, StatusCode::OK);
    assert!(
        panel.body.contains("That profile is already deleted.")
            && panel.body.contains("No saved profiles yet."),
        "{}",
        panel.body
    );
    let gone = post_form(
        &mut alice,
        &app.client,
        &format!("/perfect-song/profiles/{id}/load"),
        &[],
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_bad_input_answers_422_with_the_message_beside_its_control() {
    let app = demo_app();
    let mut browser = signed_up(&app, "careless").await;
    let all_off: String = [
        "danceability",
        "energy",
        "acousticness",
        "instrumentalness",
        "valence",
    ]
    .iter()
    .map(|k| format!("w_{k}=0&"))
    .collect();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "energy=1.5".into(),
            "energy",
            "Energy must be between 0.000 and 1.000, not 1.5.",
        ),
        ("tempo=fast".into(), "tempo", "“fast” is not a number."),
        (
            "genre=polka-noise".into(),
            "genre",
            "There is no genre “polka-noise” in the catalog.",
        ),
        (
            "year_from=2010&year_to=2000".into(),
            "year_to",
            "The year range runs backwards: 2010 is after 2000.",
        ),
        (
            format!("{all_off}w_energy=1&metric=cosine"),
            "metric",
            "“Same mix” compares the proportions between features, and with one feature \
             every track has the same mix: give a second feature a weight, or choose \
             “Closest values”.",
        ),
        (
            all_off,
            "weights",
            "Turn on at least one feature: every weight is 0.",
        ),
        (
            "min_popularity=101".into(),
            "min_popularity",
            "Minimum popularity must be between 0 and 100.",
        ),
        // A control character sent is shown as U+FFFD, as in its field, not unseen.
        (
            "energy=%1B0.5".into(),
            "energy",
            "“\u{FFFD}0.5” is not a number.",
        ),
    ];
    for (query, field, message) in &cases {
        let page = browser
            .get(&app.client, &format!("/perfect-song?{query}"))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(message_beside(&page, field), *message, "{query}");
        assert!(page.body.contains(r#"id="ps-form""#), "the form comes back");
        // The live fragment says the same, out of band beside the control.
        let fragment = as_htmx(&browser)
            .get(&app.client, &format!("/perfect-song?{query}"))
            .await;
        assert_eq!(fragment.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            fragment.body.contains(&format!(
                r#"id="ps-{field}-error" hx-swap-oob="true">{message}"#
            )),
            "{query}: {}",
            fragment.body
        );
    }
    // A valid answer sends no message slots at all (app.js empties them before
    // swapping it in), only the results.
    let fine = as_htmx(&browser)
        .get(&app.client, "/perfect-song?danceability=0.4")
        .await;
    assert_eq!(fine.status, StatusCode::OK);
    assert!(fine.body.contains("ps-answer-title"), "{}", fine.body);
    assert!(!fine.body.contains("hx-swap-oob"), "{}", fine.body);
    // It names its short, canonical address (app.js shows it in the address bar): the
    // settings only, no empty fields, no junk, and the same when answered from the cache.
    for _ in 0..2 {
        let named = as_htmx(&browser)
            .get(
                &app.client,
                "/perfect-song?danceability=0.4&min_energy=&junk=1&max_tempo=",
            )
            .await;
        let url = named.header("x-page-url").expect("X-Page-Url").to_string();
        assert!(url.starts_with("/perfect-song?danceability=0.4&"), "{url}");
        assert!(
            !url.contains("junk") && !url.contains("min_energy") && !url.contains("=&"),
            "{url}"
        );
        let again = browser.get(&app.client, &url).await;
        assert_eq!(
            again.status,
            StatusCode::OK,
            "the named address opens the page"
        );
    }
    // A range's end beyond what any track holds is refused beside its field (it was
    // taken, and left every track out without a word); tempo takes what the importer
    // does, beyond the slider's 250.
    let page = browser
        .get(&app.client, "/perfect-song?min_danceability=7")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The title says first that the page came back with problems.
    assert!(page
        .body
        .contains("<title>Error: Perfect song · Spotify Insights Hub</title>"));
    assert!(
        page.body
            .contains("The lowest danceability must be between"),
        "{}",
        page.body
    );
    let page = browser
        .get(&app.client, "/perfect-song?max_tempo=280")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("<title>Perfect song · Spotify Insights Hub</title>"));
    // A range field with a message is marked invalid, as a slider is.
    let page = browser
        .get(&app.client, "/perfect-song?min_tempo=abc")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains(r#"aria-describedby="ps-min_tempo-error" aria-invalid="true""#),
        "{}",
        page.body
    );
    assert!(!page
        .body
        .contains(r#"aria-describedby="ps-max_tempo-error" aria-invalid"#));
    // The typed value is kept so it can be fixed.
    let page = browser.get(&app.client, "/perfect-song?tempo=fast").await;
    assert!(page
        .body
        .contains(r#"id="ps-tempo-value" for="ps-tempo" aria-hidden="true">fast"#));
    // A control character in it comes back as U+FFFD, seen, not as itself: from an
    // address, and from the form without JavaScript.
    let page = browser
        .get(&app.client, "/perfect-song?tempo=%00fast%1B")
        .await;
    let posted = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[("tempo", "\u{0}fast\u{1b}")],
    )
    .await;
    let posted = followed(&mut browser, &app, posted).await;
    for page in [&page, &posted] {
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!page.body.contains('\u{0}') && !page.body.contains('\u{1b}'));
        assert!(page.body.contains("\u{FFFD}fast\u{FFFD}"), "{}", page.body);
    }
    // The no-JS POST too. It is sent on to the page's address with the values as
    // typed, which shows the messages: answered in place, the page was a POST's, and
    // Back to it asked to resend the form.
    let posted = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[
            ("energy", "-0.2"),
            ("year_from", "1999"),
            ("year_to", "1990"),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let to = posted.location().unwrap_or_default().to_string();
    assert!(
        to.starts_with("/perfect-song?") && to.contains("energy=-0.2") && !to.contains("csrf"),
        "{to}"
    );
    let posted = followed(&mut browser, &app, posted).await;
    assert_eq!(posted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message_beside(&posted, "energy"),
        "Energy must be between 0.000 and 1.000, not -0.2."
    );
    assert_eq!(
        message_beside(&posted, "year_to"),
        "The year range runs backwards: 1999 is after 1990."
    );
}

/// The page a 303 sends the browser on to.
async fn followed(browser: &mut Browser, app: &TestApp, answer: Page) -> Page {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let to = answer.location().expect("a Location").to_string();
    browser.get(&app.client, &to).await
}

/// The text of the answer's "Among tracks …" line, if it has one.
fn among(body: &str) -> Option<&str> {
    let start = body.find(r#"<p class="ps-among">"#)? + r#"<p class="ps-among">"#.len();
    let end = body[start..].find("</p>")?;
    Some(&body[start..start + end])
}

#[tokio::test]
async fn the_answer_says_which_filters_narrowed_it() {
    let app = demo_app();
    let mut browser = signed_up(&app, "narrowed").await;
    let plain = browser.get(&app.client, PAGE).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.body.contains("ps-answer-title"), "an answer");
    assert_eq!(among(&plain.body), None, "no filter, no line");

    let url =
        "/perfect-song?genre=rock&year_from=1990&no_explicit=on&min_tempo=90&max_tempo=150&per_artist=2";
    let wanted =
        "Among tracks in genre rock, from 1990 on, not marked explicit, with tempo from 90 to 150 BPM, \
         with at most 2 tracks per artist.";
    let page = browser.get(&app.client, url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(among(&page.body), Some(wanted));
    // The live answer says it too: one renderer serves both.
    let live = as_htmx(&browser).get(&app.client, url).await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(!live.body.contains("<html"), "a fragment");
    assert_eq!(among(&live.body), Some(wanted));
}

#[tokio::test]
async fn an_empty_result_names_the_filter_that_emptied_it() {
    let app = demo_app();
    let mut browser = signed_up(&app, "picky").await;
    let page = browser
        .get(&app.client, "/perfect-song?year_from=2090&year_to=2095")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("There are 20,000 tracks in the catalog, but none from 2090 to 2095."),
        "{}",
        page.body
    );
    assert!(page.body.contains(r##"href="#ps-year_from""##));
    assert!(!page.body.contains("ps-answer-title"));
    // And a way out in one step: the same targets, no filter.
    let start = page
        .body
        .find("search without any filter")
        .expect("the link");
    let href_at = page.body[..start].rfind("href=\"").unwrap() + 6;
    let href =
        page.body[href_at..href_at + page.body[href_at..].find('"').unwrap()].replace("&amp;", "&");
    assert!(
        href.starts_with("/perfect-song?") && !href.contains("year_"),
        "{href}"
    );
    let widened = browser.get(&app.client, &href).await;
    assert_eq!(widened.status, StatusCode::OK);
    assert!(widened.body.contains("ps-answer-title"), "an answer");
    // Filters the index does not hold (duration, key, mode) are named too: the answer
    // said the catalog had no tracks.
    let page = browser
        .get(
            &app.client,
            "/perfect-song?min_duration=3000&mode=minor&genre=rock",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = page.body.replace("&nbsp;", " ");
    assert!(
        text.contains("tracks in genre rock, but none lasting at least 50:00, in a minor key."),
        "{text}"
    );
    assert!(!text.contains("no tracks yet"), "{text}");
    assert!(text.contains("Change those filters"), "{text}");
    // Several filters before the one that emptied it are told apart by commas, and a
    // range says its unit, with a minus sign.
    let page = browser
        .get(
            &app.client,
            "/perfect-song?genre=rock&year_from=1990&min_loudness=-10&max_loudness=-5&min_tempo=249",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = page.body.replace("&nbsp;", " ");
    assert!(
        text.contains(
            " tracks in genre rock, from 1990 on, but none with tempo at least 249 BPM and loudness from −10 to −5 dB."
        ),
        "{text}"
    );
}

#[tokio::test]
async fn the_match_is_the_closest_track_of_a_tiny_catalog() {
    let app = empty_app();
    let mut low = track("low1", "Whisper", &["Quiet Ones"], 0.1);
    low.genres = vec![insights_hub::catalog::GenreTag::new("folk")];
    let tracks = vec![
        low,
        track("mid1", "Halfway", &["Middle Band", "Guest"], 0.5),
        track("mid2", "Nearly Halfway", &["Other Band"], 0.6),
        track("high1", "Roar", &["Loud Crew"], 0.95),
    ];
    fixtures::load(&app.state, "tiny.csv", tracks).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = signed_up(&app, "tiny").await;
    let all = |v: &str| {
        [
            "danceability",
            "energy",
            "acousticness",
            "instrumentalness",
            "valence",
        ]
        .iter()
        .map(|k| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
    };
    let page = browser
        .get(&app.client, &format!("/perfect-song?{}", all("0.47")))
        .await;
    assert_eq!(perfect_song(&page), "Halfway");
    assert!(page.body.contains("Middle Band, Guest"));
    assert!(page.body.contains("Halfway (album)"));
    // Difference per feature: 0.5 − 0.47.
    assert!(page.body.contains("+0.030"), "{}", page.body);
    // Similarity 100 × (1 − 0.03).
    assert!(page.body.contains("<strong>97.0</strong>"));
    let high = browser
        .get(&app.client, &format!("/perfect-song?{}", all("0.9")))
        .await;
    assert_eq!(perfect_song(&high), "Roar");
    let folk = browser
        .get(
            &app.client,
            &format!("/perfect-song?{}&genre=folk", all("0.9")),
        )
        .await;
    assert_eq!(
        perfect_song(&folk),
        "Whisper",
        "the filter wins over closeness"
    );
    assert!(!folk.body.contains("The next"), "one folk track only");
}

/// The live answer is kept per catalog version and query: asked again (by anyone) it is
/// the same, and an import that changes the answer is never hidden by what was kept.
#[tokio::test]
async fn a_kept_live_answer_follows_the_catalog_version() {
    let app = empty_app();
    fixtures::load(
        &app.state,
        "first.csv",
        vec![
            track("mid1", "Halfway", &["Middle Band"], 0.5),
            track("high1", "Roar", &["Loud Crew"], 0.8),
        ],
    )
    .await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let url = "/perfect-song?danceability=0.9&energy=0.9&acousticness=0.9&instrumentalness=0.9&valence=0.9";
    let mut ada = as_htmx(&signed_up(&app, "ada").await);
    let first = ada.get(&app.client, url).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(perfect_song(&first), "Roar");
    assert_eq!(
        first.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let again = ada.get(&app.client, url).await;
    assert_eq!(again.body, first.body);
    // Gzipped once, then the same bytes every time; they unpack to the same fragment.
    let mut packed = Vec::new();
    for _ in 0..2 {
        let resp = app
            .client
            .get(url)
            .header("Cookie", ada.cookie_header())
            .header("HX-Request", "true")
            .header("Accept-Encoding", "gzip, br")
            .send()
            .await;
        resp.assert_status_is_ok();
        resp.assert_header("content-encoding", "gzip");
        packed.push(resp.0.into_body().into_bytes().await.expect("bytes"));
    }
    assert_eq!(packed[0], packed[1]);
    let mut unpacked = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&packed[0][..]),
        &mut unpacked,
    )
    .expect("gzip");
    assert_eq!(unpacked, first.body);
    let mut bob = as_htmx(&signed_up(&app, "bob").await);
    assert_eq!(bob.get(&app.client, url).await.body, first.body);

    fixtures::load(
        &app.state,
        "second.csv",
        vec![track("exact1", "Bullseye", &["Sharp Shooters"], 0.9)],
    )
    .await;
    let after = ada.get(&app.client, url).await;
    assert_eq!(perfect_song(&after), "Bullseye", "the new catalog's answer");

    // A query without settings means each user's own saved settings: never shared.
    let mut ada_plain = signed_in_as(&ada);
    let saved = post_form(
        &mut ada_plain,
        &app.client,
        PAGE,
        &[
            ("danceability", "0.9"),
            ("energy", "0.9"),
            ("acousticness", "0.9"),
            ("instrumentalness", "0.9"),
            ("valence", "0.9"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Bob has saved nothing: the defaults (0.5) answer him.
    let own = "/perfect-song?from=menu";
    assert_eq!(perfect_song(&ada.get(&app.client, own).await), "Bullseye");
    assert_eq!(perfect_song(&bob.get(&app.client, own).await), "Halfway");
    assert_eq!(perfect_song(&ada.get(&app.client, own).await), "Bullseye");
}

/// The same browser without htmx's header.
fn signed_in_as(htmx: &Browser) -> Browser {
    let mut plain = htmx.clone();
    plain.headers.retain(|(name, _)| name != "HX-Request");
    plain
}

/// The hidden fields of the "Reset to defaults" form on a page.
fn reset_fields(page: &Page) -> Vec<(String, String)> {
    let start = page
        .body
        .find(r#"<form id="ps-reset-form""#)
        .unwrap_or_else(|| panic!("no reset form in:\n{}", page.body));
    let end = page.body[start..].find("</form>").expect("form end") + start;
    let attr = |tag: &str, name: &str| -> String {
        let at = tag.find(&format!(r#" {name}=""#)).expect("attribute") + name.len() + 3;
        let close = tag[at..].find('"').expect("quote") + at;
        tag[at..close].to_string()
    };
    page.body[start..end]
        .split("<input ")
        .skip(1)
        .map(|tag| (attr(tag, "name"), attr(tag, "value")))
        .collect()
}

#[tokio::test]
async fn features_left_out_of_a_url_start_at_the_catalog_average() {
    let app = demo_app();
    let mut browser = signed_up(&app, "partial").await;
    let page = browser.get(&app.client, "/perfect-song?energy=0.8").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let average = app.state.catalog().average;
    let loudness: f64 = slider_value(&page, "loudness").parse().expect("number");
    let tempo: f64 = slider_value(&page, "tempo").parse().expect("number");
    // As the hint says: at the average (to the slider's step), not mid-range (-30 dB).
    assert!(
        (loudness - average.loudness).abs() <= 0.25,
        "loudness {loudness}, average {}",
        average.loudness
    );
    assert!((tempo - average.tempo).abs() <= 0.5, "tempo {tempo}");
    assert_ne!(loudness, -30.0);
    assert!(page.body.contains("start at the catalog's average"));
    // The chart's faint lines are said on the page (they had no legend entry).
    assert!(
        page.body
            .contains("and in faint grey a sample of the catalog&#39;s tracks")
            || page
                .body
                .contains("and in faint grey a sample of the catalog's tracks")
    );
    // The original five left out keep the middle; the one given is kept.
    assert_eq!(slider_value(&page, "valence"), "0.5");
    assert_eq!(slider_value(&page, "energy"), "0.8");
}

/// An empty catalog has no average: its sliders start mid-range, not at the zeros of
/// an average over no track (0 BPM and 0 dB).
#[tokio::test]
async fn an_empty_catalogs_sliders_start_mid_range() {
    let app = empty_app();
    assert_eq!(app.state.catalog().meta.track_count, 0);
    let mut browser = signed_up(&app, "early").await;
    let page = browser.get(&app.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(slider_value(&page, "tempo"), "125");
    assert_eq!(slider_value(&page, "loudness"), "-30");
}

#[tokio::test]
async fn reset_to_defaults_puts_the_starting_settings_back_and_keeps_them() {
    let app = demo_app();
    let mut browser = signed_up(&app, "resetter").await;
    let moved = post_form(
        &mut browser,
        &app.client,
        PAGE,
        &[("energy", "0.9"), ("w_tempo", "2"), ("tempo", "180")],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&page, "energy"), "0.9");
    // The old button led to the settings already on screen; it is gone.
    assert!(!page.body.contains("Back to my saved settings"));
    assert!(page.body.contains("Reset to defaults"));
    assert!(page.body.contains("Your latest settings are kept"));
    let fields = reset_fields(&page);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let reset = post_form(&mut browser, &app.client, PAGE, &fields).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    let to = reset.location().expect("Location").to_string();
    assert!(
        to.contains("energy=0.5") && to.contains("w_tempo=0"),
        "{to}"
    );
    // And they are what the next visit opens with.
    let next = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&next, "energy"), "0.5");
    assert_eq!(slider_value(&next, "w_tempo"), "0");
    let tempo: f64 = slider_value(&next, "tempo").parse().expect("number");
    assert!((tempo - app.state.catalog().average.tempo).abs() <= 0.5);
}

#[tokio::test]
async fn no_explicit_tracks_is_switched_off_where_no_track_is_marked_explicit() {
    // The hand-made catalog marks every track as not explicit.
    let app = empty_app();
    fixtures::load(
        &app.state,
        "clean.csv",
        vec![
            track("a1", "Calm", &["Quiet"], 0.3),
            track("b1", "Loud", &["Noisy"], 0.8),
        ],
    )
    .await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = signed_up(&app, "clean").await;
    let page = browser.get(&app.client, PAGE).await;
    let at = page.body.find(r#"id="ps-no_explicit""#).expect("checkbox");
    let tag_start = page.body[..at].rfind('<').expect("tag");
    let tag_end = page.body[at..].find('>').expect("tag end") + at;
    assert!(
        page.body[tag_start..tag_end].contains("disabled"),
        "{}",
        &page.body[tag_start..tag_end]
    );
    assert!(page
        .body
        .contains("no track in this catalog is marked explicit"));

    // The demo catalog has explicit tracks: the filter is there to use.
    let demo = demo_app();
    let mut browser = signed_up(&demo, "explicit").await;
    let page = browser.get(&demo.client, PAGE).await;
    let at = page.body.find(r#"id="ps-no_explicit""#).expect("checkbox");
    let tag_end = page.body[at..].find('>').expect("tag end") + at;
    assert!(!page.body[at..tag_end].contains("disabled"));
    assert!(!page
        .body
        .contains("no track in this catalog is marked explicit"));
}

#[tokio::test]
async fn sliders_show_their_value_without_javascript_and_off_marks_follow_weights() {
    let app = demo_app();
    let mut browser = signed_up(&app, "numbers").await;
    let page = browser
        .get(&app.client, "/perfect-song?energy=0.8&w_tempo=1&tempo=150")
        .await;
    // Number fields, which a browser without scripts shows with their value; app.js
    // makes them sliders.
    assert!(
        page.body
            .contains(r#"<input type="number" data-slider id="ps-energy" name="energy""#),
        "{}",
        page.body
    );
    // Tempo has a weight: its "(off)" mark is there for app.js, but hidden.
    assert!(page
        .body
        .contains(r#"<span class="ps-off-tag" data-off-until="w_tempo" hidden> (off)</span>"#));
    assert!(page
        .body
        .contains(r#"<span class="ps-off-tag" data-off-until="w_loudness"> (off)</span>"#));
}

#[tokio::test]
async fn deleting_a_profile_asks_first() {
    let app = demo_app();
    let mut browser = signed_up(&app, "careful").await;
    let saved = post_form(
        &mut browser,
        &app.client,
        "/perfect-song/profiles",
        &[("name", "Keep me"), ("settings", "energy=0.7")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = browser.get(&app.client, PAGE).await;
    // "Delete" opens a question; only its "Yes, delete" button posts.
    let at = page
        .body
        .find(r#"<details class="ps-delete">"#)
        .expect("delete behind a question");
    let block = &page.body[at..page.body[at..].find("</details>").expect("end") + at];
    assert!(block.contains(r#"<summary aria-label="Delete Keep me">Delete</summary>"#));
    assert!(block.contains("Delete “Keep me” for good?"));
    assert!(block.contains("Yes, delete"));
}

#[tokio::test]
async fn chart_options_refuse_bad_settings_and_strangers() {
    let app = demo_app();
    let stranger = app
        .client
        .get("/perfect-song/charts.json?energy=0.5")
        .send()
        .await;
    assert_ne!(stranger.0.status(), StatusCode::OK, "signed-in users only");
    let browser = signed_up(&app, "chartopts").await;
    let bad = browser
        .clone()
        .get(&app.client, "/perfect-song/charts.json?energy=7")
        .await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        bad.header("location")
    );
    assert!(bad.body.contains("Energy"), "{}", bad.body);
    let junk = browser
        .clone()
        .get(&app.client, "/perfect-song/charts.json?energy=%FF%FE&k=-1")
        .await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST, "{}", junk.body);
}

/// The attributes of the element whose opening tag contains `marker`.
fn tag_with<'a>(page: &'a Page, marker: &str) -> &'a str {
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in:\n{}", page.body));
    let start = page.body[..at].rfind('<').expect("tag start");
    let end = page.body[at..].find('>').expect("tag end") + at;
    &page.body[start..end]
}

/// Without JavaScript "Save profile" saves what the form shows, not the settings the
/// page was drawn with: its button and the name field belong to the settings form, and
/// the button sends that form to the save address.
#[tokio::test]
async fn save_profile_without_javascript_saves_what_the_form_shows() {
    let app = demo_app();
    let mut browser = signed_up(&app, "nojs-saver").await;
    let page = browser.get(&app.client, PAGE).await;
    assert_eq!(slider_value(&page, "energy"), "0.5");
    let button = tag_with(&page, r#"id="ps-save-profile""#);
    for attribute in [
        r#"form="ps-form""#,
        r#"formaction="/perfect-song/profiles""#,
        r#"formmethod="post""#,
    ] {
        assert!(button.contains(attribute), "{attribute} in {button}");
    }
    let name = tag_with(&page, r#"id="ps-profile-name""#);
    assert!(name.contains(r#"form="ps-form""#), "{name}");
    // No stale copy of the settings rides along with the save any more.
    assert!(!page.body.contains(r#"name="settings""#));
    // What the browser sends: the settings form as the user left it (energy typed up to
    // 0.9 without pressing "Find my song"), its token and the name.
    let token = page.csrf_token();
    let saved = browser
        .post_raw(
            &app.client,
            "/perfect-song/profiles",
            &[
                ("csrf_token", &token),
                ("danceability", "0.5"),
                ("energy", "0.9"),
                ("w_energy", "1"),
                ("name", "High energy"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let to = saved.location().expect("back to the page").to_string();
    let back = browser.get(&app.client, &to).await;
    assert_eq!(slider_value(&back, "energy"), "0.9", "the page keeps 0.9");
    assert!(back.body.contains("Saved “High energy”."), "{}", back.body);
    // Loading the profile later gives 0.9.
    browser.get(&app.client, "/perfect-song?energy=0.2").await;
    let id = {
        let end = back.body.find("/load\"").expect("load form");
        let from = back.body[..end].rfind('/').unwrap() + 1;
        back.body[from..end].to_string()
    };
    let loaded = post_form(
        &mut browser,
        &app.client,
        &format!("/perfect-song/profiles/{id}/load"),
        &[],
    )
    .await;
    let opened = browser
        .get(&app.client, loaded.location().expect("loaded"))
        .await;
    assert_eq!(slider_value(&opened, "energy"), "0.9");
    // The live answer's address never carries the profile name (`hx-params`).
    let form = tag_with(&page, r#"id="ps-form""#);
    assert!(
        form.contains(r#"hx-params="not csrf_token,name""#),
        "{form}"
    );
}

/// The status line after each profile action without JavaScript, as htmx shows it.
fn status_line(page: &Page) -> Option<String> {
    let marker = r#"<p class="ps-notice" role="status">"#;
    let at = page.body.find(marker)? + marker.len();
    let end = page.body[at..].find("</p>")? + at;
    Some(page.body[at..end].to_string())
}

#[tokio::test]
async fn profile_actions_without_javascript_say_what_they_did() {
    let app = demo_app();
    let mut browser = signed_up(&app, "confirmer").await;
    let first = browser.get(&app.client, PAGE).await;
    assert_eq!(status_line(&first), None, "nothing done yet");
    let saved = post_form(
        &mut browser,
        &app.client,
        "/perfect-song/profiles",
        &[("energy", "0.7"), ("name", "Gym mix")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = browser
        .get(&app.client, saved.location().expect("redirect"))
        .await;
    assert_eq!(status_line(&page).as_deref(), Some("Saved “Gym mix”."));
    let id = {
        let end = page.body.find("/load\"").expect("load form");
        let from = page.body[..end].rfind('/').unwrap() + 1;
        page.body[from..end].to_string()
    };
    let renamed = post_form(
        &mut browser,
        &app.client,
        &format!("/perfect-song/profiles/{id}/rename"),
        &[("name", "Run mix"), ("settings", "energy=0.7")],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let page = browser
        .get(&app.client, renamed.location().expect("redirect"))
        .await;
    assert_eq!(status_line(&page).as_deref(), Some("Renamed to “Run mix”."));
    let deleted = post_form(
        &mut browser,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[("settings", "energy=0.7")],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = browser
        .get(&app.client, deleted.location().expect("redirect"))
        .await;
    assert_eq!(status_line(&page).as_deref(), Some("Deleted the profile."));
    // The address names the profile by id only: another user's id (or a made-up one)
    // shows no name at all.
    let mut bob = signed_up(&app, "bob-confirms").await;
    let bobs = post_form(
        &mut bob,
        &app.client,
        "/perfect-song/profiles",
        &[("energy", "0.3"), ("name", "Bob's own")],
    )
    .await;
    let bob_to = bobs.location().expect("redirect").to_string();
    let forged = browser.get(&app.client, &bob_to).await;
    assert_eq!(forged.status, StatusCode::OK);
    assert_eq!(status_line(&forged), None, "{}", forged.body);
    assert!(!forged.body.contains("Bob's own"));
}

/// The id of the account signed up as `username`, from the database.
async fn user_id(app: &TestApp, username: &str) -> i32 {
    let pool = app.state.pool.clone();
    let key = username.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        insights_hub::db::users::find_by_key(&mut conn, &key)
            .expect("query")
            .expect("the user")
            .id
    })
    .await
    .expect("looked up")
}

#[tokio::test]
async fn a_user_keeps_at_most_100_taste_profiles() {
    let app = demo_app();
    let mut browser = signed_up(&app, "collector").await;
    // 100 profiles, written straight into the database (the router would take as long
    // as it adds nothing).
    let user = user_id(&app, "collector").await;
    let pool = app.state.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        for n in 0..100 {
            insights_hub::db::taste_profiles::insert_named(
                &mut conn,
                user,
                &format!("Profile {n:03}"),
                "{}",
                0,
                1000,
            )
            .expect("insert");
        }
    })
    .await
    .expect("inserted");
    let message = "You have 100 taste profiles, the most you can keep: delete one first.";
    // Without JavaScript: the page again, 422, the message beside the save form's field.
    let refused = post_form(
        &mut browser,
        &app.client,
        "/perfect-song/profiles",
        &[("energy", "0.6"), ("name", "One more")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(message_beside(&refused, "profile-name"), message);
    assert!(
        refused.body.contains(r#"value="One more""#),
        "the name is kept"
    );
    // htmx: the panel, with the same message.
    let panel = htmx_post(
        &mut browser,
        &app.client,
        "/perfect-song/profiles",
        &[("energy", "0.6"), ("name", "One more")],
    )
    .await;
    assert_eq!(panel.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(message_beside(&panel, "profile-name"), message);
    // Delete one, and there is room again.
    let page = browser.get(&app.client, PAGE).await;
    let id = {
        let end = page.body.find("/load\"").expect("load form");
        let from = page.body[..end].rfind('/').unwrap() + 1;
        page.body[from..end].to_string()
    };
    post_form(
        &mut browser,
        &app.client,
        &format!("/perfect-song/profiles/{id}/delete"),
        &[],
    )
    .await;
    let saved = post_form(
        &mut browser,
        &app.client,
        "/perfect-song/profiles",
        &[("energy", "0.6"), ("name", "One more")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

/// Back without JavaScript: the browser must not bring back the values last typed into
/// the fields of a page that shows the answer to other ones.
#[tokio::test]
async fn the_settings_form_is_not_restored_by_the_browser() {
    let app = demo_app();
    let mut browser = signed_up(&app, "backer").await;
    let page = browser.get(&app.client, PAGE).await;
    let form = tag_with(&page, r#"id="ps-form""#);
    assert!(form.contains(r#"autocomplete="off""#), "{form}");
    // Nor kept in the back-forward cache, which brought it back as it was left.
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let shared = browser.get(&app.client, "/perfect-song?energy=0.7").await;
    assert_eq!(shared.header("cache-control"), Some("no-store"));
}

/// The background save of invalid settings answers 422 quietly: no notice for the
/// page's notice area (the field's message says it all), nothing saved.
#[tokio::test]
async fn the_background_save_of_invalid_settings_raises_no_notice() {
    let app = demo_app();
    let mut browser = signed_up(&app, "quiet").await;
    let token = browser.get(&app.client, PAGE).await.csrf_token();
    let mut htmx = as_htmx(&browser);
    htmx.headers.push(("X-CSRF-Token".into(), token));
    let bad = htmx
        .post_raw(
            &app.client,
            "/perfect-song/current",
            &[("min_tempo", "130"), ("max_tempo", "120")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.header("HX-Retarget"), None, "not sent to the notices");
    assert_eq!(bad.body, "", "no notice to show");
    assert!(!bad.body.contains("Unprocessable"));
    let good = htmx
        .post_raw(
            &app.client,
            "/perfect-song/current",
            &[("min_tempo", "130"), ("max_tempo", "140")],
        )
        .await;
    assert_eq!(good.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_input_is_not_repeated_into_every_profile_form() {
    let app = demo_app();
    let mut alice = signed_up(&app, "hoarder").await;
    for n in 0..10 {
        let saved = post_form(
            &mut alice,
            &app.client,
            "/perfect-song/profiles",
            &[
                ("settings", "energy=0.3"),
                ("name", &format!("Profile {n}")),
            ],
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }
    // A link with 8,000 characters of bad input: the page shows it in its field, and
    // the two seed forms carry it (they keep the page's settings), but the 20 rename
    // and delete forms do not each carry it back, and the messages quote its start.
    let junk = "a".repeat(8000);
    let page = alice
        .get(&app.client, &format!("/perfect-song?energy={junk}"))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Profile 9"));
    let copies = page.body.matches(&junk).count();
    assert!(copies <= 3, "{copies} copies of the bad input");
    assert!(page
        .body
        .contains(&format!("“{}…” is not a number.", "a".repeat(40))));
    assert!(page.body.len() < 200_000, "{} bytes", page.body.len());
    // 700 made-up genres: three named, the rest counted in one message.
    let genres: String = (0..700).map(|n| format!("&genre=g{n}")).collect();
    let page = alice
        .get(&app.client, &format!("/perfect-song?energy=0.5{genres}"))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("There is no genre “g0” in the catalog."));
    assert!(!page.body.contains("There is no genre “g698”"));
    assert!(
        page.body
            .contains("Nor are the other 697 genres asked for."),
        "{}",
        page.body
    );
    assert!(page.body.len() < 300_000, "{} bytes", page.body.len());
}

#[tokio::test]
async fn the_seed_search_says_when_it_lists_only_the_first_matches() {
    let app = demo_app();
    let mut browser = signed_up(&app, "seeker").await;
    browser.headers.push(("HX-Request".into(), "true".into()));
    let fragment = browser
        .get(&app.client, "/perfect-song/seeds?seed_q=a")
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment
            .body
            .contains("The first 6 tracks and 5 artists matching “a”: type more to narrow them."),
        "{}",
        fragment.body
    );
    // Longer than the field takes: refused, not searched for and echoed.
    let long = browser
        .get(
            &app.client,
            &format!("/perfect-song/seeds?seed_q={}", "zq".repeat(3000)),
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(long
        .body
        .contains("A seed search is at most 500 characters long."));
    assert!(!long.body.contains(&"zq".repeat(300)), "echoed");
}

#[tokio::test]
async fn seeds_the_catalog_does_not_have_are_not_saved() {
    let app = demo_app();
    let mut alice = signed_up(&app, "ghostly").await;
    let saved = post_form(
        &mut alice,
        &app.client,
        "/perfect-song/profiles",
        &[
            ("settings", "seed_track=99999999"),
            ("name", "Phantom profile 9"),
        ],
    )
    .await;
    assert_eq!(
        saved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains("Track #99999999 is not in the catalog"),
        "{}",
        saved.body
    );
    let page = alice.get(&app.client, PAGE).await;
    assert!(!page.body.contains("Phantom profile 9"), "not saved");
    // The page's own save of the current settings keeps nothing of the kind either.
    let kept = post_form(
        &mut alice,
        &app.client,
        "/perfect-song/current",
        &[("seed_track", "99999999")],
    )
    .await;
    assert_eq!(kept.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = alice.get(&app.client, PAGE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Track #99999999"), "{}", page.body);
}

#[tokio::test]
async fn saved_settings_naming_a_seed_the_catalog_lost_say_so_on_the_plain_page() {
    let app = demo_app();
    let mut alice = signed_up(&app, "forgotten").await;
    let kept = post_form(
        &mut alice,
        &app.client,
        "/perfect-song/current",
        &[("energy", "0.5")],
    )
    .await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.body);
    // As an import that replaced the demo catalog leaves them: saved while the seed
    // was there, read after it is gone.
    let user = user_id(&app, "forgotten").await;
    let pool = app.state.pool.clone();
    tokio::task::spawn_blocking(move || {
        use insights_hub::db::taste_profiles;
        let mut conn = pool.get().expect("connection");
        let json = taste_profiles::current(&mut conn, user)
            .expect("query")
            .expect("saved");
        let mut settings: serde_json::Value = serde_json::from_str(&json).expect("json");
        settings["seeds"] = serde_json::json!({"tracks": [99999999], "artists": [], "genres": []});
        taste_profiles::save_current(&mut conn, user, &settings.to_string(), 0).expect("saved");
    })
    .await
    .expect("written");
    let page = alice.get(&app.client, PAGE).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Track #99999999 is not in the catalog (a new import may have replaced it): remove that seed."),
        "{}",
        page.body
    );
    // The rest of the saved settings are kept on the form.
    assert_eq!(slider_value(&page, "energy"), "0.5");
}

/// The box's type-ahead stops the same user's type-ahead before it, and the page's
/// search ("Search", Enter) stops both kinds, but a type-ahead never stops the page's
/// search: the box's delayed request, sent after a click on "Search", had emptied the
/// page asked for (`latest_search`).
#[tokio::test]
async fn the_seed_boxs_type_ahead_never_stops_the_pages_search() {
    use insights_hub::web::latest_search::SearchKind::{Page, TypeAhead};
    let app = demo_app();
    let mut browser = signed_up(&app, "typist").await;
    let user_id = user_id(&app, "typist").await;
    // Searches of theirs still running.
    let page_search = app.state.seed_searches.begin(user_id, Page);
    let typed_search = app.state.seed_searches.begin(user_id, TypeAhead);
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let typed = htmx.get(&app.client, "/perfect-song/seeds?seed_q=a").await;
    assert_eq!(typed.status, StatusCode::OK);
    assert!(typed.body.contains("Add "), "{}", typed.body);
    assert!(
        typed_search.superseded(),
        "a keystroke stops the last one's search"
    );
    assert!(
        !page_search.superseded(),
        "a keystroke stopped the page's search"
    );
    let typed_search = app.state.seed_searches.begin(user_id, TypeAhead);
    let page = browser.get(&app.client, "/perfect-song?seed_q=a").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("A newer search replaced this one."));
    assert!(page.body.contains("Add "), "the page lists its matches");
    assert!(page_search.superseded() && typed_search.superseded());
}

#[tokio::test]
async fn a_negative_zero_reads_back_as_zero() {
    let app = demo_app();
    let mut browser = signed_up(&app, "signless").await;
    let page = browser.get(&app.client, "/perfect-song?energy=-0").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(slider_value(&page, "energy"), "0");
}

/// A catalog whose file has neither popularity nor genres (the Kaggle 1.2M layout)
/// offers no control for them: each could only leave every track out.
#[tokio::test]
async fn a_catalog_without_popularity_or_genres_offers_no_control_for_them() {
    let app = common::empty_app();
    let catalog = (0..5)
        .map(|i| {
            let mut t = common::fixtures::track(
                &format!("bare{i:018}"),
                &format!("Bare {i}"),
                &["Ann"],
                0.2 * f64::from(i),
            );
            t.popularity = None;
            t.genres.clear();
            t
        })
        .collect();
    common::fixtures::load(&app.state, "bare.csv", catalog).await;
    let app = common::TestApp {
        client: common::TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = signed_up(&app, "bare").await;
    let page = browser.get(&app.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK);
    for absent in [
        r#"id="ps-popularity""#,
        r#"id="ps-w_popularity""#,
        r#"id="ps-min_popularity""#,
        r#"id="ps-seed-genre""#,
        r#"id="ps-genre""#,
    ] {
        assert!(!page.body.contains(absent), "{absent}");
    }
    assert!(page.body.contains("This catalog has no popularity"));
    assert!(
        page.body.contains(r#"id="ps-w_energy""#),
        "other weights stay"
    );
    // Popularity brought by an address is left out: it left every track out, with no
    // control on the page to undo it.
    let page = browser
        .get(
            &app.client,
            "/perfect-song?energy=0.4&w_popularity=2&popularity=80&min_popularity=50&max_popularity=90",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"id="ps-answer-title""#),
        "{}",
        page.body
    );
    // "No explicit tracks" brought by an address, where no track is marked explicit,
    // is left out too: it changed nothing, was said in the answer, then was dropped by
    // the next change (its box is disabled, so never sent).
    let unmarked = browser
        .get(&app.client, "/perfect-song?energy=0.4&no_explicit=on")
        .await;
    assert_eq!(unmarked.status, StatusCode::OK);
    assert!(
        !unmarked.body.contains("not marked explicit"),
        "{}",
        unmarked.body
    );
    assert!(
        !unmarked.body.contains("no_explicit=on"),
        "{}",
        unmarked.body
    );
    // Nor does the answer or the seeds' panel speak of popularity or genres.
    assert!(!page.body.contains(">unknown</span>"), "{}", page.body);
    assert!(page.body.contains("tracks or artists: the sliders"));
    // The next matches have no Genre column, which was empty on every row.
    let next = next_matches_head(&page.body);
    assert!(
        next.contains(">Year</th>") && !next.contains(">Genre</th>"),
        "{next}"
    );

    // The demo catalog has both.
    let demo = demo_app();
    let mut browser = signed_up(&demo, "full").await;
    let page = browser.get(&demo.client, "/perfect-song").await;
    for present in [
        r#"id="ps-popularity""#,
        r#"id="ps-w_popularity""#,
        r#"id="ps-min_popularity""#,
        r#"id="ps-seed-genre""#,
    ] {
        assert!(page.body.contains(present), "{present}");
    }
    assert!(next_matches_head(&page.body).contains(">Genre</th>"));
}

/// The header row of the next matches' table.
fn next_matches_head(body: &str) -> &str {
    let start = body.find("ps-next-table").expect("the next matches");
    let end = start + body[start..].find("</thead>").expect("their header");
    &body[start..end]
}

/// The genre filter reads Spotify's seed spelling as seeds and the API do: `r-n-b` is
/// the catalog's `r&b`, ticked in the form, and filters the answer.
#[tokio::test]
async fn the_genre_filter_takes_spotifys_spelling_of_a_genre() {
    let app = demo_app();
    let mut alice = signed_up(&app, "alice").await;
    let page = alice
        .get(&app.client, "/perfect-song?energy=0.5&genre=r-n-b")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(r#"name="genre" value="r&amp;b" checked"#),
        "r&b is ticked"
    );
    assert!(!page.body.contains("There is no genre"), "no refusal");
    let answer_genre = page
        .body
        .split("<dt>Genre</dt><dd>")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .expect("the answer's genre");
    assert_eq!(answer_genre, "r&amp;b");
    // Refused for another setting, the page still shows r&b ticked, not a stray r-n-b.
    let refused = alice
        .get(&app.client, "/perfect-song?energy=5&genre=r-n-b")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains(r#"name="genre" value="r&amp;b" checked"#));
    assert!(
        !refused
            .body
            .contains(r#"type="checkbox" name="genre" value="r-n-b""#),
        "no stray choice: {}",
        refused.body
    );
}

/// A large catalog is searched on the blocking pool, not on the runtime worker that
/// asks: the same settings give the same answer either way.
#[tokio::test]
async fn a_search_on_the_blocking_pool_answers_as_one_on_the_worker() {
    let inline = demo_app();
    let pooled = demo_app_with(|c| c.inline_search_tracks = 0);
    let url = "/perfect-song?danceability=0.31&energy=0.92&acousticness=0.05&instrumentalness=0.7&valence=0.2&genre=rock&year_from=1990&min_tempo=100&per_artist=1";
    let a = signed_up(&inline, "alice")
        .await
        .get(&inline.client, url)
        .await;
    let b = signed_up(&pooled, "bob")
        .await
        .get(&pooled.client, url)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(perfect_song(&a), perfect_song(&b));
    let rows = |page: &Page| page.body.matches("<tr>").count();
    assert_eq!(rows(&a), rows(&b));
    assert!(rows(&b) > 5, "a full answer");
    // A refused setting is refused the same way.
    let bad = signed_up(&pooled, "carol")
        .await
        .get(&pooled.client, "/perfect-song?min_tempo=150&max_tempo=100")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The seeds' hint says what a genre seed does beside tracks or artists (keeps the
/// answer to it, as Spotify's recommendations do): it had seemed to count for nothing.
#[tokio::test]
async fn the_seed_hint_says_what_a_genre_seed_does() {
    let app = demo_app();
    let mut browser = signed_up(&app, "genre_hint").await;
    let page = browser.get(&app.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Beside tracks or artists, a genre seed keeps the answer to that genre"),
        "{}",
        page.body
    );
}

/// A target between the slider's steps in an address is read on the nearest step, as
/// the slider shows it: 0.555 had been searched as given beside a slider at 0.56.
#[tokio::test]
async fn a_target_between_steps_is_read_as_the_slider_shows_it() {
    let app = demo_app();
    let mut browser = signed_up(&app, "between_steps").await;
    let off = browser
        .get(&app.client, "/perfect-song?energy=0.555&tempo=120.7")
        .await;
    let on = browser
        .get(&app.client, "/perfect-song?energy=0.56&tempo=121")
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert!(!off.body.contains("0.555"), "{}", off.body);
    assert!(!off.body.contains("120.7"), "{}", off.body);
    let answer = |body: &str| {
        body.split("id=\"ps-answer-title\"")
            .nth(1)
            .and_then(|rest| rest.split('<').next().map(str::to_string))
    };
    assert!(answer(&off.body).is_some(), "{}", off.body);
    assert_eq!(answer(&off.body), answer(&on.body));
}

/// A track's genres read as on its artist's page and in the API: the one its file named
/// first, then the others A to Z (the answer had listed them in the index's order).
#[tokio::test]
async fn a_matchs_genres_are_listed_as_everywhere_else() {
    let app = empty_app();
    let tag = insights_hub::catalog::GenreTag::new;
    // "edm" is met first, so the index numbers it before rock and pop.
    let mut first = track("gen1", "Elsewhere", &["Some Band"], 0.1);
    first.genres = vec![tag("edm")];
    let mut mixed = track("gen2", "Three Ways", &["Mixers"], 0.9);
    mixed.genres = vec![tag("rock"), tag("pop"), tag("edm")];
    fixtures::load(&app.state, "genre order", vec![first, mixed]).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = signed_up(&app, "order").await;
    let page = browser
        .get(&app.client, "/perfect-song?danceability=0.9&energy=0.9")
        .await;
    assert_eq!(perfect_song(&page), "Three Ways");
    assert!(
        page.body.contains("<dd>rock, edm, pop</dd>"),
        "{}",
        page.body
    );
    let csv = browser
        .get(
            &app.client,
            "/perfect-song/results.csv?danceability=0.9&energy=0.9",
        )
        .await;
    assert!(csv.body.contains("\"rock, edm, pop\""), "{}", csv.body);
}
