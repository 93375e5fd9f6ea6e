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
        let ok = |cmd: &mut Command| cmd.status().is_ok_and(|s| s.success());
        if !ok(Command::new("chown").args(["postgres", &d])) {
            eprintln!("SKIP: cannot hand {d} to the postgres OS user (not root?)");
            return None;
        }
        let data = format!("{d}/data");
        let initdb = format!("{PG_BIN}/initdb");
        let pg_ctl = format!("{PG_BIN}/pg_ctl");
        let opts = format!("-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off");
        let log = format!("{d}/log");
        let started = ok(Command::new("runuser")
            .args(["-u", "postgres", "--", &initdb, "-D", &data])
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ])
            .stdout(std::process::Stdio::null()))
            && ok(Command::new("runuser")
                .args([
                    "-u", "postgres", "--", &pg_ctl, "-D", &data, "-l", &log, "-w",
                ])
                .args(["-o", &opts, "start"])
                .stdout(std::process::Stdio::null()));
        let cluster = PgCluster { dir, port };
        started.then_some(cluster)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = format!("{}/data", self.dir.display());
        let _ = Command::new("runuser")
            .args([
                "-u",
                "postgres",
                "--",
                &format!("{PG_BIN}/pg_ctl"),
                "-D",
                &data,
            ])
            .args(["-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
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
