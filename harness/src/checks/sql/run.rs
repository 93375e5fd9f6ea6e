//! Running slt files against one target and turning every statement/query record into a case.
//!
//! Each file runs on its own session. A record that hangs past the case timeout is a
//! `timeout`; one that loses the connection is a `crash`. Either way the session is rebuilt
//! and the run goes on; when the server cannot be reached any more, the rest of the file is
//! marked `crash` at once instead of waiting on each record.

use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use sqllogictest::{MakeConnection, Normalizer, Record, RecordOutput, Runner, default_validator};

use super::Mode;
use super::engine::{ColType, Observation, ObservationCell, PgDb};
use super::expect::Expect;
use super::files::SltFile;
use super::outcome::{RecordInfo, first_line, sql_case};
use crate::report::{CaseResult, Status};
use crate::session::ConnectOptions;

/// How SQL suites run.
#[derive(Debug, Clone)]
pub struct SqlOptions {
    pub modes: Vec<Mode>,
    pub case_timeout: Duration,
    /// sqllogictest's hash threshold (0 = never hash); files may set their own.
    pub hash_threshold: usize,
    /// Extra labels for `skipif`/`onlyif`.
    pub labels: Vec<String>,
}

impl Default for SqlOptions {
    fn default() -> Self {
        SqlOptions {
            modes: Mode::ALL.to_vec(),
            case_timeout: Duration::from_secs(30),
            hash_threshold: 0,
            labels: Vec::new(),
        }
    }
}

/// Labels every run carries: the engine speaks PostgreSQL, and the lane is named.
fn labels(mode: Mode, opts: &SqlOptions) -> Vec<String> {
    let mut l = vec![
        "postgresql".to_owned(),
        "pgcompat".to_owned(),
        format!("pgcompat-{mode}"),
    ];
    l.extend(opts.labels.iter().cloned());
    l
}

/// A sqllogictest runner whose connections are our engine in `mode`.
pub fn new_runner(
    mode: Mode,
    target: &ConnectOptions,
    obs: &ObservationCell,
    opts: &SqlOptions,
) -> Runner<PgDb, impl MakeConnection<Conn = PgDb> + use<>> {
    let target = target.clone();
    let cell = obs.clone();
    let make = move || {
        let target = target.clone();
        let cell = cell.clone();
        async move {
            let r = PgDb::connect(mode, &target, cell.clone()).await;
            if let Err(e) = &r
                && let Ok(mut o) = cell.lock()
            {
                o.connection_lost = true;
                o.actual = format!("cannot connect: {e}");
            }
            r
        }
    };
    let mut runner = Runner::new(make);
    for l in labels(mode, opts) {
        runner.add_label(&l);
    }
    runner.with_hash_threshold(opts.hash_threshold);
    runner.with_validator(row_validator);
    runner
}

/// Rows compared as lines, whitespace-normalised per line. The crate's default normalises
/// each value before joining, which turns an all-blank value (a `char(n)` of spaces) into an
/// extra space that no recorded line can match.
pub fn row_validator(normalizer: Normalizer, actual: &[Vec<String>], expected: &[String]) -> bool {
    if expected.iter().any(|l| l.contains("<slt:ignore>")) {
        return default_validator(normalizer, actual, expected);
    }
    actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(row, want)| normalizer(&row.join(" ")) == normalizer(want))
}

fn take_observation(obs: &ObservationCell) -> Observation {
    obs.lock()
        .map(|mut o| std::mem::take(&mut *o))
        .unwrap_or_default()
}

/// The case id of a record: `sql/<mode>/<file>:<line>`. Records from an included file
/// carry that file's own path.
pub fn case_id(mode: Mode, file: &SltFile, info: &RecordInfo) -> String {
    let name = if std::path::Path::new(&info.file) == file.path {
        file.name.clone()
    } else {
        info.file.clone()
    };
    format!("sql/{mode}/{name}:{}", info.line)
}

/// Parse a file; a file that does not parse is one `error` case, not a crash of the run.
/// The file is checked to be UTF-8 first: the parser would panic on anything else.
pub fn parse(file: &SltFile) -> Result<Vec<Record<ColType>>, String> {
    let bytes = std::fs::read(&file.path).map_err(|e| format!("{}: {e}", file.path.display()))?;
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(format!("{}: not UTF-8: {e}", file.path.display()));
    }
    if file.path.to_str().is_none() {
        return Err(format!("{}: the path is not UTF-8", file.path.display()));
    }
    // An included file can still trip the parser's own unwraps: contain that too.
    std::panic::catch_unwind(|| sqllogictest::parse_file::<ColType>(&file.path))
        .map_err(|_| {
            format!(
                "{}: the parser failed on an included file",
                file.path.display()
            )
        })?
        .map_err(|e| format!("{e}"))
}

