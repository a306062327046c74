//! The in-memory feature index: every track's features on one fixed-point scale, with
//! the few attributes filters need, in a compact struct-of-arrays layout.
//!
//! Layout. Tracks are ordered by a k-d tree build (median splits) and cut into
//! **leaves** of `LEAF` consecutive tracks, and leaves into **groups** of `GROUP`
//! consecutive leaves; both are subtrees of the build, so each is compact in feature
//! space. A leaf's features are one block, column by column (`Block`), so scanning it
//! reads a few short contiguous runs. A group holds the bounding box and filter
//! summaries of each of its leaves, again column by column, so a query bounds all 64
//! leaves in a handful of vector loops; and its own box and summaries. The search
//! (`search.rs`) visits groups and leaves best-first by those bounds.
//!
//! Splits. Each split halves the widest dimension, where the five features the page
//! starts with (and most searches use) count at their full width and the other five at
//! half theirs, so the default five end up about half as wide as the rest in every
//! leaf. A tree that splits all ten evenly leaves every leaf wide in whichever five a
//! search uses: over 1,000,000 tracks a default search scanned about 440 leaves; now
//! about 110. Searches that use none of the five pay for it: over 1,000,000 tracks
//! they took 1.2 to 1.6 times as long as with the even tree (all ten: half as long).
//!
//! Columns follow `Feature::ALL` (the nine audio features and popularity).
//!
//! Fixed point: a feature's whole slider range (`Feature::range`) is `FULL_SCALE` steps,
//! stored as an `i32` (4 bytes, like the `f32` it replaces). `FULL_SCALE` = 1.2 × 10⁹
//! is divisible by enough powers of ten that every decimal a dataset holds lands on a
//! step exactly: 0..1 features to 8 decimals, tempo (0–250 BPM) to 5, loudness
//! (−60–0 dB) to 7, popularity to 6. So values that are exactly in proportion, or
//! exactly equally far from a target, in the file are so in the index too, and the
//! search can rank with exact integer arithmetic (see `query`). An `f32` could not:
//! 0.529 : 0.92 and 0.23 : 0.4 are the same mix, but not once rounded to binary.
//!
//! Genres: a track has a set of genres (issue 14). Each distinct set is interned (real
//! files have few: TidyTuesday's 28,352 tracks make 44 sets of its 6 genres), and the per-track
//! column holds the set's id; `genre_sets` lists each set's genre ids and `set_bits`
//! folds them to the 64 bits a leaf's summary keeps, so pruning by genre still works.
//! A filter's allowed genres become the allowed set ids (`sets_with_any`).
//!
//! Missing popularity: the popularity column holds 0 for those tracks and a separate
//! "unknown" marker says so. They are never matched on a value they do not have: when
//! popularity is switched on as a feature, or a minimum popularity is set, tracks with
//! no popularity are left out (and the empty-result report names that step).

mod from_scan;
mod layout;
mod stored;

use std::collections::HashMap;

use layout::{partition, Row, PARALLEL_BUILD};
pub(crate) use layout::{Block, Group};

use crate::catalog::{
    genres::{seed_slug, spelling_key},
    AudioFeatures, Feature,
};

/// Number of feature columns.
pub(crate) const DIMS: usize = Feature::ALL.len();
/// Fixed-point steps across a feature's whole range (see the module documentation).
pub(crate) const FULL_SCALE: i32 = 1_200_000_000;
/// Tracks in a leaf (only the very last leaf may hold fewer). Small enough that a
/// leaf's distances fit in a few vector registers, large enough that bounding a leaf
/// costs little next to scanning it.
pub(crate) const LEAF: usize = 32;
/// Leaves in a group (only the very last group may hold fewer).
pub(crate) const GROUP: usize = 64;
/// Tracks in a full group.
const GROUP_TRACKS: usize = LEAF * GROUP;

pub(crate) const NO_GENRE: u16 = u16::MAX;
pub(crate) const NO_YEAR: i16 = i16::MIN;
pub(crate) const NO_POPULARITY: u8 = u8::MAX;
pub(crate) const NO_ARTIST: i32 = -1;

/// Column of a feature in the index.
pub(crate) fn column(feature: Feature) -> usize {
    Feature::ALL.iter().position(|&f| f == feature).unwrap_or(0)
}

