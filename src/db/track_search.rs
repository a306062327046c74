//! The API's track search with Spotify's field filters: the tracks that meet every
//! condition of a query (title, credited artist, album, genre, year), most popular
//! first, on either backend; and the artists credited on such tracks, for an artist
//! search with track filters. The API reads the query (`catalog::search_query`) and
//! hands the conditions in already folded.
//!
//! Titles and albums are matched as the seed box's title search is
//! (`api_catalog::track_ids_titled`), case and Latin accents aside (`folded_text`). Artist
//! names are matched on their stored search key (folded the same way). The genre column
//! is matched with each backend's case-ignoring `LIKE`: SQLite's ignores ASCII case by
//! itself, PostgreSQL's needs `lower` on both sides.

use diesel::{
    backend::Backend,
    dsl::count_star,
    expression::{is_aggregate, AppearsOnTable, Expression, ValidGrouping},
    prelude::*,
    query_builder::{AstPass, QueryFragment, QueryId},
    serialize::ToSql,
    sql_types::{Bool, Text},
};

use super::{
    api_catalog::{lower, most_popular_first},
    folded_text::{contains_folded, FoldedTitle, TrackText},
    like_pattern::{contains_pattern, like_literal},
    one_of::one_of,
    schema::{artists, genres, track_artists, track_genres, tracks},
};
use crate::model::artist_names::artist_search_key;

diesel::define_sql_function! {
    /// `lower` of a column that may be NULL (album, genre).
    #[sql_name = "lower"]
    fn lower_nullable(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// What a track must meet: every entry of every list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackConditions {
    /// Free words and phrases, as Spotify reads them: each in the title, the album or
    /// the name of a credited artist (`q=weezer` finds Weezer's tracks, `q=beyonce halo`
    /// finds "Halo" by Beyoncé). Rarest first: see `FreeWord`.
    pub words: Vec<FreeWord>,
    /// Texts the title contains.
    pub title: Vec<String>,
    /// Artist search keys (`model::artist_names::artist_search_key` folding), each contained
    /// in the key of one of the track's credited artists (not necessarily the same one:
    /// `artist:a artist:b` finds their collaborations).
    pub artist: Vec<ArtistFilter>,
    /// Texts the album title contains.
    pub album: Vec<String>,
    /// Genre keys (`catalog::genre_key`), each one of the track's genres or subgenres.
    pub genre: Vec<String>,
    /// Inclusive year ranges the release year is in; a track without one is in none.
    pub years: Vec<(i32, i32)>,
    /// Titles, lower case, that rank a track first when its whole title is one of
    /// them (`SearchQuery::titles_as_typed`); not a condition.
    pub whole_titles: Vec<String>,
    /// Words and phrases (Spotify's `NOT`) that none of the title, the album and the
    /// credited artists' names may hold, each with the artists whose names hold it
    /// (`Few`), or `Many` to ask each track.
    pub excluded: Vec<FreeWord>,
}

impl TrackConditions {
    /// Whether genres (at least one) and years are all the query asks: what
    /// `catalog::genre_tracks` answers without SQL.
    pub fn genres_and_years_only(&self) -> bool {
        !self.genre.is_empty()
            && self.words.is_empty()
            && self.title.is_empty()
            && self.artist.is_empty()
            && self.album.is_empty()
            && self.whole_titles.is_empty()
            && self.excluded.is_empty()
    }
}

/// An `artist:` filter: a key one of the track's credited artists' keys holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistFilter {
    pub key: String,
    /// The artists whose keys hold it, as the caller's in-memory artist index found
    /// them (`WordArtists`): `Few`, their tracks are looked up by artist; `AllBut`, the
    /// tracks all of whose artists lack it are left out (`artist:synthetic` in a
    /// generated catalog, where every name holds it: 4.7 s for two such filters at a
    /// million tracks); `Many`, every credit's artist name is tested, which reads all
    /// 1.4 million credits at 1.2M tracks (about 2 s for one filter).
    pub artists: WordArtists,
}

/// A free word of a track search, with the artists whose names contain it as the
/// caller's in-memory artist index found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeWord {
    pub text: String,
    pub artists: WordArtists,
}

