//! Genres in a real browser (demo catalog): the list searched and sorted, a genre page
//! with its charts, and two genres compared, with and without JavaScript.

use fantoccini::{key::Key, Locator};

use crate::harness::{Browser, Js, Server};

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn search_the_genres_then_open_one_with_javascript() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/genres"))
        .await
        .expect("open genres");
    browser.mark_page().await;
    let input = browser
        .client
        .find(Locator::Css("#genre-q"))
        .await
        .expect("search field");
    input.send_keys("roc").await.expect("type");
    // The list narrows as one types, without a page load, and the URL follows.
    browser
        .wait_for_js("document.querySelector('#genre-list [role=status]') && document.querySelector('#genre-list [role=status]').textContent.indexOf('“roc”') >= 0")
        .await;
    browser
        .wait_for_url("with q=roc", |url| url.as_str().contains("q=roc"))
        .await;
    // Said by the region that stays on the page (one that arrives holding its text is
    // often not announced), and the arriving one made quiet, so it is not said twice.
    browser
        .wait_for_js("document.getElementById('swap-live') && document.getElementById('swap-live').textContent.indexOf('“roc”') >= 0")
        .await;
    let quiet = browser
        .js("return document.querySelector('#genre-list [role=status]').getAttribute('aria-live');")
        .await;
    assert_eq!(quiet, serde_json::json!("off"));
    let list = browser.text_of("#genre-list").await;
    assert!(list.contains("rock") && !list.contains("jazz"), "{list}");
    browser.assert_no_page_load().await;
    browser.screenshot("genres-search").await;
    browser
        .client
        .find(Locator::Css("#genre-list a[href='/genres/rock']"))
        .await
        .expect("rock link")
        .click()
        .await
        .expect("open rock");
    browser
        .wait_for_js(
            "document.querySelector('h1') && document.querySelector('h1').textContent === 'rock'",
        )
        .await;
    for id in [
        "genre-profile-chart",
        "genre-spread-chart",
        "genre-decades-chart",
    ] {
        // Drawn, and done growing: the screenshot shows the bars at their heights.
        browser
            .wait_for_js(&format!(
                "window.echarts && echarts.getInstanceByDom(document.getElementById('{id}')) \
                 && echarts.getInstanceByDom(document.getElementById('{id}')).getZr().animation.isFinished()"
            ))
            .await;
    }
    browser.screenshot("genre-page").await;
    // On a phone the most typical tracks are cards that fit, each distance labelled.
    browser.set_viewport(360, 800).await;
    let typical = browser
        .js(
            "var box = document.querySelector('.typical-track-table').closest('.table-scroll'); \
             var distance = document.querySelector('.typical-track-table tbody td:nth-child(4)'); \
             return { fits: box.scrollWidth <= box.clientWidth + 1, \
                      label: getComputedStyle(distance, '::after').content };",
        )
        .await;
    assert_eq!(typical["fits"], serde_json::json!(true), "{typical}");
    assert!(
        typical["label"]
            .as_str()
            .unwrap_or_default()
            .contains("distance"),
        "{typical}"
    );
    browser.close().await;
}

/// A column header sorts the list in place; "Sort by" and "Order" follow, so the next
/// keystroke in the search keeps the header's order.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn a_header_sort_keeps_the_sort_controls_in_step() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/genres"))
        .await
        .expect("open genres");
    browser.mark_page().await;
    browser
        .client
        .find(Locator::Css("#genre-sort"))
        .await
        .expect("sort select")
        .select_by_value("energy")
        .await
        .expect("sort by energy");
    browser
        .wait_for_url("sorted by energy", |url| {
            url.as_str().contains("sort=energy")
        })
        .await;
    browser
        .client
        .find(Locator::Css("#genre-list thead a[href*='sort=valence']"))
        .await
        .expect("valence header")
        .click()
        .await
        .expect("sort by valence");
    browser
        .wait_for_url("sorted by valence", |url| {
            url.as_str().contains("sort=valence")
        })
        .await;
    browser
        .wait_for_js("document.getElementById('genre-sort').value === 'valence'")
        .await;
    // The header that was pressed keeps the keyboard (the list was replaced).
    browser
        .wait_for_js("document.activeElement && document.activeElement.id === 'genre-sort-valence'")
        .await;
    let dir = browser
        .js("return document.getElementById('genre-dir').value;")
        .await;
    assert_eq!(dir, serde_json::json!("desc"));
    browser
        .client
        .find(Locator::Css("#genre-q"))
        .await
        .expect("search field")
        .send_keys("r")
        .await
        .expect("type");
    let url = browser
        .wait_for_url("searched", |url| url.as_str().contains("q=r"))
        .await;
    assert!(
        url.as_str().contains("sort=valence") && !url.as_str().contains("energy"),
        "{url}"
    );
    let caption = browser.text_of("#genre-list").await;
    assert!(caption.contains("valence"), "{caption}");
    browser.assert_no_page_load().await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn sort_and_compare_genres_without_javascript() {
    let server = Server::start().await;
    let browser = Browser::start(Js::Off).await;
    browser
        .open(&server.url("/genres?sort=name&dir=asc"))
        .await
        .expect("open genres");
    let first = browser
        .js("return document.querySelector('#genre-list tbody th a').textContent;")
        .await;
    assert_eq!(first, serde_json::json!("ambient"));
    // The sort form works as a plain GET form.
    let input = browser
        .client
        .find(Locator::Css("#genre-q"))
        .await
        .expect("search field");
    input.send_keys("jaz").await.expect("type");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("submit");
    browser
        .wait_for_url("with q=jaz", |url| url.as_str().contains("q=jaz"))
        .await;
    let list = browser.text_of("#genre-list").await;
    assert!(list.contains("jazz") && !list.contains("rock"), "{list}");

    browser
        .open(&server.url("/genres/compare"))
        .await
        .expect("open compare");
    let one = browser
        .client
        .find(Locator::Css("#compare-genre-1"))
        .await
        .expect("field 1");
    one.send_keys("Jazz").await.expect("type");
    let two = browser
        .client
        .find(Locator::Css("#compare-genre-2"))
        .await
        .expect("field 2");
    two.send_keys("rokc").await.expect("type");
    two.send_keys(&Key::Enter.to_string())
        .await
        .expect("submit");
    browser
        .wait_for_url("compare", |url| url.as_str().contains("genre=rokc"))
        .await;
    // A typo gets "did you mean"; following it compares.
    browser
        .client
        .find(Locator::LinkText("rock"))
        .await
        .expect("did you mean rock")
        .click()
        .await
        .expect("follow");
    browser
        .wait_for_url("compared", |url| url.as_str().contains("genre=rock"))
        .await;
    let title = browser.js("return document.title;").await;
    assert!(
        title
            .as_str()
            .unwrap_or_default()
            .starts_with("Compare jazz, rock"),
        "{title}"
    );
    let table = browser.text_of(".compare-summary").await;
    assert!(table.contains("Top artists"), "{table}");
    browser.screenshot("genres-compare-nojs").await;
    browser.close().await;
}