/// Fixed-point steps per raw unit of a feature (1.2 × 10⁹ per unit on 0..1, 4.8 × 10⁶
/// per BPM, 2 × 10⁷ per dB, 1.2 × 10⁷ per popularity point): whole numbers, so the
/// conversions below are exact wherever the decimal allows.
fn steps_per_unit(feature: Feature) -> f64 {
    let (lo, hi) = feature.range();
    f64::from(FULL_SCALE) / (hi - lo)
}

/// A raw value on the fixed-point scale: clamped to the feature's range (like
/// `Feature::scale`), then rounded to the nearest step. A non-finite value (which
/// import never lets through) counts as the bottom of the range.
pub(crate) fn quantize(feature: Feature, raw: f64) -> i32 {
    if !raw.is_finite() {
        return 0;
    }
    let (lo, hi) = feature.range();
    let steps = steps_per_unit(feature);
    // `lo * steps` is a whole number, so only the product and the subtraction round,
    // each by far less than half a step.
    let q = (raw.clamp(lo, hi) * steps - lo * steps).round();
    q.clamp(0.0, f64::from(FULL_SCALE)) as i32
}

/// A fixed-point value back in raw units (one rounding, so a decimal that was stored
/// exactly reads back as the same `f64` an import would parse).
pub(crate) fn unquantize(feature: Feature, q: i32) -> f64 {
    let (lo, _) = feature.range();
    let steps = steps_per_unit(feature);
    (f64::from(q) + lo * steps) / steps
}

/// A fixed-point value as a fraction of the feature's range (`Feature::scale`'s terms).
pub(crate) fn unit_of(q: i32) -> f64 {
    f64::from(q) / f64::from(FULL_SCALE)
}

/// One track as the loader (or a test, or a benchmark) hands it to the builder.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedTrack<'a> {
    pub id: i32,
    /// Raw values, as stored in the database.
    pub features: AudioFeatures,
    pub popularity: Option<i32>,
    pub genre: Option<&'a str>,
    pub release_year: Option<i32>,
    pub explicit: Option<bool>,
    /// The first credited artist, for the per-artist cap.
    pub main_artist: Option<i32>,
}

/// Collects tracks, then sorts them into the tree.
#[derive(Default)]
pub struct FeatureIndexBuilder {
    /// Each track's values and its position in the other arrays: the order the tree is
    /// built in, collected as such so that building needs no second copy of them.
    rows: Vec<Row>,
    ids: Vec<i32>,
    /// Genre-set id per track.
    genre: Vec<u16>,
    year: Vec<i16>,
    popularity: Vec<u8>,
    explicit: Vec<bool>,
    artist: Vec<i32>,
    genre_ids: HashMap<String, u16>,
    genres: Vec<String>,
    /// Sorted genre ids of each genre set, by set id.
    genre_sets: Vec<Vec<u16>>,
    set_ids: HashMap<Vec<u16>, u16>,
}

impl FeatureIndexBuilder {
    pub fn with_capacity(n: usize) -> Self {
        FeatureIndexBuilder {
            rows: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            genre: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            popularity: Vec::with_capacity(n),
            explicit: Vec::with_capacity(n),
            artist: Vec::with_capacity(n),
            ..Default::default()
        }
    }

    /// Adds a track whose genres are `track.genre` (one or none).
    pub fn push(&mut self, track: &IndexedTrack<'_>) {
        self.push_with_genres(track, track.genre.as_slice());
    }

    /// Adds a track with every genre it has (`track.genre` is not read).
    pub fn push_with_genres(&mut self, track: &IndexedTrack<'_>, genres: &[&str]) {
        let mut ids: Vec<u16> = genres
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
            .map(|name| self.intern_genre(name))
            .filter(|&id| id != NO_GENRE)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let set = self.intern_set(ids);
        self.push_with_set(track, set);
    }

