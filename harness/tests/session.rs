//! The session layer against a real PostgreSQL (a throwaway local cluster per test) and
//! against tiny hostile fake servers on a local TcpListener.

use std::time::{Duration, Instant};

use bytes::Bytes;
use pgcompat::postgres::{AuthMethod, LocalCluster, LocalOptions};
use pgcompat::session::{
    ConnectOptions, RawSession, SessionError, StatementResult, TlsMode, cancel, connect_client,
};
use pgcompat::wire::{BackendMessage, FrontendMessage, WireError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PASSWORD: &str = "s3cret pw";

async fn cluster(auth: AuthMethod) -> (LocalCluster, ConnectOptions) {
    let password = (auth != AuthMethod::Trust).then(|| PASSWORD.to_owned());
    let local = LocalOptions {
        auth,
        password,
        ..LocalOptions::default()
    };
    let cluster = LocalCluster::start(&local)
        .await
        .expect("start a local PostgreSQL");
    let mut opts = ConnectOptions::from_url(&cluster.url()).expect("cluster URL parses");
    opts.record_transcript = true;
    (cluster, opts)
}

async fn trust_session() -> (LocalCluster, ConnectOptions, RawSession) {
    let (cluster, opts) = cluster(AuthMethod::Trust).await;
    let session = RawSession::connect(&opts).await.expect("connect");
    (cluster, opts, session)
}

fn text(value: &Option<Bytes>) -> Option<&str> {
    value.as_ref().and_then(|v| std::str::from_utf8(v).ok())
}

/// Connects with the right password (checking the method really ran, by the transcript) and
/// with a wrong one (which must be an Auth error with SQLSTATE 28P01).
async fn check_auth(auth: AuthMethod, expected_request: &str) {
    let (cluster, opts) = cluster(auth).await;
    let mut session = RawSession::connect(&opts).await.expect("connect");
    let transcript = session.transcript().to_string();
    assert!(
        transcript.contains(expected_request),
        "{expected_request} not in:\n{transcript}"
    );
    let result = session
        .simple_query("SELECT current_user")
        .await
        .expect("query");
    let Some(StatementResult::Rows { rows, .. }) = result.statements.first() else {
        panic!("expected rows, got {result:?}");
    };
    assert_eq!(
        rows.first().and_then(|r| r.first()).and_then(text),
        Some("postgres")
    );
    assert!(session.server_params().contains_key("server_version"));
    assert_eq!(session.backend_key().map(|k| k.key.len()), Some(4));
    session.terminate().await;

    if auth != AuthMethod::Trust {
        let wrong = ConnectOptions {
            password: Some("wrong".into()),
            ..opts.clone()
        };
        match RawSession::connect(&wrong).await {
            Err(SessionError::Auth(fields)) => assert_eq!(fields.code(), Some("28P01"), "{fields}"),
            other => panic!("expected an Auth error, got {:?}", other.map(|_| ())),
        }
        let none = ConnectOptions {
            password: None,
            ..opts
        };
        assert!(matches!(
            RawSession::connect(&none).await,
            Err(SessionError::PasswordRequired)
        ));
    }
    cluster.stop().await.expect("stop");
}

#[tokio::test]
async fn connects_with_trust() {
    check_auth(AuthMethod::Trust, "AuthenticationOk").await;
}

#[tokio::test]
async fn connects_with_cleartext_password() {
    check_auth(AuthMethod::Password, "AuthenticationCleartextPassword").await;
}

#[tokio::test]
async fn connects_with_md5() {
    check_auth(AuthMethod::Md5, "AuthenticationMD5Password").await;
}

#[tokio::test]
async fn connects_with_scram_sha_256() {
    check_auth(AuthMethod::ScramSha256, "AuthenticationSASLFinal").await;
}

#[tokio::test]
async fn protocol_3_2_is_negotiated_down() {
    let (_cluster, opts) = cluster(AuthMethod::Trust).await;
    let opts = ConnectOptions {
        protocol_version: (3, 2),
        ..opts
    };
    let mut s = RawSession::connect(&opts)
        .await
        .expect("connect asking for 3.2");
    // PostgreSQL before 18 answers NegotiateProtocolVersion and carries on with 3.0.
    let transcript = s.transcript().to_string();
    let server_num: u32 = s
        .server_params()
        .get("server_version")
        .and_then(|v| v.split('.').next())
        .and_then(|major| major.parse().ok())
        .expect("server_version");
    if server_num < 18 {
        assert!(
            transcript.contains("< NegotiateProtocolVersion"),
            "{transcript}"
        );
        assert_eq!(s.protocol_version(), (3, 0));
        assert_eq!(s.backend_key().map(|k| k.key.len()), Some(4));
    }
    assert!(s.simple_query("SELECT 1").await.is_ok());
    s.terminate().await;
}

#[tokio::test]
async fn multi_statement_query_stops_at_the_first_error() {
    let (_cluster, _opts, mut s) = trust_session().await;
    let result = s
        .simple_query(
            "SELECT 1 AS a, NULL::text AS b; CREATE TEMP TABLE t(x int); SELECT 1/0; SELECT 2",
        )
        .await
        .expect("query");
    assert_eq!(result.statements.len(), 3, "{result:?}");
    let Some(StatementResult::Rows { columns, rows, tag }) = result.statements.first() else {
        panic!("expected rows first: {result:?}");
    };
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(columns.first().map(|c| c.type_oid), Some(23));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows.first().map(|r| r.iter().map(text).collect::<Vec<_>>()),
        Some(vec![Some("1"), None])
    );
    assert_eq!(tag, "SELECT 1");
    assert_eq!(
        result.statements.get(1),
        Some(&StatementResult::Command {
            tag: "CREATE TABLE".into()
        })
    );
    match result.statements.get(2) {
        Some(StatementResult::Error(fields)) => assert_eq!(fields.code(), Some("22012")),
        other => panic!("expected division by zero, got {other:?}"),
    }
    assert_eq!(result.status, b'I');

    assert_eq!(
        s.simple_query("BEGIN; SELECT 1")
            .await
            .map(|r| r.status)
            .ok(),
        Some(b'T')
    );
    assert_eq!(s.transaction_status(), b'T');
    assert_eq!(
        s.simple_query("SELECT 1/0").await.map(|r| r.status).ok(),
        Some(b'E')
    );
    let aborted = s.simple_query("SELECT 1").await.expect("query");
    match aborted.statements.first() {
        Some(StatementResult::Error(fields)) => assert_eq!(fields.code(), Some("25P02")),
        other => panic!("expected in-failed-transaction, got {other:?}"),
    }
    assert_eq!(
        s.simple_query("ROLLBACK").await.map(|r| r.status).ok(),
        Some(b'I')
    );
    s.terminate().await;
}

