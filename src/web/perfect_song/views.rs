//! The page and its settings form. The form is a plain POST form ("Find my song" saves
//! the settings and comes back with the answer, no JavaScript needed) that htmx
//! upgrades: every change sends a GET for the results fragment (`hx-sync` replaces a
//! request still in flight, so the answer always belongs to the latest slider
//! position) and keeps the address bar on the shareable URL.

use maud::{html, Markup};

use super::params::{self, FormState, PAGE, PROFILE_NAME};
use crate::{
    catalog::{
        musical_key::{pitch_name, MusicalKey},
        snapshot::CatalogSnapshot,
        Feature,
    },
    matching::{
        attributes::Attribute,
        settings::{keys, MAX_RESULTS, MAX_WEIGHT, YEARS},
        Metric,
    },
    web::{auth::csrf, extract::PageContext},
};

pub const FORM_ID: &str = "ps-form";
/// "Matching…" while a live answer is on its way.
const INDICATOR_ID: &str = "ps-matching";
/// The form that puts every setting back to the start (see `reset_form`).
pub const RESET_FORM_ID: &str = "ps-reset-form";
pub const RESULTS_ID: &str = "ps-results";
/// The line a screen reader hears once live answers pause (filled by app.js).
pub const ANSWER_STATUS_ID: &str = "ps-answer-status";
pub const SAVE_CURRENT: &str = "/perfect-song/current";
const SAVE_CURRENT_ID: &str = "ps-save-current";
/// Weight sliders move in half steps: finer than that makes no audible difference.
const WEIGHT_STEP: f64 = 0.5;

/// The id of a field's control ("ps-energy"), or of an element beside it
/// ("ps-energy-error"), written straight into the markup: the form holds a few hundred
/// of them, and a string made for each was a tenth of the page's rendering time.
#[derive(Clone, Copy)]
pub struct FieldId<'a> {
    field: &'a str,
    suffix: &'static str,
}

impl FieldId<'_> {
    /// The id of an element beside the control: `-value`, `-help`, `-hint`.
    fn with(self, suffix: &'static str) -> Self {
        FieldId { suffix, ..self }
    }
}

impl maud::Render for FieldId<'_> {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str("ps-");
        self.field.render_to(buffer);
        buffer.push_str(self.suffix);
    }
}

pub fn field_id(field: &str) -> FieldId<'_> {
    FieldId { field, suffix: "" }
}

fn error_id(field: &str) -> FieldId<'_> {
    field_id(field).with("-error")
}

/// Every field that can carry a message, for the out-of-band updates of a fragment.
/// Listed once: every page asks whether a range is in use.
fn message_fields() -> &'static [String] {
    static FIELDS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(list_fields);
    &FIELDS
}

fn list_fields() -> Vec<String> {
    let mut fields: Vec<String> = Feature::ALL
        .iter()
        .map(|&f| keys::target(f).to_string())
        .collect();
    fields.extend(Feature::ALL.iter().map(|&f| keys::weight(f).to_string()));
    fields.extend(
        [
            keys::WEIGHTS,
            keys::METRIC,
            keys::GENRE,
            keys::YEAR_FROM,
            keys::YEAR_TO,
            keys::MIN_POPULARITY,
            keys::NO_EXPLICIT,
            keys::PER_ARTIST,
            keys::K,
            keys::MODE,
            keys::MIXES_WITH,
            keys::HALF_DOUBLE,
        ]
        .map(String::from),
    );
    for name in Feature::ALL
        .iter()
        .filter(|f| **f != Feature::Popularity)
        .map(|f| f.key())
        .chain(Attribute::ALL.iter().map(|a| a.key()))
    {
        fields.push(keys::min(name));
        fields.push(keys::max(name));
    }
    fields
}

/// The message slot beside a control: always present (empty when all is well), so a
/// live answer can fill it out of band and `aria-describedby` always points somewhere.
fn message(form: &FormState, field: &str) -> Markup {
    html! {
        p class="field-error" id=(error_id(field)) { @if let Some(m) = form.error(field) { (m) } }
    }
}

