//! Artist search, comparison and artist pages through the real router, over a small
//! fixture catalog written with `CatalogWriter`.

mod common;

use common::{empty_app, TestApp};
use diesel::Connection;
use insights_hub::{
    catalog::{artists::Resolution, AudioFeatures, NewTrack, TrackKeys},
    db::{catalog_meta::SourceKind, catalog_writer::CatalogWriter},
};
use poem::http::StatusCode;

/// Feature values in the order danceability, energy, acousticness, instrumentalness,
/// valence, speechiness, liveness, tempo, loudness.
type Values = [f64; 9];

struct Fixture {
    name: &'static str,
    artists: &'static [&'static str],
    genre: &'static str,
    year: i32,
    popularity: Option<i32>,
    values: Values,
}

const fn t(
    name: &'static str,
    artists: &'static [&'static str],
    genre: &'static str,
    year: i32,
    popularity: Option<i32>,
    values: Values,
) -> Fixture {
    Fixture {
        name,
        artists,
        genre,
        year,
        popularity,
        values,
    }
}

/// Beyoncé's three tracks are chosen so their averages are easy to do by hand:
/// danceability (0.6+0.8+0.7)/3 = 0.7, energy (0.5+0.9+0.4)/3 = 0.6,
/// acousticness 0.2, instrumentalness 0.1, valence 0.6, speechiness 0.1, liveness 0.2,
/// tempo 120 BPM, loudness -6 dB, popularity (80+90)/2 = 85 (one track has none).
const TRACKS: &[Fixture] = &[
    t(
        "Halo",
        &["Beyoncé"],
        "pop",
        2008,
        Some(80),
        [0.6, 0.5, 0.1, 0.0, 0.3, 0.05, 0.1, 100.0, -6.0],
    ),
    t(
        "Crazy in Love",
        &["Beyoncé", "Jay-Z"],
        "pop",
        2003,
        Some(90),
        [0.8, 0.9, 0.2, 0.0, 0.6, 0.15, 0.3, 120.0, -4.0],
    ),
    t(
        "Formation",
        &["Beyoncé"],
        "r&b",
        2016,
        None,
        [0.7, 0.4, 0.3, 0.3, 0.9, 0.1, 0.2, 140.0, -8.0],
    ),
    t(
        "Hyperballad",
        &["Björk"],
        "electronic",
        1995,
        Some(60),
        [0.5, 0.6, 0.4, 0.2, 0.4, 0.05, 0.1, 110.0, -9.0],
    ),
    t(
        "Army of Me",
        &["Björk"],
        "electronic",
        1995,
        Some(55),
        [0.6, 0.8, 0.1, 0.1, 0.3, 0.06, 0.2, 100.0, -7.0],
    ),
    t(
        "Jóga",
        &["Björk"],
        "electronic",
        1997,
        Some(58),
        [0.3, 0.5, 0.6, 0.3, 0.2, 0.04, 0.1, 90.0, -10.0],
    ),
    t(
        "Bachelorette",
        &["Björk"],
        "art pop",
        1997,
        Some(50),
        [0.4, 0.6, 0.5, 0.2, 0.3, 0.05, 0.1, 95.0, -9.5],
    ),
    t(
        "Hunter",
        &["Björk"],
        "art pop",
        1997,
        Some(49),
        [0.5, 0.4, 0.6, 0.3, 0.2, 0.05, 0.2, 85.0, -11.0],
    ),
    t(
        "Pagan Poetry",
        &["Björk"],
        "art pop",
        2001,
        Some(52),
        [0.4, 0.5, 0.5, 0.2, 0.2, 0.04, 0.1, 80.0, -10.5],
    ),
    t(
        "La Valse",
        &["Amélie"],
        "soundtrack",
        2001,
        Some(40),
        [0.3, 0.2, 0.9, 0.9, 0.4, 0.04, 0.1, 90.0, -15.0],
    ),
    t(
        "Paris",
        &["Amelié"],
        "chanson",
        2010,
        Some(20),
        [0.5, 0.4, 0.7, 0.1, 0.5, 0.05, 0.1, 105.0, -12.0],
    ),
    t(
        "Montmartre",
        &["Amelié"],
        "chanson",
        2011,
        Some(22),
        [0.5, 0.4, 0.7, 0.1, 0.5, 0.05, 0.1, 105.0, -12.0],
    ),
    t(
        "Help!",
        &["The Beatles"],
        "rock",
        1965,
        Some(75),
        [0.5, 0.7, 0.2, 0.0, 0.8, 0.04, 0.2, 95.0, -7.0],
    ),
    t(
        "Yesterday",
        &["The Beatles"],
        "rock",
        1965,
        Some(78),
        [0.3, 0.2, 0.9, 0.0, 0.3, 0.03, 0.1, 97.0, -11.0],
    ),
    t(
        "Let It Be",
        &["The Beatles"],
        "rock",
        1970,
        Some(80),
        [0.4, 0.4, 0.6, 0.0, 0.4, 0.03, 0.1, 72.0, -8.0],
    ),
    t(
        "Something",
        &["The Beatles"],
        "rock",
        1969,
        Some(70),
        [0.4, 0.4, 0.3, 0.0, 0.4, 0.03, 0.1, 66.0, -9.0],
    ),
    t(
        "Come Together",
        &["The Beatles"],
        "rock",
        1969,
        Some(79),
        [0.5, 0.4, 0.1, 0.2, 0.2, 0.04, 0.1, 82.0, -10.0],
    ),
    t(
        "Beach Song",
        &["Beach House"],
        "dream pop",
        2012,
        Some(45),
        [0.4, 0.5, 0.3, 0.5, 0.2, 0.03, 0.1, 120.0, -9.0],
    ),
    t(
        "Dancing Queen",
        &["Abba"],
        "pop",
        1976,
        Some(85),
        [0.5, 0.8, 0.4, 0.0, 0.8, 0.05, 0.1, 101.0, -6.5],
    ),
    t(
        "Sexy Boy",
        &["Air"],
        "electronic",
        1998,
        Some(50),
        [0.6, 0.5, 0.2, 0.6, 0.5, 0.04, 0.1, 110.0, -10.0],
    ),
];

fn new_track(f: &Fixture) -> NewTrack {
    let v = f.values;
    NewTrack::builder(f.name, f.artists)
        .album(&format!("{} (album)", f.name))
        .year(f.year)
        .genre(Some(f.genre))
        .popularity(f.popularity)
        .duration_ms(200_000)
        .explicit(false)
        .key_mode_meter(0, 1, 4)
        .features(AudioFeatures {
            danceability: v[0],
            energy: v[1],
            acousticness: v[2],
            instrumentalness: v[3],
            valence: v[4],
            speechiness: v[5],
            liveness: v[6],
            tempo: v[7],
            loudness: v[8],
        })
        .build()
}

/// The app over the fixture catalog, with the snapshot (and its artist index) rebuilt.
async fn fixture_app() -> TestApp {
    app_with(TRACKS).await
}

/// The app over `tracks`, with the snapshot (and its artist index) rebuilt.
async fn app_with(tracks: &[Fixture]) -> TestApp {
    let app = empty_app();
    {
        let mut conn = app.state.pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for fixture in tracks {
                let track = new_track(fixture);
                writer.write_keyed(conn, track.clone(), TrackKeys::of(&track))?;
            }
            writer.finish(conn, SourceKind::Import, "fixture.csv", 1_700_000_000)?;
            Ok(())
        })
        .expect("write fixture");
    }
    assert!(app.state.refresh_catalog().await.expect("refresh"));
    app
}

