//! The client side both servers get: connect, run a statement, stream COPY data.

use std::time::Duration;

use bytes::Bytes;
use futures::SinkExt;
use indicatif::ProgressBar;
use tokio_postgres::Client;

use super::error::{BenchError, within};
use crate::session::{ConnectOptions, connect_client};

/// A statement on a loaded server can take long (VACUUM of 10M rows); this only ends hangs.
pub(crate) const STATEMENT_LIMIT: Duration = Duration::from_secs(1800);

/// A tokio-postgres client; its connection task ends with the client.
pub(crate) async fn connect(server: &ConnectOptions) -> Result<Client, BenchError> {
    let (client, _driver) = connect_client(server).await?;
    Ok(client)
}

/// Runs one or more statements with the simple protocol.
pub(crate) async fn execute(client: &Client, sql: &str) -> Result<(), BenchError> {
    within(STATEMENT_LIMIT, sql, async {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| BenchError::sql(sql, &e))
    })
    .await
}

/// `COPY table FROM STDIN` with `chunks` as the CopyData; returns the row count the server
/// reports. The bar's message counts the rows sent (`rows_per_chunk` a chunk).
pub(crate) async fn copy_in(
    client: &Client,
    table: &str,
    chunks: impl IntoIterator<Item = Bytes>,
    bar: &ProgressBar,
    rows_per_chunk: u64,
) -> Result<u64, BenchError> {
    let sql = format!("COPY {table} FROM STDIN");
    let step = bar.message();
    within(STATEMENT_LIMIT, &sql, async {
        let failed = |e: tokio_postgres::Error| BenchError::sql(&sql, &e);
        let sink = client.copy_in::<_, Bytes>(&sql).await.map_err(failed)?;
        let mut sink = std::pin::pin!(sink);
        let mut sent: u64 = 0;
        for chunk in chunks {
            sink.feed(chunk).await.map_err(failed)?;
            sent = sent.saturating_add(rows_per_chunk);
            bar.set_message(format!("{step} ({sent} rows sent)"));
        }
        sink.as_mut().finish().await.map_err(failed)
    })
    .await
}

/// `SELECT count(*) FROM table`, through the simple protocol (text), as a number.
pub(crate) async fn count(client: &Client, table: &str) -> Result<u64, BenchError> {
    let sql = format!("SELECT count(*) FROM {table}");
    let rows = within(STATEMENT_LIMIT, &sql, async {
        client
            .simple_query(&sql)
            .await
            .map_err(|e| BenchError::sql(&sql, &e))
    })
    .await?;
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| BenchError::Mismatch(format!("{sql} returned no number")))
}
