//! Clients as users run them, compared with a throwaway PostgreSQL 15: psql's SQL cursors,
//! and Python drivers (psycopg 3, psycopg2, asyncpg) doing ordinary work — COPY with column
//! defaults, server-side cursors, binary results, prepared statements, errors — must see on
//! the reference server what they see on a throwaway PostgreSQL 15. The script prints a
//! transcript per driver; the two transcripts must be equal. A driver that is not installed
//! prints the same SKIP line on both servers (`.ci/run` installs all three). node-postgres
//! (`pg`, from `$NODE_PG_DIR`, default `~/.cache/pgcompat-node`) likewise, skipped when node
//! or npm is missing.

mod common;

use common::pg_cluster::PgCluster;

fn transcript(host: &str, port: u16) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/driver_transcript.py"
    );
    let (ok, out, err) = common::run("python3", &[script, host, &port.to_string()]);
    assert!(
        ok,
        "driver_transcript.py failed on port {port}:\n{out}\n{err}"
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_drivers_see_what_they_see_on_postgres() {
    let pg = PgCluster::require();
    let expected = tokio::task::spawn_blocking(move || transcript("127.0.0.1", pg.port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server = common::start().await;
    let addr = server.local_addr();
    let actual =
        tokio::task::spawn_blocking(move || transcript(&addr.ip().to_string(), addr.port()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    let diff: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(e, a)| e != a)
        .map(|(e, a)| format!("PostgreSQL: {e}\ntarget:     {a}"))
        .collect();
    assert!(
        diff.is_empty() && expected.lines().count() == actual.lines().count(),
        "driver transcripts differ:\n{}\n\nPostgreSQL:\n{expected}\ntarget:\n{actual}",
        diff.join("\n")
    );
}

/// psql running cursor statements in PostgreSQL's short and long forms, errors included.
fn psql_cursors(port: u16) -> String {
    let port = port.to_string();
    let mut args = vec!["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-X"];
    for c in [
        "BEGIN",
        "DECLARE c CURSOR FOR SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3",
        "DECLARE c CURSOR FOR SELECT 1",
        "FETCH 1 c",
        "FETCH FROM c",
        "FETCH BACKWARD 1 FROM c",
        "ROLLBACK",
        "BEGIN",
        "DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT g FROM generate_series(1, 5) g",
        "FETCH FORWARD IN c",
        "FETCH 2 FROM c",
        "FETCH ALL c",
        "FETCH c",
        "CLOSE c",
        "FETCH c",
        "COMMIT",
        "DECLARE d CURSOR FOR SELECT 1",
        "DECLARE e CURSOR WITH HOLD FOR SELECT 1 AS y",
        "FETCH ALL e",
        "CLOSE ALL",
        "CLOSE e",
    ] {
        args.extend(["-c", c]);
    }
    let (_, out, err) = common::run("psql", &args);
    format!("{out}{err}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_cursors_as_on_postgres() {
    let pg = PgCluster::require();
    let expected = psql_cursors(pg.port);
    let server = common::start().await;
    let port = server.local_addr().port();
    let actual = tokio::task::spawn_blocking(move || psql_cursors(port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}

/// Where node-postgres is installed: `$NODE_PG_DIR` (as `.ci/run` sets it) or the default
/// cache dir, installed there with npm when missing; None (skip) without node or npm.
fn node_pg_dir() -> Option<String> {
    let dir = std::env::var("NODE_PG_DIR").unwrap_or_else(|_| {
        format!(
            "{}/.cache/pgcompat-node",
            std::env::var("HOME").unwrap_or_else(|_| "/tmp".into())
        )
    });
    let (has_node, _, _) = common::run("node", &["--version"]);
    if !has_node {
        return None;
    }
    if !std::path::Path::new(&dir).join("node_modules/pg").exists() {
        let (ok, _, err) = common::run("npm", &["install", "--silent", "--prefix", &dir, "pg"]);
        if !ok {
            eprintln!("SKIP: npm install pg failed: {err}");
            return None;
        }
    }
    Some(dir)
}

fn node_transcript(dir: &str, host: &str, port: u16) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/node_pg_transcript.js"
    );
    let out = std::process::Command::new("node")
        .args([script, host, &port.to_string()])
        .env("NODE_PATH", format!("{dir}/node_modules"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(
        out.status.success(),
        "node_pg_transcript.js failed on port {port}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// node-postgres: text parameters (arrays as `{..}` literals), its type parsers (int8 and
/// numeric as strings, timestamptz, jsonb, arrays, bytea), column type OIDs, a rolled-back
/// transaction and error codes, as on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_pg_sees_what_it_sees_on_postgres() {
    let Some(dir) = node_pg_dir() else {
        eprintln!("SKIP: node-postgres needs node and npm");
        return;
    };
    let pg = PgCluster::require();
    let d = dir.clone();
    let expected = tokio::task::spawn_blocking(move || node_transcript(&d, "127.0.0.1", pg.port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server = common::start().await;
    let addr = server.local_addr();
    let actual = tokio::task::spawn_blocking(move || {
        node_transcript(&dir, &addr.ip().to_string(), addr.port())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}

/// psycopg 3 (`tests/scripts/psycopg3_transcript.py`): server-side binding in text and
/// binary with arrays, json, uuid, numeric and timestamptz, executemany, pipeline mode, COPY
/// with write_row in text and binary, prepared statements after prepare_threshold, SQL
/// PREPARE / EXECUTE / DEALLOCATE and DISCARD ALL — the same transcript as on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psycopg3_sees_what_it_sees_on_postgres() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/psycopg3_transcript.py"
    );
    let run = |host: String, port: u16| {
        let (ok, out, err) = common::run("python3", &[script, &host, &port.to_string()]);
        format!("{out}{}", if ok { String::new() } else { err })
    };
    let pg = PgCluster::require();
    let pg_port = pg.port;
    let expected = tokio::task::spawn_blocking(move || run("127.0.0.1".into(), pg_port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let server = common::start().await;
    let addr = server.local_addr();
    let actual = tokio::task::spawn_blocking(move || run(addr.ip().to_string(), addr.port()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}

const JDBC_GAPS: &str = r#"
import java.sql.*;
import java.util.*;
public class Gaps {
  interface Step { void run() throws Exception; }
  static void step(String name, Step s) {
    try { s.run(); } catch (Exception e) {
      String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : "";
      System.out.println("FAILED " + name + " " + state + " " + String.valueOf(e.getMessage()).split("\n")[0]);
    }
  }
  public static void main(String[] a) throws Exception {
    Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/postgres", "postgres", "");
    DatabaseMetaData md = c.getMetaData();
    Statement st = c.createStatement();
    st.execute("CREATE TABLE g_items (id serial PRIMARY KEY, name varchar(20), price numeric(10,2), tags text[], nums int[])");
    step("getTypeInfo", () -> {
      StringBuilder b = new StringBuilder();
      try (ResultSet rs = md.getTypeInfo()) {
        while (rs.next()) {
          String t = rs.getString("TYPE_NAME");
          if (Arrays.asList("int4", "text", "numeric", "bool", "timestamptz", "varchar").contains(t))
            b.append(t).append(':').append(rs.getInt("DATA_TYPE")).append(' ');
        }
      }
      System.out.println("typeinfo " + b.toString().trim());
    });
    step("setArray", () -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO g_items (name, tags, nums) VALUES (?, ?, ?)")) {
        ps.setString(1, "arr");
        ps.setArray(2, c.createArrayOf("text", new String[]{"x", null, "z"}));
        ps.setArray(3, c.createArrayOf("int4", new Integer[]{1, null, 3}));
        System.out.println("setArray " + ps.executeUpdate());
      }
      try (ResultSet rs = st.executeQuery("SELECT tags, nums FROM g_items WHERE name = 'arr'")) {
        while (rs.next())
          System.out.println("arrays " + Arrays.toString((Object[]) rs.getArray(1).getArray()) + " " + Arrays.toString((Object[]) rs.getArray(2).getArray()));
      }
    });
    step("sql prepare", () -> {
      st.execute("PREPARE gp (int) AS SELECT $1 * 2");
      try (ResultSet rs = st.executeQuery("EXECUTE gp (21)")) { rs.next(); System.out.println("execute " + rs.getInt(1)); }
      st.execute("DEALLOCATE gp");
      try { st.execute("DEALLOCATE gp"); } catch (SQLException e) { System.out.println("deallocate again " + e.getSQLState()); }
    });
    c.close();
  }
}
"#;

/// pgjdbc's former gaps: DatabaseMetaData.getTypeInfo, setArray/createArrayOf parameters
/// and SQL PREPARE / EXECUTE / DEALLOCATE, printed the same as on PostgreSQL. Still a gap:
/// getGeneratedKeys (Describe of `INSERT … RETURNING` with parameters answers NoData).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgjdbc_arrays_and_type_info_as_on_postgres() {
    let jar = "/usr/share/java/postgresql.jar";
    let (has_javac, _, _) = common::run("javac", &["-version"]);
    if !has_javac || !std::path::Path::new(jar).exists() {
        eprintln!("SKIP: needs javac and {jar}");
        return;
    }
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir");
    };
    let src = dir.path().join("Gaps.java");
    if let Err(e) = std::fs::write(&src, JDBC_GAPS) {
        panic!("write {}: {e}", src.display());
    }
    let (ok, _, err) = common::run("javac", &[&src.display().to_string()]);
    assert!(ok, "javac: {err}");
    let cp = format!("{jar}:{}", dir.path().display());
    let run = move |port: u16| {
        let (ok, out, err) = common::run(
            "java",
            &["-Duser.timezone=UTC", "-cp", &cp, "Gaps", &port.to_string()],
        );
        if ok {
            out
        } else {
            format!("{out}FAILED: {err}")
        }
    };
    let pg = PgCluster::require();
    let expected = run(pg.port);
    let server = common::start().await;
    let port = server.local_addr().port();
    let actual = tokio::task::block_in_place(|| run(port));
    server.shutdown().await.ok();
    assert_eq!(actual, expected);
}
