//! One limit on every request body, whatever the route and headers: a body declared
//! larger is refused before a byte is read, and a body sent without a length (chunked)
//! is read only up to the limit. The largest body the app takes is a settings form of a
//! few KiB, so nothing legitimate comes near it. Without this, a POST carrying its CSRF
//! token in a header had its whole body read into memory by the handler's extractor.

use poem::{
    http::{header, Method},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use crate::error::AppError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct BodyLimit;

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint { inner }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
}

fn too_large() -> poem::Error {
    AppError::TooLarge(format!(
        "The request body is larger than {} KiB, the most this site accepts.",
        MAX_BODY_BYTES / 1024
    ))
    .into()
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
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
