//! The OpenAPI document and the interactive docs page.
//!
//! The document is poem-openapi's, generated from the handlers, with what the code
//! cannot declare added once at start-up: the bearer security scheme, and the
//! recommendations' parameters (three per tunable attribute and a weight per feature,
//! generated from `Feature::ALL`).
//!
//! `/api/docs` is a page of the site, the reference (`reference`), which needs no
//! JavaScript. From it, `/api/docs/try` is Swagger UI as poem-openapi embeds it, to try
//! the operations: a tool of its own, since it needs JavaScript and axe finds serious
//! faults in it (nested controls, an unnamed select, its badges' contrast) that the
//! reference does not have. It is served as files of our own (page, stylesheet, script,
//! the script that mounts it) instead of poem-openapi's page with inline script and
//! style, so the app's content security policy (no inline scripts) holds there too.
//! Nothing comes from a CDN.

use std::sync::Arc;

use bytes::Bytes;
use maud::PreEscaped;
use poem::{
    endpoint::make_sync,
    http::{header, StatusCode},
    web::Html,
    Body, Endpoint, IntoResponse, Response,
};
use serde_json::{json, Value};

use super::{
    albums::{DEFAULT_TRACKS_LIMIT, MAX_TRACKS_LIMIT, MAX_TRACKS_OFFSET},
    recommendations::Attribute,
    reference,
    search::{DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, MAX_SEARCH_OFFSET},
};
use crate::{
    catalog::Feature,
    matching::settings::YEARS,
    web::{
        extract::PageContext,
        layout::{bare_page, BareVisitor},
    },
};

/// The recommendations' query parameters, for the document.
pub fn recommendation_parameters() -> Vec<Value> {
    let q = |name: String, description: String, schema: Value| {
        json!({ "name": name, "in": "query", "required": false,
                "description": description, "schema": schema })
    };
    let mut out = vec![
        q("seed_tracks".into(), "Comma-separated track ids. Seeds of all kinds together: at most 5. Seed tracks are never recommended, nor any other version of their songs (a remaster, a live take).".into(), json!({"type": "string"})),
        q("seed_artists".into(), "Comma-separated artist ids. Each seed track and seed artist (its average) weighs the same in the target.".into(), json!({"type": "string"})),
        q("seed_genres".into(), "Comma-separated genres (see /recommendations/available-genre-seeds). Results come from these genres; alone, they aim at the genres' average.".into(), json!({"type": "string"})),
        q("limit".into(), "Tracks to return, 1 to 100.".into(), json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20})),
        q("market".into(), "An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and then ignored: the catalog has no markets.".into(), json!({"type": "string"})),
        q("metric".into(), "Ours: euclidean (default) or cosine.".into(), json!({"type": "string", "enum": ["euclidean", "cosine"]})),
        q("max_per_artist".into(), "Ours: at most this many tracks by the same main artist.".into(), json!({"type": "integer", "minimum": 1, "maximum": 100})),
        q("min_year".into(), "Ours: earliest release year (inclusive), 1000 to 3000.".into(), json!({"type": "integer", "minimum": *YEARS.start(), "maximum": *YEARS.end()})),
        q("max_year".into(), "Ours: latest release year (inclusive), 1000 to 3000.".into(), json!({"type": "integer", "minimum": *YEARS.start(), "maximum": *YEARS.end()})),
    ];
    for feature in Feature::ALL {
        // What the server takes (any value the catalog can hold), not the sliders' range.
        let (lo, hi) = feature.accepted_range();
        let key = feature.key();
        out.push(q(format!("target_{key}"), format!("Target {key} ({lo} to {hi}); replaces the seeds' value and switches the feature on."), json!({"type": "number", "minimum": lo, "maximum": hi})));
        out.push(q(
            format!("min_{key}"),
            format!("Lowest {key} of a result (inclusive), {lo} to {hi}."),
            json!({"type": "number", "minimum": lo, "maximum": hi}),
        ));
        out.push(q(
            format!("max_{key}"),
            format!("Highest {key} of a result (inclusive), {lo} to {hi}."),
            json!({"type": "number", "minimum": lo, "maximum": hi}),
        ));
        out.push(q(format!("weight_{key}"), format!("Ours: weight of {key} in the distance, 0 (off) to 10. Default: 1 for the nine audio features when there are seeds, and for every targeted feature; otherwise 0."), json!({"type": "number", "minimum": 0, "maximum": 10})));
    }
    for a in Attribute::ALL {
        let (lo, hi) = a.range();
        let key = a.key();
        let target = match a {
            Attribute::DurationMs => {
                "Prefer tracks within 10% of this duration (a bound, not a distance)."
            }
            _ => "Prefer exactly this value (a bound: the attribute is categorical).",
        };
        let target = match a {
            Attribute::TimeSignature => format!(
                "{target} Refused (400) on a catalog without time signatures, where it could match nothing."
            ),
            _ => target.to_string(),
        };
        for (prefix, text) in [
            ("target", target.as_str()),
            ("min", "Lowest value (inclusive)."),
            ("max", "Highest value (inclusive)."),
        ] {
            out.push(q(
                format!("{prefix}_{key}"),
                format!("{key}: {text}"),
                json!({"type": "integer", "minimum": lo, "maximum": hi}),
            ));
        }
    }
    out
}

