//! COPY ingest: one `COPY ... FROM STDIN` of N series rows into an empty table, rows/s.
//!
//! The COPY text is generated once, before timing, and the same buffers go to both servers;
//! the clock runs from the COPY statement to its CommandComplete, and the row count is
//! checked afterwards so a server that drops rows cannot look fast.

use std::time::Instant;

use bytes::Bytes;
use indicatif::ProgressBar;

use super::copy_in::{connect, copy_in, count, execute};
use super::error::BenchError;
use super::options::{BenchOptions, Endpoints};
use super::outcome::{Aim, BenchRow};
use super::series::{Series, create_table};
use crate::session::ConnectOptions;

const TABLE: &str = "pgcompat_bench_copy";
const AIM: Aim = Aim {
    ratio: 2.0,
    higher_is_better: true,
};
/// Rows per CopyData message, like a client streaming a file in ~640 kB pieces.
pub(crate) const CHUNK_ROWS: u64 = 10_000;

pub async fn run(servers: &Endpoints, opts: &BenchOptions, bar: &ProgressBar) -> BenchRow {
    let rows = opts.copy_rows.max(1);
    bar.set_message(format!("COPY: generating {rows} rows"));
    let data: Vec<Bytes> = Series::default().chunks(0, rows, CHUNK_ROWS).collect();
    let name = format!("COPY ingest ({rows} rows, 5 columns)");
    bar.set_message("COPY: target");
    let target = ingest(&servers.target, &data, rows, bar).await;
    bar.set_message("COPY: PostgreSQL");
    let postgres = ingest(&servers.postgres, &data, rows, bar).await;
    BenchRow::new(name, "rows/s", AIM, target, postgres)
}

/// Rows per second of one COPY into a fresh table, dropped afterwards.
async fn ingest(
    server: &ConnectOptions,
    data: &[Bytes],
    rows: u64,
    bar: &ProgressBar,
) -> Result<f64, BenchError> {
    let client = connect(server).await?;
    execute(&client, &format!("DROP TABLE IF EXISTS {TABLE}")).await?;
    execute(&client, &create_table(TABLE)).await?;
    let started = Instant::now();
    let reported = copy_in(&client, TABLE, data.iter().cloned(), bar, CHUNK_ROWS).await?;
    let secs = started.elapsed().as_secs_f64();
    let stored = count(&client, TABLE).await?;
    execute(&client, &format!("DROP TABLE {TABLE}")).await?;
    if reported != rows || stored != rows {
        return Err(BenchError::Mismatch(format!(
            "sent {rows} rows, COPY reported {reported}, the table holds {stored}"
        )));
    }
    Ok(rows as f64 / secs.max(1e-9))
}
