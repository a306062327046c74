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
