//! "The title (or album) contains this text", ignoring case, Latin accents and how an
//! apostrophe is written, on both backends: a search typed as `beyonce` finds "Crazy in
//! Love (feat. Beyoncé)", `cafe` finds "Café del Mar", and `don't` finds "Don’t Stop", as
//! artist names are found.
//!
//! Titles have no folded column to compare with (artists have `search_key`): one would
//! add a copy of every title to the catalog file and to each import's writing. So the
//! folding is done where the rows are read, with `artist_search_key` itself:
//! - on SQLite, by `insights_contains_folded(text, needle)`, a function of this module
//!   that SQLite calls for each row (registered on every connection through SQLite's
//!   auto-extension list). An ASCII title, almost every one, is compared as it is, byte
//!   by byte without regard to case, with no copy; only a title holding another
//!   character is folded first. It replaced a plain `LIKE`, and costs no more: a `LIKE`
//!   followed by a test for non-ASCII titles was 0.06 s slower a search at 1.2M tracks;
//! - on PostgreSQL, by `lower` and a plain `LIKE` first, and for a title holding a
//!   character outside ASCII, the same mapping written out as `translate` and `replace`
//!   (`pg_fold`), built from `artist_search_key`'s own answers so that both backends
//!   fold alike.
//!
//! The needle is folded here too, so `Beyoncé` typed with its accent finds the ASCII
//! spelling as well.

use std::sync::OnceLock;

use diesel::{
    expression::{is_aggregate, AppearsOnTable, Expression, ValidGrouping},
    pg::Pg,
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::{Bool, Text},
    sqlite::Sqlite,
    QueryResult,
};

use super::like_pattern::contains_pattern;
use crate::model::artist_names::artist_search_key;

/// Whether `text` contains `needle` once both are folded; `needle` is folded already
/// (`artist_search_key`). An empty needle is in every text.
pub fn contains_folded_text(text: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if text.is_ascii() {
        // Folding ASCII is lower-casing it, so compare as SQLite's LIKE does, without
        // a copy. A needle byte outside ASCII then matches nothing, as it should.
        return text.len() >= needle.len()
            && (0..=text.len() - needle.len()).any(|at| {
                text[at].to_ascii_lowercase() == first
                    && text[at + 1..at + needle.len()]
                        .iter()
                        .zip(rest)
                        .all(|(t, n)| t.to_ascii_lowercase() == *n)
            });
    }
    let folded = artist_search_key(&String::from_utf8_lossy(text));
    folded
        .as_bytes()
        .windows(needle.len())
        .any(|window| window == needle)
}

/// SQLite's side: the function, registered for every connection opened afterwards.
mod sqlite_function {
    use std::{
        ffi::{c_char, c_int},
        sync::OnceLock,
    };

    use libsqlite3_sys as ffi;

    /// The SQL names.
    pub(super) const NAME: &str = "insights_contains_folded";
    const NAME_C: &std::ffi::CStr = c"insights_contains_folded";
    pub(super) const FOLD_NAME: &str = "insights_fold";
    const FOLD_NAME_C: &std::ffi::CStr = c"insights_fold";

