//! DO blocks (RAISE at every level, with PostgreSQL's fields), LISTEN / NOTIFY between
//! sessions (delivered only when the notifying transaction commits), and the fields of
//! constraint-violation errors, seen through tokio-postgres as an application sees them.
//! The expected fields and texts are those PostgreSQL 15 sends for the same statements.

mod common;

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client};

fn drain(rx: &mut mpsc::UnboundedReceiver<AsyncMessage>) -> Vec<AsyncMessage> {
    let mut out = Vec::new();
    while let Ok(m) = rx.try_recv() {
        out.push(m);
    }
    out
}

async fn pid(c: &Client) -> i32 {
    match c.query_one("SELECT pg_backend_pid()", &[]).await {
        Ok(r) => r.get(0),
        Err(e) => panic!("pg_backend_pid: {e}"),
    }
}

#[tokio::test]
async fn do_block_raises_notices_and_errors_like_postgres() {
    let server = common::start().await;
    let (c, mut rx) = common::connect_with_messages(&server).await;
    common::exec(
        &c,
        "DO $$ BEGIN RAISE NOTICE 'n % %%', 1 + 1 USING DETAIL = 'd', HINT = 'h'; RAISE WARNING 'w'; END $$",
    )
    .await;
    let notices: Vec<_> = drain(&mut rx)
        .into_iter()
        .filter_map(|m| match m {
            AsyncMessage::Notice(n) => Some((
                n.severity().to_owned(),
                n.code().code().to_owned(),
                n.message().to_owned(),
                n.detail().map(str::to_owned),
                n.hint().map(str::to_owned),
                n.where_().map(str::to_owned),
            )),
            _ => None,
        })
        .collect();
    let ctx = Some("PL/pgSQL function inline_code_block line 1 at RAISE".to_owned());
    assert_eq!(
        notices,
        vec![
            (
                "NOTICE".into(),
                "00000".into(),
                "n 2 %".into(),
                Some("d".into()),
                Some("h".into()),
                ctx.clone()
            ),
            (
                "WARNING".into(),
                "01000".into(),
                "w".into(),
                None,
                None,
                ctx.clone()
            ),
        ]
    );
    // client_min_messages hides NOTICE but not WARNING.
    common::exec(&c, "SET client_min_messages = warning").await;
    common::exec(&c, "DO $$ BEGIN RAISE NOTICE 'hidden'; END $$").await;
    assert!(drain(&mut rx).is_empty());

    let err = c
        .batch_execute(
            "DO $$ BEGIN RAISE EXCEPTION 'flow failure' USING DETAIL = 'the detail', HINT = 'the hint'; END $$",
        )
        .await
        .err();
    let db = err.as_ref().and_then(|e| e.as_db_error());
    assert_eq!(
        db.map(|d| (
            d.code().code(),
            d.message(),
            d.detail(),
            d.hint(),
            d.where_()
        )),
        Some((
            "P0001",
            "flow failure",
            Some("the detail"),
            Some("the hint"),
            Some("PL/pgSQL function inline_code_block line 1 at RAISE")
        ))
    );
    let err = c
        .batch_execute(
            "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '22012', MESSAGE = 'custom'; END $$",
        )
        .await
        .err();
    let db = err.as_ref().and_then(|e| e.as_db_error());
    assert_eq!(
        db.map(|d| (d.code().code(), d.message())),
        Some(("22012", "custom"))
    );
    let err = c.batch_execute("DO $$ BEGIN PERFORM 1; END $$").await.err();
    assert_eq!(err.as_ref().map(common::code).as_deref(), Some("0A000"));
    server.shutdown().await.ok();
}

