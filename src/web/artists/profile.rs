//! `/artists/{id}`: one artist's sound against the catalog, their tracks (sortable,
//! paginated, links that work without JavaScript), how each feature spreads across
//! their tracks, and the artists nearest to them.

use maud::{html, Markup};
use poem::{
    handler,
    web::{Data, Path},
    IntoResponse, Request, Response,
};

use super::render;
use crate::decimal::counted;
use crate::{
    cache::SharedDetails,
    catalog::facts::TrackFacts,
    web::{
        layout::key_and_tempo,
        perfect_song::seed_views::{more_like_artist, more_like_track},
    },
};
use crate::{
    catalog::{
        artists::{
            distribution::Distribution,
            similarity::{genre_first, main_genres, GENRE_CANDIDATES, NEIGHBOUR_MIN_TRACKS},
            tracks_label, ArtistSummary, GenreCount, SimilarArtist, SortKey, TrackSort,
            SIMILARITY_FEATURES,
        },
        snapshot::CatalogSnapshot,
        Feature,
    },
    db::{self, artists::ArtistTrack},
    error::{AppError, AppResult},
    web::{
        charts::{artists::distribution_boxplot, profile_bars, ProfileSeries},
        csv_export::download_link,
        extract::PageContext,
        layout::{breakable_label, chart, feature_table},
        query::{page_number, url, QueryPairs, SHOWN_DIR, SHOWN_SORT},
        respond::permanent_redirect,
        state::AppState,
    },
};

const TRACKS_PER_PAGE: i64 = 20;
const SIMILAR_COUNT: usize = 6;
const TOP_GENRES: usize = 5;
/// The id of the track list, which htmx swaps on its own when sorting or paging.
const TRACKS_ID: &str = "artist-tracks";

/// Where the track list is: sort order and page, as in the URL.
#[derive(Debug, Clone, Copy)]
struct TrackView {
    artist_id: i32,
    sort: TrackSort,
    /// The order the page opens in (`TrackSort::usual`), left out of its links.
    usual: TrackSort,
    /// Whether the catalog has popularity and genres: a catalog without (the Kaggle
    /// 1.2M layout) offered sorting by popularity, and columns of "—".
    has_popularity: bool,
    has_genres: bool,
    /// Whether any track has a release date: without, the year column and sort would
    /// show a dash on every row.
    has_years: bool,
    page: u32,
    pages: u32,
}

impl TrackView {
    /// Whether the sort menu offers `key`: not an order by what the catalog lacks.
    fn offers(&self, key: SortKey) -> bool {
        match key {
            SortKey::Feature(Feature::Popularity) => self.has_popularity,
            SortKey::Year => self.has_years,
            _ => true,
        }
    }

    fn url(&self, sort: TrackSort, page: u32) -> String {
        self.url_at(&format!("/artists/{}", self.artist_id), sort, page)
    }

    /// The "Download CSV" link: every track, in the order on screen.
    fn csv_url(&self) -> String {
        self.url_at(
            &format!("/artists/{}/tracks.csv", self.artist_id),
            self.sort,
            1,
        )
    }

