//! Perfect-song matching speed: exact top-10 over 20,000 and 1,000,000 generated tracks,
//! unfiltered and with a genre + release-year filter, by distance (Euclidean, the
//! default) and by "same mix" (cosine), the index against the brute-force scan (the
//! baseline: every track scored, no bounds) in the same run; and how long the index
//! takes to build and to load from SQLite.
//!
//! The catalog is synthetic and deterministic (`catalog::rng` from a fixed seed): 12 genres
//! named `synthetic-genre-NN`, each a Gaussian cloud (sd 0.15 per feature) around its own
//! random centre in the 10 scaled dimensions, years 1960–2024, popularity unknown for 5%,
//! 10% explicit, ~10 tracks per artist. Queries cycle through 256 fixed random targets so
//! a median is not one lucky point.
//!
//! Run: `cargo bench --bench matching` (add `-- search` for the searches only). After
//! the run the bench prints index/brute-force ratios from criterion's own estimates,
//! and the index's size in bytes per track.

use std::{hint::black_box, path::Path, time::Duration};

use criterion::{BenchmarkId, Criterion};
use insights_hub::{
    catalog::{
        rng::Rng,
        snapshot::{CacheFiles, CatalogSnapshot, SnapshotOrigin},
        AudioFeatures, Feature,
    },
    matching::{FeatureIndex, IndexedTrack, MatchSettings, Metric},
};

const SMALL: usize = 20_000;
const LARGE: usize = 1_000_000;
const GENRES: usize = 12;
const QUERIES: usize = 256;

/// Roughly normal (sum of four uniforms), mean 0, sd `sd`.
fn normal(rng: &mut Rng, sd: f64) -> f64 {
    let s: f64 = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
    s * sd * (3.0f64).sqrt()
}

/// One generated track, with its genre as an index into `genre_names`.
struct Generated {
    id: i32,
    features: AudioFeatures,
    popularity: Option<i32>,
    genre: usize,
    year: i32,
    explicit: bool,
    artist: i32,
}

fn genre_names() -> Vec<String> {
    (0..GENRES)
        .map(|g| format!("synthetic-genre-{g:02}"))
        .collect()
}

fn generate(n: usize) -> Vec<Generated> {
    let mut rng = Rng::new(0x5EED_0F50_4E55);
    let centres: Vec<[f64; 10]> = (0..GENRES)
        .map(|_| std::array::from_fn(|_| 0.15 + 0.7 * rng.unit()))
        .collect();
    (0..n)
        .map(|i| {
            let genre = rng.below(GENRES as u64) as usize;
            let mut features = AudioFeatures::default();
            let mut popularity = None;
            for (d, feature) in Feature::ALL.into_iter().enumerate() {
                let unit = (centres[genre][d] + normal(&mut rng, 0.15)).clamp(0.0, 1.0);
                match feature {
                    Feature::Popularity => {
                        popularity = (rng.below(20) != 0).then(|| (unit * 100.0).round() as i32)
                    }
                    audio => features.set(audio, feature.unscale(unit)),
                }
            }
            Generated {
                id: i as i32 + 1,
                features,
                popularity,
                genre,
                year: 1960 + rng.below(65) as i32,
                explicit: rng.below(10) == 0,
                artist: (i / 10) as i32 + 1,
            }
        })
        .collect()
}

fn build(tracks: &[Generated], names: &[String]) -> FeatureIndex {
    FeatureIndex::from_tracks(tracks.iter().map(|t| IndexedTrack {
        id: t.id,
        features: t.features,
        popularity: t.popularity,
        genre: Some(names[t.genre].as_str()),
        release_year: Some(t.year),
        explicit: Some(t.explicit),
        main_artist: Some(t.artist),
    }))
}

/// 256 fixed targets for the original five features (the page's default query shape).
fn queries(filtered: bool, metric: Metric) -> Vec<MatchSettings> {
    let mut rng = Rng::new(0xBE7C_4A11);
    (0..QUERIES)
        .map(|q| {
            let mut s = MatchSettings::default();
            for f in Feature::ORIGINAL {
                s.targets.insert(f, rng.unit());
            }
            if filtered {
                s.filters
                    .genres
                    .insert(format!("synthetic-genre-{:02}", q % GENRES));
                let from = 1960 + rng.below(55) as i32;
                s.filters.year_from = Some(from);
                s.filters.year_to = Some(from + 9);
            }
            s.metric = metric;
            s
        })
        .collect()
}

/// The cases of each size: (benchmark name, filtered, metric).
const CASES: [(&str, bool, Metric); 4] = [
    ("unfiltered", false, Metric::Euclidean),
    ("genre_years", true, Metric::Euclidean),
    ("cosine_unfiltered", false, Metric::Cosine),
    ("cosine_genre_years", true, Metric::Cosine),
];

fn bench_search(c: &mut Criterion) {
    let names = genre_names();
    for (label, n) in [("20k", SMALL), ("1M", LARGE)] {
        let tracks = generate(n);
        let index = build(&tracks, &names);
        drop(tracks);
        if n == LARGE {
            println!(
                "index of {n} tracks: {:.1} bytes per track",
                index.memory_bytes() as f64 / n as f64
            );
        }
        let mut group = c.benchmark_group(format!("search_{label}"));
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if n == LARGE { 6 } else { 3 }))
            .sample_size(if n == LARGE { 20 } else { 50 });
        for (filter, filtered, metric) in CASES {
            let settings = queries(filtered, metric);
            for (method, brute) in [("index", false), ("brute_force", true)] {
                let mut q = 0;
                group.bench_function(BenchmarkId::new(filter, method), |b| {
                    b.iter(|| {
                        q = (q + 1) % QUERIES;
                        let s = black_box(&settings[q]);
                        let out = if brute {
                            index.search_brute_force(s)
                        } else {
                            index.search(s)
                        };
                        black_box(out.map(|o| o.matches.len()).unwrap_or(0))
                    })
                });
            }
        }
        group.finish();
    }
}

