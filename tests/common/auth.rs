//! Helpers for tests that log in: a tiny "browser" that keeps cookies (poem's
//! TestClient has no cookie jar) and scrapes the CSRF token from pages, the way a
//! real browser submits the hidden `csrf_token` field.
#![allow(dead_code)]

use std::collections::BTreeMap;

use poem::{
    http::{header, HeaderMap, StatusCode},
    web::cookie::Cookie,
};

use super::Client;

/// A finished response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The `Set-Cookie` headers for `name`, parsed.
    pub fn set_cookies(&self, name: &str) -> Vec<Cookie> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| Cookie::parse(v).ok())
            .filter(|c| c.name() == name)
            .collect()
    }

    /// The raw `Set-Cookie` header for `name`, to check its attributes.
    pub fn raw_set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    pub fn csrf_token(&self) -> String {
        csrf_token(&self.body)
    }
}

/// The value of the first `csrf_token` hidden field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf_token field in page:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

pub const SESSION_COOKIE: &str = "ih_session";
pub const CSRF_COOKIE: &str = "ih_csrf";

/// Cookies carried between requests, like a browser would.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request (e.g. htmx's, or X-Forwarded-For).
    pub headers: Vec<(String, String)>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser::default()
    }

    pub fn htmx() -> Browser {
        Browser {
            headers: vec![("HX-Request".into(), "true".into())],
            ..Browser::default()
        }
    }

    pub fn from_address(ip: &str) -> Browser {
        Browser {
            headers: vec![("X-Forwarded-For".into(), ip.into())],
            ..Browser::default()
        }
    }

    pub fn session_id(&self) -> Option<String> {
        self.cookies.get(SESSION_COOKIE).cloned()
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let Some(cookie) = value.to_str().ok().and_then(|v| Cookie::parse(v).ok()) else {
                continue;
            };
            let expired =
                cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value_str().is_empty();
            if expired {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_string(), cookie.value_str().to_string());
            }
        }
    }

    pub async fn get(&mut self, client: &Client, path: &str) -> Page {
        // A browser keeps an address's fragment (`#ps-profiles`) to itself.
        let path = path.split('#').next().unwrap_or(path);
        let mut req = client.get(path);
        if !self.cookies.is_empty() {
            req = req.header(header::COOKIE, self.cookie_header());
        }
        for (name, value) in &self.headers {
            req = req.header(name.as_str(), value.as_str());
        }
        self.finish(req.send().await).await
    }

    /// Posts a urlencoded form exactly as given (no token added).
    pub async fn post_raw(&mut self, client: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut req = client.post(path).form(&fields);
        if !self.cookies.is_empty() {
            req = req.header(header::COOKIE, self.cookie_header());
        }
        for (name, value) in &self.headers {
            req = req.header(name.as_str(), value.as_str());
        }
        self.finish(req.send().await).await
    }

    /// Loads `page` for a fresh token, then posts the form to `action` with it.
    pub async fn submit(
        &mut self,
        client: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let form_page = self.get(client, page).await;
        let token = form_page.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(client, action, &all).await
    }

    async fn finish(&mut self, resp: poem::test::TestResponse) -> Page {
        let resp = resp.0;
        let status = resp.status();
        let headers = resp.headers().clone();
        self.absorb(&headers);
        let body = resp.into_body().into_string().await.expect("body is text");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn sign_up(&mut self, client: &Client, username: &str, password: &str) -> Page {
        self.submit(
            client,
            "/signup",
            "/signup",
            &[
                ("username", username),
                ("password", password),
                ("password_confirmation", password),
            ],
        )
        .await
    }

    pub async fn log_in(&mut self, client: &Client, username: &str, password: &str) -> Page {
        self.submit(
            client,
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Logs out with the token from the page's navigation form.
    pub async fn log_out(&mut self, client: &Client) -> Page {
        self.submit(client, "/", "/logout", &[]).await
    }
}

/// A password that passes the policy.
pub const GOOD_PASSWORD: &str = "correct horse battery staple";

/// The real app over a fresh database, with the configuration adjusted first.
pub fn app_with(configure: impl FnOnce(&mut insights_hub::Config)) -> super::TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = super::TestDb::new(&dir, "test.db");
    let mut config = insights_hub::Config::for_database(&db.database);
    config.key_dir = Some(dir.path().to_path_buf());
    configure(&mut config);
    let state = insights_hub::AppState::open(config).expect("open database");
    let client = super::TestApp::client_for(&state);
    super::TestApp {
        state,
        client,
        dir,
        db,
    }
}

/// The id of the user whose name key (lower case) is `key`, if there is one.
pub fn user_id(app: &super::TestApp, key: &str) -> Option<i32> {
    use diesel::prelude::*;
    use insights_hub::db::schema::users;
    let mut conn = app.state.pool.get().expect("a connection");
    users::table
        .filter(users::username_key.eq(key))
        .select(users::id)
        .first(&mut conn)
        .optional()
        .expect("read the user")
}
