//! The statements the writer sends: multi-row INSERTs of a fixed number of rows, each
//! shape prepared once and cached by diesel.

use diesel::{prelude::*, upsert::excluded};

use super::{
    pending::{ArtistWithTotals, PendingArtist, PendingGenre, PendingTrack},
    sqlite_artists::ArtistsWithTotals,
    sqlite_insert::InsertRows,
    sqlite_links::{TrackArtists, TrackGenres},
    sqlite_tracks::NewTracks,
};
use crate::db::{
    features::audio_feature_columns,
    schema::{artists, genres, track_artists, track_genres, tracks},
};

/// Macro rather than function: the tuple's type is long and only the compiler needs it.
/// Binds copies of the pending track's strings: diesel caches a statement by the type
/// of its values, which must therefore own their strings, and the copies are made and
/// freed on the writing thread, while the originals go to the `Disposal` (see there).
macro_rules! track_row {
    ($pending:expr) => {{
        let PendingTrack {
            id,
            identity,
            track: t,
            ..
        } = $pending;
        let genre = t.genres.first().map(|g| g.genre.clone());
        let f = t.features;
        (
            (
                tracks::id.eq(*id),
                tracks::identity.eq(identity.clone()),
                tracks::spotify_id.eq(t.spotify_id.clone()),
                tracks::name.eq(t.name.clone()),
                tracks::album.eq(t.album.clone()),
                tracks::release_year.eq(t.release_year),
                tracks::genre.eq(genre),
                tracks::popularity.eq(t.popularity),
                tracks::duration_ms.eq(t.duration_ms),
                tracks::explicit.eq(t.explicit),
                tracks::musical_key.eq(t.musical_key),
                tracks::mode.eq(t.mode),
                tracks::time_signature.eq(t.time_signature),
                tracks::album_spotify_id.eq(t.album_spotify_id.clone()),
                tracks::release_date.eq(t.release_date.clone()),
            ),
            audio_feature_columns!(feature_values; f),
        )
    }};
}

/// `tracks.<feature> = value` for every audio feature of `$f` (an `AudioFeatures`).
macro_rules! feature_values {
    ($f:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        ($(tracks::$column.eq($f.$column),)*)
    };
}

/// `tracks.<feature> = excluded.<feature>` for every audio feature.
macro_rules! feature_updates {
    (; $($variant:ident $column:ident $avg:ident,)*) => {
        ($(tracks::$column.eq(excluded(tracks::$column)),)*)
    };
}

/// `artists.avg_<feature> = average` for every audio feature of `$f`.
macro_rules! feature_averages {
    ($f:ident; $($variant:ident $column:ident $avg:ident,)*) => {
        ($(artists::$avg.eq($f.$column),)*)
    };
}

diesel::define_sql_function! {
    /// SQL `coalesce` of two values of one type: the first that is not NULL.
    fn coalesce<T: diesel::sql_types::SingleValue>(
        first: diesel::sql_types::Nullable<T>,
        second: diesel::sql_types::Nullable<T>,
    ) -> diesel::sql_types::Nullable<T>;
}

/// `tracks.<column> = coalesce(excluded.<column>, tracks.<column>)`: a value the row
/// does not give (its file has no such column, or the cell is empty) stays as stored.
macro_rules! kept_unless_given {
    ($column:ident) => {
        tracks::$column.eq(coalesce(excluded(tracks::$column), tracks::$column))
    };
}

/// `ON CONFLICT (id) DO UPDATE SET` every column: a re-imported track takes the new values
/// (an UPDATE in place, unlike REPLACE, which would delete the row and cascade). What
/// the new row leaves out stays: a file without genres or popularity (the Kaggle "1.2M
/// songs" layout) imported over one with them took both away from every track they
/// shared, so datasets could not be combined.
macro_rules! track_update {
    () => {
        (
            (
                tracks::identity.eq(excluded(tracks::identity)),
                kept_unless_given!(spotify_id),
                tracks::name.eq(excluded(tracks::name)),
                kept_unless_given!(album),
                kept_unless_given!(release_year),
                kept_unless_given!(genre),
                kept_unless_given!(popularity),
                kept_unless_given!(duration_ms),
                kept_unless_given!(explicit),
                kept_unless_given!(musical_key),
                kept_unless_given!(mode),
                kept_unless_given!(time_signature),
                kept_unless_given!(album_spotify_id),
                kept_unless_given!(release_date),
            ),
            audio_feature_columns!(feature_updates),
        )
    };
}

/// Hands the items to `full` in arrays of N and the rest to `single` one by one: two
/// statement shapes, both cached, whatever the count.
/// Takes an iterator so that a buffer can be drained and keep its capacity.
pub(super) fn in_batches<T, const N: usize>(
    conn: &mut crate::db::DbConnection,
    items: impl IntoIterator<Item = T, IntoIter = impl ExactSizeIterator<Item = T>>,
    mut full: impl FnMut(&mut crate::db::DbConnection, [T; N]) -> QueryResult<()>,
    mut single: impl FnMut(&mut crate::db::DbConnection, [T; 1]) -> QueryResult<()>,
) -> QueryResult<()> {
    let mut items = items.into_iter();
    while items.len() >= N {
        // The iterator holds at least N items, so every `next` below is `Some`.
        let batch: [T; N] = std::array::from_fn(|_| items.next().expect("N items remain"));
        full(conn, batch)?;
    }
    for item in items {
        single(conn, [item])?;
    }
    Ok(())
}

