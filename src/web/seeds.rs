//! Seeds and track filters: seed tracks' profiles from the database and artists' from
//! the snapshot (shared by the perfect-song page and the API's `/recommendations`), and
//! the page's search with its `keep` predicate (seed tracks and every other version of
//! their songs left out, the attribute filters checked against each track's facts). The
//! rules themselves are `matching::seeds` and `matching::attributes`; this is the
//! look-up around them.

use std::{collections::HashMap, sync::Arc};

use crate::{
    catalog::{artists::ArtistSummary, facts::TrackFacts, Feature},
    db::{self, track_features::BeyondRange},
    error::AppResult,
    matching::{
        attributes::AttributeFilters, seeds::SeedProfile, FeatureIndex, FeatureRange,
        InvalidSettings, MatchOutcome, MatchSettings,
    },
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
/// version of their songs) left out, the attribute filters (duration, key, mode, time
/// signature, mixing keys, tempo with half and double time) checked on each track's
/// facts, and one version per song unless the settings ask for all. `extra` is the
/// caller's own condition. The page and the API's `/recommendations` both search
/// through this, so "more like this" leaves out the same tracks on both.
pub fn search(
    index: &FeatureIndex,
    settings: &MatchSettings,
    facts: &TrackFacts,
    excluded: &[i32],
    extra: &dyn Fn(i32) -> bool,
) -> Result<MatchOutcome, InvalidSettings> {
    Candidates::new(settings, facts, excluded, extra).search(index)
}

/// Which tracks a search may answer with, beyond what the index checks itself: built
/// once for a search and, in the API, the count of its pool.
pub struct Candidates<'a> {
    /// The settings as the index reads them (without a tempo range that half and
    /// double time check here instead).
    for_index: MatchSettings,
    all_versions: bool,
    tempo: Option<FeatureRange>,
    needs_facts: bool,
    facts: &'a TrackFacts,
    attributes: &'a AttributeFilters,
    excluded: &'a [i32],
    seed_songs: Vec<u32>,
    extra: &'a dyn Fn(i32) -> bool,
}

impl<'a> Candidates<'a> {
    pub fn new(
        settings: &'a MatchSettings,
        facts: &'a TrackFacts,
        excluded: &'a [i32],
        extra: &'a dyn Fn(i32) -> bool,
    ) -> Candidates<'a> {
        let attributes = &settings.filters.attributes;
        let mut for_index = settings.clone();
        // With half and double time, the tempo range is checked here, not in the index.
        let tempo = if attributes.half_double {
            for_index.filters.ranges.remove(&Feature::Tempo)
        } else {
            None
        };
        // "More like this" must not answer with the seed itself under another version
        // (a remaster, a live take): every version of a seed track's song is left out
        // too, whether or not the answer shows one version per song.
        let seed_songs = excluded
            .iter()
            .filter_map(|&id| facts.get(id).map(|f| f.song))
            .collect();
        Candidates {
            all_versions: settings.filters.all_versions,
            needs_facts: attributes.needs_facts(tempo.as_ref()),
            for_index,
            tempo,
            facts,
            attributes,
            excluded,
            seed_songs,
            extra,
        }
    }

    /// How many tracks `search` chooses from, up to `limit` (the API's
    /// `afterFilteringSize`), counted by `FeatureIndex::count_where`.
    pub fn count(&self, index: &FeatureIndex, limit: usize) -> Result<usize, InvalidSettings> {
        index.count_where(&self.for_index, &|id| self.keeps(id), limit)
    }

    fn keeps(&self, id: i32) -> bool {
        if self.excluded.contains(&id) || !(self.extra)(id) {
            return false;
        }
        let fact = self.facts.get(id);
        if !self.seed_songs.is_empty()
            && fact
                .as_ref()
                .is_some_and(|f| self.seed_songs.contains(&f.song))
        {
            return false;
        }
        !self.needs_facts || fact.is_some_and(|f| self.attributes.admits(&f, self.tempo.as_ref()))
    }

    pub fn search(&self, index: &FeatureIndex) -> Result<MatchOutcome, InvalidSettings> {
        let keep = |id: i32| self.keeps(id);
        if self.all_versions {
            index.search_where(&self.for_index, &keep)
        } else {
            index.search_one_per_song(&self.for_index, &keep, &|id| {
                self.facts.get(id).map(|f| f.song)
            })
        }
    }
}

/// Range bounds on tempo or loudness that the index cannot check for every track. It
/// holds a value beyond the sliders' range at the range's end, so the page's
/// `max_loudness=0` kept a track at +1.3 dB and `min_loudness=1` kept one at +0.3 dB.
/// The few tracks at or beyond an end (6 of TidyTuesday's 28,352 are louder than 0 dB)
/// are checked by their stored values; the index checks every other one exactly. The
/// page and the API's `/recommendations` both filter through this.
pub struct ExactRanges {
    ranges: Vec<(Feature, FeatureRange)>,
    stored: Arc<HashMap<i32, BeyondRange>>,
}

impl ExactRanges {
    /// `None` when no bound needs it: the stored values are then not read.
    pub async fn of(
        state: &AppState,
        version: i64,
        ranges: impl IntoIterator<Item = (Feature, FeatureRange)>,
    ) -> AppResult<Option<ExactRanges>> {
        let ranges: Vec<(Feature, FeatureRange)> = ranges
            .into_iter()
            .filter(|(f, range)| f.accepted_range() != f.range() && !range.is_open())
            .collect();
        if ranges.is_empty() {
            return Ok(None);
        }
        let stored = state
            .caches
            .beyond_index_range(&state.pool, version)
            .await?;
        Ok(Some(ExactRanges { ranges, stored }))
    }

    /// Whether track `id` lies within the bounds by its stored values (a track within
    /// the index's range is the index's to check).
    pub fn admits(&self, id: i32) -> bool {
        let Some(stored) = self.stored.get(&id) else {
            return true;
        };
        self.ranges.iter().all(|(feature, range)| match feature {
            Feature::Tempo => range.admits(stored.tempo),
            Feature::Loudness => range.admits(stored.loudness),
            _ => true,
        })
    }
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
