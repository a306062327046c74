//! Browser benchmark: how soon the perfect-song answer on screen follows a slider being
//! dragged. It starts the real server (release build) and headless Chromium through
//! chromedriver, signs up, and drags a slider with WebDriver pointer actions: press on
//! its left end, 100 small moves to the right (16 ms apart, about one input event per
//! frame), release. That is one round; each round drags another slider, so every
//! position is new to the server (no cached answers).
//!
//! For every input event it measures the time until an answer for that position or a
//! later one is painted (the frame after htmx swapped it in: `requestAnimationFrame`,
//! then a task), and prints p50 and p95 over all rounds, with the number of requests
//! sent. It checks that the answer left on screen is the one for the last position.
//!
//! ```text
//! cargo bench --bench live_slider                                  # demo catalog
//! LIVE_BENCH_CSV=path/to/spotify_songs.csv cargo bench --bench live_slider
//! ```
//!
//! Needs `chromium` and `chromedriver` (see tests/browser/). The machine's load shows up
//! in the figures: report it beside them.

#[allow(dead_code)]
#[path = "../tests/browser/harness.rs"]
mod harness;

use std::time::Duration;

use fantoccini::{
    actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT},
    Locator,
};
use harness::{Browser, Js, Server};

/// Moves per drag.
const MOVES: usize = 100;
/// Time between moves (one frame at 60 Hz).
const MOVE_MS: u64 = 16;
/// Sliders dragged, one round each, in this order (the first ones on the page).
const ROUNDS: usize = 3;
/// A warm-up drag before the measured rounds (its slider is not measured).
const WARM_UP: &str = "#ps-valence";

const PASSWORD: &str = "correct horse battery staple";

/// Records input events on the settings form, the requests sent and the answers painted.
const INSTRUMENT: &str = r#"
if (!window.__live) {
  var b = window.__live = { seq: 0, inputs: [], paints: [], sent: 0 };
  window.addEventListener("input", function (e) {
    if (e.target.form && e.target.form.id === "ps-form") {
      b.seq += 1;
      b.inputs.push([b.seq, performance.now(), e.target.value]);
    }
  }, true);
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.elt.id === "ps-form") {
      e.detail.xhr.liveSeq = b.seq;
      e.detail.xhr.liveSent = performance.now();
      b.sent += 1;
    }
  });
  document.addEventListener("htmx:beforeOnLoad", function (e) {
    if (e.detail.xhr && e.detail.xhr.liveSeq !== undefined) { e.detail.xhr.liveLoaded = performance.now(); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.liveSeq === undefined) { return; }
    var seq = xhr.liveSeq, sent = xhr.liveSent, loaded = xhr.liveLoaded, swapped = performance.now();
    requestAnimationFrame(function () {
      setTimeout(function () { b.paints.push([seq, performance.now(), sent, swapped, loaded]); }, 0);
    });
  });
}
window.__live.inputs = []; window.__live.paints = []; window.__live.sent = 0;
return true;
"#;

async fn sign_up(browser: &Browser, server: &Server) {
    let c = &browser.client;
    c.goto(&server.url("/signup?next=/perfect-song"))
        .await
        .expect("open sign up");
    for (id, value) in [
        ("#signup-username", "slider-bench"),
        ("#signup-password", PASSWORD),
        ("#signup-password_confirmation", PASSWORD),
    ] {
        c.find(Locator::Css(id))
            .await
            .expect("sign-up field")
            .send_keys(value)
            .await
            .expect("type");
    }
    c.find(Locator::Css("#signup-form button[type=submit]"))
        .await
        .expect("sign-up button")
        .click()
        .await
        .expect("submit sign up");
    browser
        .wait_for_js(
            "location.pathname === '/perfect-song' && document.getElementById('ps-answer-title')",
        )
        .await;
}

/// Drags the slider `css` from its left end to the right in `MOVES` moves.
async fn drag(browser: &Browser, css: &str) {
    let c = &browser.client;
    let slider = c.find(Locator::Css(css)).await.expect("slider");
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'}); return true;",
        vec![serde_json::to_value(&slider).expect("element")],
    )
    .await
    .expect("scroll");
    let width = browser
        .js(&format!(
            "return document.querySelector('{css}').getBoundingClientRect().width;"
        ))
        .await
        .as_f64()
        .unwrap_or(200.0);
    let step = (width - 16.0) / MOVES as f64;
    let mut mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: slider,
            duration: None,
            x: -width / 2.0 + 8.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for _ in 0..MOVES {
        mouse = mouse.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(MOVE_MS)),
            x: step,
            y: 0.0,
        });
    }
    mouse = mouse.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    c.perform_actions(mouse).await.expect("drag");
    // Every input answered: the last answer painted is for the last input.
    browser
        .wait_for_js(
            "window.__live.paints.length > 0 && \
             window.__live.paints[window.__live.paints.length - 1][0] === window.__live.seq",
        )
        .await;
}

