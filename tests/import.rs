//! Dataset import: one hand-written fixture per supported format, malformed files,
//! skipped-row reporting, `--strict`, idempotence, demo replacement, and that a failed
//! import leaves the database exactly as it was. Then the attacks of issue 16 (files
//! that add nothing, many artists in one cell, huge texts, huge headers) and the files
//! users really have (gzip, zip, Excel's exports), each built here from the fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::{prelude::*, sql_types::Text, SqliteConnection};
use insights_hub::{
    catalog::{
        import::{
            import_files, synthetic::write_tidytuesday_csv, ImportError, ImportOptions,
            ImportReport, NoProgress, Progress,
        },
        AudioFeatures, NewTrack, TrackKeys,
    },
    db::{
        self, catalog_imports,
        catalog_meta::{self, SourceKind},
        catalog_writer::{self, CatalogWriter},
        schema::{artists, genres, track_artists, track_genres, tracks},
    },
};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct Db {
    dir: TempDir,
    path: PathBuf,
    conn: db::DbConnection,
}

/// The SQLite connection inside: these tests check SQLite's files and statements
/// (tests/postgres.rs checks the PostgreSQL import).
fn sqlite(conn: &mut db::DbConnection) -> &mut SqliteConnection {
    match conn {
        db::DbConnection::Sqlite(conn) => conn,
        db::DbConnection::Pg(_) => panic!("a SQLite connection"),
    }
}

fn fresh_db() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("import.db");
    let conn = db::open_catalog_connection(&path).expect("open database");
    Db { dir, path, conn }
}

/// A fresh database, closed again for the binary to open: the directory that holds it
/// (removed when dropped) and its path.
fn database_for_the_binary() -> (tempfile::TempDir, String) {
    let Db { dir, path, conn } = fresh_db();
    drop(conn);
    (dir, path.to_str().expect("utf-8 path").to_string())
}

fn import(db: &mut Db, names: &[&str], strict: bool) -> Result<ImportReport, ImportError> {
    import_with(
        db,
        names,
        ImportOptions {
            strict,
            ..ImportOptions::default()
        },
    )
}

fn import_with(
    db: &mut Db,
    names: &[&str],
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    import_files(&mut db.conn, &paths, options, &mut NoProgress)
}

const ALLOW_BAD_ROWS: ImportOptions = ImportOptions {
    strict: false,
    allow_bad_rows: true,
};

/// Imports files by path (written by the test) with default options.
fn import_paths(db: &mut Db, paths: &[PathBuf]) -> Result<ImportReport, ImportError> {
    import_files(
        &mut db.conn,
        paths,
        ImportOptions::default(),
        &mut NoProgress,
    )
}

/// The stored track with this Spotify id: (name, album, year, genre, popularity,
/// duration, explicit, key, mode, time signature).
type TrackRow = (
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<bool>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
);

fn track(conn: &mut db::DbConnection, spotify_id: &str) -> TrackRow {
    let conn = sqlite(conn);
    tracks::table
        .filter(tracks::spotify_id.eq(spotify_id))
        .select((
            tracks::name,
            tracks::album,
            tracks::release_year,
            tracks::genre,
            tracks::popularity,
            tracks::duration_ms,
            tracks::explicit,
            tracks::musical_key,
            tracks::mode,
            tracks::time_signature,
        ))
        .first(conn)
        .unwrap_or_else(|e| panic!("track {spotify_id}: {e}"))
}

/// (tempo, loudness, danceability, instrumentalness)
fn features(conn: &mut db::DbConnection, spotify_id: &str) -> (f64, f64, f64, f64) {
    let conn = sqlite(conn);
    tracks::table
        .filter(tracks::spotify_id.eq(spotify_id))
        .select((
            tracks::tempo,
            tracks::loudness,
            tracks::danceability,
            tracks::instrumentalness,
        ))
        .first(conn)
        .expect("track features")
}

fn artists_of(conn: &mut db::DbConnection, spotify_id: &str) -> Vec<String> {
    let conn = sqlite(conn);
    track_artists::table
        .inner_join(tracks::table)
        .inner_join(artists::table)
        .filter(tracks::spotify_id.eq(spotify_id))
        .order(track_artists::position)
        .select(artists::name)
        .load(conn)
        .expect("artists of track")
}

fn count_tracks(conn: &mut db::DbConnection) -> i64 {
    let conn = sqlite(conn);
    tracks::table
        .count()
        .get_result(conn)
        .expect("count tracks")
}

fn count_artists(conn: &mut db::DbConnection) -> i64 {
    let conn = sqlite(conn);
    artists::table
        .count()
        .get_result(conn)
        .expect("count artists")
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Dump {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    dump: Option<String>,
}

/// Every row of the catalog tables (and the import history) as text: equal
/// fingerprints mean equal contents.
fn fingerprint(conn: &mut db::DbConnection, tables: &[&str]) -> String {
    let conn = sqlite(conn);
    let mut out = String::new();
    for table in tables {
        let columns: Vec<Name> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load(conn)
                .expect("columns");
        let row = columns
            .iter()
            .map(|c| format!("quote({})", c.name))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let dump: Dump = diesel::sql_query(format!(
            "SELECT group_concat(r, ';') AS dump FROM (SELECT {row} AS r FROM {table} ORDER BY 1)"
        ))
        .get_result(conn)
        .expect("dump");
        out.push_str(&format!("{table}: {}\n", dump.dump.unwrap_or_default()));
    }
    out
}

const CATALOG: [&str; 5] = [
    "tracks",
    "artists",
    "track_artists",
    "genres",
    "track_genres",
];
const EVERYTHING: [&str; 5] = [
    "tracks",
    "artists",
    "track_artists",
    "catalog_meta",
    "catalog_imports",
];

#[test]
fn tidytuesday_stores_each_track_once_and_skips_na_rows() {
    let mut db = fresh_db();
    let report = import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("import");
    let file = &report.files[0];
    assert_eq!(file.rows_read, 7);
    assert_eq!(file.inserted, 5);
    assert_eq!(file.repeated, 1, "the track listed in a second playlist");
    assert_eq!(file.skipped, 1);
    assert_eq!(file.bad_rows[0].line, 6);
    assert!(
        file.bad_rows[0].reason.contains("title is missing"),
        "{:?}",
        file.bad_rows
    );

    let conn = &mut db.conn;
    assert_eq!(count_tracks(conn), 5);
    let (name, album, year, genre, popularity, duration, explicit, key, mode, time_sig) =
        track(conn, "6f807x0ima9a1j3VPbc7VN");
    assert_eq!(
        name,
        "I Don't Care (with Justin Bieber) - Loud Luxury Remix"
    );
    assert_eq!(
        album.as_deref(),
        Some("I Don't Care (with Justin Bieber) [Loud Luxury Remix]")
    );
    assert_eq!(year, Some(2019));
    assert_eq!(genre.as_deref(), Some("pop"), "the first listing wins");
    assert_eq!(
        (popularity, duration, explicit),
        (Some(66), Some(194754), None)
    );
    assert_eq!((key, mode, time_sig), (Some(6), Some(1), None));
    assert_eq!(
        features(conn, "6f807x0ima9a1j3VPbc7VN"),
        (122.036, -2.634, 0.748, 0.0)
    );
    // The album's Spotify id and the release date as precise as the file gives it.
    let album_and_date =
        |conn: &mut db::DbConnection, id: &str| -> (Option<String>, Option<String>) {
            tracks::table
                .filter(tracks::spotify_id.eq(id))
                .select((tracks::album_spotify_id, tracks::release_date))
                .first(sqlite(conn))
                .expect("track")
        };
    assert_eq!(
        album_and_date(conn, "6f807x0ima9a1j3VPbc7VN"),
        (
            Some("2oCs0DGTsRO98Gh5ZSl2Cx".to_string()),
            Some("2019-06-14".to_string())
        )
    );
    assert_eq!(
        album_and_date(conn, "0r7CVbZTWZgbTCYdfa2P31").1.as_deref(),
        Some("2019-12")
    );
    // Release dates written YYYY-MM and YYYY; a value in scientific notation.
    assert_eq!(track(conn, "0r7CVbZTWZgbTCYdfa2P31").2, Some(2019));
    assert_eq!(track(conn, "1z1Hg7Vb0AhHDiEmnDE79l").2, Some(2019));
    assert_eq!(features(conn, "1z1Hg7Vb0AhHDiEmnDE79l").3, 2.33e-5);
    // track_artist holds one name, commas and semicolons included.
    assert_eq!(
        artists_of(conn, "2Vc6NJ9PW9gD9q343XFRKx"),
        vec!["Tyler, The Creator"]
    );
    assert_eq!(
        artists_of(conn, "5eBAi26nr0KPcO3ko2hvLN"),
        vec!["Khea;Omar Varela"]
    );
    assert_eq!(count_artists(conn), 5);

    let meta = catalog_meta::load(conn).expect("meta");
    assert_eq!(meta.source_kind, SourceKind::Import);
    assert_eq!(meta.source_name, "tidytuesday_spotify_songs.csv");
    assert_eq!((meta.track_count, meta.artist_count), (5, 5));
    assert_eq!((meta.min_year, meta.max_year), (Some(2018), Some(2019)));
    let history = catalog_imports::all(conn).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].rows_read,
            history[0].tracks_inserted,
            history[0].tracks_updated,
            history[0].rows_skipped
        ),
        (7, 5, 0, 1)
    );
    assert_eq!(report.catalog_tracks, 5);
    assert_eq!(report.catalog_artists, 5);
}

#[test]
fn spotify_features_reads_note_names_modes_and_time_signatures() {
    let mut db = fresh_db();
    let report = import(&mut db, &["kaggle_SpotifyFeatures.csv"], false).expect("import");
    assert_eq!(
        (report.inserted(), report.repeated(), report.skipped()),
        (3, 1, 0)
    );
    let conn = &mut db.conn;
    let henri = track(conn, "0BRjO6ga9RKCKjfDqeFgWV");
    assert_eq!(
        henri.3.as_deref(),
        Some("Movie"),
        "first genre listing wins"
    );
    assert_eq!(
        (henri.7, henri.8, henri.9),
        (Some(1), Some(1), Some(4)),
        "C#, Major, 4/4"
    );
    let martin = track(conn, "0BjC1NfoEOOusryehmNudP");
    assert_eq!((martin.7, martin.8), (Some(6), Some(0)), "F#, Minor");
    let kygo = track(conn, "1qDrWA6lyx8cLECdZE7TV7");
    assert_eq!(
        (kygo.7, kygo.8, kygo.9),
        (Some(1), Some(0), Some(3)),
        "Db, Minor, 3/4"
    );
    assert_eq!(features(conn, "1qDrWA6lyx8cLECdZE7TV7").3, 2.12e-06);
    assert_eq!(
        artists_of(conn, "0BjC1NfoEOOusryehmNudP"),
        vec!["Martin & les fées"]
    );
}

#[test]
fn hugging_face_dataset_splits_artists_and_folds_their_case() {
    let mut db = fresh_db();
    let report = import(&mut db, &["hf_dataset.csv"], false).expect("import");
    assert_eq!(
        (report.inserted(), report.repeated(), report.skipped()),
        (5, 1, 0)
    );
    let conn = &mut db.conn;
    assert_eq!(
        artists_of(conn, "1iJBSr7s7jYXzM8EGcbK5b"),
        vec!["Ingrid Michaelson", "ZAYN"]
    );
    // "Zayn" is the same artist as "ZAYN": one credit each, so the first spelling seen
    // names it (see `an_artist_is_named_as_most_of_its_credits_spell_it`).
    assert_eq!(
        artists_of(conn, "6K4t31amVTZDgR3sKmwUJJ"),
        vec!["ZAYN", "Taylor Swift"]
    );
    assert_eq!(count_artists(conn), 6);
    let zayn_tracks: i32 = artists::table
        .filter(artists::name_key.eq("zayn"))
        .select(artists::track_count)
        .first(conn)
        .expect("zayn");
    assert_eq!(zayn_tracks, 2);
    let hold_on = track(conn, "5vjLSffimiIP26QG5WcN2K");
    assert_eq!(
        (hold_on.3.as_deref(), hold_on.6),
        (Some("acoustic"), Some(true))
    );
    assert_eq!(track(conn, "5SuOikwiRyPMVoIQDJUgSV").6, Some(false));
    assert_eq!(features(conn, "5SuOikwiRyPMVoIQDJUgSV").3, 1.01e-06);
}

#[test]
fn six_hundred_k_tracks_reads_python_list_artists() {
    let mut db = fresh_db();
    let report = import(&mut db, &["kaggle_600k_tracks.csv"], false).expect("import");
    assert_eq!((report.inserted(), report.skipped()), (4, 0));
    let conn = &mut db.conn;
    assert_eq!(
        artists_of(conn, "0aOn4ZNsMZbw6P2tZqHc8D"),
        vec!["Guns N' Roses"]
    );
    assert_eq!(
        artists_of(conn, "4iJyoBOLtHqaGxP12qzhQI"),
        vec!["Justin Bieber", "Daniel Caesar", "Giveon"]
    );
    let carve = track(conn, "35iwgR4jXetI318WEWsa1Q");
    assert_eq!(
        (carve.0.as_str(), carve.2, carve.6, carve.9),
        ("Carve", Some(1922), Some(false), Some(3))
    );
    assert_eq!(track(conn, "4iJyoBOLtHqaGxP12qzhQI").6, Some(true));
    assert_eq!(
        track(conn, "021ht4sdgPcrDgSk7JTbKY").0,
        "Capítulo 2.16 - Banquero Anarquista"
    );
}

#[test]
fn exportify_reads_uris_and_comma_separated_artists() {
    let mut db = fresh_db();
    let report = import(&mut db, &["exportify_playlist.csv"], false).expect("import");
    assert_eq!((report.inserted(), report.skipped()), (3, 0));
    let conn = &mut db.conn;
    assert_eq!(
        artists_of(conn, "4iJyoBOLtHqaGxP12qzhQI"),
        vec!["Justin Bieber", "Daniel Caesar", "Giveon"]
    );
    let lights = track(conn, "0VjIjW4GlUZAMYd2vXMi3b");
    assert_eq!(lights.0, "Blinding Lights");
    assert_eq!(
        lights.3.as_deref(),
        Some("canadian contemporary r&b"),
        "first of the genres"
    );
    assert_eq!(
        (lights.2, lights.5, lights.6),
        (Some(2020), Some(200040), Some(false))
    );
    assert_eq!(
        features(conn, "0VjIjW4GlUZAMYd2vXMi3b"),
        (171.005, -5.934, 0.514, 9.54e-05)
    );
}

