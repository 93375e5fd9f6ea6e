//! A throwaway PostgreSQL cluster from local server binaries: its own temp dir, port,
//! socket and settings; stopped and deleted when dropped.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_postgres::Config;

use super::binaries::{PgBinaries, find_binaries};
use super::options::LocalOptions;
use super::probe::{PROBE_TIMEOUT, connect, encode_userinfo, server_version};
use super::runas::{Runner, run};
use super::shutdown::{MARKER, register_live, shutdown_cluster, take_live};
use super::state::{ClusterRecord, reap_stale, this_owner, write_record};
use super::{OracleError, config, tls};

/// Start attempts when the free port we picked is taken before the server binds it.
const PORT_ATTEMPTS: usize = 3;

/// A running throwaway cluster (see the module docs).
#[derive(Debug)]
pub struct LocalCluster {
    dir: PathBuf,
    bins: PgBinaries,
    port: u16,
    version: String,
    url: String,
    tls_cert: Option<PathBuf>,
    /// Id in the live list while this value owns the server; `None` once stopped or detached.
    live_id: Option<u64>,
}

impl LocalCluster {
    /// initdb + start + wait until it accepts connections; on failure nothing is left behind.
    pub async fn start(opts: &LocalOptions) -> Result<LocalCluster, OracleError> {
        Self::launch(opts, false).await
    }

    /// `detached`: the record will carry no owner, so no later process reaps it.
    pub(crate) async fn launch(
        opts: &LocalOptions,
        detached: bool,
    ) -> Result<LocalCluster, OracleError> {
        opts.validate()?;
        let owned = opts.clone();
        let mut cluster = tokio::task::spawn_blocking(move || create(&owned))
            .await
            .map_err(|e| OracleError::StartFailed {
                reason: format!("set-up task failed: {e}"),
                log_tail: String::new(),
            })??;
        cluster.finish_start(opts, detached).await?;
        Ok(cluster)
    }

    /// `postgres://user[:password]@127.0.0.1:PORT/postgres` (plain; add `sslmode` yourself).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's version number, e.g. "15.14".
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bins.bin_dir
    }

    /// Directory of the unix socket (`host=<this>` connects over it, always with trust).
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The cluster's temp dir (data/, server.log, socket, certificate).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// PEM of the self-signed server certificate when TLS is on (trust it as a root CA).
    pub fn tls_cert(&self) -> Option<&Path> {
        self.tls_cert.as_deref()
    }

    /// Path of the server log.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// Stops the server and removes its directory.
    pub async fn stop(mut self) -> Result<(), OracleError> {
        let Some(id) = self.live_id.take() else {
            return Ok(());
        };
        if !take_live(id) {
            return Ok(()); // the signal handler got there first
        }
        let (dir, bin_dir) = (self.dir.clone(), self.bins.bin_dir.clone());
        tokio::task::spawn_blocking(move || shutdown_cluster(&dir, &bin_dir))
            .await
            .map_err(|e| OracleError::io("stop task", std::io::Error::other(e.to_string())))?;
        if self.dir.exists() {
            return Err(OracleError::io(
                format!("remove {}", self.dir.display()),
                std::io::Error::other("the directory is still there (see the log)"),
            ));
        }
        Ok(())
    }

    /// Lets the server outlive this value (and process); its record loses its owner.
    pub(crate) fn detach(mut self) -> Result<ClusterRecord, OracleError> {
        let record = self.record(None);
        write_record(&record)?;
        if let Some(id) = self.live_id.take() {
            take_live(id);
        }
        Ok(record)
    }

    fn record(&self, owner: Option<(u32, Option<u64>)>) -> ClusterRecord {
        ClusterRecord {
            dir: self.dir.clone(),
            bin_dir: self.bins.bin_dir.clone(),
            port: self.port,
            url: self.url.clone(),
            version: self.version.clone(),
            owner_pid: owner.map(|o| o.0),
            owner_start: owner.and_then(|o| o.1),
        }
    }

    /// After the server started: check it over the socket and TCP, learn the version, set the
    /// password, and write the final record.
    async fn finish_start(
        &mut self,
        opts: &LocalOptions,
        detached: bool,
    ) -> Result<(), OracleError> {
        let target = format!("{} (unix socket, port {})", self.dir.display(), self.port);
        let mut config = Config::new();
        config
            .host_path(&self.dir)
            .port(self.port)
            .user(&opts.user)
            .dbname("postgres")
            .connect_timeout(PROBE_TIMEOUT);
        let client = connect(&config, &target)
            .await
            .map_err(|e| self.start_failed(e))?;
        self.version = server_version(&client, &target)
            .await
            .map_err(|e| self.start_failed(e))?;
        if let Some(password) = &opts.password {
            // Set after start (not initdb --pwfile) so password_encryption applies: md5 auth
            // needs an md5 hash, which initdb of PG < 16 cannot be told to store.
            let sql = format!(
                "ALTER ROLE \"{}\" PASSWORD '{}'",
                opts.user,
                password.replace('\'', "''")
            );
            client
                .batch_execute(&sql)
                .await
                .map_err(|source| OracleError::Connect {
                    target: target.clone(),
                    source,
                })?;
        }
        drop(client);
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port));
        match tokio::time::timeout(Duration::from_secs(5), tcp).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                return Err(self.start_failed(OracleError::io(
                    format!("TCP connect to 127.0.0.1:{}", self.port),
                    e,
                )));
            }
            Err(_) => {
                return Err(self.start_failed(OracleError::ConnectTimeout {
                    target: format!("127.0.0.1:{}", self.port),
                    seconds: 5,
                }));
            }
        }
        self.url = match &opts.password {
            Some(p) => format!(
                "postgres://{}:{}@127.0.0.1:{}/postgres",
                opts.user,
                encode_userinfo(p),
                self.port
            ),
            None => format!("postgres://{}@127.0.0.1:{}/postgres", opts.user, self.port),
        };
        let owner = (!detached).then(this_owner);
        write_record(&self.record(owner))
    }

    fn start_failed(&self, cause: OracleError) -> OracleError {
        OracleError::StartFailed {
            reason: cause.to_string(),
            log_tail: log_tail(&self.log_path()),
        }
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        if let Some(id) = self.live_id.take()
            && take_live(id)
        {
            shutdown_cluster(&self.dir, &self.bins.bin_dir);
        }
    }
}

