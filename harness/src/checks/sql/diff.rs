//! `pgcompat diff`: every record runs on the target and on PostgreSQL in lockstep (each side
//! keeps its own session, so session state stays the same on both), and every difference in
//! rows, column types, command tag or SQLSTATE is a failing case. No recorded expectations.

use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use sqllogictest::{MakeConnection, Record, RecordOutput, Runner};

use super::Mode;
use super::engine::{ColType, Observation, ObservationCell, PgDb};
use super::expect::type_names;
use super::files::SltFile;
use super::outcome::{RecordInfo, first_line, sql_case};
use super::run::{SqlOptions, case_id, lane_group, new_runner, parse, unparsable};
use crate::report::{CaseResult, Status};
use crate::session::ConnectOptions;

/// One side of the lockstep: a runner and what its engine observed.
struct Side<M: MakeConnection<Conn = PgDb>> {
    runner: Runner<PgDb, M>,
    obs: ObservationCell,
}

/// What one side produced for a record, or why it produced nothing.
enum Produced {
    Output(RecordOutput<ColType>, Observation),
    TimedOut,
}

async fn apply<M: MakeConnection<Conn = PgDb>>(
    side: &mut Side<M>,
    record: Record<ColType>,
    limit: Duration,
) -> Produced {
    if let Ok(mut o) = side.obs.lock() {
        *o = Observation::default();
    }
    match tokio::time::timeout(limit, side.runner.apply_record(record)).await {
        Ok(out) => {
            let seen = side.obs.lock().map(|o| o.clone()).unwrap_or_default();
            Produced::Output(out, seen)
        }
        Err(_) => Produced::TimedOut,
    }
}

/// A printable summary of one side's result.
fn describe(out: &RecordOutput<ColType>, seen: &Observation) -> String {
    let mut s = match out {
        RecordOutput::Query {
            error: None, rows, ..
        } => rows
            .iter()
            .take(200)
            .map(|r| r.join(" "))
            .collect::<Vec<_>>()
            .join("\n"),
        RecordOutput::Statement { error: None, count } => format!("ok, {count} rows"),
        _ => seen.actual.clone(),
    };
    if !seen.column_types.is_empty() {
        s = format!("types: {}\n{s}", type_names(&seen.column_types).join(","));
    }
    if let Some(tag) = &seen.tag {
        s = format!("tag: {tag}\n{s}");
    }
    s
}

fn error_of(out: &RecordOutput<ColType>) -> bool {
    matches!(
        out,
        RecordOutput::Query { error: Some(_), .. } | RecordOutput::Statement { error: Some(_), .. }
    )
}

/// The differences between the target's result and PostgreSQL's, in words.
pub fn differences(
    pg: &RecordOutput<ColType>,
    pg_seen: &Observation,
    target: &RecordOutput<ColType>,
    seen: &Observation,
) -> Vec<String> {
    let mut d = Vec::new();
    match (error_of(pg), error_of(target)) {
        (true, true) => {
            if pg_seen.error_code != seen.error_code {
                d.push(format!(
                    "SQLSTATE: PostgreSQL {}, target {}",
                    pg_seen.error_code.as_deref().unwrap_or("none"),
                    seen.error_code.as_deref().unwrap_or("none")
                ));
            }
            return d;
        }
        (true, false) => {
            d.push(format!(
                "PostgreSQL failed ({}), the target succeeded",
                first_line(&pg_seen.actual)
            ));
            return d;
        }
        (false, true) => {
            d.push(format!(
                "the target failed ({}), PostgreSQL succeeded",
                first_line(&seen.actual)
            ));
            return d;
        }
        (false, false) => {}
    }
    match (pg, target) {
        (RecordOutput::Query { rows: a, .. }, RecordOutput::Query { rows: b, .. }) if a != b => {
            let first = a.iter().zip(b.iter()).position(|(x, y)| x != y);
            d.push(match first {
                Some(i) => format!("rows differ from row {}", i + 1),
                None => format!("row count: PostgreSQL {}, target {}", a.len(), b.len()),
            });
        }
        (RecordOutput::Statement { count: a, .. }, RecordOutput::Statement { count: b, .. })
            if a != b =>
        {
            d.push(format!("rows affected: PostgreSQL {a}, target {b}"));
        }
        (RecordOutput::Query { .. }, RecordOutput::Query { .. })
        | (RecordOutput::Statement { .. }, RecordOutput::Statement { .. }) => {}
        (RecordOutput::Query { .. }, _) => {
            d.push("PostgreSQL returned rows, the target none".into())
        }
        (_, RecordOutput::Query { .. }) => {
            d.push("the target returned rows, PostgreSQL none".into())
        }
        _ => {}
    }
    if !pg_seen.column_types.is_empty()
        && !seen.column_types.is_empty()
        && pg_seen.column_types != seen.column_types
    {
        d.push(format!(
            "column types: PostgreSQL {}, target {}",
            type_names(&pg_seen.column_types).join(","),
            type_names(&seen.column_types).join(",")
        ));
    }
    if let (Some(a), Some(b)) = (&pg_seen.tag, &seen.tag)
        && a != b
    {
        d.push(format!("command tag: PostgreSQL {a:?}, target {b:?}"));
    }
    d
}

