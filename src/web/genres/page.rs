//! `/genres/{name}`: a genre's sound against the catalog (chart and table), how its
//! tracks spread, its top artists, its subgenres with their profiles, its most typical
//! tracks, and its sound by decade. An unknown name is a 404 with "did you mean".

use maud::{html, Markup};
use poem::{
    handler,
    http::StatusCode,
    web::{Data, Path},
    IntoResponse, Response,
};

use super::{
    genre_path, render,
    views::{decades_section, did_you_mean_list, subgenre_table, tracks_text},
};
use crate::decimal::counted;
use crate::{
    cache::SharedDetails,
    catalog::{
        genres::{GenreCatalog, GenreProfile, TypicalTrack},
        snapshot::CatalogSnapshot,
    },
    error::AppResult,
    web::{
        artists::profile::{against_catalog, spread_section},
        extract::PageContext,
        layout::format_count,
        perfect_song::seed_views::more_like_track,
        query::url,
        respond::{permanent_redirect, with_status},
        state::AppState,
    },
};

/// The longest name looked up, in characters (longer ones are not genres).
const MAX_NAME_CHARS: usize = 200;

#[handler]
pub async fn genre_page(
    ctx: PageContext,
    state: Data<&AppState>,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let genres = state
        .caches
        .genres(&state.pool, ctx.catalog.meta.version)
        .await?;
    // Shown back in the "no such genre" page: a NUL or an escape cannot be. Without the
    // place marks a copied name brings at its ends (`typed_name`), which `showable`
    // would otherwise make visible and so part of the name: `/genres/rock` and a
    // direction mark answered 404 where the genre search found rock.
    let trimmed = crate::typed_name::trim_place_marks(&name);
    let short: String =
        crate::web::query::showable(&trimmed.chars().take(MAX_NAME_CHARS).collect::<String>());
    let Some(genre) = genres.find(&short).filter(|_| short.len() == trimmed.len()) else {
        let content = not_found(&genres, &short);
        return Ok(with_status(
            render(&ctx, "Genre not found", content),
            StatusCode::NOT_FOUND,
        )
        .into_response());
    };
    // `/genres/POP` and `/genres/pop%20` find pop too: they are sent on to the one
    // address of the page, so that links, bookmarks and history agree.
    if genre.name != name {
        return Ok(permanent_redirect(&super::genre_path(&genre.name)));
    }
    let facts = crate::web::seeds::facts(&state, ctx.catalog.meta.version).await?;
    let typical = genre.typical_songs(|id| facts.get(id).map(|f| f.song));
    let ids: Vec<i32> = typical.iter().map(|t| t.track_id).collect();
    let details = state
        .caches
        .track_details(&state.pool, ctx.catalog.meta.version, &ids)
        .await?;
    let catalog = ctx.catalog.clone();
    let content = html! {
        (header(genre))
        (profile_section(genre, &catalog))
        (spread_section("genre", &genre.name, "its", &genre.spread, usize::try_from(genre.track_count).unwrap_or(0)))
        (artists_section(genre, &catalog))
        @if !genre.is_subgenre() { (subgenres_section(genre, &genres)) }
        (typical_section(genre, &typical, &details))
        (decades_section("genre-decades", "Its sound by decade", &format!("{}'s", genre.name), &genre.decades, Some(undated(genre))))
    };
    Ok(render(&ctx, &genre.name, content).into_response())
}

/// How many of the genre's tracks have no release year, and so are in no decade: the
/// page's decade table had held fewer tracks than its header counted, unexplained.
fn undated(genre: &GenreProfile) -> i64 {
    let dated: i64 = genre.decades.iter().map(|d| d.tracks).sum();
    (genre.track_count - dated).max(0)
}

fn not_found(genres: &GenreCatalog, name: &str) -> Markup {
    let suggestions = genres.did_you_mean(name, 5);
    html! {
        section class="card" aria-labelledby="not-found-title" {
            h1 id="not-found-title" { "No genre called “" (name) "”" }
            @if suggestions.is_empty() {
                p { "No genre in the catalog has that name, and no name is close to it." }
            } @else {
                p { "No genre in the catalog has that name. Did you mean one of these?" }
                (did_you_mean_list(&suggestions))
            }
            p { a href="/genres" { "See every genre" } }
        }
    }
}