fn bench_load(c: &mut Criterion) {
    let names = genre_names();
    // Generated (and written to SQLite) on first use, so `cargo bench -- search` skips it.
    let tracks = std::sync::OnceLock::new();
    let database = std::sync::OnceLock::new();
    let mut group = c.benchmark_group("load_1M");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15));
    group.bench_function("build_index_in_memory", |b| {
        let tracks = tracks.get_or_init(|| generate(LARGE));
        b.iter(|| black_box(build(tracks, &names).len()))
    });
    let open_database = || {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = insights_hub::db::open(dir.path().join("bench.db")).expect("open database");
        let mut conn = pool.get().expect("connection");
        let insights_hub::db::DbConnection::Sqlite(conn) = &mut *conn else {
            panic!("the bench uses SQLite");
        };
        fill_database(conn, tracks.get_or_init(|| generate(LARGE)), &names);
        (dir, pool)
    };
    group.bench_function("catalog_snapshot_from_sqlite", |b| {
        let (_dir, pool) = database.get_or_init(open_database);
        b.iter(|| {
            let mut conn = pool.get().expect("connection");
            let snapshot = CatalogSnapshot::load(&mut conn, &CacheFiles::Off).expect("load");
            black_box(snapshot.features.len())
        })
    });
    // The same catalog read back from the cache file a build leaves (a restart).
    group.bench_function("catalog_snapshot_from_cache_file", |b| {
        let (dir, pool) = database.get_or_init(open_database);
        let cache = CacheFiles::At(dir.path().join("bench-cache"));
        let mut conn = pool.get().expect("connection");
        CatalogSnapshot::load(&mut conn, &cache).expect("build");
        // The file is written in the background: wait for it.
        let file = dir.path().join("bench-cache-snapshot");
        while !file.exists() {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        b.iter(|| {
            let snapshot = CatalogSnapshot::load(&mut conn, &cache).expect("load");
            assert_eq!(snapshot.origin, SnapshotOrigin::File);
            black_box(snapshot.features.len())
        })
    });
    group.finish();
}

/// Writes the generated catalog with plain multi-row inserts (the importer's per-row
/// upserts would take minutes for a million rows; only the loader is measured here).
fn fill_database(conn: &mut diesel::SqliteConnection, tracks: &[Generated], names: &[String]) {
    use diesel::{connection::SimpleConnection, prelude::*};
    use insights_hub::db::schema::{artists, track_artists, tracks as t};
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        let artist_count = tracks.last().map(|t| t.artist).unwrap_or(0);
        for chunk in (1..=artist_count).collect::<Vec<_>>().chunks(5_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|&id| {
                    let name = format!("Synthetic Artist {id}");
                    (
                        artists::id.eq(id),
                        artists::name_key.eq(name.to_lowercase()),
                        artists::search_key.eq(name.to_lowercase()),
                        artists::name.eq(name),
                    )
                })
                .collect();
            diesel::insert_into(artists::table)
                .values(&rows)
                .execute(conn)?;
        }
        for chunk in tracks.chunks(1_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|g| {
                    let f = &g.features;
                    (
                        t::id.eq(g.id),
                        t::identity.eq(format!("synthetic-{}", g.id)),
                        t::name.eq(format!("Synthetic Track {}", g.id)),
                        t::release_year.eq(g.year),
                        t::genre.eq(&names[g.genre]),
                        t::popularity.eq(g.popularity),
                        t::explicit.eq(g.explicit),
                        (
                            t::tempo.eq(f.tempo),
                            t::loudness.eq(f.loudness),
                            t::danceability.eq(f.danceability),
                            t::energy.eq(f.energy),
                            t::acousticness.eq(f.acousticness),
                            t::instrumentalness.eq(f.instrumentalness),
                            t::valence.eq(f.valence),
                            t::speechiness.eq(f.speechiness),
                            t::liveness.eq(f.liveness),
                        ),
                    )
                })
                .collect();
            diesel::insert_into(t::table).values(&rows).execute(conn)?;
            let links: Vec<_> = chunk
                .iter()
                .map(|g| {
                    (
                        track_artists::track_id.eq(g.id),
                        track_artists::artist_id.eq(g.artist),
                        track_artists::position.eq(0),
                    )
                })
                .collect();
            diesel::insert_into(track_artists::table)
                .values(&links)
                .execute(conn)?;
        }
        Ok(())
    })
    .expect("fill database");
    conn.batch_execute("ANALYZE;").expect("analyze");
}

/// Prints index / brute-force median ratios from criterion's estimates of this run.
fn print_ratios() {
    let root = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("criterion");
    let median = |id: &str| -> Option<f64> {
        let text = std::fs::read_to_string(root.join(id).join("new/estimates.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json["median"]["point_estimate"].as_f64()
    };
    println!("\nmedian per query (index vs brute force, same run):");
    for size in ["20k", "1M"] {
        for (filter, _, _) in CASES {
            let index = median(&format!("search_{size}/{filter}/index"));
            let brute = median(&format!("search_{size}/{filter}/brute_force"));
            if let (Some(i), Some(b)) = (index, brute) {
                println!(
                    "  {size:>3} {filter:<18} index {:>9.1} µs  brute force {:>9.1} µs  speed-up {:>6.1}x",
                    i / 1e3,
                    b / 1e3,
                    b / i
                );
            }
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_search(&mut criterion);
    bench_load(&mut criterion);
    criterion.final_summary();
    print_ratios();
}
