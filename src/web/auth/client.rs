//! What a request says of its client: which client it is, for log-in throttling, and,
//! behind a trusted proxy, the scheme it used. The proxy's headers are read here alone.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::atomic::{AtomicBool, Ordering},
};

use poem::Request;

use crate::accounts::throttle;

/// The throttle key of the request's client. With `trust_proxy`, the last
/// `X-Forwarded-For` entry (the one our own reverse proxy appended) wins over the TCP
/// peer, which would be the proxy itself.
pub fn client_key(req: &Request, trust_proxy: bool) -> String {
    let forwarded = trust_proxy.then(|| last_forwarded_for(req)).flatten();
    let peer = req.remote_addr().as_socket_addr().map(|addr| addr.ip());
    throttle::client_key(forwarded.or(peer))
}

/// The scheme a trusted proxy says the client used (`X-Forwarded-Proto`, its last
/// entry: the one the proxy in front of the server wrote), for the API's links; `None`
/// without `trust_proxy`, or for a value that is neither `http` nor `https`.
pub fn forwarded_scheme(req: &Request, trust_proxy: bool) -> Option<&'static str> {
    if !trust_proxy {
        return None;
    }
    let value = req.headers().get("x-forwarded-proto")?.to_str().ok()?;
    match value.rsplit(',').next()?.trim() {
        proto if proto.eq_ignore_ascii_case("https") => Some("https"),
        proto if proto.eq_ignore_ascii_case("http") => Some("http"),
        _ => None,
    }
}

fn last_forwarded_for(req: &Request) -> Option<IpAddr> {
    let Some(header) = req.headers().get_all("x-forwarded-for").iter().next_back() else {
        if !ABSENT_SAID.swap(true, Ordering::Relaxed) {
            // Once, as below: nginx's `proxy_pass` sends none unless told to, and then
            // every client shares the proxy's throttle and rate limit.
            tracing::warn!(
                "--trust-proxy: a request came without X-Forwarded-For, so its client \
                 counts as the proxy itself (one log-in throttle and API rate limit for \
                 all); have the proxy send it (nginx: proxy_set_header X-Forwarded-For \
                 $proxy_add_x_forwarded_for)"
            );
        }
        return None;
    };
    let last = header.to_str().ok()?.rsplit(',').next()?.trim();
    let address = forwarded_address(last);
    if address.is_none() && !UNREADABLE_SAID.swap(true, Ordering::Relaxed) {
        // Once: every request behind such a proxy would say it again. Its clients all
        // count as the proxy, and share one log-in throttle.
        tracing::warn!(
            entry = %crate::quoted::for_log(last),
            "--trust-proxy: the last X-Forwarded-For entry is no address this server reads \
             (an IP, with or without a port), so clients count as the proxy itself"
        );
    }
    address
}

/// Whether an unreadable `X-Forwarded-For` entry has been logged.
static UNREADABLE_SAID: AtomicBool = AtomicBool::new(false);
/// Whether a request without `X-Forwarded-For` has been logged.
static ABSENT_SAID: AtomicBool = AtomicBool::new(false);

/// An `X-Forwarded-For` entry's address: `203.0.113.5` or `2001:db8::1`, and also with
/// the port some proxies add (`203.0.113.5:51234`, `[2001:db8::1]:51234`, Azure's
/// Application Gateway and IIS's ARR among them) or in brackets alone. Those had been
/// unreadable, so every client counted as the proxy: twenty wrong passwords from anyone
/// held up every log-in.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded: &str) -> Request {
        Request::builder()
            .header("x-forwarded-for", forwarded)
            .finish()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        // Spoofed entries come first; our proxy appends the real peer last.
        let req = request("10.9.9.9, 198.51.100.4");
        assert_eq!(client_key(&req, true), "198.51.100.4");
        assert_eq!(client_key(&req, false), "unknown", "the header is ignored");
        assert_eq!(client_key(&request("garbage"), true), "unknown");
    }

    /// A trusted proxy that sends no `X-Forwarded-For` (nginx's `proxy_pass` without
    /// being told to) is said once in the log, as an unreadable entry is.
    #[test]
    fn a_trusted_proxy_that_sends_no_address_is_said_once() {
        let bare = || Request::builder().finish();
        let first = crate::test_log::logged_while(|| {
            assert_eq!(client_key(&bare(), true), "unknown");
        });
        assert!(first.contains("came without X-Forwarded-For"), "{first}");
        let again = crate::test_log::logged_while(|| {
            client_key(&bare(), true);
        });
        assert!(again.is_empty(), "{again}");
    }

    #[test]
    fn a_forwarded_address_may_carry_a_port() {
        for (entry, key) in [
            ("203.0.113.5", "203.0.113.5"),
            ("203.0.113.5:51234", "203.0.113.5"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]:51234", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
        ] {
            assert_eq!(
                client_key(&request(&format!("10.0.0.1, {entry}")), true),
                throttle::client_key(Some(key.parse().expect("an address"))),
                "{entry}"
            );
        }
        for unreadable in ["203.0.113.5:port", "[203.0.113.5]", "unknown", "_hidden"] {
            assert_eq!(
                client_key(&request(unreadable), true),
                "unknown",
                "{unreadable}"
            );
        }
    }
}
