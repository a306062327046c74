//! PostgreSQL's bulk path: new tracks, artists and links go in with `COPY ... FROM
//! STDIN` (text format) instead of multi-row INSERTs, in the import's transaction (so a
//! failure or `kill -9` still leaves the catalog as it was).

use std::io::Write;

use diesel::{pg::CopyFormat, prelude::*, PgConnection};

use super::pending::{PendingArtist, PendingTrack};
use crate::db::schema::{artists, track_artists, tracks};

/// One value of COPY's text format: `\N` for NULL; backslash, tab, newline and carriage
/// return escaped.
trait CopyText {
    fn write_to(&self, out: &mut Vec<u8>);
}

impl CopyText for str {
    fn write_to(&self, out: &mut Vec<u8>) {
        for byte in self.bytes() {
            match byte {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                other => out.push(other),
            }
        }
    }
}

impl CopyText for &str {
    fn write_to(&self, out: &mut Vec<u8>) {
        (*self).write_to(out)
    }
}

impl CopyText for String {
    fn write_to(&self, out: &mut Vec<u8>) {
        self.as_str().write_to(out)
    }
}

impl CopyText for i32 {
    fn write_to(&self, out: &mut Vec<u8>) {
        let _ = write!(out, "{self}");
    }
}

/// Rust's shortest representation that reads back to the same bits.
impl CopyText for f64 {
    fn write_to(&self, out: &mut Vec<u8>) {
        let _ = write!(out, "{self:?}");
    }
}

impl CopyText for bool {
    fn write_to(&self, out: &mut Vec<u8>) {
        out.push(if *self { b't' } else { b'f' });
    }
}

impl<T: CopyText> CopyText for Option<T> {
    fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_to(out),
            None => out.extend_from_slice(b"\\N"),
        }
    }
}

/// Writes one row: the values tab-separated, then a newline.
macro_rules! copy_row {
    ($out:expr; $first:expr $(, $rest:expr)* $(,)?) => {{
        CopyText::write_to($first, $out);
        $( $out.push(b'\t'); CopyText::write_to($rest, $out); )*
        $out.push(b'\n');
    }};
}

fn to_error(error: std::io::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(Box::new(error))
}

/// Sends `rows` through one COPY into `table`'s columns in schema order.
fn copy_text<T, C>(conn: &mut PgConnection, table: T, columns: C, text: &[u8]) -> QueryResult<usize>
where
    T: diesel::Table + diesel::query_builder::QueryId + 'static,
    C: diesel::pg::CopyTarget<Table = T>,
    T::FromClause: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    if text.is_empty() {
        return Ok(0);
    }
    diesel::copy_from(table)
        .from_raw_data(columns, |out: &mut dyn Write| {
            out.write_all(text).map_err(to_error)
        })
        .with_format(CopyFormat::Text)
        .execute(conn)
}

pub(super) fn copy_tracks(conn: &mut PgConnection, rows: &[PendingTrack]) -> QueryResult<usize> {
    let mut out = Vec::with_capacity(rows.len() * 200);
    for p in rows {
        let t = &p.track;
        let f = &t.features;
        // The tracks.genre column holds the first genre (track_genres holds them all).
        let genre: Option<&str> = t.genres.first().map(|g| g.genre.as_str());
        copy_row!(&mut out;
            &p.id, &p.identity, &t.spotify_id, &t.name, &t.album, &t.release_year, &genre,
            &t.popularity, &t.duration_ms, &t.explicit, &t.musical_key, &t.mode,
            &t.time_signature, &f.tempo, &f.loudness, &f.danceability, &f.energy,
            &f.acousticness, &f.instrumentalness, &f.valence, &f.speechiness, &f.liveness,
            &t.album_spotify_id, &t.release_date,
        );
    }
    copy_text(conn, tracks::table, tracks::table, &out)
}

pub(super) fn copy_artists(conn: &mut PgConnection, rows: &[PendingArtist]) -> QueryResult<usize> {
    let mut out = Vec::with_capacity(rows.len() * 60);
    for a in rows {
        copy_row!(&mut out; &a.id, &a.name, &a.name_key, &a.search_key);
    }
    copy_text(
        conn,
        artists::table,
        (
            artists::id,
            artists::name,
            artists::name_key,
            artists::search_key,
        ),
        &out,
    )
}

pub(super) fn copy_links(conn: &mut PgConnection, rows: &[(i32, i32, i32)]) -> QueryResult<usize> {
    let mut out = Vec::with_capacity(rows.len() * 16);
    for (track, artist, position) in rows {
        copy_row!(&mut out; track, artist, position);
    }
    copy_text(conn, track_artists::table, track_artists::table, &out)
}
