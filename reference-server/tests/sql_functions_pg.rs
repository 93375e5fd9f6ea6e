//! SQL predicates, date/time functions and casts compared with a live PostgreSQL 15: the same
//! statements run on both, and the rows (as text) or the SQLSTATE must agree.
//!
//! Needs PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin and root (skipped otherwise).

mod common;

use common::pg_cluster::PgCluster;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// Rows as `a|b` text, or `ERROR <sqlstate>` (errors are compared by SQLSTATE).
async fn outcome(c: &Client, sql: &str) -> Vec<String> {
    match c.simple_query(sql).await {
        Ok(msgs) => common::row_strings(&msgs),
        Err(e) => vec![format!("ERROR {}", common::code(&e))],
    }
}

/// Both sides: (our server, PostgreSQL cluster, client to ours, client to PostgreSQL).
async fn both(setup: &str) -> Option<(reference_server::RunningServer, PgCluster, Client, Client)> {
    let pg = PgCluster::start()?;
    let server = common::start().await;
    let ours = common::connect(&server).await;
    let conn = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres",
        pg.port
    );
    let (theirs, connection) = tokio_postgres::connect(&conn, NoTls).await.ok()?;
    tokio::spawn(connection);
    for c in [&ours, &theirs] {
        let msgs: Vec<SimpleQueryMessage> = c
            .simple_query(setup)
            .await
            .unwrap_or_else(|e| panic!("{setup}: {e}"));
        drop(msgs);
    }
    Some((server, pg, ours, theirs))
}

async fn assert_same(ours: &Client, theirs: &Client, queries: &[&str]) {
    for sql in queries {
        let want = outcome(theirs, sql).await;
        assert_eq!(outcome(ours, sql).await, want, "{sql}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn predicates_match_postgres() {
    let setup = "CREATE TABLE pr (id int, a int, b int); \
                 INSERT INTO pr VALUES (1, 1, 10), (2, 1, 20), (3, 2, 5), (4, NULL, 7), (5, 2, NULL)";
    let Some((_server, _pg, ours, theirs)) = both(setup).await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT 5 BETWEEN SYMMETRIC 10 AND 1, 5 NOT BETWEEN SYMMETRIC 10 AND 1, \
             0 BETWEEN SYMMETRIC 10 AND 1, 5 BETWEEN SYMMETRIC NULL AND 1, \
             5 BETWEEN ASYMMETRIC 10 AND 1",
            "SELECT id FROM pr WHERE a BETWEEN SYMMETRIC (CASE WHEN id > 2 THEN 3 ELSE 0 END) AND 1 \
             ORDER BY id",
            "SELECT (DATE '2024-01-01', DATE '2024-02-01') OVERLAPS (DATE '2024-01-15', DATE '2024-03-01'), \
             (DATE '2024-01-10', DATE '2024-01-01') OVERLAPS (DATE '2024-01-05', DATE '2024-01-06'), \
             (TIMESTAMP '2024-01-01', INTERVAL '1 day') OVERLAPS (TIMESTAMP '2024-01-01 12:00', TIMESTAMP '2024-01-03'), \
             (DATE '2024-01-01', NULL::date) OVERLAPS (DATE '2024-01-05', DATE '2024-01-06'), \
             (NULL::date, DATE '2024-01-02') OVERLAPS (DATE '2024-01-01', DATE '2024-01-03'), \
             (DATE '2024-01-01', DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-01')",
            "SELECT id FROM pr WHERE (a, b) IN (SELECT a, max(b) FROM pr GROUP BY a) ORDER BY id",
            "SELECT id FROM pr WHERE (a, b) NOT IN (SELECT a, b FROM pr WHERE id < 3) ORDER BY id",
            "SELECT id FROM pr WHERE (a, b) NOT IN (SELECT 1, 10) ORDER BY id",
            "SELECT * FROM pr p JOIN pr q ON p.id = cc.id",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn datetime_functions_and_text_casts_match_postgres() {
    let Some((_server, _pg, ours, theirs)) = both("SELECT 1").await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT age(TIMESTAMP '2020-01-31', TIMESTAMP '2020-03-01'), \
             age(DATE '2024-02-29', DATE '2023-02-28'), \
             age(TIMESTAMP '2024-03-01 10:00', TIMESTAMP '2024-01-31 12:30:00.5')",
            "SELECT make_time(23, 59, 59.5), make_time(0, 0, 0), make_time(24, 0, 0)",
            "SELECT date_trunc('month', DATE '2024-05-17'), date_trunc('week', DATE '2024-05-17')",
            "SELECT TIMESTAMPTZ '2024-07-01 12:00+00'::text, DATE '2024-01-02'::text, \
             TIMESTAMP '2024-01-02 03:04:05.5'::text, INTERVAL '1 day 2 hours'::text, \
             TIME '10:11:12'::text",
            "SET TimeZone = 'America/New_York'",
            "SELECT TIMESTAMPTZ '2024-07-01 12:00+00'::text, CAST(TIMESTAMPTZ '2024-01-01 00:00+00' AS varchar)",
            "SELECT '\\x00ff'::bytea, 'a\\\\b'::bytea, ''::bytea",
            "SELECT g::date FROM generate_series(TIMESTAMP '2024-02-27', TIMESTAMP '2024-03-01', \
             INTERVAL '1 day') AS g ORDER BY g DESC",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn string_and_set_returning_functions_match_postgres() {
    let Some((_server, _pg, ours, theirs)) = both("SELECT 1").await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT encode('abc'::bytea, 'hex'), encode('hello'::bytea, 'base64'), \
             encode('ab'::bytea, 'base64'), encode('\\x00ff5c41'::bytea, 'escape')",
            "SELECT encode(decode(repeat('ab', 60), 'hex'), 'base64')",
            "SELECT decode('aGVs bG8=', 'base64'), decode('00FF', 'hex'), decode('a\\\\b\\001', 'escape')",
            "SELECT decode('a$', 'base64')",
            "SELECT encode('a'::bytea, 'nope')",
            "SELECT m, m[2] FROM regexp_matches('k1=v1, k2=v2', '(\\w+)=(\\w+)', 'g') AS m",
            "SELECT * FROM regexp_matches('abc', 'B', 'i')",
            "SELECT count(*) FROM regexp_matches('abc', 'z', 'g')",
            "SELECT x, ord FROM regexp_split_to_table('a,b,,c', ',') WITH ORDINALITY AS t(x, ord)",
            "SELECT s FROM regexp_split_to_table('one two', ' ') AS s ORDER BY s DESC",
            "SELECT pg_typeof(g), g FROM generate_series(1, 3) AS g",
            "SELECT pg_typeof(x), x FROM generate_series(2, 4) AS t(x)",
        ],
    )
    .await;
}
