//! Search tests: the index against an independent oracle (property tests), and the
//! explanation, similarity, empty-result reasons, per-artist cap and catalog checks.

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
    let query = Query::new(index, settings).expect("valid");
    let mut all: Vec<(Key, i32, i32)> = Vec::new();
    for i in 0..index.len() {
        if query.passes(index, i) {
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
                    if (i as u32 ^ seed) % 8 != 0 {
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
    )
        .prop_map(
            |(targets, weights, cosine, genres, from, span, min_pop, no_explicit, cap, k)| {
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
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn index_equals_brute_force(tracks in catalog(300), settings in settings()) {
        check_exact(&tracks, &settings)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Several groups of leaves (2,048 tracks each), so that groups are pruned too.
    #[test]
    fn index_equals_brute_force_on_larger_catalogs(tracks in catalog(7000), settings in settings()) {
        check_exact(&tracks, &settings)?;
    }
}

/// Near-ties with few features, checked against arithmetic that shares nothing with the
/// index: feature values and targets on a grid of thousandths of each slider's range
/// (like the three-decimal values of real datasets), weights that are multiples of 1/2
/// (exact in the index's weight steps), and keys compared as exact rationals in `i128`.
mod near_ties {
    use super::*;

    /// Grid points per slider range.
    const GRID: i64 = 1000;

    #[derive(Debug, Clone)]
    pub struct Case {
        /// Enabled features (indices into `Feature::AUDIO`, distinct), 1 to 3.
        pub enabled: Vec<usize>,
        /// Weight per enabled feature, in halves.
        pub halves: Vec<i64>,
        /// Target per enabled feature, in grid points.
        pub target: Vec<i64>,
        pub cosine: bool,
        /// Grid values per track, all nine audio features.
        pub tracks: Vec<[i64; 9]>,
        pub k: usize,
        pub cap: Option<usize>,
    }

    /// Tracks built to tie or nearly tie: multiples of one direction (exact cosine
    /// ties, some in the target's own direction), those nudged by one grid point
    /// (cosine near-ties), reflections of the target's gaps (exact Euclidean ties) and
    /// their nudges, and a few anywhere.
    pub fn case(max_tracks: usize) -> impl Strategy<Value = Case> {
        (
            proptest::sample::subsequence((0..9).collect::<Vec<usize>>(), 1..=3),
            proptest::collection::vec(1..=6i64, 3),
            proptest::collection::vec(0..=20i64, 3),
            1..=50i64,
            any::<bool>(),
            proptest::collection::vec((0..6u8, 1..=50i64, 0..3usize, any::<bool>()), 1..max_tracks),
            proptest::collection::vec(0..=GRID, 9),
            1..12usize,
            proptest::option::weighted(0.3, 1..3usize),
        )
            .prop_map(
                |(enabled, halves, direction, scale, cosine, recipes, base, k, cap)| {
                    let m = enabled.len();
                    let direction: Vec<i64> = direction[..m].to_vec();
                    let top = direction.iter().copied().max().unwrap_or(0).max(1);
                    let mut target: Vec<i64> = direction
                        .iter()
                        .map(|d| d * scale.min(GRID / top))
                        .collect();
                    if cosine && target.iter().all(|&t| t == 0) {
                        target[0] = 1;
                    }
                    let tracks = recipes
                        .into_iter()
                        .map(|(recipe, factor, dim, up)| {
                            let mut v: [i64; 9] = std::array::from_fn(|i| base[i]);
                            let nudge = if up { 1 } else { -1 };
                            for (j, &f) in enabled.iter().enumerate() {
                                let t = target[j];
                                v[f] = match recipe {
                                    // Same direction as the target's (a multiple of it).
                                    0 | 1 => direction[j] * factor.min(GRID / top),
                                    // Reflected gap on some features.
                                    2 | 3 if (j + factor as usize) % 2 == 0 => 2 * t - v[f],
                                    2 | 3 => v[f],
                                    _ => (factor * 20 + j as i64 * 7) % (GRID + 1),
                                };
                            }
                            if recipe == 1 || recipe == 3 {
                                let f = enabled[dim % m];
                                v[f] += nudge;
                            }
                            v.map(|x| x.clamp(0, GRID))
                        })
                        .collect();
                    Case {
                        enabled,
                        halves: halves[..m].to_vec(),
                        target,
                        cosine,
                        tracks,
                        k,
                        cap,
                    }
                },
            )
    }

    /// Exact order of two tracks' distances, in grid units.
    fn compare(case: &Case, a: &[i64; 9], b: &[i64; 9]) -> std::cmp::Ordering {
        let terms = || case.enabled.iter().zip(&case.halves).zip(&case.target);
        if case.cosine {
            // cos² = dot² / (|t|² · norm); a larger cos² is closer.
            let dot_norm = |v: &[i64; 9]| {
                let dot: i128 = terms().map(|((&f, &w), &t)| i128::from(w * t * v[f])).sum();
                let norm: i128 = terms()
                    .map(|((&f, &w), _)| i128::from(w * v[f] * v[f]))
                    .sum();
                // No direction: as if orthogonal.
                if norm == 0 {
                    (0, 1)
                } else {
                    (dot, norm)
                }
            };
            let ((da, na), (db, nb)) = (dot_norm(a), dot_norm(b));
            (db * db * na).cmp(&(da * da * nb))
        } else {
            let key = |v: &[i64; 9]| -> i128 {
                terms()
                    .map(|((&f, &w), &t)| i128::from(w * (v[f] - t) * (v[f] - t)))
                    .sum()
            };
            key(a).cmp(&key(b))
        }
    }

    pub fn expected(
        case: &Case,
        ids: &[i32],
        artists: &[i32],
        settings: &MatchSettings,
    ) -> Vec<i32> {
        let mut order: Vec<usize> = (0..case.tracks.len()).collect();
        order.sort_by(|&a, &b| {
            compare(case, &case.tracks[a], &case.tracks[b]).then(ids[a].cmp(&ids[b]))
        });
        cap_walk(order.into_iter().map(|i| (ids[i], artists[i])), settings)
    }

    pub fn settings(case: &Case) -> MatchSettings {
        let mut s = MatchSettings::default();
        s.weights.clear();
        for ((&f, &w), &t) in case.enabled.iter().zip(&case.halves).zip(&case.target) {
            let feature = Feature::AUDIO[f];
            s.weights.insert(feature, w as f64 / 2.0);
            s.targets
                .insert(feature, feature.unscale(t as f64 / GRID as f64));
        }
        s.metric = if case.cosine {
            Metric::Cosine
        } else {
            Metric::Euclidean
        };
        s.k = case.k;
        s.filters.max_per_artist = case.cap;
        s
    }

    /// The grid values as the test tracks' 0..1 values (audio features first, in
    /// `Feature::AUDIO` order, then popularity).
    pub fn values(v: &[i64; 9]) -> [f64; 10] {
        std::array::from_fn(|i| {
            if i < 9 {
                v[i] as f64 / GRID as f64
            } else {
                0.5
            }
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Few features, many exact and near ties: the index's order is the true order
    /// (exact rational arithmetic), ties by id.
    #[test]
    fn few_features_with_near_ties_rank_exactly(case in near_ties::case(120), seed in any::<u32>()) {
        check_near_ties(&case, seed)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(30))]

    /// The same across several groups of leaves.
    #[test]
    fn near_ties_across_groups_rank_exactly(case in near_ties::case(6000), seed in any::<u32>()) {
        check_near_ties(&case, seed)?;
    }
}

/// The index against `near_ties::expected`, and against its brute force.
fn check_near_ties(case: &near_ties::Case, seed: u32) -> Result<(), TestCaseError> {
    let n = case.tracks.len();
    // Ids unrelated to position, and a few artists for the cap.
    let ids: Vec<i32> = (0..n)
        .map(|i| ((i as u64 * 2_654_435_761 + u64::from(seed)) % 1_000_003) as i32)
        .collect();
    prop_assume!({
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.windows(2).all(|w| w[0] != w[1])
    });
    let artists: Vec<i32> = (0..n).map(|i| (i % 5) as i32).collect();
    let tracks: Vec<T> = case
        .tracks
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut t = plain(ids[i], near_ties::values(v));
            t.artist = Some(artists[i]);
            t
        })
        .collect();
    let settings = near_ties::settings(case);
    let index = index_of(&tracks);
    let got: Vec<i32> = index
        .search(&settings)
        .expect("valid settings")
        .matches
        .iter()
        .map(|m| m.track_id)
        .collect();
    prop_assert_eq!(&got, &near_ties::expected(case, &ids, &artists, &settings));
    prop_assert_eq!(
        index.search(&settings).expect("valid"),
        index.search_brute_force(&settings).expect("valid")
    );
    Ok(())
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
    assert_eq!(m.genre.as_deref(), Some("rock"));
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
        "No tracks in genre Jazz from 2030–2040. There is 1 track in genre Jazz, but none from 2030–2040."
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

#[test]
fn leaves_and_groups_hold_every_track_once_inside_their_boxes() {
    use super::index::{DIMS, GROUP, LEAF};
    let n = 5_000;
    let tracks: Vec<T> = (0..n)
        .map(|i| {
            let x = |k: usize| ((i * (2 * k + 3) + k) % 1000) as f64 / 999.0;
            plain(i as i32 + 1, std::array::from_fn(x))
        })
        .collect();
    let index = index_of(&tracks);
    // Every leaf full but the last; groups of GROUP leaves.
    assert_eq!(index.leaf_count(), n.div_ceil(LEAF));
    for leaf in 0..index.leaf_count() {
        let expected = if leaf + 1 < index.leaf_count() {
            LEAF
        } else {
            n - (index.leaf_count() - 1) * LEAF
        };
        assert_eq!(index.leaf_range(leaf).len(), expected);
    }
    assert_eq!(index.groups.len(), index.leaf_count().div_ceil(GROUP));
    let mut ids = index.ids.clone();
    ids.sort_unstable();
    assert_eq!(ids, (1..=n as i32).collect::<Vec<_>>());
    for (g, group) in index.groups.iter().enumerate() {
        assert_eq!(group.first_leaf as usize, g * GROUP);
        for l in 0..group.leaves as usize {
            for i in index.leaf_range(group.first_leaf as usize + l) {
                for d in 0..DIMS {
                    let x = index.value(i, d);
                    assert!(group.lo[d][l] <= x && x <= group.hi[d][l]);
                    assert!(index.group_lo[d][g] <= x && x <= index.group_hi[d][g]);
                }
                // The values are the track's own.
                let original = &tracks[index.ids[i] as usize - 1];
                let dance = index.raw_value(i, Feature::Danceability).unwrap();
                assert!((dance - original.values[0]).abs() < 1e-8);
            }
        }
    }
}

#[test]
fn decimals_are_stored_exactly() {
    use super::index::{quantize, unquantize, FULL_SCALE};
    for (feature, raw) in [
        (Feature::Danceability, 0.529),
        (Feature::Acousticness, 0.0000287),
        // Written 4.9099999999999996e-06 in the TidyTuesday file: the same f64.
        (Feature::Instrumentalness, 4.91e-06),
        (Feature::Tempo, 111.132),
        (Feature::Loudness, -4.168),
        (Feature::Popularity, 61.0),
    ] {
        let q = quantize(feature, raw);
        assert_eq!(unquantize(feature, q), raw, "{feature:?} {raw}");
    }
    // Same proportion in the file, same proportion in the index.
    let q = |v: f64| i64::from(quantize(Feature::Energy, v));
    assert_eq!(q(0.23) * q(0.92), q(0.4) * q(0.529));
    // The ends of the range, clamping, and what import never lets through.
    assert_eq!(quantize(Feature::Tempo, 300.0), FULL_SCALE);
    assert_eq!(quantize(Feature::Loudness, -80.0), 0);
    assert_eq!(quantize(Feature::Energy, f64::NAN), 0);
    assert_eq!(unquantize(Feature::Tempo, FULL_SCALE), 250.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The cosine box check (`Query::box_may_reach`) lets a box through whenever some
    /// point of it is as close in angle as the floor (points on a grid over the box,
    /// its corners among them), and is tight: just above its own maximum it refuses.
    #[test]
    fn cosine_box_check_never_drops_a_reachable_box(
        enabled in proptest::sample::subsequence((0..5).collect::<Vec<usize>>(), 1..=3),
        weights in proptest::collection::vec(1..=4u8, 3),
        target in proptest::collection::vec(0..=1000i32, 3),
        // Often touching 0 (where a box's lower corner has no direction of its own).
        corners in proptest::collection::vec(
            (prop_oneof![Just(0), 0..=1000i32], 0..=1000i32),
            3,
        ),
    ) {
        use super::index::{quantize, DIMS, FULL_SCALE};
        use super::query::CosineFloor;
        let m = enabled.len();
        let mut s = MatchSettings {
            metric: Metric::Cosine,
            ..Default::default()
        };
        s.weights.clear();
        for (j, &f) in enabled.iter().enumerate() {
            let feature = Feature::ORIGINAL[f];
            s.weights.insert(feature, f64::from(weights[j]));
            s.targets.insert(feature, f64::from(target[j]) / 1000.0);
        }
        prop_assume!(target[..m].iter().any(|&t| t > 0));
        let index = index_of(&[plain(1, [0.5; 10])]);
        let query = Query::new(&index, &s).expect("valid");
        let step = FULL_SCALE / 1000;
        let (mut lo, mut hi) = ([0i32; DIMS], [0i32; DIMS]);
        for (j, &f) in enabled.iter().enumerate() {
            let d = super::index::column(Feature::ORIGINAL[f]);
            let (a, b) = corners[j];
            lo[d] = a.min(b) * step;
            hi[d] = a.max(b) * step;
        }
        // cos of a point given per enabled column.
        let cos = |x: &[f64]| {
            let (mut dot, mut nx, mut nt) = (0.0, 0.0, 0.0);
            for (j, &f) in enabled.iter().enumerate() {
                let w = f64::from(weights[j]);
                let t = f64::from(quantize(Feature::ORIGINAL[f], f64::from(target[j]) / 1000.0));
                dot += w * t * x[j];
                nx += w * x[j] * x[j];
                nt += w * t * t;
            }
            if nx > 0.0 { dot / (nx.sqrt() * nt.sqrt()) } else { 0.0 }
        };
        let mut best: f64 = 0.0;
        let grid = 12;
        let mut k = vec![0usize; m];
        loop {
            let x: Vec<f64> = (0..m)
                .map(|j| {
                    let d = super::index::column(Feature::ORIGINAL[enabled[j]]);
                    f64::from(lo[d]) + f64::from(hi[d] - lo[d]) * k[j] as f64 / grid as f64
                })
                .collect();
            best = best.max(cos(&x));
            let mut j = 0;
            while j < m && k[j] == grid {
                k[j] = 0;
                j += 1;
            }
            if j == m {
                break;
            }
            k[j] += 1;
        }
        let floor = |c: f64| CosineFloor { cos: c, cos2: c * c, norm: 0.0 };
        prop_assume!(best > 1e-3);
        prop_assert!(
            query.box_may_reach(|d| lo[d], |d| hi[d], floor(best * (1.0 - 1e-12))),
            "refused a box reaching cos {best}"
        );
    }
}

#[test]
fn cosine_box_check_refuses_boxes_pointing_elsewhere() {
    use super::index::{column, DIMS, FULL_SCALE};
    use super::query::CosineFloor;
    let mut s = MatchSettings {
        metric: Metric::Cosine,
        ..Default::default()
    };
    s.weights.clear();
    s.weights.insert(Feature::Danceability, 1.0);
    s.weights.insert(Feature::Energy, 1.0);
    s.targets.insert(Feature::Danceability, 0.6);
    s.targets.insert(Feature::Energy, 0.3);
    let index = index_of(&[plain(1, [0.5; 10])]);
    let query = Query::new(&index, &s).expect("valid");
    let (dance, energy) = (column(Feature::Danceability), column(Feature::Energy));
    let boxed = |d: (f64, f64), e: (f64, f64)| {
        let (mut lo, mut hi) = ([0i32; DIMS], [0i32; DIMS]);
        let step = |v: f64| (v * f64::from(FULL_SCALE)) as i32;
        (lo[dance], hi[dance], lo[energy], hi[energy]) =
            (step(d.0), step(d.1), step(e.0), step(e.1));
        (lo, hi)
    };
    let reaches = |(lo, hi): ([i32; DIMS], [i32; DIMS]), cos: f64| {
        query.box_may_reach(
            |d| lo[d],
            |d| hi[d],
            CosineFloor {
                cos,
                cos2: cos * cos,
                norm: 0.0,
            },
        )
    };
    // Holds the target's direction (2 : 1), right down to the origin.
    assert!(reaches(boxed((0.0, 0.5), (0.0, 0.5)), 0.999_999));
    assert!(reaches(boxed((0.38, 0.42), (0.19, 0.21)), 0.999_999));
    // Only energy: cos = 1/√5 ≈ 0.447 at best.
    assert!(reaches(boxed((0.0, 0.0), (0.1, 0.9)), 0.447));
    assert!(!reaches(boxed((0.0, 0.0), (0.1, 0.9)), 0.448));
    // Near the energy axis, away from the origin: the best corner is (0.1, 0.5),
    // cos = (0.6·0.1 + 0.3·0.5)/(|t|·|x|) ≈ 0.6139.
    assert!(reaches(boxed((0.0, 0.1), (0.5, 0.9)), 0.6138));
    assert!(!reaches(boxed((0.0, 0.1), (0.5, 0.9)), 0.6140));
}
