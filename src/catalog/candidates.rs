//! Which tracks a search may answer with, beyond what the matching index checks itself:
//! the seed tracks and every other version of their songs left out, the attribute
//! filters (duration, key, mode, time signature, mixing keys, tempo with half and double
//! time) checked on each track's facts, one version per song unless the settings ask
//! for all, and the caller's own condition. The perfect-song page and the API's
//! `/recommendations` both search through this, so "more like this" leaves out the same
//! tracks on both.

use crate::{
    catalog::{facts::TrackFacts, Feature},
    matching::{
        attributes::AttributeFilters, FeatureIndex, FeatureRange, InvalidSettings, MatchOutcome,
        MatchSettings,
    },
};

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
