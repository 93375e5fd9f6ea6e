//! Shared by the pgtypes oracle tests: raw-byte access to results and their text form.
#![allow(dead_code)]

use std::error::Error;

use postgres_types::{FromSql, Type};
use tokio_postgres::Client;

/// The raw binary bytes of a result column, whatever its type.
pub struct Raw(pub Option<Vec<u8>>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(Some(raw.to_vec())))
    }
    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(None))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's text output of a single-value query, via the simple protocol.
pub async fn pg_text(client: &Client, sql: &str) -> Result<Option<String>, tokio_postgres::Error> {
    let msgs = client.simple_query(sql).await?;
    for m in msgs {
        if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
            return Ok(r.get(0).map(str::to_string));
        }
    }
    Ok(None)
}

/// PostgreSQL's binary output and type of a single-value query, via the extended protocol.
pub async fn pg_binary(
    client: &Client,
    sql: &str,
) -> Result<(Option<Vec<u8>>, Type), tokio_postgres::Error> {
    let stmt = client.prepare(sql).await?;
    let ty = stmt.columns()[0].type_().clone();
    let rows = client.query(&stmt, &[]).await?;
    let raw: Raw = rows[0].get(0);
    Ok((raw.0, ty))
}

/// Shows bytes readably in mismatch reports.
pub fn show(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("{b:02x?}"),
    }
}
