//! Sign up, log out and log in, as a person does it, with and without JavaScript.

use std::time::Duration;

use fantoccini::{key::Key, Locator};

use crate::harness::{Browser, Js, Server};

const PASSWORD: &str = "a quiet night in june";

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no field {css}: {e}"));
    field.clear().await.expect("clear field");
    field.send_keys(text).await.expect("type");
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Signs up through the form and waits until the navigation shows the new user.
pub async fn sign_up(browser: &Browser, server: &Server, username: &str) {
    browser
        .open(&server.url("/signup"))
        .await
        .expect("open sign-up");
    fill(browser, "#signup-username", username).await;
    fill(browser, "#signup-password", PASSWORD).await;
    fill(browser, "#signup-password_confirmation", PASSWORD).await;
    click(browser, "#signup-form button[type=submit]").await;
    wait_for_nav_text(browser, username).await;
}

async fn wait_for_nav_text(browser: &Browser, text: &str) {
    // Generous: hashing the password (argon2, 19 MiB) takes seconds on a busy 2-core
    // machine, and one sign-up in a shared CI run once took longer than 10 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let nav = browser.client.find(Locator::Css("#nav-account")).await.ok();
        if let Some(nav) = nav {
            if nav.text().await.unwrap_or_default().contains(text) {
                return;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "navigation never showed {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_up_log_out_log_in(js: Js) {
    let server = Server::start().await;
    let browser = Browser::start(js).await;
    let name = match js {
        Js::On => "ada_js",
        Js::Off => "ada_nojs",
    };
    sign_up(&browser, &server, name).await;
    // Where it lands says that it worked, with JavaScript (htmx's redirect) as without.
    let notice = browser.text_of("main p.notice").await;
    assert!(
        notice.contains("Your account is ready, and you are logged in."),
        "{notice}"
    );

    click(&browser, "#nav-account form[action='/logout'] button").await;
    wait_for_nav_text(&browser, "Log in").await;

    // A wrong password is refused beside the form, and the form keeps the username.
    browser
        .open(&server.url("/login"))
        .await
        .expect("open log-in");
    fill(&browser, "#login-username", name).await;
    fill(&browser, "#login-password", "not the password at all").await;
    click(&browser, "#login-form button[type=submit]").await;
    let alert = browser.text_of("#login-form .form-error").await;
    assert!(alert.contains("Wrong username or password"), "{alert}");
    // The title says so first, with JavaScript (the swapped form carries it) as without.
    browser
        .wait_for_js("document.title.indexOf('Error: Log in') === 0")
        .await;

    fill(&browser, "#login-password", PASSWORD).await;
    click(&browser, "#login-form button[type=submit]").await;
    wait_for_nav_text(&browser, name).await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn sign_up_log_out_and_log_in_with_javascript() {
    sign_up_log_out_log_in(Js::On).await;
}

#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn sign_up_log_out_and_log_in_without_javascript() {
    sign_up_log_out_log_in(Js::Off).await;
}

/// "Log in" in the header brings back the page on screen, not the one the browser
/// loaded: a comparison switched to its radar by htmx (a new address, no page load)
/// came back as the bars.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn log_in_comes_back_to_the_address_htmx_left() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    sign_up(&browser, &server, "returner").await;
    click(&browser, "#nav-account form[action='/logout'] button").await;
    wait_for_nav_text(&browser, "Log in").await;
    browser
        .open(&server.url("/artists/compare?artist=dj+tyshaa&artist=lea+abernethy"))
        .await
        .expect("open comparison");
    browser.mark_page().await;
    click(&browser, "a[href*='view=radar']").await;
    browser
        .wait_for_url("the radar's address", |url| {
            url.as_str().contains("view=radar")
        })
        .await;
    browser.assert_no_page_load().await;
    click(&browser, "#nav-account a[href^='/login']").await;
    fill(&browser, "#login-username", "returner").await;
    fill(&browser, "#login-password", PASSWORD).await;
    click(&browser, "#login-form button[type=submit]").await;
    wait_for_nav_text(&browser, "returner").await;
    let url = browser
        .wait_for_url("back on the comparison", |url| {
            url.path() == "/artists/compare"
        })
        .await;
    assert!(url.as_str().contains("view=radar"), "{url}");
    browser.close().await;
}

/// Waits until the focused element matches `css`.
async fn wait_for_focus(browser: &Browser, css: &str) {
    browser
        .wait_for_js(&format!(
            "document.activeElement && document.activeElement.matches({css:?})"
        ))
        .await;
}

/// After htmx swaps a form back, the keyboard is on its first field with a message,
/// or on the message about the whole form, not sent back to the top of the page.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn after_a_swapped_form_the_keyboard_is_on_what_it_says() {
    let server = Server::start().await;
    let browser = Browser::start(Js::On).await;
    browser
        .open(&server.url("/signup"))
        .await
        .expect("open sign-up");
    browser.mark_page().await;
    fill(&browser, "#signup-username", "focus_js").await;
    fill(&browser, "#signup-password", "short").await;
    fill(&browser, "#signup-password_confirmation", "short").await;
    click(&browser, "#signup-form button[type=submit]").await;
    wait_for_focus(&browser, "#signup-password[aria-invalid=true]").await;
    browser.assert_no_page_load().await;
    // Enter in the last field sends the form too. htmx gives focus back to that field,
    // which is not where the problem is: the keyboard goes to the first one all the same.
    browser
        .open(&server.url("/signup"))
        .await
        .expect("open sign-up again");
    browser.mark_page().await;
    fill(&browser, "#signup-username", "ab").await;
    fill(&browser, "#signup-password", "short").await;
    fill(&browser, "#signup-password_confirmation", "short").await;
    let last = browser
        .client
        .find(Locator::Css("#signup-password_confirmation"))
        .await
        .expect("the last field");
    last.send_keys(&Key::Enter.to_string())
        .await
        .expect("Enter");
    wait_for_focus(&browser, "#signup-username[aria-invalid=true]").await;
    browser.assert_no_page_load().await;

    sign_up(&browser, &server, "focus_js").await;
    browser
        .open(&server.url("/account"))
        .await
        .expect("open account");
    fill(
        &browser,
        "#account-password-current_password",
        "not my password",
    )
    .await;
    fill(
        &browser,
        "#account-password-password",
        "a brand new passphrase",
    )
    .await;
    fill(
        &browser,
        "#account-password-password_confirmation",
        "a brand new passphrase",
    )
    .await;
    click(&browser, "#account-password-form button[type=submit]").await;
    wait_for_focus(
        &browser,
        "#account-password-form [aria-invalid=true], #account-password-form .form-error",
    )
    .await;
    // The delete form answers next: the password form's message goes (out of band),
    // as the page without scripts never shows both.
    fill(&browser, "#account-delete-password", "not my password").await;
    click(&browser, "#account-delete-form button[type=submit]").await;
    wait_for_focus(
        &browser,
        "#account-delete-form [aria-invalid=true], #account-delete-form .form-error",
    )
    .await;
    browser
        .wait_for_js("!document.querySelector('#account-password-form .field-error, #account-password-form .form-error, #account-password-form [aria-invalid]')")
        .await;
    fill(&browser, "#account-password-current_password", PASSWORD).await;
    fill(
        &browser,
        "#account-password-password",
        "a brand new passphrase",
    )
    .await;
    fill(
        &browser,
        "#account-password-password_confirmation",
        "a brand new passphrase",
    )
    .await;
    click(&browser, "#account-password-form button[type=submit]").await;
    wait_for_focus(&browser, "#account-password-form .notice").await;

    click(&browser, "#nav-account form[action='/logout'] button").await;
    wait_for_nav_text(&browser, "Log in").await;
    browser
        .open(&server.url("/login"))
        .await
        .expect("open log-in");
    fill(&browser, "#login-username", "focus_js").await;
    fill(&browser, "#login-password", "not the password at all").await;
    click(&browser, "#login-form button[type=submit]").await;
    wait_for_focus(&browser, "#login-form .form-error").await;
    browser.close().await;
}

