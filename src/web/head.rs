//! HEAD answered as GET is, headers and all: poem runs the GET handler for a HEAD and
//! drops the body, and its `Content-Length` went with it, though HTTP asks a HEAD's
//! headers to be the GET's (RFC 9110, 9.3.2): a link checker or a download manager
//! reading the size from a HEAD found none. The GET is run here, its body measured
//! and left out.

use poem::{
    http::{header, HeaderValue, Method, StatusCode},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

pub struct HeadLikeGet;

impl<E: Endpoint> Middleware<E> for HeadLikeGet {
    type Output = HeadLikeGetEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HeadLikeGetEndpoint { inner }
    }
}

pub struct HeadLikeGetEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for HeadLikeGetEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        if req.method() != Method::HEAD {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        req.set_method(Method::GET);
        let answer = match self.inner.call(req).await {
            Ok(answer) => answer.into_response(),
            Err(error) => error.into_response(),
        };
        let (mut parts, body) = answer.into_parts();
        // A body that cannot be read to its end is sent as poem sends any HEAD's: no
        // length, no body.
        let length = body.into_bytes().await.map(|bytes| bytes.len()).ok();
        let bodiless = parts.status == StatusCode::NO_CONTENT
            || parts.status == StatusCode::NOT_MODIFIED
            || parts.status.is_informational();
        if let (Some(length), false) = (length, bodiless) {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        Ok(Response::from_parts(parts, poem::Body::empty()))
    }
}
