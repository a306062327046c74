//! The index's layout (leaves, groups, boxes), its fixed-point values, and the cosine
//! box check the search relies on.

use super::*;

#[test]
fn leaves_and_groups_hold_every_track_once_inside_their_boxes() {
    use crate::matching::index::{DIMS, GROUP, LEAF};
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
    use crate::matching::index::{quantize, unquantize, FULL_SCALE};
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
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(300)))]

    /// The cosine box bounds let a box through whenever some point of it is as close
    /// in angle as the floor (points on a grid over the box, its corners among them):
    /// the fast `f32` bound of a leaf's box (corner, sphere and line) and the exact
    /// check (`Query::box_may_reach`), which is also tight: just above its own
    /// maximum it refuses.
    #[test]
    fn cosine_box_bounds_never_drop_a_reachable_box(
        enabled in proptest::sample::subsequence((0..5).collect::<Vec<usize>>(), 1..=3),
        weights in proptest::collection::vec(1..=4u8, 3),
        target in proptest::collection::vec(0..=1000i32, 3),
        // Often touching 0 (where a box's lower corner has no direction of its own).
        corners in proptest::collection::vec(
            (prop_oneof![Just(0), 0..=1000i32], 0..=1000i32),
            3,
        ),
    ) {
        use crate::matching::index::{quantize, DIMS, FULL_SCALE};
        use crate::matching::query::CosineFloor;
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
            let d = crate::matching::index::column(Feature::ORIGINAL[f]);
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
                    let d = crate::matching::index::column(Feature::ORIGINAL[enabled[j]]);
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
        // The fast bound of the same box as a leaf's (`leaf_bounds`, in `f32`): a lower
        // bound of 1 − cos, so at most 1 − best.
        let mut as_leaf = index_of(&[plain(1, [0.5; 10])]);
        for d in 0..DIMS {
            as_leaf.groups[0].lo[d][0] = lo[d];
            as_leaf.groups[0].hi[d][0] = hi[d];
        }
        let mut fast = [0f32; crate::matching::index::GROUP];
        query.leaf_bounds(&as_leaf.groups[0], &mut fast);
        prop_assert!(
            f64::from(fast[0]) <= 1.0 - best,
            "fast bound {} above 1 - {best}", fast[0]
        );
        let floor = CosineFloor::at_least;
        prop_assume!(best > 1e-3);
        prop_assert!(
            query.box_may_reach(|d| lo[d], |d| hi[d], floor(best * (1.0 - 1e-12))),
            "refused a box reaching cos {best}"
        );
    }
}

proptest! {
    #![proptest_config(crate::proptest_regressions::kept(ProptestConfig::with_cases(200)))]

    /// The `f32` first pass of the tracks' cosine test never drops a track the `f64`
    /// test keeps: with the floor at a track's own cos (computed as the walk does, from
    /// its exact key), the hardest place, every track of the leaf is still a candidate.
    #[test]
    fn cosine_first_pass_keeps_every_track_at_its_own_cos(
        tracks in proptest::collection::vec(proptest::array::uniform10(value()), 1..=32),
        enabled in proptest::sample::subsequence((0..9).collect::<Vec<usize>>(), 1..=9),
        targets in proptest::array::uniform9(0.01..=1.0f64),
        weights in proptest::array::uniform9(0.05..=4.0f64),
    ) {
        use crate::matching::{index::LEAF, topk::Key};
        let plain_tracks: Vec<T> = tracks
            .iter()
            .enumerate()
            .map(|(i, values)| plain(i as i32 + 1, *values))
            .collect();
        let index = index_of(&plain_tracks);
        let mut s = MatchSettings {
            metric: Metric::Cosine,
            ..Default::default()
        };
        s.weights.clear();
        for &f in &enabled {
            let feature = Feature::AUDIO[f];
            s.weights.insert(feature, weights[f]);
            s.targets.insert(feature, feature.unscale(targets[f]));
        }
        let query = Query::new(&index, &s).expect("valid");
        let all = if tracks.len() == LEAF { u64::MAX } else { (1u64 << tracks.len()) - 1 };
        for i in 0..tracks.len() {
            let key = query.exact_key(&index, i);
            let Key::Cosine { norm, .. } = key else {
                unreachable!("a cosine query");
            };
            if norm == 0 {
                // No direction: cos 0, below any floor.
                continue;
            }
            let threshold = query.fast_threshold(Some(&key));
            let mask = query.cosine_candidates(&index.blocks[0], threshold.cosine, tracks.len());
            prop_assert!(mask & (1 << i) != 0, "track {i} dropped at its own cos");
            prop_assert_eq!(mask & !all, 0);
        }
    }
}

#[test]
fn cosine_box_check_refuses_boxes_pointing_elsewhere() {
    use crate::matching::index::{column, DIMS, FULL_SCALE};
    use crate::matching::query::CosineFloor;
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
        query.box_may_reach(|d| lo[d], |d| hi[d], CosineFloor::at_least(cos))
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
