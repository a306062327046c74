//! "Your account is ready": said once, by the first whole page after a sign-up,
//! wherever the sign-up sends the browser (`next=` takes it back to the page whose "Sign
//! up" it followed; only the header's corner had changed). A cookie of a minute carries
//! it there rather than the session: a session written back by a page view could
//! outlive a log-out or an account deletion made meanwhile elsewhere.

use poem::{
    http::{header, HeaderValue, Method},
    Request, Response,
};

use super::session;
use crate::web::htmx::Htmx;

const COOKIE: &str = "ih_welcome";

/// The `Set-Cookie` a successful sign-up's answer carries.
pub fn set_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=1; Max-Age=60; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("ih_welcome=1; Max-Age=60; Path=/"))
}

/// Whether `req` is the whole page that says it: a GET that is not an htmx fragment
/// (one would swallow it unseen), carrying the cookie.
pub fn due(req: &Request) -> bool {
    // The cookie first: almost no request has it, and this runs on every one behind the
    // sessions, the live answers' included.
    session::has_cookie(req.headers(), COOKIE)
        && req.method() == Method::GET
        && !Htmx::from_headers(req.headers()).wants_fragment()
}

/// The answer to a request that was `due`, with the cookie expired: said once.
pub fn said(mut resp: Response) -> Response {
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("ih_welcome=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_page_asked_for_with_the_cookie_says_it() {
        let with = |method: Method, headers: &[(&str, &str)]| {
            let mut req = Request::builder().method(method).uri_str("/genres");
            for (name, value) in headers {
                req = req.header(*name, *value);
            }
            due(&req.finish())
        };
        assert!(with(Method::GET, &[("cookie", "ih_welcome=1")]));
        assert!(!with(Method::GET, &[]));
        assert!(!with(Method::POST, &[("cookie", "ih_welcome=1")]));
        assert!(!with(
            Method::GET,
            &[("cookie", "ih_welcome=1"), ("hx-request", "true")]
        ));
        assert!(set_cookie(true)
            .to_str()
            .unwrap_or("")
            .ends_with("; Secure"));
    }
}