fn artist_id(app: &TestApp, name: &str) -> i32 {
    match app.state.catalog().artists.resolve(name) {
        Resolution::Found(a) => a.id,
        other => panic!("{name} did not resolve: {other:?}"),
    }
}

struct Answer {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn is_full_page(&self) -> bool {
        self.body.starts_with("<!DOCTYPE html>")
    }

    /// The body as a reader sees it: tags dropped, `&amp;` read as `&`.
    fn text(&self) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in self.body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&amp;", "&")
    }

    fn varies_on_htmx(&self) -> bool {
        self.headers
            .get_all("vary")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.split(',')
                    .any(|p| p.trim().eq_ignore_ascii_case("HX-Request"))
            })
    }

    /// The ECharts option of the chart with this id, decoded from its data attribute.
    fn chart(&self, id: &str) -> serde_json::Value {
        let start = self
            .body
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no chart {id}"));
        let rest = &self.body[start..];
        let attr = rest.find("data-chart=\"").expect("data-chart") + "data-chart=\"".len();
        let end = rest[attr..].find('"').expect("end of attribute");
        let json = rest[attr..attr + end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        serde_json::from_str(&json).expect("chart JSON")
    }
}

async fn get(app: &TestApp, url: &str) -> Answer {
    answer(app.client.get(url).send().await).await
}

async fn get_htmx(app: &TestApp, url: &str, target: Option<&str>) -> Answer {
    let mut req = app.client.get(url).header("HX-Request", "true");
    if let Some(target) = target {
        req = req.header("HX-Target", target);
    }
    answer(req.send().await).await
}

async fn answer(resp: poem::test::TestResponse) -> Answer {
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let body = resp.0.into_body().into_string().await.expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

// --- search -------------------------------------------------------------------------

/// A name typed without its punctuation, or its words in another order, is found: on
/// the search page, in the suggestions, and when comparing by name (the README's
/// "artists holding every word", which only the API honoured).
#[tokio::test]
async fn several_words_find_the_artist_whatever_punctuation_lies_between() {
    let app = fixture_app().await;
    let page = get(&app, "/artists?q=jay+z").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">Jay-Z<"), "{}", page.body);
    let typed = get_htmx(&app, "/artists/suggest?artist=beatles+the", None).await;
    assert!(typed.body.contains(">The Beatles<"), "{}", typed.body);
    let compared = get(&app, "/artists/compare?artist=jay+z&artist=beatles+the").await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.body);
    assert!(compared.body.contains("Jay-Z"), "{}", compared.body);
    assert!(compared.body.contains("The Beatles"), "{}", compared.body);
    assert!(
        !compared.body.contains("is not in the catalog"),
        "{}",
        compared.body
    );
}

