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

    // A connection gone deaf without failing (its backend stopped, as a firewall that
    // forgets it would leave it): within a few seconds this process no longer counts
    // on hearing the others, and reads sessions from the database. Stopping another
    // user's process needs the right to signal it: where the test may not (not root),
    // this part is skipped, saying so.
    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let backend: Backend = diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' \
         AND application_name = '{ours}'"
    ))
    .get_result(other)
    .expect("the listener's backend");
    let signal = |name: &str| {
        std::process::Command::new("kill")
            .args([name, &backend.pid.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !signal("-STOP") {
        eprintln!("skipped: cannot stop the listener's backend (needs the right to signal it)");
        return;
    }
    let stopped = Instant::now();
    let deaf = || !sessions::others_heard();
    let heard_of = {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if deaf() || Instant::now() > deadline {
                break deaf();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let took = stopped.elapsed();
    assert!(signal("-CONT"), "the backend goes on");
    assert!(
        heard_of,
        "a deaf listener still counted as hearing after 5 s"
    );
    assert!(took < Duration::from_secs(4), "noticed after {took:?}");
    wait_for("listening again", sessions::others_heard);
}
