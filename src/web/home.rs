//! The home page: what the loaded catalog holds, where it came from, how to load real
//! data, and its average sound.

use std::path::Path;

use maud::{html, Markup};
use poem::{
    handler,
    web::{Data, Query},
};
use serde::Deserialize;

use super::{
    charts::{profile_bars, ProfileSeries},
    extract::PageContext,
    layout::{chart, feature_table, format_count, format_date},
};
use crate::{
    catalog::{genres::GenreCatalog, Feature},
    config::{Config, Database},
    error::AppResult,
    web::{
        genres::{
            genre_path,
            views::{decades_section, tracks_text},
        },
        state::AppState,
    },
};

/// `?account=deleted`: where deleting an account lands, to say that it happened.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HomeQuery {
    account: Option<String>,
}

pub const ACCOUNT_DELETED: &str = "/?account=deleted";

/// `?account=logged-out`: where logging out lands, to say that it happened (the page had
/// changed only in its header's corner).
pub const LOGGED_OUT: &str = "/?account=logged-out";

#[handler]
pub async fn home(
    ctx: PageContext,
    state: Data<&AppState>,
    Query(query): Query<HomeQuery>,
) -> AppResult<Markup> {
    // Only a visitor who is logged out can have just deleted their account or logged
    // out: anyone could link a signed-in user here with the parameter.
    let said = match query.account.as_deref() {
        _ if ctx.user.is_some() => None,
        Some("deleted") => Some(Farewell::Deleted),
        Some("logged-out") => Some(Farewell::LoggedOut),
        _ => None,
    };
    let import = import_command(&state.config.database);
    let genres = if ctx.catalog.is_empty() {
        None
    } else {
        Some(
            state
                .caches
                .genres(&state.pool, ctx.catalog.meta.version)
                .await?,
        )
    };
    Ok(ctx.render("Home", home_content(&ctx, &import, said, genres.as_deref())))
}

/// The placeholder for the database in the import command of a server that does not use
/// the default file.
const DATABASE_PLACEHOLDER: &str = "DATABASE";

/// The command that imports into this server's database, as someone would type it on
/// the server: the installed binary, and `--database` unless the server uses the
/// default file (a relative path, so the command runs where the server was started).
/// The page is public: it never names the server's own file or URL (an absolute path
/// tells a stranger how the machine is laid out, and a visitor cannot run the command
/// anyway), only a placeholder for whoever runs the server.
pub fn import_command(database: &Database) -> String {
    match database {
        Database::Sqlite(path) if path == Path::new(Config::DEFAULT_DATABASE) => {
            "insights-hub import FILE.csv".to_string()
        }
        _ => format!("insights-hub import --database {DATABASE_PLACEHOLDER} FILE.csv"),
    }
}

/// What the home page says to a visitor who has just left their account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Farewell {
    Deleted,
    LoggedOut,
}

