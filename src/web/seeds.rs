//! Seeds and track filters: seed tracks' profiles from the database and artists' from
//! the snapshot (shared by the perfect-song page and the API's `/recommendations`), and
//! what their search reads from the caches (the track facts, the stored values at the
//! index's range ends). The rules themselves are `matching::seeds`,
//! `matching::attributes`, `catalog::candidates` (which tracks a search may answer
//! with) and `catalog::exact_ranges`; this is the look-up around them, named here for
//! both callers.

use std::{collections::HashMap, sync::Arc};

pub use crate::catalog::{
    candidates::{search, Candidates},
    exact_ranges::ExactRanges,
};
use crate::{
    catalog::{artists::ArtistSummary, facts::TrackFacts, Feature},
    db,
    error::AppResult,
    matching::{seeds::SeedProfile, FeatureRange, MatchOutcome},
    web::state::AppState,
};

/// Seed tracks' profiles by internal id (ids not in the catalog are left out).
pub async fn track_profiles(state: &AppState, ids: &[i32]) -> AppResult<HashMap<i32, SeedProfile>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = ids.to_vec();
    let rows = db::run(&state.pool, move |conn| {
        Ok(db::api_catalog::tracks_by_ids(conn, &ids)?)
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, t)| {
            let profile = SeedProfile {
                features: t.features,
                popularity: t.popularity.map(f64::from),
            };
            (id, profile)
        })
        .collect())
}

/// An artist's profile as a seed: their averages.
pub fn artist_profile(artist: &ArtistSummary) -> SeedProfile {
    SeedProfile {
        features: artist.averages,
        popularity: artist.avg_popularity,
    }
}

/// The exact check of `ranges` (`ExactRanges`), reading the stored values of the few
/// tracks at the index's range ends only when a bound needs them; `None` when none
/// does.
pub async fn exact_ranges(
    state: &AppState,
    version: i64,
    ranges: impl IntoIterator<Item = (Feature, FeatureRange)>,
) -> AppResult<Option<ExactRanges>> {
    let ranges = ExactRanges::needed(ranges);
    if ranges.is_empty() {
        return Ok(None);
    }
    let stored = state
        .caches
        .beyond_index_range(&state.pool, version)
        .await?;
    Ok(Some(ExactRanges::new(ranges, stored)))
}

/// Puts the stored tempo and loudness in place of the index's where a match holds one
/// at its range's end, so the answer and its CSV say "+1.3 dB", not "0.0 dB". Reads the
/// stored values only when some match is at an end.
pub async fn show_stored_values(
    state: &AppState,
    version: i64,
    outcome: &mut MatchOutcome,
) -> AppResult<()> {
    let at_an_end = outcome
        .matches
        .iter()
        .any(|m| m.differences.iter().any(|d| d.at_range_end()));
    if !at_an_end {
        return Ok(());
    }
    let stored = state
        .caches
        .beyond_index_range(&state.pool, version)
        .await?;
    for m in &mut outcome.matches {
        let Some(values) = stored.get(&m.track_id) else {
            continue;
        };
        for d in &mut m.differences {
            match d.feature {
                Feature::Tempo => d.show_stored(values.tempo),
                Feature::Loudness => d.show_stored(values.loudness),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The facts of the catalog the request sees.
pub async fn facts(state: &AppState, version: i64) -> AppResult<Arc<TrackFacts>> {
    state.caches.track_facts(&state.pool, version).await
}
