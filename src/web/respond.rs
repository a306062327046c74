//! Response helpers every feature shares: redirects after a write (303 for a plain form,
//! `HX-Redirect` for htmx, which then loads the whole page so the navigation shows the
//! new state), a rendered view with a status other than 200, `Retry-After`, and `Vary`.

use maud::Markup;
use poem::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    IntoResponse, Response,
};

use super::extract::Htmx;

/// Go to `to` after a successful POST.
pub fn redirect(htmx: &Htmx, to: &str) -> Response {
    if htmx.request {
        Response::builder()
            .status(StatusCode::OK)
            .header("HX-Redirect", uri_reference(to).as_ref())
            .finish()
    } else {
        see_other(to)
    }
}

/// 303 See Other to `to`: where a plain form goes after a successful POST.
pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, uri_reference(to).as_ref())
        .finish()
}

/// `to` as a header may carry it: every byte a URI cannot hold (beyond ASCII, control
/// characters, space, `"<>\^`{|}`) %-escaped, the rest as it is (an escape already
/// there stays one). A `next=/artists?q=é` had come back as raw UTF-8 bytes in
/// `Location`, which a URI cannot hold and some clients and proxies mangle.
pub fn uri_reference(to: &str) -> std::borrow::Cow<'_, str> {
    let needs_escape = |b: u8| {
        !b.is_ascii_graphic()
            || matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
    };
    if !to.bytes().any(needs_escape) {
        return std::borrow::Cow::Borrowed(to);
    }
    let mut out = String::with_capacity(to.len() + 16);
    for b in to.bytes() {
        if needs_escape(b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Adds header names to `Vary`, in the one `Vary` line a response already has (some
/// clients, and tests, read only the first).
pub fn add_vary(headers: &mut HeaderMap, names: &str) {
    let merged = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) if !existing.trim().is_empty() => format!("{existing}, {names}"),
        _ => names.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&merged) {
        headers.insert(header::VARY, value);
    }
}

/// A page or fragment with the given status (422 for invalid input, 429 when throttled).
pub fn with_status(markup: Markup, status: StatusCode) -> Response {
    let mut resp = markup.into_response();
    resp.set_status(status);
    resp
}

/// 429 with `Retry-After` in whole seconds.
pub fn throttled(markup: Markup, retry_after_secs: u64) -> Response {
    let mut resp = with_status(markup, StatusCode::TOO_MANY_REQUESTS);
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs),
    );
    resp
}

/// "3 minutes", "1 minute", "40 seconds".
pub fn wait_phrase(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} second{}", if secs == 1 { "" } else { "s" }),
        _ => {
            let minutes = secs.div_ceil(60);
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

/// 308 to the one address of what was asked for (a trailing slash dropped, a genre's
/// name as the catalog writes it): the method and body are kept, and the browser may
/// remember the move.
pub fn permanent_redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::PERMANENT_REDIRECT)
        .header(header::LOCATION, uri_reference(location).as_ref())
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_headers_escape_what_a_uri_cannot_hold() {
        assert_eq!(
            uri_reference("/artists?q=%C3%A9&x=1"),
            "/artists?q=%C3%A9&x=1"
        );
        assert_eq!(uri_reference("/artists?q=é"), "/artists?q=%C3%A9");
        assert_eq!(uri_reference("/a b\"<\r\n"), "/a%20b%22%3C%0D%0A");
        assert!(matches!(
            uri_reference("/genres/rock#top"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_phrase(1), "1 second");
        assert_eq!(wait_phrase(40), "40 seconds");
        assert_eq!(wait_phrase(60), "1 minute");
        assert_eq!(wait_phrase(61), "2 minutes");
        assert_eq!(wait_phrase(900), "15 minutes");
    }
}
