//! Genre sets: a track with several genres passes a genre filter, and counts in genre
//! seeds, for any of them; pruning by the leaves' folded genre bits never drops one
//! (70 genres, so bits `genre % 64` collide); builders appended (a parallel load)
//! remap their genres and sets.

use std::collections::BTreeSet;

use super::{features_of, plain};
use crate::catalog::Feature;
use crate::matching::{query::Query, FeatureIndexBuilder, IndexedTrack, MatchSettings};

const N: usize = 6_000;

/// Track i's genres: one to three of g0..g69, in a scrambled order.
fn genres_of(i: usize) -> Vec<String> {
    let count = 1 + i % 3;
    (0..count)
        .map(|k| format!("g{}", (i * 7 + k * 31 + (i / 5)) % 70))
        .rev()
        .collect()
}

fn index() -> crate::matching::FeatureIndex {
    let mut halves = [
        FeatureIndexBuilder::default(),
        FeatureIndexBuilder::default(),
    ];
    for i in 0..N {
        let x = |k: usize| ((i * (2 * k + 5) + k * 11) % 991) as f64 / 990.0;
        let t = plain(i as i32 + 1, std::array::from_fn(x));
        let names = genres_of(i);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let track = IndexedTrack {
            id: t.id,
            features: features_of(&t.values),
            popularity: t.popularity,
            genre: None,
            release_year: None,
            explicit: None,
            main_artist: None,
        };
        // The upper half in its own builder, appended as the parallel loader does.
        halves[usize::from(i >= N / 2)].push_with_genres(&track, &names);
    }
    let [mut lower, upper] = halves;
    lower.append(upper);
    lower.finish()
}

#[test]
fn a_track_passes_a_genre_filter_for_any_of_its_genres() {
    let index = index();
    assert_eq!(index.genres().len(), 70);
    for wanted in [vec!["g3"], vec!["G5", "g69"], vec!["g0", "g64"]] {
        let mut s = MatchSettings::default();
        for f in Feature::ALL {
            s.targets.insert(f, f.unscale(0.37));
        }
        s.k = 50;
        s.filters.genres = wanted.iter().map(|g| g.to_string()).collect();
        let query = Query::new(&index, &s).expect("valid");
        let passing: BTreeSet<i32> = (0..index.len())
            .filter(|&i| query.passes(&index, i))
            .map(|i| index.ids[i])
            .collect();
        let expected: BTreeSet<i32> = (0..N)
            .filter(|&i| {
                genres_of(i)
                    .iter()
                    .any(|g| wanted.iter().any(|w| w.eq_ignore_ascii_case(g)))
            })
            .map(|i| i as i32 + 1)
            .collect();
        assert_eq!(passing, expected, "{wanted:?}");
        let found = index.search(&s).expect("search");
        assert_eq!(found, index.search_brute_force(&s).expect("brute force"));
        assert_eq!(found.matches.len(), 50);
        for m in &found.matches {
            assert!(expected.contains(&m.track_id));
            let shown = m.genre_text().unwrap_or_default();
            assert!(
                wanted
                    .iter()
                    .any(|w| shown.to_lowercase().contains(&w.to_lowercase())),
                "{shown}"
            );
        }
    }
}

#[test]
fn genre_seeds_average_every_track_with_any_of_the_genres() {
    let index = index();
    let target = index.genre_average(&["g7".to_string()]).expect("known");
    let members: Vec<usize> = (0..N)
        .filter(|&i| genres_of(i).iter().any(|g| g == "g7"))
        .collect();
    assert!(members.len() > 100);
    let x = |i: usize, k: usize| ((i * (2 * k + 5) + k * 11) % 991) as f64 / 990.0;
    let energy = Feature::AUDIO
        .iter()
        .position(|f| *f == Feature::Energy)
        .expect("energy");
    let mean = members.iter().map(|&i| x(i, energy)).sum::<f64>() / members.len() as f64;
    let got = Feature::Energy.scale(target[&Feature::Energy]);
    assert!((got - mean).abs() < 1e-6, "{got} vs {mean}");
}
