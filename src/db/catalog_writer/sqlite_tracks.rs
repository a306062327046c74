//! The multi-row INSERT of new tracks on SQLite, written as a `QueryFragment` of its own
//! instead of with `insert_into(tracks).values(rows)`.
//!
//! Why: diesel caches a statement by the type of its values, so the values it is given
//! must own their strings; every row's identity, id, title and album were copied for the
//! statement and freed after it, and the 64 rows of 23 columns (about 45 KB of tuples)
//! were moved and walked several times per statement. At 1.2 million rows that was
//! about half of the writing thread's time in the track INSERTs (`perf record`), as much
//! as SQLite's own work. Here the statement binds the pending tracks' fields in place
//! (SQLite reads them while the statement runs: `SQLITE_STATIC`), and its cache key is a
//! type that depends on the row count alone, as the SQL does.
//!
//! `INSERT OR FAIL`, not a plain `INSERT` (OR ABORT): an ABORT must undo the rows the
//! failing statement already wrote, so SQLite copies every page a multi-row statement
//! touches into a statement journal first (about 4% of an import's CPU in `perf`, in
//! `subjournalPageIfRequired`). A FAIL leaves those rows, which costs nothing here: the
//! writer runs inside the import's one transaction, and any error rolls all of it back
//! (`a_failed_batch_leaves_nothing_once_rolled_back` below). Measured on 1,204,025
//! Kaggle-layout rows, three alternating runs: 10.37 s median against 10.96 s.
//!
//! PostgreSQL loads new tracks with COPY (`copy`), and updates of stored tracks keep the
//! diesel upsert (`rows::update_tracks`): both are untouched.

use diesel::{
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::{Bool, Double, Integer, Nullable, Text},
    sqlite::Sqlite,
    QueryResult, RunQueryDsl,
};

use super::pending::PendingTrack;
use crate::db::features::audio_feature_columns;

/// `INSERT OR FAIL INTO tracks (every column) VALUES `, the audio features in the order of
/// `audio_feature_columns!`, which is also the order `bind_row` binds them in.
macro_rules! insert_head {
    (; $($variant:ident $column:ident $avg:ident,)*) => {
        concat!(
            "INSERT OR FAIL INTO tracks (id, identity, spotify_id, name, album, release_year, genre, \
             popularity, duration_ms, explicit, musical_key, mode, time_signature",
            $(", ", stringify!($column),)*
            ") VALUES "
        )
    };
}
const INSERT_HEAD: &str = audio_feature_columns!(insert_head);

/// Binds one feature value per column, in `insert_head`'s order.
macro_rules! bind_features {
    ($out:ident, $features:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        $(
            $out.push_sql(", ");
            $out.push_bind_param::<Double, f64>(&$features.$column)?;
        )*
    };
}

/// What a track without a genre binds for `genre`.
static NO_TEXT: Option<String> = None;

/// `N` new tracks, inserted by one statement.
pub(super) struct NewTrackRows<'a, const N: usize>(pub &'a [PendingTrack; N]);

/// The statement's cache key: its SQL depends on the number of rows alone.
pub(super) struct NewTrackRowsId<const N: usize>;

impl<const N: usize> QueryId for NewTrackRows<'_, N> {
    type QueryId = NewTrackRowsId<N>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const N: usize, Conn> RunQueryDsl<Conn> for NewTrackRows<'_, N> {}

impl<const N: usize> QueryFragment<Sqlite> for NewTrackRows<'_, N> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(INSERT_HEAD);
        for (i, pending) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            bind_row(&mut out, pending)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

