//! A bulk load's artists with their aggregates, inserted on SQLite with their fields
//! bound in place (`sqlite_insert` says why): through diesel's tuples, seventeen columns
//! each, the 370,782 artists of 1.2 million TidyTuesday-layout rows took 0.25 s more.

use diesel::{
    query_builder::AstPass,
    sql_types::{Double, Integer, Nullable, Text},
    sqlite::Sqlite,
    QueryResult,
};

use super::{pending::ArtistWithTotals, sqlite_insert::Table};
use crate::db::features::audio_feature_columns;

/// `INSERT OR FAIL INTO artists (every column) VALUES `, the averages in the order of
/// `audio_feature_columns!`, which is also the order `bind_row` binds them in.
macro_rules! insert_head {
    (; $($variant:ident $column:ident $avg:ident,)*) => {
        concat!(
            "INSERT OR FAIL INTO artists (id, name, name_key, search_key, track_count, \
             min_year, max_year, avg_popularity",
            $(", ", stringify!($avg),)*
            ") VALUES "
        )
    };
}

/// Binds one average per column, in `insert_head`'s order.
macro_rules! bind_averages {
    ($out:ident, $averages:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        $(
            $out.push_sql(", ");
            $out.push_bind_param::<Double, f64>(&$averages.$column)?;
        )*
    };
}

/// Artists with their aggregates (a load into an empty catalog).
pub(super) struct ArtistsWithTotals;

impl Table for ArtistsWithTotals {
    type Row = ArtistWithTotals;
    const INSERT_HEAD: &'static str = audio_feature_columns!(insert_head);

    fn bind_row<'b>(
        out: &mut AstPass<'_, 'b, Sqlite>,
        row: &'b ArtistWithTotals,
    ) -> QueryResult<()> {
        let artist = &row.artist;
        out.push_bind_param::<Integer, i32>(&artist.id)?;
        for text in [&artist.name, &artist.name_key, &artist.search_key] {
            out.push_sql(", ");
            out.push_bind_param::<Text, String>(text)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Integer, i32>(&row.track_count)?;
        for year in [&row.min_year, &row.max_year] {
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Integer>, Option<i32>>(year)?;
        }
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Double>, Option<f64>>(&row.avg_popularity)?;
        let averages = &row.averages;
        audio_feature_columns!(bind_averages; out, averages);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::{
        db::{
            catalog_writer::{
                pending::PendingArtist,
                sqlite_insert::{testing, InsertRows},
            },
            DbConnection,
        },
        model::AudioFeatures,
    };

    fn dump(conn: &mut SqliteConnection) -> Vec<String> {
        testing::dump(conn, "artists")
    }

    fn insert<const N: usize>(
        conn: &mut SqliteConnection,
        rows: &[ArtistWithTotals; N],
    ) -> QueryResult<usize> {
        InsertRows::<ArtistsWithTotals, N>(rows).execute(conn)
    }

    fn rows() -> [ArtistWithTotals; 2] {
        let artist = |id: i32, name: &str| PendingArtist {
            id,
            name: name.to_string(),
            name_key: name.to_lowercase(),
            search_key: name.to_lowercase().replace('é', "e"),
        };
        let averages = AudioFeatures {
            danceability: 0.731,
            energy: 0.5,
            acousticness: 0.125,
            instrumentalness: 0.0,
            valence: 1.0,
            speechiness: 0.04,
            liveness: 0.3333333333333333,
            tempo: 120.5,
            loudness: -5.25,
        };
        [
            ArtistWithTotals {
                artist: artist(1, "Beyoncé 'B' \"Knowles\""),
                track_count: 3,
                min_year: Some(1999),
                max_year: Some(2020),
                avg_popularity: Some(71.5),
                averages,
            },
            ArtistWithTotals {
                artist: artist(2, "No Years"),
                track_count: 1,
                min_year: None,
                max_year: None,
                avg_popularity: None,
                averages: AudioFeatures::default(),
            },
        ]
    }

    #[test]
    fn writes_what_diesels_insert_writes() {
        let mut by_hand = testing::catalog();
        insert(&mut by_hand, &rows()).expect("insert");
        let mut by_diesel = DbConnection::Sqlite(testing::catalog());
        super::super::rows::insert_artists_with_totals_with_diesel(&mut by_diesel, rows())
            .expect("insert");
        let DbConnection::Sqlite(mut by_diesel) = by_diesel else {
            unreachable!("built as SQLite")
        };
        let expected = dump(&mut by_diesel);
        assert_eq!(expected.len(), 2);
        assert!(expected[0].contains("real:71.5"), "{}", expected[0]);
        assert!(expected[1].contains("null:"), "{}", expected[1]);
        assert_eq!(dump(&mut by_hand), expected);
    }

    #[test]
    fn a_repeated_artist_fails_the_statement() {
        let mut conn = testing::catalog();
        let mut twice = rows();
        twice[1].artist.id = 1;
        assert!(insert(&mut conn, &twice).is_err());
    }
}
