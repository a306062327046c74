//! `/api/v1/search` with Spotify's field filters (`track:`, `artist:`, `album:`,
//! `genre:`, `year:`), through the real router over a small catalog written for the
//! purpose, so that every answer can be checked by name.

mod common;

use common::TestApp;
use insights_hub::catalog::{GenreTag, NewTrack};
use poem::http::StatusCode;
use serde_json::Value;

struct Row {
    name: &'static str,
    artists: &'static [&'static str],
    album: &'static str,
    year: i32,
    genres: &'static [(&'static str, Option<&'static str>)],
    popularity: i32,
}

const CATALOG: &[Row] = &[
    Row {
        name: "Around the World",
        artists: &["Daft Punk"],
        album: "Homework",
        year: 1997,
        genres: &[("edm", Some("electro house"))],
        popularity: 80,
    },
    Row {
        name: "One More Time",
        artists: &["Daft Punk"],
        album: "Discovery",
        year: 2000,
        genres: &[("edm", None)],
        popularity: 90,
    },
    Row {
        name: "Get Lucky",
        artists: &["Daft Punk", "Pharrell Williams"],
        album: "Random Access Memories",
        year: 2013,
        genres: &[("pop", None), ("edm", None)],
        popularity: 85,
    },
    Row {
        name: "Hotline Bling",
        artists: &["Drake"],
        album: "Views",
        year: 2016,
        genres: &[("rap", None)],
        popularity: 88,
    },
    Row {
        name: "One Dance",
        artists: &["Drake", "Wizkid", "Kyla"],
        album: "Views",
        year: 2016,
        genres: &[("rap", None), ("pop", None)],
        popularity: 87,
    },
    Row {
        name: "Someone You Loved",
        artists: &["Lewis Capaldi"],
        album: "Divinely Uninspired to a Hellish Extent",
        year: 2019,
        genres: &[("pop", None)],
        popularity: 92,
    },
    Row {
        name: "Smells Like Teen Spirit",
        artists: &["Nirvana"],
        album: "Nevermind",
        year: 1991,
        genres: &[("rock", Some("grunge"))],
        popularity: 79,
    },
    Row {
        name: "Come as You Are",
        artists: &["Nirvana"],
        album: "Nevermind",
        year: 1991,
        genres: &[("rock", None)],
        popularity: 75,
    },
    Row {
        name: "Drake's Drum",
        artists: &["Sea Shanty Choir"],
        album: "Old Songs",
        year: 1995,
        genres: &[("folk", None)],
        popularity: 10,
    },
    Row {
        name: "Halo",
        artists: &["Beyoncé"],
        album: "I Am... Sasha Fierce",
        year: 2008,
        genres: &[("pop", None)],
        popularity: 84,
    },
    Row {
        name: "One",
        artists: &["Metallica"],
        album: "...And Justice for All",
        year: 1988,
        genres: &[("rock", None)],
        popularity: 70,
    },
    Row {
        name: "Re:Stacks",
        artists: &["Bon Iver"],
        album: "For Emma, Forever Ago",
        year: 2008,
        genres: &[("indie", None)],
        popularity: 60,
    },
    Row {
        name: "Café del Mar",
        artists: &["Energy 52"],
        album: "Café del Mar (Remixes)",
        year: 1993,
        genres: &[("trance", None)],
        popularity: 50,
    },
    Row {
        name: "Don’t Stop",
        artists: &["Cam’ron"],
        album: "Come Home with Me",
        year: 2002,
        genres: &[("hip hop", None)],
        popularity: 45,
    },
    Row {
        name: "Don't Stop Me Now",
        artists: &["Queen"],
        album: "Jazz",
        year: 1978,
        genres: &[("disco", None)],
        popularity: 90,
    },
    Row {
        name: "Déjà Vu",
        artists: &["Vee Jay"],
        album: "Twice Seen",
        year: 2006,
        genres: &[("soul", None)],
        popularity: 30,
    },
    Row {
        name: "Deja Vu",
        artists: &["Plain Spelling"],
        album: "Unaccented",
        year: 2012,
        genres: &[("soul", None)],
        popularity: 20,
    },
    Row {
        name: "Deja Vu Dance",
        artists: &["Vu Crew"],
        album: "Floor",
        year: 2010,
        genres: &[("house", None)],
        popularity: 80,
    },
    Row {
        name: "Every Breath You Take",
        artists: &["The Police"],
        album: "Synchronicity (Remastered 2003)",
        year: 1983,
        genres: &[("new wave", None)],
        popularity: 85,
    },
    Row {
        name: "Every Breath You Take - Remastered 2003",
        artists: &["The Police"],
        album: "Synchronicity (Remastered 2003)",
        year: 1983,
        genres: &[("new wave", None)],
        popularity: 30,
    },
    Row {
        name: "God\u{b4}s Plan",
        artists: &["Drizzy Tribute"],
        album: "EP \u{2116}2",
        year: 2018,
        genres: &[("tribute", None)],
        popularity: 5,
    },
    Row {
        name: "ÇA PLANE POUR MOI",
        artists: &["Plastic Bertrand"],
        album: "AN1",
        year: 1977,
        genres: &[("punk", None)],
        popularity: 40,
    },
];

