//! Computes every genre's profile from what `GenreSource` gathered at one catalog
//! version: the sums as tallied, then per genre one pass over its members (artists),
//! one sort per feature for the spread, and one pass for the typical tracks.

use std::collections::HashMap;

use super::{
    tally::{GenreTally, ListedTracks},
    GenreCatalog, GenreProfile, GenreSource, TypicalTrack,
};
use crate::catalog::{artists::distribution::Distribution, genre_key, AudioFeatures, Feature};

/// How many artists a genre page lists.
pub const TOP_ARTISTS: usize = 10;
/// How many typical tracks a genre page lists.
pub const TYPICAL_TRACKS: usize = 8;
/// How many of the nearest tracks a profile keeps, for the page to list the first
/// `TYPICAL_TRACKS` songs among them (`GenreProfile::typical_songs`): versions of one
/// song (a single and its album cut) often share every value, and took two places.
pub const TYPICAL_CANDIDATES: usize = 4 * TYPICAL_TRACKS;

pub(super) fn build(source: &GenreSource) -> GenreCatalog {
    let names: HashMap<i32, &str> = source
        .genres
        .iter()
        .map(|g| (g.id, g.name.as_str()))
        .collect();
    let mut profiles: Vec<GenreProfile> = source
        .genres
        .iter()
        .filter_map(|g| {
            let tally = source.tally(g.id)?;
            let parent = match g.parent {
                Some(parent) => Some(names.get(&parent)?.to_string()),
                None => None,
            };
            Some(profile(g.id, &g.name, parent, tally, &source.listed))
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
    tally: &GenreTally,
    listed: &ListedTracks,
) -> GenreProfile {
    let members = &tally.members;
    let mut artists: HashMap<i32, i64> = HashMap::new();
    for artist in members.iter().filter_map(|&m| listed.artist(m)) {
        *artists.entry(artist).or_default() += 1;
    }
    let average = tally.average();
    let spread: Vec<Distribution> = Feature::ALL
        .iter()
        .filter_map(|&f| match Feature::AUDIO.iter().position(|&a| a == f) {
            Some(column) => {
                let values = members.iter().map(|&m| listed.features(m)[column]);
                Distribution::of_f32(f, values.collect())
            }
            None => {
                let values: Vec<f64> = members
                    .iter()
                    .filter_map(|&m| listed.popularity(m).map(f64::from))
                    .collect();
                Distribution::of(f, &values)
            }
        })
        .collect();
    let artist_count = artists.len() as i64;
    let mut top_artists: Vec<(i32, i64)> = artists.into_iter().collect();
    top_artists.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_artists.truncate(TOP_ARTISTS);
    // Kept for the catalog version's life: without this, the capacity of every artist
    // of the genre (57 MiB over twelve genres at 1.2 million tracks, with the typical
    // tracks' below).
    top_artists.shrink_to_fit();
    let years = tally.years();
    GenreProfile {
        id,
        name: name.to_string(),
        key: genre_key(name),
        parent,
        track_count: tally.track_count() as i64,
        artist_count,
        average,
        avg_popularity: tally.avg_popularity(),
        min_year: years.map(|y| y.0),
        max_year: years.map(|y| y.1),
        spread,
        top_artists,
        subgenres: Vec::new(),
        typical: typical(members, listed, &average),
        decades: tally.decades.clone().finish(),
    }
}

/// The `TYPICAL_CANDIDATES` tracks nearest the average over the nine audio features,
/// each scaled to 0–1 (ties broken by track id).
fn typical(members: &[u32], listed: &ListedTracks, average: &AudioFeatures) -> Vec<TypicalTrack> {
    let target: Vec<f64> = Feature::AUDIO
        .iter()
        .map(|f| f.scale(average.get(*f).unwrap_or(0.0)))
        .collect();
    let mut scored: Vec<TypicalTrack> = members
        .iter()
        .map(|&m| {
            let sum: f64 = Feature::AUDIO
                .iter()
                .zip(listed.features(m))
                .zip(&target)
                .map(|((f, &value), want)| {
                    let gap = f.scale(f64::from(value)) - want;
                    gap * gap
                })
                .sum();
            TypicalTrack {
                track_id: listed.id(m),
                distance: (sum / Feature::AUDIO.len() as f64).sqrt(),
            }
        })
        .collect();
    let keep = TYPICAL_CANDIDATES.min(scored.len());
    if keep < scored.len() {
        scored.select_nth_unstable_by(keep, |a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.track_id.cmp(&b.track_id))
        });
        scored.truncate(keep);
        scored.shrink_to_fit();
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
    use crate::catalog::genres::{GenreDef, GenreTrack};

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
        assert_eq!(source().listed.len(), 4, "only listed tracks are kept");
        let energy = pop
            .spread
            .iter()
            .find(|d| d.feature == Feature::Energy)
            .unwrap();
        assert_eq!((energy.min, energy.median, energy.max), (0.2, 0.4, 0.9));
    }

    #[test]
    fn a_profile_keeps_only_what_it_lists() {
        let def = GenreDef {
            id: 1,
            name: "pop".into(),
            parent: None,
        };
        let mut source = GenreSource::new(vec![def], (1..=40).map(|id| (id, 1)).collect());
        for id in 1..=40 {
            source.add_track(track(id, id, 2000, f64::from(id) / 40.0));
        }
        let catalog = GenreCatalog::build(&source);
        let pop = &catalog.genres()[0];
        assert_eq!((pop.track_count, pop.artist_count), (40, 40));
        assert_eq!(pop.top_artists.len(), TOP_ARTISTS);
        assert!(
            pop.top_artists.capacity() <= TOP_ARTISTS,
            "room for every artist kept"
        );
        assert_eq!(pop.typical.len(), TYPICAL_CANDIDATES);
        assert!(
            pop.typical.capacity() <= TYPICAL_CANDIDATES,
            "room for every track kept"
        );
    }
}
