//! Writes tracks into the catalog: upsert by track identity, artists created on first
//! sight, artist aggregates and catalog metadata recomputed at the end. The caller owns
//! the transaction, so a failed or interrupted load leaves the database as it was.
//!
//! Built for speed (an import of a million rows): rows are buffered and written with
//! multi-row INSERTs whose prepared statements diesel caches by type, ids come from
//! in-memory maps, and a bulk load into an empty catalog rebuilds indexes once at the end.

use std::{
    collections::{hash_map::Entry, HashMap},
    hash::{BuildHasherDefault, Hasher},
};

use diesel::{prelude::*, upsert::excluded};

use super::{
    catalog_meta::{self, SourceKind},
    schema::{artists, track_artists, tracks},
};
use crate::catalog::NewTrack;

/// The writer's maps from a text key (track identity, artist name key) to an id.
type KeyMap<V> = HashMap<String, V, BuildHasherDefault<KeyHasher>>;

/// FxHash (rustc's own hasher) with rustc-hash 2's final rotation: the two key maps take
/// a million lookups per million rows, and SipHash made hashing a tenth of the writing
/// thread's time. Not resistant to crafted collisions, which is acceptable here: the
/// keys come from a file the operator chose to import, and the worst a crafted file can
/// do is slow down its own import.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        // The multiply leaves its best bits at the top; hashbrown indexes by the bottom.
        self.0.rotate_left(26)
    }
}

/// Whether a written track was new or replaced an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Inserted,
    Updated,
    /// The same track was already written from the current source; the first stays.
    Repeated,
}

/// Counts of what a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub inserted: u64,
    pub updated: u64,
    /// Rows that repeated a track already written from the same source.
    pub repeated: u64,
}

/// Unicode lower case: the key that makes artist names unique regardless of case.
pub fn artist_name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Lower case with Latin accents folded ("Beyoncé" -> "beyonce", "Mø" -> "mø" -> "mo"),
/// so a search typed without accents finds the name. Non-Latin scripts are kept as they
/// are: transliterating them would make a search in the original script miss.
pub fn artist_search_key(name: &str) -> String {
    search_key_from_name_key(&artist_name_key(name))
}