/// Each operation's `summary` as the plain one-line title OpenAPI means it to be: its
/// first sentence, without Markdown's backticks. poem-openapi makes it of the doc
/// comment's whole first paragraph, which Swagger UI showed with its backticks and
/// line breaks; that text goes to the front of `description`, which is Markdown.
fn plain_summaries(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|methods| methods.values_mut())
    {
        let Some(full) = op
            .get("summary")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let short: String = first_sentence(&full)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('`', "");
        // Every description then begins with the whole first paragraph, so a reader of
        // the description alone (our reference page) misses nothing.
        let description = match op.get("description").and_then(Value::as_str) {
            Some(more) if !more.is_empty() => format!("{full}\n\n{more}"),
            _ => full,
        };
        op["summary"] = Value::String(short);
        op["description"] = Value::String(description);
    }
}

/// The first sentence of a paragraph (to its first full stop before a space or a line
/// break), or all of it.
pub(crate) fn first_sentence(text: &str) -> &str {
    match text.find(". ").or_else(|| text.find(".\n")) {
        Some(at) => &text[..=at],
        None => text,
    }
}

/// Adds to poem-openapi's document what the code cannot declare.
pub fn finish_spec(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_string();
    };
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer",
                    "description": "A personal API token from your account page." }
    });
    doc["security"] = json!([{ "bearer": [] }]);
    if let Some(op) = doc
        .get_mut("paths")
        .and_then(|p| p.get_mut("/recommendations"))
        .and_then(|p| p.get_mut("get"))
    {
        op["parameters"] = Value::Array(recommendation_parameters());
    }
    plain_summaries(&mut doc);
    nullable_list_items(&mut doc);
    paging_bounds(
        &mut doc,
        "/search",
        (0, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT),
        MAX_SEARCH_OFFSET,
    );
    paging_bounds(
        &mut doc,
        "/albums/{id}/tracks",
        (1, MAX_TRACKS_LIMIT, DEFAULT_TRACKS_LIMIT),
        MAX_TRACKS_OFFSET,
    );
    market_everywhere(&mut doc);
    doc["components"]["schemas"]["Error"] = error_schema();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(responses) = item
                .get_mut("get")
                .and_then(|op| op.get_mut("responses"))
                .and_then(Value::as_object_mut)
            {
                for (status, response) in error_responses(path) {
                    responses.insert(status.to_string(), response);
                }
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_string())
}

