//! One set of limits on every request, whatever the route and headers:
//!
//! - the body: a body declared larger is refused before a byte is read, and a body sent
//!   without a length (chunked) is read only up to the limit. The largest body the app
//!   takes is a settings form of a few KiB, so nothing legitimate comes near it. Without
//!   this, a POST carrying its CSRF token in a header had its whole body read into
//!   memory by the handler's extractor;
//! - the address and the headers, well below hyper's own limits (64 KiB of address, 100
//!   headers, about 400 KiB buffered), which it enforces only when a request outgrows
//!   one read: a 500 KB cookie could reach the app or be refused depending on how the
//!   bytes arrived. Here the answer is the same every time, and it is the app's error
//!   page (hyper's own refusals get theirs from `transport`);
//! - the `Host`: at most one, and a host name or address with an optional port. The
//!   API writes it into every link it returns, and a page's links name this site, so a
//!   `Host` of `evil.example"<x>` went into the answers as it was;
//! - a form's text, and the query's: a urlencoded body or query whose names or values,
//!   once decoded, are not UTF-8 is refused. The form parser would replace each bad byte with U+FFFD, so two
//!   different passwords could become the same one, and any other field would be
//!   stored with characters the user never typed.

use std::io;

use poem::{
    http::{header, Method, Version},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use crate::error::AppError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest path and query accepted. The longest the app writes (a perfect-song URL
/// with every setting, or 100 API ids) is under 3 KiB.
pub const MAX_ADDRESS_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) accepted; a browser sends about 1 KiB.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

pub struct RequestLimits;

impl<E: Endpoint> Middleware<E> for RequestLimits {
    type Output = RequestLimitsEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestLimitsEndpoint { inner }
    }
}

pub struct RequestLimitsEndpoint<E> {
    inner: E,
}

fn too_large() -> poem::Error {
    AppError::TooLarge(format!(
        "The request body is larger than {} KiB, the most this site accepts.",
        MAX_BODY_BYTES / 1024
    ))
    .into()
}

/// The address and the headers, before anything reads them.
fn check_head(req: &Request) -> Result<(), AppError> {
    let address = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if address > MAX_ADDRESS_BYTES {
        return Err(AppError::AddressTooLong(format!(
            "The address is {} KiB long; this site accepts at most {} KiB. Shorten it: searches and settings travel in the address, so fewer or shorter values help.",
            address.div_ceil(1024),
            MAX_ADDRESS_BYTES / 1024
        )));
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    check_host(req)?;
    // A path's escapes are read once the route is known, by the route's own parser;
    // checked here, a malformed one gets the same 400 on every address, where before
    // `/%` (no route matched) got a 404 and `/artists/%FF` a 400.
    let path = req.uri().path();
    if path.contains('%') && !escapes_are_utf8(path.as_bytes(), false) {
        return Err(AppError::BadRequest(
            "The address holds a %-escape that is not two hex digits, or not UTF-8 text \
             once decoded, so it could not be read."
                .to_string(),
        ));
    }
    // The same rule as a form's: every parser of a query (the pages', poem-openapi's)
    // would replace each bad byte with U+FFFD and answer a question nobody asked.
    if let Some(query) = req.uri().query() {
        if query.contains('%') && !urlencoded_is_utf8(query.as_bytes()) {
            return Err(AppError::BadRequest(
                "The address's query is not UTF-8 text once its %-escapes are decoded, so it \
                 could not be read."
                    .to_string(),
            ));
        }
    }
    if header_bytes > MAX_HEADER_BYTES {
        return Err(AppError::HeadersTooLarge(format!(
            "The request's headers come to {} KiB; this site accepts at most {} KiB. Clearing this site's cookies usually helps.",
            header_bytes.div_ceil(1024),
            MAX_HEADER_BYTES / 1024
        )));
    }
    Ok(())
}

/// One `Host` at most, made of the characters a host name, an IPv4 or IPv6 address and
/// a port can hold (RFC 3986's reg-name without percent-encoding, which no client sends).
/// An HTTP/1.1 request must name one (RFC 9112, 3.2), unless its address is absolute;
/// HTTP/1.0 clients predate the header, and HTTP/2 names the host otherwise.
fn check_host(req: &Request) -> Result<(), AppError> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let Some(host) = hosts.next() else {
        if req.version() == Version::HTTP_11 && req.uri().authority().is_none() {
            return Err(AppError::BadRequest(
                "An HTTP/1.1 request must name the site it is for in a Host header.".to_string(),
            ));
        }
        return Ok(());
    };
    if hosts.next().is_some() {
        return Err(AppError::BadRequest(
            "The request has more than one Host header.".to_string(),
        ));
    }
    let valid = !host.is_empty()
        && host.len() <= 255
        && host.as_bytes().iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        })
        && host.to_str().is_ok_and(port_is_valid);
    if valid {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "The request's Host header is not a host name or address.".to_string(),
        ))
    }
}

