//! Search tests: the index against an independent oracle (property tests), and the
//! explanation, similarity, empty-result reasons, per-artist cap and catalog checks.
//! `near_ties`: few features and near-ties against exact rational arithmetic.
//! `layout`: leaves and groups, the fixed-point values, the cosine box check.

mod genre_sets;
mod layout;
mod near_ties;

use proptest::prelude::*;

use super::{
    query::Query, topk::Key, EmptyBecause, FeatureIndex, FilterStep, IndexedTrack, MatchError,
    MatchSettings, Metric,
};
use crate::catalog::{AudioFeatures, Feature};

/// A track for tests, with owned genre.
#[derive(Debug, Clone)]
struct T {
    id: i32,
    values: [f64; 10],
    popularity: Option<i32>,
    genre: Option<String>,
    year: Option<i32>,
    explicit: Option<bool>,
    artist: Option<i32>,
}

fn features_of(values: &[f64; 10]) -> AudioFeatures {
    let mut f = AudioFeatures::default();
    for (feature, v) in Feature::AUDIO.iter().zip(values) {
        f.set(*feature, feature.unscale(*v));
    }
    f
}

fn index_of(tracks: &[T]) -> FeatureIndex {
    FeatureIndex::from_tracks(tracks.iter().map(|t| IndexedTrack {
        id: t.id,
        features: features_of(&t.values),
        popularity: t.popularity,
        genre: t.genre.as_deref(),
        release_year: t.year,
        explicit: t.explicit,
        main_artist: t.artist,
    }))
}

/// The answer by definition: score every track on its own (exactly), keep those
/// passing the filters, sort by (key, id), walk the list taking a track unless its
/// artist already has `cap` taken, stop at k. Shares only the per-track exact
/// arithmetic with the index (`rational_oracle` below shares none).
fn oracle(index: &FeatureIndex, settings: &MatchSettings) -> Vec<i32> {
    oracle_where(index, settings, &|_| true)
}

/// `oracle`, keeping only the tracks `keep` accepts.
fn oracle_where(
    index: &FeatureIndex,
    settings: &MatchSettings,
    keep: &dyn Fn(i32) -> bool,
) -> Vec<i32> {
    let query = Query::new(index, settings).expect("valid");
    let mut all: Vec<(Key, i32, i32)> = Vec::new();
    for i in 0..index.len() {
        if query.passes(index, i) && keep(index.ids[i]) {
            all.push((query.exact_key(index, i), index.ids[i], index.artist[i]));
        }
    }
    all.sort_by(|a, b| a.0.distance_cmp(&b.0).then(a.1.cmp(&b.1)));
    cap_walk(
        all.into_iter().map(|(_, id, artist)| (id, artist)),
        settings,
    )
}

/// Takes ids in the given (best-first) order unless their artist already has `cap`,
/// until k are taken.
fn cap_walk(sorted: impl Iterator<Item = (i32, i32)>, settings: &MatchSettings) -> Vec<i32> {
    let mut taken = Vec::new();
    let mut per_artist = std::collections::HashMap::new();
    for (id, artist) in sorted {
        if taken.len() == settings.k {
            break;
        }
        if let (Some(cap), true) = (settings.filters.max_per_artist, artist >= 0) {
            let n = per_artist.entry(artist).or_insert(0usize);
            if *n >= cap {
                continue;
            }
            *n += 1;
        }
        taken.push(id);
    }
    taken
}

const GENRES: [&str; 4] = ["rock", "pop", "jazz", "Hip Hop"];

/// Feature values: often on a coarse grid (so distances tie), otherwise anywhere.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![(0u8..=4).prop_map(|v| f64::from(v) / 4.0), 0.0..=1.0f64,]
}

fn track() -> impl Strategy<Value = T> {
    (
        proptest::array::uniform10(value()),
        proptest::option::weighted(0.8, 0..=100i32),
        proptest::option::weighted(0.9, 0..GENRES.len()),
        proptest::option::weighted(0.9, 1990..2000i32),
        proptest::option::of(any::<bool>()),
        proptest::option::weighted(0.9, 0..6i32),
    )
        .prop_map(|(values, popularity, genre, year, explicit, artist)| T {
            id: 0,
            values,
            popularity,
            genre: genre.map(|g| GENRES[g].to_string()),
            year,
            explicit,
            artist,
        })
}

