//! The StartupMessage body, parsed with PostgreSQL 15's `ProcessStartupPacket` rules, and
//! the `options` parameter's command-line switches (`-c name=value`, `--name=value`).

use super::frame::{WireError, error};

pub const CANCEL_REQUEST_CODE: u32 = (1234 << 16) | 5678;
pub const SSL_REQUEST_CODE: u32 = (1234 << 16) | 5679;
pub const GSSENC_REQUEST_CODE: u32 = (1234 << 16) | 5680;

/// What the client asked for in its StartupMessage.
#[derive(Debug, Default)]
pub struct StartupParams {
    /// Raw bytes: PostgreSQL does not validate the encoding of these names.
    pub user: Vec<u8>,
    pub database: Vec<u8>,
    pub options: Option<String>,
    /// Other parameters, in packet order: settings to apply.
    pub settings: Vec<(String, String)>,
    /// `_pq_.*` protocol options this server does not know (all of them).
    pub unknown_protocol_options: Vec<String>,
}

fn cstr(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parse the name/value pairs after the 4-byte protocol version (`body` excludes the length
/// word but includes the version), exactly as PostgreSQL walks them.
pub fn parse(body: &[u8]) -> Result<StartupParams, WireError> {
    let len = body.len();
    let mut params = StartupParams::default();
    let mut offset = 4;
    while offset < len {
        let rest = body.get(offset..).unwrap_or_default();
        let name = cstr(rest);
        if name.is_empty() {
            break;
        }
        let value_offset = offset + name.len() + 1;
        if value_offset >= len {
            break;
        }
        let value = cstr(body.get(value_offset..).unwrap_or_default());
        match name {
            b"database" => params.database = value.to_vec(),
            b"user" => params.user = value.to_vec(),
            b"options" => params.options = Some(text(value)),
            b"replication" => {}
            n if n.starts_with(b"_pq_.") => params.unknown_protocol_options.push(text(n)),
            n => params.settings.push((text(n), text(value))),
        }
        offset = value_offset + value.len() + 1;
    }
    if offset + 1 != len {
        return Err(error(
            "FATAL",
            "08P01",
            "invalid startup packet layout: expected terminator as last byte",
        ));
    }
    Ok(params)
}

/// `pg_split_opts`: whitespace-separated words, backslash escapes the next character.
fn split_options(options: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = options.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_ascii_whitespace()) {
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
            } else {
                word.push(c);
            }
        }
        words.push(word);
    }
    words
}

/// `ParseLongOption`: `name=value`, with dashes in the name read as underscores.
fn long_option(arg: &str, switch: &str) -> Result<(String, String), WireError> {
    match arg.split_once('=') {
        Some((name, value)) => Ok((name.replace('-', "_"), value.to_owned())),
        None => Err(error(
            "FATAL",
            "42601",
            format!("{switch}{arg} requires a value"),
        )),
    }
}

/// The settings named by the `options` startup parameter, in order.
pub fn options_settings(options: &str) -> Result<Vec<(String, String)>, WireError> {
    let words = split_options(options);
    let mut out = Vec::new();
    let mut it = words.iter();
    while let Some(word) = it.next() {
        if let Some(long) = word.strip_prefix("--") {
            out.push(long_option(long, "--")?);
        } else if let Some(attached) = word.strip_prefix("-c") {
            let arg = if attached.is_empty() {
                it.next().map(String::as_str).unwrap_or_default()
            } else {
                attached
            };
            out.push(long_option(arg, "-c ")?);
        } else {
            return Err(error(
                "FATAL",
                "42601",
                format!("invalid command-line argument for server process: {word}"),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_split_and_escape() {
        let got = options_settings(r"-c DateStyle=SQL,YMD --search-path=a\ b -cwork_mem=1MB");
        let got = got.map_err(|e| e.message);
        assert_eq!(
            got,
            Ok(vec![
                ("DateStyle".into(), "SQL,YMD".into()),
                ("search_path".into(), "a b".into()),
                ("work_mem".into(), "1MB".into()),
            ])
        );
        assert!(options_settings("-c nothing").is_err());
        assert!(options_settings("-x").is_err());
    }

    #[test]
    fn layout_needs_final_terminator() {
        let ok = b"\x00\x03\x00\x00user\x00bob\x00\x00";
        assert!(parse(ok).is_ok_and(|p| p.user == b"bob"));
        assert!(parse(b"\x00\x03\x00\x00user\x00bob\x00").is_err());
        assert!(parse(b"\x00\x03\x00\x00user\x00bob\x00database\x00\x00").is_err());
        assert!(parse(b"\x00\x03\x00\x00\x00").is_ok_and(|p| p.user.is_empty()));
    }
}
