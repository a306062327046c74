//! Starts the real server (the binary cargo built for this test run) on a temp database
//! and a headless Chromium through chromedriver, and drives it with fantoccini.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Map, Value};
use tempfile::TempDir;
use url::Url;

/// Whether the browser runs scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Js {
    On,
    Off,
}

/// A running server with its own database; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

async fn wait_until_listening(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let addr = addr.split('/').next().unwrap_or_default().to_string();
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not start listening on {url}");
}

impl Server {
    /// The server on a fresh database, seeded with the demo catalog.
    pub async fn start() -> Server {
        Server::start_with_import(&[]).await
    }

    /// The server on a fresh database into which `insights-hub import` first loaded
    /// the given CSV files (name, content), as someone with real data would.
    pub async fn start_with_import(files: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        if !files.is_empty() {
            let mut import = Command::new(env!("CARGO_BIN_EXE_insights-hub"));
            import
                .arg("--database")
                .arg(dir.path().join("browser.db"))
                .arg("import");
            for (name, content) in files {
                let path = dir.path().join(name);
                std::fs::write(&path, content).expect("write the CSV");
                import.arg(path);
            }
            let status = import
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .status()
                .expect("run insights-hub import");
            assert!(status.success(), "import failed: {status}");
        }
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_insights-hub"))
            .arg("--database")
            .arg(dir.path().join("browser.db"))
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start insights-hub");
        let server = Server {
            child,
            base: base.clone(),
            _dir: dir,
        };
        wait_until_listening(&base, "insights-hub").await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// chromedriver plus one browser session; both ended when dropped or closed.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: TempDir,
}

/// Light or dark colour scheme, as the system would ask for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

/// Whether the system asks for reduced motion (an accessibility setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Full,
    Reduced,
}

impl Browser {
    pub async fn start(js: Js) -> Browser {
        Browser::start_in(js, Scheme::Light).await
    }

    /// A browser whose pages see `prefers-color-scheme: dark` (or light).
    pub async fn start_in(js: Js, scheme: Scheme) -> Browser {
        Browser::start_with(js, scheme, Motion::Full).await
    }

