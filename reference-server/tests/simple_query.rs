//! Simple query protocol through tokio-postgres: tags, multi-statement, errors, startup.

mod common;

use tokio_postgres::SimpleQueryMessage;

/// Command tags of every statement in a simple query, in order.
async fn tags(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    let msgs = client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    msgs.iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn ddl_dml_and_select_tags() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    // Counts only: tokio-postgres exposes the row count of each CommandComplete.
    assert_eq!(
        tags(
            &c,
            "CREATE TABLE t (id int NOT NULL, name text, PRIMARY KEY (id)); \
             INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL); \
             UPDATE t SET name = 'z' WHERE id > 1; \
             DELETE FROM t WHERE id = 3; \
             SELECT * FROM t ORDER BY id"
        )
        .await,
        vec!["0", "3", "2", "1", "2"]
    );
    let rows = c
        .simple_query("SELECT id, name FROM t ORDER BY id")
        .await
        .unwrap_or_default();
    let values: Vec<(String, String)> = rows
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some((
                r.get(0).unwrap_or("NULL").to_owned(),
                r.get(1).unwrap_or("NULL").to_owned(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        vec![("1".into(), "a".into()), ("2".into(), "z".into())]
    );
    server.shutdown().await.ok();
}

#[tokio::test]
async fn error_sqlstates() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute("CREATE TABLE e (a int NOT NULL)")
        .await
        .ok();
    let cases = [
        ("SELECT * FROM nope", "42P01"),
        ("SELECT nope FROM e", "42703"),
        ("SELEC 1", "42601"),
        ("SELECT no_such_fn(1)", "42883"),
        ("SELECT 1/0", "22012"),
        ("SELECT 'abc'::int", "22P02"),
        ("CREATE TABLE e (a int)", "42P07"),
        ("SET no_such_setting = 1", "42704"),
    ];
    for (sql, expected) in cases {
        match c.simple_query(sql).await {
            Ok(_) => panic!("{sql}: expected {expected}, got success"),
            Err(e) => assert_eq!(common::code(&e), expected, "{sql}: {e}"),
        }
    }
    // The session survives every error.
    assert!(c.simple_query("SELECT 1").await.is_ok());
    server.shutdown().await.ok();
}

#[tokio::test]
async fn transaction_block_status_and_25p02() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute("BEGIN").await.ok();
    let err = c.simple_query("SELECT * FROM missing").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("42P01"));
    let err = c.simple_query("SELECT 1").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("25P02"));
    // COMMIT of a failed block reports ROLLBACK and ends it.
    assert!(c.simple_query("COMMIT").await.is_ok());
    assert!(c.simple_query("SELECT 1").await.is_ok());
    server.shutdown().await.ok();
}

#[tokio::test]
async fn settings_are_per_session_and_reported() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    a.batch_execute("SET extra_float_digits = 2; SET application_name = 'alpha'")
        .await
        .ok();
    let show = |rows: Vec<SimpleQueryMessage>| {
        rows.into_iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .unwrap_or_default()
    };
    assert_eq!(
        show(
            a.simple_query("SHOW extra_float_digits")
                .await
                .unwrap_or_default()
        ),
        "2"
    );
    assert_eq!(
        show(
            b.simple_query("SHOW extra_float_digits")
                .await
                .unwrap_or_default()
        ),
        "1"
    );
    assert_eq!(
        show(
            a.simple_query("SELECT current_setting('application_name')")
                .await
                .unwrap_or_default()
        ),
        "alpha"
    );
    assert_eq!(
        show(b.simple_query("SHOW DateStyle").await.unwrap_or_default()),
        "ISO, MDY"
    );
    server.shutdown().await.ok();
}

#[tokio::test]
async fn empty_query_and_column_names() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    assert!(c.simple_query(";").await.is_ok());
    let rows = c.query("SELECT 1, count(*) FROM (SELECT 1) s", &[]).await;
    let names: Vec<String> = match rows {
        Ok(r) => r
            .first()
            .map(|r| r.columns().iter().map(|c| c.name().to_owned()).collect())
            .unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(names, vec!["?column?", "count"]);
    server.shutdown().await.ok();
}
