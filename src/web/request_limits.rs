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
//!   page (hyper's own refusals get theirs from `transport`).

use poem::{
    http::{header, Method},
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
    if header_bytes > MAX_HEADER_BYTES {
        return Err(AppError::HeadersTooLarge(format!(
            "The request's headers come to {} KiB; this site accepts at most {} KiB. Clearing this site's cookies usually helps.",
            header_bytes.div_ceil(1024),
            MAX_HEADER_BYTES / 1024
        )));
    }
    Ok(())
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
            // Read what there is, up to the limit, so that no extractor downstream can
            // read more; a body that breaks off or is malformed is the client's fault.
            let body = req.take_body();
            match body.into_bytes_limit(MAX_BODY_BYTES).await {
                Ok(bytes) => req.set_body(bytes),
                Err(poem::error::ReadBodyError::PayloadTooLarge) => return Err(too_large()),
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
