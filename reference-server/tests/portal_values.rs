//! Bind decodes a portal's parameter values once and Execute reuses them: every Execute must
//! still run with its own portal's values (a portal rebound under the same name, named portals
//! bound before either runs, a failed Bind), and a pipeline of small messages is answered in
//! order. Expected answers were recorded from PostgreSQL 15 with the same raw messages.

mod common;

use common::pg_cluster::PgCluster;

use std::time::Duration;

use reference_server::RunningServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);
const SELECT: &str = "SELECT v FROM pv WHERE k = $1";

fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn parse(name: &str, sql: &str) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, name);
    cstr(&mut b, sql);
    b.extend_from_slice(&0i16.to_be_bytes());
    msg(b'P', &b)
}

/// Bind with text parameters and text results.
fn bind(portal: &str, stmt: &str, values: &[&str]) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, portal);
    cstr(&mut b, stmt);
    b.extend_from_slice(&0i16.to_be_bytes());
    b.extend_from_slice(&(values.len() as i16).to_be_bytes());
    for v in values {
        b.extend_from_slice(&(v.len() as i32).to_be_bytes());
        b.extend_from_slice(v.as_bytes());
    }
    b.extend_from_slice(&0i16.to_be_bytes());
    msg(b'B', &b)
}

fn execute(portal: &str) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, portal);
    b.extend_from_slice(&0i32.to_be_bytes());
    msg(b'E', &b)
}

fn sync() -> Vec<u8> {
    msg(b'S', b"")
}

struct Raw(TcpStream);

impl Raw {
    async fn connect_to(addr: std::net::SocketAddr) -> Self {
        let s = TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let mut c = Raw(s);
        let mut body = 196_608u32.to_be_bytes().to_vec();
        for s in ["user", "postgres", "database", "postgres", ""] {
            cstr(&mut body, s);
        }
        let mut startup = ((body.len() + 4) as u32).to_be_bytes().to_vec();
        startup.extend(body);
        c.send(&[startup]).await;
        c
    }

    /// Write the messages in one go (a client pipeline).
    async fn send(&mut self, messages: &[Vec<u8>]) {
        let bytes = messages.concat();
        self.0
            .write_all(&bytes)
            .await
            .unwrap_or_else(|e| panic!("write: {e}"));
    }

    async fn message(&mut self) -> (u8, Vec<u8>) {
        let mut head = [0u8; 5];
        self.0
            .read_exact(&mut head)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]);
        let mut body = vec![0u8; usize::try_from(len - 4).unwrap_or(0)];
        self.0
            .read_exact(&mut body)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        (head[0], body)
    }

    /// Messages up to ReadyForQuery: type letters, `D` with its text values, `C` with its
    /// tag, `E` with SQLSTATE and message.
    async fn until_ready(&mut self) -> Vec<String> {
        let read = async {
            let mut seen = Vec::new();
            loop {
                let (tag, body) = self.message().await;
                seen.push(describe(tag, &body));
                if tag == b'Z' {
                    return seen;
                }
            }
        };
        tokio::time::timeout(WAIT, read)
            .await
            .unwrap_or_else(|_| panic!("no ReadyForQuery within {WAIT:?}"))
    }
}

fn describe(tag: u8, body: &[u8]) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match tag {
        b'D' => {
            let mut values = Vec::new();
            let mut rest = body.get(2..).unwrap_or_default();
            while let Some((len, tail)) = rest.split_first_chunk::<4>() {
                let len = i32::from_be_bytes(*len);
                let n = usize::try_from(len).unwrap_or(0);
                values.push(if len < 0 {
                    "NULL".to_owned()
                } else {
                    text(tail.get(..n).unwrap_or_default())
                });
                rest = tail.get(n..).unwrap_or_default();
            }
            format!("D {}", values.join("|"))
        }
        b'C' => format!("C {}", text(body.strip_suffix(b"\0").unwrap_or(body))),
        b'E' => {
            let mut fields = Vec::new();
            for part in body.split(|&b| b == 0) {
                if let Some((&code, value)) = part.split_first()
                    && matches!(code, b'C' | b'M')
                {
                    fields.push(text(value));
                }
            }
            format!("E {}", fields.join(" "))
        }
        b'Z' => format!("Z {}", text(body)),
        other => (other as char).to_string(),
    }
}

async fn ready(server: &RunningServer) -> Raw {
    ready_at(server.local_addr()).await
}