/// The artists a free word's name test looks through. The two forms cost differently,
/// and which is cheaper depends on how many tracks those artists have:
/// - `Few`: their tracks are looked up by artist (the `track_artists` index) into one
///   set, once per query. Cheap while the set is small; a word most names hold
///   (`artist` in a generated catalog) made it every track, about 2 s at 1.2M;
/// - `Many`: each track that the title and the album leave open asks for its own
///   artists' names (two index look-ups). The words are tested rarest first, so such
///   a word is mostly asked of the few tracks the others leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordArtists {
    /// The artists' ids, and how many tracks they have between them.
    Few(Vec<i32>, u64),
    /// Every artist but these holds the word, and these have few tracks: a track is
    /// out only when all its credited artists are among them (`q=artist` in a
    /// generated catalog, where every name holds the word). Turned into
    /// `ExceptTracks` before the search.
    AllBut(Vec<i32>),
    /// Every track's artists hold the word but these tracks'.
    ExceptTracks(Vec<i32>),
    Many,
}

impl FreeWord {
    /// The order the query tests words in: the fewest tracks by artists holding the
    /// word first.
    pub fn rarity_order(&self) -> u64 {
        match &self.artists {
            WordArtists::Few(_, tracks) => *tracks,
            // These leave almost every track in, whatever their order.
            WordArtists::AllBut(_) | WordArtists::ExceptTracks(_) | WordArtists::Many => u64::MAX,
        }
    }
}

/// The tracks meeting `$conditions` as a boxed query for `$c`'s backend, as `$matching`
/// in `$query`. The text tests differ per backend (see the module comment); the rest
/// is the same SQL. The second form gives each backend its own use of the query.
macro_rules! on_matching {
    ($conn:expr, $conditions:expr, |$matching:ident, $c:ident| $query:expr) => {
        on_matching!($conn, $conditions,
            sqlite: |$matching, $c| $query,
            pg: |$matching, $c| $query)
    };
    ($conn:expr, $conditions:expr,
        sqlite: |$sqlite_matching:ident, $sqlite:ident| $sqlite_query:expr,
        pg: |$pg_matching:ident, $pg:ident| $pg_query:expr) => {
        match $conn {
            crate::db::DbConnection::Sqlite($sqlite) => {
                let $sqlite_matching =
                    matching!($conditions, |p| tracks::genre.like(p).escape('\\'));
                $sqlite_query
            }
            crate::db::DbConnection::Pg($pg) => {
                let $pg_matching = matching!($conditions, |p| lower_nullable(tracks::genre)
                    .like(lower(p).nullable())
                    .escape('\\'));
                $pg_query
            }
        }
    };
}