    /// Adds the function to SQLite's auto-extension list (once per process): every
    /// connection opened after this call has it. Err: SQLite's result code.
    #[allow(unsafe_code)]
    pub(super) fn register_for_new_connections() -> Result<(), c_int> {
        static DONE: OnceLock<c_int> = OnceLock::new();
        // SAFETY: `add_function` has the signature sqlite3_auto_extension expects and
        // lives as long as the process; registering it twice would be a no-op anyway.
        let rc = *DONE.get_or_init(|| unsafe { ffi::sqlite3_auto_extension(Some(add_function)) });
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(rc)
        }
    }

    /// Called by SQLite for each new connection: defines the functions on it.
    #[allow(unsafe_code)]
    unsafe extern "C" fn add_function(
        db: *mut ffi::sqlite3,
        _error: *mut *mut c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> c_int {
        let flags = ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS;
        // SAFETY: `db` is the connection SQLite is opening; the names are NUL-terminated
        // constants; the functions keep no state (no user data, no destructor).
        unsafe {
            let rc = ffi::sqlite3_create_function_v2(
                db,
                NAME_C.as_ptr(),
                2,
                flags,
                std::ptr::null_mut(),
                Some(call),
                None,
                None,
                None,
            );
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            ffi::sqlite3_create_function_v2(
                db,
                FOLD_NAME_C.as_ptr(),
                1,
                flags,
                std::ptr::null_mut(),
                Some(call_fold),
                None,
                None,
                None,
            )
        }
    }

    /// `insights_fold(text)`: `text` folded as `artist_search_key` folds it; NULL when
    /// `text` is NULL.
    #[allow(unsafe_code)]
    unsafe extern "C" fn call_fold(
        context: *mut ffi::sqlite3_context,
        argc: c_int,
        argv: *mut *mut ffi::sqlite3_value,
    ) {
        // SAFETY: SQLite passes `argc` (1, as registered) argument values, valid for
        // this call; the result is set once on the call's own context, and SQLite
        // copies the text (SQLITE_TRANSIENT) before `folded` is dropped.
        unsafe {
            let Some(text) = arguments(argc, argv)
                .first()
                .and_then(|&value| text_of(value))
            else {
                ffi::sqlite3_result_null(context);
                return;
            };
            // No panic may cross into C: a failure folds to the empty text.
            let folded = std::panic::catch_unwind(|| {
                crate::model::artist_names::artist_search_key(&String::from_utf8_lossy(text))
            })
            .unwrap_or_default();
            match c_int::try_from(folded.len()) {
                Ok(len) => ffi::sqlite3_result_text(
                    context,
                    folded.as_ptr().cast::<c_char>(),
                    len,
                    ffi::SQLITE_TRANSIENT(),
                ),
                Err(_) => ffi::sqlite3_result_error_toobig(context),
            }
        }
    }

    /// A call's arguments as a slice.
    ///
    /// # Safety
    /// `argc` and `argv` must be those SQLite passed to the function call in progress.
    #[allow(unsafe_code)]
    unsafe fn arguments<'call>(
        argc: c_int,
        argv: *mut *mut ffi::sqlite3_value,
    ) -> &'call [*mut ffi::sqlite3_value] {
        // SAFETY: SQLite passes `argc` argument values at `argv`, valid for the call.
        unsafe { std::slice::from_raw_parts(argv, usize::try_from(argc).unwrap_or(0)) }
    }

    /// The bytes of a TEXT (or other non-NULL) argument, as SQLite hands them over for
    /// the duration of the call; None for NULL.
    ///
    /// # Safety
    /// `value` must be an argument of the function call in progress.
    #[allow(unsafe_code)]
    unsafe fn text_of<'call>(value: *mut ffi::sqlite3_value) -> Option<&'call [u8]> {
        // SAFETY: as the caller guarantees; `sqlite3_value_text` comes before
        // `sqlite3_value_bytes`, as SQLite's documentation asks, and the pointer stays
        // valid until the call returns, which `'call` stands for.
        unsafe {
            if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
                return None;
            }
            let text = ffi::sqlite3_value_text(value);
            if text.is_null() {
                return None;
            }
            let len = usize::try_from(ffi::sqlite3_value_bytes(value)).unwrap_or(0);
            Some(std::slice::from_raw_parts(text, len))
        }
    }

    /// `insights_contains_folded(text, needle)`: 1 or 0, NULL when `text` is NULL.
    #[allow(unsafe_code)]
    unsafe extern "C" fn call(
        context: *mut ffi::sqlite3_context,
        argc: c_int,
        argv: *mut *mut ffi::sqlite3_value,
    ) {
        // SAFETY: SQLite passes `argc` (2, as registered) argument values, valid for
        // this call; the result is set once on the call's own context.
        unsafe {
            let args = arguments(argc, argv);
            let (Some(&text), Some(&needle)) = (args.first(), args.get(1)) else {
                ffi::sqlite3_result_null(context);
                return;
            };
            let (Some(text), Some(needle)) = (text_of(text), text_of(needle)) else {
                ffi::sqlite3_result_null(context);
                return;
            };
            // No panic may cross into C: a failure is "no match".
            let found = std::panic::catch_unwind(|| super::contains_folded_text(text, needle))
                .unwrap_or(false);
            ffi::sqlite3_result_int(context, c_int::from(found));
        }
    }
}

