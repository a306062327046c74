//! Writes tracks into the catalog: upsert by track identity, artists created on first
//! sight, artist aggregates and catalog metadata recomputed at the end. The caller owns
//! the transaction, so a failed or interrupted load leaves the database as it was.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{
    catalog_meta::{self, SourceKind},
    schema::{artists, track_artists, tracks},
};
use crate::catalog::NewTrack;

/// Whether a written track was new or replaced an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Inserted,
    Updated,
}

/// Counts of what a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub inserted: u64,
    pub updated: u64,
}

/// Unicode lower case: the key that makes artist names unique regardless of case.
pub fn artist_name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Lower case with Latin accents folded ("Beyoncé" -> "beyonce", "Mø" -> "mø" -> "mo"),
/// so a search typed without accents finds the name. Non-Latin scripts are kept as they
/// are: transliterating them would make a search in the original script miss.
pub fn artist_search_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for ch in name.trim().to_lowercase().chars() {
        let code = ch as u32;
        let latin = (0x00C0..0x0250).contains(&code) || (0x1E00..0x1F00).contains(&code);
        if latin {
            key.push_str(&deunicode::deunicode_char(ch).unwrap_or("").to_lowercase());
        } else {
            key.push(ch);
        }
    }
    key
}

/// Removes every track and artist (used when a real import replaces the demo catalog).
pub fn clear_catalog(conn: &mut SqliteConnection) -> QueryResult<()> {
    diesel::delete(track_artists::table).execute(conn)?;
    diesel::delete(tracks::table).execute(conn)?;
    diesel::delete(artists::table).execute(conn)?;
    Ok(())
}

pub struct CatalogWriter {
    /// name_key -> artist id, loaded once so that each row needs no artist lookup.
    artist_ids: HashMap<String, i32>,
    stats: WriteStats,
}

