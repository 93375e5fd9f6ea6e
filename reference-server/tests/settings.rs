//! Run-time parameters against a real PostgreSQL 15: the recorded parameter table matches
//! pg_settings, and SET / SHOW / RESET / set_config answer as PostgreSQL answers (values,
//! SQLSTATEs, messages and hints), compared statement by statement.

mod common;

use common::pg_cluster::PgCluster;

use tokio_postgres::Client;

/// The stable columns of pg_settings (values that do not depend on the cluster's set-up).
const DEFINITIONS: &str = "SELECT name, coalesce(unit, ''), vartype, context, \
     coalesce(array_to_string(enumvals, ','), ''), coalesce(min_val, ''), \
     coalesce(max_val, ''), coalesce(boot_val, '') FROM pg_settings ORDER BY lower(name)";

/// What a statement answered: its rows, or its error's SQLSTATE, message and hint.
async fn answer(c: &Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(msgs) => common::row_strings(&msgs).join("\n"),
        Err(e) => match e.as_db_error() {
            Some(db) => format!(
                "ERROR {} {} hint={:?}",
                db.code().code(),
                db.message(),
                db.hint()
            ),
            None => format!("client error: {e}"),
        },
    }
}

#[tokio::test]
async fn recorded_parameters_match_postgres() {
    let pg = PgCluster::require();
    let pgc = pg.connect().await;
    let server = common::start().await;
    let ours = common::connect(&server).await;
    let server_version = |rows: String| -> String {
        rows.lines()
            .filter(|l| !l.starts_with("server_version"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let expected = server_version(answer(&pgc, DEFINITIONS).await);
    let got = server_version(answer(&ours, DEFINITIONS).await);
    assert!(expected.lines().count() > 300, "{expected}");
    for (e, g) in expected.lines().zip(got.lines()) {
        assert_eq!(g, e);
    }
    assert_eq!(got.lines().count(), expected.lines().count());
}

/// Statements whose answers must be PostgreSQL's; each runs in a fresh session on both.
const CASES: &[&str] = &[
    "SET work_mem = '1.5MB'; SHOW work_mem",
    "SET work_mem = '64MB'; SELECT current_setting('work_mem')",
    "SET work_mem = 2048; SELECT setting, unit FROM pg_settings WHERE name = 'work_mem'",
    "SET work_mem = '1kB'",
    "SET work_mem = 'abc'",
    "SET work_mem = '99999999999'",
    "SET work_mem = '10 parsecs'",
    "SET statement_timeout = -1",
    "SET statement_timeout = '5 parsecs'",
    "SET statement_timeout = '1e3'; SHOW statement_timeout",
    "SET statement_timeout = ' 2 s '; SHOW statement_timeout",
    "SET statement_timeout = '90s'; SHOW statement_timeout",
    "SET statement_timeout = 1500; SHOW statement_timeout",
    "SET vacuum_cost_delay = 200",
    "SET vacuum_cost_delay = '0.5ms'; SHOW vacuum_cost_delay",
    "SET backslash_quote = 'maybe'",
    "SET backslash_quote = 'ON'; SHOW backslash_quote",
    "SET enable_seqscan = 'maybe'",
    "SET enable_seqscan = 'of'; SHOW enable_seqscan",
    "SET enable_seqscan = 'TR'; SHOW enable_seqscan",
    "SET synchronize_seqscans TO off; SHOW synchronize_seqscans",
    "SET check_function_bodies = false; SHOW check_function_bodies",
    "SET xmloption = content; SHOW xmloption",
    "SET client_min_messages = warning; SHOW client_min_messages",
    "SET row_security = off; SHOW row_security",
    "SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; SHOW lock_timeout",
    "SET port = 5",
    "SET shared_buffers = '1GB'",
    "SET log_connections = on",
    "SET data_checksums = on",
    "SET server_version = '1'",
    "SET is_superuser = off",
    "SET extra_float_digits = 4",
    "SET seed = 2",
    "SET no_such_parameter = 1",
    "SET my.custom = 'x'; SHOW my.custom",
    "SHOW shared_buffers",
    "SHOW max_index_keys",
    "SHOW maintenance_work_mem",
    "SHOW IntervalStyle",
    "SET intervalstyle = 'ISO_8601'; SHOW intervalstyle",
    "SET work_mem = '8MB'; RESET work_mem; SHOW work_mem",
    "SET work_mem = '8MB'; RESET ALL; SHOW work_mem",
    "SELECT set_config('work_mem', '2MB', false); SELECT current_setting('work_mem')",
    "SET seed = 0.5",
    "SHOW role",
    "SELECT name, setting, unit, vartype, context FROM pg_settings \
     WHERE name IN ('shared_buffers', 'statement_timeout', 'TimeZone', 'jit') ORDER BY name",
];

#[tokio::test]
async fn set_and_show_answer_as_postgres() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let mut diffs = Vec::new();
    for sql in CASES {
        let pgc = pg.connect().await;
        let ours = common::connect(&server).await;
        let expected = answer(&pgc, sql).await;
        let got = answer(&ours, sql).await;
        if got != expected {
            diffs.push(format!(
                "{sql}\n  PostgreSQL: {expected}\n  ours:       {got}"
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
