//! `/genres?q=&sort=&dir=`: every genre with its track count, artist count and small
//! profile; searchable (a genre's or one of its subgenres' name) and sortable. A GET
//! form without JavaScript; with htmx, typing, choosing and the column headers swap
//! `#genre-list`, and the form's sort controls follow it out of band. The form's
//! answers replace the address (one history entry per search, not per keystroke); a
//! column header's pushes one, as a link does.

use maud::{html, Markup};
use poem::{handler, web::Data, IntoResponse, Request, Response};

use super::{
    genre_path, render,
    views::{did_you_mean_list, profile_cell, SMALL_PROFILE},
};
use crate::decimal::counted;
use crate::{
    catalog::{
        genres::{GenreCatalog, GenreProfile, GenreSort, SortKey},
        Feature,
    },
    error::{AppError, AppResult},
    web::{
        extract::PageContext,
        layout::{breakable_label, document_title, format_count},
        query::{url, QueryPairs, SHOWN_DIR, SHOWN_SORT},
        state::AppState,
    },
};

/// The id of the results, which htmx swaps on its own.
const LIST_ID: &str = "genre-list";
/// The form's "Sort by" and "Order" selects.
const SORT_ID: &str = "genre-sort";
const DIR_ID: &str = "genre-dir";
const SHOWN_SORT_ID: &str = "genre-shown-sort";
const SHOWN_DIR_ID: &str = "genre-shown-dir";
/// The longest search accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// The ids of the column headers' sort links start so (`genre-sort-energy`), which
/// htmx sends as `HX-Trigger`.
const HEADER_LINK_ID_PREFIX: &str = "genre-sort-";

#[handler]
pub async fn genres_list(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let query = pairs.text("q").unwrap_or_default().trim().to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!(
            "A genre search is at most {MAX_QUERY_CHARS} characters long."
        )));
    }
    let sort =
        GenreSort::parse(pairs.last("sort"), pairs.sort_dir()).map_err(AppError::BadRequest)?;
    let genres = state
        .caches
        .genres(&state.pool, ctx.catalog.meta.version)
        .await?;
    let results = results(&genres, &query, sort);
    let title = if query.is_empty() {
        "Genres".to_string()
    } else {
        format!("Genres matching “{query}”")
    };
    if ctx.htmx.wants_fragment() && ctx.htmx.target.as_deref() == Some(LIST_ID) {
        // A column header sorts by swapping the list alone: the form's "Sort by" and
        // "Order" follow out of band, or they would go on showing the order before
        // and the next keystroke in the search would send it back. The selects are
        // replaced whole: new options written into the old select were unselected
        // again by its old selected option. htmx gives the focus back to a replaced
        // element with an id, and the search field is not touched while someone types
        // in it. The address changes with the list, so the title does too.
        let mut response = html! {
            (document_title(&title))
            (results)
            (sort_select(sort, true))
            (dir_select(sort, true))
            (shown_sort(sort, true))
        }
        .into_response();
        // The address names the list shown, not the request: a new "Sort by" starts in
        // its usual order whatever "Order" the form sent, and the address had kept
        // `dir=desc` over a list sorted A to Z. A header link adds a history entry, as
        // its plain link does; the form replaces the entry, as typing does.
        let header = if ctx
            .htmx
            .trigger
            .as_deref()
            .is_some_and(|id| id.starts_with(HEADER_LINK_ID_PREFIX))
        {
            "HX-Push-Url"
        } else {
            "HX-Replace-Url"
        };
        if let Ok(value) = list_url(&query, sort).parse::<poem::http::HeaderValue>() {
            response.headers_mut().insert(header, value);
        }
        return Ok(response);
    }
    let content = html! {
        section class="card" aria-labelledby="genres-title" {
            h1 id="genres-title" { "Genres" }
            p class="muted" {
                "Every genre of the catalog. A track listed under several genres counts in each. "
                a href="/genres/compare" { "Compare genres" } " side by side."
            }
            (search_form(&query, sort))
        }
        (results)
    };
    Ok(render(&ctx, &title, content).into_response())
}

