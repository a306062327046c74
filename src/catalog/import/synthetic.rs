//! A deterministic, clearly synthetic dataset in the TidyTuesday `spotify_songs.csv`
//! layout, for import benchmarks. Names say "Synthetic"; ids are made up; about one row
//! in seven repeats an earlier track under another playlist, as the real file does.

use std::io::{self, Write};

use crate::catalog::rng::Rng;

/// The TidyTuesday 2020-01-21 header.
pub const TIDYTUESDAY_HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

const GENRES: [&str; 6] = ["pop", "rap", "rock", "latin", "r&b", "edm"];
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 22-character base-62 id derived from a number (unique per number and salt).
fn fake_id(n: u64, salt: u64) -> String {
    let mut rng = Rng::new(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ salt);
    (0..22)
        .map(|_| BASE62[rng.below(62) as usize] as char)
        .collect()
}

/// Writes `rows` data rows (plus the header). The same `seed` gives the same bytes.
pub fn write_tidytuesday_csv<W: Write>(out: W, rows: u64, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    writeln!(out, "{TIDYTUESDAY_HEADER}")?;
    let mut rng = Rng::new(seed);
    let artists = (rows / 3).max(1);
    let mut tracks = 0u64;
    for _ in 0..rows {
        // One row in seven repeats an earlier track (listed in another playlist).
        let track = if tracks > 0 && rng.below(7) == 0 {
            rng.below(tracks)
        } else {
            tracks += 1;
            tracks - 1
        };
        // Per-track values come from a generator seeded by the track, so a repeated
        // track repeats its values.
        let mut t = Rng::new(seed ^ track.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let artist = t.below(artists);
        let genre = GENRES[t.below(GENRES.len() as u64) as usize];
        let year = 1960 + t.below(61);
        let date = match t.below(10) {
            0 => format!("{year}"),
            1 => format!("{year}-{:02}", 1 + t.below(12)),
            _ => format!("{year}-{:02}-{:02}", 1 + t.below(12), 1 + t.below(28)),
        };
        let instrumental = t.unit().powi(6);
        let playlist = rng.below(500);
        writeln!(
            out,
            "{},Synthetic Song {track},Synthetic Artist {artist},{},{},Synthetic Album {},{date},Synthetic Playlist {playlist},{},{genre},synthetic {genre},{:.3},{:.3},{},{:.3},{},{:.4},{:.4},{:e},{:.4},{:.3},{:.3},{}",
            fake_id(track, 1),
            t.below(101),
            fake_id(track / 2, 2),
            track / 2,
            fake_id(playlist, 3),
            t.unit(),
            t.unit(),
            t.below(12),
            -30.0 * t.unit(),
            t.below(2),
            0.5 * t.unit(),
            t.unit(),
            (instrumental * 1e6).round() / 1e6,
            t.unit(),
            t.unit(),
            60.0 + 140.0 * t.unit(),
            90_000 + t.below(300_000),
        )?;
    }
    out.flush()
}

/// The header of the Kaggle "Spotify 1.2M+ songs" file (`tracks_features.csv`): no
/// genre, no popularity; artists and their ids as Python list literals.
pub const KAGGLE_1M_HEADER: &str = "id,name,album,album_id,artists,artist_ids,track_number,disc_number,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature,year,release_date";

/// An artist's name: one in forty has an apostrophe, which Python writes inside double
/// quotes (`["Synthetic Artist's 12"]`), as the real file does for "Guns N' Roses".
fn kaggle_artist(n: u64) -> String {
    if n % 40 == 7 {
        format!("\"Synthetic Artist's {n}\"")
    } else {
        format!("'Synthetic Artist {n}'")
    }
}

/// Writes `rows` data rows in the Kaggle 1.2M layout (plus the header). Tracks come
/// album by album (1 to 16 tracks, numbered, a second disc now and then), each album by
/// one main artist with a guest on one track in five; every row is a distinct track.
/// The same `seed` gives the same bytes.
pub fn write_kaggle_1m_csv<W: Write>(out: W, rows: u64, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    writeln!(out, "{KAGGLE_1M_HEADER}")?;
    let mut rng = Rng::new(seed);
    let artists = (rows / 8).max(2);
    let (mut written, mut album) = (0u64, 0u64);
    while written < rows {
        let main = rng.below(artists);
        let year = 1950 + rng.below(71);
        let date = match rng.below(10) {
            0 => format!("{year}"),
            _ => format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        };
        let tracks = (1 + rng.below(16)).min(rows - written);
        let two_discs = tracks > 10 && rng.below(5) == 0;
        for number in 1..=tracks {
            let track = written;
            let (disc, number) = if two_discs && number > tracks / 2 {
                (2, number - tracks / 2)
            } else {
                (1, number)
            };
            let guest = (rng.below(5) == 0)
                .then(|| rng.below(artists))
                .filter(|&g| g != main);
            let (names, ids) = match guest {
                Some(g) => (
                    format!("{}, {}", kaggle_artist(main), kaggle_artist(g)),
                    format!("'{}', '{}'", fake_id(main, 5), fake_id(g, 5)),
                ),
                None => (kaggle_artist(main), format!("'{}'", fake_id(main, 5))),
            };
            let instrumental = rng.unit().powi(6);
            writeln!(
                out,
                "{},Synthetic Song {track},Synthetic Album {album},{},\"[{}]\",\"[{ids}]\",{number},{disc},{},{:.3},{:.3},{},{:.3},{},{:.4},{:.4},{:e},{:.4},{:.3},{:.3},{},{}.0,{year},{date}",
                fake_id(track, 4),
                fake_id(album, 6),
                names.replace('"', "\"\""),
                if rng.below(10) == 0 { "True" } else { "False" },
                rng.unit(),
                rng.unit(),
                rng.below(12),
                -30.0 * rng.unit(),
                rng.below(2),
                0.5 * rng.unit(),
                rng.unit(),
                (instrumental * 1e6).round() / 1e6,
                rng.unit(),
                rng.unit(),
                60.0 + 140.0 * rng.unit(),
                90_000 + rng.below(300_000),
                3 + rng.below(3),
            )?;
            written += 1;
        }
        album += 1;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::import::source::CsvSource;

    #[test]
    fn synthetic_rows_are_deterministic_and_import_cleanly() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_tidytuesday_csv(&mut a, 300, 7).unwrap();
        write_tidytuesday_csv(&mut b, 300, 7).unwrap();
        assert_eq!(a, b);
        let mut source =
            CsvSource::from_reader(std::path::Path::new("synthetic.csv"), a.as_slice()).unwrap();
        let mut good = 0;
        while let Some(row) = source.next_row() {
            let row = row.unwrap();
            assert!(row.track.is_ok(), "line {}: {:?}", row.line, row.track);
            good += 1;
        }
        assert_eq!(good, 300);
    }
}

#[cfg(test)]
mod kaggle_tests {
    use super::*;
    use crate::catalog::import::source::CsvSource;

    #[test]
    fn kaggle_rows_are_deterministic_and_import_cleanly() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_kaggle_1m_csv(&mut a, 500, 7).unwrap();
        write_kaggle_1m_csv(&mut b, 500, 7).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a.clone()).unwrap();
        assert!(text.starts_with(KAGGLE_1M_HEADER));
        assert!(
            text.contains(r#""[""Synthetic Artist's "#),
            "an apostrophe name"
        );
        let mut source =
            CsvSource::from_reader(std::path::Path::new("tracks_features.csv"), a.as_slice())
                .unwrap();
        let mut good = 0;
        let mut several = 0;
        while let Some(row) = source.next_row() {
            let row = row.unwrap();
            let track = row
                .track
                .as_ref()
                .unwrap_or_else(|e| panic!("line {}: {e:?}", row.line));
            if track.artists.len() > 1 {
                several += 1;
            }
            assert!(track
                .artists
                .iter()
                .all(|a| a.starts_with("Synthetic Artist")));
            good += 1;
        }
        assert_eq!(good, 500);
        assert!(several > 30, "guests on about one track in five: {several}");
    }
}
