//! The oracle against a real PostgreSQL: throwaway clusters, auth methods, TLS, clean-up
//! (drop, kill -9 reaping, SIGTERM), detached clusters and oracle specs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pgcompat::postgres::{
    AuthMethod, LocalCluster, LocalOptions, Oracle, OracleError, OracleSpec, list_detached,
    reap_stale, start_detached, stop_detached,
};
use tokio_postgres::{Client, NoTls};

/// The suites' expected results come from PostgreSQL 15: test that major.
fn pg15() -> LocalOptions {
    LocalOptions {
        version: Some("15".into()),
        ..LocalOptions::default()
    }
}

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(conn);
    Ok(client)
}

/// Over the unix socket (always trust), whatever the TCP rules are.
async fn connect_socket(cluster: &LocalCluster) -> Client {
    let mut config = tokio_postgres::Config::new();
    config
        .host_path(cluster.socket_dir())
        .port(cluster.port())
        .user("postgres")
        .dbname("postgres");
    let (client, conn) = config.connect(NoTls).await.expect("socket connect");
    tokio::spawn(conn);
    client
}

async fn select_one(client: &Client) -> i32 {
    client
        .query_one("SELECT 1", &[])
        .await
        .expect("SELECT 1")
        .get(0)
}

/// True while a process exists and is not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            let state = s.rsplit(')').next().unwrap_or("").split_whitespace().next();
            !matches!(state, Some("Z") | Some("X"))
        })
        .unwrap_or(false)
}

fn postmaster_pid(dir: &Path) -> u32 {
    let text = std::fs::read_to_string(dir.join("data/postmaster.pid")).expect("postmaster.pid");
    text.lines()
        .next()
        .expect("pid line")
        .trim()
        .parse()
        .expect("pid")
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

#[tokio::test]
async fn default_cluster_answers_and_reports_its_version() {
    let cluster = LocalCluster::start(&pg15()).await.expect("start");
    let client = connect(&cluster.url()).await.expect("connect over TCP");
    assert_eq!(select_one(&client).await, 1);
    let version = cluster.version().to_string();
    let mut parts = version.split('.');
    assert_eq!(parts.next(), Some("15"), "version {version}");
    assert!(
        parts
            .next()
            .is_some_and(|minor| minor.parse::<u32>().is_ok()),
        "version {version}"
    );
    let shown: String = client
        .query_one("SHOW server_version", &[])
        .await
        .expect("SHOW")
        .get(0);
    assert!(shown.starts_with(&version), "{shown} vs {version}");
    assert!(cluster.bin_dir().join("initdb").is_file());
    assert!(cluster.url().starts_with("postgres://postgres@127.0.0.1:"));
    cluster.stop().await.expect("stop");
}

/// Right password connects, wrong one fails with 28P01, and the stored hash has `prefix`.
async fn check_password_auth(auth: AuthMethod, hash_prefix: &str) {
    // Quote, space, colon and @ exercise SQL quoting and URL encoding.
    let password = "s3cr'et p@ss:word";
    let opts = LocalOptions {
        auth,
        password: Some(password.into()),
        ..pg15()
    };
    let cluster = LocalCluster::start(&opts).await.expect("start");
    let client = connect(&cluster.url()).await.expect("right password");
    assert_eq!(select_one(&client).await, 1);
    let stored: String = client
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = current_user",
            &[],
        )
        .await
        .expect("pg_authid")
        .get(0);
    assert!(stored.starts_with(hash_prefix), "stored hash {stored}");
    let hba: String = client
        .query_one(
            "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' LIMIT 1",
            &[],
        )
        .await
        .expect("pg_hba_file_rules")
        .get(0);
    assert_eq!(hba, auth.hba_keyword());

    let wrong = format!(
        "postgres://postgres:nope@127.0.0.1:{}/postgres",
        cluster.port()
    );
    let Err(err) = connect(&wrong).await else {
        panic!("wrong password must fail");
    };
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::INVALID_PASSWORD),
        "{err}"
    );
    let no_password = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port());
    assert!(connect(&no_password).await.is_err());
    cluster.stop().await.expect("stop");
}

