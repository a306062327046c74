//! What a comparison page shows: the form with its fields, the "did you mean" links
//! for names that did not resolve, and the comparison itself (chart, its table twin,
//! and each group's key figures). The same for artists and genres.

use maud::{html, Markup};

use super::params::{CompareRequest, FeatureSet, View};
use crate::{
    catalog::{
        artists::{tracks_label, year_span},
        compare::{Comparable, FieldProblem, SelectionProblem, MAX_COMPARED, MIN_COMPARED},
        snapshot::CatalogSnapshot,
        AudioFeatures, Feature,
    },
    web::{
        charts::{
            artists::{comparison_bars, comparison_radar},
            ProfileSeries,
        },
        csv_export::download_link,
        layout::{chart, feature_table, format_count},
    },
};

pub const REFERENCE_NAME: &str = "Catalog average";

/// A group of tracks in a comparison: what the chart, the table and the key figures
/// show of it.
pub struct Compared<'a> {
    pub name: &'a str,
    /// Its id (the artist's, the genre's), for the CSV.
    pub id: i64,
    /// Its own page.
    pub href: String,
    pub track_count: i64,
    pub average: AudioFeatures,
    pub avg_popularity: Option<f64>,
    /// Its averages rest on few tracks (a notice says so).
    pub few_tracks: bool,
    /// What the `tags_label` row of the key figures lists ("pop" with 12 tracks).
    pub tags: Vec<(String, i64)>,
    pub min_year: Option<i32>,
    pub max_year: Option<i32>,
}

impl Compared<'_> {
    pub fn value(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::Popularity => self.avg_popularity,
            other => self.average.get(other),
        }
    }
}

/// htmx attributes of every control that changes the comparison.
fn swap_attrs() -> [(&'static str, &'static str); 4] {
    [
        ("hx-target", "#compare"),
        ("hx-swap", "outerHTML"),
        ("hx-push-url", "true"),
        ("hx-sync", "#compare-form:replace"),
    ]
}

