//! inet/cidr and macaddr/macaddr8.

use std::fmt::Write as _;

use super::{Reader, RenderError};

const PGSQL_AF_INET: u8 = 2;
const PGSQL_AF_INET6: u8 = 3;

/// inet/cidr: family, mask bits, is-cidr flag, address length, address. Printed like
/// PostgreSQL's `inet_net_ntop`: all four IPv4 octets, IPv6 with `::` compression and embedded
/// IPv4 for mapped/compatible addresses, `/bits` unless the mask is full; cidr always shows
/// `/bits`.
pub(crate) fn inet(r: &mut Reader<'_>) -> Result<String, RenderError> {
    let family = r.u8()?;
    let bits = r.u8()?;
    let is_cidr = r.u8()? != 0;
    let len = r.u8()?;
    let (max_bits, want_len) = match family {
        PGSQL_AF_INET => (32, 4),
        PGSQL_AF_INET6 => (128, 16),
        other => return Err(r.error(format!("unknown address family {other}"))),
    };
    if len != want_len {
        return Err(r.error(format!("address length {len}, expected {want_len}")));
    }
    if bits > max_bits {
        return Err(r.error(format!("mask length {bits} exceeds {max_bits}")));
    }
    let addr = r.take(usize::from(len))?;
    let mut out = if family == PGSQL_AF_INET {
        ipv4(addr)
    } else {
        ipv6(addr)
    };
    if bits != max_bits || is_cidr {
        let _ = write!(out, "/{bits}");
    }
    Ok(out)
}

fn ipv4(addr: &[u8]) -> String {
    addr.iter().map(u8::to_string).collect::<Vec<_>>().join(".")
}

/// BIND's `inet_net_ntop_ipv6` layout, which PostgreSQL uses.
fn ipv6(addr: &[u8]) -> String {
    let mut words = [0u16; 8];
    for (w, pair) in words.iter_mut().zip(addr.chunks(2)) {
        *w = pair.iter().fold(0u16, |acc, b| (acc << 8) | u16::from(*b));
    }
    // The longest run (first wins on ties) of at least two zero words becomes "::".
    let mut best: Option<(usize, usize)> = None;
    let mut cur: Option<(usize, usize)> = None;
    for (i, w) in words.iter().enumerate() {
        if *w == 0 {
            cur = Some(cur.map_or((i, 1), |(b, l)| (b, l + 1)));
        } else if let Some(c) = cur.take()
            && best.is_none_or(|b| c.1 > b.1)
        {
            best = Some(c);
        }
    }
    if let Some(c) = cur
        && best.is_none_or(|b| c.1 > b.1)
    {
        best = Some(c);
    }
    let best = best.filter(|b| b.1 >= 2);
    let mut out = String::with_capacity(40);
    for (i, w) in words.iter().enumerate() {
        if let Some((base, len)) = best
            && (base..base + len).contains(&i)
        {
            if i == base {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        let embedded_v4 = i == 6
            && best.is_some_and(|(base, len)| {
                base == 0
                    && (len == 6 || (len == 7 && words[7] != 1) || (len == 5 && words[5] == 0xffff))
            });
        if embedded_v4 {
            out.push_str(&ipv4(addr.get(12..16).unwrap_or_default()));
            break;
        }
        let _ = write!(out, "{w:x}");
    }
    if best.is_some_and(|(base, len)| base + len == 8) {
        out.push(':');
    }
    out
}

/// macaddr / macaddr8: colon-separated lowercase hex bytes.
pub(crate) fn macaddr(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}
