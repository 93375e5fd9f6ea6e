//! `send` lines: one frontend message written as `Type key=value ...`.

use super::lex::{Fields, Value, as_bytes, tokens};
use crate::wire::FrontendMessage;

/// Fills `${user}`, `${password}` and `${database}` from the connection's profile.
pub fn substitute(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("${{{name}}}"), value);
    }
    out
}

/// Parses `Type key=value ...` into the message to send.
pub fn parse_send(text: &str) -> Result<FrontendMessage, String> {
    let text = text.trim();
    let (kind, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let mut f = Fields::new(tokens(rest)?)?;
    use FrontendMessage as M;
    let msg = match kind {
        "Startup" => {
            let version = match f.take("version") {
                Some(Value::Word(v)) => parse_version(&v)?,
                Some(_) => return Err("`version` must look like 3.0".into()),
                None => (3, 0),
            };
            let mut params = Vec::new();
            for (k, v) in f.rest() {
                let v = as_bytes(&k, v)?;
                let v = String::from_utf8(v).map_err(|_| format!("`{k}` must be UTF-8"))?;
                params.push((k, v));
            }
            return Ok(M::Startup { version, params });
        }
        "SSLRequest" => M::SslRequest,
        "GSSENCRequest" => M::GssEncRequest,
        "CancelRequest" => M::CancelRequest {
            pid: f.int("pid")?.unwrap_or(0),
            key: f.bytes("key")?.unwrap_or_default(),
        },
        "Password" => M::Password(f.bytes("password")?.unwrap_or_default()),
        "SASLInitialResponse" => M::SaslInitial {
            mechanism: f.text("mechanism")?.unwrap_or_default(),
            data: f.bytes("data")?.unwrap_or_default(),
        },
        "SASLResponse" => M::SaslResponse(f.bytes("data")?.unwrap_or_default()),
        "Query" => M::Query(f.text("sql")?.unwrap_or_default()),
        "Parse" => M::Parse {
            name: f.text("name")?.unwrap_or_default(),
            sql: f.text("sql")?.unwrap_or_default(),
            param_types: f.ints("types")?,
        },
        "Bind" => M::Bind {
            portal: f.text("portal")?.unwrap_or_default(),
            statement: f.text("stmt")?.unwrap_or_default(),
            param_formats: f.ints("formats")?,
            params: f.values("params")?,
            result_formats: f.ints("results")?,
        },
        "Describe" => M::Describe {
            kind: kind_byte(f.text("kind")?)?,
            name: f.text("name")?.unwrap_or_default(),
        },
        "Execute" => M::Execute {
            portal: f.text("portal")?.unwrap_or_default(),
            max_rows: f.int("max")?.unwrap_or(0),
        },
        "Close" => M::Close {
            kind: kind_byte(f.text("kind")?)?,
            name: f.text("name")?.unwrap_or_default(),
        },
        "Sync" => M::Sync,
        "Flush" => M::Flush,
        "Terminate" => M::Terminate,
        "CopyData" => M::CopyData(f.bytes("data")?.unwrap_or_default()),
        "CopyDone" => M::CopyDone,
        "CopyFail" => M::CopyFail(f.text("msg")?.unwrap_or_default()),
        "Raw" => {
            let tag = match f.text("tag")?.as_deref() {
                None | Some("none") => None,
                Some(t) if t.len() == 1 => t.bytes().next(),
                Some(t) => return Err(format!("`tag={t}` must be one character or `none`")),
            };
            M::Raw {
                tag,
                declared_len: f.int("len")?,
                body: f.bytes("body")?.unwrap_or_default(),
            }
        }
        other => return Err(format!("unknown message type `{other}`")),
    };
    f.finish()?;
    Ok(msg)
}

fn parse_version(v: &str) -> Result<(u16, u16), String> {
    let (major, minor) = v.split_once('.').ok_or("`version` must look like 3.0")?;
    let bad = |_| format!("`version={v}` is not major.minor");
    Ok((major.parse().map_err(bad)?, minor.parse().map_err(bad)?))
}

fn kind_byte(kind: Option<String>) -> Result<u8, String> {
    match kind.as_deref() {
        Some("S") => Ok(b'S'),
        Some("P") => Ok(b'P'),
        Some(other) => {
            let mut bytes = other.bytes();
            match (bytes.next(), bytes.next()) {
                (Some(b), None) => Ok(b),
                _ => Err(format!("`kind={other}` must be one character (S or P)")),
            }
        }
        None => Err("`kind=S` or `kind=P` is required".into()),
    }
}
