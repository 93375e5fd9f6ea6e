//! Plays one case against one server and records what came back, step by step.

use std::time::Duration;

use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};

use super::render::render;
use super::script::{Action, AuthHow, Case, Startup};
use super::send::{parse_send, substitute};
use super::{FlowOptions, FlowProfiles};
use crate::session::{self, ConnectOptions, RawSession, SessionError, TlsMode};
use crate::wire::{BackendMessage as M, FrontendMessage};

/// What one run of a case produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRun {
    /// One entry per receive step (`until`, `auth`): its index in `case.steps` and its lines.
    pub steps: Vec<(usize, Vec<String>)>,
    pub end: End,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    Done,
    /// The main connection could not be opened at all (refused, reset: the server is down).
    ConnectFailed(String),
    /// A receive step waited `step_timeout` in vain; the case stopped there.
    Timeout {
        line: usize,
    },
    /// The script could not run (a bad `send` after substitution, an unknown profile...).
    Error(String),
}

struct Conn {
    name: String,
    opts: ConnectOptions,
    session: Option<RawSession>,
}

/// Runs `case` with connections from `profiles`. Never panics or hangs: every wait is bounded
/// by `opts.step_timeout` (connects by `opts.connect_timeout`).
pub async fn execute(case: &Case, profiles: &FlowProfiles, opts: &FlowOptions) -> CaseRun {
    let mut run = CaseRun {
        steps: Vec::new(),
        end: End::Done,
    };
    let main = match open(&case.profile, case.startup, profiles, opts).await {
        Ok(conn) => conn,
        Err(Opened::Missing(why)) => {
            run.end = End::Error(why);
            return run;
        }
        Err(Opened::Failed(why)) => {
            run.end = End::ConnectFailed(why);
            return run;
        }
    };
    let mut conns = vec![Conn {
        name: "main".into(),
        opts: main.0,
        session: Some(main.1),
    }];
    let mut current = 0usize;
    let mut pending: Vec<String> = Vec::new();
    let mut outbox: Vec<FrontendMessage> = Vec::new();
    for (index, step) in case.steps.iter().enumerate() {
        if !matches!(step.action, Action::Send(_)) {
            flush(&mut conns, current, &mut outbox).await;
        }
        match &step.action {
            Action::Send(text) => {
                let Some(conn) = conns.get(current) else {
                    break;
                };
                let vars = [
                    ("user", conn.opts.user.as_str()),
                    ("password", conn.opts.password.as_deref().unwrap_or("")),
                    ("database", conn.opts.database.as_str()),
                ];
                match parse_send(&substitute(text, &vars)) {
                    Ok(msg) => outbox.push(msg),
                    Err(why) => {
                        run.end = End::Error(format!("line {}: {why}", step.line));
                        break;
                    }
                }
            }
            Action::Until { .. } | Action::Auth { .. } => {
                let mut lines = std::mem::take(&mut pending);
                let timed_out = match conns.get_mut(current) {
                    Some(conn) => receive(conn, &step.action, opts.step_timeout, &mut lines).await,
                    None => false,
                };
                run.steps.push((index, lines));
                if timed_out {
                    run.end = End::Timeout { line: step.line };
                    break;
                }
            }
            Action::StartTls => {
                if let Some(conn) = conns.get_mut(current) {
                    let tls_opts = ConnectOptions {
                        tls: TlsMode::Require,
                        ..conn.opts.clone()
                    };
                    if let Some(s) = conn.session.as_mut() {
                        let done =
                            tokio::time::timeout(opts.step_timeout, s.start_tls(&tls_opts)).await;
                        if !matches!(done, Ok(Ok(()))) {
                            pending.push("<tls handshake failed>".into());
                            conn.session = None;
                        }
                    }
                }
            }
            Action::Sleep(d) => tokio::time::sleep(*d).await,
            Action::Connect {
                name,
                profile,
                startup,
            } => {
                let profile = profile.as_deref().unwrap_or(&case.profile);
                match open(profile, *startup, profiles, opts).await {
                    Ok((opts, session)) => {
                        conns.retain(|c| &c.name != name);
                        conns.push(Conn {
                            name: name.clone(),
                            opts,
                            session: Some(session),
                        });
                        current = conns.len() - 1;
                    }
                    Err(Opened::Missing(why)) => {
                        run.end = End::Error(why);
                        break;
                    }
                    Err(Opened::Failed(_)) => pending.push(format!("<connect {name} failed>")),
                }
            }
            Action::Use(name) => match conns.iter().position(|c| &c.name == name) {
                Some(i) => current = i,
                None => {
                    run.end = End::Error(format!("line {}: no connection `{name}`", step.line));
                    break;
                }
            },
            Action::Cancel { conn, wrong_key } => {
                let target = match conn {
                    Some(name) => conns.iter().find(|c| &c.name == name),
                    None => conns.get(current),
                };
                let key = target.and_then(|c| {
                    Some((c.opts.clone(), c.session.as_ref()?.backend_key()?.clone()))
                });
                match key {
                    Some((copts, mut key)) => {
                        if *wrong_key {
                            key.key.iter_mut().for_each(|b| *b ^= 0x5a);
                        }
                        let copts = ConnectOptions {
                            tls: TlsMode::Disable,
                            io_timeout: opts.step_timeout,
                            ..copts
                        };
                        if session::cancel(&copts, &key).await.is_err() {
                            pending.push("<cancel request failed>".into());
                        }
                    }
                    None => pending.push("<no BackendKeyData to cancel with>".into()),
                }
            }
        }
    }
    flush(&mut conns, current, &mut outbox).await;
    for conn in conns {
        if let Some(s) = conn.session {
            let _ = tokio::time::timeout(Duration::from_secs(2), s.terminate()).await;
        }
    }
    run
}

