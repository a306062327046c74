//! `/artists`: search as you type. The input asks for the results fragment while the
//! user types (htmx, debounced, newest request wins); without JavaScript the form
//! submits and the same list comes back in a full page. `/artists/suggest` serves the
//! same list to the name fields of the comparison form.

use maud::{html, Markup};
use poem::{handler, web::Redirect, IntoResponse, Request, Response};

use super::render;
use crate::decimal::counted;
use crate::{
    catalog::artists::{tracks_label, ArtistIndex, ArtistSummary},
    error::{AppError, AppResult},
    web::{
        csv_export::download_link,
        extract::PageContext,
        layout::document_title,
        query::{url, QueryPairs},
        respond::add_vary,
    },
};

/// How many suggestions a query returns, and how many more each "Show more" adds.
pub const SUGGESTION_LIMIT: usize = 10;
/// The most matches the search page lists: beyond, typing more of the name narrows
/// them better than reading on.
pub const MAX_SHOWN: usize = 100;
/// The id of the "Show 10 more" link, which htmx sends as `HX-Trigger`.
const SHOW_MORE_ID: &str = "artist-show-more";
/// The id of the first name "Show 10 more" added.
const FIRST_NEW_ID: &str = "artist-first-added";
/// The search page's parameter for how many matches it lists.
const SHOWN: &str = "shown";

/// How many matches to list: the `shown` parameter on the page's steps (rounded up to
/// one, at most `MAX_SHOWN`), 10 when absent. Anything but a whole number from 1 is
/// refused, as `page=` is: `shown=abc` had listed 10 as if it were not there.
pub fn shown_of(pairs: &QueryPairs) -> AppResult<usize> {
    let Some(text) = pairs.last(SHOWN).filter(|t| !t.trim().is_empty()) else {
        return Ok(SUGGESTION_LIMIT);
    };
    let n = crate::whole_number::parse(text)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "shown={} is not a number of artists to list: give a whole number from 1 \
                 (at most {MAX_SHOWN} are listed).",
                text.trim()
            ))
        })?;
    Ok((n.div_ceil(SUGGESTION_LIMIT) * SUGGESTION_LIMIT).clamp(SUGGESTION_LIMIT, MAX_SHOWN))
}

/// The search page's address for `query` listing `shown` matches.
fn search_address(query: &str, shown: usize) -> String {
    let shown_text = shown.to_string();
    match (query.is_empty(), shown > SUGGESTION_LIMIT) {
        (true, _) => url("/artists", &[]),
        (false, false) => url("/artists", &[("q", query)]),
        (false, true) => url("/artists", &[("q", query), (SHOWN, &shown_text)]),
    }
}
/// The longest name the search field takes (the field's `maxlength`): the longest
/// artist name in the TidyTuesday file is under 100 characters, and a pasted page of
/// text made an address the server refuses (414).
pub const MAX_QUERY_CHARS: usize = 200;

/// As the genre search answers: an address longer than the field allows had been
/// searched and echoed whole (an 8,000-character page title). The same for every
/// artist search: the search page, its suggestions, and its CSV.
pub fn within_query_limit(query: &str) -> AppResult<()> {
    if query.trim().chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!(
            "An artist search is at most {MAX_QUERY_CHARS} characters long."
        )));
    }
    Ok(())
}

#[handler]
pub fn search(ctx: PageContext, req: &Request) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let query = pairs.text("q").unwrap_or_default();
    within_query_limit(&query)?;
    let shown = shown_of(&pairs)?;
    let results = results(&ctx.catalog.artists, &query, shown);
    let title = if query.trim().is_empty() {
        "Artists".to_string()
    } else {
        format!("Artists matching “{}”", query.trim())
    };
    if ctx.htmx.wants_fragment() {
        // The search field replaces the URL as the user types; the title follows it.
        // The server names the address, so a cleared field leaves `/artists`, not
        // `/artists?q=`, and spaces typed around the name stay out of it.
        // "Show 10 more" adds a history entry instead, as its plain link does: Back
        // had left the search altogether with JavaScript, and gone back to the first
        // ten without.
        let mut resp = html! { (document_title(&title)) (results) }.into_response();
        let address = search_address(query.trim(), shown);
        let header = if ctx.htmx.trigger.as_deref() == Some(SHOW_MORE_ID) {
            "HX-Push-Url"
        } else {
            "HX-Replace-Url"
        };
        if let Ok(value) = address.parse() {
            resp.headers_mut().insert(header, value);
        }
        return Ok(resp);
    }
    Ok(render(&ctx, &title, search_page(&ctx, &query, results)).into_response())
}

