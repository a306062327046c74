//! Multi-row INSERTs on SQLite that bind each row's fields where they lie, for the
//! tables a load writes most (`sqlite_tracks`, `sqlite_artists`, `sqlite_links`).
//!
//! Why not `insert_into(table).values(rows)`: diesel caches a statement by the type of
//! its values, which must then own their strings (so every string was copied for the
//! statement), and it builds a nested tuple of optional column values per row, walks it
//! once to decide whether the statement can be cached and again to bind it, and moves
//! it in between. At 1.2 million rows that construction took as much of the writing
//! thread as SQLite's own work on the rows (`perf record`). Here a statement is the rows'
//! table (a marker type) and a borrowed array, its SQL depends on the row count alone,
//! and that is its cache key.
//!
//! `INSERT OR FAIL`, not a plain `INSERT` (OR ABORT): an ABORT must undo the rows the
//! failing statement already wrote, so SQLite copies every page a multi-row statement
//! touches into a statement journal first (about 4% of an import's CPU in `perf`, in
//! `subjournalPageIfRequired`). A FAIL leaves those rows, which costs nothing here: the
//! writer runs inside the import's one transaction, and any error rolls all of it back
//! (the tests named `a_failed_batch_leaves_nothing_once_rolled_back`). Measured on
//! 1,204,025 Kaggle-layout rows, three alternating runs: 10.37 s median against 10.96 s.

use std::marker::PhantomData;

use diesel::{
    query_builder::{AstPass, QueryFragment, QueryId},
    sqlite::Sqlite,
    QueryResult, RunQueryDsl,
};

/// A table whose rows an `InsertRows` writes.
pub(super) trait Table: 'static {
    /// What one row is made from.
    type Row;
    /// `INSERT OR FAIL INTO <table> (<columns>) VALUES `.
    const INSERT_HEAD: &'static str;
    /// What follows the rows: an `ON CONFLICT` clause, or nothing.
    const INSERT_TAIL: &'static str = "";
    /// Binds the row's values, comma-separated, in the order of `INSERT_HEAD`'s columns.
    fn bind_row<'b>(out: &mut AstPass<'_, 'b, Sqlite>, row: &'b Self::Row) -> QueryResult<()>;
}

/// `N` rows of table `T`, inserted by one statement.
pub(super) struct InsertRows<'a, T: Table, const N: usize>(pub &'a [T::Row; N]);

/// The statement's cache key: its SQL depends on the table and the row count alone.
pub(super) struct InsertRowsId<T, const N: usize>(PhantomData<T>);

impl<T: Table, const N: usize> QueryId for InsertRows<'_, T, N> {
    type QueryId = InsertRowsId<T, N>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<T: Table, const N: usize, Conn> RunQueryDsl<Conn> for InsertRows<'_, T, N> {}

impl<T: Table, const N: usize> QueryFragment<Sqlite> for InsertRows<'_, T, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(T::INSERT_HEAD);
        for (i, row) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            T::bind_row(&mut out, row)?;
            out.push_sql(")");
        }
        out.push_sql(T::INSERT_TAIL);
        Ok(())
    }

    /// Always cacheable (only values are bound): saves diesel a walk of every row to find
    /// out, before each statement.
    fn is_safe_to_cache_prepared(&self, _backend: &Sqlite) -> QueryResult<bool> {
        Ok(true)
    }
}

#[cfg(test)]
pub(super) mod testing {
    use diesel::{connection::SimpleConnection, prelude::*, sql_query, sql_types::Text};

    /// An in-memory catalog, its foreign keys off as the import turns them off.
    pub fn catalog() -> SqliteConnection {
        use diesel_migrations::MigrationHarness;
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        conn.run_pending_migrations(crate::db::catalog_file::MIGRATIONS)
            .expect("catalog migrations");
        conn.batch_execute("PRAGMA foreign_keys = OFF")
            .expect("pragma");
        conn
    }

    /// Every column of `table`, as text, row by row in key order (typeof included, so
    /// that an integer written as a real or a NULL written as '' shows).
    pub fn dump(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            line: String,
        }
        let columns: Vec<String> = sql_query("SELECT name AS line FROM pragma_table_info(?)")
            .bind::<Text, _>(table)
            .load::<Line>(conn)
            .expect("columns")
            .into_iter()
            .map(|l| l.line)
            .collect();
        let select = columns
            .iter()
            .map(|c| format!("typeof({c}) || ':' || coalesce(quote({c}), '')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        sql_query(format!("SELECT {select} AS line FROM {table} ORDER BY 1"))
            .load::<Line>(conn)
            .expect("rows")
            .into_iter()
            .map(|l| l.line)
            .collect()
    }
}
