//! Accounts, sessions, CSRF and security headers through the real router (issue 4).

mod common;

use common::{
    auth::{app_with, user_id, Browser, Page, CSRF_COOKIE, GOOD_PASSWORD, SESSION_COOKIE},
    demo::demo_app,
    empty_app, TestApp,
};
use diesel::prelude::*;
use insights_hub::db::{
    now_unix,
    schema::{api_tokens, sessions, taste_profiles, users},
};
use insights_hub::web::auth::session_store::stored_id;
use poem::http::{Method, StatusCode};

// ---------------------------------------------------------------- helpers

fn user_count(app: &TestApp) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    users::table.count().get_result(&mut conn).unwrap()
}

/// Whether a session row exists and is live (ended sessions stay a while as
/// tombstones with `expires_at` in the past).
fn session_live(app: &TestApp, id: &str) -> bool {
    let mut conn = app.state.pool.get().unwrap();
    sessions::table
        .find(stored_id(id))
        .filter(sessions::expires_at.gt(now_unix()))
        .count()
        .get_result::<i64>(&mut conn)
        .unwrap()
        > 0
}

fn session_row_exists(app: &TestApp, id: &str) -> bool {
    let mut conn = app.state.pool.get().unwrap();
    sessions::table
        .find(stored_id(id))
        .count()
        .get_result::<i64>(&mut conn)
        .unwrap()
        > 0
}

fn sessions_of(app: &TestApp, user: i32) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    sessions::table
        .filter(sessions::user_id.eq(user))
        .filter(sessions::expires_at.gt(now_unix()))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

/// Whether the browser is logged in, judged by what the account page does.
async fn logged_in(app: &TestApp, browser: &mut Browser) -> bool {
    let page = browser.get(&app.client, "/account").await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(page.location().unwrap().starts_with("/login"), "{page:?}");
            false
        }
        other => panic!("unexpected status {other}: {}", page.body),
    }
}

fn assert_redirect(page: &Page, to: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some(to));
}

fn assert_invalid(page: &Page, message: &str) {
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains(message),
        "{message:?} not in:\n{}",
        page.body
    );
    // A page sent back with problems says so first, in its title (a screen reader
    // starts there after the page loads); the fragment htmx swaps in carries it too.
    assert!(page.body.contains("<title>Error: "), "{}", page.body);
}

// ---------------------------------------------------------------- sign up

#[tokio::test]
async fn sign_up_creates_the_user_logs_in_and_hashes_with_argon2id() {
    let app = empty_app();
    let mut browser = Browser::new();
    let form = browser.get(&app.client, "/signup").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="csrf_token""#));
    assert!(form.body.contains(r#"hx-post="/signup""#));

    let done = browser
        .sign_up(&app.client, "Ada.Lovelace", GOOD_PASSWORD)
        .await;
    assert_redirect(&done, "/");
    let cookie = done
        .raw_set_cookie(SESSION_COOKIE)
        .expect("session cookie set");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    // Tests run with secure_cookies off (plain HTTP); see the Secure test below.
    assert!(!cookie.contains("Secure"), "{cookie}");

    let home = browser.get(&app.client, "/").await;
    assert!(home.body.contains("Ada.Lovelace"), "the nav shows the user");
    assert!(home.body.contains(r#"action="/logout""#));

    let mut conn = app.state.pool.get().unwrap();
    let (name, key, hash): (String, String, String) = users::table
        .select((users::username, users::username_key, users::password_hash))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (name.as_str(), key.as_str()),
        ("Ada.Lovelace", "ada.lovelace")
    );
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(GOOD_PASSWORD));
}

/// A password with accents opens the account however the keyboard encoded them:
/// composed at sign-up ("é" as one character), decomposed at log-in ("e" and a
/// combining accent, as some systems send it). It had said "Wrong username or password".
#[tokio::test]
async fn a_password_logs_in_however_its_accents_are_encoded() {
    let app = empty_app();
    let composed = "caf\u{e9} na\u{ef}ve r\u{e9}sum\u{e9} 42";
    let decomposed = "cafe\u{301} nai\u{308}ve re\u{301}sume\u{301} 42";
    let mut browser = Browser::new();
    let page = browser.sign_up(&app.client, "accents", composed).await;
    assert_redirect(&page, "/");
    browser.log_out(&app.client).await;
    assert!(!logged_in(&app, &mut browser).await);
    let page = browser.log_in(&app.client, "accents", decomposed).await;
    assert_redirect(&page, "/");
    assert!(logged_in(&app, &mut browser).await);
}

/// A username typed with a NUL (or another control character) is no one's, on both
/// backends alike: PostgreSQL, which refuses NUL in any text, had answered 500.
#[tokio::test]
async fn a_control_character_in_a_log_in_name_is_wrong_credentials() {
    let app = empty_app();
    Browser::new()
        .sign_up(&app.client, "alice", GOOD_PASSWORD)
        .await;
    for name in ["al\u{0}ice", "alice\u{0}", "al\u{7}ice"] {
        let page = Browser::new()
            .log_in(&app.client, name, GOOD_PASSWORD)
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}: {}",
            page.body
        );
        assert!(
            page.body.contains("Wrong username or password"),
            "{}",
            page.body
        );
    }
}

/// A server told it is reached over HTTPS (`--secure-cookies always`) asks browsers to
/// keep to HTTPS (`Strict-Transport-Security`), on pages, the API and errors alike; one
/// that is not says nothing of it.
#[tokio::test]
async fn https_servers_send_strict_transport_security() {
    let app = app_with(|config| {
        config.secure_cookies = true;
        config.reached_over_https = true;
    });
    for path in [
        "/",
        "/login",
        "/no-such-page",
        "/api/v1/catalog",
        "/healthz",
    ] {
        let page = Browser::new().get(&app.client, path).await;
        assert_eq!(
            page.header("strict-transport-security"),
            Some("max-age=15552000"),
            "{path}"
        );
    }
    let plain = empty_app();
    let page = Browser::new().get(&plain.client, "/").await;
    assert_eq!(page.header("strict-transport-security"), None);
}