/// The slots that have a message, for htmx to swap in place beside their controls
/// while the results region gets the answer. Slots without one are not sent: app.js
/// empties the form's slots before every answer is swapped in (`htmx:beforeSwap`), so
/// a message fixed since the last answer goes away. Sending all fifty empty slots made
/// up a sixth of every answer, and each one was a separate swap in the browser.
pub fn messages_out_of_band(form: &FormState) -> Markup {
    let with_message: Vec<(&String, String)> = match &form.errors {
        None => Vec::new(),
        Some(_) => message_fields()
            .iter()
            .filter_map(|field| form.error(field).map(|m| (field, m)))
            .collect(),
    };
    html! {
        @for (field, message) in &with_message {
            p class="field-error" id=(error_id(field)) hx-swap-oob="true" { (message) }
        }
    }
}

/// The whole page: the form, the results region, the profiles panel.
pub fn page(
    ctx: &PageContext,
    form: &FormState,
    has_time_signatures: bool,
    seeds: Markup,
    results: Markup,
    profiles: Markup,
    notice: Option<&str>,
) -> Markup {
    html! {
        section class="hero ps-hero" {
            h1 { "Find your perfect song" }
            p class="lead" {
                "Describe the sound you are after and get the closest track in the catalog, "
                "with how close it is on every feature."
            }
            // app.js takes `profile_done` out of the address once this is shown, so a
            // reload does not say it again.
            @if let Some(notice) = notice {
                p class="notice" role="status" data-said-once { (notice) }
            }
        }
        (seeds)
        div class="ps-layout" {
            (settings_form(ctx, form, has_time_signatures))
            // Not a live region: every slider step rewrote dozens of its texts, each
            // read out. app.js says the answer in one line in `ANSWER_STATUS_ID` once the
            // answers pause; without JavaScript each answer is a page load.
            p id=(ANSWER_STATUS_ID) class="visually-hidden" role="status" {}
            section id=(RESULTS_ID) class="ps-results" aria-label="Your match" {
                (results)
            }
        }
        (profiles)
    }
}

