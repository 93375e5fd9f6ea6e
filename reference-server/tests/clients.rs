//! Real command-line clients against the server: psql and pgbench.

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_runs_statements() {
    let server = common::start().await;
    let conn = common::conn_str(&server, "postgres");
    let out = tokio::task::spawn_blocking(move || {
        common::run(
            "psql",
            &[
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &conn,
                "-c",
                "CREATE TABLE m (t timestamp, v double precision)",
                "-c",
                "INSERT INTO m VALUES ('2024-01-01 00:00:00', 1.5), ('2024-01-01 00:01:00', 2.5)",
                "-c",
                "SELECT count(*), sum(v) FROM m",
            ],
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.0, "psql failed: {}", out.2);
    assert_eq!(out.1, "CREATE TABLE\nINSERT 0 2\n2|4\n");
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgbench_select_only_in_all_modes() {
    let server = common::start().await;
    let addr = server.local_addr();
    let (host, port) = (addr.ip().to_string(), addr.port().to_string());
    let init = {
        let (h, p) = (host.clone(), port.clone());
        tokio::task::spawn_blocking(move || {
            common::run(
                "pgbench",
                &[
                    "-h", &h, "-p", &p, "-U", "postgres", "-i", "-s", "1", "postgres",
                ],
            )
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(init.0, "pgbench -i failed: {}\n{}", init.1, init.2);
    for mode in ["simple", "extended", "prepared"] {
        let (h, p) = (host.clone(), port.clone());
        let out = tokio::task::spawn_blocking(move || {
            common::run(
                "pgbench",
                &[
                    "-h", &h, "-p", &p, "-U", "postgres", "-S", "-n", "-M", mode, "-T", "3",
                    "postgres",
                ],
            )
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.0, "pgbench -M {mode} failed: {}\n{}", out.1, out.2);
        assert!(
            out.1.contains("number of failed transactions: 0"),
            "{mode}: {}",
            out.1
        );
    }
    server.shutdown().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psycopg_script() {
    let server = common::start().await;
    let addr = server.local_addr();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/psycopg_smoke.py"
    );
    let out = tokio::task::spawn_blocking(move || {
        common::run(
            "python3",
            &[script, &addr.ip().to_string(), &addr.port().to_string()],
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.0 && out.1.trim() == "OK",
        "psycopg failed:\n{}\n{}",
        out.1,
        out.2
    );
    server.shutdown().await.ok();
}