#[test]
fn a_track_from_another_file_is_updated_not_duplicated() {
    let mut db = fresh_db();
    import(&mut db, &["kaggle_600k_tracks.csv"], false).expect("first import");
    let report = import(&mut db, &["exportify_playlist.csv"], false).expect("second import");
    assert_eq!((report.inserted(), report.updated()), (2, 1));
    let conn = &mut db.conn;
    assert_eq!(count_tracks(conn), 6);
    assert_eq!(
        track(conn, "4iJyoBOLtHqaGxP12qzhQI").1.as_deref(),
        Some("Justice"),
        "new values win"
    );
    assert_eq!(
        artists_of(conn, "4iJyoBOLtHqaGxP12qzhQI"),
        vec!["Justin Bieber", "Daniel Caesar", "Giveon"],
        "links rewritten, not doubled"
    );
    let links: i64 = track_artists::table
        .count()
        .get_result(conn)
        .expect("links");
    // Uli, Pessoa, Guns N' Roses, Peaches (3 artists, rewritten once), then two more.
    assert_eq!(links, 1 + 1 + 1 + 3 + 1 + 1);
    // The catalog is named after both files, not the last one alone; a file imported
    // again is named once.
    let name = |conn: &mut db::DbConnection| catalog_meta::load(conn).expect("meta").source_name;
    assert_eq!(name(conn), "kaggle_600k_tracks.csv, exportify_playlist.csv");
    import_with(
        &mut db,
        &["kaggle_600k_tracks.csv"],
        ImportOptions {
            strict: true,
            ..ImportOptions::default()
        },
    )
    .expect("the first file again, with other options");
    assert_eq!(
        name(&mut db.conn),
        "kaggle_600k_tracks.csv, exportify_playlist.csv"
    );
}

/// A second dataset updates what it gives and keeps what it lacks: the Kaggle "1.2M
/// songs" layout has no genre and no popularity, and imported over TidyTuesday it took
/// both away from every track the two files share.
#[test]
fn a_file_without_some_columns_keeps_what_the_catalog_knew_of_them() {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first import");
    let id = "0r7CVbZTWZgbTCYdfa2P31";
    let genres_before = genre_links(&mut db.conn, id);
    assert!(!genres_before.is_empty());
    let dir = tempfile::tempdir().expect("dir");
    let million = dir.path().join("tracks_features.csv");
    std::fs::write(
        &million,
        "id,name,album,album_id,artists,artist_ids,track_number,disc_number,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature,year,release_date\n\
         0r7CVbZTWZgbTCYdfa2P31,Memories - Dillon Francis Remix,Memories (Remixes),7xYzAbCdEfGhIjKlMnOpQr,['Maroon 5'],['04gDigrS5kc9YWfZHwBETP'],1,1,False,0.5,0.815,11,-4.969,1,0.0373,0.0724,0.00421,0.357,0.693,99.972,162600,4,2019,2019-12-06\n",
    )
    .expect("write");
    let report = import_paths(&mut db, &[million]).expect("second import");
    assert_eq!((report.inserted(), report.updated()), (0, 1));
    let conn = &mut db.conn;
    let (name, album, year, genre, popularity, duration, explicit, key, mode, signature) =
        track(conn, id);
    assert_eq!(name, "Memories - Dillon Francis Remix");
    assert_eq!(
        album.as_deref(),
        Some("Memories (Remixes)"),
        "given: replaced"
    );
    assert_eq!(explicit, Some(false), "given: replaced");
    assert_eq!(signature, Some(4), "given: replaced");
    assert_eq!(features(conn, id).2, 0.5, "features are always given");
    assert_eq!(
        (year, duration, key, mode),
        (Some(2019), Some(162600), Some(11), Some(1))
    );
    assert_eq!(genre.as_deref(), Some("pop"), "not given: kept");
    assert_eq!(popularity, Some(67), "not given: kept");
    assert_eq!(genre_links(conn, id), genres_before, "not given: kept");
}

/// Names that differ only in case are one artist, named as most of its credits spell
/// it: the band Cream's nine TidyTuesday tracks had been credited to "CREAM", the J-pop
/// duo whose row came first.
#[test]
fn an_artist_is_named_as_most_of_its_credits_spell_it() {
    let mut db = fresh_db();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("spotify_songs.csv");
    let mut csv = String::from(
        "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,\
         track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,\
         danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,\
         liveness,valence,tempo,duration_ms\n",
    );
    let credits = [
        ("CREAM", "Shibuya Night"),
        ("Cream", "White Room"),
        ("Cream", "Sunshine Of Your Love"),
        ("Cream", "Crossroads"),
        ("Tobi", "Two Spellings"),
        ("TOBI", "Tied"),
    ];
    for (n, (artist, title)) in credits.iter().enumerate() {
        csv.push_str(&format!(
            "spell{n:017},{title},{artist},50,album{n:017},{title},2000-01-01,list,\
             list{n:018},rock,album rock,0.5,0.5,1,-8,1,0.1,0.1,0,0.1,0.5,120,200000\n"
        ));
    }
    std::fs::write(&file, csv).expect("write");
    import_paths(&mut db, &[file]).expect("import");
    let conn = &mut db.conn;
    assert_eq!(artists_of(conn, &format!("spell{:017}", 0)), vec!["Cream"]);
    assert_eq!(artists_of(conn, &format!("spell{:017}", 1)), vec!["Cream"]);
    // A tie keeps the first spelling seen.
    assert_eq!(artists_of(conn, &format!("spell{:017}", 5)), vec!["Tobi"]);
    assert_eq!(count_artists(conn), 2);
}

/// The names of the genres (and subgenres) a track is linked to, sorted.
fn genre_links(conn: &mut db::DbConnection, spotify_id: &str) -> Vec<String> {
    let mut names: Vec<String> = track_genres::table
        .inner_join(tracks::table)
        .inner_join(genres::table)
        .filter(tracks::spotify_id.eq(spotify_id))
        .select(genres::name)
        .load(sqlite(conn))
        .expect("genres");
    names.sort();
    names
}

#[test]
fn without_track_ids_tracks_are_identified_by_artists_and_title() {
    let mut db = fresh_db();
    let report = import(&mut db, &["no_track_ids.csv"], false).expect("import");
    assert_eq!(
        (report.inserted(), report.repeated(), report.skipped()),
        (2, 1, 0)
    );
    let conn = &mut db.conn;
    type IdNameTempoLoudnessYear = (Option<String>, String, f64, f64, Option<i32>);
    let stored: Vec<IdNameTempoLoudnessYear> = tracks::table
        .order(tracks::name)
        .select((
            tracks::spotify_id,
            tracks::name,
            tracks::tempo,
            tracks::loudness,
            tracks::release_year,
        ))
        .load(conn)
        .expect("tracks");
    assert_eq!(
        stored,
        vec![
            (None, "Song A".to_string(), 120.0, -6.0, Some(2001)),
            (None, "Song B".to_string(), 128.5, -4.5, None),
        ]
    );
    // Read again (other options, so not taken for the import the catalog holds): the
    // rows find the tracks they made.
    let again = import_with(&mut db, &["no_track_ids.csv"], ALLOW_BAD_ROWS).expect("re-import");
    assert_eq!((again.inserted(), again.updated()), (0, 2));
}

#[test]
fn running_the_same_import_again_writes_nothing_and_says_so() {
    let mut db = fresh_db();
    let files = ["tidytuesday_spotify_songs.csv", "hf_dataset.csv"];
    import(&mut db, &files, false).expect("first");
    let before = fingerprint(&mut db.conn, &CATALOG);
    let meta = catalog_meta::load(&mut db.conn).expect("meta");
    let again = import(&mut db, &files, false).expect("second");
    assert!(again.already_imported);
    assert_eq!(
        (again.rows_read(), again.inserted(), again.updated()),
        (0, 0, 0)
    );
    assert_eq!(again.catalog_tracks, meta.track_count);
    let text = again.summary();
    assert!(
        text.starts_with("Nothing to import: the catalog already holds exactly this import of "),
        "{text}"
    );
    assert!(text.contains("hf_dataset.csv"), "{text}");
    assert_eq!(fingerprint(&mut db.conn, &CATALOG), before);
    assert_eq!(
        catalog_meta::load(&mut db.conn).expect("meta"),
        meta,
        "the same version: servers keep their catalog and caches"
    );
    assert_eq!(
        catalog_imports::all(&mut db.conn).expect("history").len(),
        2,
        "nothing was imported, so nothing is added to the history"
    );
}

#[test]
fn the_same_files_with_other_options_are_imported_again_and_change_no_track() {
    let mut db = fresh_db();
    let files = ["tidytuesday_spotify_songs.csv", "hf_dataset.csv"];
    import(&mut db, &files, false).expect("first");
    let before = fingerprint(&mut db.conn, &CATALOG);
    let version = catalog_meta::version(&mut db.conn).expect("version");
    // Not the same import (the options differ), so it runs: every track is matched and
    // rewritten with the values it had.
    let again = import_with(&mut db, &files, ALLOW_BAD_ROWS).expect("second");
    assert!(!again.already_imported);
    assert_eq!((again.inserted(), again.updated()), (0, 10));
    assert_eq!(fingerprint(&mut db.conn, &CATALOG), before);
    assert!(
        catalog_meta::version(&mut db.conn).expect("version") > version,
        "servers are told"
    );
    assert_eq!(
        catalog_imports::all(&mut db.conn).expect("history").len(),
        4
    );
    // That run is now the one the catalog holds.
    let third = import_with(&mut db, &files, ALLOW_BAD_ROWS).expect("third");
    assert!(third.already_imported);
}

#[test]
fn a_file_changed_since_or_another_import_between_makes_it_a_new_import() {
    let mut db = fresh_db();
    let path = db.dir.path().join("songs.csv");
    let original = std::fs::read_to_string(fixture("hf_dataset.csv")).expect("fixture");
    std::fs::write(&path, &original).expect("write");
    let first = import_paths(&mut db, std::slice::from_ref(&path)).expect("first");
    assert!(!first.already_imported);
    // Another import in between: the catalog no longer holds just the first one.
    import(&mut db, &["exportify_playlist.csv"], false).expect("another file");
    let again = import_paths(&mut db, std::slice::from_ref(&path)).expect("again");
    assert!(!again.already_imported);
    assert_eq!(again.updated(), first.inserted());
    // The same path, one more byte (a trailing blank line): read again.
    std::fs::write(&path, format!("{original}\n")).expect("rewrite");
    let changed = import_paths(&mut db, std::slice::from_ref(&path)).expect("changed");
    assert!(!changed.already_imported);
    assert!(
        import_paths(&mut db, &[path])
            .expect("same")
            .already_imported
    );
}

#[test]
fn bad_rows_are_skipped_and_reported_with_their_line_numbers() {
    let mut db = fresh_db();
    let report = import_with(&mut db, &["bad_values.csv"], ALLOW_BAD_ROWS).expect("import");
    let file = &report.files[0];
    assert_eq!((file.rows_read, file.inserted, file.skipped), (8, 2, 6));
    let lines: Vec<u64> = file.bad_rows.iter().map(|b| b.line).collect();
    // The good row at line 8 spans two lines (a quoted newline), so the last bad row
    // is on line 10.
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 10]);
    let reasons: Vec<&str> = file.bad_rows.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(reasons[0], "danceability: 'high' is not a number");
    assert_eq!(
        reasons[1],
        "energy: 'NaN' is not a number (a feature must be known for every track)"
    );
    assert!(
        reasons[2].contains("valence = 1.7 is outside 0..1"),
        "{reasons:?}"
    );
    assert_eq!(reasons[3], "artist: the artist is missing");
    assert_eq!(reasons[4], "track_name: the title is missing");
    assert_eq!(reasons[5], "tempo: the audio feature is missing");
    // Its title is stored on one line, as every page and file shows it.
    assert_eq!(track(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa7").0, "Two Lines");
    let summary = report.summary();
    assert!(summary.contains("Skipped 6 bad rows in"), "{summary}");
    assert!(
        summary.contains("  line 10: tempo: the audio feature is missing"),
        "{summary}"
    );
}

#[test]
fn only_the_first_twenty_bad_rows_are_listed() {
    let mut db = fresh_db();
    let path = db.dir.path().join("many_bad.csv");
    let mut csv = String::from("title,artist,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness\n");
    for i in 0..25 {
        csv.push_str(&format!(
            "Song {i},Artist,2.0,0.5,0.5,0,0.5,0.05,0.1,120,-6\n"
        ));
    }
    csv.push_str("Fine,Artist,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n");
    std::fs::write(&path, csv).expect("write csv");
    let report =
        import_files(&mut db.conn, &[path], ALLOW_BAD_ROWS, &mut NoProgress).expect("import");
    let file = &report.files[0];
    assert_eq!((file.skipped, file.inserted), (25, 1));
    assert_eq!(file.bad_rows.len(), 20);
    assert_eq!(file.bad_rows.first().map(|b| b.line), Some(2));
    assert_eq!(file.bad_rows.last().map(|b| b.line), Some(21));
    assert!(report
        .summary()
        .contains("(the first 20 listed; --bad-rows FILE lists every one)"));
}

#[test]
fn an_unmappable_file_fails_at_once_listing_found_and_needed_columns() {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first import");
    let before = fingerprint(&mut db.conn, &EVERYTHING);
    // A good file first: nothing of it may land, because the run is one transaction.
    let error = import(&mut db, &["hf_dataset.csv", "unmappable.csv"], false).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImportError::Unmappable { .. }));
    assert!(message.contains("unmappable.csv"), "{message}");
    assert!(
        message.contains("Columns found: song, singer, energy, tempo"),
        "{message}"
    );
    assert!(
        message.contains("no column for artist (e.g. artists"),
        "{message}"
    );
    assert!(message.contains("danceability"), "{message}");
    assert!(
        message.contains("Needed: title, artist, danceability, energy"),
        "{message}"
    );
    assert_eq!(fingerprint(&mut db.conn, &EVERYTHING), before);
}

