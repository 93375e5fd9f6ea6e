//! `complete`: records each receive step's transcript from a real PostgreSQL into the
//! script files. Every case runs twice; a case whose two runs differ is reported as unstable
//! (a script that is not deterministic on PostgreSQL cannot judge anyone else).

use std::collections::BTreeMap;

use super::exec::{End, execute};
use super::script::Script;
use super::{FlowError, FlowOptions, FlowProfiles};

/// What `complete_flows` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompleteStats {
    pub files_written: usize,
    pub cases_recorded: usize,
    /// Case ids whose two runs on PostgreSQL differed (recorded from the first run).
    pub unstable: Vec<String>,
    /// Case ids PostgreSQL could not run, with why (left as they were).
    pub failed: Vec<(String, String)>,
    /// Case ids skipped because the oracle lacks a profile they need.
    pub skipped: Vec<String>,
}

pub async fn complete_flows(
    scripts: &[Script],
    oracle: &FlowProfiles,
    opts: &FlowOptions,
) -> Result<CompleteStats, FlowError> {
    let mut stats = CompleteStats::default();
    for script in scripts {
        // 0-based line of the receive step -> its new block.
        let mut blocks: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for case in &script.cases {
            let id = case.id(&script.flow);
            if case.profiles().iter().any(|p| oracle.get(p).is_none()) {
                stats.skipped.push(id);
                continue;
            }
            let first = execute(case, oracle, opts).await;
            if first.end != End::Done {
                stats.failed.push((id, format!("{:?}", first.end)));
                continue;
            }
            let second = execute(case, oracle, opts).await;
            let project = |steps: &[(usize, Vec<String>)]| -> Vec<Vec<String>> {
                steps.iter().map(|(_, l)| case.compare.project(l)).collect()
            };
            if second.end != End::Done || project(&first.steps) != project(&second.steps) {
                stats.unstable.push(id);
            }
            for (index, lines) in first.steps {
                if let Some(step) = case.steps.get(index) {
                    blocks.insert(step.line - 1, lines);
                }
            }
            stats.cases_recorded += 1;
        }
        let text = rewrite(script, &blocks);
        if text != script.lines.join("\n") + "\n" {
            std::fs::write(&script.path, text).map_err(|e| FlowError::Io {
                path: script.path.clone(),
                source: e,
            })?;
            stats.files_written += 1;
        }
    }
    Ok(stats)
}

/// The script's text with the given blocks in place of the old ones.
pub fn rewrite(script: &Script, blocks: &BTreeMap<usize, Vec<String>>) -> String {
    let mut skip = vec![false; script.lines.len()];
    for case in &script.cases {
        for step in &case.steps {
            let replaced = blocks.contains_key(&(step.line - 1));
            if let (true, Some((start, end))) =
                (replaced, step.action.expect().and_then(|e| e.block))
            {
                for s in skip.iter_mut().take(end).skip(start) {
                    *s = true;
                }
            }
        }
    }
    let mut out = String::new();
    for (k, line) in script.lines.iter().enumerate() {
        if skip.get(k).copied().unwrap_or(false) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if let Some(block) = blocks.get(&k) {
            out.push_str("----\n");
            for l in block {
                out.push_str(l);
                out.push('\n');
            }
            let next =
                (k + 1..script.lines.len()).find(|j| !skip.get(*j).copied().unwrap_or(false));
            if next.is_some_and(|j| script.lines.get(j).is_some_and(|l| !l.trim().is_empty())) {
                out.push('\n');
            }
        }
    }
    out
}
