//! Near-ties with few features, checked against arithmetic that shares nothing with the
//! index: feature values and targets on a grid of thousandths of each slider's range
//! (like the three-decimal values of real datasets), weights that are multiples of 1/2
//! (exact in the index's weight steps), and keys compared as exact rationals in `i128`.

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
                                2 | 3 if (j + factor as usize).is_multiple_of(2) => 2 * t - v[f],
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

pub fn expected(case: &Case, ids: &[i32], artists: &[i32], settings: &MatchSettings) -> Vec<i32> {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Few features, many exact and near ties: the index's order is the true order
    /// (exact rational arithmetic), ties by id.
    #[test]
    fn few_features_with_near_ties_rank_exactly(case in case(120), seed in any::<u32>()) {
        check_near_ties(&case, seed)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(30))]

    /// The same across several groups of leaves.
    #[test]
    fn near_ties_across_groups_rank_exactly(case in case(6000), seed in any::<u32>()) {
        check_near_ties(&case, seed)?;
    }
}

/// The index against `near_ties::expected`, and against its brute force.
fn check_near_ties(case: &Case, seed: u32) -> Result<(), TestCaseError> {
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
            let mut t = plain(ids[i], values(v));
            t.artist = Some(artists[i]);
            t
        })
        .collect();
    let settings = settings(case);
    let index = index_of(&tracks);
    let got: Vec<i32> = index
        .search(&settings)
        .expect("valid settings")
        .matches
        .iter()
        .map(|m| m.track_id)
        .collect();
    prop_assert_eq!(&got, &expected(case, &ids, &artists, &settings));
    prop_assert_eq!(
        index.search(&settings).expect("valid"),
        index.search_brute_force(&settings).expect("valid")
    );
    Ok(())
}
