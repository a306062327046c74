//! The charts as drawn: every text inside its canvas, legends clear of the axis names,
//! the app's palette, the catalog average as markers, a radar that reads.

use crate::{
    auth::sign_up,
    harness::{Browser, Js, Motion, Scheme, Server},
};

/// The drawn texts of a chart (ECharts' zrender display list), as
/// [text, x, y, width, height] in canvas pixels, plus the canvas size and the names of
/// the legend entries.
const TEXTS: &str = "var el = document.getElementById(arguments[0]); \
  var chart = el && window.echarts && echarts.getInstanceByDom(el); if (!chart) { return null; } \
  var zr = chart.getZr(), texts = []; \
  zr.storage.getDisplayList(true).forEach(function (d) { \
    if (!d.style || typeof d.style.text !== 'string' || !d.style.text || d.invisible || d.ignore) { return; } \
    var r = d.getBoundingRect().clone(); var m = d.getComputedTransform(); if (m) { r.applyTransform(m); } \
    texts.push([d.style.text, r.x, r.y, r.width, r.height]); }); \
  var legend = [].concat(chart.getOption().legend || []).reduce(function (all, l) { \
    return all.concat((l.data || []).map(function (d) { return typeof d === 'string' ? d : d.name; })); }, []); \
  if (!legend.length) { legend = (chart.getOption().series || []).map(function (s) { return s.name; }); } \
  var shown = [].concat(chart.getOption().legend || []).some(function (l) { return l.show !== false; }); \
  return { texts: texts, width: zr.getWidth(), height: zr.getHeight(), legend: shown ? legend : [] };";

