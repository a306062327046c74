//! Computes every genre's profile from the tracks and links of one catalog version:
//! one pass over the links to gather each genre's members, then per genre one pass
//! over its members (sums, artists, years, decades), one sort per feature for the
//! spread, and one pass for the typical tracks.

use std::collections::HashMap;

use super::{
    decades::DecadeSums, GenreCatalog, GenreProfile, GenreSource, GenreTrack, TypicalTrack,
};
use crate::catalog::{artists::distribution::Distribution, genre_key, AudioFeatures, Feature};

/// How many artists a genre page lists.
pub const TOP_ARTISTS: usize = 10;
/// How many typical tracks a genre page lists.
pub const TYPICAL_TRACKS: usize = 8;

pub(super) fn build(source: &GenreSource) -> GenreCatalog {
    let mut members: HashMap<i32, Vec<u32>> = HashMap::new();
    for &(track_id, genre_id) in &source.links {
        if let Ok(index) = source.tracks.binary_search_by_key(&track_id, |t| t.id) {
            members.entry(genre_id).or_default().push(index as u32);
        }
    }
    let names: HashMap<i32, &str> = source
        .genres
        .iter()
        .map(|g| (g.id, g.name.as_str()))
        .collect();
    let mut profiles: Vec<GenreProfile> = source
        .genres
        .iter()
        .filter_map(|g| {
            let members = members.get(&g.id)?;
            let parent = match g.parent {
                Some(parent) => Some(names.get(&parent)?.to_string()),
                None => None,
            };
            Some(profile(g.id, &g.name, parent, members, &source.tracks))
        })
        .collect();
    // Genres first, then subgenres; most tracks first, then A to Z.
    profiles.sort_by(|a, b| {
        a.is_subgenre()
            .cmp(&b.is_subgenre())
            .then(b.track_count.cmp(&a.track_count))
            .then(a.key.cmp(&b.key))
    });
    let genre_count = profiles.iter().filter(|p| !p.is_subgenre()).count();
    let subgenre_names: Vec<(String, String)> = profiles[genre_count..]
        .iter()
        .filter_map(|s| Some((s.parent.clone()?, s.name.clone())))
        .collect();
    for genre in &mut profiles[..genre_count] {
        genre.subgenres = subgenre_names
            .iter()
            .filter(|(parent, _)| *parent == genre.name)
            .map(|(_, name)| name.clone())
            .collect();
    }
    let decades = source.decades.clone();
    let undated_tracks = decades.undated;
    GenreCatalog {
        profiles,
        genre_count,
        decades: decades.finish(),
        undated_tracks,
    }
}

fn profile(
    id: i32,
    name: &str,
    parent: Option<String>,
    members: &[u32],
    tracks: &[GenreTrack],
) -> GenreProfile {
    let members: Vec<&GenreTrack> = members.iter().map(|&i| &tracks[i as usize]).collect();
    let n = members.len() as f64;
    let mut sums = [0.0; Feature::AUDIO.len()];
    let mut popularity = (0i64, 0i64);
    let mut artists: HashMap<i32, i64> = HashMap::new();
    let mut decades = DecadeSums::default();
    let (mut min_year, mut max_year) = (None::<i32>, None::<i32>);
    for t in &members {
        for (sum, feature) in sums.iter_mut().zip(Feature::AUDIO) {
            *sum += t.features.get(feature).unwrap_or(0.0);
        }
        if let Some(p) = t.popularity {
            popularity.0 += i64::from(p);
            popularity.1 += 1;
        }
        if let Some(a) = t.artist {
            *artists.entry(a).or_default() += 1;
        }
        if let Some(y) = t.year {
            min_year = Some(min_year.map_or(y, |m| m.min(y)));
            max_year = Some(max_year.map_or(y, |m| m.max(y)));
        }
        decades.add(t.year, &t.features, t.popularity);
    }
    let mut average = AudioFeatures::default();
    for (sum, feature) in sums.iter().zip(Feature::AUDIO) {
        average.set(feature, sum / n);
    }
    let spread: Vec<Distribution> = Feature::ALL
        .iter()
        .filter_map(|&f| {
            let values: Vec<f64> = members
                .iter()
                .filter_map(|t| match f {
                    Feature::Popularity => t.popularity.map(f64::from),
                    other => t.features.get(other),
                })
                .collect();
            Distribution::of(f, &values)
        })
        .collect();
    let artist_count = artists.len() as i64;
    let mut top_artists: Vec<(i32, i64)> = artists.into_iter().collect();
    top_artists.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_artists.truncate(TOP_ARTISTS);
    GenreProfile {
        id,
        name: name.to_string(),
        key: genre_key(name),
        parent,
        track_count: members.len() as i64,
        artist_count,
        average,
        avg_popularity: (popularity.1 > 0).then(|| popularity.0 as f64 / popularity.1 as f64),
        min_year,
        max_year,
        spread,
        top_artists,
        subgenres: Vec::new(),
        typical: typical(&members, &average),
        decades: decades.finish(),
    }
}

