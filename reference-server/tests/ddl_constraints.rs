//! DDL and constraints as a PostgreSQL user writes them: temporary tables, constraint errors
//! (SQLSTATE, message and DETAIL recorded from PostgreSQL 15.18), defaults and serial,
//! ALTER TABLE over existing rows, RETURNING, ON CONFLICT, and definitions kept across a
//! restart on the same data directory.

mod common;

use common::{exec, rows};
use tokio_postgres::Client;

/// The tag of the last command of `sql`.
async fn tag(c: &Client, sql: &str) -> u64 {
    common::tags(c, sql)
        .await
        .last()
        .copied()
        .unwrap_or_else(|| panic!("{sql}: no CommandComplete"))
}

/// (SQLSTATE, message, detail) of a statement that must fail.
async fn fails(c: &Client, sql: &str) -> (String, String, Option<String>) {
    match c.simple_query(sql).await {
        Ok(_) => panic!("{sql}: succeeded, expected an error"),
        Err(e) => {
            let db = e
                .as_db_error()
                .unwrap_or_else(|| panic!("{sql}: not a server error: {e}"));
            (
                db.code().code().to_owned(),
                db.message().to_owned(),
                db.detail().map(str::to_owned),
            )
        }
    }
}

#[tokio::test]
async fn temp_tables_are_session_local_and_dropped_at_disconnect() {
    let server = common::start().await;
    let a = common::connect(&server).await;
    let b = common::connect(&server).await;
    exec(
        &a,
        "CREATE TABLE shared_t (x int); INSERT INTO shared_t VALUES (1)",
    )
    .await;
    exec(
        &a,
        "CREATE TEMP TABLE flow_x (id int, v text); INSERT INTO flow_x VALUES (1, 'a'), (2, 'b')",
    )
    .await;
    assert_eq!(
        rows(&a, "SELECT id, v FROM flow_x ORDER BY id").await,
        ["1|a", "2|b"]
    );
    // Invisible to another session.
    let (code, msg, _) = fails(&b, "SELECT * FROM flow_x").await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("42P01", "relation \"flow_x\" does not exist")
    );
    // Shadows a permanent table of the same name, only in its session.
    exec(
        &a,
        "CREATE TEMPORARY TABLE shared_t (x int); INSERT INTO shared_t VALUES (42)",
    )
    .await;
    assert_eq!(rows(&a, "SELECT x FROM shared_t").await, ["42"]);
    assert_eq!(rows(&b, "SELECT x FROM shared_t").await, ["1"]);
    // UPDATE / DELETE / TRUNCATE / CREATE TEMP TABLE AS work like on other tables.
    assert_eq!(tag(&a, "UPDATE flow_x SET v = 'z' WHERE id = 1").await, 1);
    assert_eq!(tag(&a, "DELETE FROM flow_x WHERE id = 2").await, 1);
    assert_eq!(
        tag(&a, "CREATE TEMP TABLE flow_y AS SELECT * FROM flow_x").await,
        1
    );
    assert_eq!(rows(&a, "SELECT id, v FROM flow_y").await, ["1|z"]);
    exec(&a, "TRUNCATE flow_y").await;
    assert_eq!(rows(&a, "SELECT count(*) FROM flow_y").await, ["0"]);
    exec(&a, "DROP TABLE flow_y").await;
    // DROP removes the temp table first; the permanent one shows again.
    exec(&a, "DROP TABLE shared_t").await;
    assert_eq!(rows(&a, "SELECT x FROM shared_t").await, ["1"]);
    drop(a);
    // A new session does not see the old session's temp tables.
    let c = common::connect(&server).await;
    let (code, _, _) = fails(&c, "SELECT * FROM flow_x").await;
    assert_eq!(code, "42P01");
    exec(&c, "CREATE TEMP TABLE flow_x (other int)").await;
    assert_eq!(rows(&c, "SELECT count(*) FROM flow_x").await, ["0"]);
}

