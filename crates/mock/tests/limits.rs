//! The mock as a server on 127.0.0.1 that one client cannot hold: a connection that does not
//! send its headers in time is dropped, and connections past the cap wait their turn.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use telaio_mock::{Mock, MockOptions, ServeLimits};
use telaio_model::{LoadOptions, Loader};

async fn start(limits: ServeLimits) -> std::net::SocketAddr {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml",
    );
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    let mock = Arc::new(Mock::new(&bundle, MockOptions::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(mock.serve_within(listener, limits));
    addr
}

const REQUEST: &[u8] = b"POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: RekognitionService.CreateFaceLivenessSession\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";

/// Sends a whole request on a new connection; the status line of the answer.
fn ask(addr: std::net::SocketAddr) -> String {
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(REQUEST).unwrap();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_holds_its_headers_is_dropped() {
    let addr = start(ServeLimits {
        header_read_timeout: Duration::from_millis(300),
        max_connections: 8,
        ..ServeLimits::default()
    })
    .await;
    let started = Instant::now();
    let closed = tokio::task::spawn_blocking(move || {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // Half a request line, then nothing.
        c.write_all(b"POST / HT").unwrap();
        let mut rest = Vec::new();
        let _ = c.read_to_end(&mut rest);
        rest
    })
    .await
    .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(5),
        "{took:?}"
    );
    // Dropped (hyper may say 408 first), never answered as a request.
    let text = String::from_utf8_lossy(&closed);
    assert!(!text.contains("200 OK"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_their_turn() {
    let addr = start(ServeLimits {
        header_read_timeout: Duration::from_millis(500),
        max_connections: 2,
        ..ServeLimits::default()
    })
    .await;
    // Two idle connections take both places.
    let idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || ask(addr))
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(status.contains("200"), "{status}");
    // Served once an idle one was dropped, not before.
    assert!(took >= Duration::from_millis(350), "{took:?}");
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_body_loses_the_request() {
    let addr = start(ServeLimits {
        body_read_timeout: Duration::from_millis(300),
        ..ServeLimits::default()
    })
    .await;
    let started = Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
            .unwrap();
        let mut answer = String::new();
        let mut line = [0u8; 64];
        let n = c.read(&mut line).unwrap_or(0);
        answer.push_str(&String::from_utf8_lossy(&line[..n]));
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