    fn url_at(&self, path: &str, sort: TrackSort, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if sort != self.usual {
            pairs.push(("sort", sort.key.key().to_string()));
            if sort.descending != sort.key.default_descending() {
                pairs.push(("dir", sort.dir().to_string()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        url(path, &pairs)
    }
}

/// The number in `/artists/{id}`, or a 400 that says what an artist URL looks like.
pub fn parse_artist_id(raw_id: &str) -> AppResult<i32> {
    raw_id.trim().parse().map_err(|_| {
        AppError::BadRequest(format!(
            "“{}” is not an artist id: artist pages are /artists/ followed by a number. Search for an artist at /artists.",
            crate::web::query::showable(raw_id)
        ))
    })
}

#[handler]
pub async fn artist_page(
    ctx: PageContext,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
    req: &Request,
) -> AppResult<Response> {
    let id = parse_artist_id(&raw_id)?;
    // `/artists/+1054`, `/artists/01054` and `/artists/1054%20` are sent on to the one
    // address of the page, as a genre's are, so that links and history agree.
    if raw_id != id.to_string() {
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        return Ok(permanent_redirect(&format!("/artists/{id}{query}")));
    }
    let catalog = ctx.catalog.clone();
    let artist = catalog.artists.get(id).ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no artist with id {id} in the loaded catalog: search for one on the Artists page."
        ))
    })?;
    let pairs = QueryPairs::parse(req.uri().query());
    let has_years = catalog.meta.has_years();
    let usual = TrackSort::usual(catalog.features.has_popularity(), has_years);
    let sort = TrackSort::parse_or(pairs.last("sort"), pairs.sort_dir(), usual)
        .map_err(AppError::BadRequest)?;
    let page = page_number(pairs.last("page"))?;
    let track_count = i64::from(artist.track_count);
    let pages = ((track_count + TRACKS_PER_PAGE - 1) / TRACKS_PER_PAGE).max(1) as u32;
    if page > pages {
        return Err(AppError::NotFound(format!(
            "Page {page} of {}'s tracks does not exist: there {} {pages}.",
            artist.name,
            if pages == 1 {
                "is only page"
            } else {
                "are pages 1 to"
            }
        )));
    }
    let view = TrackView {
        artist_id: id,
        sort,
        usual,
        has_popularity: catalog.features.has_popularity(),
        has_genres: catalog.features.has_genres(),
        has_years,
        page,
        pages,
    };
    let tracks_only = ctx.htmx.wants_fragment() && ctx.htmx.target.as_deref() == Some(TRACKS_ID);
    let offset = i64::from(page - 1) * TRACKS_PER_PAGE;
    let (tracks, all_tracks, genres) = db::run(&state.pool, move |conn| {
        let tracks = db::artists::tracks_page(conn, id, sort, offset, TRACKS_PER_PAGE)?;
        if tracks_only {
            return Ok((tracks, Vec::new(), Vec::new()));
        }
        let all = db::artists::all_tracks(conn, id)?;
        // Every genre: the header names the first few and counts the rest.
        let genres = db::artists::top_genres(conn, &[id], usize::MAX)?
            .remove(&id)
            .unwrap_or_default();
        Ok((tracks, all, genres))
    })
    .await?;
    let version = catalog.meta.version;
    let facts = crate::web::seeds::facts(&state, version).await?;
    let other_ids: Vec<i32> = tracks
        .iter()
        .flat_map(|t| facts.versions_of(t.id))
        .filter(|id| !tracks.iter().any(|t| t.id == *id))
        .collect();
    let others = state
        .caches
        .track_details(&state.pool, version, &other_ids)
        .await?;
    let tracks_markup = tracks_section(artist, &view, &tracks, &facts, &others);
    if tracks_only {
        return Ok(tracks_markup.into_response());
    }
    let distributions: Vec<Distribution> = Feature::ALL
        .iter()
        .filter_map(|&f| {
            let values: Vec<f64> = all_tracks.iter().filter_map(|t| t.value(f)).collect();
            Distribution::of(f, &values)
        })
        .collect();
    let main_genres = main_genres(&genres);
    let similar = similar_artists(&state, &catalog, id, &main_genres).await?;
    let content = html! {
        (header(artist, &catalog, &genres))
        (profile_section(artist, &catalog))
        (tracks_markup)
        (spread_section("artist", &artist.name, "their", &distributions, all_tracks.len()))
        (similar_section(artist, &main_genres, &similar))
    };
    Ok(render(&ctx, &artist.name, content).into_response())
}

