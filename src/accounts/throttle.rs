//! Failed log-in attempts, counted per username and per client address over a sliding
//! window. When either count reaches its limit, further attempts are refused before
//! any password is checked, until the oldest failure leaves the window.
//!
//! Kept in memory behind a mutex, not in the database: the counts only matter for
//! minutes, losing them at a restart merely resets the clock, and a failed log in
//! should not cost a write to SQLite's single writer (which an attacker could use to
//! slow everyone down). Each map is bounded, so spraying usernames or addresses cannot
//! exhaust memory. A deployment running several servers would move this to the
//! shared database.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How many failures are allowed within how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: usize,
    pub window: Duration,
}

/// The defaults: 5 failures per username and 20 per client address in 15 minutes. The
/// address limit is higher because many people can share one address (an office, a
/// mobile carrier) and one person's typos should not lock out the rest.
pub const PER_USERNAME: Limit = Limit {
    max_failures: 5,
    window: Duration::from_secs(15 * 60),
};
pub const PER_CLIENT: Limit = Limit {
    max_failures: 20,
    window: Duration::from_secs(15 * 60),
};
/// Keys remembered per map before the least recently failed are forgotten.
pub const MAX_KEYS: usize = 10_000;

pub struct LoginThrottle {
    per_username: Limit,
    per_client: Limit,
    max_keys: usize,
    state: Mutex<Counters>,
}

#[derive(Default)]
struct Counters {
    usernames: HashMap<String, VecDeque<Instant>>,
    clients: HashMap<String, VecDeque<Instant>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(PER_USERNAME, PER_CLIENT, MAX_KEYS)
    }
}

impl LoginThrottle {
    pub fn new(per_username: Limit, per_client: Limit, max_keys: usize) -> LoginThrottle {
        LoginThrottle {
            per_username,
            per_client,
            max_keys: max_keys.max(1),
            state: Mutex::new(Counters::default()),
        }
    }

