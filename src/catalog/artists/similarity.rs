//! Similar artists: nearest average feature vectors, with the distance explained.
//!
//! Each artist is a point of their averages over the nine audio features, every feature
//! scaled to 0..1 (`Feature::scale`) so tempo in BPM does not drown out valence. The
//! distance is the root mean square of the per-feature differences: 0 means identical
//! averages, 0.1 means "about a tenth of each scale apart on average".
//!
//! Sound alone put Chayanne (Latin pop) second beside Queen: averages over a few
//! features meet across genres. Where the catalog has genres, the nearest artists who
//! share the artist's main genre come first (`genre_first`).

use std::cmp::Reverse;

use super::{
    index::ArtistIndex,
    summary::{ArtistSummary, GenreCount},
    vector::{rms_distance, scaled_vector, SIMILARITY_FEATURES},
};
use crate::catalog::Feature;

/// Artists with at least this many tracks are preferred as neighbours: an artist known
/// from one track sits wherever that track happens to sit and would crowd the list.
pub const NEIGHBOUR_MIN_TRACKS: i32 = 3;

/// How many of the nearest artists by sound `genre_first` chooses among: enough to
/// hold several of the same genre in a catalog of a handful of genres, few enough
/// that one grouped query reads their genres.
pub const GENRE_CANDIDATES: usize = 60;

/// `candidates` (nearest first, as `ArtistIndex::similar` gives them), the first `k`
/// after reordering: among artists with enough tracks, those `shares_genre` accepts
/// come first, then the others; artists with few tracks stay last, as in `similar`.
/// Each group keeps its order by distance.
pub fn genre_first<'a>(
    candidates: Vec<SimilarArtist<'a>>,
    shares_genre: impl Fn(i32) -> bool,
    k: usize,
) -> Vec<SimilarArtist<'a>> {
    let mut ranked: Vec<(bool, bool, usize, SimilarArtist<'a>)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let few_tracks = s.artist.track_count < NEIGHBOUR_MIN_TRACKS;
            (few_tracks, !shares_genre(s.artist.id), i, s)
        })
        .collect();
    ranked.sort_by_key(|(few, other_genre, i, _)| (*few, *other_genre, *i));
    ranked.into_iter().take(k).map(|(.., s)| s).collect()
}

/// An artist's main genres: every genre tied for the most tracks, from `genres` as
/// the artist's top genres come (most tracks first). With one track each in edm, latin
/// and pop, the first by name had decided alone, and the nearest artists by sound (in
/// latin) came third.
pub fn main_genres(genres: &[GenreCount]) -> Vec<&str> {
    let top = genres.first().map(|g| g.tracks);
    genres
        .iter()
        .take_while(|g| Some(g.tracks) == top)
        .map(|g| g.genre.as_str())
        .collect()
}

/// How far one artist's average of a feature is from another's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureGap {
    pub feature: Feature,
    /// Raw averages: the artist the list is for, and the neighbour.
    pub this: f64,
    pub other: f64,
    /// `other - this` on the 0..1 scale.
    pub scaled: f64,
}

#[derive(Debug, Clone)]
pub struct SimilarArtist<'a> {
    pub artist: &'a ArtistSummary,
    /// Root mean square of the scaled differences, 0..1.
    pub distance: f64,
    /// Every feature's gap, largest first.
    pub gaps: Vec<FeatureGap>,
}

impl SimilarArtist<'_> {
    /// One sentence: how close, where they agree most and where they differ most.
    pub fn explanation(&self) -> String {
        let Some(widest) = self.gaps.first() else {
            return String::new();
        };
        let typical = format!(
            "Typical difference {:.3} per feature (root mean square, each on a 0–1 scale).",
            self.distance
        );
        let (theirs, ours) = (
            widest.feature.format(widest.other).to_string(),
            widest.feature.format(widest.this).to_string(),
        );
        // No gap shows at the figures' precision: naming a "most different" feature
        // read "0.500 vs 0.500".
        if theirs == ours {
            return format!("{typical} The same on every feature, to the figures shown.");
        }
        let mut closest: Vec<&FeatureGap> = self.gaps.iter().rev().take(2).collect();
        closest.sort_by_key(|g| g.feature);
        let closest: Vec<String> = closest
            .iter()
            .map(|g| g.feature.label().to_lowercase())
            .collect();
        format!(
            "{typical} Closest in {}; most different in {} ({theirs} vs {ours}).",
            closest.join(" and "),
            widest.feature.label().to_lowercase(),
        )
    }
}

/// The per-feature gaps between two artists, largest first.
pub fn feature_gaps(this: &ArtistSummary, other: &ArtistSummary) -> Vec<FeatureGap> {
    let mut gaps: Vec<FeatureGap> = SIMILARITY_FEATURES
        .iter()
        .map(|&feature| {
            let a = this.averages.get(feature).unwrap_or(0.0);
            let b = other.averages.get(feature).unwrap_or(0.0);
            FeatureGap {
                feature,
                this: a,
                other: b,
                scaled: feature.scale(b) - feature.scale(a),
            }
        })
        .collect();
    gaps.sort_by(|x, y| {
        y.scaled
            .abs()
            .total_cmp(&x.scaled.abs())
            .then(x.feature.cmp(&y.feature))
    });
    gaps
}

