//! The page shell (head, navigation, footer) and components shared by every page.

use maud::{html, Markup, DOCTYPE};

use super::{assets, errors::NOTICE_TARGET, extract::PageContext};
use crate::{
    catalog::{musical_key::MusicalKey, snapshot::CatalogSnapshot, Feature},
    decimal::{counted, fixed, Decimal},
};

pub use crate::decimal::format_count;

const NAV: [(&str, &str); 4] = [
    ("/", "Home"),
    ("/artists", "Artists"),
    ("/genres", "Genres"),
    ("/perfect-song", "Perfect song"),
];

/// The full HTML document around a page's content.
pub fn page(ctx: &PageContext, title: &str, content: Markup) -> Markup {
    document(
        &Shell {
            title,
            csrf_token: &ctx.csrf_token,
            path: &ctx.path,
            account: account_nav(ctx),
            footer: catalog_footer(&ctx.catalog),
            welcome: ctx.just_signed_up,
        },
        content,
    )
}

/// What a page without a request context knows of its visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BareVisitor {
    /// No session cookie came with the request.
    Anonymous,
    /// A session cookie came, or the request could not be read far enough to tell.
    MayBeSignedIn,
}

/// The document for an answer given before the request reached the app's state (an
/// error in the outermost layers): the same shell, without the visitor's name or the
/// catalog line.
pub fn bare_page(title: &str, content: Markup, visitor: BareVisitor) -> Markup {
    let account = match visitor {
        BareVisitor::Anonymous => {
            html! { a href="/login" { "Log in" } a href="/signup" class="button-small" { "Sign up" } }
        }
        // "Log in" would tell a signed-in visitor they were signed out; the account
        // page serves both (it asks anyone not signed in to log in).
        BareVisitor::MayBeSignedIn => html! { a href="/account" { "Your account" } },
    };
    document(
        &Shell {
            title,
            csrf_token: "",
            path: "",
            account,
            footer: html! {},
            welcome: false,
        },
        content,
    )
}

/// The document's `<title>`. A fragment whose URL goes into the address bar starts with
/// it too: htmx takes a top-level `<title>` out of what it swaps in and sets it, so
/// the tab, the history entry and a bookmark name what is shown, not the first search.
pub fn document_title(title: &str) -> Markup {
    html! { title { (title) " · Spotify Insights Hub" } }
}

/// What differs between one page's shell and another's.
struct Shell<'a> {
    title: &'a str,
    csrf_token: &'a str,
    path: &'a str,
    account: Markup,
    footer: Markup,
    /// Says the account just made is ready (`PageContext::just_signed_up`).
    welcome: bool,
}

fn document(shell: &Shell, content: Markup) -> Markup {
    // The notice area's id, without the selector's '#'.
    let notices_id = NOTICE_TARGET.trim_start_matches('#');
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="csrf-token" content=(shell.csrf_token);
                // app.js loads ECharts from here, only on pages that have a chart.
                meta name="echarts-src" content=(assets::url(assets::ECHARTS));
                // Read by htmx at start-up; no inline script needed.
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false,"selfRequestsOnly":true,"historyCacheSize":0}"#;
                (document_title(shell.title))
                link rel="stylesheet" href=(assets::url("app.css"));
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                script src=(assets::url(assets::HTMX)) defer {}
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a class="skip-link" href="#main" { "Skip to content" }
                header class="site-header" {
                    nav class="container nav" aria-label="Main" {
                        a class="brand" href="/" { "Spotify Insights Hub" }
                        ul {
                            @for (href, label) in NAV {
                                li {
                                    a href=(href) aria-current=[is_current(shell.path, href).then_some("page")] { (label) }
                                }
                            }
                        }
                        div class="nav-account" id="nav-account" {
                            (shell.account)
                        }
                    }
                }
                main id="main" class="container" {
                    // Where a failed htmx request's notice lands (see `web::errors`).
                    div id=(notices_id) class="notices" aria-live="polite" {}
                    @if shell.welcome {
                        p class="notice" role="status" {
                            strong { "Your account is ready, and you are logged in. " }
                            "Find your " a href="/perfect-song" { "perfect song" }
                            " and keep its settings as taste profiles; tokens for the API are on "
                            a href="/account" { "your account page" } "."
                        }
                    }
                    (content)
                }
                footer class="site-footer" {
                    div class="container" { (shell.footer) }
                }
            }
        }
    }
}

