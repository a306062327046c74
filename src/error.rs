//! One error type for the whole app. Handlers return `AppResult<T>`; poem turns an
//! `AppError` into a response with the right status and a short, human message. Internal
//! details are logged, never shown.

use poem::{error::ResponseError, http::StatusCode, IntoResponse, Response};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (400).
    #[error("{0}")]
    BadRequest(String),
    /// The request may not do this, e.g. a missing or wrong CSRF token (403).
    #[error("{0}")]
    Forbidden(String),
    /// The request is well formed but its values are not acceptable (422).
    #[error("{0}")]
    Invalid(String),
    /// Too many attempts; try again after the given number of seconds (429).
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn internal(message: impl std::fmt::Display) -> Self {
        AppError::Internal(anyhow::anyhow!("{message}"))
    }

    fn public_message(&self) -> String {
        match self {
            AppError::NotFound(_)
            | AppError::BadRequest(_)
            | AppError::Forbidden(_)
            | AppError::Invalid(_)
            | AppError::TooManyRequests { .. } => self.to_string(),
            _ => "Something went wrong on our side. Please try again.".to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = maud::html! {
            (maud::DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { (status.canonical_reason().unwrap_or("Error")) " · Spotify Insights Hub" }
                    link rel="stylesheet" href=(crate::web::assets::url("app.css"));
                }
                body {
                    main class="container" {
                        div class="error-box" role="alert" {
                            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
                            p { (self.public_message()) }
                            p { a href="/" { "Back to the home page" } }
                        }
                    }
                }
            }
        };
        let mut resp = body.into_response();
        resp.set_status(status);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            resp.headers_mut().insert(
                poem::http::header::RETRY_AFTER,
                poem::http::HeaderValue::from(*retry_after_secs),
            );
        }
        resp
    }
}
