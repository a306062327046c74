//! What htmx told us about a request (`Htmx`), read from its headers. A module of its
//! own, below the extractors (`extract`) and the pages that use it: `auth::welcome`
//! needs it, and `extract` needs `auth::welcome`.

use maud::Markup;
use poem::{
    http::{header::HeaderName, HeaderMap},
    FromRequest, Request, RequestBody,
};

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

/// The header names htmx sends, parsed once rather than from a `&str` on every look-up.
const HX_REQUEST: HeaderName = HeaderName::from_static("hx-request");
const HX_BOOSTED: HeaderName = HeaderName::from_static("hx-boosted");
const HX_HISTORY_RESTORE: HeaderName = HeaderName::from_static("hx-history-restore-request");
const HX_TARGET: HeaderName = HeaderName::from_static("hx-target");
const HX_TRIGGER: HeaderName = HeaderName::from_static("hx-trigger");

impl Htmx {
    pub fn from_headers(headers: &HeaderMap) -> Htmx {
        let flag = |name: HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        let text = |name: HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Htmx {
            request: flag(HX_REQUEST),
            boosted: flag(HX_BOOSTED),
            history_restore: flag(HX_HISTORY_RESTORE),
            target: text(HX_TARGET),
            trigger: text(HX_TRIGGER),
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