/// Tracks with unique, shuffled ids, where some copy another track's features exactly
/// (same vector, different id: a deliberate tie). Sometimes most tracks share a handful
/// of vectors, so that whole leaves are single points and bounds equal keys exactly.
fn catalog(max: usize) -> impl Strategy<Value = Vec<T>> {
    (
        proptest::collection::vec(track(), 0..max),
        proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..20,
        ),
        proptest::option::of(1..6usize),
        any::<u32>(),
    )
        .prop_map(|(mut tracks, copies, palette, seed)| {
            let n = tracks.len();
            if n > 1 {
                for (from, to) in copies {
                    let (from, to) = (from.index(n), to.index(n));
                    tracks[to].values = tracks[from].values;
                }
            }
            if let Some(palette) = palette.filter(|p| *p < n) {
                for i in palette..n {
                    if !(i as u32 ^ seed).is_multiple_of(8) {
                        tracks[i].values = tracks[(i * 7 + seed as usize) % palette].values;
                    }
                }
            }
            // Ids unique but unrelated to position: a multiplicative permutation.
            for (i, t) in tracks.iter_mut().enumerate() {
                t.id = ((i as u64 * 2_654_435_761 + u64::from(seed)) % 1_000_003) as i32;
            }
            tracks.sort_by_key(|t| t.id);
            tracks.dedup_by_key(|t| t.id);
            tracks
        })
}

