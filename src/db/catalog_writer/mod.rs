//! Writes tracks into the catalog: upsert by track identity, artists created on first
//! sight, artist aggregates and catalog metadata recomputed at the end. The caller owns
//! the transaction, so a failed or interrupted load leaves the database as it was.
//!
//! Built for speed (an import of a million rows): rows are buffered and written with
//! multi-row INSERTs whose prepared statements diesel caches by type, ids come from
//! in-memory maps, and a bulk load into an empty catalog rebuilds indexes once at the end.
//!
//! One job per file: `pending` holds what waits in the buffers, `rows` the multi-row
//! statements, `copy` PostgreSQL's COPY of new rows, `links` the genre links written in
//! the current source, `spellings` which spelling names an artist, `disposal` frees
//! written rows off the writing thread, `totals` the per-artist sums of a bulk load,
//! `indexes` the index drop and rebuild around a bulk load, `aggregates` the SQL
//! recomputation of the artist columns, `journal` the catalog file's journal for the
//! load, `early_sync` its pages sent to the disk ahead of the commit. `sqlite_insert`
//! is SQLite's multi-row INSERT that binds rows in place, and `sqlite_tracks`,
//! `sqlite_artists` and `sqlite_links` its tables.
//! The keys a track is found by (`catalog::TrackKeys`) come with the track: computing
//! them is a catalog rule, not the writer's.

mod aggregates;
mod copy;
mod disposal;
mod early_sync;
mod indexes;
mod journal;
mod links;
mod pending;
mod rows;
mod spellings;
mod sqlite_artists;
mod sqlite_insert;
mod sqlite_links;
mod sqlite_tracks;
mod totals;

use std::collections::hash_map::Entry;

use diesel::prelude::*;
use rustc_hash::FxHashMap;

pub use self::aggregates::recompute_artist_aggregates;
use self::{
    disposal::Disposal,
    early_sync::EarlySync,
    indexes::{drop_secondary_indexes, rebuild_indexes, refresh_statistics},
    links::GenreLinks,
    pending::{sort_by_identity, PendingArtist, PendingGenre, PendingTrack},
    rows::{
        in_batches, insert_artists, insert_artists_with_totals, insert_genre_links, insert_genres,
        insert_links, insert_tracks, update_tracks,
    },
    totals::{add_to_totals, ArtistTotals},
};
use super::{
    catalog_meta::{self, SourceKind},
    schema::{artists, genres, track_artists, track_genres, tracks},
};
use crate::model::{
    fingerprint::fingerprint, genre_key, ArtistKeys, GenreTag, NewTrack, TrackKeys,
};

/// The writer's maps find tracks and artists by a fingerprint of their key (track
/// identity, artist name key), `model::fingerprint`, hashed again with FxHash
/// (rustc-hash): SipHash on every lookup made hashing a tenth of the writing thread's
/// time, and the fingerprint is already a good hash.
type KeyMap<V> = FxHashMap<u128, V>;

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

/// The highest track and artist ids a catalog held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastIds {
    pub track: i32,
    pub artist: i32,
}

