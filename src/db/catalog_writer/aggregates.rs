//! The artists' aggregate columns recomputed in SQL from their tracks: what a load into
//! a catalog that already has tracks ends with.

use diesel::prelude::*;

use crate::{
    db::features::{artist_column, track_column},
    model::Feature,
};

/// Per-artist averages, counts and year spans, in one grouped scan; artists left with no
/// track are removed. CROSS JOIN makes SQLite read the tracks in table order and find
/// their links by primary key, then sort once for the grouping: a third faster on a
/// million tracks than visiting the tracks in artist order, which reads them at random.
pub fn recompute_artist_aggregates(conn: &mut crate::db::DbConnection) -> QueryResult<()> {
    // PostgreSQL takes no ON after CROSS JOIN; its planner picks the join order itself.
    let sql = match conn.backend() {
        crate::db::Backend::Sqlite => aggregates_sql(),
        crate::db::Backend::Postgres => aggregates_sql().replace(" CROSS JOIN ", " JOIN "),
    };
    crate::db::with_backend!(conn, conn => {
    diesel::sql_query(sql.as_str()).execute(conn)?;
    diesel::sql_query(
        "DELETE FROM artists WHERE NOT EXISTS
            (SELECT 1 FROM track_artists ta WHERE ta.artist_id = artists.id)",
    )
    .execute(conn)?;
    Ok(())
    })
}

/// The UPDATE behind `recompute_artist_aggregates`. The feature columns come from the
/// one feature/column table (`db::features`), never from input.
fn aggregates_sql() -> String {
    let columns: Vec<(&str, &str)> = Feature::AUDIO
        .iter()
        .filter_map(|&f| Some((track_column(f)?, artist_column(f)?)))
        .collect();
    let averages: String = columns
        .iter()
        .map(|(column, _)| format!("AVG(t.{column}) AS {column},\n                   "))
        .collect();
    let sets: String = columns
        .iter()
        .map(|(column, avg)| format!("{avg} = agg.{column},\n            "))
        .collect();
    format!(
        "WITH agg AS (
            SELECT ta.artist_id AS artist_id,
                   COUNT(*) AS n,
                   {averages}AVG(t.popularity) AS popularity,
                   MIN(t.release_year) AS min_year,
                   MAX(t.release_year) AS max_year
            FROM tracks t CROSS JOIN track_artists ta ON ta.track_id = t.id
            GROUP BY ta.artist_id
        )
        UPDATE artists SET
            track_count = agg.n,
            {sets}avg_popularity = agg.popularity,
            min_year = agg.min_year,
            max_year = agg.max_year
        FROM agg WHERE agg.artist_id = artists.id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audio_feature_is_averaged() {
        let sql = aggregates_sql();
        for feature in Feature::AUDIO {
            let column = feature.key();
            assert!(
                sql.contains(&format!("AVG(t.{column}) AS {column},")),
                "{sql}"
            );
            assert!(
                sql.contains(&format!("avg_{column} = agg.{column},")),
                "{sql}"
            );
        }
    }
}
