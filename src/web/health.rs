//! Liveness probe. The server only listens once the database is open and migrated, so
//! answering at all means ready; it touches nothing else to stay a true ceiling.

use poem::handler;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}
