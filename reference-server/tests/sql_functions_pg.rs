//! SQL predicates, date/time functions and casts compared with a live PostgreSQL 15: the same
//! statements run on both, and the rows (as text) or the SQLSTATE must agree.
//!
//! Needs PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin and root (skipped otherwise).

mod common;
mod pgtypes_support;

use common::pg_cluster::PgCluster;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// Rows as `a|b` text, or `ERROR <sqlstate>` (errors are compared by SQLSTATE).
async fn outcome(c: &Client, sql: &str) -> Vec<String> {
    match c.simple_query(sql).await {
        Ok(msgs) => common::row_strings(&msgs),
        Err(e) => vec![format!("ERROR {}", common::code(&e))],
    }
}

/// Both sides: (our server, PostgreSQL cluster, client to ours, client to PostgreSQL).
async fn both(setup: &str) -> Option<(reference_server::RunningServer, PgCluster, Client, Client)> {
    let pg = PgCluster::start()?;
    let server = common::start().await;
    let ours = common::connect(&server).await;
    let conn = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres",
        pg.port
    );
    let (theirs, connection) = tokio_postgres::connect(&conn, NoTls).await.ok()?;
    tokio::spawn(connection);
    for c in [&ours, &theirs] {
        let msgs: Vec<SimpleQueryMessage> = c
            .simple_query(setup)
            .await
            .unwrap_or_else(|e| panic!("{setup}: {e}"));
        drop(msgs);
    }
    Some((server, pg, ours, theirs))
}

