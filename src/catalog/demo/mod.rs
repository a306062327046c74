//! The demo catalog: 20,000 invented tracks by 1,000 invented artists across twelve
//! genres, seeded into an empty database so the app is useful before any real import.
//!
//! It is deterministic (its own fixed-seed generator, `catalog::rng`), so every machine
//! and every version of the dependencies produce exactly the same catalog, and it is
//! labelled as demo data (`SourceKind::Demo`, `SOURCE_NAME`) wherever the catalog is
//! named. The feature distributions per genre live in `genres.rs`, the artists in
//! `artists.rs`, their tracks in `tracks.rs`, names and titles in `names.rs` (from the
//! word lists in `words.rs`).

mod artists;
mod genres;
mod names;
mod tracks;
mod words;

use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::db::DbConnection;

use self::{artists::invent_artists, genres::GENRES, tracks::write_artist_tracks};
use super::{
    rng::{mix, Rng},
    NewTrack, TrackKeys,
};
use crate::db::{
    catalog_meta::{self, SourceKind},
    catalog_writer::{catalog_transaction, clear_catalog, CatalogWriter},
    now_unix,
};

/// How many tracks the demo catalog has.
pub const TRACK_COUNT: usize = 20_000;
/// How many artists lead those tracks (every one leads at least one).
pub const ARTIST_COUNT: usize = 1_000;
/// The catalog's name wherever the loaded catalog is shown.
pub const SOURCE_NAME: &str = "Demo catalog (invented data)";
/// Every demo Spotify id starts with this, so no one mistakes one for a real track.
pub const ID_PREFIX: &str = "demo";
/// Changing the seed (or anything the generator draws) changes the whole catalog;
/// `tests::fingerprint_is_stable` pins it.
const SEED: u64 = 0x5EED_DE30_CA7A_1065;

/// What seeding did and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedStats {
    pub tracks: u64,
    pub artists: u64,
    /// Time to invent the tracks in memory.
    pub generate: Duration,
    /// Time to write them (one transaction, including artist aggregates).
    pub write: Duration,
}

/// Every demo track, always the same ones in the same order.
pub fn generate() -> Vec<NewTrack> {
    let mut rng = Rng::new(SEED);
    let artists = invent_artists(&mut rng.fork(1));
    let mut by_genre: Vec<Vec<usize>> = vec![Vec::new(); GENRES.len()];
    for (i, artist) in artists.iter().enumerate() {
        by_genre[artist.genre].push(i);
    }
    let mut tracks_rng = rng.fork(2);
    let mut out = Vec::with_capacity(TRACK_COUNT);
    for (i, artist) in artists.iter().enumerate() {
        // One stream per artist: tuning one artist's draws leaves the others unchanged.
        let mut artist_rng = tracks_rng.fork(i as u64);
        let peers = &by_genre[artist.genre];
        write_artist_tracks(artist, &artists, peers, &mut artist_rng, &mut out);
    }
    out
}

/// Replaces whatever the catalog holds with the demo catalog, in one transaction.
pub fn seed(conn: &mut DbConnection) -> QueryResult<SeedStats> {
    let started = Instant::now();
    let demo = generate();
    let generate = started.elapsed();
    catalog_transaction(conn, |conn| {
        clear_catalog(conn)?;
        write(conn, &demo, generate)
    })
}

/// What `seed_if_empty` did.
#[derive(Debug)]
pub enum Seeding {
    /// The catalog has tracks: nothing done.
    HasTracks,
    /// The catalog is empty, but accounts exist: not seeded (see `seed_if_empty`).
    EmptyBesideAccounts,
    Seeded(SeedStats),
}

