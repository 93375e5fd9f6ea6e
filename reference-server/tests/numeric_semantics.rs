//! PostgreSQL's numeric results (scale per division, `::numeric` keeping the operand's
//! digits, `avg`/`sum` result types), compared with a live PostgreSQL 15 running the same
//! statements: the text form (simple query) and the binary form (extended query, raw
//! `numeric_send` bytes) must both be PostgreSQL's.

mod common;
mod pgtypes_support;

use common::pg_cluster::PgCluster;
use pgtypes_support::Raw;
use tokio_postgres::{Client, NoTls};

const SETUP: &str = "CREATE TABLE nums (id int, i2 smallint, i4 int, i8 bigint, n numeric(12,3)); \
     INSERT INTO nums VALUES (1, 1, 10, 9000000000000000000, 12.5), \
     (2, 2, 20, 223372036854775807, -3.125), (3, 4, 21, 5, 1000.001), (4, NULL, NULL, NULL, NULL)";

/// Statements whose every cell must match PostgreSQL's, text and binary.
const QUERIES: &[&str] = &[
    // Division: PostgreSQL's scale from the values, rounded half away from zero.
    "SELECT 7.0 / 2, 7 / 2.0, 1.0 / 3, 2.0 / 3.0 * 3, -1.0 / 3, 1 / -6.0",
    "SELECT 100000 / 3.0, 123456789.123 / 7, 1 / 30000.0, 0.0001 / 7, 0 / 5.0",
    "SELECT 10::numeric / 4, 10::numeric % 4, 10 / 3.0",
    "SELECT 10 / 4::numeric",
    "SELECT (10 / 4)::numeric",
    "SELECT 1.50 / 1, 12.345 / 0.5, 99999999999999999999 / 3.0, 2.5 / 1e-3",
    // Column divisions whose quotients lie between 1 and 10000.
    "SELECT id, n / 2, i4 / 3.0, i4::numeric / i2 FROM nums ORDER BY id",
    // ::numeric keeps the operand's own digits.
    "SELECT '1.50'::numeric, '-0.010'::numeric, 5::numeric, 2.50::numeric, n::numeric FROM nums ORDER BY id",
    "SELECT round(2.5, 10), round(1.23456::numeric, 3), round(10::numeric, 2), trunc(7.99, 1)",
    // avg of integers: PostgreSQL's scale for the mean's magnitude; sum(bigint) is numeric.
    "SELECT avg(i2), avg(i4), avg(i8), sum(i8), sum(i4) FROM nums",
    "SELECT avg(x) FROM (VALUES (1), (2), (2)) v(x)",
    "SELECT sum(x), avg(x) FROM (VALUES (9223372036854775807::bigint), (1::bigint)) v(x)",
    "SELECT id, avg(i4) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), \
     sum(i8) OVER (ORDER BY id) FROM nums ORDER BY id",
    "SELECT id, round(avg(i4) OVER (ORDER BY id), 2) FROM nums ORDER BY id",
    // sqrt, exp, ln, log and power of numerics: exact digits at PostgreSQL's scale.
    "SELECT sqrt(2.0), sqrt(12345678.0), sqrt(0.0002), sqrt(16::numeric), exp(1.0), exp(10.0), exp(-10.0)",
    "SELECT ln(2.0), ln(100000.0), ln(1.0001), ln(exp(2.0)), log(2.0, 64), log(10, 1000.5), log(100.0)",
    "SELECT 2::numeric ^ 10, 10.5::numeric ^ 3, 2.0 ^ -3, power(9, 0.5), 2 ^ 0.5, 1.1 ^ 2.5",
    "SELECT id, sqrt(n), power(n, 2) FROM nums WHERE n > 0 ORDER BY id",
    "SELECT log(2, 64), log(10, 1000)",
    // Integers mixed with numerics keep their own digits.
    "SELECT CASE WHEN id > 1 THEN i4 ELSE 2.5 END, COALESCE(i4, 0.5), GREATEST(i2, 1.5) FROM nums ORDER BY id",
    "SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2.5 UNION ALL SELECT -3) u ORDER BY x",
];

async fn text_rows(c: &Client, sql: &str) -> Vec<String> {
    let msgs = c
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {:?}", e.as_db_error()));
    common::row_strings(&msgs)
}

/// Column type names and every cell's binary bytes (extended protocol).
async fn binary_rows(c: &Client, sql: &str) -> (Vec<String>, Vec<Vec<Option<Vec<u8>>>>) {
    let rows = c
        .query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let stmt = c
        .prepare(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let types = stmt
        .columns()
        .iter()
        .map(|c| c.type_().name().to_owned())
        .collect();
    let cells = rows
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<_, Raw>(i).map(|raw| raw.0).unwrap_or(None))
                .collect()
        })
        .collect();
    (types, cells)
}

async fn connect_pg(port: u16) -> Client {
    let conn = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres");
    let (client, connection) = tokio_postgres::connect(&conn, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to PostgreSQL: {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

#[tokio::test]
async fn numeric_results_match_postgres() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let oracle = connect_pg(pg.port).await;
    let server = common::start().await;
    let ours = common::connect(&server).await;
    for c in [&oracle, &ours] {
        c.batch_execute(SETUP)
            .await
            .unwrap_or_else(|e| panic!("setup: {e}"));
    }
    let mut mismatches = Vec::new();
    for sql in QUERIES {
        let (want, got) = (text_rows(&oracle, sql).await, text_rows(&ours, sql).await);
        if want != got {
            mismatches.push(format!(
                "{sql}\n  text: PostgreSQL {want:?}\n        ours       {got:?}"
            ));
        }
        let (want, got) = (
            binary_rows(&oracle, sql).await,
            binary_rows(&ours, sql).await,
        );
        if want != got {
            mismatches.push(format!(
                "{sql}\n  binary: PostgreSQL {want:?}\n          ours       {got:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn numeric_division_errors_match_postgres() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    // PostgreSQL 15: ERROR 22012 division by zero.
    // PostgreSQL 15: 2201F for sqrt(-1.0) and 0.0 ^ -1, 2201E for ln(0.0) and ln(-1.0).
    for (sql, code) in [
        ("SELECT 1.0 / 0", "22012"),
        ("SELECT 5::numeric / 0.00", "22012"),
        ("SELECT sqrt(-1.0)", "2201F"),
        ("SELECT 0.0 ^ -1", "2201F"),
        ("SELECT (-8.0) ^ 0.5", "2201F"),
        ("SELECT ln(0.0)", "2201E"),
        ("SELECT ln(-1.0)", "2201E"),
    ] {
        match c.simple_query(sql).await {
            Ok(_) => panic!("{sql}: expected {code}"),
            Err(e) => assert_eq!(common::code(&e), code, "{sql}: {e}"),
        }
    }
}