/// The boxed query of `on_matching!`, given each backend's case-ignoring `LIKE` on the
/// (first) genre column. Titles and albums are matched with case and Latin accents
/// folded (`folded_text`), alike on both backends.
macro_rules! matching {
    ($conditions:expr, |$g:ident| $genre:expr) => {{
        let conditions: &TrackConditions = $conditions;
        let mut query = tracks::table.into_boxed();
        for word in &conditions.words {
            let text = contains_folded(TrackText::Title, &word.text)
                .or(contains_folded(TrackText::Album, &word.text));
            query = match &word.artists {
                WordArtists::Few(ids, _) if ids.is_empty() => query.filter(text),
                WordArtists::Few(ids, _) => query.filter(
                    text.or(tracks::id.eq_any(
                        track_artists::table
                            .filter(one_of(track_artists::artist_id, ids))
                            .select(track_artists::track_id),
                    )),
                ),
                WordArtists::ExceptTracks(out) if out.is_empty() => query,
                WordArtists::ExceptTracks(out) => {
                    query.filter(text.or(diesel::dsl::not(one_of(tracks::id, out))))
                }
                // `AllBut` is resolved first (`except_tracks`); asked per track otherwise.
                WordArtists::AllBut(_) | WordArtists::Many => {
                    query.filter(text.or(credited_artist_holds(&word.text)))
                }
            };
        }
        for word in &conditions.excluded {
            // A track without an album is one whose album holds nothing: `false`, not
            // the NULL that NOT would keep NULL, and so leave the track out.
            let text = contains_folded(TrackText::Title, &word.text).or(tracks::album
                .is_not_null()
                .and(contains_folded(TrackText::Album, &word.text)));
            // The artists holding the word, when the in-memory index named them: each
            // track asking for its artists' names made `NOT zzzq`, which no name holds,
            // four times slower than the search without it.
            query = match &word.artists {
                WordArtists::Few(ids, _) if ids.is_empty() => query.filter(diesel::dsl::not(text)),
                WordArtists::Few(ids, _) => query.filter(diesel::dsl::not(
                    text.or(tracks::id.eq_any(
                        track_artists::table
                            .filter(one_of(track_artists::artist_id, ids))
                            .select(track_artists::track_id),
                    )),
                )),
                _ => query.filter(diesel::dsl::not(text.or(credited_artist_holds(&word.text)))),
            };
        }
        for text in &conditions.title {
            query = query.filter(contains_folded(TrackText::Title, text));
        }
        for text in &conditions.album {
            query = query.filter(contains_folded(TrackText::Album, text));
        }
        for filter in &conditions.artist {
            query = match &filter.artists {
                WordArtists::Few(ids, _) => query.filter(
                    tracks::id.eq_any(
                        track_artists::table
                            .filter(one_of(track_artists::artist_id, ids))
                            .select(track_artists::track_id),
                    ),
                ),
                WordArtists::ExceptTracks(out) if out.is_empty() => query,
                WordArtists::ExceptTracks(out) => {
                    query.filter(diesel::dsl::not(one_of(tracks::id, out)))
                }
                // `AllBut` is resolved first (`except_tracks`).
                WordArtists::AllBut(_) | WordArtists::Many => query.filter(
                    tracks::id.eq_any(
                        track_artists::table
                            .inner_join(artists::table)
                            .filter(
                                artists::search_key
                                    .like(contains_pattern(&filter.key))
                                    .escape('\\'),
                            )
                            .select(track_artists::track_id),
                    ),
                ),
            };
        }
        for key in &conditions.genre {
            // Any linked genre or subgenre by that name; `tracks.genre` (the first
            // genre) too, for catalogs written without links.
            let $g = like_literal(key);
            query = query.filter(
                tracks::id
                    .eq_any(
                        track_genres::table
                            .inner_join(genres::table)
                            .filter(genres::name_key.eq(key.clone()))
                            .select(track_genres::track_id),
                    )
                    .or($genre.assume_not_null()),
            );
        }
        for &(from, to) in &conditions.years {
            query = query.filter(tracks::release_year.between(from, to));
        }
        query
    }};
}

/// `conditions` with each `AllBut` word turned into `ExceptTracks`: the tracks all of
/// whose credited artists are among the few that lack the word. None: nothing to turn.
fn except_tracks(
    conn: &mut crate::db::DbConnection,
    conditions: &TrackConditions,
) -> QueryResult<Option<TrackConditions>> {
    let all_but = |artists: &WordArtists| matches!(artists, WordArtists::AllBut(_));
    if !conditions.words.iter().any(|w| all_but(&w.artists))
        && !conditions.artist.iter().any(|a| all_but(&a.artists))
    {
        return Ok(None);
    }
    let mut resolved = conditions.clone();
    let listed = resolved
        .words
        .iter_mut()
        .map(|w| &mut w.artists)
        .chain(resolved.artist.iter_mut().map(|a| &mut a.artists));
    for artists in listed {
        let WordArtists::AllBut(lacking) = artists else {
            continue;
        };
        *artists = WordArtists::ExceptTracks(tracks_credited_only_to(conn, lacking)?);
    }
    Ok(Some(resolved))
}

