//! `/search`: Spotify's query syntax (`catalog::search_query`) over artists and tracks,
//! in Spotify's paging objects.
//!
//! What each part of a query matches:
//! - tracks: free text in the title, the album or a credited artist's name (each word
//!   in any of them, as on Spotify: `q=weezer`, `q=beyonce halo`), `track:` in the
//!   title, `artist:` in a credited artist's name, `album:` in the album, `genre:` one
//!   of the track's genres or subgenres (the whole name), `year:` the release year;
//! - artists: free text and `artist:` in the name (through the in-memory index, as the
//!   site's search box); `track:`, `album:`, `genre:` and `year:` are fields of tracks,
//!   so they keep the artists credited on at least one track that meets them all
//!   (`genre:rock` finds artists with a rock track; `year:2010`, artists with a track
//!   from 2010).
//!
//! Every text is matched as a substring, case and Latin accents ignored
//! (`db::folded_text`), and every part must hold.

use std::collections::HashSet;

use poem::Request;

use super::{
    error::ApiError,
    lookup,
    objects::{self, Base},
    paging::neighbours,
    params::WholeNumber,
};
use crate::{
    catalog::{
        artists::{index::query_key, ArtistSummary},
        search_query::SearchQuery,
        snapshot::CatalogSnapshot,
        track_terms::{
            artist_track_conditions, artists_holding, track_conditions, MAX_QUERY_CHARS, MAX_TERMS,
        },
    },
    db::{self, track_search::TrackConditions},
    web::state::AppState,
};

/// Most results one page may hold, and the deepest offset (Spotify's limits).
pub const MAX_SEARCH_LIMIT: u32 = 50;
pub const MAX_SEARCH_OFFSET: u32 = 1000;
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;

/// One search request, its parameters as given.
pub struct SearchRequest<'a> {
    pub q: &'a str,
    pub kind: &'a str,
    pub limit: Option<&'a WholeNumber>,
    pub offset: Option<&'a WholeNumber>,
}

/// The answer to a search request.
pub async fn search(
    req: &Request,
    state: &AppState,
    given: SearchRequest<'_>,
) -> Result<objects::OrderedSearchResults, ApiError> {
    let q = given.q.trim();
    if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "q must be 1 to {MAX_QUERY_CHARS} characters."
        )));
    }
    // A tab or a line break is a space between words, as Spotify reads it (a script
    // reading its queries from a file keeps them); other control characters are refused.
    if q.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ApiError::bad_request(
            "q must not contain control characters (such as NUL or escape).",
        ));
    }
    // Read with its tabs and line breaks as spaces, inside quotes too, and without the
    // characters nobody sees at either end, or a byte-order mark anywhere: a script
    // reading its queries from a file saved with one found nothing for the first. One
    // inside a name stays: the catalog holds names with them ("Pt\u{200b}. 4"), which a
    // name copied whole must still find.
    let spaced: String = q
        .trim_matches(crate::typed_name::is_place_mark)
        .chars()
        .filter(|c| *c != '\u{FEFF}')
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut query =
        SearchQuery::parse(&spaced).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if query.term_count() > MAX_TERMS {
        return Err(ApiError::bad_request(format!(
            "q has {} words, phrases and filters; at most {MAX_TERMS} are searched for (a word another holds counts once). Put a long title in quotes to search for it as one phrase: track:\"…\".",
            query.term_count()
        )));
    }
    spell_genres_as_the_catalog(state, &mut query.genre).await?;
    if query.is_empty() {
        let besides = if query.excluded.is_empty() {
            ""
        } else {
            " besides what NOT leaves out"
        };
        return Err(ApiError::bad_request(format!(
            "q has nothing to search for{besides}: give a word, a \"phrase\" or a filter such as artist:Drake."
        )));
    }
    let whole = |given: Option<&WholeNumber>, name: &str, default: u32, max: u32| {
        WholeNumber::read(given, name, i64::from(default), (0, i64::from(max)))
            .map(|v| v as u32)
            .map_err(ApiError::bad_request)
    };
    let limit = whole(given.limit, "limit", DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)?;
    let offset = whole(given.offset, "offset", 0, MAX_SEARCH_OFFSET)?;
    let (mut want_artists, mut want_tracks) = (false, false);
    // The pages come in the order `type` names them.
    let mut tracks_first = false;
    for t in given.kind.split(',').map(str::trim) {
        match t {
            "artist" => want_artists = true,
            "track" => {
                tracks_first |= !want_artists;
                want_tracks = true
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unsupported search type “{}”: use artist, track.",
                    crate::quoted::quoted(other)
                )))
            }
        }
    }
    let base = lookup::base(req, state);
    let page = Paging {
        base: &base,
        q,
        limit,
        offset,
    };
    let mut results = objects::SearchResults {
        artists: None,
        tracks: None,
    };
    if want_artists {
        let catalog = state.catalog();
        let (total, found) = artists(state, &catalog, &query, &page).await?;
        let items = lookup::artists_objects(state, &base, &found).await?;
        let (href, next, previous) = page.links(total, "artist");
        results.artists = Some(objects::ArtistPage {
            href,
            items,
            limit,
            next,
            offset,
            previous,
            total,
        });
    }
    if want_tracks {
        let catalog = state.catalog();
        let conditions = track_conditions(&query, |word| artists_holding(&catalog, word));
        let (total, ids) =
            track_page(state, catalog.meta.version, conditions, limit, offset).await?;
        let rows = lookup::load_tracks(state, ids.clone()).await?;
        let (href, next, previous) = page.links(total, "track");
        results.tracks = Some(objects::TrackPage {
            href,
            items: ids
                .iter()
                .filter_map(|id| rows.get(id))
                .map(|t| objects::track(&base, t))
                .collect(),
            limit,
            next,
            offset,
            previous,
            total,
        });
    }
    Ok(objects::OrderedSearchResults {
        results,
        tracks_first,
    })
}