fn settings_form(ctx: &PageContext, form: &FormState, has_time_signatures: bool) -> Markup {
    let catalog = &ctx.catalog;
    // A catalog whose file has no popularity (the Kaggle 1.2M layout) offers no
    // popularity controls: each could only leave every track out.
    let has_popularity = catalog.features.has_popularity();
    let more: Vec<Feature> = Feature::ALL
        .into_iter()
        .filter(|f| !Feature::ORIGINAL.contains(f))
        .filter(|f| *f != Feature::Popularity || has_popularity)
        .collect();
    let advanced_has_error = form.has_errors()
        && (message_fields().iter().any(|f| {
            !Feature::ALL.iter().any(|&g| keys::target(g) == *f) && form.error(f).is_some()
        }));
    let more_has_error = more.iter().any(|&f| form.error(keys::target(f)).is_some());
    let more_in_use = more
        .iter()
        .any(|&f| form.number(keys::weight(f)).unwrap_or(0.0) > 0.0);
    html! {
        // `novalidate`: the server checks every value and answers beside the field; the
        // browser's own check would refuse an in-range value off the step grid.
        form id=(FORM_ID) class="card ps-form" method="post" action=(PAGE) novalidate
            // Back without JavaScript must show fields that match the answer beside
            // them. Both halves are needed (a browser test, `back_without_javascript_…`):
            // `Cache-Control: no-store` on the page (`Pipeline::respond`) keeps it out of
            // the back-forward cache, which brought it back exactly as it was left, with
            // values typed after it answered; and `autocomplete="off"` stops the
            // browser writing those typed values over the fields of the page the server
            // then sends. The browser has nothing useful to autofill here anyway.
            autocomplete="off"
            // The token is for the no-JS POST; it must not end up in a shareable URL,
            // and neither must the profile name (its field belongs to this form for
            // "Save profile", see `profile_views::panel`).
            // `live-input` comes from assets/app.js: one request at a time while a
            // control moves, and one more with the latest values when it returns.
            hx-get=(PAGE) hx-params={ "not " (csrf::FIELD) "," (PROFILE_NAME) } hx-trigger="live-input, submit"
            // Its answers carry only the message slots that have a message (app.js
            // empties the others first).
            data-live data-oob-messages
            // Live answers are written over the one on screen (app.js, `live-morph`).
            hx-ext="live-morph"
            // No snapshot of the page in localStorage before each answer replaces the
            // address: htmx cloned and serialised the whole page for it (tens of ms
            // while dragging), and the page holds the user's own settings. Back and
            // forward ask the server again instead.
            hx-history="false"
            // While a request is out only the indicator gets htmx's class: on the form
            // it restyled all of the form's elements twice per answer.
            hx-indicator={ "#" (INDICATOR_ID) }
            // The address follows the answers (app.js, `data-live`), not `hx-replace-url`:
            // htmx would replace it on every answer of a drag.
            hx-target={ "#" (RESULTS_ID) } hx-sync="this:replace" {
            input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
            @for (key, value) in params::pairs_of(&params::seed_query(&form.seeds)) {
                input type="hidden" name=(key) value=(value);
            }
            @if let Some(errors) = &form.errors {
                div class="form-error" role="alert" {
                    p { strong { "Some settings need fixing:" } }
                    ul { @for e in &errors.0 { li { a href={ "#" (field_id(&e.field())) } { (e.to_string()) } } } }
                }
            }
            fieldset class="ps-sliders" {
                legend { "The sound you want" }
                @for feature in Feature::ORIGINAL { (target_slider(form, feature)) }
            }
            details class="ps-more" open[more_has_error || more_in_use] {
                summary { "More features" }
                p class="hint" {
                    "These count once they have a weight above 0 (under Advanced). "
                    "Their sliders start at the catalog's average."
                    @if !has_popularity {
                        " This catalog has no popularity (its file gives none), so there is no popularity slider."
                    }
                }
                div class="ps-sliders" {
                    @for feature in &more { (target_slider(form, *feature)) }
                }
            }
            (result_options(form))
            details class="ps-ranges" id=(field_id(keys::RANGES)) open[ranges_in_use(form)] {
                summary { "Ranges, keys and tempo for DJs" }
                (ranges(form))
                (track_attributes(form, has_time_signatures))
            }
            details class="ps-advanced" open[advanced_has_error] {
                summary { "Advanced" }
                (weights(form, has_popularity))
                (metric(form))
                (filters(form, catalog))
            }
            // Only the main button stays in sight: the bar is one row even on a phone,
            // so it covers as little of the sliders (or of the form's heading, when the
            // form starts near the bottom of the window) as it can. Resetting every
            // setting is rarer, and not a tap to make by accident while scrolling: it
            // comes after the form, with the note.
            div class="ps-actions" {
                button type="submit" { "Find my song" }
                span id=(INDICATOR_ID) class="htmx-indicator muted" aria-hidden="true" { span class="spinner" {} " Matching…" }
            }
            div class="ps-after-actions" {
                button type="submit" class="secondary" form=(RESET_FORM_ID) { "Reset to defaults" }
                p class="hint ps-kept" {
                    "Your latest settings are kept: they open here on your next visit (without JavaScript, once you press “Find my song”). "
                    "To keep several, save them as " a href="#ps-profiles-title" { "taste profiles" } "."
                }
            }
        }
        (reset_form(ctx))
        // Saves the settings as the account's current ones, well after the last change:
        // the live GET stays read-only and fast; this POST runs once per pause. Settings
        // that are not valid are not saved, quietly (the answer already says what to
        // fix beside the field); a notice it raised for anything else (the server down)
        // goes once a later save works (app.js, `data-clears-own-notice`).
        // Sent at once if the page goes away before then (app.js, `data-save-current`),
        // and when a seed link opened the page (`ps-save`).
        div hidden id=(SAVE_CURRENT_ID) data-save-current data-clears-own-notice hx-post=(SAVE_CURRENT) hx-include={ "#" (FORM_ID) } hx-swap="none"
            hx-trigger={ "input delay:1500ms from:#" (FORM_ID) ", submit from:#" (FORM_ID) ", ps-save" } {}
    }
}

/// "Reset to defaults": a plain POST of the starting settings (the original five at the
/// middle, the others at the catalog average, switched off), which, like "Find my song",
/// makes them the kept settings and opens their URL. Its button sits in the settings
/// form (`form=` attribute); forms cannot nest.
fn reset_form(ctx: &PageContext) -> Markup {
    let defaults = params::starting(&ctx.catalog);
    html! {
        // `data-sets-current`: sending it makes the page's unsaved slider change moot
        // (app.js: the beacon sent as the page went away had saved the old settings
        // over the defaults just kept).
        form id=(RESET_FORM_ID) method="post" action=(PAGE) hidden data-sets-current {
            input type="hidden" name=(csrf::FIELD) value=(ctx.csrf_token);
            @for (key, value) in defaults.to_pairs() {
                input type="hidden" name=(key) value=(value);
            }
        }
    }
}

