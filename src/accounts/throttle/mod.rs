//! Throttling of log-in and sign-up attempts (ASVS 2.2.1): guessing stays slow, and
//! no stranger can lock the owner out of their account.
//!
//! A log-in attempt is checked against three counts of recent failures:
//! - per username and client address together: 5 in 15 minutes, then that address must
//!   wait before trying that name again (one guesser is stopped);
//! - per client address over all usernames: 20 in 15 minutes (one address trying a
//!   password against many accounts is stopped);
//! - per username from all addresses: 60 in an hour for free, then each attempt waits
//!   after the latest failure, 1 s, 2 s, 4 s, ... up to 15 minutes (a guesser spread
//!   over many addresses gets about 70 guesses an hour, and nobody is locked out).
//!
//! A stranger's wrong passwords therefore never block the owner's own address, and
//! block any address only once the name is under a distributed attack. Even then an
//! address that this username logged in from in the last 30 days skips the
//! username's backoff.
//!
//! Sign-up attempts that pass validation (each tells whether a name is taken, or
//! creates an account) are counted per client address: 20 in 15 minutes.
//!
//! The rules are pure functions (`policy`) over the times kept by a `ThrottleStore`.
//! `MemoryStore` keeps them per process (one SQLite server); `SharedStore` keeps them
//! in the database, so several servers over one PostgreSQL database count together.

mod in_flight;
mod memory;
pub mod policy;
mod shared;

use std::{
    net::IpAddr,
    time::{Duration, SystemTime},
};

pub use memory::MemoryStore;
pub use policy::{Backoff, Limit, Policy};
pub use shared::SharedStore;

/// Keys remembered per scope before the least recently seen are forgotten.
pub const MAX_KEYS: usize = 10_000;

/// How long a log-in counted up front may be having its password checked: the hashes
/// of a burst queue behind the hasher's bound, which a flood of guesses from many
/// addresses can make long. A mark older than this (a check that ended without settling
/// it) is ignored.
pub const IN_FLIGHT: Duration = Duration::from_secs(60);

/// When to try again after a refusal that only attempts in flight caused.
pub const BUSY_RETRY: Duration = Duration::from_secs(2);

/// A refused attempt: how long to wait, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub wait: Duration,
    /// Refused only because of this address's log-ins whose passwords this server is
    /// still checking, not failures: a class behind one address logging in at once.
    /// Without them the attempt would go, so the wait is short (`BUSY_RETRY`), and
    /// nobody is told of failed attempts there may not have been. (Log-ins in flight on
    /// another server behind the same balancer are not known here: those refusals are
    /// worded as before.)
    pub busy: bool,
}

impl Refusal {
    pub fn failures(wait: Duration) -> Refusal {
        Refusal { wait, busy: false }
    }
}

/// What a key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Failed log-ins per client address and username (key: `pair_key`).
    Pair,
    /// Failed log-ins per client address.
    Client,
    /// Failed log-ins per username key.
    Username,
    /// Successful log-ins per client address and username (key: `pair_key`).
    Trusted,
    /// Sign-up attempts per client address.
    SignUp,
}

impl Scope {
    pub const COUNT: usize = 5;
    pub const ALL: [Scope; Scope::COUNT] = [
        Scope::Pair,
        Scope::Client,
        Scope::Username,
        Scope::Trusted,
        Scope::SignUp,
    ];

    /// How many of a key's newest entries the policy looks at, and for how long.
    pub fn retention(self, policy: &Policy) -> (usize, Duration) {
        match self {
            Scope::Pair => (policy.pair.keep(), policy.pair.window),
            Scope::Client => (policy.client.keep(), policy.client.window),
            Scope::Username => (policy.username.keep(), policy.username.window),
            Scope::Trusted => (1, policy.trusted_for),
            Scope::SignUp => (policy.sign_up.keep(), policy.sign_up.window),
        }
    }
}

