//! Shared test helpers: a real server on port 0 and real clients.
#![allow(dead_code)]

use std::net::SocketAddr;

use reference_server::{RunningServer, Server, ServerConfig};
use tokio_postgres::{Client, NoTls};

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
