//! A minimal HTTP client on loopback (to see whether a running stack answers), and a free
//! port to publish on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A minimal HTTP/1.1 GET on loopback: status, head and body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn http_get(port: u16, path: &str) -> Option<Response> {
    let mut s =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(3)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(15))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some(Response { status, head, body })
}

/// Poll until `path` answers `want`, up to `timeout`.
pub fn wait_http(
    port: u16,
    path: &str,
    want: u16,
    timeout: Duration,
) -> std::result::Result<Response, String> {
    let start = Instant::now();
    let mut last = "no answer".to_string();
    while start.elapsed() < timeout {
        match http_get(port, path) {
            Some(r) if r.status == want => return Ok(r),
            Some(r) => last = format!("status {}", r.status),
            None => last = "no answer".into(),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Err(format!(
        "GET {path}: wanted {want}, got {last} after {}s",
        timeout.as_secs()
    ))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(8080)
}
