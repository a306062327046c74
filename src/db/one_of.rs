//! `column IN (values)` as one bind parameter, so that the statement is prepared once
//! per connection and then reused.
//!
//! diesel's `eq_any` writes one placeholder per value on SQLite, and so marks the
//! statement as not to be cached: every look-up of a few tracks by id (the API's
//! `/tracks` and `/audio-features`, a recommendation's details, the perfect-song
//! answer's titles) parsed and planned its SQL again, a sixth of an `/audio-features`
//! request's CPU time in `perf record`. Here SQLite gets the values as one JSON array,
//! read by `json_each` (its plan is the same index look-up per value), and PostgreSQL
//! one array, `= ANY($1)`; the SQL text never depends on how many values there are.

use diesel::{
    expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping},
    pg::Pg,
    query_builder::{AstPass, QueryFragment, QueryId},
    serialize::ToSql,
    sql_types::{Array, Bool, Text},
    sqlite::Sqlite,
    QueryResult,
};
use serde::Serialize;

/// `column` is one of `values` (see the module comment).
pub fn one_of<C, T>(column: C, values: &[T]) -> OneOf<'_, C, T>
where
    T: Serialize,
{
    // Numbers and strings always serialize; should anything else fail, an empty array
    // matches nothing, which is what no values mean.
    let json = serde_json::to_string(values).unwrap_or_else(|_| "[]".to_string());
    OneOf {
        column,
        values,
        json,
    }
}

#[derive(Debug, Clone)]
pub struct OneOf<'a, C, T> {
    column: C,
    /// For PostgreSQL's array.
    values: &'a [T],
    /// For SQLite's `json_each`.
    json: String,
}

impl<C, T> Expression for OneOf<'_, C, T> {
    type SqlType = Bool;
}

/// The statement's shape depends on the column alone, never on the values.
impl<C: QueryId, T> QueryId for OneOf<'_, C, T> {
    type QueryId = OneOf<'static, C::QueryId, ()>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C, T, GB> ValidGrouping<GB> for OneOf<'_, C, T>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

impl<C, T, QS> AppearsOnTable<QS> for OneOf<'_, C, T> where C: AppearsOnTable<QS> {}

impl<C, T, QS> SelectableExpression<QS> for OneOf<'_, C, T> where C: SelectableExpression<QS> {}

impl<C, T> QueryFragment<Sqlite> for OneOf<'_, C, T>
where
    C: QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C, T> QueryFragment<Pg> for OneOf<'_, C, T>
where
    C: QueryFragment<Pg> + Expression,
    C::SqlType: diesel::sql_types::SqlType + diesel::sql_types::SingleValue,
    Pg: diesel::sql_types::HasSqlType<C::SqlType>,
    [T]: ToSql<Array<C::SqlType>, Pg>,
    T: std::fmt::Debug,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<C::SqlType>, [T]>(self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use diesel::{prelude::*, sql_query, SqliteConnection};

    use super::one_of;
    use crate::db::statement_cache_log::StatementCacheLog;

    diesel::table! {
        things (id) {
            id -> Integer,
            label -> Text,
        }
    }

    fn connection() -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        sql_query("CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
            .execute(&mut conn)
            .expect("table");
        for (id, label) in [(1, "a"), (2, "b\"q"), (3, "é ü"), (4, "[1]"), (5, "e")] {
            diesel::insert_into(things::table)
                .values((things::id.eq(id), things::label.eq(label)))
                .execute(&mut conn)
                .expect("row");
        }
        conn
    }

    #[test]
    fn matches_what_eq_any_matches() {
        let mut conn = connection();
        let ids = |conn: &mut SqliteConnection, wanted: &[i32]| -> Vec<i32> {
            things::table
                .filter(one_of(things::id, wanted))
                .select(things::id)
                .order(things::id)
                .load(conn)
                .expect("query")
        };
        assert_eq!(ids(&mut conn, &[3, 1, 3, 99]), vec![1, 3]);
        assert_eq!(ids(&mut conn, &[]), Vec::<i32>::new());
        let labels: Vec<String> = ["b\"q", "é ü", "[1]", "nothing"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let found: Vec<i32> = things::table
            .filter(one_of(things::label, &labels))
            .select(things::id)
            .order(things::id)
            .load(&mut conn)
            .expect("query");
        assert_eq!(found, vec![2, 3, 4]);
    }

    #[test]
    fn one_statement_is_prepared_whatever_the_number_of_values() {
        let mut conn = connection();
        let log = StatementCacheLog::listen(&mut conn);
        for wanted in [&[1][..], &[1, 2], &[5, 4, 3], &[2], &[]] {
            let _: Vec<i32> = things::table
                .filter(one_of(things::id, wanted))
                .select(things::id)
                .load(&mut conn)
                .expect("query");
        }
        let cached = log.cached();
        assert_eq!(cached.len(), 1, "{cached:?}");
        // diesel's own `eq_any` is the case this replaces: it is never cached.
        let again = StatementCacheLog::listen(&mut conn);
        let _: Vec<i32> = things::table
            .filter(things::id.eq_any([1, 2]))
            .select(things::id)
            .load(&mut conn)
            .expect("query");
        assert!(again.cached().is_empty());
    }
}
