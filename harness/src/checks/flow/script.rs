//! The `.pgs` script format (see suites/protocol/README.md): parsing into cases and steps.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::FlowError;
use super::compare::Compare;
use super::lex::{Token, at, tokens};
use super::send::{parse_send, substitute};

/// One `.pgs` file: its cases plus the original lines, so `complete` can rewrite the
/// expected blocks and leave everything else as written.
#[derive(Debug, Clone)]
pub struct Script {
    pub path: PathBuf,
    /// The directory under suites/protocol: the report group.
    pub flow: String,
    pub lines: Vec<String>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// 1-based line of `case NAME`.
    pub line: usize,
    pub profile: String,
    pub startup: Startup,
    pub compare: Compare,
    pub steps: Vec<Step>,
}

impl Case {
    pub fn id(&self, flow: &str) -> String {
        format!("flow/{flow}/{}", self.name)
    }

    /// The profiles this case connects with (its own and those of `connect` steps).
    pub fn profiles(&self) -> Vec<&str> {
        let mut out = vec![self.profile.as_str()];
        for step in &self.steps {
            if let Action::Connect {
                profile: Some(p), ..
            } = &step.action
            {
                out.push(p);
            }
        }
        out
    }
}

/// How the main connection starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Startup {
    /// The harness connects (TLS as the profile says), starts up and authenticates; the script
    /// begins after the first ReadyForQuery.
    Auto,
    /// A bare TCP connection: the script sends its own SSLRequest/startup/anything.
    Raw,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based line in the file.
    pub line: usize,
    /// The line as written, for transcripts.
    pub text: String,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// The text after `send`, parsed at run time once `${...}` are filled in.
    Send(String),
    /// Read until each listed message type has arrived, in order (`close`: until EOF).
    Until {
        wanted: Vec<String>,
        expect: Expect,
    },
    /// Answer the authentication requests with the profile's password (or a wrong one, or a
    /// corrupted SCRAM proof/nonce) until ReadyForQuery or an error.
    Auth {
        how: AuthHow,
        expect: Expect,
    },
    /// Upgrade the current connection to TLS (after `SSLRequest` was accepted).
    StartTls,
    Sleep(Duration),
    Connect {
        name: String,
        profile: Option<String>,
        startup: Startup,
    },
    Use(String),
    /// A CancelRequest on a new connection with `conn`'s key (or a wrong one).
    Cancel {
        conn: Option<String>,
        wrong_key: bool,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthHow {
    pub password: Option<String>,
    pub bad_proof: bool,
    pub bad_nonce: bool,
}

/// A receive step's recorded messages, and where its block sits in the file.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub lines: Option<Vec<String>>,
    /// 0-based index range of the `----` line and the block lines (end exclusive).
    pub block: Option<(usize, usize)>,
}

impl Action {
    pub fn expect(&self) -> Option<&Expect> {
        match self {
            Action::Until { expect, .. } | Action::Auth { expect, .. } => Some(expect),
            _ => None,
        }
    }
}

/// Defaults set above the first `case`, copied into each case.
#[derive(Clone)]
struct Defaults {
    profile: String,
    startup: Startup,
    compare: Compare,
}

pub fn parse_script(path: &Path, flow: &str, text: &str) -> Result<Script, FlowError> {
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut defaults = Defaults {
        profile: "trust".into(),
        startup: Startup::Auto,
        compare: Compare::default(),
    };
    let mut cases: Vec<Case> = Vec::new();
    let mut i = 0;
    while let Some(raw) = lines.get(i) {
        let lineno = i + 1;
        i += 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let err = |why: String| at(path, lineno, why);
        match word {
            "case" => {
                if rest.is_empty()
                    || !rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
                {
                    return Err(err(format!(
                        "case name {rest:?} must be letters, digits, _ - ."
                    )));
                }
                if cases.iter().any(|c| c.name == rest) {
                    return Err(err(format!("case `{rest}` appears twice")));
                }
                cases.push(Case {
                    name: rest.to_owned(),
                    line: lineno,
                    profile: defaults.profile.clone(),
                    startup: defaults.startup,
                    compare: defaults.compare.clone(),
                    steps: Vec::new(),
                });
                continue;
            }
            "profile" | "startup" | "compare" => {
                let (profile, startup, compare) = match cases.last_mut() {
                    Some(c) if !c.steps.is_empty() => {
                        return Err(err(format!("`{word}` must come before the case's steps")));
                    }
                    Some(c) => (&mut c.profile, &mut c.startup, &mut c.compare),
                    None => (
                        &mut defaults.profile,
                        &mut defaults.startup,
                        &mut defaults.compare,
                    ),
                };
                match word {
                    "profile" => *profile = single(rest).map_err(err)?,
                    "startup" => *startup = parse_startup(rest).map_err(err)?,
                    _ => compare.apply(rest).map_err(err)?,
                }
                continue;
            }
            _ => {}
        }
        let Some(case) = cases.last_mut() else {
            return Err(err(format!("`{word}` before the first `case`")));
        };
        let action = match word {
            "send" => {
                // Check it parses now, with placeholder variables.
                let probe =
                    substitute(rest, &[("user", "u"), ("password", "p"), ("database", "d")]);
                parse_send(&probe).map_err(err)?;
                Action::Send(rest.to_owned())
            }
            "until" => {
                let wanted: Vec<String> = rest.split_whitespace().map(str::to_owned).collect();
                if wanted.is_empty() {
                    return Err(err("`until` needs message types (or `close`)".into()));
                }
                Action::Until {
                    wanted,
                    expect: read_block(&lines, &mut i),
                }
            }
            "auth" => Action::Auth {
                how: parse_auth(rest).map_err(err)?,
                expect: read_block(&lines, &mut i),
            },
            "starttls" => Action::StartTls,
            "sleep" => Action::Sleep(parse_duration(rest).map_err(err)?),
            "connect" => parse_connect(rest).map_err(err)?,
            "use" => Action::Use(single(rest).map_err(err)?),
            "cancel" => parse_cancel(rest).map_err(err)?,
            "----" => return Err(err("`----` without an `until` or `auth` above it".into())),
            other => return Err(err(format!("unknown directive `{other}`"))),
        };
        case.steps.push(Step {
            line: lineno,
            text: line.to_owned(),
            action,
        });
    }
    Ok(Script {
        path: path.to_path_buf(),
        flow: flow.to_owned(),
        lines,
        cases,
    })
}

