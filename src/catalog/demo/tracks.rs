//! The invented tracks of one artist: releases, titles, credits, sound and metadata.

use std::collections::HashSet;

use super::{
    artists::{unit_spreads, Artist},
    demo_id,
    genres::{GenreProfile, GENRES},
    names::{album_title, track_title, TitleStyle, Tonality},
};
use crate::catalog::{
    rng::{logistic, logit, Rng},
    AudioFeatures, NewTrack,
};

/// Where the numbers behind the releases' ids start (`demo_id`), past any track's.
const ALBUM_NUMBERS: u64 = 1 << 40;

/// Pitch classes in the proportions Spotify's catalogue has them (C and G most common,
/// E-flat rarest).
const KEY_WEIGHTS: [f64; 12] = [
    12.0, 9.0, 10.0, 3.0, 8.0, 8.0, 7.0, 11.0, 7.0, 9.0, 7.0, 8.0,
];

/// Share of tracks that credit a second artist, by genre; collaborations are the norm
/// in hip hop and latin and rare in classical and ambient.
fn collaboration_rate(genre: &str) -> f64 {
    match genre {
        "hip-hop" => 0.16,
        "latin" => 0.12,
        "r&b" | "edm" => 0.10,
        "pop" => 0.08,
        _ => 0.025,
    }
}

pub fn write_artist_tracks(
    artist: &Artist,
    all: &[Artist],
    peers: &[usize],
    rng: &mut Rng,
    out: &mut Vec<NewTrack>,
) {
    let g = &GENRES[artist.genre];
    let style = TitleStyle::for_genre(g.name);
    let albums = album_plan(artist, rng);
    let mut titles = HashSet::new();
    for (size, year) in albums {
        let album = if size == 1 {
            None // a single: named after its track below
        } else {
            Some(album_title(style, rng))
        };
        // Numbered by the release's first track, far from the tracks' own numbers: an
        // id of the same invented kind as the tracks', so the API's album endpoints
        // answer on the demo too.
        let album_id = demo_id(ALBUM_NUMBERS + out.len() as u64);
        for _ in 0..size {
            let mut track = invent_track(artist, g, year, rng);
            let tonality = Tonality {
                key: track.musical_key.unwrap_or(0),
                major: track.mode == Some(1),
                triple_meter: track.time_signature == Some(3),
            };
            let mut title = track_title(style, &tonality, rng);
            // Retitle a repeat a few times, then mark it as a new version.
            for _ in 0..6 {
                if !titles.contains(&title.to_lowercase()) {
                    break;
                }
                title = track_title(style, &tonality, rng);
            }
            if titles.contains(&title.to_lowercase()) {
                title = format!("{title} ({} Version)", year);
            }
            titles.insert(title.to_lowercase());
            if track.features.liveness >= 0.7 {
                title.push_str(" - Live");
            }
            track.album = Some(album.clone().unwrap_or_else(|| title.clone()));
            track.album_spotify_id = Some(album_id.clone());
            track.name = title;
            track.artists = credits(artist, all, peers, rng);
            track.spotify_id = Some(demo_id(out.len() as u64));
            out.push(track);
        }
    }
}

/// How an artist's tracks fall into releases: (tracks on it, release year), oldest
/// first. Artists with a handful of tracks release singles; the others albums of 6 to
/// 14 tracks spread over their career.
fn album_plan(artist: &Artist, rng: &mut Rng) -> Vec<(usize, i32)> {
    let mut sizes = Vec::new();
    let mut left = artist.track_count;
    while left > 0 {
        let size = if artist.track_count <= 3 {
            1
        } else {
            (rng.int(6, 14) as usize).min(left)
        };
        sizes.push(size);
        left -= size;
    }
    let career = (artist.last_year - artist.first_year) as f64;
    let releases = sizes.len();
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, size)| {
            let position = if releases == 1 {
                rng.unit()
            } else {
                i as f64 / (releases - 1) as f64
            };
            (size, artist.first_year + (career * position).round() as i32)
        })
        .collect()
}

/// The credits of one track: the artist, sometimes with one or two peers of the genre.
fn credits(artist: &Artist, all: &[Artist], peers: &[usize], rng: &mut Rng) -> Vec<String> {
    let mut credits = vec![artist.name.clone()];
    let genre = GENRES[artist.genre].name;
    if peers.len() < 3 || !rng.chance(collaboration_rate(genre)) {
        return credits;
    }
    let guests = if rng.chance(0.1) { 2 } else { 1 };
    while credits.len() < 1 + guests {
        let guest = &all[*rng.pick(peers)];
        if !credits.contains(&guest.name) {
            credits.push(guest.name.clone());
        }
    }
    credits
}

