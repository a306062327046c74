//! "One version per song" on top of the exact search: the k closest tracks such that
//! no two are versions of one song (`catalog::versions`), each song shown by its
//! closest version.
//!
//! Exact by construction: search; while the answer holds two versions of a song, leave
//! out every version of the songs in the answer but the one that came first (it is the
//! song's closest, since the search is exact and ties go to the lower id, so nothing
//! left out could have been shown) and search again. Each round settles every song in
//! the answer, so most answers need one or two rounds.

use std::collections::HashMap;

use super::{error::InvalidSettings, index::FeatureIndex, outcome::MatchOutcome, MatchSettings};

/// Searches after which what is left is de-duplicated as it stands (possibly fewer
/// than k results).
const MAX_ROUNDS: usize = 12;

impl FeatureIndex {
    /// `search_where`, keeping only the closest version of each song. `song_of` names a
    /// track's song; tracks it does not know are songs of their own.
    pub fn search_one_per_song(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
        song_of: &dyn Fn(i32) -> Option<u32>,
    ) -> Result<MatchOutcome, InvalidSettings> {
        self.search_one_per_song_counted(settings, keep, song_of)
            .map(|(outcome, _)| outcome)
    }

    /// `search_one_per_song`, and how many searches it took (what it costs over one
    /// `search_where`).
    pub fn search_one_per_song_counted(
        &self,
        settings: &MatchSettings,
        keep: &dyn Fn(i32) -> bool,
        song_of: &dyn Fn(i32) -> Option<u32>,
    ) -> Result<(MatchOutcome, usize), InvalidSettings> {
        // Song -> the version that represents it.
        let mut shown: HashMap<u32, i32> = HashMap::new();
        let mut outcome = self.search_where(settings, keep)?;
        for round in 1..=MAX_ROUNDS {
            if !note_songs(&outcome, song_of, &mut shown) {
                return Ok((outcome, round));
            }
            let keep_one = |id: i32| {
                keep(id)
                    && song_of(id)
                        .and_then(|song| shown.get(&song))
                        .is_none_or(|first| *first == id)
            };
            outcome = self.search_where(settings, &keep_one)?;
        }
        let mut seen = std::collections::HashSet::new();
        outcome
            .matches
            .retain(|m| song_of(m.track_id).is_none_or(|song| seen.insert(song)));
        Ok((outcome, MAX_ROUNDS + 1))
    }
}

/// Records each song's first version in the answer; whether any song appeared twice.
fn note_songs(
    outcome: &MatchOutcome,
    song_of: &dyn Fn(i32) -> Option<u32>,
    shown: &mut HashMap<u32, i32>,
) -> bool {
    let mut twice = false;
    let mut here: HashMap<u32, i32> = HashMap::new();
    for m in &outcome.matches {
        if let Some(song) = song_of(m.track_id) {
            if here.insert(song, m.track_id).is_some() {
                twice = true;
            } else {
                shown.entry(song).or_insert(m.track_id);
            }
        }
    }
    twice
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;
    use crate::catalog::{AudioFeatures, Feature};
    use crate::matching::{settings::MAX_RESULTS, IndexedTrack};

    fn index_of(tracks: &[(i32, [f64; 3])]) -> FeatureIndex {
        FeatureIndex::from_tracks(tracks.iter().map(|(id, v)| {
            let mut features = AudioFeatures::default();
            for (f, x) in Feature::ORIGINAL.iter().zip(v) {
                features.set(*f, *x);
            }
            IndexedTrack {
                id: *id,
                features,
                popularity: Some(50),
                genre: Some("rock"),
                release_year: Some(2000),
                explicit: Some(false),
                main_artist: Some(*id),
            }
        }))
    }

    proptest! {
        #![proptest_config(crate::proptest_regressions::kept(proptest::test_runner::Config::default()))]

        /// The answer by definition: every track ranked, the farther versions of each
        /// song dropped, the first k kept.
        #[test]
        fn equals_dedupe_of_the_full_ranking(
            values in prop::collection::vec(prop::array::uniform3(0.0..1.0f64), 1..90),
            songs in 1u32..30,
            k in 1usize..25,
            target in prop::array::uniform3(0.0..1.0f64),
        ) {
            let tracks: Vec<(i32, [f64; 3])> =
                values.iter().enumerate().map(|(i, v)| (i as i32 + 1, *v)).collect();
            let index = index_of(&tracks);
            let song_of = |id: i32| Some(id as u32 % songs);
            let mut settings = MatchSettings::default();
            for (f, t) in Feature::ORIGINAL.iter().zip(target) {
                settings.targets.insert(*f, t);
            }
            settings.k = MAX_RESULTS;
            let all = index.search_brute_force(&settings).unwrap();
            let mut seen = HashSet::new();
            let expected: Vec<i32> = all
                .matches
                .iter()
                .map(|m| m.track_id)
                .filter(|id| seen.insert(song_of(*id)))
                .take(k)
                .collect();
            settings.k = k;
            let got: Vec<i32> = index
                .search_one_per_song(&settings, &|id| id != 7, &song_of)
                .unwrap()
                .matches
                .iter()
                .map(|m| m.track_id)
                .collect();
            let expected: Vec<i32> = if tracks.len() >= 7 {
                // Recompute without track 7, which `keep` refuses.
                let mut seen = HashSet::new();
                all.matches
                    .iter()
                    .map(|m| m.track_id)
                    .filter(|id| *id != 7)
                    .filter(|id| seen.insert(song_of(*id)))
                    .take(k)
                    .collect()
            } else {
                expected
            };
            prop_assert_eq!(got, expected);
        }
    }
}
