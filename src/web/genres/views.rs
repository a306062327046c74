//! What the genre pages share: a genre's small profile (CSS bars), the table of genres
//! with it, and the sound-by-decade section (line chart and table), which the home page
//! shows for the whole catalog.

use maud::{html, Markup};

use super::genre_path;
use crate::{
    catalog::{
        genres::{decade_label, DecadeRow, GenreProfile},
        Feature,
    },
    web::{
        charts::genres::decade_lines,
        layout::{breakable_label, chart, format_count},
    },
};

/// "1 track", "5,132 tracks".
pub fn tracks_text(n: i64) -> String {
    crate::decimal::counted(n, "track")
}

/// Links to the genres a name that finds none may have meant, with their tracks and, for
/// a subgenre, its genre.
pub fn did_you_mean_list(suggestions: &[&GenreProfile]) -> Markup {
    html! {
        ul class="did-you-mean" {
            @for g in suggestions {
                li {
                    a href=(genre_path(&g.name)) { (g.name) }
                    " (" (tracks_text(g.track_count))
                    @if let Some(parent) = &g.parent { ", a subgenre of " (parent) }
                    ")"
                }
            }
        }
    }
}

/// A decade with fewer tracks than this is marked "few" and left off the lines. An
/// artist's 5 tracks make a profile worth reading; a decade's did not: EDM's 5 tracks of
/// the 1980s and 10 of the 1990s drew its chart's largest swings, beside 5,200 of the
/// 2010s.
pub const FEW_IN_A_DECADE: i64 = 20;

/// The features of a small profile: the five the original app compared.
pub const SMALL_PROFILE: [Feature; 5] = Feature::ORIGINAL;

/// One cell of a small profile: a CSS bar and the value.
pub fn profile_cell(feature: Feature, value: Option<f64>) -> Markup {
    html! {
        @match value {
            Some(v) => td class="profile-cell" {
                span class="bar" style=(format!("--v: {:.1}%", feature.scale(v) * 100.0)) {}
                span class="value" { (feature.format(v)) }
            },
            None => td { "—" },
        }
    }
}

/// The head cells of a small profile.
pub fn profile_heads() -> Markup {
    html! {
        @for f in SMALL_PROFILE {
            th scope="col" title=(f.help()) { (breakable_label(f.label())) }
        }
    }
}

/// A table of subgenres with their counts and small profiles.
pub fn subgenre_table(caption: &str, genres: &[&GenreProfile]) -> Markup {
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-label={ (caption) " (scrolls sideways)" } {
            table class="genre-table feature-table" {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { "Subgenre" }
                        th scope="col" { "Tracks" }
                        th scope="col" { "Artists" }
                        (profile_heads())
                    }
                }
                tbody {
                    @for g in genres {
                        tr {
                            th scope="row" { a href=(genre_path(&g.name)) { (g.name) } }
                            td { (format_count(g.track_count)) }
                            td { (format_count(g.artist_count)) }
                            @for f in SMALL_PROFILE { (profile_cell(f, g.value(f))) }
                        }
                    }
                }
            }
        }
    }
}

/// The sound by decade: a line per 0..1 feature and the table of every feature.
/// `id` prefixes the element ids; `whose` names the tracks in the text.
pub fn decades_section(
    id: &str,
    heading: &str,
    whose: &str,
    decades: &[DecadeRow],
    undated: Option<i64>,
) -> Markup {
    let title_id = format!("{id}-title");
    // A line needs two decades it can rest on: with fewer, the chart had been a full-size
    // empty plot, or one decade's markers stacked in a column with no line.
    let charted = decades
        .iter()
        .filter(|d| d.tracks >= FEW_IN_A_DECADE)
        .count();
    html! {
        section class="card" aria-labelledby=(title_id) {
            h2 id=(title_id) { (heading) }
            @if decades.is_empty() {
                p { "No track of " (whose) " has a release year, so there is nothing to show by decade." }
            } @else {
                p class="muted" {
                    // Said so that it holds without JavaScript too, where there is no chart.
                    "The average of " (whose) " tracks released in each decade. Tempo and "
                    "loudness, which do not run from 0 to 1, are in the table only."
                    @if let Some(n) = undated.filter(|n| *n > 0) {
                        " " (crate::decimal::counted(n, "track")) " without a release year "
                        (if n == 1 { "is" } else { "are" }) " left out."
                    }
                    // A decade of 2 or 3 tracks drew the tallest point of a line (a 1950s
                    // valence of 0.91) with nothing to say it rests on so few.
                    @if charted < 2 {
                        " A chart needs two decades of at least " (FEW_IN_A_DECADE) " tracks each, and "
                        @if charted == 0 { "none has" } @else { "only one has" }
                        " as many: the table has each decade's averages."
                    } @else if decades.iter().any(|d| d.tracks < FEW_IN_A_DECADE) {
                        " A decade of fewer than " (FEW_IN_A_DECADE) " tracks is marked “few”, and left off the chart's lines: its averages say little."
                    }
                }
                div class="chart-with-table stacked" {
                    @if charted >= 2 {
                        (chart(
                            &format!("{id}-chart"),
                            &format!("Line chart of how the average audio features of {whose} tracks changed by decade; the same numbers are in the table."),
                            &decade_lines(&Feature::UNIT, decades, FEW_IN_A_DECADE),
                        ))
                    }
                    div class="table-scroll" tabindex="0" role="region" aria-label="Average audio features by decade (scrolls sideways)" {
                        table class="decade-table feature-table" {
                            caption { "Average audio features by decade" }
                            thead {
                                tr {
                                    th scope="col" { "Decade" }
                                    th scope="col" { "Tracks" }
                                    @for f in Feature::AUDIO {
                                        th scope="col" title=(f.help()) { (breakable_label(f.label())) }
                                    }
                                }
                            }
                            tbody {
                                @for d in decades {
                                    tr {
                                        th scope="row" { (decade_label(d.decade)) }
                                        td {
                                            (format_count(d.tracks))
                                            @if d.tracks < FEW_IN_A_DECADE { " " span class="muted" { "(few)" } }
                                        }
                                        @for f in Feature::AUDIO {
                                            td { (d.value(f).map(|v| f.format(v)).unwrap_or_else(|| "—".into())) }
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
}