/// Decimals that show every step of a slider.
fn decimals(step: f64) -> usize {
    let mut d = 0;
    while d < 4
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-9
    {
        d += 1;
    }
    d
}

fn shown(form: &FormState, key: &str, step: f64, unit: Option<&str>) -> String {
    let text = match form.number(key) {
        Some(v) => format!("{v:.*}", decimals(step)),
        None => form.value(key).to_string(),
    };
    match unit {
        Some(unit) => format!("{text} {unit}"),
        None => text,
    }
}

struct Slider<'a> {
    key: &'a str,
    label: &'a str,
    /// The weight field that switches this feature on, for its "(off)" mark.
    weight_key: Option<&'a str>,
    /// Whether the feature is switched off (weight 0) as the page is rendered.
    off: bool,
    help: Option<&'a str>,
    min: f64,
    max: f64,
    step: f64,
    unit: Option<&'a str>,
    /// Words before the label that only a screen reader says: a weight's slider was
    /// named as its target's ("Danceability" twice).
    hidden_prefix: Option<&'a str>,
}

fn slider(form: &FormState, s: &Slider) -> Markup {
    let id = field_id(s.key);
    let output = id.with("-value");
    let help = id.with("-help");
    let error = form.error(s.key);
    html! {
        div class={ "ps-slider field" @if error.is_some() { " has-error" } } {
            div class="ps-slider-head" {
                label for=(id) {
                    @if let Some(prefix) = s.hidden_prefix { span class="visually-hidden" { (prefix) } }
                    (s.label)
                    // Follows the weight as it moves (app.js).
                    @if let Some(weight) = s.weight_key {
                        span class="ps-off-tag" data-off-until=(weight) hidden[!s.off] { " (off)" }
                    }
                }
                // Shown, not read: the slider says its value (app.js sets its
                // aria-valuetext, unit included), and an output is a live region of its
                // own, so every step was said twice.
                output id=(output) for=(id) aria-hidden="true" { (shown(form, s.key, s.step, s.unit)) }
            }
            // A number field, so that without JavaScript the value can always be read
            // and typed; app.js turns it into a slider with its value beside it.
            input type="number" data-slider id=(id) name=(s.key) min=(s.min) max=(s.max) step=(s.step)
                value=(form.value(s.key)) data-output=(output) data-unit=[s.unit]
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby={ @if s.help.is_some() { (help) " " } (error_id(s.key)) };
            @if let Some(text) = s.help { p class="field-hint" id=(help) { (text) } }
            (message(form, s.key))
        }
    }
}

fn target_slider(form: &FormState, feature: Feature) -> Markup {
    let (min, max) = feature.range();
    let key = keys::target(feature);
    let weight_key = keys::weight(feature);
    let off = form.number(weight_key).unwrap_or(0.0) <= 0.0;
    slider(
        form,
        &Slider {
            key,
            label: feature.label(),
            weight_key: Some(weight_key),
            off,
            help: Some(feature.help()),
            min,
            max,
            step: feature.step(),
            unit: feature.unit(),
            hidden_prefix: None,
        },
    )
}

fn weights(form: &FormState, has_popularity: bool) -> Markup {
    html! {
        fieldset class="ps-weights" id=(field_id(keys::WEIGHTS)) aria-describedby=(error_id(keys::WEIGHTS)) {
            legend { "How much each feature counts" }
            p class="hint" { "0 switches a feature off; 2 counts twice as much as 1." }
            (message(form, keys::WEIGHTS))
            div class="ps-sliders ps-compact" {
                @for feature in Feature::ALL.into_iter().filter(|f| *f != Feature::Popularity || has_popularity) {
                    @let key = keys::weight(feature);
                    (slider(form, &Slider {
                        key, label: feature.label(), weight_key: None, off: false,
                        help: None, min: 0.0, max: MAX_WEIGHT, step: WEIGHT_STEP, unit: None,
                        hidden_prefix: Some("Weight of "),
                    }))
                }
            }
        }
    }
}