pub(super) fn insert_artists<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [PendingArtist; N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.map(|a| {
        (
            artists::id.eq(a.id),
            artists::name.eq(a.name),
            artists::name_key.eq(a.name_key),
            artists::search_key.eq(a.search_key),
        )
    });
    diesel::insert_into(artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
    })
}

/// Artists with their aggregates (a load into an empty catalog, which only SQLite makes:
/// see `CatalogWriter::for_bulk_load`), bound in place (`sqlite_artists`). The diesel
/// version below is what the comparison test checks them against.
pub(super) fn insert_artists_with_totals<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [ArtistWithTotals; N],
) -> QueryResult<()> {
    if let crate::db::DbConnection::Sqlite(c) = conn {
        InsertRows::<ArtistsWithTotals, N>(&rows).execute(c)?;
        return Ok(());
    }
    insert_artists_with_totals_with_diesel(conn, rows)
}

pub(super) fn insert_artists_with_totals_with_diesel<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [ArtistWithTotals; N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.map(|row| {
        let ArtistWithTotals { artist: a, averages, .. } = row;
        (
            (
                artists::id.eq(a.id),
                artists::name.eq(a.name),
                artists::name_key.eq(a.name_key),
                artists::search_key.eq(a.search_key),
                artists::track_count.eq(row.track_count),
                artists::min_year.eq(row.min_year),
                artists::max_year.eq(row.max_year),
                artists::avg_popularity.eq(row.avg_popularity),
            ),
            audio_feature_columns!(feature_averages; averages),
        )
    });
    diesel::insert_into(artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
    })
}

/// New tracks: on SQLite by the statement that binds the tracks' fields in place
/// (`sqlite_insert`, `sqlite_tracks`); diesel's INSERT otherwise (PostgreSQL uses COPY,
/// see `flush`, so that is the path the comparison test takes).
pub(super) fn insert_tracks<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: &[PendingTrack; N],
) -> QueryResult<()> {
    match conn {
        crate::db::DbConnection::Sqlite(c) => {
            InsertRows::<NewTracks, N>(rows).execute(c)?;
            Ok(())
        }
        crate::db::DbConnection::Pg(_) => insert_tracks_with_diesel(conn, rows),
    }
}

pub(super) fn insert_tracks_with_diesel<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: &[PendingTrack; N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.each_ref().map(|p| track_row!(p));
    diesel::insert_into(tracks::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
    })
}

/// Rewrites stored tracks. diesel cannot cache an upsert statement, so these are
/// prepared per batch: fine for a re-import, and new tracks take the cached path.
pub(super) fn update_tracks<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: &[PendingTrack; N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.each_ref().map(|p| track_row!(p));
    diesel::insert_into(tracks::table)
        .values(rows)
        .on_conflict(tracks::id)
        .do_update()
        .set(track_update!())
        .execute(conn)?;
    Ok(())
    })
}

/// A track's artists (`track_artists`): on SQLite bound in place (`sqlite_links`);
/// PostgreSQL copies them (`copy`), and the diesel version is the comparison test's.
pub(super) fn insert_links<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [(i32, i32, i32); N],
) -> QueryResult<()> {
    if let crate::db::DbConnection::Sqlite(c) = conn {
        InsertRows::<TrackArtists, N>(&rows).execute(c)?;
        return Ok(());
    }
    insert_links_with_diesel(conn, rows)
}

pub(super) fn insert_links_with_diesel<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [(i32, i32, i32); N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.map(|(track_id, artist_id, position)| {
        (
            track_artists::track_id.eq(track_id),
            track_artists::artist_id.eq(artist_id),
            track_artists::position.eq(position),
        )
    });
    diesel::insert_into(track_artists::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
    })
}

pub(super) fn insert_genres<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [PendingGenre; N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.map(|g| {
        (
            genres::id.eq(g.id),
            genres::name.eq(g.name),
            genres::name_key.eq(g.name_key),
            genres::parent_id.eq(g.parent_id),
        )
    });
    diesel::insert_into(genres::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
    })
}

/// A track's genres (`track_genres`): on SQLite bound in place (`sqlite_links`), on
/// PostgreSQL by diesel's INSERT.
pub(super) fn insert_genre_links<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [(i32, i32); N],
) -> QueryResult<()> {
    if let crate::db::DbConnection::Sqlite(c) = conn {
        InsertRows::<TrackGenres, N>(&rows).execute(c)?;
        return Ok(());
    }
    insert_genre_links_with_diesel(conn, rows)
}

pub(super) fn insert_genre_links_with_diesel<const N: usize>(
    conn: &mut crate::db::DbConnection,
    rows: [(i32, i32); N],
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    let rows = rows.map(|(track_id, genre_id)| {
        (
            track_genres::track_id.eq(track_id),
            track_genres::genre_id.eq(genre_id),
        )
    });
    // A link the track already has is left as it is (`sqlite_links::TrackGenres` says
    // when that happens).
    diesel::insert_into(track_genres::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
    })
}
