//! Time-bucket aggregation: the same `date_bin` GROUP BY over the same N-row series on both
//! servers, best of three after a warm-up.
//!
//! Both servers load the series through COPY (not timed); PostgreSQL then gets `VACUUM
//! ANALYZE`, as its users would run. The warm-up's results are compared row by row (averages
//! within a relative 1e-9, since summation order differs), so the timing compares the same
//! answer; every timed run must return as many rows again.

use std::time::Instant;

use futures::TryStreamExt;
use indicatif::ProgressBar;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::copy::CHUNK_ROWS;
use super::copy_in::{STATEMENT_LIMIT, connect, copy_in, count, execute};
use super::error::{BenchError, within};
use super::options::{BenchOptions, Endpoints};
use super::outcome::{Aim, BenchRow};
use super::series::{Series, create_table};
use crate::session::ConnectOptions;

const TABLE: &str = "pgcompat_bench_cpu";
const AIM: Aim = Aim {
    ratio: 10.0,
    higher_is_better: false,
};
const TIMED_RUNS: usize = 3;
/// Hourly buckets per host over the first week: 16,800 rows at most for the default series.
/// A server returning far more is wrong, and is not allowed to fill memory.
const MAX_RESULT_ROWS: usize = 1_000_000;

/// The query, in SQL both PostgreSQL and the target should accept.
pub(crate) const QUERY: &str = "SELECT date_bin(INTERVAL '1 hour', ts, TIMESTAMPTZ '2024-01-01 00:00:00+00') AS bucket, \
     host, avg(usage) AS avg_usage, max(mem) AS max_mem FROM pgcompat_bench_cpu \
     WHERE ts >= TIMESTAMPTZ '2024-01-01 00:00:00+00' AND ts < TIMESTAMPTZ '2024-01-08 00:00:00+00' \
     GROUP BY 1, 2 ORDER BY 1, 2";

/// One result row as text: bucket, host, avg, max.
type Row = Vec<Option<String>>;

pub async fn run(servers: &Endpoints, opts: &BenchOptions, bar: &ProgressBar) -> BenchRow {
    let rows = opts.rows.max(1);
    let name = format!("date_bin 1 h aggregation ({rows} rows)");
    let (target, postgres) = match load_both(servers, rows, bar).await {
        Ok(clients) => clients,
        Err(e) => return BenchRow::failed(name, "s", AIM, Some(e)),
    };
    bar.set_message("aggregation: warm-up and result check");
    let row = match (warm_up(&target).await, warm_up(&postgres).await) {
        (Ok(t), Ok(p)) => match compare(&t, &p) {
            Ok(()) => {
                bar.set_message("aggregation: target");
                let t_secs = best_of(&target, t.len()).await;
                bar.set_message("aggregation: PostgreSQL");
                let p_secs = best_of(&postgres, p.len()).await;
                BenchRow::new(name, "s", AIM, t_secs, p_secs)
            }
            Err(e) => BenchRow::failed(name, "s", AIM, Some(e.to_string())),
        },
        (t, p) => BenchRow::failed(name, "s", AIM, Some(either_failed(t.err(), p.err()))),
    };
    for client in [&target, &postgres] {
        if let Err(e) = execute(client, &format!("DROP TABLE {TABLE}")).await {
            tracing::warn!("{e}");
        }
    }
    row
}

/// "target: ...; PostgreSQL: ..." for whichever side failed.
fn either_failed(target: Option<BenchError>, postgres: Option<BenchError>) -> String {
    let mut why = Vec::new();
    if let Some(e) = target {
        why.push(format!("target: {e}"));
    }
    if let Some(e) = postgres {
        why.push(format!("PostgreSQL: {e}"));
    }
    why.join("; ")
}

/// Loads the series into both servers; the clients, or why either load failed.
async fn load_both(
    servers: &Endpoints,
    rows: u64,
    bar: &ProgressBar,
) -> Result<(Client, Client), String> {
    bar.set_message(format!("aggregation: loading {rows} rows into the target"));
    let target = load(&servers.target, rows, bar).await;
    bar.set_message(format!("aggregation: loading {rows} rows into PostgreSQL"));
    let postgres = match load(&servers.postgres, rows, bar).await {
        Ok(c) => {
            bar.set_message("aggregation: VACUUM ANALYZE on PostgreSQL");
            execute(&c, &format!("VACUUM ANALYZE {TABLE}"))
                .await
                .map(|()| c)
        }
        Err(e) => Err(e),
    };
    match (target, postgres) {
        (Ok(t), Ok(p)) => Ok((t, p)),
        (t, p) => Err(either_failed(t.err(), p.err())),
    }
}