/// Makes `insights_contains_folded` known to every SQLite connection opened after this
/// call (once per process; later calls do nothing). The pool calls it before it opens
/// a connection.
pub fn register_sqlite_function() -> QueryResult<()> {
    sqlite_function::register_for_new_connections().map_err(|rc| {
        diesel::result::Error::QueryBuilderError(
            format!(
                "SQLite refused the function {}: code {rc}",
                sqlite_function::NAME
            )
            .into(),
        )
    })
}

/// SQLite's name for `folded_order`: titles sorted "A to Z" as people read them.
pub const FOLDED_COLLATION: &str = "insights_folded";

/// Title order for people: case and Latin accents aside ("apple", "Ärger", "Banana",
/// "Éclair", "zeta", "Zulu"), then the exact text so that equal folds keep one order.
/// SQLite's own order is by bytes: capitals before small letters, accented ones last.
pub fn folded_order(a: &str, b: &str) -> std::cmp::Ordering {
    let folded = if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        artist_search_key(a).cmp(&artist_search_key(b))
    };
    folded.then_with(|| a.cmp(b))
}

/// What `ORDER BY` takes for titles "A to Z" as people read them, alike on both
/// backends: SQLite's `FOLDED_COLLATION`; on PostgreSQL the same two keys in one
/// expression (so that `DESC` turns both), the folded title (`pg_fold`), then, past a
/// separator no title holds, the title itself, compared byte by byte as `folded_order`
/// compares them. PostgreSQL's ICU root collation, used before, broke ties of
/// punctuation and case otherwise ("Dare You - Radio Edit" against "Dare You (feat.
/// Matthew Koma) - Radio Edit"), and 84 of 300 artists' pages listed another order, and
/// so other tracks on each page, than on SQLite.
pub fn title_order_sql(conn: &mut crate::db::DbConnection) -> QueryResult<&'static str> {
    static POSTGRES: OnceLock<String> = OnceLock::new();
    Ok(match conn {
        crate::db::DbConnection::Sqlite(_) => "tracks.name COLLATE insights_folded",
        crate::db::DbConnection::Pg(_) => POSTGRES.get_or_init(|| {
            let column = TrackText::Title.column();
            format!("({} || chr(1) || {column}) COLLATE \"C\"", pg_fold(column))
        }),
    })
}

/// Makes `FOLDED_COLLATION` known to the connection.
pub fn register_sqlite_collation(conn: &mut diesel::SqliteConnection) -> QueryResult<()> {
    // diesel 2.3 hands the callback SQLite's two strings in reverse order (it names
    // them `rhs, lhs`), so they are put back here: the first sorted last otherwise.
    conn.register_collation(FOLDED_COLLATION, |second, first| {
        // A panic would abort the process (diesel's callback ends so): equal instead.
        std::panic::catch_unwind(|| folded_order(first, second))
            .unwrap_or(std::cmp::Ordering::Equal)
    })
}

/// Which text column of `tracks` a condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackText {
    Title,
    Album,
}

impl TrackText {
    fn column(self) -> &'static str {
        match self {
            TrackText::Title => "tracks.name",
            TrackText::Album => "tracks.album",
        }
    }
}

/// The condition: `column` contains `typed`, case and Latin accents aside.
#[derive(Debug, Clone)]
pub struct ContainsFolded {
    column: TrackText,
    /// `typed`, folded: what SQLite's function looks for.
    needle: String,
    /// The needle as a `LIKE` pattern (`\` escapes), for PostgreSQL.
    pattern: String,
}

pub fn contains_folded(column: TrackText, typed: &str) -> ContainsFolded {
    let needle = artist_search_key(typed);
    let pattern = contains_pattern(&needle);
    ContainsFolded {
        column,
        needle,
        pattern,
    }
}

impl Expression for ContainsFolded {
    type SqlType = Bool;
}

// Names `tracks` by its table name, as a literal would: valid in any query over it.
impl<QS> AppearsOnTable<QS> for ContainsFolded {}

impl ValidGrouping<()> for ContainsFolded {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for ContainsFolded {
    type QueryId = ();
    // The SQL depends on the column, which the type does not say: never cached by type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for ContainsFolded {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(sqlite_function::NAME);
        out.push_sql("(");
        out.push_sql(self.column.column());
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.needle)?;
        out.push_sql(")");
        Ok(())
    }
}

