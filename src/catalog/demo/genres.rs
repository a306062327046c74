//! How each demo genre sounds: the typical values and spreads of its audio features and
//! metadata, chosen to resemble the per-genre averages of public Spotify datasets
//! (acoustic genres high in acousticness, dance music loud and danceable, hip hop wordy,
//! classical and ambient instrumental, metal intense and dark, latin bright and danceable).

/// The typical value of a 0..1 feature and how widely it varies.
///
/// Values are drawn on the logistic scale: `logistic(logit(median) + noise)`, which keeps
/// every draw strictly inside 0..1 and gives the skew real data has near the ends (most
/// pop tracks have instrumentalness near 0 with a long tail upwards).
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    /// Standard deviation, in logit units, between the artists of the genre.
    pub artist_sd: f64,
    /// Standard deviation, in logit units, between the tracks of one artist.
    pub track_sd: f64,
}

const fn s(median: f64, artist_sd: f64, track_sd: f64) -> Spread {
    Spread {
        median,
        artist_sd,
        track_sd,
    }
}

/// How an artist of a genre gets a name (see `names.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// "Léa Marchetti", "Wade Holloway".
    Person,
    /// "The Paper Kestrels".
    Band,
    /// "Lil Zavo", "Kid Merrow".
    Rapper,
    /// "Vantrelle", "Oskalo".
    Producer,
    /// "Joaquín Ibarrondo", "Marisol Ocampera".
    Latin,
    /// "The Ashcombe Quartet", "Isolde Varnhagen".
    Ensemble,
    /// "Saffron Meridian".
    Texture,
    /// "Milo Castellan Trio".
    JazzGroup,
}

/// Everything the generator needs to know about one genre.
#[derive(Debug, Clone, Copy)]
pub struct GenreProfile {
    /// Stored in `tracks.genre`, lower case like the TidyTuesday dataset.
    pub name: &'static str,
    /// Relative share of the catalog's artists.
    pub artist_share: f64,
    pub danceability: Spread,
    pub energy: Spread,
    pub acousticness: Spread,
    pub instrumentalness: Spread,
    pub valence: Spread,
    pub speechiness: Spread,
    pub liveness: Spread,
    /// Typical tempo (BPM) and its spread between artists; tracks vary a little more.
    pub tempo: (f64, f64),
    /// Typical loudness (dB) and its spread.
    pub loudness: (f64, f64),
    /// Typical duration (seconds) and its spread.
    pub duration_secs: (f64, f64),
    /// The earliest release year the genre's artists start in.
    pub first_year: i32,
    /// Share of explicit tracks.
    pub explicit: f64,
    /// Share of tracks in a major key.
    pub major: f64,
    /// Share of tracks in 3/4 time.
    pub triple_meter: f64,
    /// Share of live recordings (liveness near 1).
    pub live: f64,
    /// Naming styles of the genre's artists, with weights.
    pub names: &'static [(NameStyle, f64)],
}

/// The last release year in the demo catalog.
pub const LAST_YEAR: i32 = 2025;

use NameStyle::*;

