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

/// The size of each sorted run SQLite's sorter makes while it rebuilds an index: the
/// runs are sorted in memory (by a second thread too, `PRAGMA threads`), written to a
/// temporary file and merged. SQLite takes it from the main schema's `cache_size`.
/// A run that fits in the processor's caches sorts several times faster than one list
/// of every key: at 1,204,025 tracks the artist index (1.4 million links, in random
/// order of artist) took 1.4 s sorted in memory whole and 0.6 s in 2 MiB runs, and the
/// import's peak was 45 MB lower (`benches/HISTORY.md`, 2026-12-04 afternoon).
const SORT_RUN_KIB: i64 = 2 * 1024;

/// Runs the `CREATE INDEX` statements `drop_secondary_indexes` returned. SQLite: with
/// the sorter's runs in temporary files (`temp_store = FILE`, the only setting under
/// which it splits a sort into runs at all) of `SORT_RUN_KIB`, then the connection's
/// own settings back, since an import wants its statement journals in memory. SQLite
/// refuses to change the temporary store inside a transaction once the connection has
/// opened a TEMP schema (the catalog writer never does); the indexes are then built
/// with one sort in memory, as before: slower, and the same indexes.
pub(super) fn rebuild_indexes(
    conn: &mut crate::db::DbConnection,
    creates: impl IntoIterator<Item = String>,
) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    let crate::db::DbConnection::Sqlite(c) = conn else {
        return crate::db::with_backend!(conn, conn => {
            for create in creates {
                diesel::sql_query(create).execute(conn)?;
            }
            Ok(())
        });
    };
    let before = SortSettings::of(c)?;
    let external = c
        .batch_execute(&format!(
            "PRAGMA temp_store = FILE; PRAGMA main.cache_size = -{SORT_RUN_KIB};"
        ))
        .map_err(|error| tracing::debug!(%error, "index rebuild: sorting in memory"))
        .is_ok();
    let built = creates
        .into_iter()
        .try_for_each(|create| diesel::sql_query(create).execute(c).map(drop));
    let restored = if external {
        // Both values were read from SQLite itself: integers, not input.
        c.batch_execute(&format!(
            "PRAGMA temp_store = {}; PRAGMA main.cache_size = {};",
            before.temp_store, before.cache_size
        ))
    } else {
        Ok(())
    };
    built.and(restored)
}

/// PostgreSQL: the catalog tables' statistics, taken again. Its planner reads them for
/// every query, and after a large import they describe the catalog before it until
/// autovacuum gets round to them (a minute or more): meanwhile a look-up by a list of
/// ids (`= ANY`) was planned as a read of a whole link table. At 1,204,025 tracks
/// (Kaggle layout), just after the import, `/tracks/{id}` took 44–75 ms and
/// `/albums?ids=` with 20 ids 1.9 s; after `ANALYZE`, 0.8 ms and 14 ms. SQLite plans
/// from the indexes alone, and needs nothing.
pub(super) fn refresh_statistics(conn: &mut crate::db::DbConnection) -> QueryResult<()> {
    match conn {
        crate::db::DbConnection::Pg(c) => {
            diesel::sql_query("ANALYZE tracks, artists, track_artists, genres, track_genres")
                .execute(c)
                .map(drop)
        }
        crate::db::DbConnection::Sqlite(_) => Ok(()),
    }
}

/// The two settings a rebuild changes and gives back.
#[derive(QueryableByName, Debug, PartialEq)]
struct SortSettings {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    temp_store: i64,
}

impl SortSettings {
    fn of(conn: &mut diesel::SqliteConnection) -> QueryResult<SortSettings> {
        diesel::sql_query("SELECT cache_size, temp_store FROM pragma_cache_size, pragma_temp_store")
            .get_result(conn)
    }
}

#[cfg(test)]
mod tests {
    use diesel::{connection::SimpleConnection, sql_query, sql_types::BigInt, SqliteConnection};

    use super::*;

    fn settings(conn: &mut crate::db::DbConnection) -> SortSettings {
        let crate::db::DbConnection::Sqlite(c) = conn else {
            unreachable!("a SQLite connection")
        };
        SortSettings::of(c).expect("settings")
    }

    fn count(conn: &mut crate::db::DbConnection, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let crate::db::DbConnection::Sqlite(c) = conn else {
            unreachable!("a SQLite connection")
        };
        sql_query(sql).get_result::<Count>(c).expect(sql).n
    }

    /// The rows of `t` matching `filter`, counted through the index `t_b` and by a
    /// scan of the table: (through the index, by the scan).
    fn through_index_and_scan(conn: &mut crate::db::DbConnection, filter: &str) -> (i64, i64) {
        (
            count(
                conn,
                &format!("SELECT COUNT(*) AS n FROM t INDEXED BY t_b WHERE {filter}"),
            ),
            count(
                conn,
                &format!("SELECT COUNT(*) AS n FROM t NOT INDEXED WHERE {filter}"),
            ),
        )
    }

    /// A file database with an import's settings, a table whose `b` is in no
    /// particular order, and an open transaction, as `finish` has them. 400,000 keys
    /// (about 5 MB to sort) take more than one of the sorter's runs, so the runs are
    /// written to temporary files and merged.
    fn loaded(dir: &tempfile::TempDir) -> crate::db::DbConnection {
        let path = dir.path().join("t.db");
        let mut c = SqliteConnection::establish(path.to_str().expect("utf-8")).expect("open");
        c.batch_execute(
            "PRAGMA cache_size = -48000; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;
             CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)
             INSERT INTO t SELECT i, (i * 7919) % 1009 FROM n;
             BEGIN IMMEDIATE;",
        )
        .expect("load");
        crate::db::DbConnection::Sqlite(c)
    }

    #[test]
    fn a_rebuild_builds_the_index_and_gives_back_the_connections_settings() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = loaded(&dir);
        let before = settings(&mut conn);
        rebuild_indexes(&mut conn, ["CREATE INDEX t_b ON t (b)".to_string()]).expect("rebuild");
        assert_eq!(settings(&mut conn), before);
        let (indexed, scanned) = through_index_and_scan(&mut conn, "b = 17");
        assert_eq!(indexed, scanned);
        assert_eq!(
            count(
                &mut conn,
                "SELECT COUNT(*) AS n FROM pragma_integrity_check WHERE integrity_check = 'ok'"
            ),
            1
        );
    }

    #[test]
    fn with_a_temp_schema_open_a_rebuild_sorts_in_memory_and_still_builds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = loaded(&dir);
        if let crate::db::DbConnection::Sqlite(c) = &mut conn {
            // SQLite refuses to change the temporary store in a transaction from now on.
            c.batch_execute("CREATE TEMP TABLE scratch (x INTEGER)")
                .expect("temp table");
        }
        let before = settings(&mut conn);
        rebuild_indexes(&mut conn, ["CREATE INDEX t_b ON t (b)".to_string()]).expect("rebuild");
        assert_eq!(settings(&mut conn), before);
        let (indexed, scanned) = through_index_and_scan(&mut conn, "b >= 500");
        assert_eq!(indexed, scanned);
    }

    #[test]
    fn a_failing_statement_fails_the_rebuild_and_the_settings_come_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = loaded(&dir);
        let before = settings(&mut conn);
        let result = rebuild_indexes(
            &mut conn,
            [
                "CREATE INDEX t_b ON t (b)".to_string(),
                "CREATE UNIQUE INDEX t_b_unique ON t (b)".to_string(),
            ],
        );
        assert!(result.is_err(), "b repeats, so a unique index must fail");
        assert_eq!(settings(&mut conn), before);
    }
}