/// The tracks all of whose credited artists are among `lacking`, in order.
fn tracks_credited_only_to(
    conn: &mut crate::db::DbConnection,
    lacking: &[i32],
) -> QueryResult<Vec<i32>> {
    let credits: Vec<(i32, i32)> = crate::db::with_backend!(conn, c => track_artists::table
        .filter(one_of(track_artists::artist_id, lacking))
        .select((track_artists::track_id, track_artists::artist_id))
        .load(c))?;
    let mut lacking_credits: std::collections::HashMap<i32, i64> = Default::default();
    for (track, _) in &credits {
        *lacking_credits.entry(*track).or_default() += 1;
    }
    let tracks: Vec<i32> = lacking_credits.keys().copied().collect();
    let all_credits: Vec<(i32, i64)> = crate::db::with_backend!(conn, c => track_artists::table
        .filter(one_of(track_artists::track_id, &tracks))
        .group_by(track_artists::track_id)
        .select((track_artists::track_id, count_star()))
        .load(c))?;
    let mut out: Vec<i32> = all_credits
        .into_iter()
        .filter(|(track, credits)| lacking_credits.get(track) == Some(credits))
        .map(|(track, _)| track)
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// "One of the track's credited artists has `word` in its name", asked per track (see
/// `WordArtists::Many`). Its own SQL: diesel's DSL has no subquery that names a column
/// of the query around it.
fn credited_artist_holds(word: &str) -> CreditedArtistHolds {
    CreditedArtistHolds {
        pattern: contains_pattern(&artist_search_key(word)),
    }
}

#[derive(Debug, Clone)]
struct CreditedArtistHolds {
    /// A `LIKE` pattern (`\\` escapes) of the folded word.
    pattern: String,
}

impl Expression for CreditedArtistHolds {
    type SqlType = Bool;
}

// Names `tracks` by its table name: valid in any query over it, as `matching!` is.
impl<QS> AppearsOnTable<QS> for CreditedArtistHolds {}

impl ValidGrouping<()> for CreditedArtistHolds {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for CreditedArtistHolds {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<DB: Backend> QueryFragment<DB> for CreditedArtistHolds
where
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "EXISTS (SELECT 1 FROM track_artists JOIN artists \
             ON artists.id = track_artists.artist_id \
             WHERE track_artists.track_id = tracks.id AND artists.search_key LIKE ",
        );
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\')");
        Ok(())
    }
}

/// Tracks meeting `conditions`: (total meeting them, the ids of one page). Those whose
/// whole title the free words spell (`whole_titles`, case aside) come first, then the
/// rest, each most popular first: by popularity alone `q=One` began with "Dance
/// Monkey" (Tones and I), and `q=Thriller Michael Jackson` with "Billie Jean", so a
/// script's `items[0]` named another song. A page that ends before `limit` already
/// says how many match, so the count (a second pass over the tracks) runs only after a
/// full page, or past the last match.
pub fn search_track_ids(
    conn: &mut crate::db::DbConnection,
    conditions: &TrackConditions,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<i32>)> {
    let resolved = except_tracks(conn, conditions)?;
    let conditions = resolved.as_ref().unwrap_or(conditions);
    let titles = &conditions.whole_titles;
    // The same titles folded, for a second rank: `deja vu` typed is "Déjà Vu", after a
    // title spelled exactly as typed and before the rest.
    let mut folded_titles: Vec<String> = titles.iter().map(|t| artist_search_key(t)).collect();
    folded_titles.sort_unstable();
    folded_titles.dedup();
    // The page and the count of every match in one pass: the order reads every match
    // anyway, and a second query for the count read the tracks again (on PostgreSQL,
    // folding every accented title twice). The title test is in the order, so it
    // costs only the matches: as a query of its own it read every track again, about
    // 6 ms more a search at 28,352 tracks (a quarter of a second at 1.2 million).
    // (the count if known, the page's ids)
    let (known, ids): (Option<i64>, Vec<i32>) = on_matching!(conn, conditions,
        // SQLite hands the matches over one by one, and the best of them are kept here
        // (`TopMatches`): its window count stored every match in a temporary b-tree,
        // which the server's small heap limit sent to a file. `q=the`, which every
        // track of a million met, took 1.2 s that way. A page with no room (`limit=0`,
        // the count alone) is counted below without ranking anything.
        sqlite: |matching, c| if limit <= 0 {
            Ok((None, Vec::new()))
        } else {
            let rows = matching
                .select((
                    tracks::id,
                    tracks::popularity,
                    length_if(one_of(lower(tracks::name), titles)),
                    length_if(one_of(FoldedTitle, &folded_titles)),
                ))
                .load_iter::<MatchRow, diesel::connection::DefaultLoadingMode>(c)?;
            let mut top = TopMatches::new(offset.saturating_add(limit));
            for row in rows {
                top.offer(row?);
            }
            let (seen, ids) = top.page(offset, limit);
            Ok::<_, diesel::result::Error>((Some(seen), ids))
        },
        // PostgreSQL sorts and counts the matches in its own memory (`work_mem`),
        // and would send every match over the wire to be ranked here.
        pg: |matching, c| {
            let ordered = if titles.is_empty() {
                matching.order(most_popular_first())
            } else {
                matching
                    .order(length_if(one_of(lower(tracks::name), titles)).desc())
                    .then_order_by(length_if(one_of(FoldedTitle, &folded_titles)).desc())
                    .then_order_by(most_popular_first())
            };
            let page: Vec<(i32, i64)> = ordered
                .select((tracks::id, every_match_counted()))
                .limit(limit)
                .offset(offset)
                .load(c)?;
            // An empty page: the first one when nothing matched; otherwise a page past
            // the end, or one with no room (`limit=0`), which still says how many there
            // are (counted below).
            let known = match page.first() {
                Some(&(_, total)) => Some(total),
                None if offset == 0 && limit > 0 => Some(0),
                None => None,
            };
            Ok::<_, diesel::result::Error>((known, page.into_iter().map(|(id, _)| id).collect()))
        }
    )?;
    if let Some(total) = known {
        return Ok((total, ids));
    }
    let total: i64 = on_matching!(conn, conditions, |matching, c| matching
        .select(count_star())
        .first(c))?;
    Ok((total, ids))
}

