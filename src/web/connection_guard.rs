//! Limits on connections, so that one client cannot hold the server's sockets.
//!
//! hyper waits for a request's head and body as long as a client takes (its own header
//! timeout needs a timer that poem does not give it), and poem accepts any number of
//! connections. One client that opened 20,000 connections and sent half a request line
//! on each ("slowloris") left the server out of file descriptors and deaf to everyone.
//! Here each connection:
//! - between requests, may stay silent for `Deadlines::idle` after the last bytes the
//!   server wrote (keep-alive), and is closed after that;
//! - from the first byte of a request, must have its answer under way within
//!   `Deadlines::request`: the head, the body and the handler together (the slowest
//!   handler takes about a second; a request dribbled a byte at a time does not finish);
//! - while an answer is written, must take some of it within `Deadlines::idle`
//!   (a client that reads nothing holds its socket no longer).
//!
//! A connection past its deadline gets an error on its next read or write, and hyper
//! closes it. A connection that opens with HTTP/2's preface (h2c, HTTP/2 without TLS)
//! is told to use HTTP/1.1 (a GOAWAY frame with `HTTP_1_1_REQUIRED`, on which curl
//! retries in HTTP/1.1) and closed: over one HTTP/2 connection a client could open
//! thousands of requests at once and keep their bodies unfinished past the deadline
//! with PINGs, which these limits, made for a request per connection, do not bound
//! (four connections held 771 MB). No browser speaks HTTP/2 without TLS, and TLS ends
//! at the balancer, which speaks HTTP/1.1 to the servers.
//!
//! And the connections open at once are capped (`Limits`): from one client address at
//! `PER_ADDRESS`, and in all below the process's open-file limit. Those past a cap are
//! closed as soon as they are accepted.
//! - An IPv6 client's whole /64 network counts as one address, as the log-in throttle
//!   counts it: one host usually holds the whole network, and 300 connections from 300
//!   of its addresses had all passed a cap of 256.
//! - Behind a reverse proxy (`--trust-proxy`) every connection comes from the proxy,
//!   which keeps its own limits, so there is no cap per address.

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{ready, Context, Poll},
    time::Duration,
};

use poem::{
    http::uri::Scheme,
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::{Instant, Sleep},
};

/// Connections one client address may hold at once. A browser opens 6 per host; the
/// load tests open 64.
pub const PER_ADDRESS: usize = 256;

/// How long a connection may wait, by what it is waiting for.
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    /// Silence allowed between requests, and for a client to take an answer.
    pub idle: Duration,
    /// From a request's first byte to its answer's first bytes written.
    pub request: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            idle: Duration::from_secs(60),
            request: Duration::from_secs(30),
        }
    }
}

/// Open connections, in all and per client address, shared by the acceptor and its
/// connections.
#[derive(Clone, Default)]
struct OpenCounts(Arc<Mutex<Open>>);

#[derive(Default)]
struct Open {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// Why a connection was not admitted.
#[derive(Debug, PartialEq)]
enum Refusal {
    Address(IpAddr, usize),
    Total(usize),
}

impl OpenCounts {
    /// Counts a new connection (from `ip`, when it is capped per address) unless that
    /// would pass `limits`.
    fn admit(&self, ip: Option<IpAddr>, limits: &Limits) -> Result<Admitted, Refusal> {
        let mut open = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if open.total >= limits.total {
            return Err(Refusal::Total(limits.total));
        }
        let ip = ip.filter(|_| limits.per_address.is_some());
        if let (Some(ip), Some(cap)) = (ip, limits.per_address) {
            let count = open.per_address.entry(ip).or_insert(0);
            if *count >= cap {
                return Err(Refusal::Address(ip, cap));
            }
            *count += 1;
        }
        open.total += 1;
        Ok(Admitted {
            counts: self.clone(),
            ip,
        })
    }
}

/// One admitted connection: uncounted when it is dropped (closed).
struct Admitted {
    counts: OpenCounts,
    /// Its address, when it is counted per address.
    ip: Option<IpAddr>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .counts
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(ip) = self.ip {
            if let Some(count) = open.per_address.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    open.per_address.remove(&ip);
                }
            }
        }
    }
}

/// How many connections may be open at once.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// From one client address; `None` behind a proxy, whose connections all come from
    /// it (it keeps its own limits).
    pub per_address: Option<usize>,
    /// In all: below the process's open-file limit (`open_files`), so that the
    /// database and the listener still get a file. At that limit, accepting failed
    /// over and over, a core spun, and nobody was answered.
    pub total: usize,
}

/// An acceptor whose connections have deadlines and are counted against `Limits`.
pub struct Guarded<A> {
    inner: A,
    deadlines: Deadlines,
    limits: Limits,
    counts: OpenCounts,
    /// When the last refusal was logged: one line a second at most, however many.
    last_warned: Option<Instant>,
}

