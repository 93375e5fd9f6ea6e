//! Frontend message bodies, read in the order PostgreSQL 15's `exec_*` functions read them
//! and failing with the same errors, then built as pgwire messages. pgwire's own decoder
//! never sees client bytes, so malformed input cannot panic it.

use bytes::Bytes;
use pgwire::messages::PgWireFrontendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail};
use pgwire::messages::extendedquery::{Bind, Close, Describe, Execute, Flush, Parse, Sync};
use pgwire::messages::simplequery::Query;

use super::frame::{Cursor, CursorResult, WireError, error, utf8};

/// What a frame asks of the connection loop.
pub enum Decoded {
    Message(PgWireFrontendMessage),
    /// A message PostgreSQL accepts that this server answers with an error (FunctionCall).
    Unsupported(WireError),
}

/// Empty names are the unnamed statement/portal (`None` in pgwire).
fn name(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Decode one frame whose type byte is already known to be a frontend message type.
pub fn decode(tag: u8, body: &[u8]) -> CursorResult<Decoded> {
    let mut c = Cursor::new(body);
    let msg = match tag {
        b'Q' => {
            let sql = c.string()?;
            c.end()?;
            PgWireFrontendMessage::Query(Query::new(sql))
        }
        b'P' => {
            let stmt = c.string()?;
            let sql = c.string()?;
            let n = c.u16()?;
            let mut types = Vec::new();
            for _ in 0..n {
                types.push(c.i32()? as u32);
            }
            c.end()?;
            PgWireFrontendMessage::Parse(Parse::new(name(stmt), sql, types))
        }
        b'B' => bind(&mut c)?,
        b'E' => {
            let portal = c.string()?;
            let max = c.i32()?;
            c.end()?;
            // PostgreSQL treats zero and negative counts alike: fetch all.
            PgWireFrontendMessage::Execute(Execute::new(name(portal), max.max(0)))
        }
        b'D' | b'C' => {
            let kind = c.byte()?;
            let target = c.string()?;
            c.end()?;
            if kind != b'S' && kind != b'P' {
                let what = if tag == b'D' { "DESCRIBE" } else { "CLOSE" };
                return Err(error(
                    "ERROR",
                    "08P01",
                    format!("invalid {what} message subtype {kind}"),
                ));
            }
            if tag == b'D' {
                PgWireFrontendMessage::Describe(Describe::new(kind, name(target)))
            } else {
                PgWireFrontendMessage::Close(Close::new(kind, name(target)))
            }
        }
        b'H' => {
            c.end()?;
            PgWireFrontendMessage::Flush(Flush::new())
        }
        b'S' => {
            c.end()?;
            PgWireFrontendMessage::Sync(Sync::new())
        }
        b'd' => {
            PgWireFrontendMessage::CopyData(CopyData::new(Bytes::copy_from_slice(c.remaining())))
        }
        b'c' => PgWireFrontendMessage::CopyDone(CopyDone::new()),
        b'f' => {
            let raw = c.raw_string().unwrap_or_default();
            PgWireFrontendMessage::CopyFail(CopyFail::new(
                String::from_utf8_lossy(raw).into_owned(),
            ))
        }
        _ => {
            return Ok(Decoded::Unsupported(error(
                "ERROR",
                "0A000",
                "fastpath function calls are not supported",
            )));
        }
    };
    Ok(Decoded::Message(msg))
}

/// Bind, with the parameter context PostgreSQL adds while reading parameter values.
fn bind(c: &mut Cursor<'_>) -> CursorResult<PgWireFrontendMessage> {
    let portal = c.string()?;
    let stmt = c.string()?;
    let nformats = c.u16()?;
    let mut formats = Vec::new();
    for _ in 0..nformats {
        formats.push(c.i16()?);
    }
    let nparams = c.u16()?;
    if nformats > 1 && nformats != nparams {
        return Err(error(
            "ERROR",
            "08P01",
            format!("bind message has {nformats} parameter formats but {nparams} parameters"),
        ));
    }
    let mut params = Vec::new();
    for i in 0..usize::from(nparams) {
        let context = |mut e: WireError| {
            e.where_context = Some(if portal.is_empty() {
                format!("unnamed portal parameter ${}", i + 1)
            } else {
                format!("portal \"{portal}\" parameter ${}", i + 1)
            });
            e
        };
        let len = c.i32().map_err(context)?;
        if len == -1 {
            params.push(None);
            continue;
        }
        let value = c.bytes(i64::from(len)).map_err(context)?;
        let format = match formats.len() {
            0 => 0,
            1 => formats.first().copied().unwrap_or(0),
            _ => formats.get(i).copied().unwrap_or(0),
        };
        match format {
            0 => {
                utf8(value).map_err(context)?;
            }
            1 => {}
            f => {
                return Err(context(error(
                    "ERROR",
                    "22023",
                    format!("unsupported format code: {f}"),
                )));
            }
        }
        params.push(Some(Bytes::copy_from_slice(value)));
    }
    let nresults = c.u16()?;
    let mut results = Vec::new();
    for _ in 0..nresults {
        let f = c.i16()?;
        if f != 0 && f != 1 {
            return Err(error(
                "ERROR",
                "22023",
                format!("unsupported format code: {f}"),
            ));
        }
        results.push(f);
    }
    c.end()?;
    Ok(PgWireFrontendMessage::Bind(Bind::new(
        name(portal),
        name(stmt),
        formats,
        params,
        results,
    )))
}
