//! Several servers over PostgreSQL keep their session caches only because each hears
//! the others' session writes. This checks that path on its own, in a test binary of
//! its own (no other test writes sessions meanwhile): a write announced through another
//! connection, as another server would, makes this process's cached loads stale.
//! Skipped without TEST_DATABASE_URL.

mod common;

use std::time::{Duration, Instant};

use common::postgres_or_skip;
use diesel::{Connection, PgConnection};
use insights_hub::db::{sessions, DbConnection};

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 5 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn another_servers_session_write_stales_this_servers_cache() {
    let Some(url) = postgres_or_skip("another_servers_session_write_stales_this_servers_cache")
    else {
        return;
    };
    assert!(
        !sessions::others_heard(),
        "nothing listens before it is started"
    );
    sessions::listen_for_other_servers(&url).expect("start the listener");
    wait_for("listening", sessions::others_heard);
    std::thread::sleep(Duration::from_millis(100));
    let before = sessions::writes();
    // Nothing announced: the counter stays where it is.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(sessions::writes(), before, "no write, no staleness");

    // "Another server": its own connection, announcing as `db::sessions` does after a
    // write. This process's own counter is not touched by it, only the listener can move it.
    let other = PgConnection::establish(&url).expect("connect");
    let mut other = DbConnection::Pg(other);
    sessions::announce(&mut other).expect("announce");
    wait_for("the cached loads going stale", || {
        sessions::writes() > before
    });

    // Named in pg_stat_activity, as the pool's connections are: with several servers,
    // an operator tells whose listener it is.
    let DbConnection::Pg(other) = &mut other else {
        unreachable!("made above")
    };
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Named {
        #[diesel(sql_type = diesel::sql_types::Text)]
        application_name: String,
    }
    let listeners: Vec<Named> = diesel::sql_query(
        "SELECT application_name FROM pg_stat_activity WHERE query LIKE 'LISTEN %'",
    )
    .load(other)
    .expect("pg_stat_activity");
    let ours = format!("insights-hub pid {}", std::process::id());
    assert!(
        listeners.iter().any(|l| l.application_name == ours),
        "{:?}",
        listeners
            .iter()
            .map(|l| &l.application_name)
            .collect::<Vec<_>>()
    );
}