/// The suggestion list for a comparison field (`?artist=` as htmx sends the field, or
/// `?q=`). Loaded directly, it forwards to the search page, which shows the same list.
#[handler]
pub fn suggest(ctx: PageContext, req: &Request) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let query = pairs
        .text("q")
        .or_else(|| pairs.text("artist"))
        .unwrap_or_default();
    if !ctx.htmx.wants_fragment() {
        // Not HTML, so the app-wide middleware adds no Vary; this answer depends on it too.
        let mut resp = Redirect::see_other(url("/artists", &[("q", &query)])).into_response();
        add_vary(resp.headers_mut(), "HX-Request");
        return Ok(resp);
    }
    within_query_limit(&query)?;
    if query.trim().is_empty() {
        return Ok(html! {}.into_response());
    }
    let index = &ctx.catalog.artists;
    let found: Vec<&ArtistSummary> = index
        .suggest(&query, SUGGESTION_LIMIT)
        .into_iter()
        .map(|s| s.artist)
        .collect();
    Ok(html! {
        @if found.is_empty() {
            p class="suggestion-status" { "No artist matches “" (query.trim()) "”." }
        } @else {
            @let matched = if found.len() < SUGGESTION_LIMIT { Matched::All } else { Matched::AtLeast };
            p class="suggestion-status visually-hidden" { (status_text(found.len(), matched, &query)) }
            (artist_list(&found))
        }
    }
    .into_response())
}

/// How many artists match, beside those listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matched {
    /// Those listed are all.
    All,
    /// This many in all, more than are listed.
    Of(usize),
    /// More than are listed, and more than the next "Show more" adds.
    AtLeast,
}

fn status_text(listed: usize, matched: Matched, query: &str) -> String {
    let query = query.trim();
    match (listed, matched) {
        (1, Matched::All) => format!("1 artist matches “{query}”."),
        (n, Matched::All) => format!("{n} artists match “{query}”."),
        (n, Matched::Of(total)) => format!("The {n} best of {total} matches for “{query}”."),
        (n, Matched::AtLeast) => format!("The {n} best matches for “{query}”."),
    }
}

/// The artists the search lists for `query`, at most `shown`, and how many match: the
/// closest names, or the artists with the most tracks when it is empty. The page and
/// its CSV both show these. It looks one "Show more" ahead, so that the link says how
/// many it adds ("Show 1 more", not "Show 10 more" over one artist).
fn listed<'a>(
    index: &'a ArtistIndex,
    query: &str,
    shown: usize,
) -> (Vec<&'a ArtistSummary>, Matched) {
    let query = query.trim();
    if query.is_empty() {
        return (index.most_tracks(SUGGESTION_LIMIT), Matched::All);
    }
    let mut found: Vec<&ArtistSummary> = index
        .suggest(query, shown + SUGGESTION_LIMIT + 1)
        .into_iter()
        .map(|s| s.artist)
        .collect();
    let matched = match found.len() {
        n if n <= shown => Matched::All,
        n if n <= shown + SUGGESTION_LIMIT => Matched::Of(n),
        _ => Matched::AtLeast,
    };
    found.truncate(shown);
    (found, matched)
}

/// `listed`, without saying whether there are more (the CSV).
pub fn matching_artists<'a>(
    index: &'a ArtistIndex,
    query: &str,
    shown: usize,
) -> Vec<&'a ArtistSummary> {
    listed(index, query, shown).0
}

