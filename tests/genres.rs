//! Genres (issue 14) through the real router, over `tests/fixtures/genres_small.csv`
//! imported by the real importer. Hand-checked numbers of that file:
//!
//! | track   | artist | year | genres (subgenre)                    | energy |
//! |---------|--------|------|--------------------------------------|--------|
//! | Alpha   | Ann    | 1995 | pop (dance pop), rock (hard rock)    | 0.2    |
//! | Bravo   | Ann    | 2001 | pop (dance pop)                      | 0.4    |
//! | Charlie | Ben    | 2004 | pop (electropop)                     | 0.9    |
//! | Delta   | Cat    | 1988 | rock (hard rock)                     | 0.6    |
//! | Echo    | Cat    | 2010 | rock (classic rock)                  | 0.8    |
//! | Foxtrot | Dan    | 2015 | r&b (neo soul)                       | 0.3    |
//!
//! Every other feature is the same on every track, so: pop has 3 tracks by 2 artists
//! and energy 0.5; rock 3 tracks by 2 artists and energy 0.533; pop's most typical
//! track is Bravo (energy gap 0.1 over nine features: RMS 0.1/3 = 0.033), then Alpha
//! (0.100), then Charlie (0.133). Pop by decade: 1990s 1 track (0.200), 2000s 2 tracks
//! (0.650). The catalog by decade: 1980s 1, 1990s 1, 2000s 2, 2010s 2 (0.550).

mod common;

use std::path::Path;

use common::{
    auth::{app_with, Browser, Page},
    empty_app, TestApp,
};
use insights_hub::{
    catalog::import::{import_files, ImportOptions, NoProgress},
    db,
};
use poem::http::StatusCode;

async fn catalog() -> TestApp {
    catalog_with(empty_app()).await
}

/// The fixture imported into `app`'s database.
async fn catalog_with(app: TestApp) -> TestApp {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genres_small.csv");
    catalog_from(app, fixture).await
}

/// `fixture` imported into `app`'s database.
async fn catalog_from(app: TestApp, fixture: std::path::PathBuf) -> TestApp {
    let database = app.db.database.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db::open_catalog_connection(&database).expect("catalog connection");
        import_files(
            &mut conn,
            &[fixture],
            ImportOptions::default(),
            &mut NoProgress,
        )
        .expect("import the fixture");
    })
    .await
    .expect("import task");
    app.state.refresh_catalog().await.expect("refresh");
    TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    }
}

async fn get(app: &TestApp, path: &str) -> Page {
    Browser::new().get(&app.client, path).await
}

/// The text of the table row whose header cell is `name` (tags stripped, spaces
/// collapsed), or None.
fn row(body: &str, name: &str) -> Option<String> {
    body.split("<tr>").find_map(|tr| {
        let end = tr.find("</tr>")?;
        let text = strip(&tr[..end]);
        text.starts_with(name).then_some(text)
    })
}

fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn the_list_shows_every_genre_with_counts_and_profile() {
    let app = catalog().await;
    let page = get(&app, "/genres").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("3 of 3 genres"), "{}", page.body);
    // Name, tracks, artists, then danceability, energy, ... of the small profile.
    assert_eq!(
        row(&page.body, "pop").as_deref(),
        Some("pop 2 subgenres 3 2 0.500 0.500 0.100 0.000 0.500")
    );
    let rock = row(&page.body, "rock").expect("rock row");
    assert!(
        rock.starts_with("rock 2 subgenres 3 2 0.500 0.533"),
        "{rock}"
    );
    assert!(
        row(&page.body, "r&b 1 subgenre 1 1").is_some(),
        "{}",
        page.body
    );
    // Most tracks first, then A to Z.
    let at = |name: &str| {
        page.body
            .find(&format!(">{name}</a>"))
            .unwrap_or(usize::MAX)
    };
    assert!(
        at("pop") < at("rock") && at("rock") < at("r&amp;b"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"href="/genres/r%26b""#));
}

#[tokio::test]
async fn the_list_searches_and_sorts_without_and_with_javascript() {
    let app = catalog().await;
    let found = get(&app, "/genres?q=HARD").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.body.contains("1 of 3 genres matching “HARD”"),
        "{}",
        found.body
    );
    assert!(row(&found.body, "rock").is_some() && row(&found.body, "pop").is_none());
    // Found by a subgenre: the row says which, with a link to it.
    assert!(
        found
            .body
            .contains(r#" 2 subgenres, including <a href="/genres/hard%20rock">hard rock</a>"#),
        "{}",
        found.body
    );
    let by_energy = get(&app, "/genres?sort=energy&dir=asc").await;
    let at = |name: &str| {
        by_energy
            .body
            .find(&format!(">{name}</a>"))
            .unwrap_or(usize::MAX)
    };
    // r&b 0.3 < pop 0.5 < rock 0.533.
    assert!(at("r&amp;b") < at("pop") && at("pop") < at("rock"));
    assert!(by_energy.body.contains(r#"aria-sort="ascending""#));
    // The form sends its "Order" with a new "Sort by": the new key starts in its usual
    // order (names A to Z, numbers highest first), as a column header's link does; the
    // order is the one chosen when the key stays.
    let form = |sort: &str, dir: &str, shown: &str| {
        format!("/genres?q=&sort={sort}&dir={dir}&shown_sort={shown}")
    };
    let by_name = get(&app, &form("name", "desc", "tracks")).await;
    assert!(by_name.body.contains("sorted A to Z"), "{}", by_name.body);
    let reversed = get(&app, &form("name", "desc", "name")).await;
    assert!(reversed.body.contains("sorted Z to A"), "{}", reversed.body);
    let energy = get(&app, &form("energy", "asc", "name")).await;
    assert!(
        energy.body.contains("sorted by energy, highest first"),
        "{}",
        energy.body
    );
    assert!(by_name.body.contains(r#"name="shown_sort" value="name""#));
    assert!(by_name.body.contains(r#"name="shown_dir" value="asc""#));
    // "Order" changed along with "Sort by" is the user's choice ("Danceability" and
    // "Ascending" together had given highest first).
    let chosen = get(
        &app,
        "/genres?q=&sort=danceability&dir=asc&shown_sort=tracks&shown_dir=desc",
    )
    .await;
    assert!(
        chosen.body.contains("sorted by danceability, lowest first"),
        "{}",
        chosen.body
    );
    let none = get(&app, "/genres?q=polka").await;
    assert!(none.body.contains("No genre or subgenre matches “polka”"));
    // A direction override typed or linked into the search does not turn the page's
    // own words around it backwards: it is not shown back at all.
    let mirrored = get(&app, "/genres?q=%E2%80%AEpolka").await;
    assert!(mirrored
        .body
        .contains("No genre or subgenre matches “polka”"));
    assert!(!mirrored.body.contains('\u{202E}'));
    let page = get(&app, "/genres/%E2%80%AErock").await;
    assert!(!page.body.contains('\u{202E}'), "{}", page.body);
    // At an end of an address it is a place mark, as in the search: the genre is found
    // (it said "No genre called “rock�”"). Inside a name it is marked, not dropped:
    // the page had said "No genre called “rock”".
    let page = get(&app, "/genres/rock%E2%80%AE").await;
    assert!(!page.body.contains("No genre called"), "{}", page.body);
    assert!(!page.body.contains('\u{202E}'), "{}", page.body);
    let page = get(&app, "/genres/ro%E2%80%AEck").await;
    assert!(!page.body.contains("called “rock”"), "{}", page.body);
    assert!(page.body.contains("ro\u{FFFD}ck"), "{}", page.body);
    // Invisible characters a copied name brings at its ends are not part of it.
    // Two spaces are one, as the page shows them (it found nothing, then suggested
    // the same-looking "hard rock").
    let spaced = get(&app, "/genres?q=hard%20%20rock").await;
    assert!(
        spaced.body.contains(r#"href="/genres/hard%20rock""#) && !spaced.body.contains("No genre"),
        "{}",
        spaced.body
    );
    for copied in [
        "rock%E2%80%8B",
        "%EF%BB%BFrock",
        "rock%C2%AD",
        "rock%E2%81%A9",
    ] {
        let page = get(&app, &format!("/genres/{copied}")).await;
        assert!(
            !page.body.contains("No genre called"),
            "{copied}: {}",
            page.body
        );
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "{copied}"
        );
        let listed = get(&app, &format!("/genres?q={copied}")).await;
        assert!(
            listed.body.contains(r#"href="/genres/rock""#),
            "{copied}: {}",
            listed.body
        );
    }
    let bad = get(&app, "/genres?sort=colour").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("is not a way to sort genres"),
        "{}",
        bad.body
    );
    // htmx swaps only the list.
    let mut htmx = Browser::htmx();
    htmx.headers.push(("HX-Target".into(), "genre-list".into()));
    let fragment = htmx.get(&app.client, "/genres?q=pop").await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    // The title first (the address changes with the list), then the list.
    let after_title = fragment.body.split_once("</title>").map(|(_, rest)| rest);
    assert!(
        after_title.is_some_and(|rest| rest.starts_with(r#"<section id="genre-list""#)),
        "{}",
        fragment.body
    );
    assert!(fragment.header("vary").unwrap_or("").contains("HX-Request"));
}

/// A column header sorts with htmx by swapping the list; the form's "Sort by" and
/// "Order" come along out of band, showing the new order (or the next search would
/// send the old one).
#[tokio::test]
async fn a_header_sort_brings_the_forms_sort_controls_along() {
    let app = catalog().await;
    let page = get(&app, "/genres?sort=energy").await;
    // The header link of the valence column, as the page draws it.
    assert!(
        page.body.contains(r#"hx-get="/genres?sort=valence""#),
        "{}",
        page.body
    );
    let mut htmx = Browser::htmx();
    htmx.headers.push(("HX-Target".into(), "genre-list".into()));
    let fragment = htmx.get(&app.client, "/genres?sort=valence").await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment
        .body
        .contains(r#"</title><section id="genre-list""#));
    let oob = |id: &str| {
        let marker = format!(
            r#"<select id="{id}" name="{}" hx-swap-oob="true">"#,
            &id[6..]
        );
        let at = fragment
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {marker} in {}", fragment.body));
        let end = fragment.body[at..].find("</select>").expect("end") + at;
        fragment.body[at..end].to_string()
    };
    assert!(oob("genre-sort").contains(r#"<option value="valence" selected>"#));
    assert!(!oob("genre-sort").contains(r#"<option value="energy" selected>"#));
    assert!(oob("genre-dir").contains(r#"<option value="desc" selected>"#));
    // The address names the list shown: from the header link, a new history entry; from
    // the form, whose new "Sort by" starts in its usual order whatever "Order" it sent,
    // the entry replaced with `dir` left out (it had kept `dir=desc` over A to Z).
    let mut from_header = Browser::htmx();
    from_header
        .headers
        .push(("HX-Target".into(), "genre-list".into()));
    from_header
        .headers
        .push(("HX-Trigger".into(), "genre-sort-valence".into()));
    let linked = from_header.get(&app.client, "/genres?sort=valence").await;
    assert_eq!(linked.header("hx-push-url"), Some("/genres?sort=valence"));
    let formed = htmx
        .get(
            &app.client,
            "/genres?q=&sort=name&dir=desc&shown_sort=tracks",
        )
        .await;
    assert!(formed.body.contains("A to Z"), "{}", formed.body);
    assert_eq!(formed.header("hx-replace-url"), Some("/genres?sort=name"));
    assert!(formed.header("hx-push-url").is_none());
    // The page's own selects have those ids, for the swap to find.
    assert!(page
        .body
        .contains(r#"<select id="genre-sort" name="sort">"#));
    assert!(page.body.contains(r#"<select id="genre-dir" name="dir">"#));
}

#[tokio::test]
async fn a_genre_page_shows_profile_spread_artists_subgenres_typical_tracks_and_decades() {
    let app = catalog().await;
    // Another spelling of the name is sent on to the page's one address.
    for other in ["/genres/Pop", "/genres/POP", "/genres/pop%20"] {
        let moved = get(&app, other).await;
        assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT, "{other}");
        assert_eq!(moved.location(), Some("/genres/pop"), "{other}");
    }
    // Hyphens read as spaces, as the genre search reads them.
    let moved = get(&app, "/genres/Hard-Rock").await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.location(), Some("/genres/hard%20rock"));
    let page = get(&app, "/genres/pop").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains("<h1 id=\"genre-title\" class=\"artist-name\">pop</h1>"),
        "{body}"
    );
    assert!(
        strip(body).contains("3 tracks by 2 artists · released 1995–2004"),
        "{}",
        strip(body)
    );
    // Profile against the catalog (6 tracks: energy 3.2 / 6 = 0.533), chart and table.
    assert!(body.contains(r#"href="/perfect-song?seed_genre=pop""#));
    assert!(body.contains(r#"id="genre-profile-chart""#));
    assert_eq!(row(body, "Energy").as_deref(), Some("Energy 0.500 0.533"));
    // Spread: lowest, Q1, median, Q3, highest of 0.2, 0.4, 0.9.
    assert!(
        strip(body).contains("Energy 0.200 0.300 0.400 0.650 0.900"),
        "{}",
        strip(body)
    );
    // Top artists.
    assert!(
        strip(body).contains("Ann · 2 tracks Ben · 1 track"),
        "{}",
        strip(body)
    );
    // Subgenres with their profiles.
    assert_eq!(
        row(body, "dance pop").as_deref(),
        Some("dance pop 2 1 0.500 0.300 0.100 0.000 0.500")
    );
    assert!(row(body, "electropop 1 1 0.500 0.900").is_some());
    // Typical tracks: Bravo, Alpha, Charlie.
    let text = strip(body);
    let (b, a, c) = (
        text.find("Bravo Ann 2001 0.033"),
        text.find("Alpha Ann 1995 0.100"),
        text.find("Charlie Ben 2004 0.133"),
    );
    assert!(b.is_some() && a.is_some() && c.is_some(), "{text}");
    assert!(b < a && a < c);
    // Each leads on to songs like it, as every other list of tracks does.
    let typical = &body[body.find("typical-track-table").expect("typical tracks")..];
    assert_eq!(
        typical[..typical.find("</table>").unwrap()]
            .matches("More like this")
            .count(),
        3
    );
    // The subgenres' table says what its rows are.
    assert!(body.contains(r#"<th scope="col">Subgenre</th>"#), "{body}");
    // By decade: each decade here has too few tracks for its averages to say much, and
    // the table says so. No line rests on them, so there is no chart (it had been an
    // empty plot), and the page says why.
    assert!(row(body, "1990s 1 (few) 0.500 0.200").is_some(), "{body}");
    assert!(row(body, "2000s 2 (few) 0.500 0.650").is_some(), "{body}");
    assert!(!body.contains(r#"id="genre-decades-chart""#));
    assert!(
        strip(body).contains(
            "A chart needs two decades of at least 20 tracks each, and none has as many: \
             the table has each decade's averages."
        ),
        "{}",
        strip(body)
    );
}

/// Two versions of one song (a single and its deluxe album's cut) share every value:
/// they had taken two of the eight places, read as the same row twice.
#[tokio::test]
async fn typical_tracks_name_each_song_once() {
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genres_small.csv");
    let mut csv = std::fs::read_to_string(small).expect("fixture");
    csv.push_str(
        "gtrack0000000000000099,Bravo,Ann,45,album9,Bravo (deluxe),2002,Playlist pop,plpop,pop,dance pop,0.5,0.4,1,-6,1,0.05,0.1,0,0.1,0.5,120,200000\n",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("versions.csv");
    std::fs::write(&path, csv).expect("write");
    let app = catalog_from(empty_app(), path).await;
    let page = get(&app, "/genres/pop").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let typical = &body[body.find("typical-track-table").expect("typical tracks")..];
    let typical = strip(&typical[..typical.find("</table>").unwrap()]);
    assert_eq!(typical.matches("Bravo Ann").count(), 1, "{typical}");
    assert!(
        typical.contains("Alpha Ann") && typical.contains("Charlie Ben"),
        "{typical}"
    );
}

#[tokio::test]
async fn subgenres_and_encoded_names_have_pages() {
    let app = catalog().await;
    let sub = get(&app, "/genres/hard%20rock").await;
    assert_eq!(sub.status, StatusCode::OK);
    assert!(strip(&sub.body).contains("2 tracks by 2 artists"));
    assert!(strip(&sub.body).contains("a subgenre of rock"));
    // It compares as a genre does; the perfect song, which filters by genres only, is
    // not offered.
    assert!(
        sub.body.contains("Compare hard rock with another genre"),
        "{}",
        sub.body
    );
    assert!(!sub.body.contains("Find your perfect hard rock song"));
    let rnb = get(&app, "/genres/r%26b").await;
    assert_eq!(rnb.status, StatusCode::OK);
    assert!(strip(&rnb.body).contains("1 track by 1 artist"));
}

#[tokio::test]
async fn an_unknown_genre_is_a_404_with_did_you_mean() {
    let app = catalog().await;
    let page = get(&app, "/genres/rokc").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("No genre called “rokc”"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Did you mean"));
    assert!(
        page.body.contains(r#"<a href="/genres/rock">rock</a>"#),
        "{}",
        page.body
    );
    let far = get(&app, "/genres/zzzzzzzzzz").await;
    assert_eq!(far.status, StatusCode::NOT_FOUND);
    assert!(far.body.contains("no name is close to it"));
    let long = get(&app, &format!("/genres/{}", "a".repeat(5000))).await;
    assert_eq!(long.status, StatusCode::NOT_FOUND);
    // The list's search names the genres a typo may have meant, as the address does.
    let list = get(&app, "/genres?q=rokc").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Did you mean one of these?"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains(r#"<a href="/genres/rock">rock</a>"#),
        "{}",
        list.body
    );
    let none = get(&app, "/genres?q=zzzzzzzzzz").await;
    assert!(!none.body.contains("Did you mean"), "{}", none.body);
}

/// The genre page's "Compare pop with another genre" opens the form with pop and an
/// empty second field, focused, and no error yet (it was a 422, "Enter one more
/// genre"), as the artist page's link does.
#[tokio::test]
async fn compare_a_genre_with_another_opens_an_empty_second_field() {
    let app = catalog().await;
    let page = get(&app, "/genres/pop").await;
    let marker = r#"href="/genres/compare?"#;
    let start = page.body.find(marker).expect("the compare link") + r#"href=""#.len();
    let end = start + page.body[start..].find('"').expect("its end");
    let href = page.body[start..end].replace("&amp;", "&");
    assert_eq!(href, "/genres/compare?genre=pop&add=1");
    let form = get(&app, &href).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(!form.body.contains("field-error"), "{}", form.body);
    assert!(!form.body.contains("aria-invalid"), "{}", form.body);
    assert!(form
        .body
        .contains(r#"id="compare-genre-1" type="text" name="genre" value="pop""#));
    let second = &form.body[form.body.find(r#"id="compare-genre-2""#).expect("field 2")..];
    let second = &second[..second.find('>').expect("its end")];
    assert!(
        second.contains(r#"value="""#) && second.contains("autofocus"),
        "{second}"
    );
}

/// "Did you mean" leaves out a genre another field already holds.
#[tokio::test]
async fn did_you_mean_leaves_out_the_genres_already_chosen() {
    let app = catalog().await;
    for (url, field) in [
        ("/genres/compare?genre=rock&genre=rokc", 1),
        ("/genres/compare?genre=rokc&genre=rock", 2),
    ] {
        let page = get(&app, url).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{url}");
        assert!(page.body.contains("No genre called “rokc”"), "{url}");
        // Nor does it say that no name is close: it says where the close one is.
        let said = format!("the closest name, rock, is already genre {field}.");
        assert!(page.body.contains(&said), "{url}: {said}\n{}", page.body);
        assert!(
            !page.body.contains("genre=rock&amp;genre=rock"),
            "{url}: {}",
            page.body
        );
    }
}

/// A search's title names it, in the page and in the list's fragment (whose address
/// htmx puts in the address bar); the form replaces the address as one types.
#[tokio::test]
async fn a_genre_search_is_named_in_the_title() {
    let app = catalog().await;
    let page = get(&app, "/genres?q=rock").await;
    assert!(
        page.body.contains("<title>Genres matching “rock” · "),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"hx-replace-url="true""#));
    let mut htmx = Browser::htmx();
    htmx.headers.push(("HX-Target".into(), "genre-list".into()));
    let fragment = htmx.get(&app.client, "/genres?q=rock").await;
    assert!(
        fragment
            .body
            .starts_with("<title>Genres matching “rock” · Spotify Insights Hub</title>"),
        "{}",
        fragment.body
    );
    let all = htmx.get(&app.client, "/genres").await;
    assert!(all.body.starts_with("<title>Genres · "), "{}", all.body);
}

#[tokio::test]
async fn genres_compare_like_artists() {
    let app = catalog().await;
    let page = get(&app, "/genres/compare?genre=POP&genre=rock").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<title>Compare pop, rock"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"id="compare-chart""#));
    let text = strip(&page.body);
    assert!(text.contains("Tracks 3 3 6"), "{text}");
    assert!(
        text.contains("Top artists Ann (2), Ben (1) Cat (2), Ann (1)"),
        "{text}"
    );
    assert!(page.body.contains(r#"<datalist id="genre-names">"#));
    let unknown = get(&app, "/genres/compare?genre=pop&genre=rokc").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown
        .body
        .contains("No genre called “rokc” is in the catalog. Did you mean"));
    assert!(
        unknown
            .body
            .contains(r#"href="/genres/compare?genre=pop&amp;genre=rock""#),
        "{}",
        unknown.body
    );
    let twice = get(&app, "/genres/compare?genre=pop&genre=Pop").await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("pop is already genre 1"));
    let csv = get(&app, "/genres/compare.csv?genre=pop&genre=rock").await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with(
            "genre,genre_id,tracks,first_year,last_year,top_artists,avg_danceability,avg_energy"
        ),
        "{}",
        csv.body
    );
    assert!(lines[1].starts_with("pop,"), "{}", csv.body);
    assert!(
        lines[1].contains(",3,1995,2004,Ann (2); Ben (1),0.5,0.5,"),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn the_home_page_shows_the_catalogs_sound_by_decade_and_links_to_genres() {
    let app = catalog().await;
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The catalog's sound by decade"));
    // Every decade has fewer than 20 tracks: the table, and no empty chart.
    assert!(!page.body.contains(r#"id="home-decades-chart""#));
    for (decade, tracks) in [("1980s", 1), ("1990s", 1), ("2000s", 2), ("2010s", 2)] {
        assert!(
            row(&page.body, &format!("{decade} {tracks} ")).is_some(),
            "{decade}: {}",
            page.body
        );
    }
    assert!(row(&page.body, "2010s 2 (few) 0.500 0.550").is_some());
    assert!(page.body.contains(r#"<a href="/genres/pop">pop</a>"#));
    assert!(page.body.contains(r#"href="/genres""#));
}

#[tokio::test]
async fn an_artists_top_genres_count_every_genre_of_a_track() {
    let app = catalog().await;
    let ann = app
        .state
        .catalog()
        .artists
        .iter()
        .find(|a| a.name == "Ann")
        .map(|a| a.id)
        .expect("Ann");
    let page = get(&app, &format!("/artists/{ann}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        strip(&page.body).contains("pop (2), rock (1)"),
        "{}",
        strip(&page.body)
    );
}

#[tokio::test]
async fn the_genre_filter_and_seed_genres_use_every_genre_of_a_track() {
    let app = catalog_with(app_with(|c| c.api_anonymous = true)).await;
    // Alpha is listed under pop first, then rock: a rock seed must find it.
    let resp = app
        .client
        .get("/api/v1/recommendations?seed_genres=rock&limit=10")
        .send()
        .await
        .0;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().into_string().await.expect("body");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let mut names: Vec<&str> = json["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Alpha", "Delta", "Echo"], "{body}");
    // The answer says why Alpha is there: its genres, its first row's first.
    let alpha = json["tracks"]
        .as_array()
        .and_then(|tracks| tracks.iter().find(|t| t["name"] == "Alpha"))
        .expect("Alpha");
    assert_eq!(alpha["genre"], "pop");
    assert_eq!(alpha["genres"], serde_json::json!(["pop", "rock"]));
    // The genre seeds' list names genres, not subgenres.
    let resp = app
        .client
        .get("/api/v1/recommendations/available-genre-seeds")
        .send()
        .await
        .0;
    let body = resp.into_body().into_string().await.expect("body");
    assert!(
        body.contains("\"rock\"") && !body.contains("hard rock"),
        "{body}"
    );
}

#[tokio::test]
async fn a_subgenre_or_a_misspelt_genre_as_a_seed_is_explained() {
    let app = catalog_with(app_with(|c| c.api_anonymous = true)).await;
    let refused = |query: &'static str| {
        let client = &app.client;
        async move {
            let resp = client.get(query).send().await.0;
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{query}");
            let body = resp.into_body().into_string().await.expect("body");
            let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            json["error"]["message"]
                .as_str()
                .expect("message")
                .to_string()
        }
    };
    let message = refused("/api/v1/recommendations?seed_genres=Dance%20Pop").await;
    assert!(
        message.starts_with(
            "“dance pop” is a subgenre of pop, and seed_genres takes genres: seed with pop, \
             or find its tracks with search?q=genre:\"dance pop\"&type=track."
        ) && message.ends_with("The genres that can be seeds: pop, r-n-b, rock."),
        "{message}"
    );
    let message = refused("/api/v1/recommendations?seed_genres=rocks,pop").await;
    assert_eq!(
        message,
        "There is no genre “rocks” in the catalog. Did you mean rock? \
         The genres that can be seeds: pop, r-n-b, rock."
    );
}

/// The chart by decade draws lines through the decades of at least 20 tracks: with two
/// such decades it is there; with one, the page says why there is none.
#[tokio::test]
async fn the_decade_chart_needs_two_decades_to_draw_a_line() {
    let track = |n: usize, year: i32| {
        let mut t =
            common::fixtures::track(&format!("dec{n:019}"), &format!("Song {n}"), &["Ann"], 0.5);
        t.release_year = Some(year);
        t.release_date = None;
        t
    };
    let in_2010s: Vec<_> = (0..25).map(|n| track(n, 2012)).collect();
    let one = common::empty_app();
    let mut tracks = in_2010s.clone();
    tracks.push(track(99, 1995));
    common::fixtures::load(&one.state, "one_decade", tracks).await;
    let page = get(&one, "/").await;
    assert!(!page.body.contains(r#"id="home-decades-chart""#));
    assert!(
        strip(&page.body).contains(
            "A chart needs two decades of at least 20 tracks each, and only one has as many"
        ),
        "{}",
        strip(&page.body)
    );
    let two = common::empty_app();
    let mut tracks = in_2010s;
    tracks.extend((100..120).map(|n| track(n, 1995)));
    common::fixtures::load(&two.state, "two_decades", tracks).await;
    let page = get(&two, "/").await;
    assert!(
        page.body.contains(r#"id="home-decades-chart""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("A chart needs two decades"));
}

/// A genre named as one of the section's own pages ("compare") has a page its links
/// reach: the comparison's route had taken its address.
#[tokio::test]
async fn a_genre_named_compare_has_a_page_its_link_reaches() {
    let app = empty_app();
    let mut track = common::fixtures::track("cmp0000000000000000001", "Versus", &["Ada"], 0.5);
    track.genres = vec![insights_hub::catalog::GenreTag::new("compare")];
    common::fixtures::load(&app.state, "odd genre", vec![track]).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let list = get(&app, "/genres").await;
    assert!(
        list.body.contains(r#"href="/genres/%63ompare""#),
        "{}",
        list.body
    );
    let page = get(&app, "/genres/%63ompare").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(r#"<h1 id="genre-title" class="artist-name">compare</h1>"#),
        "{}",
        page.body
    );
}

/// A subgenre given to the perfect song as a genre seed is refused with its genre named,
/// as the API refuses it, not as a genre the catalog lacks.
#[tokio::test]
async fn a_subgenre_as_a_page_seed_names_its_genre() {
    let app = catalog().await;
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "seeder", common::auth::GOOD_PASSWORD)
        .await;
    let page = browser
        .get(&app.client, "/perfect-song?seed_genre=hard%20rock")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(
            "“hard rock” is a subgenre of rock, and seeds take genres: add rock instead."
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("There is no genre"), "{}", page.body);
    // The genre filter says the same, beside the filter.
    let page = browser
        .get(&app.client, "/perfect-song?genre=hard%20rock")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(
            "“hard rock” is a subgenre of rock, and the genre filter takes genres: choose rock instead."
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("There is no genre"), "{}", page.body);
    // A name that is neither is still said to be missing.
    let page = browser.get(&app.client, "/perfect-song?genre=polka").await;
    assert!(
        page.body.contains("There is no genre “polka”"),
        "{}",
        page.body
    );
    let page = browser
        .get(&app.client, "/perfect-song?seed_genre=polka")
        .await;
    assert!(
        page.body.contains("There is no genre “polka”"),
        "{}",
        page.body
    );
}

/// A genre's name typed without its accents finds it, as artists' names do: `forro`
/// had found nothing in the list, a 404 for its page and for a comparison.
#[tokio::test]
async fn a_genre_is_found_without_its_accents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let header = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genres_small.csv"),
    )
    .expect("fixture");
    let header = header.lines().next().expect("header");
    let csv = format!(
        "{header}\n\
         ftrack0000000000000001,Xote,Ana,40,falb1,Xote (album),1999,P,p1,forró,forró pé de serra,0.5,0.2,1,-6,1,0.05,0.1,0,0.1,0.5,120,200000\n\
         ftrack0000000000000002,Song,Bo,50,falb2,Song (album),2001,P,p2,pop,dance pop,0.5,0.4,1,-6,1,0.05,0.1,0,0.1,0.5,120,200000\n\
         ftrack0000000000000003,Baião,Ana,30,falb3,Undated,,P,p1,forró,forró pé de serra,0.6,0.3,1,-6,1,0.05,0.1,0,0.1,0.5,120,200000\n"
    );
    let path = dir.path().join("forro.csv");
    std::fs::write(&path, csv).expect("write");
    let app = catalog_from(empty_app(), path).await;
    let list = get(&app, "/genres?q=forro").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(row(&list.body, "forró").is_some(), "{}", list.body);
    // Its page's address is the genre's own spelling.
    let page = get(&app, "/genres/forro").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT, "{}", page.body);
    assert_eq!(page.location(), Some("/genres/forr%C3%B3"));
    let compared = get(&app, "/genres/compare?genre=forro&genre=pop").await;
    assert_eq!(compared.status, StatusCode::OK, "{}", compared.body);
    let sub = get(&app, "/genres?q=pe%20de%20serra").await;
    assert!(row(&sub.body, "forró").is_some(), "{}", sub.body);
    // Its page says that its track without a release year is in no decade.
    let page = get(&app, "/genres/forr%C3%B3").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        strip(&page.body).contains("1 track without a release year is left out."),
        "{}",
        strip(&page.body)
    );
}

/// The genre profiles are built after the start and after each import without a
/// request asking for them (`cache::warm_up`): at a million tracks the first home
/// page had waited seconds for them.
#[tokio::test]
async fn the_genre_profiles_are_built_after_each_import_before_anyone_asks() {
    let app = empty_app();
    let warm_up = app
        .state
        .spawn_cache_warm_up(std::time::Duration::from_millis(20));
    let before = app.state.catalog().meta.version;
    assert!(
        genres_built_within(&app.state, before, 10).await,
        "built for the catalog served at start"
    );
    let app = catalog_with(app).await;
    let after = app.state.catalog().meta.version;
    assert_ne!(before, after);
    assert!(
        genres_built_within(&app.state, after, 10).await,
        "built again after the import"
    );
    // And they are the imported genres', as the page shows them.
    let page = get(&app, "/genres").await;
    assert!(
        page.body.contains(r#"<a href="/genres/rock">rock</a>"#),
        "{}",
        page.body
    );
    warm_up.abort();
}

/// Whether the genre profiles of `version` are built within `seconds`.
async fn genres_built_within(state: &insights_hub::AppState, version: i64, seconds: u64) -> bool {
    let step = std::time::Duration::from_millis(20);
    for _ in 0..seconds * 50 {
        if state.caches.genres_built(version) {
            return true;
        }
        tokio::time::sleep(step).await;
    }
    false
}