/// A name copied from a web page brings invisible characters at its ends (a zero-width
/// space, a byte-order mark, a soft hyphen, a direction mark): the artist is still
/// found, on the search page and when comparing by name. The site had said that no
/// artist "Jay-Z" was in the catalog, naming one that looked the same.
#[tokio::test]
async fn invisible_characters_at_the_ends_do_not_hide_an_artist() {
    let app = fixture_app().await;
    for q in [
        "jay-z%E2%80%8B",
        "%EF%BB%BFjay-z",
        "jay-z%C2%AD",
        "%E2%80%8Ejay-z",
        "jay++z",
    ] {
        let page = get(&app, &format!("/artists?q={q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert!(page.body.contains(">Jay-Z<"), "{q}: {}", page.body);
        let compared = get(
            &app,
            &format!("/artists/compare?artist={q}&artist=beatles+the"),
        )
        .await;
        assert_eq!(compared.status, StatusCode::OK, "{q}: {}", compared.body);
        assert!(
            !compared.body.contains("is not in the catalog"),
            "{q}: {}",
            compared.body
        );
    }
}

/// As the search field replaces the address, the server names it: a cleared field
/// leaves `/artists` (it left `/artists?q=`), spaces around a name stay out of it.
#[tokio::test]
async fn the_search_names_the_address_the_field_puts_in_the_address_bar() {
    let app = fixture_app().await;
    let cleared = get_htmx(&app, "/artists?q=", Some("artist-results")).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.header("hx-replace-url"), Some("/artists"));
    let typed = get_htmx(&app, "/artists?q=%20bj%C3%B6rk%20", Some("artist-results")).await;
    assert_eq!(
        typed.header("hx-replace-url"),
        Some("/artists?q=bj%C3%B6rk")
    );
    // A full page is not told where to go, and its field takes no page of text (a
    // pasted one made an address the server refuses), and gives back a notice it
    // raised once a later search works.
    let page = get(&app, "/artists?q=bj%C3%B6rk").await;
    assert!(page.header("hx-replace-url").is_none());
    assert!(page.body.contains(r#"maxlength="200""#), "{}", page.body);
    assert!(
        page.body.contains("data-clears-own-notice"),
        "{}",
        page.body
    );
}

/// Control characters in a typed search or name never come back into the page (a NUL
/// went into the title, the field and the message); the rest of the text does.
#[tokio::test]
async fn control_characters_in_typed_text_are_dropped() {
    let app = fixture_app().await;
    for url in [
        "/artists?q=be%00a%07",
        "/artists/compare?artist=be%00a&artist=x%1Fy",
        "/genres?q=r%00ock",
    ] {
        let page = get(&app, url).await;
        assert!(!page.status.is_server_error(), "{url}: {}", page.status);
        assert!(
            !page
                .body
                .chars()
                .any(|c| c.is_control() && !"\n\r\t".contains(c)),
            "{url}: a control character in the page"
        );
    }
    let page = get(&app, "/artists?q=be%00a").await;
    assert!(page.body.contains(r#"value="bea""#), "{}", page.body);
}

#[tokio::test]
async fn search_gives_a_full_page_or_the_results_fragment() {
    let app = fixture_app().await;
    // Longer than the field allows: refused in words, as the genre search is (it was
    // searched, and echoed whole into the page's title).
    let long = get(&app, &format!("/artists?q={}", "a".repeat(201))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(
        long.body
            .contains("An artist search is at most 200 characters long."),
        "{}",
        long.body
    );
    // Not quoted anywhere (the log-in link's way back holds the address, as always).
    assert!(!long.body.contains(&format!("“{}", "a".repeat(201))));
    assert!(!long.body.contains(&format!("value=\"{}", "a".repeat(201))));
    // So are its suggestions and its CSV: the suggestion list echoed 6,000 characters,
    // and the CSV answered an empty table.
    for url in [
        format!("/artists/suggest?q={}", "zq".repeat(3000)),
        format!("/artists.csv?q={}", "zq".repeat(3000)),
    ] {
        let long = get_htmx(&app, &url, None).await;
        assert_eq!(long.status, StatusCode::BAD_REQUEST, "{url}");
        assert!(long
            .body
            .contains("An artist search is at most 200 characters long."));
        assert!(!long.body.contains(&"zq".repeat(200)), "{url}: echoed");
    }
    let page = get(&app, "/artists?q=bea").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.is_full_page());
    assert!(page.varies_on_htmx());
    assert!(page
        .body
        .contains(r#"hx-trigger="input changed delay:200ms, search""#));
    assert!(page.body.contains(r#"hx-sync="this:replace""#));
    assert!(
        page.body.contains("artists.js"),
        "the combobox script is loaded on artist pages"
    );

    let fragment = get_htmx(&app, "/artists?q=bea", Some("artist-results")).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.is_full_page());
    assert!(fragment.varies_on_htmx());
    assert!(
        !fragment.body.contains("<form"),
        "the fragment is the list only"
    );
    // The URL follows the search box, and the title the URL (htmx sets it from here).
    assert!(
        fragment
            .body
            .starts_with("<title>Artists matching “bea” · Spotify Insights Hub</title>"),
        "{}",
        fragment.body
    );
    // The same list in both: prefix matches first (more tracks first), then word starts.
    let order = |body: &str| {
        ["Beach House", "The Beatles"]
            .iter()
            .map(|n| body.find(n).unwrap_or_else(|| panic!("{n} missing")))
            .collect::<Vec<_>>()
    };
    let (p, f) = (order(&page.body), order(&fragment.body));
    assert!(
        p[0] < p[1] && f[0] < f[1],
        "prefix match ranks above a later-word match"
    );
    assert!(
        fragment.body.contains("5 tracks"),
        "each suggestion shows its track count"
    );
}

#[tokio::test]
async fn search_ignores_case_and_accents() {
    let app = fixture_app().await;
    let id = artist_id(&app, "Beyoncé");
    for query in ["Beyonce", "BEYONCE", "beyoncé", "bey"] {
        let fragment = get_htmx(&app, &format!("/artists?q={query}"), None).await;
        assert!(
            fragment.body.contains(&format!("href=\"/artists/{id}\"")),
            "{query} should find Beyoncé: {}",
            fragment.body
        );
    }
    let none = get_htmx(&app, "/artists?q=Beyonse", None).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("No artist matches"));
    assert!(none.body.contains("Did you mean"));
    assert!(none.body.contains("Beyoncé"));
}

#[tokio::test]
async fn suggestions_for_comparison_fields_are_fragments_and_redirect_otherwise() {
    let app = fixture_app().await;
    let fragment = get_htmx(
        &app,
        "/artists/suggest?artist=bjo",
        Some("compare-suggest-1"),
    )
    .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment.body.contains(r#"data-value="Björk""#));
    let empty = get_htmx(&app, "/artists/suggest?artist=", None).await;
    assert_eq!(empty.body, "");
    let direct = get(&app, "/artists/suggest?q=bj%C3%B6").await;
    assert_eq!(direct.status, StatusCode::SEE_OTHER);
    assert_eq!(direct.header("location"), Some("/artists?q=bj%C3%B6"));
    assert!(
        direct.varies_on_htmx(),
        "the redirect and the fragment share a URL"
    );
}

// --- compare --------------------------------------------------------------------------

#[tokio::test]
async fn compare_is_a_full_page_or_a_fragment_and_pushes_a_canonical_url() {
    let app = fixture_app().await;
    let url = "/artists/compare?artist=beyonce&artist=BJORK";
    let fragment = get_htmx(&app, url, Some("compare")).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.is_full_page());
    assert!(
        fragment.body.starts_with(
            r#"<title>Compare Beyoncé, Björk · Spotify Insights Hub</title><section id="compare""#
        ),
        "{}",
        fragment.body.chars().take(200).collect::<String>()
    );
    assert!(fragment.varies_on_htmx());
    // Typed names come back in their catalog spelling, in the pushed URL too.
    let pushed = fragment
        .header("hx-push-url")
        .expect("HX-Push-Url")
        .to_string();
    assert_eq!(
        pushed,
        "/artists/compare?artist=Beyonc%C3%A9&artist=Bj%C3%B6rk"
    );
    assert!(fragment.body.contains(r#"value="Beyoncé""#));

    // A direct load of the pushed URL is the whole page with the same comparison.
    let page = get(&app, &pushed).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.is_full_page());
    assert!(page.varies_on_htmx());
    assert!(page.header("hx-push-url").is_none());
    assert!(page.body.contains("compare-chart"));
    assert!(page.body.contains("<title>Compare Beyoncé, Björk"));
    assert!(page.body.contains(r#"hx-push-url="true""#));
}

#[tokio::test]
async fn compare_averages_match_a_hand_computation() {
    let app = fixture_app().await;
    let page = get(
        &app,
        "/artists/compare?artist=Beyonc%C3%A9&artist=The+Beatles",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let chart = page.chart("compare-chart");
    let series = chart["series"].as_array().expect("series");
    assert_eq!(series.len(), 3, "two artists and the catalog average");
    assert_eq!(series[0]["name"], "Beyoncé");
    // Danceability, energy, acousticness, instrumentalness, valence (see TRACKS).
    let beyonce: Vec<f64> = series[0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (got, want) in beyonce.iter().zip([0.7, 0.6, 0.2, 0.1, 0.6]) {
        assert!(close(*got, want), "{beyonce:?}");
    }
    // The reference series is the mean over every fixture track.
    assert_eq!(series[2]["name"], "Catalog average");
    let mean_dance = TRACKS.iter().map(|t| t.values[0]).sum::<f64>() / TRACKS.len() as f64;
    let got = series[2]["data"][0].as_f64().unwrap();
    assert!(
        close(got, (mean_dance * 1000.0).round() / 1000.0),
        "{got} vs {mean_dance}"
    );
    // The key-figure table: tempo 120, loudness -6.0, popularity (80 + 90) / 2.
    assert!(page.body.contains("120 BPM"));
    assert!(page.body.contains("-6.0 dB"));
    assert!(page.body.contains("<td>85</td>"));
    // The top genres, each a link to its page.
    assert!(
        page.body.contains(
            r#"<a href="/genres/pop">pop</a> (2), <a href="/genres/r%26b">r&amp;b</a> (1)"#
        ),
        "top genres: {}",
        page.body
    );
    assert!(page.body.contains("2003–2016"), "release-year span");
    assert!(
        page.body.contains("rest on only 3 tracks"),
        "few-track note"
    );
    // The table twin of the chart carries the same numbers.
    assert!(page.body.contains(r#"<span class="value">0.700</span>"#));
}

#[tokio::test]
async fn compare_toggles_features_and_radar() {
    let app = fixture_app().await;
    let base = "/artists/compare?artist=Bj%C3%B6rk&artist=Abba";
    let five = get(&app, base).await.chart("compare-chart");
    assert_eq!(five["xAxis"]["data"].as_array().unwrap().len(), 5);
    let seven = get(&app, &format!("{base}&features=all")).await;
    assert_eq!(seven.status, StatusCode::OK);
    let chart = seven.chart("compare-chart");
    assert_eq!(chart["xAxis"]["data"].as_array().unwrap().len(), 7);
    assert!(seven.body.contains("Speechiness"));
    // Each set named by what it holds, and its features told on the page, not only in
    // a tooltip ("5 of 9" and "7 of 9" had named them only there).
    assert!(
        seven
            .body
            .contains(r#"title="Danceability, Energy, Acousticness, Instrumentalness, Valence""#)
            && seven.body.contains(">Main 5</a>")
            && seven.body.contains(">All 7</a>")
            && seven.body.contains(
                "Main 5: danceability, energy, acousticness, instrumentalness, valence. \
                 All 7 adds speechiness and liveness."
            ),
        "{}",
        seven.body
    );
    let radar = get(&app, &format!("{base}&features=all&view=radar")).await;
    let chart = radar.chart("compare-chart");
    assert_eq!(chart["series"][0]["type"], "radar");
    assert_eq!(chart["series"][0]["data"].as_array().unwrap().len(), 3);
    // The toggle back to bars keeps the other choices in its URL.
    assert!(radar
        .body
        .contains(r#"href="/artists/compare?artist=Bj%C3%B6rk&amp;artist=Abba&amp;features=all""#));
    for bad in ["features=some", "view=pie"] {
        let resp = get(&app, &format!("{base}&{bad}")).await;
        assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn unknown_names_get_a_404_with_did_you_mean() {
    let app = fixture_app().await;
    let page = get(&app, "/artists/compare?artist=Beyonse&artist=Abba").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.is_full_page());
    assert!(page.body.contains("No artist called “Beyonse”"));
    // The suggestion replaces the unknown name and keeps the rest of the comparison.
    assert!(page
        .body
        .contains(r#"href="/artists/compare?artist=Beyonc%C3%A9&amp;artist=Abba""#));
    let fragment = get_htmx(&app, "/artists/compare?artist=Beyonse&artist=Abba", None).await;
    assert_eq!(fragment.status, StatusCode::NOT_FOUND);
    assert!(!fragment.is_full_page());
    assert!(fragment.body.contains("Did you mean"));
    assert!(fragment.body.contains(r#"aria-invalid="true""#));
}

/// "Did you mean" leaves out a name another field already holds: choosing it only
/// made a duplicate (422, "already artist 1").
#[tokio::test]
async fn did_you_mean_leaves_out_the_names_already_chosen() {
    let app = fixture_app().await;
    for (url, field) in [
        ("/artists/compare?artist=Beyonc%C3%A9&artist=Beyonse", 1),
        ("/artists/compare?artist=Beyonse&artist=Beyonc%C3%A9", 2),
    ] {
        let page = get(&app, url).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{url}");
        assert!(page.body.contains("No artist called “Beyonse”"), "{url}");
        assert!(
            !page
                .body
                .contains(r#"artist=Beyonc%C3%A9&amp;artist=Beyonc%C3%A9""#),
            "{url}: {}",
            page.body
        );
        // Not taken for a second Beyoncé: said to be close to the one already chosen,
        // where it had said that no name was close.
        assert!(!page.body.contains("can appear only once"), "{url}");
        let said = format!("the closest name, Beyoncé, is already artist {field}.");
        assert!(page.body.contains(&said), "{url}: {said}");
    }
    // Alone, the same typo is still offered the name.
    let page = get(&app, "/artists/compare?artist=Beyonse&artist=Abba").await;
    assert!(page
        .body
        .contains(r#"artist=Beyonc%C3%A9&amp;artist=Abba""#));
}

/// After the Compare button's swap, app.js puts the keyboard on the element marked
/// `data-refocus`: the first field with a problem, or the comparison's heading.
#[tokio::test]
async fn a_compare_answer_names_where_the_keyboard_goes() {
    let app = fixture_app().await;
    let failed = get_htmx(&app, "/artists/compare?artist=Abba&artist=Beyonse", None).await;
    assert_eq!(
        failed.body.matches("data-refocus").count(),
        1,
        "{}",
        failed.body
    );
    let marked = failed.body.split("data-refocus").next().unwrap_or_default();
    let input = &marked[marked.rfind("<input").expect("an input")..];
    assert!(input.contains(r#"id="compare-artist-2""#), "{input}");

    let done = get_htmx(&app, "/artists/compare?artist=Abba&artist=Beyonce", None).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body.contains(
            r#"<h2 id="compare-result-title" class="compare-result-title" tabindex="-1" data-refocus><bdi>Abba</bdi> and <bdi>Beyoncé</bdi> against the catalog average</h2>"#
        ),
        "{}",
        done.body
    );
}

#[tokio::test]
async fn ambiguous_names_get_a_404_listing_the_candidates() {
    let app = fixture_app().await;
    let page = get(&app, "/artists/compare?artist=Amelie&artist=Abba").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("matches more than one artist"));
    assert!(page.body.contains(">Amélie</a>"));
    assert!(page.body.contains(">Amelié</a>"));
    // An exact spelling is not ambiguous.
    let exact = get(&app, "/artists/compare?artist=am%C3%A9lie&artist=Abba").await;
    assert_eq!(exact.status, StatusCode::OK);
    assert!(exact.body.contains("rest on only 1 track"));
}

#[tokio::test]
async fn one_artist_five_artists_and_duplicates_get_clear_422s() {
    let app = fixture_app().await;
    let one = get(&app, "/artists/compare?artist=Abba&artist=").await;
    assert_eq!(one.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(one.body.contains("Enter one more artist"));
    // Compare pressed before typing a name is said too, not answered with the form
    // as it started; the starting form itself says nothing.
    for path in [
        "/artists/compare?artist=&artist=",
        "/genres/compare?genre=&genre=",
    ] {
        let none = get(&app, path).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(none.body.contains("Enter at least two"), "{}", none.body);
        assert!(none.body.contains("data-refocus"), "{}", none.body);
    }
    // Neither does the starting form, nor the address "Add" pushes on it, reloaded.
    for path in [
        "/artists/compare",
        "/artists/compare?artist=&artist=&artist=",
    ] {
        let start = get(&app, path).await;
        assert_eq!(start.status, StatusCode::OK, "{path}");
        assert!(!start.body.contains("Enter at least two"), "{}", start.body);
    }

    let five = get(
        &app,
        "/artists/compare?artist=Abba&artist=Air&artist=Bj%C3%B6rk&artist=Beyonc%C3%A9&artist=The+Beatles",
    )
    .await;
    assert_eq!(five.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(five.body.contains("at most 4 artists"));
    assert!(five.body.contains("you entered 5"));

    let twice = get(&app, "/artists/compare?artist=Beyonc%C3%A9&artist=BEYONCE").await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("Beyoncé is already artist 1"));
}

#[tokio::test]
async fn fields_are_added_and_removed_without_leaving_the_page() {
    let app = fixture_app().await;
    // "Add artist" with one name typed is not an error: it opens a field.
    let added = get_htmx(
        &app,
        "/artists/compare?artist=Abba&artist=&add=1",
        Some("compare"),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(added.body.matches(r#"name="artist""#).count(), 3);
    assert_eq!(
        added.header("hx-push-url"),
        Some("/artists/compare?artist=Abba&artist=&artist=")
    );
    // The keyboard goes to the new field (the third), with JavaScript or without.
    let autofocused = |body: &str| {
        body.split("<input")
            .filter(|i| i.contains(r#"name="artist""#))
            .map(|i| {
                i.split('>')
                    .next()
                    .unwrap_or_default()
                    .contains("autofocus")
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(autofocused(&added.body), [false, false, true]);
    let page = get(&app, "/artists/compare?artist=Abba&add=1").await;
    assert_eq!(autofocused(&page.body), [false, true]);
    let plain = get(&app, "/artists/compare?artist=Abba&artist=").await;
    assert_eq!(autofocused(&plain.body), [false, false]);
    // Four fields: no "Add artist" button.
    let four = get(
        &app,
        "/artists/compare?artist=Abba&artist=Air&artist=&artist=&add=1",
    )
    .await;
    assert_eq!(four.body.matches(r#"name="artist""#).count(), 4);
    assert!(!four.body.contains(r#"name="add""#));
    // Removing the third of three fields compares the other two.
    let removed = get(
        &app,
        "/artists/compare?artist=Abba&artist=Air&artist=Hunter&remove=3",
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body.matches(r#"name="artist""#).count(), 2);
    assert!(removed.body.contains("compare-chart"));
    // The empty form is a plain 200 with an explanation.
    let empty = get(&app, "/artists/compare").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Type two to four artist names"));
}

// --- artist page ----------------------------------------------------------------------

#[tokio::test]
async fn artist_page_shows_profile_tracks_spread_and_similar_artists() {
    let app = fixture_app().await;
    let id = artist_id(&app, "Björk");
    let page = get(&app, &format!("/artists/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.is_full_page());
    assert!(page.body.contains("<h1 class=\"artist-name\">Björk</h1>"));
    assert!(page.body.contains("1995–2001"));
    // Popularity says its scale, in the facts line and the column's heading.
    assert!(
        page.body.contains(" · average popularity ") && page.body.contains(" of 100 (catalog "),
        "{}",
        page.body
    );
    assert!(page.body.contains("Popularity (0–100)"));
    let compared = get(&app, "/artists/compare?artist=Bj%C3%B6rk&artist=Abba").await;
    assert!(
        compared.body.contains("Average popularity (0–100)"),
        "{}",
        compared.body
    );
    assert!(page.body.contains(
        r#"<a href="/genres/art%20pop">art pop</a> (3), <a href="/genres/electronic">electronic</a> (3)"#
    ));
    // Most popular first by default.
    let hyper = page.body.find("Hyperballad").unwrap();
    let army = page.body.find("Army of Me").unwrap();
    assert!(hyper < army);
    // Spread: Björk's energy values 0.6 0.8 0.5 0.6 0.4 0.5 -> min 0.4, median 0.55, max 0.8.
    let spread = page.chart("artist-spread-chart");
    assert_eq!(spread["xAxis"]["data"][1], "Energy");
    assert_eq!(
        spread["series"][0]["data"][1],
        serde_json::json!([0.4, 0.5, 0.55, 0.6, 0.8])
    );
    // The boxes are a see-through green with a green outline in either theme (ECharts'
    // default is solid white, a glare on the dark card), and the text names them by
    // what they are in both the chart and the table, not by a shade.
    let style = &spread["series"][0]["itemStyle"];
    assert_eq!(style["color"], "rgba(29, 185, 84, 0.3)");
    assert_eq!(style["borderColor"], "#1db954");
    assert!(!page.body.contains("the dark part"));
    assert!(page
        .body
        .contains("(the box in the chart, the solid part of each bar in the table)"));
    // Similar artists link to their page and to a comparison with Björk.
    assert!(page.body.contains("Similar artists"));
    assert!(page.body.contains("Typical difference"));
    assert!(page
        .body
        .contains("(root mean square, each on a 0–1 scale)"));
    assert!(page
        .body
        .contains("/artists/compare?artist=Bj%C3%B6rk&amp;artist="));
}

/// Sound alone had put Chayanne (Latin pop) beside Queen: the nearest artists of the
/// same main genre come first, and each says its genre.
#[tokio::test]
async fn similar_artists_of_the_same_main_genre_come_first() {
    const BASE: Values = [0.5, 0.6, 0.2, 0.1, 0.5, 0.05, 0.15, 120.0, -7.0];
    const fn energy(e: f64) -> Values {
        let mut v = BASE;
        v[1] = e;
        v
    }
    const TRACKS: &[Fixture] = &[
        t("R1", &["Rockers"], "rock", 1990, None, energy(0.60)),
        t("R2", &["Rockers"], "rock", 1991, None, energy(0.60)),
        t("R3", &["Rockers"], "rock", 1992, None, energy(0.60)),
        t("P1", &["Near Pop"], "pop", 1990, None, energy(0.62)),
        t("P2", &["Near Pop"], "pop", 1991, None, energy(0.62)),
        t("P3", &["Near Pop"], "pop", 1992, None, energy(0.62)),
        t("F1", &["Far Rock"], "rock", 1990, None, energy(0.90)),
        t("F2", &["Far Rock"], "rock", 1991, None, energy(0.90)),
        t("F3", &["Far Rock"], "pop", 1992, None, energy(0.90)),
    ];
    let app = app_with(TRACKS).await;
    let page = get(&app, &format!("/artists/{}", artist_id(&app, "Rockers"))).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("Artists whose main genre is also rock come first."),
        "{text}"
    );
    let far = text
        .find("Far Rock · rock · 3 tracks")
        .expect("Far Rock, rock");
    let near = text
        .find("Near Pop · pop · 3 tracks")
        .expect("Near Pop, pop");
    assert!(far < near, "{text}");
    // Each comparison link names its pair, for a screen reader's list of links.
    assert!(
        page.body
            .contains(r#"Compare <span class="visually-hidden">Far Rock </span>with Rockers</a>"#),
        "{}",
        page.body
    );
    // Near Pop's own list: no artist shares pop as a main genre, so sound decides.
    let pop = get(&app, &format!("/artists/{}", artist_id(&app, "Near Pop"))).await;
    let text = pop.text();
    let rockers = text.find("Rockers · rock").expect("Rockers");
    let far = text.find("Far Rock · rock").expect("Far Rock");
    assert!(rockers < far, "{text}");
}

#[tokio::test]
async fn artist_tracks_sort_and_paginate_through_the_url() {
    let app = fixture_app().await;
    let id = artist_id(&app, "The Beatles");
    let by_tempo = get(&app, &format!("/artists/{id}?sort=tempo&dir=asc")).await;
    assert_eq!(by_tempo.status, StatusCode::OK);
    let something = by_tempo.body.find("Something").unwrap();
    let help = by_tempo.body.find("Help!").unwrap();
    assert!(something < help, "66 BPM before 95 BPM");
    assert!(by_tempo.body.contains(r#"aria-sort="ascending""#));
    // A new "Sort by" in the form starts in its usual order, whatever "Order" it sends.
    let by_name = get(
        &app,
        &format!("/artists/{id}?sort=name&dir=desc&shown_sort=tempo"),
    )
    .await;
    assert!(
        by_name.body.contains("sorted by title, A to Z"),
        "{}",
        by_name.body
    );
    let reversed = get(
        &app,
        &format!("/artists/{id}?sort=name&dir=desc&shown_sort=name"),
    )
    .await;
    assert!(
        reversed.body.contains("sorted by title, Z to A"),
        "{}",
        reversed.body
    );
    // "Order" changed along with "Sort by" is the user's choice: "Year" and
    // "Ascending" together had given newest first.
    let both = get(
        &app,
        &format!("/artists/{id}?sort=year&dir=asc&shown_sort=popularity&shown_dir=desc"),
    )
    .await;
    assert!(
        both.body.contains("sorted by year, oldest first"),
        "{}",
        both.body
    );
    let kept = get(
        &app,
        &format!("/artists/{id}?sort=year&dir=desc&shown_sort=popularity&shown_dir=desc"),
    )
    .await;
    assert!(
        kept.body.contains("sorted by year, newest first"),
        "{}",
        kept.body
    );
    assert!(
        kept.body.contains(r#"name="shown_dir" value="desc""#),
        "{}",
        kept.body
    );
    // The sort form and the list swap alone for htmx, targeted at the list.
    let fragment = get_htmx(
        &app,
        &format!("/artists/{id}?sort=year"),
        Some("artist-tracks"),
    )
    .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment.body.starts_with(r#"<section id="artist-tracks""#));
    assert!(!fragment.body.contains("Similar artists"));
    let let_it_be = fragment.body.find("Let It Be").unwrap();
    let yesterday = fragment.body.find("Yesterday").unwrap();
    assert!(let_it_be < yesterday, "1970 before 1965, newest first");
}

#[tokio::test]
async fn bad_artist_urls_get_clear_4xx_never_500() {
    let app = fixture_app().await;
    let id = artist_id(&app, "Abba");
    let cases = [
        (
            "/artists/abc".to_string(),
            StatusCode::BAD_REQUEST,
            "not an artist id",
        ),
        (
            "/artists/999999".to_string(),
            StatusCode::NOT_FOUND,
            "no artist with id 999999",
        ),
        (
            format!("/artists/{id}?page=-1"),
            StatusCode::BAD_REQUEST,
            "not a page number",
        ),
        (
            format!("/artists/{id}?page=0"),
            StatusCode::BAD_REQUEST,
            "numbered from 1",
        ),
        (
            format!("/artists/{id}?page=2"),
            StatusCode::NOT_FOUND,
            "only page 1",
        ),
        (
            format!("/artists/{id}?sort=colour"),
            StatusCode::BAD_REQUEST,
            "cannot be sorted by",
        ),
        (
            format!("/artists/{id}?dir=sideways"),
            StatusCode::BAD_REQUEST,
            "sort direction",
        ),
        (
            "/artists/compare?artist=Abba&remove=7".to_string(),
            StatusCode::BAD_REQUEST,
            "does not name an artist field; the only field is 1.",
        ),
        (
            "/artists/compare?artist=Abba&artist=Air&remove=0".to_string(),
            StatusCode::BAD_REQUEST,
            "fields are numbered 1 to 2.",
        ),
        // How many to list, as `page=` is read: not silently 10.
        (
            "/artists?q=a&shown=abc".to_string(),
            StatusCode::BAD_REQUEST,
            "shown=abc is not a number of artists to list",
        ),
        (
            "/artists?q=a&shown=-1".to_string(),
            StatusCode::BAD_REQUEST,
            "shown=-1 is not a number",
        ),
        (
            "/artists?q=a&shown=30.5".to_string(),
            StatusCode::BAD_REQUEST,
            "shown=30.5 is not a number",
        ),
        (
            "/artists.csv?q=a&shown=0".to_string(),
            StatusCode::BAD_REQUEST,
            "shown=0 is not a number",
        ),
        // With no field at all there is no range to give ("1 to 0").
        (
            "/artists/compare?remove=1".to_string(),
            StatusCode::BAD_REQUEST,
            "does not name an artist field: the form sent none.",
        ),
        (
            "/genres/compare?remove=1".to_string(),
            StatusCode::BAD_REQUEST,
            "does not name a genre field: the form sent none.",
        ),
    ];
    for (url, status, message) in cases {
        let resp = get(&app, &url).await;
        assert_eq!(resp.status, status, "{url}");
        assert!(resp.body.contains(message), "{url}: {}", resp.body);
    }
}

#[tokio::test]
async fn an_empty_catalog_still_answers() {
    let app = empty_app();
    let search = get(&app, "/artists?q=anything").await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(search.body.contains("No artist matches"));
    let compare = get(&app, "/artists/compare?artist=A&artist=B").await;
    assert_eq!(compare.status, StatusCode::NOT_FOUND);
}

/// Top genres are kept per catalog version: an import that changes them shows at once.
#[tokio::test]
async fn compare_shows_the_genres_of_the_current_catalog() {
    let app = fixture_app().await;
    let url = "/artists/compare?artist=Abba&artist=Air";
    let before = get(&app, url).await;
    assert_eq!(before.status, StatusCode::OK);
    let pop = r#"<td><a href="/genres/pop">pop</a> (1)</td>"#;
    assert!(before.body.contains(pop), "{}", before.body);
    assert!(get(&app, url).await.body.contains(pop), "kept");
    {
        let mut conn = app.state.pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for name in ["Gimme! Gimme! Gimme!", "Voulez-Vous"] {
                let track = new_track(&t(
                    name,
                    &["Abba"],
                    "disco",
                    1979,
                    Some(70),
                    [0.7, 0.8, 0.2, 0.0, 0.8, 0.05, 0.1, 120.0, -6.0],
                ));
                writer.write_keyed(conn, track.clone(), TrackKeys::of(&track))?;
            }
            writer.finish(conn, SourceKind::Import, "more.csv", 1_700_000_100)?;
            Ok(())
        })
        .expect("write more");
    }
    assert!(app.state.refresh_catalog().await.expect("refresh"));
    let after = get(&app, url).await;
    assert!(
        after.body.contains(
            r#"<td><a href="/genres/disco">disco</a> (2), <a href="/genres/pop">pop</a> (1)</td>"#
        ),
        "{}",
        after.body
    );
}

/// One address per artist page: other spellings of the id are sent on to it, with
/// their query; what is not an id is refused without control characters in the page.
#[tokio::test]
async fn an_artist_page_has_one_address() {
    let app = fixture_app().await;
    let id = artist_id(&app, "Björk");
    for spelling in [format!("+{id}"), format!("0{id}"), format!("{id}%20")] {
        let answer = get(&app, &format!("/artists/{spelling}?sort=year")).await;
        assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT, "{spelling}");
        assert_eq!(
            answer.header("location"),
            Some(format!("/artists/{id}?sort=year").as_str()),
            "{spelling}"
        );
    }
    assert_eq!(
        get(&app, &format!("/artists/{id}")).await.status,
        StatusCode::OK
    );
    let bad = get(&app, "/artists/a%00b%1B").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        !bad.body
            .chars()
            .any(|c| c.is_control() && !"\n\r\t".contains(c)),
        "a control character in the page"
    );
    assert!(
        bad.body
            .contains("“a\u{FFFD}b\u{FFFD}” is not an artist id"),
        "{}",
        bad.body
    );
}

/// More than ten artists match: the page lists ten and offers ten more at a time, up
/// to a hundred, by a plain link that htmx also follows in place.
#[tokio::test]
async fn a_search_with_many_matches_shows_more_on_request() {
    let app = common::demo::demo_app();
    let items = |body: &str| body.matches("<li data-value=").count();
    let first = get(&app, "/artists?q=a").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(items(&first.body), 10);
    assert!(first.body.contains("The 10 best matches for “a”."));
    assert!(
        first
            .body
            .contains(r#"href="/artists?q=a&amp;shown=20#artist-first-added""#)
            && first.body.contains(r#"hx-get="/artists?q=a&amp;shown=20""#)
            && first.body.contains("Show 10 more"),
        "{}",
        first.body
    );
    assert!(!first.body.contains(r#"id="artist-first-added""#));
    let second = get(&app, "/artists?q=a&shown=20").await;
    assert_eq!(items(&second.body), 20);
    // Without JavaScript the link lands on the first name it added, the 11th.
    let marked = second
        .body
        .find(r#"id="artist-first-added""#)
        .expect("the first added marked");
    assert_eq!(second.body[..marked].matches("<li data-value=").count(), 11);
    assert!(second.body.contains("shown=30"));
    assert!(second
        .body
        .contains(r#"href="/artists.csv?q=a&amp;shown=20""#));
    // In place, with the address following.
    let swapped = get_htmx(&app, "/artists?q=a&shown=20", Some("artist-results")).await;
    assert_eq!(items(&swapped.body), 20);
    assert_eq!(
        swapped.header("hx-replace-url"),
        Some("/artists?q=a&shown=20")
    );
    // Asked for by "Show 10 more" itself, the step is a new history entry, as its plain
    // link is: Back had left the search altogether.
    assert!(
        second.body.contains(r#"id="artist-show-more""#),
        "{}",
        second.body
    );
    let mut req = app
        .client
        .get("/artists?q=a&shown=20")
        .header("HX-Request", "true")
        .header("HX-Target", "artist-results")
        .header("HX-Trigger", "artist-show-more");
    req = req.header("HX-Current-URL", "http://localhost/artists?q=a");
    let stepped = answer(req.send().await).await;
    assert_eq!(stepped.header("hx-push-url"), Some("/artists?q=a&shown=20"));
    assert!(stepped.header("hx-replace-url").is_none());
    // At most a hundred; a count between steps rounds up to the next; what is not a
    // whole number from 1 is refused (as `page=` is), not read as the first ten.
    let most = get(&app, "/artists?q=a&shown=5000").await;
    assert_eq!(items(&most.body), 100);
    assert!(most.body.contains("type more of the name"), "{}", most.body);
    assert_eq!(items(&get(&app, "/artists?q=a&shown=15").await.body), 20);
    assert_eq!(items(&get(&app, "/artists?q=a&shown=").await.body), 10);
    for odd in ["abc", "-3", "0", "15.5"] {
        let page = get(&app, &format!("/artists?q=a&shown={odd}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{odd}");
        assert!(page.body.contains("is not a number of artists"), "{odd}");
    }
}

/// An artist whose genres tie for the most tracks (one each in edm and latin) has
/// both as main genres: the nearest artist by sound, in latin, comes first. The first
/// tied genre by name had decided, and the nearest came after farther edm artists.
#[tokio::test]
async fn tied_main_genres_all_count_for_similar_artists() {
    let app = empty_app();
    let song = |id: &str, artist: &str, genre: &str, level: f64| {
        let mut t = common::fixtures::track(id, &format!("{artist} {id}"), &[artist], level);
        t.genres = vec![insights_hub::catalog::GenreTag::new(genre)];
        t
    };
    let mut tracks = vec![
        song("cap0000000000000000001", "Capo", "edm", 0.50),
        song("cap0000000000000000002", "Capo", "latin", 0.50),
    ];
    for n in 0..3 {
        tracks.push(song(
            &format!("near00000000000000000{n}"),
            "Near Latin",
            "latin",
            0.51,
        ));
        tracks.push(song(
            &format!("far000000000000000000{n}"),
            "Far Edm",
            "edm",
            0.60,
        ));
        tracks.push(song(
            &format!("rock00000000000000000{n}"),
            "Rocker",
            "rock",
            0.505,
        ));
    }
    // A neighbour's ties count alike: six genres of two tracks each, latin the last
    // by name, share latin (only its first by name had been read, then its first
    // three, and it came after Rocker).
    for n in 0..2 {
        for genre in ["ambient", "blues", "country", "folk", "jazz", "latin"] {
            tracks.push(song(
                &format!("mix{genre:0>8}0000000000{n}"),
                "Mixed",
                genre,
                0.55,
            ));
        }
    }
    common::fixtures::load(&app.state, "ties", tracks).await;
    let page = get(&app, &format!("/artists/{}", artist_id(&app, "Capo"))).await;
    let similar = &page.body[page.body.find("Similar artists").expect("the section")..];
    let near = similar.find(">Near Latin<").expect("Near Latin");
    let mixed = similar.find(">Mixed<").expect("Mixed");
    let far = similar.find(">Far Edm<").expect("Far Edm");
    let rocker = similar.find(">Rocker<").expect("Rocker");
    assert!(near < mixed && mixed < far && far < rocker, "{similar}");
    // It is labelled with the genre it shares, not its first by name.
    assert!(similar.contains(">Mixed</a> · latin · "), "{similar}");
    assert!(
        similar.contains("main genre is also edm or latin"),
        "{similar}"
    );
    // Its own page names five of its six genres and counts the sixth.
    let mixed = get(&app, &format!("/artists/{}", artist_id(&app, "Mixed"))).await;
    assert!(
        mixed.body.contains(">jazz</a> (2) and 1 more genre"),
        "{}",
        mixed.body
    );
}

/// Two compared artists with the same averages are said to be so: on the radar one's
/// shape lies on the other's, and the second artist looked missing.
#[tokio::test]
async fn compared_artists_with_the_same_averages_are_said_to_overlap() {
    let app = empty_app();
    let tracks = vec![
        common::fixtures::track("twin00000000000000a", "Left", &["Twin A"], 0.5),
        common::fixtures::track("twin00000000000000b", "Right", &["Twin B"], 0.5),
        common::fixtures::track("other0000000000000c", "Loud", &["Other"], 0.9),
    ];
    common::fixtures::load(&app.state, "twins", tracks).await;
    let page = get(
        &app,
        "/artists/compare?artist=Twin+A&artist=Twin+B&artist=Other&view=radar",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body.matches("class=\"notice same-profile\"").count(),
        1,
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "<bdi>Twin A</bdi> and <bdi>Twin B</bdi> have the same averages on these features"
        ),
        "{}",
        page.body
    );
}

/// Eleven artists match: the page lists ten, says how many match, and its link offers
/// the one more there is ("Show 10 more" had led to one artist).
#[tokio::test]
async fn show_more_says_how_many_it_adds() {
    let app = empty_app();
    let tracks = (1..=11)
        .map(|n| {
            let id = format!("echo{n:018}");
            common::fixtures::track(&id, &format!("Song {n}"), &[&format!("Echo {n}")], 0.5)
        })
        .collect();
    common::fixtures::load(&app.state, "echoes", tracks).await;
    let items = |body: &str| body.matches("<li data-value=").count();
    let first = get(&app, "/artists?q=echo").await;
    assert_eq!(items(&first.body), 10);
    let text = &first.body;
    assert!(
        text.contains("The 10 best of 11 matches for “echo”."),
        "{text}"
    );
    assert!(text.contains("Show 1 more"), "{text}");
    let all = get(&app, "/artists?q=echo&shown=20").await;
    assert_eq!(items(&all.body), 11);
    let text = &all.body;
    assert!(text.contains("11 artists match “echo”."), "{text}");
    assert!(
        !text.contains("more</a>") && !text.contains("There are more"),
        "{text}"
    );
}

/// A track listed under several genres shows each of them in the artist's track table
/// and its CSV, the first the file named first, as the header's genre counts count it
/// under each (`tracks.genre` holds the first only).
#[tokio::test]
async fn a_track_shows_every_genre_it_is_listed_under() {
    use insights_hub::catalog::GenreTag;
    let app = empty_app();
    let tag = |genre: &str, subgenre: Option<&str>| GenreTag {
        genre: genre.to_string(),
        subgenre: subgenre.map(str::to_string),
    };
    let mut shape = common::fixtures::track("shape00000000000000001", "Shape", &["Ed"], 0.5);
    shape.genres = vec![
        tag("pop", Some("dance pop")),
        tag("r&b", None),
        tag("edm", None),
    ];
    let mut plain = common::fixtures::track("plain00000000000000001", "Plain", &["Ed"], 0.4);
    plain.genres = vec![tag("rock", None)];
    let solo = common::fixtures::track("solo000000000000000001", "Solo", &["Uno"], 0.3);
    common::fixtures::load(&app.state, "genres.csv", vec![shape, plain, solo]).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let id = artist_id(&app, "Ed");
    let page = get(&app, &format!("/artists/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(">pop, edm, r&amp;b</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">rock</td>"));
    assert!(!page.body.contains("dance pop</td>"), "subgenres stay out");
    let csv = get(&app, &format!("/artists/{id}/tracks.csv")).await;
    assert!(csv.body.contains(",\"pop, edm, r&b\","), "{}", csv.body);
    // Two tracks have no spread to show (their quartiles are points between them that
    // neither is at), and one has none either: the pages do not pretend they do.
    assert!(
        !page.body.contains("How their tracks spread"),
        "{}",
        page.body
    );
    let solo = get(&app, &format!("/artists/{}", artist_id(&app, "Uno"))).await;
    assert_eq!(solo.status, StatusCode::OK);
    assert!(
        !solo.body.contains("How their tracks spread"),
        "{}",
        solo.body
    );
}

/// A catalog of one track by one artist reads in the singular everywhere it counts them.
#[tokio::test]
async fn a_one_track_catalog_is_counted_in_the_singular() {
    let app = empty_app();
    let only = common::fixtures::track("only000000000000000001", "Only", &["Uno"], 0.3);
    common::fixtures::load(&app.state, "one.csv", vec![only]).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let search = get(&app, "/artists").await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(
        search.body.contains("Search 1 artist by name"),
        "{}",
        search.body
    );
    assert!(
        search.body.contains("one.csv</strong>, 1 track, imported"),
        "{}",
        search.body
    );
    let id = artist_id(&app, "Uno");
    let page = get(&app, &format!("/artists/{id}")).await;
    assert!(
        page.body
            .contains("beside the catalog's average over 1 track."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("1 tracks") && !page.body.contains("1 artists"));
}

/// "A to Z" is the order people read titles in: case and accents aside, not SQLite's
/// byte order (capitals first, accented letters after "z").
#[tokio::test]
async fn titles_sorted_a_to_z_mind_neither_case_nor_accents() {
    let app = empty_app();
    let titles = [
        "Zulu",
        "apple",
        "\u{c9}clair",
        "Banana",
        "zeta",
        "\u{c4}rger",
        // Ties of punctuation and case, which PostgreSQL's ICU collation broke otherwise
        // than SQLite: the same order on both backends, `folded_order`'s.
        "Dare You - Radio Edit",
        "Dare You (feat. Matthew Koma) - Radio Edit",
        "Stop The Madness",
        "Stop the Madness",
    ];
    let catalog = titles
        .iter()
        .enumerate()
        .map(|(i, title)| common::fixtures::track(&format!("sort{i:018}"), title, &["Ann"], 0.5))
        .collect();
    common::fixtures::load(&app.state, "sort.csv", catalog).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let id = artist_id(&app, "Ann");
    let expected = [
        "apple",
        "\u{c4}rger",
        "Banana",
        "Dare You (feat. Matthew Koma) - Radio Edit",
        "Dare You - Radio Edit",
        "\u{c9}clair",
        "Stop The Madness",
        "Stop the Madness",
        "zeta",
        "Zulu",
    ];
    let mut by_rust = titles.to_vec();
    by_rust.sort_by(|a, b| insights_hub::db::folded_text::folded_order(a, b));
    assert_eq!(by_rust, expected);
    for path in [
        format!("/artists/{id}?sort=name&dir=asc"),
        format!("/artists/{id}/tracks.csv?sort=name&dir=asc"),
    ] {
        let body = get(&app, &path).await.body;
        let mut at: Vec<(usize, &str)> = expected
            .iter()
            .map(|t| (body.find(t).unwrap_or_else(|| panic!("{t} in {path}")), *t))
            .collect();
        at.sort();
        let order: Vec<&str> = at.iter().map(|(_, t)| *t).collect();
        assert_eq!(order, expected, "{path}");
    }
}

/// A catalog without popularity opens an artist's tracks newest first, not "sorted by
/// popularity, highest first" over tracks in no such order; its CSV comes the same way.
#[tokio::test]
async fn without_popularity_an_artist_opens_newest_first() {
    let app = empty_app();
    let catalog = [(1990, "Song1990"), (2020, "Song2020"), (2005, "Song2005")]
        .iter()
        .enumerate()
        .map(|(i, (year, title))| {
            let mut t = common::fixtures::track(&format!("year{i:018}"), title, &["Ann"], 0.5);
            t.popularity = None;
            t.release_year = Some(*year);
            t
        })
        .collect();
    common::fixtures::load(&app.state, "years.csv", catalog).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let id = artist_id(&app, "Ann");
    for path in [
        format!("/artists/{id}"),
        format!("/artists/{id}/tracks.csv"),
    ] {
        let body = get(&app, &path).await.body;
        let at = |t: &str| body.find(t).unwrap_or_else(|| panic!("{t} in {path}"));
        assert!(
            at("Song2020") < at("Song2005") && at("Song2005") < at("Song1990"),
            "{path}"
        );
        assert!(!body.contains("highest first"), "{path}");
    }
    let page = get(&app, &format!("/artists/{id}")).await;
    assert!(page.body.contains("newest first"), "{}", page.body);
    // No popularity to sort by or to show; the genres the tracks have stay.
    assert!(
        !page.body.contains(r#"value="popularity""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"data-label="popularity""#));
    assert!(page.body.contains(r#"<th scope="col">Genre</th>"#));
}

/// With one artist in the catalog there is no one to compare them with: neither the
/// home page nor the artist's page offers a comparison, which could only answer that
/// it needs two. A second artist brings both back.
#[tokio::test]
async fn a_comparison_is_offered_once_there_are_two_artists() {
    let app = empty_app();
    let solo = common::fixtures::track("solo000000000000000001", "Alone", &["Solo"], 0.5);
    common::fixtures::load(&app.state, "solo", vec![solo.clone()]).await;
    let id = artist_id(&app, "Solo");
    let home = get(&app, "/").await;
    assert!(
        !home.body.contains(r#"href="/artists/compare""#),
        "{}",
        home.body
    );
    let page = get(&app, &format!("/artists/{id}")).await;
    assert!(!page.body.contains("Compare Solo with"), "{}", page.body);
    let other = common::fixtures::track("duet000000000000000001", "Together", &["Duo"], 0.7);
    common::fixtures::load(&app.state, "two", vec![solo, other]).await;
    let id = artist_id(&app, "Solo");
    assert!(get(&app, "/")
        .await
        .body
        .contains(r#"href="/artists/compare""#));
    let page = get(&app, &format!("/artists/{id}")).await;
    assert!(page.body.contains("Compare Solo with…"), "{}", page.body);
}

/// "Names that start with what you type come first", as the search box's hint says, for
/// a query of several words too: The Beatles for `the be` before The Cranberries, which
/// has more tracks and starts with "the" only.
#[tokio::test]
async fn names_starting_with_the_whole_query_come_first() {
    let app = empty_app();
    let mut tracks = Vec::new();
    for (artist, count) in [
        ("The Cranberries", 3),
        ("The Beatles", 1),
        ("Bee Gees The", 5),
    ] {
        for n in 0..count {
            let id = format!("whole{:016}", tracks.len());
            tracks.push(common::fixtures::track(
                &id,
                &format!("{artist} {n}"),
                &[artist],
                0.5,
            ));
        }
    }
    common::fixtures::load(&app.state, "whole query", tracks).await;
    let page = get(&app, "/artists?q=the+be").await;
    let at = |name: &str| page.body.find(&format!(">{name}<")).expect(name);
    assert!(
        at("The Beatles") < at("The Cranberries") && at("The Cranberries") < at("Bee Gees The"),
        "{}",
        page.body
    );
}
