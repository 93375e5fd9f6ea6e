//! Protocol flows against a real PostgreSQL 15: the self-check (every recorded script passes
//! live and against its recording), planted faults caught by a tampering proxy, a target that
//! dies mid-run, `complete` rewriting a script, and the side-by-side rendering.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::ProgressBar;
use pgcompat::checks::flow::{
    FlowOptions, FlowProfiles, Script, collect_scripts, complete_flows, diff, parse_script,
    run_flows, start_oracle_profiles, total_cases,
};
use pgcompat::report::{CaseResult, Status};
use pgcompat::session::ConnectOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/protocol")
}

fn opts() -> FlowOptions {
    FlowOptions {
        step_timeout: Duration::from_secs(8),
        ..FlowOptions::default()
    }
}

fn failures(results: &[CaseResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .map(|r| {
            format!(
                "{} {:?}: {}\n{}",
                r.id,
                r.status,
                r.message.clone().unwrap_or_default(),
                r.actual.clone().unwrap_or_default()
            )
        })
        .collect()
}

/// Records every script from PostgreSQL 15 into suites/protocol (run by hand with --ignored:
/// this is how the expected blocks were made; `pgcompat complete` does the same).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn record_protocol_suites() {
    let scripts = collect_scripts(&suites()).expect("scripts parse");
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let stats = complete_flows(&scripts, &profiles, &opts())
        .await
        .expect("complete");
    println!("{stats:#?}");
    assert!(stats.unstable.is_empty(), "unstable: {:?}", stats.unstable);
    assert!(stats.failed.is_empty(), "failed: {:?}", stats.failed);
}

/// The suite is big enough and every case is recorded.
#[test]
fn flow_suites_parse_and_are_recorded() {
    let scripts = collect_scripts(&suites()).expect("scripts parse");
    assert!(
        total_cases(&scripts) >= 150,
        "{} cases",
        total_cases(&scripts)
    );
    let flows: BTreeSet<&str> = scripts.iter().map(|s| s.flow.as_str()).collect();
    for flow in [
        "startup",
        "auth",
        "tls",
        "simple",
        "extended",
        "copy",
        "cancel",
        "errors",
        "malformed",
    ] {
        assert!(flows.contains(flow), "no {flow} scripts");
    }
    for script in &scripts {
        for case in &script.cases {
            assert!(
                pgcompat::checks::flow::run::recorded(case).is_some(),
                "{} is not recorded",
                case.id(&script.flow)
            );
        }
    }
}

/// Target = oracle = fresh PostgreSQL 15 clusters: everything passes, live and recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_self_check_against_postgres() {
    let scripts = collect_scripts(&suites()).expect("scripts parse");
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let bar = ProgressBar::hidden();
    let live = run_flows(&scripts, &profiles, Some(&profiles), &opts(), &bar).await;
    assert_eq!(live.len() as u64, total_cases(&scripts));
    let bad = failures(&live);
    assert!(bad.is_empty(), "live:\n{}", bad.join("\n"));
    let recorded = run_flows(&scripts, &profiles, None, &opts(), &bar).await;
    let bad = failures(&recorded);
    assert!(bad.is_empty(), "recorded:\n{}", bad.join("\n"));
}

/// How the tampering proxy changes server→client frames.
#[derive(Clone, Copy)]
enum Fault {
    /// Drops ParameterStatus application_name.
    DropAppNameStatus,
    /// Reports int4 columns as int8 in RowDescription.
    Int4AsInt8,
    /// Turns "INSERT 0 n" tags into "INSERT n".
    InsertTag,
    /// Passes everything through, but dies for good after this many connections.
    DieAfter(usize),
    /// Swallows every ReadyForQuery after the first of each connection: a server that hangs.
    Hang,
}

