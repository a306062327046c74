//! The in-memory feature index: every track's features on one fixed-point scale, with
//! the few attributes filters need, in a compact struct-of-arrays layout ordered by a
//! k-d tree, so that each tree leaf is one contiguous run of every array.
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
//! Missing popularity: the popularity column holds 0 for those tracks and a separate
//! "unknown" marker says so. They are never matched on a value they do not have: when
//! popularity is switched on as a feature, or a minimum popularity is set, tracks with
//! no popularity are left out (and the empty-result report names that step).

use std::collections::HashMap;

use crate::catalog::{AudioFeatures, Feature};

/// Number of feature columns.
pub(crate) const DIMS: usize = Feature::ALL.len();
/// Fixed-point steps across a feature's whole range (see the module documentation).
pub(crate) const FULL_SCALE: i32 = 1_200_000_000;
/// Most tracks in a tree leaf. Small enough that a leaf's distances fit in a stack
/// array, large enough that the per-leaf overhead is small next to the scan.
pub(crate) const LEAF: usize = 32;

pub(crate) const NO_GENRE: u16 = u16::MAX;
pub(crate) const NO_YEAR: i16 = i16::MIN;
pub(crate) const NO_POPULARITY: u8 = u8::MAX;
pub(crate) const NO_ARTIST: i32 = -1;
const LEAF_MARK: u32 = u32::MAX;

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
    points: Vec<[i32; DIMS]>,
    ids: Vec<i32>,
    genre: Vec<u16>,
    year: Vec<i16>,
    popularity: Vec<u8>,
    explicit: Vec<bool>,
    artist: Vec<i32>,
    genre_ids: HashMap<String, u16>,
    genres: Vec<String>,
}

impl FeatureIndexBuilder {
    pub fn with_capacity(n: usize) -> Self {
        FeatureIndexBuilder {
            points: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            genre: Vec::with_capacity(n),
            year: Vec::with_capacity(n),
            popularity: Vec::with_capacity(n),
            explicit: Vec::with_capacity(n),
            artist: Vec::with_capacity(n),
            ..Default::default()
        }
    }

    pub fn push(&mut self, track: &IndexedTrack<'_>) {
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
        self.points.push(point);
        self.ids.push(track.id);
        let genre = match track.genre.map(str::trim).filter(|g| !g.is_empty()) {
            None => NO_GENRE,
            Some(name) => self.intern_genre(name),
        };
        self.genre.push(genre);
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
        let remap: Vec<u16> = other
            .genres
            .iter()
            .map(|name| self.intern_genre(name))
            .collect();
        self.points.extend(other.points);
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

    pub fn finish(self) -> FeatureIndex {
        let n = self.points.len();
        // Tree order is built over (point, original row) pairs so that partitioning moves
        // contiguous memory.
        let mut rows: Vec<Row> = self
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| Row {
                x: *p,
                row: i as u32,
            })
            .collect();
        let mut nodes = Vec::with_capacity(2 * n / LEAF + 2);
        if n > 0 {
            build_node_split(&mut rows, 0, &mut nodes, n >= PARALLEL_BUILD);
        }
        let order: Vec<usize> = rows.iter().map(|r| r.row as usize).collect();
        let mut columns: Vec<Vec<i32>> = (0..DIMS).map(|_| Vec::with_capacity(n)).collect();
        for r in &rows {
            for (column, value) in columns.iter_mut().zip(r.x) {
                column.push(value);
            }
        }
        drop(rows);
        let pick = |source: &[i32]| order.iter().map(|&i| source[i]).collect::<Vec<_>>();
        let mut index = FeatureIndex {
            ids: pick(&self.ids),
            artist: pick(&self.artist),
            genre: order.iter().map(|&i| self.genre[i]).collect(),
            year: order.iter().map(|&i| self.year[i]).collect(),
            popularity: order.iter().map(|&i| self.popularity[i]).collect(),
            explicit: order.iter().map(|&i| self.explicit[i]).collect(),
            columns,
            nodes,
            genres: self.genres,
        };
        index.summarise_nodes();
        index
    }
}