    fn push_with_set(&mut self, track: &IndexedTrack<'_>, set: u16) {
        let mut point = [0i32; DIMS];
        for (slot, feature) in point.iter_mut().zip(Feature::ALL) {
            let raw = match feature {
                Feature::Popularity => track.popularity.map(f64::from),
                audio => track.features.get(audio),
            };
            // Non-finite values cannot reach the database (import validates); `quantize`
            // pins them to 0 like a missing value.
            *slot = raw.map(|v| quantize(feature, v)).unwrap_or(0);
        }
        self.rows.push(Row {
            x: point,
            row: self.ids.len() as u32,
        });
        self.ids.push(track.id);
        self.genre.push(set);
        self.year.push(
            track
                .release_year
                .map(|y| y.clamp(i16::MIN as i32 + 1, i16::MAX as i32) as i16)
                .unwrap_or(NO_YEAR),
        );
        self.popularity.push(
            track
                .popularity
                .map(|p| p.clamp(0, 100) as u8)
                .unwrap_or(NO_POPULARITY),
        );
        self.explicit.push(track.explicit == Some(true));
        self.artist
            .push(track.main_artist.filter(|a| *a >= 0).unwrap_or(NO_ARTIST));
    }

    /// Adds every track of another builder (a loader reading in parallel).
    pub fn append(&mut self, other: FeatureIndexBuilder) {
        let genre_remap: Vec<u16> = other
            .genres
            .iter()
            .map(|name| self.intern_genre(name))
            .collect();
        let remap: Vec<u16> = other
            .genre_sets
            .iter()
            .map(|set| {
                let mut ids: Vec<u16> = set
                    .iter()
                    .map(|&g| genre_remap[g as usize])
                    .filter(|&g| g != NO_GENRE)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                self.intern_set(ids)
            })
            .collect();
        let offset = self.ids.len() as u32;
        self.rows.extend(other.rows.into_iter().map(|r| Row {
            x: r.x,
            row: r.row + offset,
        }));
        self.ids.extend(other.ids);
        self.genre.extend(other.genre.into_iter().map(|g| {
            if g == NO_GENRE {
                NO_GENRE
            } else {
                remap[g as usize]
            }
        }));
        self.year.extend(other.year);
        self.popularity.extend(other.popularity);
        self.explicit.extend(other.explicit);
        self.artist.extend(other.artist);
    }

    fn intern_genre(&mut self, name: &str) -> u16 {
        if let Some(&id) = self.genre_ids.get(name) {
            return id;
        }
        // Past 65,534 distinct genres (no real dataset has that many) the rest share
        // "no genre" rather than overflow.
        if self.genres.len() >= NO_GENRE as usize {
            return NO_GENRE;
        }
        let id = self.genres.len() as u16;
        self.genres.push(name.to_string());
        self.genre_ids.insert(name.to_string(), id);
        id
    }

    /// The id of a set of genre ids (sorted, without repeats); the empty set is
    /// `NO_GENRE`, and so, past 65,534 distinct sets, are the rest.
    fn intern_set(&mut self, ids: Vec<u16>) -> u16 {
        if ids.is_empty() {
            return NO_GENRE;
        }
        if let Some(&id) = self.set_ids.get(&ids) {
            return id;
        }
        if self.genre_sets.len() >= NO_GENRE as usize {
            return NO_GENRE;
        }
        let id = self.genre_sets.len() as u16;
        self.genre_sets.push(ids.clone());
        self.set_ids.insert(ids, id);
        id
    }

    /// Builds the index. At a million tracks the arrays are large (the rows alone about
    /// 44 MB), so each one is freed as soon as what replaces it is made: the rows as
    /// the leaf blocks are filled, each column once it is put in tree order.
    pub fn finish(self) -> FeatureIndex {
        let FeatureIndexBuilder {
            mut rows,
            ids,
            genre,
            year,
            popularity,
            explicit,
            artist,
            genres,
            genre_sets,
            genre_ids,
            set_ids,
        } = self;
        drop((genre_ids, set_ids));
        let n = rows.len();
        partition(&mut rows, n >= PARALLEL_BUILD);
        let order: Vec<u32> = rows.iter().map(|r| r.row).collect();
        let blocks = into_blocks(rows);
        FeatureIndex::from_columns(TreeColumns {
            ids: in_order(&order, ids),
            artist: in_order(&order, artist),
            genre: in_order(&order, genre),
            year: in_order(&order, year),
            popularity: in_order(&order, popularity),
            explicit: in_order(&order, explicit),
            blocks,
            genre_sets,
            genres,
        })
    }
}