/// Removes every track and artist (used when a real import replaces the demo catalog),
/// and says which ids they had: the writer that fills the catalog again numbers after
/// them (`CatalogWriter::number_after`).
pub fn clear_catalog(conn: &mut crate::db::DbConnection) -> QueryResult<LastIds> {
    crate::db::with_backend!(conn, conn => {
    let last = LastIds {
        track: tracks::table
            .select(diesel::dsl::max(tracks::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
        artist: artists::table
            .select(diesel::dsl::max(artists::id))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0),
    };
    diesel::delete(track_genres::table).execute(conn)?;
    diesel::delete(genres::table).execute(conn)?;
    diesel::delete(track_artists::table).execute(conn)?;
    diesel::delete(tracks::table).execute(conn)?;
    diesel::delete(artists::table).execute(conn)?;
    Ok(last)
    })
}

/// Page cache for SQLite's import connection, whose main schema is the catalog file
/// (`db::open_catalog_connection`): at 1 GiB a 1.2M-track file peaked at
/// 650 MB, at 192 MiB at 557 MB (Kaggle layout) and 744 MB (TidyTuesday). 48 MiB costs
/// no measurable time (the pages come back from the OS's file cache) and takes 150 MB
/// off the peak. The index rebuilds set their own (`indexes::rebuild_indexes`).
const IMPORT_CACHE_KIB: i64 = 48 * 1024;

/// Page cache for a bulk load into an empty catalog (`CatalogWriter::for_bulk_load`):
/// at 1,204,025 rows as fast as 48 MiB, and 45 MB less peak memory.
const BULK_LOAD_CACHE_KIB: i64 = 2 * 1024;

/// Purpose of the PostgreSQL advisory lock that lets one catalog writer run at a time.
const IMPORT_LOCK: i32 = 3;

/// Runs an import in ONE transaction that holds the catalog's write lock from its start
/// (`catalog_transaction`), with SQLite's import pragmas around it: foreign keys off
/// for the load (the pragma only takes effect outside a transaction; the writer creates
/// every artist and track before linking them, and checking two parent rows per link
/// costs a fifth of the insert time), a large page cache, then the everyday pragmas
/// back, after the import's own outcome, which matters more.
pub fn import_transaction<T, E, F>(conn: &mut crate::db::DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut crate::db::DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::SimpleConnection;
    let crate::db::DbConnection::Sqlite(c) = conn else {
        return catalog_transaction(conn, work);
    };
    // The journal is chosen and the write lock taken while no process is opening the
    // database (`db::opening`): a server that had closed its migration connection and
    // not yet opened its pool saw the catalog file switched to a rollback journal under
    // it, and failed to start with "database is locked".
    let opening = crate::db::catalog_file::file_of(c, "main")?
        .and_then(|file| crate::db::sqlite_files::lock_directory(&file));
    let journal = journal::choose_for_import(c)?;
    tracing::debug!(?journal, "import: catalog journal");
    c.batch_execute(&format!(
        "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA temp_store = MEMORY; PRAGMA threads = 2; PRAGMA foreign_keys = OFF;"
    ))?;
    let result = catalog_transaction(conn, |conn| {
        // The transaction holds the catalog's write lock: an opener now sees a load
        // under way, and waits for it.
        drop(opening);
        work(conn)
    });
    let restored = match conn {
        crate::db::DbConnection::Sqlite(c) => crate::db::apply_pragmas(c)
            .and_then(|_| c.batch_execute("PRAGMA temp_store = DEFAULT; PRAGMA threads = 0;")),
        crate::db::DbConnection::Pg(_) => Ok(()),
    };
    let value = result?;
    restored?;
    Ok(value)
}

/// Whether another catalog writer (an import, a demo seeding) holds the catalog's
/// write lock now, so that an import about to wait for it can say so: it had waited in
/// silence, then reported the wait as its own time. A look, not a wait: the lock may
/// be taken or freed right after.
pub fn catalog_is_locked(conn: &mut crate::db::DbConnection) -> QueryResult<bool> {
    use diesel::connection::SimpleConnection;
    match conn {
        crate::db::DbConnection::Sqlite(c) => {
            crate::db::with_busy_timeout(c, 0, |c| match c.batch_execute("BEGIN IMMEDIATE") {
                Ok(()) => c.batch_execute("ROLLBACK").map(|()| false),
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("locked") =>
                {
                    Ok(true)
                }
                Err(error) => Err(error),
            })
        }
        crate::db::DbConnection::Pg(c) => {
            #[derive(diesel::QueryableByName)]
            struct Taken {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                taken: bool,
            }
            let key = crate::db::pg_lock_key(IMPORT_LOCK);
            let tried: Taken =
                diesel::sql_query(format!("SELECT pg_try_advisory_lock({key}) AS taken"))
                    .get_result(c)?;
            if tried.taken {
                c.batch_execute(&format!("SELECT pg_advisory_unlock({key})"))?;
            }
            Ok(!tried.taken)
        }
    }
}

/// A transaction that writes the catalog, holding its write lock from the start, so two
/// writers (imports, a demo seeding) never interleave and a failure or `kill -9` leaves
/// the catalog as it was. SQLite: `BEGIN IMMEDIATE` (a server writing cannot make it
/// fail half-way with SQLITE_BUSY). PostgreSQL: a transaction holding an advisory lock
/// that only catalog writers take; readers and users' writes go on (MVCC).
pub fn catalog_transaction<T, E, F>(conn: &mut crate::db::DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut crate::db::DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
    type Manager = <crate::db::DbConnection as Connection>::TransactionManager;
    match conn {
        crate::db::DbConnection::Sqlite(c) => {
            // What `SqliteConnection::immediate_transaction` does, with the work given
            // the backend-neutral connection (whose transaction state is the inner one's).
            AnsiTransactionManager::begin_transaction_sql(&mut *c, "BEGIN IMMEDIATE")?;
            match work(conn) {
                Ok(value) => {
                    Manager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(error) => {
                    // SQLite rolls a transaction back by itself after some errors (a full
                    // disk, under a rollback journal): the rollback here then finds none,
                    // and its "cannot rollback - no transaction is active" had replaced
                    // the error that says what happened.
                    if let Err(rollback) = Manager::rollback_transaction(conn) {
                        tracing::debug!(%rollback, "the failed catalog write's rollback");
                    }
                    Err(error)
                }
            }
        }
        crate::db::DbConnection::Pg(_) => conn.transaction(|conn| {
            conn.batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({})",
                crate::db::pg_lock_key(IMPORT_LOCK)
            ))?;
            work(conn)
        }),
    }
}