/// Checks one drawn chart: every text inside the canvas, no legend entry over any
/// other text. Returns the texts for more checks.
async fn check_chart(browser: &Browser, id: &str, what: &str) -> serde_json::Value {
    browser
        .wait_for_js(&format!(
            "document.getElementById('{id}') && document.getElementById('{id}').getAttribute('data-chart-ready') === 'true'"
        ))
        .await;
    // The first frame is drawn on the next animation frame.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let drawn = browser
        .client
        .execute(TEXTS, vec![serde_json::json!(id)])
        .await
        .expect("chart texts");
    let (w, h) = (
        drawn["width"].as_f64().unwrap_or(0.0),
        drawn["height"].as_f64().unwrap_or(0.0),
    );
    let texts = drawn["texts"].as_array().cloned().unwrap_or_default();
    assert!(!texts.is_empty(), "{what}: no texts drawn");
    let rect = |t: &serde_json::Value| {
        let n = |i: usize| t[i].as_f64().unwrap_or(f64::NAN);
        (n(1), n(2), n(1) + n(3), n(2) + n(4))
    };
    for t in &texts {
        let (x0, y0, x1, y1) = rect(t);
        assert!(
            x0 >= -1.0 && y0 >= -1.0 && x1 <= w + 1.0 && y1 <= h + 1.0,
            "{what}: {t} is cut off by the {w}x{h} canvas"
        );
    }
    let legend: Vec<&str> = drawn["legend"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    let is_legend = |t: &serde_json::Value| legend.contains(&t[0].as_str().unwrap_or_default());
    for a in texts.iter().filter(|t| is_legend(t)) {
        for b in texts.iter().filter(|t| !is_legend(t)) {
            let (a0, a1, a2, a3) = rect(a);
            let (b0, b1, b2, b3) = rect(b);
            let apart = a2 <= b0 + 0.5 || b2 <= a0 + 0.5 || a3 <= b1 + 0.5 || b3 <= a1 + 0.5;
            assert!(apart, "{what}: the legend's {a} lies over {b}");
        }
    }
    drawn
}

async fn check_at_both_widths(browser: &Browser, ids: &[&str], what: &str) {
    for (w, h) in [(1280, 900), (360, 800)] {
        browser.set_viewport(w, h).await;
        for id in ids {
            check_chart(browser, id, &format!("{what} {id} at {w} px")).await;
        }
    }
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn chart_texts_fit_and_legends_stay_clear_of_the_axes() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    let go = |path: &str| {
        let url = server.url(path);
        let browser = &browser;
        async move { browser.open(&url).await.expect("open page") }
    };
    go("/").await;
    // The sound by decade: seven lines, whose legend wraps to three rows on a phone.
    check_at_both_widths(
        &browser,
        &["home-profile-chart", "home-decades-chart"],
        "home",
    )
    .await;
    // Without a wish for less motion, the charts keep ECharts' animations.
    let animation = browser.js(&animation_of("home-profile-chart")).await;
    assert_ne!(animation, serde_json::json!(false), "home chart animation");

    go("/artists").await;
    let query = browser
        .js("var names = Array.prototype.slice.call(document.querySelectorAll('#artist-results li[data-value]'), 0, 4) \
             .map(function (li) { return ['artist', li.getAttribute('data-value')]; }); \
             return new URLSearchParams(names).toString();")
        .await;
    let artist = browser
        .js("return document.querySelector('#artist-results li[data-value] a').getAttribute('href');")
        .await;
    let query = query.as_str().unwrap_or_default().to_string();

    // Four artists in bars: the app's palette, the average as markers without a line.
    go(&format!("/artists/compare?{query}")).await;
    browser.set_viewport(1280, 900).await;
    check_chart(&browser, "compare-chart", "compare bars").await;
    let option = browser
        .js("var o = echarts.getInstanceByDom(document.getElementById('compare-chart')).getOption(); \
             var last = o.series[o.series.length - 1]; \
             return [o.color.slice(0, 2), last.name, last.type, last.lineStyle.opacity, last.symbol];")
        .await;
    assert_eq!(
        option,
        serde_json::json!([
            ["#1db954", "#0072b2"],
            "Catalog average",
            "line",
            0,
            "diamond"
        ])
    );
    check_at_both_widths(&browser, &["compare-chart"], "compare bars").await;

    // The radar: big, names in the page's text colour, nothing cut off.
    go(&format!("/artists/compare?{query}&view=radar&features=all")).await;
    check_at_both_widths(&browser, &["compare-chart"], "compare radar").await;
    browser.set_viewport(1280, 900).await;
    let radar = browser
        .js("var el = document.getElementById('compare-chart'); var o = echarts.getInstanceByDom(el).getOption(); \
             var r = o.radar[0]; return [r.axisName.color === getComputedStyle(el).color, r.axisName.fontSize, \
             el.clientHeight, o.color[0]];")
        .await;
    assert_eq!(radar[0], true, "{radar}");
    assert!(radar[1].as_f64().unwrap_or(0.0) >= 13.0, "{radar}");
    assert!(radar[2].as_f64().unwrap_or(0.0) >= 400.0, "{radar}");
    assert_eq!(radar[3], "#1db954");
    browser.screenshot("compare-radar-desktop").await;

    go(artist.as_str().unwrap_or("/artists/1")).await;
    check_at_both_widths(
        &browser,
        &["artist-profile-chart", "artist-spread-chart"],
        "artist",
    )
    .await;

    // The perfect song with tempo switched on: "Tempo (BPM)" is the last axis.
    sign_up(&browser, &server, "charts").await;
    go("/perfect-song?w_tempo=1&tempo=120").await;
    browser.set_viewport(1280, 900).await;
    let drawn = check_chart(&browser, "ps-parallel-chart", "parallel").await;
    assert!(
        drawn["texts"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t[0] == "Tempo (BPM)"),
        "{drawn}"
    );
    check_at_both_widths(
        &browser,
        &["ps-parallel-chart", "ps-bars-chart"],
        "perfect song",
    )
    .await;
    // On a phone (the viewport check_at_both_widths leaves): every axis named whole,
    // and of the five 0-to-1 axes only the first with numbers.
    let drawn = check_chart(&browser, "ps-parallel-chart", "parallel at 360 px").await;
    let texts = assert_named_whole(
        &drawn,
        &[
            "Danceability",
            "Energy",
            "Acousticness",
            "Instrumentalness",
            "Valence",
            "Tempo (BPM)",
        ],
        "at 360 px",
    );
    let scales = texts.iter().filter(|t| **t == "0.8").count();
    assert_eq!(scales, 1, "0-to-1 scales drawn at 360 px: {texts:?}");
    // Nine axes on a wide page stand as close as six on a phone: every name whole
    // there too ("Acousticn…", "Tempo (B…" before).
    go("/perfect-song?w_speechiness=1&w_liveness=1&w_tempo=1&w_loudness=1").await;
    browser.set_viewport(1280, 900).await;
    let drawn = check_chart(&browser, "ps-parallel-chart", "nine parallel axes").await;
    assert_named_whole(
        &drawn,
        &[
            "Danceability",
            "Acousticness",
            "Instrumentalness",
            "Speechiness",
            "Liveness",
            "Tempo (BPM)",
            "Loudness (dB)",
        ],
        "with nine axes at 1280 px",
    );
    browser.close().await;
}

/// The texts a chart drew (`check_chart`), having checked that each of `names` is
/// among them whole (ECharts cuts a name that does not fit to "Acousticn...").
fn assert_named_whole<'a>(
    drawn: &'a serde_json::Value,
    names: &[&str],
    where_: &str,
) -> Vec<&'a str> {
    let texts: Vec<&str> = drawn["texts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t[0].as_str())
        .collect();
    for name in names {
        assert!(texts.contains(name), "{name} not whole {where_}: {texts:?}");
    }
    texts
}

