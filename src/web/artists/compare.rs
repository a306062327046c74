//! `/artists/compare?artist=A&artist=B`: two to four artists side by side.
//!
//! The whole state lives in the query string: the name fields (blank ones included, so
//! an added empty field survives a reload), `features=all` and `view=radar`. The form's
//! "Add artist" and "Remove" buttons are submit buttons (`add=1`, `remove=N`), so they
//! work without JavaScript; with htmx the form swaps `#compare` and the server names the
//! canonical URL to push (`HX-Push-Url`), so the back button and a copied URL both work.

use std::{collections::HashMap, sync::Arc};

use maud::{html, Markup};
use poem::{handler, http::StatusCode, web::Data, IntoResponse, Request, Response};

use super::{
    params::{url, QueryPairs},
    render, with_status,
};
use crate::{
    cache::VersionedCache,
    catalog::{
        artists::{
            resolve_selection, tracks_label, ArtistSummary, FieldProblem, GenreCount,
            SelectionProblem, MAX_COMPARED, MIN_COMPARED,
        },
        snapshot::CatalogSnapshot,
        Feature,
    },
    db,
    error::{AppError, AppResult},
    state::AppState,
    web::{
        charts::{
            artists::{comparison_bars, comparison_radar},
            ProfileSeries,
        },
        layout::{chart, feature_table, format_count, PageContext},
    },
};

const REFERENCE_NAME: &str = "Catalog average";
/// How many genres the summary table lists per artist.
const TOP_GENRES: usize = 3;

/// Which features the chart and table show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeatureSet {
    /// The five features the original app compared.
    Original,
    /// All seven 0..1 features.
    All,
}

impl FeatureSet {
    fn features(self) -> &'static [Feature] {
        match self {
            FeatureSet::Original => &Feature::ORIGINAL,
            FeatureSet::All => &Feature::UNIT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Bars,
    Radar,
}

/// A comparison request after the add/remove buttons have been applied.
#[derive(Debug, Clone)]
struct CompareRequest {
    fields: Vec<String>,
    features: FeatureSet,
    view: View,
    /// The user pressed "Add artist" or "Remove": an unfinished form is expected.
    editing: bool,
    /// Any name was typed at all (otherwise this is the empty starting form).
    has_names: bool,
}

impl CompareRequest {
    fn parse(pairs: &QueryPairs) -> AppResult<CompareRequest> {
        let features = match pairs.last("features") {
            None | Some("") | Some("original") => FeatureSet::Original,
            Some("all") => FeatureSet::All,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "“{other}” is not a feature set. Use features=original (the five classic features) or features=all (all seven 0–1 features)."
                )))
            }
        };
        let view = match pairs.last("view") {
            None | Some("") | Some("bars") => View::Bars,
            Some("radar") => View::Radar,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "“{other}” is not a chart view. Use view=bars or view=radar."
                )))
            }
        };
        let mut fields = pairs.all("artist");
        let mut editing = false;
        if let Some(remove) = pairs.last("remove") {
            let position = remove
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=fields.len()).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "remove={remove} does not name an artist field; fields are numbered 1 to {}.",
                        fields.len()
                    ))
                })?;
            fields.remove(position - 1);
            editing = true;
        }
        if pairs.has("add") {
            if fields.len() < MAX_COMPARED {
                fields.push(String::new());
            }
            editing = true;
        }
        let has_names = fields.iter().any(|f| !f.trim().is_empty());
        // Blank fields beyond the maximum carry no information; named ones are kept so
        // the "too many" message can point at them.
        while fields.len() > MAX_COMPARED {
            match fields.iter().rposition(|f| f.trim().is_empty()) {
                Some(blank) => {
                    fields.remove(blank);
                }
                None => break,
            }
        }
        while fields.len() < MIN_COMPARED {
            fields.push(String::new());
        }
        Ok(CompareRequest {
            fields,
            features,
            view,
            editing,
            has_names,
        })
    }

    /// The URL of this state with the given fields: what htmx pushes to history.
    fn url_with(&self, fields: &[String], features: FeatureSet, view: View) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let all_blank = fields.iter().all(|f| f.trim().is_empty());
        if !(all_blank && fields.len() <= MIN_COMPARED) {
            pairs.extend(fields.iter().map(|f| ("artist", f.trim())));
        }
        if features == FeatureSet::All {
            pairs.push(("features", "all"));
        }
        if view == View::Radar {
            pairs.push(("view", "radar"));
        }
        url("/artists/compare", &pairs)
    }

    /// This state with one field's name replaced (a "did you mean" choice).
    fn url_replacing(&self, field: usize, name: &str) -> String {
        let mut fields = self.fields.clone();
        if let Some(slot) = fields.get_mut(field) {
            *slot = name.to_string();
        }
        self.url_with(&fields, self.features, self.view)
    }

    fn url(&self) -> String {
        self.url_with(&self.fields, self.features, self.view)
    }
}

