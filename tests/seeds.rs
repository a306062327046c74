//! Issue 13 through the real router: seeds (search, chips, targets, exclusion), ranges,
//! the track attributes (duration, key, mode, mixes-with, half/double tempo), the
//! result count, one version per song and every row's explanation, on a hand-made
//! catalog where each answer is known.

mod common;

use common::{
    auth::{Browser, Page, GOOD_PASSWORD},
    empty_app, empty_app_with, fixtures, TestApp,
};
use insights_hub::catalog::{AudioFeatures, NewTrack};
use poem::http::StatusCode;

/// A track with the five original features at `level`, in `key`/`mode` at `tempo`.
fn song(
    id: &str,
    name: &str,
    artist: &str,
    level: f64,
    key: i32,
    mode: i32,
    tempo: f64,
) -> NewTrack {
    NewTrack::builder(name, &[artist])
        .spotify_id(id)
        .year(2000)
        .genre(Some(if level < 0.3 { "ambient" } else { "pop" }))
        .popularity(Some(50))
        .duration_ms(if tempo > 135.0 { 400_000 } else { 200_000 })
        .explicit(false)
        .key_mode_meter(key, mode, 4)
        .features(AudioFeatures {
            danceability: level,
            energy: level,
            acousticness: level,
            instrumentalness: level,
            valence: level,
            speechiness: 0.1,
            liveness: 0.1,
            tempo,
            loudness: -8.0,
        })
        .build()
}

async fn app() -> (TestApp, Browser) {
    // The API open without a token, for the API's half of the seed rules.
    let app = empty_app_with(|c| c.api_anonymous = true);
    let tracks = vec![
        song("halo", "Halo", "Angels", 0.50, 9, 0, 120.0), // 8A
        song(
            "halo2011",
            "Halo - 2011 Remaster",
            "Angels",
            0.51,
            9,
            0,
            120.0,
        ),
        song("halolive", "Halo (Live)", "Angels", 0.49, 9, 0, 120.0),
        song("storm", "Storm", "Breeze", 0.53, 4, 0, 122.0), // 9A
        song("calm", "Calm", "Cello", 0.10, 0, 1, 70.0),     // 8B
        song("rush", "Rush", "Drums", 0.90, 2, 1, 140.0),    // 10B
        song("other", "Other", "Breeze", 0.60, 6, 0, 128.0), // 11A
    ];
    signed_in(app, "seeds.csv", tracks, "seeder").await
}

/// `app` with `tracks` loaded (as if from `file`), and a browser signed up as `user`.
async fn signed_in(
    app: TestApp,
    file: &str,
    tracks: Vec<NewTrack>,
    user: &str,
) -> (TestApp, Browser) {
    fixtures::load(&app.state, file, tracks).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = Browser::new();
    let done = browser.sign_up(&app.client, user, GOOD_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    (app, browser)
}

/// The titles of the answer (the perfect song, then the next matches), in order.
fn titles(page: &Page) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(at) = page.body.find(r#"id="ps-answer-title""#) {
        let open = page.body[at..].find('>').unwrap() + at + 1;
        let close = page.body[open..].find('<').unwrap() + open;
        out.push(page.body[open..close].to_string());
    }
    let Some(table) = page.body.find("ps-next-table") else {
        return out;
    };
    let body = &page.body[table..];
    let mut rest = body;
    while let Some(row) = rest.find("<tr><td class=\"num\">") {
        let cell = rest[row..].find("</td><td>").unwrap() + row + 9;
        let end = rest[cell..].find(['<']).unwrap() + cell;
        out.push(rest[cell..end].to_string());
        rest = &rest[end..];
    }
    out
}

