//! Extended query protocol through tokio-postgres: typed parameters, binary results,
//! prepared statements, portals with max_rows, errors with SQLSTATEs.

mod common;

#[tokio::test]
async fn parameters_with_types_and_binary_results() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute("CREATE TABLE p (id int, v double precision, s text, b boolean)")
        .await
        .ok();
    let insert = match c.prepare("INSERT INTO p VALUES ($1, $2, $3, $4)").await {
        Ok(s) => s,
        Err(e) => panic!("prepare insert: {e}"),
    };
    let types: Vec<String> = insert
        .params()
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    assert_eq!(types, vec!["int4", "float8", "text", "bool"]);
    for i in 0..5i32 {
        let n = c
            .execute(
                &insert,
                &[&i, &(f64::from(i) * 1.5), &format!("row{i}"), &(i % 2 == 0)],
            )
            .await;
        assert_eq!(n.ok(), Some(1));
    }
    let rows = c
        .query(
            "SELECT id, v, s, b FROM p WHERE id >= $1 ORDER BY id",
            &[&3i32],
        )
        .await
        .unwrap_or_else(|e| panic!("select: {e}"));
    let got: Vec<(i32, f64, String, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, 4.5, "row3".into(), false),
            (4, 6.0, "row4".into(), true)
        ]
    );
    // Untyped parameter: PostgreSQL infers text.
    let s = c
        .prepare("SELECT $1")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.params().first().map(|t| t.name().to_owned()).as_deref(),
        Some("text")
    );
    server.shutdown().await.ok();
}

#[tokio::test]
async fn statement_without_rows_and_errors() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    let stmt = c
        .prepare("CREATE TABLE q (a int)")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stmt.columns().is_empty());
    assert_eq!(c.execute(&stmt, &[]).await.ok(), Some(0));
    let err = c.prepare("SELECT * FROM missing_table").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("42P01"));
    let err = c.query("SELECT 1/0", &[]).await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("22012"));
    let err = c.query("SELECT $1::int", &[&"x"]).await.err();
    assert!(err.is_some());
    // The connection is usable after errors (skip to Sync worked).
    let one: i32 = match c.query_one("SELECT 1::int", &[]).await {
        Ok(r) => r.get(0),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(one, 1);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn portal_max_rows_streams_in_chunks() {
    let server = common::start().await;
    let mut c = common::connect(&server).await;
    c.batch_execute(
        "CREATE TABLE big (n bigint); INSERT INTO big SELECT * FROM generate_series(1, 100)",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let tx = c.transaction().await.unwrap_or_else(|e| panic!("{e}"));
    let stmt = tx
        .prepare("SELECT n FROM big ORDER BY n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let portal = tx.bind(&stmt, &[]).await.unwrap_or_else(|e| panic!("{e}"));
    let mut total = 0i64;
    let mut chunks = 0;
    loop {
        let rows = tx
            .query_portal(&portal, 30)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if rows.is_empty() {
            break;
        }
        chunks += 1;
        total += rows.iter().map(|r| r.get::<_, i64>(0)).sum::<i64>();
        if rows.len() < 30 {
            break;
        }
    }
    assert_eq!((chunks, total), (4, 5050));
    tx.commit().await.ok();
    server.shutdown().await.ok();
}
