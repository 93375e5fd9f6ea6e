//! COPY and result encoding end to end, checked against a real PostgreSQL 15: the same
//! statements run on both servers must give byte-identical COPY TO output and the same
//! values (NULL vs empty string) in text and binary results.

mod common;

use common::pg_cluster::PgCluster;

use bytes::Bytes;
use common::exec;
use futures::{SinkExt, StreamExt, TryStreamExt, pin_mut};
use postgres_types::{ToSql, Type};
use reference_server::RunningServer;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::{Client, SimpleQueryMessage};

const CREATE: &str =
    "CREATE TABLE cw (id int4, name text, score float8, ok bool, day date, n int8)";

/// Rows with the awkward values: NULLs, empty strings, delimiters, quotes, backslashes.
const INSERT: &str = r#"INSERT INTO cw VALUES
    (1, 'plain', 1.5, true, '2024-01-02', 10),
    (2, '', -0.25, false, NULL, NULL),
    (3, NULL, NULL, NULL, '1999-12-31', -7),
    (4, E'tab\there\nnew\\line,comma"quote', 123456.789, true, '2000-02-29', 0),
    (5, 'NULL', 0.1, false, '2024-06-01', 9223372036854775807),
    (6, E'\\.', 3, true, '2024-01-01', 1)"#;

async fn copy_out(c: &Client, sql: &str) -> Vec<Bytes> {
    let stream = match c.copy_out(sql).await {
        Ok(s) => s,
        Err(e) => panic!("{sql}: {e}"),
    };
    match stream.try_collect::<Vec<Bytes>>().await {
        Ok(v) => v,
        Err(e) => panic!("{sql}: {e}"),
    }
}

async fn copy_in(c: &Client, sql: &str, data: &[u8]) -> Result<u64, tokio_postgres::Error> {
    let sink = c.copy_in(sql).await?;
    pin_mut!(sink);
    sink.send(Bytes::copy_from_slice(data)).await?;
    sink.finish().await
}

/// Both servers, each with the `cw` table created and filled the same way.
async fn both() -> (PgCluster, Client, RunningServer, Client) {
    let pg = PgCluster::require();
    let pgc = pg.connect().await;
    let server = common::start().await;
    let ours = common::connect(&server).await;
    for c in [&pgc, &ours] {
        exec(c, CREATE).await;
        exec(c, INSERT).await;
    }
    (pg, pgc, server, ours)
}

const COPY_TO: &[&str] = &[
    "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT",
    "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT (FORMAT csv, HEADER true)",
    "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'nil', QUOTE '''', ESCAPE '\\', FORCE_QUOTE (name))",
    "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT (FORMAT text, DELIMITER '|', NULL '')",
    "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT (FORMAT binary)",
    "COPY (SELECT id, name FROM cw ORDER BY id) TO STDOUT (FORMAT csv, FORCE_QUOTE (id, name))",
    "COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT binary)",
];

#[tokio::test]
async fn copy_to_matches_postgres_byte_for_byte() {
    let (_pg, pgc, _server, ours) = both().await;
    for sql in COPY_TO {
        let want = copy_out(&pgc, sql).await;
        let got = copy_out(&ours, sql).await;
        assert_eq!(got, want, "{sql}");
    }
    // A table with a column list.
    let sql = "COPY cw (name, id) TO STDOUT";
    let mut want = copy_out(&pgc, sql).await;
    let mut got = copy_out(&ours, sql).await;
    want.sort();
    got.sort();
    assert_eq!(got, want, "{sql}");
}

