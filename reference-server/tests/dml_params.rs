//! Writes with `$n` parameters over the extended protocol (RETURNING, ON CONFLICT, writes in
//! WITH, UPDATE … FROM, DELETE … USING) and unique keys / upserts inside transactions, each
//! run against the server and a real PostgreSQL 15 with the same client calls: the parameter
//! types, result columns, rows, tags and SQLSTATEs must be PostgreSQL's.

mod common;

use common::pg_cluster::PgCluster;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

/// A parameter value given as text, sent as the type Parse reported for it.
fn typed(ty: &Type, v: Option<&str>) -> Box<dyn ToSql + Sync + Send> {
    let Some(v) = v else {
        return match *ty {
            Type::INT4 => Box::new(None::<i32>),
            Type::INT8 => Box::new(None::<i64>),
            Type::FLOAT8 => Box::new(None::<f64>),
            _ => Box::new(None::<String>),
        };
    };
    match *ty {
        Type::INT2 => Box::new(v.parse::<i16>().unwrap_or_default()),
        Type::INT4 => Box::new(v.parse::<i32>().unwrap_or_default()),
        Type::INT8 => Box::new(v.parse::<i64>().unwrap_or_default()),
        Type::FLOAT8 => Box::new(v.parse::<f64>().unwrap_or_default()),
        _ => Box::new(v.to_owned()),
    }
}

