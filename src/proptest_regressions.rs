//! Where the property tests keep the failing cases they found (tests only).
//!
//! proptest's default writes them to `proptest-regressions/` at the repository's top
//! level, which the project layout does not have; here they go to
//! `tests/proptest-regressions/`, mirroring the source tree below `src/`, and are
//! checked in so that every run replays them before any new case.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `config` with its failures kept under `tests/proptest-regressions/`.
pub(crate) fn kept(config: Config) -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "tests/proptest-regressions",
        ))),
        ..config
    }
}