/// Seeds the demo catalog if the catalog has no tracks and nobody has an account yet.
/// The check and the write share one immediate (write-locked) transaction, so two
/// servers starting at once on the same file cannot both seed. Accounts beside an
/// empty catalog mean a catalog lost (a main file restored without its catalog file)
/// or emptied on purpose: invented tracks there would take the ids the accounts' saved
/// seeds name, and show other songs under them, so the catalog stays empty.
pub fn seed_if_empty(conn: &mut DbConnection) -> QueryResult<Seeding> {
    catalog_transaction(conn, |conn| {
        if catalog_meta::has_tracks(conn)? {
            return Ok(Seeding::HasTracks);
        }
        if crate::db::users::any(conn)? {
            return Ok(Seeding::EmptyBesideAccounts);
        }
        let started = Instant::now();
        let demo = generate();
        write(conn, &demo, started.elapsed()).map(Seeding::Seeded)
    })
}

fn write(conn: &mut DbConnection, demo: &[NewTrack], generate: Duration) -> QueryResult<SeedStats> {
    let started = Instant::now();
    let mut writer = CatalogWriter::new(conn)?;
    for track in demo {
        writer.write_keyed(conn, track.clone(), TrackKeys::of(track))?;
    }
    let written = writer.finish(conn, SourceKind::Demo, SOURCE_NAME, now_unix())?;
    let artists = catalog_meta::artist_count(conn)?;
    Ok(SeedStats {
        tracks: written.inserted + written.updated,
        artists: artists as u64,
        generate,
        write: started.elapsed(),
    })
}

