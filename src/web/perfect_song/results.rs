//! The results region: the perfect song large, how close it is feature by feature
//! (charts and the table with the same numbers), the next matches; or why there is
//! none. This is the fragment the live sliders swap in.

use std::borrow::Cow;

use maud::{html, Markup};

use super::{seed_views::SEEDS_TITLE_ID, views::field_id};
use crate::{
    cache::SharedDetails,
    catalog::spotify_links::spotify_url,
    db::track_details::TrackDetails,
    decimal::{fixed, Decimal},
    matching::{
        filter_words, EmptyBecause, FilterStep, InvalidSettings, MatchOutcome, MatchSettings,
        Metric, TrackMatch,
    },
    model::Feature,
    web::{
        charts::perfect_song::{self as charts, MATCH_NAME, TARGET_NAME},
        csv_export::download_link,
        layout::{bar_style, breakable_label, chart, chart_fetched, chart_over, key_and_tempo},
    },
};

use super::{sample, seed_views::more_like_track};
use crate::catalog::facts::TrackFacts;

/// What the results region shows for valid settings.
pub struct Answer<'a> {
    pub settings: &'a MatchSettings,
    pub outcome: &'a MatchOutcome,
    pub details: &'a SharedDetails,
    /// Names the cacheable catalog sample drawn behind the parallel chart.
    pub catalog_version: i64,
    /// Key, mode and versions of every track.
    pub facts: &'a TrackFacts,
    /// Whether the catalog names genres at all: the Kaggle "1.2M songs" layout has
    /// none, and its next matches had a Genre column empty on every row.
    pub catalog_has_genres: bool,
    /// Whether any track has a release date (else no year column of blanks).
    pub catalog_has_years: bool,
    /// The same results as a CSV file (`export::url`).
    pub download_url: &'a str,
    /// Where the charts' options are fetched from (`chart_options::url_of_query`), for a
    /// live answer;
    /// `None`: in the markup (the page).
    pub charts_url: Option<&'a str>,
}

/// Element ids and labels of the two charts beside the closeness table.
pub const PARALLEL_CHART: &str = "ps-parallel-chart";
pub const BARS_CHART: &str = "ps-bars-chart";
const PARALLEL_LABEL: &str =
    "Parallel coordinates: your target, the perfect song and a sample of the catalog on every feature";
const BARS_LABEL: &str =
    "Bars: your target and the perfect song per feature that runs from 0 to 1 \
     (tempo, loudness and popularity are on the parallel chart's own axes, and in the table)";