fn list_url(query: &str, sort: GenreSort) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !query.is_empty() {
        pairs.push(("q", query));
    }
    if sort != GenreSort::default() {
        pairs.push(("sort", sort.key.key()));
        if sort.descending != sort.key.default_descending() {
            pairs.push(("dir", sort.dir()));
        }
    }
    url("/genres", &pairs)
}

fn search_form(query: &str, sort: GenreSort) -> Markup {
    let target = format!("#{LIST_ID}");
    html! {
        // `change` is heard on the form, where it bubbles up from the selects:
        // `change from:select` bound the selects of the page's load, which the first
        // answer replaces (out of band), so only the first choice re-sorted. A change of
        // the search field asks again for what its typing already asked for; the newest
        // request wins (hx-sync), so that is harmless.
        form class="track-sort genre-search" method="get" action="/genres" role="search"
            hx-get="/genres" hx-target=(target) hx-swap="outerHTML" hx-replace-url="true"
            hx-sync="this:replace"
            hx-trigger="submit, input changed delay:250ms from:#genre-q, change" {
            label {
                "Search genres "
                input id="genre-q" type="search" name="q" value=(query) autocomplete="off" spellcheck="false"
                    maxlength=(MAX_QUERY_CHARS);
            }
            " "
            label {
                "Sort by "
                (sort_select(sort, false))
            }
            " "
            label {
                "Order "
                (dir_select(sort, false))
            }
            (shown_sort(sort, false))
            " "
            button type="submit" class="button-small" { "Show" }
        }
    }
}

/// The key and order the list is sorted by, sent back with the form
/// (`QueryPairs::sort_dir`).
fn shown_sort(sort: GenreSort, out_of_band: bool) -> Markup {
    html! {
        input type="hidden" id=(SHOWN_SORT_ID) name=(SHOWN_SORT) value=(sort.key.key())
            hx-swap-oob=[out_of_band.then_some("true")];
        input type="hidden" id=(SHOWN_DIR_ID) name=(SHOWN_DIR)
            value=(if sort.descending { "desc" } else { "asc" })
            hx-swap-oob=[out_of_band.then_some("true")];
    }
}

/// "Sort by"; `out_of_band` for a list answer to put in place of the form's.
fn sort_select(sort: GenreSort, out_of_band: bool) -> Markup {
    html! {
        select id=(SORT_ID) name="sort" hx-swap-oob=[out_of_band.then_some("true")] {
            @for key in SortKey::all() {
                option value=(key.key()) selected[key == sort.key] { (key.label()) }
            }
        }
    }
}

/// "Order", likewise.
fn dir_select(sort: GenreSort, out_of_band: bool) -> Markup {
    html! {
        select id=(DIR_ID) name="dir" hx-swap-oob=[out_of_band.then_some("true")] {
            option value="desc" selected[sort.descending] { "Descending" }
            option value="asc" selected[!sort.descending] { "Ascending" }
        }
    }
}

