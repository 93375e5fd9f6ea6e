//! Correlated subqueries DataFusion cannot turn into joins (LIMIT, ORDER BY, CASE around
//! them, non-aggregated scalar subqueries, catalog queries) give PostgreSQL's rows and
//! errors: each statement's outcome on the server must equal a throwaway PostgreSQL 15's.

mod common;

use common::pg_cluster::PgCluster;

use tokio_postgres::Client;

const STATEMENTS: &[&str] = &[
    "CREATE TEMP TABLE c_o (id int, name text)",
    "CREATE TEMP TABLE c_i (oid int, v int)",
    "INSERT INTO c_o VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, NULL)",
    "INSERT INTO c_i VALUES (1, 10), (1, 11), (2, 20), (NULL, 5)",
    "SELECT id, (SELECT v FROM c_i WHERE c_i.oid = c_o.id ORDER BY v DESC LIMIT 1) FROM c_o ORDER BY id",
    "SELECT id, CASE WHEN id > 1 THEN (SELECT max(v) FROM c_i WHERE c_i.oid = c_o.id) END FROM c_o ORDER BY id",
    "SELECT id FROM c_o WHERE EXISTS (SELECT 1 FROM c_i WHERE c_i.oid = c_o.id LIMIT 1) ORDER BY id",
    "SELECT id FROM c_o WHERE NOT EXISTS (SELECT 1 FROM c_i WHERE c_i.oid = c_o.id ORDER BY v LIMIT 1) ORDER BY id",
    "SELECT id, (SELECT v FROM c_i WHERE c_i.oid = c_o.id) FROM c_o ORDER BY id",
    "SELECT id, (SELECT v FROM c_i WHERE c_i.oid = c_o.id AND v < 11) FROM c_o ORDER BY id",
    "SELECT id, 10 IN (SELECT v FROM c_i WHERE c_i.oid = c_o.id LIMIT 5) FROM c_o ORDER BY id",
    "SELECT id, name, (SELECT count(*) FROM (SELECT v FROM c_i WHERE c_i.oid = c_o.id LIMIT 1) s) FROM c_o ORDER BY id",
    "SELECT t.typname, (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid \
     WHERE c.reltype = t.oid LIMIT 1) FROM pg_type t WHERE t.typname IN ('int4', 'text') ORDER BY 1",
];

async fn outcomes(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for sql in STATEMENTS {
        out.push(match c.simple_query(sql).await {
            Ok(msgs) => format!("{sql}\n  {:?}", common::row_strings(&msgs)),
            Err(e) => format!("{sql}\n  ERROR {}", common::code(&e)),
        });
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correlated_subqueries_as_on_postgres() {
    let pg = PgCluster::require();
    let expected = outcomes(&pg.connect().await).await;
    let server = common::start().await;
    let actual = outcomes(&common::connect(&server).await).await;
    server.shutdown().await.ok();
    for (e, a) in expected.iter().zip(&actual) {
        assert_eq!(a, e);
    }
}
