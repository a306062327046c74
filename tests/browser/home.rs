use fantoccini::Locator;

use crate::harness::{Browser, Js, Server};

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn home_page_draws_the_profile_chart_with_javascript() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser.open(&server.url("/")).await.expect("open home");
    // The demo catalog is labelled and the chart is an ECharts instance with one bar series.
    assert!(browser.text_of("main").await.contains("Demo data"));
    browser
        .wait_for_js("window.echarts && echarts.getInstanceByDom(document.getElementById('home-profile-chart'))")
        .await;
    let series = browser
        .js("var o = echarts.getInstanceByDom(document.getElementById('home-profile-chart')).getOption(); return o.series.map(function (s) { return [s.type, s.data.length]; });")
        .await;
    assert_eq!(series, serde_json::json!([["bar", 7]]));
    browser.screenshot("home-desktop").await;
    // At a phone's width the chart is drawn again to fit (see `wait_for_charts_to_fit`).
    browser.set_viewport(390, 844).await;
    browser.wait_for_charts_to_fit().await;
    browser.screenshot("home-phone").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn home_page_without_javascript_shows_the_table_instead() {
    let server = Server::start().await;
    let browser = Browser::start(Js::Off).await;
    browser.open(&server.url("/")).await.expect("open home");
    let table = browser.text_of("table.feature-table").await;
    assert!(
        table.contains("Danceability") && table.contains("BPM"),
        "{table}"
    );
    let chart_shown = browser
        .client
        .find(fantoccini::Locator::Css("#home-profile-chart"))
        .await
        .expect("chart container")
        .is_displayed()
        .await
        .expect("displayed?");
    assert!(!chart_shown, "a chart that cannot draw is hidden");
    // Nothing to hover without scripts: no "hover a bar" either.
    let hint_shown = browser
        .client
        .find(fantoccini::Locator::Css(".hover-hint"))
        .await
        .expect("hint element")
        .is_displayed()
        .await
        .expect("displayed?");
    assert!(!hint_shown, "hover hint without JavaScript");
    assert!(!browser
        .text_of("main")
        .await
        .to_lowercase()
        .contains("hover"));
    browser.screenshot("home-nojs").await;
    browser.close().await;
}

/// A small file in the TidyTuesday format (invented tracks, released 1957 to 2019, so
/// that the catalog's span of years is as wide as the real file's).
fn tidytuesday_csv() -> String {
    let mut csv = String::from(
        "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,\
         track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,\
         danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,\
         liveness,valence,tempo,duration_ms\n",
    );
    for i in 0..12 {
        let x = f64::from(i) / 12.0;
        csv.push_str(&format!(
            "id{i:020},Song {i},Band {b},{p},alb{i:018},Album {i},{y}-06-14,Mix,pl1,pop,dance pop,\
             {x:.3},{e:.3},5,-6.5,1,0.05,{a:.3},0,0.1,{v:.3},{t:.1},200000\n",
            b = i % 4,
            y = if i == 0 { 1957 } else { 2019 },
            p = 40 + i,
            e = 1.0 - x,
            a = x / 2.0,
            v = 0.3 + x / 2.0,
            t = 90.0 + f64::from(i) * 5.0
        ));
    }
    csv
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn the_catalog_tiles_keep_their_values_whole() {
    let csv = tidytuesday_csv();
    let server = Server::start_with_import(&[("spotify_songs.csv", &csv)]).await;
    let browser = Browser::start(Js::On).await;
    browser.open(&server.url("/")).await.expect("open home");
    for (w, h) in [(1280, 900), (360, 800), (390, 844)] {
        browser.set_viewport(w, h).await;
        // One line box each for the file name and the import date: neither broken
        // inside (the date once broke at its dash, "2026-" / "12-05", at 360 px).
        let lines = browser
            .js(
                "return ['.stat-source .file', '.stat-source .when'].map(function (sel) { \
                   var el = document.querySelector(sel); if (!el) { return sel + ' missing'; } \
                   var r = document.createRange(); r.selectNodeContents(el); \
                   return [el.textContent.trim(), r.getClientRects().length]; });",
            )
            .await;
        assert_eq!(
            lines[0],
            serde_json::json!(["spotify_songs.csv", 1]),
            "at {w} px"
        );
        let date = lines[1][0].as_str().unwrap_or_default();
        assert!(date.starts_with("imported "), "at {w} px: {lines}");
        assert_eq!(lines[1][1], 1, "at {w} px, the date on one line: {lines}");
        // Every other tile's value on one line too ("1957–2020" once broke at its dash).
        let broken = browser
            .broken_across_lines(".stats > div:not(.stat-source) dd")
            .await;
        assert_eq!(broken, serde_json::json!([]), "at {w} px");
        browser.screenshot(&format!("home-imported-{w}")).await;
    }
    // Where it came from, and how to import more, with the installed binary.
    let import = browser.text_of("#import").await;
    assert!(
        import.contains("imported from spotify_songs.csv"),
        "{import}"
    );
    assert!(
        import.contains("insights-hub import --database "),
        "{import}"
    );
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn find_your_perfect_song_explains_the_account_and_offers_sign_up() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser.open(&server.url("/")).await.expect("open home");
    browser
        .client
        .find(Locator::LinkText("Find your perfect song"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("click");
    browser
        .wait_for_url("the log-in page", |url| url.path() == "/login")
        .await;
    let main = browser.text_of("main").await;
    assert!(main.contains("needs an account"), "{main}");
    for form in ["#login-form", "#signup-form"] {
        assert!(
            browser
                .client
                .find(Locator::Css(form))
                .await
                .expect("form")
                .is_displayed()
                .await
                .expect("displayed?"),
            "{form} on the log-in page"
        );
    }
    browser.screenshot("login-wall").await;
    // Signing up right there lands on the perfect-song page.
    for (id, value) in [
        ("#signup-username", "walled"),
        ("#signup-password", "a long enough password"),
        ("#signup-password_confirmation", "a long enough password"),
    ] {
        browser
            .client
            .find(Locator::Css(id))
            .await
            .expect("field")
            .send_keys(value)
            .await
            .expect("type");
    }
    browser
        .client
        .find(Locator::Css("#signup-form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("sign up");
    browser
        .wait_for_url("the perfect-song page", |url| url.path() == "/perfect-song")
        .await;
    browser.close().await;
}