    /// `Err(wait)` when the username or the client has used up its failures; `wait` is
    /// how long until the next attempt is allowed.
    pub fn check(&self, username_key: &str, client: &str, now: Instant) -> Result<(), Duration> {
        let mut state = self.lock();
        let by_user = blocked_for(&mut state.usernames, username_key, self.per_username, now);
        let by_client = blocked_for(&mut state.clients, client, self.per_client, now);
        match by_user.max(by_client) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Counts one failed attempt against the username and the client.
    pub fn record_failure(&self, username_key: &str, client: &str, now: Instant) {
        let mut state = self.lock();
        let max_keys = self.max_keys;
        record(
            &mut state.usernames,
            username_key,
            self.per_username,
            max_keys,
            now,
        );
        record(&mut state.clients, client, self.per_client, max_keys, now);
    }

    /// Checks and, if allowed, counts the attempt as a failure up front, in one step.
    /// Counting before the password is checked means a burst of parallel guesses gets
    /// no more tries than the limit; `succeeded` takes the count back.
    pub fn begin_attempt(
        &self,
        username_key: &str,
        client: &str,
        now: Instant,
    ) -> Result<(), Duration> {
        let mut state = self.lock();
        let by_user = blocked_for(&mut state.usernames, username_key, self.per_username, now);
        let by_client = blocked_for(&mut state.clients, client, self.per_client, now);
        if let Some(wait) = by_user.max(by_client) {
            return Err(wait);
        }
        let max_keys = self.max_keys;
        record(
            &mut state.usernames,
            username_key,
            self.per_username,
            max_keys,
            now,
        );
        record(&mut state.clients, client, self.per_client, max_keys, now);
        Ok(())
    }

    /// After a successful attempt: the username's failures are forgotten, and the
    /// client gets back the one attempt counted by `begin_attempt`. The client's other
    /// failures stay: otherwise an attacker could reset their address's count by
    /// logging in to an account of their own between guesses.
    pub fn succeeded(&self, username_key: &str, client: &str) {
        let mut state = self.lock();
        state.usernames.remove(username_key);
        if let Some(failures) = state.clients.get_mut(client) {
            failures.pop_back();
            if failures.is_empty() {
                state.clients.remove(client);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        // The counters stay consistent even if a holder panicked: use them as they are.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn prune(failures: &mut VecDeque<Instant>, limit: Limit, now: Instant) {
    while failures
        .front()
        .is_some_and(|first| now.saturating_duration_since(*first) >= limit.window)
    {
        failures.pop_front();
    }
}

fn blocked_for(
    map: &mut HashMap<String, VecDeque<Instant>>,
    key: &str,
    limit: Limit,
    now: Instant,
) -> Option<Duration> {
    let failures = map.get_mut(key)?;
    prune(failures, limit, now);
    if failures.is_empty() {
        map.remove(key);
        return None;
    }
    if failures.len() < limit.max_failures {
        return None;
    }
    // Allowed again once enough failures have aged out to drop below the limit.
    let release_index = failures.len() - limit.max_failures;
    let release = failures[release_index] + limit.window;
    Some(
        release
            .saturating_duration_since(now)
            .max(Duration::from_secs(1)),
    )
}

fn record(
    map: &mut HashMap<String, VecDeque<Instant>>,
    key: &str,
    limit: Limit,
    max_keys: usize,
    now: Instant,
) {
    if !map.contains_key(key) && map.len() >= max_keys {
        make_room(map, limit, max_keys, now);
    }
    let failures = map.entry(key.to_string()).or_default();
    prune(failures, limit, now);
    failures.push_back(now);
    // More than the limit tells us nothing new; keep memory per key bounded.
    while failures.len() > limit.max_failures {
        failures.pop_front();
    }
}

/// Drops expired entries; if the map is still full, forgets the key whose latest
/// failure is oldest (the least likely to be an attack in progress).
fn make_room(
    map: &mut HashMap<String, VecDeque<Instant>>,
    limit: Limit,
    max_keys: usize,
    now: Instant,
) {
    map.retain(|_, failures| {
        prune(failures, limit, now);
        !failures.is_empty()
    });
    if map.len() >= max_keys {
        let stalest = map
            .iter()
            .min_by_key(|(_, failures)| failures.back().copied())
            .map(|(key, _)| key.clone());
        if let Some(key) = stalest {
            map.remove(&key);
        }
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

    fn throttle(max_keys: usize) -> LoginThrottle {
        LoginThrottle::new(
            Limit {
                max_failures: 3,
                window: 10 * MIN,
            },
            Limit {
                max_failures: 5,
                window: 10 * MIN,
            },
            max_keys,
        )
    }

    #[test]
    fn blocks_a_username_after_its_limit_until_the_window_passes() {
        let t = throttle(100);
        let start = Instant::now();
        for i in 0..3 {
            assert_eq!(t.check("ada", "1.2.3.4", start + i * MIN), Ok(()));
            t.record_failure("ada", &format!("10.0.0.{i}"), start + i * MIN);
        }
        // Blocked from any address; released when the first failure is 10 minutes old.
        assert_eq!(t.check("ada", "9.9.9.9", start + 3 * MIN), Err(7 * MIN));
        assert_eq!(t.check("ADA-other", "9.9.9.9", start + 3 * MIN), Ok(()));
        assert_eq!(t.check("ada", "9.9.9.9", start + 10 * MIN), Ok(()));
    }

    #[test]
    fn blocks_a_client_across_usernames() {
        let t = throttle(100);
        let now = Instant::now();
        for i in 0..5 {
            t.record_failure(&format!("user{i}"), "1.2.3.4", now);
        }
        assert_eq!(t.check("someone-new", "1.2.3.4", now), Err(10 * MIN));
        assert_eq!(t.check("someone-new", "1.2.3.5", now), Ok(()));
    }

    #[test]
    fn success_clears_the_username_but_not_the_clients_other_failures() {
        let t = throttle(100);
        let now = Instant::now();
        for _ in 0..4 {
            t.record_failure("ada", "1.2.3.4", now);
        }
        assert_eq!(t.begin_attempt("mine", "1.2.3.4", now), Ok(()));
        t.succeeded("mine", "1.2.3.4");
        // The successful attempt was given back: four failures, one more allowed.
        assert_eq!(t.begin_attempt("ada2", "1.2.3.4", now), Ok(()));
        assert!(t.check("x", "1.2.3.4", now).is_err());
        t.succeeded("ada", "9.9.9.9");
        assert_eq!(t.check("ada", "5.6.7.8", now), Ok(()));
    }

    #[test]
    fn a_burst_of_parallel_attempts_gets_no_more_than_the_limit() {
        let t = throttle(100);
        let now = Instant::now();
        // Nothing has failed yet (the hashes are still running), but each attempt
        // already counts.
        let allowed = (0..10)
            .filter(|i| t.begin_attempt("ada", &format!("10.0.0.{i}"), now).is_ok())
            .count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn memory_stays_bounded() {
        let t = throttle(50);
        let now = Instant::now();
        for i in 0..1000 {
            t.record_failure(
                &format!("user{i}"),
                &format!("10.0.{}.{}", i / 256, i % 256),
                now,
            );
        }
        let state = t.lock();
        assert!(state.usernames.len() <= 50);
        assert!(state.clients.len() <= 50);
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
