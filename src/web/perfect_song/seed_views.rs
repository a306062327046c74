//! The seeds panel: what the answer starts from (up to five tracks, artists and
//! genres, as removable chips), a search for tracks and artists to add, and a genre
//! picker. Every chip and every match is a plain link to the page with the seeds
//! changed (the other settings kept, targets started again from the seeds); htmx
//! boosts them into a whole-page swap and fills the matches while the user types
//! (`GET /perfect-song/seeds`).

use maud::{html, Markup};
use poem::{handler, web::Data, IntoResponse, Request, Response};

use super::params::{self, FormState, PAGE};
use crate::{
    catalog::{
        artists::tracks_label,
        search_query::SearchQuery,
        track_terms::{artists_holding, track_conditions, MAX_QUERY_CHARS, MAX_TERMS},
    },
    db,
    decimal::counted,
    error::{AppError, AppResult},
    matching::{keys, seeds::MAX_SEEDS, settings::SeedRefs},
    web::{
        extract::{PageContext, UserPage},
        latest_search::SearchKind,
        respond::add_vary,
        state::AppState,
    },
};

/// The seeds' heading: a boosted link that adds or removes a seed swaps the whole page,
/// and focus went to <body> at the top (nine Tabs back to the seeds, and nothing said);
/// app.js moves it here instead (`data-focus-after`).
pub const SEEDS_TITLE_ID: &str = "ps-seeds-title";
/// The search box's name.
pub const QUERY: &str = "seed_q";
pub const SUGGEST: &str = "/perfect-song/seeds";
const SUGGESTIONS_ID: &str = "ps-seed-suggestions";
const TRACK_MATCHES: i64 = 6;
const ARTIST_MATCHES: usize = 5;

/// The address of the page seeded with one track or artist, written straight into the
/// markup: a live answer has one per row, and a `format!` and a string for each were
/// about 3% of a new answer's CPU (`perf record`).
#[derive(Clone, Copy)]
pub struct SeededPage {
    key: &'static str,
    id: i32,
}

impl maud::Render for SeededPage {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(PAGE);
        buffer.push('?');
        buffer.push_str(self.key);
        buffer.push('=');
        self.id.render_to(buffer);
    }
}

/// "More like this": the page seeded with one track, everything else from the start.
pub fn more_like_track(id: i32) -> SeededPage {
    SeededPage {
        key: keys::SEED_TRACK,
        id,
    }
}

/// "Songs like this artist".
pub fn more_like_artist(id: i32) -> SeededPage {
    SeededPage {
        key: keys::SEED_ARTIST,
        id,
    }
}

/// One chip: what it is, and the address without it.
pub struct Chip {
    pub kind: &'static str,
    pub label: String,
    pub remove: String,
}

/// The chips for the form's seeds, in the order tracks, artists, genres.
pub async fn chips(state: &AppState, ctx: &PageContext, form: &FormState) -> AppResult<Vec<Chip>> {
    let seeds = &form.seeds;
    let details = state
        .caches
        .track_details(&state.pool, ctx.catalog.meta.version, &seeds.tracks)
        .await?;
    let without = |f: &dyn Fn(&mut SeedRefs)| {
        let mut rest = seeds.clone();
        f(&mut rest);
        form.with_seeds(&rest)
    };
    let mut chips = Vec::new();
    for id in &seeds.tracks {
        let label = details
            .get(id)
            .map(|d| format!("{} — {}", d.name(), d.credits()))
            .unwrap_or_else(|| format!("Track #{id}"));
        chips.push(Chip {
            kind: "Track",
            label,
            remove: without(&|s| s.tracks.retain(|t| t != id)),
        });
    }
    for id in &seeds.artists {
        let label = ctx
            .catalog
            .artists
            .get(*id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| format!("Artist #{id}"));
        chips.push(Chip {
            kind: "Artist",
            label,
            remove: without(&|s| s.artists.retain(|a| a != id)),
        });
    }
    for genre in &seeds.genres {
        chips.push(Chip {
            kind: "Genre",
            label: genre.clone(),
            remove: without(&|s| s.genres.retain(|g| g != genre)),
        });
    }
    Ok(chips)
}

/// "3 tracks and 5 artists", leaving out a kind none was found of: "The first 0 tracks
/// and 5 artists" was read out to a screen reader.
fn found_counts(tracks: usize, artists: usize) -> String {
    match (tracks, artists) {
        (0, a) => counted(a as u64, "artist"),
        (t, 0) => counted(t as u64, "track"),
        (t, a) => format!(
            "{} and {}",
            counted(t as u64, "track"),
            counted(a as u64, "artist")
        ),
    }
}