fn settings() -> impl Strategy<Value = MatchSettings> {
    (
        proptest::array::uniform10(value()),
        proptest::array::uniform10(prop_oneof![
            3 => Just(0.0),
            2 => Just(1.0),
            1 => Just(2.5),
            1 => 0.0..=10.0f64,
        ]),
        any::<bool>(),
        proptest::collection::btree_set(0..GENRES.len(), 0..3),
        proptest::option::of(1985..2002i32),
        proptest::option::of(0..12i32),
        proptest::option::weighted(0.3, 0..=100u8),
        proptest::bool::weighted(0.3),
        proptest::option::weighted(0.4, 1..4usize),
        1..25usize,
        proptest::collection::btree_map(
            0..Feature::ALL.len(),
            (proptest::option::of(value()), proptest::option::of(value())),
            0..3,
        ),
    )
        .prop_map(
            |(
                targets,
                weights,
                cosine,
                genres,
                from,
                span,
                min_pop,
                no_explicit,
                cap,
                k,
                ranges,
            )| {
                let mut s = MatchSettings::default();
                for (i, f) in Feature::ALL.into_iter().enumerate() {
                    s.targets.insert(f, f.unscale(targets[i]));
                    s.weights.insert(f, weights[i]);
                }
                s.metric = if cosine {
                    Metric::Cosine
                } else {
                    Metric::Euclidean
                };
                s.filters.genres = genres
                    .into_iter()
                    .map(|g| GENRES[g].to_lowercase())
                    .collect();
                s.filters.year_from = from;
                s.filters.year_to = from.map(|f| f + span.unwrap_or(3));
                s.filters.min_popularity = min_pop;
                s.filters.exclude_explicit = no_explicit;
                s.filters.max_per_artist = cap;
                s.k = k;
                for (f, (a, b)) in ranges {
                    let feature = Feature::ALL[f];
                    let (lo, hi) = match (a, b) {
                        (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
                        other => other,
                    };
                    s.filters.ranges.insert(
                        feature,
                        super::settings::FeatureRange {
                            min: lo.map(|v| feature.unscale(v)),
                            max: hi.map(|v| feature.unscale(v)),
                        },
                    );
                }
                s
            },
        )
}

fn answer(outcome: &super::MatchOutcome) -> Vec<(i32, f64)> {
    outcome
        .matches
        .iter()
        .map(|m| (m.track_id, m.distance))
        .collect()
}

fn check_exact(tracks: &[T], settings: &MatchSettings) -> Result<(), TestCaseError> {
    let index = index_of(tracks);
    let fast = index.search(settings);
    let slow = index.search_brute_force(settings);
    match (fast, slow) {
        (Ok(fast), Ok(slow)) => {
            prop_assert_eq!(&fast, &slow);
            let expected = oracle(&index, settings);
            let got: Vec<i32> = fast.matches.iter().map(|m| m.track_id).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(fast.empty.is_some(), fast.matches.is_empty());
            prop_assert!(!answer(&fast).iter().any(|(_, d)| d.is_nan()));
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (a, b) => prop_assert!(false, "index {a:?} vs brute force {b:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(400)))]

    #[test]
    fn index_equals_brute_force(tracks in catalog(300), settings in settings()) {
        check_exact(&tracks, &settings)?;
    }
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(200)))]

    /// An extra condition on track ids (how the API leaves out seeds and applies
    /// bounds the index does not hold) keeps the answer exact.
    #[test]
    fn search_where_equals_brute_force(tracks in catalog(600), settings in settings(), modulo in 2..5i32) {
        let index = index_of(&tracks);
        let keep = |id: i32| id % modulo != 0;
        match (index.search_where(&settings, &keep), index.search_brute_force_where(&settings, &keep)) {
            (Ok(fast), Ok(slow)) => {
                prop_assert_eq!(&fast, &slow);
                let expected: Vec<i32> =
                    oracle_where(&index, &settings, &keep);
                let got: Vec<i32> = fast.matches.iter().map(|m| m.track_id).collect();
                prop_assert!(got.iter().all(|id| keep(*id)));
                prop_assert_eq!(got, expected);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "index {a:?} vs brute force {b:?}"),
        }
    }
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(60)))]

    /// The pool an answer is chosen from, counted over the leaves the filters leave,
    /// is every track that passes them: none is missed in a leaf the summaries ruled
    /// out. Catalogs of several groups, so that groups are passed over too.
    #[test]
    fn the_pool_counted_is_every_track_that_passes(tracks in catalog(5000), settings in settings(), modulo in 1..4i32, limit in 1..6000usize) {
        let index = index_of(&tracks);
        let keep = |id: i32| id % modulo != 1;
        let Ok(query) = Query::new(&index, &settings) else {
            prop_assert!(index.count_where(&settings, &keep, limit).is_err());
            return Ok(());
        };
        let expected = (0..index.len())
            .filter(|&i| query.passes(&index, i) && keep(index.ids[i]))
            .count();
        prop_assert_eq!(index.count_where(&settings, &keep, limit).unwrap(), expected.min(limit));
    }
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(40)))]

    /// Several groups of leaves (2,048 tracks each), so that groups are pruned too.
    #[test]
    fn index_equals_brute_force_on_larger_catalogs(tracks in catalog(7000), settings in settings()) {
        check_exact(&tracks, &settings)?;
    }
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(100)))]

    /// The walk compiled for the baseline x86-64 (what a CPU without AVX2 runs) gives
    /// the same answers, distances included, as the build this machine picks.
    #[test]
    fn baseline_build_equals_the_one_picked_at_run_time(tracks in catalog(3000), settings in settings()) {
        let index = index_of(&tracks);
        prop_assert_eq!(index.search_on_any_cpu(&settings), index.search(&settings));
    }
}

fn plain(id: i32, values: [f64; 10]) -> T {
    T {
        id,
        values,
        popularity: Some(50),
        genre: Some("rock".into()),
        year: Some(2000),
        explicit: Some(false),
        artist: Some(id),
    }
}

#[test]
fn exact_duplicates_tie_by_id() {
    let v = [0.5; 10];
    let tracks = vec![
        plain(30, v),
        plain(10, v),
        plain(20, v),
        plain(5, [0.9; 10]),
    ];
    let index = index_of(&tracks);
    let out = index.search(&MatchSettings::default()).unwrap();
    let ids: Vec<i32> = out.matches.iter().map(|m| m.track_id).collect();
    assert_eq!(ids, vec![10, 20, 30, 5]);
    assert_eq!(out.matches[0].similarity, 100.0);
}