impl QueryFragment<Pg> for ContainsFolded {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let column = self.column.column();
        // PostgreSQL's LIKE minds case: `lower` on the plain test as before.
        out.push_sql("(lower(");
        out.push_sql(column);
        out.push_sql(") LIKE ");
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\' OR (");
        out.push_sql(pg_needs_folding(column));
        out.push_sql(" AND ");
        out.push_sql(pg_fold(column));
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'))");
        Ok(())
    }
}

/// A track's title folded as `artist_search_key` folds it (case, Latin accents and
/// apostrophes aside), as a text to compare: `deja vu` typed is the title "Déjà Vu"
/// (`track_search`'s order puts such a title first). On SQLite `insights_fold`; on
/// PostgreSQL `lower`, and the mapping for a title holding a character it folds.
#[derive(Debug, Clone, Copy)]
pub struct FoldedTitle;

impl Expression for FoldedTitle {
    type SqlType = Text;
}

impl<QS> AppearsOnTable<QS> for FoldedTitle {}

impl<QS> diesel::expression::SelectableExpression<QS> for FoldedTitle {}

impl<GB> ValidGrouping<GB> for FoldedTitle {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for FoldedTitle {
    type QueryId = FoldedTitle;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Sqlite> for FoldedTitle {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(sqlite_function::FOLD_NAME);
        out.push_sql("(");
        out.push_sql(TrackText::Title.column());
        out.push_sql(")");
        Ok(())
    }
}

impl QueryFragment<Pg> for FoldedTitle {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let column = TrackText::Title.column();
        // As in `ContainsFolded`: only a title holding a character the mapping folds
        // pays for `translate`.
        out.push_sql("(CASE WHEN ");
        out.push_sql(pg_needs_folding(column));
        out.push_sql(" THEN ");
        out.push_sql(pg_fold(column));
        out.push_sql(" ELSE lower(");
        out.push_sql(column);
        out.push_sql(") END)");
        Ok(())
    }
}

/// The characters `artist_search_key` folds (Latin-1 Supplement, Latin Extended-A and
/// -B, Latin Extended Additional, both cases; and `APOSTROPHES`, which a test keeps in
/// step).
const FOLDED_RANGES: [(u32, u32); 5] = [
    (0x00C0, 0x024F),
    (0x02BC, 0x02BC),
    (0x1E00, 0x1EFF),
    (0x2018, 0x2019),
    (0x201B, 0x201B),
];

fn folded_characters() -> impl Iterator<Item = char> {
    FOLDED_RANGES
        .into_iter()
        .flat_map(|(first, last)| first..=last)
        .filter_map(char::from_u32)
}

/// Whether `column` holds text the fold changes, beyond `lower`: a character the
/// mapping folds, or one that Unicode's compatibility normalization (NFKC, as
/// `artist_search_key` applies) writes otherwise ("´", "№", "³", "ﬁ", full-width
/// letters). Only such a title pays for the fold: PostgreSQL's `translate` looks each
/// character up along its whole list, so folding every title that was not ASCII
/// (Japanese, Cyrillic…) made a search 5 to 8 times slower. Without the NFKC test, "God´s
/// Plan" typed whole found nothing on PostgreSQL and its track on SQLite.
fn pg_needs_folding(column: &'static str) -> &'static str {
    static TITLE: OnceLock<String> = OnceLock::new();
    static ALBUM: OnceLock<String> = OnceLock::new();
    once_per_column(column, [&TITLE, &ALBUM], || {
        format!(
            "(length({column}) <> octet_length({column}) AND ({column} ~ {} OR {column} IS NOT NFKC NORMALIZED))",
            pg_foldable_class()
        )
    })
}

/// SQL for `column` built once per process (one cell each for the title and the album):
/// a search writes it into every statement, for each word.
fn once_per_column(
    column: &'static str,
    [title, album]: [&'static OnceLock<String>; 2],
    build: impl FnOnce() -> String,
) -> &'static str {
    let cell = if column == TrackText::Title.column() {
        title
    } else {
        album
    };
    cell.get_or_init(build)
}

/// A PostgreSQL regular expression literal that a text holding any of
/// `folded_characters` matches.
fn pg_foldable_class() -> String {
    let ranges: String = FOLDED_RANGES
        .into_iter()
        .filter_map(|(first, last)| Some((char::from_u32(first)?, char::from_u32(last)?)))
        .map(|(first, last)| format!("{first}-{last}"))
        .collect();
    pg_literal(&format!("[{ranges}]"))
}

/// How `artist_search_key` folds each character that it changes, split by what
/// PostgreSQL can say it with: `translate` for one character to one, or to none;
/// `replace` for one to several ("æ" to "ae").
struct PgMapping {
    from: String,
    to: String,
    removed: String,
    expanded: Vec<(char, String)>,
}

fn pg_mapping() -> &'static PgMapping {
    static MAPPING: OnceLock<PgMapping> = OnceLock::new();
    MAPPING.get_or_init(|| {
        let mut mapping = PgMapping {
            from: String::new(),
            to: String::new(),
            removed: String::new(),
            expanded: Vec::new(),
        };
        for ch in folded_characters() {
            let folded = artist_search_key(&ch.to_string());
            let mut chars = folded.chars();
            match (chars.next(), chars.next()) {
                (Some(only), None) if only == ch => {}
                (Some(only), None) => {
                    mapping.from.push(ch);
                    mapping.to.push(only);
                }
                (None, _) => mapping.removed.push(ch),
                (Some(_), Some(_)) => mapping.expanded.push((ch, folded)),
            }
        }
        mapping
    })
}

