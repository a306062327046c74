//! Checks DESIGN.md §2's rule on the source itself: each layer names only the layers
//! below it (or itself), so that `db/` can be read, tested and changed without the
//! domain, and the domain without HTTP. Every path in code (comments and string
//! literals aside) that starts at `crate`, `$crate` or a chain of `super`, including
//! each item of a `use crate::{…}` group, is resolved to the top-level module it names;
//! one that points up fails the test with the file and the line.
//!
//! A lexer of our own rather than `syn`: the rule needs only paths, and `syn` with its
//! visitor would be one more crate to build for one test.

use std::path::{Path, PathBuf};

/// The layers from the bottom up. lib.rs and the binary's own modules (main.rs and the
/// files it declares) are above them all.
const LAYERS: &[&[&str]] = &[
    // Leaves: plain values and helpers with no I/O of the app's own.
    &[
        "allocator",
        "binary",
        "config",
        "decimal",
        "error",
        "listing",
        "memory",
        "model",
        "proptest_regressions",
        "quoted",
        "repeated_failure",
        "test_log",
        "typed_name",
        "whole_number",
    ],
    &["db"],
    &["catalog", "matching", "accounts"],
    &["cache"],
    &["web"],
    // This test, which names every layer in its own test.
    &["layering"],
];

/// The layer of a top-level module of the library; `None` for one not listed.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `$crate`, as macros write `crate`.
    Crate,
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

/// The file's tokens with their line numbers; comments, string and character literals
/// dropped (a lifetime is not a character literal).
fn tokens(text: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(chars[i] == '\n');
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, 0, true, &mut line),
            'r' | 'b' | 'c' if raw_string_start(&chars, i).is_some() => {
                let (body, hashes, escapes) = raw_string_start(&chars, i).unwrap_or((i, 0, true));
                i = skip_string(&chars, body, hashes, escapes, &mut line);
            }
            '\'' => {
                // 'x', '\n', '\u{1f600}' are literals; 'a in `&'a str` is a lifetime.
                if at(i + 1) == '\\' {
                    // The quote, the backslash and the escaped character, then up to
                    // the closing quote ('\u{1f600}').
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                    while at(i).is_alphanumeric() || at(i) == '_' {
                        i += 1;
                    }
                }
                out.push((line, Token::Other));
            }
            '$' if chars[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) => {
                out.push((line, Token::Crate));
                i += 6;
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push((line, Token::Ident(word)));
            }
            ':' if at(i + 1) == ':' => {
                out.push((line, Token::PathSep));
                i += 2;
            }
            '{' => {
                out.push((line, Token::Open));
                i += 1;
            }
            '}' => {
                out.push((line, Token::Close));
                i += 1;
            }
            ',' => {
                out.push((line, Token::Comma));
                i += 1;
            }
            _ => {
                out.push((line, Token::Other));
                i += 1;
            }
        }
    }
    out
}

/// Where the body of a raw, byte or C string starting at `i` begins, its `#` count and
/// whether escapes count in it: `r"`, `r#"`, `br"`, `b"`, `c"`. `None` for an
/// identifier that merely starts with one of those letters.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize, bool)> {
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = chars.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    let mut hashes = 0;
    while raw && chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((j + 1, hashes, !raw))
}

/// Skips a string's body from `i` (just after the opening quote) to after its closing
/// quote and `hashes` `#`s.
fn skip_string(
    chars: &[char],
    mut i: usize,
    hashes: usize,
    escapes: bool,
    line: &mut usize,
) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' if escapes => i += 2,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes =>
            {
                return i + 1 + hashes;
            }
            c => {
                *line += usize::from(c == '\n');
                i += 1;
            }
        }
    }
    i
}