/// A header pressed right after typing a search (the field loses focus to it, and
/// the form asks again on that `change`) sorts the list: the form's answer had replaced
/// the list a moment later, in the old order, under the header's address.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn a_header_pressed_straight_from_the_search_sorts_the_list() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/genres"))
        .await
        .expect("open genres");
    browser.type_into("#genre-q", "o").await;
    browser
        .wait_for_url("searched", |url| url.as_str().contains("q=o"))
        .await;
    wait_for_status(&browser, "“o”").await;
    browser
        .click("#genre-list thead a[href*='sort=energy']")
        .await;
    browser
        .wait_for_url("sorted by energy", |url| {
            url.as_str().contains("sort=energy")
        })
        .await;
    wait_for_status(&browser, "sorted by energy").await;
    // Wait out any answer still on its way, then read the list as it stays.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let sorted = browser
        .js(
            "return document.querySelector('#genre-list th[aria-sort]') \
             && document.querySelector('#genre-list th[aria-sort] a').id;",
        )
        .await;
    assert_eq!(sorted, serde_json::json!("genre-sort-energy"));
    let status = browser.text_of("#genre-list [role=status]").await;
    assert!(status.contains("sorted by energy"), "{status}");
    browser.close().await;
}

/// The status line above the list, once it says `text`.
async fn wait_for_status(browser: &Browser, text: &str) {
    browser
        .wait_for_js(&format!(
            "document.querySelector('#genre-list [role=status]') && \
             document.querySelector('#genre-list [role=status]').textContent.indexOf({text:?}) >= 0"
        ))
        .await;
}

/// Every choice in "Sort by" and "Order" re-sorts the list, not only the first: each
/// answer replaces the selects (out of band), and the form listened to the selects of
/// the page's load.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn every_sort_choice_re_sorts_the_list() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/genres"))
        .await
        .expect("open genres");
    browser.mark_page().await;
    for (select, value, status) in [
        ("#genre-sort", "energy", "sorted by energy, highest first"),
        ("#genre-sort", "tempo", "sorted by tempo, highest first"),
        ("#genre-dir", "asc", "sorted by tempo, lowest first"),
        ("#genre-sort", "name", "sorted A to Z"),
        // A new key starts in its own order, not the last one's "Ascending".
        ("#genre-sort", "energy", "sorted by energy, highest first"),
    ] {
        browser
            .client
            .find(Locator::Css(select))
            .await
            .expect("select")
            .select_by_value(value)
            .await
            .expect("choose");
        wait_for_status(&browser, status).await;
    }
    browser.assert_no_page_load().await;
    browser.close().await;
}

/// Typing a search replaces the address (Back leaves the page instead of walking back
/// through "r", "ro", "roc"), and the title names the search.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn typing_a_genre_search_replaces_the_address_and_names_it_in_the_title() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/genres"))
        .await
        .expect("open genres");
    let before = browser.js("return history.length;").await;
    let input = browser
        .client
        .find(Locator::Css("#genre-q"))
        .await
        .expect("search field");
    for (key, typed) in [("r", "“r”"), ("o", "“ro”"), ("c", "“roc”")] {
        input.send_keys(key).await.expect("type");
        wait_for_status(&browser, typed).await;
    }
    browser
        .wait_for_url("with q=roc", |url| url.as_str().contains("q=roc"))
        .await;
    browser
        .wait_for_js("document.title === 'Genres matching “roc” · Spotify Insights Hub'")
        .await;
    assert_eq!(browser.js("return history.length;").await, before);
    browser.close().await;
}