/// Tracks and artists matching `q`, each a link that adds it as a seed.
/// `asked`: the user, and whether the page or the box's type-ahead asks: the user's
/// next search stops this one's reads as `latest_search` says (a type-ahead never stops
/// the page's search).
pub async fn suggestions(
    state: &AppState,
    ctx: &PageContext,
    asked: (i32, SearchKind),
    form: &FormState,
    q: &str,
) -> AppResult<Markup> {
    let q = q.trim().to_string();
    // Longer than the field takes (`maxlength`): refused, not searched for by title
    // and echoed whole.
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!(
            "A seed search is at most {MAX_QUERY_CHARS} characters long."
        )));
    }
    if form.seeds.count() >= MAX_SEEDS {
        return Ok(html! {
            p class="suggestion-status" role="status" {
                "There are already " (MAX_SEEDS) " seeds, the most there can be: remove one to add another."
            }
        });
    }
    // The user's next search stops this one's reads (`latest_search`).
    let ticket = state.seed_searches.begin(asked.0, asked.1);
    let unwanted = ticket.unwanted();
    let superseded_now = || ticket.superseded();
    let superseded = || {
        html! {
            p class="suggestion-status" role="status" { "A newer search replaced this one." }
        }
    };
    let needle = q.clone();
    let found = db::run_until_superseded(&state.pool, unwanted.clone(), move |conn| {
        Ok(db::api_catalog::track_ids_titled(
            conn,
            &needle,
            TRACK_MATCHES,
            0,
        )?)
    })
    .await;
    let mut ids = match found {
        Err(_) if superseded_now() => return Ok(superseded()),
        found => found?,
    };
    // No title holds what was typed: read as the API's search reads it, each word in
    // the title, the album or a credited artist's name. "abba dancing queen" and
    // "beyonce halo", the way people name a song, had found nothing here while the
    // API found them.
    // Within the API's bounds on a query, which keep its cost to a few passes (one of
    // 850 words had held a connection and 1.9 GB past the request's end), and never
    // for nothing at all (`"" ""`: the most popular tracks, each keystroke a full scan).
    let searchable = |query: &SearchQuery| {
        !query.is_empty() && query.term_count() <= MAX_TERMS && q.chars().count() <= MAX_QUERY_CHARS
    };
    if ids.is_empty() && q.split_whitespace().nth(1).is_some() {
        if let Some(query) = SearchQuery::parse(&q).ok().filter(searchable) {
            let conditions = track_conditions(&query, |word| artists_holding(&ctx.catalog, word));
            let found = db::run_until_superseded(&state.pool, unwanted, move |conn| {
                Ok(db::track_search::search_track_ids(conn, &conditions, TRACK_MATCHES, 0)?.1)
            })
            .await;
            ids = match found {
                Err(_) if superseded_now() => return Ok(superseded()),
                found => found?,
            };
        }
    }
    let details = state
        .caches
        .track_details(&state.pool, ctx.catalog.meta.version, &ids)
        .await?;
    let artists = ctx.catalog.artists.suggest(&q, ARTIST_MATCHES);
    let add = |f: &dyn Fn(&mut SeedRefs)| {
        let mut more = form.seeds.clone();
        f(&mut more);
        form.with_seeds(&more)
    };
    let mut tracks: Vec<_> = ids.iter().filter_map(|id| details.get(id)).collect();
    // A dataset can hold one release twice under two ids (the TidyTuesday file does):
    // two lines that read the same would only make the user wonder which to pick.
    // The line kept is "already a seed" when any of the ids it stands for is one.
    let chosen: std::collections::HashSet<_> = tracks
        .iter()
        .filter(|d| form.seeds.tracks.contains(&d.id))
        .map(|d| seed_line(d))
        .collect();
    let mut shown = std::collections::HashSet::new();
    tracks.retain(|d| shown.insert(seed_line(d)));
    Ok(html! {
        @if tracks.is_empty() && artists.is_empty() {
            p class="suggestion-status" role="status" { "No track or artist matches “" (q) "”." }
        } @else {
            // At the caps there are likely more: said so, rather than a count that
            // reads as all there are ("6 tracks match “love”" of 1,111).
            p class="suggestion-status visually-hidden" role="status" {
                @if ids.len() as i64 >= TRACK_MATCHES || artists.len() >= ARTIST_MATCHES {
                    "The first " (found_counts(tracks.len(), artists.len())) " matching “" (q) "”: type more to narrow them."
                } @else {
                    (found_counts(tracks.len(), artists.len()))
                    @if tracks.len() + artists.len() == 1 { " matches “" } @else { " match “" }
                    (q) "”."
                }
            }
            @if !tracks.is_empty() {
                h3 class="ps-seed-heading" { "Tracks" }
                ul class="ps-seed-matches" {
                    @for d in &tracks {
                        // A seed already is named so, not offered again: "Add" had
                        // put it in the address twice, for the same one seed.
                        @if chosen.contains(&seed_line(d)) {
                            li class="ps-seed-chosen" {
                                span class="suggestion-name" { (d.name()) }
                                " " span class="muted" { "— " (d.credits()) }
                                (release_of(d))
                                " " span class="muted" { "· already a seed" }
                            }
                        } @else {
                        li {
                            a href=(add(&|s| s.tracks.push(d.id))) hx-boost="true" data-focus-after=(SEEDS_TITLE_ID) {
                                "Add " span class="suggestion-name" { (d.name()) }
                                " " span class="muted" { "— " (d.credits()) }
                                (release_of(d))
                            }
                        }
                        }
                    }
                }
            }
            @if !artists.is_empty() {
                h3 class="ps-seed-heading" { "Artists" }
                ul class="ps-seed-matches" {
                    @for s in &artists {
                        @let id = s.artist.id;
                        @if form.seeds.artists.contains(&id) {
                            li class="ps-seed-chosen" {
                                span class="suggestion-name" { (s.artist.name) }
                                " " span class="muted" { "— already a seed" }
                            }
                        } @else {
                        li {
                            a href=(add(&|r| r.artists.push(id))) hx-boost="true" data-focus-after=(SEEDS_TITLE_ID) {
                                "Add " span class="suggestion-name" { (s.artist.name) }
                                " " span class="muted" { "— " (tracks_label(s.artist.track_count.into())) }
                            }
                        }
                        }
                    }
                }
            }
        }
    })
}