#[tokio::test]
async fn scram_password_auth() {
    check_password_auth(AuthMethod::ScramSha256, "SCRAM-SHA-256$").await;
}

#[tokio::test]
async fn md5_password_auth() {
    check_password_auth(AuthMethod::Md5, "md5").await;
}

#[tokio::test]
async fn password_auth_without_password_is_rejected_up_front() {
    let opts = LocalOptions {
        auth: AuthMethod::ScramSha256,
        ..pg15()
    };
    let Err(err) = LocalCluster::start(&opts).await else {
        panic!("must fail");
    };
    assert!(matches!(err, OracleError::InvalidOptions(_)), "{err}");
}

#[tokio::test]
async fn tls_required_cluster_refuses_plaintext_and_serves_tls() {
    let opts = LocalOptions {
        tls: true,
        tls_required: true,
        settings: vec![("TimeZone".into(), "America/New_York".into())],
        ..pg15()
    };
    let cluster = LocalCluster::start(&opts).await.expect("start");
    let socket = connect_socket(&cluster).await;
    let ssl: String = socket
        .query_one("SHOW ssl", &[])
        .await
        .expect("SHOW ssl")
        .get(0);
    assert_eq!(ssl, "on");
    let tz: String = socket
        .query_one("SHOW TimeZone", &[])
        .await
        .expect("SHOW TimeZone")
        .get(0);
    assert_eq!(tz, "America/New_York");

    let Err(err) = connect(&cluster.url()).await else {
        panic!("plaintext must be refused");
    };
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION),
        "{err}"
    );

    // A real TLS session, verifying the server against the generated certificate.
    let cert = cluster.tls_cert().expect("certificate");
    let psql = cluster.bin_dir().join("psql");
    let conninfo = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}",
        cluster.port(),
        cert.display()
    );
    let out = Command::new(&psql)
        .args([
            &conninfo,
            "-Atc",
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "t");
    cluster.stop().await.expect("stop");
}

#[tokio::test]
async fn drop_stops_the_server_and_removes_the_dir() {
    let cluster = LocalCluster::start(&pg15()).await.expect("start");
    let dir = cluster.socket_dir().to_path_buf();
    let pid = postmaster_pid(&dir);
    assert!(alive(pid));
    let url = cluster.url();
    drop(cluster);
    assert!(!dir.exists(), "{} still exists", dir.display());
    assert!(
        wait_until(Duration::from_secs(5), || !alive(pid)),
        "postmaster {pid} alive"
    );
    assert!(connect(&url).await.is_err());
}

#[tokio::test]
async fn two_clusters_at_once() {
    let opts = pg15();
    let (a, b) = tokio::join!(LocalCluster::start(&opts), LocalCluster::start(&opts));
    let (a, b) = (a.expect("start a"), b.expect("start b"));
    assert_ne!(a.port(), b.port());
    assert_ne!(a.socket_dir(), b.socket_dir());
    let (ca, cb) = (
        connect(&a.url()).await.expect("a"),
        connect(&b.url()).await.expect("b"),
    );
    ca.batch_execute("CREATE TABLE only_in_a (x int)")
        .await
        .expect("create");
    assert_eq!(select_one(&cb).await, 1);
    let in_b: i64 = cb
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(in_b, 0);
    a.stop().await.expect("stop a");
    b.stop().await.expect("stop b");
}

#[tokio::test]
async fn fixed_port_is_honoured() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let opts = LocalOptions {
        port: Some(port),
        ..pg15()
    };
    let cluster = LocalCluster::start(&opts).await.expect("start");
    assert_eq!(cluster.port(), port);
    assert!(cluster.url().contains(&format!(":{port}/")));
    cluster.stop().await.expect("stop");
}

