//! pg_dump 15 against the server, as a user backs up: plain, schema-only, data-only,
//! custom (-Fc, read back with pg_restore -l) and directory (-Fd) formats. The plain dump
//! is restored into a throwaway PostgreSQL 15 with psql (ON_ERROR_STOP) and compared with
//! the same objects created there directly: `\d` of each table, the data (COPY text, all
//! types), and PostgreSQL's own dump of them after normalising.
//!
//! Needs: PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin, root (the cluster runs as
//! the `postgres` OS user), `psql`, `pg_dump` and `pg_restore` 15. Skipped with a message
//! otherwise.

mod common;

use std::process::Command;

use common::pg_cluster::PgCluster;

/// Tables of many types with NOT NULL, defaults, serial columns and their sequences,
/// primary/unique keys and indexes, then time-series rows through COPY (tabs, backslashes,
/// newlines, non-ASCII, NULLs, bytea, extreme numbers).
const SCRIPT: &str = r#"
CREATE TABLE metrics (id serial PRIMARY KEY, ts timestamptz NOT NULL, host text NOT NULL DEFAULT 'a',
  cpu double precision, mem bigint, ok boolean, price numeric(10,2), note varchar(20), d date,
  t time, i interval, s smallint DEFAULT 3, r real, j jsonb, u uuid, b bytea, n numeric,
  ts2 timestamp);
CREATE TABLE tags (tag_id bigserial PRIMARY KEY, name text UNIQUE NOT NULL, weight integer DEFAULT 1);
CREATE INDEX metrics_ts_idx ON metrics (ts);
CREATE UNIQUE INDEX tags_weight_name ON tags (weight, name);
COPY metrics (ts, host, cpu, mem, ok, price, note, d, t, i, s, r, j, u, b, n, ts2) FROM stdin;
2024-01-01 00:00:00+00	h1	1.5	100	t	12.34	x\ty	2024-01-01	12:00:00	1 day 02:00:00	1	1.25	{"a": 1}	a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11	\\x0102ff	123456789.000123	2024-01-01 00:00:00.5
2024-01-01 00:01:00+00	h2	\N	\N	\N	\N	back\\slash\nnl	\N	\N	\N	-32768	\N	\N	\N	\N	\N	\N
2024-01-01 00:02:00.123456+00	héllo ✓	-0.000123	-9223372036854775808	f	-99999999.99	""quoted""	1999-12-31	23:59:59.999999	-3 mons +4 days -00:00:01	32767	-1.25e+10	[1, "x", null]	00000000-0000-0000-0000-000000000000	\\x	-0.5	1970-01-01 00:00:00
\.
COPY tags (name, weight) FROM stdin;
cpu	5
mem	\N
\.
"#;

const TABLES: &[&str] = &["metrics", "tags"];

/// Runs a client binary with the session time zone pinned, so text output compares.
fn client(cmd: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut c = Command::new(cmd);
    c.args(args).env("PGTZ", "UTC").env("PGOPTIONS", "");
    if stdin.is_some() {
        c.stdin(std::process::Stdio::piped());
    }
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let Ok(mut child) = c.spawn() else {
        return (false, String::new(), format!("cannot run {cmd}"));
    };
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = input.write_all(text.as_bytes());
    }
    match child.wait_with_output() {
        Ok(o) => (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => (false, String::new(), e.to_string()),
    }
}

fn conn(port: u16, db: &str) -> Vec<String> {
    [
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        "postgres",
        "-d",
        db,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// psql running `script` from stdin with ON_ERROR_STOP; panics on an error.
fn psql_script(port: u16, db: &str, script: &str) -> String {
    let mut args = conn(port, db);
    args.extend(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out, err) = client("psql", &args, Some(script));
    assert!(ok, "psql -f on port {port} db {db}: {err}");
    out
}

fn pg_dump(port: u16, extra: &[&str]) -> String {
    let mut args = conn(port, "postgres");
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out, err) = client("pg_dump", &args, None);
    assert!(ok, "pg_dump {extra:?} on port {port}: {err}");
    out
}

/// A dump without comments, blank lines, the random `\restrict` key lines and the
/// server-version line.
fn normalise(dump: &str) -> Vec<String> {
    dump.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with("\\restrict"))
        .filter(|l| !l.starts_with("\\unrestrict"))
        .map(str::to_owned)
        .collect()
}