fn metric(form: &FormState) -> Markup {
    let current = Metric::parse(form.value(keys::METRIC));
    let options = [
        (
            Metric::Euclidean,
            "Closest values",
            "How far apart the values are (the default).",
        ),
        (
            Metric::Cosine,
            "Same mix",
            "The same proportions between features, whatever the overall level.",
        ),
    ];
    html! {
        fieldset class="ps-metric" id=(field_id(keys::METRIC)) aria-describedby=(error_id(keys::METRIC)) {
            legend { "Similarity" }
            @for (metric, label, hint) in options {
                label class="ps-choice" {
                    input type="radio" name=(keys::METRIC) value=(metric.key())
                        checked[current == Some(metric) || (current.is_none() && metric == Metric::default())];
                    " " (label) span class="muted" { " — " (hint) }
                }
            }
            (message(form, keys::METRIC))
        }
    }
}

fn number_field(
    form: &FormState,
    key: &str,
    label: &str,
    min: i64,
    max: i64,
    placeholder: Option<String>,
) -> Markup {
    let id = field_id(key);
    let error = form.error(key);
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(id) { (label) }
            input type="number" id=(id) name=(key) min=(min) max=(max) step="1" inputmode="numeric"
                value=(form.value(key)) placeholder=[placeholder]
                aria-invalid=[error.as_ref().map(|_| "true")] aria-describedby=(error_id(key));
            (message(form, key))
        }
    }
}

/// The release-year fields switched off, saying why: no track of the catalog has a
/// date, so a year could only leave every one out (`pipeline::years_missing`).
fn no_years(form: &FormState) -> Markup {
    let hint_id = field_id(keys::YEAR_FROM).with("-hint");
    html! {
        @for (key, label) in [(keys::YEAR_FROM, "Released from"), (keys::YEAR_TO, "Released up to")] {
            @let error = form.error(key);
            div class={ "field" @if error.is_some() { " has-error" } } {
                label class="ps-disabled" for=(field_id(key)) { (label) }
                input type="number" id=(field_id(key)) name=(key) disabled
                    aria-describedby={ (hint_id) " " (error_id(key)) };
                (message(form, key))
            }
        }
        p class="field-hint" id=(hint_id) {
            "Not available: no track in this catalog has a release date (its source does "
            "not say), so there is no year to choose by."
        }
    }
}