/// The `limit` (lowest, highest, default) and `offset` bounds of the paged operation
/// at `path`, which its handler checks itself (`WholeNumber` takes `5.0` as 5, so
/// poem-openapi sees only an integer of any size).
fn paging_bounds(doc: &mut Value, path: &str, (lo, hi, default): (u32, u32, u32), max_offset: u32) {
    let Some(parameters) = doc
        .get_mut("paths")
        .and_then(|p| p.get_mut(path))
        .and_then(|p| p.get_mut("get"))
        .and_then(|op| op.get_mut("parameters"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for parameter in parameters {
        let schema = match parameter["name"].as_str() {
            Some("limit") => json!({"type": "integer", "minimum": lo,
                "maximum": hi, "default": default}),
            Some("offset") => json!({"type": "integer", "minimum": 0,
                "maximum": max_offset, "default": 0}),
            _ => continue,
        };
        parameter["schema"] = schema;
    }
}

/// The lists whose entries are null for an id the catalog does not have. poem-openapi 5
/// marks a field nullable (`#[oai(nullable)]`, see `objects`), but not a list's items,
/// so they are marked here. In OpenAPI 3.0 `nullable` is ignored beside a `$ref`, and
/// beside an `allOf` around one validators still check a null against the object
/// (openapi-core refused `/tracks?ids=known,unknown`), so an entry is `anyOf` the
/// object or a null of its own (`nullable` needs a `type` beside it, and `enum: [null]`
/// keeps that branch from taking any object).
fn nullable_list_items(doc: &mut Value) {
    for (schema, field) in [
        ("TrackList", "tracks"),
        ("ArtistList", "artists"),
        ("AudioFeaturesList", "audio_features"),
        ("AlbumList", "albums"),
    ] {
        let items = &mut doc["components"]["schemas"][schema]["properties"][field]["items"];
        if !items.is_null() {
            *items = json!({ "anyOf": [
                items.take(),
                { "type": "object", "nullable": true, "enum": [null] }
            ] });
        }
    }
}

/// `market`, on every operation that does not declare it: the guard checks it on each
/// (400 for a code that is not one) and then ignores it, as Spotify's `/tracks` and
/// `/artists/{id}/top-tracks` take it. Undeclared, a generated client could not send it.
fn market_everywhere(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for op in paths.values_mut().filter_map(|item| item.get_mut("get")) {
        let params = op
            .as_object_mut()
            .map(|op| op.entry("parameters").or_insert_with(|| json!([])));
        let Some(params) = params.and_then(Value::as_array_mut) else {
            continue;
        };
        if !params.iter().any(|p| p["name"] == "market") {
            params.push(json!({
                "name": "market", "in": "query", "required": false,
                "description": "An ISO 3166-1 alpha-2 country code or from_token, checked (400 otherwise) and then ignored: the catalog has no markets.",
                "schema": { "type": "string" }
            }));
        }
    }
}

/// Spotify's error object: `{"error": {"status": 400, "message": "..."}}`.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Every error, whatever its status.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": { "type": "integer", "description": "The HTTP status." },
                    "message": { "type": "string", "description": "What went wrong, for a person." }
                }
            }
        }
    })
}

/// The error responses an operation at `path` can give: every one answers 400 (a bad
/// or repeated parameter), 401 (no valid token) and 429 (the rate limit); those that
/// look up an id or seed answer 404 for one the catalog does not have.
fn error_responses(path: &str) -> Vec<(u16, Value)> {
    let response = |description: &str| {
        json!({
            "description": description,
            "content": { super::error::JSON_CONTENT_TYPE: {
                "schema": { "$ref": "#/components/schemas/Error" } } }
        })
    };
    let mut unauthorized = response(
        "No token, or one that is unknown or revoked (unless anonymous reads are allowed).",
    );
    unauthorized["headers"] = json!({ "WWW-Authenticate": {
        "description": "Bearer realm=\"api\", with error=\"invalid_token\" for a token that is unknown or revoked and error=\"invalid_request\" for a header that is not Bearer (RFC 6750)",
        "schema": { "type": "string" } } });
    let mut too_many = response(
        "Over the rate limit: requests a minute per token, or per client address without one (600 unless the operator set --api-rate-limit), counted by each server.",
    );
    too_many["headers"] = json!({ "Retry-After": {
        "description": "Seconds to wait.", "schema": { "type": "integer" } } });
    let mut unavailable =
        response("The database is busy or out of reach for a moment: try again after Retry-After.");
    unavailable["headers"] = json!({ "Retry-After": {
        "description": "Seconds to wait.", "schema": { "type": "integer" } } });
    let mut out = vec![
        (
            413,
            response("The request carries a body larger than 64 KiB (these operations read none)."),
        ),
        (
            414,
            response("The address is longer than 8 KiB: fewer ids or a shorter query."),
        ),
        (503, unavailable),
        (
            400,
            response("A parameter is missing, given twice, or has a value the operation does not take; or an id is malformed."),
        ),
        (401, unauthorized),
        (429, too_many),
    ];
    if path.contains("{id}") || path == "/artists/compare" || path == "/recommendations" {
        out.push((404, response("An id or seed the catalog does not have.")));
    }
    out
}

