//! Seeds (tracks, artists, genres) turned into a target: what the API's
//! `/recommendations` does with `seed_tracks`, `seed_artists` and `seed_genres`, and
//! what the perfect-song page can share. No HTTP and no SQL: the caller looks the seeds
//! up and hands in their profiles.
//!
//! The rule:
//! 1. Each seed track and each seed artist (its average over its tracks) is one
//!    profile, and they all weigh the same. The target of every feature is the mean of
//!    the profiles; popularity is the mean over the profiles that have one.
//! 2. Genre seeds restrict the results to tracks of any of those genres. When they are
//!    the only seeds, the target is the average of every track in those genres.
//! 3. Explicit targets (`target_<feature>`) replace the seeds' value for that feature.
//! 4. With seeds, the nine audio features are matched with weight 1; popularity only
//!    when it has an explicit target. Without seeds, only the targeted features are
//!    matched. Explicit weights (`weight_<feature>`, 0 switches off) win.
//! 5. Seed tracks are never among the results (the caller passes them to
//!    `FeatureIndex::search_where`); tracks by seed artists may be, as on Spotify.
//!
//! Seeds' values are kept as they are, even beyond the sliders' range (a seed louder
//! than 0 dB aims at its own loudness, and the API reports that target): the search
//! takes any value the catalog can hold.

use std::collections::BTreeMap;

use super::{
    error::{InvalidSettings, MatchError},
    index::{column, FeatureIndex, FULL_SCALE, NO_POPULARITY},
    settings::MatchSettings,
};
use crate::catalog::{AudioFeatures, Feature};

/// The most seeds of all kinds together (Spotify's limit).
pub const MAX_SEEDS: usize = 5;

/// The audio profile of one seed, in raw units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SeedProfile {
    pub features: AudioFeatures,
    pub popularity: Option<f64>,
}

/// What a request seeds with, already looked up.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    pub tracks: Vec<SeedProfile>,
    pub artists: Vec<SeedProfile>,
    pub genres: Vec<String>,
}

impl Seeds {
    pub fn count(&self) -> usize {
        self.tracks.len() + self.artists.len() + self.genres.len()
    }
}

/// The target the seeds describe (rule 1 and 2), per feature in raw units, before any
/// explicit target. Empty when there are no seeds.
pub fn seed_target(
    seeds: &Seeds,
    index: &FeatureIndex,
) -> Result<BTreeMap<Feature, f64>, InvalidSettings> {
    let profiles: Vec<&SeedProfile> = seeds.tracks.iter().chain(&seeds.artists).collect();
    if !profiles.is_empty() {
        return Ok(mean_of(&profiles));
    }
    if seeds.genres.is_empty() {
        return Ok(BTreeMap::new());
    }
    index.genre_average(&seeds.genres)
}

fn mean_of(profiles: &[&SeedProfile]) -> BTreeMap<Feature, f64> {
    let mut target = BTreeMap::new();
    for feature in Feature::AUDIO {
        let sum: f64 = profiles
            .iter()
            .filter_map(|p| p.features.get(feature))
            .sum();
        target.insert(feature, sum / profiles.len() as f64);
    }
    let known: Vec<f64> = profiles.iter().filter_map(|p| p.popularity).collect();
    if !known.is_empty() {
        target.insert(
            Feature::Popularity,
            known.iter().sum::<f64>() / known.len() as f64,
        );
    }
    target
}

/// Match settings from seeds and explicit values (rules 1 to 4). `k`, the metric and
/// the other filters are the caller's to set on the result.
pub fn settings_from_seeds(
    seeds: &Seeds,
    index: &FeatureIndex,
    targets: &BTreeMap<Feature, f64>,
    weights: &BTreeMap<Feature, f64>,
) -> Result<MatchSettings, InvalidSettings> {
    let mut settings = MatchSettings::default();
    let from_seeds = seed_target(seeds, index)?;
    for feature in Feature::ALL {
        // Explicit targets are the caller's to get right (`validate_within` reports
        // them); seeds' values are stored ones, in the catalog's accepted range.
        if let Some(&value) = targets.get(&feature) {
            settings.targets.insert(feature, value);
        } else if let Some(&value) = from_seeds.get(&feature) {
            settings.targets.insert(feature, value);
        }
        let seeded = Feature::AUDIO.contains(&feature) && from_seeds.contains_key(&feature);
        let default_weight = if seeded || targets.contains_key(&feature) {
            1.0
        } else {
            0.0
        };
        settings.weights.insert(
            feature,
            weights.get(&feature).copied().unwrap_or(default_weight),
        );
    }
    settings.filters.genres = seeds.genres.iter().cloned().collect();
    Ok(settings)
}