/// Reads an optional `----` block right after a receive line: lines up to a blank line.
fn read_block(lines: &[String], i: &mut usize) -> Expect {
    let start = *i;
    if lines.get(start).map(|l| l.trim()) != Some("----") {
        return Expect::default();
    }
    let mut end = start + 1;
    let mut got = Vec::new();
    while let Some(l) = lines.get(end) {
        if l.trim().is_empty() {
            break;
        }
        got.push(l.trim().to_owned());
        end += 1;
    }
    *i = end;
    Expect {
        lines: Some(got),
        block: Some((start, end)),
    }
}

fn single(rest: &str) -> Result<String, String> {
    match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
        [one] => Ok((*one).to_owned()),
        _ => Err(format!("expected one word, got {rest:?}")),
    }
}

fn parse_startup(rest: &str) -> Result<Startup, String> {
    match rest {
        "auto" => Ok(Startup::Auto),
        "raw" => Ok(Startup::Raw),
        other => Err(format!("startup {other:?} must be `auto` or `raw`")),
    }
}

fn parse_duration(rest: &str) -> Result<Duration, String> {
    let ms = rest
        .strip_suffix("ms")
        .and_then(|n| n.parse::<u64>().ok())
        .or_else(|| {
            rest.strip_suffix('s')
                .and_then(|n| n.parse::<u64>().ok())
                .map(|s| s * 1000)
        })
        .ok_or_else(|| format!("duration {rest:?} must look like 300ms or 2s"))?;
    if ms > 30_000 {
        return Err("sleeps are capped at 30s".into());
    }
    Ok(Duration::from_millis(ms))
}

/// A directive's bare words and its `key=value` options.
type Options = (Vec<String>, Vec<(String, String)>);

fn pairs(rest: &str) -> Result<Options, String> {
    let mut words = Vec::new();
    let mut kv = Vec::new();
    for t in tokens(rest)? {
        match t {
            Token::Word(w) => words.push(w),
            Token::Pair(k, v) => {
                let v = super::lex::as_bytes(&k, v)?;
                kv.push((k, String::from_utf8_lossy(&v).into_owned()));
            }
        }
    }
    Ok((words, kv))
}

fn parse_auth(rest: &str) -> Result<AuthHow, String> {
    let (words, kv) = pairs(rest)?;
    let mut how = AuthHow::default();
    for w in words {
        match w.as_str() {
            "bad_proof" => how.bad_proof = true,
            "bad_nonce" => how.bad_nonce = true,
            other => return Err(format!("unknown auth option `{other}`")),
        }
    }
    for (k, v) in kv {
        match k.as_str() {
            "password" => how.password = Some(v),
            other => return Err(format!("unknown auth option `{other}=`")),
        }
    }
    Ok(how)
}

fn parse_connect(rest: &str) -> Result<Action, String> {
    let (words, kv) = pairs(rest)?;
    let [name] = words.as_slice() else {
        return Err("`connect NAME [profile=P] [startup=auto|raw]`".into());
    };
    let mut profile = None;
    let mut startup = Startup::Auto;
    for (k, v) in kv {
        match k.as_str() {
            "profile" => profile = Some(v),
            "startup" => startup = parse_startup(&v)?,
            other => return Err(format!("unknown connect option `{other}=`")),
        }
    }
    Ok(Action::Connect {
        name: name.clone(),
        profile,
        startup,
    })
}

fn parse_cancel(rest: &str) -> Result<Action, String> {
    let (words, kv) = pairs(rest)?;
    let mut wrong_key = false;
    for w in words {
        match w.as_str() {
            "wrong_key" => wrong_key = true,
            other => return Err(format!("unknown cancel option `{other}`")),
        }
    }
    let mut conn = None;
    for (k, v) in kv {
        match k.as_str() {
            "conn" => conn = Some(v),
            other => return Err(format!("unknown cancel option `{other}=`")),
        }
    }
    Ok(Action::Cancel { conn, wrong_key })
}

/// Every `*.pgs` under `dir` (recursively, sorted); the flow is the first directory below it.
pub fn collect_scripts(dir: &Path) -> Result<Vec<Script>, FlowError> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        let flow = match rel.components().next() {
            Some(c) if rel.components().count() > 1 => c.as_os_str().to_string_lossy().into_owned(),
            _ => "misc".to_owned(),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| FlowError::Io {
            path: path.clone(),
            source: e,
        })?;
        out.push(parse_script(&path, &flow, &text)?);
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), FlowError> {
    let io = |e| FlowError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "pgs") {
            out.push(path);
        }
    }
    Ok(())
}
