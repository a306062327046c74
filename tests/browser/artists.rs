//! Artist search and comparison in a real browser, with and without JavaScript.

use fantoccini::{key::Key, Locator};

use crate::harness::{Browser, Js, Server};

/// The demo catalog's two artists with the most tracks (the demo is deterministic).
const FIRST: &str = "DJ Tyshaa";
const SECOND: &str = "Léa Abernethy";

async fn wait_for_url_containing(browser: &Browser, needle: &str) {
    browser
        .wait_for_url(&format!("containing {needle}"), |url| {
            url.as_str().contains(needle)
        })
        .await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --release --test browser -- --ignored"]
async fn type_a_name_and_pick_a_suggestion_with_the_keyboard() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .client
        .goto(&server.url("/artists"))
        .await
        .expect("open artists");
    browser.js("window.__marker = 1; return true;").await;
    let input = browser
        .client
        .find(Locator::Css("#artist-q"))
        .await
        .expect("search field");
    input.send_keys("tysh").await.expect("type");
    // Suggestions appear under the field without a page load.
    browser
        .wait_for_js("document.querySelector('#artist-results li[data-value]')")
        .await;
    let first = browser.text_of("#artist-results li[data-value]").await;
    assert!(first.contains(FIRST), "{first}");
    assert_eq!(
        browser.js("return window.__marker;").await,
        serde_json::json!(1)
    );
    browser.screenshot("artists-suggestions").await;
    // Arrow down selects the first suggestion; Enter opens that artist's page.
    input
        .send_keys(&Key::Down.to_string())
        .await
        .expect("arrow down");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");
    wait_for_url_containing(&browser, "/artists/").await;
    browser.wait_for_js(&format!("document.querySelector('h1') && document.querySelector('h1').textContent.indexOf({FIRST:?}) >= 0")).await;
    browser.screenshot("artist-page").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --release --test browser -- --ignored"]
async fn compare_two_artists_then_go_back() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    let url = server.url("/artists/compare?artist=dj+tyshaa&artist=lea+abernethy");
    browser.client.goto(&url).await.expect("open comparison");
    browser
        .wait_for_js(
            "window.echarts && echarts.getInstanceByDom(document.getElementById('compare-chart'))",
        )
        .await;
    // One series per artist plus the catalog average as a reference.
    let names = browser
        .js("return echarts.getInstanceByDom(document.getElementById('compare-chart')).getOption().series.map(function (s) { return s.name; });")
        .await;
    assert_eq!(names, serde_json::json!([FIRST, SECOND, "Catalog average"]));
    let table = browser.text_of("#compare .feature-table").await;
    assert!(
        table.contains(FIRST) && table.contains("Danceability"),
        "{table}"
    );
    browser.screenshot("compare-desktop").await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    browser.screenshot("compare-phone").await;
    browser
        .client
        .set_window_size(1280, 900)
        .await
        .expect("desktop size");

    // Switch to the radar view: a new URL in history, no page load.
    browser.js("window.__marker = 1; return true;").await;
    browser
        .client
        .find(Locator::LinkText("Radar"))
        .await
        .expect("radar toggle")
        .click()
        .await
        .expect("click radar");
    wait_for_url_containing(&browser, "view=radar").await;
    browser
        .wait_for_js("echarts.getInstanceByDom(document.getElementById('compare-chart')) && echarts.getInstanceByDom(document.getElementById('compare-chart')).getOption().series[0].type === 'radar'")
        .await;
    assert_eq!(
        browser.js("return window.__marker;").await,
        serde_json::json!(1)
    );

    // Back shows the bars again.
    browser.client.back().await.expect("back");
    wait_for_url_containing(&browser, "artist=lea+abernethy").await;
    browser
        .wait_for_url("without view=radar", |url| {
            !url.as_str().contains("view=radar")
        })
        .await;
    browser
        .wait_for_js("window.echarts && echarts.getInstanceByDom(document.getElementById('compare-chart')) && echarts.getInstanceByDom(document.getElementById('compare-chart')).getOption().series[0].type === 'bar'")
        .await;
    // The restored state is the whole page, navigation and footer included.
    assert_eq!(
        browser
            .js("return !!document.querySelector('.site-header nav') && !!document.querySelector('.site-footer');")
            .await,
        serde_json::json!(true)
    );
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --release --test browser -- --ignored"]
async fn search_and_compare_without_javascript() {
    let server = Server::start().await;
    let browser = Browser::start(Js::Off).await;
    browser
        .client
        .goto(&server.url("/artists"))
        .await
        .expect("open artists");
    let input = browser
        .client
        .find(Locator::Css("#artist-q"))
        .await
        .expect("search field");
    input.send_keys("abernethy").await.expect("type");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("submit");
    wait_for_url_containing(&browser, "q=abernethy").await;
    let results = browser.text_of("#artist-results").await;
    assert!(results.contains(SECOND), "{results}");

    browser
        .client
        .goto(&server.url("/artists/compare"))
        .await
        .expect("open compare");
    let first = browser
        .client
        .find(Locator::Css("#compare-artist-1"))
        .await
        .expect("field 1");
    first.send_keys("dj tyshaa").await.expect("type");
    let second = browser
        .client
        .find(Locator::Css("#compare-artist-2"))
        .await
        .expect("field 2");
    second.send_keys("Lea Abernethy").await.expect("type");
    second
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("submit");
    wait_for_url_containing(&browser, "artist=").await;
    let table = browser.text_of("#compare .feature-table").await;
    assert!(table.contains(FIRST) && table.contains(SECOND), "{table}");
    browser.screenshot("compare-nojs").await;
    browser.close().await;
}