/// The tracks nearest the average over the nine audio features, each scaled to 0–1
/// (ties broken by track id).
fn typical(members: &[&GenreTrack], average: &AudioFeatures) -> Vec<TypicalTrack> {
    let target: Vec<f64> = Feature::AUDIO
        .iter()
        .map(|f| f.scale(average.get(*f).unwrap_or(0.0)))
        .collect();
    let mut scored: Vec<TypicalTrack> = members
        .iter()
        .map(|t| {
            let sum: f64 = Feature::AUDIO
                .iter()
                .zip(&target)
                .map(|(f, want)| {
                    let gap = f.scale(t.features.get(*f).unwrap_or(0.0)) - want;
                    gap * gap
                })
                .sum();
            TypicalTrack {
                track_id: t.id,
                distance: (sum / Feature::AUDIO.len() as f64).sqrt(),
            }
        })
        .collect();
    let keep = TYPICAL_TRACKS.min(scored.len());
    if keep < scored.len() {
        scored.select_nth_unstable_by(keep, |a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.track_id.cmp(&b.track_id))
        });
        scored.truncate(keep);
    }
    scored.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.track_id.cmp(&b.track_id))
    });
    scored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::genres::GenreDef;

    fn track(id: i32, artist: i32, year: i32, energy: f64) -> GenreTrack {
        GenreTrack {
            id,
            artist: Some(artist),
            year: Some(year),
            popularity: Some(id * 10),
            features: AudioFeatures {
                energy,
                tempo: 120.0,
                loudness: -6.0,
                ..AudioFeatures::default()
            },
        }
    }

    fn source() -> GenreSource {
        let mut source = GenreSource::new(
            vec![
                GenreDef {
                    id: 1,
                    name: "Pop".into(),
                    parent: None,
                },
                GenreDef {
                    id: 2,
                    name: "rock".into(),
                    parent: None,
                },
                GenreDef {
                    id: 3,
                    name: "dance pop".into(),
                    parent: Some(1),
                },
                GenreDef {
                    id: 4,
                    name: "empty".into(),
                    parent: None,
                },
            ],
            vec![(1, 1), (1, 3), (2, 1), (3, 1), (3, 2), (4, 2)],
        );
        for t in [
            track(1, 10, 1995, 0.2),
            track(2, 10, 2001, 0.4),
            track(3, 11, 2004, 0.9),
            track(4, 12, 1988, 0.5),
            // In no genre: counted in the decades only.
            track(5, 12, 1975, 0.5),
        ] {
            source.add_track(t);
        }
        source
    }

    #[test]
    fn profiles_count_average_and_rank() {
        let catalog = GenreCatalog::build(&source());
        let names: Vec<&str> = catalog.genres().iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Pop", "rock"], "genres without tracks are left out");
        let pop = &catalog.genres()[0];
        assert_eq!((pop.track_count, pop.artist_count), (3, 2));
        assert!((pop.average.energy - 0.5).abs() < 1e-12);
        assert_eq!(pop.avg_popularity, Some(20.0));
        assert_eq!(pop.top_artists, [(10, 2), (11, 1)]);
        assert_eq!((pop.min_year, pop.max_year), (Some(1995), Some(2004)));
        assert_eq!(pop.subgenres, ["dance pop"]);
        // Energy gaps to the average 0.5: track 2 0.1, track 1 0.3, track 3 0.4.
        let typical: Vec<i32> = pop.typical.iter().map(|t| t.track_id).collect();
        assert_eq!(typical, [2, 1, 3]);
        let decades: Vec<(i32, i64)> = pop.decades.iter().map(|d| (d.decade, d.tracks)).collect();
        assert_eq!(decades, [(1990, 1), (2000, 2)]);
        let sub = &catalog.subgenres()[0];
        assert_eq!(sub.parent.as_deref(), Some("Pop"));
        assert_eq!(sub.track_count, 1);
        let all: Vec<(i32, i64)> = catalog
            .decades
            .iter()
            .map(|d| (d.decade, d.tracks))
            .collect();
        // Track 5 is in no genre: in the catalog's decades all the same.
        assert_eq!(all, [(1970, 1), (1980, 1), (1990, 1), (2000, 2)]);
        assert_eq!(source().tracks.len(), 4, "only listed tracks are kept");
        let energy = pop
            .spread
            .iter()
            .find(|d| d.feature == Feature::Energy)
            .unwrap();
        assert_eq!((energy.min, energy.median, energy.max), (0.2, 0.4, 0.9));
    }
}
