//! Time-series functions (expected values from PostgreSQL's date_bin/array_agg equivalents)
//! and restart recovery with a data directory.

mod common;

use common::rows;

#[tokio::test]
async fn time_bucket_first_last_generate_series() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute(
        "CREATE TABLE ts (t timestamp, v double precision); \
         INSERT INTO ts VALUES ('2024-01-01 00:01:00', 1), ('2024-01-01 00:14:00', 2), \
         ('2024-01-01 00:16:00', 3), ('2024-01-01 00:29:00', 4), ('2024-01-01 00:31:00', 5)",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows(&c, "SELECT time_bucket(INTERVAL '15 minutes', t) AS b, first(v, t), last(v, t), count(*) FROM ts GROUP BY 1 ORDER BY 1").await,
        vec!["2024-01-01 00:00:00|1|2|2", "2024-01-01 00:15:00|3|4|2", "2024-01-01 00:30:00|5|5|1"]
    );
    assert_eq!(
        rows(
            &c,
            "SELECT time_bucket(INTERVAL '7 days', TIMESTAMP '2024-01-10 12:00:00')"
        )
        .await,
        vec!["2024-01-08 00:00:00"]
    );
    assert_eq!(
        rows(&c, "SELECT count(*), min(g), max(g) FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-02', INTERVAL '1 hour') AS s(g)").await,
        vec!["25|2024-01-01 00:00:00|2024-01-02 00:00:00"]
    );
    server.shutdown().await.ok();
}

#[tokio::test]
async fn data_survives_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = common::durable(dir.path());
    let server = common::start_with(config.clone()).await;
    let c = common::connect(&server).await;
    c.batch_execute(
        "CREATE TABLE m (t timestamp NOT NULL, host text, v double precision); \
         INSERT INTO m VALUES ('2024-01-01 00:00:00', 'a', 1.5), ('2024-01-02 00:00:00', 'b', 2.5)",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    drop(c);
    server
        .shutdown()
        .await
        .unwrap_or_else(|e| panic!("shutdown: {e}"));

    let server = common::start_with(config).await;
    let c = common::connect(&server).await;
    assert_eq!(
        rows(&c, "SELECT host, v FROM m ORDER BY t").await,
        vec!["a|1.5", "b|2.5"]
    );
    server.shutdown().await.ok();
}
