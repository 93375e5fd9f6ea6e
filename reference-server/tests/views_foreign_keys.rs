//! Views and foreign keys as a PostgreSQL user meets them. Expected rows, SQLSTATEs, messages
//! and DETAIL lines were recorded from PostgreSQL 15 running the same statements.

mod common;

use common::{exec, rows};
use tokio_postgres::Client;

/// (SQLSTATE, message, detail, hint) of a statement that must fail.
async fn fails(c: &Client, sql: &str) -> (String, String, Option<String>, Option<String>) {
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
                db.hint().map(str::to_owned),
            )
        }
    }
}

const VIEWS: &str = "CREATE TABLE a (id int PRIMARY KEY, v int);
    INSERT INTO a VALUES (1, 10), (2, 20), (3, 30);
    CREATE VIEW va AS SELECT id, v * 2 AS dbl FROM a WHERE v > 10;
    CREATE VIEW vb (x, y) AS SELECT * FROM va";

#[tokio::test]
async fn views_select_join_aggregate_and_nest() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    let tags = common::tags(&c, VIEWS).await;
    assert_eq!(tags.len(), 4, "CREATE VIEW completes with a tag");
    assert_eq!(
        rows(&c, "SELECT * FROM va ORDER BY id").await,
        ["2|40", "3|60"]
    );
    assert_eq!(rows(&c, "SELECT count(*), sum(y) FROM vb").await, ["2|100"]);
    assert_eq!(
        rows(
            &c,
            "SELECT a.id, vb.y FROM a JOIN vb ON a.id = vb.x ORDER BY 1"
        )
        .await,
        ["2|40", "3|60"]
    );
    // A view reads the table as it is now.
    exec(&c, "UPDATE a SET v = 50 WHERE id = 1").await;
    assert_eq!(rows(&c, "SELECT count(*) FROM vb").await, ["3"]);
    let (code, message, _, _) = fails(&c, "CREATE VIEW va AS SELECT 1").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("42P07", "relation \"va\" already exists")
    );
    exec(
        &c,
        "CREATE OR REPLACE VIEW va AS SELECT id, v * 3 AS dbl FROM a",
    )
    .await;
    assert_eq!(
        rows(&c, "SELECT x, y FROM vb ORDER BY x").await,
        ["1|150", "2|60", "3|90"]
    );
}

#[tokio::test]
async fn drop_view_and_drop_table_refuse_the_other_kind() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(&c, VIEWS).await;
    let (code, message, _, hint) = fails(&c, "DROP TABLE va").await;
    assert_eq!(
        (code.as_str(), message.as_str(), hint.as_deref()),
        (
            "42809",
            "\"va\" is not a table",
            Some("Use DROP VIEW to remove a view.")
        )
    );
    let (code, message, _, hint) = fails(&c, "DROP VIEW a").await;
    assert_eq!(
        (code.as_str(), message.as_str(), hint.as_deref()),
        (
            "42809",
            "\"a\" is not a view",
            Some("Use DROP TABLE to remove a table.")
        )
    );
    exec(&c, "DROP VIEW IF EXISTS nope").await;
    let (code, message, _, _) = fails(&c, "DROP VIEW nope").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("42P01", "view \"nope\" does not exist")
    );
    exec(&c, "DROP VIEW vb").await;
    let (code, _, _, _) = fails(&c, "SELECT * FROM vb").await;
    assert_eq!(code, "42P01");
    assert_eq!(rows(&c, "SELECT count(*) FROM va").await, ["2"]);
}

#[tokio::test]
async fn views_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    {
        let server = common::start_with(common::durable(dir.path())).await;
        let c = common::connect(&server).await;
        exec(&c, VIEWS).await;
        server.shutdown().await.unwrap_or_else(|e| panic!("{e}"));
    }
    let server = common::start_with(common::durable(dir.path())).await;
    let c = common::connect(&server).await;
    assert_eq!(
        rows(&c, "SELECT x, y FROM vb ORDER BY x").await,
        ["2|40", "3|60"]
    );
}

