//! "Download CSV" under every table of results, through the real router: the link is
//! on the page, the file holds the page's rows (RFC 4180, UTF-8, a header row), cells a
//! spreadsheet would run are defused, and bad requests get the page's error status.

mod common;

use common::{
    auth::{Browser, Page, GOOD_PASSWORD},
    empty_app,
    fixtures::{self, track},
    TestApp,
};
use poem::http::StatusCode;

/// A catalog whose names need quoting or defusing in a CSV file.
async fn catalog() -> TestApp {
    let app = empty_app();
    let mut tracks = vec![
        track("a1", "Say \"Hi\", Again", &["Comma, The Band"], 0.2),
        track("a2", "Second", &["Comma, The Band"], 0.4),
        track("f1", "=HYPERLINK(\"http://evil\")", &["=SUM(1+1)"], 0.6),
        track("f2", "Plain", &["=SUM(1+1)"], 0.8),
    ];
    // One prolific artist: 25 tracks, more than one page of the artist's track list.
    for n in 0..25 {
        tracks.push(track(
            &format!("p{n:02}"),
            &format!("Song {n:02}"),
            &["Prolific"],
            0.3 + f64::from(n) * 0.01,
        ));
    }
    fixtures::load(&app.state, "csv.csv", tracks).await;
    TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    }
}

/// The records of a CSV body, header first.
fn records(page: &Page) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(page.body.as_bytes());
    reader
        .records()
        .map(|r| r.expect("valid CSV").iter().map(String::from).collect())
        .collect()
}

/// The href of the page's "Download CSV" link (HTML-unescaped).
fn download_href(page: &Page) -> String {
    let at = page
        .body
        .find(">Download CSV<")
        .unwrap_or_else(|| panic!("no Download CSV link in:\n{}", page.body));
    let start = page.body[..at].rfind("href=\"").expect("href") + 6;
    let end = page.body[start..].find('"').expect("end of href") + start;
    page.body[start..end].replace("&amp;", "&")
}

fn assert_is_csv_download(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = page.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(page.body.ends_with("\r\n"), "CRLF line ends");
    assert_eq!(page.header("cache-control"), Some("private, no-cache"));
}

