//! COPY FROM is all-or-nothing and durable once acknowledged: the server binary is killed
//! with SIGKILL while COPYs run, restarted on the same data dir, and every COPY that got
//! its CommandComplete must be there whole, while the interrupted ones left nothing.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{code, connect_to, exec, rows, spawn_server};
use futures::{SinkExt, pin_mut};
use tokio_postgres::Client;

const CREATE: &str = "CREATE TABLE m (ts timestamptz NOT NULL, batch int8, i int8, note text)";
/// Rows in each small acknowledged COPY.
const SMALL: i64 = 500;

/// COPY text for rows `from..to` of `batch` (one row per line, tab-separated).
fn lines(batch: i64, from: i64, to: i64) -> Bytes {
    let mut out = String::new();
    for i in from..to {
        let secs = i % 60;
        let mins = (i / 60) % 60;
        out.push_str(&format!(
            "2024-01-01 00:{mins:02}:{secs:02}+00\t{batch}\t{i}\tb{batch} r{i}\n"
        ));
    }
    Bytes::from(out)
}

async fn copy(c: &Client, data: Bytes) -> Result<u64, tokio_postgres::Error> {
    let sink = c.copy_in("COPY m FROM STDIN").await?;
    pin_mut!(sink);
    sink.send(data).await?;
    sink.finish().await
}

/// Rows per batch id, as the restarted server sees them.
async fn batches(c: &Client) -> BTreeMap<i64, i64> {
    rows(c, "SELECT batch, count(*) FROM m GROUP BY batch")
        .await
        .iter()
        .map(|r| {
            let mut f = r.split('|');
            let batch = f.next().and_then(|v| v.parse().ok()).unwrap_or(i64::MIN);
            let n = f.next().and_then(|v| v.parse().ok()).unwrap_or(-1);
            (batch, n)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill9_during_copy_keeps_acknowledged_copies_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut child, addr) = spawn_server(dir.path());
    let admin = connect_to(addr).await;
    exec(&admin, CREATE).await;

    // Small COPYs one after another, each recorded once acknowledged.
    let acked = Arc::new(Mutex::new(Vec::<i64>::new()));
    let writer = {
        let acked = acked.clone();
        let c = connect_to(addr).await;
        tokio::spawn(async move {
            for batch in 0.. {
                match copy(&c, lines(batch, 0, SMALL)).await {
                    Ok(n) => {
                        assert_eq!(n, SMALL as u64);
                        acked.lock().unwrap_or_else(|e| e.into_inner()).push(batch);
                    }
                    Err(_) => return batch,
                }
            }
            -1
        })
    };
    // One large COPY streamed in chunks and never finished: it must leave nothing.
    let sent = Arc::new(Mutex::new(0usize));
    let streamer = {
        let sent = sent.clone();
        let c = connect_to(addr).await;
        tokio::spawn(async move {
            let Ok(sink) = c.copy_in("COPY m FROM STDIN").await else {
                return;
            };
            pin_mut!(sink);
            for chunk in 0i64.. {
                if sink
                    .send(lines(-1, chunk * 5_000, (chunk + 1) * 5_000))
                    .await
                    .is_err()
                {
                    return;
                }
                *sent.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let acks = acked.lock().unwrap_or_else(|e| e.into_inner()).len();
        let chunks = *sent.lock().unwrap_or_else(|e| e.into_inner());
        if acks >= 8 && chunks >= 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no progress: {acks} COPYs acknowledged, {chunks} chunks streamed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
    let _ = child.wait();
    let in_flight = writer.await.unwrap_or_else(|e| panic!("{e}"));
    let _ = streamer.await;
    let acked = acked.lock().unwrap_or_else(|e| e.into_inner()).clone();

    let (mut child, addr) = spawn_server(dir.path());
    let c = connect_to(addr).await;
    let found = batches(&c).await;
    for b in &acked {
        assert_eq!(
            found.get(b),
            Some(&SMALL),
            "acknowledged COPY {b} must survive whole: {found:?}"
        );
    }
    for (b, n) in &found {
        assert!(
            acked.contains(b) || (*b == in_flight && *n == SMALL),
            "batch {b} ({n} rows) was never acknowledged (in flight: {in_flight}); \
             acknowledged: {acked:?}"
        );
    }
    assert!(!found.contains_key(&-1), "the interrupted COPY left rows");
    // The restarted server takes COPYs again.
    assert_eq!(copy(&c, lines(1_000_000, 0, 10)).await.ok(), Some(10));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_midway_applies_nothing_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut child, addr) = spawn_server(dir.path());
    let c = connect_to(addr).await;
    exec(&c, CREATE).await;
    assert_eq!(copy(&c, lines(1, 0, 100)).await.ok(), Some(100));

    let bad_value = [
        lines(2, 0, 3_000).as_ref(),
        b"2024-01-01 00:00:00+00\t2\tnot-a-number\tx\n",
        lines(2, 3_000, 6_000).as_ref(),
    ]
    .concat();
    let err = copy(&c, Bytes::from(bad_value))
        .await
        .err()
        .unwrap_or_else(|| panic!("a bad value must fail the COPY"));
    assert_eq!(code(&err), "22P02");

    let null_ts = [lines(3, 0, 20_000).as_ref(), b"\\N\t3\t1\tx\n"].concat();
    let err = copy(&c, Bytes::from(null_ts))
        .await
        .err()
        .unwrap_or_else(|| panic!("a NULL in a NOT NULL column must fail the COPY"));
    assert_eq!(code(&err), "23502");
    assert_eq!(batches(&c).await, BTreeMap::from([(1, 100)]));

    child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
    let _ = child.wait();
    let (mut child, addr) = spawn_server(dir.path());
    let c = connect_to(addr).await;
    assert_eq!(batches(&c).await, BTreeMap::from([(1, 100)]));
    let _ = child.kill();
    let _ = child.wait();
}
