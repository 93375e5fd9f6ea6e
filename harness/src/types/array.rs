//! Arrays (`array_out`) and the int2vector/oidvector types that share their wire format.

use std::fmt::Write as _;

use super::oids::{self, Kind};
use super::quote::array_element;
use super::{Reader, RenderContext, RenderError, render_nested};

/// PostgreSQL's `MAXDIM`.
const MAX_DIMS: usize = 6;
/// The smallest encoding of one element: its 4-byte length (-1 for NULL).
const MIN_ELEMENT_SIZE: usize = 4;

/// A decoded array header: element type, (length, lower bound) per dimension, element count.
struct Header {
    elem_oid: u32,
    dims: Vec<(usize, i32)>,
    count: usize,
}

/// Reads the header and checks the element count against the bytes left, so a hostile
/// header cannot make us allocate or loop for elements that are not there.
fn header(r: &mut Reader<'_>) -> Result<Header, RenderError> {
    let ndim = r.i32()?;
    let ndim = usize::try_from(ndim)
        .ok()
        .filter(|n| *n <= MAX_DIMS)
        .ok_or_else(|| r.error(format!("bad dimension count {ndim}")))?;
    let flags = r.i32()?;
    if flags != 0 && flags != 1 {
        return Err(r.error(format!("bad flags {flags}")));
    }
    let elem_oid = r.u32()?;
    let mut dims = Vec::with_capacity(ndim);
    let mut count: usize = if ndim == 0 { 0 } else { 1 };
    for _ in 0..ndim {
        let len = r.i32()?;
        let lower = r.i32()?;
        let len = usize::try_from(len).map_err(|_| r.error(format!("negative dimension {len}")))?;
        if i64::from(lower) + i64::try_from(len).unwrap_or(i64::MAX) - 1 > i64::from(i32::MAX) {
            return Err(r.error("upper bound overflows"));
        }
        count = count.saturating_mul(len);
        dims.push((len, lower));
    }
    if count > r.remaining() / MIN_ELEMENT_SIZE {
        return Err(r.error(format!(
            "{count} elements cannot fit in {} bytes",
            r.remaining()
        )));
    }
    Ok(Header {
        elem_oid,
        dims,
        count,
    })
}

/// The type to render elements as: the header's own element OID when known; for arrays of
/// records, composite types (not in our table) decode as records.
fn element_type(header_oid: u32, declared: u32) -> Result<u32, RenderError> {
    if oids::lookup(header_oid).is_some() {
        Ok(header_oid)
    } else if oids::lookup(declared).is_some_and(|t| t.kind == Kind::Record) {
        Ok(declared)
    } else {
        Err(RenderError::UnknownType(header_oid))
    }
}

pub(crate) fn render(
    type_name: &'static str,
    declared_elem: u32,
    raw: &[u8],
    ctx: &RenderContext,
    depth: u32,
) -> Result<String, RenderError> {
    let mut r = Reader::new(type_name, raw);
    let h = header(&mut r)?;
    if h.count == 0 {
        r.finish()?;
        return Ok("{}".to_string());
    }
    let elem = element_type(h.elem_oid, declared_elem)?;
    let delim = if elem == 603 { ';' } else { ',' };
    let mut values = Vec::with_capacity(h.count);
    for _ in 0..h.count {
        values.push(match r.sized()? {
            None => None,
            Some(bytes) => Some(render_nested(elem, bytes, ctx, depth + 1)?),
        });
    }
    r.finish()?;

    let mut out = String::new();
    if h.dims.iter().any(|(_, lower)| *lower != 1) {
        for (len, lower) in &h.dims {
            let upper = i64::from(*lower) + i64::try_from(*len).unwrap_or(0) - 1;
            let _ = write!(out, "[{lower}:{upper}]");
        }
        out.push('=');
    }
    let lens: Vec<usize> = h.dims.iter().map(|(len, _)| *len).collect();
    let mut items = values.iter();
    nest(&mut out, &lens, &mut items, delim);
    Ok(out)
}

/// Writes one brace level per dimension, elements in row-major order.
fn nest<'a>(
    out: &mut String,
    lens: &[usize],
    items: &mut impl Iterator<Item = &'a Option<String>>,
    delim: char,
) {
    let Some((len, inner)) = lens.split_first() else {
        return;
    };
    out.push('{');
    for i in 0..*len {
        if i > 0 {
            out.push(delim);
        }
        if inner.is_empty() {
            match items.next() {
                Some(Some(v)) => array_element(out, v, delim),
                _ => out.push_str("NULL"),
            }
        } else {
            nest(out, inner, items, delim);
        }
    }
    out.push('}');
}

/// int2vector / oidvector: a one-dimensional array printed as space-separated numbers.
pub(crate) fn render_vector(
    type_name: &'static str,
    raw: &[u8],
    ctx: &RenderContext,
    depth: u32,
) -> Result<String, RenderError> {
    let mut r = Reader::new(type_name, raw);
    let h = header(&mut r)?;
    if h.dims.len() > 1 {
        return Err(r.error("more than one dimension"));
    }
    let mut parts = Vec::with_capacity(h.count);
    for _ in 0..h.count {
        let bytes = r.sized()?.ok_or_else(|| r.error("NULL element"))?;
        parts.push(render_nested(h.elem_oid, bytes, ctx, depth + 1)?);
    }
    r.finish()?;
    Ok(parts.join(" "))
}