fn column(records: &[Vec<String>], name: &str) -> Vec<String> {
    let at = records[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", records[0]));
    records[1..].iter().map(|r| r[at].clone()).collect()
}

#[tokio::test]
async fn the_comparison_downloads_its_artists_and_the_catalog_average() {
    let app = catalog().await;
    let mut browser = Browser::new();
    let page = browser
        .get(
            &app.client,
            "/artists/compare?artist=comma,+the+band&artist=Prolific",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let href = download_href(&page);
    assert!(href.starts_with("/artists/compare.csv?"), "{href}");
    let file = browser.get(&app.client, &href).await;
    assert_is_csv_download(&file);
    let rows = records(&file);
    assert_eq!(
        column(&rows, "artist"),
        ["Comma, The Band", "Prolific", "Catalog average"]
    );
    assert_eq!(column(&rows, "tracks"), ["2", "25", "29"]);
    // Comma, The Band: energy 0.2 and 0.4 → 0.3.
    assert_eq!(column(&rows, "avg_energy")[0], "0.3");
    assert!(
        file.body.contains("\"Comma, The Band\""),
        "quoted: {}",
        file.body
    );

    let unknown = browser
        .get(
            &app.client,
            "/artists/compare.csv?artist=Nobody+Here&artist=Prolific",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.body.contains("No artist called “Nobody Here”"),
        "{}",
        unknown.body
    );
    // A file has no links to offer: the close names are in the message.
    let close = browser
        .get(
            &app.client,
            "/artists/compare.csv?artist=Prolifik&artist=Comma,+The+Band",
        )
        .await;
    assert_eq!(close.status, StatusCode::NOT_FOUND);
    assert!(
        close
            .body
            .contains("Did you mean one of these? “Prolific”."),
        "{}",
        close.body
    );
    let one = browser
        .get(&app.client, "/artists/compare.csv?artist=Prolific")
        .await;
    assert_eq!(one.status, StatusCode::BAD_REQUEST);

    // Signed in: a download's address gets no CSRF token, so its error page offers no
    // "Log out" form that could only be refused (it had an empty token).
    let signed = browser.sign_up(&app.client, "csvuser", GOOD_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let unknown = browser
        .get(
            &app.client,
            "/artists/compare.csv?artist=Nobody+Here&artist=Prolific",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains(">csvuser</a>"), "{}", unknown.body);
    assert!(
        !unknown.body.contains(r#"name="csrf_token" value="""#),
        "{}",
        unknown.body
    );
}

#[tokio::test]
async fn an_artists_tracks_download_every_page_in_the_order_on_screen() {
    let app = catalog().await;
    let mut browser = Browser::new();
    let id = app
        .state
        .catalog()
        .artists
        .most_tracks(1)
        .first()
        .map(|a| a.id)
        .expect("an artist");
    let page = browser
        .get(&app.client, &format!("/artists/{id}?sort=name&dir=desc"))
        .await;
    assert!(page.body.contains("Page 1 of 2"), "{}", page.body);
    let href = download_href(&page);
    assert_eq!(href, format!("/artists/{id}/tracks.csv?sort=name&dir=desc"));
    let file = browser.get(&app.client, &href).await;
    assert_is_csv_download(&file);
    let titles = column(&records(&file), "title");
    assert_eq!(titles.len(), 25, "all pages");
    // Each row names its track as the dataset and the API do.
    let ids = column(&records(&file), "spotify_id");
    assert_eq!(
        (ids[0].as_str(), ids[24].as_str()),
        ("p24", "p00"),
        "{ids:?}"
    );
    assert_eq!(titles[0], "Song 24");
    assert_eq!(titles[24], "Song 00");

    let bad = browser
        .get(
            &app.client,
            &format!("/artists/{id}/tracks.csv?sort=colour"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let missing = browser.get(&app.client, "/artists/99999/tracks.csv").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_results_download_the_listed_artists_with_formulas_defused() {
    let app = catalog().await;
    let mut browser = Browser::new();
    let page = browser.get(&app.client, "/artists?q=sum").await;
    let href = download_href(&page);
    assert_eq!(href, "/artists.csv?q=sum");
    let file = browser.get(&app.client, &href).await;
    assert_is_csv_download(&file);
    let rows = records(&file);
    assert_eq!(column(&rows, "artist"), ["'=SUM(1+1)"]);
    // Top genres, written as the comparison's file writes them.
    assert_eq!(column(&rows, "top_genres"), ["pop (2)"]);

    let all = browser.get(&app.client, "/artists.csv").await;
    assert_is_csv_download(&all);
    let rows = records(&all);
    let names = column(&rows, "artist");
    assert_eq!(
        names[0], "Prolific",
        "the most tracks first, as on the page"
    );
    assert_eq!(column(&rows, "top_genres")[0], "pop (25)");
    let compared = browser
        .get(
            &app.client,
            "/artists/compare.csv?artist=Prolific&artist=comma,+the+band",
        )
        .await;
    assert_eq!(
        column(&records(&compared), "top_genres")[0],
        "pop (25)",
        "the same cell in both files"
    );
}

#[tokio::test]
async fn perfect_song_results_download_for_the_same_settings() {
    let app = catalog().await;
    let mut browser = Browser::new();
    let signed = browser.sign_up(&app.client, "csvfan", GOOD_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let settings = "danceability=0.6&energy=0.6&acousticness=0.6&instrumentalness=0.6&valence=0.6";
    let page = browser
        .get(&app.client, &format!("/perfect-song?{settings}"))
        .await;
    let href = download_href(&page);
    assert!(href.starts_with("/perfect-song/results.csv?"), "{href}");
    let file = browser.get(&app.client, &href).await;
    assert_is_csv_download(&file);
    let rows = records(&file);
    let titles = column(&rows, "title");
    assert_eq!(
        titles[0], "'=HYPERLINK(\"http://evil\")",
        "defused, and the closest"
    );
    assert_eq!(column(&rows, "rank")[..3], ["1", "2", "3"]);
    assert_eq!(column(&rows, "target_energy")[0], "0.6");
    assert_eq!(column(&rows, "weight_energy")[0], "1");
    assert_eq!(column(&rows, "weight_tempo")[0], "0");
    assert_eq!(column(&rows, "metric")[0], "euclidean");
    assert_eq!(column(&rows, "chosen_among")[0], "the whole catalog");
    assert_eq!(column(&rows, "artists")[0], "'=SUM(1+1)");
    assert!(rows.len() > 2);

    // The filters in force travel with the file, in the page's words.
    let filtered = browser
        .get(
            &app.client,
            &format!("/perfect-song/results.csv?{settings}&genre=pop&metric=cosine"),
        )
        .await;
    assert_is_csv_download(&filtered);
    let rows = records(&filtered);
    assert!(!rows.is_empty());
    assert!(column(&rows, "chosen_among")
        .iter()
        .all(|among| among == "tracks in genre pop"));
    assert_eq!(column(&rows, "metric")[0], "cosine");

    let bad = browser
        .get(&app.client, "/perfect-song/results.csv?energy=7")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("no file"), "{}", bad.body);

    let mut stranger = Browser::new();
    let gate = stranger
        .get(
            &app.client,
            &format!("/perfect-song/results.csv?{settings}"),
        )
        .await;
    assert_ne!(
        gate.status,
        StatusCode::OK,
        "the results are for signed-in users"
    );
}

/// The index holds a loudness above 0 dB at the sliders' 0 dB (six TidyTuesday tracks
/// are louder). The page's bounds beyond the sliders hold by the stored values, as the
/// API's do, and its answer and file give the stored loudness, not 0.
#[tokio::test]
async fn perfect_song_bounds_beyond_the_sliders_hold_by_the_stored_values() {
    let app = empty_app();
    let with = |id: &str, name: &str, loudness: f64| {
        let mut t = track(id, name, &["Ann"], 0.5);
        t.features.loudness = loudness;
        t
    };
    let mut tracks = vec![
        with("loud1", "Loud", 1.275),
        with("loud2", "Louder", 2.5),
        with("edge1", "Edge", 0.0),
    ];
    for i in 0..4 {
        tracks.push(with(
            &format!("calm{i}"),
            &format!("Calm {i}"),
            -8.0 - f64::from(i),
        ));
    }
    fixtures::load(&app.state, "loud.csv", tracks).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = Browser::new();
    let signed = browser.sign_up(&app.client, "loudfan", GOOD_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let quiet = [
        "danceability",
        "energy",
        "acousticness",
        "instrumentalness",
        "valence",
    ]
    .map(|f| format!("{f}=0.5&w_{f}=0"))
    .join("&");
    let settings = format!("{quiet}&loudness=0&w_loudness=1&versions=all&k=10");
    let file_for = |bounds: &str| format!("/perfect-song/results.csv?{settings}&{bounds}");
    for (bounds, wanted) in [
        (
            "max_loudness=0",
            vec!["Edge", "Calm 0", "Calm 1", "Calm 2", "Calm 3"],
        ),
        ("min_loudness=1", vec!["Loud", "Louder"]),
        ("min_loudness=0.1&max_loudness=2", vec!["Loud"]),
        ("min_loudness=-8.5&max_loudness=0", vec!["Edge", "Calm 0"]),
    ] {
        let file = browser.get(&app.client, &file_for(bounds)).await;
        assert_is_csv_download(&file);
        let rows = records(&file);
        let mut titles = column(&rows, "title");
        titles.sort();
        let mut wanted: Vec<String> = wanted.into_iter().map(String::from).collect();
        wanted.sort();
        assert_eq!(titles, wanted, "{bounds}");
    }
    // The file and the page give the stored loudness.
    let file = browser.get(&app.client, &file_for("min_loudness=1")).await;
    let rows = records(&file);
    let loudness: Vec<(String, String)> = column(&rows, "title")
        .into_iter()
        .zip(column(&rows, "loudness"))
        .collect();
    assert!(
        loudness.contains(&("Louder".into(), "2.5".into())),
        "{loudness:?}"
    );
    assert!(
        loudness.contains(&("Loud".into(), "1.275".into())),
        "{loudness:?}"
    );
    let page = browser
        .get(
            &app.client,
            &format!("/perfect-song?{settings}&min_loudness=2"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Louder"), "{}", page.body);
    assert!(
        page.body
            .contains(r#"<span class="value">2.5 dB</span></td><td class="ps-diff">+2.5 dB</td>"#),
        "{}",
        page.body
    );
}
