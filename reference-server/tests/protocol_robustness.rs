//! The wire protocol on raw TCP: malformed frames get PostgreSQL 15's answer (or a close),
//! random and truncated input never panics or wedges the server, authentication failures
//! close the connection, and startup options reach the session.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reference_server::{AuthMethod, RunningServer, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);

/// One backend message as (type, body), or the end of the stream.
#[derive(Debug, PartialEq)]
enum Reply {
    Msg(u8, Vec<u8>),
    Closed,
}

struct Raw {
    s: TcpStream,
}

impl Raw {
    async fn connect(server: &RunningServer) -> Self {
        let s = TcpStream::connect(server.local_addr())
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        Self { s }
    }

    async fn write(&mut self, bytes: &[u8]) {
        // The server may already have closed; what it sent is still readable.
        let _ = self.s.write_all(bytes).await;
    }

    async fn read(&mut self) -> Reply {
        let read = async {
            let mut head = [0u8; 5];
            if self.s.read_exact(&mut head).await.is_err() {
                return Reply::Closed;
            }
            let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]);
            let mut body = vec![0u8; usize::try_from(len - 4).unwrap_or(0)];
            if self.s.read_exact(&mut body).await.is_err() {
                return Reply::Closed;
            }
            Reply::Msg(head[0], body)
        };
        tokio::time::timeout(WAIT, read)
            .await
            .unwrap_or_else(|_| panic!("no reply within {WAIT:?}"))
    }

    /// Read until ReadyForQuery or the end; the messages' types and error codes.
    async fn until_ready(&mut self) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.read().await {
                Reply::Closed => {
                    seen.push("closed".into());
                    return seen;
                }
                Reply::Msg(b'E', body) => seen.push(format!("E {}", field(&body, b'C'))),
                Reply::Msg(b'Z', body) => {
                    seen.push(format!("Z {}", body.first().map_or('?', |&b| b as char)));
                    return seen;
                }
                Reply::Msg(t, _) => seen.push((t as char).to_string()),
            }
        }
    }

    async fn until_closed(&mut self) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.read().await {
                Reply::Closed => return seen,
                Reply::Msg(b'E', body) => {
                    seen.push(format!("E {} {}", field(&body, b'S'), field(&body, b'C')))
                }
                Reply::Msg(t, _) => seen.push((t as char).to_string()),
            }
        }
    }
}