#[tokio::test]
async fn cookies_are_secure_when_configured() {
    let app = app_with(|config| config.secure_cookies = true);
    let mut browser = Browser::new();
    let page = browser.get(&app.client, "/signup").await;
    // Named `__Host-` (a sibling subdomain cannot plant such a cookie), with what the
    // prefix requires: Secure, Path=/, no Domain.
    let csrf = page
        .raw_set_cookie(&format!("__Host-{CSRF_COOKIE}"))
        .expect("csrf cookie");
    assert!(page.raw_set_cookie(CSRF_COOKIE).is_none());
    let done = browser.sign_up(&app.client, "secure", GOOD_PASSWORD).await;
    let session = done
        .raw_set_cookie(&format!("__Host-{SESSION_COOKIE}"))
        .expect("session cookie");
    for cookie in [&csrf, &session] {
        for attribute in ["Secure", "HttpOnly", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute}: {cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
    // The session works under its name, and log-out removes it as the prefix requires.
    let account = browser.get(&app.client, "/account").await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    let out = browser.log_out(&app.client).await;
    let removal = out
        .raw_set_cookie(&format!("__Host-{SESSION_COOKIE}"))
        .expect("the cookie removed");
    assert!(
        removal.contains("Path=/") && removal.contains("Secure"),
        "{removal}"
    );
    // A live session's id under the plain name (what a sibling subdomain could set)
    // is no session here.
    let mut other = Browser::new();
    let signed_up = other.sign_up(&app.client, "other", GOOD_PASSWORD).await;
    let pair = signed_up
        .raw_set_cookie(&format!("__Host-{SESSION_COOKIE}"))
        .expect("session cookie");
    let id = pair
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map(|(_, v)| v.to_string())
        .expect("a value");
    let mut planted = Browser::new();
    planted
        .headers
        .push(("Cookie".into(), format!("{SESSION_COOKIE}={id}")));
    let page = planted.get(&app.client, "/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mut genuine = Browser::new();
    genuine
        .headers
        .push(("Cookie".into(), format!("__Host-{SESSION_COOKIE}={id}")));
    assert_eq!(
        genuine.get(&app.client, "/account").await.status,
        StatusCode::OK
    );
    // A plain cookie left from before the `__Host-` names is no session: the log-in
    // page does not say a session ended (it had, after every log-out, for two weeks),
    // and the answer removes it.
    let login = planted.get(&app.client, "/login").await;
    assert!(
        !login.body.contains("Your session has ended"),
        "{}",
        login.body
    );
    let removal = login
        .raw_set_cookie(SESSION_COOKIE)
        .expect("the plain cookie removed");
    assert!(
        removal.contains("Max-Age=0") && removal.contains("Path=/") && removal.contains("Secure"),
        "{removal}"
    );
    // The prefixed cookie of an ended session still says so.
    let mut ended = Browser::new();
    ended
        .headers
        .push(("Cookie".into(), format!("__Host-{SESSION_COOKIE}=gone")));
    let login = ended.get(&app.client, "/login").await;
    assert!(
        login.body.contains("Your session has ended"),
        "{}",
        login.body
    );
    assert!(login.raw_set_cookie(SESSION_COOKIE).is_none());
}

/// A sign-up form sent from a tab opened before logging in creates nothing and says
/// who is logged in (409), rather than quietly switching this browser to a new account.
#[tokio::test]
async fn signing_up_while_logged_in_creates_nothing_and_says_who_is_logged_in() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "first", GOOD_PASSWORD).await;
    let token = browser.get(&app.client, "/account").await.csrf_token();
    let page = browser
        .post_raw(
            &app.client,
            "/signup",
            &[
                ("csrf_token", token.as_str()),
                ("username", "second"),
                ("password", GOOD_PASSWORD),
                ("password_confirmation", GOOD_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.body
            .contains("You are logged in as first. Log out first to create another account."),
        "{}",
        page.body
    );
    assert_eq!(user_count(&app), 1);
    let account = browser.get(&app.client, "/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("first"), "{}", account.body);
}

#[tokio::test]
async fn duplicate_names_are_refused_in_any_case() {
    let app = empty_app();
    assert_redirect(
        &Browser::new()
            .sign_up(&app.client, "Grace", GOOD_PASSWORD)
            .await,
        "/",
    );
    for name in ["Grace", "grace", "GRACE", " gRaCe "] {
        let page = Browser::new()
            .sign_up(&app.client, name, GOOD_PASSWORD)
            .await;
        assert_invalid(&page, "That username is taken");
        // The message sits beside the username field, and the name is kept.
        assert!(
            page.body.contains(r#"id="signup-username-error""#),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!(r#"value="{}""#, name.trim())));
    }
    assert_eq!(user_count(&app), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_sign_ups_for_one_name_give_one_account_and_one_taken_message() {
    let app = empty_app();
    let (mut first, mut second) = (Browser::new(), Browser::new());
    // Load both forms first, then submit both at once: both pass the "is it taken"
    // look-up before either insert, so the unique index has to decide.
    let token_a = first.get(&app.client, "/signup").await.csrf_token();
    let token_b = second.get(&app.client, "/signup").await.csrf_token();
    let fields = |token| {
        [
            ("csrf_token", token),
            ("username", "racer"),
            ("password", GOOD_PASSWORD),
            ("password_confirmation", GOOD_PASSWORD),
        ]
    };
    let (fields_a, fields_b) = (fields(token_a.as_str()), fields(token_b.as_str()));
    let (a, b) = tokio::join!(
        first.post_raw(&app.client, "/signup", &fields_a),
        second.post_raw(&app.client, "/signup", &fields_b),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    let loser = if a.status == StatusCode::SEE_OTHER {
        &b
    } else {
        &a
    };
    assert!(loser.body.contains("That username is taken"));
    assert_eq!(user_count(&app), 1);
}

#[tokio::test]
async fn weak_common_and_mismatched_passwords_and_bad_names_are_refused() {
    let app = empty_app();
    let cases: [(&str, &str, &str, &str); 9] = [
        ("ada", "short", "short", "at least 12 characters"),
        (
            "ada",
            "eleven char",
            "eleven char",
            "at least 12 characters",
        ),
        ("ada", "qwerty123456", "qwerty123456", "most common"),
        ("ada", "1Q2W3E4R5T6Y", "1Q2W3E4R5T6Y", "most common"),
        (
            "ada",
            "my name is ADA lovelace",
            "my name is ADA lovelace",
            "cannot contain your username",
        ),
        (
            "ada",
            &"x".repeat(257),
            &"x".repeat(257),
            "at most 256 characters",
        ),
        (
            "ada",
            GOOD_PASSWORD,
            "something else entirely",
            "not the same",
        ),
        (
            "a b",
            GOOD_PASSWORD,
            GOOD_PASSWORD,
            "letters A–Z in either case, digits",
        ),
        ("ab", GOOD_PASSWORD, GOOD_PASSWORD, "at least 3 characters"),
    ];
    for (name, password, confirmation, message) in cases {
        let page = Browser::new()
            .submit(
                &app.client,
                "/signup",
                "/signup",
                &[
                    ("username", name),
                    ("password", password),
                    ("password_confirmation", confirmation),
                ],
            )
            .await;
        assert_invalid(&page, message);
        assert!(
            page.body.contains("<!DOCTYPE html>"),
            "a full page without htmx"
        );
        assert!(
            !page.body.contains(password) || password == GOOD_PASSWORD || password.len() > 100,
            "passwords are never echoed back"
        );
    }
    assert_eq!(user_count(&app), 0);
}

#[tokio::test]
async fn htmx_sign_up_swaps_the_form_and_redirects_with_hx_redirect() {
    let app = empty_app();
    let mut browser = Browser::htmx();
    let invalid = browser
        .submit(
            &app.client,
            "/signup",
            "/signup",
            &[
                ("username", "htmx"),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_invalid(&invalid, "at least 12 characters");
    assert!(
        invalid.body.starts_with(
            r#"<title>Error: Sign up · Spotify Insights Hub</title><form id="signup-form""#
        ),
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains(r#"hx-target="this""#));
    assert!(!invalid.body.contains("<html"));
    // The sign-up half of the log-in page keeps that page's title.
    let mut on_login = Browser::htmx();
    on_login.headers.push((
        "HX-Current-URL".into(),
        "http://localhost/login?next=/genres".into(),
    ));
    let refused = on_login
        .submit(
            &app.client,
            "/login",
            "/signup",
            &[
                ("username", "htmx"),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_invalid(&refused, "at least 12 characters");
    assert!(
        refused
            .body
            .starts_with("<title>Error: Log in · Spotify Insights Hub</title>"),
        "{}",
        refused.body
    );

    let done = browser.sign_up(&app.client, "htmx", GOOD_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.header("hx-redirect"), Some("/"));
    assert!(browser.session_id().is_some());
}

/// The element app.js gives the keyboard after htmx swaps a form back (`data-refocus`),
/// as the tag that carries the mark: exactly one per answer.
fn refocused(body: &str) -> String {
    assert_eq!(body.matches("data-refocus").count(), 1, "{body}");
    let (before, after) = body.split_once("data-refocus").expect("the mark");
    let start = before.rfind('<').expect("its tag");
    let end = after.find('>').expect("its end");
    format!("{}data-refocus{}", &before[start..], &after[..=end])
}

/// After a form's swap the submit button that had focus is gone: the answer names
/// where the keyboard goes instead, the first field with a message or the message
/// about the whole form.
#[tokio::test]
async fn swapped_auth_forms_name_where_the_keyboard_goes() {
    let app = empty_app();
    let mut browser = Browser::htmx();
    let invalid = browser
        .submit(
            &app.client,
            "/signup",
            "/signup",
            &[
                ("username", "ok_name"),
                ("password", "short"),
                ("password_confirmation", "other"),
            ],
        )
        .await;
    assert_invalid(&invalid, "at least 12 characters");
    let mark = refocused(&invalid.body);
    assert!(mark.starts_with(r#"<input id="signup-password""#), "{mark}");
    // Two passwords that differ: the message is beside the repeat, but both come back
    // empty, so the keyboard goes to the first of them (it had gone to the repeat, and
    // Enter then met the browser's "Please fill out this field" above it).
    let differ = browser
        .submit(
            &app.client,
            "/signup",
            "/signup",
            &[
                ("username", "ok_name"),
                ("password", GOOD_PASSWORD),
                ("password_confirmation", "correct horse battery staple 8"),
            ],
        )
        .await;
    assert_invalid(&differ, "not the same");
    let mark = refocused(&differ.body);
    assert!(mark.starts_with(r#"<input id="signup-password""#), "{mark}");
    // That field reads out the message it does not carry, first: the keyboard lands
    // there, and a screen reader had said only its hint.
    assert!(
        mark.contains(
            r#"aria-describedby="signup-password_confirmation-error signup-password-hint""#
        ),
        "{mark}"
    );
    assert!(differ
        .body
        .contains(r#"id="signup-password_confirmation-error""#));

    Browser::new()
        .sign_up(&app.client, "focus_me", GOOD_PASSWORD)
        .await;
    let wrong = browser
        .log_in(&app.client, "focus_me", "not the password at all")
        .await;
    let mark = refocused(&wrong.body);
    assert!(
        mark.starts_with(r#"<p class="form-error" role="alert" tabindex="-1""#),
        "{mark}"
    );

    browser.log_in(&app.client, "focus_me", GOOD_PASSWORD).await;
    let fields = |current: &'static str| {
        [
            ("current_password", current),
            ("password", "a brand new passphrase"),
            ("password_confirmation", "a brand new passphrase"),
        ]
    };
    let refused = browser
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &fields("wrong one"),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    // Its title says so first, as the page without JavaScript does.
    assert!(
        refused.body.contains("<title>Error: Your account"),
        "{}",
        refused.body
    );
    let mark = refocused(&refused.body);
    assert!(mark.contains("data-refocus"), "{mark}");
    assert!(
        mark.starts_with("<input") || mark.starts_with("<p class=\"form-error\""),
        "{mark}"
    );
    let changed = browser
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &fields(GOOD_PASSWORD),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(
        changed.body.contains("<title>Your account"),
        "{}",
        changed.body
    );
    let mark = refocused(&changed.body);
    assert!(
        mark.starts_with(r#"<p class="notice" role="status" tabindex="-1""#),
        "{mark}"
    );
}

// ---------------------------------------------------------------- log in and out

#[tokio::test]
async fn log_in_and_log_out_and_the_old_cookie_is_refused() {
    let app = empty_app();
    Browser::new()
        .sign_up(&app.client, "linus", GOOD_PASSWORD)
        .await;

    let mut browser = Browser::new();
    assert!(!logged_in(&app, &mut browser).await);
    let done = browser.log_in(&app.client, "LINUS", GOOD_PASSWORD).await;
    assert_redirect(&done, "/");
    assert!(logged_in(&app, &mut browser).await);
    let old_cookie = browser.session_id().unwrap();
    assert!(session_live(&app, &old_cookie));

    let out = browser.log_out(&app.client).await;
    assert_redirect(&out, "/?account=logged-out");
    assert!(browser.session_id().is_none(), "the cookie is cleared");
    assert!(!session_live(&app, &old_cookie), "the session is over");
    // Logged out on purpose: the log-in page does not say the session ended, nor to
    // a visitor who never had one.
    for visitor in [&mut browser, &mut Browser::new()] {
        let login = visitor.get(&app.client, "/login").await;
        assert!(
            !login.body.contains("Your session has ended"),
            "{}",
            login.body
        );
    }

    // Someone who kept a copy of the cookie gets nothing from it.
    let mut thief = Browser::new();
    thief.cookies.insert(SESSION_COOKIE.into(), old_cookie);
    assert!(!logged_in(&app, &mut thief).await);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let app = empty_app();
    Browser::new()
        .sign_up(&app.client, "known", GOOD_PASSWORD)
        .await;
    let wrong = Browser::new()
        .log_in(&app.client, "known", "not the password")
        .await;
    let unknown = Browser::new()
        .log_in(&app.client, "nobody", "not the password")
        .await;
    for page in [&wrong, &unknown] {
        assert_invalid(page, "Wrong username or password.");
        assert!(page.raw_set_cookie(SESSION_COOKIE).is_none());
    }
    // The same page apart from the echoed username.
    assert_eq!(
        wrong.body.replace("known", "NAME").len(),
        unknown.body.replace("nobody", "NAME").len()
    );
}

#[tokio::test]
async fn the_session_id_is_renewed_at_log_in() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "fixation", GOOD_PASSWORD)
        .await;
    let before = browser.session_id().unwrap();

    // Logging in again (as a planted session would be) must not keep the old id. The
    // log-in page redirects logged-in users, so the token comes from the home page.
    let done = browser
        .submit(
            &app.client,
            "/",
            "/login",
            &[("username", "fixation"), ("password", GOOD_PASSWORD)],
        )
        .await;
    assert_redirect(&done, "/");
    let after = browser.session_id().unwrap();
    assert_ne!(before, after);
    assert!(!session_live(&app, &before));
    assert!(session_live(&app, &after));

    let mut planted = Browser::new();
    planted.cookies.insert(SESSION_COOKIE.into(), before);
    assert!(!logged_in(&app, &mut planted).await);
}

#[tokio::test]
async fn htmx_log_in_redirects_with_hx_redirect_and_errors_swap_in_place() {
    let app = empty_app();
    Browser::new()
        .sign_up(&app.client, "htmxer", GOOD_PASSWORD)
        .await;
    let mut browser = Browser::htmx();
    let wrong = browser
        .log_in(&app.client, "htmxer", "wrong password!")
        .await;
    assert_invalid(&wrong, "Wrong username or password.");
    assert!(
        wrong.body.starts_with(
            r#"<title>Error: Log in · Spotify Insights Hub</title><form id="login-form""#
        ),
        "{}",
        wrong.body
    );

    let page = browser.get(&app.client, "/login?next=/account").await;
    let token = page.csrf_token();
    let done = browser
        .post_raw(
            &app.client,
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "htmxer"),
                ("password", GOOD_PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.header("hx-redirect"), Some("/account"));
    assert!(browser.session_id().is_some());
}

// ---------------------------------------------------------------- sessions

#[tokio::test]
async fn sessions_survive_a_restart() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "durable", GOOD_PASSWORD).await;

    // A new server process over the same database and data directory.
    let restarted = insights_hub::AppState::open((*app.state.config).clone()).unwrap();
    let client = TestApp::client_for(&restarted);
    let page = browser.get(&client, "/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("durable"));
    // And the CSRF key is the same, so a form from before the restart still posts.
    let out = browser.log_out(&client).await;
    assert_redirect(&out, "/?account=logged-out");
}

#[tokio::test]
async fn sessions_past_their_expiry_are_not_loaded_and_get_swept() {
    let app = empty_app();
    {
        // A long-expired session from an earlier run.
        let mut conn = app.state.pool.get().unwrap();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(stored_id("stale")),
                sessions::data.eq("{}"),
                sessions::expires_at.eq(now_unix() - 3600),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "expiring", GOOD_PASSWORD)
        .await;
    assert!(
        !session_row_exists(&app, "stale"),
        "saving a session sweeps long-dead rows"
    );
    assert!(logged_in(&app, &mut browser).await);

    let id = stored_id(&browser.session_id().unwrap());
    {
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(sessions::table.find(&id))
            .set(sessions::expires_at.eq(now_unix() - 1))
            .execute(&mut conn)
            .unwrap();
    }
    // Written behind the session store's back: tell its cache, as writers must.
    insights_hub::db::sessions::forget_cached();
    assert!(!logged_in(&app, &mut browser).await);
}

/// The database keeps a hash of each session's id, as of each API token: a copy of it
/// (a backup, a file other local users can read) holds no id that logs anyone in.
#[tokio::test]
async fn the_database_holds_no_session_id_that_logs_in() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "hashed", GOOD_PASSWORD).await;
    let id = browser.session_id().unwrap();
    let stored: Vec<String> = {
        let mut conn = app.state.pool.get().unwrap();
        sessions::table
            .select(sessions::id)
            .load(&mut conn)
            .unwrap()
    };
    assert!(!stored.contains(&id), "{stored:?}");
    assert!(stored.contains(&stored_id(&id)));
    // Sent as a cookie, a stored key is no session.
    let mut thief = Browser::new();
    for key in &stored {
        thief
            .cookies
            .insert(SESSION_COOKIE.to_string(), key.clone());
        assert!(!logged_in(&app, &mut thief).await, "{key}");
    }
    assert!(logged_in(&app, &mut browser).await);
}

#[tokio::test]
async fn an_active_session_is_extended_once_a_day() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "regular", GOOD_PASSWORD).await;
    let id = browser.session_id().unwrap();
    let row = stored_id(&id);
    let expires = |app: &TestApp| -> i64 {
        let mut conn = app.state.pool.get().unwrap();
        sessions::table
            .find(&row)
            .select(sessions::expires_at)
            .first(&mut conn)
            .unwrap()
    };
    let fresh = expires(&app);
    assert!((fresh - (now_unix() + 14 * 86_400)).abs() < 60);

    // A visit soon after changes nothing (no write, no new cookie).
    let page = browser.get(&app.client, "/").await;
    assert!(page.raw_set_cookie(SESSION_COOKIE).is_none());

    // Pretend the last visit was two days ago.
    {
        let mut conn = app.state.pool.get().unwrap();
        let data: String = sessions::table
            .find(&row)
            .select(sessions::data)
            .first(&mut conn)
            .unwrap();
        let mut entries: serde_json::Value = serde_json::from_str(&data).unwrap();
        entries["seen_at"] = (now_unix() - 2 * 86_400).into();
        diesel::update(sessions::table.find(&row))
            .set((
                sessions::data.eq(entries.to_string()),
                sessions::expires_at.eq(now_unix() + 12 * 86_400),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    insights_hub::db::sessions::forget_cached();
    let page = browser.get(&app.client, "/").await;
    let cookie = page
        .raw_set_cookie(SESSION_COOKIE)
        .expect("cookie sent again");
    assert!(
        cookie.starts_with(&format!("{SESSION_COOKIE}={id};")),
        "same id: {cookie}"
    );
    assert!(cookie.contains("Max-Age=1209600"));
    assert!((expires(&app) - (now_unix() + 14 * 86_400)).abs() < 60);
}

// ---------------------------------------------------------------- throttling

/// Fails a log-in for `name` from `address` and checks it was a plain refusal.
async fn wrong_guess(app: &TestApp, name: &str, address: &str) {
    let page = Browser::from_address(address)
        .log_in(&app.client, name, "guess number one")
        .await;
    assert_invalid(&page, "Wrong username or password.");
}

fn assert_throttled(page: &Page) -> u64 {
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(
        page.body.contains("Too many failed attempts"),
        "{}",
        page.body
    );
    let retry: u64 = page.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    retry
}

/// Log-ins sent at the same moment from one address are each counted until their
/// password checks out: those beyond the limit are refused for a moment, told why, and
/// get in when they try again. They had been told "Too many failed attempts … try
/// again in 15 minutes", with Retry-After: 900, though none had failed.
#[tokio::test]
async fn simultaneous_right_log_ins_are_refused_briefly_and_get_in_again() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::new()
        .sign_up(&app.client, "ada", GOOD_PASSWORD)
        .await;
    let mut tabs: Vec<Browser> = (0..8)
        .map(|_| Browser::from_address("198.51.100.7"))
        .collect();
    let [a, b, c, d, e, f, g, h] = &mut tabs[..] else {
        unreachable!("eight tabs")
    };
    let client = &app.client;
    let pages = tokio::join!(
        a.log_in(client, "ada", GOOD_PASSWORD),
        b.log_in(client, "ada", GOOD_PASSWORD),
        c.log_in(client, "ada", GOOD_PASSWORD),
        d.log_in(client, "ada", GOOD_PASSWORD),
        e.log_in(client, "ada", GOOD_PASSWORD),
        f.log_in(client, "ada", GOOD_PASSWORD),
        g.log_in(client, "ada", GOOD_PASSWORD),
        h.log_in(client, "ada", GOOD_PASSWORD),
    );
    let pages = [
        pages.0, pages.1, pages.2, pages.3, pages.4, pages.5, pages.6, pages.7,
    ];
    let refused: Vec<&Page> = pages
        .iter()
        .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    let admitted = pages
        .iter()
        .filter(|p| p.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(
        (admitted, refused.len()),
        (5, 3),
        "five at once per name and address"
    );
    for page in refused {
        assert!(
            page.body.contains(
                "Too many passwords are being checked for your network at once. Try again in 2 seconds."
            ),
            "{}",
            page.body
        );
        assert!(!page.body.contains("failed attempts"), "{}", page.body);
        assert_eq!(page.header("retry-after"), Some("2"));
    }
    let again = Browser::from_address("198.51.100.7")
        .log_in(client, "ada", GOOD_PASSWORD)
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
}

#[tokio::test]
async fn one_address_guessing_one_name_is_stopped_with_retry_after() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::new()
        .sign_up(&app.client, "target", GOOD_PASSWORD)
        .await;
    for _ in 0..5 {
        wrong_guess(&app, "target", "198.51.100.1").await;
    }
    // The sixth try from that address waits, even with the right password.
    let mut guesser = Browser::from_address("198.51.100.1");
    let page = guesser.log_in(&app.client, "TARGET", GOOD_PASSWORD).await;
    assert_throttled(&page);
    assert!(page.body.contains("15 minutes"), "{}", page.body);
    assert!(guesser.session_id().is_none());

    // htmx gets the form with the message to swap in place.
    let mut htmx = Browser::from_address("198.51.100.1");
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let page = htmx.log_in(&app.client, "target", GOOD_PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains(r#"</title><form id="login-form""#));
    assert!(page.header("retry-after").is_some());

    // The owner, anywhere else, is not affected.
    let page = Browser::from_address("192.0.2.7")
        .log_in(&app.client, "target", GOOD_PASSWORD)
        .await;
    assert_redirect(&page, "/");
}

/// ASVS 2.2.1: strangers' wrong passwords must not lock the owner out (issue 16,
/// item 4: five wrong passwords used to block the owner for 15 minutes).
#[tokio::test]
async fn strangers_wrong_guesses_do_not_lock_the_owner_out() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::new()
        .sign_up(&app.client, "target", GOOD_PASSWORD)
        .await;
    let mut guesses = 0;
    for strangers_guesses in [5, 50] {
        while guesses < strangers_guesses {
            wrong_guess(&app, "target", &format!("198.51.100.{guesses}")).await;
            guesses += 1;
        }
        // The owner, from an address never seen before.
        let mut owner = Browser::from_address(&format!("192.0.2.{guesses}"));
        let page = owner.log_in(&app.client, "TARGET", GOOD_PASSWORD).await;
        assert_redirect(&page, "/");
        assert!(
            logged_in(&app, &mut owner).await,
            "after {guesses} wrong guesses"
        );
    }
}

#[tokio::test]
async fn a_guesser_spread_over_many_addresses_meets_growing_delays_but_not_the_owners_address() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    // The owner signed up from home before the attack, and has not logged in since:
    // signing up logs in, so home is the owner's address (it had not counted, and the
    // owner waited at home like any stranger). A log-in there counts the same way
    // (`throttle` unit tests).
    let home = "192.0.2.7";
    let page = Browser::from_address(home)
        .sign_up(&app.client, "target", GOOD_PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // 60 wrong guesses an hour cost nothing more than the argon2 check...
    for i in 0..60 {
        wrong_guess(&app, "target", &format!("10.0.0.{i}")).await;
    }
    // ...then each further one waits after the last: 1 s, 2 s, 4 s, ... Whatever this
    // machine's speed, a guess arrives within one of those pauses well before 2^6 s.
    let mut refused = None;
    for i in 0..6 {
        let page = Browser::from_address(&format!("10.0.1.{i}"))
            .log_in(&app.client, "target", "guess number two")
            .await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(page);
            break;
        }
        assert_invalid(&page, "Wrong username or password.");
    }
    let refused = refused.expect("the distributed guesser was never slowed down");
    assert_throttled(&refused);

    // The owner's usual address still gets in at once; other names are not affected.
    let page = Browser::from_address(home)
        .log_in(&app.client, "target", GOOD_PASSWORD)
        .await;
    assert_redirect(&page, "/");
    wrong_guess(&app, "someone-else", "10.0.1.99").await;
}

#[tokio::test]
async fn sign_ups_are_throttled_per_address() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::from_address("192.0.2.1")
        .sign_up(&app.client, "taken", GOOD_PASSWORD)
        .await;
    // Issue 16, item 5: probing names. Twenty answers in 15 minutes from one address.
    let prober = "203.0.113.5";
    for _ in 0..20 {
        let page = Browser::from_address(prober)
            .sign_up(&app.client, "taken", GOOD_PASSWORD)
            .await;
        assert_invalid(&page, "That username is taken");
    }
    let page = Browser::from_address(prober)
        .sign_up(&app.client, "taken", GOOD_PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(
        !page.body.contains("That username is taken"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Too many sign-ups from your network"),
        "{}",
        page.body
    );
    assert!(page.body.contains("15 minutes"), "{}", page.body);
    assert!(page.body.contains(r#"id="signup-username-error""#));
    let retry: u64 = page.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    // A new name is refused too (no account is created), and htmx gets the form.
    let mut htmx = Browser::from_address(prober);
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let page = htmx.sign_up(&app.client, "fresh-name", GOOD_PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains(r#"</title><form id="signup-form""#),
        "{}",
        page.body
    );
    assert_eq!(user_count(&app), 1);
    // Other addresses are heard.
    let page = Browser::from_address("192.0.2.2")
        .sign_up(&app.client, "fresh-name", GOOD_PASSWORD)
        .await;
    assert_redirect(&page, "/");
}

#[tokio::test]
async fn failed_log_ins_are_throttled_per_client_address() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    let mut attacker = Browser::from_address("203.0.113.9");
    // Twenty different usernames from one address: the address's limit.
    for i in 0..20 {
        let page = attacker
            .log_in(&app.client, &format!("user{i}"), "guess guess guess")
            .await;
        assert_invalid(&page, "Wrong username or password.");
    }
    let page = attacker
        .log_in(&app.client, "user-new", "guess guess guess")
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.header("retry-after").is_some());
    // Another address is still heard.
    let page = Browser::from_address("203.0.113.10")
        .log_in(&app.client, "user-new", "guess guess guess")
        .await;
    assert_invalid(&page, "Wrong username or password.");
}

#[tokio::test]
async fn log_ins_the_database_could_not_check_are_not_counted() {
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::new()
        .sign_up(&app.client, "patient", GOOD_PASSWORD)
        .await;
    // The accounts cannot be read (as when the database is down): each attempt fails
    // before any password is checked.
    let rename = |from: &str, to: &str| {
        let mut conn = app.state.pool.get().unwrap();
        diesel::sql_query(format!("ALTER TABLE {from} RENAME TO {to}"))
            .execute(&mut conn)
            .unwrap();
    };
    rename("users", "users_away");
    let mut owner = Browser::from_address("203.0.113.20");
    for _ in 0..8 {
        let page = owner.log_in(&app.client, "patient", GOOD_PASSWORD).await;
        assert!(page.status.is_server_error(), "{}", page.status);
        assert!(
            !page.body.contains("Too many failed attempts"),
            "{}",
            page.body
        );
    }
    rename("users_away", "users");
    // Back up: the owner gets in, not "try again in 15 minutes".
    let page = owner.log_in(&app.client, "patient", GOOD_PASSWORD).await;
    assert_redirect(&page, "/");
}

// ---------------------------------------------------------------- redirects

#[tokio::test]
async fn next_only_leads_to_paths_on_this_site() {
    let app = empty_app();
    Browser::new()
        .sign_up(&app.client, "traveller", GOOD_PASSWORD)
        .await;
    let cases = [
        ("/account?tab=1", "/account?tab=1"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login", "/"),
        // Text beyond ASCII comes back %-escaped: a URI (and so `Location`) holds none.
        ("/artists?q=Björk", "/artists?q=Bj%C3%B6rk"),
    ];
    for (next, expected) in cases {
        let mut browser = Browser::new();
        let page = browser
            .submit(
                &app.client,
                "/login",
                "/login",
                &[
                    ("username", "traveller"),
                    ("password", GOOD_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_redirect(&page, expected);
    }
    // The form does not even carry an unsafe next.
    let page = Browser::new()
        .get(&app.client, "/login?next=//evil.example")
        .await;
    assert!(!page.body.contains("evil.example"), "{}", page.body);
    let page = Browser::new()
        .get(&app.client, "/login?next=/artists")
        .await;
    assert!(page.body.contains(r#"name="next" value="/artists""#));
    // The header's "Sign up" on the log-in page, and "Log in" on the sign-up page, keep
    // the page to come back to (they went to the bare pages, and it was lost); an
    // unsafe one is not passed on.
    let page = Browser::new()
        .get(&app.client, "/login?next=/artists/compare%3Fartist%3DQueen")
        .await;
    assert!(
        page.body
            .contains(r#"href="/signup?next=/artists/compare%3Fartist%3DQueen""#),
        "{}",
        page.body
    );
    let page = Browser::new()
        .get(&app.client, "/signup?next=/genres")
        .await;
    assert!(
        page.body.contains(r#"href="/login?next=/genres""#),
        "{}",
        page.body
    );
    let page = Browser::new()
        .get(&app.client, "/signup?next=//evil.example")
        .await;
    assert!(!page.body.contains("evil.example"), "{}", page.body);
    // A refused log-in, answered at /login without a query, keeps it in the header too
    // (without JavaScript the form's next was all that was left).
    let mut refused = Browser::new();
    refused.get(&app.client, "/login?next=/genres").await;
    let page = refused
        .submit(
            &app.client,
            "/login?next=/genres",
            "/login",
            &[
                ("username", "nobody-here"),
                ("password", "wrong password 1"),
                ("next", "/genres"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(r#"href="/signup?next=/genres""#),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn pages_that_need_a_user_send_anonymous_visitors_to_log_in() {
    let app = empty_app();
    let page = Browser::new().get(&app.client, "/account").await;
    assert_redirect(&page, "/login?next=/account");
    let page = Browser::htmx().get(&app.client, "/account").await;
    assert_eq!(page.header("hx-redirect"), Some("/login"));
}

// ---------------------------------------------------------------- CSRF

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = empty_app();
    let mut browser = Browser::new();
    let form = browser.get(&app.client, "/signup").await;
    let good_token = form.csrf_token();
    let fields = [
        ("username", "forged"),
        ("password", GOOD_PASSWORD),
        ("password_confirmation", GOOD_PASSWORD),
    ];

    // Missing.
    let page = browser.post_raw(&app.client, "/signup", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("did not come from this site"),
        "{}",
        page.body
    );

    // Wrong: garbage, and a real token from someone else's page.
    let other_token = Browser::new()
        .get(&app.client, "/signup")
        .await
        .csrf_token();
    for token in ["AAAA", other_token.as_str()] {
        let mut with_token = vec![("csrf_token", token)];
        with_token.extend_from_slice(&fields);
        let page = browser.post_raw(&app.client, "/signup", &with_token).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "token {token}");
    }
    // Right token without the cookie it belongs to.
    let mut cookieless = Browser::new();
    let mut with_token = vec![("csrf_token", good_token.as_str())];
    with_token.extend_from_slice(&fields);
    let page = cookieless
        .post_raw(&app.client, "/signup", &with_token)
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    assert_eq!(user_count(&app), 0, "nothing was created");

    // htmx gets a fragment it can swap.
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let page = htmx.post_raw(&app.client, "/signup", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.starts_with("<div class=\"error-box\""),
        "{}",
        page.body
    );

    // And the genuine token works.
    let page = browser.post_raw(&app.client, "/signup", &with_token).await;
    assert_redirect(&page, "/");
}

/// A valid token-and-cookie pair is not enough when the browser says the form was sent
/// by another site's page: the pair is not tied to the session, so one fetched by an
/// attacker and planted as a cookie would otherwise pass.
#[tokio::test]
async fn a_valid_token_sent_from_another_site_is_refused() {
    let app = empty_app();
    let fields = |token: &str| {
        vec![
            ("csrf_token", token.to_string()),
            ("username", "planted".to_string()),
            ("password", GOOD_PASSWORD.to_string()),
            ("password_confirmation", GOOD_PASSWORD.to_string()),
        ]
    };
    let elsewhere: [&[(&str, &str)]; 5] = [
        &[("Sec-Fetch-Site", "cross-site")],
        &[("Sec-Fetch-Site", "same-site")],
        &[("Origin", "https://evil.example"), ("Host", "hub.example")],
        &[("Origin", "null"), ("Host", "hub.example")],
        // The browser's word wins over an Origin that looks right.
        &[
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "http://hub.example"),
            ("Host", "hub.example"),
        ],
    ];
    for headers in elsewhere {
        let mut browser = Browser::new();
        let token = browser.get(&app.client, "/signup").await.csrf_token();
        for (name, value) in headers {
            browser.headers.push((name.to_string(), value.to_string()));
        }
        let fields = fields(&token);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = browser.post_raw(&app.client, "/signup", &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            page.body.contains("did not come from this site"),
            "{}",
            page.body
        );
    }
    assert_eq!(user_count(&app), 0, "nothing was created");

    // The same form from this site's own page: same-origin, or an Origin naming the
    // host (directly or as a proxy forwards it).
    let own: [&[(&str, &str)]; 3] = [
        &[
            ("Sec-Fetch-Site", "same-origin"),
            ("Origin", "http://hub.example"),
        ],
        &[("Origin", "http://hub.example"), ("Host", "hub.example")],
        &[
            ("Origin", "https://hub.example"),
            ("Host", "10.0.0.5:3000"),
            ("X-Forwarded-Host", "hub.example"),
        ],
    ];
    for (i, headers) in own.into_iter().enumerate() {
        let mut browser = Browser::new();
        let token = browser.get(&app.client, "/signup").await.csrf_token();
        for (name, value) in headers {
            browser.headers.push((name.to_string(), value.to_string()));
        }
        let name = format!("own{i}");
        let mut fields = fields(&token);
        fields[1].1 = name;
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = browser.post_raw(&app.client, "/signup", &fields).await;
        assert_redirect(&page, "/");
    }
    assert_eq!(user_count(&app), 3);
}

/// The new token is shown on the page that answers the creating POST, so a reload sends
/// that form again: the second sending must not make a second token.
#[tokio::test]
async fn reloading_the_page_of_a_new_api_token_makes_no_second_token() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "reloader", GOOD_PASSWORD)
        .await;
    let form = browser.get(&app.client, "/account/api-tokens").await;
    // The way back to the account, besides the nav.
    assert!(
        form.body
            .contains(r#"<a href="/account">Your account</a> › "#),
        "{}",
        form.body
    );
    let token = form.csrf_token();
    let once = form
        .body
        .split(r#"name="once" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form's one-time id")
        .to_string();
    let fields = [
        ("csrf_token", token.as_str()),
        ("once", once.as_str()),
        ("name", "playlist script"),
    ];
    let first = browser
        .post_raw(&app.client, "/account/api-tokens", &fields)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains(r#"id="new-token""#));

    let again = browser
        .post_raw(&app.client, "/account/api-tokens", &fields)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.body.contains("no second token was made"),
        "{}",
        again.body
    );
    assert!(
        !again.body.contains(r#"id="new-token""#),
        "no secret on the second page"
    );
    assert_eq!(
        again
            .body
            .matches("aria-label=\"Revoke playlist script\"")
            .count(),
        1
    );

    // Another form (a page loaded again, or a client that posts without the id) makes
    // another, as asked.
    let next = browser
        .submit(
            &app.client,
            "/account/api-tokens",
            "/account/api-tokens",
            &[("name", "second")],
        )
        .await;
    assert_eq!(next.status, StatusCode::OK);
    assert!(next.body.contains(r#"id="new-token""#));
}

/// A form whose bytes are not UTF-8 is refused whole: the form parser would turn each
/// bad byte into U+FFFD, so `secret%FF` and `secret%FE` would be one password.
#[tokio::test]
async fn a_form_not_sent_as_utf8_is_refused_and_creates_nothing() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/signup").await.csrf_token();
    let body = format!(
        "csrf_token={}&username=bytes&password=purple+monkey+dishwasher%FF&password_confirmation=purple+monkey+dishwasher%FF",
        token.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
    );
    let resp = app
        .client
        .post("/signup")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", browser.cookie_header())
        .body(body)
        .send()
        .await;
    resp.assert_status(StatusCode::BAD_REQUEST);
    let text = resp.0.into_body().into_string().await.unwrap_or_default();
    assert!(text.contains("not sent as UTF-8"), "{text}");
    assert_eq!(user_count(&app), 0);
    // Declared in another charset, its token in the header as htmx sends it: the
    // bytes would be read as UTF-8 all the same, each bad one stored as U+FFFD.
    for charset in ["ISO-8859-1", "\"windows-1252\""] {
        let resp = app
            .client
            .post("/signup")
            .header(
                "content-type",
                format!("application/x-www-form-urlencoded; charset={charset}"),
            )
            .header("cookie", browser.cookie_header())
            .header("x-csrf-token", token.as_str())
            .body(b"username=latin&password=Zq8-vault-\xe9\xe8\xe7\xe6&password_confirmation=Zq8-vault-\xe9\xe8\xe7\xe6".to_vec())
            .send()
            .await;
        resp.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let text = resp.0.into_body().into_string().await.unwrap_or_default();
        assert!(
            text.contains("form this address does not accept"),
            "{charset}: {text}"
        );
    }
    assert_eq!(user_count(&app), 0);
}

/// No page takes PUT, PATCH or DELETE: they are told so (405, with what the address
/// takes), not that a form expired.
#[tokio::test]
async fn other_unsafe_methods_get_405_not_the_expired_form_message() {
    let app = empty_app();
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let resp = app.client.request(method.clone(), "/account").send().await;
        let status = resp.0.status();
        let body = resp.0.into_body().into_string().await.unwrap_or_default();
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}: {body}");
        assert!(!body.contains("has expired"), "{method}: {body}");
    }
    // Each says what the address takes instead (RFC 9110 asks every 405 for `Allow`).
    for (path, allow) in [
        ("/account", "GET, HEAD"),
        ("/logout", "GET, HEAD, POST"),
        ("/login", "GET, HEAD, POST"),
        ("/perfect-song/profiles/1/delete", "GET, HEAD, POST"),
    ] {
        let resp = app.client.request(Method::DELETE, path).send().await;
        resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        resp.assert_header("allow", allow);
    }
}

/// A GET on an address only a form posts to (where a refused form's answer was shown
/// without JavaScript, reloaded or reopened from history) goes back to the page that
/// holds the form; it had answered 405.
#[tokio::test]
async fn a_form_action_reopened_goes_back_to_its_page() {
    let app = empty_app();
    for (action, page) in [
        ("/account/password", "/account"),
        ("/account/delete", "/account"),
        ("/account/api-tokens/3/revoke", "/account/api-tokens"),
        ("/perfect-song/profiles", "/perfect-song"),
        ("/perfect-song/profiles/7/load", "/perfect-song"),
        ("/perfect-song/profiles/7/rename", "/perfect-song"),
        ("/perfect-song/profiles/7/delete", "/perfect-song"),
        ("/perfect-song/current", "/perfect-song"),
        // A refused log-out's answer, reloaded: home, where the button is.
        ("/logout", "/"),
    ] {
        let resp = app.client.get(action).send().await;
        resp.assert_status(StatusCode::SEE_OTHER);
        resp.assert_header("location", page);
    }
}

/// A POST where there is no form to send, with or without a token: to an address that
/// does not exist it is a 404, to one that takes no POST a 405 with `Allow`, never a 403
/// saying that a form expired. A form that does exist still needs its token.
#[tokio::test]
async fn a_post_to_no_form_is_a_404_or_405_not_an_expired_form() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/signup").await.csrf_token();
    for with_token in [false, true] {
        for (path, status, allow) in [
            ("/no-such-page", StatusCode::NOT_FOUND, None),
            ("/artists/no/such/page", StatusCode::NOT_FOUND, None),
            (
                "/artists",
                StatusCode::METHOD_NOT_ALLOWED,
                Some("GET, HEAD"),
            ),
            ("/genres", StatusCode::METHOD_NOT_ALLOWED, Some("GET, HEAD")),
        ] {
            let mut request = app
                .client
                .post(path)
                .header("content-type", "application/x-www-form-urlencoded");
            if with_token {
                request = request.header("cookie", browser.cookie_header());
            }
            let resp = request.body(format!("csrf_token={token}")).send().await;
            let got = resp.0.status();
            let got_allow = resp
                .0
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap_or("").to_string());
            let body = resp.0.into_body().into_string().await.unwrap_or_default();
            assert_eq!(got, status, "{path} (token: {with_token}): {body}");
            assert_eq!(got_allow.as_deref(), allow, "{path}");
            assert!(!body.contains("has expired"), "{path}: {body}");
        }
    }
    let resp = app
        .client
        .post("/signup")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=m&password=correct-horse-battery-9")
        .send()
        .await;
    resp.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(user_count(&app), 0);
}

/// A form sent as multipart or plain text is told its encoding is not accepted (415),
/// whether its token came in the header or, unreadable, in the body.
#[tokio::test]
async fn a_form_in_another_encoding_gets_415() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/signup").await.csrf_token();
    for content_type in [
        "multipart/form-data; boundary=x",
        "text/plain",
        // Its bytes would be read as UTF-8 all the same.
        "application/x-www-form-urlencoded; charset=iso-8859-1",
    ] {
        let resp = app
            .client
            .post("/signup")
            .header("content-type", content_type)
            .header("cookie", browser.cookie_header())
            .body(format!("csrf_token={token}&username=m"))
            .send()
            .await;
        let status = resp.0.status();
        let body = resp.0.into_body().into_string().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}: {body}"
        );
        assert!(body.contains("form this address does not accept"), "{body}");
    }
    // A body that does not say what it is: the same answer, not "your form expired".
    let resp = app
        .client
        .post("/signup")
        .header("cookie", browser.cookie_header())
        .body(format!("csrf_token={token}&username=m"))
        .send()
        .await;
    resp.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(user_count(&app), 0);
}

#[tokio::test]
async fn the_csrf_token_may_come_in_the_htmx_header() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "header", GOOD_PASSWORD).await;
    let token = browser.get(&app.client, "/").await.csrf_token();
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    htmx.headers.push(("X-CSRF-Token".into(), token));
    let page = htmx.post_raw(&app.client, "/logout", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("hx-redirect"), Some("/?account=logged-out"));
    // Where it lands says so, to a visitor who is logged out only.
    let landed = browser.get(&app.client, "/?account=logged-out").await;
    assert!(
        landed.body.contains("You are logged out."),
        "{}",
        landed.body
    );
    let mut signed_in = Browser::new();
    signed_in
        .sign_up(&app.client, "still_here", GOOD_PASSWORD)
        .await;
    let linked = signed_in.get(&app.client, "/?account=logged-out").await;
    assert!(
        !linked.body.contains("You are logged out."),
        "{}",
        linked.body
    );
}

/// Signing up says so on the page it lands on, wherever that is, once: only the header's
/// corner had changed, and a sign-up started from any page's "Sign up" goes back there.
#[tokio::test]
async fn signing_up_says_the_account_is_ready_where_it_lands() {
    const READY: &str = "Your account is ready, and you are logged in.";
    let app = empty_app();
    let mut browser = Browser::new();
    let done = browser
        .sign_up(&app.client, "newcomer", GOOD_PASSWORD)
        .await;
    assert_redirect(&done, "/");
    let landed = browser.get(&app.client, "/").await;
    assert!(landed.body.contains(READY), "{}", landed.body);
    assert!(landed
        .body
        .contains(r#"<a href="/perfect-song">perfect song</a>"#));
    // Said once.
    let again = browser.get(&app.client, "/").await;
    assert!(!again.body.contains(READY), "{}", again.body);
    // Nobody else hears it, and no address asks for it.
    let stranger = Browser::new().get(&app.client, "/").await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(!stranger.body.contains(READY));

    // From another page's "Sign up": back there, saying it there.
    let mut on_the_way = Browser::new();
    let form = on_the_way
        .get(&app.client, "/signup?next=%2Fgenres%3Fq%3Dpop")
        .await;
    let token = form.csrf_token();
    let page = on_the_way
        .post_raw(
            &app.client,
            "/signup",
            &[
                ("csrf_token", token.as_str()),
                ("username", "traveller"),
                ("password", GOOD_PASSWORD),
                ("password_confirmation", GOOD_PASSWORD),
                ("next", "/genres?q=pop"),
            ],
        )
        .await;
    assert_redirect(&page, "/genres?q=pop");
    // A fragment asked for first (htmx) does not swallow it unseen.
    let mut htmx = on_the_way.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    htmx.headers.push(("HX-Target".into(), "genre-list".into()));
    let fragment = htmx.get(&app.client, "/genres?q=pop").await;
    assert!(!fragment.body.contains(READY));
    let landed = on_the_way.get(&app.client, "/genres?q=pop").await;
    assert!(landed.body.contains(READY), "{}", landed.body);
}

#[tokio::test]
async fn forged_log_out_and_delete_leave_the_user_alone() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "victim", GOOD_PASSWORD).await;
    let page = browser.post_raw(&app.client, "/logout", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = browser
        .post_raw(
            &app.client,
            "/account/delete",
            &[("password", GOOD_PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(logged_in(&app, &mut browser).await);
    assert_eq!(user_count(&app), 1);
}

/// With JavaScript each account form answers for itself, and sets the other back to
/// blank out of band: a wrong password in the password form stayed beside the delete
/// form's own message, as the page without JavaScript never shows them.
#[tokio::test]
async fn an_account_forms_answer_sets_the_other_form_back_to_blank() {
    let app = empty_app();
    let mut browser = Browser::htmx();
    browser
        .sign_up(&app.client, "two_forms", GOOD_PASSWORD)
        .await;
    let answer = browser
        .submit(
            &app.client,
            "/account",
            "/account/delete",
            &[("password", "not my password")],
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let delete = answer
        .body
        .find(r#"id="account-delete-form""#)
        .expect("the delete form");
    let password = answer
        .body
        .find(r#"<form id="account-password-form""#)
        .expect("the password form, out of band");
    let blank = &answer.body[password..];
    let blank = &blank[..blank.find("</form>").expect("its end")];
    assert!(blank.contains(r#"hx-swap-oob="true""#), "{blank}");
    assert!(
        !blank.contains("field-error") && !blank.contains("form-error"),
        "{blank}"
    );
    assert!(
        answer.body[delete..].contains("field-error")
            || answer.body[delete..].contains("form-error")
    );
    assert_eq!(user_count(&app), 1);
}

#[tokio::test]
async fn the_csrf_key_is_generated_into_a_private_file_and_is_not_all_zero() {
    let app = empty_app();
    Browser::new().get(&app.client, "/signup").await;
    let path = app.state.config.data_dir().join("secret.key");
    let text = std::fs::read_to_string(&path).expect("secret.key created");
    assert_eq!(text.trim().len(), 64);
    assert_ne!(text.trim(), "0".repeat(64));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A configured key is used instead of the file.
    let configured = app_with(|config| {
        config.secret_key = Some(insights_hub::config::SecretKey::parse(&"ab".repeat(32)).unwrap())
    });
    Browser::new().get(&configured.client, "/signup").await;
    assert!(!configured
        .state
        .config
        .data_dir()
        .join("secret.key")
        .exists());
}

// ---------------------------------------------------------------- headers

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = empty_app();
    let mut browser = Browser::new();
    let pages = [
        browser.get(&app.client, "/").await,
        browser.get(&app.client, "/login").await,
        browser.get(&app.client, "/no-such-page").await,
        browser.post_raw(&app.client, "/logout", &[]).await,
        browser.get(&app.client, "/healthz").await,
    ];
    for page in &pages {
        let csp = page.header("content-security-policy").expect("CSP");
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .expect("script-src");
        assert_eq!(
            script_src, "script-src 'self'",
            "no inline scripts, no eval"
        );
        assert!(!csp.contains("unsafe-eval"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("object-src 'none'"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert!(page.header("referrer-policy").is_some());
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
    }
    assert_eq!(pages[2].status, StatusCode::NOT_FOUND);
    assert_eq!(pages[3].status, StatusCode::FORBIDDEN);
    // The pages themselves carry no inline script.
    for page in &pages[..2] {
        assert!(!page.body.contains("<script>"), "inline script found");
        assert!(!page.body.contains(" onclick="));
    }
}

// ---------------------------------------------------------------- account

#[tokio::test]
async fn changing_the_password_logs_out_other_sessions() {
    let app = empty_app();
    let mut laptop = Browser::new();
    laptop.sign_up(&app.client, "changer", GOOD_PASSWORD).await;
    let mut phone = Browser::new();
    phone.log_in(&app.client, "changer", GOOD_PASSWORD).await;
    let new_password = "a whole new passphrase";

    // Nothing typed is asked for, not called wrong.
    let empty = laptop
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("current_password", ""),
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_invalid(&empty, "Enter your current password.");
    let wrong = laptop
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_invalid(&wrong, "That is not your current password.");
    let weak = laptop
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("current_password", GOOD_PASSWORD),
                ("password", "qwerty123456"),
                ("password_confirmation", "qwerty123456"),
            ],
        )
        .await;
    assert_invalid(&weak, "most common");
    let same = laptop
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("current_password", GOOD_PASSWORD),
                ("password", GOOD_PASSWORD),
                ("password_confirmation", GOOD_PASSWORD),
            ],
        )
        .await;
    assert_invalid(
        &same,
        "The new password is the same as the current one: choose a different one.",
    );
    assert!(logged_in(&app, &mut phone).await, "nothing changed");
    // The account's pages are never stored: Back after logging out must not show them.
    let account = laptop.get(&app.client, "/account").await;
    assert_eq!(account.header("cache-control"), Some("no-store"));

    let before = laptop.session_id().unwrap();
    let done = laptop
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("current_password", GOOD_PASSWORD),
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_redirect(&done, "/account");
    assert_ne!(
        laptop.session_id().unwrap(),
        before,
        "this session gets a new id"
    );
    let page = laptop.get(&app.client, "/account").await;
    assert!(page.body.contains("Your password was changed"));
    // API tokens are not ended by it, and the notice says so, with where to end them.
    assert!(
        page.body
            .contains("Your API tokens still work: revoke any you no longer trust under"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"id="api-tokens-title""#));
    // Said once: a reload, or the next visit, shows the plain page.
    let again = laptop.get(&app.client, "/account").await;
    assert!(
        !again.body.contains("Your password was changed"),
        "the notice is shown once"
    );
    let old_link = laptop.get(&app.client, "/account?password=changed").await;
    assert!(!old_link.body.contains("Your password was changed"));
    assert!(
        !logged_in(&app, &mut phone).await,
        "the other device is logged out"
    );
    // And is told why, where it is sent to log in: a form sent from a page there had
    // landed on the log-in page with no word of it.
    let told = phone.get(&app.client, "/login?next=/account").await;
    assert!(
        told.body.contains(
            "Your session has ended (two weeks without a visit, or the password changed \
             on another device): log in again to go on."
        ),
        "{}",
        told.body
    );
    // Once: the ended session's cookie goes with that answer, so the next visit there
    // is a plain log-in page (it had said the session ended on every visit).
    let removal = told
        .raw_set_cookie(SESSION_COOKIE)
        .expect("the ended session's cookie removed");
    assert!(
        removal.contains("Max-Age=0") && removal.contains("Path=/"),
        "{removal}"
    );
    let again = phone.get(&app.client, "/login?next=/account").await;
    assert!(
        !again.body.contains("Your session has ended"),
        "{}",
        again.body
    );

    let old = Browser::new()
        .log_in(&app.client, "changer", GOOD_PASSWORD)
        .await;
    assert_invalid(&old, "Wrong username or password.");
    let new = Browser::new()
        .log_in(&app.client, "changer", new_password)
        .await;
    assert_redirect(&new, "/");
}

#[tokio::test]
async fn deleting_the_account_removes_user_sessions_and_taste_profiles() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "leaver", GOOD_PASSWORD).await;
    Browser::new()
        .sign_up(&app.client, "stayer", GOOD_PASSWORD)
        .await;
    let mut other_device = Browser::new();
    other_device
        .log_in(&app.client, "leaver", GOOD_PASSWORD)
        .await;
    // What deleting takes with it is said on the page beforehand.
    let before = browser.get(&app.client, "/account").await;
    assert!(
        before.body.contains("No saved taste profiles yet"),
        "{}",
        before.body
    );
    let leaver = user_id(&app, "leaver").unwrap();
    let stayer = user_id(&app, "stayer").unwrap();
    {
        let mut conn = app.state.pool.get().unwrap();
        for (user, name) in [(leaver, "chill"), (leaver, "party"), (stayer, "focus")] {
            diesel::insert_into(taste_profiles::table)
                .values((
                    taste_profiles::user_id.eq(user),
                    taste_profiles::name.eq(name),
                    taste_profiles::settings.eq("{}"),
                    taste_profiles::created_at.eq(now_unix()),
                    taste_profiles::updated_at.eq(now_unix()),
                ))
                .execute(&mut conn)
                .unwrap();
        }
    }
    assert_eq!(sessions_of(&app, leaver), 2);
    let listed = browser.get(&app.client, "/account").await;
    assert!(
        listed.body.contains("2 saved taste profiles, on"),
        "{}",
        listed.body
    );

    let wrong = browser
        .submit(
            &app.client,
            "/account",
            "/account/delete",
            &[("password", "not my password")],
        )
        .await;
    assert_invalid(&wrong, "That is not your current password.");
    // Without JavaScript the page loads at its top: it says there what was refused,
    // with the way to the message (a long scroll below on a phone).
    let top = wrong
        .body
        .find("Your account was not deleted.")
        .expect("said at the top");
    assert!(
        top < wrong
            .body
            .find(r#"id="password-title""#)
            .expect("the password form"),
        "{}",
        wrong.body
    );
    assert!(wrong
        .body
        .contains(r##"<a href="#delete-title">See why</a>"##));
    let empty = browser
        .submit(
            &app.client,
            "/account",
            "/account/delete",
            &[("password", "")],
        )
        .await;
    assert_invalid(&empty, "Enter your current password.");
    assert!(
        user_id(&app, "leaver").is_some(),
        "nothing deleted on a wrong password"
    );

    let done = browser
        .submit(
            &app.client,
            "/account",
            "/account/delete",
            &[("password", GOOD_PASSWORD)],
        )
        .await;
    assert_redirect(&done, "/?account=deleted");
    // The cookie is removed for the whole site, where it was set: without a path, the
    // removal sent from /account/delete applied to /account, and the dead cookie stayed.
    let removal = done
        .raw_set_cookie(SESSION_COOKIE)
        .expect("the cookie removed");
    assert!(
        removal.contains("Path=/;") || removal.ends_with("Path=/"),
        "{removal}"
    );
    // Where that lands says so.
    let home = browser.get(&app.client, "/?account=deleted").await;
    assert!(
        home.body.contains("Your account was deleted."),
        "{}",
        home.body
    );
    assert!(!Browser::new()
        .get(&app.client, "/")
        .await
        .body
        .contains("Your account was deleted."));
    // A link with the parameter cannot tell someone signed in that their account went.
    let mut other = Browser::new();
    let joined = other.sign_up(&app.client, "bystander", GOOD_PASSWORD).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let spoofed = other.get(&app.client, "/?account=deleted").await;
    assert!(
        !spoofed.body.contains("Your account was deleted."),
        "{}",
        spoofed.body
    );
    assert_eq!(user_id(&app, "leaver"), None);
    assert_eq!(sessions_of(&app, leaver), 0);
    let mut conn = app.state.pool.get().unwrap();
    let profiles: Vec<i32> = taste_profiles::table
        .select(taste_profiles::user_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        profiles,
        vec![stayer],
        "only the other user's profile is left"
    );
    drop(conn);
    assert!(!logged_in(&app, &mut browser).await);
    assert!(!logged_in(&app, &mut other_device).await);
    // The name is free again.
    let again = Browser::new()
        .sign_up(&app.client, "leaver", GOOD_PASSWORD)
        .await;
    assert_redirect(&again, "/");
}

/// A request whose session was read just before its account was deleted (in another
/// tab, on another server, by an operator) and that then writes for that user: each
/// write is refused with a 403 that says why, never a 500, and nothing is written. The
/// user's row is deleted here with SQL, as an operator would, so the session this
/// process read a moment ago is still trusted for a few seconds.
#[tokio::test]
async fn writes_for_an_account_deleted_meanwhile_are_refused_not_failed() {
    let app = demo_app();
    let writes: [(&str, &[(&str, &str)]); 4] = [
        // The page's debounced save of the current settings, the no-JS "Find my song",
        // "Save profile" and a new API token.
        ("/perfect-song/current", &[("danceability", "0.3")]),
        ("/perfect-song", &[("danceability", "0.3")]),
        (
            "/perfect-song/profiles",
            &[("name", "late"), ("danceability", "0.3")],
        ),
        ("/account/api-tokens", &[("name", "late")]),
    ];
    let mut ids = Vec::new();
    for (n, (action, fields)) in writes.into_iter().enumerate() {
        // An account of its own for each write: the 403 ends the session.
        let name = format!("vanishing{n}");
        let mut browser = Browser::new();
        let joined = browser.sign_up(&app.client, &name, GOOD_PASSWORD).await;
        assert_redirect(&joined, "/");
        let page = browser.get(&app.client, "/perfect-song").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let token = page.csrf_token();
        let id = user_id(&app, &name).expect("signed up");
        ids.push(id);
        {
            let mut conn = app.state.pool.get().unwrap();
            diesel::delete(users::table.filter(users::id.eq(id)))
                .execute(&mut conn)
                .unwrap();
        }
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let answer = browser.post_raw(&app.client, action, &all).await;
        let to_log_in = answer.location().is_some_and(|at| at.starts_with("/login"));
        // PostgreSQL's session cache is used only while this process hears the other
        // servers' writes: when it reads the row instead, the visitor is signed out.
        if common::postgres_url().is_none() || !to_log_in {
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{action}: {}",
                answer.body
            );
            assert!(
                answer.body.contains("Your account no longer exists"),
                "{action}: {}",
                answer.body
            );
            // The page shows no one signed in (it showed the deleted name and "Log
            // out"), and the session is over.
            assert!(!answer.body.contains(&name), "{action}: {}", answer.body);
            assert!(
                answer.body.contains(">Log in<"),
                "{action}: {}",
                answer.body
            );
            let after = browser.get(&app.client, "/perfect-song").await;
            assert!(
                after.location().is_some_and(|at| at.starts_with("/login")),
                "{action}: {} {:?}",
                after.status,
                after.location()
            );
        }
    }
    let mut conn = app.state.pool.get().unwrap();
    let profiles: i64 = taste_profiles::table
        .filter(taste_profiles::user_id.eq_any(&ids))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(profiles, 0, "nothing saved for the deleted user");
    let tokens: i64 = api_tokens::table
        .filter(api_tokens::user_id.eq_any(&ids))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(tokens, 0, "no token for the deleted user");
}

#[tokio::test]
async fn static_files_and_health_checks_skip_sessions_and_cookies() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "static", GOOD_PASSWORD).await;
    for path in ["/healthz", "/assets/app.css"] {
        let page = browser.get(&app.client, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.header("set-cookie").is_none(), "{path} sets no cookie");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
    // Pages do set the CSRF cookie, HttpOnly and SameSite=Lax.
    let page = browser.get(&app.client, "/").await;
    let csrf = page
        .raw_set_cookie(CSRF_COOKIE)
        .expect("csrf cookie on pages");
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"),
        "{csrf}"
    );
}

#[tokio::test]
async fn the_log_in_wall_says_why_and_offers_sign_up_on_the_same_page() {
    let app = empty_app();
    let mut browser = Browser::new();
    // A shared perfect-song link, opened by someone without an account.
    let wall = browser.get(&app.client, "/perfect-song?energy=0.3").await;
    assert_redirect(&wall, "/login?next=/perfect-song%3Fenergy%3D0.3");
    let page = browser
        .get(&app.client, "/login?next=/perfect-song%3Fenergy%3D0.3")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Finding your perfect song needs an account"),
        "{}",
        page.body
    );
    // The sign-up form is right there, and comes back to the shared link.
    assert!(
        page.body.contains(r#"<form id="signup-form""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"<form id="login-form""#));
    let next = r#"<input type="hidden" name="next" value="/perfect-song?energy=0.3">"#;
    assert_eq!(page.body.matches(next).count(), 2, "both forms carry next");
    let token = page.csrf_token();
    let done = browser
        .post_raw(
            &app.client,
            "/signup",
            &[
                ("csrf_token", token.as_str()),
                ("username", "newcomer"),
                ("password", GOOD_PASSWORD),
                ("password_confirmation", GOOD_PASSWORD),
                ("next", "/perfect-song?energy=0.3"),
            ],
        )
        .await;
    assert_redirect(&done, "/perfect-song?energy=0.3");

    // A plain "Log in" (no page behind it) gives no reason, still offers sign-up.
    let plain = Browser::new().get(&app.client, "/login").await;
    assert!(!plain.body.contains("needs an account"));
    assert!(plain.body.contains(r#"<form id="signup-form""#));
    // The sign-up page says it too when it was the way in.
    let signup = Browser::new()
        .get(&app.client, "/signup?next=/perfect-song")
        .await;
    assert!(signup
        .body
        .contains("Finding your perfect song needs an account"));
}

/// The change-password form names its account to password managers (a hidden
/// username field), and that field changes nothing about the form's answer.
#[tokio::test]
async fn the_password_form_names_its_account_for_password_managers() {
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "keeper", GOOD_PASSWORD).await;
    let page = browser.get(&app.client, "/account").await;
    assert!(
        page.body.contains(
            r#"<input type="text" name="username" value="keeper" autocomplete="username" hidden readonly>"#
        ),
        "{}",
        page.body
    );
    let changed = browser
        .submit(
            &app.client,
            "/account",
            "/account/password",
            &[
                ("username", "keeper"),
                ("current_password", GOOD_PASSWORD),
                ("password", "a brand new passphrase"),
                ("password_confirmation", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
}

/// A form that sends one of its fields twice is told which, not that the request
/// could not be read.
#[tokio::test]
async fn a_field_sent_twice_is_named() {
    let app = empty_app();
    let mut browser = Browser::new();
    let token = browser.get(&app.client, "/login").await.csrf_token();
    let page = browser
        .post_raw(
            &app.client,
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "a"),
                ("username", "b"),
                ("password", "whatever it is"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body
            .contains("The form sent its field “username” more than once"),
        "{}",
        page.body
    );
}

/// A log the tests read: what the server writes while a test runs on this thread.
#[derive(Clone, Default)]
struct KeptLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl KeptLog {
    /// Keeps what is logged on this thread while the guard lives.
    fn on_this_thread() -> (KeptLog, tracing::subscriber::DefaultGuard) {
        let log = KeptLog::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (log, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().map(|l| l.clone()).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::io::Write for KeptLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut kept) = self.0.lock() {
            kept.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Each refused log-in leaves a line with the name tried and the client it came from,
/// so that an operator (or fail2ban) can see guessing; the name's control characters
/// are escaped, so no one writes a line of their own into the log, and no password is
/// ever written. The request line alone had said "POST /login 422".
#[tokio::test]
async fn refused_log_ins_are_logged_with_the_name_and_the_client() {
    let (log, _logging) = KeptLog::on_this_thread();
    let app = app_with(|config| config.trust_proxy_headers = true);
    Browser::new()
        .sign_up(&app.client, "target", GOOD_PASSWORD)
        .await;
    wrong_guess(&app, "target", "198.51.100.1").await;
    wrong_guess(&app, "tar\nget\u{1b}[2J", "198.51.100.1").await;
    // A name that writes a false client into the line, and one that turns it around.
    wrong_guess(&app, "admin client=203.0.113.9", "198.51.100.1").await;
    wrong_guess(&app, "bob\u{202e}", "198.51.100.1").await;
    // Five wrong guesses at one name from one address, then the sixth is held back.
    for _ in 0..4 {
        wrong_guess(&app, "target", "198.51.100.1").await;
    }
    let page = Browser::from_address("198.51.100.1")
        .log_in(&app.client, "target", GOOD_PASSWORD)
        .await;
    assert_throttled(&page);
    let text = log.text();
    let refused: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("log-in refused: wrong username or password"))
        .collect();
    assert_eq!(refused.len(), 8, "{text}");
    assert!(
        refused[0].contains(r#"username="target""#) && refused[0].contains("client=198.51.100.1"),
        "{text}"
    );
    assert!(
        refused[1].contains(r#"username="tar\nget\u{1b}[2J""#),
        "{text}"
    );
    assert!(
        refused[2].contains(r#"username="admin client=203.0.113.9" client=198.51.100.1"#),
        "{text}"
    );
    assert!(
        refused[3].contains(r#"username="bob\u{202e}""#) && !refused[3].contains('\u{202e}'),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("log-in refused: too many failed attempts")
                && l.contains(r#"username="target""#)),
        "{text}"
    );
    assert!(
        !text.contains("guess number one") && !text.contains(GOOD_PASSWORD),
        "{text}"
    );
}

/// A SQLite server started with another secret key than last time says so: every form
/// open in a browser is then refused once, and the operator should know why. The same
/// key again says nothing.
#[test]
fn a_changed_secret_key_is_said_at_start() {
    // Over PostgreSQL another key is refused outright (tests/postgres.rs).
    if common::postgres_url().is_some() {
        eprintln!("note: a_changed_secret_key_is_said_at_start is for SQLite");
        return;
    }
    let (log, _logging) = KeptLog::on_this_thread();
    let app = common::empty_app();
    let start = |key: &insights_hub::config::SecretKey| {
        let mut config = (*app.state.config).clone();
        config.secret_key = Some(key.clone());
        insights_hub::AppState::open(config).expect("start");
    };
    // The test's app started with a key of its own: from this key on, the log is read.
    let first = insights_hub::config::SecretKey::generate();
    start(&first);
    if let Ok(mut kept) = log.0.lock() {
        kept.clear();
    }
    start(&first);
    let said = || log.text();
    assert!(!said().contains("the secret key changed"), "{}", said());
    start(&insights_hub::config::SecretKey::generate());
    assert!(
        said().contains("the secret key changed since the last start"),
        "{}",
        said()
    );
}

// ---------------------------------------------------------------- operator's reset

/// A user who forgot their password gets a new one from the operator: the reset sets a
/// random password that logs in, the old one no longer does, and every session the user
/// had ends.
#[tokio::test]
async fn an_operators_reset_gives_a_new_password_and_ends_the_sessions() {
    use insights_hub::accounts::{hashing::PasswordHasher, reset, AccountError};
    let app = empty_app();
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "Forgetful", GOOD_PASSWORD)
        .await;
    assert_eq!(
        browser.get(&app.client, "/account").await.status,
        StatusCode::OK
    );
    let hasher = PasswordHasher::new(1);
    let done = reset::reset_password(&app.state.pool, &hasher, "  FORGETFUL ")
        .await
        .expect("reset");
    assert_eq!(done.username, "Forgetful", "as signed up");
    assert_eq!(done.sessions_ended, 1);
    // The session the browser held has ended.
    let account = browser.get(&app.client, "/account").await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
    // The old password no longer logs in; the new one does.
    let old = Browser::new()
        .log_in(&app.client, "forgetful", GOOD_PASSWORD)
        .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", old.body);
    let mut fresh = Browser::new();
    let new = fresh.log_in(&app.client, "forgetful", &done.password).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER, "{}", new.body);
    assert_eq!(
        fresh.get(&app.client, "/account").await.status,
        StatusCode::OK
    );
    // Nobody by that name: said, and nothing changes.
    assert!(matches!(
        reset::reset_password(&app.state.pool, &hasher, "nobody").await,
        Err(AccountError::NoSuchUser)
    ));
}

/// The command line prints the new password and what it did, refuses a name nobody
/// has, and does not create a database at a mistyped path.
#[tokio::test]
async fn the_reset_password_command_prints_the_password_to_hand_over() {
    use std::process::Command;
    let app = empty_app();
    let mut browser = Browser::new();
    browser.sign_up(&app.client, "Walker", GOOD_PASSWORD).await;
    let database = match &app.state.config.database {
        insights_hub::config::Database::Sqlite(path) => path.display().to_string(),
        insights_hub::config::Database::Postgres(url) => url.clone(),
    };
    let run = |name: &str, database: &str| {
        Command::new(env!("CARGO_BIN_EXE_insights-hub"))
            .args(["--database", database, "reset-password", name])
            .env_remove("DATABASE_URL")
            .output()
            .expect("run the binary")
    };
    let out = run("walker", &database);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let password = stdout
        .lines()
        .find_map(|line| line.strip_prefix("New password for “Walker”: "))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string();
    assert!(
        stdout.contains("Their sessions have ended (1 signed in"),
        "{stdout}"
    );
    let mut fresh = Browser::new();
    let logged_in = fresh.log_in(&app.client, "Walker", &password).await;
    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );

    let out = run("nobody", &database);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: no account is named “nobody”"
    );
    let missing = app.dir.path().join("typo.db");
    let out = run("walker", &missing.display().to_string());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("there is no database at"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!missing.exists(), "nothing created");
    // A file that is not the main database (empty, or the catalog's) is refused, and
    // nothing is migrated or created beside it.
    let empty = app.dir.path().join("empty.db");
    std::fs::write(&empty, "").expect("an empty file");
    let catalog = insights_hub::db::catalog_file::catalog_path(std::path::Path::new(&database));
    let mut refused = vec![empty.clone()];
    if catalog.exists() {
        refused.push(catalog.clone());
    }
    for path in refused {
        let before: Vec<_> = std::fs::read_dir(app.dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        let out = run("walker", &path.display().to_string());
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not this app's main database"),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let after: Vec<_> = std::fs::read_dir(app.dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(before, after, "{}: nothing created", path.display());
    }
    assert_eq!(std::fs::metadata(&empty).expect("still there").len(), 0);
    // Over PostgreSQL, a database without the app's tables (here an empty schema) is
    // refused the same way, and nothing is migrated into it.
    if let Some(url) = common::postgres_url() {
        let empty = common::TestDb::fresh_schema(&url);
        let (admin_url, schema) = empty.admin().expect("a schema");
        let insights_hub::config::Database::Postgres(empty_url) = &empty.database else {
            panic!("a PostgreSQL schema");
        };
        let out = run("walker", empty_url);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("holds no accounts of this app"), "{stderr}");
        let mut conn = diesel::PgConnection::establish(admin_url).expect("connect");
        let tables: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'"
        ))
        .get_result(&mut conn)
        .expect("count the tables");
        assert_eq!(tables, 0, "nothing migrated into the empty schema");
    }
}
