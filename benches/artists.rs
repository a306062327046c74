//! Artist search and comparison at catalog scale.
//!
//! Run: `cargo bench --bench artists`
//!
//! Data: 100,000 clearly synthetic artists (names made of invented syllables such as
//! "Kalobé Renzu", one in ten starting with "The", some with Latin accents) from a
//! fixed-seed generator (`catalog::rng`), so every run measures the same catalog. The database variant is
//! labelled "synthetic-benchmark" as its import source. Criterion reports medians; the target is a 99th percentile,
//! so the bench also times 10,000 individual suggestion queries (and 2,000 requests per
//! handler) itself and prints p50/p90/p99/max.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use diesel::Connection;
use insights_hub::{
    app,
    catalog::{
        artists::{index::query_key, resolve_selection, ArtistIndex, ArtistSummary},
        rng::Rng,
        AudioFeatures, NewTrack, TrackKeys,
    },
    db::{catalog_meta::SourceKind, catalog_writer::CatalogWriter},
    model::artist_names::{artist_name_key, artist_search_key},
    AppState, Config,
};
use poem::{endpoint::BoxEndpoint, test::TestClient, EndpointExt, Response};

const ARTISTS: usize = 100_000;
const QUERIES: usize = 10_000;
const HANDLER_REQUESTS: usize = 2_000;

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ren", "zu", "ta", "vel", "no", "shi", "ra", "bé", "dö", "qui", "xa", "lu",
    "mar", "fen", "go", "ha", "jé", "pa", "so", "wi", "yo",
];

fn word(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    let mut w = String::new();
    for _ in 0..n {
        w.push_str(SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize]);
    }
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => w,
    }
}

/// Unique synthetic names: "Kalomi Renzu", "The Vebédö", "Shiluxa 417", …
fn synthetic_names(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::with_capacity(count);
    while names.len() < count {
        let base = match rng.below(10) {
            0 => format!("The {}", word(&mut rng)),
            1..=5 => format!("{} {}", word(&mut rng), word(&mut rng)),
            _ => word(&mut rng),
        };
        let name = if seen.contains(&artist_name_key(&base)) {
            format!("{base} {}", names.len())
        } else {
            base
        };
        seen.insert(artist_name_key(&name));
        names.push(name);
    }
    names
}

/// A skewed track count: most artists have one or two tracks, a few have hundreds.
fn track_count(rng: &mut Rng) -> i32 {
    let u = rng.unit().max(1e-9);
    ((1.0 / u.powf(0.7)) as i32).clamp(1, 400)
}

fn features(rng: &mut Rng) -> AudioFeatures {
    AudioFeatures {
        danceability: rng.unit(),
        energy: rng.unit(),
        acousticness: rng.unit(),
        instrumentalness: rng.unit(),
        valence: rng.unit(),
        speechiness: rng.unit() * 0.5,
        liveness: rng.unit() * 0.6,
        tempo: 60.0 + rng.unit() * 140.0,
        loudness: -20.0 + rng.unit() * 18.0,
    }
}

fn synthetic_index() -> ArtistIndex {
    let mut rng = Rng::new(0x5eed_0001);
    let artists = synthetic_names(ARTISTS, 0x5eed_0002)
        .into_iter()
        .enumerate()
        .map(|(i, name)| ArtistSummary {
            id: i as i32 + 1,
            name_key: artist_name_key(&name),
            search_key: artist_search_key(&name),
            name,
            track_count: track_count(&mut rng),
            averages: features(&mut rng),
            avg_popularity: Some(rng.unit() * 100.0),
            min_year: Some(1960 + rng.below(40) as i32),
            max_year: Some(2000 + rng.below(25) as i32),
        })
        .collect();
    ArtistIndex::new(artists, Some(42.0))
}

/// What people type: prefixes of real names (1 to 8 characters, often without the
/// accent), pieces from the middle of names, typos and strings that match nothing.
fn query_mix(index: &ArtistIndex, count: usize) -> Vec<String> {
    let names: Vec<&ArtistSummary> = index.iter().collect();
    let mut rng = Rng::new(0x5eed_0003);
    (0..count)
        .map(|_| {
            let name = &names[rng.below(names.len() as u64) as usize].name;
            let chars: Vec<char> = name.chars().collect();
            match rng.below(10) {
                0..=5 => {
                    let len = 1 + rng.below(8) as usize;
                    let cut: String = chars.iter().take(len).collect();
                    if rng.below(2) == 0 {
                        artist_search_key(&cut)
                    } else {
                        cut
                    }
                }
                6 | 7 => {
                    let start = rng.below(chars.len() as u64) as usize;
                    let len = 2 + rng.below(4) as usize;
                    chars.iter().skip(start).take(len).collect()
                }
                8 => {
                    let mut typo = chars.clone();
                    let at = rng.below(typo.len() as u64) as usize;
                    typo[at] = 'q';
                    typo.into_iter().collect()
                }
                _ => format!("zzq{}", rng.below(1000)),
            }
        })
        .collect()
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    println!(
        "{label}: n={} p50={:?} p90={:?} p99={:?} max={:?}",
        samples.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        samples[samples.len() - 1]
    );
}

