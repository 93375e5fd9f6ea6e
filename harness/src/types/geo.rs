//! Geometric types; coordinates print like float8 (honouring extra_float_digits).

use super::float::float8;
use super::{Reader, RenderContext, RenderError};

/// Bytes per point on the wire, used to bound point counts before allocating.
const POINT_SIZE: usize = 16;

fn num(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    Ok(float8(r.f64()?, ctx.extra_float_digits))
}

pub(crate) fn point(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    Ok(format!("({},{})", num(r, ctx)?, num(r, ctx)?))
}

/// `count` points joined by commas.
fn points(r: &mut Reader<'_>, ctx: &RenderContext, count: usize) -> Result<String, RenderError> {
    (0..count)
        .map(|_| point(r, ctx))
        .collect::<Result<Vec<_>, _>>()
        .map(|p| p.join(","))
}

/// A point count from the wire, refused if the remaining bytes cannot hold that many points.
fn point_count(r: &mut Reader<'_>) -> Result<usize, RenderError> {
    let n = r.i32()?;
    match usize::try_from(n) {
        Ok(n) if n > 0 && n <= r.remaining() / POINT_SIZE => Ok(n),
        _ => Err(r.error(format!("bad point count {n}"))),
    }
}

pub(crate) fn lseg(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    Ok(format!("[{}]", points(r, ctx, 2)?))
}

pub(crate) fn boxed(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    points(r, ctx, 2)
}

pub(crate) fn line(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    Ok(format!(
        "{{{},{},{}}}",
        num(r, ctx)?,
        num(r, ctx)?,
        num(r, ctx)?
    ))
}

pub(crate) fn path(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    let closed = r.u8()? != 0;
    let n = point_count(r)?;
    let body = points(r, ctx, n)?;
    Ok(if closed {
        format!("({body})")
    } else {
        format!("[{body}]")
    })
}

pub(crate) fn polygon(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    let n = point_count(r)?;
    Ok(format!("({})", points(r, ctx, n)?))
}

pub(crate) fn circle(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    let center = point(r, ctx)?;
    Ok(format!("<{center},{}>", num(r, ctx)?))
}
