//! Storage integration tests: real files in temp dirs, queried through DataFusion SQL.
//! (One test binary on purpose: each binary links DataFusion.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// Named `storage` so `cargo test -p reference-server storage` selects these tests.
mod storage {

    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use datafusion::arrow::array::{
        Array, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
    use datafusion::prelude::SessionContext;
    use reference_server::storage::{Storage, StorageOptions, Table, TableDef};

    const DAY_US: i64 = 86_400_000_000;
    /// 2024-01-01T00:00:00Z in microseconds.
    const T0: i64 = 1_704_067_200_000_000;

    fn schema() -> SchemaRef {
        let meta = |t: &str| HashMap::from([("pg_type".to_string(), t.to_string())]);
        Arc::new(Schema::new(vec![
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, None),
                false,
            )
            .with_metadata(meta("timestamp")),
            Field::new("host", DataType::Utf8, true).with_metadata(meta("varchar(20)")),
            Field::new("v", DataType::Float64, true),
        ]))
    }

    fn def(name: &str) -> TableDef {
        TableDef {
            name: name.to_string(),
            schema: schema(),
            time_column: Some("ts".to_string()),
            primary_key: vec!["ts".to_string(), "host".to_string()],
            constraints: vec![],
            defaults: vec![],
        }
    }

    fn opts() -> StorageOptions {
        StorageOptions {
            memtable_rows: 100_000,
            partition: Duration::from_secs(86_400),
            sync: true,
            compact_min_files: 0,
        }
    }

    /// Rows (ts, host, v).
    fn batch(rows: &[(i64, Option<&str>, Option<f64>)]) -> RecordBatch {
        let ts = TimestampMicrosecondArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>());
        let host = StringArray::from(rows.iter().map(|r| r.1).collect::<Vec<_>>());
        let v = Float64Array::from(rows.iter().map(|r| r.2).collect::<Vec<_>>());
        RecordBatch::try_new(schema(), vec![Arc::new(ts), Arc::new(host), Arc::new(v)])
            .expect("batch")
    }

    /// `n` rows starting at `start`, one per `step` microseconds, value = index.
    fn series(start: i64, step: i64, n: usize, host: &str) -> RecordBatch {
        let rows: Vec<(i64, Option<&str>, Option<f64>)> = (0..n)
            .map(|i| (start + step * i as i64, Some(host), Some(i as f64)))
            .collect();
        batch(&rows)
    }

    async fn open(dir: &std::path::Path, o: StorageOptions) -> Arc<Storage> {
        Storage::open(Some(dir), o).await.expect("open storage")
    }

    fn ctx_with(table: &Arc<Table>) -> SessionContext {
        let ctx = SessionContext::new();
        ctx.register_table(table.def().name.as_str(), table.clone())
            .expect("register");
        ctx
    }

    /// Runs a query returning one Int64 value (e.g. count(*)).
    async fn scalar_i64(ctx: &SessionContext, sql: &str) -> i64 {
        let batches = ctx
            .sql(sql)
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        let b = batches.iter().find(|b| b.num_rows() > 0).expect("a row");
        let col = b.column(0);
        col.as_any()
            .downcast_ref::<Int64Array>()
            .map(|a| a.value(0))
            .unwrap_or_else(|| panic!("expected Int64, got {}", col.data_type()))
    }

    async fn count(table: &Arc<Table>) -> i64 {
        let ctx = ctx_with(table);
        scalar_i64(&ctx, &format!("SELECT count(*) FROM {}", table.def().name)).await
    }

    fn parquet_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        let Ok(rd) = std::fs::read_dir(dir) else {
            return out;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(parquet_files(&p));
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
        out
    }

    use datafusion::physical_plan::displayable;
    use reference_server::storage::StorageError;

    #[tokio::test]
    async fn in_memory_create_insert_scan() {
        let s = Storage::open(None, opts()).await.unwrap();
        assert!(s.create_table(def("m"), false).unwrap());
        assert!(!s.create_table(def("m"), true).unwrap());
        assert!(matches!(
            s.create_table(def("m"), false),
            Err(StorageError::AlreadyExists(_))
        ));
        let t = s.table("m").unwrap();
        assert_eq!(
            t.insert(vec![series(T0, 1_000_000, 10, "a")])
                .await
                .unwrap(),
            10
        );
        assert_eq!(
            t.insert(vec![series(T0 + DAY_US, 1_000_000, 5, "b")])
                .await
                .unwrap(),
            5
        );
        let ctx = ctx_with(&t);
        assert_eq!(
            scalar_i64(&ctx, "SELECT count(*) FROM m WHERE host = 'b'").await,
            5
        );
        s.flush_all().await.unwrap();
        assert_eq!(t.segment_count(), 2, "one segment per day partition");
        assert_eq!(scalar_i64(&ctx, "SELECT count(*) FROM m").await, 15);
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT CAST(sum(v) AS BIGINT) FROM m WHERE host = 'a'"
            )
            .await,
            45
        );
        assert_eq!(s.table_names(), vec!["m".to_string()]);
        // DML on in-memory segments plus fresh memtable rows.
        t.insert(vec![series(T0 + 2 * DAY_US, 1, 4, "c")])
            .await
            .unwrap();
        use datafusion::prelude::{col, lit};
        assert_eq!(
            t.delete(&ctx, Some(col("host").eq(lit("b"))))
                .await
                .unwrap(),
            5
        );
        assert_eq!(
            t.update(
                &ctx,
                vec![("v".into(), lit(7.0))],
                Some(col("host").eq(lit("c")))
            )
            .await
            .unwrap(),
            4
        );
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT CAST(sum(v) AS BIGINT) FROM m WHERE host = 'c'"
            )
            .await,
            28
        );
        assert_eq!(count(&t).await, 14);
        t.truncate().await.unwrap();
        assert_eq!(count(&t).await, 0);
        assert!(s.drop_table("m", false).unwrap());
        assert!(s.table("m").is_none());
        assert!(!s.drop_table("m", true).unwrap());
    }

    #[tokio::test]
    async fn not_null_violation_rejects_whole_batch() {
        let s = Storage::open(None, opts()).await.unwrap();
        s.create_table(def("n"), false).unwrap();
        let t = s.table("n").unwrap();
        // `ts` is NOT NULL: build the batch with a nullable schema so arrow accepts it.
        let loose = Arc::new(Schema::new(
            schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        ));
        let b = RecordBatch::try_new(
            loose,
            vec![
                Arc::new(TimestampMicrosecondArray::from(vec![Some(T0), None])),
                Arc::new(StringArray::from(vec![Some("a"), Some("b")])),
                Arc::new(Float64Array::from(vec![Some(1.0), Some(2.0)])),
            ],
        )
        .unwrap();
        match t.insert(vec![b]).await {
            Err(e) => assert!(
                is_not_null_violation(&e, "n", "ts"),
                "expected 23502 on n.ts, got {e:?}"
            ),
            Ok(_) => panic!("a NULL in a NOT NULL column was accepted"),
        }
        assert_eq!(count(&t).await, 0);
        // Nulls in nullable columns are fine.
        t.insert(vec![batch(&[(T0, None, None)])]).await.unwrap();
        assert_eq!(count(&t).await, 1);
    }

    #[tokio::test]
    async fn restart_recovers_unflushed_and_flushed_rows() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("r"), false).unwrap();
            let t = s.table("r").unwrap();
            t.insert(vec![series(T0, 1_000, 100, "a")]).await.unwrap();
            s.flush_all().await.unwrap();
            t.insert(vec![series(T0 + DAY_US, 1_000, 30, "b")])
                .await
                .unwrap();
            t.insert(vec![series(T0 + 2 * DAY_US, 1_000, 7, "c")])
                .await
                .unwrap();
            // Dropped without close(): the last two inserts exist only in the WAL.
        }
        assert!(!parquet_files(dir.path()).is_empty());
        let s = open(dir.path(), opts()).await;
        let t = s.table("r").unwrap();
        assert_eq!(count(&t).await, 137);
        let ctx = ctx_with(&t);
        assert_eq!(
            scalar_i64(&ctx, "SELECT count(*) FROM r WHERE host = 'c'").await,
            7
        );
        s.close().await.unwrap();
        assert!(matches!(
            t.insert(vec![series(T0, 1, 1, "x")]).await,
            Err(StorageError::Closed)
        ));
        drop((t, s));
        let s = open(dir.path(), opts()).await;
        assert_eq!(count(&s.table("r").unwrap()).await, 137);
    }

    fn newest_wal(dir: &std::path::Path) -> std::path::PathBuf {
        let mut w: Vec<_> = std::fs::read_dir(dir.join("wal"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        w.sort();
        w.pop().unwrap()
    }

    #[tokio::test]
    async fn torn_wal_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("w"), false).unwrap();
            let t = s.table("w").unwrap();
            for i in 0..5 {
                t.insert(vec![series(T0 + i * 1_000_000, 1, 3, "a")])
                    .await
                    .unwrap();
            }
        }
        // A record header promising more bytes than were written, as a crash mid-append leaves.
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(newest_wal(dir.path()))
            .unwrap();
        f.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]).unwrap();
        drop(f);
        {
            let s = open(dir.path(), opts()).await;
            let t = s.table("w").unwrap();
            assert_eq!(count(&t).await, 15);
            t.insert(vec![series(T0, 1, 1, "b")]).await.unwrap();
        }
        let s = open(dir.path(), opts()).await;
        assert_eq!(count(&s.table("w").unwrap()).await, 16);
    }

    #[tokio::test]
    async fn corrupt_wal_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("c"), false).unwrap();
            let t = s.table("c").unwrap();
            t.insert(vec![series(T0, 1, 3, "a")]).await.unwrap();
            t.insert(vec![series(T0, 1, 3, "b")]).await.unwrap();
        }
        let path = newest_wal(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[40] ^= 0xff; // inside the first record's payload
        std::fs::write(&path, bytes).unwrap();
        match Storage::open(Some(dir.path()), opts()).await {
            Err(StorageError::Corrupt(msg)) => assert!(msg.contains("checksum"), "{msg}"),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        // A garbage catalog is a clear error too, not a panic.
        std::fs::write(dir.path().join("catalog.json"), b"{ not json").unwrap();
        assert!(matches!(
            Storage::open(Some(dir.path()), opts()).await,
            Err(StorageError::Corrupt(_))
        ));
    }

    #[tokio::test]
    async fn drop_table_removes_files_and_name_can_be_reused() {
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path(), opts()).await;
        s.create_table(def("d"), false).unwrap();
        let t = s.table("d").unwrap();
        t.insert(vec![series(T0, 1, 10, "a")]).await.unwrap();
        s.flush_all().await.unwrap();
        t.insert(vec![series(T0, 1, 5, "a")]).await.unwrap();
        assert!(!parquet_files(dir.path()).is_empty());
        assert!(s.drop_table("d", false).unwrap());
        assert!(parquet_files(dir.path()).is_empty());
        assert_eq!(
            std::fs::read_dir(dir.path().join("tables"))
                .unwrap()
                .count(),
            0
        );
        assert!(matches!(
            s.drop_table("d", false),
            Err(StorageError::NotFound(_))
        ));
        // Recreate under the same name: the old WAL records must not come back.
        s.create_table(def("d"), false).unwrap();
        drop((t, s));
        let s = open(dir.path(), opts()).await;
        assert_eq!(count(&s.table("d").unwrap()).await, 0);
    }

    #[tokio::test]
    async fn delete_by_time_range_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("del"), false).unwrap();
            let t = s.table("del").unwrap();
            for d in 0..4 {
                t.insert(vec![series(T0 + d * DAY_US, 3_600_000_000, 24, "h")])
                    .await
                    .unwrap();
            }
            s.flush_all().await.unwrap();
            t.insert(vec![series(T0 + 3 * DAY_US + 1, 1, 2, "mem")])
                .await
                .unwrap();
            let ctx = ctx_with(&t);
            // Retention: drop everything before day 2.
            let pred = ctx
                .sql("SELECT * FROM del WHERE ts < TIMESTAMP '2024-01-03 00:00:00'")
                .await
                .unwrap()
                .logical_plan()
                .clone();
            let filter = match &pred {
                datafusion::logical_expr::LogicalPlan::Projection(p) => match p.input.as_ref() {
                    datafusion::logical_expr::LogicalPlan::Filter(f) => f.predicate.clone(),
                    other => panic!("unexpected plan {other}"),
                },
                other => panic!("unexpected plan {other}"),
            };
            assert_eq!(t.delete(&ctx, Some(filter)).await.unwrap(), 48);
            assert_eq!(count(&t).await, 50);
            // Predicate built directly, touching a non-time column, and matching nothing.
            use datafusion::prelude::{col, lit};
            assert_eq!(
                t.delete(&ctx, Some(col("host").eq(lit("zzz"))))
                    .await
                    .unwrap(),
                0
            );
            assert_eq!(
                t.delete(&ctx, Some(col("host").eq(lit("mem"))))
                    .await
                    .unwrap(),
                2
            );
        }
        let s = open(dir.path(), opts()).await;
        let t = s.table("del").unwrap();
        assert_eq!(count(&t).await, 48);
        let ctx = ctx_with(&t);
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT count(*) FROM del WHERE ts < TIMESTAMP '2024-01-03 00:00:00'"
            )
            .await,
            0
        );
        assert_eq!(t.delete(&ctx, None).await.unwrap(), 48);
        assert_eq!(count(&t).await, 0);
    }

    #[tokio::test]
    async fn update_rewrites_rows_durably() {
        use datafusion::prelude::{col, lit};
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("u"), false).unwrap();
            let t = s.table("u").unwrap();
            t.insert(vec![
                series(T0, 1_000_000, 10, "a"),
                series(T0, 1_000_000, 10, "b"),
            ])
            .await
            .unwrap();
            let ctx = ctx_with(&t);
            let n = t
                .update(
                    &ctx,
                    vec![("v".into(), col("v") * lit(2.0))],
                    Some(col("u.host").eq(lit("a"))),
                )
                .await
                .unwrap();
            assert_eq!(n, 10);
            // Moving rows to another partition by updating the time column.
            let n = t
                .update(
                    &ctx,
                    vec![(
                        "ts".into(),
                        col("ts") + lit(datafusion::scalar::ScalarValue::new_interval_dt(2, 0)),
                    )],
                    Some(col("host").eq(lit("b"))),
                )
                .await
                .unwrap();
            assert_eq!(n, 10);
            // NOT NULL enforced on UPDATE, and nothing changes.
            let err = t
                .update(
                    &ctx,
                    vec![(
                        "ts".into(),
                        lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
                            None, None,
                        )),
                    )],
                    None,
                )
                .await;
            assert!(
                matches!(&err, Err(e) if is_not_null_violation(e, "u", "ts")),
                "{err:?}"
            );
        }
        let s = open(dir.path(), opts()).await;
        let t = s.table("u").unwrap();
        let ctx = ctx_with(&t);
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT CAST(sum(v) AS BIGINT) FROM u WHERE host = 'a'"
            )
            .await,
            90
        );
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT CAST(sum(v) AS BIGINT) FROM u WHERE host = 'b'"
            )
            .await,
            45
        );
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT count(*) FROM u WHERE host = 'b' AND ts >= TIMESTAMP '2024-01-03'"
            )
            .await,
            10
        );
    }

    #[tokio::test]
    async fn truncate_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("t"), false).unwrap();
            let t = s.table("t").unwrap();
            t.insert(vec![series(T0, 1, 10, "a")]).await.unwrap();
            s.flush_all().await.unwrap();
            t.insert(vec![series(T0, 1, 10, "a")]).await.unwrap();
            t.truncate().await.unwrap();
            assert_eq!(count(&t).await, 0);
            t.insert(vec![series(T0, 1, 3, "after")]).await.unwrap();
        }
        assert!(parquet_files(dir.path()).is_empty());
        let s = open(dir.path(), opts()).await;
        assert_eq!(count(&s.table("t").unwrap()).await, 3);
    }

    #[tokio::test]
    async fn time_filters_prune_partition_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path(), opts()).await;
        s.create_table(def("p"), false).unwrap();
        let t = s.table("p").unwrap();
        for d in 0..3 {
            t.insert(vec![series(T0 + d * DAY_US, 60_000_000, 100, "h")])
                .await
                .unwrap();
        }
        s.flush_all().await.unwrap();
        assert_eq!(parquet_files(dir.path()).len(), 3);
        // Reopened, so that segments are scanned from their files (new segments are cached
        // in memory) and the plan names the files it reads.
        s.close().await.unwrap();
        drop((t, s));
        let s = open(dir.path(), opts()).await;
        let t = s.table("p").unwrap();
        let ctx = ctx_with(&t);
        let files_in_plan = |sql: &'static str| {
            let ctx = ctx.clone();
            async move {
                let plan = ctx
                    .sql(sql)
                    .await
                    .unwrap()
                    .create_physical_plan()
                    .await
                    .unwrap();
                displayable(plan.as_ref())
                    .indent(true)
                    .to_string()
                    .matches(".parquet")
                    .count()
            }
        };
        assert_eq!(files_in_plan("SELECT * FROM p").await, 3);
        assert_eq!(
            files_in_plan("SELECT * FROM p WHERE ts >= TIMESTAMP '2024-01-03 00:00:00'").await,
            1
        );
        assert_eq!(
        files_in_plan(
            "SELECT * FROM p WHERE ts BETWEEN TIMESTAMP '2024-01-01 01:00:00' AND TIMESTAMP '2024-01-02 00:30:00'"
        )
        .await,
        2
    );
        // Day 1 holds 00:00-01:39 and day 2 00:00-01:39 (one row a minute): 40 + 31 rows match.
        assert_eq!(
        scalar_i64(
            &ctx,
            "SELECT count(*) FROM p WHERE ts BETWEEN TIMESTAMP '2024-01-01 01:00:00' AND TIMESTAMP '2024-01-02 00:30:00'"
        )
        .await,
        71
    );
        // Day 1's data ends at 01:39, so a later window on that day skips every file.
        assert_eq!(
        files_in_plan("SELECT * FROM p WHERE ts BETWEEN TIMESTAMP '2024-01-01 12:00:00' AND TIMESTAMP '2024-01-01 23:00:00'").await,
        0
    );
        assert_eq!(
            files_in_plan("SELECT * FROM p WHERE ts < TIMESTAMP '2023-01-01'").await,
            0
        );
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT count(*) FROM p WHERE ts >= TIMESTAMP '2024-01-03 00:00:00'"
            )
            .await,
            100
        );
        assert_eq!(
            scalar_i64(
                &ctx,
                "SELECT count(*) FROM p WHERE ts < TIMESTAMP '2023-01-01'"
            )
            .await,
            0
        );
    }

    #[tokio::test]
    async fn compaction_merges_small_files_and_keeps_rows() {
        let dir = tempfile::tempdir().unwrap();
        let o = StorageOptions {
            memtable_rows: 50,
            compact_min_files: 4,
            ..opts()
        };
        {
            let s = open(dir.path(), o.clone()).await;
            s.create_table(def("k"), false).unwrap();
            let t = s.table("k").unwrap();
            for i in 0..3 {
                t.insert(vec![series(T0 + i * 1_000_000, 10, 60, "a")])
                    .await
                    .unwrap();
            }
            assert_eq!(
                t.segment_count(),
                3,
                "each insert crossed the threshold and flushed"
            );
            assert_eq!(parquet_files(dir.path()).len(), 3);
            t.insert(vec![series(T0 + 10_000_000, 10, 60, "a")])
                .await
                .unwrap();
            assert_eq!(t.segment_count(), 1, "four small files were merged");
            assert_eq!(parquet_files(dir.path()).len(), 1);
            assert_eq!(count(&t).await, 240);
        }
        let s = open(dir.path(), o).await;
        let t = s.table("k").unwrap();
        assert_eq!(count(&t).await, 240);
        let ctx = ctx_with(&t);
        assert_eq!(
            scalar_i64(&ctx, "SELECT count(DISTINCT ts) FROM k").await,
            240
        );
    }

    #[tokio::test]
    async fn field_metadata_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("meta"), false).unwrap();
            let t = s.table("meta").unwrap();
            t.insert(vec![series(T0, 1, 4, "a")]).await.unwrap();
            s.close().await.unwrap();
        }
        let s = open(dir.path(), opts()).await;
        let t = s.table("meta").unwrap();
        assert_eq!(t.schema(), schema());
        assert_eq!(
            t.def()
                .schema
                .field(1)
                .metadata()
                .get("pg_type")
                .map(String::as_str),
            Some("varchar(20)")
        );
        assert_eq!(
            t.def().primary_key,
            vec!["ts".to_string(), "host".to_string()]
        );
        let ctx = ctx_with(&t);
        let df = ctx.sql("SELECT * FROM meta").await.unwrap();
        let out = df.collect().await.unwrap();
        assert_eq!(
            out[0].schema().field(1).metadata(),
            schema().field(1).metadata()
        );
    }

    #[tokio::test]
    async fn table_without_time_column() {
        let dir = tempfile::tempdir().unwrap();
        let d = TableDef {
            name: "plain".into(),
            schema: Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)])),
            time_column: None,
            primary_key: vec![],
            constraints: vec![],
            defaults: vec![],
        };
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(d, false).unwrap();
            let t = s.table("plain").unwrap();
            let b =
                RecordBatch::try_new(t.schema(), vec![Arc::new(Int64Array::from(vec![1, 2, 3]))])
                    .unwrap();
            t.insert(vec![b]).await.unwrap();
            s.flush_all().await.unwrap();
            let ctx = ctx_with(&t);
            assert_eq!(
                t.delete(
                    &ctx,
                    Some(datafusion::prelude::col("id").eq(datafusion::prelude::lit(2i64)))
                )
                .await
                .unwrap(),
                1
            );
        }
        let s = open(dir.path(), opts()).await;
        let t = s.table("plain").unwrap();
        let ctx = ctx_with(&t);
        assert_eq!(scalar_i64(&ctx, "SELECT sum(id) FROM plain").await, 4);
    }

    #[tokio::test]
    async fn concurrent_inserts_group_commit() {
        let dir = tempfile::tempdir().unwrap();
        let s = open(
            dir.path(),
            StorageOptions {
                memtable_rows: 500,
                compact_min_files: 4,
                ..opts()
            },
        )
        .await;
        s.create_table(def("g"), false).unwrap();
        let t = s.table("g").unwrap();
        let mut tasks = Vec::new();
        for w in 0..8i64 {
            let t = t.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..50i64 {
                    t.insert(vec![series(T0 + (w * 1000 + i) * 1_000_000, 1, 3, "x")])
                        .await
                        .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(count(&t).await, 8 * 50 * 3);
        drop((t, s));
        let s = open(dir.path(), opts()).await;
        assert_eq!(count(&s.table("g").unwrap()).await, 8 * 50 * 3);
    }

    /// Child side of the crash test: inserts batches forever, printing each acknowledged id.
    /// Runs only when re-invoked by `crash_kill9_keeps_acknowledged_batches`.
    #[tokio::test]
    #[ignore = "helper process for crash_kill9_keeps_acknowledged_batches"]
    async fn crash_child() {
        let Ok(dir) = std::env::var("STORAGE_CRASH_DIR") else {
            return;
        };
        let o = StorageOptions {
            memtable_rows: 200,
            compact_min_files: 3,
            ..opts()
        };
        let s = open(std::path::Path::new(&dir), o).await;
        s.create_table(def("crash"), true).unwrap();
        let t = s.table("crash").unwrap();
        for id in 0i64.. {
            // Batch `id`: 7 rows whose v = id, spread over several days (several partitions).
            let rows: Vec<(i64, Option<&str>, Option<f64>)> = (0..7)
                .map(|j| {
                    (
                        T0 + (id % 5) * DAY_US + id * 1000 + j,
                        Some("c"),
                        Some(id as f64),
                    )
                })
                .collect();
            t.insert(vec![batch(&rows)]).await.unwrap();
            println!("ACK {id}");
        }
    }

    #[tokio::test]
    async fn crash_kill9_keeps_acknowledged_batches() {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "storage::crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("STORAGE_CRASH_DIR", dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut acked = Vec::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // The first ACK shares a line with libtest's "test ... " banner.
            if let Some(id) = line.split("ACK ").nth(1) {
                acked.push(id.trim().parse::<i64>().unwrap());
                if acked.len() == 400 {
                    child.kill().unwrap(); // SIGKILL
                    break;
                }
            }
        }
        child.wait().unwrap();
        assert_eq!(acked.len(), 400, "child died early");
        // The child flushed (and compacted) along the way: recovery combines Parquet and WAL.
        assert!(!parquet_files(dir.path()).is_empty());
        let s = open(dir.path(), opts()).await;
        let t = s.table("crash").unwrap();
        let ctx = ctx_with(&t);
        let out = ctx
            .sql("SELECT CAST(v AS BIGINT) AS id, count(*) AS n FROM crash GROUP BY v")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut found = HashMap::new();
        for b in &out {
            let ids = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            let ns = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in 0..b.num_rows() {
                found.insert(ids.value(i), ns.value(i));
            }
        }
        for id in &acked {
            assert_eq!(
                found.get(id),
                Some(&7),
                "acknowledged batch {id} missing or partial"
            );
        }
        // Unacknowledged batches may or may not be there, but never partially.
        assert!(found.values().all(|&n| n == 7));
    }

    #[tokio::test]
    async fn sql_dml_through_datafusion() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = open(dir.path(), opts()).await;
            s.create_table(def("q"), false).unwrap();
            let t = s.table("q").unwrap();
            let ctx = ctx_with(&t);
            let run = |sql: &'static str| {
                let ctx = ctx.clone();
                async move {
                    let out = ctx.sql(sql).await.unwrap().collect().await.unwrap();
                    let c = out[0]
                        .column(0)
                        .as_any()
                        .downcast_ref::<datafusion::arrow::array::UInt64Array>()
                        .unwrap();
                    c.value(0)
                }
            };
            assert_eq!(
            run("INSERT INTO q VALUES (TIMESTAMP '2024-01-01 00:00:00', 'a', 1.0), \
                 (TIMESTAMP '2024-01-02 00:00:00', 'b', 2.0), (TIMESTAMP '2024-01-03 00:00:00', 'c', NULL)")
            .await,
            3
        );
            assert_eq!(run("UPDATE q SET v = v + 10 WHERE host <> 'a'").await, 2);
            assert_eq!(
                run("DELETE FROM q WHERE ts < TIMESTAMP '2024-01-02 00:00:00'").await,
                1
            );
            let err = ctx
                .sql("INSERT INTO q VALUES (NULL, 'x', 1.0)")
                .await
                .unwrap()
                .collect()
                .await;
            assert!(err.is_err(), "NOT NULL must be enforced for SQL INSERT");
        }
        let s = open(dir.path(), opts()).await;
        let t = s.table("q").unwrap();
        let ctx = ctx_with(&t);
        assert_eq!(scalar_i64(&ctx, "SELECT count(*) FROM q").await, 2);
        assert_eq!(
            scalar_i64(&ctx, "SELECT CAST(sum(v) AS BIGINT) FROM q").await,
            12
        );
    }
    /// NOT NULL is enforced with PostgreSQL's error (23502 naming the column and relation), which
    /// reaches storage callers wrapped in a DataFusion error.
    fn is_not_null_violation(e: &StorageError, table: &str, column: &str) -> bool {
        let debug = format!("{e:?}");
        debug.contains("\"23502\"")
            && debug.contains(&format!(
                "null value in column \\\"{column}\\\" of relation \\\"{table}\\\" violates not-null constraint"
            ))
    }
}
