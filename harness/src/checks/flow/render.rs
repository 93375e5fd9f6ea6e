//! Backend messages as transcript lines: every field a script might compare, and nothing that
//! legitimately varies between runs (process ids, secret keys, salts, SCRAM nonces).
//!
//! Lines are `Name positional... key=value...` in the script lexer's syntax, so a comparison
//! can later drop the parts a case does not compare ([`super::compare`]).

use super::lex::quote;
use crate::wire::{BackendMessage as M, ErrorFields, FieldDesc};

/// The first user-defined OID: types at or above it get different OIDs in every database.
const FIRST_USER_OID: u32 = 16384;

pub fn render(msg: &M) -> String {
    let name = msg.name();
    match msg {
        M::AuthenticationSasl { mechanisms } => {
            let mut out = name.to_owned();
            for m in mechanisms {
                out.push(' ');
                out.push_str(&quote(m.as_bytes()));
            }
            out
        }
        M::AuthenticationOther { code, .. } => format!("{name} code={code}"),
        M::ParameterStatus { name: p, value } => {
            format!("{name} {}={}", word_or_quote(p), quote(value.as_bytes()))
        }
        M::ReadyForQuery { status } => format!("{name} {}", char::from(*status)),
        M::RowDescription { fields } => {
            let cols: Vec<String> = fields.iter().map(column).collect();
            if cols.is_empty() {
                name.to_owned()
            } else {
                format!("{name} {}", cols.join(" | "))
            }
        }
        M::DataRow { values } => {
            let mut out = name.to_owned();
            for v in values {
                out.push(' ');
                match v {
                    Some(b) => out.push_str(&quote(b)),
                    None => out.push_str("NULL"),
                }
            }
            out
        }
        M::CommandComplete { tag } => format!("{name} {}", quote(tag.as_bytes())),
        M::ErrorResponse(f) | M::NoticeResponse(f) => format!("{name} {}", error(f)),
        M::ParameterDescription { types } => {
            let mut out = name.to_owned();
            for t in types {
                out.push(' ');
                out.push_str(&type_name(*t));
            }
            out
        }
        M::CopyInResponse {
            format,
            column_formats,
        }
        | M::CopyOutResponse {
            format,
            column_formats,
        }
        | M::CopyBothResponse {
            format,
            column_formats,
        } => {
            let cols: Vec<String> = column_formats.iter().map(i16::to_string).collect();
            format!("{name} format={format} columns=[{}]", cols.join(","))
        }
        M::CopyData(data) => format!("{name} {}", quote(data)),
        M::NegotiateProtocolVersion {
            newest_minor,
            unrecognized,
        } => {
            let mut out = format!("{name} minor={newest_minor}");
            for u in unrecognized {
                out.push(' ');
                out.push_str(&quote(u.as_bytes()));
            }
            out
        }
        M::NotificationResponse {
            channel, payload, ..
        } => format!(
            "{name} channel={} payload={}",
            quote(channel.as_bytes()),
            quote(payload.as_bytes())
        ),
        M::FunctionCallResponse { value } => match value {
            Some(v) => format!("{name} {}", quote(v)),
            None => format!("{name} NULL"),
        },
        M::EncryptionResponse { accepted } => {
            format!("{name} {}", if *accepted { "accepted" } else { "refused" })
        }
        M::Unknown { tag, body } => format!("{name} tag={} {}", quote(&[*tag]), quote(body)),
        // Salts, SCRAM data, process ids and secret keys change every time.
        M::AuthenticationMd5Password { .. }
        | M::AuthenticationGssContinue { .. }
        | M::AuthenticationSaslContinue { .. }
        | M::AuthenticationSaslFinal { .. }
        | M::BackendKeyData { .. }
        | M::AuthenticationOk
        | M::AuthenticationKerberosV5
        | M::AuthenticationCleartextPassword
        | M::AuthenticationGss
        | M::AuthenticationSspi
        | M::EmptyQueryResponse
        | M::ParseComplete
        | M::BindComplete
        | M::CloseComplete
        | M::NoData
        | M::PortalSuspended
        | M::CopyDone => name.to_owned(),
    }
}

fn column(f: &FieldDesc) -> String {
    let table = if f.table_oid == 0 { "0" } else { "*" };
    format!(
        "{} {} mod={} fmt={} table={table} col={}",
        quote(f.name.as_bytes()),
        type_name(f.type_oid),
        f.type_modifier,
        f.format,
        f.column_id
    )
}

/// Built-in types by name; user-defined ones only as such (their OIDs differ per database).
fn type_name(oid: u32) -> String {
    match postgres_types::Type::from_oid(oid) {
        Some(t) => t.name().to_owned(),
        None if oid >= FIRST_USER_OID => "user_type".to_owned(),
        None => format!("oid{oid}"),
    }
}

/// `ERROR 42601 message="..." detail=... hint=... position=N fields=CMPSV`. Source-location
/// fields (F, L, R) are PostgreSQL internals and are left out, also from `fields`.
fn error(f: &ErrorFields) -> String {
    let mut out = format!(
        "{} {}",
        word_or_quote(f.severity().unwrap_or("?")),
        word_or_quote(f.code().unwrap_or("?"))
    );
    for (code, key) in [
        (b'M', "message"),
        (b'D', "detail"),
        (b'H', "hint"),
        (b'P', "position"),
    ] {
        if let Some(v) = f.get(code) {
            out.push_str(&format!(" {key}={}", quote(v.as_bytes())));
        }
    }
    let mut codes: Vec<char> = f
        .fields
        .iter()
        .map(|(c, _)| char::from(*c))
        .filter(|c| !matches!(c, 'F' | 'L' | 'R'))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    out.push_str(" fields=");
    out.extend(codes);
    out
}

/// A bare word when it is one (letters, digits, `_ . -`), else quoted.
pub fn word_or_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '*'))
    {
        s.to_owned()
    } else {
        quote(s.as_bytes())
    }
}
