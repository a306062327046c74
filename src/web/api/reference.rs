//! `/api/docs` as a page of the site that needs no JavaScript: every operation of the
//! OpenAPI document (its method and address, what it does, its parameters and its
//! answers), rendered once at start-up from the same document `/api/v1/openapi.json`
//! serves, so the two cannot disagree. Swagger UI, to try the operations, is a page of
//! its own (`docs`).

use maud::{html, Markup, PreEscaped};

use super::docs::first_sentence;
use serde_json::Value;

/// The page's content: the API's description, how to authorise, and the reference;
/// `console`: where Swagger UI is.
pub fn reference(doc: &Value, console: &str) -> Markup {
    let base = doc["servers"][0]["url"].as_str().unwrap_or("");
    let operations = operations(doc);
    html! {
        h1 { "API documentation" }
        @if let Some(description) = doc["info"]["description"].as_str() {
            (prose(description))
        }
        p {
            "Make a token on your account page ("
            a href="/account/api-tokens" { "API tokens" }
            "), then send it as " code { "Authorization: Bearer <token>" } ". "
            "The machine-readable description of everything below is "
            a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } " (OpenAPI 3)."
        }
        p {
            a href=(console) { "Try the operations in Swagger UI" }
            " (it needs JavaScript): fill in a request, send it with your token, and read the answer."
        }
        div class="api-reference" {
            nav aria-labelledby="api-operations-title" {
                h2 id="api-operations-title" { "Operations" }
                ul {
                    @for op in &operations {
                        li { a href={ "#" (op.anchor) } { code { (op.method) " " (base) (op.path) } } " " (prose_inline(op.summary_line)) }
                    }
                }
                p { "Then the " a href="#api-objects-title" { "objects" } " the answers hold, field by field." }
            }
            @for op in &operations {
                (operation(op, base))
            }
            (objects(doc))
        }
    }
}

/// One operation of the document, as the page shows it.
struct Operation<'a> {
    method: String,
    path: &'a str,
    anchor: String,
    summary_line: &'a str,
    summary: &'a str,
    description: &'a str,
    parameters: Vec<&'a Value>,
    responses: Vec<(&'a str, &'a Value)>,
}

fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, methods) in paths {
        let Some(methods) = methods.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let summary = op["summary"].as_str().unwrap_or("");
            let description = op["description"].as_str().unwrap_or("");
            let id = op["operationId"].as_str().unwrap_or(path);
            let mut responses: Vec<(&str, &Value)> = op["responses"]
                .as_object()
                .map(|r| r.iter().map(|(code, v)| (code.as_str(), v)).collect())
                .unwrap_or_default();
            // In status order: the document lists them as the code added them.
            responses.sort_by(|a, b| a.0.cmp(b.0));
            out.push(Operation {
                method: method.to_ascii_uppercase(),
                path,
                anchor: format!(
                    "op-{}",
                    id.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ),
                // The summary is plain text (`docs::plain_summaries`); the
                // description begins with the same sentence, its Markdown kept.
                summary_line: first_sentence(if description.is_empty() {
                    summary
                } else {
                    description
                }),
                summary,
                description,
                parameters: op["parameters"]
                    .as_array()
                    .map(|p| p.iter().collect())
                    .unwrap_or_default(),
                responses,
            });
        }
    }
    out
}