    /// A browser whose pages also see `prefers-reduced-motion: reduce` (or not).
    pub async fn start_with(js: Js, scheme: Scheme, motion: Motion) -> Browser {
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver (apt-get install chromium-driver)");
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_listening(&webdriver, "chromedriver").await;

        let profile = tempfile::tempdir().expect("profile dir");
        let mut options = Map::new();
        options.insert(
            "binary".into(),
            json!(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())),
        );
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--window-size=1280,900".into(),
            // Overlay scrollbars, as on phones: a 360 px page is 360 px wide.
            "--hide-scrollbars".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        // Blink's preferred colour scheme: 0 is dark, 1 light.
        args.push(match scheme {
            Scheme::Light => "--blink-settings=preferredColorScheme=1".into(),
            Scheme::Dark => "--blink-settings=preferredColorScheme=0".into(),
        });
        if motion == Motion::Reduced {
            args.push("--force-prefers-reduced-motion".into());
        }
        options.insert("args".into(), json!(args));
        if js == Js::Off {
            options.insert(
                "prefs".into(),
                json!({ "profile.managed_default_content_settings.javascript": 2 }),
            );
        }
        let mut caps = Map::new();
        caps.insert("goog:chromeOptions".into(), Value::Object(options));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("open a Chromium session");
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Saves a PNG under target/screenshots/ for people to look at.
    pub async fn screenshot(&self, name: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/screenshots")
            .join(format!("{name}.png"));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path, png).expect("write screenshot");
    }

    /// Waits (up to 20 s: CI machines are shared and slow) until the JavaScript
    /// expression is truthy.
    pub async fn wait_for_js(&self, expression: &str) {
        let script = format!("return !!({expression});");
        let deadline = Instant::now() + Duration::from_secs(20);
        // What the last attempt got, so a timeout says whether the page never got
        // there or the browser stopped answering.
        loop {
            let last = match self.client.execute(&script, vec![]).await {
                Ok(Value::Bool(true)) => return,
                Ok(other) => format!("returned {other}"),
                Err(error) => format!("WebDriver error: {error}"),
            };
            if Instant::now() >= deadline {
                panic!(
                    "timed out waiting for: {expression}\nlast attempt: {last}\n{}",
                    self.what_is_on_screen().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The address, title and start of the page's main text, for a failure message; says so
    /// when the browser cannot tell.
    async fn what_is_on_screen(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(error) => format!("(no url: {error})"),
        };
        let text = match self
            .client
            .execute(
                "var main = document.querySelector('main') || document.body; \
                 return document.title + ' | ' + (main ? main.innerText.slice(0, 400) : '(no body)');",
                vec![],
            )
            .await
        {
            Ok(Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(error) => format!("(no text: {error})"),
        };
        format!("page: {url}\n{text}")
    }

    /// Waits (up to 20 s) until the address bar satisfies `ok`, and returns that URL.
    /// A WebDriver click does not wait for the navigation it starts, so reading
    /// the URL straight after a click can still see the previous page.
    pub async fn wait_for_url(&self, what: &str, ok: impl Fn(&Url) -> bool) -> Url {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.client.current_url().await.expect("current url");
            if ok(&url) {
                return url;
            }
            assert!(Instant::now() < deadline, "url {url} never became {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sets the size of the page's viewport (not the window's outer size, which
    /// includes the browser's own frame), so "360 px" is what the page sees.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("window size");
        let inner = self
            .js("return [window.innerWidth, window.innerHeight];")
            .await;
        let got = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
        let (dw, dh) = (width.saturating_sub(got(0)), height.saturating_sub(got(1)));
        if dw > 0 || dh > 0 {
            self.client
                .set_window_size(width + dw, height + dh)
                .await
                .expect("window size");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    /// Makes the page see the CSS media type `media` ("print", or "" for the screen's
    /// again), through Chromium's DevTools protocol, as a print preview does: the
    /// stylesheet's `@media print` rules apply and `matchMedia("print")` changes.
    pub async fn emulate_media(&self, media: &str) {
        self.client
            .issue_cmd(DevTools {
                command: "Emulation.setEmulatedMedia",
                params: json!({ "media": media }),
            })
            .await
            .expect("emulate a media type");
        self.after_frames().await;
    }

    /// Opens `url` and returns once the page that answered it (after any redirect) is
    /// the one in the window and loaded. WebDriver's navigation alone once returned
    /// while the previous document was still there, and the test's next read of the
    /// page found nothing: the old document is marked, and the wait is for a loaded
    /// document without the mark. (The four-artist comparison test read no artists from
    /// `/artists` that way, and the next read, a moment later, found all ten.)
    pub async fn open(&self, url: &str) -> Result<(), fantoccini::error::CmdError> {
        // The mark cannot be set on a page that is itself still loading or gone: then
        // there is no old document to mistake for the new one's.
        let _ = self
            .client
            .execute("window.__leaving = true; return true;", vec![])
            .await;
        self.client.goto(url).await?;
        self.wait_for_js("!window.__leaving && document.readyState === 'complete'")
            .await;
        Ok(())
    }

    /// Searches the artists for `query` and returns the address of the first artist
    /// found (a path such as `/artists/12`).
    pub async fn first_artist_found(&self, server: &Server, query: &str) -> String {
        let search = format!(
            "/artists?q={}",
            url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        );
        self.open(&server.url(&search)).await.expect("search");
        let href = self
            .js("return document.querySelector('#artist-results a[href^=\"/artists/\"]').getAttribute('href');")
            .await;
        href.as_str().expect("an artist link").to_string()
    }

    /// Runs a script and returns its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Marks the page now in the window, for `assert_no_page_load`.
    pub async fn mark_page(&self) {
        self.js("window.__marker = 1; return true;").await;
    }

    /// Asserts that the page marked by `mark_page` is still the one in the window: what
    /// happened since was swapped in by htmx, not a page load.
    pub async fn assert_no_page_load(&self) {
        assert_eq!(
            self.js("return window.__marker;").await,
            serde_json::json!(1),
            "no page load"
        );
    }

    /// Waits until the page has drawn two more frames, so that work done at the end of a
    /// frame (ResizeObserver callbacks, such as app.js's scroll hints) has happened.
    pub async fn after_frames(&self) {
        self.client
            .execute_async(
                "var done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(function () { requestAnimationFrame(function () { done(true); }); });",
                vec![],
            )
            .await
            .expect("frames drawn");
    }

    /// Waits until every drawn chart fits its box and the page does not scroll sideways:
    /// after a resize, app.js draws the charts again at the new width (a moment later,
    /// once the resizing stops). A chart left at its old width fails here by timeout.
    pub async fn wait_for_charts_to_fit(&self) {
        self.wait_for_js(
            "Array.prototype.every.call(document.querySelectorAll('.chart canvas'), function (c) { \
               var box = c.closest('.chart'); \
               return c.getBoundingClientRect().width <= box.clientWidth; }) \
             && document.documentElement.scrollWidth <= window.innerWidth",
        )
        .await;
    }

    /// The text of each element matching `css` that is laid out on more than one line
    /// (its contents in more than one line box): a label or value broken mid-way.
    pub async fn broken_across_lines(&self, css: &str) -> Value {
        self.js(&format!(
            "return [...document.querySelectorAll({css:?})] \
               .filter(function (e) {{ var r = document.createRange(); \
                 r.selectNodeContents(e); return r.getClientRects().length > 1; }}) \
               .map(function (e) {{ return e.textContent; }});"
        ))
        .await
    }

    /// The element `css` finds, once it is on the page (at most 10 s).
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.element(css).await.text().await.expect("element text")
    }

    /// Clicks the element `css` finds, once it is on the page.
    pub async fn click(&self, css: &str) {
        self.element(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types `keys` into the element `css` finds, once it is on the page.
    pub async fn type_into(&self, css: &str, keys: &str) {
        self.element(css)
            .await
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Ends the session; `Drop` then stops chromedriver and anything left of Chromium.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// A test that fails never reaches `close`. Without this, its chromedriver and Chromium
/// outlived the test binary, each Chromium using a few per cent of a core for good
/// (three left by failed runs slowed a benchmark run on the development machine).
/// Chromium's processes are chromedriver's descendants, so killing chromedriver alone
/// would orphan them; each is found by the profile directory it was started with,
/// which is this browser's own.
impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg("--")
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A Chrome DevTools Protocol command, sent through chromedriver's
/// `/session/{id}/goog/cdp/execute` (WebDriver has no command for media emulation).
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &Url) -> (poem::http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (poem::http::Method::POST, Some(body.to_string()))
    }
}