/// The charts of "How close it is" for the best match, by element id.
pub fn closeness_charts(
    settings: &MatchSettings,
    best: &TrackMatch,
) -> [(&'static str, charming::Chart); 2] {
    let features = drawn_features(settings);
    let target: Vec<f64> = features.iter().map(|f| settings.target(*f)).collect();
    let matched: Vec<Option<f64>> = features.iter().map(|f| value_of(best, *f)).collect();
    let matched_or_target: Vec<f64> = matched
        .iter()
        .zip(&target)
        .map(|(m, t)| m.unwrap_or(*t))
        .collect();
    // The bars share one 0..1 axis, with no unit: tempo, loudness and popularity
    // drawn there read 71 BPM as a 0.28 bar and -10 dB as the tallest one. They keep
    // their units on the parallel chart's own axes, as the other pages' charts leave
    // them to the table.
    let unit: Vec<usize> = (0..features.len())
        .filter(|&i| features[i].is_unit_interval())
        .collect();
    let pick = |values: &[f64]| unit.iter().map(|&i| values[i]).collect::<Vec<f64>>();
    let unit_features: Vec<Feature> = unit.iter().map(|&i| features[i]).collect();
    [
        (
            PARALLEL_CHART,
            charts::parallel(&features, &target, Some(&matched)),
        ),
        (
            BARS_CHART,
            charts::target_vs_match(&unit_features, &pick(&target), &pick(&matched_or_target)),
        ),
    ]
}

fn closeness_chart_stack(a: &Answer, best: &TrackMatch) -> Markup {
    let sample_url = sample::url(&drawn_features(a.settings), a.catalog_version);
    let beneath = Some(sample_url.as_str());
    match a.charts_url {
        Some(url) => html! {
            (chart_fetched(PARALLEL_CHART, PARALLEL_LABEL, url, beneath))
            (chart_fetched(BARS_CHART, BARS_LABEL, url, None))
        },
        None => {
            let [(_, parallel), (_, bars)] = closeness_charts(a.settings, best);
            html! {
                (chart_over(PARALLEL_CHART, PARALLEL_LABEL, &parallel, beneath))
                (chart(BARS_CHART, BARS_LABEL, &bars))
            }
        }
    }
}

/// The features drawn: the original five, plus any other the settings switch on.
pub fn drawn_features(settings: &MatchSettings) -> Vec<Feature> {
    Feature::ALL
        .into_iter()
        .filter(|f| Feature::ORIGINAL.contains(f) || settings.weight(*f) > 0.0)
        .collect()
}

pub fn answer(a: &Answer) -> Markup {
    let Some(best) = a.outcome.matches.first() else {
        return no_match(a);
    };
    let best_details = a.details.get(&best.track_id).map(|d| &**d);
    html! {
        (live_bar(html! {
            span class="ps-live-kicker" { "Your perfect song" }
            strong class="ps-live-title" { (title_of(best_details, best)) }
            span class="ps-live-artists" { (artists_of(best_details)) }
            span class="ps-live-score" { (similarity(best.similarity)) " / 100" }
        }))
        (best_card(best, best_details, a.facts, a.settings))
        section class="card ps-closeness" aria-labelledby="ps-closeness-title" {
            h2 id="ps-closeness-title" { "How close it is" }
            // The faint lines had no legend entry and no word on what they were.
            p class="muted chart-only ps-sample-note" {
                "On the first chart each line is one track: your target, the perfect song, "
                "and in faint grey a sample of the catalog's tracks, to show where its music lies."
            }
            div class="chart-with-table ps-charts" {
                div class="ps-chart-stack" { (closeness_chart_stack(a, best)) }
                div class="table-scroll" tabindex="0" role="region" aria-label="Target and perfect song per feature (scrolls sideways)" { (closeness_table(best)) }
            }
        }
        @if a.outcome.matches.len() > 1 {
            (next_matches(&a.outcome.matches[1..], a, a.settings.filters.all_versions))
        }
        (download_link(a.download_url, "these results"))
    }
}

/// The answer in one line, pinned to the top of the window by app.js while the sliders
/// are in view and the answer card is not (on a phone the results come after the
/// form), so a moving slider's effect can be seen. Hidden from screen readers: the
/// results region itself is announced.
fn live_bar(content: Markup) -> Markup {
    html! {
        div class="ps-live" aria-hidden="true" { (content) }
    }
}

fn value_of(m: &TrackMatch, feature: Feature) -> Option<f64> {
    m.differences
        .iter()
        .find(|d| d.feature == feature)
        .and_then(|d| d.value)
}

fn title_of<'a>(details: Option<&'a TrackDetails>, m: &TrackMatch) -> Cow<'a, str> {
    match details {
        Some(d) => Cow::Borrowed(d.name()),
        None => Cow::Owned(format!("Track #{}", m.track_id)),
    }
}

fn artists_of(details: Option<&TrackDetails>) -> &str {
    details
        .map(|d| d.credits())
        .filter(|s| !s.is_empty())
        .unwrap_or("Unknown artist")
}

/// The track's key and tempo (the tempo it was matched on, if it counted).
fn dj_line(m: &TrackMatch, facts: &TrackFacts) -> Markup {
    let key = facts.get(m.track_id).and_then(|f| f.musical_key());
    let bpm = value_of(m, Feature::Tempo).or_else(|| facts.get(m.track_id).map(|f| f.tempo));
    key_and_tempo(key, bpm)
}

