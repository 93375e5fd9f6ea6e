//! The live differential: each case against PostgreSQL and the target, or against the
//! recorded transcript when there is no PostgreSQL to ask.

use std::time::Instant;

use indicatif::ProgressBar;

use super::diff::{align, first_difference, side_by_side};
use super::exec::{CaseRun, End, execute};
use super::script::{Case, Script};
use super::{FlowOptions, FlowProfiles};
use crate::report::{CaseResult, Category, Status};

/// Runs every case of `scripts` against `target`, compared with `oracle` live when given,
/// else with the recorded expectations. A case needing a profile the target (or oracle)
/// lacks is skipped with the reason.
pub async fn run_flows(
    scripts: &[Script],
    target: &FlowProfiles,
    oracle: Option<&FlowProfiles>,
    opts: &FlowOptions,
    progress: &ProgressBar,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for script in scripts {
        for case in &script.cases {
            let started = Instant::now();
            let mut result = run_case(script, case, target, oracle, opts).await;
            result.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            progress.inc(1);
            out.push(result);
        }
    }
    out
}

/// Runs one case; public for tests and for running a single case.
pub async fn run_case(
    script: &Script,
    case: &Case,
    target: &FlowProfiles,
    oracle: Option<&FlowProfiles>,
    opts: &FlowOptions,
) -> CaseResult {
    let mut result = CaseResult::new(
        case.id(&script.flow),
        Category::Flow,
        script.flow.clone(),
        Status::Pass,
    );
    result.sql = Some(format!("{}:{}", script.path.display(), case.line));
    let missing = |profiles: &FlowProfiles, who: &str| {
        case.profiles()
            .into_iter()
            .find(|p| profiles.get(p).is_none())
            .map(|p| format!("the {who} has no `{p}` profile"))
    };
    if let Some(why) =
        missing(target, "target").or_else(|| oracle.and_then(|o| missing(o, "oracle")))
    {
        result.status = Status::Skip;
        result.message = Some(why);
        return result;
    }
    let (expected, title) = match oracle {
        Some(profiles) => {
            let run = execute(case, profiles, opts).await;
            if run.end != End::Done {
                result.status = Status::Error;
                result.message = Some(format!(
                    "PostgreSQL did not complete the case: {:?}",
                    run.end
                ));
                return result;
            }
            (run.steps, "PostgreSQL")
        }
        None => match recorded(case) {
            Some(steps) => (steps, "recorded (PostgreSQL)"),
            None => {
                result.status = Status::Error;
                result.message = Some("no recorded transcript: run `pgcompat complete`".into());
                return result;
            }
        },
    };
    let actual = execute(case, target, opts).await;
    judge(case, &expected, &actual, title, &mut result);
    result
}

/// The recorded lines of every receive step, or None when one is not recorded.
pub fn recorded(case: &Case) -> Option<Vec<(usize, Vec<String>)>> {
    case.steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.action.expect().map(|e| (i, e)))
        .map(|(i, e)| e.lines.clone().map(|l| (i, l)))
        .collect()
}

fn judge(
    case: &Case,
    expected: &[(usize, Vec<String>)],
    actual: &CaseRun,
    title: &str,
    result: &mut CaseResult,
) {
    match &actual.end {
        End::ConnectFailed(why) => {
            result.status = Status::Crash;
            result.message = Some(format!("cannot connect to the target: {why}"));
            return;
        }
        End::Error(why) => {
            result.status = Status::Error;
            result.message = Some(why.clone());
            return;
        }
        End::Done | End::Timeout { .. } => {}
    }
    let mut steps = Vec::new();
    let mut first: Option<(usize, String, bool)> = None;
    for (index, exp) in expected {
        let exp = case.compare.project(exp);
        let act = actual
            .steps
            .iter()
            .find(|(i, _)| i == index)
            .map(|(_, l)| case.compare.project(l));
        let Some(act) = act else {
            if first.is_none() {
                first = Some((*index, "not reached".into(), false));
            }
            steps.push((*index, exp, Vec::new()));
            continue;
        };
        if first.is_none() && !case.compare.matches(&exp, &act) {
            let rows = align(&exp, &act);
            let what = first_difference(&rows).unwrap_or_else(|| "differs".into());
            first = Some((*index, what, crashed(&exp, &act)));
        }
        steps.push((*index, exp, act));
    }
    let Some((index, what, crash)) = first else {
        return;
    };
    let step = case.steps.get(index);
    let line = step.map_or(0, |s| s.line);
    let text = step.map_or("", |s| s.text.as_str());
    result.status = match actual.end {
        End::Timeout { .. } => Status::Timeout,
        _ if crash => Status::Crash,
        _ => Status::Fail,
    };
    result.message = Some(format!("line {line} (`{text}`): {what}"));
    result.expected = Some(
        steps
            .iter()
            .flat_map(|(_, e, _)| e.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    result.actual = Some(side_by_side(case, (title, "target"), &steps));
}

/// The target dropped the connection without a FATAL error where PostgreSQL kept it open.
fn crashed(expected: &[String], actual: &[String]) -> bool {
    let closed = |l: &[String]| {
        l.iter()
            .any(|x| x == "<closed>" || x.starts_with("<malformed"))
    };
    if closed(expected) || !closed(actual) {
        return false;
    }
    !actual.iter().any(|l| l.starts_with("ErrorResponse FATAL"))
}
