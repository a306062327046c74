//! Which client a request comes from, for log-in throttling.

use std::net::IpAddr;

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

fn last_forwarded_for(req: &Request) -> Option<IpAddr> {
    let header = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?;
    let last = header.to_str().ok()?.rsplit(',').next()?.trim();
    last.parse().ok()
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
}