/// A page of the tracks meeting `conditions`: (how many, the page's ids). Genres and
/// years alone are answered from the genres' track lists (`catalog::genre_tracks`),
/// which took a genre of 170,000 tracks at a million from 1.5 s in SQL to about 1 ms.
async fn track_page(
    state: &AppState,
    version: i64,
    conditions: TrackConditions,
    limit: u32,
    offset: u32,
) -> Result<(i64, Vec<i32>), ApiError> {
    if conditions.genres_and_years_only() {
        let lists = state.caches.genre_tracks(&state.pool, version).await?;
        let page = lists.page(
            &conditions.genre,
            &conditions.years,
            offset as usize,
            limit as usize,
        );
        return Ok((page.total as i64, page.ids));
    }
    Ok(db::run(&state.pool, move |conn| {
        Ok(db::track_search::search_track_ids(
            conn,
            &conditions,
            i64::from(limit),
            i64::from(offset),
        )?)
    })
    .await?)
}

/// Where a search's pages are.
struct Paging<'a> {
    base: &'a Base,
    q: &'a str,
    limit: u32,
    offset: u32,
}

impl Paging<'_> {
    fn href(&self, kind: &str, offset: u32) -> String {
        let query = serde_urlencoded::to_string([
            ("q", self.q),
            ("type", kind),
            ("offset", &offset.to_string()),
            ("limit", &self.limit.to_string()),
        ])
        .unwrap_or_default();
        self.base.href(&format!("/search?{query}"))
    }

    /// (href, next, previous) of this page of `kind`.
    fn links(&self, total: i64, kind: &str) -> (String, Option<String>, Option<String>) {
        let (next, previous) = neighbours(self.offset, self.limit, total, MAX_SEARCH_OFFSET);
        (
            self.href(kind, self.offset),
            next.map(|off| self.href(kind, off)),
            previous.map(|off| self.href(kind, off)),
        )
    }
}

/// `genre:` names spelled another way than the catalog's (`hip-hop`, Spotify's `r-n-b`)
/// as the catalog spells them (`GenreCatalog::find`), genres and subgenres alike: they
/// found nothing, with no word on why. A name no genre answers to stays as it is.
async fn spell_genres_as_the_catalog(
    state: &AppState,
    names: &mut [String],
) -> Result<(), ApiError> {
    if names.is_empty() {
        return Ok(());
    }
    let version = state.catalog().meta.version;
    let genres = state.caches.genres(&state.pool, version).await?;
    for name in names.iter_mut() {
        if let Some(found) = genres.find(name) {
            *name = found.name.clone();
        }
    }
    Ok(())
}

/// The artists a query finds: (total, the page's artists). Ranked as the site's search
/// box ranks them, by the longest name term (the one fewest names contain); with no
/// name term, most tracks first.
async fn artists<'c>(
    state: &AppState,
    catalog: &'c CatalogSnapshot,
    query: &SearchQuery,
    page: &Paging<'_>,
) -> Result<(i64, Vec<&'c ArtistSummary>), ApiError> {
    let names: Vec<String> = query
        .text
        .iter()
        .chain(&query.artist)
        .map(|t| query_key(t))
        .filter(|k| !k.is_empty())
        .collect();
    // Track fields: the artists credited on a track that meets them.
    let credited: Option<HashSet<i32>> = if let Some(conditions) = artist_track_conditions(query) {
        let ids = if conditions.genres_and_years_only() {
            // `genre:rock` for artists: 1.7 s in SQL at a million tracks, milliseconds
            // from the genres' lists (`catalog::genre_tracks`).
            let lists = state
                .caches
                .genre_tracks(&state.pool, catalog.meta.version)
                .await?;
            lists.artists_credited(&conditions.genre, &conditions.years)
        } else {
            db::run(&state.pool, move |conn| {
                Ok(db::track_search::artists_credited_on(conn, &conditions)?)
            })
            .await?
        };
        Some(ids.into_iter().collect())
    } else {
        None
    };
    // The artists whose names hold a word after `NOT`.
    let left_out: HashSet<i32> = query
        .excluded
        .iter()
        .flat_map(|t| catalog.artists.ids_containing(&query_key(t)).0)
        .collect();
    let (skip, take) = (page.offset as usize, page.limit as usize);
    let words: Vec<&str> = names.iter().map(String::as_str).collect();
    let (total, found) = match &words[..] {
        // Track filters only (a query has at least one part).
        [] => catalog.artists.most_tracks_page(
            credited
                .iter()
                .flatten()
                .copied()
                .filter(|id| !left_out.contains(id)),
            skip,
            take,
        ),
        // Ranked as the site's search box ranks names, the name typed exactly first;
        // only the deepest page is ranked.
        _ => {
            let deepest = (MAX_SEARCH_OFFSET + MAX_SEARCH_LIMIT) as usize;
            let exact = query_key(&query.name_as_typed());
            let keep = |id: i32| {
                credited.as_ref().is_none_or(|ids| ids.contains(&id)) && !left_out.contains(&id)
            };
            let filtered = credited.is_some() || !left_out.is_empty();
            let keep: Option<&dyn Fn(i32) -> bool> = filtered.then_some(&keep);
            catalog
                .artists
                .name_page(&exact, &words, keep, deepest, skip, take)
        }
    };
    Ok((total as i64, found))
}
