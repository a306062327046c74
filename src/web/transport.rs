//! The connection under the app: gives a body to the answers hyper sends on its own.
//!
//! A request line longer than 64 KiB, headers beyond hyper's limits, or a request line
//! it cannot parse never reach the router: hyper answers 414, 431 or 400 itself (431
//! also for a request line that alone fills its buffer, which is told 414 here), with
//! `content-length: 0`, and closes the connection. A browser then shows a blank page,
//! and an API client gets no JSON. poem exposes no hook for these answers, so this
//! wraps each connection's stream and, when hyper writes exactly that answer (its three
//! headers, in its order, and nothing else), writes the app's error page in its place,
//! or Spotify-shaped JSON when the refused request was for `/api/`.
//!
//! Everything else passes through untouched. The app's own answers always carry the
//! security headers (`security`), so they never match hyper's bare shape.

use std::{
    io,
    pin::Pin,
    task::{ready, Context, Poll},
};

use poem::{
    http::{uri::Scheme, StatusCode},
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{errors::before_routing, security::CONTENT_SECURITY_POLICY};

/// How much of each request's start is kept to tell an API request from a page.
const REQUEST_START: usize = 24;

/// An acceptor whose connections get `ErrorBodies`.
pub struct WithErrorBodies<A> {
    inner: A,
}

pub fn with_error_bodies<A: Acceptor>(inner: A) -> WithErrorBodies<A> {
    WithErrorBodies { inner }
}

impl<A: Acceptor> Acceptor for WithErrorBodies<A> {
    type Io = ErrorBodies<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((ErrorBodies::new(io), local, remote, scheme))
    }
}

/// TCP connections with Nagle's algorithm off, as web servers run them: an answer
/// written in two parts (a streamed body) otherwise waits for the client's delayed
/// acknowledgement of the first, up to 40 ms, which a slider's live answers showed.
pub struct NoDelay<A> {
    inner: A,
}

pub fn no_delay<A>(inner: A) -> NoDelay<A>
where
    A: Acceptor<Io = tokio::net::TcpStream>,
{
    NoDelay { inner }
}

impl<A: Acceptor<Io = tokio::net::TcpStream>> Acceptor for NoDelay<A> {
    type Io = tokio::net::TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        // A socket that refuses the option still serves, only as before.
        let _ = io.set_nodelay(true);
        Ok((io, local, remote, scheme))
    }
}

/// One connection's stream.
pub struct ErrorBodies<S> {
    inner: S,
    /// A replacement answer and how much of it is written: it goes out before anything
    /// else, through `poll_write`, `poll_flush` and `poll_shutdown`.
    pending: Vec<u8>,
    written: usize,
    /// The first bytes of the request being read: the first read after an answer starts
    /// the next request (hyper reads a request only once it has answered the last).
    request_start: Vec<u8>,
    at_request_start: bool,
    /// Whether the request line read so far has not ended: hyper answers 431 when its
    /// read buffer (about 400 KB) fills before the head ends, even when the request
    /// line alone filled it, which is the address being too long (414).
    request_line_open: bool,
}

impl<S> ErrorBodies<S> {
    pub fn new(inner: S) -> ErrorBodies<S> {
        ErrorBodies {
            inner,
            pending: Vec::new(),
            written: 0,
            request_start: Vec::with_capacity(REQUEST_START),
            at_request_start: true,
            request_line_open: true,
        }
    }

    /// The next request starts with the next read.
    fn next_request(&mut self) {
        self.request_start.clear();
        self.at_request_start = true;
        self.request_line_open = true;
    }

    fn for_api(&self) -> bool {
        let start = &self.request_start;
        start
            .iter()
            .position(|&b| b == b' ')
            .is_some_and(|space| start[space + 1..].starts_with(b"/api/"))
    }
}

/// Whether `start`, the first bytes read since the last answer, begins a request line
/// (a method, then a space). With pipelining, hyper has often read the next request
/// before answering the last, so nothing of its line is read after the answer: then
/// what is read is headers, and a 431 stays a 431.
fn starts_a_request_line(start: &[u8]) -> bool {
    let method = start.iter().take_while(|b| b.is_ascii_uppercase()).count();
    (1..=10).contains(&method) && start.get(method) == Some(&b' ')
}