#[test]
fn strict_aborts_at_the_first_bad_row_and_changes_nothing() {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first import");
    let before = fingerprint(&mut db.conn, &EVERYTHING);
    let error = import(&mut db, &["hf_dataset.csv", "bad_values.csv"], true).unwrap_err();
    match &error {
        ImportError::Strict { path, row } => {
            assert!(path.ends_with("bad_values.csv"));
            assert_eq!(row.line, 3);
            assert_eq!(row.reason, "danceability: 'high' is not a number");
        }
        other => panic!("expected a strict abort, got {other}"),
    }
    assert!(error.to_string().contains("nothing was imported"));
    assert_eq!(fingerprint(&mut db.conn, &EVERYTHING), before);
}

#[test]
fn a_database_error_in_the_middle_of_a_file_changes_nothing() {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first import");
    let before = fingerprint(&mut db.conn, &EVERYTHING);
    let big = db.dir.path().join("synthetic.csv");
    write_tidytuesday_csv(std::fs::File::create(&big).expect("create"), 20_000, 1).expect("write");
    // A disk that fills up half-way: the database may grow by only a few pages.
    #[derive(QueryableByName)]
    struct Pages {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        page_count: i64,
    }
    let pages: Pages = diesel::sql_query("PRAGMA page_count")
        .get_result(&mut db.conn)
        .expect("pages");
    diesel::sql_query(format!("PRAGMA max_page_count = {}", pages.page_count + 40))
        .execute(&mut db.conn)
        .expect("limit");
    let error = import_files(
        &mut db.conn,
        &[big],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .unwrap_err();
    assert!(matches!(error, ImportError::Database(_)), "{error}");
    assert_eq!(fingerprint(&mut db.conn, &EVERYTHING), before);
}

/// Does something to the files once the import starts reading them: what a cron job, an
/// editor or a user may do while an import runs.
struct MeanwhileAtStart<F: FnMut()>(Option<F>);

impl<F: FnMut()> Progress for MeanwhileAtStart<F> {
    fn start_file(&mut self, _: &Path, _: u64) {
        if let Some(mut meanwhile) = self.0.take() {
            meanwhile();
        }
    }
    fn advance(&mut self, _: u64, _: u64) {}
    fn finishing(&mut self) {}
}

fn import_meanwhile(db: &mut Db, path: &Path, meanwhile: impl FnMut()) -> ImportReport {
    import_files(
        &mut db.conn,
        &[path.to_path_buf()],
        ImportOptions::default(),
        &mut MeanwhileAtStart(Some(meanwhile)),
    )
    .expect("import")
}

/// The digest the catalog keeps is of the file the import read, not of whatever its
/// name named once the rows were in: a `latest.csv` link re-pointed during a first
/// import (or `mv new.csv songs.csv`) had made the catalog claim the other file, and
/// every later import of that one was skipped as "Nothing to import".
#[cfg(unix)]
#[test]
fn a_name_moved_to_another_file_during_an_import_leaves_that_file_importable() {
    let mut db = fresh_db();
    let dir = db.dir.path().to_path_buf();
    std::fs::copy(
        fixture("tidytuesday_spotify_songs.csv"),
        dir.join("export-1.csv"),
    )
    .expect("copy");
    std::fs::copy(fixture("hf_dataset.csv"), dir.join("export-2.csv")).expect("copy");
    let latest = dir.join("latest.csv");
    std::os::unix::fs::symlink("export-1.csv", &latest).expect("link");
    // A first import (its digest taken once the rows are in); the link moves on.
    let first = import_meanwhile(&mut db, &latest, || {
        std::fs::remove_file(&latest).expect("unlink");
        std::os::unix::fs::symlink("export-2.csv", &latest).expect("link");
    });
    let tidytuesday = first.inserted();
    assert_eq!(
        first.catalog_tracks as u64, tidytuesday,
        "export-1 was read"
    );
    let second = import_paths(&mut db, std::slice::from_ref(&latest)).expect("export-2");
    assert!(!second.already_imported, "export-2 was never imported");
    assert!(second.inserted() > 0);
    // An import over a digest kept (hashed before the rows are read), with a file moved
    // over the name meanwhile.
    let songs = dir.join("songs.csv");
    std::fs::copy(fixture("exportify_playlist.csv"), &songs).expect("copy");
    std::fs::copy(fixture("kaggle_600k_tracks.csv"), dir.join("new.csv")).expect("copy");
    let third = import_meanwhile(&mut db, &songs, || {
        std::fs::rename(dir.join("new.csv"), &songs).expect("mv new.csv songs.csv");
    });
    assert!(!third.already_imported);
    let fourth = import_paths(&mut db, std::slice::from_ref(&songs)).expect("new.csv");
    assert!(!fourth.already_imported, "new.csv was never imported");
    assert!(fourth.inserted() > 0);
    assert!(
        import_paths(&mut db, &[songs])
            .expect("again")
            .already_imported,
        "once read, it is a repeat"
    );
}

/// A file written in place during the import may not have been read as it ends up:
/// the run is refused (`a_file_that_changes_while_it_is_read_is_refused…`), keeps no
/// digest, and importing the file again reads it whole. Hashed after the rows were in,
/// the digest had named the rows added meanwhile, which were never read.
#[test]
fn a_file_written_during_its_import_is_read_again_next_time() {
    let mut db = fresh_db();
    let path = db.dir.path().join("songs.csv");
    let rows: Vec<String> = (0..5).map(good_row).collect();
    std::fs::write(&path, csv_of(&rows)).expect("write");
    let first = import_files(
        &mut db.conn,
        std::slice::from_ref(&path),
        ImportOptions::default(),
        &mut MeanwhileAtStart(Some(|| {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .expect("open");
            std::io::Write::write_all(&mut file, format!("{}\n", good_row(5)).as_bytes())
                .expect("append");
        })),
    )
    .expect_err("written while read");
    assert!(
        matches!(first, ImportError::ChangedWhileRead { .. }),
        "{first}"
    );
    let again = import_paths(&mut db, std::slice::from_ref(&path)).expect("again");
    assert!(!again.already_imported);
    assert_eq!((again.inserted(), again.updated()), (6, 0));
}

/// A compressed file, and standard input redirected from a file, are hashed through the
/// descriptor the import read too: importing them again is a repeat.
#[cfg(unix)]
#[test]
fn gzip_zip_and_redirected_standard_input_are_repeats_when_imported_again() {
    use std::io::Write as _;
    let plain = std::fs::read(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).expect("gzip");
    let (dir, database) = database_for_the_binary();
    let gzipped = dir.path().join("songs.csv.gz");
    std::fs::write(&gzipped, gz.finish().expect("gzip")).expect("write");
    let zipped = dir.path().join("songs.zip");
    let zip = zip_of(&[("songs.csv", &plain)], zip::CompressionMethod::Deflated);
    std::fs::write(&zipped, zip).expect("write");
    let run = |file: &Path, stdin: bool| {
        let mut command = binary();
        command.args(["--database", &database, "import"]);
        if stdin {
            command
                .arg("-")
                .stdin(std::fs::File::open(file).expect("open"));
        } else {
            command.arg(file);
        }
        let out = command.output().expect("run import");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let redirected = dir.path().join("songs.csv");
    std::fs::write(&redirected, &plain).expect("write");
    for (file, stdin) in [(&gzipped, false), (&zipped, false), (&redirected, true)] {
        let first = run(file, stdin);
        assert!(first.starts_with("Imported "), "{first}");
        let again = run(file, stdin);
        assert!(again.starts_with("Nothing to import"), "{again}");
    }
}

/// `insights-hub import <(zcat songs.csv.gz)`: the path is a pipe, which only the import
/// may read. The import's digest used to open it a second time and take the rows from it.
#[cfg(unix)]
#[test]
fn a_pipe_is_imported_whole_and_never_taken_for_a_repeat() {
    let mut db = fresh_db();
    let file = db.dir.path().join("synthetic.csv");
    write_tidytuesday_csv(std::fs::File::create(&file).expect("create"), 3_000, 7).expect("write");
    let from_file = {
        let mut other = fresh_db();
        import_paths(&mut other, std::slice::from_ref(&file)).expect("from the file")
    };
    assert_eq!(from_file.rows_read(), 3_000);
    let fifo = db.dir.path().join("rows.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for round in ["first", "second"] {
        // Far more than a pipe holds (64 KiB), written as the import reads.
        let writer = {
            let (file, fifo) = (file.clone(), fifo.clone());
            std::thread::spawn(move || {
                let mut out = std::fs::OpenOptions::new()
                    .write(true)
                    .open(fifo)
                    .expect("open");
                std::io::copy(&mut std::fs::File::open(file).expect("read"), &mut out)
                    .expect("copy")
            })
        };
        let report = import_paths(&mut db, std::slice::from_ref(&fifo)).expect(round);
        assert!(writer.join().expect("writer") > 64 * 1024);
        assert!(!report.already_imported, "{round}");
        assert_eq!(report.rows_read(), 3_000, "{round}");
        assert_eq!(report.catalog_tracks, from_file.catalog_tracks, "{round}");
    }
}

fn demo_track(n: usize) -> NewTrack {
    NewTrack::builder(&format!("Demo Song {n}"), &["Demo Artist"])
        .year(2000)
        .genre(Some("demo"))
        .features(AudioFeatures {
            tempo: 120.0,
            loudness: -5.0,
            ..AudioFeatures::default()
        })
        .build()
}

#[test]
fn a_real_import_replaces_the_demo_catalog() {
    let mut db = fresh_db();
    catalog_writer::catalog_transaction(&mut db.conn, |conn| {
        let mut writer = CatalogWriter::new(conn)?;
        for n in 0..3 {
            let track = demo_track(n);
            writer.write_keyed(conn, track.clone(), TrackKeys::of(&track))?;
        }
        writer.finish(conn, SourceKind::Demo, "Demo catalog", 1)
    })
    .expect("demo catalog");
    assert_eq!(count_tracks(&mut db.conn), 3);
    let report = import(&mut db, &["kaggle_600k_tracks.csv"], false).expect("import");
    assert!(report.replaced_demo);
    assert!(report.summary().contains("demo catalog was replaced"));
    let conn = &mut db.conn;
    assert_eq!(count_tracks(conn), 4);
    let demo_left: i64 = artists::table
        .filter(artists::name.eq("Demo Artist"))
        .count()
        .get_result(conn)
        .expect("count");
    assert_eq!(demo_left, 0);
    assert_eq!(
        catalog_meta::load(conn).expect("meta").source_kind,
        SourceKind::Import
    );
    // Numbered after the demo's: an id a profile kept for a demo track or artist names
    // nothing now, rather than whatever the import numbered the same.
    let ids = |conn: &mut db::DbConnection| -> (Option<i32>, Option<i32>) {
        let track = tracks::table
            .select(diesel::dsl::min(tracks::id))
            .first(sqlite(conn))
            .expect("tracks");
        let artist = artists::table
            .select(diesel::dsl::min(artists::id))
            .first(sqlite(conn))
            .expect("artists");
        (track, artist)
    };
    assert_eq!(
        ids(conn),
        (Some(4), Some(2)),
        "after 3 demo tracks, 1 demo artist"
    );
    // The aggregates summed while loading (indexed from the first new artist) are what
    // the SQL recomputation gives.
    let summed = fingerprint(conn, &["artists"]);
    catalog_writer::recompute_artist_aggregates(conn).expect("recompute");
    assert_eq!(fingerprint(conn, &["artists"]), summed);
    // A second real import adds to the catalog instead of replacing it.
    let report = import(&mut db, &["hf_dataset.csv"], false).expect("second import");
    assert!(!report.replaced_demo);
    assert_eq!(count_tracks(&mut db.conn), 9);
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_insights-hub"))
}

/// The line of a process's log (its standard output) that names its allocator: the
/// first line it logs, so a running server can be read up to it and stopped.
fn allocator_line(log: impl std::io::BufRead) -> String {
    log.lines()
        .map_while(Result::ok)
        .find(|line| line.contains("allocator chosen"))
        .unwrap_or_default()
}

#[test]
fn the_import_command_runs_on_mimalloc_and_the_server_on_the_system_allocator_neither_logging_colour_codes(
) {
    let (_dir, path) = database_for_the_binary();
    let import = binary()
        .env("RUST_LOG", "debug")
        .args(["--database", &path, "import"])
        .arg(fixture("tidytuesday_spotify_songs.csv"))
        .output()
        .expect("run import");
    assert!(import.status.success());
    let line = allocator_line(&import.stdout[..]);
    assert!(line.contains("mimalloc"), "{line}");
    // Not a terminal: the log carries no colour codes.
    assert!(!line.contains('\u{1b}'), "{line:?}");

    let mut server = binary()
        .env("RUST_LOG", "debug")
        .args(["--database", &path, "serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the server");
    let log = server.stdout.take().expect("piped stdout");
    let line = allocator_line(std::io::BufReader::new(log));
    server.kill().expect("stop the server");
    server.wait().expect("reap the server");
    assert!(line.contains("system"), "{line}");
    assert!(!line.contains('\u{1b}'), "{line:?}");
}

#[test]
fn serve_refuses_zero_workers_before_it_starts() {
    let (_dir, path) = database_for_the_binary();
    for (flag, env) in [(Some("0"), None), (None, Some("none"))] {
        let mut command = binary();
        command.args(["--database", &path, "serve", "--bind", "127.0.0.1:0"]);
        if let Some(n) = flag {
            command.args(["--workers", n]);
        }
        if let Some(value) = env {
            command.env("TOKIO_WORKER_THREADS", value);
        }
        // A server that started would not exit: it is stopped after a while instead of
        // hanging the test, and fails it.
        let mut child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run serve");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().expect("poll serve").is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().expect("stop the server");
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let refused = child.wait_with_output().expect("serve's output");
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("--workers"), "{stderr}");
    }
}

#[test]
fn the_command_reports_skipped_rows_and_strict_exits_with_an_error() {
    let db = fresh_db();
    let path = db.path.to_str().expect("utf-8 path").to_string();
    drop(db.conn);

    let strict = binary()
        .args(["--database", &path, "import", "--strict"])
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import --strict");
    assert!(!strict.status.success());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains("line 3: danceability: 'high' is not a number"),
        "{stderr}"
    );

    let mut conn = db::open_catalog_connection(&db.path).expect("reopen");
    assert_eq!(count_tracks(&mut conn), 0, "the strict run stored nothing");
    drop(conn);

    // Six bad rows of eight: refused unless asked for.
    let refused = binary()
        .args(["--database", &path, "import"])
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("6 of its 8 rows are bad") && stderr.contains("--allow-bad-rows"),
        "{stderr}"
    );

    let lenient = binary()
        .args(["--database", &path, "import", "--allow-bad-rows"])
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(
        lenient.status.success(),
        "{}",
        String::from_utf8_lossy(&lenient.stderr)
    );
    let stdout = String::from_utf8_lossy(&lenient.stdout);
    assert!(stdout.contains("rows read                   8"), "{stdout}");
    assert!(stdout.contains("tracks inserted             2"), "{stdout}");
    assert!(stdout.contains("rows skipped                6"), "{stdout}");
    assert!(
        stdout.contains("line 10: tempo: the audio feature is missing"),
        "{stdout}"
    );
    assert!(
        !String::from_utf8_lossy(&lenient.stderr).contains('\u{1b}'),
        "no progress bar when stderr is not a terminal"
    );

    // Every bad row, written to a CSV file of its own, refused or not: the summary
    // lists the first 20 of a file only. Into a new database: the first import of a
    // catalog passes its progress through one more layer, which had dropped the rows.
    let (_fresh_dir, fresh) = database_for_the_binary();
    let listed = db.dir.path().join("bad rows.csv");
    let refused = binary()
        .args(["--database", &fresh, "import", "--bad-rows"])
        .arg(&listed)
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("All 6 bad rows are listed in"), "{stderr}");
    let written = std::fs::read_to_string(&listed).expect("the bad rows' file");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 7, "{written}");
    assert_eq!(lines[0], "file,line,reason");
    assert!(
        written.contains(",10,\"tempo: the audio feature is missing\""),
        "{written}"
    );
    // Asked for again of an import the catalog already holds (nothing is read), the
    // list is left as it was: it had been emptied, and said to have no bad rows.
    let kept_list = db.dir.path().join("kept.csv");
    std::fs::write(&kept_list, "file,line,reason\n\"x.csv\",3,\"kept\"\n").expect("write");
    let again = binary()
        .args([
            "--database",
            &path,
            "import",
            "--allow-bad-rows",
            "--bad-rows",
        ])
        .arg(&kept_list)
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(again.status.success());
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("Nothing to import"), "{stdout}");
    assert!(
        stdout.contains("left as it was, since nothing was read"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&kept_list).expect("still there"),
        "file,line,reason\n\"x.csv\",3,\"kept\"\n"
    );
    // A file that is not such a list is not overwritten: a slip of the arguments
    // (`--bad-rows songs.csv songs.csv`) had emptied the file to import.
    let precious = db.dir.path().join("songs.csv");
    std::fs::copy(fixture("bad_values.csv"), &precious).expect("copy");
    let kept = binary()
        .args(["--database", &fresh, "import", "--bad-rows"])
        .arg(&precious)
        .arg(&precious)
        .output()
        .expect("run import");
    assert!(!kept.status.success());
    let stderr = String::from_utf8_lossy(&kept.stderr);
    assert!(stderr.contains("is not a list of bad rows"), "{stderr}");
    assert_eq!(
        std::fs::read(&precious).expect("still there"),
        std::fs::read(fixture("bad_values.csv")).expect("fixture"),
    );
    // `-` is not standard output here (the summary is): refused, no file called `-`.
    let dash = binary()
        .current_dir(db.dir.path())
        .args(["--database", &fresh, "import", "--bad-rows", "-"])
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(!dash.status.success());
    let stderr = String::from_utf8_lossy(&dash.stderr);
    assert!(stderr.contains("--bad-rows needs a file"), "{stderr}");
    assert!(!db.dir.path().join("-").exists());
    let unwritable = binary()
        .args(["--database", &path, "import", "--bad-rows"])
        .arg(db.dir.path().join("no such folder/bad.csv"))
        .arg(fixture("bad_values.csv"))
        .output()
        .expect("run import");
    assert!(!unwritable.status.success());
    assert!(
        String::from_utf8_lossy(&unwritable.stderr).contains("--bad-rows"),
        "{}",
        String::from_utf8_lossy(&unwritable.stderr)
    );

    let unmappable = binary()
        .args(["--database", &path, "import"])
        .arg(fixture("unmappable.csv"))
        .output()
        .expect("run import");
    assert!(!unmappable.status.success());
    assert!(String::from_utf8_lossy(&unmappable.stderr).contains("Columns found: song, singer"));
}