#[tokio::test]
async fn constraint_violations_match_postgres() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(
        &c,
        "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, qty int CHECK (qty > 0), \
         code varchar(3) UNIQUE, CONSTRAINT named_chk CHECK (id < 1000)); \
         INSERT INTO t VALUES (1, 'one', 1, 'a')",
    )
    .await;
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        (
            "INSERT INTO t VALUES (1, 'dup', 1, 'z')",
            "23505",
            "duplicate key value violates unique constraint \"t_pkey\"",
            Some("Key (id)=(1) already exists."),
        ),
        (
            "INSERT INTO t VALUES (2, 'two', 2, 'a')",
            "23505",
            "duplicate key value violates unique constraint \"t_code_key\"",
            Some("Key (code)=(a) already exists."),
        ),
        (
            "INSERT INTO t (id, qty) VALUES (3, 1)",
            "23502",
            "null value in column \"name\" of relation \"t\" violates not-null constraint",
            Some("Failing row contains (3, null, 1, null)."),
        ),
        (
            "INSERT INTO t VALUES (4, 'four', 0, 'd')",
            "23514",
            "new row for relation \"t\" violates check constraint \"t_qty_check\"",
            Some("Failing row contains (4, four, 0, d)."),
        ),
        (
            "INSERT INTO t VALUES (1000, 'big', 1, 'e')",
            "23514",
            "new row for relation \"t\" violates check constraint \"named_chk\"",
            Some("Failing row contains (1000, big, 1, e)."),
        ),
        (
            "INSERT INTO t VALUES (5, 'five', 5, 'toolong')",
            "22001",
            "value too long for type character varying(3)",
            None,
        ),
        (
            "UPDATE t SET qty = -1 WHERE id = 1",
            "23514",
            "new row for relation \"t\" violates check constraint \"t_qty_check\"",
            Some("Failing row contains (1, one, -1, a)."),
        ),
    ];
    for (sql, code, msg, detail) in cases {
        let got = fails(&c, sql).await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2.as_deref()),
            (*code, *msg, *detail),
            "{sql}"
        );
    }
    // Multi-column UNIQUE; NULL keys never conflict.
    exec(
        &c,
        "CREATE TABLE m (a int, b text, c int, UNIQUE (a, b)); INSERT INTO m VALUES (1, 'x', 1)",
    )
    .await;
    let got = fails(&c, "INSERT INTO m VALUES (1, 'x', 2)").await;
    assert_eq!(
        (got.0.as_str(), got.1.as_str(), got.2.as_deref()),
        (
            "23505",
            "duplicate key value violates unique constraint \"m_a_b_key\"",
            Some("Key (a, b)=(1, x) already exists.")
        )
    );
    exec(&c, "INSERT INTO m VALUES (NULL, 'x', 3), (NULL, 'x', 4)").await;
    // A duplicate inside one statement fails it whole; UPDATE onto an existing key fails.
    let got = fails(
        &c,
        "INSERT INTO t VALUES (7, 's', 1, 'g'), (7, 's', 1, 'h')",
    )
    .await;
    assert_eq!(got.0, "23505");
    exec(&c, "INSERT INTO t VALUES (2, 'two', 2, 'b')").await;
    let got = fails(&c, "UPDATE t SET id = 1 WHERE id = 2").await;
    assert_eq!(
        got.1,
        "duplicate key value violates unique constraint \"t_pkey\""
    );
    // After a DELETE the key is free again.
    exec(
        &c,
        "DELETE FROM t WHERE id = 2; INSERT INTO t VALUES (2, 'again', 2, 'b')",
    )
    .await;
    assert_eq!(
        rows(&c, "SELECT id, name FROM t ORDER BY id").await,
        ["1|one", "2|again"]
    );
    // A unique index over duplicate rows cannot be created.
    let got = fails(&c, "CREATE UNIQUE INDEX m_b_idx ON m (b)").await;
    assert_eq!(got.0, "23505");
}