fn header(artist: &ArtistSummary, catalog: &CatalogSnapshot, genres: &[GenreCount]) -> Markup {
    let compare_href = url(
        "/artists/compare",
        &[("artist", &artist.name), ("add", "1")],
    );
    html! {
        nav class="breadcrumbs" aria-label="Breadcrumb" {
            a href="/artists" { "Artists" } " › " span aria-current="page" { (artist.name) }
        }
        h1 class="artist-name" { (artist.name) }
        p class="artist-facts" {
            (tracks_label(artist.track_count.into()))
            // Said only where the catalog has dates: "released unknown" on every
            // artist of one without.
            @if artist.min_year.is_some() {
                " · released " (artist.year_span())
            }
            @if let Some(p) = artist.avg_popularity {
                // Spotify's popularity is 0 to 100: a bare "42" said nothing.
                " · average popularity " (Feature::Popularity.format(p)) " of 100"
                @if let Some(reference) = catalog.artists.reference_popularity() {
                    " (catalog " (Feature::Popularity.format(reference)) ")"
                }
            }
            // Each genre leads to its page, as the genre pages lead to their artists.
            @if !genres.is_empty() {
                " · "
                @for (i, g) in genres.iter().take(TOP_GENRES).enumerate() {
                    @if i > 0 { ", " }
                    a href=(crate::web::genres::genre_path(&g.genre)) { (g.genre) } " (" (g.tracks) ")"
                }
                // Named as the rest, not left out: the counts read as the whole list.
                @if genres.len() > TOP_GENRES {
                    @let more = genres.len() - TOP_GENRES;
                    " and " (more) " more " (if more == 1 { "genre" } else { "genres" })
                }
            }
        }
        p {
            a class="button" href=(more_like_artist(artist.id)) { "Songs like this artist" }
            // Alone in the catalog, an artist has no one to be compared with: the form
            // could only answer that a comparison needs two.
            @if catalog.artists.len() >= 2 {
                " "
                a class="button secondary" href=(compare_href) { "Compare " (artist.name) " with…" }
            }
        }
        @if artist.rests_on_few_tracks() {
            p class="notice few-tracks" {
                "These averages rest on only " (tracks_label(artist.track_count.into()))
                ", so a single song moves them a lot."
            }
        }
    }
}

fn profile_section(artist: &ArtistSummary, catalog: &CatalogSnapshot) -> Markup {
    html! {
        section class="card" aria-labelledby="profile-title" {
            h2 id="profile-title" { "Their sound against the catalog" }
            p class="muted" {
                "Averages over " (tracks_label(artist.track_count.into()))
                ", beside the catalog's average over " (counted(catalog.meta.track_count, "track")) "."
            }
            (against_catalog("artist-profile-chart", &artist.name, &|f| artist.value(f), catalog))
        }
    }
}

/// A group of tracks' averages (an artist's, a genre's) beside the catalog's: the bar
/// chart of the 0–1 features and the table of every feature both have.
pub fn against_catalog(
    chart_id: &str,
    name: &str,
    value: &dyn Fn(Feature) -> Option<f64>,
    catalog: &CatalogSnapshot,
) -> Markup {
    let reference = |f: Feature| match f {
        Feature::Popularity => catalog.artists.reference_popularity(),
        other => catalog.average.get(other),
    };
    let table_features: Vec<Feature> = Feature::ALL
        .into_iter()
        .filter(|f| value(*f).is_some() && reference(*f).is_some())
        .collect();
    let column = |values: &dyn Fn(Feature) -> Option<f64>| -> Vec<f64> {
        table_features
            .iter()
            .map(|f| values(*f).unwrap_or(f64::NAN))
            .collect()
    };
    let chart_features = &Feature::UNIT;
    let chart_series = |name, get: &dyn Fn(Feature) -> Option<f64>| ProfileSeries {
        name,
        values: chart_features
            .iter()
            .map(|f| get(*f).unwrap_or(0.0))
            .collect(),
    };
    html! {
        div class="chart-with-table artist-vs-catalog" {
            (chart(
                chart_id,
                &format!("Bar chart of {name}'s average audio features against the catalog average; the same numbers are in the table."),
                &profile_bars(chart_features, &[
                    chart_series(name, value),
                    chart_series("Catalog average", &reference),
                ]),
            ))
            div class="table-scroll" tabindex="0" role="region" aria-label="Audio features against the catalog average (scrolls sideways)" {
                (feature_table(
                    &format!("{name} against the catalog average"),
                    &table_features,
                    &[(name, column(value)), ("Catalog average", column(&reference))],
                ))
            }
        }
    }
}