fn filters(form: &FormState, catalog: &CatalogSnapshot) -> Markup {
    let genres = catalog.features.genres();
    // A genre as the address spells it (`R&B`, `r-n-b`) is the catalog's, ticked: also
    // on a page refused for another setting, where the settings were not read.
    // Each named genre looked up once: a look-up reads every genre's name, and this
    // list is drawn once per genre.
    let (chosen, unknown): (Vec<_>, Vec<_>) = form
        .genres
        .iter()
        .map(|g| (g, catalog.features.genre_named(g)))
        .partition(|(_, named)| named.is_some());
    let chosen: Vec<&str> = chosen.into_iter().filter_map(|(_, named)| named).collect();
    let unknown: Vec<&String> = unknown.into_iter().map(|(g, _)| g).collect();
    let picked = |g: &str| chosen.contains(&g);
    // A genre seed keeps the answer to its genre (`matching::seeds`, the API's rule):
    // its box is ticked and cannot be unticked here, with why. It had looked
    // untickable, and the answer had stayed in the genre with every box empty.
    let seeded: Vec<&str> = form
        .seeds
        .genres
        .iter()
        .filter_map(|g| catalog.features.genre_named(g))
        .collect();
    let held = |g: &str| seeded.contains(&g);
    let seeded_hint = field_id(keys::GENRE).with("-seeded");
    let year = |y: Option<i32>| y.map(|y| y.to_string());
    html! {
        fieldset class="ps-filters" {
            legend { "Filters" }
            // A catalog without genres offers no genre filter (the list was empty), unless
            // an address named some, which are shown to be unticked.
            @if !genres.is_empty() || !unknown.is_empty() {
            fieldset class="ps-genres" id=(field_id(keys::GENRE)) aria-describedby=(error_id(keys::GENRE)) {
                legend { "Genres " span class="muted" { "(none ticked: every genre)" } }
                div class="ps-genre-list" {
                    @for genre in &genres {
                        @if held(genre) {
                            label class="ps-choice ps-disabled" {
                                input type="checkbox" value=(genre) checked disabled aria-describedby=(seeded_hint);
                                " " (genre) " " span class="muted" { "(genre seed)" }
                            }
                        } @else {
                            label class="ps-choice" {
                                input type="checkbox" name=(keys::GENRE) value=(genre) checked[picked(genre)];
                                " " (genre)
                            }
                        }
                    }
                    @for genre in unknown {
                        label class="ps-choice" {
                            input type="checkbox" name=(keys::GENRE) value=(genre) checked aria-invalid="true";
                            " " (genre)
                        }
                    }
                }
                @if !seeded.is_empty() {
                    p class="field-hint" id=(seeded_hint) {
                        "A genre seed keeps the answer to its genre: remove the seed to lift it."
                    }
                }
                (message(form, keys::GENRE))
            }
            }
            div class="ps-filter-grid" {
                @if catalog.meta.has_years() {
                    (number_field(form, keys::YEAR_FROM, "Released from", i64::from(*YEARS.start()), i64::from(*YEARS.end()), year(catalog.meta.min_year)))
                    (number_field(form, keys::YEAR_TO, "Released up to", i64::from(*YEARS.start()), i64::from(*YEARS.end()), year(catalog.meta.max_year)))
                } @else {
                    (no_years(form))
                }
                @if catalog.features.has_popularity() {
                    (number_field(form, keys::MIN_POPULARITY, "Minimum popularity (0–100)", 0, 100, None))
                }
                (number_field(form, keys::PER_ARTIST, "At most this many tracks per artist", 1, MAX_RESULTS as i64, None))
            }
            div class="field" {
                @if catalog.features.has_explicit() {
                    label class="ps-choice" for=(field_id(keys::NO_EXPLICIT)) {
                        input type="checkbox" id=(field_id(keys::NO_EXPLICIT)) name=(keys::NO_EXPLICIT)
                            checked[form.checked(keys::NO_EXPLICIT)] aria-describedby=(error_id(keys::NO_EXPLICIT));
                        " No explicit tracks"
                    }
                } @else {
                    // A filter that could change nothing is shown switched off, with why.
                    @let hint_id = field_id(keys::NO_EXPLICIT).with("-hint");
                    label class="ps-choice ps-disabled" for=(field_id(keys::NO_EXPLICIT)) {
                        input type="checkbox" id=(field_id(keys::NO_EXPLICIT)) name=(keys::NO_EXPLICIT)
                            disabled aria-describedby={ (hint_id) " " (error_id(keys::NO_EXPLICIT)) };
                        " No explicit tracks"
                    }
                    p class="field-hint" id=(hint_id) {
                        "Not available: no track in this catalog is marked explicit (its source "
                        "does not say), so there is nothing to leave out."
                    }
                }
                (message(form, keys::NO_EXPLICIT))
            }
        }
    }
}

/// The result counts offered.
const COUNTS: [usize; 4] = [10, 25, 50, 100];

/// How many results, and whether every version of a song is shown.
fn result_options(form: &FormState) -> Markup {
    let k = form.value(keys::K);
    let id = field_id(keys::K);
    let versions_id = field_id(keys::VERSIONS);
    html! {
        div class="ps-result-options" {
            div class={ "field" @if form.error(keys::K).is_some() { " has-error" } } {
                label for=(id) { "Results" }
                select id=(id) name=(keys::K) aria-describedby=(error_id(keys::K)) {
                    @for n in COUNTS {
                        option value=(n) selected[k == n.to_string()] { (n) }
                    }
                    @if !COUNTS.iter().any(|n| n.to_string() == k) {
                        option value=(k) selected { (k) }
                    }
                }
                (message(form, keys::K))
            }
            div class="field" {
                label class="ps-choice" for=(versions_id) {
                    input type="checkbox" id=(versions_id) name=(keys::VERSIONS) value="all"
                        checked[form.value(keys::VERSIONS).eq_ignore_ascii_case("all")];
                    " Show every version of a song"
                }
                p class="field-hint" {
                    "Off: one version per song (remasters, live and deluxe versions by the same "
                    "artists count as one), the closest."
                }
            }
        }
    }
}