/// The server with [`SCRIPT`] loaded (plus a temporary table on a connection kept open,
/// which pg_dump must not see), and PostgreSQL with the same script.
async fn setup() -> Option<(
    reference_server::RunningServer,
    tokio_postgres::Client,
    PgCluster,
)> {
    let pg = PgCluster::start()?;
    let server = common::start().await;
    let port = server.local_addr().port();
    let temp = common::connect(&server).await;
    common::exec(&temp, "CREATE TEMP TABLE scratch (x int)").await;
    tokio::task::block_in_place(|| {
        psql_script(port, "postgres", SCRIPT);
        psql_script(pg.port, "postgres", SCRIPT);
    });
    Some((server, temp, pg))
}

/// The plain dump restores into PostgreSQL and gives the same tables (`\d`), the same data
/// and the same sequence positions as creating them there directly; PostgreSQL's own dump
/// of those objects is the same text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_dump_restores_into_postgres_as_the_same_objects() {
    let Some((server, _temp, pg)) = setup().await else {
        return;
    };
    let port = server.local_addr().port();
    tokio::task::block_in_place(|| {
        let ours = pg_dump(port, &[]);
        assert!(!ours.contains("scratch"), "temporary table dumped:\n{ours}");
        psql_script(pg.port, "postgres", "CREATE DATABASE restored");
        psql_script(pg.port, "restored", &ours);
        for table in TABLES {
            let describe = format!("\\d {table}");
            assert_eq!(
                psql_script(pg.port, "restored", &describe),
                psql_script(pg.port, "postgres", &describe),
                "\\d {table} after the restore"
            );
            let copy = format!("COPY {table} TO STDOUT");
            let direct = psql_script(pg.port, "postgres", &copy);
            assert_eq!(
                psql_script(pg.port, "restored", &copy),
                direct,
                "{table}'s data after the restore"
            );
            assert_eq!(
                psql_script(port, "postgres", &copy),
                direct,
                "{table} on the server"
            );
        }
        // Before the nextval below moves PostgreSQL's sequence.
        let theirs = pg_dump(pg.port, &[]);
        let seqs = "SELECT last_value, is_called FROM metrics_id_seq; \
                    SELECT last_value, is_called FROM tags_tag_id_seq; \
                    SELECT nextval('metrics_id_seq')";
        assert_eq!(
            psql_script(pg.port, "restored", seqs),
            psql_script(pg.port, "postgres", seqs)
        );
        assert_eq!(normalise(&ours), normalise(&theirs), "the two dumps");
    });
    server.shutdown().await.ok();
}

/// Schema-only and data-only dumps hold only their part; the custom and directory formats
/// are archives pg_restore lists with every object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_data_custom_and_directory_formats() {
    let Some((server, _temp, pg)) = setup().await else {
        return;
    };
    let port = server.local_addr().port();
    tokio::task::block_in_place(|| {
        for (flag, name) in [("-s", "schema-only"), ("-a", "data-only")] {
            assert_eq!(
                normalise(&pg_dump(port, &[flag])),
                normalise(&pg_dump(pg.port, &[flag])),
                "{name} dumps"
            );
        }
        let schema = pg_dump(port, &["-s"]);
        assert!(schema.contains("CREATE TABLE public.metrics") && !schema.contains("COPY "));
        let data = pg_dump(port, &["-a"]);
        assert!(data.contains("COPY public.metrics") && !data.contains("CREATE TABLE"));

        let dir = std::env::temp_dir().join(format!("pgdump-h2-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let listing = |archive: &std::path::Path| {
            let (ok, out, err) =
                client("pg_restore", &["-l", &archive.display().to_string()], None);
            assert!(ok, "pg_restore -l: {err}");
            // `12; 1259 16389 TABLE public metrics postgres` → `TABLE public metrics postgres`
            let mut entries: Vec<String> = out
                .lines()
                .filter(|l| !l.starts_with(';') && !l.is_empty())
                .filter_map(|l| l.splitn(4, ' ').nth(3).map(str::to_owned))
                .collect();
            entries.sort();
            entries
        };
        let fc = dir.join("ours.dump");
        let pg_fc = dir.join("theirs.dump");
        pg_dump(port, &["-Fc", "-f", &fc.display().to_string()]);
        pg_dump(pg.port, &["-Fc", "-f", &pg_fc.display().to_string()]);
        let ours = listing(&fc);
        assert!(
            ours.iter()
                .any(|e| e == "TABLE DATA public metrics postgres"),
            "{ours:?}"
        );
        assert_eq!(ours, listing(&pg_fc), "pg_restore -l of the -Fc archives");
        let fd = dir.join("ours.dir");
        pg_dump(port, &["-Fd", "-f", &fd.display().to_string()]);
        assert_eq!(listing(&fd), ours, "pg_restore -l of the -Fd archive");
        let _ = std::fs::remove_dir_all(&dir);
    });
    server.shutdown().await.ok();
}