/// PostgreSQL's COPY TO output of every format, fed to our COPY FROM, reads back the same.
#[tokio::test]
async fn copy_from_round_trips_in_every_format() {
    let (_pg, pgc, _server, ours) = both().await;
    let formats = [
        "",
        "(FORMAT csv, HEADER true)",
        "(FORMAT csv, DELIMITER ';', NULL 'nil', QUOTE '''', ESCAPE '\\')",
        "(FORMAT binary)",
    ];
    for opts in formats {
        let out = format!("COPY (SELECT * FROM cw ORDER BY id) TO STDOUT {opts}");
        let data: Vec<u8> = copy_out(&pgc, &out).await.concat();
        for c in [&pgc, &ours] {
            exec(c, "DELETE FROM cw").await;
            let n = copy_in(c, &format!("COPY cw FROM STDIN {opts}"), &data).await;
            assert_eq!(n.map_err(|e| e.to_string()), Ok(6), "{opts}");
        }
        let check = "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT";
        assert_eq!(
            copy_out(&ours, check).await,
            copy_out(&pgc, check).await,
            "{opts}"
        );
    }
}

#[tokio::test]
async fn binary_copy_in_writer() {
    let (_pg, pgc, _server, ours) = both().await;
    let types = [Type::INT4, Type::TEXT, Type::FLOAT8, Type::BOOL];
    for c in [&pgc, &ours] {
        exec(c, "DELETE FROM cw").await;
        let sink = match c
            .copy_in("COPY cw (id, name, score, ok) FROM STDIN (FORMAT binary)")
            .await
        {
            Ok(s) => s,
            Err(e) => panic!("copy_in: {e}"),
        };
        let writer = BinaryCopyInWriter::new(sink, &types);
        pin_mut!(writer);
        let rows: [[&(dyn ToSql + Sync); 4]; 3] = [
            [&1i32, &"a", &1.5f64, &true],
            [&2i32, &"", &None::<f64>, &None::<bool>],
            [&3i32, &None::<String>, &-0.0f64, &false],
        ];
        for r in rows {
            if let Err(e) = writer.as_mut().write(&r).await {
                panic!("write: {e}");
            }
        }
        assert_eq!(writer.finish().await.map_err(|e| e.to_string()), Ok(3));
    }
    let check = "COPY (SELECT * FROM cw ORDER BY id) TO STDOUT (FORMAT binary)";
    assert_eq!(copy_out(&ours, check).await, copy_out(&pgc, check).await);
}

/// A bad row fails the whole COPY with PostgreSQL's error and CONTEXT, and applies nothing.
#[tokio::test]
async fn copy_from_error_applies_nothing() {
    let (_pg, pgc, _server, ours) = both().await;
    let cases: &[(&str, &[u8])] = &[
        ("COPY cw (id, name) FROM STDIN", b"7\tok\nx\tbad\n"),
        ("COPY cw (id) FROM STDIN", b"7\n8\t9\n"),
        ("COPY cw (id, name) FROM STDIN", b"7\tok\n8\n"),
        (
            "COPY cw (id, name) FROM STDIN (FORMAT csv)",
            b"7,ok\n8,\"open\n",
        ),
        (
            "COPY cw (id, name) FROM STDIN (FORMAT csv)",
            b"7,\"a\nb\"\nx,y\n",
        ),
        ("COPY cw (id, name) FROM STDIN", b"7\tok\n8\t\xff\xfe\n"),
        ("COPY cw (id) FROM STDIN (FORMAT binary)", b"NOTCOPY\n"),
    ];
    for (sql, data) in cases {
        let mut seen = Vec::new();
        for c in [&pgc, &ours] {
            let err = match copy_in(c, sql, data).await {
                Ok(n) => panic!("{sql}: accepted {n} rows"),
                Err(e) => e,
            };
            let db = err.as_db_error().map(|d| {
                (
                    d.code().code().to_owned(),
                    d.message().to_owned(),
                    d.where_().map(str::to_owned),
                )
            });
            let count = match c.query_one("SELECT count(*) FROM cw", &[]).await {
                Ok(r) => r.get::<_, i64>(0),
                Err(e) => panic!("count: {e}"),
            };
            seen.push((db, count));
        }
        assert_eq!(seen[1], seen[0], "{sql}");
        assert_eq!(seen[1].1, 6, "{sql}: rows were applied");
    }
}

