//! The container oracle: the official `postgres:<version>` image through testcontainers
//! (cargo feature `container`), with a quick, clear refusal when no Docker engine answers.

use super::OracleError;
use super::options::LocalOptions;

/// Image tag used when no version is asked for: the suites' expected results come from 15.
#[cfg(feature = "container")]
const DEFAULT_TAG: &str = "15";

#[cfg(not(feature = "container"))]
/// Without the feature there is no container type; this one can never be built.
#[derive(Debug)]
pub(crate) enum PgContainer {}

#[cfg(not(feature = "container"))]
impl PgContainer {
    pub(crate) fn image(&self) -> &str {
        match *self {}
    }

    pub(crate) async fn stop(self) -> Result<(), OracleError> {
        match self {}
    }
}

/// A started container; `(container, url, version)`.
#[cfg(not(feature = "container"))]
pub(crate) async fn start(
    _opts: &LocalOptions,
) -> Result<(PgContainer, String, String), OracleError> {
    Err(OracleError::ContainerUnavailable(
        "pgcompat was built without the container feature (rebuild with `--features container`)"
            .into(),
    ))
}

#[cfg(feature = "container")]
pub(crate) use with_engine::{PgContainer, start};

#[cfg(feature = "container")]
mod with_engine {
    use std::time::{Duration, Instant};

    use testcontainers::core::wait::LogWaitStrategy;
    use testcontainers::core::{IntoContainerPort, WaitFor};
    use testcontainers::runners::AsyncRunner;
    use testcontainers::{ContainerAsync, GenericImage, ImageExt};

    use super::{DEFAULT_TAG, LocalOptions, OracleError};
    use crate::postgres::probe::url_version;

    /// A running `postgres` container; removed when dropped or stopped.
    pub(crate) struct PgContainer {
        container: ContainerAsync<GenericImage>,
        image: String,
    }

    impl std::fmt::Debug for PgContainer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("PgContainer")
                .field("id", &self.container.id())
                .field("image", &self.image)
                .finish()
        }
    }

    impl PgContainer {
        pub(crate) fn image(&self) -> &str {
            &self.image
        }

        pub(crate) async fn stop(self) -> Result<(), OracleError> {
            self.container.rm().await.map_err(|e| {
                OracleError::ContainerUnavailable(format!("removing the container: {e}"))
            })
        }
    }

    /// Starts `postgres:<version>` and waits until it accepts TCP connections.
    pub(crate) async fn start(
        opts: &LocalOptions,
    ) -> Result<(PgContainer, String, String), OracleError> {
        opts.validate()?;
        if opts.tls {
            return Err(OracleError::InvalidOptions(
                "tls is only supported by the local oracle".into(),
            ));
        }
        check_engine().map_err(OracleError::ContainerUnavailable)?;
        let tag = opts
            .version
            .clone()
            .unwrap_or_else(|| DEFAULT_TAG.to_string());
        let image_name = format!("postgres:{tag}");
        let mut args = vec![
            "postgres".to_string(),
            "-c".into(),
            "fsync=off".into(),
            "-c".into(),
            format!("password_encryption={}", opts.auth.password_encryption()),
        ];
        for (name, value) in &opts.settings {
            args.push("-c".into());
            args.push(format!("{name}={value}"));
        }
        // The entrypoint's init server prints the line once, the real server a second time.
        let ready =
            LogWaitStrategy::stderr("database system is ready to accept connections").with_times(2);
        let mut request = GenericImage::new("postgres", tag.as_str())
            .with_exposed_port(5432.tcp())
            .with_wait_for(WaitFor::log(ready))
            .with_env_var("POSTGRES_USER", opts.user.as_str())
            .with_env_var("POSTGRES_HOST_AUTH_METHOD", opts.auth.hba_keyword())
            .with_cmd(args);
        if let Some(password) = &opts.password {
            request = request.with_env_var("POSTGRES_PASSWORD", password.as_str());
        }
        if let Some(port) = opts.port {
            request = request.with_mapped_port(port, 5432.tcp());
        }
        let container = request.start().await.map_err(|e| {
            OracleError::ContainerUnavailable(format!("starting {image_name}: {e}"))
        })?;
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            OracleError::ContainerUnavailable(format!("{image_name}: {what}: {e}"))
        };
        let host = container
            .get_host()
            .await
            .map_err(|e| failed("container host", &e))?;
        let port = container
            .get_host_port_ipv4(5432.tcp())
            .await
            .map_err(|e| failed("mapped port", &e))?;
        let auth = match &opts.password {
            Some(p) => format!(
                "{}:{}",
                opts.user,
                crate::postgres::probe::encode_userinfo(p)
            ),
            None => opts.user.clone(),
        };
        let url = format!("postgres://{auth}@{host}:{port}/postgres");
        let version = connect_loop(&url).await?;
        Ok((
            PgContainer {
                container,
                image: image_name,
            },
            url,
            version,
        ))
    }

    /// The log line can precede the TCP listener slightly: retry for a while.
    async fn connect_loop(url: &str) -> Result<String, OracleError> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match url_version(url).await {
                Ok(v) => return Ok(v),
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    /// Where a Docker engine could answer: `DOCKER_HOST` alone when set, else the usual
    /// sockets (system, rootless, Docker Desktop).
    fn docker_endpoints() -> Vec<String> {
        if let Ok(host) = std::env::var("DOCKER_HOST")
            && !host.is_empty()
        {
            return vec![host];
        }
        let mut list = vec!["unix:///var/run/docker.sock".to_string()];
        if let Ok(xdg) = std::env::var("XDG_RUNTIME_DIR") {
            list.push(format!("unix://{xdg}/docker.sock"));
            list.push(format!("unix://{xdg}/.docker/run/docker.sock"));
        }
        if let Ok(home) = std::env::var("HOME") {
            list.push(format!("unix://{home}/.docker/run/docker.sock"));
        }
        list
    }

    /// Ok when some endpoint accepts a connection; else why each one did not.
    fn check_engine() -> Result<(), String> {
        let mut failures = Vec::new();
        for endpoint in docker_endpoints() {
            match probe_endpoint(&endpoint) {
                Ok(()) => return Ok(()),
                Err(e) => failures.push(format!("{endpoint} ({e})")),
            }
        }
        Err(format!(
            "no Docker engine answers at {}; start Docker or point DOCKER_HOST at one",
            failures.join(", ")
        ))
    }

    fn probe_endpoint(endpoint: &str) -> Result<(), String> {
        if let Some(path) = endpoint.strip_prefix("unix://") {
            return std::os::unix::net::UnixStream::connect(path)
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        if let Some(addr) = endpoint.strip_prefix("tcp://") {
            use std::net::ToSocketAddrs;
            let addr = addr.trim_end_matches('/');
            let resolved = addr
                .to_socket_addrs()
                .map_err(|e| e.to_string())?
                .next()
                .ok_or_else(|| "no address".to_string())?;
            return std::net::TcpStream::connect_timeout(&resolved, Duration::from_secs(2))
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        Err("unsupported scheme (expected unix:// or tcp://)".into())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn missing_socket_is_reported_clearly() {
            let err = probe_endpoint("unix:///nonexistent/docker.sock");
            assert!(err.is_err());
            assert!(probe_endpoint("ssh://x").is_err());
        }

        #[tokio::test]
        async fn start_without_engine_says_so() {
            if check_engine().is_ok() {
                return; // an engine exists here: the no-engine path cannot be exercised
            }
            let err = start(&LocalOptions::default())
                .await
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("no Docker engine answers at"), "{err}");
        }
    }
}
