//! Builds the genre profiles right after the server starts and after every import it
//! sees. They are one read of every track, and were made by the first request that
//! needed them: the home page, which then waited 2.9 s at a million tracks of the
//! TidyTuesday layout (0.9 s at 1.2 million of the Kaggle one). A request that comes
//! while the warm-up builds waits for that same build (it is made once per version).
//!
//! The track facts, the other whole-catalog read, stay built on first use: kept, they
//! are 18 MiB more resident at 1.2 million tracks from the start, where the profiles
//! left no more than they took (136 MiB settled with or without them), and only pages
//! that filter or group by song need them.

use std::{sync::Arc, time::Duration};

use super::CatalogCaches;
use crate::{catalog::live::LiveCatalog, db::DbPool, repeated_failure::RepeatedFailure};

/// How long a version whose build failed waits before it is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Looks every `every` for a catalog version not yet warmed, and warms it. The first
/// look is at once.
pub fn spawn(
    caches: Arc<CatalogCaches>,
    catalog: Arc<LiveCatalog>,
    pool: DbPool,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut warmed = None;
        let mut failure = RepeatedFailure::default();
        // The version whose build last failed, and when: tried again only after
        // `RETRY_AFTER`, so that a build that keeps failing (seconds of work at a
        // million tracks) is not started again at every look.
        let mut failed: Option<(i64, std::time::Instant)> = None;
        loop {
            ticker.tick().await;
            let version = catalog.current().meta.version;
            if warmed == Some(version) {
                continue;
            }
            if failed.is_some_and(|(v, at)| v == version && at.elapsed() < RETRY_AFTER) {
                continue;
            }
            // A version that moved on meanwhile fails with `CatalogMoved`; the next
            // look warms the new one.
            match caches.genres(&pool, version).await {
                Ok(_) => {
                    warmed = Some(version);
                    failure.succeeded();
                }
                Err(error) => {
                    failed = Some((version, std::time::Instant::now()));
                    if let Some(more) = failure.failed(std::time::Instant::now()) {
                        tracing::debug!(%error, failed_since_last_said = more, "cache warm-up failed; tried again later");
                    }
                }
            }
        }
    })
}