/// A match as the SQLite search reads it: id, popularity, and the two title ranks
/// (`length_if`).
type MatchRow = (i32, Option<i32>, i32, i32);

/// The best `room` matches seen so far, in `search_track_ids`'s order (titles typed
/// whole first, the longest first; then most popular, unknown popularity last; then
/// by id), and how many were offered.
struct TopMatches {
    room: usize,
    /// A max-heap by rank: its top is the worst kept, the first to give way.
    kept: std::collections::BinaryHeap<(MatchRank, i32)>,
    seen: i64,
}

/// Smaller ranks first.
type MatchRank = (
    std::cmp::Reverse<i32>,
    std::cmp::Reverse<i32>,
    bool,
    std::cmp::Reverse<Option<i32>>,
);

impl TopMatches {
    fn new(room: i64) -> Self {
        let room = usize::try_from(room).unwrap_or(0);
        TopMatches {
            room,
            kept: std::collections::BinaryHeap::with_capacity(room.min(4096) + 1),
            seen: 0,
        }
    }

    fn offer(&mut self, (id, popularity, whole_title, folded_title): MatchRow) {
        use std::cmp::Reverse;
        self.seen += 1;
        let entry = (
            (
                Reverse(whole_title),
                Reverse(folded_title),
                popularity.is_none(),
                Reverse(popularity),
            ),
            id,
        );
        if self.kept.len() < self.room {
            self.kept.push(entry);
        } else if self.kept.peek().is_some_and(|worst| entry < *worst) {
            self.kept.pop();
            self.kept.push(entry);
        }
    }

    /// How many matches were offered, and the page of them from `offset`.
    fn page(self, offset: i64, limit: i64) -> (i64, Vec<i32>) {
        let ids = self
            .kept
            .into_sorted_vec()
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(_, id)| id)
            .collect();
        (self.seen, ids)
    }
}

/// The title's length where `condition` holds, else 0: of the titles typed whole, the
/// longest comes first. `Every Breath You Take - Remastered 2003` typed had put the
/// more popular "Every Breath You Take", a shorter run of the same words, first.
fn length_if<E>(condition: E) -> LengthIf<E> {
    LengthIf(condition)
}

#[derive(Debug, Clone, Copy, QueryId)]
struct LengthIf<E>(E);

