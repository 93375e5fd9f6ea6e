//! Rendering values received in binary format exactly as PostgreSQL 15 renders them as text.
//!
//! The extended-protocol lane of the SQL suites asks for binary results, while the expected
//! results were recorded from PostgreSQL as text; [`render_binary`] bridges the two so both
//! lanes compare against the same strings. Every input is untrusted: unknown types and
//! malformed bytes come back as a [`RenderError`], never a panic or an unbounded allocation.
//!
//! Known deliberate differences from PostgreSQL: the `reg*` types (`regclass`, `regtype`, ...)
//! travel as bare OIDs, and naming them needs the server's catalog, so they render as the
//! number (`0` as `-`, as PostgreSQL does); PostgreSQL prints a name when the OID exists.
//! `regtype` values naming a built-in type are the exception: their names are known here.

mod array;
mod context;
mod datetime;
mod float;
mod geo;
mod interval;
mod misc;
mod net;
mod numeric;
mod oids;
mod quote;
mod range;
mod reader;
mod record;
mod tz;

pub use context::RenderContext;

use oids::Kind;
use reader::Reader;

/// Why a binary value could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No renderer for this type OID (extension or user-defined types, or types not covered).
    #[error("unknown type oid {0}")]
    UnknownType(u32),
    /// The bytes are not a valid binary value of the type.
    #[error("malformed binary {type_name} value: {reason}")]
    Malformed { type_name: String, reason: String },
    /// A setting (DateStyle, IntervalStyle, TimeZone, ...) this renderer cannot reproduce.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Renders one non-NULL value that the server sent in binary format as PostgreSQL would have
/// sent it in text format under the session settings in `ctx`.
pub fn render_binary(
    type_oid: u32,
    raw: &[u8],
    ctx: &RenderContext,
) -> Result<String, RenderError> {
    render_nested(type_oid, raw, ctx, 0)
}

/// Containers nested deeper than this (records inside records ...) are refused, so hostile
/// input cannot exhaust the stack.
const MAX_DEPTH: u32 = 32;

/// [`render_binary`] for a value `depth` containers deep.
fn render_nested(
    type_oid: u32,
    raw: &[u8],
    ctx: &RenderContext,
    depth: u32,
) -> Result<String, RenderError> {
    if depth > MAX_DEPTH {
        return Err(RenderError::Unsupported(format!(
            "values nested more than {MAX_DEPTH} deep"
        )));
    }
    let info = oids::lookup(type_oid).ok_or(RenderError::UnknownType(type_oid))?;
    let mut r = Reader::new(info.name, raw);
    let out = match info.kind {
        Kind::Array(elem) => return array::render(info.name, elem, raw, ctx, depth),
        Kind::Vector => return array::render_vector(info.name, raw, ctx, depth),
        Kind::Range(elem) => return range::render(info.name, elem, raw, ctx, depth),
        Kind::Multirange(range) => return range::render_multi(info.name, range, raw, ctx, depth),
        Kind::Record => return record::render(raw, ctx, depth),
        Kind::Text => return misc::text(info.name, raw),
        Kind::Jsonb => return misc::jsonb(raw),
        Kind::Bytea => return misc::bytea(raw, ctx),
        Kind::Bit => return misc::bit(info.name, raw),
        Kind::Numeric => return numeric::render(raw),
        Kind::Bool => misc::bool(&mut r)?,
        Kind::Int2 => r.i16()?.to_string(),
        Kind::Int4 => r.i32()?.to_string(),
        Kind::Int8 => r.i64()?.to_string(),
        Kind::Uint4 => r.u32()?.to_string(),
        Kind::Uint8 => r.u64()?.to_string(),
        Kind::RegOid => match r.u32()? {
            0 => "-".to_string(),
            oid if type_oid == oids::REGTYPE => {
                oids::format_type(oid).unwrap_or_else(|| oid.to_string())
            }
            oid => oid.to_string(),
        },
        Kind::Float4 => float::float4(r.f32()?, ctx.extra_float_digits),
        Kind::Float8 => float::float8(r.f64()?, ctx.extra_float_digits),
        Kind::Char => misc::char(&mut r)?,
        Kind::Date => datetime::date(r.i32()?, ctx)?,
        Kind::Time => datetime::time(r.i64()?)?,
        Kind::TimeTz => datetime::timetz(r.i64()?, r.i32()?)?,
        Kind::Timestamp => datetime::timestamp(r.i64()?, ctx)?,
        Kind::TimestampTz => datetime::timestamptz(r.i64()?, ctx)?,
        Kind::Interval => interval::render(&mut r, ctx)?,
        Kind::Uuid => misc::uuid(&mut r)?,
        Kind::Inet => net::inet(&mut r)?,
        Kind::Macaddr => net::macaddr(r.take(6)?),
        Kind::Macaddr8 => net::macaddr(r.take(8)?),
        Kind::Money => misc::money(r.i64()?),
        Kind::Tid => format!("({},{})", r.u32()?, r.u16()?),
        Kind::PgLsn => {
            let lsn = r.u64()?;
            format!("{:X}/{:X}", lsn >> 32, lsn & 0xffff_ffff)
        }
        Kind::Point => geo::point(&mut r, ctx)?,
        Kind::Lseg => geo::lseg(&mut r, ctx)?,
        Kind::Box => geo::boxed(&mut r, ctx)?,
        Kind::Line => geo::line(&mut r, ctx)?,
        Kind::Path => geo::path(&mut r, ctx)?,
        Kind::Polygon => geo::polygon(&mut r, ctx)?,
        Kind::Circle => geo::circle(&mut r, ctx)?,
    };
    r.finish()?;
    Ok(out)
}

/// PostgreSQL's `typname` for a built-in type OID this module knows (`"int4"`, `"_text"`).
pub fn type_name(oid: u32) -> Option<&'static str> {
    oids::lookup(oid).map(|t| t.name)
}

/// The sqllogictest column-type letter: `I` integers, `R` floating/numeric, `T` text-like,
/// `B` bool, `D` date/time, `?` anything else.
pub fn type_letter(oid: u32) -> char {
    match oids::lookup(oid).map(|t| (t.name, t.kind)) {
        Some((_, Kind::Int2 | Kind::Int4 | Kind::Int8)) | Some(("oid", _)) => 'I',
        Some((_, Kind::Float4 | Kind::Float8 | Kind::Numeric)) => 'R',
        Some(("text" | "varchar" | "bpchar" | "name" | "char", _)) => 'T',
        Some((_, Kind::Bool)) => 'B',
        Some((
            _,
            Kind::Date
            | Kind::Time
            | Kind::TimeTz
            | Kind::Timestamp
            | Kind::TimestampTz
            | Kind::Interval,
        )) => 'D',
        _ => '?',
    }
}

#[cfg(test)]
mod tests;
