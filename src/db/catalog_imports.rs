//! Queries on `catalog_imports`: the history of dataset imports, one row per file.

use diesel::prelude::*;

use super::schema::catalog_imports;

/// What one file's import did.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalog_imports)]
pub struct ImportRecord {
    pub source_file: String,
    /// Unix seconds.
    pub imported_at: i64,
    pub rows_read: i64,
    pub tracks_inserted: i64,
    pub tracks_updated: i64,
    pub rows_skipped: i64,
}

pub fn record(conn: &mut crate::db::DbConnection, import: &ImportRecord) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    diesel::insert_into(catalog_imports::table)
        .values(import)
        .execute(conn)?;
    Ok(())
    })
}

/// Every import, oldest first.
pub fn all(conn: &mut crate::db::DbConnection) -> QueryResult<Vec<ImportRecord>> {
    crate::db::with_backend!(conn, conn => {
    catalog_imports::table
        .order(catalog_imports::id)
        .select(ImportRecord::as_select())
        .load(conn)
    })
}
