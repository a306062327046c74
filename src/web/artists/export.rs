//! "Download CSV" for the artists' tables: search results, a comparison, and an
//! artist's tracks. Each reads the same query string as its page and takes its rows
//! from the same function the page renders, so the file holds what the screen shows.

use poem::{
    handler,
    web::{Data, Path},
    Request, Response,
};

use super::{profile::parse_artist_id, search::matching_artists};
use crate::{
    catalog::{
        artists::{ArtistSummary, GenreCount, TrackSort},
        Feature,
    },
    db::{self, artists::ArtistTrack},
    error::{AppError, AppResult},
    web::{
        csv_export::{exact, number, CsvTable},
        extract::PageContext,
        query::QueryPairs,
        state::AppState,
    },
};

/// Decimals kept for averages: more than the screen shows, less than the noise of a
/// float. A track's own values are written as stored (`exact`).
const DECIMALS: usize = 4;

/// The columns of a table of artists: who, how much, when, and every average.
pub fn artist_table() -> CsvTable {
    let mut header: Vec<String> = [
        "artist",
        "artist_id",
        "tracks",
        "first_year",
        "last_year",
        "top_genres",
    ]
    .map(String::from)
    .to_vec();
    header.extend(Feature::ALL.iter().map(|f| format!("avg_{}", f.key())));
    CsvTable::new(header)
}

/// One artist's row of `artist_table`.
pub fn push_artist(table: &mut CsvTable, artist: &ArtistSummary, genres: &[GenreCount]) {
    let mut row = vec![
        artist.name.clone(),
        artist.id.to_string(),
        artist.track_count.to_string(),
        optional(artist.min_year),
        optional(artist.max_year),
        genres
            .iter()
            .map(|g| format!("{} ({})", g.genre, g.tracks))
            .collect::<Vec<_>>()
            .join("; "),
    ];
    row.extend(Feature::ALL.iter().map(|&f| {
        artist
            .value(f)
            .map_or(String::new(), |v| number(v, DECIMALS))
    }));
    table.push(row);
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// `GET /artists.csv?q=…`: the artists the search page lists for `q` (the most
/// prolific ones when `q` is empty), with their top genres as in `/artists/compare.csv`.
#[handler]
pub async fn search_csv(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let query = pairs.text("q").unwrap_or_default();
    super::search::within_query_limit(&query)?;
    let query = query.trim();
    let artists = matching_artists(
        &ctx.catalog.artists,
        query,
        super::search::shown_of(&pairs)?,
    );
    let ids: Vec<i32> = artists.iter().map(|a| a.id).collect();
    let genres = state
        .caches
        .top_genres(&state.pool, ctx.catalog.meta.version, &ids)
        .await?;
    let mut table = artist_table();
    for artist in artists {
        let top = genres.get(&artist.id).map_or(&[][..], |g| g.as_slice());
        push_artist(&mut table, artist, top);
    }
    let name = if query.is_empty() {
        "artists".to_string()
    } else {
        format!("artists {query}")
    };
    table.download(&name)
}

/// `GET /artists/{id}/tracks.csv?sort=…&dir=…`: every track of the artist, in the order
/// the page's table is sorted (all pages, not just the one on screen).
#[handler]
pub async fn tracks_csv(
    ctx: PageContext,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    req: &Request,
) -> AppResult<Response> {
    let id = parse_artist_id(&raw_id)?;
    let artist = ctx.catalog.artists.get(id).ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no artist with id {id} in the loaded catalog. Search for an artist at /artists."
        ))
    })?;
    let pairs = QueryPairs::parse(req.uri().query());
    let usual = TrackSort::usual(
        ctx.catalog.features.has_popularity(),
        ctx.catalog.meta.has_years(),
    );
    let sort = TrackSort::parse_or(pairs.last("sort"), pairs.sort_dir(), usual)
        .map_err(AppError::BadRequest)?;
    let count = i64::from(artist.track_count);
    let tracks = db::run(&state.pool, move |conn| {
        Ok(db::artists::tracks_page(conn, id, sort, 0, count.max(1))?)
    })
    .await?;
    track_table(&tracks).download(&format!("{} tracks", artist.name))
}

fn track_table(tracks: &[ArtistTrack]) -> CsvTable {
    // `spotify_id` joins a row back to the dataset and the API, as the perfect song's
    // file does; `hub_track_id` is this site's own number (its addresses' `seed_track`).
    // The column had been `track_id`, the dataset's name for the Spotify id.
    let mut header: Vec<String> = [
        "title",
        "spotify_id",
        "hub_track_id",
        "album",
        "year",
        "genre",
    ]
    .map(String::from)
    .to_vec();
    header.extend(Feature::ALL.iter().map(|f| f.key().to_string()));
    let mut table = CsvTable::new(header);
    for t in tracks {
        let mut row = vec![
            t.name.clone(),
            t.spotify_id.clone().unwrap_or_default(),
            t.id.to_string(),
            t.album.clone().unwrap_or_default(),
            optional(t.release_year),
            t.genres.clone().unwrap_or_default(),
        ];
        row.extend(
            Feature::ALL
                .iter()
                .map(|&f| t.value(f).map_or(String::new(), exact)),
        );
        table.push(row);
    }
    table
}