async fn assert_same(ours: &Client, theirs: &Client, queries: &[&str]) {
    for sql in queries {
        let want = outcome(theirs, sql).await;
        assert_eq!(outcome(ours, sql).await, want, "{sql}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn predicates_match_postgres() {
    let setup = "CREATE TABLE pr (id int, a int, b int); \
                 INSERT INTO pr VALUES (1, 1, 10), (2, 1, 20), (3, 2, 5), (4, NULL, 7), (5, 2, NULL)";
    let Some((_server, _pg, ours, theirs)) = both(setup).await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT 5 BETWEEN SYMMETRIC 10 AND 1, 5 NOT BETWEEN SYMMETRIC 10 AND 1, \
             0 BETWEEN SYMMETRIC 10 AND 1, 5 BETWEEN SYMMETRIC NULL AND 1, \
             5 BETWEEN ASYMMETRIC 10 AND 1",
            "SELECT id FROM pr WHERE a BETWEEN SYMMETRIC (CASE WHEN id > 2 THEN 3 ELSE 0 END) AND 1 \
             ORDER BY id",
            "SELECT (DATE '2024-01-01', DATE '2024-02-01') OVERLAPS (DATE '2024-01-15', DATE '2024-03-01'), \
             (DATE '2024-01-10', DATE '2024-01-01') OVERLAPS (DATE '2024-01-05', DATE '2024-01-06'), \
             (TIMESTAMP '2024-01-01', INTERVAL '1 day') OVERLAPS (TIMESTAMP '2024-01-01 12:00', TIMESTAMP '2024-01-03'), \
             (DATE '2024-01-01', NULL::date) OVERLAPS (DATE '2024-01-05', DATE '2024-01-06'), \
             (NULL::date, DATE '2024-01-02') OVERLAPS (DATE '2024-01-01', DATE '2024-01-03'), \
             (DATE '2024-01-01', DATE '2024-01-01') OVERLAPS (DATE '2024-01-01', DATE '2024-01-01')",
            "SELECT id FROM pr WHERE (a, b) IN (SELECT a, max(b) FROM pr GROUP BY a) ORDER BY id",
            "SELECT id FROM pr WHERE (a, b) NOT IN (SELECT a, b FROM pr WHERE id < 3) ORDER BY id",
            "SELECT id FROM pr WHERE (a, b) NOT IN (SELECT 1, 10) ORDER BY id",
            "SELECT * FROM pr p JOIN pr q ON p.id = cc.id",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn datetime_functions_and_text_casts_match_postgres() {
    let Some((_server, _pg, ours, theirs)) = both("SELECT 1").await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT age(TIMESTAMP '2020-01-31', TIMESTAMP '2020-03-01'), \
             age(DATE '2024-02-29', DATE '2023-02-28'), \
             age(TIMESTAMP '2024-03-01 10:00', TIMESTAMP '2024-01-31 12:30:00.5')",
            "SELECT make_time(23, 59, 59.5), make_time(0, 0, 0), make_time(24, 0, 0)",
            "SELECT date_trunc('month', DATE '2024-05-17'), date_trunc('week', DATE '2024-05-17')",
            "SELECT TIMESTAMPTZ '2024-07-01 12:00+00'::text, DATE '2024-01-02'::text, \
             TIMESTAMP '2024-01-02 03:04:05.5'::text, INTERVAL '1 day 2 hours'::text, \
             TIME '10:11:12'::text",
            "SET TimeZone = 'America/New_York'",
            "SELECT TIMESTAMPTZ '2024-07-01 12:00+00'::text, CAST(TIMESTAMPTZ '2024-01-01 00:00+00' AS varchar)",
            "SELECT '\\x00ff'::bytea, 'a\\\\b'::bytea, ''::bytea",
            "SELECT g::date FROM generate_series(TIMESTAMP '2024-02-27', TIMESTAMP '2024-03-01', \
             INTERVAL '1 day') AS g ORDER BY g DESC",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn string_and_set_returning_functions_match_postgres() {
    let Some((_server, _pg, ours, theirs)) = both("SELECT 1").await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT encode('abc'::bytea, 'hex'), encode('hello'::bytea, 'base64'), \
             encode('ab'::bytea, 'base64'), encode('\\x00ff5c41'::bytea, 'escape')",
            "SELECT encode(decode(repeat('ab', 60), 'hex'), 'base64')",
            "SELECT decode('aGVs bG8=', 'base64'), decode('00FF', 'hex'), decode('a\\\\b\\001', 'escape')",
            "SELECT decode('a$', 'base64')",
            "SELECT encode('a'::bytea, 'nope')",
            "SELECT m, m[2] FROM regexp_matches('k1=v1, k2=v2', '(\\w+)=(\\w+)', 'g') AS m",
            "SELECT * FROM regexp_matches('abc', 'B', 'i')",
            "SELECT count(*) FROM regexp_matches('abc', 'z', 'g')",
            "SELECT x, ord FROM regexp_split_to_table('a,b,,c', ',') WITH ORDINALITY AS t(x, ord)",
            "SELECT s FROM regexp_split_to_table('one two', ' ') AS s ORDER BY s DESC",
            "SELECT pg_typeof(g), g FROM generate_series(1, 3) AS g",
            "SELECT pg_typeof(x), x FROM generate_series(2, 4) AS t(x)",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_math_and_values_types_match_postgres() {
    let setup = "CREATE TABLE ag (g text, t int, x float8); \
                 INSERT INTO ag VALUES ('a', 2, 1.5), ('a', 1, NULL), ('a', 3, 2.5), ('b', 5, 7)";
    let Some((_server, _pg, ours, theirs)) = both(setup).await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT -2 ^ 2, - 2 ^ 3, -2 ^ 2 ^ 3, (-2) ^ 2, -(2 ^ 2), 2 ^ -1, 2 * -3 ^ 2",
            "SELECT log(1000), log(100.0), log(0.001::float8), log10(1000), log(2, 64)",
            "SELECT width_bucket(7, ARRAY[0, 5, 10]), width_bucket(-1, ARRAY[0, 5]), \
             width_bucket(5, ARRAY[0, 5, 10]), width_bucket(10.5, ARRAY[1.5, 10.5, 11]), \
             width_bucket(NULL, ARRAY[1]), width_bucket(1, ARRAY[]::int[])",
            "SELECT width_bucket(1, ARRAY[0, NULL])",
            "SELECT pg_typeof(x), x FROM (VALUES (1), (NULL), (2)) v(x) ORDER BY x",
            "SELECT pg_typeof(x), pg_typeof(y) FROM (VALUES (NULL, 1), (2, NULL)) v(x, y)",
            "SELECT pg_typeof(x) FROM (VALUES (1), (NULL::bigint)) v(x)",
            "SELECT g, (array_agg(x ORDER BY t))[1], (array_agg(x ORDER BY t DESC))[1] \
             FROM ag GROUP BY g ORDER BY g",
            "SELECT (array_agg(t ORDER BY t))[1] FROM ag WHERE t > 100",
            "SELECT 'abc'::text COLLATE \"C\", 'b'::varchar(3)::text COLLATE \"POSIX\" < 'c'",
            "SELECT 'abc'::text COLLATE \"no_such_collation\"",
            "SELECT g FROM ag ORDER BY g::text COLLATE \"C\" DESC LIMIT 1",
            "SELECT cbrt(27::float8), ||/ 27.0, cbrt(2::float8), cbrt(-1000::float8), cbrt(0.001::float8)",
            "SELECT (ARRAY[1.5, 2.5, -1.5])::int[], (ARRAY[0.49, -0.5])::int[]",
            "SELECT t, x FROM ag WHERE CASE WHEN t > 1 THEN 10 / (t - 1) > 3 ELSE false END ORDER BY t",
            "SELECT g, CASE WHEN g ~ '^[0-9]+$' THEN g::int > 0 ELSE NULL END AS c FROM ag ORDER BY t",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn to_date_and_to_timestamp_templates_match_postgres() {
    let Some((_server, _pg, ours, theirs)) = both("SET TimeZone = 'UTC'").await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT to_date('05 Feb 2024', 'DD Mon YYYY'), to_date('20240229', 'YYYYMMDD'), \
             to_date('2024-02-05', 'YYYY-MM-DD'), to_date('5 february 2024', 'DD Month YYYY')",
            "SELECT to_timestamp('2024-02-05 07:08:09', 'YYYY-MM-DD HH24:MI:SS'), \
             to_timestamp('2024/02/05 07:08 PM', 'YYYY/MM/DD HH12:MI AM'), \
             to_timestamp('05.02.2024 23:59:58.250', 'DD.MM.YYYY HH24:MI:SS.MS')",
            "SELECT to_date('20230229', 'YYYYMMDD')",
            "SELECT to_date('2024-13-01', 'YYYY-MM-DD')",
            "SELECT to_date('abcd', 'YYYY')",
            "SELECT to_date(NULL, 'YYYY'), to_timestamp(0)",
        ],
    )
    .await;
}

/// regtype in binary result format is regtypesend's 4-byte oid, as PostgreSQL sends it.
#[tokio::test(flavor = "multi_thread")]
async fn regtype_binary_is_the_type_oid() {
    let Some((_server, _pg, ours, theirs)) = both("SELECT 1").await else {
        return;
    };
    for sql in [
        "SELECT pg_typeof(1)",
        "SELECT pg_typeof(1.0)",
        "SELECT pg_typeof('a'::text)",
        "SELECT pg_typeof(now())",
        "SELECT pg_typeof(ARRAY[1, 2])",
        "SELECT pg_typeof(NULL)",
    ] {
        let want = pgtypes_support::pg_binary(&theirs, sql)
            .await
            .map(|(b, t)| (b, t.oid()));
        let got = pgtypes_support::pg_binary(&ours, sql)
            .await
            .map(|(b, t)| (b, t.oid()));
        match (got, want) {
            (Ok(g), Ok(w)) => assert_eq!(g, w, "{sql}"),
            (g, w) => panic!("{sql}: ours {:?}, PostgreSQL {:?}", g.err(), w.err()),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn lateral_top_n_matches_postgres() {
    let setup = "CREATE TABLE lc (id int, name text); CREATE TABLE lo (oid int, cid int, at int); \
                 INSERT INTO lc VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'); \
                 INSERT INTO lo VALUES (10, 1, 5), (11, 1, 9), (12, 1, 7), (13, 2, 1), (14, 3, 4), (15, 3, 4), (16, NULL, 3)";
    let Some((_server, _pg, ours, theirs)) = both(setup).await else {
        return;
    };
    assert_same(
        &ours,
        &theirs,
        &[
            "SELECT c.name, l.oid, l.at FROM lc c CROSS JOIN LATERAL \
             (SELECT oid, at FROM lo o WHERE o.cid = c.id ORDER BY at DESC, oid LIMIT 1) l ORDER BY c.id",
            "SELECT c.name, l.oid FROM lc c CROSS JOIN LATERAL \
             (SELECT oid FROM lo WHERE lo.cid = c.id AND lo.at > 1 ORDER BY lo.at, oid LIMIT 2 OFFSET 1) l \
             ORDER BY c.id, l.oid",
            "SELECT c.name, l.oid FROM lc c LEFT JOIN LATERAL \
             (SELECT oid FROM lo o WHERE o.cid = c.id ORDER BY o.oid DESC LIMIT 2) l ON true \
             ORDER BY c.id, l.oid",
        ],
    )
    .await;
}