/// What an index is made of, already in tree order: the rest (the groups' boxes and
/// summaries) is computed from it. The builder makes these by sorting the tracks; the
/// snapshot file (`stored`) keeps them as they are.
pub(crate) struct TreeColumns {
    pub ids: Vec<i32>,
    pub artist: Vec<i32>,
    pub genre: Vec<u16>,
    pub year: Vec<i16>,
    pub popularity: Vec<u8>,
    pub explicit: Vec<bool>,
    pub blocks: Vec<Block>,
    pub genre_sets: Vec<Vec<u16>>,
    pub genres: Vec<String>,
}

impl FeatureIndex {
    /// The index over columns that are in tree order and consistent (see
    /// `stored::check` for what that means).
    fn from_columns(columns: TreeColumns) -> FeatureIndex {
        let TreeColumns {
            ids,
            artist,
            genre,
            year,
            popularity,
            explicit,
            blocks,
            genre_sets,
            genres,
        } = columns;
        let n = ids.len();
        let mut index = FeatureIndex {
            ids,
            artist,
            genre,
            year,
            popularity,
            any_explicit: explicit.iter().any(|&e| e),
            explicit,
            blocks,
            groups: Vec::new(),
            group_lo: Vec::new(),
            group_hi: Vec::new(),
            set_bits: genre_sets
                .iter()
                .map(|set| set.iter().fold(0u64, |bits, &g| bits | 1 << (g % 64)))
                .collect(),
            genre_sets,
            genres,
        };
        index.groups = (0..n.div_ceil(GROUP_TRACKS))
            .map(|g| index.summarise_group(g))
            .collect();
        index.group_lo = (0..DIMS)
            .map(|d| index.groups.iter().map(|g| g.all.lo[d]).collect())
            .collect();
        index.group_hi = (0..DIMS)
            .map(|d| index.groups.iter().map(|g| g.all.hi[d]).collect())
            .collect();
        index
    }
}

/// `column` in the order given by `order` (positions in it); the column is freed.
fn in_order<T: Copy>(order: &[u32], column: Vec<T>) -> Vec<T> {
    order.iter().map(|&i| column[i as usize]).collect()
}

/// The rows, in tree order, as leaf blocks. The blocks are made from the last leaf to
/// the first (and put back in order at the end), the rows' array shrinking behind them
/// in eight steps, so the two are never both whole: the blocks' array is written (and
/// so mapped) as it fills, and the allocator hands back the rows' tail as that array
/// shrinks (large arrays are mapped on their own, see `crate::memory`). (A `vec!` of
/// zeroed blocks is written whole at once: it is not allocated zeroed for arrays of
/// more than 16 items.)
fn into_blocks(mut rows: Vec<Row>) -> Vec<Block> {
    let n = rows.len();
    let leaves = n.div_ceil(LEAF);
    let step = n.div_ceil(8).max(LEAF);
    let mut blocks: Vec<Block> = Vec::with_capacity(leaves);
    for leaf in (0..leaves).rev() {
        let start = leaf * LEAF;
        let mut block = [[0i32; LEAF]; DIMS];
        for (j, r) in rows[start..].iter().enumerate() {
            for (d, &value) in r.x.iter().enumerate() {
                block[d][j] = value;
            }
        }
        blocks.push(block);
        rows.truncate(start);
        if rows.capacity() - rows.len() >= step {
            rows.shrink_to_fit();
        }
    }
    blocks.reverse();
    blocks
}

/// The index. Immutable once built; shared by every request through the catalog
/// snapshot.
pub struct FeatureIndex {
    /// Track ids, in index order.
    pub(crate) ids: Vec<i32>,
    /// Feature values, one block per leaf (see `value`).
    pub(crate) blocks: Vec<Block>,
    /// Genre-set id per track (`NO_GENRE`: none).
    pub(crate) genre: Vec<u16>,
    pub(crate) year: Vec<i16>,
    pub(crate) popularity: Vec<u8>,
    pub(crate) explicit: Vec<bool>,
    /// Whether any of `explicit` is true (asked on every perfect-song page).
    any_explicit: bool,
    pub(crate) artist: Vec<i32>,
    pub(crate) groups: Vec<Group>,
    /// Each group's bounding box, column by column: `group_lo[column][group]`.
    pub(crate) group_lo: Vec<Vec<i32>>,
    pub(crate) group_hi: Vec<Vec<i32>>,
    /// Genre names by genre id.
    pub(crate) genres: Vec<String>,
    /// Sorted genre ids by genre-set id.
    pub(crate) genre_sets: Vec<Vec<u16>>,
    /// Bit `genre % 64` of every genre of the set, by set id (what leaf summaries OR).
    pub(crate) set_bits: Vec<u64>,
}

