//! A throwaway PostgreSQL 15 cluster (the oracle) and psql against a port, for tests that
//! compare the server with PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A throwaway PostgreSQL 15 cluster, stopped on drop.
pub struct PgCluster {
    dir: PathBuf,
    pub port: u16,
}

impl PgCluster {
    /// A fresh cluster, or `None` (with the reason on stderr) where PostgreSQL 15 is missing.
    pub fn start() -> Option<Self> {
        if !Path::new(PG_BIN).join("initdb").exists() {
            eprintln!("SKIP: no PostgreSQL 15 in {PG_BIN}");
            return None;
        }
        let port = free_port()?;
        let dir = PathBuf::from(format!("/tmp/pgcat-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let d = dir.display().to_string();
        if as_root() && !ok(Command::new("chown").args(["postgres", &d])) {
            eprintln!("SKIP: cannot hand {d} to the postgres OS user");
            return None;
        }
        let data = format!("{d}/data");
        let opts = format!("-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off");
        let log = format!("{d}/log");
        let started = ok(pg_command("initdb")
            .args(["-D", &data, "-U", "postgres", "-A", "trust", "-E", "UTF8"])
            .args(["--locale=C", "-N"]))
            && ok(pg_command("pg_ctl").args(["-D", &data, "-l", &log, "-w", "-o", &opts, "start"]));
        let cluster = PgCluster { dir, port };
        started.then_some(cluster)
    }

    /// For tests whose whole point is the comparison: no PostgreSQL fails them.
    pub fn require() -> Self {
        match Self::start() {
            Some(c) => c,
            None => panic!("a PostgreSQL 15 cluster is required (binaries in {PG_BIN})"),
        }
    }

    pub async fn connect(&self) -> tokio_postgres::Client {
        super::connect_to(std::net::SocketAddr::from(([127, 0, 0, 1], self.port))).await
    }
}

/// PostgreSQL refuses to run as root: then its programs run as the `postgres` OS user.
fn as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A PostgreSQL program, run as the `postgres` user when we are root, its output discarded.
fn pg_command(prog: &str) -> Command {
    let path = format!("{PG_BIN}/{prog}");
    let mut cmd = if as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &path]);
        c
    } else {
        Command::new(path)
    };
    cmd.stdout(std::process::Stdio::null());
    cmd
}

fn ok(cmd: &mut Command) -> bool {
    cmd.status().is_ok_and(|s| s.success())
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = format!("{}/data", self.dir.display());
        let _ = pg_command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> Option<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()
}

pub fn psql(port: u16, command: &str) -> String {
    let port = port.to_string();
    let (ok, out, err) = super::run(
        "psql",
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-X",
            "-d",
            "postgres",
            "-c",
            command,
        ],
    );
    if ok {
        out
    } else {
        format!("{out}ERROR: {err}")
    }
}
