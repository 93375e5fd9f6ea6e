//! Clients as users run them, compared with a throwaway PostgreSQL 15: psql's SQL cursors,
//! and Python drivers (psycopg 3, psycopg2, asyncpg) doing ordinary work — COPY with column
//! defaults, server-side cursors, binary results, prepared statements, errors — must see on
//! the reference server what they see on a throwaway PostgreSQL 15. The script prints a
//! transcript per driver; the two transcripts must be equal. A driver that is not installed
//! prints the same SKIP line on both servers (`.ci/run` installs all three). node-postgres
//! (`pg`, from `$NODE_PG_DIR`, default `~/.cache/pgcompat-node`) likewise, skipped when node
//! or npm is missing.

mod common;

use common::pg_cluster::PgCluster;

fn transcript(host: &str, port: u16) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/driver_transcript.py"
    );
    let (ok, out, err) = common::run("python3", &[script, host, &port.to_string()]);
    assert!(
        ok,
        "driver_transcript.py failed on port {port}:\n{out}\n{err}"
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_drivers_see_what_they_see_on_postgres() {
    let pg = PgCluster::require();
    let expected = tokio::task::spawn_blocking(move || transcript("127.0.0.1", pg.port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server = common::start().await;
    let addr = server.local_addr();
    let actual =
        tokio::task::spawn_blocking(move || transcript(&addr.ip().to_string(), addr.port()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    let diff: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(e, a)| e != a)
        .map(|(e, a)| format!("PostgreSQL: {e}\ntarget:     {a}"))
        .collect();
    assert!(
        diff.is_empty() && expected.lines().count() == actual.lines().count(),
        "driver transcripts differ:\n{}\n\nPostgreSQL:\n{expected}\ntarget:\n{actual}",
        diff.join("\n")
    );
}

/// psql running cursor statements in PostgreSQL's short and long forms, errors included.
fn psql_cursors(port: u16) -> String {
    let port = port.to_string();
    let mut args = vec!["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-X"];
    for c in [
        "BEGIN",
        "DECLARE c CURSOR FOR SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3",
        "DECLARE c CURSOR FOR SELECT 1",
        "FETCH 1 c",
        "FETCH FROM c",
        "FETCH BACKWARD 1 FROM c",
        "ROLLBACK",
        "BEGIN",
        "DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT g FROM generate_series(1, 5) g",
        "FETCH FORWARD IN c",
        "FETCH 2 FROM c",
        "FETCH ALL c",
        "FETCH c",
        "CLOSE c",
        "FETCH c",
        "COMMIT",
        "DECLARE d CURSOR FOR SELECT 1",
        "DECLARE e CURSOR WITH HOLD FOR SELECT 1 AS y",
        "FETCH ALL e",
        "CLOSE ALL",
        "CLOSE e",
    ] {
        args.extend(["-c", c]);
    }
    let (_, out, err) = common::run("psql", &args);
    format!("{out}{err}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_cursors_as_on_postgres() {
    let pg = PgCluster::require();
    let expected = psql_cursors(pg.port);
    let server = common::start().await;
    let port = server.local_addr().port();
    let actual = tokio::task::spawn_blocking(move || psql_cursors(port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}

/// Where node-postgres is installed: `$NODE_PG_DIR` (as `.ci/run` sets it) or the default
/// cache dir, installed there with npm when missing; None (skip) without node or npm.
fn node_pg_dir() -> Option<String> {
    let dir = std::env::var("NODE_PG_DIR").unwrap_or_else(|_| {
        format!(
            "{}/.cache/pgcompat-node",
            std::env::var("HOME").unwrap_or_else(|_| "/tmp".into())
        )
    });
    let (has_node, _, _) = common::run("node", &["--version"]);
    if !has_node {
        return None;
    }
    if !std::path::Path::new(&dir).join("node_modules/pg").exists() {
        let (ok, _, err) = common::run("npm", &["install", "--silent", "--prefix", &dir, "pg"]);
        if !ok {
            eprintln!("SKIP: npm install pg failed: {err}");
            return None;
        }
    }
    Some(dir)
}

fn node_transcript(dir: &str, host: &str, port: u16) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/node_pg_transcript.js"
    );
    let out = std::process::Command::new("node")
        .args([script, host, &port.to_string()])
        .env("NODE_PATH", format!("{dir}/node_modules"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(
        out.status.success(),
        "node_pg_transcript.js failed on port {port}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// node-postgres: text parameters (arrays as `{..}` literals), its type parsers (int8 and
/// numeric as strings, timestamptz, jsonb, arrays, bytea), column type OIDs, a rolled-back
/// transaction and error codes, as on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_pg_sees_what_it_sees_on_postgres() {
    let Some(dir) = node_pg_dir() else {
        eprintln!("SKIP: node-postgres needs node and npm");
        return;
    };
    let pg = PgCluster::require();
    let d = dir.clone();
    let expected = tokio::task::spawn_blocking(move || node_transcript(&d, "127.0.0.1", pg.port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server = common::start().await;
    let addr = server.local_addr();
    let actual = tokio::task::spawn_blocking(move || {
        node_transcript(&dir, &addr.ip().to_string(), addr.port())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}