pub fn guarded<A: Acceptor>(inner: A, deadlines: Deadlines, limits: Limits) -> Guarded<A> {
    Guarded {
        inner,
        deadlines,
        limits,
        counts: OpenCounts::default(),
        last_warned: None,
    }
}

/// The address a connection is counted under (`throttle::client_network`).
fn client_ip(remote: &RemoteAddr) -> Option<IpAddr> {
    remote
        .as_socket_addr()
        .map(|addr| crate::accounts::throttle::client_network(addr.ip()))
}

/// Whether an accept failed for want of a file descriptor (the process's or the
/// system's): it fails again at once until a connection closes.
fn out_of_files(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24)) // ENFILE, EMFILE
}

impl<A> Guarded<A> {
    fn warn_now(&mut self) -> bool {
        let now = Instant::now();
        let due = self
            .last_warned
            .is_none_or(|last| now.duration_since(last) >= Duration::from_secs(1));
        if due {
            self.last_warned = Some(now);
        }
        due
    }
}

impl<A: Acceptor> Acceptor for Guarded<A> {
    type Io = Deadlined<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            let (io, local, remote, scheme) = match self.inner.accept().await {
                Ok(accepted) => accepted,
                Err(error) if out_of_files(&error) => {
                    if self.warn_now() {
                        tracing::warn!(%error, "cannot accept a connection: out of file descriptors");
                    }
                    // Waits for a connection to close instead of spinning on the error.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(error) => return Err(error),
            };
            let admitted = match self.counts.admit(client_ip(&remote), &self.limits) {
                Ok(admitted) => admitted,
                Err(refusal) => {
                    if self.warn_now() {
                        match refusal {
                            Refusal::Address(client, cap) => {
                                tracing::warn!(%client, cap, "connection refused: too many open from this address")
                            }
                            Refusal::Total(cap) => {
                                tracing::warn!(cap, "connection refused: too many open in all")
                            }
                        }
                    }
                    continue; // dropping `io` closes it
                }
            };
            let io = Deadlined::new(io, self.deadlines, Some(admitted));
            return Ok((io, local, remote, scheme));
        }
    }
}

/// What a connection is waiting for, and since when.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Waiting {
    /// The next request (or for the client to take an answer), since the last write.
    Idle(Instant),
    /// The answer to a request whose first bytes arrived then.
    Answer(Instant),
}

/// A connection's stream with deadlines (see the module comment).
pub struct Deadlined<S> {
    inner: S,
    deadlines: Deadlines,
    waiting: Waiting,
    /// Armed at a deadline that may since have moved later: when it fires, the real
    /// deadline is worked out and the timer re-armed if it is still ahead. (Resetting
    /// the timer on every read and write would cost a timer-wheel update each.)
    timer: Pin<Box<Sleep>>,
    _admitted: Option<Admitted>,
    /// The connection's first bytes, up to `H2_PREFACE_START`'s length, until they
    /// tell HTTP/1 from HTTP/2 (`None` once they have).
    opening: Option<Vec<u8>>,
}

/// How HTTP/2's connection preface starts ("PRI * HTTP/2.0…"); no HTTP/1 request does.
const H2_PREFACE_START: &[u8] = b"PRI * HTTP/2.0";

/// What an HTTP/2 client is sent before the connection closes: the server's (empty)
/// SETTINGS frame, which opens any HTTP/2 answer, then GOAWAY with error code
/// `HTTP_1_1_REQUIRED` (0xd, RFC 9113 §7).
const H2_USE_HTTP_1_1: [u8; 26] = [
    0, 0, 0, 4, 0, 0, 0, 0, 0, // SETTINGS, no settings, stream 0
    0, 0, 8, 7, 0, 0, 0, 0, 0, // GOAWAY, 8 bytes, stream 0
    0, 0, 0, 0, // last stream id: none was processed
    0, 0, 0, 0x0d, // HTTP_1_1_REQUIRED
];

impl<S> Deadlined<S> {
    fn new(inner: S, deadlines: Deadlines, admitted: Option<Admitted>) -> Deadlined<S> {
        let now = Instant::now();
        Deadlined {
            inner,
            deadlines,
            waiting: Waiting::Idle(now),
            timer: Box::pin(tokio::time::sleep_until(now + deadlines.idle)),
            _admitted: admitted,
            opening: Some(Vec::with_capacity(H2_PREFACE_START.len())),
        }
    }

