//! A session ended by another process, while this server's session cache still holds
//! it. In a test binary of its own: the cache is dropped at any session write in the
//! process (`db::sessions::writes`), so other tests running beside it made the cached
//! moment this test needs come and go.

mod common;

use common::{
    auth::{user_id, Browser, GOOD_PASSWORD},
    demo::demo_app,
};
use diesel::prelude::*;
use insights_hub::db::{
    now_unix,
    schema::{api_tokens, sessions, taste_profiles},
};
use poem::http::StatusCode;

/// A session ended by another process (an operator's `reset-password` beside a SQLite
/// server) stays in the server's session cache for a few seconds; in that time it could
/// still make an API token (which outlives it), revoke one, or save a profile or the
/// page's settings. Every signed-in form reads the session's own row
/// (`web::auth::live_session`): each write is sent to log in, the session is over, and
/// nothing is stored.
#[tokio::test]
async fn a_session_ended_elsewhere_can_change_nothing() {
    let app = demo_app();
    let writes: [(&str, &[(&str, &str)]); 4] = [
        ("/account/api-tokens", &[("name", "after the reset")]),
        ("/account/api-tokens/{token}/revoke", &[]),
        (
            "/perfect-song/profiles",
            &[("name", "after the reset"), ("danceability", "0.3")],
        ),
        ("/perfect-song/current", &[("danceability", "0.3")]),
    ];
    for (n, (action, fields)) in writes.into_iter().enumerate() {
        let name = format!("ended{n}");
        let mut browser = Browser::new();
        browser.sign_up(&app.client, &name, GOOD_PASSWORD).await;
        let form = browser.get(&app.client, "/account/api-tokens").await;
        let made = browser
            .post_raw(
                &app.client,
                "/account/api-tokens",
                &[
                    ("csrf_token", form.csrf_token().as_str()),
                    ("name", "before"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let id = user_id(&app, &name).expect("signed up");
        let (token_id, tokens_before, profiles_before) = {
            let mut conn = app.state.pool.get().unwrap();
            let token_id: i32 = api_tokens::table
                .filter(api_tokens::user_id.eq(id))
                .select(api_tokens::id)
                .first(&mut conn)
                .unwrap();
            let tokens: Vec<(i32, Option<i64>)> = api_tokens::table
                .filter(api_tokens::user_id.eq(id))
                .select((api_tokens::id, api_tokens::revoked_at))
                .load(&mut conn)
                .unwrap();
            (token_id, tokens, profiles_of(&mut conn, id))
        };
        let page = browser.get(&app.client, "/perfect-song").await;
        let token = page.csrf_token();
        // Ended behind the cache's back, as another process's write is.
        {
            let mut conn = app.state.pool.get().unwrap();
            diesel::update(sessions::table)
                .set(sessions::expires_at.eq(now_unix() - 60))
                .execute(&mut conn)
                .unwrap();
        }
        let cached = browser.get(&app.client, "/account").await.status;
        // On SQLite the cache still holds the session (what this test is about); over
        // PostgreSQL it does only while this server hears the session channel.
        if matches!(
            app.state.config.database,
            insights_hub::config::Database::Sqlite(_)
        ) {
            assert_eq!(
                cached,
                StatusCode::OK,
                "{action}: the session is still cached"
            );
        }
        let action = action.replace("{token}", &token_id.to_string());
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let sent = browser.post_raw(&app.client, &action, &all).await;
        assert_eq!(
            sent.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            sent.body
        );
        assert!(
            sent.location().is_some_and(|to| to.starts_with("/login")),
            "{action}: {:?}",
            sent.location()
        );
        // The session is over for reading too, cache or not.
        let after = browser.get(&app.client, "/account").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "{action}");
        let mut conn = app.state.pool.get().unwrap();
        let tokens: Vec<(i32, Option<i64>)> = api_tokens::table
            .filter(api_tokens::user_id.eq(id))
            .select((api_tokens::id, api_tokens::revoked_at))
            .load(&mut conn)
            .unwrap();
        assert_eq!(tokens, tokens_before, "{action}");
        assert_eq!(profiles_of(&mut conn, id), profiles_before, "{action}");
    }
}

/// A user's saved profiles and current settings, as stored.
fn profiles_of(
    conn: &mut insights_hub::db::DbConnection,
    user: i32,
) -> Vec<(String, String, bool)> {
    taste_profiles::table
        .filter(taste_profiles::user_id.eq(user))
        .order(taste_profiles::id)
        .select((
            taste_profiles::name,
            taste_profiles::settings,
            taste_profiles::is_current,
        ))
        .load(conn)
        .unwrap()
}