/// One row as `a|b`, each value read as its column's type.
fn row_text(r: &tokio_postgres::Row) -> String {
    (0..r.len())
        .map(|i| {
            let v = match *r.columns()[i].type_() {
                Type::INT4 => r
                    .try_get::<_, Option<i32>>(i)
                    .map(|v| v.map(|x| x.to_string())),
                Type::INT8 => r
                    .try_get::<_, Option<i64>>(i)
                    .map(|v| v.map(|x| x.to_string())),
                Type::FLOAT8 => r
                    .try_get::<_, Option<f64>>(i)
                    .map(|v| v.map(|x| x.to_string())),
                _ => r.try_get::<_, Option<String>>(i),
            };
            match v {
                Ok(Some(s)) => s,
                Ok(None) => "NULL".to_owned(),
                Err(e) => format!("<{e}>"),
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Prepares `sql` (types inferred by the server), then runs it once per parameter list;
/// returns what a client sees: parameter types, result columns, rows or the SQLSTATE.
async fn prepared(c: &Client, sql: &str, runs: &[&[Option<&str>]]) -> Vec<String> {
    let stmt = match c.prepare(sql).await {
        Ok(s) => s,
        Err(e) => return vec![format!("{sql}: prepare failed {}", common::code(&e))],
    };
    let mut out = vec![format!(
        "{sql}: params {:?} columns {:?}",
        stmt.params().iter().map(Type::name).collect::<Vec<_>>(),
        stmt.columns()
            .iter()
            .map(|c| format!("{}:{}", c.name(), c.type_().name()))
            .collect::<Vec<_>>()
    )];
    for values in runs {
        let boxed: Vec<Box<dyn ToSql + Sync + Send>> = stmt
            .params()
            .iter()
            .zip(values.iter())
            .map(|(t, v)| typed(t, *v))
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = boxed
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect();
        match c.query(&stmt, &refs).await {
            Ok(rows) => {
                let mut rows: Vec<String> = rows.iter().map(row_text).collect();
                rows.sort();
                out.push(format!("  {values:?} -> {rows:?}"));
            }
            Err(e) => out.push(format!("  {values:?} -> error {}", common::code(&e))),
        }
    }
    out
}

/// Rows of a simple query (or its SQLSTATE) as text.
async fn simple(c: &Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(msgs) => {
            let tags: Vec<u64> = msgs
                .iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::CommandComplete(n) => Some(*n),
                    _ => None,
                })
                .collect();
            format!("{sql} -> {:?} {tags:?}", common::row_strings(&msgs))
        }
        Err(e) => format!("{sql} -> error {}", common::code(&e)),
    }
}

async fn parameter_transcript(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for s in [
        "CREATE TABLE dp_t (id int PRIMARY KEY, name text, score float8)",
        "CREATE TABLE dp_src (id int, bonus float8)",
        "INSERT INTO dp_src VALUES (2, 10.5), (3, 0.5), (9, 1)",
    ] {
        out.push(simple(c, s).await);
    }
    let s = |v: &'static str| Some(v);
    out.extend(
        prepared(
            c,
            "INSERT INTO dp_t (id, name) VALUES ($1, $2) RETURNING id",
            &[&[s("1"), s("a")], &[s("2"), s("b")], &[s("2"), s("dup")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "INSERT INTO dp_t (id, name, score) VALUES ($1, $2, $3) RETURNING *",
            &[&[s("3"), s("c"), s("1.5")], &[s("5"), None, None]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "UPDATE dp_t SET name = $1 WHERE id = $2 RETURNING id, name",
            &[&[s("bb"), s("2")], &[s("none"), s("42")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "INSERT INTO dp_t AS t (id, name) VALUES ($1, $2) ON CONFLICT (id) \
             DO UPDATE SET name = excluded.name || $3 WHERE t.id < $4 RETURNING id, name",
            &[
                &[s("2"), s("x"), s("!"), s("10")],
                &[s("4"), s("y"), s("!"), s("10")],
                &[s("4"), s("z"), s("?"), s("0")],
            ],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "INSERT INTO dp_t (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&[s("4"), s("skip")], &[s("6"), s("six")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "WITH x AS (INSERT INTO dp_t (id, name) VALUES ($1, $2) RETURNING id, name) \
             SELECT id, upper(name) FROM x",
            &[&[s("7"), s("seven")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "UPDATE dp_t SET score = score + $1 WHERE name = $2 RETURNING score",
            &[&[s("1.25"), s("c")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "UPDATE dp_t SET score = s.bonus FROM dp_src s WHERE dp_t.id = s.id AND s.bonus > $1 \
             RETURNING dp_t.id, dp_t.score",
            &[&[s("1")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "DELETE FROM dp_t USING dp_src s WHERE dp_t.id = s.id AND s.bonus < $1 RETURNING dp_t.id, name",
            &[&[s("1")]],
        )
        .await,
    );
    out.extend(
        prepared(
            c,
            "DELETE FROM dp_t WHERE id = $1 RETURNING name",
            &[&[s("1")], &[s("1")]],
        )
        .await,
    );
    out.push(simple(c, "SELECT id, name, score FROM dp_t ORDER BY id").await);
    out
}

#[tokio::test]
async fn parameters_of_writes_are_typed_and_bound_as_in_postgresql() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let want = parameter_transcript(&pg.connect().await).await;
    let got = parameter_transcript(&common::connect(&server).await).await;
    assert_eq!(got, want);
}

async fn transaction_transcript(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for s in [
        "CREATE TABLE dt_kv (k text PRIMARY KEY, v int)",
        "INSERT INTO dt_kv VALUES ('a', 1), ('b', 2)",
        // An UPDATE onto another row's key fails at the statement, in and out of blocks.
        "UPDATE dt_kv SET k = 'a' WHERE k = 'b'",
        "BEGIN",
        "UPDATE dt_kv SET k = 'a' WHERE k = 'b'",
        "ROLLBACK",
        // Keys moved by a committed transaction are free / taken afterwards.
        "BEGIN",
        "UPDATE dt_kv SET k = 'z' WHERE k = 'a'",
        "UPDATE dt_kv SET v = v + 1",
        "COMMIT",
        "INSERT INTO dt_kv VALUES ('a', 10)",
        "INSERT INTO dt_kv VALUES ('z', 11)",
        // An upsert inside a block vanishes at ROLLBACK and sees the block's own rows.
        "BEGIN",
        "INSERT INTO dt_kv VALUES ('n', 5) ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING k, v",
        "INSERT INTO dt_kv VALUES ('n', 6) ON CONFLICT (k) DO UPDATE SET v = dt_kv.v + excluded.v RETURNING k, v",
        "INSERT INTO dt_kv VALUES ('a', 7) ON CONFLICT ON CONSTRAINT dt_kv_pkey DO NOTHING RETURNING k",
        "SELECT k, v FROM dt_kv ORDER BY k",
        "ROLLBACK",
        "SELECT k, v FROM dt_kv ORDER BY k",
    ] {
        out.push(simple(c, s).await);
    }
    // The same collision over the extended protocol (an implicit transaction).
    let r = c
        .execute("UPDATE dt_kv SET k = 'a' WHERE k = 'b'", &[])
        .await;
    out.push(format!(
        "extended collision -> {:?}",
        r.map_err(|e| common::code(&e))
    ));
    out.push(simple(c, "SELECT k, v FROM dt_kv ORDER BY k").await);
    out
}

#[tokio::test]
async fn unique_keys_and_upserts_in_transactions_match_postgresql() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let want = transaction_transcript(&pg.connect().await).await;
    let got = transaction_transcript(&common::connect(&server).await).await;
    assert_eq!(got, want);
}

async fn fk_action_transcript(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for s in [
        "CREATE TABLE fa_p (id int PRIMARY KEY)",
        "CREATE TABLE fa_c (id int PRIMARY KEY, p int REFERENCES fa_p (id) ON DELETE CASCADE)",
        "CREATE TABLE fa_g (id int PRIMARY KEY, c int REFERENCES fa_c (id) ON DELETE SET NULL)",
        "CREATE TABLE fa_r (id int PRIMARY KEY, p int REFERENCES fa_p (id) ON DELETE RESTRICT)",
        "CREATE TABLE fa_d (id int PRIMARY KEY, p int DEFAULT 0 REFERENCES fa_p (id) ON DELETE SET DEFAULT)",
        "INSERT INTO fa_p VALUES (0), (1), (2), (3)",
        "INSERT INTO fa_c VALUES (10, 1), (11, 1), (12, 2)",
        "INSERT INTO fa_g VALUES (100, 10), (101, 12)",
        "INSERT INTO fa_r VALUES (1000, 3)",
        "INSERT INTO fa_d VALUES (5, 2)",
        // CASCADE, and SET NULL one level further down.
        "DELETE FROM fa_p WHERE id = 1",
        "SELECT id, p FROM fa_c ORDER BY id",
        "SELECT id, c FROM fa_g ORDER BY id",
        // RESTRICT refuses; nothing of the statement remains.
        "DELETE FROM fa_p WHERE id = 3",
        "SELECT id FROM fa_p ORDER BY id",
        // Inside a block the actions vanish with ROLLBACK.
        "BEGIN",
        "DELETE FROM fa_p WHERE id = 2",
        "SELECT id, p FROM fa_c ORDER BY id",
        "ROLLBACK",
        "SELECT id, p FROM fa_c ORDER BY id",
        "DELETE FROM fa_p WHERE id = 2",
        "SELECT id, p FROM fa_c ORDER BY id",
        "SELECT id, c FROM fa_g ORDER BY id",
        "SELECT id, p FROM fa_d ORDER BY id",
        "SELECT conname, confdeltype FROM pg_constraint WHERE conname LIKE 'fa_%fkey' ORDER BY conname",
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname LIKE 'fa_%fkey' ORDER BY conname",
    ] {
        out.push(simple(c, s).await);
    }
    out
}

#[tokio::test]
async fn on_delete_actions_match_postgresql() {
    let pg = PgCluster::require();
    let server = common::start().await;
    let want = fk_action_transcript(&pg.connect().await).await;
    let got = fk_action_transcript(&common::connect(&server).await).await;
    assert_eq!(got, want);
}
