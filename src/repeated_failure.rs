//! Logging a failure that repeats, such as the database being unreachable: the first
//! time, then once per `EVERY` with how many times it failed meanwhile, and once more
//! when it works again. The pool, the session listener (retrying every second) and the
//! catalog watcher (every two seconds) each logged every failure, over three lines
//! (libpq's "Is the server running on that host..."): thousands of lines a minute.

use std::time::{Duration, Instant};

/// How often a failure that goes on is logged again.
pub const EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct RepeatedFailure {
    last_logged: Option<Instant>,
    /// Failures since the last one logged.
    unlogged: u64,
    failing: bool,
}

impl RepeatedFailure {
    /// A failure at `now`: `Some(failures since the last line)` when a line is due.
    pub fn failed(&mut self, now: Instant) -> Option<u64> {
        self.failing = true;
        if self
            .last_logged
            .is_some_and(|at| now.duration_since(at) < EVERY)
        {
            self.unlogged += 1;
            return None;
        }
        self.last_logged = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }

    /// A success: whether it ends a run of failures (then worth a line).
    pub fn succeeded(&mut self) -> bool {
        let was = self.failing;
        *self = RepeatedFailure::default();
        was
    }
}

/// An error's text on one line (libpq's messages span several).
pub fn single_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_told_once_then_every_half_minute_and_its_end_once() {
        let mut failure = RepeatedFailure::default();
        let start = Instant::now();
        assert!(!failure.succeeded(), "nothing had failed");
        assert_eq!(failure.failed(start), Some(0));
        for second in 1..30 {
            assert_eq!(failure.failed(start + Duration::from_secs(second)), None);
        }
        assert_eq!(failure.failed(start + EVERY), Some(29));
        assert!(failure.succeeded());
        assert!(!failure.succeeded());
        assert_eq!(
            failure.failed(start + EVERY),
            Some(0),
            "a new run is told at once"
        );
        assert_eq!(single_line("a\n\tb  c\n"), "a b c");
        // With no success told between (requests answered 503), the failures not told
        // yet come with the next line, minutes later: "since the last line", not "in
        // the last 30 s", is what callers say of them.
        let mut failure = RepeatedFailure::default();
        assert_eq!(failure.failed(start), Some(0));
        for second in 1..6 {
            assert_eq!(failure.failed(start + Duration::from_secs(second)), None);
        }
        assert_eq!(failure.failed(start + Duration::from_secs(200)), Some(5));
    }
}