fn track(i: usize, row: &Row) -> NewTrack {
    let mut t = common::fixtures::track(&format!("search{i:016}"), row.name, row.artists, 0.5);
    t.album = Some(row.album.to_string());
    t.release_year = Some(row.year);
    t.popularity = Some(row.popularity);
    t.genres = row
        .genres
        .iter()
        .map(|(genre, subgenre)| GenreTag {
            genre: genre.to_string(),
            subgenre: subgenre.map(str::to_string),
        })
        .collect();
    t
}

async fn catalog_app() -> TestApp {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let tracks = CATALOG
        .iter()
        .enumerate()
        .map(|(i, r)| track(i, r))
        .collect();
    common::fixtures::load(&app.state, "search fixtures", tracks).await;
    app
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app.client.get(path).send().await.0;
    let status = resp.status();
    let body = resp.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&body).expect("JSON"))
}

fn path(q: &str, kind: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/api/v1/search?q={q}&type={kind}")
}

/// The names found for `q` of one type (`track` or `artist`), in order, checking that
/// the total agrees when everything fits on the page.
async fn names(app: &TestApp, q: &str, kind: &str) -> Vec<String> {
    // Pages of 50 (the most): a test's whole answer fits on one as the fixtures grow.
    let (status, json) = get(app, &format!("{}&limit=50", path(q, kind))).await;
    assert_eq!(status, StatusCode::OK, "{q}: {json}");
    let page = &json[format!("{kind}s")];
    let names: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(page["total"].as_u64(), Some(names.len() as u64), "{q}");
    names
}