/// SQL NULL and the empty string stay distinct in text and binary results.
#[tokio::test]
async fn null_and_empty_string_in_results() {
    let (_pg, pgc, _server, ours) = both().await;
    let sql = "SELECT NULL, '', 'a', name FROM cw WHERE id IN (2, 3) ORDER BY id";
    let mut text = Vec::new();
    let mut binary = Vec::new();
    for c in [&pgc, &ours] {
        let msgs = match c.simple_query(sql).await {
            Ok(m) => m,
            Err(e) => panic!("{sql}: {e}"),
        };
        let rows: Vec<Vec<Option<String>>> = msgs
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                }
                _ => None,
            })
            .collect();
        text.push(rows);
        // tokio-postgres asks for binary results.
        let rows = match c
            .query(
                "SELECT NULL::text, ''::text, name FROM cw WHERE id IN (2, 3) ORDER BY id",
                &[],
            )
            .await
        {
            Ok(r) => r,
            Err(e) => panic!("binary: {e}"),
        };
        let rows: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|r| (0..3).map(|i| r.get::<_, Option<String>>(i)).collect())
            .collect();
        binary.push(rows);
    }
    assert_eq!(text[1], text[0]);
    assert_eq!(binary[1], binary[0]);
    assert_eq!(text[1][0][1].as_deref(), Some(""));
    assert_eq!(text[1][0][0], None);
}

/// psql's `\copy` in CSV, in and out, gives the same file on both servers. (psql runs on
/// a blocking thread: the server under test shares this runtime.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_copy_csv() {
    let (pg, _pgc, server, _ours) = both().await;
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let input = dir.path().join("in.csv");
    if let Err(e) = std::fs::write(&input, "10,\"a,b\",,t,2024-01-01,\n11,,2.5,f,,3\n") {
        panic!("write: {e}");
    }
    let mut outputs = Vec::new();
    for (i, port) in [pg.port, server.local_addr().port()]
        .into_iter()
        .enumerate()
    {
        let out = dir.path().join(format!("out{i}.csv"));
        let copy_in = format!("\\copy cw from '{}' with (format csv)", input.display());
        let copy_out = format!(
            "\\copy (SELECT * FROM cw ORDER BY id) to '{}' with (format csv, header)",
            out.display()
        );
        let port = port.to_string();
        let (ok, stdout, stderr) = common::run(
            "psql",
            &[
                "-X",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &copy_in,
                "-c",
                &copy_out,
            ],
        );
        assert!(ok, "psql failed: {stdout} {stderr}");
        match std::fs::read(&out) {
            Ok(b) => outputs.push(b),
            Err(e) => panic!("read {out:?}: {e}"),
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&outputs[1]),
        String::from_utf8_lossy(&outputs[0])
    );
}

/// COPY through Parse/Bind/Execute, as tokio-postgres runs it, streams many rows both ways.
#[tokio::test]
async fn large_copy_round_trip() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(&c, "CREATE TABLE big (a int8, b text)").await;
    let mut data = Vec::new();
    for i in 0..50_000 {
        data.extend_from_slice(format!("{i}\trow {i}\n").as_bytes());
    }
    let sink = match c.copy_in("COPY big FROM STDIN").await {
        Ok(s) => s,
        Err(e) => panic!("copy_in: {e}"),
    };
    pin_mut!(sink);
    // Chunks split rows at arbitrary points.
    for chunk in data.chunks(7_777) {
        if let Err(e) = sink.send(Bytes::copy_from_slice(chunk)).await {
            panic!("send: {e}");
        }
    }
    assert_eq!(sink.finish().await.map_err(|e| e.to_string()), Ok(50_000));
    let out = match c
        .copy_out("COPY (SELECT * FROM big ORDER BY a) TO STDOUT")
        .await
    {
        Ok(s) => s,
        Err(e) => panic!("copy_out: {e}"),
    };
    pin_mut!(out);
    let mut back = Vec::new();
    while let Some(chunk) = out.next().await {
        match chunk {
            Ok(b) => back.extend_from_slice(&b),
            Err(e) => panic!("copy_out: {e}"),
        }
    }
    assert_eq!(back, data);
}