#[tokio::test]
async fn notifications_arrive_after_commit_with_the_senders_pid() {
    let server = common::start().await;
    let (listener, mut rx) = common::connect_with_messages(&server).await;
    let sender = common::connect(&server).await;
    let sender_pid = pid(&sender).await;
    common::exec(&listener, "LISTEN chan").await;

    common::exec(&sender, "BEGIN").await;
    common::exec(&sender, "NOTIFY chan, 'first'").await;
    common::exec(&sender, "NOTIFY chan, 'first'").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(drain(&mut rx).is_empty(), "delivered before COMMIT");
    common::exec(&sender, "COMMIT").await;
    // The idle listener is told without sending anything; duplicates in one
    // transaction are folded into one.
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    match got {
        Ok(Some(AsyncMessage::Notification(n))) => {
            assert_eq!(
                (n.process_id(), n.channel(), n.payload()),
                (sender_pid, "chan", "first")
            );
        }
        other => panic!("expected a notification, got {other:?}"),
    }

    common::exec(&sender, "BEGIN; NOTIFY chan, 'rolled back'; ROLLBACK").await;
    common::exec(&sender, "NOTIFY other, 'not listened'").await;
    common::exec(&listener, "SELECT 1").await;
    assert!(drain(&mut rx).is_empty());

    common::exec(&listener, "UNLISTEN *").await;
    common::exec(&sender, "NOTIFY chan").await;
    common::exec(&listener, "SELECT 1").await;
    assert!(drain(&mut rx).is_empty());
    server.shutdown().await.ok();
}

#[tokio::test]
async fn constraint_errors_name_the_table_column_and_constraint() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(
        &c,
        "CREATE TABLE fk_items (id int PRIMARY KEY, qty int NOT NULL CONSTRAINT qty_positive CHECK (qty > 0))",
    )
    .await;
    common::exec(&c, "INSERT INTO fk_items VALUES (1, 1)").await;
    let fields = |e: Option<tokio_postgres::Error>| {
        e.as_ref().and_then(|e| e.as_db_error()).map(|d| {
            (
                d.code().code().to_owned(),
                d.schema().map(str::to_owned),
                d.table().map(str::to_owned),
                d.column().map(str::to_owned),
                d.constraint().map(str::to_owned),
                d.detail().map(str::to_owned),
            )
        })
    };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        fields(
            c.batch_execute("INSERT INTO fk_items VALUES (1, 2)")
                .await
                .err()
        ),
        Some((
            "23505".into(),
            s("public"),
            s("fk_items"),
            None,
            s("fk_items_pkey"),
            s("Key (id)=(1) already exists.")
        ))
    );
    assert_eq!(
        fields(
            c.batch_execute("INSERT INTO fk_items VALUES (2, NULL)")
                .await
                .err()
        ),
        Some((
            "23502".into(),
            s("public"),
            s("fk_items"),
            s("qty"),
            None,
            s("Failing row contains (2, null).")
        ))
    );
    assert_eq!(
        fields(
            c.batch_execute("INSERT INTO fk_items VALUES (3, -1)")
                .await
                .err()
        ),
        Some((
            "23514".into(),
            s("public"),
            s("fk_items"),
            None,
            s("qty_positive"),
            s("Failing row contains (3, -1).")
        ))
    );
    server.shutdown().await.ok();
}

#[tokio::test]
async fn a_failed_implicit_transaction_drops_its_temporary_table() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    let failed = c
        .batch_execute("CREATE TEMP TABLE gone(a int); INSERT INTO gone VALUES (1); SELECT 1/0")
        .await
        .err();
    assert_eq!(failed.as_ref().map(common::code).as_deref(), Some("22012"));
    let after = c.batch_execute("SELECT count(*) FROM gone").await.err();
    assert_eq!(after.as_ref().map(common::code).as_deref(), Some("42P01"));
    server.shutdown().await.ok();
}

#[tokio::test]
async fn returning_and_fetch_first_answer_like_postgres() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(&c, "CREATE TABLE ret_t (a int)").await;
    // (The int4 type of `a * 10` is checked by the flow suite's insert_returning case.)
    assert_eq!(
        common::rows(
            &c,
            "INSERT INTO ret_t VALUES (7), (8) RETURNING a * 10 AS x"
        )
        .await,
        vec!["70", "80"]
    );
    assert_eq!(
        common::tags(&c, "UPDATE ret_t SET a = a + 1 WHERE a = 8 RETURNING a").await,
        vec![1]
    );
    assert_eq!(
        common::rows(&c, "SELECT a FROM ret_t ORDER BY a FETCH FIRST 1 ROW ONLY").await,
        vec!["7"]
    );
    server.shutdown().await.ok();
}