#[derive(Clone, Copy)]
struct Row {
    x: [i32; DIMS],
    row: u32,
}

/// A k-d tree node: the bounding box of its tracks' fixed-point features, and summaries
/// of their filter attributes, so whole subtrees can be skipped.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub lo: [i32; DIMS],
    pub hi: [i32; DIMS],
    pub start: u32,
    pub end: u32,
    /// Child node indices; `LEAF_MARK` for a leaf.
    pub left: u32,
    pub right: u32,
    /// Bit `genre % 64` is set for every genre present (a conservative summary).
    pub genre_bits: u64,
    /// Known years span (`year_lo > year_hi` when no track has a year).
    pub year_lo: i16,
    pub year_hi: i16,
    /// Highest known popularity; -1 when none is known.
    pub max_popularity: i16,
    /// Whether some track is not marked explicit.
    pub any_clean: bool,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.left == LEAF_MARK
    }
}

/// Builds the subtree over `rows` (which start at `offset` in the final order) and
/// returns its node index. Splits at the median of the widest dimension, so the tree is
/// balanced and every leaf holds at most `LEAF` tracks.
fn build_node(rows: &mut [Row], offset: usize, nodes: &mut Vec<Node>) -> u32 {
    build_node_split(rows, offset, nodes, false)
}

/// Above this many tracks the root's two halves are built on two threads.
const PARALLEL_BUILD: usize = 1 << 16;

fn build_node_split(rows: &mut [Row], offset: usize, nodes: &mut Vec<Node>, parallel: bool) -> u32 {
    let mut lo = [i32::MAX; DIMS];
    let mut hi = [i32::MIN; DIMS];
    for r in rows.iter() {
        for d in 0..DIMS {
            lo[d] = lo[d].min(r.x[d]);
            hi[d] = hi[d].max(r.x[d]);
        }
    }
    let me = nodes.len() as u32;
    nodes.push(Node {
        lo,
        hi,
        start: offset as u32,
        end: (offset + rows.len()) as u32,
        left: LEAF_MARK,
        right: LEAF_MARK,
        genre_bits: 0,
        year_lo: i16::MAX,
        year_hi: i16::MIN,
        max_popularity: -1,
        any_clean: false,
    });
    if rows.len() <= LEAF {
        return me;
    }
    let mut split = 0;
    for d in 1..DIMS {
        if hi[d] - lo[d] > hi[split] - lo[split] {
            split = d;
        }
    }
    let mid = rows.len() / 2;
    rows.select_nth_unstable_by_key(mid, |r| r.x[split]);
    let (left_rows, right_rows) = rows.split_at_mut(mid);
    let (left, right) = if parallel {
        // The right half goes into its own node list on another thread; appended after
        // the left half's nodes, its child links shift by where it lands.
        let (left, right_nodes) = std::thread::scope(|scope| {
            let right = scope.spawn(|| {
                let mut right_nodes = Vec::with_capacity(2 * right_rows.len() / LEAF + 2);
                build_node(right_rows, offset + mid, &mut right_nodes);
                right_nodes
            });
            let left = build_node(left_rows, offset, nodes);
            let right_nodes = right
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (left, right_nodes)
        });
        let base = nodes.len() as u32;
        nodes.extend(right_nodes.into_iter().map(|mut node| {
            if !node.is_leaf() {
                node.left += base;
                node.right += base;
            }
            node
        }));
        (left, base)
    } else {
        (
            build_node(left_rows, offset, nodes),
            build_node(right_rows, offset + mid, nodes),
        )
    };
    nodes[me as usize].left = left;
    nodes[me as usize].right = right;
    me
}