/// Whether the host's port, if it names one, is a port (1 to 65535 digits' worth): the
/// API writes the host into its links, and `:99999` would make them unusable.
fn port_is_valid(host: &str) -> bool {
    // An IPv6 address is in brackets; its colons are not a port's.
    let after_address = host.rsplit_once(']').map_or(host, |(_, rest)| rest);
    match after_address.rsplit_once(':') {
        None => !host.starts_with('[') || host.ends_with(']'),
        Some((address, port)) => {
            (!address.contains(':') || host.starts_with('['))
                && port.parse::<u16>().is_ok_and(|p| p > 0)
        }
    }
}

/// Whether the body is declared a urlencoded form (what plain HTML forms send).
/// A `charset` other than UTF-8 is not: its bytes would be read as UTF-8 all the same,
/// and a Latin-1 "é" would become two other characters (`RequestLimits` refuses it).
pub fn is_urlencoded_form(req: &Request) -> bool {
    declares_urlencoded_form(req) && !declares_another_charset(req)
}

/// Whether the Content-Type's type is a urlencoded form, whatever its charset, written
/// so that the handlers' form parser reads it too (it refuses a Content-Type that is
/// not a well-formed media type, such as `application/x-www-form-urlencoded;;`): one
/// it refuses is no form here either, and gets 415, not a form read for its token and
/// then refused by the handler.
fn declares_urlencoded_form(req: &Request) -> bool {
    // As poem's form extractor reads it: `application/x-www-form-urlencoded`, or a
    // subtype with that suffix (`application/vnd.x+x-www-form-urlencoded`).
    req.content_type()
        .and_then(|content_type| content_type.parse::<mime::Mime>().ok())
        .is_some_and(|mime| {
            mime.type_() == mime::APPLICATION
                && (mime.subtype() == "x-www-form-urlencoded"
                    || mime.suffix().is_some_and(|s| s == "x-www-form-urlencoded"))
        })
}