#[test]
fn import_help_explains_formats_transaction_and_strict() {
    let help = binary().args(["import", "--help"]).output().expect("help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "--strict",
        "--allow-bad-rows",
        "zip",
        "Windows-1252",
        "ONE transaction",
        "Exportify",
        "spotify_songs.csv",
        "FILE",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

fn index_names(conn: &mut db::DbConnection) -> Vec<String> {
    let conn = sqlite(conn);
    diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .load::<Name>(conn)
        .expect("indexes")
        .into_iter()
        .map(|n| n.name)
        .collect()
}

#[test]
fn the_catalog_keeps_no_index_that_no_query_reads() {
    // No query reads tracks by genre or by year, a genre's links, or artists by their
    // number of tracks (the in-memory indexes answer those), so no import keeps up an
    // index for them (the migration `unused_track_indexes` says more).
    let mut db = fresh_db();
    let names = index_names(&mut db.conn);
    for unused in [
        "tracks_genre",
        "tracks_release_year",
        "track_genres_genre",
        "artists_track_count",
    ] {
        assert!(
            !names.contains(&unused.to_string()),
            "{unused} in {names:?}"
        );
    }
}

#[test]
fn a_bulk_load_rebuilds_every_index_it_dropped() {
    let mut db = fresh_db();
    let before = index_names(&mut db.conn);
    assert!(before.contains(&"tracks_identity".to_string()));
    assert!(before.contains(&"track_artists_artist".to_string()));
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("bulk import");
    assert_eq!(index_names(&mut db.conn), before);
    // A failed bulk load rolls the dropped indexes back too.
    let mut db = fresh_db();
    import(&mut db, &["bad_values.csv"], true).unwrap_err();
    assert_eq!(index_names(&mut db.conn), before);
}

#[test]
fn a_bulk_load_stores_the_artist_aggregates_sql_would_compute() {
    // A bulk load into an empty catalog sums the artist aggregates in memory; they must
    // be bit for bit what the SQL recomputation stores (the fingerprint quotes every
    // double exactly), for many artists with several tracks each.
    let mut db = fresh_db();
    let big = db.dir.path().join("synthetic.csv");
    write_tidytuesday_csv(std::fs::File::create(&big).expect("create"), 20_000, 3).expect("write");
    import_files(
        &mut db.conn,
        &[big],
        ImportOptions::default(),
        &mut NoProgress,
    )
    .expect("bulk import");
    let loaded = fingerprint(&mut db.conn, &["artists"]);
    assert!(count_artists(&mut db.conn) > 5_000);
    db.conn
        .transaction(catalog_writer::recompute_artist_aggregates)
        .expect("recompute");
    assert_eq!(fingerprint(&mut db.conn, &["artists"]), loaded);
}

// ---------------------------------------------------------------------------------
// Issue 16: files that add nothing, attacks, and the files users really have.

const HEADER: &str = "title,artist,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness";

/// A good row of `HEADER`: "Song i" by "Artist i".
fn good_row(i: usize) -> String {
    format!("Song {i},Artist {i},0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6")
}

/// Writes a file into the test's temporary directory.
fn write_file(db: &Db, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = db.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn csv_of(rows: &[String]) -> String {
    let mut csv = format!("{HEADER}\n");
    for row in rows {
        csv.push_str(row);
        csv.push('\n');
    }
    csv
}

/// What a report quotes from a file is shown, never acted on: a terminal escape in a bad
/// cell is written as an escape, and a binary file is refused as not text.
#[test]
fn reports_escape_control_characters_and_refuse_binary_files() {
    let mut db = fresh_db();
    let mut rows: Vec<String> = (0..20).map(good_row).collect();
    rows.push("Bad,A,\u{1b}[2J0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6".to_string());
    let file = write_file(&db, "escape.csv", csv_of(&rows));
    let report = import_paths(&mut db, &[file]).expect("the good rows");
    assert_eq!(report.skipped(), 1);
    let summary = report.summary();
    assert!(summary.contains("\\u{1b}[2J0.5"), "{summary}");
    assert!(!summary.contains('\u{1b}'), "{summary:?}");

    let binary = write_file(
        &db,
        "program",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0title,artist\n",
    );
    let error = import_paths(&mut db, &[binary]).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ImportError::Read { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("not CSV text"), "{message}");
    assert!(!message.contains('\0'), "{message:?}");
}

/// A file's own name is escaped too, wherever the import names it: in the summary, in
/// the `--bad-rows` list and in an error. Printed raw, a downloaded file's name could
/// recolour or clear the terminal, and a line break in it split the summary's lines.
#[cfg(unix)]
#[test]
fn a_file_name_is_shown_with_its_control_characters_escaped() {
    let db = fresh_db();
    let database = db.path.to_str().expect("utf-8 path").to_string();
    let mut rows: Vec<String> = (0..5).map(good_row).collect();
    rows.push("Bad,,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6".to_string());
    let evil = write_file(&db, "evil\u{1b}[31mred\nnl.csv", csv_of(&rows));
    let listed = db.dir.path().join("bad.csv");
    let run = binary()
        .args(["--database", &database, "import", "--bad-rows"])
        .arg(&listed)
        .arg(&evil)
        .output()
        .expect("run import");
    assert!(run.status.success(), "{run:?}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let shown = "evil\\u{1b}[31mred\\nnl.csv";
    assert!(stdout.contains("Skipped 1 bad row in "), "{stdout}");
    assert!(stdout.contains(shown), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(!stdout.contains("red\nnl"), "{stdout:?}");
    let list = std::fs::read_to_string(&listed).expect("the list");
    assert!(list.contains(shown), "{list:?}");
    assert!(!list.contains('\u{1b}'), "{list:?}");

    let empty = write_file(&db, "e\u{1b}[2Jvil.csv", "");
    let run = binary()
        .args(["--database", &database, "import"])
        .arg(&empty)
        .output()
        .expect("run import");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("e\\u{1b}[2Jvil.csv: it is empty"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn an_import_that_adds_nothing_changes_nothing_and_says_why() {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("a real catalog");
    let before = fingerprint(&mut db.conn, &EVERYTHING);
    let header_only = write_file(&db, "header_only.csv", format!("{HEADER}\n"));
    let percentages = write_file(
        &db,
        "percentages.csv",
        csv_of(
            &(0..5)
                .map(|i| format!("Song {i},A,74.8,91.6,10.2,0,51.8,5.8,6.5,122,-2.6"))
                .collect::<Vec<_>>(),
        ),
    );
    let negative_tempo = write_file(
        &db,
        "negative_tempo.csv",
        csv_of(
            &(0..5)
                .map(|i| format!("Song {i},A,0.5,0.5,0.5,0,0.5,0.05,0.1,-120,-6"))
                .collect::<Vec<_>>(),
        ),
    );
    let cases = [
        (header_only, "the file has no data rows, only a header"),
        (
            percentages,
            "none of its 5 rows could be imported; line 2: danceability = 74.8 is outside 0..1 (a percentage?",
        ),
        (
            negative_tempo,
            "none of its 5 rows could be imported; line 2: tempo = -120 is outside 0..300",
        ),
    ];
    for (path, why) in cases {
        for options in [ImportOptions::default(), ALLOW_BAD_ROWS] {
            let error = import_files(
                &mut db.conn,
                std::slice::from_ref(&path),
                options,
                &mut NoProgress,
            )
            .unwrap_err();
            assert!(
                matches!(error, ImportError::NothingToImport { .. }),
                "{error}"
            );
            let message = error.to_string();
            assert!(message.contains(why), "{message}");
            assert!(message.ends_with("nothing was imported"), "{message}");
            // Neither the tracks nor the catalog's source and version moved.
            assert_eq!(fingerprint(&mut db.conn, &EVERYTHING), before);
        }
    }
    // A header-only file into the demo catalog leaves the demo in place too.
    let mut demo = fresh_db();
    catalog_writer::catalog_transaction(&mut demo.conn, |conn| {
        let mut writer = CatalogWriter::new(conn)?;
        let track = demo_track(0);
        let keys = TrackKeys::of(&track);
        writer.write_keyed(conn, track, keys)?;
        writer.finish(conn, SourceKind::Demo, "Demo catalog", 1)
    })
    .expect("demo catalog");
    let demo_before = fingerprint(&mut demo.conn, &EVERYTHING);
    let empty = write_file(&demo, "empty.csv", format!("{HEADER}\n\n  \n"));
    import_paths(&mut demo, &[empty]).unwrap_err();
    assert_eq!(fingerprint(&mut demo.conn, &EVERYTHING), demo_before);
}

/// One quote left open in a file with few quotes takes every line after it into one
/// value: that is one bad row, but the rows of all those lines are lost with it, and
/// they count as bad ones.
#[test]
fn rows_lost_inside_a_quote_left_open_count_as_bad() {
    let mut db = fresh_db();
    let mut rows: Vec<String> = (0..3).map(good_row).collect();
    rows.push("\"Open,A,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6".to_string());
    rows.extend((3..13).map(good_row));
    let path = write_file(&db, "open_quote.csv", csv_of(&rows));
    let error = import_paths(&mut db, std::slice::from_ref(&path)).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImportError::MostlyBad { .. }), "{message}");
    assert!(
        message.contains("1 of its 4 rows is bad, and it took in 10 more lines of the file"),
        "{message}"
    );
    assert!(
        message.contains("line 5: a value runs from line 5 to line 15"),
        "{message}"
    );
    assert_eq!(count_tracks(&mut db.conn), 0);
    let report =
        import_files(&mut db.conn, &[path], ALLOW_BAD_ROWS, &mut NoProgress).expect("allowed");
    assert_eq!((report.inserted(), report.skipped()), (3, 1));
    assert!(
        report.summary().contains(
            "lines lost                 10 (taken into skipped rows by a quote left open)"
        ),
        "{}",
        report.summary()
    );
}

/// A NUL or another control character in a title or a name is a bad row, named with
/// its line and column; a line break inside a quoted title becomes a space.
#[test]
fn control_characters_make_a_bad_row_and_line_breaks_a_space() {
    let mut db = fresh_db();
    let rows = vec![
        good_row(0),
        "Song 1,Ed\u{0}Sheeran,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6".to_string(),
        "\"Two\nlines\",Artist 2,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6".to_string(),
        good_row(3),
    ];
    let path = write_file(&db, "controls.csv", csv_of(&rows));
    let report = import_paths(&mut db, &[path]).expect("import");
    let file = &report.files[0];
    assert_eq!((file.inserted, file.skipped), (3, 1));
    assert_eq!(file.bad_rows[0].line, 3);
    assert_eq!(
        file.bad_rows[0].reason,
        "artist: an artist name holds a control character (U+0000), which no title or name can show"
    );
    let titles: Vec<String> = diesel::sql_query("SELECT name FROM tracks ORDER BY name")
        .load::<Name>(sqlite(&mut db.conn))
        .expect("titles")
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert!(titles.contains(&"Two lines".to_string()), "{titles:?}");
}

#[test]
fn a_file_of_mostly_bad_rows_is_refused_unless_allowed() {
    let mut db = fresh_db();
    let mut rows: Vec<String> = (0..2).map(good_row).collect();
    rows.extend((0..3).map(|i| format!("Bad {i},A,0.5,0.5,0.5,0,0.5,0.05,0.1,abc,-6")));
    let path = write_file(&db, "mostly_bad.csv", csv_of(&rows));
    let error = import_paths(&mut db, std::slice::from_ref(&path)).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImportError::MostlyBad { .. }), "{message}");
    assert!(
        message.contains("3 of its 5 rows are bad, so the file was refused and nothing was imported (--allow-bad-rows"),
        "{message}"
    );
    assert!(
        message.contains("line 4: tempo: 'abc' is not a number"),
        "{message}"
    );
    assert_eq!(count_tracks(&mut db.conn), 0);
    let report =
        import_files(&mut db.conn, &[path], ALLOW_BAD_ROWS, &mut NoProgress).expect("allowed");
    assert_eq!((report.inserted(), report.skipped()), (2, 3));
    // Half bad is not mostly bad.
    let mut rows: Vec<String> = (10..13).map(good_row).collect();
    rows.extend((0..3).map(|i| format!("Bad {i},,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6")));
    let half = write_file(&db, "half_bad.csv", csv_of(&rows));
    let report = import_paths(&mut db, &[half]).expect("half bad imports");
    assert_eq!((report.inserted(), report.skipped()), (3, 3));
}

#[test]
fn the_command_fails_with_the_reason_and_prints_each_error_once() {
    let db = fresh_db();
    let path = db.path.to_str().expect("utf-8 path").to_string();
    let header_only = write_file(&db, "header_only.csv", format!("{HEADER}\n"));
    let run = binary()
        .args(["--database", &path, "import"])
        .arg(&header_only)
        .output()
        .expect("run import");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "header_only.csv: the file has no data rows, only a header; nothing was imported"
        ),
        "{stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&run.stdout).contains("rows skipped"),
        "no summary of an import that did not happen"
    );

    let missing = binary()
        .args(["--database", &path, "import", "no_such_file.csv"])
        .output()
        .expect("run import");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("cannot open no_such_file.csv: "),
        "{stderr}"
    );
    assert_eq!(stderr.matches("(os error 2)").count(), 1, "{stderr}");
}

/// `--database` naming the catalog file (`X.catalog.db`, which holds what an import
/// writes) is refused before anything is opened, naming the file to give instead. It
/// had been migrated as a main file: "table tracks already exists", after warnings of
/// password hashes and a newer release, and a `X.catalog.catalog.db` left beside it.
#[test]
fn the_catalog_file_given_as_the_database_is_refused_naming_the_main_file() {
    let (dir, database) = database_for_the_binary();
    let catalog = db::catalog_file::catalog_path(Path::new(&database));
    // The files of the directory, less SQLite's -wal and -shm: reading a database in
    // WAL mode read-only makes them, and its next opening takes them over.
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
            .collect();
        names.sort();
        names
    };
    let before = (files(), std::fs::read(&catalog).expect("the catalog file"));
    let run = binary()
        .args(["--database"])
        .arg(&catalog)
        .arg("import")
        .arg(fixture("hf_dataset.csv"))
        .output()
        .expect("run import");
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "{} is not this app's main database (it has no accounts): give the --database \
             the server uses ({database}, if this is its catalog file)",
            catalog.display()
        )),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        !stdout.contains("WARN"),
        "no warnings of the wrong file: {stdout}"
    );
    assert!(
        (files(), std::fs::read(&catalog).expect("the catalog file")) == before,
        "nothing created or changed: {:?}",
        files()
    );
    // An empty file is a new database, as SQLite takes it.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").expect("an empty file");
    let run = binary()
        .args(["--database"])
        .arg(&empty)
        .arg("import")
        .arg(fixture("hf_dataset.csv"))
        .output()
        .expect("run import");
    assert!(run.status.success(), "{run:?}");
}