#[tokio::test]
async fn detached_start_then_stop() {
    let info = start_detached(&pg15()).await.expect("start detached");
    assert!(info.dir.exists());
    assert!(info.version.starts_with("15."), "{}", info.version);
    let client = connect(&info.url).await.expect("connect");
    assert_eq!(select_one(&client).await, 1);
    drop(client);
    assert!(list_detached().iter().any(|d| d.port == info.port));
    let pid = postmaster_pid(&info.dir);

    let stopped = stop_detached(Some(info.port)).await.expect("stop");
    assert_eq!(stopped, vec![info.port]);
    assert!(!info.dir.exists());
    assert!(wait_until(Duration::from_secs(5), || !alive(pid)));
    assert!(!list_detached().iter().any(|d| d.port == info.port));
    let again = stop_detached(Some(info.port)).await;
    assert!(matches!(again, Err(OracleError::NoDetachedCluster(p)) if p == info.port));
}

#[test]
fn oracle_spec_and_auth_parsing() {
    let parse = |s: &str| s.parse::<OracleSpec>();
    assert_eq!(parse("auto").ok(), Some(OracleSpec::Auto));
    assert_eq!(parse("LOCAL").ok(), Some(OracleSpec::Local));
    assert_eq!(parse("container").ok(), Some(OracleSpec::Container));
    assert_eq!(parse("none").ok(), Some(OracleSpec::None));
    assert_eq!(
        parse("postgres://u@h:1/d").ok(),
        Some(OracleSpec::Url("postgres://u@h:1/d".into()))
    );
    assert_eq!(
        parse("postgresql://h/d").ok(),
        Some(OracleSpec::Url("postgresql://h/d".into()))
    );
    assert!(matches!(
        parse("mysql://h"),
        Err(OracleError::InvalidSpec(_))
    ));
    assert!(parse("").is_err());

    let auth = |s: &str| s.parse::<AuthMethod>().ok();
    assert_eq!(auth("trust"), Some(AuthMethod::Trust));
    assert_eq!(auth("password"), Some(AuthMethod::Password));
    assert_eq!(auth("md5"), Some(AuthMethod::Md5));
    assert_eq!(auth("scram-sha-256"), Some(AuthMethod::ScramSha256));
    assert_eq!(auth("kerberos"), None);
}

#[tokio::test]
async fn url_oracle_reports_the_version_of_a_running_cluster() {
    let cluster = LocalCluster::start(&pg15()).await.expect("start");
    let spec: OracleSpec = cluster.url().parse().expect("spec");
    let oracle = Oracle::start(&spec, &LocalOptions::default())
        .await
        .expect("url oracle")
        .expect("some oracle");
    assert_eq!(oracle.version(), Some(cluster.version()));
    assert_eq!(oracle.url(), cluster.url());
    assert!(oracle.describe().contains(cluster.version()));
    oracle.stop().await.expect("url stop is a no-op");
    // Still running: a URL oracle does not own the server.
    assert_eq!(
        select_one(&connect(&cluster.url()).await.expect("connect")).await,
        1
    );
    cluster.stop().await.expect("stop");

    let dead = Oracle::start(&spec, &LocalOptions::default()).await;
    assert!(matches!(dead, Err(OracleError::Connect { .. })), "{dead:?}");
}

#[tokio::test]
async fn local_and_none_specs() {
    let oracle = Oracle::start(&OracleSpec::Local, &pg15())
        .await
        .expect("local")
        .expect("some oracle");
    let port = oracle.local_cluster().expect("local cluster").port();
    assert_eq!(
        oracle.describe(),
        format!(
            "local PostgreSQL {} at 127.0.0.1:{port}",
            oracle.version().expect("version")
        )
    );
    let dir = oracle
        .local_cluster()
        .expect("local")
        .socket_dir()
        .to_path_buf();
    oracle.stop().await.expect("stop");
    assert!(!dir.exists());

    let none = Oracle::start(&OracleSpec::None, &pg15())
        .await
        .expect("none");
    assert!(none.is_none());
}

#[cfg(not(feature = "container"))]
#[tokio::test]
async fn container_spec_without_the_feature_says_so() {
    let Err(err) = Oracle::start(&OracleSpec::Container, &pg15()).await else {
        panic!("must fail");
    };
    assert!(err.to_string().contains("container feature"), "{err}");
}