/// The API tokens page on a phone: no sideways scrolling of the page, every Revoke
/// button on screen, a 60-character name (the most allowed) wrapped. In light and dark,
/// with screenshots for people to look at.
#[tokio::test]
#[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
async fn the_api_tokens_page_fits_a_phone() {
    use crate::harness::Scheme;
    let server = Server::start().await;
    for (scheme, suffix) in [(Scheme::Light, "light"), (Scheme::Dark, "dark")] {
        let browser = Browser::start_in(Js::On, scheme).await;
        sign_up(&browser, &server, &format!("tokens_{suffix}")).await;
        for name in ["playlist script", &"n".repeat(60)] {
            browser
                .open(&server.url("/account/api-tokens"))
                .await
                .expect("open tokens");
            fill(&browser, "#token-name", name).await;
            click(&browser, "#token-form button[type=submit]").await;
            browser
                .wait_for_js("document.getElementById('new-token')")
                .await;
        }
        browser
            .open(&server.url("/account/api-tokens"))
            .await
            .expect("open tokens");
        browser.set_viewport(360, 900).await;
        browser.after_frames().await;
        let layout = browser
            .js("var buttons = Array.prototype.map.call(\
                   document.querySelectorAll('.token-table button'), \
                   function (b) { return Math.round(b.getBoundingClientRect().right); }); \
                 return { page: document.documentElement.scrollWidth, buttons: buttons };")
            .await;
        assert!(
            layout["page"].as_u64().unwrap_or(u64::MAX) <= 360,
            "{suffix}: {layout}"
        );
        let buttons = layout["buttons"].as_array().cloned().unwrap_or_default();
        assert_eq!(buttons.len(), 2, "{suffix}: {layout}");
        assert!(
            buttons
                .iter()
                .all(|r| r.as_u64().unwrap_or(u64::MAX) <= 360),
            "{suffix}: {layout}"
        );
        browser
            .js("document.querySelector('.token-table').scrollIntoView(); return true;")
            .await;
        browser
            .screenshot(&format!("api-tokens-360-{suffix}"))
            .await;
        // Revoking is a second step: "Revoke" opens it, "Yes, revoke" (on screen, on
        // the phone too) does it.
        click(&browser, ".token-table .confirm-step summary").await;
        let yes = browser
            .js("var b = document.querySelector('.token-table .confirm-step[open] button.danger'); \
                 var r = b.getBoundingClientRect(); \
                 return { right: Math.round(r.right), width: Math.round(r.width) };")
            .await;
        assert!(
            yes["width"].as_u64().unwrap_or(0) > 0
                && yes["right"].as_u64().unwrap_or(u64::MAX) <= 360,
            "{suffix}: {yes}"
        );
        browser
            .screenshot(&format!("api-tokens-360-{suffix}-revoking"))
            .await;
        click(&browser, ".token-table .confirm-step[open] button.danger").await;
        browser
            .wait_for_js("document.querySelector('.token-table') && document.querySelector('.token-table').textContent.indexOf('Revoked') >= 0")
            .await;
        browser.close().await;
    }
}