/// Whether the Content-Type names a charset other than UTF-8.
fn declares_another_charset(req: &Request) -> bool {
    let params = req.content_type().unwrap_or_default().split(';').skip(1);
    params
        .filter_map(|param| param.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .any(|(_, value)| {
            let charset = value.trim().trim_matches('"');
            !(charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8"))
        })
}

/// Whether every name and value of a urlencoded body or query decodes to UTF-8. A `%` not
/// followed by two hex digits stays as it is, as the form parser keeps it.
fn urlencoded_is_utf8(body: &[u8]) -> bool {
    body.split(|&b| b == b'&' || b == b'=')
        .all(|part| escapes_are_utf8(part, true))
}

/// Whether `text` decodes to UTF-8 once its %-escapes are decoded. With `lenient`, a `%`
/// not followed by two hex digits stands for itself (as a form parser reads it);
/// without, it makes the text unreadable (as a path's parser reads it).
fn escapes_are_utf8(text: &[u8], lenient: bool) -> bool {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let escaped = (text[i] == b'%')
            .then(|| Some(hex(*text.get(i + 1)?)? * 16 + hex(*text.get(i + 2)?)?))
            .flatten();
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None if text[i] == b'%' && !lenient => return false,
            None => {
                decoded.push(text[i]);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// Whether a body stopped arriving because the connection's deadline passed
/// (`connection_guard`), rather than because the client broke it off. The deadline's
/// `TimedOut` reaches here wrapped by hyper and then by poem; `io::Error::source` skips
/// the error it wraps, so the chain is walked from `get_ref`.
fn timed_out(error: &io::Error) -> bool {
    if error.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    let mut cause = error
        .get_ref()
        .map(|e| e as &(dyn std::error::Error + 'static));
    while let Some(current) = cause {
        cause = match current.downcast_ref::<io::Error>() {
            Some(io) if io.kind() == io::ErrorKind::TimedOut => return true,
            Some(io) => io
                .get_ref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    false
}

impl<E: Endpoint> Endpoint for RequestLimitsEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        check_head(&req)?;
        let declared = req.header(header::CONTENT_LENGTH);
        let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
        let bodiless = matches!(*req.method(), Method::GET | Method::HEAD);
        // The hot path: a GET with no body at all is passed through untouched.
        if !(bodiless && declared.is_none() && !chunked) {
            if let Some(length) = declared {
                match length.trim().parse::<u64>() {
                    Ok(length) if length > MAX_BODY_BYTES as u64 => return Err(too_large()),
                    Ok(_) => {}
                    Err(_) => {
                        return Err(AppError::BadRequest(
                            "The request's Content-Length is not a number.".to_string(),
                        )
                        .into())
                    }
                }
            }
            // Only a POST's form is read: the body of a GET, a HEAD or an OPTIONS is
            // ignored, as the API's reference says (a GET to the API with a body that
            // was not UTF-8 had been told to send the form again from the site).
            let carries_form =
                !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            // A form in another charset: the form parser reads UTF-8 whatever it is
            // told, so its bytes would be stored as U+FFFD (a password among them, which
            // any other such bytes would then match). Refused, whichever way its CSRF
            // token came (415, as a form in any other encoding is).
            if carries_form && declares_urlencoded_form(&req) && declares_another_charset(&req) {
                return Err(poem::Error::from_status(
                    poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ));
            }
            // Read what there is, up to the limit, so that no extractor downstream can
            // read more; a body that breaks off or is malformed is the client's fault.
            let body = req.take_body();
            match body.into_bytes_limit(MAX_BODY_BYTES).await {
                Ok(bytes)
                    if carries_form && is_urlencoded_form(&req) && !urlencoded_is_utf8(&bytes) =>
                {
                    return Err(AppError::BadRequest(
                        "The form was not sent as UTF-8 text, so it could not be read and \
                         nothing was changed. Send it again from this site's page."
                            .to_string(),
                    )
                    .into())
                }
                Ok(bytes) => req.set_body(bytes),
                Err(poem::error::ReadBodyError::PayloadTooLarge) => return Err(too_large()),
                Err(poem::error::ReadBodyError::Io(error)) if timed_out(&error) => {
                    return Err(AppError::RequestTimeout(
                        "The request body did not arrive in time: the connection sent less \
                         than its Content-Length said. Nothing was changed; send it again."
                            .to_string(),
                    )
                    .into())
                }
                Err(_) => {
                    return Err(AppError::BadRequest(
                        "The request body could not be read: it was cut off or malformed."
                            .to_string(),
                    )
                    .into())
                }
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use poem::{http::Version, Request};

    use super::{check_host, timed_out, urlencoded_is_utf8};

    /// Stands for hyper's error: it names the I/O error under it as its source.
    #[derive(Debug)]
    struct Wrapper(io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("body error")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_deadline_is_found_under_the_errors_that_wrap_it() {
        let deadline = || io::Error::new(io::ErrorKind::TimedOut, "deadline");
        assert!(timed_out(&deadline()));
        // As poem hands it over: an `Other` error around hyper's, around the deadline.
        let wrapped = io::Error::other(Wrapper(deadline()));
        assert!(timed_out(&wrapped));
        assert!(timed_out(&io::Error::other(io::Error::other(Wrapper(
            deadline()
        )))));
        // A client that broke the connection off did not time out.
        let reset = io::Error::other(Wrapper(io::Error::from(io::ErrorKind::ConnectionReset)));
        assert!(!timed_out(&reset));
        assert!(!timed_out(&io::Error::other("incomplete body")));
    }

    #[test]
    fn one_well_formed_host_at_most() {
        let with = |hosts: &[&str]| {
            let mut req = Request::builder()
                .version(Version::HTTP_10)
                .uri_str("/")
                .finish();
            for host in hosts {
                if let Ok(value) = host.parse() {
                    req.headers_mut().append("host", value);
                }
            }
            check_host(&req).is_ok()
        };
        assert!(with(&[]));
        for good in [
            "localhost",
            "hub.example:3000",
            "127.0.0.1:4100",
            "[::1]:8080",
            "my_host",
        ] {
            assert!(with(&[good]), "{good}");
        }
        for bad in [
            "evil.example\"<x>",
            "a b",
            "",
            "host/path",
            "user@host",
            "a%20b",
            "hub.example:99999",
            "hub.example:",
            "hub.example:0",
            "a:b:c",
            "[::1]:70000",
        ] {
            assert!(!with(&[bad]), "{bad}");
        }
        assert!(!with(&["a.example", "b.example"]), "two Host headers");
        let http_11 = |uri: &str| {
            let req = Request::builder()
                .version(Version::HTTP_11)
                .uri_str(uri)
                .finish();
            check_host(&req).is_ok()
        };
        assert!(!http_11("/"), "HTTP/1.1 without a Host");
        assert!(
            http_11("http://hub.example/"),
            "an absolute address names it"
        );
    }

    #[test]
    fn form_text_is_checked_after_decoding() {
        assert!(urlencoded_is_utf8(b"name=caf%C3%A9&password=a+b%21"));
        assert!(
            urlencoded_is_utf8(b"q=100%&x=%zz&y=%"),
            "stray percent signs are kept"
        );
        assert!(urlencoded_is_utf8("name=café".as_bytes()));
        assert!(!urlencoded_is_utf8(b"password=secret%FF"));
        assert!(!urlencoded_is_utf8(b"pass%FFword=secret"));
        assert!(!urlencoded_is_utf8(b"name=caf%C3"), "a sequence cut short");
        assert!(!urlencoded_is_utf8(b"name=caf\xff"));
    }
}