/// "2 other versions" when the song has more than this one; "one of 3 versions" when
/// every version is listed, where the others may be in the list too (each row said
/// "4 other versions" as if they were hidden).
fn versions_note(m: &TrackMatch, facts: &TrackFacts, all_versions: bool) -> Markup {
    let n = facts.version_count(m.track_id);
    html! {
        @if n > 1 {
            span class="ps-versions muted" {
                @if all_versions {
                    " (one of " (n) " versions)"
                } @else {
                    " (" (n - 1) " other version" @if n > 2 { "s" } ")"
                }
            }
        }
    }
}

fn best_card(
    best: &TrackMatch,
    details: Option<&TrackDetails>,
    facts: &TrackFacts,
    settings: &MatchSettings,
) -> Markup {
    let year = best.release_year.map(|y| y.to_string());
    html! {
        article class="card ps-answer" aria-labelledby="ps-answer-title" {
            p class="ps-kicker" { "Your perfect song" }
            h2 id="ps-answer-title" class="ps-title" { (title_of(details, best)) }
            p class="ps-artists" { (artists_of(details)) }
            dl class="ps-facts" {
                @if let Some(album) = details.and_then(|d| d.album()) {
                    div { dt { "Album" } dd { (album) } }
                }
                @if let Some(year) = year { div { dt { "Year" } dd { (year) } } }
                @if let Some(genre) = best.genre_text() { div { dt { "Genre" } dd { (genre) } } }
                div { dt { "Key and tempo" } dd { (dj_line(best, facts)) } }
                div class="ps-score" {
                    dt { "Similarity" }
                    dd { strong { (similarity(best.similarity)) } " / 100" }
                    dd class="ps-score-note" { (score_meaning(settings.metric)) }
                }
            }
            (among(settings))
            p { a class="button-small" href=(more_like_track(best.track_id)) hx-boost="true" data-focus-after=(SEEDS_TITLE_ID) { "More like this" } (versions_note(best, facts, settings.filters.all_versions)) }
            @if let Some(url) = details.and_then(|d| d.spotify_id()).and_then(spotify_url) {
                p { a href=(url) rel="noopener noreferrer" target="_blank" { "Listen on Spotify" } }
            }
        }
    }
}

/// What the answer was chosen among, when filters narrow it ("Among tracks in genre
/// rock, from 1990 on."): the form that sets them is far from here on a phone, and
/// left off a printed sheet.
fn among(settings: &MatchSettings) -> Markup {
    let words = filter_words::in_words(settings);
    html! {
        @if !words.is_empty() {
            p class="ps-among" { "Among tracks " (words.join(", ")) "." }
        }
    }
}

/// Signed difference in the feature's units ("+0.042", "−12 BPM").
fn signed(feature: Feature, difference: f64) -> Decimal {
    let text = feature.format(difference.abs());
    // Rounds to zero when no digit is left that is not 0 ("0.000", "0 BPM").
    let sign = if text
        .as_str()
        .bytes()
        .all(|b| !b.is_ascii_digit() || b == b'0')
    {
        "±"
    } else if difference > 0.0 {
        "+"
    } else {
        "−"
    };
    Decimal::from(sign).with(text.as_str())
}

/// The table twin of the charts: target, match and difference per feature, with CSS
/// bars, and which features counted.
fn closeness_table(best: &TrackMatch) -> Markup {
    html! {
        table class="feature-table ps-closeness-table" {
            caption { "Target and perfect song per feature" }
            thead {
                tr {
                    th scope="col" { "Feature" }
                    th scope="col" { (TARGET_NAME) }
                    th scope="col" { (MATCH_NAME) }
                    // A soft hyphen: on a phone the heading may wrap, not widen the table.
                    th scope="col" { "Dif\u{AD}ference" }
                }
            }
            tbody {
                // A feature switched off whose value is unknown says nothing: popularity,
                // on a catalog without any, showed "(off) 50 | unknown".
                @for d in best.differences.iter().filter(|d| d.enabled() || d.value.is_some()) {
                    tr class=[(!d.enabled()).then_some("ps-off")] {
                        th scope="row" title=(d.feature.help()) {
                            (breakable_label(d.feature.label()))
                            @if !d.enabled() { span class="muted" { " (off)" } }
                        }
                        td {
                            span class="bar" style=(bar_style(d.feature.scale(d.target))) {}
                            span class="value" { (d.feature.format(d.target)) }
                        }
                        td {
                            @if let Some(v) = d.value {
                                span class="bar ps-bar-match" style=(bar_style(d.feature.scale(v))) {}
                                span class="value" { (d.feature.format(v)) }
                            } @else { span class="muted" { "unknown" } }
                        }
                        td class="ps-diff" {
                            @if let Some(diff) = d.difference { (signed(d.feature, diff)) } @else { "—" }
                        }
                    }
                }
            }
        }
    }
}