async fn ready_at(addr: std::net::SocketAddr) -> Raw {
    let mut c = Raw::connect_to(addr).await;
    let seen = c.until_ready().await;
    assert_eq!(seen.last().map(String::as_str), Some("Z I"), "{seen:?}");
    let mut setup = Vec::new();
    cstr(
        &mut setup,
        "CREATE TABLE pv (k int PRIMARY KEY, v text); \
         INSERT INTO pv VALUES (1, 'one'), (2, 'two'), (3, 'three')",
    );
    c.send(&[msg(b'Q', &setup)]).await;
    let seen = c.until_ready().await;
    assert_eq!(seen.last().map(String::as_str), Some("Z I"), "{seen:?}");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_execute_runs_with_its_own_portals_values() {
    let server = common::start().await;
    let mut c = ready(&server).await;

    // The unnamed portal rebound inside one pipeline.
    c.send(&[
        parse("s1", SELECT),
        bind("", "s1", &["1"]),
        execute(""),
        bind("", "s1", &["2"]),
        execute(""),
        sync(),
    ])
    .await;
    assert_eq!(
        c.until_ready().await,
        [
            "1",
            "2",
            "D one",
            "C SELECT 1",
            "2",
            "D two",
            "C SELECT 1",
            "Z I"
        ]
    );

    // Two named portals bound before either runs; a finished portal runs again empty.
    c.send(&[
        bind("p1", "s1", &["1"]),
        bind("p2", "s1", &["3"]),
        execute("p2"),
        execute("p1"),
        execute("p1"),
        sync(),
    ])
    .await;
    assert_eq!(
        c.until_ready().await,
        [
            "2",
            "2",
            "D three",
            "C SELECT 1",
            "D one",
            "C SELECT 1",
            "C SELECT 0",
            "Z I"
        ]
    );

    // The unnamed portal bound twice before its Execute: the second values count.
    c.send(&[
        bind("", "s1", &["1"]),
        bind("", "s1", &["3"]),
        execute(""),
        sync(),
    ])
    .await;
    assert_eq!(
        c.until_ready().await,
        ["2", "2", "D three", "C SELECT 1", "Z I"]
    );
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_bind_leaves_no_values_behind() {
    let server = common::start().await;
    let mut c = ready(&server).await;
    c.send(&[parse("s1", SELECT), sync()]).await;
    assert_eq!(c.until_ready().await, ["1", "Z I"]);

    // A good Bind, then a bad one for the same portal: the error is Bind's, Execute is
    // skipped up to Sync.
    c.send(&[
        bind("", "s1", &["2"]),
        bind("", "s1", &["abc"]),
        execute(""),
        sync(),
    ])
    .await;
    assert_eq!(
        c.until_ready().await,
        [
            "2",
            "E 22P02 invalid input syntax for type integer: \"abc\"",
            "Z I"
        ]
    );
    c.send(&[bind("", "s1", &["3"]), execute(""), sync()]).await;
    assert_eq!(c.until_ready().await, ["2", "D three", "C SELECT 1", "Z I"]);
    server.shutdown().await.ok();
}

/// Text integer keys of every width, in the forms PostgreSQL's int input takes or refuses
/// (signs, leading zeros, blanks, the type's bounds and one past them): each Bind/Execute
/// answers as on a live PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_integer_parameters_as_postgres() {
    let server = common::start().await;
    let pg = PgCluster::require();
    let values = [
        "2",
        "002",
        "-0",
        "+2",
        " 2",
        "2 ",
        "",
        "-",
        "2.0",
        "1e1",
        "x",
        "32767",
        "32768",
        "-32768",
        "-32769",
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "99999999999999999999",
    ];
    let mut transcripts = Vec::new();
    for addr in [
        server.local_addr(),
        std::net::SocketAddr::from(([127, 0, 0, 1], pg.port)),
    ] {
        let mut c = ready_at(addr).await;
        let mut seen = Vec::new();
        for ty in ["smallint", "int", "bigint"] {
            let mut setup = Vec::new();
            cstr(
                &mut setup,
                &format!(
                    "DROP TABLE IF EXISTS tk; CREATE TABLE tk (k {ty} PRIMARY KEY, v text); \
                     INSERT INTO tk VALUES (2, 'two'), (0, 'zero')"
                ),
            );
            c.send(&[msg(b'Q', &setup)]).await;
            c.until_ready().await;
            c.send(&[parse("q", "SELECT v FROM tk WHERE k = $1"), sync()])
                .await;
            c.until_ready().await;
            for v in values {
                c.send(&[bind("", "q", &[v]), execute(""), sync()]).await;
                seen.push(format!("{ty} {v:?}: {:?}", c.until_ready().await));
            }
            let mut close = vec![b'S'];
            cstr(&mut close, "q");
            c.send(&[msg(b'C', &close), sync()]).await;
            c.until_ready().await;
        }
        transcripts.push(seen);
    }
    assert_eq!(transcripts[0], transcripts[1]);
    server.shutdown().await.ok();
}