fn operation(op: &Operation, base: &str) -> Markup {
    let title_id = format!("{}-title", op.anchor);
    html! {
        section class="card api-operation" id=(op.anchor) aria-labelledby=(title_id) {
            h2 id=(title_id) { code { (op.method) " " (base) (op.path) } }
            @if op.description.is_empty() {
                (prose(op.summary))
            } @else {
                (prose(op.description))
            }
            @if !op.parameters.is_empty() {
                div class="table-scroll" tabindex="0" role="region" aria-label={ "Parameters of " (op.method) " " (op.path) " (scrolls sideways)" } {
                    table class="api-parameters" {
                        caption { "Parameters" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "In" } th scope="col" { "Type" } th scope="col" { "Description" } } }
                        tbody {
                            @for p in &op.parameters {
                                tr {
                                    th scope="row" {
                                        code { (p["name"].as_str().unwrap_or("")) }
                                        @if p["required"].as_bool() == Some(true) { span class="muted" { " (required)" } }
                                    }
                                    td { (p["in"].as_str().unwrap_or("")) }
                                    td { (schema_summary(&p["schema"])) }
                                    td { (prose_inline(p["description"].as_str().unwrap_or(""))) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Answers" }
            dl class="api-answers" {
                @for (code, response) in &op.responses {
                    dt { (code) }
                    dd { (answer(response)) }
                }
            }
        }
    }
}

/// "integer, 1 to 100, default 20", from a parameter's schema.
fn schema_summary(schema: &Value) -> String {
    let mut parts = vec![schema["type"].as_str().unwrap_or("string").to_string()];
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        parts.push(format!("one of {}", values.join(", ")));
    }
    match (schema.get("minimum"), schema.get("maximum")) {
        (Some(lo), Some(hi)) => parts.push(format!("{lo} to {hi}")),
        (Some(lo), None) => parts.push(format!("at least {lo}")),
        (None, Some(hi)) => parts.push(format!("at most {hi}")),
        (None, None) => {}
    }
    if let Some(default) = schema.get("default") {
        parts.push(format!("default {default}"));
    }
    parts.join(", ")
}

/// A response's description, or the object it holds when it has none (success answers).
fn answer(response: &Value) -> Markup {
    let description = response["description"].as_str().unwrap_or("");
    if !description.is_empty() {
        return prose_inline(description);
    }
    let schema = response["content"]
        .as_object()
        .and_then(|c| c.values().next())
        .map(|media| &media["schema"]);
    let name = schema
        .and_then(|s| s["$ref"].as_str())
        .and_then(|r| r.rsplit('/').next());
    match name {
        Some(name) => html! { (article(name)) " " (schema_link(name)) " object (JSON)." },
        None => html! { "JSON." },
    }
}

/// "A" or "An", as `name` is read out ("An AudioFeatures", "A Track").
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "An"
    } else {
        "A"
    }
}

/// The anchor of a schema's section.
fn schema_anchor(name: &str) -> String {
    format!(
        "schema-{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    )
}

fn schema_link(name: &str) -> Markup {
    html! { a href={ "#" (schema_anchor(name)) } { code { (name) } } }
}

/// The objects the answers hold: each schema of the document with its fields, their
/// types (a link to another object's section) and what the document says of them.
fn objects(doc: &Value) -> Markup {
    let Some(schemas) = doc["components"]["schemas"].as_object() else {
        return html! {};
    };
    html! {
        section class="api-objects" aria-labelledby="api-objects-title" {
            h2 id="api-objects-title" { "Objects" }
            p { "What the answers hold, field by field. A field that may be null says so; one the catalog cannot fill is explained beside it." }
            @for (name, schema) in schemas {
                @let anchor = schema_anchor(name);
                @let title_id = format!("{anchor}-title");
                section class="card api-operation" id=(anchor) aria-labelledby=(title_id) {
                    h3 id=(title_id) { code { (name) } }
                    @if let Some(description) = schema["description"].as_str() {
                        (prose(description))
                    }
                    @if let Some(properties) = schema["properties"].as_object() {
                        div class="table-scroll" tabindex="0" role="region" aria-label={ "Fields of " (name) " (scrolls sideways)" } {
                            table class="api-parameters" {
                                caption { "Fields" }
                                thead { tr { th scope="col" { "Field" } th scope="col" { "Type" } th scope="col" { "Description" } } }
                                tbody {
                                    @for (field, property) in properties {
                                        tr {
                                            th scope="row" { code { (field) } }
                                            td { (type_of(property)) }
                                            td { (prose_inline(property["description"].as_str().unwrap_or(""))) }
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

/// A field's type in words: "string", "array of Track", "Track or null".
fn type_of(property: &Value) -> Markup {
    if let Some(reference) = property["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return schema_link(name);
    }
    // A reference with a description of its own is written `allOf: [{$ref}, {description}]`.
    if let Some(parts) = property["allOf"].as_array() {
        if let Some(reference) = parts.iter().find(|p| p["$ref"].is_string()) {
            return type_of(reference);
        }
    }
    if let Some(choices) = property["anyOf"]
        .as_array()
        .or(property["oneOf"].as_array())
    {
        let shown: Vec<Markup> = choices
            .iter()
            .filter(|c| c["enum"] != Value::Array(vec![Value::Null]))
            .map(type_of)
            .collect();
        let nullable = shown.len() < choices.len();
        return html! {
            @for (i, choice) in shown.iter().enumerate() {
                @if i > 0 { " or " }
                (choice)
            }
            @if nullable { " or null" }
        };
    }
    let kind = property["type"].as_str().unwrap_or("any");
    let nullable = property["nullable"].as_bool() == Some(true);
    html! {
        @if kind == "array" {
            "array of " (type_of(&property["items"]))
        } @else {
            (kind)
        }
        @if nullable { " or null" }
    }
}

/// The document's Markdown, as much of it as it uses: paragraphs (blank lines),
/// `code`, and **bold**; a single line break is a space.
fn prose(text: &str) -> Markup {
    html! {
        @for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            p { (prose_inline(paragraph)) }
        }
    }
}

fn prose_inline(text: &str) -> Markup {
    let text = text.replace('\n', " ");
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&html! { code { (part) } }.into_string());
            continue;
        }
        for (j, piece) in part.split("**").enumerate() {
            let escaped = html! { (piece) }.into_string();
            if j % 2 == 1 {
                out.push_str(&format!("<strong>{escaped}</strong>"));
            } else {
                out.push_str(&escaped);
            }
        }
    }
    PreEscaped(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn markdown_the_document_uses_is_escaped_and_marked_up() {
        assert_eq!(
            prose_inline("Use `a<b>` and **not** <i>this</i>\nnext").into_string(),
            "Use <code>a&lt;b&gt;</code> and <strong>not</strong> &lt;i&gt;this&lt;/i&gt; next"
        );
        assert_eq!(
            prose("One.\n\nTwo\nlines.").into_string(),
            "<p>One.</p><p>Two lines.</p>"
        );
    }

    #[test]
    fn the_list_of_operations_gives_each_summary_s_first_sentence() {
        assert_eq!(
            first_sentence(
                "Ours: two to four artists side by side, with each\nfeature's spread. More."
            ),
            "Ours: two to four artists side by side, with each\nfeature's spread."
        );
        assert_eq!(first_sentence("One track."), "One track.");
    }

    #[test]
    fn a_parameter_schema_reads_as_a_phrase() {
        assert_eq!(
            schema_summary(
                &json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 20})
            ),
            "integer, 1 to 100, default 20"
        );
        assert_eq!(
            schema_summary(&json!({"type": "string", "enum": ["euclidean", "cosine"]})),
            "string, one of euclidean, cosine"
        );
    }
}
