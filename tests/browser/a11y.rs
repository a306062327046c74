//! Accessibility: axe-core on every main page, with and without JavaScript; serious and
//! critical violations fail the test. axe-core comes from npm into target/axe (see
//! .ci/run) or from the file named by AXE_CORE_JS; it is never part of the app's assets.

use std::path::PathBuf;

use serde_json::Value;

use crate::{
    auth::sign_up,
    harness::{Browser, Js, Server},
};

fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core not found at {} ({e}); install it with `npm install --prefix target/axe axe-core@4`",
            path.display()
        )
    })
}

/// Runs axe on the current page and returns "rule: target" lines for serious and
/// critical violations.
async fn serious_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser
        .client
        .execute(&format!("{axe}\n;return true;"), vec![])
        .await
        .expect("inject axe-core");
    let result: Value = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
                .then(function (r) { done(r.violations.map(function (v) {
                    return { id: v.id, impact: v.impact, help: v.help,
                             targets: v.nodes.map(function (n) { return n.target.join(' '); }) };
                })); })
                .catch(function (e) { done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }]); });",
            vec![],
        )
        .await
        .expect("run axe-core");
    result
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| format!("{} ({}): {}", v["id"], v["help"], v["targets"]))
        .collect()
}

/// Opens the page as a browser with JavaScript on shows it, or, for `Js::Off`, shows the
/// server's HTML exactly as a browser without JavaScript renders it: axe itself needs
/// scripts (its promises never settle in a script-blocked page), so the page's own
/// markup is parsed and swapped in without running any of its scripts.
async fn open(browser: &Browser, server: &Server, path: &str, js: Js) {
    match js {
        Js::On => browser.open(&server.url(path)).await.expect("open page"),
        Js::Off => {
            browser
                .open(&server.url("/healthz"))
                .await
                .expect("same origin");
            browser
                .client
                .execute_async(
                    "var path = arguments[0], done = arguments[arguments.length - 1];
                     fetch(path, { credentials: 'same-origin' })
                       .then(function (r) { return r.text(); })
                       .then(function (html) {
                         var doc = new DOMParser().parseFromString(html, 'text/html');
                         document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
                         var sheets = Array.prototype.slice.call(document.querySelectorAll('link[rel=stylesheet]'));
                         Promise.all(sheets.map(function (l) {
                           return l.sheet ? 1 : new Promise(function (ok) { l.onload = l.onerror = ok; });
                         })).then(function () { done(true); });
                       });",
                    vec![serde_json::json!(path)],
                )
                .await
                .expect("render the no-JS page");
        }
    }
}

/// Desktop and phone screenshots of the page, under target/screenshots/pages/.
async fn screenshots(browser: &Browser, path: &str) {
    let name: String = path
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(60)
        .collect();
    let name = if name.is_empty() {
        "home".to_string()
    } else {
        name
    };
    // Charts draw asynchronously (ECharts loads on demand); give them a moment.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    browser.screenshot(&format!("pages/{name}-desktop")).await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    browser.wait_for_charts_to_fit().await;
    browser.screenshot(&format!("pages/{name}-phone")).await;
    browser
        .client
        .set_window_size(1280, 900)
        .await
        .expect("desktop size");
}

/// The page open in `browser` audited at 1280 px, then at a phone's 360 px, where
/// layouts change (the perfect song's next matches become cards, tables scroll, the
/// header wraps). The window's own size stops at 500 px in headless Chromium, where the
/// cards' 21 px "Why this match" passed, so the viewport is emulated.
async fn audit_both_widths(browser: &Browser, axe: &str, path: &str, failures: &mut Vec<String>) {
    for v in serious_violations(browser, axe).await {
        failures.push(format!("{path}: {v}"));
    }
    browser.set_viewport(360, 800).await;
    let width = browser.js("return window.innerWidth;").await;
    assert_eq!(width, serde_json::json!(360), "the audit's phone width");
    for v in serious_violations(browser, axe).await {
        failures.push(format!("{path} at 360 px: {v}"));
    }
    browser.set_viewport(1280, 900).await;
}

async fn audit(js: Js) {
    let axe = axe_source();
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    let mut failures = Vec::new();
    let anonymous = [
        "/",
        "/artists",
        "/artists?q=ma",
        "/artists/compare?artist=DJ+Tyshaa&artist=L%C3%A9a+Abernethy",
        "/artists/compare?artist=DJ+Tyshaa&artist=L%C3%A9a+Abernethy&view=radar&features=all",
        "/artists/compare?artist=nobody+at+all&artist=DJ+Tyshaa",
        "/artists/1",
        "/genres",
        "/genres?q=o&sort=energy&dir=asc",
        "/genres/r%26b",
        "/genres/compare?genre=pop&genre=rock",
        "/genres/compare?genre=pop&genre=rokc",
        "/genres/polka",
        "/signup",
        "/login",
        "/no-such-page",
        // The API's reference (Swagger UI, at /api/docs/try, is not ours to fix).
        "/api/docs",
    ];
    for path in anonymous {
        open(&browser, &server, path, js).await;
        audit_both_widths(&browser, &axe, path, &mut failures).await;
        if js == Js::On {
            screenshots(&browser, path).await;
        }
    }
    sign_up(
        &browser,
        &server,
        if js == Js::On { "axe_js" } else { "axe_nojs" },
    )
    .await;
    for path in [
        "/account",
        "/perfect-song",
        // A genre seed too: its box in the genre filter is held (disabled, described).
        "/perfect-song?seed_artist=1&seed_genre=jazz&seed_q=a&min_tempo=100&max_tempo=130&mixes_with=8A&k=25",
    ] {
        open(&browser, &server, path, js).await;
        audit_both_widths(&browser, &axe, path, &mut failures).await;
        if js == Js::On {
            screenshots(&browser, path).await;
        }
    }
    browser.close().await;
    assert!(
        failures.is_empty(),
        "accessibility violations ({js:?}):\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver + axe-core: cargo test --test browser -- --ignored"]
async fn main_pages_have_no_serious_accessibility_violations_with_javascript() {
    audit(Js::On).await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver + axe-core: cargo test --test browser -- --ignored"]
async fn main_pages_have_no_serious_accessibility_violations_without_javascript() {
    audit(Js::Off).await;
}
