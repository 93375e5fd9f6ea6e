//! pg_terminate_backend / pg_cancel_backend between real tokio-postgres sessions, checked
//! against what PostgreSQL 15 does with the same calls.

mod common;

use std::time::Duration;

use common::pg_cluster::PgCluster;
use tokio_postgres::{AsyncMessage, Client};

/// Terminate `victim` from `killer`: the caller gets true, the victim's connection ends
/// with FATAL 57P01 and its next statement fails. Returns the victim's error SQLSTATE.
async fn terminate_other(killer: &Client, victim: &Client) -> Option<String> {
    let pid: i32 = match victim.query_one("SELECT pg_backend_pid()", &[]).await {
        Ok(row) => row.get(0),
        Err(e) => panic!("pg_backend_pid(): {e:?}"),
    };
    let ok: bool = match killer
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .await
    {
        Ok(row) => row.get(0),
        Err(e) => panic!("pg_terminate_backend($1): {e:?}"),
    };
    assert!(ok, "pg_terminate_backend({pid}) returned false");
    for _ in 0..50 {
        if victim.is_closed() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(victim.is_closed(), "the terminated session is still open");
    victim
        .simple_query("SELECT 1")
        .await
        .err()
        .map(|e| common::code(&e))
}

#[tokio::test]
async fn terminating_another_session_closes_it_as_postgresql_does() {
    let server = common::start().await;
    let (killer, victim) = (
        common::connect(&server).await,
        common::connect(&server).await,
    );
    let ours = terminate_other(&killer, &victim).await;
    // The killer's own session goes on.
    assert_eq!(common::rows(&killer, "SELECT 1").await, vec!["1"]);
    if let Some(pg) = PgCluster::start() {
        let (killer, victim) = (pg.connect().await, pg.connect().await);
        assert_eq!(ours, terminate_other(&killer, &victim).await);
    }
}

#[tokio::test]
async fn unknown_pid_gives_false_and_a_warning() {
    let server = common::start().await;
    let (client, mut messages) = common::connect_with_messages(&server).await;
    let row = client
        .query_one("SELECT pg_terminate_backend(2147483000), pg_cancel_backend(2147483000), pg_terminate_backend(NULL)", &[])
        .await;
    let row = match row {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        (
            row.get::<_, bool>(0),
            row.get::<_, bool>(1),
            row.get::<_, Option<bool>>(2)
        ),
        (false, false, None)
    );
    let mut warnings = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), messages.recv()).await
    {
        if let AsyncMessage::Notice(n) = m {
            warnings.push((
                n.severity().to_owned(),
                n.code().code().to_owned(),
                n.message().to_owned(),
            ));
        }
    }
    let expected = (
        "WARNING".to_owned(),
        "01000".to_owned(),
        "PID 2147483000 is not a PostgreSQL backend process".to_owned(),
    );
    assert_eq!(warnings, vec![expected.clone(), expected]);
}

#[tokio::test]
async fn self_termination_sends_the_row_then_fatal() {
    let server = common::start().await;
    let client = common::connect(&server).await;
    let result = client
        .simple_query("SELECT pg_terminate_backend(pg_backend_pid())")
        .await;
    let err = match result {
        Ok(m) => panic!("expected FATAL, got {} messages", m.len()),
        Err(e) => e,
    };
    assert_eq!(common::code(&err), "57P01");
    assert!(client.is_closed());
    // The server goes on serving other sessions.
    let other = common::connect(&server).await;
    assert_eq!(common::rows(&other, "SELECT 2").await, vec!["2"]);
}