/// The comparison section: heading, form, and the result (or the problems, or how to
/// start). `extra` goes inside the form (a `<datalist>` of names, for instance).
pub fn compare_section<T: Comparable>(
    request: &CompareRequest,
    problems: &[FieldProblem<'_, T>],
    result: Option<Markup>,
    extra: Option<Markup>,
) -> Markup {
    let kind = request.kind;
    let noun = kind.noun;
    let [(_, target), (_, swap), (_, push), (_, sync)] = swap_attrs();
    let general: Vec<&FieldProblem<T>> = problems.iter().filter(|p| p.field.is_none()).collect();
    let field_count = request.fields.len();
    // After "Add", the keyboard goes to the new field (the last empty one, as
    // artists.js picks after a swap), with or without JavaScript.
    let focused = request
        .adding
        .then(|| request.fields.iter().rposition(|f| f.trim().is_empty()))
        .flatten();
    // Where the keyboard goes after a swap that took away the focused control (the
    // Compare button, a "did you mean" link; app.js, `data-refocus`): the message about
    // the whole selection, or else the first field with a problem; the comparison's
    // heading when there is none (see `comparison`).
    let refocus_field = if general.is_empty() {
        problems.iter().filter_map(|p| p.field).min()
    } else {
        None
    };
    html! {
        section id="compare" class="card compare" aria-labelledby="compare-title" {
            h1 id="compare-title" { "Compare " (noun) "s" }
            @for (n, problem) in general.iter().enumerate() {
                p class="form-error" role="alert" tabindex=[(n == 0).then_some("-1")] data-refocus[n == 0] {
                    (problem.problem.message(""))
                }
            }
            form id="compare-form" class="compare-form" method="get" action=(kind.path)
                hx-get=(kind.path) hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync="this:replace" {
                // Enter in a name field submits with the first submit button in the form;
                // this keeps that the "Compare" action rather than "Remove artist 1".
                @if let Some(extra) = extra { (extra) }
                button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true" { "Compare" }
                @if request.features == FeatureSet::All { input type="hidden" name="features" value="all"; }
                @if request.view == View::Radar { input type="hidden" name="view" value="radar"; }
                fieldset class="compare-fields" {
                    legend { (kind.title_noun) "s (" (MIN_COMPARED) " to " (MAX_COMPARED) ")" }
                    @for (i, value) in request.fields.iter().enumerate() {
                        @let problem = problems.iter().find(|p| p.field == Some(i));
                        @let input_id = format!("compare-{noun}-{}", i + 1);
                        @let error_id = format!("{input_id}-error");
                        @let list_id = format!("compare-suggest-{}", i + 1);
                        div class="compare-field" {
                            label for=(input_id) { (kind.title_noun) " " (i + 1) }
                            div class="compare-input-row" {
                                @if let Some(suggest) = kind.suggest {
                                    input id=(input_id) type="text" name=(noun) value=(value)
                                        autocomplete="off" spellcheck="false"
                                        autofocus[focused == Some(i)]
                                        data-refocus[refocus_field == Some(i)]
                                        aria-invalid=[problem.map(|_| "true")]
                                        aria-describedby=[problem.map(|_| error_id.as_str())]
                                        data-artist-combobox="fill" data-suggestions=(list_id)
                                        hx-get=(suggest)
                                        hx-trigger="input changed delay:200ms, search"
                                        hx-target=(format!("#{list_id}"))
                                        hx-swap="innerHTML"
                                        hx-sync="this:replace"
                                        hx-push-url="false";
                                } @else {
                                    input id=(input_id) type="text" name=(noun) value=(value)
                                        autocomplete="off" spellcheck="false" list=[kind.datalist]
                                        autofocus[focused == Some(i)]
                                        data-refocus[refocus_field == Some(i)]
                                        aria-invalid=[problem.map(|_| "true")]
                                        aria-describedby=[problem.map(|_| error_id.as_str())];
                                }
                                @if field_count > MIN_COMPARED {
                                    button type="submit" class="secondary button-small" name="remove" value=(i + 1)
                                        aria-label=(format!("Remove {noun} {}", i + 1)) { "Remove" }
                                }
                            }
                            @if kind.suggest.is_some() {
                                div id=(list_id) class="artist-suggestions-popup" {}
                            }
                            @if let Some(problem) = problem {
                                div class="field-error" id=(error_id) {
                                    p { (problem.problem.message(value.trim())) }
                                    (alternatives(request, i, &problem.problem, target, swap, push, sync))
                                }
                            }
                        }
                    }
                }
                div class="compare-actions" {
                    button type="submit" { "Compare" }
                    @if field_count < MAX_COMPARED {
                        button type="submit" class="secondary" name="add" value="1" { "Add " (noun) }
                    }
                }
            }
            @if let Some(result) = result {
                (result)
            } @else if problems.is_empty() {
                p class="muted compare-intro" {
                    "Type two to four " (noun) " names (capitals and accents don't matter) and press Compare. "
                    "You will see their average audio features against the catalog average."
                }
            }
        }
    }
}

/// "Did you mean" links for a field: each replaces that field's name and compares again.
fn alternatives<T: Comparable>(
    request: &CompareRequest,
    field: usize,
    problem: &SelectionProblem<'_, T>,
    target: &str,
    swap: &str,
    push: &str,
    sync: &str,
) -> Markup {
    let choices = problem.choices();
    html! {
        @if !choices.is_empty() {
            ul class="did-you-mean" {
                @for choice in choices {
                    @let href = request.url_replacing(field, choice.compare_name());
                    li {
                        a href=(href) hx-get=(href) hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync=(sync) {
                            (choice.compare_name())
                        }
                        " (" (tracks_label(choice.compare_tracks())) ")"
                    }
                }
            }
        }
    }
}

/// The chart, its table twin, and the key figures of the compared groups.
pub fn comparison(
    request: &CompareRequest,
    catalog: &CatalogSnapshot,
    compared: &[Compared<'_>],
) -> Markup {
    let [(_, target), (_, swap), (_, push), (_, sync)] = swap_attrs();
    let features = request.features.features();
    let series: Vec<ProfileSeries> = compared
        .iter()
        .map(|c| ProfileSeries {
            name: c.name,
            values: features
                .iter()
                .map(|f| c.value(*f).unwrap_or(0.0))
                .collect(),
        })
        .collect();
    let reference = ProfileSeries {
        name: REFERENCE_NAME,
        values: features
            .iter()
            .map(|f| catalog.average.get(*f).unwrap_or(0.0))
            .collect(),
    };
    let mut columns: Vec<(&str, Vec<f64>)> =
        series.iter().map(|s| (s.name, s.values.clone())).collect();
    columns.push((REFERENCE_NAME, reference.values.clone()));
    let names: Vec<&str> = series.iter().map(|s| s.name).collect();
    let (chart_markup, chart_word) = match request.view {
        View::Bars => (comparison_bars(features, &series, &reference), "Bar chart"),
        View::Radar => (
            comparison_radar(features, &series, &reference),
            "Radar chart",
        ),
    };
    let toggle = |label: &str, features: FeatureSet, view: View, title: Option<String>| {
        let href = request.url_with(&request.fields, features, view);
        let current = features == request.features && view == request.view;
        html! {
            // The id brings keyboard focus back to this toggle in the new answer (htmx
            // refocuses the element with the focused one's id after a swap).
            a href=(href) class="toggle" id={ "compare-toggle-" (label.to_lowercase().replace(' ', "-")) }
                aria-current=[current.then_some("true")] title=[title]
                hx-get=(href) hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync=(sync) { (label) }
        }
    };
    let reference_popularity = catalog.artists.reference_popularity();
    html! {
        div class="compare-result" {
            // The keyboard comes here after the Compare button's swap (app.js,
            // `data-refocus`), instead of falling to the top of the page.
            h2 id="compare-result-title" class="compare-result-title" tabindex="-1" data-refocus {
                (joined(&names)) " against the catalog average"
            }
            nav class="compare-toggles" aria-label="Chart options" {
                span class="toggle-group" {
                    span class="toggle-label" { "Features:" }
                    // Named by what they hold, said in full below: "5 of 9" and "7 of
                    // 9" named the features only in a tooltip, and no choice showed 9.
                    (toggle("Main 5", FeatureSet::Original, request.view, Some(feature_names(FeatureSet::Original))))
                    (toggle("All 7", FeatureSet::All, request.view, Some(feature_names(FeatureSet::All))))
                }
                // Only the chart changes with the view: hidden where no chart draws.
                span class="toggle-group chart-only" {
                    span class="toggle-label" { "View:" }
                    (toggle("Bars", request.features, View::Bars, None))
                    (toggle("Radar", request.features, View::Radar, None))
                }
            }
            p class="muted compare-sets" {
                "Main 5: " (feature_names(FeatureSet::Original).to_lowercase()) ". All 7 adds "
                (extra_feature_names().to_lowercase())
                ". Tempo and loudness are not on a 0–1 scale, so they are in the table only."
            }
            @for (a, b) in same_profiles(compared, features) {
                p class="notice same-profile" {
                    bdi { (a) } " and " bdi { (b) } " have the same averages on these features "
                    "(to three decimals), so on the radar one's shape lies exactly on the other's."
                }
            }
            @for c in compared.iter().filter(|c| c.few_tracks) {
                p class="notice few-tracks" {
                    bdi { (c.name) } "'s averages rest on only " (tracks_label(c.track_count))
                    ", so a single song moves them a lot."
                }
            }
            div class="chart-with-table" {
                (chart(
                    "compare-chart",
                    &format!("{chart_word} of the average audio features of {} against the catalog average; the same numbers are in the table.", names.join(", ")),
                    &chart_markup,
                ))
                div class="table-scroll" tabindex="0" role="region" aria-label="Average audio features (scrolls sideways)" {
                    (feature_table("Average audio features (0 to 1)", features, &columns))
                }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label="Key figures (scrolls sideways)" {
                table class="compare-summary" {
                    caption { "Key figures" }
                    thead {
                        tr {
                            td {}
                            @for c in compared {
                                th scope="col" class="name-col" { a href=(c.href) { (c.name) } }
                            }
                            th scope="col" { (REFERENCE_NAME) }
                        }
                    }
                    tbody {
                        tr {
                            th scope="row" { "Tracks" }
                            @for c in compared { td { (format_count(c.track_count)) } }
                            td { (format_count(catalog.meta.track_count)) }
                        }
                        @for feature in [Feature::Tempo, Feature::Loudness, Feature::Popularity] {
                            tr {
                                th scope="row" title=(feature.help()) {
                                    "Average " (feature.label().to_lowercase())
                                    // Tempo and loudness carry their units in each cell.
                                    @if feature == Feature::Popularity { " (0–100)" }
                                }
                                @for c in compared { td { (format_value(feature, c.value(feature))) } }
                                td {
                                    (format_value(feature, match feature {
                                        Feature::Popularity => reference_popularity,
                                        other => catalog.average.get(other),
                                    }))
                                }
                            }
                        }
                        tr {
                            th scope="row" { (request.kind.tags_label) }
                            @for c in compared {
                                td {
                                    @if c.tags.is_empty() { "unknown" }
                                    @else if request.kind.tags_are_genres {
                                        @for (i, (name, n)) in c.tags.iter().enumerate() {
                                            @if i > 0 { ", " }
                                            a href=(crate::web::genres::genre_path(name)) { (name) } " (" (n) ")"
                                        }
                                    }
                                    @else { (counted_list(c.tags.iter().map(|(name, n)| (name.as_str(), *n)))) }
                                }
                            }
                            td { "—" }
                        }
                        // A row of "unknown" on a catalog without dates says nothing.
                        @if catalog.meta.has_years() {
                            tr {
                                th scope="row" { "Released" }
                                @for c in compared { td { (year_span(c.min_year, c.max_year)) } }
                                td { (catalog.year_span()) }
                            }
                        }
                    }
                }
            }
            (download_link(&request.url().replacen(request.kind.path, &format!("{}.csv", request.kind.path), 1), "this comparison"))
        }
    }
}

/// "A", "A and B", "A, B and C".
/// "A, B and C", each name isolated (`<bdi>`): two right-to-left names side by side
/// had run together into one right-to-left run, the comma between them moved and the
/// names' order reversed on screen.
fn joined(names: &[&str]) -> Markup {
    html! {
        @for (n, name) in names.iter().enumerate() {
            @if n > 0 { @if n + 1 == names.len() { " and " } @else { ", " } }
            bdi { (name) }
        }
    }
}

fn format_value(feature: Feature, value: Option<f64>) -> String {
    value
        .map(|v| feature.format(v).to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// "pop (12), rock (3)".
pub fn counted_list<'a>(items: impl IntoIterator<Item = (&'a str, i64)>) -> String {
    items
        .into_iter()
        .map(|(name, n)| format!("{name} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pairs of compared groups whose averages on `features` are the same as the page
/// shows them (to three decimals): the radar draws one over the other, and the second
/// looked missing (the same artist under two spellings, a duo and its member).
fn same_profiles<'a>(compared: &[Compared<'a>], features: &[Feature]) -> Vec<(&'a str, &'a str)> {
    let shown = |c: &Compared<'_>| -> Vec<Option<i64>> {
        features
            .iter()
            .map(|f| c.value(*f).map(|v| (v * 1000.0).round() as i64))
            .collect()
    };
    let mut pairs = Vec::new();
    for (i, a) in compared.iter().enumerate() {
        for b in &compared[i + 1..] {
            if shown(a) == shown(b) {
                pairs.push((a.name, b.name));
            }
        }
    }
    pairs
}

/// The features "All 7" adds to "Main 5", named.
fn extra_feature_names() -> String {
    let main = FeatureSet::Original.features();
    let names: Vec<&str> = FeatureSet::All
        .features()
        .iter()
        .filter(|f| !main.contains(f))
        .map(|f| f.label())
        .collect();
    names.join(" and ")
}

/// The features a set holds, named ("Danceability, Energy, …"): what "Main 5" means.
fn feature_names(set: FeatureSet) -> String {
    let names: Vec<&str> = set.features().iter().map(|f| f.label()).collect();
    names.join(", ")
}