/// A demo Spotify id: `demo` and 18 base-62 digits. The last 11 digits encode a bijective
/// mix of the track's number (62^11 > 2^64), so ids are unique; the first 7 are noise so
/// that they look as random as real ones.
pub fn demo_id(number: u64) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut digits = [b'0'; 18];
    let (noise, unique) = digits.split_at_mut(7);
    for (slots, mut value) in [(unique, mix(number ^ SEED)), (noise, mix(!number ^ SEED))] {
        for slot in slots.iter_mut().rev() {
            *slot = DIGITS[(value % 62) as usize];
            value /= 62;
        }
    }
    let mut id = String::with_capacity(22);
    id.push_str(ID_PREFIX);
    id.extend(digits.iter().map(|&b| char::from(b)));
    id
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::catalog::demo::genres::LAST_YEAR;

    /// FNV-1a over every field of every track, using exact bit patterns for numbers.
    fn fingerprint(tracks: &[NewTrack]) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for t in tracks {
            eat(t.spotify_id.as_deref().unwrap_or("").as_bytes());
            eat(t.name.as_bytes());
            for a in &t.artists {
                eat(a.as_bytes());
            }
            eat(t.album.as_deref().unwrap_or("").as_bytes());
            eat(t.first_genre().unwrap_or("").as_bytes());
            for n in [
                t.release_year,
                t.popularity,
                t.duration_ms,
                t.explicit.map(i32::from),
                t.musical_key,
                t.mode,
                t.time_signature,
            ] {
                eat(&n.unwrap_or(-1).to_le_bytes());
            }
            for f in crate::catalog::Feature::AUDIO {
                eat(&t
                    .features
                    .get(f)
                    .unwrap_or(f64::NAN)
                    .to_bits()
                    .to_le_bytes());
            }
        }
        hash
    }

    fn by_genre(tracks: &[NewTrack]) -> HashMap<&str, Vec<&NewTrack>> {
        let mut groups: HashMap<&str, Vec<&NewTrack>> = HashMap::new();
        for t in tracks {
            groups
                .entry(t.first_genre().unwrap_or(""))
                .or_default()
                .push(t);
        }
        groups
    }

    fn mean(tracks: &[&NewTrack], feature: crate::catalog::Feature) -> f64 {
        tracks
            .iter()
            .map(|t| t.features.get(feature).unwrap_or(0.0))
            .sum::<f64>()
            / tracks.len() as f64
    }

    #[test]
    fn generation_is_deterministic() {
        assert!(generate() == generate());
    }

    /// Pins the catalog: the same tracks on every machine and after dependency upgrades.
    /// If you change the generator on purpose, update these values in the same commit.
    #[test]
    fn fingerprint_is_stable() {
        let tracks = generate();
        let first = &tracks[0];
        assert_eq!(first.spotify_id.as_deref(), Some(FIRST_ID));
        assert_eq!(first.artists, vec![FIRST_ARTIST.to_string()]);
        assert_eq!(first.name, FIRST_TITLE);
        assert_eq!(
            fingerprint(&tracks),
            FINGERPRINT,
            "{:#x}",
            fingerprint(&tracks)
        );
    }

    const FIRST_ID: &str = "demo52U2hSXEMueKScdrET";
    const FIRST_ARTIST: &str = "Lena Abernethy";
    const FIRST_TITLE: &str = "Faded Mirror";
    const FINGERPRINT: u64 = 0x8d85_c435_0438_2cb9;

    #[test]
    fn counts_match_the_promise_with_a_long_tail() {
        let tracks = generate();
        assert_eq!(tracks.len(), TRACK_COUNT);
        let mut per_artist: HashMap<&str, usize> = HashMap::new();
        for t in &tracks {
            *per_artist.entry(t.artists[0].as_str()).or_default() += 1;
        }
        assert_eq!(per_artist.len(), ARTIST_COUNT);
        assert_eq!(by_genre(&tracks).len(), GENRES.len());
        let artists_with = |range: std::ops::RangeInclusive<usize>| {
            per_artist.values().filter(|n| range.contains(n)).count()
        };
        assert!(
            artists_with(80..=usize::MAX) >= 5,
            "a few stars with long catalogues"
        );
        assert!(artists_with(1..=3) >= 50, "a tail of one-off releases");
        assert!(
            artists_with(5..=20) >= ARTIST_COUNT * 2 / 5,
            "most artists are mid-sized"
        );
        let collaborations = tracks.iter().filter(|t| t.artists.len() > 1).count();
        assert!(
            (TRACK_COUNT / 100..TRACK_COUNT / 10).contains(&collaborations),
            "{collaborations} multi-artist tracks"
        );
        assert!(tracks.iter().any(|t| t.artists.len() == 3));
    }

    #[test]
    fn artist_names_are_unique_regardless_of_case_and_some_have_accents() {
        let tracks = generate();
        let mut lead: Vec<&str> = tracks.iter().map(|t| t.artists[0].as_str()).collect();
        lead.dedup();
        let keys: HashSet<String> = lead.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(
            keys.len(),
            ARTIST_COUNT,
            "names repeat or one artist's tracks are split"
        );
        assert!(lead.iter().any(|n| !n.is_ascii()), "no accented names");
        for t in &tracks {
            for guest in &t.artists[1..] {
                assert!(
                    keys.contains(&guest.to_lowercase()),
                    "unknown guest {guest}"
                );
                assert_ne!(guest, &t.artists[0]);
            }
        }
    }

    #[test]
    fn every_value_is_inside_its_real_range() {
        for t in generate() {
            let f = &t.features;
            assert_eq!(f.validate(), Ok(()), "{}", t.name);
            assert!((60.0..=200.0).contains(&f.tempo), "tempo {}", f.tempo);
            assert!(
                (-30.0..=-2.0).contains(&f.loudness),
                "loudness {}",
                f.loudness
            );
            let genre = GENRES.iter().find(|g| Some(g.name) == t.first_genre());
            let first_year = genre.map(|g| g.first_year).unwrap_or(i32::MAX);
            assert!(matches!(t.release_year, Some(y) if (first_year..=LAST_YEAR).contains(&y)));
            assert!(matches!(t.popularity, Some(0..=100)));
            assert!(matches!(t.duration_ms, Some(45_000..=1_200_000)));
            assert!(matches!(t.musical_key, Some(0..=11)));
            assert!(matches!(t.mode, Some(0 | 1)));
            assert!(matches!(t.time_signature, Some(1 | 3 | 4 | 5)));
            assert!(t.explicit.is_some());
            assert!(!t.name.trim().is_empty() && t.album.as_deref().is_some_and(|a| !a.is_empty()));
        }
    }

    #[test]
    fn ids_are_unique_and_clearly_fake() {
        let tracks = generate();
        let ids: HashSet<&str> = tracks
            .iter()
            .filter_map(|t| t.spotify_id.as_deref())
            .collect();
        assert_eq!(ids.len(), TRACK_COUNT);
        // Every release has an id of the same kind, none a track's, and its tracks
        // agree on its title, year and main artist.
        let mut releases: HashMap<&str, (&Option<String>, Option<i32>, &str)> = HashMap::new();
        for t in &tracks {
            let album = t.album_spotify_id.as_deref().expect("an album id");
            assert!(!ids.contains(album), "{album}");
            let release = (&t.album, t.release_year, t.artists[0].as_str());
            assert_eq!(
                *releases.entry(album).or_insert(release),
                release,
                "{album}"
            );
        }
        assert!(releases.len() > 1000, "{}", releases.len());
        for id in ids.iter().chain(releases.keys()) {
            assert_eq!(id.len(), 22);
            assert!(id.starts_with(ID_PREFIX));
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn genres_sound_the_way_listeners_expect() {
        use crate::catalog::Feature::*;
        let tracks = generate();
        let groups = by_genre(&tracks);
        let m = |genre: &str, feature| mean(&groups[genre], feature);
        // Acoustic genres are acoustic and calm; dance music is the opposite.
        for acoustic in ["folk", "classical", "jazz"] {
            assert!(
                m(acoustic, Acousticness) > 3.0 * m("edm", Acousticness),
                "{acoustic}"
            );
            assert!(m(acoustic, Energy) < m("edm", Energy) - 0.3, "{acoustic}");
        }
        assert!(m("edm", Danceability) > m("classical", Danceability) + 0.3);
        // Hip hop has the most words.
        let wordiest = GENRES
            .iter()
            .max_by(|a, b| m(a.name, Speechiness).total_cmp(&m(b.name, Speechiness)))
            .map(|g| g.name);
        assert_eq!(wordiest, Some("hip-hop"));
        // Classical and ambient are mostly instrumental; pop and hip hop are sung.
        for instrumental in ["classical", "ambient"] {
            assert!(m(instrumental, Instrumentalness) > 0.6, "{instrumental}");
            assert!(
                m(instrumental, Loudness) < m("pop", Loudness) - 8.0,
                "{instrumental}"
            );
        }
        assert!(m("pop", Instrumentalness) < 0.05 && m("hip-hop", Instrumentalness) < 0.05);
        // Metal is the most intense and darker than pop; latin is the brightest.
        let most = |feature| {
            GENRES
                .iter()
                .max_by(|a, b| m(a.name, feature).total_cmp(&m(b.name, feature)))
                .map(|g| g.name)
        };
        assert_eq!(most(Energy), Some("metal"));
        assert_eq!(most(Valence), Some("latin"));
        assert!(m("metal", Valence) < m("pop", Valence) - 0.15);
        let explicit = |genre: &str| {
            let ts = &groups[genre];
            ts.iter().filter(|t| t.explicit == Some(true)).count() as f64 / ts.len() as f64
        };
        assert!(explicit("hip-hop") > 0.4 && explicit("classical") == 0.0);
    }

    #[test]
    fn artists_of_one_genre_sound_different_from_each_other() {
        let tracks = generate();
        let mut energy: HashMap<&str, (f64, usize)> = HashMap::new();
        for t in tracks.iter().filter(|t| t.first_genre() == Some("pop")) {
            let entry = energy.entry(t.artists[0].as_str()).or_default();
            entry.0 += t.features.energy;
            entry.1 += 1;
        }
        let means: Vec<f64> = energy
            .values()
            .filter(|(_, n)| *n >= 10)
            .map(|(sum, n)| sum / *n as f64)
            .collect();
        let avg = means.iter().sum::<f64>() / means.len() as f64;
        let sd =
            (means.iter().map(|x| (x - avg) * (x - avg)).sum::<f64>() / means.len() as f64).sqrt();
        assert!(
            sd > 0.04,
            "pop artists all sound alike (sd of their mean energy {sd})"
        );
    }
}