/// Rows per multi-row INSERT. Each batch size is one statement shape, prepared once and
/// cached by diesel; 64 tracks x 23 columns stays far below SQLite's bind limit.
const TRACK_BATCH: usize = 64;
const ARTIST_BATCH: usize = 128;
const LINK_BATCH: usize = 256;
const GENRE_BATCH: usize = 64;
/// Artists with their aggregates: 17 columns each.
const TOTALS_BATCH: usize = 64;
/// Tracks buffered before a flush (a multiple of TRACK_BATCH, so only the last flush of
/// a source has a partial batch). Large, because outside a bulk load each buffer is
/// sorted by identity: the unique identity index then grows in order instead of at
/// random places, which is what bounds a large import into a non-empty catalog.
const BUFFER_TRACKS: usize = TRACK_BATCH * 1024;

/// Writes tracks in batches. Tracks, artists and links are buffered and written with
/// cached multi-row statements; ids are assigned here from in-memory maps (identity ->
/// track id, name key -> artist id), so no row needs a lookup query. The maps are loaded
/// when the writer is made, so make it inside the transaction that writes, and let no
/// other writer touch the catalog meanwhile (SQLite's write lock guarantees that).
///
/// Buffered rows reach the database on `flush`, `start_source` and `finish`.
pub struct CatalogWriter {
    /// Fingerprint of the name key -> artist id.
    artist_ids: KeyMap<i32>,
    next_artist_id: i32,
    /// The first artist id this writer gives: `totals` is indexed from it.
    first_new_artist_id: i32,
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
    /// (parent id or 0, name key) -> genre id.
    genre_ids: FxHashMap<(i32, String), i32>,
    /// (parent id or 0) -> a genre's name as rows spell it -> genre id: finds the genre
    /// of a row without its key (a trimmed lower-case copy made and freed on the writing
    /// thread for each genre of each row: a twentieth of that thread's time at 1.2
    /// million TidyTuesday-layout rows, which name a handful of genres over and over).
    genre_ids_by_spelling: FxHashMap<i32, FxHashMap<String, i32>>,
    /// The year span of the tracks inserted, kept while `totals` is: then they are every
    /// track of the catalog, and `finish` hands the span to `catalog_meta::refresh`.
    years_written: catalog_meta::YearSpan,
    /// Whether the catalog held genres before this load (then some may lose their
    /// last track, and `finish` looks for them).
    had_genres: bool,
    next_genre_id: i32,
    pending_genres: Vec<PendingGenre>,
    /// (track slot, genre id) links written in the current source, so that a track
    /// listed once per genre gets each link once; cleared by `start_source`.
    genre_links: GenreLinks,
    /// Links waiting for a flush (the track's id may not be assigned yet).
    pending_genre_links: Vec<(u32, i32)>,
    /// Indexes dropped for a bulk load, recreated by `finish`: (table, CREATE INDEX).
    dropped_indexes: Vec<(String, String)>,
    /// The spellings of the artists this load creates: the most used one names each.
    spellings: spellings::Spellings,
    /// Per-artist aggregates summed while loading into an empty catalog, indexed by
    /// artist id - 1; `None` otherwise, and as soon as a load rewrites a track it wrote
    /// (then `finish` recomputes them in SQL).
    totals: Option<Vec<ArtistTotals>>,
    stats: WriteStats,
    /// Frees written batches of tracks, and what else the parser allocated and the
    /// writer is done with, on another thread (see `disposal`).
    disposal: Disposal<Spent>,
    /// Rows that repeat a track: freed in batches.
    spent_rows: Vec<(NewTrack, TrackKeys)>,
}