impl<E> Expression for LengthIf<E> {
    type SqlType = diesel::sql_types::Integer;
}

impl<E, QS> AppearsOnTable<QS> for LengthIf<E> where E: AppearsOnTable<QS> {}

impl<E, QS> diesel::expression::SelectableExpression<QS> for LengthIf<E> where
    E: diesel::expression::SelectableExpression<QS>
{
}

impl<E, GB> ValidGrouping<GB> for LengthIf<E>
where
    E: ValidGrouping<GB>,
{
    type IsAggregate = E::IsAggregate;
}

impl<E, DB> QueryFragment<DB> for LengthIf<E>
where
    DB: diesel::backend::Backend,
    E: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(CASE WHEN ");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" THEN length(tracks.name) ELSE 0 END)");
        Ok(())
    }
}

/// How many rows the query matches, whatever its limit (a window over them all).
fn every_match_counted() -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql::<diesel::sql_types::BigInt>("count(*) OVER ()")
}

/// The artists credited on at least one track meeting `conditions`, each once.
pub fn artists_credited_on(
    conn: &mut crate::db::DbConnection,
    conditions: &TrackConditions,
) -> QueryResult<Vec<i32>> {
    let resolved = except_tracks(conn, conditions)?;
    let conditions = resolved.as_ref().unwrap_or(conditions);
    on_matching!(conn, conditions, |matching, c| track_artists::table
        .filter(track_artists::track_id.eq_any(matching.select(tracks::id)))
        .select(track_artists::artist_id)
        .distinct()
        .load(c))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The window query's order, written out: titles typed whole (longest first), then
    /// most popular, unknown popularity last, then by id.
    fn sorted_page(rows: &[MatchRow], offset: usize, limit: usize) -> Vec<(i32, i64)> {
        let mut all = rows.to_vec();
        all.sort_by_key(|&(id, popularity, whole, folded)| {
            (
                std::cmp::Reverse(whole),
                std::cmp::Reverse(folded),
                popularity.is_none(),
                std::cmp::Reverse(popularity),
                id,
            )
        });
        all.iter()
            .skip(offset)
            .take(limit)
            .map(|&(id, ..)| (id, rows.len() as i64))
            .collect()
    }

    fn kept_page(rows: &[MatchRow], offset: i64, limit: i64) -> Vec<(i32, i64)> {
        let mut top = TopMatches::new(offset + limit);
        for &row in rows {
            top.offer(row);
        }
        let (seen, ids) = top.page(offset, limit);
        assert_eq!(seen, rows.len() as i64);
        ids.into_iter().map(|id| (id, seen)).collect()
    }

    #[test]
    fn whole_titles_then_popularity_then_id() {
        let rows = [
            (1, Some(50), 0, 0),
            (2, None, 0, 0),
            (3, Some(90), 0, 0),
            (4, Some(10), 0, 9),
            (5, Some(10), 12, 12),
            (6, Some(50), 0, 0),
        ];
        let ids: Vec<i32> = kept_page(&rows, 0, 10).iter().map(|r| r.0).collect();
        assert_eq!(ids, vec![5, 4, 3, 1, 6, 2]);
        assert_eq!(kept_page(&rows, 2, 2), vec![(3, 6), (1, 6)]);
        // A page past the end, or with no room, holds nothing.
        assert!(kept_page(&rows, 6, 10).is_empty());
        assert!(kept_page(&rows, 0, 0).is_empty());
    }

    proptest! {
        #[test]
        fn the_kept_page_is_the_sorted_page(
            rows in prop::collection::vec(
                (0..40i32, prop::option::of(0..5i32), prop::sample::select(vec![0, 3, 7]), 0..2i32),
                0..60,
            ),
            offset in 0..70usize,
            limit in 0..12usize,
        ) {
            // Ids are unique, as the tracks' are.
            let rows: Vec<MatchRow> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (_, p, w, f))| (i as i32 * 7 % 61, p, w, f * w))
                .collect();
            prop_assert_eq!(
                kept_page(&rows, offset as i64, limit as i64),
                sorted_page(&rows, offset, limit)
            );
        }
    }
}