fn ranges_in_use(form: &FormState) -> bool {
    message_fields()
        .iter()
        .filter(|f| {
            keys::range_of(f).is_some()
                || [keys::MODE, keys::MIXES_WITH, keys::HALF_DOUBLE].contains(&f.as_str())
        })
        .any(|f| !form.value(f).is_empty() || form.error(f).is_some())
}

/// The values a range's fields take, and the part of them its slider's handles span
/// (the placeholders name the handles' ends).
struct RangeSpan {
    accepted: (f64, f64),
    handles: (f64, f64),
    step: f64,
}

/// A minimum and a maximum, as two labelled number fields (app.js adds a two-handle
/// slider over them).
fn range_pair(form: &FormState, name: &str, label: &str, span: RangeSpan) -> Markup {
    let (lo, hi) = (keys::min(name), keys::max(name));
    let error = form.error(&lo).or_else(|| form.error(&hi));
    let RangeSpan {
        accepted: (min, max),
        handles: (first, last),
        step,
    } = span;
    html! {
        fieldset class={ "ps-range field" @if error.is_some() { " has-error" } } data-range=(name)
            data-min=(first) data-max=(last) data-step=(step) {
            legend { (label) }
            div class="ps-range-fields" {
                label for=(field_id(&lo)) { "From" }
                input type="number" id=(field_id(&lo)) name=(lo) min=(min) max=(max) step=(step)
                    value=(form.value(&lo)) placeholder=(first) aria-describedby=(error_id(&lo))
                    aria-invalid=[form.error(&lo).map(|_| "true")];
                label for=(field_id(&hi)) { "to" }
                input type="number" id=(field_id(&hi)) name=(hi) min=(min) max=(max) step=(step)
                    value=(form.value(&hi)) placeholder=(last) aria-describedby=(error_id(&hi))
                    aria-invalid=[form.error(&hi).map(|_| "true")];
            }
            (message(form, &lo))
            (message(form, &hi))
        }
    }
}

/// The key range as two lists of key names (DESIGN §5: a key is shown by its name). The
/// address still carries Spotify's pitch-class numbers, 0 = C to 11 = B, as the API takes
/// them; "Any" leaves that side open. Twelve named choices need no slider.
fn key_range(form: &FormState) -> Markup {
    let name = Attribute::Key.key();
    let (lo, hi) = (keys::min(name), keys::max(name));
    let error = form.error(&lo).or_else(|| form.error(&hi));
    let side = |field: &str, open: &str| {
        let chosen = form.value(field).trim().parse::<i64>().ok();
        html! {
            select id=(field_id(field)) name=(field) aria-describedby=(error_id(field))
                aria-invalid=[form.error(field).map(|_| "true")] {
                option value="" selected[chosen.is_none()] { (open) }
                @for pitch in 0..12 {
                    @if let Some(pitch_name) = pitch_name(pitch) {
                        option value=(pitch) selected[chosen == Some(pitch)] { (pitch_name) }
                    }
                }
            }
        }
    };
    html! {
        fieldset class={ "ps-range field" @if error.is_some() { " has-error" } } {
            legend { "Key" }
            div class="ps-range-fields" {
                label for=(field_id(&lo)) { "From" }
                (side(&lo, "Any"))
                label for=(field_id(&hi)) { "to" }
                (side(&hi, "Any"))
            }
            (message(form, &lo))
            (message(form, &hi))
        }
    }
}

/// Why the time-signature range is off (the field's hint, and the refusal of a bound
/// that an address brings all the same).
pub const NO_TIME_SIGNATURES: &str = "Not available: this catalog's tracks have no time signature (its source does not give one), so this range could only leave every track out.";

/// A range whose fields are switched off (disabled fields are not sent), with why.
fn unavailable_range(form: &FormState, name: &str, label: &str, why: &str) -> Markup {
    let (lo, hi) = (keys::min(name), keys::max(name));
    let hint = field_id(name).with("-hint");
    html! {
        fieldset class="ps-range field ps-disabled" disabled aria-describedby=(hint) {
            legend { (label) }
            div class="ps-range-fields" {
                label for=(field_id(&lo)) { "From" }
                input type="number" id=(field_id(&lo)) name=(lo);
                label for=(field_id(&hi)) { "to" }
                input type="number" id=(field_id(&hi)) name=(hi);
            }
            p class="field-hint" id=(hint) { (why) }
            (message(form, &lo))
            (message(form, &hi))
        }
    }
}