/// The times of recent attempts, per scope and key, as a store holds them.
pub trait Counters {
    /// The times under `key`, oldest first. Entries older than the scope's window may
    /// be included; the rules ignore them.
    fn entries(&mut self, scope: Scope, key: &str) -> Vec<SystemTime>;
    /// Adds the time `at` under `key` (the store may drop entries the scope no longer
    /// needs: see `Scope::retention`).
    fn push(&mut self, scope: Scope, key: &str, at: SystemTime);
    /// Removes one entry equal to `at`, if there is one.
    fn take_back(&mut self, scope: Scope, key: &str, at: SystemTime);
    /// Forgets `key`.
    fn clear(&mut self, scope: Scope, key: &str);
}

/// Where the counters live. `with_counters` must give `f` the counters to itself: a
/// burst of parallel attempts must not all read the counts before any writes them. It
/// may run `f` twice (the shared store, when the database fails midway, decides again
/// on this process's counts), so whatever else `f` does must be done once.
pub trait ThrottleStore: Send + Sync {
    fn with_counters<R>(&self, f: impl FnMut(&mut dyn Counters) -> R) -> R;
}

/// The key for a username tried from a client address. Client keys never contain a
/// space (see `client_key`), so the pair cannot be confused with another.
fn pair_key(username_key: &str, client: &str) -> String {
    format!("{client} {username_key}")
}

/// Where a server's throttle counts: its memory, or the shared database.
pub enum Store {
    Memory(MemoryStore),
    Shared(SharedStore),
}

impl ThrottleStore for Store {
    fn with_counters<R>(&self, f: impl FnMut(&mut dyn Counters) -> R) -> R {
        match self {
            Store::Memory(store) => store.with_counters(f),
            Store::Shared(store) => store.with_counters(f),
        }
    }
}

/// The log-in and sign-up throttle over a store.
pub struct Throttle<S = Store> {
    policy: Policy,
    store: S,
    in_flight: in_flight::InFlight,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::in_memory(policy::DEFAULT, MAX_KEYS)
    }
}

impl Throttle<Store> {
    pub fn in_memory(policy: Policy, max_keys: usize) -> Throttle {
        Throttle {
            store: Store::Memory(MemoryStore::new(&policy, max_keys)),
            policy,
            in_flight: Default::default(),
        }
    }

    /// Whether a step waits on the database (the shared store), and so belongs off the
    /// async workers.
    pub fn blocks(&self) -> bool {
        matches!(self.store, Store::Shared(_))
    }

    /// Counts in the database behind `pool`, shared by every server over it.
    pub fn shared(policy: Policy, pool: crate::db::DbPool) -> Throttle {
        Throttle {
            store: Store::Shared(SharedStore::new(pool, &policy)),
            policy,
            in_flight: Default::default(),
        }
    }
}