/// Number of cases (statement and query records) a file holds, for progress bars.
pub fn count_cases(records: &[Record<ColType>]) -> usize {
    records
        .iter()
        .filter(|r| matches!(r, Record::Statement { .. } | Record::Query { .. }))
        .count()
}

/// The one case standing for a file that could not be parsed.
pub fn unparsable(mode: Mode, file: &SltFile, error: String) -> CaseResult {
    let info = RecordInfo {
        line: 0,
        file: file.name.clone(),
        sql: String::new(),
        expected: String::new(),
    };
    let mut c = sql_case(
        format!("sql/{mode}/{}", file.name),
        file.group(),
        Status::Error,
        &info,
    );
    c.sql = None;
    c.message = Some(format!("cannot parse: {}", first_line(&error)));
    c.actual = Some(error);
    c
}

/// Run one file in one lane.
pub async fn run_file(
    file: &SltFile,
    mode: Mode,
    target: &ConnectOptions,
    opts: &SqlOptions,
    progress: &ProgressBar,
) -> Vec<CaseResult> {
    let records = match parse(file) {
        Ok(r) => r,
        Err(e) => return vec![unparsable(mode, file, e)],
    };
    let obs = ObservationCell::default();
    let mut runner = new_runner(mode, target, &obs, opts);
    let mut out = Vec::new();
    let mut expect: Option<Expect> = None;
    let mut server_down = false;
    for record in records {
        let Some(info) = RecordInfo::of(&record) else {
            expect = match &record {
                Record::Comment(lines) => Expect::from_comment(lines),
                _ => None,
            };
            if !server_down {
                let _ = tokio::time::timeout(opts.case_timeout, runner.run_async(record)).await;
            }
            continue;
        };
        let id = case_id(mode, file, &info);
        let want = expect.take().unwrap_or_default();
        progress.inc(1);
        if server_down {
            let mut c = sql_case(id, file.group(), Status::Crash, &info);
            c.message = Some("server unreachable since an earlier case of this file".into());
            out.push(c);
            continue;
        }
        take_observation(&obs);
        let start = Instant::now();
        let result = tokio::time::timeout(opts.case_timeout, runner.run_async(record)).await;
        let seen = take_observation(&obs);
        let mut c = sql_case(id, file.group(), Status::Pass, &info);
        c.duration_ms = start.elapsed().as_millis() as u64;
        let mut rebuild = false;
        match result {
            Err(_) => {
                c.status = Status::Timeout;
                c.message = Some(format!(
                    "no answer within {}s",
                    opts.case_timeout.as_secs_f64()
                ));
                rebuild = true;
            }
            Ok(_) if seen.connection_lost => {
                c.status = Status::Crash;
                c.message = Some(first_line(&seen.actual));
                c.actual = Some(seen.actual.clone());
                rebuild = true;
            }
            Ok(Ok(RecordOutput::Nothing)) => c.status = Status::Skip,
            Ok(Ok(_)) => {
                let problems = want.mismatches(&seen.column_types, seen.tag.as_deref());
                if !problems.is_empty() {
                    c.status = Status::Fail;
                    c.message = Some(problems.join("; "));
                    c.expected = Some(want.to_comment());
                    c.actual = Some(
                        Expect::from_observed(&seen.column_types, seen.tag.as_deref()).to_comment(),
                    );
                }
            }
            Ok(Err(e)) => {
                c.status = Status::Fail;
                c.message = Some(first_line(&e.kind().to_string()));
                c.expected = Some(info.expected.clone());
                c.actual = Some(seen.actual.clone());
            }
        }
        out.push(c);
        if rebuild {
            runner.shutdown_async().await;
            runner = new_runner(mode, target, &obs, opts);
            server_down = !reachable(mode, target, opts.case_timeout).await;
        }
    }
    runner.shutdown_async().await;
    out
}

/// Whether a new session can be opened (after a crash or a timeout).
async fn reachable(mode: Mode, target: &ConnectOptions, limit: Duration) -> bool {
    let cell = ObservationCell::default();
    matches!(
        tokio::time::timeout(limit, PgDb::connect(mode, target, cell)).await,
        Ok(Ok(_))
    )
}

/// Run every file in every lane; cases come out lane by lane, file by file.
pub async fn run_files(
    files: &[SltFile],
    target: &ConnectOptions,
    opts: &SqlOptions,
    progress: &ProgressBar,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for &mode in &opts.modes {
        for file in files {
            progress.set_message(format!("sql/{mode}/{}", file.name));
            out.extend(run_file(file, mode, target, opts, progress).await);
        }
    }
    out
}

/// Total number of cases the files hold across the lanes (unparsable files count once).
pub fn total_cases(files: &[SltFile], opts: &SqlOptions) -> u64 {
    let per_lane: usize = files
        .iter()
        .map(|f| parse(f).map(|r| count_cases(&r)).unwrap_or(1))
        .sum();
    (per_lane * opts.modes.len()) as u64
}