/// The index. Immutable once built; shared by every request through the catalog
/// snapshot.
pub struct FeatureIndex {
    /// Track ids, in tree order.
    pub(crate) ids: Vec<i32>,
    /// `columns[column(feature)][i]`: fixed-point value of track `i` (`quantize`).
    pub(crate) columns: Vec<Vec<i32>>,
    pub(crate) genre: Vec<u16>,
    pub(crate) year: Vec<i16>,
    pub(crate) popularity: Vec<u8>,
    pub(crate) explicit: Vec<bool>,
    pub(crate) artist: Vec<i32>,
    /// Node 0 is the root (when there is any track).
    pub(crate) nodes: Vec<Node>,
    /// Genre names by genre id.
    pub(crate) genres: Vec<String>,
}

impl std::fmt::Debug for FeatureIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeatureIndex")
            .field("tracks", &self.len())
            .field("genres", &self.genres.len())
            .field("nodes", &self.nodes.len())
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

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether any track is marked explicit: without one, the "no explicit tracks"
    /// filter cannot change an answer (most datasets have no explicit column).
    pub fn has_explicit(&self) -> bool {
        self.explicit.iter().any(|&e| e)
    }

    /// Every genre in the catalog, sorted (for the filter's choices).
    pub fn genres(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.genres.iter().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The genre id of a name, matched without regard to case or surrounding spaces.
    pub(crate) fn genre_id(&self, name: &str) -> Option<u16> {
        let name = name.trim().to_lowercase();
        self.genres
            .iter()
            .position(|g| g.to_lowercase() == name)
            .map(|i| i as u16)
    }

    /// Raw value of a feature of the track at position `i` (from the stored value, so
    /// tempo and loudness beyond their slider range read as the range's end); `None` for
    /// an unknown popularity.
    pub(crate) fn raw_value(&self, i: usize, feature: Feature) -> Option<f64> {
        if feature == Feature::Popularity && self.popularity[i] == NO_POPULARITY {
            return None;
        }
        Some(unquantize(feature, self.columns[column(feature)][i]))
    }

    /// A fixed, spread-out sample of about `n` tracks (every `len/n`-th in tree order,
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

    /// Fills every node's filter summaries from its tracks (leaves) or its children
    /// (inner nodes). Children come after their parent in `nodes`, so one backward
    /// pass sees every child before its parent.
    fn summarise_nodes(&mut self) {
        for n in (0..self.nodes.len()).rev() {
            let node = &self.nodes[n];
            let (mut bits, mut ylo, mut yhi, mut pmax, mut clean) =
                (0u64, i16::MAX, i16::MIN, -1i16, false);
            if node.is_leaf() {
                for i in node.start as usize..node.end as usize {
                    if self.genre[i] != NO_GENRE {
                        bits |= 1 << (self.genre[i] % 64);
                    }
                    if self.year[i] != NO_YEAR {
                        ylo = ylo.min(self.year[i]);
                        yhi = yhi.max(self.year[i]);
                    }
                    if self.popularity[i] != NO_POPULARITY {
                        pmax = pmax.max(i16::from(self.popularity[i]));
                    }
                    clean |= !self.explicit[i];
                }
            } else {
                for child in [
                    &self.nodes[node.left as usize],
                    &self.nodes[node.right as usize],
                ] {
                    bits |= child.genre_bits;
                    ylo = ylo.min(child.year_lo);
                    yhi = yhi.max(child.year_hi);
                    pmax = pmax.max(child.max_popularity);
                    clean |= child.any_clean;
                }
            }
            let node = &mut self.nodes[n];
            node.genre_bits = bits;
            node.year_lo = ylo;
            node.year_hi = yhi;
            node.max_popularity = pmax;
            node.any_clean = clean;
        }
    }
}

/// One track of `FeatureIndex::sample`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleTrack {
    pub track_id: i32,
    /// Raw value per feature (`None`: popularity unknown), in `Feature::ALL` order.
    pub values: Vec<(Feature, Option<f64>)>,
}
