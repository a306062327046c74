//! A bulk load into an empty catalog drops the catalog tables' secondary indexes first
//! and rebuilds each once at the end: several times faster than maintaining them row by
//! row.

use diesel::prelude::*;

#[derive(QueryableByName)]
struct IndexSql {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    tbl_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// Drops the catalog tables' explicit indexes (not the ones behind UNIQUE and PRIMARY
/// KEY constraints) and returns their `CREATE INDEX` statements, read from the schema
/// itself so they always match the migrations.
pub(super) fn drop_secondary_indexes(
    conn: &mut crate::db::DbConnection,
) -> QueryResult<Vec<(String, String)>> {
    // SQLite keeps each index's CREATE statement in sqlite_master; PostgreSQL gives it
    // with pg_get_indexdef. Indexes behind constraints (primary keys) are not listed.
    let sql = match conn.backend() {
        crate::db::Backend::Sqlite => {
            "SELECT name, tbl_name, sql FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL
               AND tbl_name IN ('tracks', 'artists', 'track_artists', 'track_genres')
             ORDER BY name"
        }
        crate::db::Backend::Postgres => {
            "SELECT i.relname::text AS name, t.relname::text AS tbl_name,
                    pg_get_indexdef(i.oid) AS sql
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             WHERE t.relnamespace = current_schema()::regnamespace
               AND t.relname IN ('tracks', 'artists', 'track_artists', 'track_genres')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
             ORDER BY 1"
        }
    };
    crate::db::with_backend!(conn, conn => {
    let indexes: Vec<IndexSql> = diesel::sql_query(sql).load(conn)?;
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
    })
}