/// The panel above the settings form.
/// "no seeds", "1 seed: track Haunt", "2 seeds: track Haunt, artist Queen".
fn seeds_in_words(chips: &[Chip]) -> String {
    match chips.len() {
        0 => "no seeds".to_string(),
        n => {
            let named: Vec<String> = chips
                .iter()
                .map(|c| format!("{} {}", c.kind.to_lowercase(), c.label))
                .collect();
            let noun = if n == 1 { "seed" } else { "seeds" };
            format!("{n} {noun}: {}", named.join(", "))
        }
    }
}

pub fn panel(
    ctx: &PageContext,
    form: &FormState,
    chips: Vec<Chip>,
    query: &str,
    found: Option<Markup>,
) -> Markup {
    let error = form.error(keys::SEEDS);
    let full = form.seeds.count() >= MAX_SEEDS;
    let page_weights = form.automatic_weights();
    html! {
        // Without seeds the panel only explains how to add some: it is left off paper.
        section class={ "card ps-seeds" @if chips.is_empty() { " ps-seeds-empty" } } id="ps-seeds"
            aria-labelledby=(SEEDS_TITLE_ID) {
            // Where the keyboard lands after a seed is added or removed (`SEEDS_FOCUS`).
            // Its hidden end names the seeds now in force, so a screen reader landing
            // there hears what the change did, not only the heading.
            h2 id=(SEEDS_TITLE_ID) tabindex="-1" {
                "Start from songs you love"
                span class="visually-hidden" { ": " (seeds_in_words(&chips)) }
            }
            p class="hint" {
                "Add up to " (MAX_SEEDS)
                @if !ctx.catalog.features.has_genres() { " tracks or artists" } @else { " tracks, artists or genres" }
                ": the sliders start at their average "
                "sound, and the seed tracks are left out of the answer. Move the sliders from there."
                // As Spotify's recommendations read them: a genre beside tracks or
                // artists had seemed to count for nothing.
                @if ctx.catalog.features.has_genres() {
                    " Beside tracks or artists, a genre seed keeps the answer to that genre; alone, it starts from the genre's average."
                }
            }
            @if let Some(message) = &error {
                p class="form-error" role="alert" id="ps-seeds-error" { (message) }
            }
            @if chips.is_empty() {
                p class="muted" { "No seeds: the sliders alone describe the sound." }
            } @else {
                ul class="ps-chips" aria-label="Seeds" {
                    @for chip in &chips {
                        li class="ps-chip" {
                            span class="ps-chip-kind" { (chip.kind) } " "
                            span class="ps-chip-label" { (chip.label) }
                            " "
                            a class="ps-chip-remove" href=(chip.remove) hx-boost="true" data-focus-after=(SEEDS_TITLE_ID)
                                aria-label={ "Remove seed " (chip.label) } { "×" }
                        }
                    }
                }
                // Said where it is seen: the controls below are switched off, and
                // greyed controls alone did not say why.
                @if full {
                    p class="field-hint" id="ps-seeds-full" {
                        (MAX_SEEDS) " seeds is the most: remove one to add another."
                    }
                }
            }
            // Two forms. The search carries every setting, targets included: it only
            // lists what could be added, and must not move the sliders. Adding a genre
            // carries the settings without the targets, which the seeds set again.
            // `data-targets`: the slider targets a new seed replaces (app.js carries the
            // other settings on screen over when a seed is added or removed, and keeps
            // the targets for a form marked `data-keeps-targets`). `data-page-weights`:
            // the weights the page set itself, which a change of seeds does not carry.
            form class="ps-seed-form" method="get" action=(PAGE) role="search"
                data-targets=(slider_targets()) data-page-weights=(page_weights) data-keeps-targets {
                @for (key, value) in form.search_pairs() {
                    input type="hidden" name=(key) value=(value);
                }
                div class="field" {
                    label for="ps-seed-q" { "Find a track or an artist to add" }
                    div class="search-row" {
                        // `required`: "Search" with nothing typed had reloaded the page
                        // unchanged, saying nothing; the browser now asks for a word.
                        input id="ps-seed-q" type="search" name=(QUERY) value=(query) autocomplete="off"
                            required maxlength=(MAX_QUERY_CHARS) disabled[full] aria-describedby=[full.then_some("ps-seeds-full")]
                            hx-get=(SUGGEST) hx-include="closest form" hx-target={ "#" (SUGGESTIONS_ID) }
                            hx-trigger="input changed delay:250ms, search" hx-sync="this:replace"
                            aria-controls=(SUGGESTIONS_ID);
                        button type="submit" class="secondary" disabled[full] { "Search" }
                    }
                }
                // Not a live region: each search replaced all of it, and every line
                // (the headings, each "Add …") was read out. Its count line is said
                // by the page's region for swaps (app.js).
                div id=(SUGGESTIONS_ID) class="ps-seed-suggestions" {
                    @if let Some(found) = found { (found) }
                }
            }
            form class="ps-seed-form" method="get" action=(PAGE)
                data-targets=(slider_targets()) data-page-weights=(page_weights) {
                @for (key, value) in form.base_pairs() {
                    input type="hidden" name=(key) value=(value);
                }
                @for (key, value) in params_of_seeds(&form.seeds) {
                    input type="hidden" name=(key) value=(value);
                }
                // No genre to start from in a catalog without genres.
                @if ctx.catalog.features.has_genres() {
                div class="field" {
                    label for="ps-seed-genre" { "Or start from a genre" }
                    div class="search-row" {
                        // `required` with an empty first choice: "Add genre" before
                        // choosing one is stopped by the browser with its own word.
                        select id="ps-seed-genre" name=(keys::SEED_GENRE) required disabled[full]
                            aria-describedby=[full.then_some("ps-seeds-full")] {
                            option value="" { "Choose a genre" }
                            @for genre in ctx.catalog.features.genres() {
                                option value=(genre) { (genre) }
                            }
                        }
                        button type="submit" class="secondary" disabled[full] { "Add genre" }
                    }
                }
                }
            }
        }
    }
}