#[test]
fn explanation_and_similarity() {
    // Target: the original five at 0.5, equal weights. Track: danceability 0.7, energy
    // 0.3, the rest at 0.5 -> gaps 0.2 and 0.2 on two of five features:
    // d = sqrt((0.04 + 0.04) / 5) = 0.1265, similarity = 87.4.
    let mut v = [0.5; 10];
    v[0] = 0.7;
    v[1] = 0.3;
    v[7] = 0.48; // tempo 120 BPM: switched off, shown but not counted
    let index = index_of(&[plain(1, v)]);
    let out = index.search(&MatchSettings::default()).unwrap();
    let m = &out.matches[0];
    let expected = ((0.04f64 + 0.04) / 5.0).sqrt();
    assert!((m.distance - expected).abs() < 1e-6, "{}", m.distance);
    assert!((m.similarity - 100.0 * (1.0 - expected)).abs() < 1e-4);
    assert_eq!(m.differences.len(), Feature::ALL.len());
    let dance = &m.differences[0];
    assert_eq!(dance.feature, Feature::Danceability);
    assert!((dance.weight - 0.2).abs() < 1e-12);
    assert!((dance.difference.unwrap() - 0.2).abs() < 1e-6);
    assert!((dance.gap.unwrap() - 0.2).abs() < 1e-6);
    let energy = &m.differences[1];
    assert!(
        (energy.difference.unwrap() + 0.2).abs() < 1e-6,
        "less energy is negative"
    );
    let tempo = &m.differences[7];
    assert!(!tempo.enabled());
    assert!((tempo.value.unwrap() - 120.0).abs() < 1e-3);
    assert!((tempo.difference.unwrap() - (120.0 - 125.0)).abs() < 1e-3);
    assert_eq!(m.main_artist_id, Some(1));
    assert_eq!(m.genre_text().as_deref(), Some("rock"));
    assert_eq!(m.release_year, Some(2000));
}

#[test]
fn similarity_ends_of_the_scale() {
    let mut s = MatchSettings::default();
    for f in Feature::ORIGINAL {
        s.targets.insert(f, 0.0);
    }
    let index = index_of(&[plain(1, [1.0; 10]), plain(2, [0.0; 10])]);
    let out = index.search(&s).unwrap();
    assert_eq!(out.matches[0].track_id, 2);
    assert_eq!(out.matches[0].similarity, 100.0);
    assert_eq!(
        out.matches[1].similarity, 0.0,
        "opposite end on every feature"
    );
    // Cosine: same proportions at a different level is a perfect match.
    let mut s = MatchSettings {
        metric: Metric::Cosine,
        ..Default::default()
    };
    for f in Feature::ORIGINAL {
        s.targets.insert(f, 0.2);
    }
    let mut half = [0.0; 10];
    for v in half.iter_mut().take(5) {
        *v = 0.8;
    }
    let index = index_of(&[plain(1, half), plain(2, [0.0; 10])]);
    let out = index.search(&s).unwrap();
    assert_eq!(out.matches[0].track_id, 1);
    assert!((out.matches[0].similarity - 100.0).abs() < 1e-3);
    assert_eq!(
        out.matches[1].similarity, 0.0,
        "no direction: nothing in common"
    );
}

/// Cosine scores by the angle between the mixes: tracks a degree or two apart read
/// 98–99, not all 100.0 as 100 × cos did.
#[test]
fn cosine_similarity_spreads_by_angle() {
    use crate::matching::outcome::similarity_of;
    let at = |degrees: f64| 1.0 - degrees.to_radians().cos();
    for (degrees, score) in [
        (0.0, 100.0),
        (0.9, 99.0),
        (9.0, 90.0),
        (45.0, 50.0),
        (90.0, 0.0),
    ] {
        let got = similarity_of(Metric::Cosine, at(degrees));
        assert!((got - score).abs() < 1e-6, "{degrees}°: {got}");
    }
    // 100 × cos said 99.99 for a degree apart, shown as 100.0.
    assert!(100.0 * at(1.0).mul_add(-1.0, 1.0) > 99.98);
    assert_eq!(similarity_of(Metric::Euclidean, 0.25), 75.0);
}