#[tokio::test]
async fn empty_query_notices_and_parameter_status() {
    let (_cluster, _opts, mut s) = trust_session().await;
    let empty = s.simple_query("").await.expect("empty query");
    assert_eq!(empty.statements, vec![StatementResult::Empty]);

    let notice = s
        .simple_query("DO $$ BEGIN RAISE NOTICE 'hello %', 41 + 1; END $$")
        .await
        .expect("DO");
    assert_eq!(
        notice.statements,
        vec![StatementResult::Command { tag: "DO".into() }]
    );
    let first = notice.notices.first().expect("a notice");
    assert_eq!(
        (first.severity(), first.code(), first.message()),
        (Some("NOTICE"), Some("00000"), Some("hello 42"))
    );

    s.simple_query("SET application_name = 'pgcompat test'")
        .await
        .expect("SET");
    assert_eq!(
        s.server_params()
            .get("application_name")
            .map(String::as_str),
        Some("pgcompat test")
    );
    s.simple_query("SET TimeZone = 'America/New_York'")
        .await
        .expect("SET");
    assert_eq!(
        s.server_params().get("TimeZone").map(String::as_str),
        Some("America/New_York")
    );
    s.terminate().await;
}

#[tokio::test]
async fn copy_out_and_refused_copy_in() {
    let (_cluster, _opts, mut s) = trust_session().await;
    let out = s
        .simple_query("COPY (SELECT g, 'x' || g FROM generate_series(1, 3) g) TO STDOUT")
        .await
        .expect("COPY");
    assert_eq!(
        out.statements,
        vec![StatementResult::CopyOut {
            data: b"1\tx1\n2\tx2\n3\tx3\n".to_vec(),
            tag: "COPY 3".into()
        }]
    );

    let refused = s
        .simple_query("CREATE TEMP TABLE c(x int); COPY c FROM STDIN")
        .await
        .expect("COPY IN");
    match refused.statements.as_slice() {
        [
            StatementResult::Command { .. },
            StatementResult::Error(fields),
        ] => {
            assert!(
                fields
                    .message()
                    .is_some_and(|m| m.contains("pgcompat: COPY FROM STDIN needs data")),
                "{fields}"
            );
        }
        other => panic!("expected CREATE then an error, got {other:?}"),
    }
    assert_eq!(refused.status, b'I');
    s.terminate().await;
}