fn params_of_seeds(seeds: &SeedRefs) -> Vec<(String, String)> {
    let url = params::seed_query(seeds);
    params::pairs_of(&url)
}

/// The matches for the seed search box, for htmx; loaded directly, the page with the
/// matches listed. For signed-in users, as the page is: each search reads every title
/// (no text index; 0.15–0.21 s at 1.2M tracks), which an anonymous visitor could
/// otherwise ask for without limit, while the API's same search needs a token.
#[handler]
pub async fn suggest(
    UserPage { ctx, user }: UserPage,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let pairs = params::pairs_of(req.uri().query().unwrap_or_default());
    if !ctx.htmx.wants_fragment() {
        let query = req.uri().query().unwrap_or_default();
        let mut resp = poem::web::Redirect::see_other(format!("{PAGE}?{query}")).into_response();
        add_vary(resp.headers_mut(), "HX-Request");
        return Ok(resp);
    }
    let q = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == QUERY)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    if q.is_empty() {
        return Ok(html! {}.into_response());
    }
    let form = FormState::lenient(&pairs, &params::starting(&ctx.catalog));
    Ok(
        suggestions(&state, &ctx, (user.id, SearchKind::TypeAhead), &form, &q)
            .await?
            .into_response(),
    )
}

/// The keys of the slider targets, space-separated.
fn slider_targets() -> String {
    crate::catalog::Feature::ALL
        .iter()
        .map(|f| f.key())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A suggested track's album and year ("· A Night At The Opera (1975)"): versions of one
/// title by one artist differ by them, and without them read the same.
fn release_of(d: &db::track_details::TrackDetails) -> Markup {
    html! {
        @if d.album().is_some() || d.release_year.is_some() {
            " " span class="muted suggestion-release" {
                "· "
                @if let Some(album) = d.album() { (album) }
                @if let Some(year) = d.release_year {
                    @if d.album().is_some() { " (" (year) ")" } @else { (year) }
                }
            }
        }
    }
}

/// What a suggested track's line reads: two ids that read the same are one line.
fn seed_line(d: &db::track_details::TrackDetails) -> (&str, &str, Option<&str>, Option<i32>) {
    (d.name(), d.credits(), d.album(), d.release_year)
}