#[test]
fn per_artist_cap_keeps_each_artists_best() {
    let mut tracks = Vec::new();
    for i in 0..6 {
        let mut t = plain(i + 1, [0.5 + 0.01 * i as f64; 10]);
        t.artist = Some(if i < 4 { 7 } else { 8 });
        tracks.push(t);
    }
    let index = index_of(&tracks);
    let mut s = MatchSettings {
        k: 4,
        ..Default::default()
    };
    let ids = |s: &MatchSettings| -> Vec<i32> {
        index
            .search(s)
            .unwrap()
            .matches
            .iter()
            .map(|m| m.track_id)
            .collect()
    };
    assert_eq!(ids(&s), vec![1, 2, 3, 4]);
    s.filters.max_per_artist = Some(1);
    assert_eq!(ids(&s), vec![1, 5]);
    s.filters.max_per_artist = Some(2);
    assert_eq!(ids(&s), vec![1, 2, 5, 6]);
}

#[test]
fn empty_result_names_the_filter_that_emptied_it() {
    let mut jazz = plain(1, [0.5; 10]);
    jazz.genre = Some("jazz".into());
    jazz.year = Some(1960);
    let index = index_of(&[jazz, plain(2, [0.5; 10])]);
    let mut s = MatchSettings::default();
    s.filters.genres.insert("Jazz".into());
    s.filters.year_from = Some(2030);
    s.filters.year_to = Some(2040);
    let out = index.search(&s).unwrap();
    assert!(out.matches.is_empty());
    let why = out.empty.unwrap();
    assert_eq!(why.because, EmptyBecause::Filter(FilterStep::Years));
    assert_eq!(
        why.funnel.steps,
        vec![(FilterStep::Genres, 1), (FilterStep::Years, 0)]
    );
    assert_eq!(
        why.message(&s),
        "There is 1 track in genre Jazz, but none from 2030 to 2040."
    );
    // A filter after the one that left none is named too: widening the years alone
    // would only have moved the blame to it.
    s.filters.min_popularity = Some(90);
    let why = index.search(&s).unwrap().empty.unwrap();
    assert_eq!(
        why.message(&s),
        "There is 1 track in genre Jazz, but none from 2030 to 2040. Filters after it ask for more: with popularity of at least 90."
    );
}

#[test]
fn an_answer_emptied_by_the_callers_condition_says_so() {
    let index = index_of(&[plain(1, [0.5; 10]), plain(2, [0.6; 10])]);
    let mut s = MatchSettings::default();
    s.filters.genres.clear();
    s.filters.attributes.duration.min = Some(300);
    s.filters.attributes.mode = Some(0);
    let out = index.search_where(&s, &|_| false).unwrap();
    let why = out.empty.unwrap();
    assert_eq!(why.because, EmptyBecause::Kept);
    assert_eq!(
        why.message(&s),
        "There are 2 tracks in the catalog, but none lasting at least 5:00, in a minor key."
    );
    // Without attribute filters, only the seed tracks can have been left out.
    let plain_settings = MatchSettings::default();
    let why = index
        .search_where(&plain_settings, &|_| false)
        .unwrap()
        .empty
        .unwrap();
    assert!(
        why.message(&plain_settings)
            .contains("each is a seed track"),
        "{}",
        why.message(&plain_settings)
    );
}

#[test]
fn empty_result_reasons_for_each_step() {
    let mut t = plain(1, [0.5; 10]);
    t.popularity = None;
    t.explicit = Some(true);
    let index = index_of(&[t]);
    let reason = |s: &MatchSettings| index.search(s).unwrap().empty.map(|e| e.because);

    let mut s = MatchSettings::default();
    assert_eq!(reason(&s), None);
    s.filters.min_popularity = Some(10);
    assert_eq!(
        reason(&s),
        Some(EmptyBecause::Filter(FilterStep::MinPopularity))
    );

    let mut s = MatchSettings::default();
    s.weights.insert(Feature::Popularity, 1.0);
    let out = index.search(&s).unwrap();
    let why = out.empty.unwrap();
    assert_eq!(
        why.because,
        EmptyBecause::Filter(FilterStep::PopularityKnown)
    );
    assert!(
        why.message(&s).contains("known popularity"),
        "{}",
        why.message(&s)
    );

    let mut s = MatchSettings::default();
    s.filters.exclude_explicit = true;
    assert_eq!(
        reason(&s),
        Some(EmptyBecause::Filter(FilterStep::NoExplicit))
    );

    let empty = FeatureIndex::default();
    let out = empty.search(&MatchSettings::default()).unwrap();
    assert_eq!(out.empty.unwrap().because, EmptyBecause::EmptyCatalog);
}