/// Every top-level module a path of `text` names, with its line: `module` is the path
/// of the file's module (`["db", "track_facts"]`), against which `super` resolves.
fn named_modules(text: &str, module: &[String]) -> Vec<(usize, String)> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) deepen `super`: (name, brace depth inside).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let ident = |i: usize| match tokens.get(i) {
        Some((_, Token::Ident(name))) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, token: Token| tokens.get(i).map(|(_, t)| t) == Some(&token);
    let mut i = 0;
    while i < tokens.len() {
        let line = tokens[i].0;
        match &tokens[i].1 {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" && is(i + 2, Token::Open) => {
                if let Some(name) = ident(i + 1) {
                    inline.push((name.to_string(), depth + 1));
                }
            }
            _ => {}
        }
        // The path's start: the crate root (`crate`, `$crate`) or `super`s up from here.
        let preceded_by_path = i > 0 && is(i - 1, Token::PathSep);
        let mut from: Option<Vec<String>> = None;
        let mut j = i;
        if !preceded_by_path && (is(i, Token::Crate) || ident(i) == Some("crate")) {
            from = Some(Vec::new());
            j = i + 1;
        } else if !preceded_by_path && ident(i) == Some("super") {
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(name, _)| name.clone()));
            while ident(j) == Some("super") {
                here.pop();
                j += 1;
                if is(j, Token::PathSep) && ident(j + 1) == Some("super") {
                    j += 1;
                }
            }
            from = Some(here);
        }
        if let Some(root) = from {
            if !root.is_empty() {
                // Still inside a top-level module: that module is what it names.
                found.push((line, root[0].clone()));
            } else if is(j, Token::PathSep) {
                for name in first_segments(&tokens, j + 1) {
                    found.push((line, name));
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

/// The first segment of the path at `i`, or of each item of a `{…}` group there.
fn first_segments(tokens: &[(usize, Token)], i: usize) -> Vec<String> {
    match tokens.get(i).map(|(_, t)| t) {
        Some(Token::Ident(name)) => vec![name.clone()],
        Some(Token::Open) => {
            let mut names = Vec::new();
            let mut depth = 0;
            let mut item_start = true;
            for (_, token) in &tokens[i..] {
                match token {
                    Token::Open => {
                        depth += 1;
                        if depth > 1 {
                            item_start = false;
                        }
                    }
                    Token::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Token::Comma if depth == 1 => item_start = true,
                    Token::Ident(name) if item_start && depth == 1 => {
                        if name != "self" {
                            names.push(name.clone());
                        }
                        item_start = false;
                    }
                    _ => item_start = false,
                }
            }
            names
        }
        _ => Vec::new(),
    }
}

fn visit(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("src is readable").path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The module path of a file under src: `db/track_facts.rs` → db, track_facts;
/// `db/mod.rs` → db.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .filter_map(|p| p.to_str())
        .map(|p| p.trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

#[test]
fn every_layer_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    assert!(files.len() > 100, "found the sources: {}", files.len());
    // The binary's modules: `crate` there is main.rs, above every layer.
    let main = std::fs::read_to_string(src.join("main.rs")).expect("main.rs");
    let binary: Vec<String> = named_in_mod_lines(&main);
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let module = module_path(relative);
        let top = module.first().map(String::as_str).unwrap_or("");
        if matches!(top, "main" | "lib" | "build") || binary.iter().any(|b| b == top) {
            continue;
        }
        let Some(layer) = layer_of(top) else {
            problems.push(format!(
                "{}: module {top} is in no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("sources are UTF-8");
        for (line, named) in named_modules(&text, &module) {
            match layer_of(&named) {
                Some(theirs) if theirs <= layer => {}
                Some(_) => problems.push(format!("{}:{line} names {named}", relative.display())),
                // An item of lib.rs (`crate::Config`, `crate::AppState`) is above all.
                None => problems.push(format!(
                    "{}:{line} names {named}, which is in no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "layering:\n{}", problems.join("\n"));
}

/// The modules a file declares with `mod name;`.
fn named_in_mod_lines(text: &str) -> Vec<String> {
    let tokens = tokens(text);
    tokens
        .windows(3)
        .filter_map(|w| match (&w[0].1, &w[1].1, &w[2].1) {
            (Token::Ident(m), Token::Ident(name), Token::Other) if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn paths_up_are_found_however_they_are_written() {
    let db_file = ["db".to_string(), "x".to_string()];
    let names = |text: &str| -> Vec<String> {
        named_modules(text, &db_file)
            .into_iter()
            .map(|(_, name)| name)
            .collect()
    };
    assert_eq!(names("use crate::catalog::Feature;"), ["catalog"]);
    assert_eq!(
        names("use crate::{\n    catalog::A,\n    matching::{B, C},\n    self,\n};"),
        ["catalog", "matching"]
    );
    assert_eq!(names("let x = $crate::web::y;"), ["web"]);
    assert_eq!(names("use crate\n    ::web::Y;"), ["web"]);
    assert_eq!(
        names("use super::super::super::catalog::Feature;"),
        ["catalog"]
    );
    assert_eq!(names("use super::schema::tracks;"), ["db"]);
    // `super` in an inline module is the file's module, one level down.
    assert_eq!(names("mod tests { use super::super::y; }"), ["db"]);
    assert_eq!(
        names("mod tests { fn f() {} }\nuse super::super::web;"),
        ["web"]
    );
    // Not code: comments and string literals.
    assert!(names("// crate::web\n/* crate::cache */ let s = \"crate::web\";").is_empty());
    assert!(names("let s = r#\"crate::web \"# ; let c = '\"'; let l: &'a str;").is_empty());
    assert!(names("let s = r\"\\\"; let q = '\\''; let t = b\"crate::web\";").is_empty());
    assert_eq!(names("let s = r\"\\\"; use crate::web;"), ["web"]);
    assert_eq!(names("let u = \"https://x\"; use crate::web::Y;"), ["web"]);
    // A path's later segment is not a start.
    assert!(names("use model::crate_like::x; a::super_x();").is_empty());
    assert!(layer_of("catalog") > layer_of("db"));
    assert!(layer_of("web") > layer_of("cache"));
    assert_eq!(layer_of("bad_rows_file"), None);
    assert_eq!(
        named_in_mod_lines("mod a;\npub mod b;\nmod c { }\n"),
        ["a", "b"]
    );
}
