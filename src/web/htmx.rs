//! htmx request headers and the page-or-fragment choice every handler makes.

use maud::Markup;
use poem::{http::HeaderMap, FromRequest, Request, RequestBody};

/// What htmx told us about a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Htmx {
    /// `HX-Request: true`: htmx sent it.
    pub request: bool,
    /// `HX-Boosted: true`: a boosted link or form, which wants a whole page.
    pub boosted: bool,
    /// `HX-History-Restore-Request: true`: back/forward to a pushed URL whose snapshot
    /// htmx does not have; it replaces the whole body, so it wants the whole page.
    pub history_restore: bool,
    /// `HX-Target`: id of the element the answer will replace.
    pub target: Option<String>,
    /// `HX-Trigger`: id of the element that triggered the request.
    pub trigger: Option<String>,
}

impl Htmx {
    pub fn from_headers(headers: &HeaderMap) -> Htmx {
        let flag = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Htmx {
            request: flag("hx-request"),
            boosted: flag("hx-boosted"),
            history_restore: flag("hx-history-restore-request"),
            target: text("hx-target"),
            trigger: text("hx-trigger"),
        }
    }

    /// A fragment answers htmx requests that swap part of a page; everything else
    /// (a normal load, a boosted navigation, a history restore) gets the full page.
    pub fn wants_fragment(&self) -> bool {
        self.request && !self.boosted && !self.history_restore
    }

    /// Renders the fragment alone or inside the full page. The full page is built only
    /// when needed.
    pub fn choose(&self, fragment: Markup, page: impl FnOnce(Markup) -> Markup) -> Markup {
        if self.wants_fragment() {
            fragment
        } else {
            page(fragment)
        }
    }
}

impl<'a> FromRequest<'a> for Htmx {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Htmx::from_headers(req.headers()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boosted_requests_want_pages() {
        let mut headers = HeaderMap::new();
        assert!(!Htmx::from_headers(&headers).wants_fragment());
        headers.insert("HX-Request", "true".parse().unwrap());
        assert!(Htmx::from_headers(&headers).wants_fragment());
        headers.insert("HX-Boosted", "true".parse().unwrap());
        assert!(!Htmx::from_headers(&headers).wants_fragment());
    }

    #[test]
    fn history_restores_want_pages() {
        let mut headers = HeaderMap::new();
        headers.insert("HX-Request", "true".parse().unwrap());
        headers.insert("HX-History-Restore-Request", "true".parse().unwrap());
        assert!(!Htmx::from_headers(&headers).wants_fragment());
    }
}
