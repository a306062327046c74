//! gzip for pages and fragments, in place of poem's `Compression`.
//!
//! Why not poem's: it compresses every response (empty ones and already encoded ones
//! too) at the default level, streaming, and sends no `Vary: Accept-Encoding`. Measured
//! on the live perfect-song fragment (wrk, 64 connections, same run), asking for
//! `gzip` cut the rate to a quarter of the uncompressed one, so compression cost more
//! than everything else in the request. Here:
//! - only text bodies of at least `MIN_SIZE` bytes are compressed, whole, at the fast
//!   level (HTML compresses about 4:1 there too), and responses that already carry a
//!   `Content-Encoding` pass untouched;
//! - a response may carry its gzip form's slot (`KeptGzip`), kept by whoever keeps the
//!   body (the fragment cache): it is filled once and then sent as is;
//! - `Vary: Accept-Encoding` goes on every response whose encoding depends on the header.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use poem::{
    http::{header, HeaderMap, HeaderValue},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use super::respond::add_vary;

/// Bodies smaller than this go out as they are: the gzip header and a round of
/// compression cost more than they save.
pub const MIN_SIZE: usize = 1024;

/// Whether the request's `Accept-Encoding` allows gzip (RFC 9110, 12.5.3): an element
/// naming gzip decides, and `*` stands only for codings no element names, so
/// `gzip;q=0, *` refuses gzip. Names and the `q` parameter's name are case-insensitive.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named: Option<bool> = None;
    let mut wildcard: Option<bool> = None;
    let elements = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for element in elements {
        let mut parts = element.split(';');
        let name = parts.next().unwrap_or("").trim();
        let allowed = !parts.any(is_zero_weight);
        // "x-gzip" is gzip's old name, which RFC 9110 (8.4.1.3) says to read as gzip.
        let slot = if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            &mut named
        } else if name == "*" {
            &mut wildcard
        } else {
            continue;
        };
        // Named twice with different weights: a refusal wins.
        *slot = Some(slot.unwrap_or(true) && allowed);
    }
    named.or(wildcard).unwrap_or(false)
}

/// Whether one parameter of an `Accept-Encoding` element is a weight of zero (`q=0`,
/// `Q=0.000`): the coding is refused.
fn is_zero_weight(parameter: &str) -> bool {
    parameter.split_once('=').is_some_and(|(key, value)| {
        key.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>() == Ok(0.0)
    })
}

/// `raw` gzipped at `level` (flate2's 0 to 9).
///
/// Each thread keeps one deflate state per level and resets it for the next body:
/// setting one up allocates and clears a few hundred KiB, which cost more than
/// compressing a 12 KiB fragment (a sixth of a live perfect-song answer's CPU time).
pub fn gzip(raw: &[u8], level: u32) -> Option<Vec<u8>> {
    use std::cell::RefCell;

    use flate2::{Compress, Compression, Crc, FlushCompress, Status};

    thread_local! {
        static STATES: RefCell<Vec<(u32, Compress)>> = const { RefCell::new(Vec::new()) };
    }
    // The gzip header: magic, deflate, no flags, no time, no extra flags, unknown OS.
    let mut out = Vec::with_capacity(raw.len() / 3 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    let done = STATES.with(|states| {
        let mut states = states.borrow_mut();
        let at = match states.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                states.push((level, Compress::new(Compression::new(level), false)));
                states.len() - 1
            }
        };
        let deflate = &mut states[at].1;
        deflate.reset();
        loop {
            let read = deflate.total_in() as usize;
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            match deflate.compress_vec(&raw[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return true,
                Ok(_) => continue,
                Err(_) => return false,
            }
        }
    });
    if !done {
        return None;
    }
    let mut crc = Crc::new();
    crc.update(raw);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    Some(out)
}

/// The slot for a body's gzip form, shared with whoever keeps the body.
#[derive(Clone, Default)]
pub struct KeptGzip(pub Arc<OnceLock<Bytes>>);

/// The middleware: see the module comment.
pub struct Gzip;

impl<E: Endpoint> Middleware<E> for Gzip {
    type Output = GzipEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        GzipEndpoint { inner }
    }
}

pub struct GzipEndpoint<E> {
    inner: E,
}

/// Fast: HTML of a few kilobytes compresses in tens of microseconds.
const LEVEL: u32 = 1;

fn is_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/") || t.starts_with("application/json"))
}

impl<E: Endpoint> Endpoint for GzipEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let accepts = accepts_gzip(req.headers());
        let mut resp = self.inner.call(req).await?.into_response();
        if !is_text(resp.headers()) || resp.headers().contains_key(header::CONTENT_ENCODING) {
            return Ok(resp);
        }
        add_vary(resp.headers_mut(), "Accept-Encoding");
        if !accepts {
            return Ok(resp);
        }
        let kept = resp.extensions().get::<KeptGzip>().cloned();
        let raw = resp.take_body().into_bytes().await?;
        if raw.len() < MIN_SIZE {
            resp.set_body(raw);
            return Ok(resp);
        }
        let compressed = match kept {
            Some(KeptGzip(slot)) => Some(
                slot.get_or_init(|| gzip(&raw, LEVEL).map(Bytes::from).unwrap_or_default())
                    .clone(),
            ),
            None => gzip(&raw, LEVEL).map(Bytes::from),
        };
        match compressed.filter(|c| !c.is_empty()) {
            Some(compressed) => {
                resp.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                resp.headers_mut().remove(header::CONTENT_LENGTH);
                resp.set_body(compressed);
            }
            None => resp.set_body(raw),
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        h
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts_gzip(&headers("gzip, deflate, br, zstd")));
        assert!(accepts_gzip(&headers("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&headers("*")));
        assert!(accepts_gzip(&headers("GZIP")));
        assert!(accepts_gzip(&headers("deflate, Gzip;q=0.5")));
        assert!(!accepts_gzip(&headers("br, zstd")));
        assert!(!accepts_gzip(&headers("gzip;q=0")));
        assert!(!accepts_gzip(&headers("gzip; q=0.0")));
        assert!(!accepts_gzip(&HeaderMap::new()));
        // `*` stands only for codings not named: a refused gzip stays refused.
        assert!(!accepts_gzip(&headers("gzip;q=0, *;q=1")));
        assert!(!accepts_gzip(&headers("*;q=1, gzip;q=0")));
        assert!(!accepts_gzip(&headers("gzip;Q=0")));
        assert!(!accepts_gzip(&headers("*;q=0")));
        assert!(accepts_gzip(&headers("br, *;q=0.1")));
        assert!(accepts_gzip(&headers("x-gzip")));
        assert!(!accepts_gzip(&headers("identity, *;q=0")));
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        // Several bodies and levels through the same per-thread states, the empty one
        // and one larger than the first output buffer included.
        let big: String = (0..40_000)
            .map(|i| format!("{}", i * 7919 % 104_729))
            .collect();
        let bodies = [
            "<p>hello</p>".repeat(200),
            String::new(),
            big,
            "x".to_string(),
        ];
        for level in [LEVEL, 9, LEVEL] {
            for raw in &bodies {
                let packed = gzip(raw.as_bytes(), level).unwrap();
                let mut out = String::new();
                flate2::read::GzDecoder::new(&packed[..])
                    .read_to_string(&mut out)
                    .unwrap();
                assert_eq!(&out, raw);
            }
        }
        let packed = gzip("<p>hello</p>".repeat(200).as_bytes(), LEVEL).unwrap();
        assert!(packed.len() * 4 < 2400);
    }
}