fn is_current(path: &str, href: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The account corner of the navigation: log in / sign up, or the user and log out.
pub fn account_nav(ctx: &PageContext) -> Markup {
    html! {
        @if let Some(user) = &ctx.user {
            a href="/account" aria-current=[is_current(&ctx.path, "/account").then_some("page")] { (user.username) }
            // A data file's address (a CSV download) gets no token: its error page
            // offered a "Log out" that could only be refused. The account page has one.
            @if !ctx.csrf_token.is_empty() {
                form method="post" action="/logout" class="inline-form" {
                    input type="hidden" name="csrf_token" value=(ctx.csrf_token);
                    button type="submit" class="link-button" { "Log out" }
                }
            }
        } @else {
            a href=(login_link(ctx)) aria-current=[is_current(&ctx.path, "/login").then_some("page")] { "Log in" }
            a href=(signup_link(ctx)) class="button-small" aria-current=[is_current(&ctx.path, "/signup").then_some("page")] { "Sign up" }
        }
    }
}

/// "Log in" brings people back to the page they were on (not to the auth pages).
fn login_link(ctx: &PageContext) -> String {
    back_here("/login", ctx)
}

/// "Sign up" too: a new account landed on the home page, wherever it started.
fn signup_link(ctx: &PageContext) -> String {
    back_here("/signup", ctx)
}

/// `page`, with this page to come back to; on the log-in and sign-up pages themselves,
/// with the page they will come back to (their own `next`): going from one to the
/// other had lost it, and the comparison the visitor came from with it.
fn back_here(page: &str, ctx: &PageContext) -> String {
    let here = ctx.path.as_str();
    if here.starts_with("/login") || here.starts_with("/signup") {
        let next = ctx.location.split_once('?').and_then(|(_, query)| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == "next")
                .and_then(|(_, value)| super::auth::next::safe_next(Some(&value)))
        });
        super::auth::next::with_next(page, next.as_deref())
    } else {
        super::auth::next::with_next(page, Some(&ctx.location))
    }
}

/// Which catalog is loaded, in the footer of every page.
pub fn catalog_footer(catalog: &CatalogSnapshot) -> Markup {
    html! {
        p {
            @if catalog.is_empty() {
                // The command depends on the server's database, which the home
                // page's card names: written here without it, it pointed elsewhere.
                "No catalog loaded: import a dataset (" a href="/#import" { "how" } ")."
            } @else if catalog.is_demo() {
                strong { "Demo catalog" }
                " (invented artists and tracks, "
                (counted(catalog.meta.track_count, "track")) "). Load real data by importing a dataset ("
                a href="/#import" { "how" } ")."
            } @else {
                "Catalog: " strong { (catalog.meta.source_name) } ", "
                (counted(catalog.meta.track_count, "track")) ", imported "
                (format_date(catalog.meta.updated_at)) "."
            }
        }
    }
}

/// A long feature name with a line-break opportunity before its suffix
/// ("Instrumental<wbr>ness"), so a narrow table column can wrap it instead of
/// growing wider than a phone.
pub fn breakable_label(label: &str) -> Markup {
    let split = ["ability", "ness"]
        .iter()
        .filter(|_| label.chars().count() > 10)
        .find_map(|suffix| label.strip_suffix(suffix).map(|stem| (stem, *suffix)));
    html! {
        @if let Some((stem, suffix)) = split { (stem) wbr; (suffix) } @else { (label) }
    }
}

