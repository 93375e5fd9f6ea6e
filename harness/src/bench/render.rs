//! The human-readable result: a header, one table line per row, then errors and notes.

use std::fmt::Write;

use super::outcome::{BenchReport, BenchRow};

/// The table `pgcompat bench` prints.
pub fn render_table(report: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "target:     {}", report.target);
    let _ = writeln!(out, "PostgreSQL: {}", report.postgres);
    let _ = writeln!(
        out,
        "run:        {}, {} build, {} cores\n",
        report.started_at, report.build_profile, report.cores
    );
    let header = ["benchmark", "target", "PostgreSQL", "ratio", "aim"];
    let lines: Vec<[String; 5]> = report.rows.iter().map(cells).collect();
    let width = |col: usize| {
        lines
            .iter()
            .map(|l| l.get(col).map_or(0, |c| c.chars().count()))
            .chain(header.get(col).map(|h| h.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let header_line: [String; 5] = header.map(str::to_owned);
    for line in std::iter::once(&header_line).chain(&lines) {
        let mut text = String::new();
        for (col, cell) in line.iter().enumerate() {
            let w = widths.get(col).copied().unwrap_or(0);
            if col == 0 {
                let _ = write!(text, "{cell:<w$}");
            } else {
                let _ = write!(text, "  {cell:>w$}");
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }
    for row in &report.rows {
        if let Some(e) = &row.error {
            let _ = writeln!(out, "\n{}: error: {e}", row.name);
        }
    }
    // Rows of one part share their notes: print each once.
    let mut printed: Vec<&str> = Vec::new();
    for row in &report.rows {
        for note in &row.notes {
            if !printed.contains(&note.as_str()) {
                printed.push(note);
                let _ = writeln!(out, "\nnote ({}): {note}", row.name);
            }
        }
    }
    out
}

fn cells(row: &BenchRow) -> [String; 5] {
    let unit = if row.aim.higher_is_better {
        format!("{} ({})", row.name, row.unit)
    } else {
        format!("{} ({}, lower is better)", row.name, row.unit)
    };
    let value = |v: Option<f64>| match v {
        Some(v) if row.unit == "s" => format!("{v:.3}"),
        Some(v) => format!("{v:.0}"),
        None => "-".to_owned(),
    };
    let ratio = match (row.ratio, &row.error) {
        (Some(r), _) => format!("{r:.2}×"),
        (None, Some(_)) => "error".to_owned(),
        (None, None) => "-".to_owned(),
    };
    let verdict = match row.meets_aim() {
        Some(true) => " met",
        Some(false) => " not met",
        None => "",
    };
    [
        unit,
        value(row.target),
        value(row.postgres),
        ratio,
        format!("≥ {}×{verdict}", row.aim.ratio),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{Aim, BenchError, BenchOptions};

    #[test]
    fn renders_numbers_ratios_and_errors() {
        let aim = Aim {
            ratio: 1.0,
            higher_is_better: true,
        };
        let report = BenchReport {
            started_at: "2026-11-24T00:00:00Z".into(),
            target: "t".into(),
            postgres: "p".into(),
            cores: 2,
            build_profile: "debug",
            options: BenchOptions::default(),
            rows: vec![
                BenchRow::new("pgbench -S -M simple", "tps", aim, Ok(1500.4), Ok(1000.0)),
                BenchRow::new(
                    "pgbench -S -M prepared",
                    "tps",
                    aim,
                    Err(BenchError::Pgbench("it broke".into())),
                    Ok(1000.0),
                ),
            ],
        };
        let text = render_table(&report);
        assert!(
            text.contains("pgbench -S -M simple (tps)      1500        1000  1.50×  ≥ 1× met"),
            "{text}"
        );
        assert!(text.contains("error: target: pgbench: it broke"), "{text}");
    }
}
