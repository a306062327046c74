//! Requests hyper refuses before the router sees them (a request line over 64 KiB,
//! too many or too large headers, an unreadable request line) get the app's error page,
//! or JSON under /api/, instead of an empty body; and the connection wrapper that does
//! it leaves ordinary answers alone; and a body that stops short of its length is
//! answered 408 once the connection guard's deadline passes. Over a real TCP socket,
//! since these never reach a `TestClient`.

mod common;

use std::{net::SocketAddr, time::Duration};

use insights_hub::{
    app,
    web::{
        connection_guard::{guarded, Deadlines, Limits},
        transport::with_error_bodies,
    },
};
use poem::{
    listener::{Acceptor, Listener, TcpListener},
    Server,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// The real app behind the real connection wrapper, on a free local port.
async fn serve() -> (SocketAddr, common::TestApp) {
    serve_with(None).await
}

/// The same, and with `deadlines` behind the connection guard as `serve` runs it.
async fn serve_with(deadlines: Option<Deadlines>) -> (SocketAddr, common::TestApp) {
    let limits = Limits {
        per_address: None,
        total: 1024,
    };
    serve_guarded(deadlines.map(|d| (d, limits))).await
}

/// The same, with the connection guard's deadlines and limits.
async fn serve_guarded(guard: Option<(Deadlines, Limits)>) -> (SocketAddr, common::TestApp) {
    let test = common::empty_app();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a socket address");
    let endpoint = app(test.state.clone());
    tokio::spawn(async move {
        let _ = match guard {
            Some((deadlines, limits)) => {
                Server::new_with_acceptor(with_error_bodies(guarded(acceptor, deadlines, limits)))
                    .run(endpoint)
                    .await
            }
            None => {
                Server::new_with_acceptor(with_error_bodies(acceptor))
                    .run(endpoint)
                    .await
            }
        };
    });
    (addr, test)
}

/// Sends raw bytes and reads until the server closes (or 5 s pass).
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer and close before it has read everything; that is fine.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn split(answer: &str) -> (&str, &str) {
    answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no head/body split in {answer:?}"))
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no content-length in {head}"))
}

#[tokio::test]
async fn a_too_long_address_gets_the_error_page() {
    let (addr, _app) = serve().await;
    let path = "a".repeat(70_000);
    let answer = exchange(
        addr,
        format!("GET /artists?q={path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 414 URI Too Long"), "{head}");
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert_eq!(content_length(head), body.len());
    assert!(body.contains("<h1>The address is too long</h1>"), "{body}");
    assert!(body.contains("Error 414 (URI Too Long)."), "{body}");
    assert!(body.contains("The address is too long"), "{body}");
    assert!(body.contains("href=\"/\""), "a way back: {body}");
    // An address that alone fills hyper's read buffer (about 400 KB) before its line
    // ends is too long as well: it had been told its headers were too large, and to
    // clear its cookies; under /api/ too.
    let huge = "a".repeat(500_000);
    for (path, api) in [
        ("/artists?q=", false),
        ("/api/v1/search?type=track&q=", true),
    ] {
        let answer = exchange(
            addr,
            format!("GET {path}{huge} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        let (head, body) = split(&answer);
        assert!(
            head.starts_with("HTTP/1.1 414 URI Too Long"),
            "{path}: {head}"
        );
        assert!(!body.contains("cookies"), "{path}: {body}");
        assert_eq!(body.starts_with('{'), api, "{path}: {body}");
    }
    // Pipelined behind a request already answered, too many headers are still too
    // many headers (431): hyper had read that request's line before the first answer.
    let many: String = (0..150).map(|i| format!("X-Header-{i}: v\r\n")).collect();
    let answer = exchange(
        addr,
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{many}\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let second = answer
        .find("HTTP/1.1 4")
        .map(|at| &answer[at..])
        .unwrap_or_default();
    assert!(
        second.starts_with("HTTP/1.1 431 "),
        "{}",
        &answer[..answer.len().min(600)]
    );
}

#[tokio::test]
async fn too_many_or_too_large_headers_get_the_error_page() {
    let (addr, _app) = serve().await;
    let many: String = (0..120).map(|i| format!("X-Header-{i}: v\r\n")).collect();
    let answer = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{many}\r\n").as_bytes(),
    )
    .await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    assert!(body.contains("headers are too large or too many"), "{body}");

    let big = "c".repeat(500_000);
    let answer = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {big}\r\n\r\n")
            .as_bytes(),
    )
    .await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    assert!(body.contains("Clearing this site's cookies"), "{body}");
}

#[tokio::test]
async fn the_api_gets_json_and_an_unreadable_request_line_a_page() {
    let (addr, _app) = serve().await;
    let long = "x".repeat(70_000);
    let answer = exchange(
        addr,
        format!("GET /api/v1/tracks?ids={long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let json: serde_json::Value = serde_json::from_str(body).expect("JSON body");
    assert_eq!(json["error"]["status"], 414);

    let answer = exchange(
        addr,
        b"G@T / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(body.contains("The request could not be read"), "{body}");
}

/// A HEAD's headers are the GET's, its length included (RFC 9110, 9.3.2), and it has
/// no body: poem had dropped the length with the body. Over the wire, since hyper
/// decides what a HEAD's answer carries.
#[tokio::test]
async fn a_head_answer_has_the_gets_length_and_no_body() {
    let (addr, _app) = serve().await;
    for path in ["/", "/artists", "/nowhere", "/healthz"] {
        let get = exchange(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        let head = exchange(
            addr,
            format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        let (get_head, get_body) = split(&get);
        let (head_head, head_body) = split(&head);
        assert_eq!(content_length(get_head), get_body.len(), "{path}");
        assert_eq!(
            content_length(head_head),
            get_body.len(),
            "{path}: {head_head}"
        );
        assert_eq!(head_body, "", "{path}");
        assert_eq!(get_head.lines().next(), head_head.lines().next(), "{path}");
    }
}

/// HTTP/1.1 requires a Host header (RFC 9112, 3.2): without one the request is refused
/// with 400 and a page saying why (it had been answered as if for this site). HTTP/1.0,
/// which predates the header, is answered.
#[tokio::test]
async fn an_http_11_request_without_a_host_is_refused() {
    let (addr, _app) = serve().await;
    let answer = exchange(addr, b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert!(body.contains("Host header"), "{body}");
    let answer = exchange(addr, b"GET /healthz HTTP/1.0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.0 200 OK"), "{answer}");
}

#[tokio::test]
async fn ordinary_answers_pass_through_on_a_kept_alive_connection() {
    let (addr, _app) = serve().await;
    let long = "a".repeat(70_000);
    // Two good requests, then a refused one, on one connection: the good answers are
    // intact and the refusal (whose request is not the connection's first) still gets
    // its page.
    let answer = exchange(
        addr,
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /{long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 200 OK"),
        "{}",
        &answer[..200.min(answer.len())]
    );
    assert!(answer.contains("HTTP/1.1 404 Not Found"), "the 404 page");
    let refusal = answer.find("HTTP/1.1 414 ").expect("the 414 answer");
    let (head, body) = split(&answer[refusal..]);
    assert_eq!(content_length(head), body.len());
    assert!(body.contains("The address is too long"));
}

#[tokio::test]
async fn a_body_shorter_than_its_length_times_out_with_408_and_says_why() {
    let (addr, _app) = serve_with(Some(Deadlines {
        idle: Duration::from_secs(1),
        request: Duration::from_millis(300),
    }))
    .await;
    // Ten bytes declared, three sent, and the connection kept open: the server waits
    // for the rest until the request's deadline.
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let _ = stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 10\r\n\r\na=b",
        )
        .await;
    // The answer, then the connection closed after a second of silence.
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 408 Request Timeout"), "{head}");
    assert!(
        body.contains("The request body did not arrive in time"),
        "{body}"
    );
}

/// Connections past the total cap are closed as soon as they are accepted, and one that
/// closes frees its place: however many addresses hold half-sent requests, the process
/// keeps file descriptors for its database and for the connections it has.
#[tokio::test]
async fn connections_past_the_total_cap_are_closed_and_a_closed_one_frees_its_place() {
    let (addr, _app) = serve_guarded(Some((
        Deadlines::default(),
        Limits {
            per_address: Some(10),
            total: 2,
        },
    )))
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let _ = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: ")
            .await;
        held.push(stream);
    }
    // Accepted, then closed at once: nothing comes back but the end.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        exchange(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await,
        ""
    );
    held.pop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = exchange(
        addr,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