/// Min/max beside each feature's target: tracks outside are left out, the target
/// still ranks what is inside.
fn ranges(form: &FormState) -> Markup {
    html! {
        fieldset class="ps-feature-ranges" {
            legend { "Only tracks within these ranges" }
            p class="hint" {
                "Leave a side empty for no limit. The targets above still rank what is inside: "
                "tempo from 120 to 128 BPM with energy as close to 0.8 as possible is one query."
            }
            div class="ps-range-grid" {
                @for feature in Feature::ALL.into_iter().filter(|f| *f != Feature::Popularity) {
                    @let (min, max) = feature.range();
                    @let label = match feature.unit() {
                        Some(unit) => format!("{} ({unit})", feature.label()),
                        None => feature.label().to_string(),
                    };
                    @let span = RangeSpan { accepted: (min, max), handles: (min, max), step: feature.step() };
                    (range_pair(form, feature.key(), &label, span))
                }
            }
        }
    }
}

/// Duration, key, mode, time signature, mixing keys and half/double tempo: checked on
/// each track's facts, not ranked.
fn track_attributes(form: &FormState, has_time_signatures: bool) -> Markup {
    let mode = form.value(keys::MODE).to_ascii_lowercase();
    let mixes = MusicalKey::parse_camelot(form.value(keys::MIXES_WITH));
    let mode_id = field_id(keys::MODE);
    let mixes_id = field_id(keys::MIXES_WITH);
    let mixes_hint = mixes_id.with("-hint");
    let half_id = field_id(keys::HALF_DOUBLE);
    html! {
        fieldset class="ps-attributes" {
            legend { "Key, mode, time signature and length" }
            div class="ps-range-grid" {
                @for a in Attribute::ALL {
                    @let (min, max) = a.range();
                    @let (first, last) = a.slider_range();
                    @if a == Attribute::Key {
                        (key_range(form))
                    } @else if a == Attribute::TimeSignature && !has_time_signatures {
                        // A filter that could change nothing but emptying the answer is
                        // shown switched off, with why (as "No explicit tracks" is).
                        (unavailable_range(form, a.key(), a.label(), NO_TIME_SIGNATURES))
                    } @else {
                        @let span = RangeSpan {
                            accepted: (min as f64, max as f64),
                            handles: (first as f64, last as f64),
                            step: 1.0,
                        };
                        (range_pair(form, a.key(), a.label(), span))
                    }
                }
            }
            div class="ps-filter-grid" {
                div class="field" {
                    label for=(mode_id) { "Mode" }
                    select id=(mode_id) name=(keys::MODE) aria-describedby=(error_id(keys::MODE)) {
                        option value="" selected[mode.is_empty()] { "Major or minor" }
                        option value="major" selected[mode == "major"] { "Major only" }
                        option value="minor" selected[mode == "minor"] { "Minor only" }
                    }
                    (message(form, keys::MODE))
                }
                div class="field" {
                    label for=(mixes_id) { "Mixes with (Camelot wheel)" }
                    select id=(mixes_id) name=(keys::MIXES_WITH) aria-describedby={ (mixes_hint) " " (error_id(keys::MIXES_WITH)) } {
                        option value="" selected[mixes.is_none()] { "Any key" }
                        @for k in MusicalKey::wheel() {
                            option value=(k.camelot()) selected[mixes == Some(k)] { (k.camelot()) " — " (k.name()) }
                        }
                    }
                    p class="field-hint" id=(mixes_hint) {
                        "The same key, one step either way on the wheel, or its relative major or minor."
                    }
                    (message(form, keys::MIXES_WITH))
                }
            }
            div class="field" {
                label class="ps-choice" for=(half_id) {
                    input type="checkbox" id=(half_id) name=(keys::HALF_DOUBLE)
                        checked[form.checked(keys::HALF_DOUBLE)] aria-describedby=(error_id(keys::HALF_DOUBLE));
                    " Count half and double time in the tempo range"
                }
                p class="field-hint" { "A 70 BPM track then fits a 140 BPM set." }
                (message(form, keys::HALF_DOUBLE))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals(0.01), 2);
        assert_eq!(decimals(0.5), 1);
        assert_eq!(decimals(1.0), 0);
    }
}
