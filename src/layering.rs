//! Checks DESIGN.md §2's rule on the source itself: each layer names only the layers
//! below it (or itself), so that `db/` can be read, tested and changed without the
//! domain, and the domain without HTTP. A `crate::` path in code (comments aside) that
//! points up fails the test with the file and the line.

use std::path::Path;

/// The layers from the bottom up; a module not listed (lib.rs, main.rs) is the top.
const LAYERS: &[&[&str]] = &[
    // Leaves: plain values and helpers with no I/O of the app's own.
    &[
        "allocator",
        "binary",
        "config",
        "decimal",
        "error",
        "import_bar",
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
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or(LAYERS.len())
}

/// Every `crate::name` in the code of `text` (not in comments), with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((number + 1, name));
            }
            rest = after;
        }
    }
    found
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("src is readable").path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_layer_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    assert!(files.len() > 100, "found the sources: {}", files.len());
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let module = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs");
        let text = std::fs::read_to_string(file).expect("sources are UTF-8");
        for (line, named) in crate_paths(&text) {
            if layer_of(&named) > layer_of(module) {
                upward.push(format!("{}:{line} names {named}", relative.display()));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "names a higher layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn a_path_up_is_found() {
    let paths = crate_paths("use crate::catalog::Feature; // crate::web\nlet x = $crate::db::y;");
    assert_eq!(paths, [(1, "catalog".to_string()), (2, "db".to_string())]);
    assert!(layer_of("catalog") > layer_of("db"));
    assert!(layer_of("web") > layer_of("cache"));
    assert_eq!(layer_of("lib"), LAYERS.len());
}
