//! PostgreSQL's parse-analysis and runtime errors, and the set-returning / quantified
//! forms, beyond the cases the SQL suites check. Every expected SQLSTATE, message and value
//! below was obtained from a real PostgreSQL 15 running the same statement.

mod common;

use common::rows;
use tokio_postgres::Client;
use tokio_postgres::types::Type;

const SETUP: &str = "CREATE TABLE t (id int, v float8, s smallint, name text); \
     INSERT INTO t VALUES (1, 0, 32767, 'a'), (2, 2.5, -32768, NULL)";

/// The SQLSTATE and message of a statement that must fail.
async fn error(c: &Client, sql: &str) -> (String, String) {
    match c.simple_query(sql).await {
        Ok(_) => panic!("{sql}: expected an error"),
        Err(e) => match e.as_db_error() {
            Some(d) => (d.code().code().to_owned(), d.message().to_owned()),
            None => panic!("{sql}: not a server error: {e}"),
        },
    }
}

async fn setup() -> (reference_server::RunningServer, Client) {
    let server = common::start().await;
    let c = common::connect(&server).await;
    c.batch_execute(SETUP)
        .await
        .unwrap_or_else(|e| panic!("setup: {e}"));
    (server, c)
}

#[tokio::test]
async fn analysis_errors_match_postgres() {
    let (_server, c) = setup().await;
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT id FROM t GROUP BY 3",
            "42P10",
            "GROUP BY position 3 is not in select list",
        ),
        (
            "SELECT id FROM t ORDER BY 0",
            "42P10",
            "ORDER BY position 0 is not in select list",
        ),
        (
            "SELECT id FROM t UNION SELECT 2 ORDER BY 2",
            "42P10",
            "ORDER BY position 2 is not in select list",
        ),
        (
            "SELECT count(*) FROM t HAVING rank() OVER () > 0",
            "42P20",
            "window functions are not allowed in HAVING",
        ),
        (
            "SELECT id FROM t GROUP BY rank() OVER ()",
            "42P20",
            "window functions are not allowed in GROUP BY",
        ),
        (
            "SELECT 1 FROM t a JOIN t b ON row_number() OVER () = 1",
            "42P20",
            "window functions are not allowed in JOIN conditions",
        ),
        (
            "SELECT id FROM t GROUP BY id FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with GROUP BY clause",
        ),
        (
            "SELECT 1 FROM t HAVING true FOR SHARE",
            "0A000",
            "FOR SHARE is not allowed with HAVING clause",
        ),
        (
            "SELECT rank() OVER () FROM t FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with window functions",
        ),
        (
            "SELECT 1 FROM t, (SELECT 1) t",
            "42712",
            "table name \"t\" specified more than once",
        ),
        (
            "SELECT 1 FROM t JOIN t ON true",
            "42712",
            "table name \"t\" specified more than once",
        ),
        (
            "SELECT 1 FROM t a JOIN (t b JOIN t a ON true) ON true",
            "42712",
            "table name \"a\" specified more than once",
        ),
        (
            "WITH RECURSIVE r AS (SELECT * FROM r) SELECT * FROM r",
            "42P19",
            "recursive query \"r\" does not have the form non-recursive-term UNION [ALL] recursive-term",
        ),
        (
            "SELECT COALESCE(1, 'x'::text)",
            "42804",
            "COALESCE types integer and text cannot be matched",
        ),
        (
            "SELECT CASE WHEN true THEN now() ELSE 1 END",
            "42804",
            "CASE types integer and timestamp with time zone cannot be matched",
        ),
        (
            "SELECT 1 UNION ALL SELECT true",
            "42804",
            "UNION types integer and boolean cannot be matched",
        ),
    ];
    for (sql, code, message) in cases {
        assert_eq!(
            error(&c, sql).await,
            ((*code).to_owned(), (*message).to_owned()),
            "{sql}"
        );
    }
    assert_eq!(error(&c, "SELECT length(1.5)").await.0, "42883");
    // Different tables may share an unqualified name only under different aliases; an
    // alias can repeat across query levels.
    assert_eq!(
        rows(
            &c,
            "SELECT count(*) FROM t x WHERE EXISTS (SELECT 1 FROM t x)"
        )
        .await,
        vec!["2"]
    );
}