/// The status of hyper's own bodiless answer, if `head` is one.
fn hyper_refusal(head: &[u8]) -> Option<StatusCode> {
    // Every write of every answer passes here: rule out all but a short 4xx head before
    // looking closer (hyper's refusal is under 150 bytes).
    if head.len() > 256 || !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let (status_line, headers) = rest.split_once("\r\n")?;
    let status: StatusCode = status_line.get(..3)?.parse().ok()?;
    if !matches!(status.as_u16(), 400 | 414 | 431) {
        return None;
    }
    let date = headers.strip_prefix("connection: close\r\ncontent-length: 0\r\ndate: ")?;
    let (date, end) = date.split_once("\r\n")?;
    (end == "\r\n" && !date.contains(['\r', '\n'])).then_some(status)
}

/// The whole answer that replaces hyper's.
fn replacement(status: StatusCode, api: bool) -> Vec<u8> {
    let (content_type, body) = before_routing(status, api);
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut answer = format!(
        "HTTP/1.1 {} {reason}\r\nconnection: close\r\ncontent-type: {content_type}\r\n\
         content-length: {}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
         x-frame-options: DENY\r\nreferrer-policy: same-origin\r\n\
         content-security-policy: {CONTENT_SECURITY_POLICY}\r\n\r\n",
        status.as_u16(),
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body.as_bytes());
    answer
}

impl<S: AsyncWrite + Unpin> ErrorBodies<S> {
    /// Writes what is left of a replacement; ready once it is all out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `head` in place of hyper's answer when it is one; true if it did.
    fn replaced(&mut self, head: &[u8]) -> bool {
        let Some(mut status) = hyper_refusal(head) else {
            return false;
        };
        if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            && self.request_line_open
            && starts_a_request_line(&self.request_start)
        {
            // A 500 KB address had been told its headers were too large, and to clear
            // its cookies.
            status = StatusCode::URI_TOO_LONG;
        }
        self.pending = replacement(status, self.for_api());
        self.written = 0;
        true
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ErrorBodies<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let this = &mut *self;
        if this.request_line_open && memchr::memchr(b'\n', &buf.filled()[before..]).is_some() {
            this.request_line_open = false;
        }
        if this.at_request_start {
            let new = &buf.filled()[before..];
            if !new.is_empty() {
                let room = REQUEST_START - this.request_start.len();
                this.request_start
                    .extend_from_slice(&new[..new.len().min(room)]);
                if this.request_start.len() == REQUEST_START {
                    this.at_request_start = false;
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ErrorBodies<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if this.replaced(buf) {
            // hyper's bytes are taken; the replacement goes out now or on the flush.
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        this.next_request();
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        let first = bufs.iter().find(|b| !b.is_empty());
        if first.is_some_and(|head| this.replaced(head)) {
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        let n = ready!(Pin::new(&mut this.inner).poll_write_vectored(cx, bufs))?;
        this.next_request();
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_exact_bare_answers_are_recognised() {
        let hyper = |status: &str| {
            format!("HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 08:07:23 GMT\r\n\r\n")
        };
        assert_eq!(
            hyper_refusal(hyper("414 URI Too Long").as_bytes()),
            Some(StatusCode::URI_TOO_LONG)
        );
        assert_eq!(
            hyper_refusal(hyper("431 Request Header Fields Too Large").as_bytes()),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        assert_eq!(
            hyper_refusal(hyper("400 Bad Request").as_bytes()),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(hyper_refusal(hyper("404 Not Found").as_bytes()), None);
        assert_eq!(hyper_refusal(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/html\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"), None);
        let with_body = hyper("400 Bad Request") + "x";
        assert_eq!(hyper_refusal(with_body.as_bytes()), None);
        assert_eq!(hyper_refusal(b"<!DOCTYPE html>"), None);
    }

    #[test]
    fn a_request_line_starts_with_a_method_and_a_space() {
        assert!(starts_a_request_line(b"GET /artists?q=aaaa"));
        assert!(starts_a_request_line(b"OPTIONS * HTTP/1.1"));
        assert!(!starts_a_request_line(b""));
        assert!(!starts_a_request_line(b"X-Big: aaaa"));
        assert!(!starts_a_request_line(b"aaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!starts_a_request_line(b"GET"));
    }

    #[test]
    fn the_replacement_is_a_whole_answer_with_its_length() {
        let answer = replacement(StatusCode::URI_TOO_LONG, false);
        let text = String::from_utf8(answer).unwrap_or_default();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(head.contains(&format!("content-length: {}\r\n", body.len())));
        assert!(body.contains("The address is too long"));
        let api = String::from_utf8(replacement(StatusCode::BAD_REQUEST, true)).unwrap_or_default();
        assert!(api.ends_with(r#"{"error":{"status":400,"message":"The request could not be read. Check the address, or go back and submit the form again."}}"#), "{api}");
    }
}
