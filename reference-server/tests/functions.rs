//! CREATE FUNCTION ... LANGUAGE sql | plpgsql through tokio-postgres, compared with what
//! PostgreSQL 15 returns for the same statements.

mod common;

use common::pg_cluster::PgCluster;
use tokio_postgres::Client;

const SETUP: &[&str] = &[
    "CREATE FUNCTION add2(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$",
    "CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2'",
    "CREATE FUNCTION boom() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1/0; END $$",
];

/// Each query's rows, or its SQLSTATE (and CONTEXT presence) when it fails.
async fn outcomes(c: &Client) -> Vec<String> {
    for s in SETUP {
        if let Err(e) = c.batch_execute(s).await {
            return vec![format!("setup {s}: {e}")];
        }
    }
    let mut out = Vec::new();
    for q in [
        "SELECT add2(1, 2), twice(add2(x, 10)) FROM (VALUES (1), (2)) v(x) ORDER BY x",
        "SELECT boom()",
        "CREATE FUNCTION add2(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$",
        "CREATE OR REPLACE FUNCTION twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3'",
        "SELECT twice(5)",
        "DROP FUNCTION nosuch",
        "DROP FUNCTION IF EXISTS nosuch",
        "DROP FUNCTION twice",
        "SELECT twice(5)",
    ] {
        match c.simple_query(q).await {
            Ok(m) => out.push(format!("{q}: {:?}", common::row_strings(&m))),
            Err(e) => {
                let context = e
                    .as_db_error()
                    .and_then(|d| d.where_())
                    .map_or("no context", |_| "context");
                out.push(format!("{q}: {} {context}", common::code(&e)));
            }
        }
    }
    out
}

#[tokio::test]
async fn sql_and_plpgsql_functions_behave_as_in_postgresql() {
    let server = common::start().await;
    let ours = outcomes(&common::connect(&server).await).await;
    let pg = PgCluster::require();
    let theirs = outcomes(&pg.connect().await).await;
    assert_eq!(ours, theirs);
}

#[tokio::test]
async fn functions_are_shared_between_sessions() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    common::exec(
        &a,
        "CREATE FUNCTION inc(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1'",
    )
    .await;
    let b = common::connect(&server).await;
    assert_eq!(common::rows(&b, "SELECT inc(41)").await, vec!["42"]);
}