#[tokio::test]
async fn oversized_result_is_drained_and_refused() {
    let (_cluster, opts) = cluster(AuthMethod::Trust).await;
    let opts = ConnectOptions {
        max_result_bytes: 10_000,
        ..opts
    };
    let mut s = RawSession::connect(&opts).await.expect("connect");
    match s
        .simple_query("SELECT repeat('x', 100) FROM generate_series(1, 1000)")
        .await
    {
        Err(SessionError::ResultTooLarge { limit: 10_000 }) => {}
        other => panic!("expected ResultTooLarge, got {other:?}"),
    }
    // The rest was read to ReadyForQuery: the session is still in step.
    let after = s.simple_query("SELECT 7").await.expect("next query");
    assert!(
        matches!(after.statements.as_slice(), [StatementResult::Rows { tag, .. }] if tag == "SELECT 1")
    );
    s.terminate().await;
}

#[tokio::test]
async fn extended_protocol_through_send_and_recv() {
    let (_cluster, _opts, mut s) = trust_session().await;
    s.send(&[
        FrontendMessage::Parse {
            name: "s1".into(),
            sql: "SELECT generate_series(1, $1::int4) AS g".into(),
            param_types: vec![23],
        },
        FrontendMessage::Bind {
            portal: "p1".into(),
            statement: "s1".into(),
            param_formats: vec![0],
            params: vec![Some(b"3".to_vec())],
            result_formats: vec![0],
        },
        FrontendMessage::Describe {
            kind: b'P',
            name: "p1".into(),
        },
        FrontendMessage::Execute {
            portal: "p1".into(),
            max_rows: 1,
        },
        FrontendMessage::Sync,
    ])
    .await
    .expect("send");
    let messages = s.recv_until_ready(100).await.expect("recv");
    if let Some(BackendMessage::DataRow { values }) = messages.get(3) {
        assert_eq!(values.first().and_then(text), Some("1"));
    }
    let names: Vec<&str> = messages.iter().map(BackendMessage::name).collect();
    assert_eq!(
        names,
        [
            "ParseComplete",
            "BindComplete",
            "RowDescription",
            "DataRow",
            "PortalSuspended",
            "ReadyForQuery"
        ]
    );
    let transcript = s.transcript().to_string();
    assert!(
        transcript.contains("> Execute \"p1\" max_rows=1"),
        "{transcript}"
    );
    assert!(
        transcript.contains("< RowDescription [g int4 typmod=-1 fmt=0]"),
        "{transcript}"
    );
    s.terminate().await;
}