#[test]
fn unknown_explicit_is_kept_and_unknown_year_is_out_of_any_range() {
    let mut unknown = plain(1, [0.5; 10]);
    unknown.explicit = None;
    unknown.year = None;
    let index = index_of(&[unknown]);
    let mut s = MatchSettings::default();
    s.filters.exclude_explicit = true;
    assert_eq!(index.search(&s).unwrap().matches.len(), 1);
    s.filters.year_to = Some(3000);
    assert!(index.search(&s).unwrap().matches.is_empty());
}

#[test]
fn unknown_genre_is_an_error_on_the_genre_field() {
    let index = index_of(&[plain(1, [0.5; 10])]);
    let mut s = MatchSettings::default();
    s.filters.genres.insert("ROCK".into());
    assert!(index.search(&s).is_ok(), "genres match regardless of case");
    s.filters.genres.insert("polka".into());
    let err = index.search(&s).unwrap_err();
    assert_eq!(err.0, vec![MatchError::UnknownGenre("polka".into())]);
    assert_eq!(err.0[0].field(), "genre");
    assert_eq!(err.to_string(), "There is no genre “polka” in the catalog.");
}

#[test]
fn validation_errors_come_before_any_search() {
    let index = index_of(&[plain(1, [0.5; 10])]);
    let mut s = MatchSettings::default();
    s.weights.clear();
    assert_eq!(
        index.search(&s).unwrap_err().0,
        vec![MatchError::AllWeightsZero]
    );
    let mut s = MatchSettings::default();
    s.filters.year_from = Some(2001);
    s.filters.year_to = Some(2000);
    assert_eq!(
        index.search(&s).unwrap_err().0,
        vec![MatchError::YearRangeBackwards {
            from: 2001,
            to: 2000
        }]
    );
}

#[test]
fn sample_is_fixed_and_spread() {
    let tracks: Vec<T> = (0..100)
        .map(|i| plain(i, [f64::from(i) / 100.0; 10]))
        .collect();
    let index = index_of(&tracks);
    let a = index.sample(10);
    assert_eq!(a.len(), 10);
    assert_eq!(a, index.sample(10));
    let mut ids: Vec<i32> = a.iter().map(|s| s.track_id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    assert_eq!(index.genres(), vec!["rock"]);
}

#[test]
fn large_catalog_built_on_two_threads_still_equals_brute_force() {
    // Above PARALLEL_BUILD the root's halves are built on two threads and stitched
    // together; a wrong child link would show here (the brute force ignores the tree).
    let n = (1 << 16) + 1_000;
    let tracks: Vec<T> = (0..n)
        .map(|i| {
            let x = |k: usize| ((i * (2 * k + 7) + k * 13) % 997) as f64 / 996.0;
            let mut t = plain(i as i32 + 1, std::array::from_fn(x));
            t.genre = Some(GENRES[i % GENRES.len()].to_string());
            t.year = Some(1990 + (i % 10) as i32);
            t.artist = Some((i % 500) as i32);
            t
        })
        .collect();
    let index = index_of(&tracks);
    let mut rng = 7u64;
    let mut next = || {
        rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (rng >> 33) as f64 / (1u64 << 31) as f64
    };
    for round in 0..20 {
        let mut s = MatchSettings::default();
        for f in Feature::ALL {
            s.targets.insert(f, f.unscale(next()));
        }
        if round % 2 == 1 {
            s.weights.insert(Feature::Tempo, 2.0);
            s.filters.genres.insert("jazz".into());
            s.filters.year_from = Some(1993);
            s.filters.year_to = Some(1994);
            s.filters.max_per_artist = Some(1);
        }
        if round % 4 == 3 {
            s.metric = Metric::Cosine;
        }
        assert_eq!(
            index.search(&s).unwrap(),
            index.search_brute_force(&s).unwrap()
        );
    }
}