/// `--bad-rows` naming a new database's own file is refused before anything is written.
/// The list had been created empty, taken by SQLite for the new database, then written
/// over it: the import said it succeeded and left a main file no command could open
/// (the catalog file's case failed as "malformed").
#[test]
fn bad_rows_naming_a_new_databases_own_file_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("db5");
    let catalog = db::catalog_file::catalog_path(&database);
    for list in [&database, &catalog] {
        let run = binary()
            .arg("--database")
            .arg(&database)
            .args(["import", "--bad-rows"])
            .arg(list)
            .arg(fixture("bad_values.csv"))
            .output()
            .expect("run import");
        assert_eq!(run.status.code(), Some(1), "{run:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(&format!(
                "--bad-rows {}: that is the database's own file {}, which the list would \
                 overwrite: name another file",
                list.display(),
                list.display()
            )),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing written"
        );
    }
}

/// A standard error that cannot be written (`2>/dev/full`) loses the message, not the
/// exit status: `eprintln!` had panicked, and the failed import ended with 101.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_stderr_leaves_the_exit_status_one() {
    let db = fresh_db();
    let path = db.path.to_str().expect("utf-8 path").to_string();
    let empty = write_file(&db, "empty.csv", "");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let run = binary()
        .args(["--database", &path, "import"])
        .arg(&empty)
        .stderr(full)
        .output()
        .expect("run import");
    assert_eq!(run.status.code(), Some(1), "{run:?}");
}

#[test]
fn a_track_with_too_many_artists_is_a_bad_row() {
    let mut db = fresh_db();
    let header = "track_id,artists,track_name,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness";
    let names = |n: usize| {
        (0..n)
            .map(|i| format!("Many Artist {i:06}"))
            .collect::<Vec<_>>()
            .join(";")
    };
    let features = "0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6";
    let csv = format!(
        "{header}\n\
         aaaaaaaaaaaaaaaaaaaaa1,{},Forty Thousand,{features}\n\
         aaaaaaaaaaaaaaaaaaaaa2,{},A Hundred,{features}\n\
         aaaaaaaaaaaaaaaaaaaaa3,Solo;solo;SOLO,Alone,{features}\n",
        names(40_000),
        names(100)
    );
    let path = write_file(&db, "many_artists.csv", csv);
    let report = import_paths(&mut db, &[path]).expect("import");
    let file = &report.files[0];
    assert_eq!((file.inserted, file.skipped), (2, 1));
    assert_eq!(file.bad_rows[0].line, 2);
    assert_eq!(
        file.bad_rows[0].reason,
        "artists: more than 100 artists for one track"
    );
    assert_eq!(
        artists_of(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa2").len(),
        100
    );
    assert_eq!(
        artists_of(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa3"),
        vec!["Solo"]
    );
    assert_eq!(count_artists(&mut db.conn), 101);
}

#[test]
fn overlong_texts_are_bad_rows_with_short_reasons() {
    let mut db = fresh_db();
    let header = "track_name,track_artist,track_album_name,playlist_genre,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness";
    let features = "0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6";
    let huge_title = "T".repeat(5 << 20);
    let mut csv = format!("{header}\n");
    csv.push_str(&format!("{huge_title},A,Album,pop,{features}\n"));
    csv.push_str(&format!("Song,{},Album,pop,{features}\n", "a".repeat(501)));
    csv.push_str(&format!("Song,A,{},pop,{features}\n", "b".repeat(1001)));
    csv.push_str(&format!("Song,A,Album,{},{features}\n", "g".repeat(101)));
    for i in 0..5 {
        csv.push_str(&format!(
            "Song {i},Artist {i},{},pop,{features}\n",
            "c".repeat(1000)
        ));
    }
    let path = write_file(&db, "long_texts.csv", csv);
    let report = import_paths(&mut db, &[path]).expect("import");
    let file = &report.files[0];
    assert_eq!((file.inserted, file.skipped), (5, 4));
    let reasons: Vec<&str> = file.bad_rows.iter().map(|b| b.reason.as_str()).collect();
    assert!(
        reasons[0].starts_with("track_name: the title is longer than 1000 characters ('TTT"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("track_artist: an artist name is longer than 500 characters"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].starts_with("track_album_name: the album name is longer than 1000 characters"),
        "{reasons:?}"
    );
    assert!(
        reasons[3].starts_with("playlist_genre: the genre is longer than 100 characters"),
        "{reasons:?}"
    );
    assert!(reasons.iter().all(|r| r.len() < 150), "{reasons:?}");
    assert!(report.summary().len() < 2_000);
    #[derive(QueryableByName)]
    struct Longest {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        longest: i64,
    }
    let longest: Longest = diesel::sql_query(
        "SELECT MAX(MAX(length(name)), MAX(length(album))) AS longest FROM tracks",
    )
    .get_result(&mut db.conn)
    .expect("longest");
    assert_eq!(longest.longest, 1000);
}

#[test]
fn messages_about_huge_or_tiny_input_stay_short() {
    let mut db = fresh_db();
    // An unmappable header of 100,000 columns and a 1 MB one.
    let mut header: Vec<String> = (0..100_000).map(|i| format!("column {i}")).collect();
    header.push("h".repeat(1 << 20));
    let path = write_file(&db, "wide.csv", header.join(",") + "\n");
    let error = import_paths(&mut db, &[path]).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImportError::Unmappable { .. }), "{message}");
    assert!(message.len() < 3_000, "{} bytes", message.len());
    assert!(message.contains("column 29 and 99,971 more"), "{message}");
    // A value too small to print as a decimal is quoted as written.
    let rows = [
        good_row(1),
        good_row(2),
        "Tiny,A,0.5,0.5,0.5,0,0.5,0.05,0.1,-1e-300,-6".to_string(),
    ];
    let path = write_file(&db, "tiny.csv", csv_of(&rows));
    let report = import_paths(&mut db, &[path]).expect("import");
    assert_eq!(
        report.files[0].bad_rows[0].reason,
        "tempo = -1e-300 is outside 0..300"
    );
}

#[test]
fn duplicate_columns_are_an_error_that_names_them() {
    let mut db = fresh_db();
    let path = write_file(
        &db,
        "duplicates.csv",
        format!("{HEADER},Energy\n{},0.9\n", good_row(1)),
    );
    let error = import_paths(&mut db, &[path]).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ImportError::DuplicateColumns { .. }),
        "{message}"
    );
    assert!(
        message.contains("columns 4 \"energy\" and 12 \"Energy\" both name the energy"),
        "{message}"
    );
    assert_eq!(count_tracks(&mut db.conn), 0);
}

