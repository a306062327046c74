//! Chart option building and fragment rendering: the CPU a page costs once its data is
//! at hand. Uses the deterministic demo catalog (20,000 invented tracks).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use insights_hub::{
    cache::SharedDetails,
    catalog::{demo, AudioFeatures, Feature},
    db::track_details::{NewTrackDetails, TrackDetails},
    matching::{FeatureIndex, IndexedTrack, MatchSettings},
    web::{
        charts::{perfect_song, profile_bars, ProfileSeries},
        perfect_song::results::{answer, drawn_features, Answer},
    },
};

fn demo_index() -> FeatureIndex {
    let tracks = demo::generate();
    FeatureIndex::from_tracks(tracks.iter().enumerate().map(|(i, t)| IndexedTrack {
        id: i as i32 + 1,
        features: t.features,
        popularity: t.popularity,
        genre: t.first_genre(),
        release_year: t.release_year,
        explicit: t.explicit,
        main_artist: None,
    }))
}

fn benches(c: &mut Criterion) {
    let index = demo_index();
    let settings = MatchSettings {
        targets: Feature::ALL.iter().map(|&f| (f, f.unscale(0.7))).collect(),
        ..MatchSettings::default()
    };
    let outcome = index.search(&settings).expect("valid settings");
    let sample = index.sample(200);
    let details: SharedDetails = outcome
        .matches
        .iter()
        .map(|m| {
            (
                m.track_id,
                Arc::new(TrackDetails::new(NewTrackDetails {
                    id: m.track_id,
                    name: &format!("Track {}", m.track_id),
                    album: Some("Album"),
                    release_year: Some(2001),
                    genre: Some("pop"),
                    popularity: Some(50),
                    explicit: Some(false),
                    spotify_id: None,
                    artists: &["An Artist".to_string()],
                })),
            )
        })
        .collect();
    let features = drawn_features(&settings);
    let target: Vec<f64> = features.iter().map(|&f| settings.target(f)).collect();

    let mut group = c.benchmark_group("pages");
    group.bench_function("profile_bars_chart_json", |b| {
        let avg = AudioFeatures::default();
        b.iter(|| {
            let chart = profile_bars(
                &Feature::UNIT,
                &[ProfileSeries {
                    name: "Catalog average",
                    values: Feature::UNIT
                        .iter()
                        .map(|&f| avg.get(f).unwrap_or(0.0))
                        .collect(),
                }],
            );
            serde_json::to_string(&chart).expect("json")
        })
    });
    group.bench_function("parallel_chart_json_200_sample", |b| {
        b.iter(|| {
            let chart = perfect_song::parallel(&features, &target, None);
            let series = perfect_song::sample_series(&features, &sample);
            (
                serde_json::to_string(&chart).expect("json"),
                serde_json::to_string(&series).expect("json"),
            )
        })
    });
    // No facts: rows show "key unknown" (the table is read from the database).
    let facts = insights_hub::catalog::facts::TrackFacts::default();
    // The page's answer (charts inline) and a live answer (charts fetched when drawn).
    for (name, charts_url) in [
        ("match_fragment_render", None),
        (
            "match_live_fragment_render",
            Some("/perfect-song/charts.json?danceability=0.5"),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                answer(&Answer {
                    settings: &settings,
                    outcome: &outcome,
                    details: &details,
                    catalog_version: 1,
                    facts: &facts,
                    catalog_has_genres: index.has_genres(),
                    catalog_has_years: true,
                    download_url: "/perfect-song/results.csv?danceability=0.5",
                    charts_url,
                })
                .into_string()
            })
        });
    }
    group.bench_function("match_search_20k", |b| b.iter(|| index.search(&settings)));
    group.finish();
}

criterion_group! {
    name = pages;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(pages);