async fn load(server: &ConnectOptions, rows: u64, bar: &ProgressBar) -> Result<Client, BenchError> {
    let client = connect(server).await?;
    execute(&client, &format!("DROP TABLE IF EXISTS {TABLE}")).await?;
    execute(&client, &create_table(TABLE)).await?;
    let chunks = Series::default().chunks(0, rows, CHUNK_ROWS);
    copy_in(&client, TABLE, chunks, bar, CHUNK_ROWS).await?;
    let stored = count(&client, TABLE).await?;
    if stored != rows {
        return Err(BenchError::Mismatch(format!(
            "loaded {rows} rows, the table holds {stored}"
        )));
    }
    // Bucket text must not depend on the server's default time zone.
    execute(&client, "SET TimeZone = 'UTC'").await?;
    Ok(client)
}

async fn warm_up(client: &Client) -> Result<Vec<Row>, BenchError> {
    query(client).await
}

/// The fastest of [`TIMED_RUNS`] runs, in seconds; each must return `expected` rows.
async fn best_of(client: &Client, expected: usize) -> Result<f64, BenchError> {
    let mut best = f64::INFINITY;
    for _ in 0..TIMED_RUNS {
        let started = Instant::now();
        let rows = query(client).await?;
        best = best.min(started.elapsed().as_secs_f64());
        if rows.len() != expected {
            return Err(BenchError::Mismatch(format!(
                "a rerun returned {} rows instead of {expected}",
                rows.len()
            )));
        }
    }
    Ok(best)
}

/// Runs [`QUERY`] (simple protocol: text values) and collects its rows, at most
/// [`MAX_RESULT_ROWS`].
async fn query(client: &Client) -> Result<Vec<Row>, BenchError> {
    let failed = |e: tokio_postgres::Error| BenchError::sql("the aggregation", &e);
    within(STATEMENT_LIMIT, "the aggregation", async {
        let stream = client.simple_query_raw(QUERY).await.map_err(failed)?;
        let mut stream = std::pin::pin!(stream);
        let mut rows = Vec::new();
        while let Some(message) = stream.try_next().await.map_err(failed)? {
            if let SimpleQueryMessage::Row(r) = message {
                if rows.len() >= MAX_RESULT_ROWS {
                    return Err(BenchError::Mismatch(format!(
                        "the aggregation returned more than {MAX_RESULT_ROWS} rows"
                    )));
                }
                rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect());
            }
        }
        Ok(rows)
    })
    .await
}

/// The target's rows against PostgreSQL's: same count, same buckets, hosts and maxima, and
/// averages equal up to floating-point summation order.
fn compare(target: &[Row], postgres: &[Row]) -> Result<(), BenchError> {
    if target.len() != postgres.len() {
        return Err(BenchError::Mismatch(format!(
            "the target returned {} rows, PostgreSQL {}",
            target.len(),
            postgres.len()
        )));
    }
    if postgres.is_empty() {
        return Err(BenchError::Mismatch(
            "the aggregation returned no rows".into(),
        ));
    }
    for (i, (t, p)) in target.iter().zip(postgres).enumerate() {
        if !same_row(t, p) {
            return Err(BenchError::Mismatch(format!(
                "row {} differs: target {t:?}, PostgreSQL {p:?}",
                i + 1
            )));
        }
    }
    Ok(())
}

fn same_row(t: &Row, p: &Row) -> bool {
    if t.len() != 4 || p.len() != 4 {
        return false;
    }
    t.iter()
        .zip(p)
        .enumerate()
        .all(|(col, (a, b))| match (a, b) {
            (Some(a), Some(b)) if col == 2 => close(a, b),
            _ => a == b,
        })
}

fn close(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bucket: &str, avg: &str, max: &str) -> Row {
        [bucket, "host_000", avg, max]
            .iter()
            .map(|s| Some((*s).to_owned()))
            .collect()
    }

    #[test]
    fn averages_may_differ_in_the_last_bits() {
        let t = vec![row("2024-01-01 00:00:00+00", "49.93000000000001", "2000")];
        let p = vec![row("2024-01-01 00:00:00+00", "49.93", "2000")];
        assert!(compare(&t, &p).is_ok());
    }

    #[test]
    fn other_differences_are_mismatches() {
        let p = vec![row("2024-01-01 00:00:00+00", "49.93", "2000")];
        for t in [
            vec![row("2024-01-01 00:00:00", "49.93", "2000")],
            vec![row("2024-01-01 00:00:00+00", "49.94", "2000")],
            vec![row("2024-01-01 00:00:00+00", "49.93", "2001")],
            vec![],
        ] {
            assert!(compare(&t, &p).is_err(), "{t:?}");
        }
    }
}
