//! Seeds and track filters: seed tracks' profiles from the database and artists' from
//! the snapshot (shared by the perfect-song page and the API's `/recommendations`), and
//! the page's search with its `keep` predicate (seed tracks and every other version of
//! their songs left out, the attribute filters checked against each track's facts). The
//! rules themselves are `matching::seeds` and `matching::attributes`; this is the
//! look-up around them.

use std::{collections::HashMap, sync::Arc};

use crate::{
    catalog::{artists::ArtistSummary, facts::TrackFacts, Feature},
    db,
    error::AppResult,
    matching::{seeds::SeedProfile, FeatureIndex, InvalidSettings, MatchOutcome, MatchSettings},
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

/// The search with everything the index does not hold: seed tracks (and every other
/// version of their songs) left out, the
/// attribute filters (duration, key, mode, time signature, mixing keys, tempo with
/// half and double time) checked on each track's facts, and one version per song
/// unless the settings ask for all. `extra` is the caller's own condition.
pub fn search(
    index: &FeatureIndex,
    settings: &MatchSettings,
    facts: &TrackFacts,
    excluded: &[i32],
    extra: &dyn Fn(i32) -> bool,
) -> Result<MatchOutcome, InvalidSettings> {
    let attributes = &settings.filters.attributes;
    let mut for_index = settings.clone();
    // With half and double time, the tempo range is checked here, not in the index.
    let tempo = if attributes.half_double {
        for_index.filters.ranges.remove(&Feature::Tempo)
    } else {
        None
    };
    let needs_facts = attributes.needs_facts(tempo.as_ref());
    // "More like this" must not answer with the seed itself under another version
    // (a remaster, a live take): every version of a seed track's song is left out too,
    // whether or not the answer shows one version per song.
    let seed_songs: Vec<u32> = excluded
        .iter()
        .filter_map(|&id| facts.get(id).map(|f| f.song))
        .collect();
    let keep = |id: i32| {
        if excluded.contains(&id) || !extra(id) {
            return false;
        }
        if !seed_songs.is_empty() && facts.get(id).is_some_and(|f| seed_songs.contains(&f.song)) {
            return false;
        }
        !needs_facts
            || facts
                .get(id)
                .is_some_and(|f| attributes.admits(&f, tempo.as_ref()))
    };
    if settings.filters.all_versions {
        index.search_where(&for_index, &keep)
    } else {
        index.search_one_per_song(&for_index, &keep, &|id| facts.get(id).map(|f| f.song))
    }
}

/// The facts of the catalog the request sees.
pub async fn facts(state: &AppState, version: i64) -> AppResult<Arc<TrackFacts>> {
    state.caches.track_facts(&state.pool, version).await
}