/// Runs one ignored test of this binary in a child process, returns it and its READY line.
fn spawn_child(test: &str) -> (std::process::Child, u16, PathBuf) {
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PGCOMPAT_ORACLE_CHILD", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read child");
        // The harness prints "test name ... " on the same line first.
        if let Some((_, rest)) = line.split_once("READY ") {
            let (port, dir) = rest.split_once(' ').expect("READY port dir");
            return (child, port.parse().expect("port"), PathBuf::from(dir));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("child {test} never became ready");
}

/// Child side: start a cluster, announce it, then wait to be killed.
async fn child_cluster(install_handler: bool) {
    if std::env::var_os("PGCOMPAT_ORACLE_CHILD").is_none() {
        return;
    }
    if install_handler {
        pgcompat::postgres::install_signal_cleanup();
    }
    let cluster = LocalCluster::start(&pg15()).await.expect("child start");
    println!(
        "READY {} {}",
        cluster.port(),
        cluster.socket_dir().display()
    );
    tokio::time::sleep(Duration::from_secs(120)).await;
    drop(cluster);
}

#[tokio::test]
#[ignore = "child process of killed_owner_is_reaped"]
async fn child_for_kill9() {
    child_cluster(false).await;
}

#[tokio::test]
#[ignore = "child process of sigterm_cleans_up"]
async fn child_for_sigterm() {
    child_cluster(true).await;
}

#[tokio::test]
async fn killed_owner_is_reaped() {
    let (mut child, port, dir) = spawn_child("child_for_kill9");
    let pid = postmaster_pid(&dir);
    child.kill().expect("kill -9");
    child.wait().expect("wait");
    // The orphan keeps running until someone reaps it.
    assert!(alive(pid));
    // Concurrent tests also reap when they start a cluster, and one of them may still be
    // removing the orphan when this call returns: it must be gone shortly after.
    let reaped = tokio::task::spawn_blocking(reap_stale).await.expect("reap");
    assert!(
        wait_until(Duration::from_secs(5), || !dir.exists()),
        "{} survived (reaped {reaped:?}, port {port})",
        dir.display()
    );
    assert!(wait_until(Duration::from_secs(5), || !alive(pid)));
}

#[tokio::test]
async fn sigterm_cleans_up() {
    let (mut child, _port, dir) = spawn_child("child_for_sigterm");
    let pid = postmaster_pid(&dir);
    let child_pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sending SIGTERM to our own child.
    assert_eq!(unsafe { libc::kill(child_pid, libc::SIGTERM) }, 0);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    assert!(!dir.exists(), "{} still exists", dir.display());
    assert!(wait_until(Duration::from_secs(5), || !alive(pid)));
}

#[tokio::test]
async fn auto_without_any_oracle_explains_why() {
    let opts = LocalOptions {
        version: Some("99".into()),
        ..LocalOptions::default()
    };
    let resolution = Oracle::resolve(&OracleSpec::Auto, &opts)
        .await
        .expect("auto never errors");
    assert!(resolution.oracle.is_none());
    let kinds: Vec<&str> = resolution.unavailable.iter().map(|u| u.kind).collect();
    assert_eq!(kinds, ["local", "container"]);
    let local = &resolution.unavailable[0].reason;
    assert!(local.contains("major version 99"), "{local}");
    assert!(local.contains("apt-get install -y postgresql"), "{local}");
    assert!(local.contains("PG_BIN"), "{local}");
}

#[tokio::test]
async fn auto_prefers_a_local_cluster() {
    let oracle = Oracle::start(&OracleSpec::Auto, &pg15())
        .await
        .expect("auto")
        .expect("local binaries exist here");
    assert!(
        oracle.describe().starts_with("local PostgreSQL 15."),
        "{}",
        oracle.describe()
    );
    assert!(oracle.local_cluster().is_some());
    oracle.stop().await.expect("stop");
}