async fn refused(app: &TestApp, q: &str) -> String {
    let (status, json) = get(app, &path(q, "track")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {json}");
    json["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn track_filters_find_what_a_spotify_user_expects() {
    let app = catalog_app().await;
    let cases: &[(&str, &[&str])] = &[
        // artist: is a credited artist, not the title; free text is in the title, the
        // album or a credited artist's name, as on Spotify.
        ("artist:Drake", &["Hotline Bling", "One Dance"]),
        ("Drake", &["Hotline Bling", "One Dance", "Drake's Drum"]),
        ("track:drake", &["Drake's Drum"]),
        // How scripts look a song up: its artist and title in one query, any order.
        ("beyonce halo", &["Halo"]),
        ("halo BEYONCÉ", &["Halo"]),
        ("capaldi loved", &["Someone You Loved"]),
        // ... written as file names and exports write a song: the punctuation between
        // the words is not searched for (a lone "-" had to be in the title).
        ("Lewis Capaldi - Someone You Loved", &["Someone You Loved"]),
        ("someone you loved, capaldi", &["Someone You Loved"]),
        ("drake: (hotline bling)", &["Hotline Bling"]),
        ("nevermind", &["Smells Like Teen Spirit", "Come as You Are"]),
        ("views wizkid", &["One Dance"]),
        ("drake rock", &[]),
        ("ARTIST:drake", &["Hotline Bling", "One Dance"]),
        // Quoted values, any credited artist, accents folded.
        (
            r#"artist:"Daft Punk""#,
            &["One More Time", "Get Lucky", "Around the World"],
        ),
        (r#"artist:"pharrell williams""#, &["Get Lucky"]),
        ("artist:beyonce", &["Halo"]),
        ("artist:drake artist:wizkid", &["One Dance"]),
        // Free text and track: match the title; words in any order.
        ("track:one year:1980-1999", &["One"]),
        ("loved someone", &["Someone You Loved"]),
        (r#"track:"one dance""#, &["One Dance"]),
        ("one artist:drake", &["One Dance"]),
        // Years: one or a range, both ends included.
        (
            r#"artist:"daft punk" year:2000-2013"#,
            &["One More Time", "Get Lucky"],
        ),
        ("year:1997", &["Around the World"]),
        (
            "year:1991 year:1990-1999",
            &["Smells Like Teen Spirit", "Come as You Are"],
        ),
        // Albums: contained, case ignored.
        ("album:views", &["Hotline Bling", "One Dance"]),
        (
            "ALBUM:NEVERMIND",
            &["Smells Like Teen Spirit", "Come as You Are"],
        ),
        // Genres: any of a track's genres or subgenres, by their whole name.
        (
            "genre:rock",
            &["Smells Like Teen Spirit", "Come as You Are", "One"],
        ),
        ("genre:Grunge", &["Smells Like Teen Spirit"]),
        (r#"genre:"electro house""#, &["Around the World"]),
        // Another spelling of a whole name: Spotify writes its genres with hyphens.
        ("genre:electro-house", &["Around the World"]),
        ("genre:roc", &[]),
        // A genre is a whole name: `house` inside "electro house" is a filter of its
        // own (no track has a genre called house), not one the other implies.
        (r#"genre:house genre:"electro house""#, &[]),
        (r#"genre:edm genre:"electro house""#, &["Around the World"]),
        (r#"genre:pop artist:"daft punk""#, &["Get Lucky"]),
        // Titles and albums as typed without their accents, or in another case, as
        // Spotify's search finds them.
        ("cafe", &["Café del Mar"]),
        ("CAFÉ DEL", &["Café del Mar"]),
        ("album:cafe", &["Café del Mar"]),
        ("ca plane", &["ÇA PLANE POUR MOI"]),
        (r#"track:"ça plane""#, &["ÇA PLANE POUR MOI"]),
        // A field Spotify has and we do not, or none at all: plain text.
        ("Re:Stacks", &["Re:Stacks"]),
        ("isrc:USUM71703861", &[]),
    ];
    for (q, expected) in cases {
        assert_eq!(names(&app, q, "track").await, *expected, "{q}");
    }
}

/// An apostrophe typed on a keyboard (`'`) finds the names and titles a file spells with
/// U+2019, and the other way round, as a phone's smart punctuation types it.
#[tokio::test]
async fn an_apostrophe_is_found_however_it_is_typed() {
    let app = catalog_app().await;
    for q in ["cam'ron", "CAM’RON", "cam‘ron", "artist:cam'ron"] {
        assert_eq!(names(&app, q, "artist").await, ["Cam’ron"], "{q}");
    }
    for q in ["artist:cam'ron", "don’t stop artist:cam'ron"] {
        assert_eq!(names(&app, q, "track").await, ["Don’t Stop"], "{q}");
    }
    // Typed either way, the title typed whole comes before the more popular title
    // that holds its words, whichever apostrophe each is written with.
    for q in ["don't stop", "DON’T STOP", "don‘t stop"] {
        assert_eq!(
            names(&app, q, "track").await,
            ["Don’t Stop", "Don't Stop Me Now"],
            "{q}"
        );
    }
    // A `track:` filter names a title as well: typed whole, it comes first too.
    assert_eq!(
        names(&app, "track:\"don't stop\"", "track").await,
        ["Don’t Stop", "Don't Stop Me Now"]
    );
    for q in ["don’t stop me now", "don't stop me now"] {
        assert_eq!(names(&app, q, "track").await, ["Don't Stop Me Now"], "{q}");
    }
    // "Drake's Drum" is written with the ASCII apostrophe: found by either as well.
    for q in ["drake's", "drake’s drum"] {
        assert_eq!(names(&app, q, "track").await, ["Drake's Drum"], "{q}");
    }
}

#[tokio::test]
async fn artist_search_reads_the_same_filters() {
    let app = catalog_app().await;
    let cases: &[(&str, &[&str])] = &[
        ("artist:Drake", &["Drake"]),
        (r#"artist:"daft punk""#, &["Daft Punk"]),
        ("punk daft", &["Daft Punk"]),
        ("artist:beyonce", &["Beyoncé"]),
        // Track fields keep the artists credited on a track that meets them.
        ("genre:rock", &["Nirvana", "Metallica"]),
        ("genre:rap", &["Drake", "Kyla", "Wizkid"]),
        ("year:2016", &["Drake", "Kyla", "Wizkid"]),
        (r#"track:"get lucky""#, &["Daft Punk", "Pharrell Williams"]),
        ("album:nevermind", &["Nirvana"]),
        ("pharrell genre:pop", &["Pharrell Williams"]),
        ("drake genre:rock", &[]),
        ("daft year:1990-1999", &["Daft Punk"]),
    ];
    for (q, expected) in cases {
        assert_eq!(names(&app, q, "artist").await, *expected, "{q}");
    }
    // Both types at once, each with its own reading.
    let (_, json) = get(&app, &path("artist:drake", "artist,track")).await;
    assert_eq!(json["artists"]["total"], 1);
    assert_eq!(json["tracks"]["total"], 2);
}

#[tokio::test]
async fn filtered_results_page_like_any_other() {
    let app = catalog_app().await;
    let (_, first) = get(&app, &format!("{}&limit=2", path("genre:rock", "track"))).await;
    let page = &first["tracks"];
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["previous"].is_null());
    let next = page["next"].as_str().expect("a next page");
    assert!(next.contains("q=genre%3Arock"), "{next}");
    let (_, second) = get(&app, &next[next.find("/api/v1").unwrap()..]).await;
    let page = &second["tracks"];
    assert_eq!(page["offset"], 2);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["name"], "One");
    assert!(page["next"].is_null());
    // limit=0 counts; past the end is empty with the same total.
    let (_, zero) = get(&app, &format!("{}&limit=0", path("genre:rock", "track"))).await;
    assert_eq!(zero["tracks"]["total"], 3);
    let (_, past) = get(&app, &format!("{}&offset=10", path("genre:rock", "track"))).await;
    assert_eq!(past["tracks"]["total"], 3);
    assert_eq!(past["tracks"]["items"].as_array().unwrap().len(), 0);
    // Artists too.
    let (_, artists) = get(
        &app,
        &format!("{}&limit=1&offset=1", path("genre:rap", "artist")),
    )
    .await;
    let page = &artists["artists"];
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["name"], "Kyla");
    assert!(page["next"].is_string() && page["previous"].is_string());
}

#[tokio::test]
async fn a_year_that_is_not_one_is_refused_with_the_way_to_write_it() {
    let app = catalog_app().await;
    assert_eq!(
        refused(&app, "year:nineties").await,
        "year:nineties is not a year: write year:2010, or a range such as year:1990-1999."
    );
    assert_eq!(
        refused(&app, "artist:drake year:2019-2010").await,
        "year:2019-2010 runs backwards: write the earlier year first."
    );
    assert!(refused(&app, r#""""#)
        .await
        .contains("nothing to search for"));
}

/// Each word is a pass over the tracks: a word repeated, or held by another, is
/// searched for once, and more than twenty words and filters are refused. Twenty
/// take a song's whole title and artist, as a script looks a song up.
#[tokio::test]
async fn a_query_of_many_words_costs_its_distinct_ones_and_has_a_bound() {
    let app = catalog_app().await;
    let repeated = vec!["a"; 120].join(" ");
    assert_eq!(
        names(&app, &repeated, "track").await,
        names(&app, "a", "track").await
    );
    assert_eq!(
        names(&app, "a lov Love love", "track").await,
        names(&app, "love", "track").await
    );
    // No word holds another (those count once).
    let words = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima \
                 mike november oscar papa quebec romeo sierra tango uniform";
    let words: Vec<&str> = words.split_whitespace().collect();
    let twenty = words[..20].join(" ");
    assert_eq!(names(&app, &twenty, "track").await, Vec::<String>::new());
    // A song's title and artist, as spotipy's users look a song up: 13 terms, which
    // a bound of 10 had refused.
    let (status, json) = get(
        &app,
        &path(
            "track:Summer Days (feat. Macklemore & Patrick Stump of Fall Out Boy) - \
             Tiësto Remix artist:Tiësto",
            "track",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        refused(&app, &words.join(" ")).await,
        "q has 21 words, phrases and filters; at most 20 are searched for (a word another \
         holds counts once). Put a long title in quotes to search for it as one phrase: \
         track:\"…\"."
    );
}

/// A free word is tested against artist names in one of three ways, by how many tracks
/// the artists holding it have (`WordArtists`): those tracks gathered once, the tracks
/// of the few artists lacking it left out, or each track asked for its own artists. All
/// must find the same tracks; the API's small fixtures only take the first way.
#[tokio::test]
async fn both_ways_of_testing_a_word_against_artist_names_agree() {
    use insights_hub::{
        catalog::artists::index::query_key,
        db::track_search::{FreeWord, TrackConditions, WordArtists},
    };
    let app = catalog_app().await;
    let catalog = app.state.catalog();
    for (word, expected) in [
        ("drake", 3),
        ("punk", 3),
        ("beyonce", 1),
        ("views", 2),
        ("a", CATALOG.len() as i64),
        ("zzz", 0),
    ] {
        let (few, tracks) = catalog.artists.ids_containing(&query_key(word));
        let (lacking, _) = catalog.artists.ids_lacking(&query_key(word));
        let mut found = Vec::new();
        for artists in [
            WordArtists::Few(few, tracks),
            WordArtists::Many,
            WordArtists::AllBut(lacking),
        ] {
            let conditions = TrackConditions {
                words: vec![FreeWord {
                    text: word.to_string(),
                    artists,
                }],
                ..TrackConditions::default()
            };
            found.push(first_page(&app, conditions).await);
        }
        assert_eq!(found[0], found[1], "{word}");
        assert_eq!(found[0], found[2], "{word}");
        assert_eq!(found[0].0, expected, "{word}");
    }
}

/// A title typed whole comes first, then the rest by popularity: by popularity alone
/// `q=one` began with "Someone You Loved", and a script taking `items[0]` as the song
/// it looked up got another.
#[tokio::test]
async fn a_title_typed_whole_comes_before_titles_that_hold_the_words() {
    let app = catalog_app().await;
    let everything = ["One", "Someone You Loved", "One More Time", "One Dance"];
    assert_eq!(names(&app, "one", "track").await, everything);
    assert_eq!(names(&app, "ONE", "track").await, everything);
    // Any run of the words typed: the title, then its artist.
    assert_eq!(names(&app, "one metallica", "track").await, ["One"]);
    assert_eq!(
        names(&app, "Daft Punk - One More Time", "track").await,
        ["One More Time"]
    );
    // Paged, the order holds and the total counts each track once.
    let mut paged = Vec::new();
    for offset in 0..5 {
        let (status, json) = get(
            &app,
            &format!("{}&limit=1&offset={offset}", path("one", "track")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["tracks"]["total"], 4, "{json}");
        paged.extend(
            json["tracks"]["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["name"].as_str().unwrap_or_default().to_string()),
        );
    }
    assert_eq!(paged, everything);
    // The field filters still hold for the title typed whole.
    assert_eq!(
        names(&app, "one year:2000-2020", "track").await,
        ["Someone You Loved", "One More Time", "One Dance"]
    );
}

/// A title typed whole without its accents (or with them, on an unaccented title) is
/// still typed whole: `deja vu` had put the more popular "Deja Vu Dance" before
/// "Déjà Vu". A title spelled exactly as typed comes before one equal only once folded.
#[tokio::test]
async fn a_title_typed_whole_comes_first_whatever_its_accents() {
    let app = catalog_app().await;
    // The title spelled as typed first, then the one equal once folded (each less
    // popular than "Deja Vu Dance"), then the rest.
    for q in ["deja vu", "track:\"deja vu\""] {
        assert_eq!(
            names(&app, q, "track").await,
            ["Deja Vu", "Déjà Vu", "Deja Vu Dance"],
            "{q}"
        );
    }
    assert_eq!(
        names(&app, "DÉJÀ VU", "track").await,
        ["Déjà Vu", "Deja Vu", "Deja Vu Dance"]
    );
    assert_eq!(
        names(&app, "ca plane pour moi", "track").await,
        ["ÇA PLANE POUR MOI"]
    );
    // Characters Unicode writes otherwise once normalized (NFKC: "´", "№"), typed as
    // the file spells them, or as what they stand for: alike on both backends (on
    // PostgreSQL the title typed whole had found nothing).
    for q in [
        "God\u{b4}s Plan",
        "album:\"EP \u{2116}2\"",
        "album:\"ep no2\"",
    ] {
        assert_eq!(names(&app, q, "track").await, ["God\u{b4}s Plan"], "{q}");
    }
}

/// Spotify's operators in capitals: `NOT` leaves out what holds a word or a phrase
/// (in the title, the album or a credited artist's name, as free words are found), `*`
/// is a wildcard, and `OR` is refused rather than read as a word ("drake NOT remix"
/// had found only remixes, and "halo OR umbrella" nothing).
#[tokio::test]
async fn not_leaves_out_and_or_is_refused() {
    let app = catalog_app().await;
    let cases: &[(&str, &[&str])] = &[
        // By a credited artist's name, by the title, by the album.
        ("stop NOT queen", &["Don’t Stop"]),
        ("stop NOT \"me now\"", &["Don’t Stop"]),
        ("nevermind NOT teen", &["Come as You Are"]),
        ("cafe NOT remixes", &[]),
        // Accents aside, as everywhere in the search.
        ("vu NOT déjà", &[]),
        ("vu NOT dance", &["Déjà Vu", "Deja Vu"]),
        // In small letters it is a word like any other.
        ("don't stop me not", &[]),
        // A wildcard: the word is found anywhere already.
        ("halo*", &["Halo"]),
        ("artist:beyon*", &["Halo"]),
    ];
    for (q, expected) in cases {
        assert_eq!(names(&app, q, "track").await, *expected, "{q}");
    }
    assert_eq!(names(&app, "nirvana NOT punk", "artist").await, ["Nirvana"]);
    assert!(names(&app, "daft NOT punk", "artist").await.is_empty());
    assert_eq!(names(&app, "beyon*", "artist").await, ["Beyoncé"]);
    for (q, says) in [
        ("halo OR umbrella", "q uses OR"),
        ("love NOT artist:drake", "NOT artist:drake is not read"),
        ("NOT artist:drake", "NOT artist:drake is not read"),
        ("drake NOT re*mix", "write the word whole"),
    ] {
        let message = refused(&app, q).await;
        assert!(message.contains(says), "{q}: {message}");
    }
}

/// A title typed whole with its punctuation (" - ", "(feat. …)") is typed whole, and of
/// the titles typed whole the longest comes first: the more popular "Every Breath You
/// Take", a shorter run of the same words, had come before the remaster typed in full.
#[tokio::test]
async fn the_longest_title_typed_whole_comes_first() {
    let app = catalog_app().await;
    for q in [
        "Every Breath You Take - Remastered 2003",
        "Every Breath You Take - Remastered 2003 The Police",
        "the police every breath you take - remastered 2003",
    ] {
        assert_eq!(
            names(&app, q, "track").await,
            [
                "Every Breath You Take - Remastered 2003",
                "Every Breath You Take"
            ],
            "{q}"
        );
    }
    // Typed without the remaster, the plain title is the one typed whole.
    assert_eq!(
        names(&app, "every breath you take police", "track").await,
        [
            "Every Breath You Take",
            "Every Breath You Take - Remastered 2003"
        ]
    );
}

/// An `artist:` filter finds the same tracks whether its artists come from the
/// in-memory index (a few look-ups by artist) or from testing every credit's name.
#[tokio::test]
async fn both_ways_of_an_artist_filter_agree() {
    use insights_hub::{
        catalog::artists::index::query_key,
        db::track_search::{ArtistFilter, TrackConditions, WordArtists},
    };
    let app = catalog_app().await;
    let catalog = app.state.catalog();
    for (name, expected) in [("drake", 2), ("beyonce", 1), ("a", 14), ("zzz", 0)] {
        let key = query_key(name);
        let (ids, tracks) = catalog.artists.ids_containing(&key);
        let (lacking, _) = catalog.artists.ids_lacking(&key);
        let mut found = Vec::new();
        for artists in [
            WordArtists::Few(ids, tracks),
            WordArtists::AllBut(lacking),
            WordArtists::Many,
        ] {
            let conditions = TrackConditions {
                artist: vec![ArtistFilter {
                    key: key.clone(),
                    artists,
                }],
                ..TrackConditions::default()
            };
            found.push(first_page(&app, conditions).await);
        }
        assert_eq!(found[0], found[1], "{name}");
        assert_eq!(found[0], found[2], "{name}");
        assert_eq!(found[0].0, expected, "{name}");
    }
}

/// The first 50 tracks meeting `conditions`, and how many meet them, straight from the
/// database layer.
async fn first_page(
    app: &TestApp,
    conditions: insights_hub::db::track_search::TrackConditions,
) -> (i64, Vec<i32>) {
    insights_hub::db::run(&app.state.pool, move |conn| {
        Ok(insights_hub::db::track_search::search_track_ids(
            conn,
            &conditions,
            50,
            0,
        )?)
    })
    .await
    .expect("search")
}

/// Genres and years alone are answered from the genres' track lists
/// (`catalog::genre_tracks`) rather than SQL: the two give the same tracks in the same
/// order and the same total, with popularity tied or unknown, years unknown, tracks of
/// several genres and subgenres, and pages past the first.
#[tokio::test]
async fn genre_lists_and_sql_agree() {
    use insights_hub::db::track_search::TrackConditions;
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    let tracks = (0..60usize)
        .map(|i| {
            let name = format!("Song {i}");
            // Eleven artists, some tracks with two: the artist search's lists have
            // something to tell apart.
            let (first, second) = (format!("Band {}", i % 11), format!("Band {}", (i + 4) % 11));
            let credits: Vec<&str> = if i % 4 == 1 {
                vec![&first, &second]
            } else {
                vec![&first]
            };
            let mut t = common::fixtures::track(&format!("genre{i:017}"), &name, &credits, 0.5);
            t.popularity = (i % 7 != 0).then_some((i * 13 % 5) as i32 * 10);
            t.release_year = (i % 5 != 0).then_some(1990 + (i % 20) as i32);
            t.genres = Vec::new();
            if i % 2 == 0 {
                t.genres.push(GenreTag {
                    genre: "rock".to_string(),
                    subgenre: (i % 4 == 0).then(|| "indie rock".to_string()),
                });
            }
            if i % 3 == 0 {
                t.genres.push(GenreTag {
                    genre: "pop".to_string(),
                    subgenre: None,
                });
            }
            t
        })
        .collect();
    common::fixtures::load(&app.state, "genre lists", tracks).await;
    let version = app.state.catalog().meta.version;
    let lists = app
        .state
        .caches
        .genre_tracks(&app.state.pool, version)
        .await
        .expect("genre lists");
    type Case = (&'static [&'static str], &'static [(i32, i32)]);
    let cases: &[Case] = &[
        (&["rock"], &[]),
        (&["pop"], &[(1995, 2000)]),
        (&["rock", "pop"], &[]),
        (&["indie rock"], &[(1990, 2005), (1995, 2020)]),
        (&["pop", "indie rock"], &[(1990, 1990)]),
        (&["jazz"], &[]),
    ];
    for &(genres, years) in cases {
        for (offset, limit) in [(0, 50), (3, 4), (29, 5)] {
            let conditions = TrackConditions {
                genre: genres.iter().map(|g| g.to_string()).collect(),
                years: years.to_vec(),
                ..TrackConditions::default()
            };
            assert!(conditions.genres_and_years_only());
            let from_lists = lists.page(&conditions.genre, years, offset, limit);
            let from_sql = insights_hub::db::run(&app.state.pool, move |conn| {
                Ok(insights_hub::db::track_search::search_track_ids(
                    conn,
                    &conditions,
                    limit as i64,
                    offset as i64,
                )?)
            })
            .await
            .expect("search");
            let case = format!("{genres:?} {years:?} offset {offset} limit {limit}");
            assert_eq!(
                (from_lists.total as i64, from_lists.ids),
                from_sql,
                "{case}"
            );
            let conditions = TrackConditions {
                genre: genres.iter().map(|g| g.to_string()).collect(),
                years: years.to_vec(),
                ..TrackConditions::default()
            };
            let artists_from_lists = lists.artists_credited(&conditions.genre, years);
            let mut artists_from_sql = insights_hub::db::run(&app.state.pool, move |conn| {
                Ok(insights_hub::db::track_search::artists_credited_on(
                    conn,
                    &conditions,
                )?)
            })
            .await
            .expect("artists");
            artists_from_sql.sort_unstable();
            assert_eq!(artists_from_lists, artists_from_sql, "{case}");
        }
    }
    // And the router answers from them: the same names in the same order.
    let (_, json) = get(&app, &format!("{}&limit=50", path("genre:rock", "track"))).await;
    let page = lists.page(&["rock".to_string()], &[], 0, 50);
    assert_eq!(json["tracks"]["total"].as_u64(), Some(page.total));
    assert_eq!(page.total, 30);
    let names: Vec<&str> = json["tracks"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default())
        .collect();
    // Popularity unknown (a multiple of 7) last, by id; 40 (i % 5 == 3) first.
    assert_eq!(
        names[names.len() - 5..],
        ["Song 0", "Song 14", "Song 28", "Song 42", "Song 56"]
    );
    assert_eq!(names[..3], ["Song 8", "Song 18", "Song 38"]);
    // Artists by genre and years: those credited on such a track, most tracks first.
    let (_, json) = get(
        &app,
        &format!("{}&limit=50", path("genre:pop year:1995-2000", "artist")),
    )
    .await;
    let mut artists: Vec<&str> = json["artists"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default())
        .collect();
    artists.sort_unstable();
    // Pop: i % 3 == 0; years 1995–2000: i % 20 in 5..=10 and i % 5 != 0, so i = 6,
    // 9, 27, 48: Band 6, Band 9 (and Band 2 on it, i % 4 == 1), Band 5, Band 4.
    assert_eq!(artists, ["Band 2", "Band 4", "Band 5", "Band 6", "Band 9"]);
    assert_eq!(json["artists"]["total"].as_u64(), Some(5));
}

/// How scripts look an artist up by name: `search(q=name, type=artist, limit=1)` or
/// `q=artist:NAME`. The artist named exactly so comes first, though others hold the
/// same words and have more tracks (`Dr. Dre` is "dr" and "dre", which DrefQuila holds).
#[tokio::test]
async fn an_artist_named_exactly_as_typed_comes_first() {
    let app = common::empty_app_with(|c| c.api_anonymous = true);
    // Each decoy has more tracks than the artist asked for, so most tracks first would
    // rank it higher.
    let credits: &[(&str, usize)] = &[
        ("Dr. Dre", 1),
        ("DrefQuila", 4),
        ("R. Kelly", 1),
        ("Kelly Clarkson", 4),
        ("fun.", 1),
        ("Funky", 4),
        ("T. Rex", 1),
        ("Rex Orange County", 4),
        ("The Band", 1),
        ("The Allman Brothers Band", 4),
        // Words of one letter each are ranked another way (no pairs of letters).
        ("L E O", 1),
        ("Leon Bridges", 4),
        ("M.I.A.", 1),
        ("Miami Horror", 4),
    ];
    let mut tracks = Vec::new();
    for &(artist, count) in credits {
        for n in 0..count {
            let id = format!("exact{:017}", tracks.len());
            tracks.push(common::fixtures::track(
                &id,
                &format!("{artist} song {n}"),
                &[artist],
                0.5,
            ));
        }
    }
    common::fixtures::load(&app.state, "exact names", tracks).await;
    for (q, first) in [
        ("Dr. Dre", "Dr. Dre"),
        ("dr dre", "Dr. Dre"),
        ("artist:Dr. Dre", "Dr. Dre"),
        ("R. Kelly", "R. Kelly"),
        ("fun.", "fun."),
        ("T. Rex", "T. Rex"),
        ("the band", "The Band"),
        ("artist:The Band", "The Band"),
        ("L E O", "L E O"),
        ("m i a", "M.I.A."),
        // Beside NOT too, which tests every match.
        ("Dr. Dre NOT band", "Dr. Dre"),
        ("r kelly NOT band", "R. Kelly"),
        // Its punctuation typed another way, as the site's box finds it.
        ("dr.dre", "Dr. Dre"),
        ("m-i-a", "M.I.A."),
    ] {
        let found = names(&app, q, "artist").await;
        assert_eq!(
            found.first().map(String::as_str),
            Some(first),
            "{q}: {found:?}"
        );
    }
    // The decoys are still found: the exact name is ranked first, not alone.
    assert_eq!(
        names(&app, "kelly", "artist").await,
        ["Kelly Clarkson", "R. Kelly"]
    );
    // "fun" is fun.'s whole name, punctuation aside.
    assert_eq!(names(&app, "fun", "artist").await, ["fun.", "Funky"]);
    // And their tracks, by the same name typed so, as words and as `artist:`.
    for q in ["dr.dre", "artist:dr.dre", "m-i-a"] {
        let tracks = names(&app, q, "track").await;
        assert!(!tracks.is_empty(), "{q}");
        let artist = if q.contains("dre") {
            "Dr. Dre"
        } else {
            "M.I.A."
        };
        assert!(
            tracks.iter().all(|t| t.starts_with(artist)),
            "{q}: {tracks:?}"
        );
    }
    // Found so, it is counted too.
    let (status, json) = get(&app, "/api/v1/search?q=dr.dre&type=artist").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["artists"]["total"], 1, "{json}");
}

/// A word or phrase of characters that show nothing is no word: quoted, a zero-width
/// space had matched every track (an empty text is in every title), and `NOT` it none.
#[tokio::test]
async fn a_phrase_that_shows_nothing_is_no_word() {
    let app = catalog_app().await;
    let (status, json) = get(&app, "/api/v1/search?type=track&q=%22%E2%80%8B%22").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let total = |json: &Value| json["tracks"]["total"].as_i64();
    let (_, plain) = get(&app, "/api/v1/search?type=track&q=love").await;
    assert!(total(&plain) > Some(0), "{plain}");
    for q in ["love%20NOT%20%22%E2%80%8E%22", "love%20%22%E2%81%A0%22"] {
        let (status, json) = get(&app, &format!("/api/v1/search?type=track&q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {json}");
        assert_eq!(total(&json), total(&plain), "{q}");
    }
    // The count alone, at an offset, is the same count.
    let (_, counted) = get(&app, "/api/v1/search?type=track&q=love&limit=0&offset=5").await;
    assert_eq!(total(&counted), total(&plain));
}
