//! Point lookups by unique key (the index fast path) answer exactly as the general path does,
//! in text and binary, through every kind of write, in transactions and after a restart.
//! Each query is compared with the same query plus `ORDER BY`, which the fast path declines.
//! Expected values and SQLSTATEs were checked against PostgreSQL 15.

mod common;

use std::sync::Arc;

use reference_server::ServerConfig;
use reference_server::session::{Session, Shared};
use reference_server::sql::{Outcome, classify, parse, point_lookup, point_text};
use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

/// A column value exactly as the server sent it (binary format), NULL as `None`.
struct Raw(Option<Vec<u8>>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(Some(raw.to_vec())))
    }
    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(None))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Column names and text rows of a simple query (`name=value` cells, NULL as `NULL`).
async fn text(c: &Client, sql: &str) -> Vec<String> {
    let messages = c
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::RowDescription(cols) => out.push(format!(
                "columns {}",
                cols.iter().map(|c| c.name()).collect::<Vec<_>>().join(",")
            )),
            SimpleQueryMessage::Row(r) => out.push(
                (0..r.len())
                    .map(|i| {
                        format!(
                            "{}={}",
                            r.columns().get(i).map_or("?", |c| c.name()),
                            r.get(i).unwrap_or("NULL")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            SimpleQueryMessage::CommandComplete(n) => out.push(format!("SELECT {n}")),
            _ => {}
        }
    }
    out
}

/// Column names/types and binary rows of a prepared statement run with `params`.
async fn binary(c: &Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Vec<String> {
    let stmt = c
        .prepare(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out = vec![format!(
        "params {:?} columns {:?}",
        stmt.params(),
        stmt.columns()
            .iter()
            .map(|c| (c.name().to_owned(), c.type_().clone()))
            .collect::<Vec<_>>()
    )];
    for row in c
        .query(&stmt, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        out.push(format!(
            "{:?}",
            (0..row.len())
                .map(|i| row.get::<_, Raw>(i).0)
                .collect::<Vec<_>>()
        ));
    }
    out
}

/// Runs `sql` (ending in `WHERE ... = <literal>`) through the fast path and, with an ORDER BY
/// added, the general path; asserts both agree and returns the text answer.
async fn same_text(c: &Client, sql: &str) -> Vec<String> {
    let fast = text(c, sql).await;
    let general = text(c, &format!("{sql} ORDER BY 1")).await;
    assert_eq!(fast, general, "{sql}");
    fast
}

/// Same as [`same_text`] for a prepared statement ending in `= $1`, in binary.
async fn same_binary(c: &Client, sql: &str, key: &(dyn ToSql + Sync)) -> Vec<String> {
    let fast = binary(c, sql, &[key]).await;
    let general = binary(c, &format!("{sql} ORDER BY 1"), &[key]).await;
    assert_eq!(fast, general, "{sql}");
    fast
}

const TABLE: &str = "CREATE TABLE t (id int PRIMARY KEY, name text, v double precision, \
                     ts timestamp, amount numeric(10,2))";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_match_the_general_path_through_writes() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(&c, TABLE).await;
    common::exec(
        &c,
        "INSERT INTO t VALUES (1, 'a', 1.5, '2024-01-01', 12.5), (2, NULL, NULL, NULL, NULL), \
         (-3, 'c', 3, '2024-01-03', -1)",
    )
    .await;
    let row1 = same_text(&c, "SELECT * FROM t WHERE id = 1").await;
    assert_eq!(
        row1,
        [
            "columns id,name,v,ts,amount",
            "id=1|name=a|v=1.5|ts=2024-01-01 00:00:00|amount=12.50",
            "SELECT 1"
        ]
    );
    let nulls = same_text(&c, "SELECT * FROM t WHERE id = 2").await;
    assert_eq!(
        nulls.get(1).map(String::as_str),
        Some("id=2|name=NULL|v=NULL|ts=NULL|amount=NULL")
    );
    let neg = same_text(&c, "SELECT name, id FROM t x WHERE x.id = -3").await;
    assert_eq!(neg.get(1).map(String::as_str), Some("name=c|id=-3"));
    let quoted = same_text(&c, "SELECT v AS value FROM t WHERE '+2' = id").await;
    assert_eq!(quoted, ["columns value", "value=NULL", "SELECT 1"]);
    let none = same_text(&c, "SELECT name FROM t WHERE id = 7").await;
    assert_eq!(none, ["columns name", "SELECT 0"]);
    // int4 = int8 literal out of int4's range: no row (not an error) in PostgreSQL.
    let wide = same_text(&c, "SELECT id FROM t WHERE id = 5000000000").await;
    assert_eq!(wide.last().map(String::as_str), Some("SELECT 0"));
    for k in [1i32, 2, -3, 7] {
        let b = same_binary(&c, "SELECT * FROM t WHERE id = $1", &k).await;
        assert_eq!(b.len(), if k == 7 { 1 } else { 2 }, "{b:?}");
    }

    common::exec(&c, "INSERT INTO t VALUES (4, 'd', 4, '2024-01-04', 4)").await;
    let d = same_text(&c, "SELECT name FROM t WHERE id = 4").await;
    assert_eq!(d.get(1).map(String::as_str), Some("name=d"));
    common::exec(&c, "UPDATE t SET name = 'A' WHERE id = 1").await;
    let a = same_text(&c, "SELECT name FROM t WHERE id = 1").await;
    assert_eq!(a.get(1).map(String::as_str), Some("name=A"));
    common::exec(&c, "UPDATE t SET id = 10 WHERE id = 4").await;
    let gone = same_text(&c, "SELECT name FROM t WHERE id = 4").await;
    assert_eq!(gone.last().map(String::as_str), Some("SELECT 0"));
    let moved = same_text(&c, "SELECT name FROM t WHERE id = 10").await;
    assert_eq!(moved.get(1).map(String::as_str), Some("name=d"));
    common::exec(&c, "DELETE FROM t WHERE id = 10").await;
    let deleted = same_text(&c, "SELECT name FROM t WHERE id = 10").await;
    assert_eq!(deleted.last().map(String::as_str), Some("SELECT 0"));
    let b = same_binary(&c, "SELECT name FROM t WHERE id = $1", &10i32).await;
    assert_eq!(b.len(), 1, "{b:?}");
    common::exec(&c, "TRUNCATE t").await;
    let truncated = same_text(&c, "SELECT * FROM t WHERE id = 1").await;
    assert_eq!(truncated.last().map(String::as_str), Some("SELECT 0"));
    common::exec(&c, "INSERT INTO t VALUES (1, 'again', 0, NULL, NULL)").await;
    let again = same_text(&c, "SELECT name FROM t WHERE id = 1").await;
    assert_eq!(again.get(1).map(String::as_str), Some("name=again"));
    server.shutdown().await.ok();
}

/// Integer keys of every width (indexed by value, not by row encoding) and a text key find
/// the same rows as the general path, before and after inserts into an indexed table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_of_every_integer_width_and_text() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(
        &c,
        "CREATE TABLE s (id smallint PRIMARY KEY, v text); \
         CREATE TABLE b (id bigint UNIQUE, v text); \
         CREATE TABLE w (name text PRIMARY KEY, v int); \
         INSERT INTO s VALUES (-32768, 'min'), (0, 'zero'), (32767, 'max'); \
         INSERT INTO b VALUES (-9223372036854775808, 'min'), (NULL, 'null'), \
         (9223372036854775807, 'max'), (5000000000, 'big'); \
         INSERT INTO w VALUES ('a', 1), ('', 2)",
    )
    .await;
    for (sql, row) in [
        ("SELECT v FROM s WHERE id = -32768", Some("v=min")),
        ("SELECT v FROM s WHERE id = 32767", Some("v=max")),
        ("SELECT v FROM s WHERE id = 1", None),
        ("SELECT v FROM b WHERE id = 5000000000", Some("v=big")),
        (
            "SELECT v FROM b WHERE id = 9223372036854775807",
            Some("v=max"),
        ),
        ("SELECT v FROM b WHERE id = 0", None),
        ("SELECT v FROM w WHERE name = ''", Some("v=2")),
        ("SELECT v FROM w WHERE name = 'A'", None),
    ] {
        let got = same_text(&c, sql).await;
        assert_eq!(
            got.get(1).map(String::as_str),
            row.or(Some("SELECT 0")),
            "{sql}"
        );
    }
    for k in [-32768i16, 0, 32767, 5] {
        let got = same_binary(&c, "SELECT v FROM s WHERE id = $1", &k).await;
        assert_eq!(got.len(), if k == 5 { 1 } else { 2 }, "{got:?}");
    }
    for k in [i64::MIN, 5_000_000_000, 7] {
        let got = same_binary(&c, "SELECT v FROM b WHERE id = $1", &k).await;
        assert_eq!(got.len(), if k == 7 { 1 } else { 2 }, "{got:?}");
    }
    // Rows inserted after the index was built are found through it.
    common::exec(
        &c,
        "INSERT INTO s VALUES (5, 'five'); INSERT INTO b VALUES (7, 'seven')",
    )
    .await;
    let five = same_text(&c, "SELECT v FROM s WHERE id = 5").await;
    assert_eq!(five.get(1).map(String::as_str), Some("v=five"));
    let seven = same_binary(&c, "SELECT v FROM b WHERE id = $1", &7i64).await;
    assert_eq!(seven.len(), 2, "{seven:?}");
    server.shutdown().await.ok();
}

/// Plain lookups in pgbench's shape are recognised from their text (no parser) and answer
/// exactly as the general path does, which still handles every error and every case the
/// index cannot answer. SQLSTATEs checked against PostgreSQL 15.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_lookups_answer_as_the_general_path() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(
        &c,
        "CREATE TABLE acc (aid int PRIMARY KEY, abalance int, filler text); \
         INSERT INTO acc VALUES (1, 10, 'a'), (-2, NULL, 'b')",
    )
    .await;
    let session = Session::new(Arc::new(
        Shared::open(ServerConfig::default())
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    ));
    run(
        &session,
        "CREATE TABLE acc (aid int PRIMARY KEY, abalance int, filler text)",
    )
    .await;
    for (sql, row) in [
        ("SELECT abalance FROM acc WHERE aid = 1", "abalance=10"),
        (
            "select abalance, filler from ACC where AID=-2",
            "abalance=NULL|filler=b",
        ),
        ("SELECT abalance FROM acc WHERE aid = 99", "SELECT 0"),
        (
            "SELECT abalance FROM acc WHERE aid = 5000000000",
            "SELECT 0",
        ),
    ] {
        let q = point_text::recognise(sql).unwrap_or_else(|| panic!("{sql}: not recognised"));
        let answered = session.point_lookup(&q, &[]).await;
        let fits = !sql.contains("5000000000");
        assert_eq!(matches!(answered, Ok(Some(_))), fits, "{sql}");
        let got = same_text(&c, sql).await;
        assert_eq!(got.get(1).map(String::as_str), Some(row), "{sql}");
    }
    for (sql, sqlstate) in [
        ("SELECT nosuch FROM acc WHERE aid = 1", "42703"),
        ("SELECT abalance FROM nosuch WHERE aid = 1", "42P01"),
    ] {
        match c.simple_query(sql).await {
            Ok(_) => panic!("{sql} succeeded"),
            Err(e) => assert_eq!(common::code(&e), sqlstate, "{sql}: {e}"),
        }
    }
    // A failed transaction refuses it; the session's own writes are seen.
    let lookup = "SELECT abalance FROM acc WHERE aid = 3";
    common::exec(&c, "BEGIN").await;
    assert!(c.simple_query("SELECT 1/0").await.is_err());
    match c.simple_query(lookup).await {
        Ok(_) => panic!("{lookup} succeeded in a failed transaction"),
        Err(e) => assert_eq!(common::code(&e), "25P02", "{e}"),
    }
    common::exec(&c, "ROLLBACK; BEGIN; INSERT INTO acc VALUES (3, 30, 'c')").await;
    let own = same_text(&c, lookup).await;
    assert_eq!(own.get(1).map(String::as_str), Some("abalance=30"));
    common::exec(&c, "ROLLBACK").await;
    let gone = same_text(&c, lookup).await;
    assert_eq!(gone.get(1).map(String::as_str), Some("SELECT 0"));
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_see_their_own_writes_and_no_one_elses() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    common::exec(&a, TABLE).await;
    common::exec(&a, "INSERT INTO t VALUES (1, 'one', 1, NULL, NULL)").await;
    // Builds the index before the transaction starts.
    same_text(&b, "SELECT name FROM t WHERE id = 1").await;
    common::exec(
        &a,
        "BEGIN; INSERT INTO t VALUES (2, 'two', 2, NULL, NULL); \
         UPDATE t SET name = 'uno' WHERE id = 1",
    )
    .await;
    let own = same_text(&a, "SELECT name FROM t WHERE id = 2").await;
    assert_eq!(own.get(1).map(String::as_str), Some("name=two"));
    let own = same_text(&a, "SELECT name FROM t WHERE id = 1").await;
    assert_eq!(own.get(1).map(String::as_str), Some("name=uno"));
    let other = same_text(&b, "SELECT name FROM t WHERE id = 2").await;
    assert_eq!(other.last().map(String::as_str), Some("SELECT 0"));
    let other = same_binary(&b, "SELECT name FROM t WHERE id = $1", &1i32).await;
    assert_eq!(
        other.get(1).map(String::as_str),
        Some("[Some([111, 110, 101])]")
    );
    common::exec(&a, "COMMIT").await;
    let committed = same_text(&b, "SELECT name FROM t WHERE id = 2").await;
    assert_eq!(committed.get(1).map(String::as_str), Some("name=two"));
    let committed = same_text(&b, "SELECT name FROM t WHERE id = 1").await;
    assert_eq!(committed.get(1).map(String::as_str), Some("name=uno"));
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_keys_fail_as_in_postgres() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    common::exec(&c, TABLE).await;
    common::exec(&c, "INSERT INTO t VALUES (2, 'two', 2, NULL, NULL)").await;
    for (key, sqlstate) in [
        ("'x'", "22P02"),
        ("'5000000000'", "22003"),
        ("'2.0'", "22P02"),
        ("''", "22P02"),
    ] {
        let sql = format!("SELECT * FROM t WHERE id = {key}");
        match c.simple_query(&sql).await {
            Ok(_) => panic!("{sql} succeeded"),
            Err(e) => assert_eq!(common::code(&e), sqlstate, "{sql}: {e}"),
        }
    }
    // PostgreSQL's int4 input allows surrounding spaces.
    let spaced = text(&c, "SELECT name FROM t WHERE id = ' 2'").await;
    assert_eq!(spaced.get(1).map(String::as_str), Some("name=two"));
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_is_rebuilt_after_a_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = common::start_with(common::durable(dir.path())).await;
    let c = common::connect(&server).await;
    common::exec(
        &c,
        "CREATE TABLE k (a int, b text, v int, PRIMARY KEY (a, b))",
    )
    .await;
    common::exec(
        &c,
        "INSERT INTO k VALUES (1, 'x', 10), (1, 'y', 11), (2, 'x', 20)",
    )
    .await;
    let before = same_text(&c, "SELECT v FROM k WHERE b = 'y' AND a = 1").await;
    assert_eq!(before.get(1).map(String::as_str), Some("v=11"));
    drop(c);
    server.shutdown().await.unwrap_or_else(|e| panic!("{e}"));
    let server = common::start_with(common::durable(dir.path())).await;
    let c = common::connect(&server).await;
    let after = same_text(&c, "SELECT v FROM k WHERE a = 1 AND b = 'y'").await;
    assert_eq!(after, before);
    common::exec(&c, "INSERT INTO k VALUES (3, 'z', 30)").await;
    let new = same_text(&c, "SELECT * FROM k WHERE a = 3 AND b = 'z'").await;
    assert_eq!(new.get(1).map(String::as_str), Some("a=3|b=z|v=30"));
    server.shutdown().await.ok();
}

