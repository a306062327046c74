//! The facts table is built from the database's read of the tracks
//! (`db::track_facts`), which hands each track to the builder, or to one of its parts on
//! two threads, as it goes by.

use super::facts::{FactsPart, TrackFact, TrackFacts, TrackFactsBuilder};
use crate::db::{
    self,
    track_facts::{self, StoredFacts},
};

impl TrackFacts {
    /// Every track's facts, with songs numbered by the rule.
    pub fn read(conn: &mut db::DbConnection) -> diesel::QueryResult<TrackFacts> {
        Ok(track_facts::all::<TrackFactsBuilder>(conn)?.finish())
    }
}

fn fact(track: StoredFacts) -> TrackFact {
    TrackFact {
        id: track.id,
        key: track.key,
        mode: track.mode,
        time_signature: track.time_signature,
        duration_ms: track.duration_ms,
        tempo: track.tempo,
        song: 0,
    }
}

impl track_facts::FactsSink for TrackFactsBuilder {
    type Part<'a> = FactsPart<'a>;

    fn with_capacity(tracks: usize) -> Self {
        TrackFacts::builder(tracks)
    }

    fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]) {
        TrackFactsBuilder::push(self, fact(track), title, artists);
    }

    fn in_parts(tracks: usize) -> Self {
        TrackFactsBuilder::in_parts(tracks)
    }

    fn parts(&mut self, split: usize) -> (FactsPart<'_>, FactsPart<'_>) {
        TrackFactsBuilder::parts(self, split)
    }
}

impl track_facts::FactsPart for FactsPart<'_> {
    fn push(&mut self, track: StoredFacts, title: &str, artists: &[i32]) -> bool {
        FactsPart::push(self, fact(track), title, artists)
    }

    fn is_full(&self) -> bool {
        FactsPart::is_full(self)
    }
}
