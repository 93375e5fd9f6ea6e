//! Ranges (`range_out`: `[1,5)`, `empty`, `(,3]`) and multiranges (`{[1,2),[5,7)}`).

use super::quote::doubled;
use super::{Reader, RenderContext, RenderError, render_nested};

const RANGE_EMPTY: u8 = 0x01;
const RANGE_LB_INC: u8 = 0x02;
const RANGE_UB_INC: u8 = 0x04;
const RANGE_LB_INF: u8 = 0x08;
const RANGE_UB_INF: u8 = 0x10;
const RANGE_LB_NULL: u8 = 0x20;
const RANGE_UB_NULL: u8 = 0x40;
/// Smallest encoding of one multirange member: length plus flags byte.
const MIN_MEMBER_SIZE: usize = 5;

pub(crate) fn render(
    type_name: &'static str,
    elem: u32,
    raw: &[u8],
    ctx: &RenderContext,
    depth: u32,
) -> Result<String, RenderError> {
    let mut r = Reader::new(type_name, raw);
    let flags = r.u8()?;
    if flags & RANGE_EMPTY != 0 {
        r.finish()?;
        return Ok("empty".to_string());
    }
    let mut out = String::new();
    out.push(if flags & RANGE_LB_INC != 0 { '[' } else { '(' });
    if flags & (RANGE_LB_INF | RANGE_LB_NULL) == 0 {
        bound(&mut r, &mut out, elem, ctx, depth)?;
    }
    out.push(',');
    if flags & (RANGE_UB_INF | RANGE_UB_NULL) == 0 {
        bound(&mut r, &mut out, elem, ctx, depth)?;
    }
    out.push(if flags & RANGE_UB_INC != 0 { ']' } else { ')' });
    r.finish()?;
    Ok(out)
}

fn bound(
    r: &mut Reader<'_>,
    out: &mut String,
    elem: u32,
    ctx: &RenderContext,
    depth: u32,
) -> Result<(), RenderError> {
    let bytes = r.sized()?.ok_or_else(|| r.error("NULL bound"))?;
    let value = render_nested(elem, bytes, ctx, depth + 1)?;
    doubled(out, &value, &['"', '\\', '(', ')', '[', ']', ',']);
    Ok(())
}

pub(crate) fn render_multi(
    type_name: &'static str,
    range: u32,
    raw: &[u8],
    ctx: &RenderContext,
    depth: u32,
) -> Result<String, RenderError> {
    let mut r = Reader::new(type_name, raw);
    let n = r.i32()?;
    let n = usize::try_from(n)
        .ok()
        .filter(|n| *n <= r.remaining() / MIN_MEMBER_SIZE)
        .ok_or_else(|| r.error(format!("bad range count {n}")))?;
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        let bytes = r.sized()?.ok_or_else(|| r.error("NULL range"))?;
        parts.push(render_nested(range, bytes, ctx, depth + 1)?);
    }
    r.finish()?;
    Ok(format!("{{{}}}", parts.join(",")))
}
