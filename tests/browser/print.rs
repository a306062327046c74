//! Printing: a page printed from a dark screen comes out dark on white, charts too,
//! without the parts that only work on a screen.

use serde_json::Value;

use crate::{
    auth::sign_up,
    harness::{Browser, Js, Scheme, Server},
};

/// The colour every text of a chart is painted in (ECharts' zrender display list).
fn chart_text_colours(id: &str) -> String {
    format!(
        "var chart = echarts.getInstanceByDom(document.getElementById('{id}')); \
         if (!chart) {{ return []; }} \
         return chart.getZr().storage.getDisplayList(true) \
           .filter(function (d) {{ return d.style && typeof d.style.text === 'string' && d.style.text && !d.invisible && !d.ignore; }}) \
           .map(function (d) {{ return [d.style.text, String(d.style.fill)]; }});"
    )
}

/// The colours of the page's text and background, as the browser computed them.
const PAGE_COLOURS: &str = "var body = getComputedStyle(document.body); \
    var h1 = getComputedStyle(document.querySelector('h1')); \
    return [body.color, body.backgroundColor, h1.color];";

/// Relative luminance (WCAG 2) of a colour given as `#rgb`, `#rrggbb`, `rgb(...)` or
/// `rgba(...)`.
fn luminance(colour: &str) -> f64 {
    let c = colour.trim();
    let channels: Vec<f64> = if let Some(hex) = c.strip_prefix('#') {
        let hex: String = if hex.len() == 3 {
            hex.chars().flat_map(|ch| [ch, ch]).collect()
        } else {
            hex.chars().take(6).collect()
        };
        (0..3)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0) as f64)
            .collect()
    } else {
        c.trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split([',', ' ', '/'])
            .filter(|p| !p.is_empty())
            .take(3)
            .map(|p| p.trim().parse::<f64>().unwrap_or(0.0))
            .collect()
    };
    assert_eq!(channels.len(), 3, "a colour: {colour}");
    let linear = |v: f64| {
        let v = v / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
}

/// WCAG contrast ratio of a colour against white paper.
fn contrast_on_white(colour: &str) -> f64 {
    1.05 / (luminance(colour) + 0.05)
}

async fn texts_of(browser: &Browser, id: &str) -> Vec<(String, String)> {
    let drawn = browser.js(&chart_text_colours(id)).await;
    drawn
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let s = |i: usize| t[i].as_str().unwrap_or_default().to_string();
            (s(0), s(1))
        })
        .collect()
}