/// Latency (ms) of each input: until the first answer painted for it or a later input.
fn latencies(round: &serde_json::Value) -> Vec<f64> {
    let pairs = |key: &str| -> Vec<(u64, f64)> {
        round[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p[0].as_u64()?, p[1].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (inputs, paints) = (pairs("inputs"), pairs("paints"));
    inputs
        .iter()
        .filter_map(|&(seq, at)| {
            paints
                .iter()
                .find(|&&(answered, _)| answered >= seq)
                .map(|&(_, painted)| painted - at)
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used.
    let csv = std::env::var("LIVE_BENCH_CSV").ok();
    let server = match &csv {
        Some(path) => {
            let content = std::fs::read_to_string(path).expect("read LIVE_BENCH_CSV");
            let name = std::path::Path::new(path)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("catalog.csv")
                .to_string();
            Server::start_with_import(&[(&name, &content)]).await
        }
        None => Server::start().await,
    };
    let browser = Browser::start(Js::On).await;
    sign_up(&browser, &server).await;
    let sliders: Vec<String> = browser
        .js("return Array.prototype.map.call(document.querySelectorAll('#ps-form .ps-sliders input[data-slider]'), function (i) { return '#' + i.id; });")
        .await
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .filter(|id| id != WARM_UP)
                .collect()
        })
        .unwrap_or_default();
    assert!(sliders.len() >= ROUNDS, "sliders on the page: {sliders:?}");

    browser.js(INSTRUMENT).await;
    drag(&browser, WARM_UP).await;

    let mut all = Vec::new();
    println!(
        "live answer while dragging ({}; {MOVES} moves {MOVE_MS} ms apart per round)",
        csv.as_deref().unwrap_or("demo catalog")
    );
    for css in sliders.iter().take(ROUNDS) {
        browser.js(INSTRUMENT).await;
        drag(&browser, css).await;
        let round = browser.js("return window.__live;").await;
        let last = round["inputs"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|i| i[2].as_str())
            .unwrap_or_default()
            .to_string();
        // The answer left on screen is for the last position (the address follows it).
        let key = css.trim_start_matches("#ps-");
        browser
            .wait_for_js(&format!(
                "new URLSearchParams(location.search).get('{key}') === '{last}'"
            ))
            .await;
        // Where the time goes: request out to its answer handled (network, server, and
        // waiting for the page's main thread), handled to swapped in (htmx parsing and
        // swapping), and swapped in to painted (layout, paint, the next frame).
        let mut trip = Vec::new();
        let mut swap = Vec::new();
        let mut paint = Vec::new();
        for p in round["paints"].as_array().into_iter().flatten() {
            if let (Some(done), Some(sent), Some(swapped), Some(loaded)) =
                (p[1].as_f64(), p[2].as_f64(), p[3].as_f64(), p[4].as_f64())
            {
                trip.push(loaded - sent);
                swap.push(swapped - loaded);
                paint.push(done - swapped);
            }
        }
        trip.sort_by(f64::total_cmp);
        swap.sort_by(f64::total_cmp);
        paint.sort_by(f64::total_cmp);
        let mut lat = latencies(&round);
        lat.sort_by(f64::total_cmp);
        println!(
            "  {css:<18} inputs {:>3}  requests {:>3} (median: out->answered {:>5.1} ms, ->swapped {:>5.1} ms, ->painted {:>5.1} ms)  p50 {:>6.1} ms  p95 {:>6.1} ms  max {:>6.1} ms",
            lat.len(),
            round["sent"].as_u64().unwrap_or(0),
            percentile(&trip, 50.0),
            percentile(&swap, 50.0),
            percentile(&paint, 50.0),
            percentile(&lat, 50.0),
            percentile(&lat, 95.0),
            lat.last().copied().unwrap_or(f64::NAN),
        );
        all.extend(lat);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "input event -> matching answer painted: n {}  p50 {:.1} ms  p95 {:.1} ms",
        all.len(),
        percentile(&all, 50.0),
        percentile(&all, 95.0)
    );
    browser.close().await;
    drop(server);
}
