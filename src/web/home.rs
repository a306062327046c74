//! The home page: what the loaded catalog holds and its average sound.

use maud::{html, Markup};
use poem::handler;

use super::{
    charts::{profile_bars, ProfileSeries},
    extract::PageContext,
    layout::{chart, feature_table, format_count, format_date},
};
use crate::catalog::{snapshot::CatalogSnapshot, Feature};

#[handler]
pub fn home(ctx: PageContext) -> Markup {
    ctx.render("Home", home_content(&ctx.catalog))
}

fn home_content(catalog: &CatalogSnapshot) -> Markup {
    let meta = &catalog.meta;
    let profile: Vec<f64> = Feature::AUDIO
        .iter()
        .map(|f| catalog.average.get(*f).unwrap_or(0.0))
        .collect();
    let chart_features = &Feature::UNIT;
    html! {
        section class="hero" {
            h1 { "Explore the sound of your music catalog" }
            p class="lead" {
                "Compare artists by their audio features and find the track that matches "
                "the mood you describe — from a local dataset, no Spotify account needed."
            }
            p class="actions" {
                a class="button" href="/artists" { "Compare artists" }
                a class="button secondary" href="/perfect-song" { "Find your perfect song" }
            }
        }
        @if catalog.is_empty() {
            section class="card" {
                h2 { "No tracks yet" }
                p { "Import a Spotify audio-features CSV to get started:" }
                pre { code { "cargo run --release -- import spotify_songs.csv" } }
            }
        } @else {
            section class="card" aria-labelledby="summary-title" {
                h2 id="summary-title" { "The catalog" }
                @if catalog.is_demo() {
                    p class="notice" {
                        strong { "Demo data. " }
                        "These artists and tracks are invented so the app works out of the box. "
                        "Load a real dataset with "
                        code { "cargo run --release -- import spotify_songs.csv" }
                        " (see the README for where to get one)."
                    }
                }
                dl class="stats" {
                    div { dt { "Tracks" } dd { (format_count(meta.track_count)) } }
                    div { dt { "Artists" } dd { (format_count(meta.artist_count)) } }
                    div { dt { "Genres" } dd { (format_count(meta.genre_count)) } }
                    div { dt { "Released" } dd { (catalog.year_span()) } }
                    div {
                        dt { "Source" }
                        dd {
                            @if catalog.is_demo() { "Demo catalog" }
                            @else { (meta.source_name) ", " (format_date(meta.updated_at)) }
                        }
                    }
                }
            }
            section class="card" aria-labelledby="profile-title" {
                h2 id="profile-title" { "Average audio features" }
                p class="muted" { "The mean of every track in the catalog; hover a bar for its value." }
                div class="chart-with-table" {
                    (chart(
                        "home-profile-chart",
                        "Bar chart of the catalog's average audio features; the same numbers are in the table.",
                        &profile_bars(chart_features, &[ProfileSeries {
                            name: "Catalog average",
                            values: chart_features.iter().map(|f| catalog.average.get(*f).unwrap_or(0.0)).collect(),
                        }]),
                    ))
                    (feature_table("Catalog average", &Feature::AUDIO, &[("Average", profile)]))
                }
            }
        }
    }
}
