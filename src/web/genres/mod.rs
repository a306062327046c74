//! Genres (issue 14): the list of every genre (`/genres`, searchable and sortable), a
//! genre's page (`/genres/{name}`), and two to four genres compared
//! (`/genres/compare`, the artists' comparison code over genres). Handlers are thin:
//! they read the query string, ask `catalog::genres` (computed once per catalog version,
//! cached in `cache`) and render views. Every view is a plain form or link that htmx
//! upgrades to a fragment swap.
//!
//! - `list`: the list page; `page`: one genre; `compare`: the comparison;
//!   `views`: what they share (the small profile, links, the decade section the home
//!   page shows too).

pub mod compare;
pub mod list;
pub mod page;
pub mod views;

use maud::{html, Markup};

use super::{assets, extract::PageContext, layout::page as page_shell};

/// The fragment for htmx, or the full page with the artist pages' script and styles
/// (the comparison and the spread tables are theirs).
fn render(ctx: &PageContext, title: &str, content: Markup) -> Markup {
    ctx.htmx.choose(content, |content| {
        page_shell(
            ctx,
            title,
            html! {
                link rel="stylesheet" href=(assets::url("artists.css"));
                script src=(assets::url("artists.js")) defer {}
                (content)
            },
        )
    })
}

/// The addresses under `/genres/` that are pages of their own, not a genre's.
const OWN_PAGES: [&str; 2] = ["compare", "compare.csv"];

/// `/genres/{name}`, the name percent-encoded as a path segment ("r&b" -> `r%26b`,
/// "hip hop" -> `hip%20hop`). A genre named as one of this section's own pages
/// (`compare`) has its first letter escaped too (`%63ompare`): the router matches the
/// address as written, so the genre's page is reached, not the comparison's.
pub fn genre_path(name: &str) -> String {
    let mut out = String::from("/genres/");
    let shadowed = OWN_PAGES.contains(&name);
    for (i, byte) in name.bytes().enumerate() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~'
                if !(shadowed && i == 0) =>
            {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genre_paths_encode_the_name() {
        assert_eq!(genre_path("pop"), "/genres/pop");
        assert_eq!(genre_path("r&b"), "/genres/r%26b");
        assert_eq!(genre_path("hip hop"), "/genres/hip%20hop");
        assert_eq!(genre_path("a/b"), "/genres/a%2Fb");
    }
}