#[tokio::test]
async fn defaults_serial_and_returning() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(
        &c,
        "CREATE TABLE d (id serial PRIMARY KEY, n int NOT NULL DEFAULT 7, s text DEFAULT 'none'); \
         INSERT INTO d (s) VALUES ('a'); INSERT INTO d DEFAULT VALUES",
    )
    .await;
    assert_eq!(
        rows(
            &c,
            "INSERT INTO d (n, s) VALUES (DEFAULT, 'c') RETURNING id, n, s"
        )
        .await,
        ["3|7|c"]
    );
    assert_eq!(
        rows(&c, "SELECT * FROM d ORDER BY id").await,
        ["1|7|a", "2|7|none", "3|7|c"]
    );
    exec(
        &c,
        "CREATE TABLE kv (k text PRIMARY KEY, v int); INSERT INTO kv VALUES ('a', 1), ('b', 2)",
    )
    .await;
    assert_eq!(
        tag(
            &c,
            "INSERT INTO kv VALUES ('a', 10), ('c', 3) ON CONFLICT (k) DO NOTHING"
        )
        .await,
        1
    );
    assert_eq!(
        rows(&c, "INSERT INTO kv VALUES ('a', 10) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v RETURNING k, v").await,
        ["a|11"]
    );
    let got = fails(
        &c,
        "INSERT INTO kv VALUES ('a', 10) ON CONFLICT (v) DO NOTHING",
    )
    .await;
    assert_eq!(
        (got.0.as_str(), got.1.as_str()),
        (
            "42P10",
            "there is no unique or exclusion constraint matching the ON CONFLICT specification"
        )
    );
    let mut updated = rows(&c, "UPDATE kv SET v = v * 2 WHERE k <> 'a' RETURNING k, v").await;
    updated.sort();
    assert_eq!(updated, ["b|4", "c|6"]);
    assert_eq!(
        rows(&c, "DELETE FROM kv WHERE k = 'b' RETURNING *").await,
        ["b|4"]
    );
    assert_eq!(
        rows(&c, "SELECT k, v FROM kv ORDER BY k").await,
        ["a|11", "c|6"]
    );
}

#[tokio::test]
async fn alter_table_keeps_rows_and_definitions_survive_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = || common::durable(dir.path());
    {
        let server = common::start_with(config()).await;
        let c = common::connect(&server).await;
        exec(
            &c,
            "CREATE TABLE d (id serial PRIMARY KEY, n int NOT NULL DEFAULT 7, s text DEFAULT 'none'); \
             INSERT INTO d (s) VALUES ('a'), ('b'), ('c')",
        )
        .await;
        exec(&c, "ALTER TABLE d ADD COLUMN w int NOT NULL DEFAULT 3").await;
        exec(&c, "ALTER TABLE d RENAME COLUMN s TO label").await;
        let got = fails(&c, "ALTER TABLE d ADD COLUMN z int NOT NULL").await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (
                "23502",
                "column \"z\" of relation \"d\" contains null values"
            )
        );
        let got = fails(&c, "ALTER TABLE d ADD CONSTRAINT n_small CHECK (n < 5)").await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (
                "23514",
                "check constraint \"n_small\" of relation \"d\" is violated by some row"
            )
        );
        exec(&c, "ALTER TABLE d ALTER COLUMN label SET NOT NULL").await;
        exec(&c, "ALTER TABLE d ADD CONSTRAINT n_pos CHECK (n > 0)").await;
        assert_eq!(
            rows(&c, "SELECT * FROM d ORDER BY id").await,
            ["1|7|a|3", "2|7|b|3", "3|7|c|3"]
        );
        server.shutdown().await.unwrap_or_else(|e| panic!("{e}"));
    }
    let server = common::start_with(config()).await;
    let c = common::connect(&server).await;
    assert_eq!(
        rows(&c, "SELECT * FROM d ORDER BY id").await,
        ["1|7|a|3", "2|7|b|3", "3|7|c|3"]
    );
    // Defaults, the sequence, constraints and the renamed column survived the restart.
    assert_eq!(
        rows(
            &c,
            "INSERT INTO d (label) VALUES ('d') RETURNING id, n, label, w"
        )
        .await,
        ["4|7|d|3"]
    );
    let got = fails(&c, "INSERT INTO d (id, label) VALUES (1, 'x')").await;
    assert_eq!(
        got.1,
        "duplicate key value violates unique constraint \"d_pkey\""
    );
    let got = fails(&c, "INSERT INTO d (label, n) VALUES ('x', -1)").await;
    assert_eq!(
        got.1,
        "new row for relation \"d\" violates check constraint \"n_pos\""
    );
    let got = fails(&c, "INSERT INTO d (n, label) VALUES (1, NULL)").await;
    assert_eq!(
        got.1,
        "null value in column \"label\" of relation \"d\" violates not-null constraint"
    );
    server.shutdown().await.unwrap_or_else(|e| panic!("{e}"));
}
