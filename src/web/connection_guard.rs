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
//! at the balancer, which speaks HTTP/1.1 to the servers. And one client address may hold at most `PER_ADDRESS` connections at
//! once; the next ones are closed as soon as they are accepted. Behind a reverse proxy
//! (`--trust-proxy`) every connection comes from the proxy, which keeps its own limits,
//! so there is no per-address cap.

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

/// Open connections per client address, shared by the acceptor and its connections.
#[derive(Clone, Default)]
struct OpenCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl OpenCounts {
    /// Counts a new connection from `ip`, unless it already holds `cap`.
    fn admit(&self, ip: IpAddr, cap: usize) -> Option<Admitted> {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let open = counts.entry(ip).or_insert(0);
        if *open >= cap {
            return None;
        }
        *open += 1;
        Some(Admitted {
            counts: self.clone(),
            ip,
        })
    }
}

/// One admitted connection: uncounted when it is dropped (closed).
struct Admitted {
    counts: OpenCounts,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(open) = counts.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// An acceptor whose connections have deadlines and, unless `per_address` is `None`,
/// a cap per client address.
pub struct Guarded<A> {
    inner: A,
    deadlines: Deadlines,
    per_address: Option<usize>,
    counts: OpenCounts,
}

pub fn guarded<A: Acceptor>(
    inner: A,
    deadlines: Deadlines,
    per_address: Option<usize>,
) -> Guarded<A> {
    Guarded {
        inner,
        deadlines,
        per_address,
        counts: OpenCounts::default(),
    }
}

fn client_ip(remote: &RemoteAddr) -> Option<IpAddr> {
    remote.as_socket_addr().map(|addr| addr.ip())
}

impl<A: Acceptor> Acceptor for Guarded<A> {
    type Io = Deadlined<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            let (io, local, remote, scheme) = self.inner.accept().await?;
            let admitted = match (self.per_address, client_ip(&remote)) {
                (Some(cap), Some(ip)) => match self.counts.admit(ip, cap) {
                    Some(admitted) => Some(admitted),
                    None => {
                        tracing::warn!(client = %ip, cap, "connection refused: too many open from this address");
                        continue; // dropping `io` closes it
                    }
                },
                _ => None,
            };
            let io = Deadlined::new(io, self.deadlines, admitted);
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

    #[test]
    fn an_address_holds_at_most_its_cap_and_closed_connections_free_their_place() {
        let counts = OpenCounts::default();
        let first = counts.admit(ip(1), 2);
        let second = counts.admit(ip(1), 2);
        assert!(first.is_some() && second.is_some());
        assert!(
            counts.admit(ip(1), 2).is_none(),
            "a third from the same address"
        );
        assert!(
            counts.admit(ip(2), 2).is_some(),
            "another address is not held up"
        );
        drop(first);
        assert!(
            counts.admit(ip(1), 2).is_some(),
            "a closed one frees its place"
        );
    }

    #[test]
    fn the_count_of_an_address_with_nothing_open_is_forgotten() {
        let counts = OpenCounts::default();
        drop(counts.admit(ip(3), 4));
        assert!(counts.0.lock().map(|c| c.is_empty()).unwrap_or(false));
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
