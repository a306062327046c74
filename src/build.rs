// Cargo's build script (`build = "src/build.rs"` in Cargo.toml, so that the repository's
// top level holds only what the project layout names). The three migration sets under
// migrations/ are embedded with `embed_migrations!`, which does not tell Cargo about a
// migration directory added later: rebuild whenever anything under migrations/ changes
// (Cargo scans a directory given here recursively).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
