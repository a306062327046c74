//! Spotify Insights Hub: explore a Spotify audio-features dataset in the browser.
//!
//! Layers, each naming only those below it (`layering` checks it): `web` (HTTP) →
//! `cache` → the domain (`catalog`, `matching`, `accounts`) → `db` → `model` (the
//! catalog's plain values), `error`, `config` and other leaves. `app(state)` is the
//! application factory: the binary and the tests build the same router through it.

pub mod accounts;
pub mod allocator;
pub mod binary;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod db;
pub mod decimal;
pub mod error;
#[cfg(test)]
mod layering;
pub mod listing;
pub mod matching;
pub mod memory;
pub mod model;
#[cfg(test)]
mod proptest_regressions;
pub mod quoted;
pub mod repeated_failure;
#[cfg(test)]
mod test_log;
pub mod typed_name;
pub mod web;
pub mod whole_number;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use web::{app, AppState};
