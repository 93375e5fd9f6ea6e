//! The side-by-side transcript of a failing case: the script's sends, then each receive
//! step's messages from PostgreSQL and from the target on the same row.

use std::fmt::Write as _;

use super::script::{Action, Case};

/// Past this many cells the alignment falls back to pairing lines by position.
const MAX_LCS_CELLS: usize = 250_000;
/// The widest the left column is padded to; longer lines just push the separator right.
const MAX_LEFT: usize = 60;

/// How two step transcripts line up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Same(String),
    Changed(String, String),
    OnlyExpected(String),
    OnlyActual(String),
}

/// Aligns two line lists on a longest common subsequence, then pairs up neighbouring
/// removals and additions as changes.
pub fn align(expected: &[String], actual: &[String]) -> Vec<Row> {
    let (n, m) = (expected.len(), actual.len());
    let mut raw = Vec::new();
    if n.saturating_mul(m) > MAX_LCS_CELLS {
        for i in 0..n.max(m) {
            match (expected.get(i), actual.get(i)) {
                (Some(e), Some(a)) if e == a => raw.push(Row::Same(e.clone())),
                (Some(e), Some(a)) => raw.push(Row::Changed(e.clone(), a.clone())),
                (Some(e), None) => raw.push(Row::OnlyExpected(e.clone())),
                (None, Some(a)) => raw.push(Row::OnlyActual(a.clone())),
                (None, None) => {}
            }
        }
        return raw;
    }
    // lcs[i][j] = LCS length of expected[i..] and actual[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if expected.get(i) == actual.get(j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
            lcs[i][j] = v;
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        match (expected.get(i), actual.get(j)) {
            (Some(e), Some(a)) if e == a => {
                raw.push(Row::Same(e.clone()));
                i += 1;
                j += 1;
            }
            (Some(e), Some(_)) if lcs[i + 1][j] >= lcs[i][j + 1] => {
                raw.push(Row::OnlyExpected(e.clone()));
                i += 1;
            }
            (_, Some(a)) => {
                raw.push(Row::OnlyActual(a.clone()));
                j += 1;
            }
            (Some(e), None) => {
                raw.push(Row::OnlyExpected(e.clone()));
                i += 1;
            }
            (None, None) => break,
        }
    }
    pair_changes(raw)
}

/// Turns runs of `-` followed by `+` into `!` rows, position by position.
fn pair_changes(rows: Vec<Row>) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    let mut gone: Vec<String> = Vec::new();
    let mut came: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<Row>, gone: &mut Vec<String>, came: &mut Vec<String>| {
        let mut g = gone.drain(..);
        let mut c = came.drain(..);
        loop {
            match (g.next(), c.next()) {
                (Some(e), Some(a)) => out.push(Row::Changed(e, a)),
                (Some(e), None) => out.push(Row::OnlyExpected(e)),
                (None, Some(a)) => out.push(Row::OnlyActual(a)),
                (None, None) => break,
            }
        }
    };
    for row in rows {
        match row {
            Row::OnlyExpected(e) => gone.push(e),
            Row::OnlyActual(a) => came.push(a),
            same => {
                flush(&mut out, &mut gone, &mut came);
                out.push(same);
            }
        }
    }
    flush(&mut out, &mut gone, &mut came);
    out
}

/// The one-line summary of the first difference of one step.
pub fn first_difference(rows: &[Row]) -> Option<String> {
    rows.iter().find_map(|row| match row {
        Row::Same(_) => None,
        Row::Changed(e, a) => Some(format!("expected `{e}`, got `{a}`")),
        Row::OnlyExpected(e) => Some(format!("missing `{e}`")),
        Row::OnlyActual(a) => Some(format!("unexpected `{a}`")),
    })
}

/// Renders the whole case: send lines once, then every receive step side by side.
/// `steps` holds, per receive step index, the projected expected and actual lines.
pub fn side_by_side(
    case: &Case,
    titles: (&str, &str),
    steps: &[(usize, Vec<String>, Vec<String>)],
) -> String {
    let mut out = String::new();
    let width = steps
        .iter()
        .flat_map(|(_, e, _)| e.iter().map(|l| l.chars().count()))
        .max()
        .unwrap_or(0)
        .clamp(titles.0.len(), MAX_LEFT);
    let _ = writeln!(out, "line   {:<width$} | {}", titles.0, titles.1);
    for (index, step) in case.steps.iter().enumerate() {
        if step.action.expect().is_none() {
            let arrow = if matches!(step.action, Action::Send(_)) {
                '>'
            } else {
                '.'
            };
            let _ = writeln!(out, "{:>4} {arrow} {}", step.line, step.text);
            continue;
        }
        let _ = writeln!(out, "{:>4} < {}", step.line, step.text);
        let Some((_, expected, actual)) = steps.iter().find(|(i, _, _)| *i == index) else {
            let _ = writeln!(out, "       (not reached)");
            continue;
        };
        for row in align(expected, actual) {
            let (mark, left, right) = match &row {
                Row::Same(l) => (' ', l.as_str(), l.as_str()),
                Row::Changed(e, a) => ('!', e.as_str(), a.as_str()),
                Row::OnlyExpected(e) => ('-', e.as_str(), ""),
                Row::OnlyActual(a) => ('+', "", a.as_str()),
            };
            let _ = writeln!(out, "     {mark} {left:<width$} | {right}");
        }
    }
    out
}
