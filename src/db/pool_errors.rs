//! How the pool reports the connections it failed to open.
//!
//! r2d2's own handler logs every failed attempt, and while PostgreSQL is down it retries
//! several times a second for each request waiting on the pool: one outage of about a
//! minute wrote 2,314 ERROR entries, each over three lines (libpq's "Is the server
//! running on that host..."), burying everything else. This one logs the first failure
//! on one line, then at most one line per `repeated_failure::EVERY` saying how many
//! more failed since. (The pool tells of failures only, so no line says when the
//! database is back; requests simply succeed again.) A failure is one to open a
//! connection or one found broken when taken (the server restarted): "cannot connect"
//! said the first of a restart that dropped every connection the pool held.

use std::{
    sync::{Mutex, PoisonError},
    time::Instant,
};

use crate::{config::Database, repeated_failure::RepeatedFailure};

#[derive(Debug)]
pub struct QuietErrors {
    database: Database,
    failure: Mutex<RepeatedFailure>,
}

impl QuietErrors {
    pub fn new(database: Database) -> QuietErrors {
        QuietErrors {
            database,
            failure: Mutex::new(RepeatedFailure::default()),
        }
    }

    /// The line to log for a failure at `now`, if one is due.
    fn line(&self, error: &str, now: Instant) -> Option<String> {
        let unlogged = self
            .failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failed(now)?;
        let message = super::one_line(error, &self.database);
        Some(match unlogged {
            0 => format!("database connection failed: {message}"),
            n => format!("database connection failed: {message} ({n} more attempts failed since the last such line)"),
        })
    }
}

impl<E: std::fmt::Display> diesel::r2d2::HandleError<E> for QuietErrors {
    fn handle_error(&self, error: E) {
        if let Some(line) = self.line(&error.to_string(), Instant::now()) {
            tracing::error!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_first_failure_is_logged_on_one_line_then_one_line_each_half_minute() {
        let quiet = QuietErrors::new(Database::Postgres(
            "postgres://hub:s3cret-pw@127.0.0.1:1/hub".into(),
        ));
        let start = Instant::now();
        let error = "connection to server failed: Connection refused\n\tIs the server running on that host? password s3cret-pw";
        let first = quiet.line(error, start).expect("the first is logged");
        assert_eq!(
            first,
            "database connection failed: connection to server failed: Connection refused \
             Is the server running on that host? password ***"
        );
        for second in 1..=29 {
            assert_eq!(quiet.line(error, start + Duration::from_secs(second)), None);
        }
        let later = quiet
            .line(error, start + Duration::from_secs(30))
            .expect("half a minute on");
        assert!(
            later.ends_with("(29 more attempts failed since the last such line)"),
            "{later}"
        );
    }
}