/// A PostgreSQL string literal.
fn pg_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `artist_search_key(column)` as a PostgreSQL expression: NFKC, `lower`, then the
/// mapping.
/// Built once per column; its text comes from the mapping alone, never from input.
fn pg_fold(column: &'static str) -> &'static str {
    static TITLE: OnceLock<String> = OnceLock::new();
    static ALBUM: OnceLock<String> = OnceLock::new();
    once_per_column(column, [&TITLE, &ALBUM], || {
        let m = pg_mapping();
        // translate drops the characters of `from` past the end of `to`.
        let mut expression = format!(
            "translate(lower(normalize({column}, NFKC)), {}, {})",
            pg_literal(&format!("{}{}", m.from, m.removed)),
            pg_literal(&m.to)
        );
        for (ch, folded) in &m.expanded {
            expression = format!(
                "replace({expression}, {}, {})",
                pg_literal(&ch.to_string()),
                pg_literal(folded)
            );
        }
        expression
    })
}

#[cfg(test)]
mod tests {
    use diesel::{connection::SimpleConnection, prelude::*};

    use super::*;

    /// Applies the PostgreSQL mapping in Rust, as `translate` and `replace` would, to a
    /// lower-cased text.
    fn as_pg_would(text: &str) -> String {
        let m = pg_mapping();
        let from: Vec<char> = m.from.chars().collect();
        let to: Vec<char> = m.to.chars().collect();
        let mut out = String::new();
        for ch in text.to_lowercase().chars() {
            if let Some(at) = from.iter().position(|&f| f == ch) {
                out.push(to[at]);
            } else if m.removed.contains(ch) {
            } else if let Some((_, folded)) = m.expanded.iter().find(|(c, _)| *c == ch) {
                out.push_str(folded);
            } else {
                out.push(ch);
            }
        }
        out
    }

    #[test]
    fn every_apostrophe_is_a_folded_character() {
        for apostrophe in crate::model::artist_names::APOSTROPHES {
            assert!(
                folded_characters().any(|ch| ch == apostrophe),
                "{apostrophe}"
            );
        }
    }

    #[test]
    fn the_postgresql_mapping_folds_as_the_search_key_does() {
        for ch in folded_characters() {
            let text = format!("Ab{ch}Cd");
            assert_eq!(
                as_pg_would(&text),
                artist_search_key(&text),
                "U+{:04X}",
                u32::from(ch)
            );
        }
        assert!(pg_mapping()
            .expanded
            .iter()
            .any(|(c, f)| *c == 'æ' && f == "ae"));
        let fold = pg_fold(TrackText::Title.column());
        assert!(fold.starts_with("replace(") || fold.starts_with("translate("));
        // What the fold is asked of: a text holding one of the characters it changes.
        assert_eq!(
            pg_foldable_class(),
            "'[\u{C0}-\u{24F}\u{2BC}-\u{2BC}\u{1E00}-\u{1EFF}\u{2018}-\u{2019}\u{201B}-\u{201B}]'"
        );
    }

    #[test]
    fn folded_containment_byte_by_byte() {
        let has = |text: &str, typed: &str| {
            contains_folded_text(text.as_bytes(), artist_search_key(typed).as_bytes())
        };
        assert!(has("Crazy in Love (feat. Beyoncé)", "BEYONCE"));
        assert!(has("Crazy in Love (feat. Beyoncé)", "beyoncé"));
        assert!(has("Beyonce", "Beyoncé"));
        assert!(has("Love", "love"));
        assert!(has("Love", "e"));
        assert!(has("Love", ""));
        assert!(!has("Love", "loves"));
        assert!(!has("Lo", "love"));
        assert!(!has("Love", "lové?"));
        assert!(has("Ænima", "aenima"));
        assert!(has("周杰倫 Live", "杰倫"));
        assert!(!has("Jay Chou", "周"));
        // Bytes that are not UTF-8 (SQLite stores what it is given) are read lossily.
        assert!(contains_folded_text(b"caf\xe9 noir", b"noir"));
        assert!(!contains_folded_text(b"\xff\xfe", b"a"));
    }

    /// SQLite sorts with the collation in the folded order, not its reverse: diesel
    /// hands the callback its strings swapped, and an upgrade that stops doing so
    /// shows here.
    #[test]
    fn sqlite_sorts_titles_a_to_z_as_people_read_them() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        register_sqlite_collation(&mut conn).expect("collation");
        conn.batch_execute(
            "CREATE TABLE t (name TEXT NOT NULL);
             INSERT INTO t VALUES ('Zulu'), ('apple'), ('Éclair'), ('Banana'), ('zeta'), ('Ärger');",
        )
        .expect("table");
        #[derive(diesel::QueryableByName)]
        struct Name {
            #[diesel(sql_type = Text)]
            name: String,
        }
        let sorted: Vec<String> =
            diesel::sql_query("SELECT name FROM t ORDER BY name COLLATE insights_folded")
                .load::<Name>(&mut conn)
                .expect("sorted")
                .into_iter()
                .map(|n| n.name)
                .collect();
        assert_eq!(
            sorted,
            ["apple", "Ärger", "Banana", "Éclair", "zeta", "Zulu"]
        );
        assert_eq!(
            folded_order("a", "A"),
            std::cmp::Ordering::Greater,
            "ties by text"
        );
    }

    #[test]
    fn sqlite_finds_titles_whatever_their_accents_and_case() {
        register_sqlite_function().expect("register");
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        conn.batch_execute(
            "CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT NOT NULL, album TEXT);
             INSERT INTO tracks VALUES
               (1, 'Crazy in Love (feat. Beyoncé)', NULL),
               (2, 'Café del Mar', 'Ça plane'),
               (3, 'Beyonce Tribute', 'Plain'),
               (4, 'ÉTÉ INDIEN', NULL),
               (5, 'Ænima', NULL),
               (6, 'Don’t Stop', NULL),
               (7, 'Don''t Look Back', NULL)",
        )
        .expect("table");
        let mut find = |column: TrackText, typed: &str| -> Vec<i32> {
            let condition = contains_folded(column, typed);
            let sql = diesel::debug_query::<Sqlite, _>(&condition).to_string();
            assert!(sql.contains("insights_contains_folded"), "{sql}");
            crate::db::schema::tracks::table
                .select(crate::db::schema::tracks::id)
                .filter(condition)
                .order(crate::db::schema::tracks::id)
                .load::<i32>(&mut conn)
                .expect("query")
        };
        assert_eq!(find(TrackText::Title, "beyonce"), vec![1, 3]);
        assert_eq!(find(TrackText::Title, "BEYONCÉ"), vec![1, 3]);
        assert_eq!(find(TrackText::Title, "cafe"), vec![2]);
        assert_eq!(find(TrackText::Title, "été"), vec![4]);
        assert_eq!(find(TrackText::Title, "ete indien"), vec![4]);
        assert_eq!(find(TrackText::Title, "aenima"), vec![5]);
        assert_eq!(find(TrackText::Title, "zzz"), Vec::<i32>::new());
        // An apostrophe typed either way finds both spellings.
        assert_eq!(find(TrackText::Title, "don't"), vec![6, 7]);
        assert_eq!(find(TrackText::Title, "DON’T"), vec![6, 7]);
        // A NULL album is no match and no error.
        assert_eq!(find(TrackText::Album, "ca plane"), vec![2]);
        assert_eq!(find(TrackText::Album, "pla"), vec![2, 3]);
    }
}
