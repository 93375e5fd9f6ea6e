//! Clients as users run them, compared with a throwaway PostgreSQL 15: psql's SQL cursors,
//! and Python drivers (psycopg 3, psycopg2, asyncpg) doing ordinary work — COPY with column
//! defaults, server-side cursors, binary results, prepared statements, errors — must see on
//! the reference server what they see on a throwaway PostgreSQL 15. The script prints a
//! transcript per driver; the two transcripts must be equal. A driver that is not installed
//! prints the same SKIP line on both servers (`.ci/run` installs all three).

mod common;
mod pgtypes_support;

use pgtypes_support::Cluster;

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
    let pg = Cluster::start();
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
    let pg = Cluster::start();
    let expected = psql_cursors(pg.port);
    let server = common::start().await;
    let port = server.local_addr().port();
    let actual = tokio::task::spawn_blocking(move || psql_cursors(port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}