/// An error field's value.
fn field(body: &[u8], code: u8) -> String {
    let mut rest = body;
    while let Some((&c, tail)) = rest.split_first() {
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        if c == code {
            return String::from_utf8_lossy(&tail[..end]).into_owned();
        }
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    String::new()
}

fn startup(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196608u32.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut out = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    out.extend(body);
    out
}

fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn sync() -> Vec<u8> {
    msg(b'S', b"")
}

/// A connection past startup as `postgres`.
async fn ready(server: &RunningServer) -> Raw {
    let mut c = Raw::connect(server).await;
    c.write(&startup(&[("user", "postgres"), ("database", "postgres")]))
        .await;
    let seen = c.until_ready().await;
    assert_eq!(seen.last().map(String::as_str), Some("Z I"), "{seen:?}");
    c
}

/// The server still answers a fresh client.
async fn still_serving(server: &RunningServer) {
    let mut c = ready(server).await;
    c.write(&msg(b'Q', b"SELECT 1\0")).await;
    let seen = c.until_ready().await;
    assert_eq!(seen, ["T", "D", "C", "Z I"]);
}

#[tokio::test]
async fn malformed_frames_get_postgres_answers() {
    let server = common::start().await;
    // (frames after startup, expected replies up to ReadyForQuery or the close).
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("unknown type", msg(b'z', b""), vec!["E 08P01", "closed"]),
        ("length below four", b"Q\0\0\0\x03".to_vec(), vec!["closed"]),
        (
            "negative length",
            b"Q\xff\xff\xff\xff".to_vec(),
            vec!["closed"],
        ),
        ("huge length", b"Q\x77\x35\x94\x00".to_vec(), vec!["closed"]),
        (
            "query without terminator",
            [msg(b'Q', b"SELECT 1"), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
        (
            "query trailing bytes",
            msg(b'Q', b"SELECT 1\0junk"),
            vec!["E 08P01", "Z I"],
        ),
        (
            "query invalid utf8",
            msg(b'Q', b"SELECT '\xff'\0"),
            vec!["E 22021", "Z I"],
        ),
        (
            "parse count overrun",
            [msg(b'P', b"\0SELECT 1\0\0\x05\0\0\0\x17"), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
        (
            "bind negative value length",
            [
                msg(b'P', b"s1\0SELECT $1::text\0\0\x01\0\0\0\x19"),
                msg(b'B', b"\0s1\0\0\0\0\x01\xff\xff\xff\xfe\0\0"),
                sync(),
            ]
            .concat(),
            vec!["1", "E 08P01", "Z I"],
        ),
        (
            "describe bad kind",
            [msg(b'D', b"X\0"), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
        (
            "execute truncated",
            [msg(b'E', b"\0\0\0"), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
        ("sync with body", msg(b'S', b"x"), vec!["E 08P01", "Z I"]),
        (
            "flush with body skips to sync",
            [msg(b'H', b"xyz"), msg(b'Q', b"SELECT 1\0"), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
        (
            "password after startup",
            msg(b'p', b"x\0"),
            vec!["E 08P01", "closed"],
        ),
        ("terminate with body", msg(b'X', b"junk"), vec!["closed"]),
        (
            "length overruns into next message",
            [b"Q\0\0\0\x0eSELECT 1\0".to_vec(), sync()].concat(),
            vec!["E 08P01", "Z I"],
        ),
    ];
    for (what, bytes, expected) in cases {
        let mut c = ready(&server).await;
        c.write(&bytes).await;
        assert_eq!(c.until_ready().await, expected, "{what}");
    }
    still_serving(&server).await;
    server.shutdown().await.ok();
}

#[tokio::test]
async fn startup_packet_errors() {
    let server = common::start_with(ServerConfig {
        users: vec![("postgres".into(), "pw".into())],
        ..ServerConfig::default()
    })
    .await;
    let v3 = |body: &[u8]| {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&196608u32.to_be_bytes());
        out.extend_from_slice(body);
        out
    };
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("too short", b"\0\0\0\x06\0\x03".to_vec(), vec![]),
        (
            "no terminator",
            v3(b"user\0postgres\0"),
            vec!["E FATAL 08P01"],
        ),
        (
            "parameter without value",
            v3(b"user\0postgres\0database\0\0"),
            vec!["E FATAL 08P01"],
        ),
        ("no user", v3(b"\0"), vec!["E FATAL 28000"]),
        (
            "unknown role",
            startup(&[("user", "nobody")]),
            vec!["R", "E FATAL 28000"],
        ),
        (
            "unknown database",
            startup(&[("user", "postgres"), ("database", "nowhere")]),
            vec!["R", "E FATAL 3D000"],
        ),
        (
            "unknown setting",
            startup(&[("user", "postgres"), ("no_such_setting", "1")]),
            vec!["R", "E FATAL 42704"],
        ),
        (
            "unknown option",
            startup(&[("user", "postgres"), ("options", "-c no_such_setting=1")]),
            vec!["R", "E FATAL 42704"],
        ),
        (
            "major version 4",
            b"\0\0\0\x08\0\x04\0\0".to_vec(),
            vec!["E FATAL 0A000"],
        ),
        ("terminate before startup", msg(b'X', b""), vec![]),
        (
            "cancel with unknown key",
            b"\0\0\0\x10\x04\xd2\x16\x2e\0\0\0\x01\0\0\0\x01".to_vec(),
            vec![],
        ),
    ];
    for (what, bytes, expected) in cases {
        let mut c = Raw::connect(&server).await;
        c.write(&bytes).await;
        assert_eq!(c.until_closed().await, expected, "{what}");
    }
    still_serving(&server).await;
    server.shutdown().await.ok();
}

#[tokio::test]
async fn startup_options_apply_and_are_reported() {
    let server = common::start().await;
    let mut c = Raw::connect(&server).await;
    c.write(&startup(&[
        ("user", "postgres"),
        (
            "options",
            "-c DateStyle=SQL,YMD --search-path=flow_nowhere,public",
        ),
    ]))
    .await;
    let mut date_style = None;
    loop {
        match c.read().await {
            Reply::Msg(b'S', body) => {
                let parts: Vec<&[u8]> = body.split(|&b| b == 0).collect();
                if parts.first() == Some(&&b"DateStyle"[..]) {
                    date_style = parts
                        .get(1)
                        .map(|v| String::from_utf8_lossy(v).into_owned());
                }
            }
            Reply::Msg(b'Z', _) => break,
            Reply::Msg(b'E', body) => panic!("startup failed: {}", field(&body, b'M')),
            Reply::Msg(..) => {}
            Reply::Closed => panic!("closed during startup"),
        }
    }
    assert_eq!(date_style.as_deref(), Some("SQL, YMD"));
    c.write(&msg(b'Q', b"SHOW search_path\0")).await;
    let mut value = None;
    loop {
        match c.read().await {
            Reply::Msg(b'D', body) => {
                value = Some(String::from_utf8_lossy(&body[6..]).into_owned())
            }
            Reply::Msg(b'Z', _) | Reply::Closed => break,
            Reply::Msg(..) => {}
        }
    }
    assert_eq!(value.as_deref(), Some("flow_nowhere,public"));
    server.shutdown().await.ok();
}

#[tokio::test]
async fn wrong_password_or_wrong_message_closes() {
    for method in [
        AuthMethod::Password,
        AuthMethod::Md5,
        AuthMethod::ScramSha256,
    ] {
        let server = common::start_with(ServerConfig {
            auth: method,
            users: vec![("alice".into(), "s3cret".into())],
            ..ServerConfig::default()
        })
        .await;
        // A wrong password: FATAL 28P01, then the connection closes (no ReadyForQuery).
        let conn = format!("{} password=wrong", common::conn_str(&server, "alice"));
        let err = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
            .await
            .err()
            .map(|e| common::code(&e));
        assert_eq!(err.as_deref(), Some("28P01"), "{method:?}");

        // A Query instead of the password: FATAL 08P01 and close.
        let mut c = Raw::connect(&server).await;
        c.write(&startup(&[("user", "alice")])).await;
        assert!(matches!(c.read().await, Reply::Msg(b'R', _)), "{method:?}");
        c.write(&msg(b'Q', b"SELECT 1\0")).await;
        assert_eq!(c.until_closed().await, ["E FATAL 08P01"], "{method:?}");

        // Cleartext/MD5: a wrong password answered by raw bytes closes after the FATAL.
        if method != AuthMethod::ScramSha256 {
            let mut c = Raw::connect(&server).await;
            c.write(&startup(&[("user", "alice")])).await;
            assert!(matches!(c.read().await, Reply::Msg(b'R', _)));
            c.write(&msg(b'p', b"nope\0")).await;
            assert_eq!(c.until_closed().await, ["E FATAL 28P01"], "{method:?}");
        }
        server.shutdown().await.ok();
    }
}

#[tokio::test]
async fn scram_protocol_mistakes_are_08p01() {
    let server = common::start_with(ServerConfig {
        auth: AuthMethod::ScramSha256,
        users: vec![("alice".into(), "s3cret".into())],
        ..ServerConfig::default()
    })
    .await;
    let sasl_initial = |mech: &str, data: &[u8]| {
        let mut body = mech.as_bytes().to_vec();
        body.push(0);
        body.extend_from_slice(&(data.len() as i32).to_be_bytes());
        body.extend_from_slice(data);
        msg(b'p', &body)
    };
    for (what, first) in [
        ("unknown mechanism", sasl_initial("NOPE", b"n,,n=,r=abc")),
        ("garbage", sasl_initial("SCRAM-SHA-256", b"garbage")),
        (
            "channel binding",
            sasl_initial("SCRAM-SHA-256", b"p=tls-server-end-point,,n=,r=abc"),
        ),
        ("empty", sasl_initial("SCRAM-SHA-256", b"")),
    ] {
        let mut c = Raw::connect(&server).await;
        c.write(&startup(&[("user", "alice")])).await;
        assert!(matches!(c.read().await, Reply::Msg(b'R', _)));
        c.write(&first).await;
        assert_eq!(c.until_closed().await, ["E FATAL 08P01"], "{what}");
    }
    server.shutdown().await.ok();
}

/// A tiny deterministic generator (no dependency needed for a fuzz-ish loop).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Random frames: valid tags with lying lengths and random bodies, truncated valid messages,
/// and plain noise, before and after startup. No session may panic, every connection must
/// end or answer within the timeout, and the server must keep serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_frames_never_panic_or_hang() {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let server = common::start().await;
    let mut rng = Lcg(0x5eed);
    let tags = b"QPBEDCHSdcfFXpz\0";
    let valid: Vec<Vec<u8>> = vec![
        msg(b'Q', b"SELECT 1\0"),
        msg(b'P', b"s\0SELECT $1::int\0\0\x01\0\0\0\x17"),
        msg(b'B', b"\0s\0\0\x01\0\x01\0\0\0\x011\0\x01\0\x01"),
        msg(b'D', b"Ss\0"),
        msg(b'E', b"\0\0\0\0\0"),
        msg(b'C', b"Ss\0"),
        sync(),
    ];
    for round in 0..150u32 {
        let mut bytes = Vec::new();
        for _ in 0..1 + rng.next() % 4 {
            match rng.next() % 3 {
                0 => {
                    let tag = tags[(rng.next() as usize) % tags.len()];
                    let n = (rng.next() % 24) as usize;
                    let body: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
                    let mut m = msg(tag, &body);
                    if rng.next().is_multiple_of(3) {
                        let lie = (rng.next() % 40) as u32;
                        m[1..5].copy_from_slice(&lie.to_be_bytes());
                    }
                    bytes.extend(m);
                }
                1 => {
                    let m = &valid[(rng.next() as usize) % valid.len()];
                    let cut = 1 + (rng.next() as usize) % m.len();
                    let mut m = m[..cut].to_vec();
                    if let Some(b) = m.get_mut(5 + (rng.next() as usize) % 8) {
                        *b = rng.byte();
                    }
                    bytes.extend(m);
                }
                _ => bytes.extend((0..(rng.next() % 16)).map(|_| rng.byte())),
            }
        }
        bytes.extend(sync());
        let mut c = if round.is_multiple_of(5) {
            Raw::connect(&server).await
        } else {
            ready(&server).await
        };
        c.write(&bytes).await;
        // Either answers or closes; a silent wait for more bytes is a timeout, not a hang.
        let _ = tokio::time::timeout(Duration::from_millis(300), c.read()).await;
    }
    still_serving(&server).await;
    server.shutdown().await.ok();
    assert_eq!(panics.load(Ordering::SeqCst), 0, "a session panicked");
}

/// Multi-threaded: `pg_sleep` holds its worker while the CancelRequest is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_request_with_right_key_cancels_and_wrong_key_does_not() {
    let server = common::start().await;
    let mut c = Raw::connect(&server).await;
    c.write(&startup(&[("user", "postgres")])).await;
    let mut key = None;
    loop {
        match c.read().await {
            Reply::Msg(b'K', body) => key = Some(body),
            Reply::Msg(b'Z', _) => break,
            Reply::Msg(..) => {}
            Reply::Closed => panic!("closed during startup"),
        }
    }
    let key = key.unwrap_or_else(|| panic!("no BackendKeyData"));
    let cancel = |key: &[u8]| {
        let mut out = b"\0\0\0\x10\x04\xd2\x16\x2e".to_vec();
        out.extend_from_slice(key);
        out
    };
    // Wrong key: ignored, and the cancel connection is closed without a reply.
    let mut wrong = key.clone();
    wrong[7] ^= 0xff;
    c.write(&msg(b'Q', b"SELECT pg_sleep(1) IS NULL\0")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut w = Raw::connect(&server).await;
    w.write(&cancel(&wrong)).await;
    assert_eq!(w.until_closed().await, Vec::<String>::new());
    let seen = c.until_ready().await;
    assert_eq!(seen, ["T", "D", "C", "Z I"]);

    // Right key: the running statement fails with 57014.
    c.write(&msg(b'Q', b"SELECT pg_sleep(5)\0")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut r = Raw::connect(&server).await;
    r.write(&cancel(&key)).await;
    assert_eq!(r.until_closed().await, Vec::<String>::new());
    let seen = c.until_ready().await;
    assert!(seen.contains(&"E 57014".to_owned()), "{seen:?}");
    server.shutdown().await.ok();
}
