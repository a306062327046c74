//! One error type for the whole app. Every layer returns `AppResult<T>`. The error says
//! what went wrong and what may be shown to the user; it knows nothing of HTTP or HTML:
//! `web::errors` turns it into a page, an htmx fragment or JSON. Internal details are
//! logged there, never shown.

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
    /// The request (its body, a header, a file) is larger than the app accepts (413).
    #[error("{0}")]
    TooLarge(String),
    /// The address (path and query) is longer than the app accepts (414).
    #[error("{0}")]
    AddressTooLong(String),
    /// The request's headers are larger than the app accepts (431).
    #[error("{0}")]
    HeadersTooLarge(String),
    /// The request did not arrive in the time the server gives it, e.g. a body that
    /// stopped short of its declared length (408).
    #[error("{0}")]
    RequestTimeout(String),
    /// Too many attempts; try again after the given number of seconds (429).
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// The database took the request's work but gave no answer in time (a server that
    /// hangs, or a network that drops its packets): `db::run` stops waiting.
    #[error("the database did not answer within {} s", .0.as_secs())]
    Unanswered(std::time::Duration),
    /// An import replaced the catalog while the answer was being made: what the
    /// served snapshot holds and what the database now holds are two catalogs, and
    /// mixing them showed another catalog's tracks, or "Track #5674" for a title. Not a
    /// failure: the new catalog is being loaded, and the request may be tried again.
    #[error("the catalog changed while the answer was being made")]
    CatalogMoved,
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
}

/// When to try again after `AppError::CatalogMoved`: the new snapshot takes well under
/// a second up to a million tracks read from their cache file, about one built.
pub const CATALOG_MOVED_RETRY_AFTER_SECS: u64 = 1;

/// When to try again after the database did not answer: about the time the pool waits
/// for a connection.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Why a signed-in request wrote nothing: its user's account was deleted after the
/// request's session was read (in another tab, on another server, or by an operator).
pub const ACCOUNT_GONE_MESSAGE: &str =
    "Your account no longer exists (it was deleted while this request was on its way), \
     so nothing was saved.";

impl AppError {
    pub fn internal(message: impl std::fmt::Display) -> Self {
        AppError::Internal(anyhow::anyhow!("{message}"))
    }

    /// A write for a user whose account is gone (`ACCOUNT_GONE_MESSAGE`): refused like
    /// any request the visitor may not make, not reported as our failure.
    pub fn account_gone() -> Self {
        AppError::Forbidden(ACCOUNT_GONE_MESSAGE.to_string())
    }

    /// What the user may read: the message for their own mistakes, a generic sentence
    /// for ours.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(_)
            | AppError::BadRequest(_)
            | AppError::Forbidden(_)
            | AppError::Invalid(_)
            | AppError::TooLarge(_)
            | AppError::AddressTooLong(_)
            | AppError::HeadersTooLarge(_)
            | AppError::RequestTimeout(_)
            | AppError::TooManyRequests { .. } => self.to_string(),
            AppError::CatalogMoved => "An import replaced the catalog while this answer was \
                 being made. The new catalog is being loaded: please try again in a moment."
                .to_string(),
            // The disk is full: nothing can be saved until the operator frees space.
            _ if self.is_disk_full() => {
                "The server cannot save anything right now: its disk is full. Please try again later."
                    .to_string()
            }
            // Given up on after its work was handed over: a write may still commit
            // (`db::run`), and "try again" made a retried sign-up meet "already taken".
            AppError::Unanswered(_) => {
                "The database did not answer in time. If you were saving something, it may \
                 have been saved all the same: reload the page to see before trying again."
                    .to_string()
            }
            // The database is down, unreachable or held by another writer, which the
            // person asking cannot fix, but may wait out.
            _ if self.is_unavailable() => {
                "The database is not answering right now. Please try again in a moment.".to_string()
            }
            _ => "Something went wrong on our side. Please try again.".to_string(),
        }
    }

    /// Whether the request's account was deleted while it was on its way
    /// (`account_gone`): its session is over too.
    pub fn is_account_gone(&self) -> bool {
        matches!(self, AppError::Forbidden(message) if message == ACCOUNT_GONE_MESSAGE)
    }

    /// Whether the database could not be reached or used for a while, rather than
    /// failing: the pool waited in vain for a connection (PostgreSQL down), SQLite's
    /// busy timeout ran out while another process held the file, the server closed
    /// the connection mid-query, or the disk is full (`is_disk_full`; it had answered
    /// 500, though nothing was wrong but the space). Such a request may be tried again.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            AppError::Pool(_) | AppError::Unanswered(_) => true,
            AppError::Database(Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => {
                true
            }
            AppError::Database(Error::DatabaseError(_, info)) => {
                info.message().contains("database is locked") || self.is_disk_full()
            }
            _ => false,
        }
    }

    /// Whether the database refused a write for want of disk space (SQLite's "database
    /// or disk is full"; PostgreSQL's "could not extend file … No space left on device").
    pub fn is_disk_full(&self) -> bool {
        use diesel::result::Error;
        match self {
            AppError::Database(Error::DatabaseError(_, info)) => {
                let message = info.message();
                message.contains("database or disk is full")
                    || message.contains("No space left on device")
            }
            _ => false,
        }
    }

    /// When the request may be tried again, in seconds: a throttle's wait, or about
    /// the time the pool waits for a connection when the database is unavailable.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            AppError::CatalogMoved => Some(CATALOG_MOVED_RETRY_AFTER_SECS),
            _ if self.is_unavailable() => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// Whether the fault is ours (a database or internal error), to be logged.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            AppError::Database(_)
                | AppError::Pool(_)
                | AppError::Unanswered(_)
                | AppError::Internal(_)
        )
    }
}