/// One track's sound and metadata (title, album and credits are filled in by the caller).
fn invent_track(artist: &Artist, g: &GenreProfile, year: i32, rng: &mut Rng) -> NewTrack {
    let major = rng.chance(g.major);
    let live = rng.chance(g.live);
    // One shared "intensity" per track ties the features together the way they are in
    // real recordings: energetic tracks are louder and less acoustic.
    let intensity = rng.normal();
    let spreads = unit_spreads(g);
    let mut unit = [0.0; 7];
    for (i, value) in unit.iter_mut().enumerate() {
        let spread = spreads[i];
        let mut x = logit(spread.median) + artist.offsets[i] + rng.gauss(0.0, spread.track_sd);
        x += match i {
            0 => 0.15 * intensity,  // danceability
            1 => 0.45 * intensity,  // energy
            2 => -0.35 * intensity, // acousticness
            4 if major => 0.15,     // valence: major keys sound brighter
            4 => -0.2,
            _ => 0.0,
        };
        *value = logistic(x);
    }
    if live {
        unit[6] = rng.range(0.7, 0.98);
    }
    let [danceability, energy, acousticness, instrumentalness, valence, speechiness, liveness] =
        unit;
    let tempo = (artist.tempo + rng.gauss(0.0, 6.0)).clamp(60.0, 200.0);
    let loudness = artist.loudness
        + rng.gauss(0.0, g.loudness.1 * 0.6)
        + 1.8 * intensity
        + if live { -1.0 } else { 0.0 };
    let duration = rng.gauss(g.duration_secs.0, g.duration_secs.1) * artist.length_factor;
    // Streaming popularity favours recent releases.
    let popularity = artist.popularity + rng.gauss(0.0, 9.0) + 0.25 * (year - 2005) as f64;
    let time_signature =
        match rng.weighted(&[1.0 - g.triple_meter - 0.01, g.triple_meter, 0.005, 0.005]) {
            0 => 4,
            1 => 3,
            2 => 5,
            _ => 1,
        };
    NewTrack {
        spotify_id: None,
        name: String::new(),
        artists: Vec::new(),
        album: None,
        album_spotify_id: None,
        release_year: Some(year),
        release_date: None,
        genres: vec![crate::catalog::GenreTag::new(g.name)],
        popularity: Some(popularity.clamp(0.0, 100.0).round() as i32),
        duration_ms: Some((duration.clamp(45.0, 1_200.0) * 1000.0).round() as i32),
        explicit: Some(rng.chance(artist.explicit)),
        musical_key: Some(rng.weighted(&KEY_WEIGHTS) as i32),
        mode: Some(i32::from(major)),
        time_signature: Some(time_signature),
        features: AudioFeatures {
            danceability: round_to(danceability, 3),
            energy: round_to(energy, 3),
            acousticness: round_significant(acousticness),
            instrumentalness: round_significant(instrumentalness),
            valence: round_to(valence, 3),
            speechiness: round_to(speechiness, 4),
            liveness: round_to(liveness, 4),
            tempo: round_to(tempo, 3),
            loudness: round_to(loudness.clamp(-30.0, -2.0), 3),
        },
    }
}

/// Rounds to a number of decimals, as Spotify reports most features.
fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1_000.0, 10_000.0][decimals as usize];
    (value * scale).round() / scale
}

/// Rounds to three significant digits, as Spotify reports acousticness and
/// instrumentalness (which often sit at 1e-5 or below).
fn round_significant(value: f64) -> f64 {
    let mut scale = 1_000.0;
    let mut scaled = value;
    while scaled < 0.1 && scale < 1e12 {
        scaled *= 10.0;
        scale *= 10.0;
    }
    ((value * scale).round() / scale).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_follows_spotifys_precision() {
        assert_eq!(round_to(0.123_456, 3), 0.123);
        assert_eq!(round_to(0.999_9, 3), 1.0);
        assert_eq!(round_significant(0.000_012_345), 0.000_012_3);
        assert_eq!(round_significant(0.876_54), 0.877);
    }
}