impl CatalogWriter {
    pub fn new(conn: &mut SqliteConnection) -> QueryResult<Self> {
        let artist_ids = artists::table
            .select((artists::name_key, artists::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .collect();
        Ok(CatalogWriter {
            artist_ids,
            stats: WriteStats::default(),
        })
    }

    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Inserts the track, or replaces the one with the same identity.
    pub fn write(&mut self, conn: &mut SqliteConnection, track: &NewTrack) -> QueryResult<Written> {
        let identity = track.identity();
        let f = &track.features;
        let values = (
            tracks::identity.eq(&identity),
            tracks::spotify_id.eq(&track.spotify_id),
            tracks::name.eq(&track.name),
            tracks::album.eq(&track.album),
            tracks::release_year.eq(track.release_year),
            tracks::genre.eq(&track.genre),
            tracks::popularity.eq(track.popularity),
            tracks::duration_ms.eq(track.duration_ms),
            tracks::explicit.eq(track.explicit),
            tracks::musical_key.eq(track.musical_key),
            tracks::mode.eq(track.mode),
            tracks::time_signature.eq(track.time_signature),
            (
                tracks::tempo.eq(f.tempo),
                tracks::loudness.eq(f.loudness),
                tracks::danceability.eq(f.danceability),
                tracks::energy.eq(f.energy),
                tracks::acousticness.eq(f.acousticness),
                tracks::instrumentalness.eq(f.instrumentalness),
                tracks::valence.eq(f.valence),
                tracks::speechiness.eq(f.speechiness),
                tracks::liveness.eq(f.liveness),
            ),
        );
        let existing: Option<i32> = tracks::table
            .filter(tracks::identity.eq(&identity))
            .select(tracks::id)
            .first(conn)
            .optional()?;
        let (track_id, written) = match existing {
            Some(id) => {
                diesel::update(tracks::table.find(id))
                    .set(values)
                    .execute(conn)?;
                diesel::delete(track_artists::table.filter(track_artists::track_id.eq(id)))
                    .execute(conn)?;
                (id, Written::Updated)
            }
            None => {
                let id = diesel::insert_into(tracks::table)
                    .values(values)
                    .returning(tracks::id)
                    .get_result(conn)?;
                (id, Written::Inserted)
            }
        };
        let mut seen = Vec::with_capacity(track.artists.len());
        for (position, name) in track.artists.iter().enumerate() {
            let artist_id = self.artist_id(conn, name)?;
            if seen.contains(&artist_id) {
                continue; // the same artist credited twice on one track
            }
            seen.push(artist_id);
            diesel::insert_into(track_artists::table)
                .values((
                    track_artists::track_id.eq(track_id),
                    track_artists::artist_id.eq(artist_id),
                    track_artists::position.eq(position as i32),
                ))
                .execute(conn)?;
        }
        match written {
            Written::Inserted => self.stats.inserted += 1,
            Written::Updated => self.stats.updated += 1,
        }
        Ok(written)
    }

    fn artist_id(&mut self, conn: &mut SqliteConnection, name: &str) -> QueryResult<i32> {
        let key = artist_name_key(name);
        if let Some(id) = self.artist_ids.get(&key) {
            return Ok(*id);
        }
        let id = diesel::insert_into(artists::table)
            .values((
                artists::name.eq(name.trim()),
                artists::name_key.eq(&key),
                artists::search_key.eq(artist_search_key(name)),
            ))
            .returning(artists::id)
            .get_result(conn)?;
        self.artist_ids.insert(key, id);
        Ok(id)
    }

    /// Recomputes artist aggregates and the catalog metadata (bumping its version).
    pub fn finish(
        self,
        conn: &mut SqliteConnection,
        kind: SourceKind,
        source_name: &str,
        now: i64,
    ) -> QueryResult<WriteStats> {
        recompute_artist_aggregates(conn)?;
        catalog_meta::refresh(conn, kind, source_name, now)?;
        Ok(self.stats)
    }
}

/// Per-artist averages, counts and year spans, in one grouped scan; artists left with no
/// track are removed.
pub fn recompute_artist_aggregates(conn: &mut SqliteConnection) -> QueryResult<()> {
    diesel::sql_query(
        "WITH agg AS (
            SELECT ta.artist_id AS artist_id,
                   COUNT(*) AS n,
                   AVG(t.danceability) AS danceability,
                   AVG(t.energy) AS energy,
                   AVG(t.acousticness) AS acousticness,
                   AVG(t.instrumentalness) AS instrumentalness,
                   AVG(t.valence) AS valence,
                   AVG(t.speechiness) AS speechiness,
                   AVG(t.liveness) AS liveness,
                   AVG(t.tempo) AS tempo,
                   AVG(t.loudness) AS loudness,
                   AVG(t.popularity) AS popularity,
                   MIN(t.release_year) AS min_year,
                   MAX(t.release_year) AS max_year
            FROM track_artists ta JOIN tracks t ON t.id = ta.track_id
            GROUP BY ta.artist_id
        )
        UPDATE artists SET
            track_count = agg.n,
            avg_danceability = agg.danceability,
            avg_energy = agg.energy,
            avg_acousticness = agg.acousticness,
            avg_instrumentalness = agg.instrumentalness,
            avg_valence = agg.valence,
            avg_speechiness = agg.speechiness,
            avg_liveness = agg.liveness,
            avg_tempo = agg.tempo,
            avg_loudness = agg.loudness,
            avg_popularity = agg.popularity,
            min_year = agg.min_year,
            max_year = agg.max_year
        FROM agg WHERE agg.artist_id = artists.id",
    )
    .execute(conn)?;
    diesel::sql_query(
        "DELETE FROM artists WHERE NOT EXISTS
            (SELECT 1 FROM track_artists ta WHERE ta.artist_id = artists.id)",
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_folds_case_and_accents() {
        assert_eq!(artist_search_key("Beyoncé"), "beyonce");
        assert_eq!(artist_search_key("  MØ "), "mo");
        assert_eq!(artist_search_key("周杰倫"), "周杰倫");
        assert_eq!(artist_name_key("Beyoncé"), "beyoncé");
    }
}