impl ArtistIndex {
    /// The `k` artists whose averages are nearest to this artist's (exact scan), preferring
    /// artists with at least `NEIGHBOUR_MIN_TRACKS` tracks. Ties go to more tracks.
    pub fn similar(&self, id: i32, k: usize) -> Vec<SimilarArtist<'_>> {
        let Some(this) = self.get(id) else {
            return Vec::new();
        };
        let this_vector = scaled_vector(this);
        // Distances are non-negative, so their bit patterns order like the numbers.
        let mut preferred: Vec<(u32, Reverse<i32>, u32)> = Vec::new();
        let mut others: Vec<(u32, Reverse<i32>, u32)> = Vec::new();
        for (i, vector) in self.vectors.iter().enumerate() {
            if self.id_at(i) == id {
                continue;
            }
            let track_count = self.count_at(i);
            let entry = (
                rms_distance(&this_vector, vector).to_bits(),
                Reverse(track_count),
                i as u32,
            );
            if track_count >= NEIGHBOUR_MIN_TRACKS {
                preferred.push(entry);
            } else {
                others.push(entry);
            }
        }
        let mut chosen = best(preferred, k);
        if chosen.len() < k {
            chosen.extend(best(others, k - chosen.len()));
        }
        chosen
            .into_iter()
            .map(|(_, _, i)| {
                let artist = self.at(i as usize);
                let gaps = feature_gaps(this, artist);
                let mean_square =
                    gaps.iter().map(|g| g.scaled * g.scaled).sum::<f64>() / gaps.len() as f64;
                SimilarArtist {
                    artist,
                    distance: mean_square.sqrt(),
                    gaps,
                }
            })
            .collect()
    }
}

fn best<T: Ord>(mut entries: Vec<T>, k: usize) -> Vec<T> {
    if k == 0 {
        return Vec::new();
    }
    if entries.len() > k {
        entries.select_nth_unstable(k - 1);
        entries.truncate(k);
    }
    entries.sort_unstable();
    entries
}

#[cfg(test)]
mod tests {
    #[test]
    fn main_genres_are_every_genre_tied_for_the_most_tracks() {
        let counts = |list: &[(&str, i64)]| -> Vec<GenreCount> {
            list.iter()
                .map(|&(genre, tracks)| GenreCount {
                    genre: genre.into(),
                    tracks,
                })
                .collect()
        };
        assert_eq!(
            main_genres(&counts(&[("edm", 1), ("latin", 1), ("pop", 1)])),
            ["edm", "latin", "pop"]
        );
        assert_eq!(main_genres(&counts(&[("rock", 5), ("pop", 2)])), ["rock"]);
        assert!(main_genres(&[]).is_empty());
    }

    use super::*;
    use crate::catalog::AudioFeatures;
    use crate::model::artist_names::{artist_name_key, artist_search_key};

    fn artist(id: i32, tracks: i32, energy: f64, tempo: f64) -> ArtistSummary {
        let name = format!("Artist {id}");
        ArtistSummary {
            id,
            name_key: artist_name_key(&name),
            search_key: artist_search_key(&name),
            name,
            track_count: tracks,
            averages: AudioFeatures {
                energy,
                tempo,
                loudness: -10.0,
                ..Default::default()
            },
            avg_popularity: None,
            min_year: None,
            max_year: None,
        }
    }

    #[test]
    fn nearest_first_and_few_track_artists_last() {
        let idx = ArtistIndex::new(
            vec![
                artist(1, 10, 0.50, 120.0),
                artist(2, 10, 0.60, 120.0),
                artist(3, 10, 0.90, 120.0),
                artist(4, 1, 0.50, 120.0), // identical but only one track
                artist(5, 10, 0.50, 250.0),
            ],
            None,
        );
        let got: Vec<i32> = idx.similar(1, 4).iter().map(|s| s.artist.id).collect();
        assert_eq!(got, [2, 3, 5, 4]);
        let near = &idx.similar(1, 1)[0];
        // Only energy differs, by 0.1, over nine features.
        assert!((near.distance - (0.01f64 / 9.0).sqrt()).abs() < 1e-9);
        assert_eq!(near.gaps[0].feature, Feature::Energy);
        assert!((near.gaps[0].scaled - 0.1).abs() < 1e-9);
        let text = near.explanation();
        assert!(
            text.contains("most different in energy (0.600 vs 0.500)"),
            "{text}"
        );
        assert!(idx.similar(99, 3).is_empty());
        // The identical neighbour has no feature to call most different.
        let twin = idx.similar(4, 1);
        assert_eq!(twin[0].artist.id, 1);
        let text = twin[0].explanation();
        assert!(
            text.ends_with("The same on every feature, to the figures shown."),
            "{text}"
        );
        assert!(!text.contains("most different"), "{text}");
    }

    #[test]
    fn the_same_genre_first_few_track_artists_still_last() {
        let idx = ArtistIndex::new(
            vec![
                artist(1, 10, 0.50, 120.0),
                artist(2, 10, 0.55, 120.0), // nearest, another genre
                artist(3, 1, 0.50, 120.0),  // same genre, one track
                artist(4, 10, 0.70, 120.0), // same genre
                artist(5, 10, 0.90, 120.0), // same genre, farthest
                artist(6, 10, 0.60, 120.0), // another genre
            ],
            None,
        );
        let same = |id: i32| (3..=5).contains(&id);
        let ids =
            |list: Vec<SimilarArtist<'_>>| list.iter().map(|s| s.artist.id).collect::<Vec<_>>();
        let candidates = idx.similar(1, GENRE_CANDIDATES);
        assert_eq!(ids(candidates.clone()), [2, 6, 4, 5, 3]);
        assert_eq!(ids(genre_first(candidates.clone(), same, 4)), [4, 5, 2, 6]);
        assert_eq!(
            ids(genre_first(candidates.clone(), same, 9)),
            [4, 5, 2, 6, 3]
        );
        // No genre known: the order by sound.
        assert_eq!(ids(genre_first(candidates, |_| false, 3)), [2, 6, 4]);
    }
}