/// Two columns naming one field in different spellings: the better-ranked one is read,
/// and the summary says which and which not (the choice had been silent, and an extra
/// `artist_name` column gave every track of a TidyTuesday file its artist).
#[test]
fn a_column_passed_over_for_another_spelling_is_named_in_the_summary() {
    let mut db = fresh_db();
    let original =
        std::fs::read_to_string(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");
    let mut lines = original.lines();
    let mut csv = format!("{},artist_name\n", lines.next().expect("header"));
    for line in lines.filter(|l| !l.is_empty()) {
        csv.push_str(&format!("{line},Someone Else\n"));
    }
    let path = write_file(&db, "two_artist_cols.csv", csv);
    let report = import_paths(&mut db, std::slice::from_ref(&path)).expect("imports");
    let summary = report.summary();
    assert!(
        summary.contains(&format!(
            "In {}, column 24 “artist_name” gives the artist; column 3 “track_artist” is \
             ignored.\n",
            path.display()
        )),
        "{summary}"
    );
    assert_eq!(artist_names(&mut db.conn), ["Someone Else"]);
    // A file that names each field once has no such line.
    let mut db = fresh_db();
    let summary = import(&mut db, &["tidytuesday_spotify_songs.csv"], false)
        .expect("imports")
        .summary();
    assert!(!summary.contains("ignored"), "{summary}");
}

#[test]
fn whitespace_only_lines_are_not_bad_rows() {
    let mut db = fresh_db();
    let plain = std::fs::read_to_string(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");
    let mut lines: Vec<&str> = plain.lines().collect();
    lines.insert(3, "   ");
    lines.insert(5, "\t");
    lines.push(",,,,,,,,,,,,,,,,,,,,,,");
    let path = write_file(&db, "spaced.csv", lines.join("\n") + "\n \n");
    let report = import_paths(&mut db, &[path]).expect("import");
    let file = &report.files[0];
    assert_eq!(
        (file.rows_read, file.inserted, file.repeated, file.skipped),
        (7, 5, 1, 1)
    );
    // The NA row, line 6 in the fixture, is now line 8.
    assert_eq!(file.bad_rows[0].line, 8);
}

/// The catalog a plain import of the TidyTuesday fixture makes.
fn tidytuesday_catalog() -> String {
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("plain import");
    fingerprint(&mut db.conn, &CATALOG)
}

fn zip_of(members: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        writer.start_file(*name, options).expect("zip member");
        writer.write_all(bytes).expect("zip data");
    }
    writer.finish().expect("zip").into_inner()
}

#[test]
fn gzip_and_zip_files_import_directly() {
    use std::io::Write;
    let expected = tidytuesday_catalog();
    let plain = std::fs::read(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).expect("gzip");
    let mut db = fresh_db();
    let path = write_file(&db, "spotify_songs.csv.gz", gz.finish().expect("gzip"));
    let report = import_paths(&mut db, &[path]).expect("gzip import");
    assert_eq!(report.files[0].notes, vec!["gzip".to_string()]);
    assert_eq!(fingerprint(&mut db.conn, &CATALOG), expected);

    for method in [
        zip::CompressionMethod::Deflated,
        zip::CompressionMethod::Stored,
    ] {
        let mut db = fresh_db();
        let zipped = zip_of(
            &[
                ("README.md", b"The TidyTuesday data".as_slice()),
                ("__MACOSX/._spotify_songs.csv", b"\0\x05\x16\x07".as_slice()),
                ("spotify_songs.csv", plain.as_slice()),
            ],
            method,
        );
        // Named .csv on purpose: the content decides, not the name.
        let path = write_file(&db, "spotify_songs_zip.csv", zipped);
        let report = import_paths(&mut db, &[path]).expect("zip import");
        assert_eq!(
            report.files[0].notes,
            vec!["zip member spotify_songs.csv".to_string()]
        );
        assert!(report
            .summary()
            .contains("as: zip member spotify_songs.csv."));
        assert_eq!(fingerprint(&mut db.conn, &CATALOG), expected, "{method:?}");
    }
    // A member named with a terminal escape sequence is summed up with it escaped:
    // printed raw, the archive cleared and recoloured the terminal of the import.
    let mut db = fresh_db();
    let zipped = zip_of(
        &[("\u{1b}[2Jevil\u{7}.csv", plain.as_slice())],
        zip::CompressionMethod::Deflated,
    );
    let path = write_file(&db, "escape.zip", zipped);
    let report = import_paths(&mut db, &[path]).expect("zip import");
    let summary = report.summary();
    assert!(
        !summary.contains('\u{1b}') && !summary.contains('\u{7}'),
        "{summary}"
    );
    assert!(
        summary.contains("as: zip member \\u{1b}[2Jevil\\u{7}.csv."),
        "{summary}"
    );
}

#[test]
fn unusable_zip_files_are_refused_and_change_nothing() {
    let mut db = fresh_db();
    import(&mut db, &["hf_dataset.csv"], false).expect("a real catalog");
    let before = fingerprint(&mut db.conn, &EVERYTHING);
    let plain = std::fs::read(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");

    let two = zip_of(
        &[("a.csv", plain.as_slice()), ("b.csv", plain.as_slice())],
        zip::CompressionMethod::Deflated,
    );
    let path = write_file(&db, "two.zip", two);
    let message = import_paths(&mut db, &[path]).unwrap_err().to_string();
    assert!(
        message.contains("the zip file holds 2 CSV files (a.csv, b.csv)"),
        "{message}"
    );

    // A damaged member: one digit changed in a stored (uncompressed) copy.
    let mut damaged = zip_of(
        &[("songs.csv", plain.as_slice())],
        zip::CompressionMethod::Stored,
    );
    let at = damaged
        .windows(7)
        .position(|w| w == b"122.036")
        .expect("a value to damage");
    damaged[at] = b'9';
    let path = write_file(&db, "damaged.zip", damaged);
    let error = import_paths(&mut db, &[path]).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImportError::Read { .. }), "{message}");
    assert!(message.contains("checksum does not match"), "{message}");

    let workbook = zip_of(
        &[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
        ],
        zip::CompressionMethod::Deflated,
    );
    let path = write_file(&db, "songs.xlsx", workbook);
    let message = import_paths(&mut db, &[path]).unwrap_err().to_string();
    assert!(message.contains("Excel workbook"), "{message}");

    // A member compressed with a method this build does not read (bzip2, 12): its
    // name, not the zip crate's "Unsupported(12)". The method is written into a stored
    // zip's two headers, as `zip -Z bzip2` would have.
    let mut bzip2 = zip_of(
        &[("songs\u{1b}[2J.csv", plain.as_slice())],
        zip::CompressionMethod::Stored,
    );
    for (signature, at) in [(b"PK\x03\x04", 8), (b"PK\x01\x02", 10)] {
        let header = bzip2
            .windows(4)
            .position(|w| w == signature)
            .expect("a zip header");
        bzip2[header + at..header + at + 2].copy_from_slice(&12u16.to_le_bytes());
    }
    let path = write_file(&db, "bzip2.zip", bzip2);
    let message = import_paths(&mut db, &[path]).unwrap_err().to_string();
    assert!(
        message
            .contains("songs\\u{1b}[2J.csv in it is compressed with bzip2, which is not supported"),
        "{message}"
    );
    assert_eq!(fingerprint(&mut db.conn, &EVERYTHING), before);
}

/// xz, bzip2 and zstd files are named as such, with how to decompress them: they had
/// been refused as "NUL bytes (a binary file, or UTF-16 text without its byte-order
/// mark: save it as CSV UTF-8)".
#[test]
fn files_compressed_with_xz_bzip2_or_zstd_are_named_as_such() {
    let mut db = fresh_db();
    let garbage = [0u8, 0x13, 0x37, 0, 0xff, 0x10, 0, 0, 0, 1];
    for (name, magic, format) in [
        ("songs.csv.xz", &[0xfd, b'7', b'z', b'X', b'Z', 0][..], "xz"),
        ("songs.csv.bz2", b"BZh91AY&SY".as_slice(), "bzip2"),
        ("songs.csv.zst", &[0x28, 0xb5, 0x2f, 0xfd][..], "zstd"),
    ] {
        let path = write_file(&db, name, [magic, &garbage[..]].concat());
        let error = import_paths(&mut db, &[path]).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, ImportError::Archive { .. }), "{message}");
        assert!(
            message.contains(&format!(
                "it is compressed with {format}, which the import does not read: \
                 decompress it first (`{format} -d FILE`)"
            )),
            "{message}"
        );
        assert!(!message.contains("UTF-16"), "{message}");
    }
    // A header that happens to begin like bzip2's magic number is still a header.
    let mut rows = vec![format!("BZh1{HEADER}")];
    rows.extend((0..3).map(good_row));
    let path = write_file(&db, "bzh.csv", rows.join("\n"));
    let message = import_paths(&mut db, &[path]).unwrap_err().to_string();
    assert!(message.contains("no column for title"), "{message}");
}

/// Artist names and (title, danceability, loudness) of every stored track, by title.
fn titles_and_values(conn: &mut db::DbConnection) -> Vec<(String, f64, f64)> {
    let conn = sqlite(conn);
    tracks::table
        .order(tracks::name)
        .select((tracks::name, tracks::danceability, tracks::loudness))
        .load(conn)
        .expect("tracks")
}

fn artist_names(conn: &mut db::DbConnection) -> Vec<String> {
    let conn = sqlite(conn);
    artists::table
        .order(artists::name)
        .select(artists::name)
        .load(conn)
        .expect("artists")
}

#[test]
fn a_european_excel_export_imports_as_saved() {
    // Excel on a German or French Windows: "sep=;" first, semicolons, decimal commas,
    // Windows-1252 text, CRLF line ends.
    let mut db = fresh_db();
    let mut bytes: Vec<u8> = b"sep=;\r\n".to_vec();
    bytes.extend_from_slice(HEADER.replace(',', ";").as_bytes());
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(
        b"Caf\xe9 del Mar;Beyonc\xe9;0,748;0,5;0,5;0;0,5;0,05;0,1;120,5;-6,25\r\n",
    );
    bytes.extend_from_slice(b"\x93Quoted\x94;Mot\xf6rhead;0,25;0,5;0,5;0;0,5;0,05;0,1;120;-6\r\n");
    // An empty line, then a bad row: the csv crate alone would number it line 5.
    bytes.extend_from_slice(b"\r\nBad;Somebody;x;0,5;0,5;0;0,5;0,05;0,1;120;-6\r\n");
    let path = write_file(&db, "excel_export.csv", bytes);
    let report = import_paths(&mut db, &[path]).expect("import");
    let file = &report.files[0];
    assert_eq!((file.inserted, file.skipped), (2, 1));
    assert_eq!(
        file.bad_rows[0].line, 6,
        "the sep= line and the empty line count"
    );
    assert_eq!(
        file.notes,
        vec!["Windows-1252", "';'-separated", "Excel 'sep=' line"]
    );
    assert_eq!(
        titles_and_values(&mut db.conn),
        vec![
            ("Café del Mar".to_string(), 0.748, -6.25),
            ("\u{201c}Quoted\u{201d}".to_string(), 0.25, -6.0),
        ]
    );
    assert_eq!(artist_names(&mut db.conn), vec!["Beyoncé", "Motörhead"]);
}

#[test]
fn a_utf16_unicode_text_export_imports() {
    // Excel's "Unicode Text": UTF-16LE with a byte-order mark, tab-separated.
    let mut db = fresh_db();
    let text = format!(
        "\u{feff}{}\r\nHoppípolla\tSigur Rós\t0.5\t0.5\t0.5\t0\t0.5\t0.05\t0.1\t120\t-6\r\n晴天\t周杰倫\t0.25\t0.5\t0.5\t0\t0.5\t0.05\t0.1\t120\t-6\r\n",
        HEADER.replace(',', "\t")
    );
    let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let path = write_file(&db, "unicode.txt", bytes);
    let report = import_paths(&mut db, &[path]).expect("import");
    assert_eq!(report.files[0].notes, vec!["UTF-16LE", "tab-separated"]);
    assert_eq!(report.inserted(), 2);
    assert_eq!(artist_names(&mut db.conn), vec!["Sigur Rós", "周杰倫"]);
    let titles: Vec<String> = titles_and_values(&mut db.conn)
        .into_iter()
        .map(|t| t.0)
        .collect();
    assert_eq!(titles, vec!["Hoppípolla", "晴天"]);
}

#[test]
fn a_semicolon_separated_utf8_file_imports_without_a_sep_line() {
    let mut db = fresh_db();
    let csv = csv_of(&[good_row(1), good_row(2)]).replace(',', ";");
    let path = write_file(&db, "semicolons.csv", csv);
    let report = import_paths(&mut db, &[path]).expect("import");
    assert_eq!((report.inserted(), report.skipped()), (2, 0));
    assert_eq!(report.files[0].notes, vec!["';'-separated"]);
}

/// A stored track whose first row in a new file names no genre keeps its genres; a
/// later row of it naming one it already has is no new link. That link had been
/// inserted a second time, and the unique key refused the whole import ("UNIQUE
/// constraint failed: track_genres...", nothing imported).
#[test]
fn a_repeated_row_may_name_a_genre_the_stored_track_has() {
    let mut db = fresh_db();
    let header = "track_id,track_name,track_artist,track_popularity,track_album_id,\
                  track_album_name,track_album_release_date,playlist_name,playlist_id,\
                  playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,\
                  speechiness,acousticness,instrumentalness,liveness,valence,tempo,\
                  duration_ms";
    let row = |genre: &str, subgenre: &str, danceability: &str| {
        format!(
            "6f807x0ima9a1j3VPbc7VN,Song A,Artist A,50,album0000000000000001,Album,\
             2000-01-01,list,list00000000000000001,{genre},{subgenre},{danceability},0.5,1,-8,1,\
             0.1,0.1,0,0.1,0.5,120,200000"
        )
    };
    let first = write_file(
        &db,
        "first.csv",
        format!("{header}\n{}\n", row("pop", "dance pop", "0.5")),
    );
    import_paths(&mut db, &[first]).expect("first import");
    let second = write_file(
        &db,
        "second.csv",
        format!(
            "{header}\n{}\n{}\n{}\n",
            row("", "", "0.7"),
            row("pop", "dance pop", "0.7"),
            row("rock", "", "0.7"),
        ),
    );
    let report = import_paths(&mut db, &[second]).expect("second import");
    assert_eq!((report.updated(), report.repeated()), (1, 2));
    let conn = &mut db.conn;
    assert_eq!(features(conn, "6f807x0ima9a1j3VPbc7VN").2, 0.7, "updated");
    assert_eq!(
        genres_of(conn, "6f807x0ima9a1j3VPbc7VN"),
        ["pop", "pop/dance pop", "rock"],
        "kept, and gained the repeat's"
    );
}

/// The track's genres, sorted: "pop", and "pop/dance pop" for a subgenre.
fn genres_of(conn: &mut db::DbConnection, spotify_id: &str) -> Vec<String> {
    let conn = sqlite(conn);
    let mut names: Vec<Name> = diesel::sql_query(
        "SELECT CASE WHEN p.name IS NULL THEN g.name ELSE p.name || '/' || g.name END AS name
         FROM track_genres tg JOIN tracks t ON t.id = tg.track_id
         JOIN genres g ON g.id = tg.genre_id LEFT JOIN genres p ON p.id = g.parent_id
         WHERE t.spotify_id = ?",
    )
    .bind::<Text, _>(spotify_id)
    .load(conn)
    .expect("genres");
    names.sort_by(|a, b| a.name.cmp(&b.name));
    names.into_iter().map(|n| n.name).collect()
}