impl<S: ThrottleStore> Throttle<S> {
    pub fn with_store(policy: Policy, store: S) -> Throttle<S> {
        Throttle {
            policy,
            store,
            in_flight: Default::default(),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Checks a log-in attempt for `username_key` from `client` and, if it may go,
    /// counts it as a failure up front, in one step: a burst of parallel guesses gets
    /// no more tries than the limits, though none has failed yet. It is also marked in
    /// flight until `end_in_flight`, whatever its outcome. A refusal that only this
    /// address's attempts in flight cause is `busy`: 26 correct log-ins at once from one
    /// address had told six of them "Too many failed attempts … try again in 15
    /// minutes". Any other refusal gives the wait its settled failures alone set.
    pub fn begin_log_in(
        &self,
        username_key: &str,
        client: &str,
        now: SystemTime,
    ) -> Result<(), Refusal> {
        let pair = pair_key(username_key, client);
        let policy = &self.policy;
        // Marked under the counters' lock, as the counts are (a parallel attempt that
        // saw this one's counts but not its mark was told "failures", not "busy"), and
        // once, should the store decide again on its memory (`ThrottleStore`).
        let mut marked = false;
        self.store.with_counters(|counters| {
            let trusted = policy::is_trusted(policy, &counters.entries(Scope::Trusted, &pair), now);
            let pair_times = counters.entries(Scope::Pair, &pair);
            let client_times = counters.entries(Scope::Client, client);
            let username_times = counters.entries(Scope::Username, username_key);
            let wait_for = |pair: &[SystemTime], client: &[SystemTime]| {
                policy::log_in_wait(policy, pair, client, &username_times, trusted, now)
            };
            if wait_for(&pair_times, &client_times).is_some() {
                // Without this address's attempts in flight: the username's count is
                // filled from many addresses by a guesser, whose refusal must say so.
                let settled_pair = without(&pair_times, &self.in_flight.under(&pair, now));
                let settled_client = without(&client_times, &self.in_flight.under(client, now));
                return Err(match wait_for(&settled_pair, &settled_client) {
                    None => Refusal {
                        wait: BUSY_RETRY,
                        busy: true,
                    },
                    // The wait the failures set: the attempts in flight may yet
                    // succeed, and once they fail they are counted at the next try.
                    Some(settled) => Refusal::failures(settled),
                });
            }
            counters.push(Scope::Pair, &pair, now);
            counters.push(Scope::Client, client, now);
            counters.push(Scope::Username, username_key, now);
            if !marked {
                self.in_flight.mark([&pair, client], now);
                marked = true;
            }
            Ok(())
        })
    }

    /// The log-in `begin_log_in` admitted at `began` is no longer being checked: it
    /// succeeded, failed, or ended unchecked (each also told to the counts), or its
    /// request was dropped. In memory only, so it is cheap enough for a `Drop`.
    pub fn end_in_flight(&self, username_key: &str, client: &str, began: SystemTime) {
        self.in_flight
            .end([&pair_key(username_key, client), client], began);
    }

    /// After a successful log-in that `begin_log_in` counted at `began`: the failures of
    /// this username from this address (the owner's own typos) are forgotten, the
    /// address and the username get back the one attempt, and the pair is trusted from
    /// now on. Other failures stay: otherwise an attacker could reset an address's count
    /// by logging in to an account of their own between guesses, and the owner's log-in
    /// would reset a distributed attacker's count against their name.
    pub fn log_in_succeeded(&self, username_key: &str, client: &str, began: SystemTime) {
        let pair = pair_key(username_key, client);
        self.store.with_counters(|counters| {
            counters.clear(Scope::Pair, &pair);
            counters.take_back(Scope::Client, client, began);
            counters.take_back(Scope::Username, username_key, began);
            counters.push(Scope::Trusted, &pair, began);
        });
    }

    /// After a sign-up from `client` created the account `username_key`: signing up
    /// logs the owner in, so the address is the owner's as a log-in's would be. Without
    /// this, an owner who had only ever signed up there was delayed at home by
    /// strangers' guessing once their session ended.
    pub fn signed_up(&self, username_key: &str, client: &str, now: SystemTime) {
        let pair = pair_key(username_key, client);
        self.store.with_counters(|counters| {
            counters.push(Scope::Trusted, &pair, now);
        });
    }

    /// After a log-in that `begin_log_in` counted at `began` ended before its password
    /// was checked (the database did not answer): no guess was made, so nothing is
    /// counted. Without this, the owner retrying through a database outage was told
    /// "Too many failed attempts … try again in 15 minutes".
    pub fn log_in_unchecked(&self, username_key: &str, client: &str, began: SystemTime) {
        let pair = pair_key(username_key, client);
        self.store.with_counters(|counters| {
            counters.take_back(Scope::Pair, &pair, began);
            counters.take_back(Scope::Client, client, began);
            counters.take_back(Scope::Username, username_key, began);
        });
    }

    /// Checks and counts a sign-up attempt from `client`. `Err(wait)`: refused.
    pub fn begin_sign_up(&self, client: &str, now: SystemTime) -> Result<(), Duration> {
        let limit = self.policy.sign_up;
        self.store.with_counters(|counters| {
            if let Some(wait) = limit.wait(&counters.entries(Scope::SignUp, client), now) {
                return Err(wait);
            }
            counters.push(Scope::SignUp, client, now);
            Ok(())
        })
    }
}

/// `times` with one entry taken out for each of `taken` (the same times, pushed
/// together), compared to the millisecond: the shared store keeps no finer, while the
/// marks in memory keep the time as it was.
fn without(times: &[SystemTime], taken: &[SystemTime]) -> Vec<SystemTime> {
    let millis = |t: &SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    };
    let mut left = times.to_vec();
    for at in taken {
        if let Some(i) = left.iter().position(|t| millis(t) == millis(at)) {
            left.remove(i);
        }
    }
    left
}

/// The address a client is counted under (`client_key`'s grouping, as an address, for
/// the per-address connection cap): an IPv4 address as it is, an IPv6 one by its /64
/// network with the rest zeroed, an IPv4-mapped IPv6 one as its IPv4 address.
pub fn client_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !u128::from(u64::MAX),
            )),
        },
    }
}