/// The blocking part of a start: directory, initdb, certificate, config, pg_ctl start.
fn create(opts: &LocalOptions) -> Result<LocalCluster, OracleError> {
    let reaped = reap_stale();
    if !reaped.is_empty() {
        tracing::info!("removed stale PostgreSQL clusters on ports {reaped:?}");
    }
    let bins = find_binaries(opts.version.as_deref())?;
    let runner = Runner::detect()?;
    let dir = make_dir(&runner)?;
    let live_id = register_live(&dir, &bins.bin_dir);
    // From here on, dropping `cluster` (any error) stops the server and deletes the dir.
    let mut cluster = LocalCluster {
        version: bins.version.clone(),
        dir,
        bins,
        port: 0,
        url: String::new(),
        tls_cert: None,
        live_id: Some(live_id),
    };
    std::fs::write(cluster.dir.join(MARKER), b"")
        .map_err(|e| OracleError::io("write cluster marker", e))?;
    write_record(&cluster.record(Some(this_owner())))?;

    let data = cluster.dir.join("data");
    let mut initdb = runner.command(&cluster.bins.tool("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            opts.user.as_str(),
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        ])
        .current_dir("/");
    run(initdb, "initdb")?;

    let cert = if opts.tls {
        Some(tls::generate(&cluster.dir, &runner)?)
    } else {
        None
    };
    config::write_settings(&data, &cluster.dir, opts, cert.as_ref())?;
    config::write_hba(&data, opts)?;
    cluster.tls_cert = cert.map(|c| c.cert);

    for attempt in 1..=PORT_ATTEMPTS {
        cluster.port = match opts.port {
            Some(p) => p,
            None => free_port()?,
        };
        write_record(&cluster.record(Some(this_owner())))?;
        match pg_ctl_start(&runner, &cluster) {
            Ok(()) => return Ok(cluster),
            Err(e) => {
                let tail = log_tail(&cluster.log_path());
                let port_race = tail.contains("could not bind") || tail.contains("already in use");
                if opts.port.is_none() && port_race && attempt < PORT_ATTEMPTS {
                    tracing::debug!("port {} taken, retrying: {e}", cluster.port);
                    continue;
                }
                return Err(OracleError::StartFailed {
                    reason: e.to_string(),
                    log_tail: tail,
                });
            }
        }
    }
    Err(OracleError::StartFailed {
        reason: format!("no free port after {PORT_ATTEMPTS} attempts"),
        log_tail: log_tail(&cluster.log_path()),
    })
}

fn pg_ctl_start(runner: &Runner, cluster: &LocalCluster) -> Result<(), OracleError> {
    let mut cmd = runner.command(&cluster.bins.tool("pg_ctl"));
    cmd.arg("-D")
        .arg(cluster.dir.join("data"))
        .arg("-l")
        .arg(cluster.log_path())
        .args(["-w", "-t", "60", "-o"])
        .arg(format!("-p {}", cluster.port))
        .arg("start")
        .current_dir("/")
        // Its own process group: a terminal's Ctrl-C reaches us (and our cleanup), not the
        // postmaster directly.
        .process_group(0);
    run(cmd, "pg_ctl start").map(|_| ())
}

/// A short (unix socket paths are limited to ~107 bytes), private dir under /tmp owned by the
/// server user.
fn make_dir(runner: &Runner) -> Result<PathBuf, OracleError> {
    let dir = tempfile::Builder::new()
        .prefix("pgc-")
        .tempdir_in("/tmp")
        .map_err(|e| OracleError::io("create a temp dir under /tmp", e))?
        .keep();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| OracleError::io(format!("chmod {}", dir.display()), e))?;
    if let Err(e) = runner.chown(&dir) {
        let _ = std::fs::remove_dir(&dir);
        return Err(e);
    }
    Ok(dir)
}

/// A port that was free a moment ago (the server may still lose a race for it: we retry).
fn free_port() -> Result<u16, OracleError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| OracleError::io("bind 127.0.0.1:0 to find a free port", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| OracleError::io("read the bound port", e))?
        .port();
    Ok(port)
}

/// The last lines of the server log (reads at most 16 KiB, whatever the log's size).
pub(crate) fn log_tail(path: &Path) -> String {
    use std::io::{Read, Seek, SeekFrom};
    const MAX_BYTES: u64 = 16 * 1024;
    const MAX_LINES: usize = 20;
    let Ok(mut file) = std::fs::File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    if file
        .seek(SeekFrom::Start(len.saturating_sub(MAX_BYTES)))
        .is_err()
        || file.take(MAX_BYTES).read_to_end(&mut bytes).is_err()
    {
        return format!("(could not read {})", path.display());
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(MAX_LINES)..].join("\n")
}