pub const GENRES: [GenreProfile; 12] = [
    GenreProfile {
        name: "pop",
        artist_share: 14.0,
        danceability: s(0.64, 0.35, 0.55),
        energy: s(0.68, 0.4, 0.6),
        acousticness: s(0.14, 0.7, 1.1),
        instrumentalness: s(0.003, 1.0, 1.6),
        valence: s(0.52, 0.4, 0.7),
        speechiness: s(0.055, 0.35, 0.55),
        liveness: s(0.13, 0.3, 0.55),
        tempo: (119.0, 14.0),
        loudness: (-5.8, 1.5),
        duration_secs: (205.0, 28.0),
        first_year: 1975,
        explicit: 0.10,
        major: 0.62,
        triple_meter: 0.02,
        live: 0.015,
        names: &[(Person, 6.0), (Band, 2.0), (Producer, 1.0)],
    },
    GenreProfile {
        name: "rock",
        artist_share: 11.0,
        danceability: s(0.50, 0.35, 0.55),
        energy: s(0.76, 0.45, 0.65),
        acousticness: s(0.08, 0.8, 1.2),
        instrumentalness: s(0.015, 1.2, 1.8),
        valence: s(0.50, 0.4, 0.7),
        speechiness: s(0.045, 0.3, 0.5),
        liveness: s(0.17, 0.35, 0.6),
        tempo: (124.0, 16.0),
        loudness: (-7.0, 2.0),
        duration_secs: (235.0, 45.0),
        first_year: 1965,
        explicit: 0.07,
        major: 0.66,
        triple_meter: 0.03,
        live: 0.05,
        names: &[(Band, 7.0), (Person, 3.0)],
    },
    GenreProfile {
        name: "hip-hop",
        artist_share: 12.0,
        danceability: s(0.75, 0.35, 0.55),
        energy: s(0.64, 0.35, 0.55),
        acousticness: s(0.12, 0.7, 1.1),
        instrumentalness: s(0.0008, 1.0, 1.6),
        valence: s(0.48, 0.4, 0.7),
        speechiness: s(0.22, 0.45, 0.6),
        liveness: s(0.16, 0.3, 0.55),
        tempo: (112.0, 20.0),
        loudness: (-6.4, 1.6),
        duration_secs: (200.0, 38.0),
        first_year: 1986,
        explicit: 0.55,
        major: 0.48,
        triple_meter: 0.01,
        live: 0.015,
        names: &[(Rapper, 6.0), (Person, 2.0), (Producer, 1.0)],
    },
    GenreProfile {
        name: "r&b",
        artist_share: 8.0,
        danceability: s(0.66, 0.35, 0.5),
        energy: s(0.55, 0.4, 0.6),
        acousticness: s(0.24, 0.7, 1.0),
        instrumentalness: s(0.002, 1.0, 1.6),
        valence: s(0.47, 0.4, 0.7),
        speechiness: s(0.085, 0.45, 0.6),
        liveness: s(0.14, 0.3, 0.55),
        tempo: (104.0, 16.0),
        loudness: (-7.4, 1.8),
        duration_secs: (220.0, 38.0),
        first_year: 1970,
        explicit: 0.22,
        major: 0.50,
        triple_meter: 0.04,
        live: 0.02,
        names: &[(Person, 7.0), (Band, 1.0), (Rapper, 1.0)],
    },
    GenreProfile {
        name: "edm",
        artist_share: 10.0,
        danceability: s(0.68, 0.3, 0.45),
        energy: s(0.83, 0.4, 0.55),
        acousticness: s(0.025, 0.8, 1.2),
        instrumentalness: s(0.25, 1.2, 1.6),
        valence: s(0.38, 0.4, 0.7),
        speechiness: s(0.06, 0.35, 0.55),
        liveness: s(0.18, 0.35, 0.6),
        tempo: (126.0, 6.0),
        loudness: (-5.0, 1.4),
        duration_secs: (225.0, 55.0),
        first_year: 1995,
        explicit: 0.06,
        major: 0.46,
        triple_meter: 0.005,
        live: 0.02,
        names: &[(Producer, 7.0), (Person, 1.0), (Texture, 1.0)],
    },
    GenreProfile {
        name: "latin",
        artist_share: 8.0,
        danceability: s(0.74, 0.3, 0.45),
        energy: s(0.72, 0.35, 0.55),
        acousticness: s(0.18, 0.7, 1.0),
        instrumentalness: s(0.0008, 1.0, 1.6),
        valence: s(0.66, 0.4, 0.65),
        speechiness: s(0.075, 0.4, 0.55),
        liveness: s(0.15, 0.3, 0.55),
        tempo: (110.0, 18.0),
        loudness: (-5.2, 1.5),
        duration_secs: (210.0, 30.0),
        first_year: 1980,
        explicit: 0.18,
        major: 0.55,
        triple_meter: 0.02,
        live: 0.03,
        names: &[(Latin, 8.0), (Band, 1.0)],
    },
    GenreProfile {
        name: "jazz",
        artist_share: 6.0,
        danceability: s(0.55, 0.3, 0.5),
        energy: s(0.34, 0.45, 0.65),
        acousticness: s(0.76, 0.6, 0.9),
        instrumentalness: s(0.45, 1.4, 1.8),
        valence: s(0.48, 0.4, 0.75),
        speechiness: s(0.045, 0.3, 0.45),
        liveness: s(0.15, 0.35, 0.6),
        tempo: (116.0, 22.0),
        loudness: (-11.5, 3.0),
        duration_secs: (320.0, 95.0),
        first_year: 1955,
        explicit: 0.0,
        major: 0.56,
        triple_meter: 0.08,
        live: 0.09,
        names: &[(JazzGroup, 5.0), (Person, 4.0)],
    },
    GenreProfile {
        name: "classical",
        artist_share: 5.0,
        danceability: s(0.28, 0.35, 0.5),
        energy: s(0.12, 0.5, 0.7),
        acousticness: s(0.96, 0.6, 0.8),
        instrumentalness: s(0.88, 0.8, 1.1),
        valence: s(0.22, 0.45, 0.8),
        speechiness: s(0.043, 0.25, 0.4),
        liveness: s(0.11, 0.35, 0.55),
        tempo: (106.0, 22.0),
        loudness: (-20.0, 4.0),
        duration_secs: (330.0, 150.0),
        first_year: 1958,
        explicit: 0.0,
        major: 0.60,
        triple_meter: 0.20,
        live: 0.04,
        names: &[(Ensemble, 5.0), (Person, 4.0)],
    },
    GenreProfile {
        name: "folk",
        artist_share: 6.0,
        danceability: s(0.52, 0.3, 0.5),
        energy: s(0.33, 0.45, 0.6),
        acousticness: s(0.82, 0.6, 0.85),
        instrumentalness: s(0.012, 1.2, 1.8),
        valence: s(0.42, 0.4, 0.7),
        speechiness: s(0.038, 0.25, 0.4),
        liveness: s(0.13, 0.3, 0.55),
        tempo: (114.0, 18.0),
        loudness: (-10.5, 2.8),
        duration_secs: (225.0, 45.0),
        first_year: 1962,
        explicit: 0.02,
        major: 0.66,
        triple_meter: 0.10,
        live: 0.06,
        names: &[(Person, 6.0), (Band, 3.0)],
    },
    GenreProfile {
        name: "metal",
        artist_share: 6.0,
        danceability: s(0.40, 0.3, 0.5),
        energy: s(0.93, 0.45, 0.6),
        acousticness: s(0.004, 1.0, 1.3),
        instrumentalness: s(0.06, 1.3, 1.8),
        valence: s(0.25, 0.45, 0.7),
        speechiness: s(0.075, 0.4, 0.55),
        liveness: s(0.20, 0.35, 0.6),
        tempo: (130.0, 20.0),
        loudness: (-4.8, 1.3),
        duration_secs: (280.0, 70.0),
        first_year: 1975,
        explicit: 0.12,
        major: 0.38,
        triple_meter: 0.03,
        live: 0.05,
        names: &[(Band, 9.0), (Person, 1.0)],
    },
    GenreProfile {
        name: "country",
        artist_share: 7.0,
        danceability: s(0.58, 0.3, 0.45),
        energy: s(0.64, 0.4, 0.6),
        acousticness: s(0.24, 0.7, 1.0),
        instrumentalness: s(0.001, 1.0, 1.5),
        valence: s(0.56, 0.4, 0.7),
        speechiness: s(0.038, 0.25, 0.4),
        liveness: s(0.16, 0.3, 0.55),
        tempo: (122.0, 16.0),
        loudness: (-6.4, 1.6),
        duration_secs: (205.0, 28.0),
        first_year: 1965,
        explicit: 0.03,
        major: 0.80,
        triple_meter: 0.07,
        live: 0.04,
        names: &[(Person, 8.0), (Band, 2.0)],
    },
    GenreProfile {
        name: "ambient",
        artist_share: 5.0,
        danceability: s(0.24, 0.35, 0.55),
        energy: s(0.13, 0.5, 0.7),
        acousticness: s(0.78, 0.7, 1.0),
        instrumentalness: s(0.90, 0.8, 1.0),
        valence: s(0.11, 0.5, 0.8),
        speechiness: s(0.042, 0.25, 0.4),
        liveness: s(0.10, 0.3, 0.5),
        tempo: (96.0, 18.0),
        loudness: (-17.5, 4.0),
        duration_secs: (330.0, 120.0),
        first_year: 1980,
        explicit: 0.0,
        major: 0.55,
        triple_meter: 0.05,
        live: 0.01,
        names: &[(Texture, 6.0), (Producer, 2.0), (Person, 1.0)],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_sane() {
        let mut names: Vec<&str> = GENRES.iter().map(|g| g.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), GENRES.len(), "genre names repeat");
        for g in &GENRES {
            for spread in [
                g.danceability,
                g.energy,
                g.acousticness,
                g.instrumentalness,
                g.valence,
                g.speechiness,
                g.liveness,
            ] {
                assert!(spread.median > 0.0 && spread.median < 1.0, "{}", g.name);
            }
            for p in [g.explicit, g.major, g.triple_meter, g.live] {
                assert!((0.0..=1.0).contains(&p), "{}", g.name);
            }
            assert!(g.first_year >= 1950 && g.first_year < LAST_YEAR);
            assert!(!g.names.is_empty());
        }
    }
}