fn results(genres: &GenreCatalog, query: &str, sort: GenreSort) -> Markup {
    let found: Vec<&GenreProfile> = genres.list(query, sort);
    // Dated or not, every track is in one of these.
    let catalog_is_empty = genres.decades.is_empty() && genres.undated_tracks == 0;
    let extra = extra_column(sort);
    let header_link = |key: SortKey, label: Markup| {
        let active = sort.key == key;
        let next = GenreSort {
            key,
            descending: if active {
                !sort.descending
            } else {
                key.default_descending()
            },
        };
        let href = list_url(query, next);
        let aria_sort = active.then_some(if sort.descending {
            "descending"
        } else {
            "ascending"
        });
        html! {
            th scope="col" aria-sort=[aria_sort] {
                // The id gives the keyboard back to this header after the swap (htmx
                // refocuses the element with the focused one's id). In the search form's
                // queue, so that this click's answer wins: leaving the search field for
                // the header fires the form's `change` a moment before, and that answer
                // replaced the list while this one sorted a list no longer on the page.
                a id={ (HEADER_LINK_ID_PREFIX) (key.key()) } href=(href) hx-get=(href) hx-target=(format!("#{LIST_ID}")) hx-swap="outerHTML" hx-push-url="true"
                    hx-sync="form.genre-search:replace" {
                    (label)
                    @if active { span aria-hidden="true" { @if sort.descending { " ↓" } @else { " ↑" } } }
                }
            }
        }
    };
    let order = match (sort.key, sort.descending) {
        (SortKey::Name, false) => "sorted A to Z".to_string(),
        (SortKey::Name, true) => "sorted Z to A".to_string(),
        (key, true) => format!("sorted by {}, highest first", key.label().to_lowercase()),
        (key, false) => format!("sorted by {}, lowest first", key.label().to_lowercase()),
    };
    html! {
        section id=(LIST_ID) class="card" aria-labelledby="genre-list-title" {
            h2 id="genre-list-title" class="visually-hidden" { "Genre list" }
            @if genres.is_empty() && catalog_is_empty {
                p { "The catalog is empty: import a dataset to see its genres (" a href="/#import" { "how" } ")." }
            } @else if genres.is_empty() {
                p { "The catalog has no genres: its tracks came without any." }
            } @else if found.is_empty() {
                // As a genre's address and the comparison do: a typo ("rok") is named.
                @let close = genres.did_you_mean(query, 5);
                p role="status" {
                    "No genre or subgenre matches “" (query) "”. "
                    @if !close.is_empty() { "Did you mean one of these? " }
                    a href="/genres" { "Show every genre" } "."
                }
                @if !close.is_empty() { (did_you_mean_list(&close)) }
            } @else {
                p class="muted" role="status" {
                    (format_count(found.len() as i64)) " of " (counted(genres.genres().len() as i64, "genre"))
                    @if !query.is_empty() { " matching “" (query) "”" }
                    ", " (order) "."
                }
                div class="table-scroll" tabindex="0" role="region" aria-label="Genres with their average sound (scrolls sideways)" {
                    table class="genre-table feature-table" {
                        caption { "Genres with their average sound" }
                        thead {
                            tr {
                                (header_link(SortKey::Name, html! { "Genre" }))
                                (header_link(SortKey::Tracks, html! { "Tracks" }))
                                (header_link(SortKey::Artists, html! { "Artists" }))
                                @for f in SMALL_PROFILE.into_iter().chain(extra) {
                                    (header_link(SortKey::Feature(f), breakable_label(f.label())))
                                }
                            }
                        }
                        tbody {
                            @for g in &found {
                                tr {
                                    th scope="row" {
                                        a href=(genre_path(&g.name)) { (g.name) }
                                        // Why it is listed, when its own name does not say:
                                        // "4 subgenres, including hip hop and trap".
                                        @let via = genres.found_by(g, query);
                                        @if !g.subgenres.is_empty() {
                                            span class="hint subgenre-count" {
                                                " " (counted(g.subgenres.len() as i128, "subgenre"))
                                                @if !via.is_empty() {
                                                    ", including "
                                                    @for (n, name) in via.iter().enumerate() {
                                                        @if n > 0 { @if n + 1 == via.len() { " and " } @else { ", " } }
                                                        a href=(genre_path(name)) { (name) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                    td { (format_count(g.track_count)) }
                                    td { (format_count(g.artist_count)) }
                                    @for f in SMALL_PROFILE.into_iter().chain(extra) { (profile_cell(f, g.value(f))) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The sorted-by feature when the small profile does not show it (it gets a column).
fn extra_column(sort: GenreSort) -> Option<Feature> {
    match sort.key {
        SortKey::Feature(f) if !SMALL_PROFILE.contains(&f) => Some(f),
        _ => None,
    }
}