/// `artist_search_key` of a name whose `artist_name_key` is given: saves lower-casing the
/// name twice per new artist during an import.
fn search_key_from_name_key(name_key: &str) -> String {
    // ASCII has nothing to fold (the Latin ranges below start at U+00C0).
    if name_key.is_ascii() {
        return name_key.to_string();
    }
    let mut key = String::with_capacity(name_key.len());
    for ch in name_key.chars() {
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

/// The keys the writer looks a track up by: its identity and its artists' name keys.
/// Computing them takes a third of the per-row work, so the importer computes them on
/// its parsing thread (`TrackKeys::of`) and hands them over with the track.
#[derive(Debug, Clone)]
pub struct TrackKeys {
    identity: String,
    /// `artist_name_key` of each credited artist, in credit order.
    artist_keys: Vec<String>,
}

impl TrackKeys {
    pub fn of(track: &NewTrack) -> TrackKeys {
        TrackKeys {
            identity: track.identity(),
            artist_keys: track.artists.iter().map(|a| artist_name_key(a)).collect(),
        }
    }
}

/// Removes every track and artist (used when a real import replaces the demo catalog).
pub fn clear_catalog(conn: &mut SqliteConnection) -> QueryResult<()> {
    diesel::delete(track_artists::table).execute(conn)?;
    diesel::delete(tracks::table).execute(conn)?;
    diesel::delete(artists::table).execute(conn)?;
    Ok(())
}

/// Rows per multi-row INSERT. Each batch size is one statement shape, prepared once and
/// cached by diesel; 64 tracks x 23 columns stays far below SQLite's bind limit.
const TRACK_BATCH: usize = 64;
const ARTIST_BATCH: usize = 128;
const LINK_BATCH: usize = 256;
/// Artists with their aggregates: 17 columns each.
const TOTALS_BATCH: usize = 64;
/// Tracks buffered before a flush (a multiple of TRACK_BATCH, so only the last flush of
/// a source has a partial batch). Large, because outside a bulk load each buffer is
/// sorted by identity: the unique identity index then grows in order instead of at
/// random places, which is what bounds a large import into a non-empty catalog.
const BUFFER_TRACKS: usize = TRACK_BATCH * 1024;

/// A track waiting in the buffer. A new track gets its id only when flushed (see
/// `flush`); a stored one keeps its id.
struct PendingTrack {
    id: i32,
    /// Where the track's id is kept (`CatalogWriter::track_slots`).
    slot: u32,
    identity: String,
    /// Credited artists, main first, without repeats.
    artist_ids: Vec<i32>,
    track: NewTrack,
}

struct PendingArtist {
    id: i32,
    name: String,
    name_key: String,
    search_key: String,
}

/// Writes tracks in batches. Tracks, artists and links are buffered and written with
/// cached multi-row statements; ids are assigned here from in-memory maps (identity ->
/// track id, name key -> artist id), so no row needs a lookup query. The maps are loaded
/// when the writer is made, so make it inside the transaction that writes, and let no
/// other writer touch the catalog meanwhile (SQLite's write lock guarantees that).
///
/// Buffered rows reach the database on `flush`, `start_source` and `finish`.
pub struct CatalogWriter {
    /// name_key -> artist id.
    artist_ids: KeyMap<i32>,
    next_artist_id: i32,
    /// identity -> (slot of its id in `track_slots`, source generation that last wrote
    /// it; 0 = already stored).
    track_ids: KeyMap<(u32, u32)>,
    /// Track ids by slot; a new track's is 0 until its buffer is flushed. The ids live
    /// outside the map so that giving the flushed tracks their ids needs no second
    /// hash lookup per track.
    track_slots: Vec<i32>,
    next_track_id: i32,
    generation: u32,
    pending_artists: Vec<PendingArtist>,
    /// New tracks.
    pending_tracks: Vec<PendingTrack>,
    /// Stored tracks being rewritten (their old artist links are deleted on flush).
    pending_updates: Vec<PendingTrack>,
    /// (track id, artist id, position) of the tracks being flushed; kept for its capacity.
    pending_links: Vec<(i32, i32, i32)>,
    /// Indexes dropped for a bulk load, recreated by `finish`: (table, CREATE INDEX).
    dropped_indexes: Vec<(String, String)>,
    /// Per-artist aggregates summed while loading into an empty catalog, indexed by
    /// artist id - 1; `None` otherwise, and as soon as a load rewrites a track it wrote
    /// (then `finish` recomputes them in SQL).
    totals: Option<Vec<ArtistTotals>>,
    stats: WriteStats,
}

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
/// Features in the order of the `avg_*` columns written by `insert_artists_with_totals`.
#[derive(Debug, Clone, Default)]
struct ArtistTotals {
    tracks: i64,
    features: [SqliteSum; 9],
    /// Integer popularity is summed exactly, as SQLite does for integers.
    popularity_sum: i64,
    popularity_count: i64,
    min_year: Option<i32>,
    max_year: Option<i32>,
}

impl ArtistTotals {
    fn add(&mut self, track: &NewTrack) {
        let f = &track.features;
        self.tracks += 1;
        let values = [
            f.danceability,
            f.energy,
            f.acousticness,
            f.instrumentalness,
            f.valence,
            f.speechiness,
            f.liveness,
            f.tempo,
            f.loudness,
        ];
        for (sum, value) in self.features.iter_mut().zip(values) {
            sum.add(value);
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
}

/// Macro rather than function: the tuple's type is long and only the compiler needs it.
/// Takes the pending track by value: diesel caches a statement by the type of its
/// values, which must therefore own their strings.
macro_rules! track_row {
    ($pending:expr) => {{
        let PendingTrack {
            id,
            identity,
            track: t,
            ..
        } = $pending;
        let f = t.features;
        (
            (
                tracks::id.eq(id),
                tracks::identity.eq(identity),
                tracks::spotify_id.eq(t.spotify_id),
                tracks::name.eq(t.name),
                tracks::album.eq(t.album),
                tracks::release_year.eq(t.release_year),
                tracks::genre.eq(t.genre),
                tracks::popularity.eq(t.popularity),
                tracks::duration_ms.eq(t.duration_ms),
                tracks::explicit.eq(t.explicit),
                tracks::musical_key.eq(t.musical_key),
                tracks::mode.eq(t.mode),
                tracks::time_signature.eq(t.time_signature),
            ),
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
        )
    }};
}

/// `ON CONFLICT (id) DO UPDATE SET` every column: a re-imported track takes the new values
/// (an UPDATE in place, unlike REPLACE, which would delete the row and cascade).
macro_rules! track_update {
    () => {
        (
            (
                tracks::identity.eq(excluded(tracks::identity)),
                tracks::spotify_id.eq(excluded(tracks::spotify_id)),
                tracks::name.eq(excluded(tracks::name)),
                tracks::album.eq(excluded(tracks::album)),
                tracks::release_year.eq(excluded(tracks::release_year)),
                tracks::genre.eq(excluded(tracks::genre)),
                tracks::popularity.eq(excluded(tracks::popularity)),
                tracks::duration_ms.eq(excluded(tracks::duration_ms)),
                tracks::explicit.eq(excluded(tracks::explicit)),
                tracks::musical_key.eq(excluded(tracks::musical_key)),
                tracks::mode.eq(excluded(tracks::mode)),
                tracks::time_signature.eq(excluded(tracks::time_signature)),
            ),
            (
                tracks::tempo.eq(excluded(tracks::tempo)),
                tracks::loudness.eq(excluded(tracks::loudness)),
                tracks::danceability.eq(excluded(tracks::danceability)),
                tracks::energy.eq(excluded(tracks::energy)),
                tracks::acousticness.eq(excluded(tracks::acousticness)),
                tracks::instrumentalness.eq(excluded(tracks::instrumentalness)),
                tracks::valence.eq(excluded(tracks::valence)),
                tracks::speechiness.eq(excluded(tracks::speechiness)),
                tracks::liveness.eq(excluded(tracks::liveness)),
            ),
        )
    };
}

impl CatalogWriter {
    pub fn new(conn: &mut SqliteConnection) -> QueryResult<Self> {
        let artist_ids: KeyMap<i32> = artists::table
            .select((artists::name_key, artists::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .collect();
        let stored = tracks::table
            .select((tracks::identity, tracks::id))
            .load::<(String, i32)>(conn)?;
        let track_slots: Vec<i32> = stored.iter().map(|(_, id)| *id).collect();
        let track_ids: KeyMap<(u32, u32)> = stored
            .into_iter()
            .enumerate()
            .map(|(slot, (identity, _))| (identity, (slot as u32, 0)))
            .collect();
        let next_artist_id = artists::table
            .select(diesel::dsl::max(artists::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0)
            + 1;
        let next_track_id = tracks::table
            .select(diesel::dsl::max(tracks::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0)
            + 1;
        Ok(CatalogWriter {
            artist_ids,
            next_artist_id,
            track_ids,
            track_slots,
            next_track_id,
            generation: 1,
            pending_artists: Vec::new(),
            pending_tracks: Vec::with_capacity(BUFFER_TRACKS),
            pending_updates: Vec::new(),
            pending_links: Vec::new(),
            dropped_indexes: Vec::new(),
            totals: None,
            stats: WriteStats::default(),
        })
    }

    /// A writer for loading many tracks into an empty catalog: the secondary indexes of
    /// the catalog tables are dropped now and rebuilt by `finish`, which is several times
    /// faster than maintaining them row by row. On a catalog that has tracks it is the
    /// same as `new`. Must run inside a transaction that ends with `finish` (or rolls
    /// back, which restores the indexes too).
    pub fn for_bulk_load(conn: &mut SqliteConnection) -> QueryResult<Self> {
        let mut writer = CatalogWriter::new(conn)?;
        if writer.track_ids.is_empty() {
            writer.dropped_indexes = drop_secondary_indexes(conn)?;
            if writer.artist_ids.is_empty() {
                // Artists are then inserted by `finish`, with their aggregates, after
                // the links that name them: foreign keys are checked at the commit.
                diesel::sql_query("PRAGMA defer_foreign_keys = ON").execute(conn)?;
                writer.totals = Some(Vec::new());
            }
        }
        Ok(writer)
    }

    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Starts the next source (file): a track written again within one source is a
    /// repeat and left as first written; a track from an earlier source is replaced.
    pub fn start_source(&mut self, conn: &mut SqliteConnection) -> QueryResult<()> {
        self.flush(conn)?;
        self.generation += 1;
        Ok(())
    }

    /// Inserts the track, or replaces the one with the same identity (see `write_owned`).
    pub fn write(&mut self, conn: &mut SqliteConnection, track: &NewTrack) -> QueryResult<Written> {
        self.write_owned(conn, track.clone())
    }

    /// Inserts the track, or replaces the stored one with the same identity; a track
    /// already written in the current source is reported as `Repeated` and ignored.
    pub fn write_owned(
        &mut self,
        conn: &mut SqliteConnection,
        track: NewTrack,
    ) -> QueryResult<Written> {
        let keys = TrackKeys::of(&track);
        self.write_keyed(conn, track, keys)
    }

    /// `write_owned` with the track's keys already computed (`TrackKeys::of(&track)`).
    pub fn write_keyed(
        &mut self,
        conn: &mut SqliteConnection,
        track: NewTrack,
        keys: TrackKeys,
    ) -> QueryResult<Written> {
        let TrackKeys {
            identity,
            artist_keys,
        } = keys;
        // One hash of the identity per row: the entry both finds and reserves it.
        let (slot, written, identity) = match self.track_ids.entry(identity) {
            Entry::Occupied(entry) if entry.get().1 == self.generation => {
                self.stats.repeated += 1;
                return Ok(Written::Repeated);
            }
            Entry::Occupied(mut entry) => {
                entry.get_mut().1 = self.generation;
                (entry.get().0, Written::Updated, entry.key().clone())
            }
            Entry::Vacant(entry) => {
                let identity = entry.key().clone();
                // The id comes when the buffer is flushed (see `flush`).
                let slot = self.track_slots.len() as u32;
                self.track_slots.push(0);
                entry.insert((slot, self.generation));
                (slot, Written::Inserted, identity)
            }
        };
        let id = self.track_slots[slot as usize];
        let mut artist_ids: Vec<i32> = Vec::with_capacity(artist_keys.len());
        for (name, key) in track.artists.iter().zip(artist_keys) {
            let artist_id = self.artist_id(name, key);
            // The same artist credited twice on one track is linked once.
            if !artist_ids.contains(&artist_id) {
                artist_ids.push(artist_id);
            }
        }
        let pending = PendingTrack {
            id,
            slot,
            identity,
            artist_ids,
            track,
        };
        match written {
            Written::Inserted => {
                self.pending_tracks.push(pending);
                self.stats.inserted += 1;
            }
            _ => {
                self.pending_updates.push(pending);
                self.stats.updated += 1;
            }
        }
        if self.pending_tracks.len() + self.pending_updates.len() >= BUFFER_TRACKS {
            self.flush(conn)?;
        }
        Ok(written)
    }

    /// The id of the artist whose `artist_name_key` is `key`, creating it (in the
    /// buffer) on first sight.
    fn artist_id(&mut self, name: &str, key: String) -> i32 {
        if let Some(id) = self.artist_ids.get(&key) {
            return *id;
        }
        let id = self.next_artist_id;
        self.next_artist_id += 1;
        self.pending_artists.push(PendingArtist {
            id,
            name: name.trim().to_string(),
            search_key: search_key_from_name_key(&key),
            name_key: key.clone(),
        });
        self.artist_ids.insert(key, id);
        id
    }

    /// Writes everything buffered: artists first, then tracks, then the artist links
    /// (whose foreign keys need both).
    pub fn flush(&mut self, conn: &mut SqliteConnection) -> QueryResult<()> {
        if !self.pending_updates.is_empty() {
            // A track written twice in one load: its first values would have to leave
            // the sums. Rare (files overlapping in one run); `finish` then recomputes
            // the aggregates in SQL, which needs the artists stored.
            self.totals = None;
        }
        if self.totals.is_none() {
            self.insert_pending_artists(conn)?;
        }
        // Taken and put back once written: the buffers keep their capacity, instead
        // of growing again from nothing (copying megabytes) for every flush.
        let mut updates = std::mem::take(&mut self.pending_updates);
        let mut new_tracks = std::mem::take(&mut self.pending_tracks);
        let mut links = std::mem::take(&mut self.pending_links);
        self.assign_ids_in_identity_order(&mut new_tracks);
        if let Some(totals) = &mut self.totals {
            add_to_totals(totals, &new_tracks);
        }
        links.extend(updates.iter().chain(&new_tracks).flat_map(|p| {
            p.artist_ids
                .iter()
                .enumerate()
                .map(move |(position, artist)| (p.id, *artist, position as i32))
        }));

        for ids in updates.chunks(500) {
            let ids: Vec<i32> = ids.iter().map(|p| p.id).collect();
            diesel::delete(track_artists::table.filter(track_artists::track_id.eq_any(ids)))
                .execute(conn)?;
        }
        in_batches(
            conn,
            updates.drain(..),
            update_tracks::<TRACK_BATCH>,
            update_tracks::<1>,
        )?;
        in_batches(
            conn,
            new_tracks.drain(..),
            insert_tracks::<TRACK_BATCH>,
            insert_tracks::<1>,
        )?;
        in_batches(
            conn,
            links.drain(..),
            insert_links::<LINK_BATCH>,
            insert_links::<1>,
        )?;
        self.pending_updates = updates;
        self.pending_tracks = new_tracks;
        self.pending_links = links;
        Ok(())
    }

    /// New tracks get their ids in identity order, so that the unique identity index
    /// is appended to in order, or, in a bulk load, built by one sort of a table already
    /// in sorted runs: three times faster than sorting it from file order (0.4 s instead
    /// of 1.3 s for 857,760 tracks).
    fn assign_ids_in_identity_order(&mut self, new_tracks: &mut [PendingTrack]) {
        sort_by_identity(new_tracks);
        for pending in new_tracks {
            pending.id = self.next_track_id;
            self.next_track_id += 1;
            self.track_slots[pending.slot as usize] = pending.id;
        }
    }

    fn insert_pending_artists(&mut self, conn: &mut SqliteConnection) -> QueryResult<()> {
        in_batches(
            conn,
            std::mem::take(&mut self.pending_artists),
            insert_artists::<ARTIST_BATCH>,
            insert_artists::<1>,
        )
    }

    /// Writes what is buffered, rebuilds dropped indexes, recomputes artist aggregates
    /// and the catalog metadata (bumping its version).
    pub fn finish(
        mut self,
        conn: &mut SqliteConnection,
        kind: SourceKind,
        source_name: &str,
        now: i64,
    ) -> QueryResult<WriteStats> {
        let started = std::time::Instant::now();
        self.flush(conn)?;
        let flushed = started.elapsed();
        // The artists' own indexes come back after the aggregates, which rewrite every
        // artist row (and would update those indexes row by row).
        let (artist_indexes, other_indexes): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.dropped_indexes)
                .into_iter()
                .partition(|(table, _)| table == "artists");
        for (_, create) in other_indexes {
            diesel::sql_query(create).execute(conn)?;
        }
        let indexed = started.elapsed();
        match self.totals.take() {
            // Every artist of an empty catalog was created by this load and has a track.
            Some(totals) => {
                let artists = std::mem::take(&mut self.pending_artists)
                    .into_iter()
                    .map(|artist| {
                        let index = (artist.id - 1) as usize;
                        let totals = totals.get(index).cloned().unwrap_or_default();
                        (artist, totals)
                    })
                    .collect::<Vec<_>>();
                in_batches(
                    conn,
                    artists,
                    insert_artists_with_totals::<TOTALS_BATCH>,
                    insert_artists_with_totals::<1>,
                )?;
            }
            None => recompute_artist_aggregates(conn)?,
        }
        for (_, create) in artist_indexes {
            diesel::sql_query(create).execute(conn)?;
        }
        let aggregated = started.elapsed();
        catalog_meta::refresh(conn, kind, source_name, now)?;
        tracing::debug!(
            ?flushed,
            ?indexed,
            ?aggregated,
            total = ?started.elapsed(),
            "catalog writer finished"
        );
        Ok(self.stats)
    }
}

/// Sorts the tracks by identity. A pending track is a few hundred bytes, so the sort
/// orders their positions and then moves each track once, instead of swapping the
/// tracks themselves at every step of the sort.
fn sort_by_identity(tracks: &mut [PendingTrack]) {
    let mut order: Vec<usize> = (0..tracks.len()).collect();
    order.sort_unstable_by(|&a, &b| tracks[a].identity.cmp(&tracks[b].identity));
    // Applies the permutation in place (the way `slice::sort_by_cached_key` does):
    // position i takes the track at order[i], following the chain of swaps made so far.
    for i in 0..tracks.len() {
        let mut from = order[i];
        while from < i {
            from = order[from];
        }
        order[i] = from;
        tracks.swap(i, from);
    }
}

/// Adds the new tracks to their artists' sums, in track id order: the order in which
/// the SQL recomputation would read them, so that the averages come out the same.
fn add_to_totals(totals: &mut Vec<ArtistTotals>, new_tracks: &[PendingTrack]) {
    for pending in new_tracks {
        for artist in &pending.artist_ids {
            let index = (*artist - 1) as usize;
            if totals.len() <= index {
                totals.resize(index + 1, ArtistTotals::default());
            }
            totals[index].add(&pending.track);
        }
    }
}

/// Hands the items to `full` in arrays of N and the rest to `single` one by one: two
/// statement shapes, both cached, whatever the count.
/// Takes an iterator so that a buffer can be drained and keep its capacity.
fn in_batches<T, const N: usize>(
    conn: &mut SqliteConnection,
    items: impl IntoIterator<Item = T, IntoIter = impl ExactSizeIterator<Item = T>>,
    full: fn(&mut SqliteConnection, [T; N]) -> QueryResult<()>,
    single: fn(&mut SqliteConnection, [T; 1]) -> QueryResult<()>,
) -> QueryResult<()> {
    let mut items = items.into_iter();
    while items.len() >= N {
        // The iterator holds at least N items, so every `next` below is `Some`.
        let batch: [T; N] = std::array::from_fn(|_| items.next().expect("N items remain"));
        full(conn, batch)?;
    }
    for item in items {
        single(conn, [item])?;
    }
    Ok(())
}

fn insert_artists<const N: usize>(
    conn: &mut SqliteConnection,
    rows: [PendingArtist; N],
) -> QueryResult<()> {
    let rows = rows.map(|a| {
        (
            artists::id.eq(a.id),
            artists::name.eq(a.name),
            artists::name_key.eq(a.name_key),
            artists::search_key.eq(a.search_key),
        )
    });
    diesel::insert_into(artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

fn insert_artists_with_totals<const N: usize>(
    conn: &mut SqliteConnection,
    rows: [(PendingArtist, ArtistTotals); N],
) -> QueryResult<()> {
    let rows = rows.map(|(a, t)| {
        let avg = |i: usize| t.features[i].average(t.tracks);
        (
            (
                artists::id.eq(a.id),
                artists::name.eq(a.name),
                artists::name_key.eq(a.name_key),
                artists::search_key.eq(a.search_key),
                artists::track_count.eq(t.tracks as i32),
                artists::min_year.eq(t.min_year),
                artists::max_year.eq(t.max_year),
                artists::avg_popularity.eq((t.popularity_count > 0)
                    .then(|| t.popularity_sum as f64 / t.popularity_count as f64)),
            ),
            (
                artists::avg_danceability.eq(avg(0)),
                artists::avg_energy.eq(avg(1)),
                artists::avg_acousticness.eq(avg(2)),
                artists::avg_instrumentalness.eq(avg(3)),
                artists::avg_valence.eq(avg(4)),
                artists::avg_speechiness.eq(avg(5)),
                artists::avg_liveness.eq(avg(6)),
                artists::avg_tempo.eq(avg(7)),
                artists::avg_loudness.eq(avg(8)),
            ),
        )
    });
    diesel::insert_into(artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

fn insert_tracks<const N: usize>(
    conn: &mut SqliteConnection,
    rows: [PendingTrack; N],
) -> QueryResult<()> {
    let rows = rows.map(|p| track_row!(p));
    diesel::insert_into(tracks::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

/// Rewrites stored tracks. diesel cannot cache an upsert statement, so these are
/// prepared per batch: fine for a re-import, and new tracks take the cached path.
fn update_tracks<const N: usize>(
    conn: &mut SqliteConnection,
    rows: [PendingTrack; N],
) -> QueryResult<()> {
    let rows = rows.map(|p| track_row!(p));
    diesel::insert_into(tracks::table)
        .values(rows)
        .on_conflict(tracks::id)
        .do_update()
        .set(track_update!())
        .execute(conn)?;
    Ok(())
}

fn insert_links<const N: usize>(
    conn: &mut SqliteConnection,
    rows: [(i32, i32, i32); N],
) -> QueryResult<()> {
    let rows = rows.map(|(track_id, artist_id, position)| {
        (
            track_artists::track_id.eq(track_id),
            track_artists::artist_id.eq(artist_id),
            track_artists::position.eq(position),
        )
    });
    diesel::insert_into(track_artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct IndexSql {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    tbl_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// Indexes a bulk load keeps. Their keys take a few dozen values (genres, years) and the
/// track ids grow, so every row appends to the end of one of a few dozen runs, on pages
/// the cache holds: cheaper than sorting the whole table to rebuild them, which took
/// longer than the unique identity index (0.6-0.8 s each for 857,760 tracks).
const KEPT_DURING_BULK_LOAD: [&str; 2] = ["tracks_genre", "tracks_release_year"];

/// Drops the catalog tables' explicit indexes (not the ones behind UNIQUE and PRIMARY
/// KEY constraints, nor `KEPT_DURING_BULK_LOAD`) and returns their `CREATE INDEX` statements, read from the schema
/// itself so they always match the migrations.
fn drop_secondary_indexes(conn: &mut SqliteConnection) -> QueryResult<Vec<(String, String)>> {
    let indexes: Vec<IndexSql> = diesel::sql_query(
        "SELECT name, tbl_name, sql FROM sqlite_master
         WHERE type = 'index' AND sql IS NOT NULL
           AND tbl_name IN ('tracks', 'artists', 'track_artists')
         ORDER BY name",
    )
    .load(conn)?;
    let indexes: Vec<IndexSql> = indexes
        .into_iter()
        .filter(|index| !KEPT_DURING_BULK_LOAD.contains(&index.name.as_str()))
        .collect();
    for index in &indexes {
        // The name comes from the schema, not from input; quoted all the same.
        diesel::sql_query(format!(
            "DROP INDEX \"{}\"",
            index.name.replace('"', "\"\"")
        ))
        .execute(conn)?;
    }
    Ok(indexes
        .into_iter()
        .map(|index| (index.tbl_name, index.sql))
        .collect())
}

/// Per-artist averages, counts and year spans, in one grouped scan; artists left with no
/// track are removed. CROSS JOIN makes SQLite read the tracks in table order and find
/// their links by primary key, then sort once for the grouping: a third faster on a
/// million tracks than visiting the tracks in artist order, which reads them at random.
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
            FROM tracks t CROSS JOIN track_artists ta ON ta.track_id = t.id
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
    fn sort_by_identity_orders_tracks() {
        let pending = |identity: &str| PendingTrack {
            id: 0,
            slot: 0,
            identity: identity.to_string(),
            artist_ids: Vec::new(),
            track: NewTrack {
                spotify_id: Some(identity.to_string()),
                name: "Song".into(),
                artists: vec!["A".into()],
                album: None,
                release_year: None,
                genre: None,
                popularity: None,
                duration_ms: None,
                explicit: None,
                musical_key: None,
                mode: None,
                time_signature: None,
                features: Default::default(),
            },
        };
        let names = ["d", "a", "e", "c", "b", "f", "a2"];
        let mut tracks: Vec<PendingTrack> = names.iter().map(|n| pending(n)).collect();
        sort_by_identity(&mut tracks);
        let sorted: Vec<&str> = tracks.iter().map(|t| t.identity.as_str()).collect();
        assert_eq!(sorted, ["a", "a2", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn search_key_folds_case_and_accents() {
        assert_eq!(artist_search_key("Beyoncé"), "beyonce");
        assert_eq!(artist_search_key("  MØ "), "mo");
        assert_eq!(artist_search_key("周杰倫"), "周杰倫");
        assert_eq!(artist_name_key("Beyoncé"), "beyoncé");
    }
}
