//! Authentication methods (right and wrong passwords) and TLS, with real clients.

mod common;

use reference_server::{AuthMethod, ServerConfig};

fn config(auth: AuthMethod) -> ServerConfig {
    ServerConfig {
        auth,
        users: vec![("alice".into(), "s3cret".into())],
        ..ServerConfig::default()
    }
}

async fn try_connect(
    server: &reference_server::RunningServer,
    user: &str,
    password: &str,
) -> Result<(), String> {
    let conn = format!("{} password={password}", common::conn_str(server, user));
    match tokio_postgres::connect(&conn, tokio_postgres::NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            client
                .simple_query("SELECT 1")
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(common::code(&e)),
    }
}

#[tokio::test]
async fn every_password_method_accepts_right_and_rejects_wrong() {
    for method in [
        AuthMethod::Password,
        AuthMethod::Md5,
        AuthMethod::ScramSha256,
    ] {
        let server = common::start_with(config(method)).await;
        assert_eq!(
            try_connect(&server, "alice", "s3cret").await,
            Ok(()),
            "{method:?}"
        );
        assert_eq!(
            try_connect(&server, "alice", "wrong").await,
            Err("28P01".into()),
            "{method:?}"
        );
        assert_eq!(
            try_connect(&server, "mallory", "s3cret").await,
            Err("28P01".into()),
            "{method:?}"
        );
        server.shutdown().await.ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_psql_and_tls_required() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cert = dir.path().join("server.crt");
    let key = dir.path().join("server.key");
    let made = common::run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            &key.to_string_lossy(),
            "-out",
            &cert.to_string_lossy(),
        ],
    );
    assert!(made.0, "openssl: {}", made.2);
    let server = common::start_with(ServerConfig {
        tls_cert: Some(cert),
        tls_key: Some(key),
        tls_required: true,
        ..ServerConfig::default()
    })
    .await;
    let base = common::conn_str(&server, "postgres");
    let secure = format!("{base} sslmode=require");
    let out = tokio::task::spawn_blocking(move || {
        common::run(
            "psql",
            &[
                "-X",
                "-A",
                "-t",
                "-d",
                &secure,
                "-c",
                "SHOW ssl_dummy_never_exists",
            ],
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // Connected over TLS (the error is about the parameter, not the connection).
    assert!(
        out.2.contains("unrecognized configuration parameter"),
        "{}",
        out.2
    );
    let plain = format!("{base} sslmode=disable");
    let out = tokio::task::spawn_blocking(move || {
        common::run("psql", &["-X", "-d", &plain, "-c", "SELECT 1"])
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.0);
    assert!(
        out.2.contains("no pg_hba.conf entry") && out.2.contains("no encryption"),
        "{}",
        out.2
    );
    server.shutdown().await.ok();
}