fn tracks_section(
    artist: &ArtistSummary,
    view: &TrackView,
    tracks: &[ArtistTrack],
    facts: &TrackFacts,
    others: &SharedDetails,
) -> Markup {
    let sort = view.sort;
    // The sorted-by feature gets its own column unless the table already shows it.
    let extra = match sort.key {
        SortKey::Feature(f) if f != Feature::Popularity => Some(f),
        _ => None,
    };
    let header_link = |key: SortKey, label: &str| {
        let active = sort.key == key;
        let next = TrackSort {
            key,
            descending: if active {
                !sort.descending
            } else {
                key.default_descending()
            },
        };
        let href = view.url(next, 1);
        let aria_sort = active.then_some(if sort.descending {
            "descending"
        } else {
            "ascending"
        });
        html! {
            th scope="col" aria-sort=[aria_sort] {
                // The id brings keyboard focus back to this header's link after the swap.
                a href=(href) id={ "tracks-sort-" (key.key()) } hx-get=(href) hx-target=(format!("#{TRACKS_ID}")) hx-swap="outerHTML" hx-push-url="true" {
                    (label)
                    @if active { span aria-hidden="true" { @if sort.descending { " ↓" } @else { " ↑" } } }
                }
            }
        }
    };
    let page_link = |page: u32, label: &str, rel: &str| {
        let href = view.url(sort, page);
        html! {
            // Another page of a long list is shorter or longer than this one: the new
            // page is scrolled to its top (`show:`), or the list could end above the
            // window; and focus goes to the list's heading (app.js, `data-refocus`),
            // as the link pressed may not be on the new page.
            a href=(href) rel=(rel) hx-get=(href) hx-target=(format!("#{TRACKS_ID}"))
                hx-swap={ "outerHTML show:#" (TRACKS_ID) ":top" } hx-push-url="true" { (label) }
        }
    };
    let order_words = match (sort.key, sort.descending) {
        (SortKey::Name, false) => "A to Z",
        (SortKey::Name, true) => "Z to A",
        (SortKey::Year, true) => "newest first",
        (SortKey::Year, false) => "oldest first",
        (_, true) => "highest first",
        (_, false) => "lowest first",
    };
    let action = format!("/artists/{}", view.artist_id);
    html! {
        section id=(TRACKS_ID) class="card artist-tracks" aria-labelledby="tracks-title" {
            h2 id="tracks-title" tabindex="-1" data-refocus { "Tracks" }
            form class="track-sort" method="get" action=(action)
                hx-get=(action) hx-target=(format!("#{TRACKS_ID}")) hx-swap="outerHTML" hx-push-url="true" {
                label {
                    "Sort by "
                    select name="sort" {
                        @for key in SortKey::all().into_iter().filter(|k| view.offers(*k)) {
                            option value=(key.key()) selected[key == sort.key] { (key.label()) }
                        }
                    }
                }
                label {
                    " Order "
                    select name="dir" {
                        option value="desc" selected[sort.descending] { "Descending" }
                        option value="asc" selected[!sort.descending] { "Ascending" }
                    }
                }
                input type="hidden" name=(SHOWN_SORT) value=(sort.key.key());
                input type="hidden" name=(SHOWN_DIR) value=(if sort.descending { "desc" } else { "asc" });
                " "
                button type="submit" class="button-small" { "Sort" }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label="Tracks (scrolls sideways)" {
                table class="track-table artist-track-table cards-when-narrow" {
                    caption {
                        (tracks_label(artist.track_count.into())) ", sorted by "
                        (sort.key.label().to_lowercase()) ", " (order_words)
                        " — page " (view.page) " of " (view.pages)
                    }
                    thead {
                        tr {
                            (header_link(SortKey::Name, "Title"))
                            @if view.has_years { (header_link(SortKey::Year, "Year")) }
                            @if view.has_genres { th scope="col" { "Genre" } }
                            th scope="col" { "Key · BPM" }
                            @if view.has_popularity { (header_link(SortKey::Feature(Feature::Popularity), "Popularity (0–100)")) }
                            @if let Some(f) = extra { (header_link(SortKey::Feature(f), f.label())) }
                        }
                    }
                    tbody {
                        @for track in tracks {
                            tr {
                                @let versions: Vec<i32> = facts.versions_of(track.id).into_iter().filter(|v| *v != track.id).collect();
                                td {
                                    (track.name)
                                    @if let Some(album) = &track.album { br; span class="muted" { (album) } }
                                    br;
                                    a class="ps-more-like" href=(more_like_track(track.id)) {
                                        "More like this" span class="visually-hidden" { ": " (track.name) }
                                    }
                                    @if !versions.is_empty() {
                                        details class="track-versions" {
                                            summary { (versions.len() + 1) " versions of this song" }
                                            ul {
                                                @for v in &versions {
                                                    li {
                                                        @if let Some(d) = others.get(v) {
                                                            (d.name()) @if let Some(y) = d.release_year { " (" (y) ")" }
                                                        } @else if let Some(t) = tracks.iter().find(|t| t.id == *v) {
                                                            (t.name) @if let Some(y) = t.release_year { " (" (y) ")" }
                                                        } @else { "Track #" (v) }
                                                        span class="screen-only" { " · " a href=(more_like_track(*v)) {
                                                            "More like this"
                                                            span class="visually-hidden" {
                                                                ": "
                                                                @if let Some(d) = others.get(v) { (d.name()) }
                                                                @else if let Some(t) = tracks.iter().find(|t| t.id == *v) { (t.name) }
                                                                @else { "track #" (v) }
                                                            }
                                                        } }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                @if view.has_years { td class="card-meta" { @if let Some(y) = track.release_year { (y) } @else { "—" } } }
                                @if view.has_genres { td class="card-meta" { (track.genres.as_deref().unwrap_or("—")) } }
                                td class="card-meta" { (key_and_tempo(facts.get(track.id).and_then(|f| f.musical_key()), Some(track.tempo))) }
                                // data-label: on a phone (a card per track) the header row is
                                // out of sight, and a bare number would not say what it is.
                                @if view.has_popularity {
                                    td data-label="popularity" { @if let Some(p) = track.popularity { (p) } @else { "—" } }
                                }
                                @if let Some(f) = extra {
                                    td data-label=(f.label().to_lowercase()) { (track.value(f).map(|v| f.format(v)).unwrap_or_else(|| "—".into())) }
                                }
                            }
                        }
                    }
                }
            }
            (download_link(&view.csv_url(), &format!("all of {}'s tracks", artist.name)))
            @if view.pages > 1 {
                nav class="pagination" aria-label="Track pages" {
                    @if view.page > 1 { (page_link(view.page - 1, "← Previous", "prev")) }
                    span { "Page " (view.page) " of " (view.pages) }
                    @if view.page < view.pages { (page_link(view.page + 1, "Next →", "next")) }
                }
            }
        }
    }
}

/// Fewer tracks than this have no spread to show: one track's box plots were flat
/// lines, and two tracks' quartiles are points between them that neither track is at,
/// under a text saying that half of the tracks lie between Q1 and Q3.
pub(crate) const MIN_TRACKS_FOR_SPREAD: usize = 3;

/// How each feature spreads across the `tracks` tracks of `name` (an artist, a genre):
/// box plots and their table, from `MIN_TRACKS_FOR_SPREAD` tracks on. `whose` is how
/// the headings name the tracks ("their", "its"). `id` prefixes the chart's id
/// (`{id}-spread-chart`).
pub(crate) fn spread_section(
    id: &str,
    name: &str,
    whose: &str,
    distributions: &[Distribution],
    tracks: usize,
) -> Markup {
    if tracks < MIN_TRACKS_FOR_SPREAD {
        return html! {};
    }
    let percent = |d: &Distribution, v: f64| format!("{:.1}%", d.feature.scale(v) * 100.0);
    html! {
        section class="card" aria-labelledby="spread-title" {
            h2 id="spread-title" { "How " (whose) " tracks spread" }
            p class="muted" {
                "For each feature, the lowest and highest value across " (name) "'s tracks and the "
                "quartiles between: half of the tracks lie between Q1 and Q3 (the box in the chart, "
                "the solid part of each bar in the table)."
            }
            // Six columns need the card's whole width: the chart goes above the table.
            div class="chart-with-table stacked" {
                (chart(
                    &format!("{id}-spread-chart"),
                    &format!("Box plots of how {name}'s audio features spread across {whose} tracks; the same numbers are in the table."),
                    &distribution_boxplot(distributions),
                ))
                div class="table-scroll" tabindex="0" role="region" aria-label="Spread across the tracks (scrolls sideways)" {
                    table class="spread-table" {
                        caption { "Spread across " (whose) " tracks" }
                        thead {
                            tr {
                                th scope="col" { "Feature" }
                                th scope="col" { "Lowest" }
                                th scope="col" { "Q1" }
                                th scope="col" { "Median" }
                                th scope="col" { "Q3" }
                                th scope="col" { "Highest" }
                            }
                        }
                        tbody {
                            @for d in distributions {
                                tr {
                                    th scope="row" title=(d.feature.help()) {
                                        (breakable_label(d.feature.label()))
                                        span class="range" aria-hidden="true" style=(format!(
                                            "--lo: {}; --q1: {}; --q3: {}; --hi: {}",
                                            percent(d, d.min), percent(d, d.q1), percent(d, d.q3), percent(d, d.max)
                                        )) {}
                                    }
                                    @for v in [d.min, d.q1, d.median, d.q3, d.max] {
                                        td { (d.feature.format(v)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The artist's similar artists, each with its main genre: among the nearest by sound,
/// those with a main genre among `artists_main_genres` (the artist's genres tied for the most
/// tracks; a neighbour's are counted alike) first (`similarity::genre_first`), their genres read through the
/// top-genres cache. Without a genre (a catalog without genres), the nearest by sound,
/// and no query.
async fn similar_artists<'a>(
    state: &AppState,
    catalog: &'a CatalogSnapshot,
    id: i32,
    artists_main_genres: &[&str],
) -> AppResult<Vec<(SimilarArtist<'a>, Option<String>)>> {
    let candidates = catalog.artists.similar(id, GENRE_CANDIDATES);
    let their_genres = if artists_main_genres.is_empty() {
        Default::default()
    } else {
        let ids: Vec<i32> = candidates.iter().map(|s| s.artist.id).collect();
        state
            .caches
            .top_genres(&state.pool, catalog.meta.version, &ids)
            .await?
    };
    // A neighbour's main genres by the same rule as the artist's, ties and all, read
    // once per neighbour: whether it shares one, and the one shown, which is the one it
    // shares (a neighbour listed first for latin had read "ambient", its first by
    // name), else its first.
    let labels: std::collections::HashMap<i32, (bool, Option<String>)> = candidates
        .iter()
        .map(|s| {
            let theirs = their_genres
                .get(&s.artist.id)
                .map(|g| main_genres(g))
                .unwrap_or_default();
            let shared = theirs
                .iter()
                .find(|genre| artists_main_genres.contains(genre));
            let shown = shared.or(theirs.first()).map(|genre| genre.to_string());
            (s.artist.id, (shared.is_some(), shown))
        })
        .collect();
    let similar = genre_first(
        candidates,
        |id| labels.get(&id).is_some_and(|(shares, _)| *shares),
        SIMILAR_COUNT,
    );
    Ok(similar
        .into_iter()
        .map(|s| {
            let genre = labels
                .get(&s.artist.id)
                .and_then(|(_, shown)| shown.clone());
            (s, genre)
        })
        .collect())
}

/// The similar artists, each with its main genre when the catalog has genres.
fn similar_section(
    artist: &ArtistSummary,
    main_genres: &[&str],
    similar: &[(SimilarArtist<'_>, Option<String>)],
) -> Markup {
    html! {
        section class="card" aria-labelledby="similar-title" {
            h2 id="similar-title" { "Similar artists" }
            p class="muted" {
                "Nearest by average sound over the " (SIMILARITY_FEATURES.len()) " audio features, each on a 0–1 scale. "
                "The distance is the typical gap per feature (root mean square): 0 means identical averages. "
                @match main_genres {
                    [] => {}
                    [genre] => { "Artists whose main genre is also " (genre) " come first. " }
                    [init @ .., last] => {
                        "Artists whose main genre is also " (init.join(", ")) " or " (last)
                        " (this artist's genres with the most tracks) come first. "
                    }
                }
                "Artists with fewer than " (NEIGHBOUR_MIN_TRACKS) " tracks only fill the list when there are not enough others."
            }
            @if similar.is_empty() {
                p { "No other artist to compare with yet." }
            } @else {
                ol class="similar-artists" {
                    @for (s, genre) in similar {
                        @let compare_href = url("/artists/compare", &[("artist", &artist.name), ("artist", &s.artist.name)]);
                        li {
                            a class="similar-name" href=(format!("/artists/{}", s.artist.id)) { (s.artist.name) }
                            @if let Some(genre) = genre {
                                " · " (genre)
                            }
                            " · " (tracks_label(s.artist.track_count.into()))
                            " · distance " (format!("{:.3}", s.distance))
                            p class="hint" { (s.explanation()) }
                            // Each link says which pair it compares: six "Compare with
                            // Queen" read alike in a screen reader's list of links.
                            a class="button-small" href=(compare_href) {
                                "Compare " span class="visually-hidden" { (s.artist.name) " " } "with " (artist.name)
                            }
                        }
                    }
                }
            }
        }
    }
}
