//! "The title (or album) contains this text", ignoring case and Latin accents, on both
//! backends: a search typed as `beyonce` finds "Crazy in Love (feat. Beyoncé)", and
//! `cafe` finds "Café del Mar", as artist names have always been found.
//!
//! Titles have no folded column to compare with (artists have `search_key`): one would
//! add a copy of every title to the catalog file and to each import's writing. So the
//! folding is done where the rows are read:
//! - a plain `LIKE` first, which already ignores ASCII case and settles every title
//!   that is ASCII (almost all of them), at the cost it always had;
//! - only a title holding other characters (SQLite's `length`, in characters, differs
//!   from its `octet_length`, in bytes) is folded, by `artist_search_key` itself: on
//!   SQLite a function this module registers on every connection, on PostgreSQL the
//!   same mapping written out as `translate` and `replace` (`pg_fold`), built from that
//!   function's own answers so that both backends fold alike.
//!
//! The needle is folded by the caller's `artist_search_key`, so `Beyoncé` typed with its
//! accent finds the ASCII spelling too.

use std::sync::OnceLock;

use diesel::{
    expression::{is_aggregate, AppearsOnTable, Expression, ValidGrouping},
    pg::Pg,
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::{Bool, Nullable, Text},
    sqlite::{Sqlite, SqliteConnection},
    QueryResult,
};

use crate::catalog::artists::names::artist_search_key;

diesel::define_sql_function! {
    /// `artist_search_key` of a text (NULL stays NULL), for SQLite: see `register`.
    #[sql_name = "insights_fold"]
    fn insights_fold(text: Nullable<Text>) -> Nullable<Text>;
}

/// Makes `insights_fold` known to a SQLite connection. Every connection that may run a
/// folded search needs it: the pool's, and any opened by hand to serve requests.
pub fn register(conn: &mut SqliteConnection) -> QueryResult<()> {
    insights_fold_utils::register_impl(conn, |text: Option<String>| {
        text.map(|t| artist_search_key(&t))
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

/// The condition: `column` contains the text `pattern` stands for, case and Latin
/// accents aside. `pattern` is a `LIKE` pattern with `\` escapes, made from text that
/// `artist_search_key` has already folded.
#[derive(Debug, Clone)]
pub struct ContainsFolded {
    column: TrackText,
    pattern: String,
}

pub fn contains_folded(column: TrackText, pattern: String) -> ContainsFolded {
    ContainsFolded { column, pattern }
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
        let column = self.column.column();
        out.push_sql("(");
        out.push_sql(column);
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\' OR (length(");
        out.push_sql(column);
        out.push_sql(") <> octet_length(");
        out.push_sql(column);
        out.push_sql(") AND insights_fold(");
        out.push_sql(column);
        out.push_sql(") LIKE ");
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'))");
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
        out.push_sql(" ESCAPE '\\' OR (length(");
        out.push_sql(column);
        out.push_sql(") <> octet_length(");
        out.push_sql(column);
        out.push_sql(") AND ");
        out.push_sql(&pg_fold(column));
        out.push_sql(" LIKE ");
        out.push_bind_param::<Text, String>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'))");
        Ok(())
    }
}

/// The characters `artist_search_key` folds (Latin-1 Supplement, Latin Extended-A and
/// -B, Latin Extended Additional), both cases.
fn folded_characters() -> impl Iterator<Item = char> {
    (0x00C0u32..0x0250)
        .chain(0x1E00..0x1F00)
        .filter_map(char::from_u32)
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

/// `artist_search_key(column)` as a PostgreSQL expression: `lower`, then the mapping.
/// Built once per column; its text comes from the mapping alone, never from input.
fn pg_fold(column: &'static str) -> String {
    static TITLE: OnceLock<String> = OnceLock::new();
    static ALBUM: OnceLock<String> = OnceLock::new();
    let cell = if column == TrackText::Title.column() {
        &TITLE
    } else {
        &ALBUM
    };
    cell.get_or_init(|| {
        let m = pg_mapping();
        // translate drops the characters of `from` past the end of `to`.
        let mut expression = format!(
            "translate(lower({column}), {}, {})",
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
    .clone()
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
    }

    #[test]
    fn sqlite_finds_titles_whatever_their_accents_and_case() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        register(&mut conn).expect("register");
        conn.batch_execute(
            "CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT NOT NULL, album TEXT);
             INSERT INTO tracks VALUES
               (1, 'Crazy in Love (feat. Beyoncé)', NULL),
               (2, 'Café del Mar', 'Ça plane'),
               (3, 'Beyonce Tribute', 'Plain'),
               (4, 'ÉTÉ INDIEN', NULL),
               (5, 'Ænima', NULL)",
        )
        .expect("table");
        let mut find = |column: TrackText, typed: &str| -> Vec<i32> {
            let pattern = format!("%{}%", artist_search_key(typed));
            let condition = contains_folded(column, pattern);
            let sql = diesel::debug_query::<Sqlite, _>(&condition).to_string();
            assert!(sql.contains("insights_fold"), "{sql}");
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
        // A NULL album is no match and no error.
        assert_eq!(find(TrackText::Album, "ca plane"), vec![2]);
        assert_eq!(find(TrackText::Album, "pla"), vec![2, 3]);
    }
}