/// Diff one file in one lane.
pub async fn diff_file(
    file: &SltFile,
    mode: Mode,
    target: &ConnectOptions,
    oracle: &ConnectOptions,
    opts: &SqlOptions,
    progress: &ProgressBar,
) -> Vec<CaseResult> {
    let records = match parse(file) {
        Ok(r) => r,
        Err(e) => return vec![unparsable(mode, file, e)],
    };
    let new_side = |conn: &ConnectOptions| {
        let obs = ObservationCell::default();
        Side {
            runner: new_runner(mode, conn, &obs, opts),
            obs,
        }
    };
    let mut tgt = new_side(target);
    let mut pg = new_side(oracle);
    let mut out = Vec::new();
    for record in records {
        let Some(info) = RecordInfo::of(&record) else {
            apply(&mut tgt, record.clone(), opts.case_timeout).await;
            apply(&mut pg, record, opts.case_timeout).await;
            continue;
        };
        progress.inc(1);
        let id = case_id(mode, file, &info);
        let mut c = sql_case(id, lane_group(mode, file), Status::Pass, &info);
        let start = Instant::now();
        let theirs = apply(&mut tgt, record.clone(), opts.case_timeout).await;
        c.duration_ms = start.elapsed().as_millis() as u64;
        let ours = apply(&mut pg, record, opts.case_timeout).await;
        let mut rebuild = false;
        match (ours, theirs) {
            (_, Produced::TimedOut) => {
                c.status = Status::Timeout;
                c.message = Some(format!(
                    "no answer within {}s",
                    opts.case_timeout.as_secs_f64()
                ));
                rebuild = true;
            }
            (_, Produced::Output(_, seen)) if seen.connection_lost => {
                c.status = Status::Crash;
                c.message = Some(first_line(&seen.actual));
                rebuild = true;
            }
            (Produced::TimedOut, _) => {
                c.status = Status::Error;
                c.message = Some("PostgreSQL did not answer in time".into());
            }
            (Produced::Output(_, pg_seen), _) if pg_seen.connection_lost => {
                c.status = Status::Error;
                c.message = Some(format!("lost PostgreSQL: {}", first_line(&pg_seen.actual)));
            }
            (Produced::Output(RecordOutput::Nothing, _), _)
            | (_, Produced::Output(RecordOutput::Nothing, _)) => c.status = Status::Skip,
            (Produced::Output(a, a_seen), Produced::Output(b, b_seen)) => {
                let d = differences(&a, &a_seen, &b, &b_seen);
                if !d.is_empty() {
                    c.status = Status::Fail;
                    c.message = Some(d.join("; "));
                    c.expected = Some(describe(&a, &a_seen));
                    c.actual = Some(describe(&b, &b_seen));
                }
            }
        }
        out.push(c);
        if rebuild {
            tgt.runner.shutdown_async().await;
            tgt = new_side(target);
        }
    }
    tgt.runner.shutdown_async().await;
    pg.runner.shutdown_async().await;
    out
}

/// Diff every file in every lane.
pub async fn diff_files(
    files: &[SltFile],
    target: &ConnectOptions,
    oracle: &ConnectOptions,
    opts: &SqlOptions,
    progress: &ProgressBar,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for &mode in &opts.modes {
        for file in files {
            progress.set_message(format!("diff {mode} {}", file.name));
            out.extend(diff_file(file, mode, target, oracle, opts, progress).await);
        }
    }
    out
}