/// A proxy in front of `upstream` that applies `fault`; returns its port.
async fn proxy(upstream: u16, fault: Fault) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (kill_tx, kill_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let n = accepted.fetch_add(1, Ordering::SeqCst) + 1;
            if let Fault::DieAfter(limit) = fault
                && n > limit
            {
                let _ = kill_tx.send(true);
                return; // the listener is dropped: later connects are refused
            }
            let mut kill = kill_rx.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    return;
                };
                tokio::select! {
                    _ = relay(client, server, fault) => {}
                    _ = kill.wait_for(|k| *k) => {}
                }
            });
        }
    });
    port
}

async fn relay(client: TcpStream, server: TcpStream, fault: Fault) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
        let _ = sw.shutdown().await;
    };
    let down = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let mut ready_seen = false;
        loop {
            let n = match sr.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            buf.extend_from_slice(&chunk[..n]);
            while buf.len() >= 5 {
                let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
                if buf.len() < len + 1 {
                    break;
                }
                let frame: Vec<u8> = buf.drain(..len + 1).collect();
                if let Some(out) = tamper(frame, fault, &mut ready_seen)
                    && cw.write_all(&out).await.is_err()
                {
                    return;
                }
            }
        }
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}

fn tamper(frame: Vec<u8>, fault: Fault, ready_seen: &mut bool) -> Option<Vec<u8>> {
    let tag = frame[0];
    if let (Fault::Hang, b'Z') = (fault, tag) {
        return if std::mem::replace(ready_seen, true) {
            None
        } else {
            Some(frame)
        };
    }
    let body = &frame[5..];
    match (fault, tag) {
        (Fault::DropAppNameStatus, b'S') if body.starts_with(b"application_name\0") => None,
        (Fault::Int4AsInt8, b'T') => {
            let mut out = frame.clone();
            let count = i16::from_be_bytes([body[0], body[1]]);
            let mut at = 5 + 2;
            for _ in 0..count {
                at += out[at..].iter().position(|b| *b == 0)? + 1; // name
                at += 4 + 2; // table oid, column
                if out[at..at + 4] == 23u32.to_be_bytes() {
                    out[at..at + 4].copy_from_slice(&20u32.to_be_bytes());
                }
                at += 4 + 2 + 4 + 2;
            }
            Some(out)
        }
        (Fault::InsertTag, b'C') if body.starts_with(b"INSERT 0 ") => {
            let mut new_body = b"INSERT ".to_vec();
            new_body.extend_from_slice(&body[9..]);
            let mut out = vec![b'C'];
            out.extend_from_slice(&((new_body.len() + 4) as i32).to_be_bytes());
            out.extend_from_slice(&new_body);
            Some(out)
        }
        _ => Some(frame),
    }
}

/// The trust-profile scripts that start up through the harness (the proxy parses frames from
/// the first byte, so no SSLRequest single-byte answers).
fn auto_trust_scripts() -> Vec<Script> {
    let mut scripts = collect_scripts(&suites()).expect("scripts parse");
    scripts.retain(|s| ["simple", "extended", "errors", "copy"].contains(&s.flow.as_str()));
    for s in &mut scripts {
        s.cases.retain(|c| {
            c.profile == "trust"
                && c.startup == pgcompat::checks::flow::script::Startup::Auto
                && c.steps.iter().all(|st| {
                    !matches!(
                        st.action,
                        pgcompat::checks::flow::script::Action::Connect { .. }
                            | pgcompat::checks::flow::script::Action::Cancel { .. }
                    )
                })
        });
    }
    scripts
}

/// Ids of the cases whose recorded transcript has a line matching `affected`.
fn recorded_with(scripts: &[Script], affected: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in scripts {
        for c in &s.cases {
            let steps = pgcompat::checks::flow::run::recorded(c).unwrap_or_default();
            if steps.iter().flat_map(|(_, l)| l).any(|l| affected(l)) {
                out.insert(c.id(&s.flow));
            }
        }
    }
    out
}