fn bind_row<'b>(out: &mut AstPass<'_, 'b, Sqlite>, pending: &'b PendingTrack) -> QueryResult<()> {
    let track = &pending.track;
    out.push_bind_param::<Integer, i32>(&pending.id)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&pending.identity)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Text>, Option<String>>(&track.spotify_id)?;
    out.push_sql(", ");
    out.push_bind_param::<Text, String>(&track.name)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Text>, Option<String>>(&track.album)?;
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Integer>, Option<i32>>(&track.release_year)?;
    out.push_sql(", ");
    // The first genre the row gives, as the column has always held.
    match track.genres.first() {
        Some(tag) => out.push_bind_param::<Text, String>(&tag.genre)?,
        None => out.push_bind_param::<Nullable<Text>, Option<String>>(&NO_TEXT)?,
    }
    for value in [&track.popularity, &track.duration_ms] {
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, Option<i32>>(value)?;
    }
    out.push_sql(", ");
    out.push_bind_param::<Nullable<Bool>, Option<bool>>(&track.explicit)?;
    for value in [&track.musical_key, &track.mode, &track.time_signature] {
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Integer>, Option<i32>>(value)?;
    }
    let features = &track.features;
    audio_feature_columns!(bind_features; out, features);
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::{prelude::*, sql_query, SqliteConnection};

    use super::*;
    use crate::{catalog::NewTrack, db::statement_cache_log::StatementCacheLog};

    /// Every column of `tracks`, as text, row by row (typeof included, so that an
    /// integer written as a real or a NULL written as '' shows).
    fn dump(conn: &mut SqliteConnection) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            line: String,
        }
        let columns: Vec<String> =
            sql_query("SELECT name AS line FROM pragma_table_info('tracks')")
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
        sql_query(format!("SELECT {select} AS line FROM tracks ORDER BY id"))
            .load::<Line>(conn)
            .expect("rows")
            .into_iter()
            .map(|l| l.line)
            .collect()
    }

    fn tracks_table() -> SqliteConnection {
        use diesel_migrations::MigrationHarness;
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        conn.run_pending_migrations(crate::db::catalog_file::MIGRATIONS)
            .expect("catalog migrations");
        conn
    }

    fn pending(id: i32, track: NewTrack) -> PendingTrack {
        PendingTrack {
            id,
            slot: 0,
            identity: format!("identity-{id}"),
            artist_ids: Vec::new(),
            track,
        }
    }

    #[test]
    fn writes_what_diesels_insert_writes() {
        let full = NewTrack::builder("Año \"quoted\" 'x'", &["A"])
            .spotify_id("4iV5W9uYEdYUVa79Axb7Rh")
            .album("Album, with comma")
            .year(1999)
            .genres(&[("rock", Some("hard rock")), ("pop", None)])
            .popularity(Some(71))
            .build();
        let mut full = full;
        full.duration_ms = Some(215_000);
        full.explicit = Some(true);
        full.musical_key = Some(11);
        full.mode = Some(0);
        full.time_signature = Some(4);
        full.features.loudness = -5.25;
        full.features.tempo = 120.5;
        full.features.danceability = 0.731;
        let bare = NewTrack::builder("Bare", &["B"]).build();
        let rows = [pending(1, full), pending(2, bare)];

        let mut by_hand = tracks_table();
        NewTrackRows(&rows).execute(&mut by_hand).expect("insert");
        let by_diesel = tracks_table();
        let mut wrapped = crate::db::DbConnection::Sqlite(by_diesel);
        super::super::rows::insert_tracks_with_diesel(&mut wrapped, &rows).expect("insert");
        let crate::db::DbConnection::Sqlite(mut by_diesel) = wrapped else {
            unreachable!("built as SQLite")
        };
        let expected = dump(&mut by_diesel);
        assert_eq!(expected.len(), 2);
        assert!(expected[0].contains("text:'rock'"), "{}", expected[0]);
        assert!(expected[1].contains("null:"), "{}", expected[1]);
        assert_eq!(dump(&mut by_hand), expected);
    }

    #[test]
    fn a_failed_batch_leaves_nothing_once_rolled_back() {
        use diesel::connection::SimpleConnection;
        let mut conn = tracks_table();
        let track = || NewTrack::builder("T", &["A"]).build();
        // The second row repeats the first one's id: the statement fails on it, after
        // writing the first row.
        let rows = [pending(1, track()), pending(1, track())];
        conn.batch_execute("BEGIN").expect("begin");
        let error = NewTrackRows(&rows).execute(&mut conn);
        assert!(error.is_err(), "a repeated id must fail");
        conn.batch_execute("ROLLBACK").expect("rollback");
        assert!(dump(&mut conn).is_empty());
    }

    #[test]
    fn one_statement_is_prepared_per_row_count() {
        let mut conn = tracks_table();
        let log = StatementCacheLog::listen(&mut conn);
        let rows = |from: i32| {
            [from, from + 1].map(|id| pending(id, NewTrack::builder("T", &["A"]).build()))
        };
        let (first, second) = (rows(1), rows(3));
        NewTrackRows(&first).execute(&mut conn).expect("insert");
        let one = [pending(5, NewTrack::builder("T", &["A"]).build())];
        NewTrackRows(&one).execute(&mut conn).expect("insert");
        NewTrackRows(&second).execute(&mut conn).expect("insert");
        assert_eq!(dump(&mut conn).len(), 5);
        // Two shapes (2 rows, 1 row), each prepared once.
        let cached = log.cached();
        assert_eq!(cached.len(), 2, "{cached:?}");
    }
}
