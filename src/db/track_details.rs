//! What a page shows about a handful of tracks found by the matching index (which only
//! knows ids): title, album, artists in credit order. One query for the tracks and one
//! for their artists, whatever the number of ids.

use std::{collections::HashMap, sync::Arc};

use diesel::prelude::*;

use super::schema::{artists, track_artists, tracks};

#[derive(Debug, Clone, PartialEq)]
pub struct TrackDetails {
    pub id: i32,
    pub name: String,
    pub album: Option<String>,
    pub release_year: Option<i32>,
    pub genre: Option<String>,
    pub popularity: Option<i32>,
    pub explicit: Option<bool>,
    pub spotify_id: Option<String>,
    /// Credit order.
    pub artists: Vec<String>,
}

type TrackRow = (
    i32,
    String,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<bool>,
    Option<String>,
);

/// The tracks with these ids, keyed by id (ids that do not exist are left out).
pub fn by_ids(conn: &mut SqliteConnection, ids: &[i32]) -> QueryResult<HashMap<i32, TrackDetails>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<TrackRow> = tracks::table
        .filter(tracks::id.eq_any(ids))
        .select((
            tracks::id,
            tracks::name,
            tracks::album,
            tracks::release_year,
            tracks::genre,
            tracks::popularity,
            tracks::explicit,
            tracks::spotify_id,
        ))
        .load(conn)?;
    let credits: Vec<(i32, String)> = track_artists::table
        .inner_join(artists::table)
        .filter(track_artists::track_id.eq_any(ids))
        .order((track_artists::track_id, track_artists::position))
        .select((track_artists::track_id, artists::name))
        .load(conn)?;
    let mut by_track: HashMap<i32, Vec<String>> = HashMap::new();
    for (track_id, name) in credits {
        by_track.entry(track_id).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, name, album, release_year, genre, popularity, explicit, spotify_id)| {
                let details = TrackDetails {
                    id,
                    name,
                    album,
                    release_year,
                    genre,
                    popularity,
                    explicit,
                    spotify_id,
                    artists: by_track.remove(&id).unwrap_or_default(),
                };
                (id, details)
            },
        )
        .collect())
}

/// How many tracks' details `TrackDetailsCache` keeps before it starts over.
pub const CACHE_CAPACITY: usize = 20_000;

/// Details read before, for the catalog version they were read in. The live perfect-song
/// answer shows the same few tracks again and again as a slider moves (neighbouring
/// positions share most of their ten matches), so most steps need no database trip.
/// Details only change with an import, which moves the catalog version: a lookup for
/// another version starts the cache over.
#[derive(Default)]
pub struct TrackDetailsCache {
    inner: std::sync::Mutex<CachedDetails>,
}

#[derive(Default)]
struct CachedDetails {
    version: i64,
    tracks: HashMap<i32, Arc<TrackDetails>>,
}

/// Details by track id, shared with the cache.
pub type SharedDetails = HashMap<i32, Arc<TrackDetails>>;

impl TrackDetailsCache {
    /// The cached details of `ids` in catalog `version`, and the ids not cached.
    pub fn lookup(&self, version: i64, ids: &[i32]) -> (SharedDetails, Vec<i32>) {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        let Ok(cache) = self.inner.lock() else {
            return (found, ids.to_vec());
        };
        for &id in ids {
            match cache.tracks.get(&id).filter(|_| cache.version == version) {
                Some(details) => {
                    found.insert(id, details.clone());
                }
                None => missing.push(id),
            }
        }
        (found, missing)
    }

    /// Remembers details read from the database in catalog `version`, and hands them
    /// back shared.
    pub fn store(&self, version: i64, details: HashMap<i32, TrackDetails>) -> SharedDetails {
        let shared: SharedDetails = details
            .into_iter()
            .map(|(id, d)| (id, Arc::new(d)))
            .collect();
        let Ok(mut cache) = self.inner.lock() else {
            return shared;
        };
        if cache.version != version || cache.tracks.len() + shared.len() > CACHE_CAPACITY {
            cache.tracks.clear();
            cache.version = version;
        }
        for (id, d) in &shared {
            cache.tracks.insert(*id, d.clone());
        }
        shared
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn details(id: i32, name: &str) -> TrackDetails {
        TrackDetails {
            id,
            name: name.into(),
            album: None,
            release_year: None,
            genre: None,
            popularity: None,
            explicit: None,
            spotify_id: None,
            artists: vec!["A".into()],
        }
    }

    #[test]
    fn a_hit_needs_the_same_catalog_version() {
        let cache = TrackDetailsCache::default();
        cache.store(
            5,
            HashMap::from([(1, details(1, "one")), (2, details(2, "two"))]),
        );
        let (found, missing) = cache.lookup(5, &[2, 3, 1]);
        assert_eq!(found[&1].name, "one");
        assert_eq!(found[&2].name, "two");
        assert_eq!(missing, [3]);
        let (found, missing) = cache.lookup(6, &[1, 2]);
        assert!(found.is_empty());
        assert_eq!(missing, [1, 2]);
        // A new version replaces what the old one cached.
        cache.store(6, HashMap::from([(1, details(1, "renamed"))]));
        assert_eq!(cache.lookup(6, &[1]).0[&1].name, "renamed");
        assert_eq!(cache.lookup(6, &[2]).1, [2]);
    }
}
