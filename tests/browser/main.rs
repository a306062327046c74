//! End-to-end tests in headless Chromium against a real server on 127.0.0.1.
//!
//! They need Chromium and chromedriver (`apt-get install -y chromium chromium-driver`),
//! so a plain `cargo test` skips them. Run them with
//! `cargo test --test browser -- --ignored --test-threads=1`.

mod a11y;
mod artists;
mod auth;
mod charts;
mod genres;
mod harness;
mod home;
mod perfect_song;
mod print;
mod seeds;
mod tour;
