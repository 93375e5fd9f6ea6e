//! COPY round trips (text and CSV), a bad row applying nothing, cancel and statement_timeout.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{SinkExt, StreamExt};

async fn copy_in(
    c: &tokio_postgres::Client,
    sql: &str,
    data: &str,
) -> Result<u64, tokio_postgres::Error> {
    let sink = c.copy_in(sql).await?;
    futures::pin_mut!(sink);
    sink.send(Bytes::from(data.to_owned())).await?;
    sink.finish().await
}

async fn copy_out(c: &tokio_postgres::Client, sql: &str) -> String {
    let stream = c
        .copy_out(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    futures::pin_mut!(stream);
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.unwrap_or_else(|e| panic!("{e}")));
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn copy_text_and_csv_round_trip() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute("CREATE TABLE c (id int NOT NULL, name text, v double precision)")
        .await
        .ok();
    let n = copy_in(
        &c,
        "COPY c FROM STDIN",
        "1\tone\t1.5\n2\t\\N\t2\n3\ttab\\there\t-0.25\n",
    )
    .await;
    assert_eq!(n.ok(), Some(3));
    let n = copy_in(
        &c,
        "COPY c (id, name) FROM STDIN (FORMAT csv, HEADER)",
        "id,name\n4,\"a,b\"\n5,\n",
    )
    .await;
    assert_eq!(n.ok(), Some(2));
    assert_eq!(
        copy_out(&c, "COPY (SELECT * FROM c ORDER BY id) TO STDOUT").await,
        "1\tone\t1.5\n2\t\\N\t2\n3\ttab\\there\t-0.25\n4\ta,b\t\\N\n5\t\\N\t\\N\n"
    );
    assert_eq!(
        copy_out(&c, "COPY (SELECT id, name FROM c WHERE id > 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)").await,
        "id,name\n4,\"a,b\"\n5,\n"
    );
    // A bad row aborts the whole COPY.
    let err = copy_in(
        &c,
        "COPY c FROM STDIN",
        "6\tsix\t6\n7\tseven\tnot_a_number\n",
    )
    .await
    .err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("22P02"));
    let count = c
        .query_one("SELECT count(*) FROM c", &[])
        .await
        .map(|r| r.get::<_, i64>(0));
    assert_eq!(count.ok(), Some(5));
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_and_statement_timeout() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    let token = c.cancel_token();
    let started = Instant::now();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        token.cancel_query(tokio_postgres::NoTls).await
    });
    let err = c.simple_query("SELECT pg_sleep(10)").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("57014"));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(canceller.await, Ok(Ok(()))));
    // The session is fine afterwards, and statement_timeout uses the same code.
    c.batch_execute("SET statement_timeout = 200").await.ok();
    let err = c.simple_query("SELECT pg_sleep(5)").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("57014"));
    c.batch_execute("SET statement_timeout = 0").await.ok();
    assert!(c.simple_query("SELECT 1").await.is_ok());
    server.shutdown().await.ok();
}
