//! Running the protocol scripts (the `flow` axis) for the verbs that test a target.

use crate::checks::flow::{
    FlowOptions, FlowProfiles, Script, run_flows, start_oracle_profiles, total_cases,
};
use crate::postgres::{LocalCluster, Oracle};
use crate::report::Report;

use super::progress;
use super::target::StartedTarget;

/// PostgreSQL configured like every flow profile, when the oracle is a local cluster (its
/// binaries can start more); `None` means: compare with the recorded transcripts.
async fn oracle_profiles(
    oracle: Option<&Oracle>,
    version: Option<&str>,
    report: &mut Report,
) -> Option<(FlowProfiles, Vec<LocalCluster>)> {
    oracle?.local_cluster()?;
    match start_oracle_profiles(version).await {
        Ok(p) => Some(p),
        Err(e) => {
            report.note(format!(
                "protocol scripts compared with their recordings: PostgreSQL profiles failed to start ({e})"
            ));
            None
        }
    }
}

/// Run every script on the target into the report: live against PostgreSQL clusters set up
/// for each profile when the oracle is local, else against the recordings. No script, no
/// cluster is started.
pub async fn run(
    scripts: &[Script],
    target: &StartedTarget,
    oracle: Option<&Oracle>,
    version: Option<&str>,
    report: &mut Report,
) {
    if scripts.is_empty() {
        return;
    }
    let profiles = oracle_profiles(oracle, version, report).await;
    let oracle = profiles.as_ref().map(|p| &p.0);
    if oracle.is_none() {
        report.note(
            "protocol scripts compared with transcripts recorded from PostgreSQL (no live oracle)",
        );
    }
    let bar = progress::bar(total_cases(scripts));
    for c in run_flows(
        scripts,
        &target.profiles,
        oracle,
        &FlowOptions::default(),
        &bar,
    )
    .await
    {
        report.push(c);
    }
    bar.finish_and_clear();
}