/// The text between `open` and the next `close` in `html`.
fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    html.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(inside, _)| inside)
        .unwrap_or("")
}

/// The reference page's title.
const TITLE: &str = "API documentation";

/// Where Swagger UI is: `/api/docs/try`.
pub const CONSOLE_PATH: &str = "/api/docs/try";

/// Swagger UI's page, with the way back to the reference: a `main` with a heading of
/// its own, in Swagger UI's type (its classes), and light in a dark scheme too, as
/// Swagger UI draws itself (the page's own text had been black serif on whatever the
/// browser chose).
const CONSOLE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Try the API · Spotify Insights Hub</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<main class="swagger-ui">
<div class="wrapper">
<p><a href="/api/docs">&larr; API documentation</a></p>
<h1 class="title">Try the API</h1>
</div>
<div id="ui"><div class="wrapper"><p>Trying the operations here needs JavaScript. <a href="/api/docs">The API documentation</a> describes each of them without it, and the OpenAPI document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></div></div>
</main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;

/// The token typed into "Authorize" lasts as long as the page: kept (`persistAuthorization`)
/// it stayed in the browser's localStorage after logging out, on a shared computer too.
const INIT: &str = "SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', deepLinking: true, persistAuthorization: false });\n";

fn file(body: impl Into<Body>, content_type: &'static str) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(body)
}

/// `/api/docs` and its files, from poem-openapi's embedded Swagger UI page (split into
/// files, because the CSP allows no inline script or style).
pub struct Docs {
    // Shared bytes: the script is 1.4 MB, and each response was a copy of it.
    css: Bytes,
    js: Bytes,
    /// The reference page's content (`reference`).
    content: Arc<str>,
}

impl Docs {
    /// `openapi_document`: the document `/api/v1/openapi.json` serves.
    pub fn new(swagger_html: &str, openapi_document: &str) -> Docs {
        let document = serde_json::from_str::<Value>(openapi_document).unwrap_or(Value::Null);
        Docs {
            content: Arc::from(reference::reference(&document, CONSOLE_PATH).into_string()),
            css: Bytes::copy_from_slice(
                between(swagger_html, "<style charset=\"UTF-8\">", "</style>").as_bytes(),
            ),
            js: Bytes::copy_from_slice(
                between(swagger_html, "<script charset=\"UTF-8\">", "</script>").as_bytes(),
            ),
        }
    }

    /// A page of the site, behind the session layer (`web::mod`) like the others, so its
    /// header and footer are theirs: the visitor's name and "Log out", or "Log in" that
    /// comes back here.
    pub fn page(&self) -> impl Endpoint<Output = Response> {
        let content = self.content.clone();
        make_sync(move |req| {
            let content = PreEscaped(content.to_string());
            match PageContext::from_parts(&req) {
                Some(ctx) => Html(ctx.render(TITLE, content).into_string()).into_response(),
                None => Html(bare_page(TITLE, content, BareVisitor::MayBeSignedIn).into_string())
                    .into_response(),
            }
        })
    }

    pub fn console(&self) -> impl Endpoint<Output = Response> {
        make_sync(|_| Html(CONSOLE).into_response())
    }

    pub fn css(&self) -> impl Endpoint<Output = Response> {
        let css = self.css.clone();
        make_sync(move |_| file(css.clone(), "text/css; charset=utf-8"))
    }

    pub fn js(&self) -> impl Endpoint<Output = Response> {
        let js = self.js.clone();
        make_sync(move |_| file(js.clone(), "text/javascript; charset=utf-8"))
    }

    pub fn init(&self) -> impl Endpoint<Output = Response> {
        make_sync(|_| file(INIT, "text/javascript; charset=utf-8"))
    }
}