fn header(genre: &GenreProfile) -> Markup {
    // `add=1` opens the form with an empty second field, focused, as the artist page's
    // link does; an empty `genre=` was a comparison of one, refused with a 422.
    let compare_href = url("/genres/compare", &[("genre", &genre.name), ("add", "1")]);
    html! {
        nav class="breadcrumbs" aria-label="Breadcrumbs" {
            a href="/genres" { "Genres" }
            @if let Some(parent) = &genre.parent {
                " › " a href=(genre_path(parent)) { (parent) }
            }
            " › " span aria-current="page" { (genre.name) }
        }
        section class="card" aria-labelledby="genre-title" {
            h1 id="genre-title" class="artist-name" { (genre.name) }
            p class="artist-facts" {
                (tracks_text(genre.track_count)) " by " (format_count(genre.artist_count))
                @if genre.artist_count == 1 { " artist" } @else { " artists" }
                // Not "released unknown" on every genre of a catalog without dates.
                @if genre.min_year.is_some() {
                    " · released " (genre.year_span())
                }
                @if let Some(parent) = &genre.parent {
                    " · a subgenre of " a href=(genre_path(parent)) { (parent) }
                }
            }
            // A subgenre compares as a genre does; only the perfect song's genre filter
            // and seeds are genres alone (the matching index holds no subgenres).
            p class="actions" {
                a class="button-small" href=(compare_href) { "Compare " (genre.name) " with another genre" }
                @if !genre.is_subgenre() {
                    " "
                    // A seed, as "Or start from a genre" is: the genre's sound as the target
                    // and its tracks only. A filter alone left the sliders where they were.
                    a class="button-small" href=(url("/perfect-song", &[("seed_genre", &genre.name)])) {
                        "Find your perfect " (genre.name) " song"
                    }
                }
            }
        }
    }
}

fn profile_section(genre: &GenreProfile, catalog: &CatalogSnapshot) -> Markup {
    html! {
        section class="card" aria-labelledby="profile-title" {
            h2 id="profile-title" { "Its sound against the catalog" }
            p class="muted" {
                "Averages over " (tracks_text(genre.track_count))
                ", beside the catalog's average over " (counted(catalog.meta.track_count, "track")) "."
            }
            (against_catalog("genre-profile-chart", &genre.name, &|f| genre.value(f), catalog))
        }
    }
}

fn artists_section(genre: &GenreProfile, catalog: &CatalogSnapshot) -> Markup {
    html! {
        section class="card" aria-labelledby="top-artists-title" {
            h2 id="top-artists-title" { "Top artists" }
            p class="muted" { "The artists with the most tracks in " (genre.name) " (as main artist)." }
            @if genre.top_artists.is_empty() {
                p { "No artist." }
            } @else {
                ol class="top-artists" {
                    @for (id, n) in &genre.top_artists {
                        li {
                            @match catalog.artists.get(*id) {
                                Some(a) => { a href=(format!("/artists/{id}")) { (a.name) } }
                                None => { "Artist " (id) }
                            }
                            " · " (tracks_text(*n))
                        }
                    }
                }
            }
        }
    }
}

fn subgenres_section(genre: &GenreProfile, genres: &GenreCatalog) -> Markup {
    let subgenres = genres.subgenres_of(genre);
    html! {
        section class="card" aria-labelledby="subgenres-title" {
            h2 id="subgenres-title" { "Subgenres" }
            @if subgenres.is_empty() {
                p { "The catalog names no subgenre of " (genre.name) "." }
            } @else {
                p class="muted" { "Each subgenre's tracks and average sound (0–1 features as bars)." }
                (subgenre_table(&format!("Subgenres of {}", genre.name), &subgenres))
            }
        }
    }
}

fn typical_section(
    genre: &GenreProfile,
    typical: &[TypicalTrack],
    details: &SharedDetails,
) -> Markup {
    html! {
        section class="card" aria-labelledby="typical-title" {
            h2 id="typical-title" { "Most typical tracks" }
            p class="muted" {
                "The tracks closest to " (genre.name) "'s average sound over the nine audio features, each on a 0–1 scale. "
                "The distance is the typical gap per feature (root mean square): 0 would be the average itself."
            }
            div class="table-scroll" tabindex="0" role="region" aria-label="Tracks nearest the average (scrolls sideways)" {
                table class="track-table typical-track-table cards-when-narrow" {
                    caption { "Tracks nearest the average" }
                    thead {
                        tr {
                            th scope="col" { "Title" }
                            th scope="col" { "Artists" }
                            th scope="col" { "Year" }
                            th scope="col" { "Distance" }
                        }
                    }
                    tbody {
                        @for t in typical {
                            @let d = details.get(&t.track_id);
                            tr {
                                @let title = d.map(|d| d.name()).unwrap_or("(unknown)");
                                td {
                                    (title)
                                    // Every other list of tracks leads on from each one.
                                    br;
                                    a class="ps-more-like" href=(more_like_track(t.track_id)) {
                                        "More like this" span class="visually-hidden" { ": " (title) }
                                    }
                                }
                                td { (d.map(|d| d.credits()).unwrap_or_default()) }
                                td class="card-meta" { (d.and_then(|d| d.release_year).map(|y| y.to_string()).unwrap_or_else(|| "—".into())) }
                                td data-label="distance" { (format!("{:.3}", t.distance)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