/// What the writer is done with, handed over to be freed (`hand_spent_to`): the only
/// thing to do with one is to drop it.
#[allow(dead_code)] // Held only to be dropped.
pub struct Spent(SpentBatch);

// Never read: each variant is held only to be dropped on another thread. The batch of
// tracks travels by value (the channel's 16 slots are 19 KB each): boxing it would
// add an allocation per batch freed on the other thread, what this avoids.
#[allow(dead_code, clippy::large_enum_variant)]
enum SpentBatch {
    Tracks([PendingTrack; TRACK_BATCH]),
    Rows(Vec<(NewTrack, TrackKeys)>),
}

/// Spent rows handed over at a time.
const SPENT_BATCH: usize = 256;

/// Keeps a repeated row in `buffer` until a batch of them goes to the disposal thread.
fn spend_row(
    buffer: &mut Vec<(NewTrack, TrackKeys)>,
    row: (NewTrack, TrackKeys),
    disposal: &Disposal<Spent>,
) {
    buffer.push(row);
    if buffer.len() >= SPENT_BATCH {
        let full = std::mem::replace(buffer, Vec::with_capacity(SPENT_BATCH));
        disposal.dispose(Spent(SpentBatch::Rows(full)));
    }
}

/// Writes a full batch of tracks with `write`, then hands it to the disposal thread.
fn write_then_free<'a>(
    disposal: &'a Disposal<Spent>,
    write: fn(&mut crate::db::DbConnection, &[PendingTrack; TRACK_BATCH]) -> QueryResult<()>,
) -> impl FnMut(&mut crate::db::DbConnection, [PendingTrack; TRACK_BATCH]) -> QueryResult<()> + 'a {
    move |conn, batch| {
        write(conn, &batch)?;
        disposal.dispose(Spent(SpentBatch::Tracks(batch)));
        Ok(())
    }
}

/// Names each artist with the spelling most of its credits use (`spellings`): a few
/// rows (a case variant of a name is rare), one statement each.
fn rename_artists(
    conn: &mut crate::db::DbConnection,
    renamed: Vec<(i32, String)>,
) -> QueryResult<()> {
    for (id, name) in renamed {
        crate::db::with_backend!(conn, conn => {
            diesel::update(artists::table.find(id))
                .set(artists::name.eq(&name))
                .execute(conn)
        })?;
    }
    Ok(())
}

/// Deletes the genres that no track is linked to.
fn delete_genres_without_tracks(conn: &mut crate::db::DbConnection) -> QueryResult<usize> {
    crate::db::with_backend!(conn, conn => {
    diesel::delete(genres::table.filter(diesel::dsl::not(
        genres::id.eq_any(track_genres::table.select(track_genres::genre_id).distinct()),
    )))
    .execute(conn)
    })
}

