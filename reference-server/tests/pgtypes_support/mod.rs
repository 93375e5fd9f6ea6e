//! Shared by the pgtypes oracle tests: a throwaway PostgreSQL 15 cluster and raw-byte access.
#![allow(dead_code)]

use std::error::Error;
use std::path::PathBuf;
use std::process::Command;

use postgres_types::{FromSql, Type};
use tokio_postgres::{Client, NoTls};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster in a temp dir, stopped (immediate mode) and removed on drop.
pub struct Cluster {
    dir: PathBuf,
    pub port: u16,
}

fn run(as_postgres: bool, prog: &str, args: &[&str]) {
    let path = format!("{PG_BIN}/{prog}");
    let status = if as_postgres {
        Command::new("runuser")
            .args(["-u", "postgres", "--", &path])
            .args(args)
            .status()
    } else {
        Command::new(&path).args(args).status()
    };
    match status {
        Ok(s) if s.success() => {}
        other => panic!("{prog} {args:?} failed: {other:?}"),
    }
}

impl Cluster {
    pub fn start() -> Cluster {
        assert!(
            std::path::Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 binaries are required at {PG_BIN}"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(54329);
        let dir = PathBuf::from(format!("/tmp/pgt{}_{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {dir:?}: {e}"));
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            let ok = Command::new("chown")
                .args(["postgres:postgres", &dir.to_string_lossy()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown of {dir:?} failed");
        }
        let d = dir.to_string_lossy().into_owned();
        let data = format!("{d}/data");
        run(
            root,
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
        );
        let opts = format!("-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off");
        let log = format!("{d}/log");
        run(
            root,
            "pg_ctl",
            &["-D", &data, "-l", &log, "-w", "-o", &opts, "start"],
        );
        Cluster { dir, port }
    }

    pub async fn connect(&self) -> Client {
        let conn_str = format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        );
        let (client, conn) = tokio_postgres::connect(&conn_str, NoTls)
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        tokio::spawn(async move {
            let _ = conn.await;
        });
        client
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = format!("{}/data", self.dir.to_string_lossy());
        let root = unsafe { libc::geteuid() } == 0;
        let path = format!("{PG_BIN}/pg_ctl");
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if root {
            Command::new("runuser")
                .args(["-u", "postgres", "--", &path])
                .args(args)
                .status()
        } else {
            Command::new(&path).args(args).status()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The raw binary bytes of a result column, whatever its type.
pub struct Raw(pub Option<Vec<u8>>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(Some(raw.to_vec())))
    }
    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(None))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's text output of a single-value query, via the simple protocol.
pub async fn pg_text(client: &Client, sql: &str) -> Result<Option<String>, tokio_postgres::Error> {
    let msgs = client.simple_query(sql).await?;
    for m in msgs {
        if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
            return Ok(r.get(0).map(str::to_string));
        }
    }
    Ok(None)
}

/// PostgreSQL's binary output and type of a single-value query, via the extended protocol.
pub async fn pg_binary(
    client: &Client,
    sql: &str,
) -> Result<(Option<Vec<u8>>, Type), tokio_postgres::Error> {
    let stmt = client.prepare(sql).await?;
    let ty = stmt.columns()[0].type_().clone();
    let rows = client.query(&stmt, &[]).await?;
    let raw: Raw = rows[0].get(0);
    Ok((raw.0, ty))
}

/// Shows bytes readably in mismatch reports.
pub fn show(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("{b:02x?}"),
    }
}