/// Whether the session answers `sql` from the index (`Some`) or leaves it to the general path.
async fn answered(session: &Session, sql: &str) -> Option<usize> {
    let stmt = parse::parse(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .pop()?;
    let classify::Command::Plan { stmt, .. } = classify::classify(stmt) else {
        return None;
    };
    let q = point_lookup::recognise(&stmt)?;
    match session.point_lookup(&q, &[]).await {
        Ok(Some(Outcome::Rows { schema, .. })) => Some(schema.fields().len()),
        Ok(_) => None,
        Err(e) => panic!("{sql}: {e:?}"),
    }
}

async fn run(session: &Session, sql: &str) {
    for stmt in parse::parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}")) {
        let cmd = classify::classify(stmt);
        if let Err(e) = session.run(&cmd, None).await {
            panic!("{sql}: {e:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_exact_key_lookups_take_the_fast_path() {
    let shared = Shared::open(ServerConfig::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let session = Session::new(Arc::new(shared));
    run(&session, TABLE).await;
    run(&session, "CREATE TABLE nokey (id int, name text)").await;
    run(&session, "INSERT INTO t VALUES (1, 'a', 1, NULL, NULL)").await;
    for (sql, columns) in [
        ("SELECT * FROM t WHERE id = 1", 5),
        ("SELECT name, v FROM public.t WHERE t.id = '1'", 2),
        ("SELECT x.name FROM t AS x WHERE (x.id = 1)", 1),
        ("SELECT t.* FROM t WHERE 1 = id", 5),
    ] {
        assert_eq!(answered(&session, sql).await, Some(columns), "{sql}");
    }
    for sql in [
        "SELECT * FROM t WHERE id = 1 ORDER BY id",
        "SELECT * FROM t WHERE id = 1 LIMIT 1",
        "SELECT id + 1 FROM t WHERE id = 1",
        "SELECT * FROM t WHERE id + 0 = 1",
        "SELECT * FROM t WHERE id = 1 AND name = 'a'",
        "SELECT * FROM t WHERE name = 'a'",
        "SELECT * FROM t WHERE id = 1.0",
        "SELECT * FROM t WHERE id = ' 1'",
        "SELECT * FROM t WHERE id = 1::bigint",
        "SELECT * FROM t WHERE id = NULL",
        "SELECT * FROM t WHERE id = 5000000000",
        "SELECT DISTINCT name FROM t WHERE id = 1",
        "SELECT * FROM t x WHERE t.id = 1",
        "SELECT * FROM nokey WHERE id = 1",
        "SELECT * FROM missing WHERE id = 1",
        "SELECT * FROM t, nokey WHERE t.id = 1",
    ] {
        assert_eq!(answered(&session, sql).await, None, "{sql}");
    }
    // The session's own buffered writes are only visible through the general path.
    run(
        &session,
        "BEGIN; INSERT INTO t VALUES (2, 'b', 2, NULL, NULL)",
    )
    .await;
    assert_eq!(
        answered(&session, "SELECT * FROM t WHERE id = 1").await,
        None
    );
    run(&session, "COMMIT").await;
    assert_eq!(
        answered(&session, "SELECT * FROM t WHERE id = 2").await,
        Some(5)
    );
    // A temporary table shadows the shared one: its (absent) key decides, and `public.t`
    // (which the general path resolves like `t`) is left to the general path too.
    run(&session, "CREATE TEMP TABLE t (id int, name text)").await;
    assert_eq!(
        answered(&session, "SELECT * FROM t WHERE id = 1").await,
        None
    );
    assert_eq!(
        answered(&session, "SELECT * FROM public.t WHERE id = 1").await,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgbench_select_only_agrees_with_the_general_path() {
    let server = common::start().await;
    let addr = server.local_addr();
    let (host, port) = (addr.ip().to_string(), addr.port().to_string());
    let pgbench = |args: &'static [&'static str]| {
        let (h, p) = (host.clone(), port.clone());
        tokio::task::spawn_blocking(move || {
            let mut all = vec!["-h", &h, "-p", &p, "-U", "postgres"];
            all.extend_from_slice(args);
            all.push("postgres");
            common::run("pgbench", &all)
        })
    };
    let init = pgbench(&["-i", "-I", "dtg", "-s", "1"])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(init.0, "pgbench -i failed: {}\n{}", init.1, init.2);
    let out = pgbench(&["-S", "-n", "-M", "prepared", "-t", "200"])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.0, "pgbench failed: {}\n{}", out.1, out.2);
    assert!(
        out.1
            .contains("number of transactions actually processed: 200/200"),
        "{}",
        out.1
    );
    let c = common::connect(&server).await;
    for aid in [1, 4242, 100_000] {
        let r = same_text(
            &c,
            &format!("SELECT abalance, bid FROM pgbench_accounts WHERE aid = {aid}"),
        )
        .await;
        assert_eq!(r.len(), 3, "{r:?}");
        let b = same_binary(
            &c,
            "SELECT aid, abalance FROM pgbench_accounts WHERE aid = $1",
            &aid,
        )
        .await;
        assert_eq!(b.len(), 2, "{b:?}");
    }
    server.shutdown().await.ok();
}