#[test]
fn every_genre_of_a_track_is_kept_from_every_row_and_list() {
    let mut db = fresh_db();
    import(
        &mut db,
        &[
            "tidytuesday_spotify_songs.csv",
            "hf_dataset.csv",
            "kaggle_SpotifyFeatures.csv",
            "exportify_playlist.csv",
        ],
        false,
    )
    .expect("import");
    let conn = &mut db.conn;
    // TidyTuesday: listed under two playlists, with their subgenres.
    assert_eq!(
        genres_of(conn, "6f807x0ima9a1j3VPbc7VN"),
        ["edm", "edm/electro house", "pop", "pop/dance pop"]
    );
    assert_eq!(
        track(conn, "6f807x0ima9a1j3VPbc7VN").3.as_deref(),
        Some("pop"),
        "tracks.genre keeps the first"
    );
    assert_eq!(
        genres_of(conn, "2Vc6NJ9PW9gD9q343XFRKx"),
        ["rap", "rap/hip hop"]
    );
    // Hugging Face and SpotifyFeatures: the same track once per genre.
    assert_eq!(
        genres_of(conn, "1iJBSr7s7jYXzM8EGcbK5b"),
        ["acoustic", "pop"]
    );
    assert_eq!(
        genres_of(conn, "0BRjO6ga9RKCKjfDqeFgWV"),
        ["Movie", "Soundtrack"]
    );
    // Exportify: a comma-separated list in one cell.
    assert_eq!(
        genres_of(conn, "0VjIjW4GlUZAMYd2vXMi3b"),
        ["canadian contemporary r&b", "canadian pop", "pop"]
    );
    // "pop" from three files is one genre; subgenres are not counted as genres.
    let meta = catalog_meta::load(conn).expect("meta");
    let genres: Vec<Name> =
        diesel::sql_query("SELECT name FROM genres WHERE parent_id IS NULL ORDER BY name_key")
            .load(conn)
            .expect("genres");
    let genres: Vec<String> = genres.into_iter().map(|n| n.name).collect();
    assert_eq!(meta.genre_count, genres.len() as i64, "{genres:?}");
    assert_eq!(
        genres
            .iter()
            .filter(|g| g.eq_ignore_ascii_case("pop"))
            .count(),
        1
    );
}

#[test]
fn a_python_list_of_genres_gives_every_genre() {
    let mut db = fresh_db();
    let csv = "track_id,title,artist,genre,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness\n\
               aaaaaaaaaaaaaaaaaaaaa1,One,A,\"['dance pop', 'pop', 'Pop']\",0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n\
               aaaaaaaaaaaaaaaaaaaaa2,Two,B,\"rock, pop\",0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n";
    let path = write_file(&db, "lists.csv", csv);
    import_paths(&mut db, &[path]).expect("import");
    assert_eq!(
        genres_of(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa1"),
        ["dance pop", "pop"]
    );
    // A singular `genre` column holds one genre, commas included.
    assert_eq!(
        genres_of(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa2"),
        ["rock, pop"]
    );
}

/// The catalog's year span, as a first load counts it (from the tracks it inserted) and
/// as a later one does (from the table), is the tracks' own.
#[test]
fn the_catalog_year_span_is_the_tracks_one_after_every_kind_of_load() {
    let years = |conn: &mut db::DbConnection| -> (Option<i32>, Option<i32>) {
        tracks::table
            .select((
                diesel::dsl::min(tracks::release_year),
                diesel::dsl::max(tracks::release_year),
            ))
            .first(sqlite(conn))
            .expect("years")
    };
    let mut db = fresh_db();
    let file = db.dir.path().join("synthetic.csv");
    write_tidytuesday_csv(std::fs::File::create(&file).expect("create"), 2_000, 3).expect("write");
    import_paths(&mut db, std::slice::from_ref(&file)).expect("first");
    let meta = catalog_meta::load(&mut db.conn).expect("meta");
    assert!(meta.min_year.is_some() && meta.min_year < meta.max_year);
    assert_eq!((meta.min_year, meta.max_year), years(&mut db.conn));
    // A second load that rewrites a track with another year counts from the table.
    let moved = write_file(
        &db,
        "moved.csv",
        "track_id,track_name,track_artist,track_album_release_date,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness\n\
         zzzzzzzzzzzzzzzzzzzzz1,Old,Someone,1901-01-01,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n",
    );
    import_paths(&mut db, &[moved]).expect("second");
    let meta = catalog_meta::load(&mut db.conn).expect("meta");
    assert_eq!(meta.min_year, Some(1901));
    assert_eq!((meta.min_year, meta.max_year), years(&mut db.conn));
}

/// A load into an empty catalog skips the search for genres without tracks, since it
/// creates none; a genre already stored without a track is still found and dropped.
#[test]
fn every_genre_left_after_a_first_import_has_a_track() {
    let genres_without_tracks = |conn: &mut db::DbConnection| -> i64 {
        diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "SELECT COUNT(*) FROM genres WHERE id NOT IN (SELECT genre_id FROM track_genres)",
        )
        .get_result(sqlite(conn))
        .expect("count")
    };
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first");
    assert_eq!(genres_without_tracks(&mut db.conn), 0);
    let meta = catalog_meta::load(&mut db.conn).expect("meta");
    assert!(meta.genre_count > 0);

    let mut db = fresh_db();
    diesel::sql_query("INSERT INTO genres (name, name_key) VALUES ('Polka', 'polka')")
        .execute(sqlite(&mut db.conn))
        .expect("a genre without tracks");
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("import");
    assert_eq!(genres_without_tracks(&mut db.conn), 0, "polka is gone");
    assert_eq!(
        catalog_meta::load(&mut db.conn).expect("meta").genre_count,
        meta.genre_count
    );
}

#[test]
fn a_reimport_that_changes_a_genre_drops_the_old_one() {
    let mut db = fresh_db();
    let row = |genre: &str| {
        format!(
            "track_id,title,artist,genre,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness\n\
             aaaaaaaaaaaaaaaaaaaaa1,One,A,{genre},0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\n"
        )
    };
    let first = write_file(&db, "first.csv", row("polka"));
    import_paths(&mut db, &[first]).expect("first");
    let second = write_file(&db, "second.csv", row("jazz"));
    import_paths(&mut db, &[second]).expect("second");
    assert_eq!(genres_of(&mut db.conn, "aaaaaaaaaaaaaaaaaaaaa1"), ["jazz"]);
    let left: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM genres")
        .get_result(&mut db.conn)
        .expect("count");
    assert_eq!(left, 1, "polka has no track left");
    assert_eq!(
        catalog_meta::load(&mut db.conn).expect("meta").genre_count,
        1
    );
}

/// Starts an import of `file` into `database`, sends it SIGINT 1.5 s in (while it still
/// reads rows), and checks that it stopped saying that nothing was imported.
fn interrupt_an_import(database: &Path, file: &Path) {
    let mut child = binary()
        .arg("--database")
        .arg(database)
        .arg("import")
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the import");
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    assert!(
        child.try_wait().expect("status").is_none(),
        "the import was still running when interrupted"
    );
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let stopped = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert_eq!(stopped.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; nothing was imported (the catalog is as it was)"),
        "{stderr}"
    );
}

/// Ctrl-C while the rows are read stops the import at once, says nothing was imported,
/// and leaves the catalog as it was; a summary piped into a reader that has gone is
/// no panic.
#[test]
fn ctrl_c_before_the_commit_stops_the_import_and_changes_nothing() {
    let (dir, path) = database_for_the_binary();
    let first = binary()
        .args(["--database", &path, "import"])
        .arg(fixture("tidytuesday_spotify_songs.csv"))
        .output()
        .expect("run import");
    assert!(first.status.success());
    let big = dir.path().join("big.csv");
    write_tidytuesday_csv(std::fs::File::create(&big).expect("create"), 400_000, 7)
        .expect("write csv");
    interrupt_an_import(Path::new(&path), &big);
    let mut conn = db::open_catalog_connection(Path::new(&path)).expect("open");
    assert_eq!(
        count_tracks(&mut conn),
        5,
        "the first import's tracks alone"
    );
    drop(conn);

    // A first import (an empty catalog, written through a rollback journal) stopped
    // the same way rolls back before the process ends: no journal is left beside a
    // half-written file for the next opening to roll back (a copy of the file alone,
    // or a read-only open, found it damaged).
    interrupt_an_import(&dir.path().join("fresh.db"), &big);
    let journals: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with("-journal"))
        .collect();
    assert!(journals.is_empty(), "left behind: {journals:?}");

    // `| true`: the reader is gone before the summary is written.
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' --database '{path}' import '{}' | true",
            env!("CARGO_BIN_EXE_insights-hub"),
            fixture("no_track_ids.csv").display()
        ))
        .output()
        .expect("run through a closed pipe");
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Two files of one run that share tracks: the second file's copies are updates of
/// what the first inserted, and the summary says where they were, not "already in the
/// catalog" of a catalog that was empty.
#[test]
fn tracks_repeated_across_the_files_of_one_run_are_named_as_such() {
    let mut db = fresh_db();
    let one = fixture("genres_small.csv");
    let report = import_paths(&mut db, &[one.clone(), one]).expect("import");
    let summary = report.summary();
    assert!(
        summary.contains("(already in the catalog, or in an earlier file of this import)"),
        "{summary}"
    );
    let mut db = fresh_db();
    let report = import_paths(&mut db, &[fixture("genres_small.csv")]).expect("import");
    assert!(report.summary().contains(" (already in the catalog)\n"));
}

/// A file that cannot be read stops the import before any database is made: a typo in
/// a file name left a new, empty database (and its catalog file) behind.
#[test]
fn a_missing_file_leaves_no_database_behind() {
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("new.db");
    let out = binary()
        .arg("--database")
        .arg(&database)
        .arg("import")
        .arg(dir.path().join("no-such-file.csv"))
        .output()
        .expect("run import");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-such-file.csv"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// One artist written with a composed "é" in one row and "e" with a combining accent in
/// another (as files saved on a Mac often have it) is one artist, not two that look
/// the same.
#[test]
fn an_accent_written_either_way_is_one_artist() {
    let mut db = fresh_db();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("accents.csv");
    let row = |id: &str, title: &str, artist: &str| {
        format!("{id},{title},{artist},0.5,0.6,5,-6.0,1,0.05,0.1,0.0,0.1,0.5,120.0,200000,2019\n")
    };
    let text = [
        "track_id,track_name,track_artist,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,year\n".to_string(),
        row("4rcHWl68ai6KvpXlc8vbnA", "One", "Beyonc\u{e9}"),
        row("4rcHWl68ai6KvpXlc8vbnB", "Two", "Beyonce\u{301}"),
    ]
    .concat();
    std::fs::write(&file, text).expect("write");
    let report = import_paths(&mut db, &[file]).expect("import");
    assert_eq!(report.inserted(), 2, "{}", report.summary());
    assert_eq!(count_artists(&mut db.conn), 1);
    assert_eq!(
        artists_of(&mut db.conn, "4rcHWl68ai6KvpXlc8vbnB"),
        vec!["Beyonc\u{e9}"],
        "the name as first written"
    );
}

/// Ctrl-C while the indexes are rebuilt (which cannot be interrupted): the import rolls
/// back when the rebuild ends, instead of committing what the user asked it to undo.
#[test]
fn a_stop_asked_for_during_the_rebuild_rolls_back_before_the_commit() {
    struct StopWhileFinishing {
        finishing: bool,
        committed: bool,
    }
    impl insights_hub::catalog::import::Progress for StopWhileFinishing {
        fn start_file(&mut self, _: &Path, _: u64) {}
        fn advance(&mut self, _: u64, _: u64) {}
        fn finishing(&mut self) {
            self.finishing = true;
        }
        fn stop_requested(&self) -> bool {
            self.finishing
        }
        fn committing(&mut self) -> bool {
            self.committed = !self.stop_requested();
            self.committed
        }
    }
    let mut db = fresh_db();
    import_paths(&mut db, &[fixture("tidytuesday_spotify_songs.csv")]).expect("first import");
    let mut progress = StopWhileFinishing {
        finishing: false,
        committed: false,
    };
    let stopped = import_files(
        &mut db.conn,
        &[fixture("genres_small.csv")],
        ImportOptions::default(),
        &mut progress,
    );
    assert!(
        matches!(stopped, Err(ImportError::Interrupted)),
        "{stopped:?}"
    );
    assert!(!progress.committed);
    assert_eq!(
        count_tracks(&mut db.conn),
        5,
        "the first import's tracks alone"
    );
}

/// Run by `a_first_import_keeps_the_catalog_file_locked_to_its_commit` as a child
/// process (POSIX locks are per process: only another one sees them), never alone:
/// may another process begin writing the catalog file at `PROBE_CATALOG` now?
#[test]
#[ignore = "a child process of a_first_import_keeps_the_catalog_file_locked_to_its_commit"]
fn probe_the_catalog_write_lock() {
    use diesel::{connection::SimpleConnection, Connection, SqliteConnection};
    let Ok(path) = std::env::var("PROBE_CATALOG") else {
        return;
    };
    let mut conn = SqliteConnection::establish(&path).expect("open");
    conn.batch_execute("PRAGMA busy_timeout = 0")
        .expect("no wait");
    let free = conn.batch_execute("BEGIN IMMEDIATE").is_ok();
    println!("PROBE:{}", if free { "free" } else { "locked" });
}

/// A first import (an empty catalog, written through a rollback journal) holds the
/// catalog file's lock until it commits. Its early sync of the file had opened and
/// closed a descriptor of its own, which dropped the process's POSIX locks on the file
/// mid-transaction: a server starting then took the file, turned it back to WAL and
/// wrote the demo catalog into the load, and the file was left damaged.
#[test]
fn a_first_import_keeps_the_catalog_file_locked_to_its_commit() {
    struct ProbeAtCommit {
        catalog: PathBuf,
        seen: Option<String>,
    }
    impl insights_hub::catalog::import::Progress for ProbeAtCommit {
        fn start_file(&mut self, _: &Path, _: u64) {}
        fn advance(&mut self, _: u64, _: u64) {}
        fn finishing(&mut self) {}
        fn committing(&mut self) -> bool {
            let probe = Command::new(std::env::current_exe().expect("this test binary"))
                .args([
                    "--ignored",
                    "--exact",
                    "probe_the_catalog_write_lock",
                    "--nocapture",
                ])
                .env("PROBE_CATALOG", &self.catalog)
                .output()
                .expect("run the probe");
            let out = String::from_utf8_lossy(&probe.stdout);
            self.seen = out
                .lines()
                .find_map(|l| l.strip_prefix("PROBE:"))
                .map(str::to_string);
            true
        }
    }
    let mut db = fresh_db();
    let catalog = insights_hub::db::catalog_file::catalog_path(&db.path);
    let mut progress = ProbeAtCommit {
        catalog,
        seen: None,
    };
    import_files(
        &mut db.conn,
        &[fixture("tidytuesday_spotify_songs.csv")],
        ImportOptions::default(),
        &mut progress,
    )
    .expect("import");
    assert_eq!(progress.seen.as_deref(), Some("locked"));
    assert_eq!(count_tracks(&mut db.conn), 5);
}

/// SQLite ends a transaction by itself after some errors (a full disk, under a rollback
/// journal). The catalog write then fails with that error, not with the rollback's
/// "cannot rollback - no transaction is active", which had hidden it.
#[test]
fn a_write_that_sqlite_rolled_back_itself_keeps_its_own_error() {
    use diesel::connection::SimpleConnection;
    let mut db = fresh_db();
    let failed = insights_hub::db::catalog_writer::catalog_transaction(&mut db.conn, |conn| {
        conn.batch_execute("ROLLBACK")?;
        Err::<(), _>(diesel::result::Error::QueryBuilderError(
            "database or disk is full".into(),
        ))
    });
    let message = failed.expect_err("the write failed").to_string();
    assert_eq!(message, "database or disk is full");
}

/// One server per SQLite database: a second `serve` over the same file stops at once,
/// saying that several servers need PostgreSQL (two had run side by side, each with its
/// own sessions cache and throttle); once the first has stopped, a server starts again.
#[test]
fn a_second_server_over_one_sqlite_file_is_refused() {
    let (_dir, path) = database_for_the_binary();
    let serve = || serve_in_background(&path);
    let mut first = serve();
    lines_until_ready(&mut first);
    let second = serve()
        .wait_with_output()
        .expect("the second server's output");
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("another server is already serving") && stderr.contains("PostgreSQL"),
        "{stderr}"
    );
    first.kill().expect("stop the first server");
    first.wait().expect("reap it");
    let mut again = serve();
    lines_until_ready(&mut again);
    again.kill().expect("stop it");
    again.wait().expect("reap it");
}