enum Opened {
    /// The profile is not configured: the case cannot run here.
    Missing(String),
    Failed(String),
}

async fn open(
    profile: &str,
    startup: Startup,
    profiles: &FlowProfiles,
    flow: &FlowOptions,
) -> Result<(ConnectOptions, RawSession), Opened> {
    let Some(base) = profiles.get(profile) else {
        return Err(Opened::Missing(format!("no `{profile}` profile")));
    };
    let opts = ConnectOptions {
        io_timeout: flow.step_timeout,
        connect_timeout: flow.connect_timeout,
        record_transcript: false,
        ..base.clone()
    };
    let session = match startup {
        Startup::Auto => RawSession::connect(&opts).await,
        Startup::Raw => {
            let plain = ConnectOptions {
                tls: TlsMode::Disable,
                ..opts.clone()
            };
            session::connect_raw_startup(&plain).await
        }
    };
    session
        .map(|s| (opts, s))
        .map_err(|e| Opened::Failed(e.to_string()))
}

/// Sends what the `send` lines queued, in one write. A failed write is not recorded: the
/// server may have closed first, which the next receive step shows as `<closed>`.
async fn flush(conns: &mut [Conn], current: usize, outbox: &mut Vec<FrontendMessage>) {
    if outbox.is_empty() {
        return;
    }
    if let Some(s) = conns.get_mut(current).and_then(|c| c.session.as_mut()) {
        let _ = s.send(outbox).await;
    }
    outbox.clear();
}

/// How one message read went.
enum Got {
    Msg(M),
    /// The connection is gone (closed, reset, or undecodable data); the line says how.
    Gone(String),
    Timeout,
}

async fn next(conn: &mut Conn) -> Got {
    let Some(s) = conn.session.as_mut() else {
        return Got::Gone("<no connection>".into());
    };
    match s.recv().await {
        Ok(msg) => Got::Msg(msg),
        Err(SessionError::Timeout { .. }) => Got::Timeout,
        Err(SessionError::Wire(e)) => {
            conn.session = None;
            Got::Gone(format!("<malformed: {e}>"))
        }
        Err(_) => {
            conn.session = None;
            Got::Gone("<closed>".into())
        }
    }
}