/// A similarity to one decimal, where a near miss never reads "100.0": the caption
/// beside it says 100 is the target exactly, and 99.96 rounded up claimed that.
fn similarity(value: f64) -> crate::decimal::Decimal {
    let shown = if value < 100.0 {
        value.min(99.9)
    } else {
        value
    };
    fixed(shown, 1)
}

fn next_matches(rest: &[TrackMatch], a: &Answer, all_versions: bool) -> Markup {
    let (details, facts, with_genres) = (a.details, a.facts, a.catalog_has_genres);
    let with_years = a.catalog_has_years;
    html! {
        section class="card ps-next" aria-labelledby="ps-next-title" {
            h2 id="ps-next-title" { @if rest.len() == 1 { "The next match" } @else { "The next " (rest.len()) " matches" } }
            p class="ps-why-note muted" {
                "\"Why this match\" lists each feature the search used: the track's value, and in brackets how far it is from your target."
            }
            div class="table-scroll" tabindex="0" role="region" aria-label="The next matches (scrolls sideways)" {
                table class="ps-next-table cards-when-narrow" {
                    thead {
                        tr {
                            th scope="col" { "#" }
                            th scope="col" { "Title" }
                            th scope="col" { "Artists" }
                            th scope="col" { "Key · BPM" }
                            @if with_years { th scope="col" { "Year" } }
                            @if with_genres { th scope="col" { "Genre" } }
                            th scope="col" class="num" { "Similarity" }
                        }
                    }
                    tbody {
                        @for (n, m) in rest.iter().enumerate() {
                            @let d = details.get(&m.track_id).map(|d| &**d);
                            @let title = title_of(d, m);
                            tr {
                                td class="num" { (n + 2) }
                                td {
                                    (title) (versions_note(m, facts, all_versions))
                                    br;
                                    a class="ps-more-like" href=(more_like_track(m.track_id)) hx-boost="true" data-focus-after=(SEEDS_TITLE_ID) {
                                        "More like this" span class="visually-hidden" { ": " (title) }
                                    }
                                    (explanation(m, &title))
                                }
                                td { (artists_of(d)) }
                                td { (dj_line(m, facts)) }
                                @if with_years { td { @if let Some(y) = m.release_year { (y) } } }
                                @if with_genres { td { @if let Some(g) = m.genre_text() { (g) } } }
                                td class="num" { (similarity(m.similarity)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A row's own explanation: for each feature that counted, this track's value and its
/// difference from the target (how to read it is said once, above the table), one per
/// line. `<details>` opens without JavaScript. Plain lines, not a table or a list, as
/// every element of a live answer is parsed, swapped, cleaned up by htmx when the next
/// answer replaces it, and laid out: nine tables were half of the answer's elements.
fn explanation(m: &TrackMatch, title: &str) -> Markup {
    // A line is at most about 40 bytes ("Instrumentalness 0.623 (+0.123)"): one
    // allocation for the lines, where growing from a guess showed in the profile.
    let mut lines = String::with_capacity(48 * m.differences.len());
    for d in m.differences.iter().filter(|d| d.enabled()) {
        if !lines.is_empty() {
            lines.push('\n');
        }
        lines.push_str(d.feature.label());
        // Name and value never apart; the difference may go to the next line where
        // the column is narrow (`.ps-why-lines`).
        lines.push('\u{a0}');
        match d.value {
            Some(v) => lines.push_str(d.feature.format(v).as_str()),
            None => lines.push_str("unknown"),
        }
        if let Some(diff) = d.difference {
            lines.push_str(" (");
            lines.push_str(signed(d.feature, diff).as_str());
            lines.push(')');
        }
    }
    html! {
        // The track's id: app.js keeps an opened one open while a live answer shows
        // the same track there (a title alone could be another artist's song).
        details class="ps-why" data-track=(m.track_id) {
            summary { "Why this match" span class="visually-hidden" { ": " (title) } }
            p class="ps-why-lines" { (lines) }
        }
    }
}

fn no_match(a: &Answer) -> Markup {
    let Some(why) = &a.outcome.empty else {
        return html! { p class="notice" { "No track matches these settings." } };
    };
    let attributes = !a.settings.filters.attributes.is_default();
    let (field, several) = match why.because {
        EmptyBecause::Filter(FilterStep::Ranges) => (
            Some(FilterStep::Ranges.field()),
            a.settings.filters.ranges.len() > 1,
        ),
        EmptyBecause::Filter(step) => (Some(step.field()), false),
        // The attribute filters sit with the ranges.
        EmptyBecause::Kept if attributes => (Some(crate::matching::keys::RANGES), true),
        EmptyBecause::Kept | EmptyBecause::EmptyCatalog => (None, false),
    };
    // "With these filters" only where filters emptied it: an empty catalog has none,
    // and seeds alone leave out only themselves (a catalog of one track, its seed).
    let heading = match why.because {
        EmptyBecause::EmptyCatalog => "No perfect song: the catalog is empty",
        EmptyBecause::Kept if !attributes => "No other track to suggest",
        _ => "No perfect song with these filters",
    };
    html! {
        (live_bar(html! { strong class="ps-live-title" { (heading) } }))
        div class="card ps-empty" {
            h2 { (heading) }
            p class="notice" role="status" { (why.message(a.settings)) }
            @if let Some(field) = field {
                @let section = if field == crate::matching::keys::RANGES { "Ranges, keys and tempo" } else { "Advanced" };
                p {
                    a href={ "#" (field_id(field)) } {
                        @if several { "Change those filters" } @else { "Change that filter" }
                    }
                    " under " (section) " to widen the search, or "
                    a href=(without_filters(a.settings)) { "search without any filter" } "."
                }
            }
        }
    }
}

/// The page with the same targets, weights and seeds, and no filter.
fn without_filters(settings: &MatchSettings) -> String {
    let mut unfiltered = settings.clone();
    unfiltered.filters = crate::matching::Filters::default();
    super::params::page_url(&unfiltered)
}

/// The results region while the settings have problems: the messages sit beside the
/// controls; this says why there is no answer.
pub fn invalid(errors: &InvalidSettings) -> Markup {
    html! {
        (live_bar(html! { strong class="ps-live-title" { "Fix the settings to see your match" } }))
        div class="card ps-invalid" {
            h2 { "Fix the settings to see your match" }
            // The alert is the wrapper: on the list itself the role hid its items' list.
            div class="form-error" role="alert" {
                ul {
                    @for e in &errors.0 {
                        li { a href={ "#" (field_id(&e.field())) } { (e.to_string()) } }
                    }
                }
            }
        }
    }
}

/// What the similarity score means, under it: the number alone said nothing of its
/// scale (`matching::outcome::similarity_of`).
fn score_meaning(metric: Metric) -> &'static str {
    match metric {
        Metric::Euclidean => "100 is your target exactly; 0, the far end of every scale you weigh.",
        Metric::Cosine => {
            "100 is the same mix of what you weigh, at any level; 0, nothing in common."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::similarity;

    #[test]
    fn only_the_target_exactly_reads_100() {
        assert_eq!(similarity(100.0).to_string(), "100.0");
        assert_eq!(similarity(99.998).to_string(), "99.9");
        assert_eq!(similarity(99.94).to_string(), "99.9");
        assert_eq!(similarity(91.46).to_string(), "91.5");
        assert_eq!(similarity(0.0).to_string(), "0.0");
    }
}