const FKS: &str = "CREATE TABLE p (id int PRIMARY KEY, name text);
    CREATE TABLE c (cid int, pid int REFERENCES p (id), note text);
    INSERT INTO p VALUES (1, 'a'), (2, 'b');
    INSERT INTO c VALUES (10, 1, 'x'), (11, NULL, 'y')";

#[tokio::test]
async fn foreign_keys_refuse_orphans_with_postgres_errors() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(&c, FKS).await;
    let missing = |k: &str| {
        (
            "23503".to_owned(),
            "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\""
                .to_owned(),
            Some(format!("Key (pid)=({k}) is not present in table \"p\".")),
            None,
        )
    };
    let referenced = |k: &str| {
        (
            "23503".to_owned(),
            "update or delete on table \"p\" violates foreign key constraint \"c_pid_fkey\" on table \"c\""
                .to_owned(),
            Some(format!("Key (id)=({k}) is still referenced from table \"c\".")),
            None,
        )
    };
    assert_eq!(
        fails(&c, "INSERT INTO c VALUES (12, 9, 'z')").await,
        missing("9")
    );
    assert_eq!(
        fails(&c, "DELETE FROM p WHERE id = 1").await,
        referenced("1")
    );
    assert_eq!(
        fails(&c, "UPDATE p SET id = 5 WHERE id = 1").await,
        referenced("1")
    );
    assert_eq!(
        fails(&c, "UPDATE c SET pid = 7 WHERE cid = 10").await,
        missing("7")
    );
    // Inside a transaction the failed statement's writes are undone with the block.
    exec(&c, "BEGIN; INSERT INTO c VALUES (13, 2, 'w')").await;
    assert_eq!(
        fails(&c, "DELETE FROM p WHERE id = 2").await,
        referenced("2")
    );
    exec(&c, "ROLLBACK").await;
    assert_eq!(common::tags(&c, "DELETE FROM p WHERE id = 2").await, [1]);
    assert_eq!(
        rows(&c, "SELECT id, name FROM p ORDER BY id").await,
        ["1|a"]
    );
    assert_eq!(
        rows(&c, "SELECT cid, pid FROM c ORDER BY cid").await,
        ["10|1", "11|NULL"]
    );
}

#[tokio::test]
async fn update_from_delete_using_and_subquery_filters() {
    let server = common::start().await;
    let c = common::connect(&server).await;
    exec(
        &c,
        "CREATE TABLE items (id int PRIMARY KEY, sku text, qty int);
         CREATE TABLE lines (line_id int, item_id int, amount int);
         INSERT INTO items VALUES (1, 'A', 1), (2, 'B', 2), (3, 'C', 3);
         INSERT INTO lines VALUES (1, 1, 3), (2, 1, 4), (3, 3, 2), (4, 9, 1)",
    )
    .await;
    let update = "UPDATE items AS i SET qty = i.qty + s.total FROM (SELECT item_id, sum(amount) \
                  AS total FROM lines GROUP BY item_id) s WHERE s.item_id = i.id";
    assert_eq!(common::tags(&c, update).await, [2]);
    assert_eq!(
        rows(&c, "SELECT id, qty FROM items ORDER BY id").await,
        ["1|8", "2|2", "3|5"]
    );
    let using = "DELETE FROM lines l USING items i WHERE l.item_id = i.id AND i.sku = 'C'";
    assert_eq!(common::tags(&c, using).await, [1]);
    assert_eq!(
        rows(&c, "SELECT line_id FROM lines ORDER BY 1").await,
        ["1", "2", "4"]
    );
    // Inside a transaction, rolled back with it.
    exec(&c, "BEGIN").await;
    let subquery = "DELETE FROM lines WHERE item_id IN (SELECT id FROM items WHERE qty > 5)";
    assert_eq!(common::tags(&c, subquery).await, [2]);
    assert_eq!(
        rows(&c, "SELECT line_id FROM lines ORDER BY 1").await,
        ["4"]
    );
    exec(&c, "ROLLBACK").await;
    assert_eq!(
        rows(&c, "SELECT line_id FROM lines ORDER BY 1").await,
        ["1", "2", "4"]
    );
}
