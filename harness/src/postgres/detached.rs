//! Clusters that outlive the process that started them (`pgcompat postgres start|stop`).

use std::path::PathBuf;

use super::OracleError;
use super::local::LocalCluster;
use super::options::LocalOptions;
use super::shutdown::shutdown_cluster;
use super::state::{ClusterRecord, list_records, reap_stale};

/// A detached cluster, as recorded under [`super::runtime_dir`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedInfo {
    pub url: String,
    pub port: u16,
    /// The cluster's temp dir (data/, server.log, socket).
    pub dir: PathBuf,
    pub version: String,
}

impl From<ClusterRecord> for DetachedInfo {
    fn from(r: ClusterRecord) -> Self {
        DetachedInfo {
            url: r.url,
            port: r.port,
            dir: r.dir,
            version: r.version,
        }
    }
}

/// Starts a cluster that keeps running after this process exits, until [`stop_detached`].
pub async fn start_detached(opts: &LocalOptions) -> Result<DetachedInfo, OracleError> {
    let cluster = LocalCluster::launch(opts, true).await?;
    Ok(cluster.detach()?.into())
}

/// Stops the detached cluster on `port`, or every recorded one with `None`; returns the ports
/// stopped. Also reaps clusters whose owning process died.
pub async fn stop_detached(port: Option<u16>) -> Result<Vec<u16>, OracleError> {
    tokio::task::spawn_blocking(move || {
        reap_stale();
        let targets: Vec<ClusterRecord> = list_records()
            .into_iter()
            .filter(|r| r.owner_pid.is_none() && port.is_none_or(|p| p == r.port))
            .collect();
        if let Some(p) = port
            && targets.is_empty()
        {
            return Err(OracleError::NoDetachedCluster(p));
        }
        Ok(targets
            .into_iter()
            .map(|r| {
                shutdown_cluster(&r.dir, &r.bin_dir);
                r.port
            })
            .collect())
    })
    .await
    .map_err(|e| OracleError::io("stop task", std::io::Error::other(e.to_string())))?
}

/// The detached clusters currently recorded.
pub fn list_detached() -> Vec<DetachedInfo> {
    list_records()
        .into_iter()
        .filter(|r| r.owner_pid.is_none())
        .map(DetachedInfo::from)
        .collect()
}