/// A CORS origin that could never match (no scheme, a path) stops `serve` with a
/// message saying how to write it; it had started, and never allowed that origin.
#[test]
fn a_cors_origin_that_could_never_match_is_refused_at_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = binary()
        .arg("--database")
        .arg(dir.path().join("x.db"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--api-cors-origins",
            "https://ok.example,app.example.org",
        ])
        .output()
        .expect("run the server");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--api-cors-origins: “app.example.org” is not an origin")
            && stderr.contains("https://app.example.org"),
        "{stderr}"
    );
}

/// A server on a network address with the default cookie security says that its
/// cookies need HTTPS: over plain HTTP every form answered that it had expired, and
/// nothing in the log said why.
#[test]
fn a_network_address_says_its_cookies_need_https() {
    use std::io::BufRead;
    let (_dir, path) = database_for_the_binary();
    let mut server = binary()
        .args(["--database", &path, "serve", "--bind", "0.0.0.0:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start a server");
    let out = server.stdout.take().expect("piped stdout");
    let before_ready: Vec<String> = std::io::BufReader::new(out)
        .lines()
        .map_while(Result::ok)
        .take_while(|line| !line.contains("ready on http://"))
        .collect();
    server.kill().expect("stop it");
    server.wait().expect("reap it");
    assert!(
        before_ready
            .iter()
            .any(|l| l.contains("WARN") && l.contains("--secure-cookies never")),
        "{before_ready:#?}"
    );
}

/// A port in use stops `serve` before its start-up work: it had opened (or created and
/// seeded) the database and read or built the indexes first, seconds at a million
/// tracks, and only then said that it could not listen.
#[test]
fn a_port_in_use_is_said_before_the_database_is_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("never-opened.db");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("take a port");
    let address = taken.local_addr().expect("its address").to_string();
    let out = binary()
        .arg("--database")
        .arg(&path)
        .args(["serve", "--bind", &address])
        .output()
        .expect("run the server");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    assert!(!path.exists(), "the database was created before the bind");
}

/// Damage in the main file (accounts, sessions, profiles) stops the opening, naming the
/// file and its remedy: it had gone unseen until one save in three failed with a 500.
#[test]
fn a_damaged_main_file_is_found_when_the_database_opens() {
    let (dir, path) = database_for_the_binary();
    let main = Path::new(&path);
    let size = std::fs::metadata(main).expect("the main file").len();
    assert!(size >= 5 * 4096, "a main file of {size} bytes");
    let mut bytes = std::fs::read(main).expect("read");
    // Garbage over pages 3 and 4, past the header: a disk or a copy gone wrong.
    for b in bytes.iter_mut().skip(2 * 4096).take(2 * 4096) {
        *b = 0x5a;
    }
    std::fs::write(main, bytes).expect("write");
    let refused = insights_hub::db::open(main).expect_err("the opening is refused");
    let said = format!("{refused:#}");
    assert!(said.contains(&format!("{path} is damaged")), "{said}");
    assert!(said.contains("restored from a backup"), "{said}");
    drop(dir);
}

/// `serve` on the database at `path`, on a free port, its output piped.
fn serve_in_background(path: &str) -> std::process::Child {
    binary()
        .args(["--database", path, "serve", "--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start a server")
}

/// Reads the server's log until it says it is ready; the rest of its log, to read on.
fn lines_until_ready(
    server: &mut std::process::Child,
) -> std::io::Lines<std::io::BufReader<std::process::ChildStdout>> {
    use std::io::BufRead;
    let out = server.stdout.take().expect("piped stdout");
    let mut lines = std::io::BufReader::new(out).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|line| line.contains("ready on http://"));
    assert!(ready, "the server said it was ready");
    lines
}

/// SIGHUP (the terminal the server ran in closed) stops the server as SIGTERM does,
/// saying so; it had ended the process at once, with no line and requests cut.
#[test]
fn a_hang_up_stops_the_server_gracefully() {
    let (_dir, path) = database_for_the_binary();
    let mut server = serve_in_background(&path);
    let rest = lines_until_ready(&mut server);
    let sent = Command::new("kill")
        .args(["-HUP", &server.id().to_string()])
        .status()
        .expect("kill -HUP");
    assert!(sent.success());
    let said: Vec<String> = rest.map_while(Result::ok).collect();
    let status = server.wait().expect("the server's end");
    assert!(status.success(), "{status:?}: {said:?}");
    assert!(said.iter().any(|l| l.contains("shutting down")), "{said:?}");
    assert!(said.iter().any(|l| l.contains("stopped")), "{said:?}");
}

/// `import -` reads standard input, as most commands that read files do; it had been
/// refused as a missing file named "-".
#[cfg(unix)]
#[test]
fn a_dash_imports_standard_input() {
    let (_dir, path) = database_for_the_binary();
    let out = binary()
        .args(["--database", &path, "import", "-"])
        .stdin(std::fs::File::open(fixture("tidytuesday_spotify_songs.csv")).expect("fixture"))
        .output()
        .expect("run import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("Imported standard input"), "{stdout}");
    assert!(
        !stdout.contains("tracks inserted             0"),
        "{stdout}"
    );
}

/// A zip file's list of members is at its end, which a pipe cannot reach: refused, with
/// the way to do it, where it had said only "Illegal seek".
#[cfg(unix)]
#[test]
fn a_zip_piped_to_standard_input_is_refused_with_the_way_round() {
    use std::io::Write;
    let (_dir, path) = database_for_the_binary();
    let csv = std::fs::read(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");
    let zip = zip_of(&[("songs.csv", &csv)], zip::CompressionMethod::Deflated);
    let mut child = binary()
        .args(["--database", &path, "import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run import");
    let mut stdin = child.stdin.take().expect("stdin");
    // Written beside the import, which may stop reading before the end.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&zip);
    });
    let out = child.wait_with_output().expect("import's end");
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "cannot import standard input: it is a zip file, which cannot be read from a pipe"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("unzip -p FILE.zip | insights-hub import -"),
        "{stderr}"
    );
    assert!(!stderr.contains("Illegal seek"), "{stderr}");
}

/// `-` twice would read on from the middle of the stream: refused.
#[test]
fn standard_input_is_read_once() {
    let (_dir, path) = database_for_the_binary();
    let out = binary()
        .args(["--database", &path, "import", "-", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run import");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("standard input (-) can be read once"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A file opened in a spreadsheet and saved again has its release dates in the locale's
/// form: every row is imported, with its date where day and month can be told apart and
/// its year where they cannot (such files had every dated row refused as bad).
#[test]
fn a_file_saved_again_by_a_spreadsheet_keeps_its_dates() {
    let mut db = fresh_db();
    let file = write_file(
        &db,
        "saved_by_excel.csv",
        "track_id,track_name,track_artist,track_album_release_date,danceability,energy,acousticness,instrumentalness,valence,speechiness,liveness,tempo,loudness\r\n\
         zzzzzzzzzzzzzzzzzzzzz1,Us,Someone,6/14/2019,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n\
         zzzzzzzzzzzzzzzzzzzzz2,Uk,Someone,14/06/2019,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n\
         zzzzzzzzzzzzzzzzzzzzz3,De,Someone,01.02.1999,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n\
         zzzzzzzzzzzzzzzzzzzzz4,Either,Someone,6/7/2019,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n\
         zzzzzzzzzzzzzzzzzzzzz5,Short,Someone,12/25/85 0:00,0.5,0.5,0.5,0,0.5,0.05,0.1,120,-6\r\n",
    );
    let summary = import_paths(&mut db, &[file]).expect("imported");
    assert_eq!(summary.skipped(), 0, "{summary:?}");
    let mut dates: Vec<(String, Option<i32>, Option<String>)> = tracks::table
        .select((tracks::name, tracks::release_year, tracks::release_date))
        .load(sqlite(&mut db.conn))
        .expect("tracks");
    dates.sort();
    let expected = [
        ("De", 1999, "1999-02-01"),
        ("Either", 2019, "2019"),
        ("Short", 1985, "1985-12-25"),
        ("Uk", 2019, "2019-06-14"),
        ("Us", 2019, "2019-06-14"),
    ]
    .map(|(name, year, date)| (name.to_string(), Some(year), Some(date.to_string())));
    assert_eq!(dates, expected);
}

/// A file written while the import reads it (another program still saving it, or
/// appending) is refused before the commit: the catalog stays as it was. Its torn last
/// line had been reported as bad quoting, and a file cut short imported without a word.
#[test]
fn a_file_that_changes_while_it_is_read_is_refused_and_nothing_changes() {
    struct AppendOnFirstRows {
        path: PathBuf,
        done: bool,
    }
    impl Progress for AppendOnFirstRows {
        fn start_file(&mut self, _path: &Path, _bytes: u64) {}
        fn advance(&mut self, _rows: u64, _bytes: u64) {
            if !self.done {
                use std::io::Write;
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&self.path)
                    .expect("open to append");
                writeln!(file, "half a row,").expect("append");
                self.done = true;
            }
        }
        fn finishing(&mut self) {}
    }
    let mut db = fresh_db();
    import(&mut db, &["tidytuesday_spotify_songs.csv"], false).expect("first");
    let count = |db: &mut Db| -> i64 {
        tracks::table
            .count()
            .get_result(sqlite(&mut db.conn))
            .expect("count")
    };
    let before = count(&mut db);
    let growing = db.dir.path().join("growing.csv");
    write_tidytuesday_csv(std::fs::File::create(&growing).expect("create"), 20_000, 3)
        .expect("write");
    let mut progress = AppendOnFirstRows {
        path: growing.clone(),
        done: false,
    };
    let refused = import_files(
        &mut db.conn,
        std::slice::from_ref(&growing),
        ImportOptions::default(),
        &mut progress,
    )
    .expect_err("changed while read");
    assert!(progress.done, "the file was appended to mid-read");
    assert!(
        matches!(refused, ImportError::ChangedWhileRead { .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("changed while it was read"),
        "{refused}"
    );
    assert_eq!(count(&mut db), before, "the catalog is as it was");
}

/// A file cut short inside its last row (an interrupted download) reads as a good row
/// with a cut last value: the summary says to check it, since nothing else can tell.
#[test]
fn a_last_line_without_a_line_break_is_named_in_the_summary() {
    let original =
        std::fs::read_to_string(fixture("tidytuesday_spotify_songs.csv")).expect("fixture");
    let lines: Vec<&str> = original.lines().filter(|l| !l.is_empty()).collect();
    let last_line = lines.len();
    let mut db = fresh_db();
    let cut = lines.join("\n");
    let path = write_file(&db, "cut.csv", cut);
    let summary = import_paths(&mut db, std::slice::from_ref(&path))
        .expect("imports")
        .summary();
    assert!(
        summary.contains(&format!(
            "In {}, line {last_line} ends the file without a line break, as a file cut short",
            path.display()
        )),
        "{summary}"
    );
    // Not when the last row is a bad one (reported as such), or blank.
    for (name, last) in [
        (
            "cut_early.csv",
            lines[last_line - 1]
                .split(',')
                .take(5)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("blank_end.csv", ",,,,,,,,,,".to_string()),
    ] {
        let mut db = fresh_db();
        let mut text = lines[..last_line - 1].join("\n");
        text.push('\n');
        text.push_str(&last);
        let path = write_file(&db, name, text);
        let summary = import_paths(&mut db, std::slice::from_ref(&path))
            .expect("imports")
            .summary();
        assert!(
            !summary.contains("without a line break"),
            "{name}: {summary}"
        );
    }
    // Written whole, the same file says nothing of the kind.
    let mut db = fresh_db();
    let summary = import(&mut db, &["tidytuesday_spotify_songs.csv"], false)
        .expect("imports")
        .summary();
    assert!(!summary.contains("without a line break"), "{summary}");
}