/// The key a client address is counted under. IPv6 addresses are grouped by their /64
/// network, which one subscriber usually gets whole: counting single addresses would
/// give an attacker 2^64 fresh ones.
pub fn client_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn throttle() -> Throttle {
        Throttle::default()
    }

    /// Fails `count` attempts for `name`, each from its own address.
    fn distributed(t: &Throttle, name: &str, count: usize, now: SystemTime) {
        for i in 0..count {
            let client = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
            assert_eq!(t.begin_log_in(name, &client, now), Ok(()), "attempt {i}");
        }
    }

    /// The shared store's counts that cannot be read (here its table is gone; on
    /// PostgreSQL a statement timeout or a dropped connection) stop no attempt less:
    /// each is decided on this process's counts, as while the database is down. A read
    /// that failed had counted as no attempts, and every guess was let through.
    #[test]
    fn a_shared_store_whose_reads_fail_still_stops_the_sixth_guess() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pool = crate::db::open(dir.path().join("t.db")).expect("pool");
        {
            let mut conn = pool.get().expect("connection");
            crate::db::with_backend!(&mut *conn, c => diesel::RunQueryDsl::execute(
                diesel::sql_query("DROP TABLE throttle_attempts"),
                c
            ))
            .expect("drop the counts");
        }
        let t = Throttle::shared(policy::DEFAULT, pool);
        let start = t0();
        for i in 0..5 {
            assert_eq!(t.begin_log_in("ada", "1.2.3.4", start + i * MIN), Ok(()));
            t.end_in_flight("ada", "1.2.3.4", start + i * MIN);
        }
        assert!(t.begin_log_in("ada", "1.2.3.4", start + 5 * MIN).is_err());
    }

    #[test]
    fn one_address_is_stopped_after_five_failures_for_a_name_until_the_window_passes() {
        let t = throttle();
        let start = t0();
        for i in 0..5 {
            assert_eq!(t.begin_log_in("ada", "1.2.3.4", start + i * MIN), Ok(()));
        }
        // Released when the first failure is 15 minutes old.
        assert_eq!(
            t.begin_log_in("ada", "1.2.3.4", start + 5 * MIN),
            Err(Refusal::failures(10 * MIN))
        );
        assert_eq!(t.begin_log_in("ada", "1.2.3.4", start + 15 * MIN), Ok(()));
    }

    #[test]
    fn a_strangers_failures_do_not_lock_the_owner_out() {
        for strangers_guesses in [5, 50] {
            let t = throttle();
            let now = t0();
            // From one address (as far as it is allowed) and from many.
            for _ in 0..5 {
                let _ = t.begin_log_in("ada", "6.6.6.6", now);
            }
            distributed(&t, "ada", strangers_guesses - 5, now);
            assert_eq!(
                t.begin_log_in("ada", "192.0.2.7", now),
                Ok(()),
                "after {strangers_guesses} wrong guesses"
            );
            t.log_in_succeeded("ada", "192.0.2.7", now);
        }
    }

    #[test]
    fn one_address_is_stopped_across_usernames() {
        let t = throttle();
        let now = t0();
        for i in 0..20 {
            assert_eq!(t.begin_log_in(&format!("user{i}"), "1.2.3.4", now), Ok(()));
        }
        for i in 0..20 {
            t.end_in_flight(&format!("user{i}"), "1.2.3.4", now);
        }
        assert_eq!(
            t.begin_log_in("someone-new", "1.2.3.4", now),
            Err(Refusal::failures(15 * MIN))
        );
        assert_eq!(t.begin_log_in("someone-new", "1.2.3.5", now), Ok(()));
    }

    /// Log-ins sent at the same moment from one address (a class behind one NAT) are
    /// each counted until their password checks out: the ones beyond the limit are
    /// refused for a moment, not for 15 minutes, and told why.
    #[test]
    fn a_burst_of_log_ins_in_flight_is_refused_briefly_and_told_so() {
        let t = throttle();
        let now = t0();
        for i in 0..20 {
            assert_eq!(t.begin_log_in(&format!("pupil{i}"), "1.2.3.4", now), Ok(()));
        }
        let busy = Refusal {
            wait: BUSY_RETRY,
            busy: true,
        };
        assert_eq!(t.begin_log_in("pupil20", "1.2.3.4", now), Err(busy));
        // One person's five tabs at once: the sixth likewise.
        for _ in 0..5 {
            assert_eq!(t.begin_log_in("ada", "5.6.7.8", now), Ok(()));
        }
        assert_eq!(t.begin_log_in("ada", "5.6.7.8", now), Err(busy));
        // The first log-ins succeed in the meantime, and the wait was enough.
        for i in 0..5 {
            t.log_in_succeeded(&format!("pupil{i}"), "1.2.3.4", now);
            t.end_in_flight(&format!("pupil{i}"), "1.2.3.4", now);
        }
        let retry = now + BUSY_RETRY;
        for i in 20..25 {
            assert_eq!(
                t.begin_log_in(&format!("pupil{i}"), "1.2.3.4", retry),
                Ok(())
            );
        }
        // No more than the limit in flight, so a burst of guesses gets no more tries.
        assert_eq!(t.begin_log_in("pupil25", "1.2.3.4", retry), Err(busy));
        // Once they have failed, the address is refused for its failures, at once.
        for i in 5..25 {
            t.end_in_flight(
                &format!("pupil{i}"),
                "1.2.3.4",
                if i < 20 { now } else { retry },
            );
        }
        assert_eq!(
            t.begin_log_in("pupil25", "1.2.3.4", retry),
            Err(Refusal::failures(15 * MIN - BUSY_RETRY))
        );
        // A mark whose check never ended lapses.
        assert_eq!(t.begin_log_in("ada", "9.9.9.9", now), Ok(()));
        for _ in 0..4 {
            assert_eq!(t.begin_log_in("ada", "9.9.9.9", now), Ok(()));
        }
        let lapsed = now + IN_FLIGHT;
        assert_eq!(
            t.begin_log_in("ada", "9.9.9.9", lapsed),
            Err(Refusal::failures(15 * MIN - IN_FLIGHT))
        );
        // Ended marks are forgotten: those left are the five that lapsed and the five
        // "ada" tabs never ended, under the pair and under the client.
        assert_eq!(t.in_flight.key_count(), 4);
    }

    /// A refusal the settled failures cause gives their wait, not one that log-ins
    /// still in flight add: a class logging in while a guesser is held back on one of
    /// its names was told 15 minutes, where an idle address was told 15 seconds.
    #[test]
    fn marks_meet_the_counts_to_the_millisecond() {
        let at = t0() + Duration::from_nanos(1_234_567);
        let stored = t0() + Duration::from_millis(1);
        assert!(without(&[stored, stored], &[at]).len() == 1);
        assert_eq!(
            without(&[stored], &[at + Duration::from_millis(1)]),
            [stored]
        );
    }

    #[test]
    fn a_refusal_for_failures_gives_the_failures_wait() {
        let t = throttle();
        let now = t0();
        // Four failures from this address for "bob", settled.
        for _ in 0..4 {
            assert_eq!(t.begin_log_in("bob", "1.2.3.4", now), Ok(()));
            t.end_in_flight("bob", "1.2.3.4", now);
        }
        // Now one more in flight makes five: the sixth is refused. The settled four
        // would let it go, so it is told to try again shortly.
        assert_eq!(t.begin_log_in("bob", "1.2.3.4", now), Ok(()));
        assert!(t.begin_log_in("bob", "1.2.3.4", now).is_err_and(|r| r.busy));
        // Settled as a failure, the five hold the name for the window, and say so.
        t.end_in_flight("bob", "1.2.3.4", now);
        let later = now + MIN;
        assert_eq!(
            t.begin_log_in("bob", "1.2.3.4", later),
            Err(Refusal::failures(14 * MIN))
        );
    }

    #[test]
    fn a_distributed_guesser_meets_growing_delays_and_the_owners_address_does_not() {
        let t = throttle();
        let now = t0();
        // The owner logged in from home yesterday.
        let yesterday = now - 24 * 60 * MIN;
        assert_eq!(t.begin_log_in("ada", "192.0.2.7", yesterday), Ok(()));
        t.log_in_succeeded("ada", "192.0.2.7", yesterday);

        distributed(&t, "ada", 60, now);
        let fresh = |i: u32| format!("203.0.113.{i}");
        assert_eq!(
            t.begin_log_in("ada", &fresh(1), now),
            Err(Refusal::failures(Duration::from_secs(1)))
        );
        let mut at = now + Duration::from_secs(1);
        let mut waits = Vec::new();
        for i in 2..8 {
            assert_eq!(t.begin_log_in("ada", &fresh(i), at), Ok(()));
            let Err(Refusal { wait, .. }) = t.begin_log_in("ada", &fresh(100 + i), at) else {
                panic!("attempt right after {i} was allowed");
            };
            waits.push(wait.as_secs());
            at += wait;
        }
        assert_eq!(waits, [2, 4, 8, 16, 32, 64]);
        // Other names are not affected, and the owner's usual address still gets in.
        assert_eq!(t.begin_log_in("grace", &fresh(1), at), Ok(()));
        assert_eq!(t.begin_log_in("ada", "192.0.2.7", at), Ok(()));
        t.log_in_succeeded("ada", "192.0.2.7", at);
    }

    /// Signing up logs the owner in: the address is theirs as a log-in's would be.
    #[test]
    fn the_address_an_account_was_made_from_is_the_owners() {
        let t = throttle();
        let now = t0();
        let yesterday = now - 24 * 60 * MIN;
        t.signed_up("ada", "192.0.2.7", yesterday);
        distributed(&t, "ada", 60, now);
        assert!(t.begin_log_in("ada", "203.0.113.1", now).is_err());
        assert_eq!(t.begin_log_in("ada", "192.0.2.7", now), Ok(()));
    }

    #[test]
    fn success_clears_the_pair_and_gives_back_only_its_own_attempt() {
        let t = throttle();
        let now = t0();
        for i in 0..4 {
            assert_eq!(t.begin_log_in(&format!("x{i}"), "1.2.3.4", now), Ok(()));
        }
        for _ in 0..4 {
            assert_eq!(t.begin_log_in("mine", "1.2.3.4", now), Ok(()));
        }
        let began = now + MIN;
        assert_eq!(t.begin_log_in("mine", "1.2.3.4", began), Ok(()));
        t.log_in_succeeded("mine", "1.2.3.4", began);
        // The owner's own typos are forgotten: five more tries for this name here.
        // The address keeps its eight failures: 12 more of its 20.
        for i in 0..12 {
            let name = if i < 5 {
                "mine".to_string()
            } else {
                format!("y{i}")
            };
            assert_eq!(t.begin_log_in(&name, "1.2.3.4", began), Ok(()), "{i}");
        }
        assert!(t.begin_log_in("z", "1.2.3.4", began).is_err());
    }

    #[test]
    fn a_burst_of_parallel_attempts_gets_no_more_than_the_limit() {
        let t = throttle();
        let now = t0();
        // Nothing has failed yet (the hashes are still running), but each attempt
        // already counts.
        let allowed = (0..10)
            .filter(|_| t.begin_log_in("ada", "1.2.3.4", now).is_ok())
            .count();
        assert_eq!(allowed, 5);
    }

    #[test]
    fn sign_ups_are_limited_per_address() {
        let t = throttle();
        let now = t0();
        for _ in 0..20 {
            assert_eq!(t.begin_sign_up("1.2.3.4", now), Ok(()));
        }
        assert_eq!(t.begin_sign_up("1.2.3.4", now + MIN), Err(14 * MIN));
        assert_eq!(t.begin_sign_up("1.2.3.5", now + MIN), Ok(()));
        assert_eq!(t.begin_sign_up("1.2.3.4", now + 15 * MIN), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_grouped_by_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_ne!(client_key(Some(a)), client_key(Some(c)));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_key(Some(mapped)), "192.0.2.1");
        assert_eq!(client_key(None), "unknown");
    }
}
