//! Errors in Spotify's shape, `{"error": {"status": 400, "message": "..."}}`: always
//! JSON, never a page, whatever failed (our checks, poem-openapi's parameter parsing,
//! an unknown route under /api/v1, a database error).

use poem::{
    error::ResponseError,
    http::{header, HeaderValue, StatusCode},
    Body, Response,
};

use crate::{error::AppError, matching::InvalidSettings, repeated_failure::single_line};

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
    /// For 401: RFC 6750's error code in the `WWW-Authenticate` challenge
    /// (`invalid_token`, `invalid_request`); none when no credentials were sent.
    pub bearer_error: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
            bearer_error: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// A 401 whose challenge names what was wrong with the credentials sent: a
    /// client can tell a token to replace from a header to fix (RFC 6750, 3.1).
    pub fn unauthorized_because(message: impl Into<String>, code: &'static str) -> ApiError {
        ApiError {
            bearer_error: Some(code),
            ..ApiError::unauthorized(message)
        }
    }

    pub fn too_many(retry_after: u64) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: format!(
                "API rate limit exceeded. Retry after {}.",
                crate::decimal::counted(retry_after, "second")
            ),
            retry_after: Some(retry_after),
            bearer_error: None,
        }
    }
}

/// The JSON error response for any status and message.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, JSON_CONTENT_TYPE)
        .body(Body::from_string(json_body(status, message)))
}

pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Spotify's error shape: `{"error": {"status": 400, "message": "..."}}`.
pub fn json_body(status: StatusCode, message: &str) -> String {
    serde_json::json!({
        "error": { "status": status.as_u16(), "message": message }
    })
    .to_string()
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let mut resp = json_error(self.status, &self.message);
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = match self.bearer_error {
                Some(code) => format!("Bearer realm=\"api\", error=\"{code}\""),
                None => "Bearer realm=\"api\"".to_string(),
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// Database and internal errors: logged, and answered with a generic 500, or a 503
/// with `Retry-After` when the database is unavailable, as the pages answer.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        let status = error.status();
        if status.is_server_error() {
            crate::web::errors::log_failed_request(&error, "API request failed");
            // The API only reads, so nothing it was asked can have been saved: its
            // 503 says to try again, not the page's "reload to see".
            let message = if matches!(error, AppError::Unanswered(_)) {
                "The database did not answer in time. Please try again in a moment.".to_string()
            } else if error.is_unavailable() || matches!(error, AppError::CatalogMoved) {
                error.public_message()
            } else {
                "Something went wrong on our side.".to_string()
            };
            return ApiError {
                retry_after: error.retry_after_secs(),
                ..ApiError::new(status, message)
            };
        }
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        ApiError::new(status, error.to_string())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        AppError::from(error).into()
    }
}

/// Bad match settings are a bad request, with every message.
impl From<InvalidSettings> for ApiError {
    fn from(error: InvalidSettings) -> ApiError {
        ApiError::bad_request(error.to_string())
    }
}

/// The methods every operation under /api/v1 answers (OPTIONS: `guard::options`, CORS
/// preflights included), for the `Allow` header of a 405 and of the OPTIONS answer.
pub const ALLOWED_METHODS: &str = "GET, HEAD, OPTIONS";

/// 405 in the API's shape, with the `Allow` header RFC 9110 asks for.
pub fn method_not_allowed(allow: &'static str) -> Response {
    let mut resp = json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed: the API only reads (GET).",
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// Any error as Spotify-shaped JSON: ours keep their message; poem's and
/// poem-openapi's (a parameter that does not parse, an unknown route, a wrong method)
/// keep their status and text, except a required parameter that is missing from
/// `query` (the request's pairs), which says so, and an unknown route, which is told
/// what `path` (the address as sent) asked for.
pub fn to_json(error: poem::Error, query: &[(String, String)], path: &str) -> Response {
    if error.is::<ApiError>() {
        return error.into_response();
    }
    if let Some(param) = error.downcast_ref::<poem_openapi::error::ParseParamError>() {
        if !query.iter().any(|(name, _)| name == param.name) {
            return json_error(
                StatusCode::BAD_REQUEST,
                &super::params::missing_message(param.name),
            );
        }
    }
    let status = error.status();
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return method_not_allowed(ALLOWED_METHODS);
    }
    let message = if status.is_server_error() {
        tracing::error!(error = %single_line(&error.to_string()), "API request failed");
        "Something went wrong on our side.".to_string()
    } else if status == StatusCode::NOT_FOUND {
        unknown_endpoint(path)
    } else {
        error.to_string()
    };
    json_error(status, &message)
}

/// What a request for an endpoint the API does not have is told, by its `path` within
/// the API (after `/api/v1`, or Spotify's own `/v1`). Spotify's lists of albums and its
/// audio analysis are named: clients follow an artist's albums and an audio features'
/// `analysis_url` there, and "no such endpoint" alone read as a fault.
pub fn unknown_endpoint(path: &str) -> String {
    let path = path.trim_end_matches('/');
    if path.ends_with("/albums") {
        "Service not found: this API lists no one's albums (the catalog has no album \
         table). An album is at /albums/{id}, by the id of a track's `album`."
            .to_string()
    } else if path.starts_with("/audio-analysis") {
        "Service not found: this API has no audio analysis (the datasets hold none); a \
         track's audio features are at /audio-features/{id}."
            .to_string()
    } else {
        format!(
            "Service not found: this API has no endpoint “{}”.",
            crate::quoted::quoted(if path.is_empty() { "/" } else { path })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_endpoint_is_told_by_what_it_asked_for() {
        assert_eq!(
            unknown_endpoint("/nothing"),
            "Service not found: this API has no endpoint “/nothing”."
        );
        for path in ["/artists/0ZVenNGcDmP12BDfA5RF4G/albums/", "/me/albums"] {
            assert!(
                unknown_endpoint(path).contains("lists no one's albums"),
                "{path}"
            );
        }
        // The album endpoints' own addresses, asked for otherwise, are just unknown.
        assert_eq!(
            unknown_endpoint("/albums/1GbtB4zTqAsyfZEsm1RZfx/cover"),
            "Service not found: this API has no endpoint “/albums/1GbtB4zTqAsyfZEsm1RZfx/cover”."
        );
        assert!(unknown_endpoint("/audio-analysis/x").contains("no audio analysis"));
    }

    /// The API reads only: a request given up on is told to try again, as a 503 with
    /// Retry-After, not to reload a page to see what was saved.
    #[test]
    fn a_database_that_did_not_answer_is_a_503_to_try_again() {
        let error = ApiError::from(AppError::Unanswered(std::time::Duration::from_secs(15)));
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            error.message,
            "The database did not answer in time. Please try again in a moment."
        );
        assert!(error.retry_after.is_some());
    }

    /// An import landing mid-answer (`AppError::CatalogMoved`) is the API's 503 too,
    /// saying why, not "something went wrong on our side".
    #[test]
    fn an_answer_caught_between_two_catalogs_is_a_503_to_try_again_in_a_second() {
        let error = ApiError::from(AppError::CatalogMoved);
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            error.message.starts_with("An import replaced the catalog"),
            "{}",
            error.message
        );
        assert_eq!(error.retry_after, Some(1));
    }

    #[test]
    fn the_wait_is_counted_in_words() {
        assert!(ApiError::too_many(1)
            .message
            .ends_with("Retry after 1 second."));
        assert!(ApiError::too_many(20)
            .message
            .ends_with("Retry after 20 seconds."));
    }
}
