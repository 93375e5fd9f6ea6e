//! Shared test helpers: a real server on port 0 and real clients.
#![allow(dead_code)]

pub mod pg_cluster;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reference_server::{RunningServer, Server, ServerConfig};
use tokio_postgres::{AsyncMessage, Client, NoTls, SimpleQueryMessage};

pub async fn start() -> RunningServer {
    start_with(ServerConfig::default()).await
}

pub async fn start_with(mut config: ServerConfig) -> RunningServer {
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    match Server::start(config).await {
        Ok(s) => s,
        Err(e) => panic!("server failed to start: {e}"),
    }
}

pub fn conn_str(server: &RunningServer, user: &str) -> String {
    let addr = server.local_addr();
    format!(
        "host={} port={} user={user} dbname=postgres",
        addr.ip(),
        addr.port()
    )
}

pub async fn connect(server: &RunningServer) -> Client {
    connect_as(server, "postgres").await
}

pub async fn connect_as(server: &RunningServer, user: &str) -> Client {
    let (client, conn) = match tokio_postgres::connect(&conn_str(server, user), NoTls).await {
        Ok(c) => c,
        Err(e) => panic!("connect failed: {e}"),
    };
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// The SQLSTATE of a failed statement.
pub fn code(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_owned())
        .unwrap_or_else(|| format!("no sqlstate: {e}"))
}

/// Run a command-line client and return (success, stdout, stderr).
pub fn run(cmd: &str, args: &[&str]) -> (bool, String, String) {
    match std::process::Command::new(cmd).args(args).output() {
        Ok(o) => (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => (false, String::new(), format!("cannot run {cmd}: {e}")),
    }
}

/// Rows of a simple query as `a|b` strings (NULL as `NULL`); panics on an error.
pub async fn rows(c: &Client, sql: &str) -> Vec<String> {
    let msgs = c
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    row_strings(&msgs)
}

/// The rows among simple-query messages as `a|b` strings (NULL as `NULL`).
pub fn row_strings(msgs: &[SimpleQueryMessage]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL").to_owned())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            _ => None,
        })
        .collect()
}

/// Runs `sql` (one or more statements); panics with the server's message on an error.
pub async fn exec(c: &Client, sql: &str) {
    if let Err(e) = c.batch_execute(sql).await {
        panic!("{sql}: {e} {:?}", e.as_db_error().map(|d| d.message()));
    }
}

/// The row counts of the CommandCompletes of a simple query.
pub async fn tags(c: &Client, sql: &str) -> Vec<u64> {
    c.simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// A configuration that keeps its data in `dir`, for restart tests.
pub fn durable(dir: &Path) -> ServerConfig {
    ServerConfig {
        data_dir: Some(dir.to_path_buf()),
        ..ServerConfig::default()
    }
}

/// The server binary on a free port over `dir`, as a child process a test may kill -9.
pub fn spawn_server(dir: &Path) -> (Child, SocketAddr) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let child = Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args(["--listen", &addr.to_string(), "--data-dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    (child, addr)
}

/// Connects to a server started as a child process, waiting up to 30 s for it to listen.
pub async fn connect_to(addr: SocketAddr) -> Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    let conn = format!("host={} port={} user=postgres", addr.ip(), addr.port());
    loop {
        match tokio_postgres::connect(&conn, NoTls).await {
            Ok((client, conn)) => {
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                return client;
            }
            Err(e) if Instant::now() > deadline => panic!("server did not come up: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A client whose notices and notifications arrive on a channel.
pub async fn connect_with_messages(
    server: &RunningServer,
) -> (Client, tokio::sync::mpsc::UnboundedReceiver<AsyncMessage>) {
    let (client, mut conn) =
        match tokio_postgres::connect(&conn_str(server, "postgres"), NoTls).await {
            Ok(c) => c,
            Err(e) => panic!("connect failed: {e}"),
        };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(m)) = messages.next().await {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    (client, rx)
}
