//! Screenshots of every page, at 1280 and 360 px wide, in light and dark, under
//! target/screenshots/tour/, for people to look at (nothing is asserted beyond the
//! pages loading without sideways scrolling).

use std::time::Duration;

use crate::{
    auth::sign_up,
    harness::{Browser, Js, Scheme, Server},
};

async fn shoot(browser: &Browser, name: &str, prepare: &str) {
    for (w, h) in [(1280u32, 900u32), (360, 800)] {
        browser.set_viewport(w, h).await;
        if !prepare.is_empty() {
            browser.js(prepare).await;
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        let overflow = browser
            .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            .await;
        assert_eq!(
            overflow,
            serde_json::json!(0),
            "{name} scrolls sideways at {w} px"
        );
        // The whole page, not just the first screen.
        let full = browser
            .js("return Math.min(document.documentElement.scrollHeight, 5000);")
            .await
            .as_u64()
            .unwrap_or(u64::from(h)) as u32;
        browser.set_viewport(w, full.max(h)).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        browser.screenshot(&format!("tour/{name}-{w}")).await;
    }
}

#[tokio::test]
#[ignore = "takes screenshots for review: cargo test --test browser tour -- --ignored"]
async fn screenshots_of_every_page_light_and_dark() {
    let server = Server::start().await;
    for scheme in [Scheme::Light, Scheme::Dark] {
        let suffix = if scheme == Scheme::Dark {
            "dark"
        } else {
            "light"
        };
        let browser = Browser::start_in(Js::On, scheme).await;
        let open = |path: String| {
            let browser = &browser;
            async move { browser.open(&path).await.expect("open page") }
        };
        open(server.url("/artists")).await;
        let query = browser
            .js("var names = Array.prototype.slice.call(document.querySelectorAll('#artist-results li[data-value]'), 0, 4) \
                 .map(function (li) { return ['artist', li.getAttribute('data-value')]; }); \
                 return new URLSearchParams(names).toString();")
            .await;
        let query = query.as_str().unwrap_or_default().to_string();
        let artist = browser
            .js("return document.querySelector('#artist-results li[data-value] a').getAttribute('href');")
            .await;
        let pages = [
            ("home", "/".to_string(), ""),
            ("artists", "/artists".to_string(), ""),
            ("compare", format!("/artists/compare?{query}"), ""),
            (
                "compare-radar",
                format!("/artists/compare?{query}&view=radar&features=all"),
                "",
            ),
            (
                "artist",
                artist.as_str().unwrap_or("/artists/1").to_string(),
                "",
            ),
            ("login-wall", "/login?next=/perfect-song".to_string(), ""),
        ];
        for (name, path, prepare) in &pages {
            open(server.url(path)).await;
            shoot(&browser, &format!("{name}-{suffix}"), prepare).await;
        }
        // Suggestions open, the second chosen with the arrow keys.
        open(server.url("/artists/compare")).await;
        browser.set_viewport(1280, 900).await;
        let field = browser
            .client
            .find(fantoccini::Locator::Css("#compare-artist-1"))
            .await
            .expect("field");
        field.send_keys("the").await.expect("type");
        browser
            .wait_for_js(
                "document.querySelectorAll('#compare-suggest-1 [role=option]').length >= 2",
            )
            .await;
        field
            .send_keys(&format!(
                "{}{}",
                fantoccini::key::Key::Down,
                fantoccini::key::Key::Down
            ))
            .await
            .expect("arrows");
        browser
            .screenshot(&format!("tour/compare-suggestions-{suffix}-1280"))
            .await;

        browser.set_viewport(1280, 900).await;
        sign_up(&browser, &server, &format!("tour_{suffix}")).await;
        for (name, path, prepare) in [
            ("perfect-song", "/perfect-song?w_tempo=1&tempo=128", ""),
            (
                "perfect-song-advanced",
                "/perfect-song",
                "document.querySelectorAll('#ps-form details').forEach(function (d) { d.open = true; }); return true;",
            ),
            ("account", "/account", ""),
        ] {
            open(server.url(path)).await;
            shoot(&browser, &format!("{name}-{suffix}"), prepare).await;
        }
        // A phone with a slider in the middle of the screen: the answer bar on top.
        open(server.url("/perfect-song")).await;
        browser.set_viewport(360, 800).await;
        browser
            .js("document.getElementById('ps-valence').scrollIntoView({ block: 'center' }); return true;")
            .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        browser
            .screenshot(&format!("tour/perfect-song-slider-{suffix}-360"))
            .await;
        browser.close().await;
    }
}
