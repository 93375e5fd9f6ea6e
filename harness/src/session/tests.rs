//! Connection options and the bounded adaptor, without a server.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::bounded::BoundedStream;
use super::{ConnectOptions, SessionError, TlsMode};

#[test]
fn url_round_trips_with_escapes_and_params() {
    let url = "postgres://u%40x:p%3Aw%20d@[::1]:5433/my%20db?sslmode=require&connect_timeout=3&max_protocol_version=3.2\
               &application_name=a%20b&TimeZone=UTC";
    let opts = ConnectOptions::from_url(url).expect("parses");
    assert_eq!(
        (
            opts.user.as_str(),
            opts.password.as_deref(),
            opts.host.as_str(),
            opts.port,
            opts.database.as_str()
        ),
        ("u@x", Some("p:w d"), "::1", 5433, "my db")
    );
    assert_eq!(
        (opts.tls, opts.connect_timeout, opts.protocol_version),
        (TlsMode::Require, Duration::from_secs(3), (3, 2))
    );
    assert_eq!(
        opts.params,
        vec![
            ("application_name".into(), "a b".into()),
            ("TimeZone".into(), "UTC".into())
        ]
    );
    assert_eq!(
        ConnectOptions::from_url(&opts.url()).ok(),
        Some(opts.clone())
    );
    assert!(
        !format!("{opts:?}").contains("p:w d"),
        "Debug hides the password"
    );
    let redacted = opts.redacted_url();
    assert!(
        redacted.contains(":***@") && !redacted.contains("p%3Aw"),
        "{redacted}"
    );
}

#[test]
fn url_defaults_and_rejections() {
    let opts = ConnectOptions::from_url("postgresql://alice@db.example").expect("parses");
    assert_eq!(
        (opts.port, opts.database.as_str(), opts.password),
        (5432, "alice", None)
    );
    for bad in [
        "mysql://x@y/z",
        "postgres://x@y/z?sslmode=maybe",
        "not a url",
        "postgres://x@y:99999/z",
    ] {
        assert!(
            matches!(ConnectOptions::from_url(bad), Err(SessionError::Options(_))),
            "{bad}"
        );
    }
    let err = ConnectOptions::from_url("postgres://u:hunter2@h/d?sslmode=bogus")
        .err()
        .map(|e| e.to_string());
    assert!(
        err.is_some_and(|e| !e.contains("hunter2")),
        "passwords stay out of errors"
    );
}

fn frame(tag: u8, len: i32, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out
}

#[tokio::test]
async fn bounded_stream_passes_good_frames_and_fails_on_a_bad_length() {
    let (mut server, client) = tokio::io::duplex(64);
    let mut bounded = BoundedStream::new(client, 100);
    let mut good = frame(b'C', 13, b"SELECT 1\0");
    good.extend(frame(b'Z', 5, b"I"));
    let writer = tokio::spawn(async move {
        // Byte by byte, so headers arrive split across reads.
        for b in good {
            server.write_all(&[b]).await?;
        }
        server.write_all(&frame(b'D', 101, b"")).await?;
        server.flush().await?;
        Ok::<_, std::io::Error>(server)
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 8];
    let err = loop {
        match bounded.read(&mut buf).await {
            Ok(0) => panic!("unexpected EOF"),
            Ok(n) => got.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(
        err.to_string()
            .contains("declares length 101, above the limit of 100"),
        "{err}"
    );
    // The good frames came through whole; the bad header never did (at most its first bytes,
    // which a driver cannot act on before the length is complete).
    assert!((20..25).contains(&got.len()), "{} bytes", got.len());
    assert_eq!(
        got.get(..20),
        Some(&b"C\0\0\0\x0dSELECT 1\0Z\0\0\0\x05I"[..])
    );
    assert!(bounded.read(&mut buf).await.is_err(), "stays failed");
    let _server = writer.await;
}

#[tokio::test]
async fn bounded_stream_rejects_length_below_four() {
    let (mut server, client) = tokio::io::duplex(64);
    let mut bounded = BoundedStream::new(client, 100);
    server.write_all(&frame(b'Z', 3, b"")).await.expect("write");
    let mut buf = [0u8; 16];
    let err = bounded.read(&mut buf).await.err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("below the minimum of 4")));
}
