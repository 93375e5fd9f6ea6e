//! SQL-level prepared statements (PREPARE / EXECUTE / DEALLOCATE, `pg_prepared_statements`)
//! sharing one namespace with the protocol's named statements, and DISCARD, as tokio-postgres
//! sees them: the same steps on the reference server and on a throwaway PostgreSQL 15 must
//! give the same transcript.

mod common;

use common::pg_cluster::PgCluster;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// Rows (`a|b` per row) and the command tag, or the error's SQLSTATE, message and detail.
async fn step(c: &Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(msgs) => {
            let mut out = Vec::new();
            for m in msgs {
                match m {
                    SimpleQueryMessage::Row(r) => out.push(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or("NULL").to_owned())
                            .collect::<Vec<_>>()
                            .join("|"),
                    ),
                    SimpleQueryMessage::CommandComplete(n) => out.push(format!("({n})")),
                    _ => {}
                }
            }
            format!("{sql} => {}", out.join(" "))
        }
        Err(e) => format!("{sql} => {}", error(&e)),
    }
}

fn error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!(
            "ERROR {} {} {}",
            d.code().code(),
            d.message(),
            d.detail().unwrap_or("")
        ),
        None => format!("no sqlstate: {e}"),
    }
}

async fn transcript(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "PREPARE p (int, text) AS SELECT $1 + 1 AS x, $2 AS y",
        "EXECUTE p (1, 'a')",
        "EXECUTE p (1)",
        "EXECUTE nosuch",
        "PREPARE p AS SELECT 1",
        "PREPARE bad AS SELECT * FROM no_such_table",
        "PREPARE q AS SELECT $1::int * 2 AS doubled",
        "EXECUTE q ('21')",
        "CREATE TEMP TABLE prep_t (a int, b text)",
        "PREPARE ins (int, text) AS INSERT INTO prep_t VALUES ($1, $2)",
        "EXECUTE ins (1, 'one')",
        "EXECUTE ins (2, NULL)",
        "SELECT * FROM prep_t ORDER BY a",
        "SELECT name, statement, parameter_types, from_sql FROM pg_prepared_statements \
         ORDER BY name",
        "DEALLOCATE p",
        "DEALLOCATE p",
        "DEALLOCATE PREPARE q",
        "SELECT count(*) FROM pg_prepared_statements",
        "DEALLOCATE ALL",
        "SELECT count(*) FROM pg_prepared_statements",
    ] {
        out.push(step(c, sql).await);
    }

    // A statement prepared by the protocol (Parse) is in the same namespace.
    let stmt = match c.prepare("SELECT $1::int + 100 AS plus").await {
        Ok(s) => s,
        Err(e) => return [out, vec![format!("prepare failed: {}", error(&e))]].concat(),
    };
    let name = match c
        .query_one(
            "SELECT name FROM pg_prepared_statements WHERE NOT from_sql",
            &[],
        )
        .await
    {
        Ok(r) => r.get::<_, String>(0),
        Err(e) => return [out, vec![format!("no protocol statement: {}", error(&e))]].concat(),
    };
    out.push(
        step(
            c,
            "SELECT statement, parameter_types FROM pg_prepared_statements WHERE NOT from_sql",
        )
        .await,
    );
    for sql in [
        format!("PREPARE {name} AS SELECT 1"),
        format!("EXECUTE {name} (5)"),
        format!("DEALLOCATE {name}"),
    ] {
        out.push(step(c, &sql).await.replace(&name, "<protocol>"));
    }
    out.push(match c.query(&stmt, &[&1i32]).await {
        Ok(rows) => format!("protocol statement after DEALLOCATE: {} rows", rows.len()),
        Err(e) => format!("protocol statement after DEALLOCATE: {}", error(&e)),
    });

    for sql in [
        "BEGIN",
        "DISCARD ALL",
        "ROLLBACK",
        "SELECT 1; DISCARD ALL",
        "PREPARE kept AS SELECT 1",
        "SET application_name = 'before_discard'",
        "CREATE TEMP TABLE discard_t (a int)",
        "DISCARD PLANS",
        "DISCARD SEQUENCES",
        "DISCARD ALL",
        "SHOW application_name",
        "SELECT count(*) FROM pg_prepared_statements",
        "SELECT * FROM discard_t",
        "CREATE TEMP TABLE discard_t2 (a int)",
        "DISCARD TEMP",
        "SELECT * FROM discard_t2",
    ] {
        out.push(step(c, sql).await);
    }
    out
}

async fn connect_pg(port: u16) -> Client {
    let conn = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres");
    let (client, connection) = match tokio_postgres::connect(&conn, NoTls).await {
        Ok(c) => c,
        Err(e) => panic!("connect to PostgreSQL: {e}"),
    };
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements_and_discard_as_on_postgres() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let expected = transcript(&connect_pg(pg.port).await).await;
    let server = common::start().await;
    let actual = transcript(&common::connect(&server).await).await;
    server.shutdown().await.ok();
    // Prepare times differ; everything else must not.
    assert_eq!(actual.join("\n"), expected.join("\n"));
}