impl std::fmt::Debug for FeatureIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeatureIndex")
            .field("tracks", &self.len())
            .field("genres", &self.genres.len())
            .field("groups", &self.groups.len())
            .finish()
    }
}

impl Default for FeatureIndex {
    fn default() -> Self {
        FeatureIndexBuilder::default().finish()
    }
}

impl FeatureIndex {
    pub fn from_tracks<'a>(tracks: impl IntoIterator<Item = IndexedTrack<'a>>) -> Self {
        let mut builder = FeatureIndexBuilder::default();
        for track in tracks {
            builder.push(&track);
        }
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether any track has a known popularity (the Kaggle 1.2M file has none).
    pub fn has_popularity(&self) -> bool {
        self.groups.iter().any(|g| g.all.max_popularity >= 0)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes the index holds on the heap (its arrays; the genre names approximately).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let per_track = size_of::<i32>() * 2 // id, artist
            + size_of::<u16>() + size_of::<i16>() + size_of::<u8>() + size_of::<bool>();
        self.len() * per_track
            + self.blocks.len() * size_of::<Block>()
            + self.groups.len() * (size_of::<Group>() + 2 * DIMS * size_of::<i32>())
            + self
                .genres
                .iter()
                .map(|g| g.len() + size_of::<String>())
                .sum::<usize>()
            + self
                .genre_sets
                .iter()
                .map(|s| s.len() * size_of::<u16>() + size_of::<Vec<u16>>() + size_of::<u64>())
                .sum::<usize>()
    }

    /// Whether any track is marked explicit: without one, the "no explicit tracks"
    /// filter cannot change an answer (most datasets have no explicit column).
    pub fn has_explicit(&self) -> bool {
        self.any_explicit
    }

    /// Whether any track has a genre (the Kaggle 1.2M file has none).
    pub fn has_genres(&self) -> bool {
        !self.genres.is_empty()
    }

    /// Every genre in the catalog, sorted (for the filter's choices).
    pub fn genres(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.genres.iter().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Every genre as a seed names it (`genres::seed_slug`: `r-n-b` for `r&b`), sorted;
    /// a genre whose slug would not find it again (another genre's slug, or no letter
    /// left) keeps its name.
    pub fn genre_seed_names(&self) -> Vec<String> {
        // `genre_id`'s two readings, each built once: calling it per genre read every
        // name for each, which a catalog of thousands of genres (Exportify's) pays.
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut by_spelling: HashMap<String, usize> = HashMap::new();
        for (id, name) in self.genres.iter().enumerate() {
            by_name.entry(name.to_lowercase()).or_insert(id);
            by_spelling.entry(spelling_key(name)).or_insert(id);
        }
        let id_of = |slug: &str| {
            by_name
                .get(slug)
                .or_else(|| by_spelling.get(&spelling_key(slug)))
                .copied()
        };
        let mut names: Vec<String> = self
            .genres
            .iter()
            .enumerate()
            .map(|(id, name)| {
                let slug = seed_slug(name);
                if id_of(&slug) == Some(id) {
                    slug
                } else {
                    name.clone()
                }
            })
            .collect();
        names.sort_unstable();
        names
    }

    /// Internal ids of every indexed track.
    pub fn track_ids(&self) -> &[i32] {
        &self.ids
    }

    /// How many tracks each genre holds, counting a track in every genre it has (as a
    /// genre filter or seed matches it), by name trimmed and lower-cased (as `genre_id`
    /// compares them).
    pub fn genre_track_counts(&self) -> HashMap<String, i64> {
        let mut per_set: HashMap<u16, i64> = HashMap::new();
        for &set in &self.genre {
            *per_set.entry(set).or_default() += 1;
        }
        let mut counts: HashMap<String, i64> = HashMap::new();
        for (set, tracks) in per_set {
            for &g in self.genre_sets.get(usize::from(set)).into_iter().flatten() {
                if let Some(name) = self.genres.get(usize::from(g)) {
                    *counts.entry(name.trim().to_lowercase()).or_default() += tracks;
                }
            }
        }
        counts
    }

    /// The catalog's own name of the genre `name` names (`genre_id`'s matching):
    /// `r&b` for `R-N-B`.
    pub fn genre_named(&self, name: &str) -> Option<&str> {
        self.genre_id(name)
            .and_then(|id| self.genres.get(usize::from(id)))
            .map(String::as_str)
    }

    /// The genre id of a name, matched without regard to case or surrounding spaces,
    /// else as another spelling of it (`spelling_key`: Spotify's seed name `r-n-b` is
    /// TidyTuesday's `r&b`).
    pub(crate) fn genre_id(&self, name: &str) -> Option<u16> {
        let key = name.trim().to_lowercase();
        self.genres
            .iter()
            .position(|g| g.to_lowercase() == key)
            .or_else(|| {
                let spelled = spelling_key(name);
                self.genres.iter().position(|g| spelling_key(g) == spelled)
            })
            .map(|i| i as u16)
    }

    /// The genre sets holding any genre marked in `wanted` (by genre id), as a bit set
    /// over set ids: what a genre filter or genre seeds let through.
    pub(crate) fn sets_with_any(&self, wanted: &[bool]) -> Vec<u64> {
        let mut bits = vec![0u64; self.genre_sets.len().div_ceil(64).max(1)];
        for (id, set) in self.genre_sets.iter().enumerate() {
            if set.iter().any(|&g| wanted.get(g as usize) == Some(&true)) {
                bits[id / 64] |= 1 << (id % 64);
            }
        }
        bits
    }

    /// Whether the track at position `i` has a genre set in `sets` (`sets_with_any`).
    #[inline]
    pub(crate) fn in_sets(&self, sets: &[u64], i: usize) -> bool {
        let g = self.genre[i];
        g != NO_GENRE && sets[g as usize / 64] & (1 << (g % 64)) != 0
    }

    /// The genres of the track at position `i` (none: an empty list).
    pub(crate) fn genre_names(&self, i: usize) -> Vec<String> {
        self.genre_sets
            .get(usize::from(self.genre[i]))
            .map(|set| {
                set.iter()
                    .map(|&g| self.genres[g as usize].clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Raw value of a feature of the track at position `i` (from the stored value, so
    /// tempo and loudness beyond their slider range read as the range's end); `None` for
    /// an unknown popularity.
    pub(crate) fn raw_value(&self, i: usize, feature: Feature) -> Option<f64> {
        if feature == Feature::Popularity && self.popularity[i] == NO_POPULARITY {
            return None;
        }
        Some(unquantize(feature, self.value(i, column(feature))))
    }

    /// Fixed-point value of column `d` of the track at position `i`.
    #[inline]
    pub(crate) fn value(&self, i: usize, d: usize) -> i32 {
        self.blocks[i / LEAF][d][i % LEAF]
    }

    /// Number of leaves (the last may hold fewer than `LEAF` tracks).
    pub(crate) fn leaf_count(&self) -> usize {
        self.blocks.len()
    }

    /// Positions of the tracks in leaf `leaf`.
    #[inline]
    pub(crate) fn leaf_range(&self, leaf: usize) -> std::ops::Range<usize> {
        leaf * LEAF..((leaf + 1) * LEAF).min(self.len())
    }

    /// A fixed, spread-out sample of about `n` tracks (every `len/n`-th in index order,
    /// which walks the feature space evenly): the faint lines behind the parallel
    /// coordinates chart. Same catalog, same sample.
    pub fn sample(&self, n: usize) -> Vec<SampleTrack> {
        if n == 0 || self.is_empty() {
            return Vec::new();
        }
        let step = (self.len() / n).max(1);
        (0..self.len())
            .step_by(step)
            .take(n)
            .map(|i| SampleTrack {
                track_id: self.ids[i],
                values: Feature::ALL
                    .iter()
                    .map(|&f| (f, self.raw_value(i, f)))
                    .collect(),
            })
            .collect()
    }
}

/// One track of `FeatureIndex::sample`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleTrack {
    pub track_id: i32,
    /// Raw value per feature (`None`: popularity unknown), in `Feature::ALL` order.
    pub values: Vec<(Feature, Option<f64>)>,
}
