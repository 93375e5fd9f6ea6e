//! The result of a benchmark run: one row per measurement, with both numbers and the ratio.

use serde::Serialize;

use super::error::BenchError;
use super::options::BenchOptions;

/// Which way is better, and the ratio the issue aims for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Aim {
    /// The ratio to reach (target relative to PostgreSQL, >1 means the target is better).
    pub ratio: f64,
    /// True for throughputs (tps, rows/s); false for durations, where the ratio is
    /// PostgreSQL's time over the target's (a speed-up).
    pub higher_is_better: bool,
}

/// One measurement on both servers.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub name: String,
    /// "tps", "rows/s" or "s".
    pub unit: &'static str,
    pub target: Option<f64>,
    pub postgres: Option<f64>,
    /// How many times better the target is (see [`Aim::higher_is_better`]).
    pub ratio: Option<f64>,
    pub aim: Aim,
    /// Why the row has no ratio: the first failure of either server.
    pub error: Option<String>,
    /// Anything a reader should know to judge the numbers (e.g. a load step skipped).
    pub notes: Vec<String>,
}

impl BenchRow {
    /// A row from both measurements; the ratio when both exist and are positive.
    pub fn new(
        name: impl Into<String>,
        unit: &'static str,
        aim: Aim,
        target: Result<f64, BenchError>,
        postgres: Result<f64, BenchError>,
    ) -> BenchRow {
        let mut row = BenchRow::failed(name, unit, aim, None);
        let mut errors = Vec::new();
        match target {
            Ok(v) => row.target = Some(v),
            Err(e) => errors.push(format!("target: {e}")),
        }
        match postgres {
            Ok(v) => row.postgres = Some(v),
            Err(e) => errors.push(format!("PostgreSQL: {e}")),
        }
        if let (Some(t), Some(p)) = (row.target, row.postgres)
            && t > 0.0
            && p > 0.0
        {
            row.ratio = Some(if aim.higher_is_better { t / p } else { p / t });
        }
        if !errors.is_empty() {
            row.error = Some(errors.join("; "));
        }
        row
    }

    /// A row without numbers, e.g. because its data did not load.
    pub fn failed(
        name: impl Into<String>,
        unit: &'static str,
        aim: Aim,
        error: Option<String>,
    ) -> Self {
        BenchRow {
            name: name.into(),
            unit,
            target: None,
            postgres: None,
            ratio: None,
            aim,
            error,
            notes: Vec::new(),
        }
    }

    /// True when the ratio reaches the aim.
    pub fn meets_aim(&self) -> Option<bool> {
        self.ratio.map(|r| r >= self.aim.ratio)
    }
}

/// A whole run, as `--json` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// RFC 3339, UTC.
    pub started_at: String,
    pub target: String,
    pub postgres: String,
    /// Cores this process may use (both servers and pgbench share them).
    pub cores: usize,
    /// "release" or "debug": how this binary (and so an in-process target) was built.
    pub build_profile: &'static str,
    pub options: BenchOptions,
    pub rows: Vec<BenchRow>,
}

impl BenchReport {
    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| r.error.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FASTER: Aim = Aim {
        ratio: 2.0,
        higher_is_better: true,
    };
    const QUICKER: Aim = Aim {
        ratio: 10.0,
        higher_is_better: false,
    };

    #[test]
    fn throughput_ratio_is_target_over_postgres() {
        let row = BenchRow::new("copy", "rows/s", FASTER, Ok(300.0), Ok(100.0));
        assert_eq!(row.ratio, Some(3.0));
        assert_eq!(row.meets_aim(), Some(true));
    }

    #[test]
    fn duration_ratio_is_a_speed_up() {
        let row = BenchRow::new("agg", "s", QUICKER, Ok(2.0), Ok(4.0));
        assert_eq!(row.ratio, Some(2.0));
        assert_eq!(row.meets_aim(), Some(false));
    }

    #[test]
    fn an_error_on_one_side_keeps_the_other_number() {
        let row = BenchRow::new(
            "copy",
            "rows/s",
            FASTER,
            Err(BenchError::Pgbench("boom".into())),
            Ok(100.0),
        );
        assert_eq!(
            (row.target, row.postgres, row.ratio),
            (None, Some(100.0), None)
        );
        assert_eq!(row.error.as_deref(), Some("target: pgbench: boom"));
    }
}