impl FeatureIndex {
    /// Mean raw value of every feature over the tracks in any of `genres` (matched
    /// like the genre filter); popularity over those that have one. An unknown genre
    /// is an error; a known genre always has tracks.
    pub fn genre_average(
        &self,
        genres: &[String],
    ) -> Result<BTreeMap<Feature, f64>, InvalidSettings> {
        let mut wanted = vec![false; self.genres.len()];
        let mut unknown = Vec::new();
        for name in genres {
            match self.genre_id(name) {
                Some(id) => wanted[id as usize] = true,
                None => unknown.push(MatchError::UnknownGenre(name.clone())),
            }
        }
        if !unknown.is_empty() {
            return Err(InvalidSettings(unknown));
        }
        let sets = self.sets_with_any(&wanted);
        let mut sums = [0f64; Feature::ALL.len()];
        let (mut count, mut popularity_count) = (0usize, 0usize);
        for i in 0..self.len() {
            if !self.in_sets(&sets, i) {
                continue;
            }
            count += 1;
            for feature in Feature::ALL {
                if feature == Feature::Popularity {
                    if self.popularity[i] == NO_POPULARITY {
                        continue;
                    }
                    popularity_count += 1;
                }
                sums[column(feature)] += f64::from(self.value(i, column(feature)));
            }
        }
        let mut target = BTreeMap::new();
        for feature in Feature::ALL {
            let n = if feature == Feature::Popularity {
                popularity_count
            } else {
                count
            };
            if n > 0 {
                // Columns hold fixed-point steps of the feature's range (see `index`).
                let unit = sums[column(feature)] / n as f64 / f64::from(FULL_SCALE);
                target.insert(feature, feature.unscale(unit));
            }
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::IndexedTrack;

    fn profile(danceability: f64, tempo: f64, popularity: Option<f64>) -> SeedProfile {
        SeedProfile {
            features: AudioFeatures {
                danceability,
                tempo,
                loudness: -10.0,
                ..Default::default()
            },
            popularity,
        }
    }

    fn index() -> FeatureIndex {
        let rows = [
            (1, 0.2, "rock", Some(40)),
            (2, 0.6, "rock", None),
            (3, 1.0, "jazz", Some(90)),
        ];
        FeatureIndex::from_tracks(rows.iter().map(|&(id, d, genre, popularity)| IndexedTrack {
            id,
            features: AudioFeatures {
                danceability: d,
                tempo: 100.0,
                loudness: -6.0,
                ..Default::default()
            },
            popularity,
            genre: Some(genre),
            release_year: Some(2000),
            explicit: Some(false),
            main_artist: Some(id),
        }))
    }

    #[test]
    fn tracks_and_artists_average_with_equal_weight() {
        let seeds = Seeds {
            tracks: vec![profile(0.2, 100.0, Some(50.0))],
            artists: vec![profile(0.8, 140.0, None)],
            genres: vec!["rock".into()],
        };
        let target = seed_target(&seeds, &index()).unwrap();
        assert!((target[&Feature::Danceability] - 0.5).abs() < 1e-9);
        assert!((target[&Feature::Tempo] - 120.0).abs() < 1e-9);
        assert_eq!(
            target[&Feature::Popularity],
            50.0,
            "only seeds with one count"
        );
        assert_eq!(seeds.count(), 3);
    }

    #[test]
    fn genres_alone_aim_at_the_genre_average_and_filter() {
        let seeds = Seeds {
            genres: vec!["ROCK".into()],
            ..Default::default()
        };
        let target = seed_target(&seeds, &index()).unwrap();
        assert!((target[&Feature::Danceability] - 0.4).abs() < 1e-6);
        assert!((target[&Feature::Popularity] - 40.0).abs() < 1e-4);
        let settings =
            settings_from_seeds(&seeds, &index(), &BTreeMap::new(), &BTreeMap::new()).unwrap();
        assert!(settings.filters.genres.contains("ROCK"));
        let err = seed_target(
            &Seeds {
                genres: vec!["polka".into()],
                ..Default::default()
            },
            &index(),
        )
        .unwrap_err();
        assert_eq!(err.0, vec![MatchError::UnknownGenre("polka".into())]);
    }

    #[test]
    fn explicit_targets_and_weights_win_and_seed_values_are_kept() {
        let seeds = Seeds {
            tracks: vec![SeedProfile {
                features: AudioFeatures {
                    loudness: 3.0,
                    ..Default::default()
                },
                popularity: None,
            }],
            ..Default::default()
        };
        let targets = BTreeMap::from([(Feature::Energy, 0.9), (Feature::Popularity, 70.0)]);
        let weights = BTreeMap::from([(Feature::Liveness, 0.0), (Feature::Tempo, 3.0)]);
        let s = settings_from_seeds(&seeds, &index(), &targets, &weights).unwrap();
        assert_eq!(s.target(Feature::Energy), 0.9);
        assert_eq!(s.target(Feature::Loudness), 3.0, "the seed's own value");
        assert_eq!(s.weight(Feature::Popularity), 1.0, "on because targeted");
        assert_eq!(s.weight(Feature::Liveness), 0.0);
        assert_eq!(s.weight(Feature::Tempo), 3.0);
        assert_eq!(s.weight(Feature::Danceability), 1.0);
        assert!(s.validate_within(Feature::accepted_range).is_ok());
        // Beyond the sliders, which the page's form keeps to.
        assert!(s.validate().is_err());
        // Without seeds only the targeted features count, and a bad target is reported.
        let s = settings_from_seeds(
            &Seeds::default(),
            &index(),
            &BTreeMap::from([(Feature::Energy, 2.0)]),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(s.enabled(), vec![Feature::Energy]);
        assert!(s.validate().is_err());
    }
}
