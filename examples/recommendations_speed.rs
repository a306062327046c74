//! Speed of the API's recommendations in-process (issue 12): 5 seeds (3 tracks and 2
//! artists) and 3 ranges (tempo 90–140, energy at least 0.3, acousticness at most 0.8),
//! 20 results, over 20,000 and 1,000,000 generated tracks. Each query does what the
//! handler does after its look-ups: seeds to settings (`matching::seeds`) and the exact
//! search with the seed tracks left out (`search_where`). Prints p50 and p99.
//!
//! Run: `cargo run --release --example recommendations_speed [QUERIES]`
//!
//! The catalog is synthetic and deterministic: 12 genres, each a cloud (sd 0.15 per
//! feature) around its own centre in the 10 scaled dimensions, ~10 tracks per artist.

use std::{collections::BTreeMap, time::Instant};

use insights_hub::{
    catalog::{AudioFeatures, Feature},
    matching::{
        seeds::{settings_from_seeds, SeedProfile, Seeds},
        FeatureIndex, FeatureRange, IndexedTrack,
    },
};

/// splitmix64, as in `benches/matching.rs`.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    fn normal(&mut self, sd: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        s * sd * 3f64.sqrt()
    }
}

const GENRES: usize = 12;

fn catalog(n: usize) -> (FeatureIndex, Vec<(AudioFeatures, Option<i32>)>) {
    let mut rng = Rng(0x5EED_0F50_4E55);
    let names: Vec<String> = (0..GENRES).map(|g| format!("genre-{g:02}")).collect();
    let centres: Vec<[f64; 10]> = (0..GENRES)
        .map(|_| std::array::from_fn(|_| 0.15 + 0.7 * rng.unit()))
        .collect();
    let mut rows = Vec::with_capacity(n);
    let mut genres = Vec::with_capacity(n);
    for _ in 0..n {
        let genre = rng.below(GENRES as u64) as usize;
        let mut features = AudioFeatures::default();
        let mut popularity = None;
        for (d, feature) in Feature::ALL.into_iter().enumerate() {
            let unit = (centres[genre][d] + rng.normal(0.15)).clamp(0.0, 1.0);
            match feature {
                Feature::Popularity => popularity = Some((unit * 100.0).round() as i32),
                audio => features.set(audio, feature.unscale(unit)),
            }
        }
        rows.push((features, popularity));
        genres.push(genre);
    }
    let index =
        FeatureIndex::from_tracks(rows.iter().enumerate().map(|(i, (f, p))| IndexedTrack {
            id: i as i32 + 1,
            features: *f,
            popularity: *p,
            genre: Some(names[genres[i]].as_str()),
            release_year: Some(1960 + (i % 65) as i32),
            explicit: Some(i % 10 == 0),
            main_artist: Some((i / 10) as i32 + 1),
        }));
    (index, rows)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn run(n: usize, queries: usize) {
    let started = Instant::now();
    let (index, rows) = catalog(n);
    eprintln!(
        "{n} tracks generated and indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut rng = Rng(0xBE7C_4A11);
    let ranges = BTreeMap::from([
        (
            Feature::Tempo,
            FeatureRange {
                min: Some(90.0),
                max: Some(140.0),
            },
        ),
        (
            Feature::Energy,
            FeatureRange {
                min: Some(0.3),
                max: None,
            },
        ),
        (
            Feature::Acousticness,
            FeatureRange {
                min: None,
                max: Some(0.8),
            },
        ),
    ]);
    let mut micros = Vec::with_capacity(queries);
    let mut returned = 0usize;
    let mut pooled = 0usize;
    for _ in 0..queries {
        let seed_ids: Vec<i32> = (0..3).map(|_| rng.below(n as u64) as i32 + 1).collect();
        // An artist's profile: the mean of ten consecutive tracks (one artist's).
        let artist = |rng: &mut Rng| {
            let a = rng.below((n / 10) as u64) as usize * 10;
            let mut mean = AudioFeatures::default();
            for f in Feature::AUDIO {
                let sum: f64 = rows[a..a + 10].iter().filter_map(|r| r.0.get(f)).sum();
                mean.set(f, sum / 10.0);
            }
            SeedProfile {
                features: mean,
                popularity: Some(50.0),
            }
        };
        let t0 = Instant::now();
        let seeds = Seeds {
            tracks: seed_ids
                .iter()
                .map(|&id| {
                    let (features, popularity) = rows[id as usize - 1];
                    SeedProfile {
                        features,
                        popularity: popularity.map(f64::from),
                    }
                })
                .collect(),
            artists: vec![artist(&mut rng), artist(&mut rng)],
            genres: Vec::new(),
        };
        let mut settings = settings_from_seeds(&seeds, &index, &BTreeMap::new(), &BTreeMap::new())
            .expect("valid seeds");
        settings.k = 20;
        settings.filters.ranges = ranges.clone();
        let keep = |id: i32| !seed_ids.contains(&id);
        let outcome = index
            .search_where(&settings, &keep)
            .expect("valid settings");
        // The pool the answer was chosen from (`afterFilteringSize`), as the handler
        // counts it: up to 1,000.
        let pool = index
            .count_where(&settings, &keep, 1000)
            .expect("valid settings");
        micros.push(t0.elapsed().as_secs_f64() * 1e6);
        pooled += pool;
        returned += outcome.matches.len();
    }
    micros.sort_by(f64::total_cmp);
    println!(
        "{n:>9} tracks, {queries} queries (5 seeds, 3 ranges, 20 results): p50 {:.0} µs, p99 {:.0} µs, mean results {:.1}, mean pool {:.0}",
        percentile(&micros, 0.50),
        percentile(&micros, 0.99),
        returned as f64 / queries as f64,
        pooled as f64 / queries as f64
    );
}

fn main() {
    let queries: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    run(20_000, queries);
    run(1_000_000, queries);
}