#[tokio::test]
async fn arithmetic_errors_match_postgres() {
    let (_server, c) = setup().await;
    let cases: &[(&str, &str, &str)] = &[
        // Evaluated per row, not only for constants.
        (
            "SELECT id / v FROM t ORDER BY id",
            "22012",
            "division by zero",
        ),
        (
            "SELECT log(-1)",
            "2201E",
            "cannot take logarithm of a negative number",
        ),
        ("SELECT log10(0)", "2201E", "cannot take logarithm of zero"),
        (
            "SELECT power(0, -1)",
            "2201F",
            "zero raised to a negative power is undefined",
        ),
        (
            "SELECT power(-8::float8, 1.0/3)",
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ),
        (
            "SELECT 200::smallint * 200::smallint",
            "22003",
            "smallint out of range",
        ),
        (
            "SELECT '2024-01-01 garbage'::timestamptz",
            "22007",
            "invalid input syntax for type timestamp with time zone: \"2024-01-01 garbage\"",
        ),
    ];
    for (sql, code, message) in cases {
        assert_eq!(
            error(&c, sql).await,
            ((*code).to_owned(), (*message).to_owned()),
            "{sql}"
        );
    }
    assert_eq!(
        error(&c, "SELECT '2024-01-01 Foo/Bar'::timestamptz")
            .await
            .0,
        "22023"
    );
    // Division by a non-zero float still divides.
    assert_eq!(
        rows(&c, "SELECT id / v FROM t WHERE v <> 0").await,
        vec!["0.8"]
    );
}

#[tokio::test]
async fn row_tests_and_quantified_subqueries_match_postgres() {
    let (_server, c) = setup().await;
    assert_eq!(
        rows(
            &c,
            "SELECT ROW(1, NULL) IS NOT NULL, ROW(NULL, NULL) IS NOT NULL, (1, 2) IS NULL"
        )
        .await,
        vec!["f|f|f"]
    );
    assert_eq!(
        rows(
            &c,
            "SELECT 5 < ALL (SELECT NULL::int), 5 > ALL (SELECT 1 UNION SELECT NULL), \
             5 < ANY (SELECT 1 UNION SELECT NULL), NULL::int > ALL (SELECT 1 WHERE false), \
             5 >= ANY (SELECT 5)"
        )
        .await,
        vec!["NULL|NULL|NULL|t|t"]
    );
    assert_eq!(
        rows(&c, "SELECT id FROM t WHERE v >= ALL (SELECT v FROM t)").await,
        vec!["2"]
    );
}

#[tokio::test]
async fn integer_series_and_int4_functions_match_postgres() {
    let (_server, c) = setup().await;
    assert_eq!(
        rows(
            &c,
            "SELECT pg_typeof(g) FROM generate_series(1, 2) g LIMIT 1"
        )
        .await,
        vec!["integer"]
    );
    assert_eq!(
        rows(
            &c,
            "SELECT pg_typeof(g) FROM generate_series(1, 3000000000, 2999999999) g LIMIT 1"
        )
        .await,
        vec!["bigint"]
    );
    assert_eq!(
        rows(&c, "SELECT generate_series(2, 6, 2) AS x").await,
        vec!["2", "4", "6"]
    );
    let stmt = c
        .prepare("SELECT regexp_count('aa', 'a'), array_length(ARRAY[1], 1), cardinality(ARRAY[1])")
        .await
        .unwrap_or_else(|e| panic!("prepare: {e}"));
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, vec![Type::INT4, Type::INT4, Type::INT4]);
    assert_eq!(
        rows(
            &c,
            "SELECT 'a' COLLATE \"C\" < 'b', 'a' COLLATE \"POSIX\" = 'a'"
        )
        .await,
        vec!["t|t"]
    );
}

#[tokio::test]
async fn json_aggregates_dates_and_window_types_match_postgres() {
    let (_server, c) = setup().await;
    assert_eq!(
        rows(
            &c,
            "SELECT json_agg(x ORDER BY x DESC), jsonb_agg(name ORDER BY x) \
             FROM (SELECT id AS x, name FROM t) s"
        )
        .await,
        vec!["[2, 1]|[\"a\", null]"]
    );
    assert_eq!(
        rows(&c, "SELECT json_agg(id) FROM t WHERE false").await,
        vec!["NULL"]
    );
    assert_eq!(
        rows(&c, "SELECT json_agg(v) FROM t").await,
        vec!["[0, 2.5]"]
    );
    assert_eq!(
        rows(
            &c,
            "SELECT 'February 29, 2024'::date, '29-Feb-2024'::date, \
             '05 Feb 2024 10:00'::timestamp"
        )
        .await,
        vec!["2024-02-29|2024-02-29|2024-02-05 10:00:00"]
    );
    let stmt = c
        .prepare("SELECT json_agg(id), ntile(2) OVER (ORDER BY id) FROM t GROUP BY id")
        .await
        .unwrap_or_else(|e| panic!("prepare: {e}"));
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, vec![Type::JSON, Type::INT4]);
}