/// Runs a receiving step (`until` or `auth`); true when it timed out.
async fn receive(
    conn: &mut Conn,
    action: &Action,
    timeout: Duration,
    lines: &mut Vec<String>,
) -> bool {
    match action {
        Action::Until { wanted, .. } => until(conn, wanted, timeout, lines).await,
        Action::Auth { how, .. } => auth(conn, how, timeout, lines).await,
        _ => false,
    }
}

/// Reads until each wanted type has arrived in order (`close`: until the connection ends).
/// Returns true on a timeout.
async fn until(
    conn: &mut Conn,
    wanted: &[String],
    limit: Duration,
    lines: &mut Vec<String>,
) -> bool {
    if let Some(s) = conn.session.as_mut() {
        s.set_io_timeout(limit);
    }
    let mut want = wanted.iter().peekable();
    while let Some(next_want) = want.peek() {
        match next(conn).await {
            Got::Msg(msg) => {
                if msg.name() == next_want.as_str() {
                    want.next();
                }
                lines.push(render(&msg));
            }
            Got::Gone(line) => {
                lines.push(line);
                return false;
            }
            Got::Timeout => {
                lines.push("<timeout>".into());
                return true;
            }
        }
    }
    false
}

/// Answers authentication requests until ReadyForQuery or the end of the connection.
/// Returns true on a timeout.
async fn auth(conn: &mut Conn, how: &AuthHow, limit: Duration, lines: &mut Vec<String>) -> bool {
    if let Some(s) = conn.session.as_mut() {
        s.set_io_timeout(limit);
    }
    let password = how
        .password
        .clone()
        .or_else(|| conn.opts.password.clone())
        .unwrap_or_default();
    let user = conn.opts.user.clone();
    let mut scram: Option<ScramSha256> = None;
    loop {
        let msg = match next(conn).await {
            Got::Msg(msg) => msg,
            Got::Gone(line) => {
                lines.push(line);
                return false;
            }
            Got::Timeout => {
                lines.push("<timeout>".into());
                return true;
            }
        };
        lines.push(render(&msg));
        let reply = match &msg {
            M::ReadyForQuery { .. } => return false,
            M::AuthenticationCleartextPassword => {
                Some(FrontendMessage::Password(password.as_bytes().to_vec()))
            }
            M::AuthenticationMd5Password { salt } => Some(FrontendMessage::Password(
                md5_hash(user.as_bytes(), password.as_bytes(), *salt).into_bytes(),
            )),
            M::AuthenticationSasl { .. } => {
                let client = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
                let initial = FrontendMessage::SaslInitial {
                    mechanism: SCRAM_SHA_256.to_owned(),
                    data: client.message().to_vec(),
                };
                scram = Some(client);
                Some(initial)
            }
            M::AuthenticationSaslContinue { data } => {
                let Some(client) = scram.as_mut() else {
                    lines.push("<AuthenticationSASLContinue before AuthenticationSASL>".into());
                    return false;
                };
                if client.update(data).is_err() {
                    lines.push("<bad SCRAM server-first-message>".into());
                    return false;
                }
                let text = String::from_utf8_lossy(client.message()).into_owned();
                Some(FrontendMessage::SaslResponse(
                    corrupt(&text, how).into_bytes(),
                ))
            }
            _ => None,
        };
        if let (Some(reply), Some(s)) = (reply, conn.session.as_mut()) {
            let _ = s.send(&[reply]).await;
        }
    }
}

/// Spoils the SCRAM client-final-message (`c=biws,r=NONCE,p=PROOF`) as `how` asks.
fn corrupt(client_final: &str, how: &AuthHow) -> String {
    let parts: Vec<String> = client_final
        .split(',')
        .map(|part| {
            if how.bad_nonce && part.starts_with("r=") {
                format!("{part}x")
            } else if how.bad_proof && part.starts_with("p=") {
                let proof = part.get(2..).unwrap_or_default();
                let flipped: String = proof
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i == 0 {
                            if c == 'A' { 'B' } else { 'A' }
                        } else {
                            c
                        }
                    })
                    .collect();
                format!("p={flipped}")
            } else {
                part.to_owned()
            }
        })
        .collect();
    parts.join(",")
}
