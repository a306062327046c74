//! The facts table is built from the database's read of the tracks
//! (`db::track_facts`), which hands each track to the builder, or to one of its parts on
//! two threads, as it goes by.

use super::facts::{FactsPart, TrackFact, TrackFacts, TrackFactsBuilder};
use crate::db::{
    self,
    track_facts::{self, StoredFacts},
};

impl TrackFacts {
    /// Every track's facts, with songs numbered by the rule, and the catalog version
    /// they are of.
    pub fn read(conn: &mut db::DbConnection) -> diesel::QueryResult<(i64, TrackFacts)> {
        let (version, builder) = track_facts::all::<TrackFactsBuilder>(conn)?;
        Ok((version, builder.finish()))
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

#[cfg(test)]
mod tests {
    use super::*;
    // Through the traits, as `db::track_facts` calls them.
    use crate::db::track_facts::{FactsPart as Part, FactsSink};

    fn stored(id: i32) -> StoredFacts {
        StoredFacts {
            id,
            key: Some(id % 12),
            mode: Some(id % 2),
            time_signature: Some(4),
            duration_ms: Some(200_000 + id),
            tempo: 100.0 + f64::from(id),
        }
    }

    /// Every third track a live version of an earlier one, by the same artist.
    fn title(id: i32) -> String {
        if id % 3 == 0 {
            format!("Song {} - Live", id / 3)
        } else {
            format!("Song {id}")
        }
    }

    /// The table filled in two parts on two threads, as `db::track_facts` does from
    /// 100,000 tracks on, is the table filled one track at a time: the same facts, the
    /// same songs numbered in the same order.
    #[test]
    fn parts_filled_apart_make_the_table_one_builder_makes() {
        let ids: Vec<i32> = (1..=300).map(|i| i * 2).collect();
        let mut one: TrackFactsBuilder = FactsSink::with_capacity(ids.len());
        for &id in &ids {
            FactsSink::push(&mut one, stored(id), &title(id), &[1 + id % 2]);
        }
        let one = one.finish();
        for split in [0, 1, 120, 299, 300] {
            let mut parted: TrackFactsBuilder = FactsSink::in_parts(ids.len());
            let (mut lower, mut upper) = FactsSink::parts(&mut parted, split);
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    for &id in &ids[split..] {
                        assert!(Part::push(
                            &mut upper,
                            stored(id),
                            &title(id),
                            &[1 + id % 2]
                        ));
                    }
                });
                for &id in &ids[..split] {
                    assert!(Part::push(
                        &mut lower,
                        stored(id),
                        &title(id),
                        &[1 + id % 2]
                    ));
                }
            });
            assert!(Part::is_full(&lower) && Part::is_full(&upper));
            assert!(
                !Part::push(&mut lower, stored(9999), "", &[]),
                "a full part takes no more"
            );
            let parted = parted.finish();
            assert_eq!(parted.len(), one.len());
            assert_eq!(parted.song_count(), one.song_count());
            assert!(one.song_count() < ids.len(), "some songs have versions");
            for &id in &ids {
                assert_eq!(parted.get(id), one.get(id), "track {id}, split {split}");
                assert_eq!(parted.versions_of(id), one.versions_of(id), "track {id}");
            }
            assert_eq!(parted.get(6).map(|f| f.tempo), Some(106.0));
        }
    }
}
