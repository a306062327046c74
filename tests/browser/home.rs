use crate::harness::{Browser, Js, Server};

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --release --test browser -- --ignored"]
async fn home_page_draws_the_profile_chart_with_javascript() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .client
        .goto(&server.url("/"))
        .await
        .expect("open home");
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
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    browser.screenshot("home-phone").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --release --test browser -- --ignored"]
async fn home_page_without_javascript_shows_the_table_instead() {
    let server = Server::start().await;
    let browser = Browser::start(Js::Off).await;
    browser
        .client
        .goto(&server.url("/"))
        .await
        .expect("open home");
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
    browser.screenshot("home-nojs").await;
    browser.close().await;
}