fn with_port(profiles: &FlowProfiles, port: u16) -> FlowProfiles {
    let mut out = FlowProfiles::default();
    let trust = profiles.get("trust").expect("trust profile");
    out.insert(
        "trust",
        ConnectOptions {
            port,
            ..trust.clone()
        },
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_planted_faults_are_caught_where_they_matter() {
    let scripts = auto_trust_scripts();
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let trust_port = profiles.get("trust").expect("trust").port;
    let only_trust = with_port(&profiles, trust_port);
    let bar = ProgressBar::hidden();
    type Affected = Box<dyn Fn(&str) -> bool>;
    let cases: [(Fault, &str, Affected); 3] = [
        (
            Fault::DropAppNameStatus,
            "ParameterStatus",
            Box::new(|l: &str| l.starts_with("ParameterStatus application_name=")),
        ),
        (
            Fault::Int4AsInt8,
            "RowDescription",
            Box::new(|l: &str| l.starts_with("RowDescription") && l.contains(" int4 ")),
        ),
        (
            Fault::InsertTag,
            "CommandComplete",
            Box::new(|l: &str| l.starts_with("CommandComplete \"INSERT 0 ")),
        ),
    ];
    for (fault, message, affected) in cases {
        let expected = recorded_with(&scripts, affected);
        assert!(!expected.is_empty(), "the fault must touch some case");
        let port = proxy(trust_port, fault).await;
        let target = with_port(&profiles, port);
        let results = run_flows(&scripts, &target, Some(&only_trust), &opts(), &bar).await;
        let failed: BTreeSet<String> = results
            .iter()
            .filter(|r| r.status != Status::Pass)
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(
            failed, expected,
            "fault caught exactly where it applies ({message})"
        );
        for r in results.iter().filter(|r| r.status != Status::Pass) {
            assert_eq!(r.status, Status::Fail, "{}", r.id);
            let why = r.message.as_deref().unwrap_or_default();
            assert!(why.contains(message), "{}: {why}", r.id);
            assert!(
                r.actual
                    .as_deref()
                    .is_some_and(|a| a.contains(" ! ") || a.contains(" - "))
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_target_dying_mid_run_is_a_crash_not_a_hang() {
    let scripts = auto_trust_scripts();
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let trust_port = profiles.get("trust").expect("trust").port;
    let port = proxy(trust_port, Fault::DieAfter(6)).await;
    let target = with_port(&profiles, port);
    let bar = ProgressBar::hidden();
    let results = tokio::time::timeout(
        Duration::from_secs(120),
        run_flows(&scripts, &target, None, &opts(), &bar),
    )
    .await
    .expect("no hang");
    let crashed = results.iter().filter(|r| r.status == Status::Crash).count();
    assert!(crashed > 10, "{crashed} crashes");
    let first_crash = results
        .iter()
        .position(|r| r.status == Status::Crash)
        .expect("a crash");
    assert!(
        results[first_crash..]
            .iter()
            .all(|r| r.status == Status::Crash),
        "every case after the target died crashed"
    );
    assert!(
        results[..first_crash]
            .iter()
            .any(|r| r.status == Status::Pass)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_hanging_target_times_out() {
    let mut scripts = auto_trust_scripts();
    scripts.retain(|s| s.flow == "simple");
    for s in &mut scripts {
        s.cases.truncate(3);
    }
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let trust_port = profiles.get("trust").expect("trust").port;
    let port = proxy(trust_port, Fault::Hang).await;
    let target = with_port(&profiles, port);
    let quick = FlowOptions {
        step_timeout: Duration::from_millis(500),
        ..opts()
    };
    let results = tokio::time::timeout(
        Duration::from_secs(60),
        run_flows(&scripts, &target, None, &quick, &ProgressBar::hidden()),
    )
    .await
    .expect("no hang");
    assert_eq!(results.len(), 3);
    for r in &results {
        assert_eq!(r.status, Status::Timeout, "{}", r.id);
        assert!(
            r.actual.as_deref().is_some_and(|a| a.contains("<timeout>")),
            "{:?}",
            r.actual
        );
    }
}

/// `complete` fills an unrecorded script from PostgreSQL; the recording then passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_complete_records_a_script() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flow = dir.path().join("simple");
    std::fs::create_dir(&flow).expect("mkdir");
    let path = flow.join("new.pgs");
    let text = "# new\ncase one\nsend Query sql=\"SELECT 41 + 1 AS answer\"\nuntil ReadyForQuery\nsend Query sql=\"SELECT 1/0\"\nuntil ReadyForQuery\n";
    std::fs::write(&path, text).expect("write");
    let scripts = collect_scripts(dir.path()).expect("parse");
    let (profiles, _clusters) = start_oracle_profiles(Some("15")).await.expect("clusters");
    let stats = complete_flows(&scripts, &profiles, &opts())
        .await
        .expect("complete");
    assert_eq!((stats.files_written, stats.cases_recorded), (1, 1));
    let written = std::fs::read_to_string(&path).expect("read");
    assert!(
        written.contains(
            "----\nRowDescription \"answer\" int4 mod=-1 fmt=0 table=0 col=0\nDataRow \"42\"\n"
        ),
        "{written}"
    );
    assert!(written.contains("ErrorResponse ERROR 22012"), "{written}");
    let again = collect_scripts(dir.path()).expect("parse again");
    let results = run_flows(&again, &profiles, None, &opts(), &ProgressBar::hidden()).await;
    assert!(failures(&results).is_empty(), "{:?}", failures(&results));
    // A second complete changes nothing.
    let stats = complete_flows(&again, &profiles, &opts())
        .await
        .expect("complete");
    assert_eq!(stats.files_written, 0);
}

#[test]
fn flow_side_by_side_rendering() {
    let text = "case demo\nsend Query sql=\"SELECT 1 AS a\"\nuntil ReadyForQuery\n----\nRowDescription \"a\" int4 mod=-1 fmt=0 table=0 col=0\nDataRow \"1\"\nCommandComplete \"SELECT 1\"\nReadyForQuery I\n";
    let script = parse_script(Path::new("demo.pgs"), "simple", text).expect("parse");
    let case = &script.cases[0];
    let expected = pgcompat::checks::flow::run::recorded(case).expect("recorded");
    let (index, lines) = expected[0].clone();
    let exp = case.compare.project(&lines);
    let act = case.compare.project(&[
        "RowDescription \"a\" int8 mod=-1 fmt=0 table=0 col=0".to_owned(),
        "DataRow \"1\"".to_owned(),
        "NoticeResponse NOTICE 00000 message=\"extra\" fields=CMSV".to_owned(),
        "CommandComplete \"SELECT 1\"".to_owned(),
    ]);
    let rows = diff::align(&exp, &act);
    assert_eq!(
        diff::first_difference(&rows).as_deref(),
        Some(
            "expected `RowDescription \"a\" int4 mod=-1 fmt=0`, got `RowDescription \"a\" int8 mod=-1 fmt=0`"
        )
    );
    let shown = diff::side_by_side(case, ("PostgreSQL", "target"), &[(index, exp, act)]);
    insta::assert_snapshot!(shown);
}

/// Script errors name the file and line.
#[test]
fn flow_script_errors_are_located() {
    let bad = parse_script(Path::new("x.pgs"), "f", "case a\nsend Nope\n").expect_err("bad");
    assert!(bad.to_string().contains("x.pgs:2"), "{bad}");
    let bad = parse_script(Path::new("x.pgs"), "f", "send Query\n").expect_err("bad");
    assert!(bad.to_string().contains("before the first `case`"), "{bad}");
    let bad =
        parse_script(Path::new("x.pgs"), "f", "case a\nsend Query sql=\"x\n").expect_err("bad");
    assert!(bad.to_string().contains("unterminated"), "{bad}");
}
