//! The schema's migrations, embedded in the binary, run at start-up: on PostgreSQL
//! under an advisory lock, so several servers starting at once migrate once; on both,
//! a database a newer release migrated is said to be so.

use diesel::{connection::SimpleConnection, PgConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{pg_lock_key, DbConnection};

/// SQLite's migrations (the main file; the catalog file has `catalog_file::MIGRATIONS`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite_main");

/// PostgreSQL's: the same tables in one database (MVCC lets an import write the catalog
/// while users write theirs, so no second database is needed).
pub const MIGRATIONS_PG: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Migrations a file has that this build does not know: it was written by a newer
/// release, and this one (a rollback) may misread what that release changed. Said, not
/// refused: the tables this build reads may be unchanged.
pub(super) fn warn_of_newer_migrations<DB: diesel::backend::Backend>(
    conn: &mut impl MigrationHarness<DB>,
    known: EmbeddedMigrations,
    place: impl std::fmt::Display,
) -> Vec<String>
where
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    use diesel::migration::MigrationSource;
    let (Ok(applied), Ok(known)) = (
        conn.applied_migrations(),
        MigrationSource::<DB>::migrations(&known),
    ) else {
        return Vec::new();
    };
    let known: std::collections::HashSet<String> = known
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let newer: Vec<String> = applied
        .iter()
        .map(ToString::to_string)
        .filter(|version| !known.contains(version))
        .collect();
    if !newer.is_empty() {
        tracing::warn!(
            database = %place,
            unknown = %newer.join(", "),
            "this database was changed by a newer release than this one; if pages fail, run that release again"
        );
    }
    newer
}

/// Purpose of the advisory lock that serialises migrations across servers.
const MIGRATION_LOCK: i32 = 1;

pub(super) fn migrate_pg(
    conn: &mut PgConnection,
    database: impl std::fmt::Display,
) -> anyhow::Result<()> {
    conn.batch_execute(&format!(
        "SELECT pg_advisory_lock({})",
        pg_lock_key(MIGRATION_LOCK)
    ))?;
    // Said on PostgreSQL as on SQLite: a rollback to this release after a newer one
    // migrated had started without a word.
    warn_of_newer_migrations(conn, MIGRATIONS_PG, database);
    let migrated = check_text_handling(conn).and_then(|()| {
        conn.run_pending_migrations(MIGRATIONS_PG)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
    });
    conn.batch_execute(&format!(
        "SELECT pg_advisory_unlock({})",
        pg_lock_key(MIGRATION_LOCK)
    ))?;
    migrated
}

/// What the database's encoding and locale do to text, checked before anything is
/// written. Searches fold titles with `normalize` (UTF8 only) and `lower`, which follows
/// the database's `LC_CTYPE`: under `C` (what `initdb` gives without a `LANG`) it leaves
/// every non-ASCII letter as it is, and `мама` missed "Мама" that SQLite finds. That is
/// said once at start, with the fix; another encoding is refused.
pub(super) fn check_text_handling(conn: &mut PgConnection) -> anyhow::Result<()> {
    use diesel::{dsl::sql, sql_types::Text, RunQueryDsl};
    let encoding: String = diesel::select(sql::<Text>(
        "pg_encoding_to_char((SELECT encoding FROM pg_database \
         WHERE datname = current_database()))",
    ))
    .get_result(conn)?;
    if !encoding.eq_ignore_ascii_case("UTF8") {
        anyhow::bail!(
            "the PostgreSQL database's encoding is {encoding}; this app needs UTF8 (create \
             it with: createdb -T template0 -E UTF8 --locale=C.UTF-8 -O USER DATABASE)"
        );
    }
    let (folds, ctype): (bool, String) = diesel::select((
        // No sigma at a word's end, which ICU lowers to `ς` by rule.
        sql::<diesel::sql_types::Bool>("lower('ÄМΑ') = 'äмα'"),
        sql::<Text>("(SELECT datctype FROM pg_database WHERE datname = current_database())"),
    ))
    .get_result(conn)?;
    if !folds {
        tracing::warn!(
            lc_ctype = %ctype,
            "PostgreSQL's lower() leaves non-ASCII capitals as they are in this database \
             (its LC_CTYPE): searches of titles and albums in Cyrillic, Greek or with \
             accented capitals miss what they should find. Create the database with a \
             UTF-8 locale (createdb -T template0 -E UTF8 --locale=C.UTF-8 -O USER DATABASE) \
             and import again"
        );
    }
    Ok(())
}

/// Applies every migration not yet applied.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    match conn {
        DbConnection::Sqlite(conn) => {
            conn.run_pending_migrations(MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        }
        DbConnection::Pg(conn) => migrate_pg(conn, "PostgreSQL")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, SqliteConnection};

    use super::*;

    /// A file migrated by a newer release is noticed (a rollback says so).
    #[test]
    fn migrations_this_build_does_not_know_are_found() {
        let mut conn = SqliteConnection::establish(":memory:").expect("memory");
        conn.run_pending_migrations(MIGRATIONS).expect("migrate");
        let file = std::path::Path::new("hub.db");
        assert!(warn_of_newer_migrations(&mut conn, MIGRATIONS, file.display()).is_empty());
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('20990101000000')",
        )
        .expect("a newer release's migration");
        assert_eq!(
            warn_of_newer_migrations(&mut conn, MIGRATIONS, file.display()),
            ["20990101000000"]
        );
    }
}
