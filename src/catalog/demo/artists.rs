//! The invented artists: genre, name, size of catalogue, popularity, career years and
//! the personal sound that sets each apart from the genre's typical one.

use super::{
    genres::{GenreProfile, Spread, GENRES, LAST_YEAR},
    names::ArtistNamer,
    ARTIST_COUNT, TRACK_COUNT,
};
use crate::catalog::rng::Rng;

/// An invented artist and what makes them sound like themselves.
pub struct Artist {
    pub name: String,
    pub genre: usize,
    /// How many tracks they lead.
    pub track_count: usize,
    /// Their personal distance from the genre's typical value, per 0..1 feature, in
    /// logit units, in the order of `unit_spreads`.
    pub offsets: [f64; 7],
    pub tempo: f64,
    pub loudness: f64,
    /// Their tracks run this much longer or shorter than the genre's typical length.
    pub length_factor: f64,
    pub popularity: f64,
    pub explicit: f64,
    pub first_year: i32,
    pub last_year: i32,
}

/// The genre's 0..1 features, in one fixed order.
pub fn unit_spreads(g: &GenreProfile) -> [Spread; 7] {
    [
        g.danceability,
        g.energy,
        g.acousticness,
        g.instrumentalness,
        g.valence,
        g.speechiness,
        g.liveness,
    ]
}

/// Popularity tiers: a few stars with long catalogues, many mid-sized artists and a tail
/// of one-off releases. (share of artists, fewest tracks, most tracks, base popularity)
const TIERS: [(f64, usize, usize, f64); 5] = [
    (0.02, 80, 150, 68.0),
    (0.08, 35, 79, 55.0),
    (0.20, 21, 34, 42.0),
    (0.60, 5, 20, 30.0),
    (0.10, 1, 3, 14.0),
];

pub fn invent_artists(rng: &mut Rng) -> Vec<Artist> {
    let shares: Vec<f64> = GENRES.iter().map(|g| g.artist_share).collect();
    let tier_shares: Vec<f64> = TIERS.iter().map(|t| t.0).collect();
    let mut namer = ArtistNamer::new();
    let mut artists: Vec<Artist> = (0..ARTIST_COUNT)
        .map(|_| {
            let genre = rng.weighted(&shares);
            let g = &GENRES[genre];
            let style = g.names[rng.weighted(&g.names.iter().map(|n| n.1).collect::<Vec<_>>())].0;
            let (_, fewest, most, base_popularity) = TIERS[rng.weighted(&tier_shares)];
            let mut offsets = [0.0; 7];
            for (offset, spread) in offsets.iter_mut().zip(unit_spreads(g)) {
                *offset = rng.gauss(0.0, spread.artist_sd);
            }
            // Drum and bass producers sit far above house tempo; a fixed share of EDM
            // artists does, as in real charts.
            let tempo = if g.name == "edm" && rng.chance(0.12) {
                rng.gauss(172.0, 2.0)
            } else {
                rng.gauss(g.tempo.0, g.tempo.1)
            };
            // Careers start more often in recent years (sqrt skews towards 1), like the
            // release years of real streaming catalogues.
            let span = (LAST_YEAR - g.first_year) as f64;
            let first_year = g.first_year + (span * rng.unit().sqrt()) as i32;
            let last_year = (first_year + rng.int(0, 30) as i32).min(LAST_YEAR);
            Artist {
                name: namer.name(style, rng),
                genre,
                track_count: rng.int(fewest as i64, most as i64) as usize,
                offsets,
                tempo,
                loudness: rng.gauss(g.loudness.0, g.loudness.1 * 0.7),
                length_factor: rng.range(0.85, 1.15),
                popularity: rng.gauss(base_popularity, 8.0),
                explicit: (g.explicit * rng.range(0.2, 1.8)).min(0.95),
                first_year,
                last_year,
            }
        })
        .collect();
    balance_track_counts(&mut artists);
    artists
}

/// Nudges the mid-sized artists' track counts by one at a time until they add up to
/// exactly `TRACK_COUNT`, leaving the stars and the one-off tail as drawn.
fn balance_track_counts(artists: &mut [Artist]) {
    let total: usize = artists.iter().map(|a| a.track_count).sum();
    let mut surplus = total as i64 - TRACK_COUNT as i64;
    let adjustable = |count: usize| (6..=78).contains(&count);
    while surplus != 0 {
        for artist in artists.iter_mut() {
            if surplus == 0 {
                break;
            }
            if adjustable(artist.track_count) {
                if surplus > 0 {
                    artist.track_count -= 1;
                    surplus -= 1;
                } else {
                    artist.track_count += 1;
                    surplus += 1;
                }
            }
        }
    }
}