/// The script that returns the `animation` setting a chart was drawn with.
fn animation_of(id: &str) -> String {
    format!(
        "return echarts.getInstanceByDom(document.getElementById('{id}')).getOption().animation;"
    )
}

/// With `prefers-reduced-motion: reduce`, every chart appears drawn: no bars growing,
/// no lines sweeping in, on the first drawing and on a live answer's redrawing alike.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn charts_do_not_move_when_the_system_asks_for_less_motion() {
    let server = Server::start().await;
    let browser = Browser::start_with(Js::On, Scheme::Light, Motion::Reduced).await;
    browser.open(&server.url("/")).await.expect("open home");
    let asked = browser
        .js("return window.matchMedia('(prefers-reduced-motion: reduce)').matches;")
        .await;
    assert_eq!(
        asked,
        serde_json::json!(true),
        "the browser asks for less motion"
    );
    check_chart(&browser, "home-profile-chart", "home, less motion").await;
    let animation = browser.js(&animation_of("home-profile-chart")).await;
    assert_eq!(animation, serde_json::json!(false), "home chart animation");

    browser
        .open(&server.url("/genres/rock"))
        .await
        .expect("open a genre");
    for id in [
        "genre-profile-chart",
        "genre-spread-chart",
        "genre-decades-chart",
    ] {
        check_chart(&browser, id, "genre, less motion").await;
        let animation = browser.js(&animation_of(id)).await;
        assert_eq!(animation, serde_json::json!(false), "{id} animation");
    }
    browser.close().await;
}

/// A tooltip the pointer opened closes with Escape, without moving the pointer (WCAG
/// 1.4.13): it covered part of the chart until the pointer left.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn escape_closes_a_chart_tooltip() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser.open(&server.url("/")).await.expect("open home");
    check_chart(&browser, "home-profile-chart", "home").await;
    const TIP_SHOWN: &str = "var el = document.getElementById('home-profile-chart'); \
        return Array.prototype.some.call(el.querySelectorAll('div'), function (d) { \
          return d.style.pointerEvents === 'none' && d.style.display !== 'none' && \
            d.style.opacity !== '0' && d.textContent.trim() !== ''; });";
    browser
        .js("echarts.getInstanceByDom(document.getElementById('home-profile-chart')).dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 1 }); return true;")
        .await;
    browser
        .wait_for_js(&format!("(function () {{ {TIP_SHOWN} }})()"))
        .await;
    browser
        .client
        .active_element()
        .await
        .expect("focused element")
        .send_keys("\u{e00c}")
        .await
        .expect("Escape");
    browser
        .wait_for_js(&format!("!(function () {{ {TIP_SHOWN} }})()"))
        .await;
    browser.close().await;
}
