//! The links a load inserts on SQLite (a track's artists, a track's genres), bound in
//! place (`sqlite_insert` says why). Links are two or three integers each, so diesel's
//! per-row tuples cost more than binding them did: at 1.2 million TidyTuesday-layout
//! rows, 3.1 million links.
//!
//! PostgreSQL loads artist links with COPY (`copy`) and genre links with diesel (`rows`).

use diesel::{query_builder::AstPass, sql_types::Integer, sqlite::Sqlite, QueryResult};

use super::sqlite_insert::Table;

/// `track_artists`: (track id, artist id, credit position).
pub(super) struct TrackArtists;

/// `track_genres`: (track id, genre id). A link the track already has is left as it is:
/// a stored track whose first row in a file names no genre keeps its links, and a later
/// row of it in the same file may name one of them again (the writer's set of links
/// seen covers this file's rows only, not the stored links).
pub(super) struct TrackGenres;

impl Table for TrackArtists {
    type Row = (i32, i32, i32);
    const INSERT_HEAD: &'static str =
        "INSERT OR FAIL INTO track_artists (track_id, artist_id, position) VALUES ";

    fn bind_row<'b>(
        out: &mut AstPass<'_, 'b, Sqlite>,
        (track, artist, position): &'b Self::Row,
    ) -> QueryResult<()> {
        out.push_bind_param::<Integer, i32>(track)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, i32>(artist)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, i32>(position)
    }
}

impl Table for TrackGenres {
    type Row = (i32, i32);
    const INSERT_HEAD: &'static str =
        "INSERT OR FAIL INTO track_genres (track_id, genre_id) VALUES ";
    // Only a duplicate link is let go (OR IGNORE would let a NOT NULL failure go too);
    // OR FAIL still governs every other constraint, so no statement journal is kept.
    const INSERT_TAIL: &'static str = " ON CONFLICT DO NOTHING";

    fn bind_row<'b>(
        out: &mut AstPass<'_, 'b, Sqlite>,
        (track, genre): &'b Self::Row,
    ) -> QueryResult<()> {
        out.push_bind_param::<Integer, i32>(track)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, i32>(genre)
    }
}

#[cfg(test)]
mod tests {
    use diesel::{connection::SimpleConnection, prelude::*};

    use super::*;
    use crate::db::{
        catalog_writer::sqlite_insert::{testing, InsertRows},
        statement_cache_log::StatementCacheLog,
        DbConnection,
    };

    /// Both link tables' rows, the artist links first.
    fn dump(conn: &mut SqliteConnection) -> Vec<String> {
        let mut rows = testing::dump(conn, "track_artists");
        rows.extend(testing::dump(conn, "track_genres"));
        rows
    }

    fn artist_links<const N: usize>(
        conn: &mut SqliteConnection,
        rows: &[(i32, i32, i32); N],
    ) -> QueryResult<usize> {
        InsertRows::<TrackArtists, N>(rows).execute(conn)
    }

    fn genre_links<const N: usize>(
        conn: &mut SqliteConnection,
        rows: &[(i32, i32); N],
    ) -> QueryResult<usize> {
        InsertRows::<TrackGenres, N>(rows).execute(conn)
    }

    const ARTIST_LINKS: [(i32, i32, i32); 3] = [(1, 7, 0), (1, 9, 1), (2, 7, 0)];
    const GENRE_LINKS: [(i32, i32); 3] = [(1, 3), (1, 4), (2, 3)];

    #[test]
    fn writes_what_diesels_insert_writes() {
        let mut by_hand = testing::catalog();
        artist_links(&mut by_hand, &ARTIST_LINKS).expect("artist links");
        genre_links(&mut by_hand, &GENRE_LINKS).expect("genre links");
        let mut by_diesel = DbConnection::Sqlite(testing::catalog());
        super::super::rows::insert_links_with_diesel(&mut by_diesel, ARTIST_LINKS)
            .expect("artist links");
        super::super::rows::insert_genre_links_with_diesel(&mut by_diesel, GENRE_LINKS)
            .expect("genre links");
        let DbConnection::Sqlite(mut by_diesel) = by_diesel else {
            unreachable!("built as SQLite")
        };
        let expected = dump(&mut by_diesel);
        assert_eq!(expected.len(), 6);
        assert_eq!(expected[1], "integer:1|integer:9|integer:1");
        assert_eq!(expected[5], "integer:2|integer:3");
        assert_eq!(dump(&mut by_hand), expected);
    }

    #[test]
    fn a_failed_batch_leaves_nothing_once_rolled_back() {
        let mut conn = testing::catalog();
        conn.batch_execute("BEGIN").expect("begin");
        genre_links(&mut conn, &[(1, 3), (1, 4)]).expect("genre links");
        // The third row repeats the first one's key: the statement fails there, after
        // writing two rows.
        let error = artist_links(&mut conn, &[(1, 7, 0), (1, 9, 1), (1, 7, 1)]);
        assert!(error.is_err(), "a repeated artist link must fail");
        conn.batch_execute("ROLLBACK").expect("rollback");
        assert!(dump(&mut conn).is_empty());
    }

    /// A genre link the track already has is left as it is, by either path, with the
    /// rest of the batch written.
    #[test]
    fn a_genre_link_already_stored_is_left_as_it_is() {
        let mut by_hand = testing::catalog();
        genre_links(&mut by_hand, &[(1, 3), (1, 4)]).expect("genre links");
        genre_links(&mut by_hand, &[(1, 3), (2, 3), (2, 3)]).expect("the same again");
        let mut by_diesel = DbConnection::Sqlite(testing::catalog());
        for batch in [[(1, 3), (1, 4), (1, 4)], [(1, 3), (2, 3), (1, 4)]] {
            super::super::rows::insert_genre_links_with_diesel(&mut by_diesel, batch)
                .expect("genre links");
        }
        let DbConnection::Sqlite(mut by_diesel) = by_diesel else {
            unreachable!("built as SQLite")
        };
        let expected = [
            "integer:1|integer:3",
            "integer:1|integer:4",
            "integer:2|integer:3",
        ];
        assert_eq!(dump(&mut by_hand), expected);
        assert_eq!(dump(&mut by_diesel), expected);
    }

    #[test]
    fn one_statement_is_prepared_per_table_and_row_count() {
        let mut conn = testing::catalog();
        let log = StatementCacheLog::listen(&mut conn);
        genre_links(&mut conn, &[(1, 3), (1, 4)]).expect("insert");
        genre_links(&mut conn, &[(2, 3)]).expect("insert");
        genre_links(&mut conn, &[(3, 3), (3, 4)]).expect("insert");
        artist_links(&mut conn, &[(1, 7, 0), (2, 7, 0)]).expect("insert");
        artist_links(&mut conn, &[(3, 7, 0), (4, 7, 0)]).expect("insert");
        assert_eq!(dump(&mut conn).len(), 9);
        // Three shapes: two genre-link counts and one artist-link count.
        let cached = log.cached();
        assert_eq!(cached.len(), 3, "{cached:?}");
    }
}
