//! Transactions seen from two real client sessions: isolation of uncommitted writes, COMMIT,
//! ROLLBACK, savepoints, implicit transactions, settings, and durability across restarts
//! (graceful and kill -9). Expected results were checked against PostgreSQL 15.

mod common;

use std::time::Duration;

use common::{connect_to, exec, rows, spawn_server, tags};
use tokio_postgres::Client;

const ALL: &str = "SELECT id, v FROM t ORDER BY id";

async fn setup(c: &Client) {
    exec(
        c,
        "CREATE TABLE t (id int NOT NULL, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b')",
    )
    .await;
}

#[tokio::test]
async fn uncommitted_writes_are_private_until_commit() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    setup(&a).await;

    exec(&a, "BEGIN").await;
    assert_eq!(tags(&a, "INSERT INTO t VALUES (3, 'c')").await, vec![1]);
    assert_eq!(tags(&a, "UPDATE t SET v = 'A' WHERE id = 1").await, vec![1]);
    assert_eq!(tags(&a, "DELETE FROM t WHERE id = 2").await, vec![1]);
    // The inserted row can be updated and deleted in the same block.
    assert_eq!(
        tags(&a, "UPDATE t SET v = v || '!' WHERE id >= 3").await,
        vec![1]
    );
    assert_eq!(rows(&a, ALL).await, vec!["1|A", "3|c!"]);
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b"]);
    assert_eq!(
        rows(&a, "SELECT count(*) FROM t WHERE v = 'A'").await,
        vec!["1"]
    );

    exec(&a, "COMMIT").await;
    assert_eq!(rows(&b, ALL).await, vec!["1|A", "3|c!"]);
    assert_eq!(rows(&a, ALL).await, vec!["1|A", "3|c!"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn rollback_and_session_end_drop_writes() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    setup(&a).await;

    exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (3, 'c'); DELETE FROM t WHERE id = 1; TRUNCATE t",
    )
    .await;
    assert_eq!(rows(&a, ALL).await, Vec::<String>::new());
    exec(&a, "ROLLBACK").await;
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|b"]);

    // A failed block: COMMIT answers ROLLBACK and nothing is kept.
    exec(&b, "BEGIN; INSERT INTO t VALUES (4, 'd')").await;
    let e = b.batch_execute("INSERT INTO nosuch VALUES (1)").await;
    assert!(e.is_err());
    let e = b
        .batch_execute("SELECT 1")
        .await
        .err()
        .map(|e| common::code(&e));
    assert_eq!(e.as_deref(), Some("25P02"));
    exec(&b, "COMMIT").await;
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b"]);

    // A session that ends inside a block rolls back.
    exec(&b, "BEGIN; INSERT INTO t VALUES (5, 'e')").await;
    drop(b);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|b"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn savepoints_undo_writes_since_them() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    setup(&a).await;

    exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (3, 'c'); SAVEPOINT s1; INSERT INTO t VALUES (4, 'd'); \
         DELETE FROM t WHERE id = 1",
    )
    .await;
    assert_eq!(rows(&a, ALL).await, vec!["2|b", "3|c", "4|d"]);
    exec(&a, "ROLLBACK TO SAVEPOINT s1").await;
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|b", "3|c"]);

    // An error, then ROLLBACK TO makes the block usable again.
    exec(&a, "SAVEPOINT s2; UPDATE t SET v = 'x' WHERE id = 2").await;
    assert!(a.batch_execute("SELECT * FROM nosuch").await.is_err());
    exec(
        &a,
        "ROLLBACK TO s2; RELEASE s1; INSERT INTO t VALUES (5, 'e'); COMMIT",
    )
    .await;
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|b", "3|c", "5|e"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn implicit_transactions() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    setup(&a).await;

    // A multi-statement Query is one transaction: the error undoes the first insert.
    let e = a
        .batch_execute(
            "INSERT INTO t VALUES (3, 'c'); DELETE FROM t; INSERT INTO nosuch VALUES (1)",
        )
        .await;
    assert!(e.is_err());
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b"]);
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|b"]);

    // Without an error it commits at its end; later statements see the earlier ones' writes.
    assert_eq!(
        rows(
            &a,
            "INSERT INTO t VALUES (3, 'c'); UPDATE t SET v = 'C' WHERE id = 3; \
             SELECT count(*) FROM t"
        )
        .await,
        vec!["3"]
    );
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b", "3|C"]);

    // COMMIT inside the batch commits what came before it; the error only undoes what follows.
    let e = a
        .batch_execute(
            "BEGIN; INSERT INTO t VALUES (4, 'd'); COMMIT; INSERT INTO t VALUES (5, 'e'); \
             SELECT * FROM nosuch",
        )
        .await;
    assert!(e.is_err());
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b", "3|C", "4|d"]);

    // Extended protocol: the statement commits at Sync and is visible to others afterwards.
    let n = a
        .execute("INSERT INTO t VALUES ($1, $2)", &[&6i32, &"f"])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 1);
    assert_eq!(rows(&b, "SELECT v FROM t WHERE id = 6").await, vec!["f"]);
    let n = a
        .execute("DELETE FROM t WHERE id > $1", &[&3i32])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, 2);
    assert_eq!(rows(&b, ALL).await, vec!["1|a", "2|b", "3|C"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn commit_applies_to_the_committed_state() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    setup(&a).await;

    // a updates row 1 in a block; b deletes it meanwhile; a's commit does not bring it back
    // (PostgreSQL ends the same way: b waits for a, then deletes the updated row).
    exec(&a, "BEGIN; UPDATE t SET v = 'A' WHERE id = 1").await;
    exec(&b, "DELETE FROM t WHERE id = 1").await;
    exec(&a, "COMMIT").await;
    assert_eq!(rows(&b, ALL).await, vec!["2|b"]);

    // Rows another session committed after a's UPDATE are matched at a's COMMIT.
    exec(&a, "BEGIN; UPDATE t SET v = 'z' WHERE id >= 2").await;
    exec(&b, "INSERT INTO t VALUES (7, 'g')").await;
    exec(&a, "COMMIT").await;
    assert_eq!(rows(&b, ALL).await, vec!["2|z", "7|z"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn set_is_undone_by_rollback_and_set_local_by_commit() {
    let server = common::start().await;
    let a = common::connect(&server).await;

    exec(&a, "BEGIN; SET application_name = 'rolled_back'").await;
    assert_eq!(rows(&a, "SHOW application_name").await, vec!["rolled_back"]);
    exec(&a, "ROLLBACK").await;
    assert_eq!(rows(&a, "SHOW application_name").await, vec![""]);

    exec(
        &a,
        "BEGIN; SET application_name = 'kept'; SET LOCAL DateStyle = 'German'",
    )
    .await;
    assert_eq!(rows(&a, "SHOW DateStyle").await, vec!["German, DMY"]);
    exec(&a, "COMMIT").await;
    assert_eq!(rows(&a, "SHOW DateStyle").await, vec!["ISO, MDY"]);
    assert_eq!(rows(&a, "SHOW application_name").await, vec!["kept"]);

    exec(
        &a,
        "BEGIN; SAVEPOINT s; SET application_name = 'inner'; ROLLBACK TO s",
    )
    .await;
    assert_eq!(rows(&a, "SHOW application_name").await, vec!["kept"]);
    exec(&a, "COMMIT").await;
    server.shutdown().await.ok();
}

#[tokio::test]
async fn committed_rows_survive_restart_uncommitted_do_not() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = common::durable(dir.path());
    let server = common::start_with(config.clone()).await;
    let a = common::connect(&server).await;
    setup(&a).await;
    exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (3, 'c'); UPDATE t SET v = 'B' WHERE id = 2; COMMIT",
    )
    .await;
    exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (4, 'd'); DELETE FROM t WHERE id = 1",
    )
    .await;
    drop(a);
    server
        .shutdown()
        .await
        .unwrap_or_else(|e| panic!("shutdown: {e}"));

    let server = common::start_with(config).await;
    let a = common::connect(&server).await;
    assert_eq!(rows(&a, ALL).await, vec!["1|a", "2|B", "3|c"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn kill_during_transaction_keeps_only_committed_rows() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut child, addr) = spawn_server(dir.path());
    let a = connect_to(addr).await;
    setup(&a).await;
    // Committed in a block touching two tables, and one with an UPDATE (manifest swap path).
    exec(
        &a,
        "CREATE TABLE u (x int); BEGIN; INSERT INTO t VALUES (3, 'c'); INSERT INTO u VALUES (1); \
         COMMIT; BEGIN; DELETE FROM t WHERE id = 1; INSERT INTO t VALUES (4, 'd'); COMMIT",
    )
    .await;
    exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (5, 'e'); UPDATE t SET v = 'X'; INSERT INTO u VALUES (2)",
    )
    .await;
    child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
    let _ = child.wait();
    drop(a);

    let (mut child, addr) = spawn_server(dir.path());
    let a = connect_to(addr).await;
    assert_eq!(rows(&a, ALL).await, vec!["2|b", "3|c", "4|d"]);
    assert_eq!(rows(&a, "SELECT x FROM u").await, vec!["1"]);
    child.kill().ok();
    let _ = child.wait();
}

#[tokio::test]
async fn rollback_drops_tables_created_in_the_transaction() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    exec(
        &a,
        "BEGIN; CREATE TABLE tmp1 (x int); INSERT INTO tmp1 VALUES (1); ROLLBACK",
    )
    .await;
    let e = a.batch_execute("SELECT * FROM tmp1").await.err();
    assert_eq!(e.map(|e| common::code(&e)).as_deref(), Some("42P01"));

    // An implicit transaction that fails undoes its CREATE TABLE too.
    let e = a
        .batch_execute(
            "CREATE TABLE tmp2 (x int); INSERT INTO tmp2 VALUES (1); SELECT * FROM nosuch",
        )
        .await;
    assert!(e.is_err());
    let e = a.batch_execute("SELECT * FROM tmp2").await.err();
    assert_eq!(e.map(|e| common::code(&e)).as_deref(), Some("42P01"));

    // Committed, it stays with its rows.
    exec(
        &a,
        "BEGIN; CREATE TABLE tmp3 (x int); INSERT INTO tmp3 VALUES (1); COMMIT",
    )
    .await;
    assert_eq!(rows(&a, "SELECT x FROM tmp3").await, vec!["1"]);
    server.shutdown().await.ok();
}