/// A table of feature values with CSS bars: the no-JS and accessible twin of a chart.
/// `columns` are (heading, values in the order of `features`).
pub fn feature_table(caption: &str, features: &[Feature], columns: &[(&str, Vec<f64>)]) -> Markup {
    html! {
        table class="feature-table" {
            caption { (caption) }
            thead {
                tr {
                    th scope="col" { "Feature" }
                    @for (heading, _) in columns { th scope="col" class="name-col" { (heading) } }
                }
            }
            tbody {
                @for (row, feature) in features.iter().enumerate() {
                    tr {
                        th scope="row" title=(feature.help()) { (breakable_label(feature.label())) }
                        @for (_, values) in columns {
                            @let value = values.get(row).copied().unwrap_or(f64::NAN);
                            td {
                                span class="bar" style=(bar_style(feature.scale(value))) {}
                                span class="value" { (feature.format(value)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An ECharts container: the option JSON travels in a data attribute and `app.js` draws
/// it. `label` describes the chart for screen readers, which read the table instead.
pub fn chart(id: &str, label: &str, chart: &charming::Chart) -> Markup {
    chart_over(id, label, chart, None)
}

/// A chart whose option gets one more series, drawn beneath the others, from
/// `beneath_url` (JSON of one ECharts series): for a big series that is the same on
/// every answer and so is fetched once and cached, not sent in every fragment.
pub fn chart_over(
    id: &str,
    label: &str,
    chart: &charming::Chart,
    beneath_url: Option<&str>,
) -> Markup {
    let option = serde_json::to_string(chart).unwrap_or_else(|_| "{}".to_string());
    chart_holder(id, label, ChartOption::Inline(&option), beneath_url)
}

/// A chart whose option is fetched from `options_url` (JSON: each chart's option by
/// element id) when it is drawn: a live answer's charts are drawn only once the answers
/// pause, so sending their options in every answer was work for nothing.
pub fn chart_fetched(
    id: &str,
    label: &str,
    options_url: &str,
    beneath_url: Option<&str>,
) -> Markup {
    chart_holder(id, label, ChartOption::Fetched(options_url), beneath_url)
}

/// Where `app.js` finds a chart's option.
enum ChartOption<'a> {
    /// The option's JSON, in `data-chart`.
    Inline(&'a str),
    /// A URL giving each chart's option by element id, in `data-chart-src`.
    Fetched(&'a str),
}

fn chart_holder(id: &str, label: &str, option: ChartOption, beneath_url: Option<&str>) -> Markup {
    let (inline, fetched) = match option {
        ChartOption::Inline(json) => (Some(json), None),
        ChartOption::Fetched(url) => (None, Some(url)),
    };
    html! {
        div id=(id) class="chart" data-chart=[inline] data-chart-src=[fetched]
            data-series-beneath=[beneath_url] role="img" aria-label=(label) {}
    }
}

/// The inline style that sizes a CSS bar (`span.bar`) to `fraction` (0 to 1) of its cell.
pub fn bar_style(fraction: f64) -> Decimal {
    Decimal::from("--v: ")
        .with(fixed(fraction * 100.0, 1).as_str())
        .with("%")
}

/// A track's key as a name and a Camelot code, with its tempo beside it: "C♯ minor · 12A ·
/// 128 BPM", the same wherever tracks are listed (the perfect song, an artist's tracks).
///
/// Two parts, each kept on one line (`.ps-dj-part`): where a column is narrow, the tempo
/// goes under the key rather than either splitting a word at a time.
pub fn key_and_tempo(key: Option<MusicalKey>, bpm: Option<f64>) -> Markup {
    html! {
        span class="ps-dj" {
            span class="ps-dj-part" {
                @if let Some(k) = key {
                    (k.name()) " · " abbr class="ps-camelot" title="Camelot code" { (k.camelot()) }
                } @else { "key unknown" }
            }
            // The dot stays with the key (a no-break space before it), so a wrapped
            // tempo starts its line with the number.
            @if let Some(bpm) = bpm { "\u{a0}· " span class="ps-dj-part" { (fixed(bpm, 0)) " BPM" } }
        }
    }
}

/// Unix seconds -> "2026-11-25" (UTC), without a date library.
pub fn format_date(unix: i64) -> String {
    // Civil-from-days, Howard Hinnant's algorithm.
    let days = unix.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_feature_names_may_break_before_their_suffix() {
        let text = |label: &str| breakable_label(label).into_string();
        assert_eq!(text("Instrumentalness"), "Instrumental<wbr>ness");
        assert_eq!(text("Danceability"), "Dance<wbr>ability");
        assert_eq!(text("Liveness"), "Liveness");
        assert_eq!(text("Tempo"), "Tempo");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1234567), "1,234,567");
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_764_028_800), "2025-11-25");
        assert_eq!(format_date(951_782_400), "2000-02-29");
    }
}