fn home_content(
    ctx: &PageContext,
    import: &str,
    said: Option<Farewell>,
    genres: Option<&GenreCatalog>,
) -> Markup {
    let catalog = &ctx.catalog;
    let meta = &catalog.meta;
    let profile: Vec<f64> = Feature::AUDIO
        .iter()
        .map(|f| catalog.average.get(*f).unwrap_or(0.0))
        .collect();
    let chart_features = &Feature::UNIT;
    html! {
        @match said {
            Some(Farewell::Deleted) => p class="notice" role="status" {
                strong { "Your account was deleted. " }
                "Its taste profiles and sessions are gone too. You are logged out."
            },
            Some(Farewell::LoggedOut) => p class="notice" role="status" {
                strong { "You are logged out. " }
                "Your settings and taste profiles are kept for your next log-in."
            },
            None => {}
        }
        section class="hero" {
            h1 { "Explore the sound of your music catalog" }
            p class="lead" {
                "Compare artists by their audio features and find the track that matches "
                "the mood you describe — from a local dataset, no Spotify account needed."
            }
            p class="actions" {
                // Offered once there are two artists to compare.
                @if ctx.catalog.artists.len() >= 2 {
                    a class="button" href="/artists/compare" { "Compare artists" }
                }
                a class="button secondary" href="/perfect-song" { "Find your perfect song" }
            }
            @if ctx.user.is_none() {
                p class="hint" {
                    "Finding your perfect song needs a free account (a username and a password, no e-mail), "
                    "which keeps your settings and taste profiles. "
                    a href="/signup?next=/perfect-song" { "Sign up" } " or "
                    a href="/login?next=/perfect-song" { "log in" } "."
                }
            }
        }
        @if catalog.is_empty() {
            section class="card" id="import" aria-labelledby="import-title" {
                h2 id="import-title" { "No tracks yet" }
                (import_help(import, ImportInto::Empty))
            }
        } @else {
            section class="card" aria-labelledby="summary-title" {
                h2 id="summary-title" { "The catalog" }
                @if catalog.is_demo() {
                    p class="notice" {
                        strong { "Demo data. " }
                        "These artists and tracks are invented so the app works out of the box. "
                        "Load a real dataset with "
                        code { (import) }
                        " (see " a href="#import" { "Import your own data" } " below)."
                    }
                }
                dl class="stats" {
                    div { dt { "Tracks" } dd { (format_count(meta.track_count)) } }
                    div { dt { "Artists" } dd { (format_count(meta.artist_count)) } }
                    div { dt { "Genres" } dd { (format_count(meta.genre_count)) } }
                    @if meta.has_years() {
                        div { dt { "Released" } dd { (catalog.year_span()) } }
                    }
                    div class="stat-source" {
                        dt { "Source" }
                        dd {
                            @if catalog.is_demo() {
                                "Demo catalog"
                                span class="when" { "generated on first start" }
                            } @else {
                                span class="file" { (meta.source_name) }
                                span class="when" { "imported " (format_date(meta.updated_at)) }
                            }
                        }
                    }
                }
            }
            section class="card" aria-labelledby="profile-title" {
                h2 id="profile-title" { "Average audio features" }
                p class="muted" {
                    "The mean of every track in the catalog."
                    // Only where a pointer can hover a drawn chart (see app.css).
                    span class="hover-hint" { " Hover a bar for its value." }
                }
                div class="chart-with-table" {
                    (chart(
                        "home-profile-chart",
                        "Bar chart of the catalog's average audio features; the same numbers are in the table.",
                        &profile_bars(chart_features, &[ProfileSeries {
                            name: "Catalog average",
                            values: chart_features.iter().map(|f| catalog.average.get(*f).unwrap_or(0.0)).collect(),
                        }]),
                    ))
                    div class="table-scroll" tabindex="0" role="region" aria-label="Catalog average (scrolls sideways)" {
                        (feature_table("Catalog average", &Feature::AUDIO, &[("Average", profile)]))
                    }
                }
            }
            @if let Some(genres) = genres {
                (decades_section("home-decades", "The catalog's sound by decade", "the catalog's", &genres.decades, Some(genres.undated_tracks)))
                @if !genres.genres().is_empty() {
                    section class="card" aria-labelledby="home-genres-title" {
                        h2 id="home-genres-title" { "Genres" }
                        p class="muted" { "Each genre's page shows its sound, its artists, its subgenres and its decades." }
                        ul class="genre-links" {
                            @for g in genres.genres() {
                                li { a href=(genre_path(&g.name)) { (g.name) } " (" (tracks_text(g.track_count)) ")" }
                            }
                        }
                        p { a href="/genres" { "Every genre, sortable and searchable" } }
                    }
                }
            }
            section class="card" id="import" aria-labelledby="import-title" {
                h2 id="import-title" { "Import your own data" }
                p {
                    @if catalog.is_demo() {
                        "This is the demo catalog, generated when the server first started with an empty database. "
                    } @else {
                        "This catalog was imported from " strong { (meta.source_name) }
                        " on " (format_date(meta.updated_at)) ". "
                    }
                }
                (import_help(import, if catalog.is_demo() { ImportInto::Demo } else { ImportInto::Real }))
            }
        }
    }
}

/// How to load a dataset: the command for this server's database, and what happens.
/// What an import does to the catalog the page shows.
#[derive(Clone, Copy)]
enum ImportInto {
    Empty,
    Demo,
    Real,
}

fn import_help(import: &str, into: ImportInto) -> Markup {
    html! {
        p {
            "Download a Spotify audio-features CSV, for example TidyTuesday's "
            code { "spotify_songs.csv" } " (32,833 rows), and run on the server:"
        }
        pre { code { (import) } }
        p class="hint" {
            "Replace FILE.csv with your file (several files import together)"
            @if import.contains("--database") {
                " and " code { (DATABASE_PLACEHOLDER) } " with the database the server was started with ("
                code { "--database" } "). "
            } @else {
                ", in the directory the server was started from (its database is "
                code { (Config::DEFAULT_DATABASE) } " there). "
            }
            // Over a real catalog an import adds and updates: "replaces" had read as if
            // a second file would wipe the first.
            @match into {
                ImportInto::Empty => "The import fills this catalog",
                ImportInto::Demo => "A real import replaces the demo catalog",
                ImportInto::Real => "An import adds its tracks to this catalog and updates the ones it already has (it removes none)",
            }
            ", and the running server shows it within seconds. "
            code { "insights-hub import --help" } " lists the formats it reads."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_command_names_the_database_unless_it_is_the_default() {
        assert_eq!(
            import_command(&Database::from(Path::new(Config::DEFAULT_DATABASE))),
            "insights-hub import FILE.csv"
        );
        // Never the server's own path: a placeholder.
        for path in ["/srv/hub/insights.db", "/srv/my music/it's.db", "other.db"] {
            assert_eq!(
                import_command(&Database::from(Path::new(path))),
                "insights-hub import --database DATABASE FILE.csv"
            );
        }
    }
}