async fn displayed(browser: &Browser, css: &str) -> Value {
    browser
        .js(&format!(
            "var el = document.querySelector('{css}'); return el ? getComputedStyle(el).display : null;"
        ))
        .await
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn a_page_printed_from_a_dark_screen_is_dark_on_white_charts_included() {
    let server = Server::start().await;
    let browser = Browser::start_in(Js::On, Scheme::Dark).await;
    browser
        .open(&server.url("/genres/rock"))
        .await
        .expect("open a genre");
    let chart = "genre-profile-chart";
    browser
        .wait_for_js(&format!(
            "document.getElementById('{chart}').getAttribute('data-chart-ready') === 'true'"
        ))
        .await;
    browser.after_frames().await;

    // On the dark screen: pale text, and the chart's names and numbers pale too.
    let screen = browser.js(PAGE_COLOURS).await;
    let text = screen[0].as_str().unwrap_or_default().to_string();
    assert!(luminance(&text) > 0.5, "dark screen text: {screen}");
    let on_screen = texts_of(&browser, chart).await;
    assert!(!on_screen.is_empty(), "the chart draws texts");
    assert!(
        on_screen
            .iter()
            .any(|(_, fill)| contrast_on_white(fill) < 3.0),
        "on a dark screen some chart texts are pale: {on_screen:?}"
    );
    // Its tooltip is dark too, with pale text: ECharts' dark theme left it white.
    let tip = browser
        .js(&format!(
            "var o = echarts.getInstanceByDom(document.getElementById('{chart}')).getOption(); \
             var t = [].concat(o.tooltip)[0] || {{}}; \
             return [String(t.backgroundColor), String((t.textStyle || {{}}).color)];"
        ))
        .await;
    let (tip_bg, tip_text) = (
        tip[0].as_str().unwrap_or("#ffffff"),
        tip[1].as_str().unwrap_or("#000000"),
    );
    assert!(luminance(tip_bg) < 0.1, "a dark tooltip: {tip}");
    assert!(luminance(tip_text) > 0.5, "pale tooltip text: {tip}");

    browser.emulate_media("print").await;
    let paper = browser.js(PAGE_COLOURS).await;
    // WCAG's AAA level for text: paper has no zoom.
    for (what, colour) in [("text", &paper[0]), ("heading", &paper[2])] {
        let colour = colour.as_str().unwrap_or_default();
        assert!(
            contrast_on_white(colour) >= 7.0,
            "printed {what} {colour} on white: {paper}"
        );
    }
    let background = paper[1].as_str().unwrap_or_default();
    assert!(
        background == "rgba(0, 0, 0, 0)" || luminance(background) > 0.95,
        "printed background: {paper}"
    );
    let on_paper = texts_of(&browser, chart).await;
    assert!(!on_paper.is_empty(), "the chart is drawn for paper");
    for (text, fill) in &on_paper {
        assert!(
            contrast_on_white(fill) >= 3.0,
            "printed chart text {text:?} in {fill} is too pale on white: {on_paper:?}"
        );
    }
    // Drawn finer for a printer, and scaled to the printed width: inside its box.
    let drawing = browser
        .js(&format!(
            "var el = document.getElementById('{chart}'); var c = el.querySelector('canvas'); \
             var a = el.getBoundingClientRect(), b = c.getBoundingClientRect(); \
             return [echarts.getInstanceByDom(el).getDevicePixelRatio(), \
                     b.left - a.left, a.right - b.right, a.bottom - b.bottom, b.height];"
        ))
        .await;
    assert_eq!(drawing[0], 3, "pixels per CSS pixel on paper: {drawing}");
    for (i, side) in [(1, "left"), (2, "right"), (3, "bottom")] {
        assert!(
            drawing[i].as_f64().unwrap_or(-1.0) >= -1.0,
            "the chart's drawing runs past its box on the {side}: {drawing}"
        );
    }
    assert!(
        drawing[4].as_f64().unwrap_or(0.0) > 100.0,
        "drawn: {drawing}"
    );
    // What only works on a screen is left off; the content stays.
    for css in [".nav ul", "#nav-account", ".button-small"] {
        assert_eq!(displayed(&browser, css).await, "none", "{css} on paper");
    }
    for css in ["h1", ".brand", "table.feature-table", ".site-footer"] {
        assert_ne!(displayed(&browser, css).await, "none", "{css} on paper");
    }
    let overflow = browser
        .js("return getComputedStyle(document.querySelector('.table-scroll')).overflowX;")
        .await;
    assert_eq!(overflow, "visible", "a wide table prints whole");

    // Back on the screen, the chart is dark again.
    browser.emulate_media("").await;
    browser.after_frames().await;
    let ratio = browser
        .js(&format!(
            "return echarts.getInstanceByDom(document.getElementById('{chart}')).getDevicePixelRatio() === window.devicePixelRatio;"
        ))
        .await;
    assert_eq!(ratio, true, "back to the screen's pixels");
    let again = texts_of(&browser, chart).await;
    assert!(
        again.iter().any(|(_, fill)| contrast_on_white(fill) < 3.0),
        "back on the dark screen: {again:?}"
    );

    // A comparison prints its result without the form that chose it.
    browser
        .open(&server.url("/genres/compare?genre=rock&genre=pop"))
        .await
        .expect("open a genre comparison");
    browser.emulate_media("print").await;
    assert_eq!(displayed(&browser, "#compare-form").await, "none");
    assert_ne!(displayed(&browser, "table.feature-table").await, "none");

    // An artist's page prints its tracks without the links to other pages of them or to
    // "More like this" for each version (`screen-only`).
    browser.emulate_media("").await;
    let artist = browser.first_artist_found(&server, "dj tyshaa").await;
    browser
        .open(&server.url(&artist))
        .await
        .expect("open an artist with several pages of tracks");
    browser
        .js("var s = document.createElement('span'); s.className = 'screen-only'; s.id = 'probe'; \
             s.textContent = 'More like this'; document.querySelector('#artist-tracks td').appendChild(s); \
             return true;")
        .await;
    browser.emulate_media("print").await;
    for css in ["#artist-tracks nav.pagination", "#probe"] {
        assert_eq!(displayed(&browser, css).await, "none", "{css} on paper");
    }
    assert_ne!(displayed(&browser, "#artist-tracks table").await, "none");

    // A perfect song prints each match's "Why this match" open: nobody can click paper.
    browser.emulate_media("").await;
    sign_up(&browser, &server, "printer").await;
    browser
        .open(&server.url("/perfect-song"))
        .await
        .expect("open the perfect song");
    let shown = "return Array.prototype.map.call(document.querySelectorAll('.ps-why-lines'), \
                 function (p) { return p.checkVisibility(); });";
    let on_screen = browser.js(shown).await;
    assert!(
        on_screen
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == false)),
        "closed on screen: {on_screen}"
    );
    browser.emulate_media("print").await;
    let on_paper = browser.js(shown).await;
    assert!(
        on_paper
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|v| v == true)),
        "open on paper: {on_paper}"
    );
    assert_eq!(displayed(&browser, "#ps-form").await, "none");
    // ...and without what only explains the screen (how to use the page, how to add a
    // seed when there is none, saving a profile), which left half the first sheet empty.
    for css in [".ps-hero .lead", "#ps-seeds", "#ps-profiles"] {
        assert_eq!(displayed(&browser, css).await, "none", "{css} on paper");
    }
    assert_ne!(displayed(&browser, ".ps-answer").await, "none");
    let kept = browser
        .js(
            "var p = getComputedStyle(document.querySelector('.ps-next h2 + p')); \
             return [p.breakInside, p.breakAfter];",
        )
        .await;
    assert_eq!(
        kept,
        serde_json::json!(["avoid", "avoid"]),
        "the matches' introduction stays with them"
    );

    // With a seed, the seeds it started from print, without their remove buttons.
    let more_like = browser
        .js("return document.querySelector('.ps-next .ps-more-like').getAttribute('href');")
        .await;
    browser.emulate_media("").await;
    browser
        .open(&server.url(more_like.as_str().unwrap_or_default()))
        .await
        .expect("open more like a match");
    browser.emulate_media("print").await;
    assert_ne!(
        displayed(&browser, "#ps-seeds").await,
        "none",
        "a seed on paper"
    );
    assert_ne!(displayed(&browser, ".ps-chip").await, "none");
    for css in [".ps-chip-remove", "#ps-seeds .hint"] {
        assert_eq!(displayed(&browser, css).await, "none", "{css} on paper");
    }
    browser.close().await;
}
