//! Protocol flows as PostgreSQL defines them, through tokio-postgres: Bind rejects bad
//! binary parameter values, the SQL-standard session functions need no parentheses, and
//! VACUUM refuses to run inside a transaction block.

mod common;

use bytes::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// Raw bytes sent as a binary parameter of whatever type the statement declares.
#[derive(Debug)]
struct RawBinary(&'static [u8]);

impl ToSql for RawBinary {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(self.0);
        Ok(IsNull::No)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[tokio::test]
async fn bind_rejects_binary_values_of_the_wrong_length() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    let stmt = match c.prepare_typed("SELECT $1::int4 AS v", &[Type::INT4]).await {
        Ok(s) => s,
        Err(e) => panic!("prepare: {e}"),
    };
    // PostgreSQL: too few bytes is a protocol error, leftover bytes a bad representation.
    for (bytes, want) in [(&[0u8, 42][..], "08P01"), (&[0, 0, 0, 0, 42][..], "22P03")] {
        match c.query(&stmt, &[&RawBinary(bytes)]).await {
            Ok(rows) => panic!("{bytes:?} accepted: {} rows", rows.len()),
            Err(e) => assert_eq!(common::code(&e), want, "{bytes:?}: {e}"),
        }
    }
    let ok = c.query(&stmt, &[&RawBinary(&[0, 0, 0, 42])]).await;
    match ok {
        Ok(rows) => assert_eq!(rows.first().map(|r| r.get::<_, i32>(0)), Some(42)),
        Err(e) => panic!("a valid int4: {e}"),
    }
    server.shutdown().await.ok();
}

#[tokio::test]
async fn session_functions_without_parentheses() {
    let server = common::start().await;
    let c = common::connect_as(&server, "alice").await;
    let got = common::rows(
        &c,
        "SELECT current_user, session_user, user, current_role, current_catalog",
    )
    .await;
    assert_eq!(got, ["alice|alice|alice|alice|postgres"]);
    let named = common::rows(&c, "SELECT current_user = 'alice' AS me").await;
    assert_eq!(named, ["t"]);
    server.shutdown().await.ok();
}

#[tokio::test]
async fn vacuum_refused_inside_a_transaction_block() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(&c, "VACUUM").await;
    for sql in ["SELECT 1; VACUUM", "BEGIN; VACUUM"] {
        match c.batch_execute(sql).await {
            Ok(()) => panic!("{sql}: accepted"),
            Err(e) => assert_eq!(common::code(&e), "25001", "{sql}: {e}"),
        }
        c.batch_execute("ROLLBACK").await.ok();
    }
    server.shutdown().await.ok();
}