    /// Reads the connection's first bytes as they arrive: whether they are HTTP/2's
    /// preface, once there are enough of them to say (or they already differ).
    fn opens_http2(&mut self, read: &[u8]) -> bool {
        let Some(opening) = &mut self.opening else {
            return false;
        };
        let wanted = H2_PREFACE_START.len() - opening.len();
        opening.extend_from_slice(&read[..read.len().min(wanted)]);
        if !H2_PREFACE_START.starts_with(opening) {
            self.opening = None;
            return false;
        }
        if opening.len() < H2_PREFACE_START.len() {
            return false;
        }
        self.opening = None;
        true
    }

    fn deadline(&self) -> Instant {
        match self.waiting {
            Waiting::Idle(since) => since + self.deadlines.idle,
            Waiting::Answer(since) => since + self.deadlines.request,
        }
    }

    /// Called when the inner stream is not ready: an error once the deadline has passed,
    /// otherwise pending (with the timer set to wake this task at the deadline).
    fn expired(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            ready!(self.timer.as_mut().poll(cx));
            let deadline = self.deadline();
            if Instant::now() >= deadline {
                let what = match self.waiting {
                    Waiting::Idle(_) => "idle for too long",
                    Waiting::Answer(_) => "request not received in time",
                };
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, what));
            }
            self.timer.as_mut().reset(deadline);
        }
    }

    /// A write's outcome: bytes out restart the idle clock; a write that cannot go on
    /// waits no longer than the deadline.
    fn after_write(
        &mut self,
        cx: &mut Context<'_>,
        outcome: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match outcome {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.waiting = Waiting::Idle(Instant::now());
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.expired(cx).map(Err),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Deadlined<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if this.opens_http2(&buf.filled()[before..]) => {
                // Told once, as far as the socket takes it now; closed either way.
                let _ = Pin::new(&mut this.inner).poll_write(cx, &H2_USE_HTTP_1_1);
                tracing::debug!("connection closed: HTTP/2 without TLS is not served");
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "HTTP/2 without TLS (h2c) is not served: use HTTP/1.1",
                )))
            }
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before && matches!(this.waiting, Waiting::Idle(_)) {
                    this.waiting = Waiting::Answer(Instant::now());
                    // The request's deadline is usually sooner than the idle one the
                    // timer is armed at: once per request, bring it forward.
                    let deadline = this.deadline();
                    if deadline < this.timer.deadline() {
                        this.timer.as_mut().reset(deadline);
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.expired(cx).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deadlined<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.after_write(cx, outcome)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let outcome = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, outcome)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Pending => this.expired(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const SHORT: Deadlines = Deadlines {
        idle: Duration::from_millis(1500),
        request: Duration::from_millis(150),
    };

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    const LIMITS: Limits = Limits {
        per_address: Some(2),
        total: 3,
    };

    #[test]
    fn an_address_holds_at_most_its_cap_and_closed_connections_free_their_place() {
        let counts = OpenCounts::default();
        let first = counts.admit(Some(ip(1)), &LIMITS);
        let second = counts.admit(Some(ip(1)), &LIMITS);
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(
            counts.admit(Some(ip(1)), &LIMITS).err(),
            Some(Refusal::Address(ip(1), 2)),
            "a third from the same address"
        );
        let other = counts.admit(Some(ip(2)), &LIMITS);
        assert!(other.is_ok(), "another address is not held up");
        assert_eq!(
            counts.admit(Some(ip(3)), &LIMITS).err(),
            Some(Refusal::Total(3)),
            "but no more than the total, from anywhere"
        );
        drop(first);
        assert!(
            counts.admit(Some(ip(1)), &LIMITS).is_ok(),
            "a closed one frees its place"
        );
    }

    #[test]
    fn an_ipv6_network_is_one_address_and_an_ipv4_mapped_one_is_its_ipv4_address() {
        let remote = |addr: &str| {
            let socket: std::net::SocketAddr = addr.parse().expect("socket address");
            RemoteAddr(poem::Addr::SocketAddr(socket))
        };
        let one = client_ip(&remote("[2001:db8:1:2:aaaa::1]:4000"));
        let same_network = client_ip(&remote("[2001:db8:1:2:ffff:ffff:ffff:ffff]:4001"));
        let next_network = client_ip(&remote("[2001:db8:1:3::1]:4002"));
        assert_eq!(one, Some("2001:db8:1:2::".parse().expect("address")));
        assert_eq!(one, same_network);
        assert_ne!(one, next_network);
        assert_eq!(
            client_ip(&remote("[::ffff:192.0.2.1]:4003")),
            client_ip(&remote("192.0.2.1:4004"))
        );
        let counts = OpenCounts::default();
        let first = counts.admit(one, &LIMITS);
        let second = counts.admit(same_network, &LIMITS);
        assert!(first.is_ok() && second.is_ok());
        assert!(
            counts.admit(same_network, &LIMITS).is_err(),
            "a third from the same /64"
        );
    }

    #[test]
    fn behind_a_proxy_only_the_total_counts_and_nothing_open_is_forgotten() {
        let counts = OpenCounts::default();
        let proxied = Limits {
            per_address: None,
            ..LIMITS
        };
        let open: Vec<_> = (0..3)
            .map(|_| counts.admit(Some(ip(9)), &proxied))
            .collect();
        assert!(open.iter().all(Result::is_ok));
        assert!(counts.admit(Some(ip(9)), &proxied).is_err());
        drop(open);
        drop(counts.admit(Some(ip(4)), &LIMITS));
        let left = counts.0.lock().map(|o| (o.total, o.per_address.len()));
        assert_eq!(left.ok(), Some((0, 0)));
    }

    #[tokio::test]
    async fn a_request_that_never_finishes_is_cut_off() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut server = Deadlined::new(server, SHORT, None);
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .ok();
        let mut buf = [0u8; 64];
        let n = server.read(&mut buf).await.unwrap_or(0);
        assert!(n > 0, "the first bytes arrive");
        // The rest of the head never comes.
        let started = Instant::now();
        let error = server.read(&mut buf).await.err();
        assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::TimedOut));
        // Cut off at the request's deadline, not the longer idle one it was armed at.
        assert!(started.elapsed() < SHORT.idle, "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_request_dribbled_byte_by_byte_is_cut_off_too() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut server = Deadlined::new(server, SHORT, None);
        let dribble = tokio::spawn(async move {
            for _ in 0..40 {
                if client.write_all(b"x").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let mut buf = [0u8; 64];
        let outcome = loop {
            match server.read(&mut buf).await {
                Ok(0) => break None,
                Ok(_) => continue,
                Err(e) => break Some(e.kind()),
            }
        };
        dribble.abort();
        assert_eq!(outcome, Some(io::ErrorKind::TimedOut));
    }

    #[tokio::test]
    async fn answering_a_request_restarts_the_clock_for_the_next_one() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut server = Deadlined::new(server, SHORT, None);
        let mut buf = [0u8; 64];
        for _ in 0..4 {
            // Each request is answered well within its deadline; together they take
            // longer than either deadline.
            client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.ok();
            assert!(server.read(&mut buf).await.is_ok_and(|n| n > 0));
            tokio::time::sleep(Duration::from_millis(60)).await;
            assert!(server.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.is_ok());
            assert!(client.read(&mut buf).await.is_ok_and(|n| n > 0));
        }
    }

    /// HTTP/2 without TLS is refused at its preface, even one that arrives a byte at
    /// a time, with a GOAWAY saying to use HTTP/1.1; HTTP/1 requests pass, even those
    /// whose first letters are the preface's ("POST").
    #[tokio::test]
    async fn http2_without_tls_is_told_to_use_http_1_1_and_closed() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut server = Deadlined::new(server, SHORT, None);
        let mut buf = [0u8; 64];
        let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        let mut outcome = Ok(0);
        for byte in preface {
            client.write_all(&[*byte]).await.ok();
            outcome = server.read(&mut buf).await;
            if outcome.is_err() {
                break;
            }
        }
        assert_eq!(
            outcome.err().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidData)
        );
        let mut told = [0u8; 26];
        client.read_exact(&mut told).await.ok();
        assert_eq!(told, H2_USE_HTTP_1_1);
        for request in [&b"POST / HTTP/1.1\r\n\r\n"[..], b"PRIX", b"P"] {
            let (mut client, server) = tokio::io::duplex(1024);
            let mut server = Deadlined::new(server, SHORT, None);
            client.write_all(request).await.ok();
            assert!(server
                .read(&mut buf)
                .await
                .is_ok_and(|n| n == request.len()));
        }
    }

    #[tokio::test]
    async fn an_idle_connection_is_closed_after_the_idle_deadline() {
        let (_client, server) = tokio::io::duplex(1024);
        let mut server = Deadlined::new(server, SHORT, None);
        let started = Instant::now();
        let mut buf = [0u8; 8];
        let error = server.read(&mut buf).await.err();
        assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::TimedOut));
        assert!(
            started.elapsed() >= SHORT.idle,
            "not before the idle deadline"
        );
    }

    #[tokio::test]
    async fn a_client_that_reads_nothing_stops_holding_the_answer() {
        let (_client, server) = tokio::io::duplex(64);
        let mut server = Deadlined::new(server, SHORT, None);
        let answer = vec![b'x'; 4096];
        let error = server.write_all(&answer).await.err();
        assert_eq!(error.map(|e| e.kind()), Some(io::ErrorKind::TimedOut));
    }
}