impl CatalogWriter {
    pub fn new(conn: &mut crate::db::DbConnection) -> QueryResult<Self> {
        crate::db::with_backend!(conn, conn => {
        let artist_ids: KeyMap<i32> = artists::table
            .select((artists::name_key, artists::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .map(|(name_key, id)| (fingerprint(&name_key), id))
            .collect();
        let stored = tracks::table
            .select((tracks::identity, tracks::id))
            .load::<(String, i32)>(conn)?;
        let track_slots: Vec<i32> = stored.iter().map(|(_, id)| *id).collect();
        let track_ids: KeyMap<(u32, u32)> = stored
            .into_iter()
            .enumerate()
            .map(|(slot, (identity, _))| (fingerprint(&identity), (slot as u32, 0)))
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
        let genre_ids: FxHashMap<(i32, String), i32> = genres::table
            .select((genres::parent_id, genres::name_key, genres::id))
            .load::<(Option<i32>, String, i32)>(conn)?
            .into_iter()
            .map(|(parent, key, id)| ((parent.unwrap_or(0), key), id))
            .collect();
        let next_genre_id = genre_ids.values().copied().max().unwrap_or(0) + 1;
        let had_genres = !genre_ids.is_empty();
        Ok(CatalogWriter {
            artist_ids,
            next_artist_id,
            first_new_artist_id: next_artist_id,
            track_ids,
            track_slots,
            next_track_id,
            generation: 1,
            pending_artists: Vec::new(),
            pending_tracks: Vec::with_capacity(BUFFER_TRACKS),
            pending_updates: Vec::new(),
            pending_links: Vec::new(),
            genre_ids,
            genre_ids_by_spelling: FxHashMap::default(),
            had_genres,
            years_written: (None, None),
            next_genre_id,
            pending_genres: Vec::new(),
            genre_links: GenreLinks::default(),
            pending_genre_links: Vec::new(),
            dropped_indexes: Vec::new(),
            spellings: spellings::Spellings::default(),
            totals: None,
            stats: WriteStats::default(),
            disposal: Disposal::new(),
            spent_rows: Vec::new(),
        })
        })
    }

    /// A writer for loading many tracks into an empty catalog: the secondary indexes of
    /// the catalog tables are dropped now and rebuilt by `finish`, which is several times
    /// faster than maintaining them row by row. On a catalog that has tracks it is the
    /// same as `new`. Must run inside a transaction that ends with `finish` (or rolls
    /// back, which restores the indexes too).
    pub fn for_bulk_load(conn: &mut crate::db::DbConnection) -> QueryResult<Self> {
        let mut writer = CatalogWriter::new(conn)?;
        // PostgreSQL keeps its indexes: DROP INDEX locks the table against readers until
        // the import commits, and every server reads the catalog tables meanwhile (MVCC
        // shows them the old catalog, as SQLite's WAL does).
        if writer.track_ids.is_empty() && conn.backend() == crate::db::Backend::Sqlite {
            writer.dropped_indexes = drop_secondary_indexes(conn)?;
            // Without its secondary indexes, every table of an empty catalog grows at its
            // right edge only (ids in increasing order), so the pages being filled are
            // all the load needs cached; the import's larger cache is for updates.
            if let crate::db::DbConnection::Sqlite(c) = conn {
                diesel::sql_query(format!("PRAGMA main.cache_size = -{BULK_LOAD_CACHE_KIB}"))
                    .execute(c)?;
            }
            // SQLite: artists are then inserted by `finish`, with their aggregates,
            // after the links that name them (foreign keys are checked at the commit).
            // PostgreSQL writes artists first and recomputes the aggregates in SQL: its
            // deferred foreign-key checks would forbid rebuilding track_artists' index.
            if writer.artist_ids.is_empty() && conn.backend() == crate::db::Backend::Sqlite {
                if let crate::db::DbConnection::Sqlite(c) = conn {
                    diesel::sql_query("PRAGMA defer_foreign_keys = ON").execute(c)?;
                }
                writer.totals = Some(Vec::new());
            }
        }
        Ok(writer)
    }

    /// Numbers the tracks and artists this writer creates after `last`, the highest ids
    /// of a catalog just cleared: a taste profile or a link keeps the ids of the seeds
    /// it names, and once the demo was replaced, profile seeds of the demo's tracks
    /// came back as whatever the import numbered the same ("The Sacred Engine" as a
    /// TidyTuesday song). Numbered after, such an id names nothing, which the page says.
    /// Before anything is written.
    pub fn number_after(&mut self, last: LastIds) {
        self.next_track_id = self.next_track_id.max(last.track.saturating_add(1));
        self.next_artist_id = self.next_artist_id.max(last.artist.saturating_add(1));
        self.first_new_artist_id = self.next_artist_id;
    }

    /// Makes room for about `tracks` more tracks in the writer's track map now, rather
    /// than growing it as they come: its last growth, near the end of a large file,
    /// would briefly hold the old table and the new one twice its size (at a million
    /// tracks, 26 and 52 MB), at the moment the import's memory peaks.
    pub fn expect_tracks(&mut self, tracks: usize) {
        self.track_ids.reserve(tracks);
        self.track_slots.reserve(tracks);
    }

    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Starts the next source (file): a track written again within one source is a
    /// repeat and left as first written; a track from an earlier source is replaced.
    pub fn start_source(&mut self, conn: &mut crate::db::DbConnection) -> QueryResult<()> {
        self.flush(conn)?;
        self.generation += 1;
        self.genre_links.clear();
        Ok(())
    }

    /// Where the tracks the writer has written, and what else of theirs it is done with,
    /// go to be freed: `Some` hands them to `sender`'s receiver (the importer's parsing
    /// thread, which allocated them and frees them fastest: see `disposal`), `None` to a
    /// thread of the writer's own.
    pub fn hand_spent_to(&mut self, sender: Option<std::sync::mpsc::Sender<Spent>>) {
        // A writer's own thread starts only when a batch comes to be freed (`disposal`).
        self.disposal = match sender {
            Some(sender) => Disposal::handing_to(sender),
            None => Disposal::new(),
        };
    }

    /// Inserts the track, or replaces the stored one with the same identity; a track
    /// already written in the current source is reported as `Repeated` and ignored.
    /// `keys` are the track's (`TrackKeys::of(&track)`): the caller computes them, so
    /// the catalog's naming rules stay in the catalog (and the importer computes them
    /// on its parsing thread, off the writing one).
    pub fn write_keyed(
        &mut self,
        conn: &mut crate::db::DbConnection,
        track: NewTrack,
        keys: TrackKeys,
    ) -> QueryResult<Written> {
        let TrackKeys {
            identity,
            identity_fingerprint,
            artists: artist_keys,
        } = keys;
        // One look-up of the identity per row: the entry both finds and reserves it.
        let (slot, written) = match self.track_ids.entry(identity_fingerprint) {
            Entry::Occupied(entry) if entry.get().1 == self.generation => {
                // The first row stays; its genres gain the repeat's.
                let slot = entry.get().0;
                self.link_genres(slot, &track.genres);
                self.stats.repeated += 1;
                let keys = TrackKeys {
                    identity,
                    identity_fingerprint,
                    artists: artist_keys,
                };
                spend_row(&mut self.spent_rows, (track, keys), &self.disposal);
                return Ok(Written::Repeated);
            }
            Entry::Occupied(mut entry) => {
                entry.get_mut().1 = self.generation;
                (entry.get().0, Written::Updated)
            }
            Entry::Vacant(entry) => {
                // The id comes when the buffer is flushed (see `flush`).
                let slot = self.track_slots.len() as u32;
                self.track_slots.push(0);
                entry.insert((slot, self.generation));
                (slot, Written::Inserted)
            }
        };
        let id = self.track_slots[slot as usize];
        self.link_genres(slot, &track.genres);
        let mut artist_ids: Vec<i32> = Vec::with_capacity(artist_keys.len());
        for (name, keys) in track.artists.iter().zip(artist_keys) {
            let artist_id = self.artist_id(name, keys);
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

    /// Links the track in `slot` to each genre and subgenre (and a subgenre's parent),
    /// once per source.
    fn link_genres(&mut self, slot: u32, tags: &[GenreTag]) {
        for tag in tags {
            let genre = self.genre_id(&tag.genre, 0);
            if self.genre_links.insert(slot, genre) {
                self.pending_genre_links.push((slot, genre));
            }
            if let Some(subgenre) = &tag.subgenre {
                let sub = self.genre_id(subgenre, genre);
                if self.genre_links.insert(slot, sub) {
                    self.pending_genre_links.push((slot, sub));
                }
            }
        }
    }

    /// The id of the genre `name` under `parent` (0: a genre, not a subgenre), creating
    /// it (in the buffer) on first sight.
    fn genre_id(&mut self, name: &str, parent: i32) -> i32 {
        if let Some(&id) = self
            .genre_ids_by_spelling
            .get(&parent)
            .and_then(|spellings| spellings.get(name))
        {
            return id;
        }
        let key = (parent, genre_key(name));
        let id = match self.genre_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.next_genre_id;
                self.next_genre_id += 1;
                self.pending_genres.push(PendingGenre {
                    id,
                    name: name.trim().to_string(),
                    name_key: key.1.clone(),
                    parent_id: (parent != 0).then_some(parent),
                });
                self.genre_ids.insert(key, id);
                id
            }
        };
        self.genre_ids_by_spelling
            .entry(parent)
            .or_default()
            .insert(name.to_string(), id);
        id
    }

    /// The id of the artist with these keys, creating it (in the buffer) on first sight.
    fn artist_id(&mut self, name: &str, keys: ArtistKeys) -> i32 {
        let key = keys.name_fingerprint;
        if let Some(&id) = self.artist_ids.get(&key) {
            self.spellings.credited(id, name.trim());
            return id;
        }
        let id = self.next_artist_id;
        self.next_artist_id += 1;
        let (name_key, search_key) = ArtistKeys::stored_keys(name);
        self.spellings.created(id, name.trim());
        self.pending_artists.push(PendingArtist {
            id,
            name: name.trim().to_string(),
            search_key,
            name_key,
        });
        self.artist_ids.insert(key, id);
        id
    }

    /// Writes everything buffered: artists first, then tracks, then the artist links
    /// (whose foreign keys need both).
    pub fn flush(&mut self, conn: &mut crate::db::DbConnection) -> QueryResult<()> {
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
            add_to_totals(totals, self.first_new_artist_id, &new_tracks);
            for year in new_tracks.iter().filter_map(|p| p.track.release_year) {
                let (first, last) = &mut self.years_written;
                *first = Some(first.map_or(year, |y| y.min(year)));
                *last = Some(last.map_or(year, |y| y.max(year)));
            }
        }
        links.extend(updates.iter().chain(&new_tracks).flat_map(|p| {
            p.artist_ids
                .iter()
                .enumerate()
                .map(move |(position, artist)| (p.id, *artist, position as i32))
        }));
        // In key order, as the genre links below (a track's artists come in credit order).
        links.sort_unstable();

        for chunk in updates.chunks(500) {
            let ids: Vec<i32> = chunk.iter().map(|p| p.id).collect();
            diesel::delete(track_artists::table.filter(track_artists::track_id.eq_any(&ids)))
                .execute(conn)?;
            // A row that names no genre keeps the track's (as `track_update` keeps what
            // a row leaves out); one that names any replaces them.
            let with_genres: Vec<i32> = chunk
                .iter()
                .filter(|p| !p.track.genres.is_empty())
                .map(|p| p.id)
                .collect();
            if !with_genres.is_empty() {
                diesel::delete(
                    track_genres::table.filter(track_genres::track_id.eq_any(with_genres)),
                )
                .execute(conn)?;
            }
        }
        in_batches(
            conn,
            updates.drain(..),
            write_then_free(&self.disposal, update_tracks::<TRACK_BATCH>),
            |conn, one| update_tracks::<1>(conn, &one),
        )?;
        if let crate::db::DbConnection::Pg(c) = conn {
            // PostgreSQL: one COPY per table and flush.
            copy::copy_tracks(c, &new_tracks)?;
            new_tracks.clear();
            copy::copy_links(c, &links)?;
            links.clear();
        } else {
            in_batches(
                conn,
                new_tracks.drain(..),
                write_then_free(&self.disposal, insert_tracks::<TRACK_BATCH>),
                |conn, one| insert_tracks::<1>(conn, &one),
            )?;
            in_batches(
                conn,
                links.drain(..),
                insert_links::<LINK_BATCH>,
                insert_links::<1>,
            )?;
        }
        in_batches(
            conn,
            std::mem::take(&mut self.pending_genres),
            insert_genres::<GENRE_BATCH>,
            insert_genres::<1>,
        )?;
        let slots = &self.track_slots;
        let mut genre_links: Vec<(i32, i32)> = self
            .pending_genre_links
            .drain(..)
            .map(|(slot, genre)| (slots[slot as usize], genre))
            .collect();
        // In key order (track_genres is a WITHOUT ROWID table keyed by both): in file
        // order the links went to scattered places in the B-tree, splitting pages and
        // copying them to the statement journal, and were a twelfth of a 1.2M-row
        // TidyTuesday import's CPU time; sorted, each batch appends.
        genre_links.sort_unstable();
        in_batches(
            conn,
            genre_links,
            insert_genre_links::<LINK_BATCH>,
            insert_genre_links::<1>,
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

    fn insert_pending_artists(&mut self, conn: &mut crate::db::DbConnection) -> QueryResult<()> {
        if let crate::db::DbConnection::Pg(c) = conn {
            copy::copy_artists(c, &self.pending_artists)?;
            self.pending_artists.clear();
            return Ok(());
        }
        in_batches(
            conn,
            std::mem::take(&mut self.pending_artists),
            insert_artists::<ARTIST_BATCH>,
            insert_artists::<1>,
        )
    }

    /// Frees what finding tracks, artists and genres took (at 1.2M rows about 150 MB:
    /// the fingerprint map, the genre links seen, the artist map, the buffers), which
    /// nothing after the last flush reads: the index rebuilds that follow, whose sorter
    /// is the import's largest allocation, then find that memory free.
    fn release_lookups(&mut self) {
        self.track_ids = KeyMap::default();
        self.track_slots = Vec::new();
        self.genre_links = GenreLinks::default();
        self.artist_ids = KeyMap::default();
        self.pending_tracks = Vec::new();
        self.pending_updates = Vec::new();
        self.pending_links = Vec::new();
        self.pending_genre_links = Vec::new();
    }

    /// Writes what is buffered, rebuilds dropped indexes, recomputes artist aggregates
    /// and the catalog metadata (bumping its version).
    pub fn finish(
        mut self,
        conn: &mut crate::db::DbConnection,
        kind: SourceKind,
        source_name: &str,
        now: i64,
    ) -> QueryResult<WriteStats> {
        let started = std::time::Instant::now();
        self.flush(conn)?;
        self.release_lookups();
        // A bulk load's tracks and links are all written: their pages go to the disk
        // while the indexes and artists are made (see `early_sync`).
        let early_sync = (!self.dropped_indexes.is_empty()).then(|| EarlySync::start(conn));
        let flushed = started.elapsed();
        // The artists' own indexes come back after the aggregates, which rewrite every
        // artist row (and would update those indexes row by row).
        let (artist_indexes, other_indexes): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.dropped_indexes)
                .into_iter()
                .partition(|(table, _)| table == "artists");
        rebuild_indexes(conn, other_indexes.into_iter().map(|(_, create)| create))?;
        let indexed = started.elapsed();
        // A load into a catalog without tracks, artists or genres rewrote no track, so
        // each genre it holds was created for a track linked to it.
        let only_linked_genres = self.totals.is_some() && !self.had_genres;
        // Likewise every track is one it inserted, and it saw each one's year.
        let known_years = self.totals.is_some().then_some(self.years_written);
        match self.totals.take() {
            // Every artist of an empty catalog was created by this load and has a track.
            Some(totals) => {
                // Artists were numbered from `first_new_artist_id` in the order they
                // were first seen, the order of `pending_artists`, and `totals` is
                // indexed from it (it ends at the last artist a track was summed for:
                // every one, in practice).
                let mut totals = totals.into_iter();
                let rows = std::mem::take(&mut self.pending_artists)
                    .into_iter()
                    .map(move |artist| totals.next().unwrap_or_default().into_row(artist));
                in_batches(
                    conn,
                    rows,
                    insert_artists_with_totals::<TOTALS_BATCH>,
                    insert_artists_with_totals::<1>,
                )?;
            }
            None => recompute_artist_aggregates(conn)?,
        }
        rename_artists(conn, std::mem::take(&mut self.spellings).renamed())?;
        let artists_inserted = started.elapsed();
        rebuild_indexes(conn, artist_indexes.into_iter().map(|(_, create)| create))?;
        let aggregated = started.elapsed();
        // Genres no track carries any more (a re-import changed them). One pass over
        // the links: no index leads from a genre to its tracks (no query needs one),
        // so a `NOT EXISTS` per genre would scan all of them for each genre without
        // any, and a re-import that left many such genres would be quadratic. Skipped
        // when there can be none: the pass read 2.4 million links, about 0.15 s, at
        // 1.2 million TidyTuesday-layout rows.
        if !only_linked_genres {
            delete_genres_without_tracks(conn)?;
        }
        catalog_meta::refresh(conn, kind, source_name, now, known_years)?;
        refresh_statistics(conn)?;
        if let Some(early_sync) = early_sync {
            early_sync.wait();
        }
        tracing::debug!(
            ?flushed,
            ?indexed,
            ?aggregated,
            ?artists_inserted,
            total = ?started.elapsed(),
            "catalog writer finished"
        );
        Ok(self.stats)
    }
}