#[tokio::test]
async fn cancel_interrupts_a_running_query() {
    let (_cluster, opts, mut s) = trust_session().await;
    let key = s.backend_key().cloned().expect("BackendKeyData");
    let started = Instant::now();
    let query = tokio::spawn(async move { s.simple_query("SELECT pg_sleep(10)").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel(&opts, &key).await.expect("cancel");
    let result = query.await.expect("join").expect("query");
    match result.statements.as_slice() {
        [StatementResult::Error(fields)] => assert_eq!(fields.code(), Some("57014"), "{fields}"),
        other => panic!("expected a cancelled query, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn client_face_runs_a_query() {
    let (_cluster, opts) = cluster(AuthMethod::ScramSha256).await;
    let opts = ConnectOptions {
        params: vec![("TimeZone".into(), "Asia/Tokyo".into())],
        ..opts
    };
    let (client, driver) = connect_client(&opts).await.expect("connect_client");
    let row = client
        .query_one(
            "SELECT 41 + $1::int4, current_setting('TimeZone')",
            &[&1i32],
        )
        .await
        .expect("query");
    assert_eq!(row.get::<_, i32>(0), 42);
    assert_eq!(row.get::<_, String>(1), "Asia/Tokyo");
    drop(client);
    let _ = tokio::time::timeout(Duration::from_secs(5), driver).await;
}

async fn tls_cluster() -> LocalCluster {
    let local = LocalOptions {
        tls: true,
        tls_required: true,
        ..LocalOptions::default()
    };
    LocalCluster::start(&local)
        .await
        .expect("start a TLS PostgreSQL")
}

const SSL_IN_USE: &str = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

#[tokio::test]
async fn tls_on_both_faces() {
    let (cluster, other) = tokio::join!(tls_cluster(), tls_cluster());
    let plain = ConnectOptions::from_url(&cluster.url()).expect("URL");
    let tls = ConnectOptions {
        tls: TlsMode::Require,
        ..plain.clone()
    };

    let mut s = RawSession::connect(&tls)
        .await
        .expect("TLS connect, any certificate");
    assert!(s.is_tls());
    let result = s.simple_query(SSL_IN_USE).await.expect("query");
    let Some(StatementResult::Rows { rows, .. }) = result.statements.first() else {
        panic!("expected rows: {result:?}");
    };
    assert_eq!(
        rows.first().and_then(|r| r.first()).and_then(text),
        Some("t")
    );
    s.terminate().await;

    let (client, _driver) = connect_client(&tls).await.expect("client face over TLS");
    let row = client.query_one(SSL_IN_USE, &[]).await.expect("query");
    assert!(row.get::<_, bool>(0));

    // verify-ca: the cluster's own certificate passes, another cluster's does not.
    let ca = cluster.tls_cert().expect("TLS cluster has a certificate");
    let verified = ConnectOptions {
        tls_ca: Some(ca.into()),
        ..tls.clone()
    };
    RawSession::connect(&verified)
        .await
        .expect("verified against the CA")
        .terminate()
        .await;
    let wrong_ca = ConnectOptions {
        tls_ca: other.tls_cert().map(Into::into),
        ..tls
    };
    assert!(matches!(
        RawSession::connect(&wrong_ca).await,
        Err(SessionError::Tls(_))
    ));
    assert!(connect_client(&wrong_ca).await.is_err());

    // hostssl only: plain text is refused by pg_hba.
    match RawSession::connect(&plain).await {
        Err(SessionError::Auth(fields)) => assert_eq!(fields.code(), Some("28000"), "{fields}"),
        other => panic!("expected a pg_hba rejection, got {:?}", other.map(|_| ())),
    }
}

/// A fake server: reads the client's first bytes, answers `reply`, then holds the connection
/// open. Returns the options to reach it.
async fn fake_server(reply: Vec<u8>) -> ConnectOptions {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&reply).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    ConnectOptions {
        host: "127.0.0.1".into(),
        port,
        io_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    }
}

fn huge_frame_header() -> Vec<u8> {
    let mut reply = vec![b'Z'];
    reply.extend_from_slice(&0x7fff_fff0_i32.to_be_bytes());
    reply
}

#[tokio::test]
async fn client_face_rejects_a_huge_declared_length() {
    let opts = fake_server(huge_frame_header()).await;
    let started = Instant::now();
    let Err(err) = connect_client(&opts).await else {
        panic!("connect_client must fail");
    };
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("above the limit"), "{err}");
}

#[tokio::test]
async fn raw_session_rejects_a_huge_declared_length() {
    let opts = fake_server(huge_frame_header()).await;
    match RawSession::connect(&opts).await {
        Err(SessionError::Wire(WireError::LengthTooLarge { tag: b'Z', .. })) => {}
        other => panic!("expected LengthTooLarge, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn raw_session_times_out_on_a_silent_server() {
    let opts = ConnectOptions {
        connect_timeout: Duration::from_millis(500),
        ..fake_server(Vec::new()).await
    };
    let started = Instant::now();
    assert!(matches!(
        RawSession::connect(&opts).await,
        Err(SessionError::Timeout { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn simple_query_reports_a_protocol_violation_and_stays_in_sync() {
    // AuthenticationOk, ReadyForQuery, then for the query: a DataRow with no RowDescription,
    // ReadyForQuery. The fake server sends it all at once after the startup message.
    let mut reply = Vec::new();
    for (tag, body) in [
        (b'R', &[0u8, 0, 0, 0][..]),
        (b'Z', b"I"),
        (b'D', &[0, 0][..]),
        (b'Z', b"I"),
    ] {
        reply.push(tag);
        reply.extend_from_slice(&i32::try_from(body.len() + 4).unwrap_or(0).to_be_bytes());
        reply.extend_from_slice(body);
    }
    let opts = fake_server(reply).await;
    let mut s = RawSession::connect(&opts)
        .await
        .expect("connect to fake server");
    match s.simple_query("SELECT 1").await {
        Err(SessionError::Protocol(what)) => assert!(what.contains("DataRow"), "{what}"),
        other => panic!("expected a protocol violation, got {other:?}"),
    }
    assert_eq!(s.transaction_status(), b'I');
}