fn bench_index(c: &mut Criterion) {
    let started = Instant::now();
    let index = synthetic_index();
    println!(
        "built a {}-artist index in {:?}",
        index.len(),
        started.elapsed()
    );
    let queries = query_mix(&index, QUERIES);

    let mut samples = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let found = index.suggest(q, 10);
        let elapsed = t.elapsed();
        samples.push(elapsed);
        slowest.push((elapsed, q));
        std::hint::black_box(found);
    }
    percentiles(
        "suggest (index, 10,000 mixed queries, 100k artists)",
        samples,
    );
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    println!("slowest queries: {:?}", &slowest[..5]);

    let mut group = c.benchmark_group("artists_index_100k");
    group.measurement_time(Duration::from_secs(4));
    // "the" starts one name in ten: the largest prefix range a real query meets.
    group.bench_function("suggest_prefix_the", |b| {
        b.iter(|| index.suggest("the", 10))
    });
    group.bench_function("suggest_prefix_1_char", |b| {
        b.iter(|| index.suggest("k", 10))
    });
    group.bench_function("suggest_prefix_accent_folded", |b| {
        b.iter(|| index.suggest("bedo", 10))
    });
    // Starts no name but occurs inside thousands: the whole substring pass.
    group.bench_function("suggest_substring_only", |b| {
        b.iter(|| index.suggest("ax", 10))
    });
    // Worst case: one letter that starts no name but occurs in nearly all of them.
    group.bench_function("suggest_substring_in_most_names", |b| {
        b.iter(|| index.suggest("a", 10))
    });
    group.bench_function("suggest_no_match", |b| b.iter(|| index.suggest("zzqx", 10)));
    let mut i = 0;
    group.bench_function("suggest_mixed", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            index.suggest(&queries[i], 10)
        })
    });
    let some = index
        .iter()
        .nth(ARTISTS / 2)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let other = index
        .iter()
        .nth(ARTISTS / 3)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    // The API's search by name (`/api/v1/search?type=artist&q=the+...`, `name_page`):
    // the exact name first, then the artists with every word, ranked as the site's box
    // ranks them down to the deepest page (1,050). A word a tenth of the names share
    // beside a rare one, and the worst case: every name with an "a".
    let rare = query_key(some.split(' ').next_back().unwrap_or("x"));
    let the_rare = format!("the {rare}");
    const DEEPEST: usize = 1050;
    group.bench_function("search_page_common_and_rare_word", |b| {
        b.iter(|| index.name_page(&the_rare, &["the", rare.as_str()], None, DEEPEST, 0, 20))
    });
    group.bench_function("search_page_every_name_with_a_letter", |b| {
        b.iter(|| index.name_page("a", &["a"], None, DEEPEST, 0, 20))
    });
    let fields = vec![some.to_lowercase(), other.clone()];
    group.bench_function("resolve_two_names", |b| {
        b.iter(|| resolve_selection(&index, &fields).map(|a| a.len()))
    });
    let typo = format!("{}q", some);
    group.bench_function("did_you_mean_unknown_name", |b| {
        b.iter(|| index.did_you_mean(&typo, 5))
    });
    let id = index.iter().nth(ARTISTS / 4).map(|a| a.id).unwrap_or(1);
    group.bench_function("similar_artists_exact_scan", |b| {
        b.iter(|| index.similar(id, 6))
    });
    group.finish();

    let mut group = c.benchmark_group("artists_index_build");
    group.sample_size(10);
    let rows: Vec<ArtistSummary> = index.iter().cloned().collect();
    group.bench_function("build_100k", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| ArtistIndex::new(rows, None),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A real database with 100,000 synthetic artists (and their tracks, written with the
/// importer's `CatalogWriter`), served by the real router.
fn synthetic_app(
    dir: &tempfile::TempDir,
) -> (
    AppState,
    TestClient<BoxEndpoint<'static, Response>>,
    Vec<String>,
) {
    let started = Instant::now();
    let state = AppState::open(Config::for_database(dir.path().join("bench.db"))).expect("open db");
    let names = synthetic_names(ARTISTS, 0x5eed_0002);
    let mut rng = Rng::new(0x5eed_0004);
    const GENRES: [&str; 6] = [
        "synth pop",
        "synth rock",
        "synth jazz",
        "synth folk",
        "synth rap",
        "synth soul",
    ];
    {
        let mut conn = state.pool.get().expect("connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let mut writer = CatalogWriter::new(conn)?;
            for (i, name) in names.iter().enumerate() {
                // Every 1,000th artist is big, so comparisons have real work to do.
                let tracks = if i % 1000 == 0 {
                    60
                } else {
                    1 + (rng.below(3) == 0) as usize
                };
                for n in 0..tracks {
                    let track = NewTrack::builder(&format!("Synthetic track {n}"), &[name])
                        .year(1960 + rng.below(65) as i32)
                        .genre(Some(GENRES[rng.below(6) as usize]))
                        .popularity(Some(rng.below(100) as i32))
                        .duration_ms(200_000)
                        .explicit(false)
                        .key_mode_meter(0, 1, 4)
                        .features(features(&mut rng))
                        .build();
                    let keys = TrackKeys::of(&track);
                    writer.write_keyed(conn, track, keys)?;
                }
            }
            writer.finish(
                conn,
                SourceKind::Import,
                "synthetic-benchmark",
                1_700_000_000,
            )?;
            Ok(())
        })
        .expect("write synthetic catalog");
    }
    let state = AppState::open(Config::for_database(dir.path().join("bench.db"))).expect("reopen");
    println!(
        "synthetic database: {} artists, {} tracks, written and loaded in {:?}",
        state.catalog().artists.len(),
        state.catalog().meta.track_count,
        started.elapsed()
    );
    let client = TestClient::new(app(state.clone()).boxed());
    let big: Vec<String> = names.iter().step_by(1000).take(4).cloned().collect();
    (state, client, big)
}

fn bench_handlers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (state, client, big) = synthetic_app(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let index = state.catalog().artists.clone();
    let queries = query_mix(&index, HANDLER_REQUESTS);
    let suggest_url = |q: &str| format!("/artists?q={}", encode(q));
    let compare_url = format!(
        "/artists/compare?artist={}&artist={}",
        encode(&big[0].to_lowercase()),
        encode(&big[1])
    );

    let request = |url: String, htmx: bool| {
        let client = &client;
        async move {
            let mut req = client.get(url);
            if htmx {
                req = req.header("HX-Request", "true");
            }
            let resp = req.send().await;
            let status = resp.0.status();
            let body = resp
                .0
                .into_body()
                .into_bytes()
                .await
                .map(|b| b.len())
                .unwrap_or(0);
            (status, body)
        }
    };

    rt.block_on(async {
        let (status, _) = request(compare_url.clone(), true).await;
        assert!(status.is_success(), "compare answered {status}");
        let mut samples = Vec::with_capacity(queries.len());
        let mut slowest: Vec<(Duration, &str)> = Vec::new();
        for q in &queries {
            let t = Instant::now();
            let (status, _) = request(suggest_url(q), true).await;
            let elapsed = t.elapsed();
            samples.push(elapsed);
            slowest.push((elapsed, q));
            assert!(status.is_success());
        }
        percentiles(
            "GET /artists?q= (htmx fragment, router, 100k artists)",
            samples,
        );
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        println!("slowest queries: {:?}", &slowest[..5]);
        let mut samples = Vec::with_capacity(HANDLER_REQUESTS);
        for _ in 0..HANDLER_REQUESTS {
            let t = Instant::now();
            request(compare_url.clone(), true).await;
            samples.push(t.elapsed());
        }
        percentiles(
            "GET /artists/compare (2 artists x 60 tracks, htmx, router)",
            samples,
        );
    });

    let mut group = c.benchmark_group("artists_handlers_100k");
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("suggest_fragment", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % queries.len();
            rt.block_on(request(suggest_url(&queries[i]), true))
        })
    });
    group.bench_function("compare_fragment_2_artists", |b| {
        b.iter(|| rt.block_on(request(compare_url.clone(), true)))
    });
    let four = format!(
        "/artists/compare?artist={}&artist={}&artist={}&artist={}&features=all",
        encode(&big[0]),
        encode(&big[1]),
        encode(&big[2]),
        encode(&big[3])
    );
    group.bench_function("compare_full_page_4_artists", |b| {
        b.iter(|| rt.block_on(request(four.clone(), false)))
    });
    group.finish();
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

criterion_group!(benches, bench_index, bench_handlers);
criterion_main!(benches);