/// An artist in a comparison, with what the artists table does not hold.
struct Compared<'a> {
    artist: &'a ArtistSummary,
    genres: Vec<GenreCount>,
}

/// How many artists' top genres the cache keeps before it starts over.
pub const GENRES_CACHE_CAPACITY: usize = 10_000;

/// Top genres read before, per catalog version (see `crate::cache`).
pub type ArtistGenresCache = VersionedCache<i32, Vec<GenreCount>>;

/// Each artist's top genres, from the cache when this catalog version read them before
/// (a popular artist's genres are a grouped scan of all their tracks).
async fn top_genres(
    state: &AppState,
    version: i64,
    ids: Vec<i32>,
) -> AppResult<HashMap<i32, Arc<Vec<GenreCount>>>> {
    let (mut genres, missing) = state.artist_genres.get_many(version, &ids);
    if !missing.is_empty() {
        let loaded = db::run(&state.pool, move |conn| {
            let mut found = db::artists::top_genres(conn, &missing, TOP_GENRES)?;
            // Artists without genres are kept too (as none), so they are not read again.
            Ok(missing
                .iter()
                .map(|id| (*id, found.remove(id).unwrap_or_default()))
                .collect::<Vec<_>>())
        })
        .await?;
        genres.extend(state.artist_genres.put_many(version, loaded));
    }
    Ok(genres)
}

