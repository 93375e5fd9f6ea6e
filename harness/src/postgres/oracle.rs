//! The oracle the CLI holds: a running PostgreSQL of any kind, chosen from an [`OracleSpec`].

use std::sync::Mutex;

use super::OracleError;
use super::container::{self, PgContainer};
use super::local::LocalCluster;
use super::options::{LocalOptions, OracleSpec};
use super::probe::{redact_url, url_version};

/// Why one kind of oracle could not be used (for the report when `auto` found none, or
/// found a later kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// "local" or "container".
    pub kind: &'static str,
    pub reason: String,
}

/// The outcome of choosing an oracle: the oracle, if any, and why the kinds tried before
/// it (or all of them) were unavailable.
#[derive(Debug)]
pub struct Resolution {
    pub oracle: Option<Oracle>,
    pub unavailable: Vec<Unavailable>,
}

/// Reasons of the latest [`Oracle::start`], for callers that only kept the `Option`.
static LAST_UNAVAILABLE: Mutex<Vec<Unavailable>> = Mutex::new(Vec::new());

/// Why each oracle kind was unavailable in the latest [`Oracle::start`] of this process
/// (empty when the first kind tried worked, or for explicit specs).
pub fn last_unavailable_reasons() -> Vec<Unavailable> {
    LAST_UNAVAILABLE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

#[derive(Debug)]
enum Source {
    Local(LocalCluster),
    Container(PgContainer),
    Url,
}

/// A running PostgreSQL: a local cluster, a container, or a server given by URL.
#[derive(Debug)]
pub struct Oracle {
    url: String,
    version: Option<String>,
    source: Source,
}

impl Oracle {
    /// Starts (or, for a URL, checks) the oracle `spec` asks for. `Ok(None)` for `None`, and
    /// for `Auto` when nothing is available: then [`last_unavailable_reasons`] says why.
    pub async fn start(
        spec: &OracleSpec,
        opts: &LocalOptions,
    ) -> Result<Option<Oracle>, OracleError> {
        let resolution = Self::resolve(spec, opts).await?;
        *LAST_UNAVAILABLE.lock().unwrap_or_else(|p| p.into_inner()) =
            resolution.unavailable.clone();
        Ok(resolution.oracle)
    }

    /// Like [`Oracle::start`], returning the unavailability reasons with the outcome.
    pub async fn resolve(
        spec: &OracleSpec,
        opts: &LocalOptions,
    ) -> Result<Resolution, OracleError> {
        let found = |oracle| Resolution {
            oracle: Some(oracle),
            unavailable: Vec::new(),
        };
        match spec {
            OracleSpec::None => Ok(Resolution {
                oracle: None,
                unavailable: Vec::new(),
            }),
            OracleSpec::Local => Ok(found(Self::local(opts).await?)),
            OracleSpec::Container => Ok(found(Self::container(opts).await?)),
            OracleSpec::Url(url) => Ok(found(Self::from_url(url).await?)),
            OracleSpec::Auto => {
                let mut unavailable = Vec::new();
                match Self::local(opts).await {
                    Ok(o) => return Ok(found(o)),
                    Err(e) => unavailable.push(Unavailable {
                        kind: "local",
                        reason: e.to_string(),
                    }),
                }
                match Self::container(opts).await {
                    Ok(o) => {
                        return Ok(Resolution {
                            oracle: Some(o),
                            unavailable,
                        });
                    }
                    Err(e) => unavailable.push(Unavailable {
                        kind: "container",
                        reason: e.to_string(),
                    }),
                }
                Ok(Resolution {
                    oracle: None,
                    unavailable,
                })
            }
        }
    }

    /// Wraps a cluster the caller started itself.
    pub fn from_local(cluster: LocalCluster) -> Oracle {
        Oracle {
            url: cluster.url(),
            version: Some(cluster.version().to_string()),
            source: Source::Local(cluster),
        }
    }

    async fn local(opts: &LocalOptions) -> Result<Oracle, OracleError> {
        Ok(Self::from_local(LocalCluster::start(opts).await?))
    }

    async fn container(opts: &LocalOptions) -> Result<Oracle, OracleError> {
        let (container, url, version) = container::start(opts).await?;
        Ok(Oracle {
            url,
            version: Some(version),
            source: Source::Container(container),
        })
    }

    async fn from_url(url: &str) -> Result<Oracle, OracleError> {
        let version = url_version(url).await?;
        Ok(Oracle {
            url: url.to_string(),
            version: Some(version),
            source: Source::Url,
        })
    }

    /// Connection URL (may hold a password: print [`Oracle::describe`] instead).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Server version number, e.g. "15.14".
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The local cluster behind this oracle, if it is one (socket dir, certificate...).
    pub fn local_cluster(&self) -> Option<&LocalCluster> {
        match &self.source {
            Source::Local(c) => Some(c),
            _ => None,
        }
    }

    /// One line for humans and reports, without the password, e.g.
    /// "local PostgreSQL 15.14 at 127.0.0.1:40211".
    pub fn describe(&self) -> String {
        let version = self.version.as_deref().unwrap_or("(unknown version)");
        match &self.source {
            Source::Local(c) => format!("local PostgreSQL {version} at 127.0.0.1:{}", c.port()),
            Source::Container(c) => format!(
                "container PostgreSQL {version} ({}) at {}",
                c.image(),
                host_port(&self.url)
            ),
            Source::Url => format!("PostgreSQL {version} at {}", redact_url(&self.url)),
        }
    }

    /// Stops a local cluster or container; a URL oracle is left running.
    pub async fn stop(self) -> Result<(), OracleError> {
        match self.source {
            Source::Local(c) => c.stop().await,
            Source::Container(c) => c.stop().await,
            Source::Url => Ok(()),
        }
    }
}

/// "postgres://u:p@host:5432/db" → "host:5432".
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn host_port_strips_credentials_and_path() {
        assert_eq!(host_port("postgres://u:p@h:5/db"), "h:5");
        assert_eq!(host_port("postgresql://h:5"), "h:5");
    }
}
