//! Reading pgbench's summary: the tps line and the transaction counts.

use super::error::BenchError;

/// What one pgbench run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PgbenchRun {
    /// Transactions per second, without the initial connection time.
    pub tps: f64,
    pub transactions: u64,
    /// Failed transactions (PostgreSQL 15's pgbench and later; 0 when not reported).
    pub failed: u64,
}

/// Parses pgbench's stdout. PostgreSQL 14 and later print one `tps = X (without initial
/// connection time)` line; older versions print an "including" and an "excluding connections
/// establishing" line, and the "excluding" one is taken.
pub fn parse_pgbench_output(stdout: &str) -> Result<PgbenchRun, BenchError> {
    let mut tps = None;
    let mut transactions = None;
    let mut failed = 0;
    for line in stdout.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("tps = ") {
            let (value, qualifier) = rest.split_once(' ').unwrap_or((rest, ""));
            let excludes_connections = !qualifier.contains("including");
            if tps.is_none() || excludes_connections {
                tps = Some(value.parse::<f64>().map_err(|_| bad("tps", line))?);
            }
        } else if let Some(rest) = line.strip_prefix("number of transactions actually processed:") {
            // "29081", or "29081/30000" with -t.
            let done = rest.trim().split('/').next().unwrap_or("");
            transactions = Some(done.parse::<u64>().map_err(|_| bad("transactions", line))?);
        } else if let Some(rest) = line.strip_prefix("number of failed transactions:") {
            let count = rest.split_whitespace().next().unwrap_or("");
            failed = count.parse::<u64>().map_err(|_| bad("failed", line))?;
        }
    }
    match (tps, transactions) {
        (Some(tps), Some(transactions)) if tps.is_finite() && tps >= 0.0 => Ok(PgbenchRun {
            tps,
            transactions,
            failed,
        }),
        _ => Err(BenchError::Pgbench(format!(
            "no tps and transaction count in its output: {}",
            tail(stdout)
        ))),
    }
}

fn bad(what: &str, line: &str) -> BenchError {
    BenchError::Pgbench(format!("cannot read the {what} line {line:?}"))
}

/// The last lines of an output, for error messages (pgbench puts the reason last).
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(4);
    lines.get(start..).unwrap_or_default().join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from `pgbench -S -M prepared -c 2 -j 2 -T 2 -n` against PostgreSQL 15.18.
    const PG15_PREPARED: &str = include_str!("testdata/pgbench15_prepared.out");
    /// Captured from `pgbench -S` against a database without the pgbench tables (stderr).
    const PG15_NO_TABLES: &str = include_str!("testdata/pgbench15_no_tables.err");

    #[test]
    fn reads_pgbench_15_summary() {
        let run = parse_pgbench_output(PG15_PREPARED).unwrap();
        assert_eq!(
            run,
            PgbenchRun {
                tps: 14572.099598,
                transactions: 29081,
                failed: 0
            }
        );
    }

    #[test]
    fn pre_14_output_takes_the_excluding_line() {
        let old = "number of transactions actually processed: 100\n\
                   tps = 90.5 (including connections establishing)\n\
                   tps = 99.25 (excluding connections establishing)\n";
        let run = parse_pgbench_output(old).unwrap();
        assert_eq!((run.tps, run.transactions, run.failed), (99.25, 100, 0));
    }

    #[test]
    fn failed_transactions_are_counted() {
        let out = PG15_PREPARED.replace(
            "number of failed transactions: 0 (0.000%)",
            "number of failed transactions: 12 (0.041%)",
        );
        assert_eq!(parse_pgbench_output(&out).unwrap().failed, 12);
    }

    #[test]
    fn an_error_output_is_an_error_with_the_reason() {
        let err = parse_pgbench_output(PG15_NO_TABLES)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pgbench_branches"), "{err}");
    }

    #[test]
    fn a_garbled_tps_is_an_error() {
        let out = PG15_PREPARED.replace("tps = 14572.099598", "tps = lots");
        assert!(parse_pgbench_output(&out).is_err());
    }
}