#[handler]
pub async fn compare(
    ctx: PageContext,
    state: Data<&AppState>,
    req: &Request,
) -> AppResult<Response> {
    let pairs = QueryPairs::parse(req.uri().query());
    let mut request = CompareRequest::parse(&pairs)?;
    let catalog = ctx.catalog.clone();
    let (content, status) = match resolve_selection(&catalog.artists, &request.fields) {
        Ok(artists) => {
            // Show each artist under its catalog spelling from now on ("beyonce" -> "Beyoncé").
            let mut resolved = artists.iter();
            for field in request.fields.iter_mut().filter(|f| !f.trim().is_empty()) {
                if let Some(artist) = resolved.next() {
                    *field = artist.name.clone();
                }
            }
            let ids: Vec<i32> = artists.iter().map(|a| a.id).collect();
            let genres = top_genres(&state, catalog.meta.version, ids).await?;
            let compared: Vec<Compared> = artists
                .into_iter()
                .map(|artist| Compared {
                    artist,
                    genres: genres
                        .get(&artist.id)
                        .map(|g| g.as_ref().clone())
                        .unwrap_or_default(),
                })
                .collect();
            let result = comparison(&request, &catalog, &compared);
            (compare_section(&request, &[], Some(result)), StatusCode::OK)
        }
        Err(problems) => {
            let expected = !request.has_names
                || (request.editing
                    && problems
                        .iter()
                        .all(|p| matches!(p.problem, SelectionProblem::TooFew { .. })));
            if expected {
                (compare_section(&request, &[], None), StatusCode::OK)
            } else {
                let status = if problems.iter().any(|p| p.problem.is_unresolved_name()) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (compare_section(&request, &problems, None), status)
            }
        }
    };
    let named: Vec<&str> = request
        .fields
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
        .collect();
    let title = if status == StatusCode::OK && named.len() >= MIN_COMPARED {
        format!("Compare {}", named.join(", "))
    } else {
        "Compare artists".to_string()
    };
    let mut resp = with_status(render(&ctx, &title, content), status);
    if ctx.htmx.wants_fragment() {
        if let Ok(value) = request.url().parse() {
            resp.headers_mut().insert("HX-Push-Url", value);
        }
    }
    Ok(resp.into_response())
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

fn compare_section(
    request: &CompareRequest,
    problems: &[FieldProblem<'_>],
    result: Option<Markup>,
) -> Markup {
    let [(_, target), (_, swap), (_, push), (_, sync)] = swap_attrs();
    let general: Vec<&FieldProblem> = problems.iter().filter(|p| p.field.is_none()).collect();
    let field_count = request.fields.len();
    html! {
        section id="compare" class="card compare" aria-labelledby="compare-title" {
            h1 id="compare-title" { "Compare artists" }
            @for problem in &general {
                p class="form-error" role="alert" { (problem.problem.message("")) }
            }
            form id="compare-form" class="compare-form" method="get" action="/artists/compare"
                hx-get="/artists/compare" hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync="this:replace" {
                // Enter in a name field submits with the first submit button in the form;
                // this keeps that the "Compare" action rather than "Remove artist 1".
                button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true" { "Compare" }
                @if request.features == FeatureSet::All { input type="hidden" name="features" value="all"; }
                @if request.view == View::Radar { input type="hidden" name="view" value="radar"; }
                fieldset class="compare-fields" {
                    legend { "Artists (" (MIN_COMPARED) " to " (MAX_COMPARED) ")" }
                    @for (i, value) in request.fields.iter().enumerate() {
                        @let problem = problems.iter().find(|p| p.field == Some(i));
                        @let input_id = format!("compare-artist-{}", i + 1);
                        @let error_id = format!("{input_id}-error");
                        @let list_id = format!("compare-suggest-{}", i + 1);
                        div class="compare-field" {
                            label for=(input_id) { "Artist " (i + 1) }
                            div class="compare-input-row" {
                                input id=(input_id) type="text" name="artist" value=(value)
                                    autocomplete="off" spellcheck="false"
                                    aria-invalid=[problem.map(|_| "true")]
                                    aria-describedby=[problem.map(|_| error_id.as_str())]
                                    data-artist-combobox="fill" data-suggestions=(list_id)
                                    hx-get="/artists/suggest"
                                    hx-trigger="input changed delay:200ms, search"
                                    hx-target=(format!("#{list_id}"))
                                    hx-swap="innerHTML"
                                    hx-sync="this:replace"
                                    hx-push-url="false";
                                @if field_count > MIN_COMPARED {
                                    button type="submit" class="secondary button-small" name="remove" value=(i + 1)
                                        aria-label=(format!("Remove artist {}", i + 1)) { "Remove" }
                                }
                            }
                            div id=(list_id) class="artist-suggestions-popup" {}
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
                        button type="submit" class="secondary" name="add" value="1" { "Add artist" }
                    }
                }
            }
            @if let Some(result) = result {
                (result)
            } @else if problems.is_empty() {
                p class="muted compare-intro" {
                    "Type two to four artist names (capitals and accents don't matter) and press Compare. "
                    "You will see their average audio features against the catalog average."
                }
            }
        }
    }
}

/// "Did you mean" links for a field: each replaces that field's name and compares again.
fn alternatives(
    request: &CompareRequest,
    field: usize,
    problem: &SelectionProblem<'_>,
    target: &str,
    swap: &str,
    push: &str,
    sync: &str,
) -> Markup {
    let choices: &[&ArtistSummary] = match problem {
        SelectionProblem::Unknown { suggestions } => suggestions,
        SelectionProblem::Ambiguous { candidates } => candidates,
        _ => &[],
    };
    html! {
        @if !choices.is_empty() {
            ul class="did-you-mean" {
                @for artist in choices {
                    @let href = request.url_replacing(field, &artist.name);
                    li {
                        a href=(href) hx-get=(href) hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync=(sync) {
                            (artist.name)
                        }
                        " (" (tracks_label(artist.track_count.into())) ")"
                    }
                }
            }
        }
    }
}

/// The chart, its table twin, and the key figures of the compared artists.
fn comparison(
    request: &CompareRequest,
    catalog: &CatalogSnapshot,
    compared: &[Compared<'_>],
) -> Markup {
    let [(_, target), (_, swap), (_, push), (_, sync)] = swap_attrs();
    let features = request.features.features();
    let series: Vec<ProfileSeries> = compared
        .iter()
        .map(|c| ProfileSeries {
            name: &c.artist.name,
            values: features
                .iter()
                .map(|f| c.artist.value(*f).unwrap_or(0.0))
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
    let toggle = |label: &str, features: FeatureSet, view: View| {
        let href = request.url_with(&request.fields, features, view);
        let current = features == request.features && view == request.view;
        html! {
            a href=(href) class="toggle" aria-current=[current.then_some("true")]
                hx-get=(href) hx-target=(target) hx-swap=(swap) hx-push-url=(push) hx-sync=(sync) { (label) }
        }
    };
    let reference_popularity = catalog.artists.reference_popularity();
    html! {
        div class="compare-result" {
            nav class="compare-toggles" aria-label="Chart options" {
                span class="toggle-group" {
                    span class="toggle-label" { "Features:" }
                    (toggle("Original five", FeatureSet::Original, request.view))
                    (toggle("All seven", FeatureSet::All, request.view))
                }
                span class="toggle-group" {
                    span class="toggle-label" { "View:" }
                    (toggle("Bars", request.features, View::Bars))
                    (toggle("Radar", request.features, View::Radar))
                }
            }
            @for c in compared.iter().filter(|c| c.artist.rests_on_few_tracks()) {
                p class="notice few-tracks" {
                    (c.artist.name) "'s averages rest on only " (tracks_label(c.artist.track_count.into()))
                    ", so a single song moves them a lot."
                }
            }
            div class="chart-with-table" {
                (chart(
                    "compare-chart",
                    &format!("{chart_word} of the average audio features of {} against the catalog average; the same numbers are in the table.", names.join(", ")),
                    &chart_markup,
                ))
                div class="table-scroll" tabindex="0" role="region" aria-label="Table (scrolls sideways)" {
                    (feature_table("Average audio features (0 to 1)", features, &columns))
                }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label="Table (scrolls sideways)" {
                table class="compare-summary" {
                    caption { "Key figures" }
                    thead {
                        tr {
                            td {}
                            @for c in compared {
                                th scope="col" { a href=(format!("/artists/{}", c.artist.id)) { (c.artist.name) } }
                            }
                            th scope="col" { (REFERENCE_NAME) }
                        }
                    }
                    tbody {
                        tr {
                            th scope="row" { "Tracks" }
                            @for c in compared { td { (format_count(c.artist.track_count.into())) } }
                            td { (format_count(catalog.meta.track_count)) }
                        }
                        @for feature in [Feature::Tempo, Feature::Loudness, Feature::Popularity] {
                            tr {
                                th scope="row" title=(feature.help()) { "Average " (feature.label().to_lowercase()) }
                                @for c in compared { td { (format_value(feature, c.artist.value(feature))) } }
                                td {
                                    (format_value(feature, match feature {
                                        Feature::Popularity => reference_popularity,
                                        other => catalog.average.get(other),
                                    }))
                                }
                            }
                        }
                        tr {
                            th scope="row" { "Top genres" }
                            @for c in compared {
                                td {
                                    @if c.genres.is_empty() { "unknown" }
                                    @else { (genre_list(&c.genres)) }
                                }
                            }
                            td { "—" }
                        }
                        tr {
                            th scope="row" { "Released" }
                            @for c in compared { td { (c.artist.year_span()) } }
                            td { (catalog.year_span()) }
                        }
                    }
                }
            }
        }
    }
}

fn format_value(feature: Feature, value: Option<f64>) -> String {
    value
        .map(|v| feature.format(v))
        .unwrap_or_else(|| "unknown".to_string())
}

/// "pop (12), rock (3)".
fn genre_list(genres: &[GenreCount]) -> String {
    genres
        .iter()
        .map(|g| format!("{} ({})", g.genre, g.tracks))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> AppResult<CompareRequest> {
        CompareRequest::parse(&QueryPairs::parse(Some(query)))
    }

    #[test]
    fn add_and_remove_edit_the_fields_and_the_url_keeps_blanks() {
        let r = parse("artist=A&artist=B&add=1").unwrap();
        assert_eq!(r.fields, ["A", "B", ""]);
        assert!(r.editing);
        assert_eq!(r.url(), "/artists/compare?artist=A&artist=B&artist=");
        let r = parse("artist=A&artist=&artist=C&remove=2&features=all&view=radar").unwrap();
        assert_eq!(r.fields, ["A", "C"]);
        assert_eq!(
            r.url(),
            "/artists/compare?artist=A&artist=C&features=all&view=radar"
        );
        let r = parse("").unwrap();
        assert_eq!(r.fields, ["", ""]);
        assert!(!r.has_names);
        assert_eq!(r.url(), "/artists/compare");
        let r = parse("artist=A&artist=&artist=&artist=&artist=&artist=B&add=1").unwrap();
        assert_eq!(r.fields.len(), MAX_COMPARED);
    }

    #[test]
    fn bad_options_are_400s_with_a_reason() {
        for q in [
            "features=some",
            "view=pie",
            "artist=A&remove=2",
            "artist=A&remove=x",
        ] {
            match parse(q) {
                Err(AppError::BadRequest(message)) => assert!(!message.is_empty()),
                other => panic!("{q}: {other:?}"),
            }
        }
    }
}
