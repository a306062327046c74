//! The per-artist sums a load into an empty catalog keeps while it writes, so that the
//! artists can be inserted with their aggregates at the end instead of recomputed in SQL.

use super::pending::{ArtistWithTotals, PendingArtist, PendingTrack};
use crate::model::{AudioFeatures, Feature, NewTrack};

/// The Kahan-Babushka-Neumaier sum SQLite's `AVG` keeps (sqlite3.c, `sumStep` and
/// `avgFinalize`), step for step: fed the same values in the same order it gives the
/// same bits, so an average computed here equals the one the SQL recomputation stores.
#[derive(Debug, Clone, Copy, Default)]
struct SqliteSum {
    sum: f64,
    err: f64,
}

impl SqliteSum {
    fn add(&mut self, value: f64) {
        let s = self.sum;
        let t = s + value;
        if s.abs() > value.abs() {
            self.err += (s - t) + value;
        } else {
            self.err += (value - t) + s;
        }
        self.sum = t;
    }

    fn average(&self, count: i64) -> f64 {
        let total = if self.err.is_finite() {
            self.sum + self.err
        } else {
            self.sum
        };
        total / count as f64
    }
}

/// What `recompute_artist_aggregates` computes for one artist, summed in memory.
#[derive(Debug, Clone, Default)]
pub(super) struct ArtistTotals {
    pub tracks: i64,
    /// In `Feature::AUDIO` order.
    features: [SqliteSum; Feature::AUDIO.len()],
    /// Integer popularity is summed exactly, as SQLite does for integers.
    popularity_sum: i64,
    popularity_count: i64,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

impl ArtistTotals {
    fn add(&mut self, track: &NewTrack) {
        self.tracks += 1;
        for (sum, feature) in self.features.iter_mut().zip(Feature::AUDIO) {
            sum.add(track.features.get(feature).unwrap_or(0.0));
        }
        if let Some(popularity) = track.popularity {
            self.popularity_sum += i64::from(popularity);
            self.popularity_count += 1;
        }
        if let Some(year) = track.release_year {
            self.min_year = Some(self.min_year.map_or(year, |y| y.min(year)));
            self.max_year = Some(self.max_year.map_or(year, |y| y.max(year)));
        }
    }

    /// The averages of the audio features, as SQLite's `AVG` would compute them.
    pub fn averages(&self) -> AudioFeatures {
        let mut averages = AudioFeatures::default();
        for (sum, feature) in self.features.iter().zip(Feature::AUDIO) {
            averages.set(feature, sum.average(self.tracks));
        }
        averages
    }

    /// The average popularity, `None` when no track has one.
    pub fn average_popularity(&self) -> Option<f64> {
        (self.popularity_count > 0)
            .then(|| self.popularity_sum as f64 / self.popularity_count as f64)
    }

    /// The artist's row as `finish` inserts it: these totals made aggregates.
    pub fn into_row(self, artist: PendingArtist) -> ArtistWithTotals {
        ArtistWithTotals {
            artist,
            track_count: self.tracks as i32,
            min_year: self.min_year,
            max_year: self.max_year,
            avg_popularity: self.average_popularity(),
            averages: self.averages(),
        }
    }
}

/// Adds the new tracks to their artists' sums, in track id order: the order in which
/// the SQL recomputation would read them, so that the averages come out the same.
/// `totals` is indexed by artist id - `first_artist_id` (the load's first new artist;
/// every artist of a load into an empty catalog is new).
pub(super) fn add_to_totals(
    totals: &mut Vec<ArtistTotals>,
    first_artist_id: i32,
    new_tracks: &[PendingTrack],
) {
    for pending in new_tracks {
        for artist in &pending.artist_ids {
            let Ok(index) = usize::try_from(*artist - first_artist_id) else {
                continue;
            };
            if totals.len() <= index {
                totals.resize(index + 1, ArtistTotals::default());
            }
            totals[index].add(&pending.track);
        }
    }
}