/// What goes in `#artist-results`: the matches, or the biggest artists for an empty
/// query, or "did you mean" when nothing matches.
pub fn results(index: &ArtistIndex, query: &str, shown: usize) -> Markup {
    let query = query.trim();
    let (found, matched) = listed(index, query, shown);
    let shown_text = shown.to_string();
    let csv_address = if shown > SUGGESTION_LIMIT {
        url("/artists.csv", &[("q", query), (SHOWN, &shown_text)])
    } else {
        url("/artists.csv", &[("q", query)])
    };
    let csv = download_link(&csv_address, "these artists");
    if query.is_empty() {
        let top = found;
        return html! {
            @if top.is_empty() {
                p class="suggestion-status" { "The catalog has no artists yet." }
            } @else {
                p class="suggestion-status" { "The artists with the most tracks:" }
                (artist_list(&top))
                (csv)
            }
        };
    }
    if found.is_empty() {
        let close = index.did_you_mean(query, 5);
        return html! {
            p class="suggestion-status" {
                "No artist matches “" (query) "”."
                @if !close.is_empty() { " Did you mean one of these?" }
            }
            @if !close.is_empty() { (artist_list(&close)) }
        };
    }
    let next = (shown + SUGGESTION_LIMIT).min(MAX_SHOWN);
    let adds = match matched {
        Matched::All => 0,
        Matched::Of(total) => total.min(next) - shown,
        Matched::AtLeast => next - shown,
    };
    html! {
        // The keyboard comes here when "Show more" is swapped away (app.js).
        p class="suggestion-status" tabindex="-1" data-refocus { (status_text(found.len(), matched, query)) }
        // The first of the ten "Show 10 more" added.
        (artist_list_from(&found, shown.checked_sub(SUGGESTION_LIMIT).filter(|n| *n > 0)))
        @if adds > 0 {
            @let address = search_address(query, next);
            p class="show-more" {
                // Without JavaScript the link loads the longer list at the first name
                // it adds (it had opened at the top, ten names above); htmx asks for
                // the list without the fragment and keeps the keyboard's place itself.
                a id=(SHOW_MORE_ID) href=(format!("{address}#{FIRST_NEW_ID}")) hx-get=(address)
                    hx-target="#artist-results" hx-push-url="true" {
                    "Show " (adds) " more"
                }
            }
        } @else if matched != Matched::All {
            p class="muted" { "There are more: type more of the name to narrow them." }
        }
        (csv)
    }
}

/// Links to artist pages. `data-value` carries the name, which `artists.js` puts into a
/// comparison field; it also gives the list its listbox roles for keyboard use.
pub fn artist_list(artists: &[&ArtistSummary]) -> Markup {
    artist_list_from(artists, None)
}

/// `artist_list` with the `first_new`-th (from 0) marked `FIRST_NEW_ID`: the place
/// "Show 10 more" leads to without JavaScript.
fn artist_list_from(artists: &[&ArtistSummary], first_new: Option<usize>) -> Markup {
    html! {
        ul class="artist-suggestions" {
            @for (n, artist) in artists.iter().enumerate() {
                li data-value=(artist.name) id=[(first_new == Some(n)).then_some(FIRST_NEW_ID)] {
                    a href=(format!("/artists/{}", artist.id)) {
                        span class="suggestion-name" { (artist.name) }
                        " "
                        span class="suggestion-count" { (tracks_label(artist.track_count.into())) }
                    }
                }
            }
        }
    }
}

fn search_page(ctx: &PageContext, query: &str, results: Markup) -> Markup {
    let count = ctx.catalog.artists.len() as i64;
    html! {
        section class="card artist-search" aria-labelledby="artists-title" {
            h1 id="artists-title" { "Artists" }
            p class="muted" {
                "Search " (counted(count, "artist")) " by name, open one to see their sound, or "
                a href="/artists/compare" { "compare up to four side by side" } "."
            }
            // With JavaScript, Enter and "Search" answer in place like typing does (the
            // page had loaded again, and the keyboard left the field), in the field's
            // queue, so the newest of the two asks wins.
            form class="artist-search-form" role="search" method="get" action="/artists"
                hx-get="/artists" hx-target="#artist-results" hx-replace-url="true"
                hx-sync="#artist-q:replace" {
                label for="artist-q" { "Artist name" }
                div class="search-row" {
                    input id="artist-q" type="search" name="q" value=(query)
                        autocomplete="off" spellcheck="false" placeholder="e.g. Beyonce"
                        aria-describedby="artist-q-hint" maxlength=(MAX_QUERY_CHARS)
                        data-artist-combobox="navigate" data-suggestions="artist-results"
                        hx-get="/artists"
                        hx-trigger="input changed delay:200ms, search"
                        hx-target="#artist-results"
                        hx-sync="this:replace"
                        hx-replace-url="true"
                        // A notice this field raised (a refused search) goes once
                        // one of its later searches works (app.js).
                        data-clears-own-notice;
                    button type="submit" { "Search" }
                }
                p class="hint" id="artist-q-hint" {
                    "Capitals and accents don't matter: “beyonce” finds Beyoncé. "
                    "Names that start with what you type come first."
                }
            }
            div id="artist-results" class="artist-results" { (results) }
        }
    }
}
