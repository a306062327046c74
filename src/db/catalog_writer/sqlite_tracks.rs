//! The rows of `tracks` a load inserts on SQLite, bound in place (`sqlite_insert` says
//! why).
//!
//! PostgreSQL loads new tracks with COPY (`copy`), and updates of stored tracks keep the
//! diesel upsert (`rows::update_tracks`): both are untouched.

use diesel::{
    query_builder::AstPass,
    sql_types::{Bool, Double, Integer, Nullable, Text},
    sqlite::Sqlite,
    QueryResult,
};

use super::{pending::PendingTrack, sqlite_insert::Table};
use crate::db::features::audio_feature_columns;

/// `INSERT OR FAIL INTO tracks (every column) VALUES `, the audio features in the order of
/// `audio_feature_columns!`, which is also the order `bind_track` binds them in.
macro_rules! insert_head {
    (; $($variant:ident $column:ident $avg:ident,)*) => {
        concat!(
            "INSERT OR FAIL INTO tracks (id, identity, spotify_id, name, album, release_year, genre, \
             popularity, duration_ms, explicit, musical_key, mode, time_signature",
            $(", ", stringify!($column),)*
            ", album_spotify_id, release_date) VALUES "
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

/// New tracks (`PendingTrack`s, their ids assigned).
pub(super) struct NewTracks;

impl Table for NewTracks {
    type Row = PendingTrack;
    const INSERT_HEAD: &'static str = INSERT_HEAD;

    fn bind_row<'b>(
        out: &mut AstPass<'_, 'b, Sqlite>,
        pending: &'b PendingTrack,
    ) -> QueryResult<()> {
        bind_track(out, pending)
    }
}

fn bind_track<'b>(out: &mut AstPass<'_, 'b, Sqlite>, pending: &'b PendingTrack) -> QueryResult<()> {
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
    for value in [&track.album_spotify_id, &track.release_date] {
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, Option<String>>(value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::{prelude::*, SqliteConnection};

    use super::*;
    use crate::{
        db::{
            catalog_writer::sqlite_insert::{testing, InsertRows},
            statement_cache_log::StatementCacheLog,
        },
        model::NewTrack,
    };

    /// Inserts the rows with the statement under test.
    fn insert<const N: usize>(
        conn: &mut SqliteConnection,
        rows: &[PendingTrack; N],
    ) -> QueryResult<usize> {
        InsertRows::<NewTracks, N>(rows).execute(conn)
    }

    fn dump(conn: &mut SqliteConnection) -> Vec<String> {
        testing::dump(conn, "tracks")
    }

    fn tracks_table() -> SqliteConnection {
        testing::catalog()
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
            .album_id("0UywfDKYlyiu1b38DRrzYD")
            .release_date("1999-03-01")
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
        insert(&mut by_hand, &rows).expect("insert");
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
        let error = insert(&mut conn, &rows);
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
        insert(&mut conn, &first).expect("insert");
        let one = [pending(5, NewTrack::builder("T", &["A"]).build())];
        insert(&mut conn, &one).expect("insert");
        insert(&mut conn, &second).expect("insert");
        assert_eq!(dump(&mut conn).len(), 5);
        // Two shapes (2 rows, 1 row), each prepared once.
        let cached = log.cached();
        assert_eq!(cached.len(), 2, "{cached:?}");
    }
}