/// The internal id of a track, found the way a user finds it: the seed search.
async fn track_id(app: &TestApp, browser: &mut Browser, name: &str) -> String {
    let page = browser
        .get(
            &app.client,
            &format!("/perfect-song?k=10&seed_q={}", name.replace(' ', "+")),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = "seed_track=";
    let suggestions = page.body.find("ps-seed-suggestions").unwrap();
    let mut rest = &page.body[suggestions..];
    loop {
        let at = rest
            .find(marker)
            .unwrap_or_else(|| panic!("no {name} in the search"));
        let id: String = rest[at + marker.len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let after = &rest[at..];
        let label = after.find("suggestion-name\">").unwrap() + 17;
        if after[label..].starts_with(&format!("{name}<")) {
            return id;
        }
        rest = &rest[at + marker.len()..];
    }
}

fn slider(page: &Page, key: &str) -> String {
    let marker = format!(r#"id="ps-{key}" name="{key}""#);
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no slider {key}"));
    let tag = &page.body[start..start + page.body[start..].find('>').unwrap()];
    let at = tag.find(r#"value=""#).unwrap() + 7;
    tag[at..at + tag[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_seed_track_sets_the_target_is_left_out_and_shows_as_a_chip() {
    let (app, mut browser) = app().await;
    let calm = track_id(&app, &mut browser, "Calm").await;
    let page = browser
        .get(&app.client, &format!("/perfect-song?seed_track={calm}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(slider(&page, "danceability"), "0.1", "the seed's profile");
    assert_eq!(slider(&page, "tempo"), "70");
    assert_eq!(
        slider(&page, "w_speechiness"),
        "1",
        "the API's rule: nine features"
    );
    let answer = titles(&page);
    assert!(!answer.contains(&"Calm".to_string()), "{answer:?}");
    assert_eq!(
        answer.first().map(String::as_str),
        Some("Halo (Live)"),
        "closest to 0.1 of the rest"
    );
    assert!(page.body.contains("ps-chip-label\">Calm — Cello"), "chip");
    // The heading the keyboard lands on after the change names the seeds in force.
    assert!(page.body.contains(
        "Start from songs you love<span class=\"visually-hidden\">: 1 seed: track Calm — Cello</span>"
    ));
    // The chip's link removes the seed and keeps the rest of the page.
    assert!(page
        .body
        .contains("aria-label=\"Remove seed Calm — Cello\""));
    // The live form carries the seed, so moving a slider keeps it out of the answer.
    assert!(page
        .body
        .contains(&format!(r#"name="seed_track" value="{calm}""#)));
    // A second seed (an artist) averages in; the URL holds both.
    let page = browser
        .get(&app.client, "/perfect-song?seed_q=Drums&k=10")
        .await;
    assert!(
        page.body
            .contains("Add <span class=\"suggestion-name\">Drums"),
        "{}",
        page.body
    );
    let both = browser
        .get(
            &app.client,
            &format!("/perfect-song?seed_track={calm}&seed_artist=9999"),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let none = browser.get(&app.client, "/perfect-song?energy=0.5").await;
    assert!(none
        .body
        .contains("Start from songs you love<span class=\"visually-hidden\">: no seeds</span>"));
    assert!(
        both.body.contains("Artist #9999 is not in the catalog"),
        "{}",
        both.body
    );
}

#[tokio::test]
async fn a_genre_seed_aims_at_the_genre_and_keeps_to_it() {
    let (app, mut browser) = app().await;
    let page = browser
        .get(&app.client, "/perfect-song?seed_genre=ambient")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(titles(&page), vec!["Calm"]);
    assert!(page.body.contains("ps-chip-label\">ambient"));
    // Typed in another case, it is named as the catalog names it.
    let shouted = browser
        .get(&app.client, "/perfect-song?seed_genre=AMBIENT")
        .await;
    assert_eq!(titles(&shouted), vec!["Calm"]);
    assert!(!shouted.body.contains("AMBIENT"), "{}", shouted.body);
    assert!(shouted.body.contains("Among tracks in genre ambient"));
    // Its box in the genre filter is ticked and held, with why; the others are free.
    for page in [&page, &shouted] {
        assert!(
            page.body.contains(
                r#"<input type="checkbox" value="ambient" checked disabled aria-describedby="ps-genre-seeded"> ambient <span class="muted">(genre seed)</span>"#
            ),
            "{}",
            page.body
        );
        assert!(page
            .body
            .contains(r#"<input type="checkbox" name="genre" value="pop">"#));
        assert!(page
            .body
            .contains("A genre seed keeps the answer to its genre: remove the seed to lift it."));
    }
    // Without a genre seed, no box is held.
    let free = browser
        .get(&app.client, "/perfect-song?genre=ambient")
        .await;
    assert!(free
        .body
        .contains(r#"<input type="checkbox" name="genre" value="ambient" checked>"#));
    assert!(!free.body.contains("A genre seed keeps the answer"));
    let bad = browser
        .get(&app.client, "/perfect-song?seed_genre=polka")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("There is no genre “polka”"),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn one_version_per_song_unless_all_are_asked_for() {
    let (app, mut browser) = app().await;
    let base = "/perfect-song?danceability=0.5&energy=0.5&acousticness=0.5&instrumentalness=0.5&valence=0.5&k=10";
    let page = browser.get(&app.client, base).await;
    let answer = titles(&page);
    let halos: Vec<&String> = answer.iter().filter(|t| t.starts_with("Halo")).collect();
    assert_eq!(halos, vec!["Halo"], "{answer:?}");
    assert_eq!(answer.len(), 5, "seven tracks, five songs: {answer:?}");
    assert!(page.body.contains("(2 other versions)"), "{}", page.body);
    let all = browser
        .get(&app.client, &format!("{base}&versions=all"))
        .await;
    let answer = titles(&all);
    assert_eq!(answer.len(), 7, "{answer:?}");
    // 0.51 and 0.49 are equally far from 0.5: the tie goes to the lower id.
    assert_eq!(
        &answer[..3],
        ["Halo", "Halo - 2011 Remaster", "Halo (Live)"]
    );
    // Listed together, each says which set it belongs to, not that others are hidden.
    assert!(!all.body.contains("other versions)"), "{}", all.body);
    assert_eq!(all.body.matches("(one of 3 versions)").count(), 3);
}

#[tokio::test]
async fn ranges_and_track_attributes_filter_while_targets_rank() {
    let (app, mut browser) = app().await;
    let base = "/perfect-song?danceability=0.5&energy=0.5&acousticness=0.5&instrumentalness=0.5&valence=0.5&k=10";
    let page = browser
        .get(&app.client, &format!("{base}&min_tempo=125&max_tempo=145"))
        .await;
    assert_eq!(titles(&page), vec!["Other", "Rush"]);
    // Half and double time: 70 BPM fits a 138–142 set.
    let page = browser
        .get(
            &app.client,
            &format!("{base}&min_tempo=138&max_tempo=142&half_double=on"),
        )
        .await;
    assert_eq!(
        titles(&page),
        vec!["Calm", "Rush"],
        "0.1 and 0.9 tie: lower id first"
    );
    let page = browser
        .get(&app.client, &format!("{base}&min_tempo=138&max_tempo=142"))
        .await;
    assert_eq!(titles(&page), vec!["Rush"]);
    // Mixes with 8A: 8A itself, 7A, 9A and 8B.
    let page = browser
        .get(&app.client, &format!("{base}&mixes_with=8A"))
        .await;
    assert_eq!(titles(&page), vec!["Halo", "Storm", "Calm"]);
    assert!(page
        .body
        .contains("A minor · <abbr class=\"ps-camelot\" title=\"Camelot code\">8A</abbr>"));
    assert!(
        page.body.contains("120</span> BPM") || page.body.contains("120 BPM"),
        "BPM beside the key"
    );
    let page = browser
        .get(&app.client, &format!("{base}&mode=major&min_duration=300"))
        .await;
    assert_eq!(titles(&page), vec!["Rush"]);
    let page = browser
        .get(&app.client, &format!("{base}&min_key=4&max_key=6"))
        .await;
    assert_eq!(titles(&page), vec!["Storm", "Other"]);
    // The key range shows the keys by name, chosen as the address's numbers say.
    for chosen in [
        "<option value=\"4\" selected>E</option>",
        "<option value=\"6\" selected>F♯</option>",
    ] {
        assert!(page.body.contains(chosen), "{chosen}");
    }
    assert!(
        !page.body.contains("0 = C … 11 = B"),
        "no pitch-class numbers"
    );
    let page = browser
        .get(&app.client, &format!("{base}&min_energy=0.55"))
        .await;
    assert_eq!(titles(&page), vec!["Other", "Rush"]);
}

#[tokio::test]
async fn bad_ranges_keys_and_seeds_get_a_message_beside_the_field() {
    let (app, mut browser) = app().await;
    for (query, message) in [
        ("mixes_with=13Z", "is not a Camelot key"),
        ("min_key=12", "must be between 0 and 11"),
        ("min_tempo=130&max_tempo=120", "runs backwards"),
        ("min_duration=300&max_duration=100", "runs backwards"),
        ("mode=lydian", "Mode is major or minor"),
        ("seed_track=abc", "is not a track or artist number"),
        ("seed_track=99999", "Track #99999 is not in the catalog"),
        (
            "seed_genre=a&seed_genre=b&seed_genre=c&seed_genre=d&seed_genre=e&seed_genre=f",
            "At most 5 seeds",
        ),
        ("min_energy=x", "is not a number"),
        ("k=1000", "between 1 and 100"),
    ] {
        let page = browser
            .get(&app.client, &format!("/perfect-song?{query}"))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            page.body.contains(message),
            "{query}: {message}\n{}",
            page.body
        );
    }
    // The htmx search for seeds answers a fragment; loaded directly it goes to the page.
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let fragment = htmx
        .get(&app.client, "/perfect-song/seeds?seed_q=hal")
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment
            .body
            .contains("Add <span class=\"suggestion-name\">Halo"),
        "{}",
        fragment.body
    );
    assert!(!fragment.body.contains("<html"));
    // The status a screen reader hears counts what is listed, all there is here.
    assert!(
        fragment.body.contains("3 tracks match “hal”."),
        "{}",
        fragment.body
    );
    let direct = browser
        .get(&app.client, "/perfect-song/seeds?seed_q=hal")
        .await;
    assert_eq!(direct.status, StatusCode::SEE_OTHER);
    // A song named as people name one, by its artist and its title, is found as the
    // API's search finds it (no title holds "angels storm"); the count read out names
    // only what was found.
    let by_artist = htmx
        .get(&app.client, "/perfect-song/seeds?seed_q=breeze+storm")
        .await;
    assert!(
        by_artist
            .body
            .contains("Add <span class=\"suggestion-name\">Storm"),
        "{}",
        by_artist.body
    );
    assert!(
        !by_artist.body.contains("0 tracks") && !by_artist.body.contains("0 artists"),
        "{}",
        by_artist.body
    );
    assert!(
        by_artist.body.contains("1 track matches “breeze storm”."),
        "{}",
        by_artist.body
    );
    // Past the API's bounds on a query (500 characters, 20 terms) no word search runs:
    // 850 words had held a connection and 1.9 GB. Nor for nothing at all (`"" ""`),
    // which had listed the most popular tracks.
    let many: Vec<String> = (0..850).map(|i| format!("w{i:03}")).collect();
    // Longer than the field takes (500 characters, its `maxlength`): refused.
    let refused = htmx
        .get(
            &app.client,
            &format!("/perfect-song/seeds?seed_q={}", many.join("+")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused
        .body
        .contains("A seed search is at most 500 characters long."));
    for typed in [many[..25].join("+"), "%22%22+%22%22".to_string()] {
        let started = std::time::Instant::now();
        let answer = htmx
            .get(&app.client, &format!("/perfect-song/seeds?seed_q={typed}"))
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(!answer.body.contains("Add <span"), "{}", answer.body);
        // Not a timing test: a runaway search took tens of seconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
    // Signed in only, as the page is: each search reads every title, which anonymous
    // visitors could ask for without limit.
    let mut anonymous = Browser::new();
    anonymous.headers.push(("HX-Request".into(), "true".into()));
    let refused = anonymous
        .get(&app.client, "/perfect-song/seeds?seed_q=hal")
        .await;
    assert!(!refused.body.contains("Halo"), "{}", refused.body);
    assert!(
        refused
            .header("hx-redirect")
            .is_some_and(|to| to.starts_with("/login")),
        "{} {:?}",
        refused.status,
        refused.header("hx-redirect")
    );
}

/// A seed named twice is one seed, on a page refused for another field too: the
/// refused page had counted the seeds as the address listed them (two chips for one
/// track named first and third, two for "pop" and "Pop"), where the answer counts each
/// once.
#[tokio::test]
async fn a_seed_named_twice_is_one_chip_on_every_page() {
    let (app, mut browser) = app().await;
    let calm = track_id(&app, &mut browser, "Calm").await;
    let rush = track_id(&app, &mut browser, "Rush").await;
    let seeds = format!(
        "seed_track={calm}&seed_track={rush}&seed_track={calm}&seed_genre=pop&seed_genre=Pop"
    );
    for (query, status) in [
        (seeds.clone(), StatusCode::OK),
        (
            format!("{seeds}&min_energy=x"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let page = browser
            .get(&app.client, &format!("/perfect-song?{query}"))
            .await;
        assert_eq!(page.status, status, "{query}: {}", page.body);
        for chip in [
            "aria-label=\"Remove seed Calm — Cello\"",
            "aria-label=\"Remove seed Rush — Drums\"",
        ] {
            assert_eq!(page.body.matches(chip).count(), 1, "{query}: {chip}");
        }
        assert!(
            page.body.contains(": 3 seeds: track Calm — Cello"),
            "{query}: {}",
            page.body
        );
    }
}

/// What people type: no accents, any case. The seed box finds titles as the artist
/// search finds names.
#[tokio::test]
async fn the_seed_search_finds_titles_typed_without_their_accents() {
    let tracks = vec![
        song("deja", "Déjà Vu", "Singer", 0.50, 9, 0, 120.0),
        song("cafe", "Cafe Racer", "Breeze", 0.60, 4, 0, 122.0),
        song("plain", "Plain Song", "Breeze", 0.40, 4, 0, 122.0),
    ];
    let (app, browser) = signed_in(empty_app(), "accents.csv", tracks, "typist").await;
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    for (typed, title) in [
        ("deja", "Déjà Vu"),
        ("DEJA VU", "Déjà Vu"),
        ("déjà", "Déjà Vu"),
        // The other way round: an accent typed finds the title written without it.
        ("café", "Cafe Racer"),
    ] {
        let q: String = url::form_urlencoded::byte_serialize(typed.as_bytes()).collect();
        let fragment = htmx
            .get(&app.client, &format!("/perfect-song/seeds?seed_q={q}"))
            .await;
        assert_eq!(fragment.status, StatusCode::OK, "{typed}");
        assert!(
            fragment
                .body
                .contains(&format!("Add <span class=\"suggestion-name\">{title}<")),
            "{typed}: {}",
            fragment.body
        );
        assert!(!fragment.body.contains("Plain Song"), "{typed}");
    }
}

#[tokio::test]
async fn result_count_and_an_explanation_on_every_row() {
    let (app, mut browser) = app().await;
    let page = browser
        .get(
            &app.client,
            "/perfect-song?danceability=0.5&k=25&versions=all",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for n in ["10", "25", "50", "100"] {
        assert!(page.body.contains(&format!("<option value=\"{n}\"")), "{n}");
    }
    assert!(page.body.contains("<option value=\"25\" selected"));
    assert_eq!(
        page.body
            .matches("<details class=\"ps-why\" data-track=")
            .count(),
        6,
        "every next match"
    );
    assert!(page.body.matches("More like this").count() >= 7);
    // Each explanation: the features that counted, one per line, with the difference.
    let at = page
        .body
        .find("<p class=\"ps-why-lines\">")
        .expect("an explanation")
        + 24;
    let lines: Vec<&str> = page.body[at..page.body[at..].find("</p>").map_or(at, |e| at + e)]
        .lines()
        .collect();
    // The name and its value joined by a no-break space, never split.
    assert!(lines[0].starts_with("Danceability\u{a0}0."), "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with(')')), "{lines:?}");
}

#[tokio::test]
async fn artist_pages_seed_the_perfect_song_and_group_versions() {
    let (app, mut browser) = app().await;
    let search = browser.get(&app.client, "/artists?q=Angels").await;
    let at = search
        .body
        .find("data-value=\"Angels\"><a href=\"")
        .unwrap()
        + 29;
    let href: String = search.body[at..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let page = browser.get(&app.client, &href).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let id = href.trim_start_matches("/artists/");
    assert!(page
        .body
        .contains(&format!("href=\"/perfect-song?seed_artist={id}\"")));
    assert!(page.body.contains("Songs like this artist"));
    let versions = page.body.matches("3 versions of this song").count();
    assert_eq!(versions, 3, "{}", page.body);
    assert!(page.body.contains("A minor"));
    let seeded = browser
        .get(&app.client, &format!("/perfect-song?seed_artist={id}"))
        .await;
    assert_eq!(seeded.status, StatusCode::OK);
    assert_eq!(
        slider(&seeded, "danceability"),
        "0.5",
        "the artist's average"
    );
    assert!(seeded.body.contains("ps-chip-label\">Angels"));
}

/// The song rule on the real TidyTuesday file (not committed; `SPOTIFY_SONGS` names
/// it): imported as the app imports it, then grouped. Prints the counts and a sample
/// of songs with several versions, for a check by hand.
/// `SPOTIFY_SONGS=/path/spotify_songs.csv cargo test --test seeds -- --ignored --nocapture`
#[test]
#[ignore]
fn the_song_rule_on_the_real_file() {
    use insights_hub::catalog::import::{import_files, ImportOptions, NoProgress};
    let Ok(path) = std::env::var("SPOTIFY_SONGS") else {
        eprintln!("SPOTIFY_SONGS is not set: nothing to check");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn =
        insights_hub::db::open_catalog_connection(dir.path().join("real.db")).expect("open");
    import_files(
        &mut conn,
        &[std::path::PathBuf::from(path)],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("import");
    let started = std::time::Instant::now();
    let (_, facts) = insights_hub::catalog::facts::TrackFacts::read(&mut conn).expect("facts");
    println!(
        "facts read and grouped in {:?} (this build's profile)",
        started.elapsed()
    );
    let titles: std::collections::HashMap<i32, (String, ())> = {
        use diesel::prelude::*;
        use insights_hub::db::schema::tracks;
        tracks::table
            .select((tracks::id, tracks::name))
            .load::<(i32, String)>(&mut conn)
            .expect("titles")
            .into_iter()
            .map(|(id, name)| (id, (name, ())))
            .collect()
    };
    let (several, tracks_in_them) = facts.songs_with_versions();
    println!(
        "tracks {}, songs {}, songs with more than one version {several} ({tracks_in_them} tracks)",
        facts.len(),
        facts.song_count()
    );
    let mut shown = std::collections::HashSet::new();
    let mut ids: Vec<i32> = titles.keys().copied().collect();
    ids.sort_unstable();
    // Every 37th song with versions, to spread the sample over the file.
    let mut n = 0;
    let mut same_title = 0;
    for id in ids {
        let versions = facts.versions_of(id);
        if versions.len() < 2 || !shown.insert(versions[0]) {
            continue;
        }
        n += 1;
        if versions
            .iter()
            .all(|v| titles[v].0 == titles[&versions[0]].0)
        {
            same_title += 1;
            continue;
        }
        // Every 25th song whose versions are written differently.
        if (n - same_title) % 25 == 0 {
            let names: Vec<&str> = versions.iter().map(|v| titles[v].0.as_str()).collect();
            println!("{names:?}");
        }
    }
    println!("of the {n} songs with versions, {same_title} have one title written the same way");

    // What one version per song costs: searches per answer, over targets spread across
    // the space (the five original features, each at 0.1, 0.3, … 0.9: 3,125 answers).
    let index = insights_hub::db::track_features::scan_tracks::<
        insights_hub::matching::FeatureIndexBuilder,
    >(&mut conn)
    .expect("index")
    .tracks
    .finish();
    for k in [10, 100] {
        let mut settings = insights_hub::matching::MatchSettings {
            k,
            ..Default::default()
        };
        let (mut answers, mut searches, mut most) = (0usize, 0usize, 0usize);
        let levels = [0.1, 0.3, 0.5, 0.7, 0.9];
        let original = insights_hub::catalog::Feature::ORIGINAL;
        for code in 0..levels.len().pow(original.len() as u32) {
            let mut rest = code;
            for feature in original {
                settings
                    .targets
                    .insert(feature, levels[rest % levels.len()]);
                rest /= levels.len();
            }
            let (_, rounds) = index
                .search_one_per_song_counted(&settings, &|_| true, &|id| {
                    facts.get(id).map(|f| f.song)
                })
                .expect("search");
            answers += 1;
            searches += rounds;
            most = most.max(rounds);
        }
        println!(
            "k={k}: {answers} answers, {:.2} searches per answer on average, at most {most}",
            searches as f64 / answers as f64
        );
    }
}

/// "More like this" on one version of a song never answers with another version of it
/// (a remaster, a live take), with one version per song or every version shown.
#[tokio::test]
async fn a_seed_track_leaves_out_every_version_of_its_song() {
    let (app, mut browser) = app().await;
    let halo = track_id(&app, &mut browser, "Halo - 2011 Remaster").await;
    for extra in ["", "&versions=all"] {
        let page = browser
            .get(
                &app.client,
                &format!("/perfect-song?seed_track={halo}&k=10{extra}"),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let answer = titles(&page);
        assert!(
            !answer.iter().any(|t| t.starts_with("Halo")),
            "no version of the seed's song ({extra}): {answer:?}"
        );
        assert_eq!(
            answer.first().map(String::as_str),
            Some("Storm"),
            "the closest other song: {answer:?}"
        );
    }
}

/// The API's JSON answer at `path`, which must be 200.
async fn api_json(app: &TestApp, path: &str) -> serde_json::Value {
    let resp = app.client.get(path).send().await.0;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    let body = resp.into_body().into_string().await.expect("body");
    serde_json::from_str(&body).expect("JSON")
}

/// An API answer's status and JSON, whatever the status.
async fn api_status(app: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let resp = app.client.get(path).send().await.0;
    let status = resp.status();
    let body = resp.into_body().into_string().await.expect("body");
    (status, serde_json::from_str(&body).expect("JSON"))
}

/// The names of the tracks in an API answer's `tracks`, in order.
fn track_names(json: &serde_json::Value) -> Vec<&str> {
    json["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect()
}

/// The API's "more like this" follows the same rule: `/recommendations` seeded with a
/// remaster answers neither it nor the song's other versions.
#[tokio::test]
async fn the_api_leaves_out_every_version_of_a_seed_tracks_song() {
    let (app, _) = app().await;
    for extra in ["", "&min_key=0"] {
        let json = api_json(
            &app,
            &format!("/api/v1/recommendations?seed_tracks=halo2011&limit=10{extra}"),
        )
        .await;
        let names = track_names(&json);
        assert!(
            !names.iter().any(|n| n.starts_with("Halo")),
            "no version of the seed's song ({extra}): {names:?}"
        );
        assert!(!names.is_empty(), "other songs are answered ({extra})");
    }
}

/// The seed search tells apart tracks with one title by one artist: each shows its
/// album and year.
#[tokio::test]
async fn the_seed_search_shows_album_and_year_to_tell_versions_apart() {
    let app = empty_app();
    let version = |id: &str, album: &str, year: i32, level: f64| {
        NewTrack::builder("Bohemian Rhapsody - 2011 Mix", &["Queen"])
            .spotify_id(id)
            .album(album)
            .year(year)
            .genre(Some("rock"))
            .features(AudioFeatures {
                danceability: level,
                energy: level,
                acousticness: level,
                instrumentalness: level,
                valence: level,
                speechiness: 0.1,
                liveness: 0.1,
                tempo: 120.0,
                loudness: -8.0,
            })
            .build()
    };
    let tracks = vec![
        version("br1", "A Night at the Opera", 1975, 0.4),
        version("br2", "Greatest Hits", 1981, 0.5),
        // The same release again under another id, as the TidyTuesday file has some.
        version("br3", "Greatest Hits", 1981, 0.5),
    ];
    fixtures::load(&app.state, "queen.csv", tracks).await;
    let app = TestApp {
        client: TestApp::client_for(&app.state),
        ..app
    };
    let mut browser = Browser::new();
    browser
        .sign_up(&app.client, "queenfan", GOOD_PASSWORD)
        .await;
    let page = browser
        .get(&app.client, "/perfect-song?seed_q=bohemian")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for release in ["· A Night at the Opera (1975)", "· Greatest Hits (1981)"] {
        assert_eq!(
            page.body.matches(release).count(),
            1,
            "{release}: {}",
            page.body
        );
    }
}

/// The `<form ...>…</form>` of the page that holds `marker`.
fn form_around<'a>(page: &'a Page, marker: &str) -> &'a str {
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker}"));
    let start = page.body[..at].rfind("<form").expect("form start");
    let end = at + page.body[at..].find("</form>").expect("form end");
    &page.body[start..end]
}

#[tokio::test]
async fn a_seed_search_keeps_the_targets_and_a_seed_sets_them_on_the_sliders_steps() {
    let (app, mut browser) = app().await;
    // Without JavaScript, "Search" submits the search form: the sliders stay put.
    let page = browser
        .get(
            &app.client,
            "/perfect-song?danceability=0.2&energy=0.9&w_energy=3&seed_q=Breeze",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(slider(&page, "danceability"), "0.2");
    assert_eq!(slider(&page, "energy"), "0.9");
    // The search form carries them, so searching again keeps them as well.
    let search = form_around(&page, r#"id="ps-seed-q""#);
    for field in [
        r#"name="danceability" value="0.2""#,
        r#"name="energy" value="0.9""#,
        r#"name="w_energy" value="3""#,
    ] {
        assert!(search.contains(field), "{field} in {search}");
    }
    // Adding the seed it found starts the targets again from the seed, weights kept.
    let add = page
        .body
        .find("Add <span class=\"suggestion-name\">Breeze")
        .expect("Breeze found");
    let href_at = page.body[..add].rfind("href=\"").expect("link") + 6;
    let href = &page.body[href_at..href_at + page.body[href_at..].find('"').unwrap()];
    let href = href.replace("&amp;", "&");
    assert!(
        href.contains("seed_artist=") && href.contains("w_energy=3"),
        "{href}"
    );
    assert!(
        !href.contains("&danceability=") && !href.contains("?danceability="),
        "{href}"
    );
    // Breeze's tracks average 0.565 and 125 BPM: the form shows a value on the
    // slider's steps (0.01), which a number field without JavaScript accepts.
    let seeded = browser.get(&app.client, &href).await;
    assert_eq!(seeded.status, StatusCode::OK, "{}", seeded.body);
    let value = slider(&seeded, "danceability");
    let number: f64 = value.parse().expect("a number");
    assert!(
        (number - 0.565).abs() <= 0.005 + 1e-9 && value.len() <= 4,
        "{value}"
    );
    assert_eq!(slider(&seeded, "tempo"), "125");
}

/// The `href` of the link whose tag holds `marker`.
fn link_with(page: &Page, marker: &str) -> String {
    let at = page.body.find(marker).unwrap_or_else(|| panic!("{marker}"));
    let tag = page.body[..at].rfind("<a ").expect("a link");
    let href = page.body[tag..].find("href=\"").expect("href") + tag + 6;
    let end = page.body[href..].find('"').expect("end") + href;
    page.body[href..end].replace("&amp;", "&")
}

/// A seed added from the seed search (whose links carry the form's weights) matches as
/// the same seed's "More like this" does, on the nine audio features; removing it gives
/// the page's own weights back, not the nine the seed turned on.
#[tokio::test]
async fn a_seed_matches_the_same_however_it_was_added_and_removing_it_restores_the_weights() {
    let (app, mut browser) = app().await;
    let page = browser
        .get(&app.client, "/perfect-song?seed_q=Breeze")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(slider(&page, "w_speechiness"), "0", "the default weights");
    let add = link_with(&page, "Add <span class=\"suggestion-name\">Breeze");
    let seeded = browser.get(&app.client, &add).await;
    assert_eq!(seeded.status, StatusCode::OK, "{}", seeded.body);
    assert_eq!(slider(&seeded, "w_speechiness"), "1", "{add}");
    let artist = add
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("seed_artist="))
        .expect("the seed in the link");
    let direct = browser
        .get(&app.client, &format!("/perfect-song?seed_artist={artist}"))
        .await;
    assert_eq!(titles(&seeded), titles(&direct));
    // A weight the user set stays through the change of seeds.
    let own = browser
        .get(&app.client, "/perfect-song?w_energy=3&seed_q=Breeze")
        .await;
    let add = link_with(&own, "Add <span class=\"suggestion-name\">Breeze");
    assert!(add.contains("w_energy=3"), "{add}");
    // Removing the seed: the defaults again.
    let remove = link_with(&seeded, "aria-label=\"Remove seed Breeze");
    let back = browser.get(&app.client, &remove).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(slider(&back, "w_speechiness"), "0", "{remove}");
    assert_eq!(slider(&back, "w_energy"), "1", "{remove}");
}

/// The duration range's handles span songs (15 minutes; at the end, no limit), not
/// the day its fields accept: over a day every song sat in the first 2 pixels. A
/// longer limit is typed, and kept.
#[tokio::test]
async fn the_duration_slider_spans_songs_and_a_longer_limit_is_typed() {
    let (app, mut browser) = app().await;
    let page = browser
        .get(&app.client, "/perfect-song?max_duration=3600")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let set = form_around(&page, r#"data-range="duration""#);
    let set = &set[set.find(r#"data-range="duration""#).unwrap()..];
    assert!(set.contains(r#"data-min="0" data-max="900""#), "{set}");
    assert!(set.contains(r#"max="86400""#), "{set}");
    assert!(set.contains(r#"value="3600""#), "{set}");
    assert!(!titles(&page).is_empty());
}

/// The hidden fields of a form, as a browser sends them.
fn hidden_fields(form: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| -> String {
        let at = tag.find(&format!(r#"{name}=""#)).expect(name) + name.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()].replace("&amp;", "&")
    };
    form.split("<input")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .filter(|tag| tag.contains(r#"type="hidden""#))
        .map(|tag| (attribute(tag, "name"), attribute(tag, "value")))
        .collect()
}

/// A second seed added from the seed search matches as the two seeds given at once:
/// the search carries the page's weights, and its links leave them to the seeds. It
/// switched four features off (with JavaScript: the links fell back to the weights of
/// a page without seeds), or popularity on (without: the search's targets, popularity
/// among them, read as targets the user set).
#[tokio::test]
async fn a_second_seed_from_the_search_matches_as_the_two_seeds_given_at_once() {
    let (app, mut browser) = app().await;
    let halo = track_id(&app, &mut browser, "Halo").await;
    let storm = track_id(&app, &mut browser, "Storm").await;
    let seeded = browser
        .get(&app.client, &format!("/perfect-song?seed_track={halo}"))
        .await;
    let mut fields = hidden_fields(form_around(&seeded, r#"id="ps-seed-q""#));
    fields.push(("seed_q".into(), "Storm".into()));
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    // Without JavaScript, "Search" lists the matches and changes nothing else.
    let searched = browser
        .get(&app.client, &format!("/perfect-song?{query}"))
        .await;
    assert_eq!(searched.status, StatusCode::OK, "{}", searched.body);
    assert_eq!(titles(&searched), titles(&seeded));
    assert_eq!(slider(&searched, "w_popularity"), "0");
    let both = browser
        .get(
            &app.client,
            &format!("/perfect-song?seed_track={halo}&seed_track={storm}"),
        )
        .await;
    let marker = "Add <span class=\"suggestion-name\">Storm";
    let add = link_with(&searched, marker);
    assert!(!add.contains("w_"), "{add}");
    let added = browser.get(&app.client, &add).await;
    assert_eq!(titles(&added), titles(&both), "{add}");
    assert_eq!(slider(&added, "w_speechiness"), "1", "{add}");
    assert_eq!(slider(&added, "w_popularity"), "0", "{add}");
    // With JavaScript, the search's fragment links to the same address.
    browser.headers.push(("HX-Request".into(), "true".into()));
    let fragment = browser
        .get(&app.client, &format!("/perfect-song/seeds?{query}"))
        .await;
    browser.headers.pop();
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
    assert_eq!(link_with(&fragment, marker), add);
}

/// On a catalog without time signatures (the TidyTuesday and Kaggle layouts), the
/// time-signature range is shown switched off with why, and a bound an address brings
/// is refused beside its field, not answered with an empty list that blames it.
#[tokio::test]
async fn a_catalog_without_time_signatures_switches_their_range_off() {
    let empty = empty_app_with(|_| {});
    let tracks: Vec<NewTrack> = [
        song("halo", "Halo", "Angels", 0.50, 9, 0, 120.0),
        song("rush", "Rush", "Drums", 0.90, 2, 1, 140.0),
    ]
    .into_iter()
    .map(|mut t| {
        t.time_signature = None;
        t
    })
    .collect();
    let (meterless, mut browser) = signed_in(empty, "no-meter.csv", tracks, "meterless").await;
    let page = browser.get(&meterless.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let at = page
        .body
        .find("Time signature (beats per bar)")
        .expect("the range");
    let fieldset = &page.body[page.body[..at].rfind("<fieldset").unwrap()..at];
    assert!(fieldset.contains(" disabled"), "{fieldset}");
    assert!(
        page.body
            .contains("Not available: this catalog&#39;s tracks have no time signature")
            || page
                .body
                .contains("Not available: this catalog's tracks have no time signature")
    );
    let refused = browser
        .get(
            &meterless.client,
            "/perfect-song?energy=0.5&min_time_signature=4",
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("so this range would leave every one out: clear it."),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("beats per bar.</"),
        "{}",
        refused.body
    );
    // Saved as a profile it is refused too, and nothing is saved: loaded, such a
    // profile opened the page as "Error" on every visit, at a field it shows disabled.
    let token = page.csrf_token();
    let save = browser
        .post_raw(
            &meterless.client,
            "/perfect-song/profiles",
            &[
                ("csrf_token", &token),
                ("energy", "0.5"),
                ("min_time_signature", "4"),
                ("name", "Four beats"),
            ],
        )
        .await;
    assert_eq!(
        save.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        save.body
    );
    assert!(
        save.body
            .contains("so this range would leave every one out: clear it. Then save the settings."),
        "{}",
        save.body
    );
    let after = browser.get(&meterless.client, "/perfect-song").await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(!after.body.contains("Four beats"), "nothing saved");
    // Where the tracks have one, the range is there to use.
    let (app, mut browser) = app().await;
    let page = browser.get(&app.client, "/perfect-song").await;
    let at = page.body.find("Time signature (beats per bar)").unwrap();
    let fieldset = &page.body[page.body[..at].rfind("<fieldset").unwrap()..at];
    assert!(!fieldset.contains(" disabled"), "{fieldset}");
}

/// A catalog without release dates (Kaggle's SpotifyFeatures.csv has none) offers no
/// year to choose or sort by: the perfect-song page shows its year fields switched off,
/// saying why, and a year brought by an address is refused beside its field (it had
/// emptied the answer); the API refuses min_year; the results and the artist page have
/// no column of blanks, and the artist page opens sorted by title.
#[tokio::test]
async fn a_catalog_without_dates_offers_no_year_to_choose_or_sort_by() {
    let empty = empty_app_with(|c| c.api_anonymous = true);
    let tracks: Vec<NewTrack> = [
        song("halo", "Halo", "Angels", 0.50, 9, 0, 120.0),
        song("amen", "Amen", "Angels", 0.55, 2, 1, 124.0),
        song("rush", "Rush", "Drums", 0.90, 2, 1, 140.0),
    ]
    .into_iter()
    .map(|mut t| {
        t.release_year = None;
        t.popularity = None;
        t
    })
    .collect();
    let (dateless, mut browser) = signed_in(empty, "no-dates.csv", tracks, "dateless").await;
    let page = browser.get(&dateless.client, "/perfect-song").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for field in ["id=\"ps-year_from\"", "id=\"ps-year_to\""] {
        let at = page.body.find(field).expect(field);
        let input = &page.body[page.body[..at].rfind('<').unwrap()..];
        let input = &input[..input.find('>').unwrap()];
        assert!(input.contains(" disabled"), "{input}");
    }
    assert!(
        page.body
            .contains("Not available: no track in this catalog has a release date"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"<th scope="col">Year</th>"#));
    let refused = browser
        .get(&dateless.client, "/perfect-song?energy=0.5&year_from=1990")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(
            "No track of this catalog has a release date, so a year would leave every one out"
        ),
        "{}",
        refused.body
    );
    let (status, json) = api_status(
        &dateless,
        "/api/v1/recommendations?target_energy=0.5&min_year=1990",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no release dates")),
        "{json}"
    );
    // A profile saved over a catalog with dates, loaded here: the notice the keyboard
    // lands on says that this catalog refuses some of its settings.
    let with_year = insights_hub::matching::MatchSettings {
        filters: insights_hub::matching::Filters {
            year_from: Some(1990),
            ..Default::default()
        },
        ..Default::default()
    };
    let json = serde_json::to_string(&with_year).expect("json");
    let mut conn = dateless.state.pool.get().expect("a connection");
    let user = insights_hub::db::users::find_by_key(&mut conn, "dateless")
        .expect("query")
        .expect("the user");
    let profile = insights_hub::db::taste_profiles::insert_named(
        &mut conn, user.id, "Nineties", &json, 1, 100,
    )
    .expect("saved");
    drop(conn);
    let token = page.csrf_token();
    let loaded = browser
        .post_raw(
            &dateless.client,
            &format!("/perfect-song/profiles/{}/load", profile.id),
            &[("csrf_token", &token)],
        )
        .await;
    let to = loaded.location().expect("sent to the page").to_string();
    let opened = browser.get(&dateless.client, &to).await;
    assert!(
        opened.body.contains(
            "Loaded “Nineties”: its settings are on the sliders. This catalog refuses some of them"
        ),
        "{}",
        opened.body
    );
    let artist = browser
        .get(&dateless.client, &common::artist_path(&dateless, "Angels"))
        .await;
    assert_eq!(artist.status, StatusCode::OK);
    assert!(
        !artist.body.contains("<option value=\"year\""),
        "no year sort"
    );
    assert!(!artist.body.contains(">Year<"), "no year column");
    assert!(!artist.body.contains("released unknown"), "{}", artist.body);
    // Nor does any other page say "unknown" for the dates no track has.
    for path in [
        "/",
        "/genres/pop",
        "/artists/compare?artist=Angels&artist=Drums",
    ] {
        let page = browser.get(&dateless.client, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains(">Released<") && !page.body.contains("released unknown"),
            "{path}: {}",
            page.body
        );
    }
    assert!(artist.body.contains("sorted by title"), "{}", artist.body);
    assert!(
        artist.body.find(">Amen<").unwrap() < artist.body.find(">Halo<").unwrap(),
        "by title, A to Z"
    );
}

/// Spotify recommends songs: the API answers each song once, by its closest version,
/// as the page does. Aimed at Halo's sound, it answered Halo three times (the original,
/// the remaster and the live take), and a playlist made of it repeated the song.
#[tokio::test]
async fn the_api_answers_each_song_once_by_its_closest_version() {
    let (app, _) = app().await;
    let aim = [
        "danceability",
        "energy",
        "acousticness",
        "instrumentalness",
        "valence",
    ]
    .map(|f| format!("target_{f}=0.51"))
    .join("&");
    let json = api_json(&app, &format!("/api/v1/recommendations?{aim}&limit=10")).await;
    let names = track_names(&json);
    // The remaster sits exactly on the target: it stands for the song.
    assert_eq!(names.first(), Some(&"Halo - 2011 Remaster"), "{names:?}");
    let halos = names.iter().filter(|n| n.starts_with("Halo")).count();
    assert_eq!(halos, 1, "one version of Halo: {names:?}");
    // Every other song of the catalog is still answered.
    assert_eq!(names.len(), 5, "{names:?}");
}

/// An artist's top tracks are songs too: each once, by its most popular version.
#[tokio::test]
async fn the_apis_top_tracks_name_each_song_once() {
    let (app, _) = app().await;
    let found = api_json(&app, "/api/v1/search?q=artist:Angels&type=artist").await;
    let angels = found["artists"]["items"][0]["id"]
        .as_str()
        .expect("Angels' id");
    let top = api_json(&app, &format!("/api/v1/artists/{angels}/top-tracks")).await;
    let names = track_names(&top);
    assert_eq!(
        names.len(),
        1,
        "Angels have one song, in three versions: {names:?}"
    );
    assert!(names[0].starts_with("Halo"), "{names:?}");
}

/// A catalog of one track, and "More like this" on it: the seed is left out and nothing
/// is left, which no filter did. The page says so as such, not "with these filters".
#[tokio::test]
async fn the_only_track_as_a_seed_leaves_no_other_to_suggest() {
    let (app, mut browser) = signed_in(
        empty_app(),
        "one.csv",
        vec![song("halo", "Halo", "Angels", 0.50, 9, 0, 120.0)],
        "alone",
    )
    .await;
    let halo = track_id(&app, &mut browser, "Halo").await;
    let page = browser
        .get(&app.client, &format!("/perfect-song?seed_track={halo}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<h2>No other track to suggest</h2>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("with these filters"), "{}", page.body);
    assert!(
        page.body.contains(
            "There is 1 track in the catalog, and it is a seed track or another version of one"
        ),
        "{}",
        page.body
    );
}

/// With five seeds the controls that add one are switched off, and the page says why
/// where they are.
#[tokio::test]
async fn five_seeds_say_why_nothing_more_can_be_added() {
    let (app, mut browser) = app().await;
    let mut ids = Vec::new();
    for name in ["Storm", "Rush", "Other"] {
        ids.push(track_id(&app, &mut browser, name).await);
    }
    let four = format!(
        "/perfect-song?seed_genre=ambient&seed_track={}&seed_track={}&seed_track={}",
        ids[0], ids[1], ids[2]
    );
    let why = "5 seeds is the most: remove one to add another.";
    let page = browser.get(&app.client, &four).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains(why));
    let page = browser
        .get(&app.client, &format!("{four}&seed_genre=pop"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(why), "{}", page.body);
    assert!(
        page.body
            .contains(r#"disabled aria-describedby="ps-seeds-full""#),
        "the switched-off controls point at it"
    );
}

/// The seed box lists a title typed whole first: by popularity alone, "Song 1" came
/// after "Song 10" to "Song 15", and only six are listed, so it could not be added.
#[tokio::test]
async fn the_seed_box_lists_the_title_typed_whole_first() {
    let mut tracks: Vec<NewTrack> = (10..17)
        .map(|i| {
            song(
                &format!("s{i}"),
                &format!("Song {i}"),
                "Band",
                0.5,
                0,
                1,
                120.0,
            )
        })
        .collect();
    let mut quiet = song("s1", "Song 1", "Band", 0.5, 0, 1, 120.0);
    quiet.popularity = Some(1);
    tracks.push(quiet);
    let (app, browser) = signed_in(empty_app_with(|_| {}), "songs.csv", tracks, "typist").await;
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    for typed in ["Song+1", "song+1", "+SONG+1+"] {
        let fragment = htmx
            .get(&app.client, &format!("/perfect-song/seeds?seed_q={typed}"))
            .await;
        assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
        let first = fragment
            .body
            .find("Add <span class=\"suggestion-name\">Song 1<")
            .expect("Song 1 listed");
        let others = fragment
            .body
            .find("Add <span class=\"suggestion-name\">Song 1")
            .expect("a track listed");
        assert_eq!(first, others, "{typed}: Song 1 first\n{}", fragment.body);
    }
}

/// A seed already chosen is named as one in the seed box, not offered to "Add" again
/// (which put it in the address twice for the same one seed).
#[tokio::test]
async fn the_seed_box_names_a_chosen_seed_instead_of_offering_it() {
    let (app, mut browser) = app().await;
    let halo = track_id(&app, &mut browser, "Halo").await;
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let fragment = htmx
        .get(
            &app.client,
            &format!("/perfect-song/seeds?seed_q=hal&seed_track={halo}"),
        )
        .await;
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
    assert!(
        fragment.body.contains("already a seed"),
        "{}",
        fragment.body
    );
    assert!(
        !fragment
            .body
            .contains(&format!("seed_track={halo}&amp;seed_track={halo}")),
        "{}",
        fragment.body
    );
    // The other versions are still offered.
    assert!(
        fragment
            .body
            .contains("Add <span class=\"suggestion-name\">Halo (Live)"),
        "{}",
        fragment.body
    );
}

/// A release the dataset holds twice is one line in the seed box, and that line says
/// "already a seed" whichever of its two ids is the seed (it had offered to add the
/// other, a second chip for the same song).
#[tokio::test]
async fn a_release_held_twice_is_already_a_seed_by_either_id() {
    let tracks = vec![
        song("twin1", "Twin Song", "Band", 0.5, 0, 1, 120.0),
        song("twin2", "Twin Song", "Band", 0.5, 0, 1, 120.0),
        song("other", "Other Song", "Band", 0.6, 0, 1, 120.0),
    ];
    let (app, browser) =
        signed_in(empty_app_with(|_| {}), "twins.csv", tracks, "twin_seeder").await;
    let mut htmx = browser.clone();
    htmx.headers.push(("HX-Request".into(), "true".into()));
    let pool = app.state.pool.clone();
    let twins = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().expect("connection");
        insights_hub::db::api_catalog::ids_by_spotify_ids(
            &mut conn,
            &["twin1".to_string(), "twin2".to_string()],
        )
        .expect("ids")
    })
    .await
    .expect("lookup");
    let seeds: Vec<String> = twins.values().map(|id| id.to_string()).collect();
    assert_eq!(seeds.len(), 2, "{twins:?}");
    for seed in seeds {
        let fragment = htmx
            .get(
                &app.client,
                &format!("/perfect-song/seeds?seed_q=Twin+Song&seed_track={seed}"),
            )
            .await;
        assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.body);
        assert!(
            fragment.body.contains("already a seed"),
            "seed {seed}: {}",
            fragment.body
        );
        assert!(
            !fragment
                .body
                .contains("Add <span class=\"suggestion-name\">Twin Song"),
            "seed {seed}: {}",
            fragment.body
        );
    }
}
