//! Anonymous records (`record_out`): `(1,abc,,"a b")`, NULL fields empty.

use super::quote::doubled;
use super::{Reader, RenderContext, RenderError, render_nested};

/// Smallest encoding of one field: OID plus length.
const MIN_FIELD_SIZE: usize = 8;

pub(crate) fn render(raw: &[u8], ctx: &RenderContext, depth: u32) -> Result<String, RenderError> {
    let mut r = Reader::new("record", raw);
    let n = r.i32()?;
    let n = usize::try_from(n)
        .ok()
        .filter(|n| *n <= r.remaining() / MIN_FIELD_SIZE)
        .ok_or_else(|| r.error(format!("bad field count {n}")))?;
    let mut out = String::from("(");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let oid = r.u32()?;
        if let Some(bytes) = r.sized()? {
            let value = render_nested(oid, bytes, ctx, depth + 1)?;
            doubled(&mut out, &value, &['"', '\\', '(', ')', ',']);
        }
    }
    r.finish()?;
    out.push(')');
    Ok(out)
}
